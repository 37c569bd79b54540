//! Real pages of the meeting publication systems most Finnish public bodies use
//! (Dynasty, TWeb), read with the bundled profiles chosen by `--profile auto`
//! from the pages' own signature. The expected values are read from the same
//! raw HTML by the test itself, independently of harava: Dynasty repeats each
//! row's date and document in HTML comments, TWeb's rows are regular enough for
//! a regular expression.

use std::path::PathBuf;

use regex::Regex;
use serde_json::Value;

use crate::util::{records, root, run, stderr};

fn page(path: &str) -> PathBuf {
    root().join("tests/data/realworld").join(path)
}

/// The page as a browser shows its text (both systems publish windows-1252).
fn text_of(path: &str) -> String {
    let bytes = std::fs::read(page(path)).unwrap();
    encoding_rs::WINDOWS_1252.decode(&bytes).0.into_owned()
}

/// `harava extract` of one real page, as if saved from its original address.
fn extract(path: &str, base_url: &str) -> Vec<Value> {
    let output = run(&[
        "extract",
        "--base-url",
        base_url,
        page(path).to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    records(&output.stdout)
}

fn collapse(text: &str) -> String {
    let text = text.replace("&nbsp;", " ").replace("&amp;", "&");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn a_dynasty_organ_listing_gives_one_record_per_meeting_row() {
    let html = text_of("espoo-dynasty/TELIN-217668.HTM");
    let row = Regex::new(
        r#"<!--TIETUE:(\d+)-->\s*<!--(\d{4}-\d{2}-\d{2})-->\s*<!--(\w+\.HTM)-->[\s\S]*?<a href="([^"]+)">([^<]+)</a>"#,
    )
    .unwrap();
    let expected: Vec<(String, String, String)> = row
        .captures_iter(&html)
        .map(|c| {
            assert!(c[4].ends_with(&c[3]), "the comment names the link's page");
            (c[2].to_string(), c[4].to_string(), c[5].to_string())
        })
        .collect();
    assert_eq!(expected.len(), 57);

    let records = extract(
        "espoo-dynasty/TELIN-217668.HTM",
        "http://espoo04.hosting.documenta.fi/kokous/",
    );
    assert_eq!(records.len(), expected.len());
    for (record, (date, url, document_type)) in records.iter().zip(&expected) {
        assert_eq!(record["profile"], "dynasty");
        assert_eq!(record["meeting_date"], date.as_str(), "{record}");
        assert_eq!(record["detail_url"], url.as_str());
        assert_eq!(record["document_type"], document_type.as_str());
        assert_eq!(record["organ"], "Kaupunginhallitus");
        assert_eq!(
            record["meeting_time"],
            Value::Null,
            "the listing shows no times"
        );
        assert_eq!(record["items"], serde_json::json!([]));
        let (y, m, d) = (&date[..4], &date[5..7], &date[8..]);
        let day = format!(
            "{}.{}.{y}",
            d.trim_start_matches('0'),
            m.trim_start_matches('0')
        );
        assert_eq!(
            record["title"],
            format!("Kaupunginhallitus {document_type} {day}")
        );
        assert_eq!(
            record["warnings"],
            serde_json::json!([format!(
                "body: the detail page {url} was not among the inputs"
            )])
        );
    }
    let ids: std::collections::HashSet<&str> =
        records.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), records.len(), "ids are unique");
}

#[test]
fn a_dynasty_minutes_index_gives_its_items_header_and_meeting_pdf() {
    let html = text_of("espoo-dynasty/2017406946.HTM");
    let item = Regex::new(
        r#"<td class="tcDat" valign="top">&nbsp;&nbsp;(\d+)</td><td[^>]*>.*?</td><td class="tcDat" colspan="3"><a href="([^"]+\.HTM)">([^<]+)</a>"#,
    )
    .unwrap();
    let expected: Vec<Value> = item
        .captures_iter(&html)
        .map(|c| serde_json::json!({"number": &c[1], "title": collapse(&c[3]), "url": &c[2], "documents": []}))
        .collect();
    assert_eq!(expected.len(), 22, "§ 125–146");

    let records = extract(
        "espoo-dynasty/2017406946.HTM",
        "http://espoo04.hosting.documenta.fi/kokous/",
    );
    assert_eq!(records.len(), 1, "one record for the meeting");
    let record = &records[0];
    assert_eq!(record["items"], Value::Array(expected));
    assert_eq!(record["organ"], "Kaupunginhallitus");
    assert_eq!(record["document_type"], "Pöytäkirja");
    assert_eq!(record["meeting_date"], "2017-05-08");
    assert_eq!(record["meeting_time"], "15:30");
    assert_eq!(record["title"], "Kaupunginhallitus Pöytäkirja 8.5.2017");
    assert_eq!(
        record["detail_url"],
        "http://espoo04.hosting.documenta.fi/kokous/2017406946.HTM"
    );
    assert_eq!(
        record["documents"][0],
        serde_json::json!({"title": "Pöytäkirja PDF-muodossa", "url": "http://espoo04.hosting.documenta.fi/kokous/2017406946.PDF"})
    );
    assert_eq!(record["warnings"], serde_json::json!([]));

    // The listing row of the same meeting has the same id: both come from
    // the meeting's own number in its URL.
    let listing = extract(
        "espoo-dynasty/TELIN-217668.HTM",
        "http://espoo04.hosting.documenta.fi/kokous/",
    );
    let row = listing
        .iter()
        .find(|r| r["detail_url"] == record["detail_url"])
        .unwrap();
    assert_eq!(row["id"], record["id"]);
}

#[test]
fn a_minutes_index_read_with_its_listing_completes_the_row_and_is_not_written_again() {
    // The index is also a record of its own when read alone (the test above);
    // read with the listing that leads to it, it completes that row instead.
    let output = run(&[
        "extract",
        "--base-url",
        "http://espoo04.hosting.documenta.fi/kokous/",
        page("espoo-dynasty/TELIN-217668.HTM").to_str().unwrap(),
        page("espoo-dynasty/2017406946.HTM").to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let records = records(&output.stdout);
    assert_eq!(records.len(), 57, "one record per listing row, none more");
    let completed: Vec<&Value> = records
        .iter()
        .filter(|r| r["detail_url"] == "http://espoo04.hosting.documenta.fi/kokous/2017406946.HTM")
        .collect();
    assert_eq!(completed.len(), 1);
    assert_eq!(completed[0]["items"].as_array().map(Vec::len), Some(22));
    assert_eq!(
        completed[0]["documents"][0]["url"],
        "http://espoo04.hosting.documenta.fi/kokous/2017406946.PDF"
    );
}

#[test]
fn a_dynasty_item_page_is_dated_by_its_header_not_its_text() {
    let records = extract(
        "espoo-dynasty/2017406946-3.HTM",
        "http://espoo04.hosting.documenta.fi/kokous/",
    );
    assert_eq!(records.len(), 1);
    let record = &records[0];
    assert_eq!(record["organ"], "Kaupunginhallitus");
    assert_eq!(record["meeting_date"], "2017-05-08");
    assert_eq!(record["document_type"], "Pöytäkirja");
    // The text names older dates (the item was tabled on 10.4.2017).
    let body = record["body"].as_str().unwrap();
    assert!(body.contains("(Pöydälle 10.4.2017)"), "{body}");
    assert_eq!(record["dates_mentioned"][0], "2017-04-10");
    let documents: Vec<&str> = record["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["url"].as_str().unwrap())
        .collect();
    assert_eq!(
        documents,
        [
            "http://espoo04.hosting.documenta.fi/kokous/2017406946-3.PDF",
            "http://espoo04.hosting.documenta.fi/kokous/2017406946-3-1.PDF",
            "http://espoo04.hosting.documenta.fi/kokous/2017406946-3-2.PDF",
        ]
    );
}

#[test]
fn a_tweb_meeting_listing_gives_one_record_per_row_with_date_time_and_organ() {
    let html = text_of("oulu-tweb/oulu_tweb_kaupunginhallitus_kokoukset.html");
    let row = Regex::new(
        r#"<a href="([^"]+bid=\d+)">(\d{1,2})\.(\d{1,2})\.(\d{4}) (\d{2}:\d{2})</a></td>\s*<td class="data">([^:<]+): \d+/\d{4}</td>"#,
    )
    .unwrap();
    let expected: Vec<(String, String, String, String)> = row
        .captures_iter(&html)
        .map(|c| {
            let date = format!("{}-{:0>2}-{:0>2}", &c[4], &c[3], &c[2]);
            (c[1].to_string(), date, c[5].to_string(), c[6].to_string())
        })
        .collect();
    assert_eq!(expected.len(), 114);

    let records = extract(
        "oulu-tweb/oulu_tweb_kaupunginhallitus_kokoukset.html",
        "http://asiakirjat.ouka.fi/ktwebbin/dbisa.dll/ktwebscr/",
    );
    assert_eq!(records.len(), expected.len());
    for (record, (url, date, time, organ)) in records.iter().zip(&expected) {
        assert_eq!(record["profile"], "tweb");
        assert_eq!(record["detail_url"], url.as_str());
        assert_eq!(record["meeting_date"], date.as_str(), "{record}");
        assert_eq!(record["meeting_time"], time.as_str());
        assert_eq!(record["organ"], organ.as_str());
        assert_eq!(record["document_type"], "Pöytäkirja");
    }
    // Meetings are told apart by TWeb's own bid, even where two share a date.
    let ids: std::collections::HashSet<&str> =
        records.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), records.len());
}

#[test]
fn a_tweb_minutes_index_lists_every_row_in_order() {
    let html = text_of("oulu-tweb/oulu_tweb_kaupunginhallitus_5_2017.html");
    let row = Regex::new(
        r#"<td class="data_pykala">(\d*)</td>\s*<td class="data"><a target="_blank" href="([^"]+)">([^<]+)</a></td>\s*<td class="data">(?:<a href="([^"]+)">([^<]+)</a>|-)</td>"#,
    )
    .unwrap();
    let expected: Vec<Value> = row
        .captures_iter(&html)
        .map(|c| {
            let documents = match (c.get(4), c.get(5)) {
                (Some(url), Some(title)) => {
                    serde_json::json!([{"title": title.as_str(), "url": url.as_str()}])
                }
                _ => serde_json::json!([]),
            };
            serde_json::json!({
                "number": if c[1].is_empty() { Value::Null } else { Value::from(&c[1]) },
                "title": collapse(&c[3]),
                "url": c[2].replace("&amp;", "&"),
                "documents": documents,
            })
        })
        .collect();
    assert_eq!(expected.len(), 16);

    let records = extract(
        "oulu-tweb/oulu_tweb_kaupunginhallitus_5_2017.html",
        "http://asiakirjat.ouka.fi/ktwebbin/dbisa.dll/ktwebscr/",
    );
    assert_eq!(records.len(), 1);
    let record = &records[0];
    assert_eq!(record["items"], Value::Array(expected));
    assert_eq!(record["items"][0]["number"], Value::Null, "the cover page");
    assert_eq!(record["items"][2]["number"], "72");
    assert_eq!(record["organ"], "Kaupunginhallitus");
    assert_eq!(record["meeting_date"], "2017-03-27");
    assert_eq!(record["meeting_time"], "15:00");
    assert_eq!(record["document_type"], "Pöytäkirja");
}

#[test]
fn the_search_form_alone_is_no_listing() {
    let output = run(&[
        "extract",
        page("oulu-tweb/oulu_tweb_haku.html").to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(records(&output.stdout), Vec::<Value>::new());
}

/// One request an emulated system got: method, path with query, and body.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Hit {
    method: String,
    path: String,
    body: String,
    at: std::time::Instant,
}

/// A meeting publication system on 127.0.0.1: fixed pages by method and path
/// (windows-1252 bytes, as the systems serve them), every request logged.
struct SystemSite {
    address: std::net::SocketAddr,
    log: std::sync::Arc<std::sync::Mutex<Vec<Hit>>>,
    _runtime: tokio::runtime::Runtime,
}

type Pages = std::collections::HashMap<(String, String), Vec<u8>>;

impl SystemSite {
    /// Serves the pages `build` makes for the site's own origin.
    fn start(build: impl FnOnce(&str) -> Pages) -> SystemSite {
        use axum::body::{Body, to_bytes};
        use axum::extract::{Request, State};
        use axum::response::Response;
        let std_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = std_listener.local_addr().unwrap();
        let pages = std::sync::Arc::new(build(&format!("http://{address}")));
        let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        type SiteState = (
            std::sync::Arc<Pages>,
            std::sync::Arc<std::sync::Mutex<Vec<Hit>>>,
        );
        async fn serve(State((pages, log)): State<SiteState>, request: Request) -> Response {
            let method = request.method().to_string();
            let path = request
                .uri()
                .path_and_query()
                .map(|p| p.as_str().to_string())
                .unwrap_or_default();
            let body = to_bytes(request.into_body(), 1 << 20).await.unwrap();
            log.lock().unwrap().push(Hit {
                method: method.clone(),
                path: path.clone(),
                body: String::from_utf8_lossy(&body).into_owned(),
                at: std::time::Instant::now(),
            });
            match pages.get(&(method, path)) {
                Some(bytes) => Response::builder()
                    .header("content-type", "text/html")
                    .body(Body::from(bytes.clone()))
                    .unwrap(),
                None => Response::builder().status(404).body(Body::empty()).unwrap(),
            }
        }
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let app = axum::Router::new()
            .fallback(serve)
            .with_state((pages, log.clone()));
        runtime.spawn(async move {
            std_listener.set_nonblocking(true).unwrap();
            let listener = tokio::net::TcpListener::from_std(std_listener).unwrap();
            axum::serve(listener, app).await.unwrap()
        });
        SystemSite {
            address,
            log,
            _runtime: runtime,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    fn hits(&self) -> Vec<Hit> {
        self.log.lock().unwrap().clone()
    }
}

fn get(path: &str) -> (String, String) {
    ("GET".to_string(), path.to_string())
}

/// A real page moved to `origin` (its links point at the original host) and
/// encoded back to windows-1252.
fn moved(text: &str, original: &str, origin: &str) -> Vec<u8> {
    encoding_rs::WINDOWS_1252
        .encode(&text.replace(original, origin))
        .0
        .into_owned()
}

const ROBOTS: &[u8] = b"User-agent: *\nDisallow: /cgi/\n";

/// Checks what every emulated crawl must show: robots.txt first, each page
/// once, requests at least `--rate 2` apart.
fn assert_polite(hits: &[Hit]) {
    assert_eq!(hits[0].path, "/robots.txt", "{hits:?}");
    let mut seen = std::collections::HashSet::new();
    for hit in hits {
        assert!(
            seen.insert((hit.method.clone(), hit.path.clone())),
            "{} {} requested twice: {hits:?}",
            hit.method,
            hit.path
        );
    }
    for pair in hits.windows(2) {
        let gap = pair[1].at - pair[0].at;
        assert!(
            gap >= std::time::Duration::from_millis(400),
            "{gap:?} between {} and {}",
            pair[0].path,
            pair[1].path
        );
    }
}

#[test]
fn a_dynasty_site_is_crawled_from_its_organ_listing_to_each_meetings_index() {
    const ESPOO: &str = "http://espoo04.hosting.documenta.fi";
    // The first three meetings of the real listing, each with an index page
    // made from the real one, dated as its row.
    let meetings = [
        ("2017409885", "15.05.2017", "2017-05-15"),
        ("2017406946", "08.05.2017", "2017-05-08"),
        ("2017406945", "10.04.2017", "2017-04-10"),
    ];
    let listing = text_of("espoo-dynasty/TELIN-217668.HTM");
    let cut = listing
        .match_indices("<!--TIETUE-->")
        .nth(meetings.len() - 1)
        .unwrap()
        .0;
    let listing = format!(
        "{}<!--TIETUE-->\n</tr></tbody></table>\n<!--DATA_END-->\n</td></tr></tbody></table></body></html>",
        &listing[..cut]
    );
    let index = text_of("espoo-dynasty/2017406946.HTM");
    let site = SystemSite::start(|origin| {
        let mut pages = Pages::new();
        pages.insert(get("/robots.txt"), ROBOTS.to_vec());
        pages.insert(
            get("/kokous/TELIN-217668.HTM"),
            moved(&listing, ESPOO, origin),
        );
        for (id, finnish, _) in meetings {
            let page = index
                .replace("2017406946", id)
                .replace("Pöytäkirja 08.05.2017", &format!("Pöytäkirja {finnish}"));
            pages.insert(
                get(&format!("/kokous/{id}.HTM")),
                moved(&page, ESPOO, origin),
            );
        }
        pages
    });
    let output = crate::util::crawl(&["--rate", "2", &site.url("/kokous/TELIN-217668.HTM")]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let records = records(&output.stdout);
    assert_eq!(records.len(), meetings.len());
    for (record, (id, _, iso)) in records.iter().zip(meetings) {
        assert_eq!(record["profile"], "dynasty");
        assert_eq!(record["detail_url"], site.url(&format!("/kokous/{id}.HTM")));
        assert_eq!(record["meeting_date"], iso);
        assert_eq!(record["meeting_time"], "15:30", "from the meeting's index");
        assert_eq!(record["organ"], "Kaupunginhallitus");
        assert_eq!(record["document_type"], "Pöytäkirja");
        let items = record["items"].as_array().unwrap();
        assert_eq!(items.len(), 22);
        assert_eq!(items[0]["number"], "125");
        assert_eq!(items[0]["url"], site.url(&format!("/kokous/{id}-1.HTM")));
        assert_eq!(
            record["documents"][0]["url"],
            site.url(&format!("/kokous/{id}.PDF"))
        );
        assert_eq!(record["warnings"], serde_json::json!([]));
    }
    let hits = site.hits();
    assert_polite(&hits);
    let paths: Vec<&str> = hits.iter().map(|h| h.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "/robots.txt",
            "/kokous/TELIN-217668.HTM",
            "/kokous/2017409885.HTM",
            "/kokous/2017406946.HTM",
            "/kokous/2017406945.HTM",
        ],
        "item pages and PDFs are not fetched"
    );
}

#[test]
fn a_tweb_site_is_crawled_through_its_search_form() {
    const OULU: &str = "http://asiakirjat.ouka.fi";
    const SCRIPTS: &str = "/ktwebbin/dbisa.dll/ktwebscr";
    let meetings = [
        ("12867", "27.3.2017", "2017-03-27"),
        ("12838", "20.3.2017", "2017-03-20"),
        ("12754", "13.3.2017", "2017-03-13"),
    ];
    let listing = text_of("oulu-tweb/oulu_tweb_kaupunginhallitus_kokoukset.html");
    let row = Regex::new(r#"(?s)<tr class="data[01]">.*?</tr>"#).unwrap();
    let first = row.find(&listing).unwrap().start();
    let rows: String = row
        .find_iter(&listing)
        .take(meetings.len())
        .map(|m| m.as_str())
        .collect();
    let listing = format!(
        "{}{rows}</tbody></table></div></div></div></body></html>",
        &listing[..first]
    );
    let search = text_of("oulu-tweb/oulu_tweb_haku.html");
    let index = text_of("oulu-tweb/oulu_tweb_kaupunginhallitus_5_2017.html");
    let site = SystemSite::start(|origin| {
        let mut pages = Pages::new();
        pages.insert(get("/robots.txt"), ROBOTS.to_vec());
        pages.insert(
            get(&format!("{SCRIPTS}/pk_tek_tweb.htm")),
            moved(&search, OULU, origin),
        );
        pages.insert(
            ("POST".into(), format!("{SCRIPTS}/pk_kokl_tweb.htm")),
            moved(&listing, OULU, origin),
        );
        for (bid, finnish, _) in meetings {
            let page = index
                .replace("bid=12867", &format!("bid={bid}"))
                .replace("27.3.2017 15:00", &format!("{finnish} 15:00"));
            pages.insert(
                get(&format!("{SCRIPTS}/pk_asil_tweb.htm?+bid={bid}")),
                moved(&page, OULU, origin),
            );
        }
        pages
    });
    let dir = tempfile::tempdir().unwrap();
    let warc = dir.path().join("tweb.warc");
    let output = crate::util::crawl(&[
        "--rate",
        "2",
        "--warc",
        warc.to_str().unwrap(),
        &site.url(&format!("{SCRIPTS}/pk_tek_tweb.htm")),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let records = records(&output.stdout);
    assert_eq!(records.len(), meetings.len(), "{records:?}");
    for (record, (bid, _, iso)) in records.iter().zip(meetings) {
        assert_eq!(record["profile"], "tweb");
        assert_eq!(
            record["detail_url"],
            site.url(&format!("{SCRIPTS}/pk_asil_tweb.htm?+bid={bid}"))
        );
        assert_eq!(record["meeting_date"], iso);
        assert_eq!(record["meeting_time"], "15:00");
        assert_eq!(record["organ"], "Kaupunginhallitus");
        assert_eq!(record["document_type"], "Pöytäkirja");
        assert_eq!(record["items"].as_array().unwrap().len(), 16);
        assert_eq!(
            record["source_url"],
            site.url(&format!("{SCRIPTS}/pk_kokl_tweb.htm"))
        );
    }
    let hits = site.hits();
    assert_polite(&hits);
    let requests: Vec<(&str, &str, &str)> = hits
        .iter()
        .map(|h| (h.method.as_str(), h.path.as_str(), h.body.as_str()))
        .collect();
    assert_eq!(
        requests,
        [
            ("GET", "/robots.txt", ""),
            ("GET", "/ktwebbin/dbisa.dll/ktwebscr/pk_tek_tweb.htm", ""),
            (
                "POST",
                "/ktwebbin/dbisa.dll/ktwebscr/pk_kokl_tweb.htm",
                "oper=where&kirjaamo=&pvm1=&pvm2="
            ),
            (
                "GET",
                "/ktwebbin/dbisa.dll/ktwebscr/pk_asil_tweb.htm?+bid=12867",
                ""
            ),
            (
                "GET",
                "/ktwebbin/dbisa.dll/ktwebscr/pk_asil_tweb.htm?+bid=12838",
                ""
            ),
            (
                "GET",
                "/ktwebbin/dbisa.dll/ktwebscr/pk_asil_tweb.htm?+bid=12754",
                ""
            ),
        ]
    );
    // The WARC keeps the form as it was sent, so the listing can be re-derived.
    let warc = String::from_utf8_lossy(&std::fs::read(&warc).unwrap()).into_owned();
    assert!(
        warc.contains("POST /ktwebbin/dbisa.dll/ktwebscr/pk_kokl_tweb.htm HTTP/1.1\r\n"),
        "the request record says POST"
    );
    assert!(
        warc.contains("Content-Length: 32\r\n\r\noper=where&kirjaamo=&pvm1=&pvm2="),
        "the request record holds the form's fields"
    );
}
