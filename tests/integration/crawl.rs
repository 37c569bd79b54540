//! `harava crawl` and `harava demo` against real servers on 127.0.0.1.

use std::fs;
use std::io::Write;
use std::time::Duration;

use serde_json::Value;

use crate::util::{self, Route, TestServer, comparable, crawl, records, run, samples, stderr};

const FAST: &[&str] = &["--rate", "0", "--retries", "1", "--timeout", "5"];

fn listing(path: &str) -> String {
    fs::read_to_string(
        samples()
            .join(path.trim_start_matches('/'))
            .join("index.html"),
    )
    .unwrap()
}

fn crawl_server(server: &TestServer, start: &[&str], extra: &[&str]) -> std::process::Output {
    let urls: Vec<String> = start.iter().map(|p| server.url(p)).collect();
    let mut args: Vec<&str> = FAST.to_vec();
    args.extend_from_slice(extra);
    args.extend(urls.iter().map(String::as_str));
    crawl(&args)
}

fn find<'a>(records: &'a [Value], title: &str) -> &'a Value {
    records
        .iter()
        .find(|r| r["title"] == title)
        .unwrap_or_else(|| panic!("no record titled {title}"))
}

#[test]
fn crawling_the_samples_gives_the_extract_records_and_a_clean_request_log() {
    let server = TestServer::samples();
    let output = crawl_server(
        &server,
        &["/kuntajohtajakokous/", "/strateginen-johtoryhma/"],
        &[],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let crawled = records(&output.stdout);
    assert!(crawled.iter().all(|r| r["fetched_at"].is_string()));
    let extracted = run(&["extract", samples().to_str().unwrap()]);
    assert_eq!(comparable(crawled), comparable(records(&extracted.stdout)));

    let paths = server.paths();
    assert_eq!(paths[0], "/robots.txt", "robots.txt comes first");
    assert_eq!(
        paths.len(),
        1 + 6 + 19,
        "robots.txt, 6 listing pages, 19 detail pages: {paths:?}"
    );
    let mut unique = paths.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), paths.len(), "no URL fetched twice: {paths:?}");
    let agent = server.log()[1].headers["user-agent"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(agent.starts_with("harava/"), "{agent}");
}

#[test]
fn robots_txt_is_obeyed() {
    let server = TestServer::samples();
    server.route(
        "/robots.txt",
        Route::Fixed(
            200,
            vec![("content-type", "text/plain".into())],
            b"User-agent: *\nDisallow: /muistiot/kuntajohtajakokous-13-9-2017/\nDisallow: /kuntajohtajakokous/page/3/\n".to_vec(),
        ),
    );
    let stats = tempfile::NamedTempFile::new().unwrap();
    let output = crawl_server(
        &server,
        &["/kuntajohtajakokous/"],
        &["--stats", stats.path().to_str().unwrap()],
    );
    assert_eq!(
        output.status.code(),
        Some(0),
        "skips are not failures: {}",
        stderr(&output)
    );
    let paths = server.paths();
    assert_eq!(paths[0], "/robots.txt");
    assert!(
        !paths
            .iter()
            .any(|p| p.contains("kuntajohtajakokous-13-9-2017") || p.contains("page/3")),
        "{paths:?}"
    );
    let records = records(&output.stdout);
    assert_eq!(
        records.len(),
        8,
        "page 3's one meeting is behind the disallowed page"
    );
    let blocked = find(&records, "Kuntajohtajakokous 13.9.2017");
    assert_eq!(blocked["body"], Value::Null);
    assert!(
        blocked["warnings"][0]
            .as_str()
            .unwrap()
            .contains("disallowed by robots.txt"),
        "{blocked}"
    );
    let stats: Value = serde_json::from_slice(&fs::read(stats.path()).unwrap()).unwrap();
    assert_eq!(stats["skipped_robots"], 2);
    assert_eq!(stats["pages_failed"], 0);
    assert_eq!(stats["records_written"], 8);
}

/// A start page that cannot be read, because robots.txt does not allow it or
/// because it is no HTML page, fails the run (exit 3) and says why: a
/// scheduled run must not take it for a site with nothing new.
#[test]
fn a_start_page_that_cannot_be_read_fails_the_run() {
    let disallowed = TestServer::samples();
    disallowed.route(
        "/robots.txt",
        Route::Fixed(
            200,
            vec![],
            b"User-agent: *\nDisallow: /kuntajohtajakokous/\n".to_vec(),
        ),
    );
    let not_html = TestServer::samples();
    not_html.route(
        "/kuntajohtajakokous/",
        Route::Fixed(
            200,
            vec![("content-type", "application/octet-stream".into())],
            b"PK\x03\x04 a zip".to_vec(),
        ),
    );
    for (server, says) in [
        (&disallowed, "disallowed by robots.txt"),
        (&not_html, "is not HTML (application/octet-stream)"),
    ] {
        let stats = tempfile::NamedTempFile::new().unwrap();
        let output = crawl_server(
            server,
            &["/kuntajohtajakokous/"],
            &["--stats", stats.path().to_str().unwrap()],
        );
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(3), "{err}");
        assert!(err.contains(says), "{err}");
        let stats: Value = serde_json::from_slice(&fs::read(stats.path()).unwrap()).unwrap();
        assert_eq!(stats["pages_failed"], 1, "{says}");
        assert_eq!(
            stats["skipped_robots"].as_u64().unwrap() + stats["skipped_not_html"].as_u64().unwrap(),
            0
        );
    }
    assert_eq!(disallowed.paths(), ["/robots.txt"]);
}

#[test]
fn crawl_explain_says_which_profile_read_a_listing_page_only_when_asked() {
    let server = TestServer::samples();
    let explained = crawl_server(&server, &["/kuntajohtajakokous/"], &["--explain"]);
    let text = stderr(&explained);
    let on = format!("harava: explain {}: ", server.url("/kuntajohtajakokous/"));
    assert!(
        text.contains(&format!(
            "{on}profile: uusimaa2019 (its hosts include www.uusimaa2019.fi)\n"
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!("{on}listing.entry: main article.type-post\n")),
        "{text}"
    );
    let quiet = crawl_server(&server, &["/kuntajohtajakokous/"], &[]);
    assert!(!stderr(&quiet).contains("explain"), "{}", stderr(&quiet));
}

#[test]
fn crawl_delay_in_robots_txt_wins_over_a_faster_rate() {
    let server = TestServer::samples();
    server.route(
        "/robots.txt",
        Route::Fixed(
            200,
            vec![],
            b"User-agent: harava\nCrawl-delay: 1\n".to_vec(),
        ),
    );
    let output = crawl(&[
        "--rate",
        "10",
        "--no-details",
        &server.url("/kuntajohtajakokous/"),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let log = server.log();
    assert_eq!(log.len(), 4, "robots.txt and three listing pages");
    for pair in log.windows(2) {
        let gap = pair[1].at - pair[0].at;
        assert!(
            gap >= Duration::from_millis(950),
            "{} after {gap:?}",
            pair[1].path
        );
    }
}

#[test]
fn links_to_other_hosts_are_never_followed() {
    let server = TestServer::samples();
    let other = TestServer::empty();
    let page = listing("/kuntajohtajakokous/")
        .replace("/muistiot/kuntajohtajakokous-23-8-2017/", &other.url("/muistiot/x/"))
        .replace("<div class=\"nav-links\">", &format!("<div class=\"nav-links\"><div class=\"nav-previous\"><a href=\"{}\">Vanhemmat</a></div>", other.url("/page/9/")));
    server.route("/kuntajohtajakokous/", Route::html(&page));
    let output = crawl_server(&server, &["/kuntajohtajakokous/"], &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        other.log().is_empty(),
        "the other host got {:?}",
        other.paths()
    );
    let records = records(&output.stdout);
    let offsite = find(&records, "Kuntajohtajakokous 23.8.2017");
    assert_eq!(offsite["body"], Value::Null);
    assert!(
        offsite["warnings"][0]
            .as_str()
            .unwrap()
            .ends_with("is on another site; not fetched"),
        "{offsite}"
    );
}

#[test]
fn rate_limit_holds_in_every_one_second_window() {
    let server = TestServer::samples();
    let output = crawl(&[
        "--rate",
        "2",
        "--concurrency",
        "4",
        &server.url("/kuntajohtajakokous/"),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let log = server.log();
    assert_eq!(log.len(), 1 + 3 + 9);
    for (i, first) in log.iter().enumerate() {
        let in_window = log[i..]
            .iter()
            .filter(|l| l.at - first.at < Duration::from_secs(1))
            .count();
        assert!(
            in_window <= 3,
            "{in_window} requests within 1 s from {}",
            first.path
        );
    }
}

#[test]
fn a_503_is_retried_and_then_succeeds() {
    let server = TestServer::samples();
    server.route(
        "/kuntajohtajakokous/page/3/",
        Route::Sequence(vec![
            Route::status(503),
            Route::html(&listing("/kuntajohtajakokous/page/3/")),
        ]),
    );
    let stats = tempfile::NamedTempFile::new().unwrap();
    let output = crawl_server(
        &server,
        &["/kuntajohtajakokous/"],
        &["--no-details", "--stats", stats.path().to_str().unwrap()],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(records(&output.stdout).len(), 9);
    assert_eq!(
        server
            .paths()
            .iter()
            .filter(|p| *p == "/kuntajohtajakokous/page/3/")
            .count(),
        2
    );
    let stats: Value = serde_json::from_slice(&fs::read(stats.path()).unwrap()).unwrap();
    assert_eq!(stats["retries"], 1);
    assert_eq!(stats["pages_failed"], 0);
}

#[test]
fn a_429_with_retry_after_waits_at_least_that_long() {
    let server = TestServer::samples();
    server.route(
        "/kuntajohtajakokous/page/2/",
        Route::Sequence(vec![
            Route::Fixed(429, vec![("retry-after", "2".into())], Vec::new()),
            Route::html(&listing("/kuntajohtajakokous/page/2/")),
        ]),
    );
    let output = crawl_server(&server, &["/kuntajohtajakokous/"], &["--no-details"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let hits: Vec<_> = server
        .log()
        .into_iter()
        .filter(|l| l.path == "/kuntajohtajakokous/page/2/")
        .collect();
    assert_eq!(hits.len(), 2);
    assert!(
        hits[1].at - hits[0].at >= Duration::from_secs(2),
        "waited only {:?}",
        hits[1].at - hits[0].at
    );
}

#[test]
fn a_response_that_never_finishes_is_abandoned_at_the_timeout() {
    let server = TestServer::samples();
    server.route("/muistiot/kuntajohtajakokous-23-8-2017/", Route::Hang);
    let output = crawl(&[
        "--rate",
        "0",
        "--retries",
        "0",
        "--timeout",
        "1",
        &server.url("/kuntajohtajakokous/"),
    ]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let records = records(&output.stdout);
    assert_eq!(records.len(), 9, "the crawl completes");
    let hung = find(&records, "Kuntajohtajakokous 23.8.2017");
    assert_eq!(hung["body"], Value::Null);
    assert!(
        hung["warnings"][0]
            .as_str()
            .unwrap()
            .contains("no complete response within 1 s"),
        "{hung}"
    );
    assert!(stderr(&output).contains("1 failed"), "{}", stderr(&output));
}

#[test]
fn a_redirect_loop_is_stopped_and_reported() {
    let server = TestServer::samples();
    server
        .route("/a/", Route::redirect("/b/"))
        .route("/b/", Route::redirect("/a/"));
    let output = crawl_server(&server, &["/a/", "/kuntajohtajakokous/"], &["--no-details"]);
    assert_eq!(output.status.code(), Some(3));
    let err = stderr(&output);
    assert!(
        err.contains(&format!(
            "{}: redirect loop ({} → {} → {})",
            server.url("/a/"),
            server.url("/a/"),
            server.url("/b/"),
            server.url("/a/")
        )),
        "{err}"
    );
    assert_eq!(
        records(&output.stdout).len(),
        9,
        "the other start URL is still crawled"
    );
}

#[test]
fn a_start_page_that_redirects_off_the_site_or_nowhere_is_a_failure() {
    let server = TestServer::samples();
    let other = TestServer::empty();
    server
        .route(
            "/moved/",
            Route::redirect(&other.url("/kuntajohtajakokous/")),
        )
        .route("/file/", Route::redirect("file:///etc/passwd"))
        .route("/empty/", Route::redirect(""));
    let broken = |path: &str, detail: &str| {
        format!(
            "{}: HTTP 302 redirect without a usable Location ({detail}); it is not a page, and the site's redirect is broken",
            server.url(path)
        )
    };
    let cases = [
        (
            "/moved/",
            format!(
                "{}: redirected to {}, which is outside the sites being crawled; not followed (if the site moved there, crawl from that address)",
                server.url("/moved/"),
                other.url("/kuntajohtajakokous/")
            ),
        ),
        (
            "/file/",
            broken(
                "/file/",
                r#"Location "file:///etc/passwd" is no web address"#,
            ),
        ),
        ("/empty/", broken("/empty/", "the Location header is empty")),
    ];
    for (start, expected) in cases {
        let output = crawl_server(&server, &[start], &[]);
        assert_eq!(
            output.status.code(),
            Some(3),
            "{start}: {}",
            stderr(&output)
        );
        assert!(stderr(&output).contains(&expected), "{}", stderr(&output));
    }
    assert!(other.log().is_empty(), "{:?}", other.paths());
}

#[test]
fn a_pagination_loop_fetches_each_page_once() {
    let server = TestServer::samples();
    let last = listing("/kuntajohtajakokous/page/3/").replace(
        "<div class=\"nav-links\">",
        "<div class=\"nav-links\"><div class=\"nav-previous\"><a href=\"/kuntajohtajakokous/#top\">Vanhemmat</a></div>",
    );
    server.route("/kuntajohtajakokous/page/3/", Route::html(&last));
    let output = crawl_server(&server, &["/kuntajohtajakokous/"], &["--no-details"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        server.paths(),
        vec![
            "/robots.txt",
            "/kuntajohtajakokous/",
            "/kuntajohtajakokous/page/2/",
            "/kuntajohtajakokous/page/3/"
        ]
    );
    assert_eq!(records(&output.stdout).len(), 9);
}

#[test]
fn a_listing_whose_pages_only_repeat_its_meetings_is_not_followed_for_ever() {
    let server = TestServer::samples();
    // Every page shows the first page's meetings and links one page more.
    let first = listing("/kuntajohtajakokous/");
    for n in 1..=20 {
        let page = first.replace(
            "/kuntajohtajakokous/page/2/",
            &format!("/ansa/page/{}/", n + 1),
        );
        server.route(&format!("/ansa/page/{n}/"), Route::html(&page));
    }
    let output = crawl_server(&server, &["/ansa/page/1/"], &["--no-details"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let pages: Vec<String> = (1..=6).map(|n| format!("/ansa/page/{n}/")).collect();
    assert_eq!(server.paths()[1..], pages[..]);
    let err = stderr(&output);
    assert!(
        err.contains(&format!(
            "{}: 5 listing pages in a row showed only meetings this listing showed before, so it seems to go on for ever; its older pages are not read",
            server.url("/ansa/page/6/")
        )),
        "{err}"
    );
    assert!(
        err.contains("; 1 listings stopped where their pages only repeated meetings"),
        "{err}"
    );
    assert_eq!(
        records(&output.stdout).len(),
        4,
        "the first page's meetings"
    );
}

#[test]
fn two_listings_of_the_same_meetings_are_each_read_to_their_end() {
    let server = TestServer::samples();
    // /kaikki/ lists what /uusimmat/ lists, and two pages more.
    let first = listing("/kuntajohtajakokous/");
    let page = |listing: &str, n: usize, last: usize| {
        let next = if n < last { n + 1 } else { n };
        first
            .replace("/muistiot/", &format!("/muistiot/s{n}-"))
            .replace(
                "/kuntajohtajakokous/page/2/",
                &format!("/{listing}/page/{next}/"),
            )
    };
    for n in 1..=6 {
        server.route(
            &format!("/uusimmat/page/{n}/"),
            Route::html(&page("uusimmat", n, 6)),
        );
    }
    for n in 1..=8 {
        server.route(
            &format!("/kaikki/page/{n}/"),
            Route::html(&page("kaikki", n, 8)),
        );
    }
    let output = crawl_server(
        &server,
        &["/uusimmat/page/1/", "/kaikki/page/1/"],
        // One page at a time, so that /kaikki/ always comes second.
        &["--no-details", "--concurrency", "1"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(server.paths().contains(&"/kaikki/page/8/".to_string()));
    assert_eq!(records(&output.stdout).len(), 8 * 4);
}

#[test]
fn a_page_larger_than_max_bytes_is_not_read() {
    let server = TestServer::samples();
    let big = format!(
        "<html><body>{}</body></html>",
        "<p>kokous</p>".repeat(200_000)
    );
    server.route("/iso/", Route::html(&big));
    let output = crawl_server(
        &server,
        &["/iso/", "/kuntajohtajakokous/page/3/"],
        &["--max-bytes", "100000"],
    );
    assert_eq!(output.status.code(), Some(3));
    assert!(
        stderr(&output).contains(&format!(
            "{}: the response is larger than --max-bytes 100000 bytes",
            server.url("/iso/")
        )),
        "{}",
        stderr(&output)
    );
    assert_eq!(records(&output.stdout).len(), 1);
}

#[test]
fn a_gzip_bomb_stops_at_the_cap() {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![b' '; 1 << 20];
    for _ in 0..200 {
        encoder.write_all(&zeros).unwrap();
    }
    let bomb = encoder.finish().unwrap();
    assert!(
        bomb.len() < 1_000_000,
        "200 MiB of spaces pack small: {}",
        bomb.len()
    );
    let server = TestServer::samples();
    server.route(
        "/pommi/",
        Route::Fixed(
            200,
            vec![
                ("content-type", "text/html".into()),
                ("content-encoding", "gzip".into()),
            ],
            bomb,
        ),
    );
    let output = crawl_server(&server, &["/pommi/"], &["--max-bytes", "5000000"]);
    assert_eq!(output.status.code(), Some(3));
    assert!(
        stderr(&output).contains("larger than --max-bytes 5000000 bytes (after decompression)"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn an_iso_8859_1_page_decodes_its_umlauts() {
    let page = listing("/kuntajohtajakokous/page/3/")
        .replace("<meta charset=\"UTF-8\">", "<meta charset=\"ISO-8859-1\">");
    let (latin1, _, unmappable) = encoding_rs::WINDOWS_1252.encode(&page);
    assert!(!unmappable);
    let server = TestServer::samples();
    server.route(
        "/latin1/",
        Route::Fixed(
            200,
            vec![("content-type", "text/html; charset=ISO-8859-1".into())],
            latin1.into_owned(),
        ),
    );
    server.route(
        "/latin1-meta-only/",
        Route::Fixed(
            200,
            vec![("content-type", "text/html".into())],
            encoding_rs::WINDOWS_1252.encode(&page).0.into_owned(),
        ),
    );
    for path in ["/latin1/", "/latin1-meta-only/"] {
        let output = crawl_server(&server, &[path], &["--no-details"]);
        assert!(output.status.success(), "{}", stderr(&output));
        let records = records(&output.stdout);
        assert_eq!(
            records[0]["summary"],
            "Kuntien johtohenkilöiden kokouksen asialistalla olivat muiden muassa projektisuunnitelma, 7.2. järjestettävä henkilöstöfoorumi sekä katsaus palvelujen valinnanvapautta koskevaan lakiluonnokseen.",
            "{path}"
        );
    }
}

#[test]
fn malformed_html_still_yields_its_entries() {
    let broken = listing("/kuntajohtajakokous/")
        .replace("</article>", "")
        .replace("</p>", "")
        .replace("</div>", "")
        .replace("</h2>", "<h2>");
    let server = TestServer::samples();
    server.route("/rikki/", Route::html(&broken));
    let output = crawl_server(&server, &["/rikki/"], &["--no-details"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let records = records(&output.stdout);
    let dates: Vec<&str> = records
        .iter()
        .take(4)
        .map(|r| r["published_date"].as_str().unwrap())
        .collect();
    assert_eq!(
        dates,
        vec!["2017-09-13", "2017-08-23", "2017-06-21", "2017-05-31"]
    );
    assert_eq!(
        records.len(),
        9,
        "its broken navigation still leads to the older pages"
    );
    assert_eq!(
        records[3]["summary"],
        find(&records, "Kuntajohtajakokous 31.5.2017")["summary"]
    );
    assert!(
        records[0]["summary"]
            .as_str()
            .unwrap()
            .starts_with("Kuntajohtajat ja virkamiesjohtoryhmä kokoontuivat")
    );
}

#[test]
fn a_detail_page_that_is_not_html_is_skipped_with_a_warning() {
    let server = TestServer::samples();
    server.route(
        "/muistiot/kuntajohtajakokous-25-1-2017/",
        Route::Fixed(
            200,
            vec![("content-type", "application/pdf".into())],
            b"%PDF-1.4".to_vec(),
        ),
    );
    let output = crawl_server(&server, &["/kuntajohtajakokous/page/3/"], &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    let records = records(&output.stdout);
    assert_eq!(records[0]["body"], Value::Null);
    assert_eq!(
        records[0]["warnings"][0],
        "body: the detail page is not HTML (application/pdf); not read"
    );
}

#[test]
fn ctrl_c_stops_the_crawl_and_leaves_only_whole_lines() {
    let server = TestServer::samples();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.jsonl");
    let mut child = util::harava()
        .args([
            "crawl",
            "--rate",
            "4",
            "-o",
            out.to_str().unwrap(),
            &server.url("/kuntajohtajakokous/"),
            &server.url("/strateginen-johtoryhma/"),
        ])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    while server.log().len() < 6 {
        std::thread::sleep(Duration::from_millis(50));
    }
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "harava did not stop after Ctrl-C"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert_eq!(status.code(), Some(130), "{err}");
    assert!(err.contains("interrupted"), "{err}");
    let written = records(&fs::read(&out).unwrap());
    assert!(
        !written.is_empty() && written.len() <= 19,
        "{}",
        written.len()
    );
    assert!(server.log().len() < 26, "fetching stopped");
}

#[test]
fn demo_serves_the_bundled_site_and_writes_19_records() {
    let dir = tempfile::tempdir().unwrap();
    let output = util::harava()
        .current_dir(dir.path())
        .arg("demo")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let written = records(&fs::read(dir.path().join("harava-demo.jsonl")).unwrap());
    assert_eq!(written.len(), 19);
    assert!(
        written
            .iter()
            .all(|r| r["body"].is_string() && r["warnings"] == serde_json::json!([]))
    );
    assert!(
        stderr(&output).contains("demo wrote 19 records to harava-demo.jsonl"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_detail_page_given_as_a_start_url_is_fetched_once_and_fills_its_entry() {
    let server = TestServer::samples();
    let detail = "/muistiot/kuntajohtajakokous-25-1-2017/";
    let output = crawl_server(&server, &[detail, "/kuntajohtajakokous/page/3/"], &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let records = records(&output.stdout);
    assert_eq!(records.len(), 1);
    assert!(
        records[0]["body"]
            .as_str()
            .unwrap()
            .starts_with("Kuntien johtohenkilöiden kokouksen asialistalla")
    );
    assert_eq!(records[0]["warnings"], serde_json::json!([]));
    assert_eq!(server.paths().iter().filter(|p| *p == detail).count(), 1);
}

#[test]
fn a_redirected_robots_txt_is_followed_and_obeyed() {
    let server = TestServer::samples();
    server
        .route(
            "/robots.txt",
            Route::Fixed(
                301,
                vec![("location", "/rules/robots.txt".into())],
                Vec::new(),
            ),
        )
        .route(
            "/rules/robots.txt",
            Route::Fixed(
                200,
                vec![],
                b"User-agent: *\nDisallow: /kuntajohtajakokous/page/\n".to_vec(),
            ),
        );
    let output = crawl_server(&server, &["/kuntajohtajakokous/"], &["--no-details"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        server.paths(),
        vec!["/robots.txt", "/rules/robots.txt", "/kuntajohtajakokous/"]
    );
    assert_eq!(records(&output.stdout).len(), 4);
}

#[test]
fn a_failing_robots_txt_keeps_the_crawler_out_and_says_so() {
    let server = TestServer::samples();
    server.route("/robots.txt", Route::status(503));
    let output = crawl(&[
        "--rate",
        "0",
        "--retries",
        "0",
        &server.url("/kuntajohtajakokous/"),
    ]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert_eq!(
        server.paths(),
        vec!["/robots.txt"],
        "nothing else is fetched"
    );
    let err = stderr(&output);
    assert!(err.contains("robots.txt answered HTTP 503, which RFC 9309 reads as \"disallow everything\" for now; try again later"), "{err}");
    assert!(err.contains("no records were written"), "{err}");
    assert!(output.stdout.is_empty());
}

#[test]
fn a_scheduled_crawl_with_a_state_file_writes_only_news() {
    let server = TestServer::samples();
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.jsonl");
    let first = crawl_server(
        &server,
        &["/kuntajohtajakokous/"],
        &["--state", state.to_str().unwrap()],
    );
    assert_eq!(records(&first.stdout).len(), 9);
    // --full: every listing page, not only the first one of known meetings.
    let second = crawl_server(
        &server,
        &["/kuntajohtajakokous/"],
        &["--state", state.to_str().unwrap(), "--full"],
    );
    assert_eq!(second.status.code(), Some(0), "{}", stderr(&second));
    assert!(second.stdout.is_empty());
    let err = stderr(&second);
    assert!(
        err.contains("0 records written (9 more unchanged since the last run)"),
        "{err}"
    );
    assert!(!err.contains("no records were written"), "{err}");
}
