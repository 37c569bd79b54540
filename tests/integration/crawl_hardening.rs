//! Crawl-engine hardening: `--state` across listing pages, detail pages reached
//! through redirects, and parsing that never holds up the fetches.

use std::process::Output;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use serde_json::Value;

use crate::util::{Route, TestServer, crawl, records, samples, spawn_server, stderr};

const FAST: &[&str] = &["--rate", "0", "--retries", "0", "--timeout", "5"];

/// A small site's profile: one `<article>` per meeting; detail pages are
/// `body.single`.
const PROFILE: &str = r#"name = "pieni"
[listing]
entry = "article"
posted = ".posted-on"
title = ".entry-title"
summary = ".entry-content"
detail_link = ".entry-title a[href]"
[listing.next_page]
text = ["Vanhemmat"]
[detail]
page = "body.single"
body = ".entry-content"
"#;

/// One meeting on a listing: post date, title, and its detail page if it has one.
type Meeting = (&'static str, &'static str, Option<&'static str>);

fn listing_page(meetings: &[Meeting], next: Option<&str>) -> Route {
    let mut html = String::from("<html><body><main>");
    for (posted, title, detail) in meetings {
        let title = match detail {
            Some(href) => format!("<a href=\"{href}\">{title}</a>"),
            None => title.to_string(),
        };
        html.push_str(&format!(
            "<article><span class=\"posted-on\">{posted}</span><h2 class=\"entry-title\">{title}</h2><div class=\"entry-content\"><p>Muistio: {posted}.</p></div></article>"
        ));
    }
    if let Some(next) = next {
        html.push_str(&format!("<a href=\"{next}\">Vanhemmat</a>"));
    }
    html.push_str("</main></body></html>");
    Route::html(&html)
}

fn detail_page(text: &str) -> Route {
    Route::html(&format!(
        "<html><body class=\"single\"><article><div class=\"entry-content\"><p>{text}</p></div></article></body></html>"
    ))
}

fn crawl_with(dir: &tempfile::TempDir, extra: &[&str], start: &str) -> Output {
    let profile = dir.path().join("pieni.toml");
    std::fs::write(&profile, PROFILE).unwrap();
    let mut args: Vec<&str> = FAST.to_vec();
    args.extend_from_slice(&["--profile", profile.to_str().unwrap()]);
    args.extend_from_slice(extra);
    args.push(start);
    crawl(&args)
}

/// The records' titles in order; a record waiting for its detail page goes out
/// after the others.
fn titles(records: &[Value]) -> Vec<&str> {
    let mut titles: Vec<&str> = records
        .iter()
        .map(|r| r["title"].as_str().unwrap())
        .collect();
    titles.sort();
    titles
}

/// Issue #8, item 1: a new post moves older meetings to the listing's next page;
/// neither the ids nor the state's hashes may notice.
#[test]
fn a_meeting_pushed_to_the_next_page_by_a_new_post_is_not_news() {
    const B: Meeting = ("2.2.2019", "Hallitus 2.2.2019", Some("/kokoukset/b/"));
    const A: Meeting = ("1.2.2019", "Valtuusto 1.2.2019", None);
    const Z: Meeting = ("5.1.2019", "Valtuusto 5.1.2019", None);
    const C: Meeting = ("3.2.2019", "Valtuusto 3.2.2019", None);
    let server = TestServer::empty();
    server
        .route(
            "/kokoukset/",
            Route::Sequence(vec![
                listing_page(&[B, A], Some("/kokoukset/page/2/")),
                listing_page(&[C], Some("/kokoukset/page/2/")),
            ]),
        )
        .route(
            "/kokoukset/page/2/",
            Route::Sequence(vec![
                listing_page(&[Z], None),
                listing_page(&[B, A, Z], None),
            ]),
        )
        .route("/kokoukset/b/", detail_page("Hallitus kokoontui."));
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.jsonl");
    let state_args = ["--state", state.to_str().unwrap()];
    let start = server.url("/kokoukset/");

    let first = crawl_with(&dir, &state_args, &start);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let first = records(&first.stdout);
    assert_eq!(
        titles(&first),
        [
            "Hallitus 2.2.2019",
            "Valtuusto 1.2.2019",
            "Valtuusto 5.1.2019"
        ]
    );
    let with_detail = first
        .iter()
        .find(|r| r["title"] == "Hallitus 2.2.2019")
        .unwrap();
    assert_eq!(with_detail["body"], "Hallitus kokoontui.");

    let second = crawl_with(&dir, &state_args, &start);
    assert_eq!(second.status.code(), Some(0), "{}", stderr(&second));
    let second = records(&second.stdout);
    assert_eq!(
        titles(&second),
        ["Valtuusto 3.2.2019"],
        "only the new meeting is news"
    );
    assert_eq!(second[0]["source_url"], start);
    assert_eq!(crate::util::state_meetings(&state), 4);

    // The moved meeting keeps its id: the id of a meeting without a detail page
    // names its site, post date and title, not its listing page.
    let without_state = crawl_with(&dir, &[], &start);
    let all = records(&without_state.stdout);
    for title in ["Valtuusto 1.2.2019", "Hallitus 2.2.2019"] {
        let moved = all.iter().find(|r| r["title"] == title).unwrap();
        assert_eq!(moved["source_url"], server.url("/kokoukset/page/2/"));
        let before = first.iter().find(|r| r["title"] == title).unwrap();
        assert_eq!(moved["id"], before["id"], "{title}");
        assert_eq!(before["source_url"], start);
    }
}

/// Issue #8, item 4: a detail page reached through a redirect also settles the
/// URL it redirected to, so a later entry that links that URL directly gets the
/// body instead of waiting for a fetch that never comes.
#[test]
fn a_redirect_target_linked_directly_later_gets_its_body() {
    let server = TestServer::samples();
    server.route(
        "/muistiot/kuntajohtajakokous-13-9-2017/",
        Route::redirect("/muistiot/kuntajohtajakokous-25-1-2017/"),
    );
    // One fetch at a time: the redirect on listing page 1 is followed before
    // page 3, whose entry links the target, is read.
    let mut args: Vec<&str> = FAST.to_vec();
    let start = server.url("/kuntajohtajakokous/");
    args.extend_from_slice(&["--concurrency", "1", &start]);
    let output = crawl(&args);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let crawled = records(&output.stdout);
    assert_eq!(crawled.len(), 9);
    let body_of = |title: &str| {
        let record = crawled.iter().find(|r| r["title"] == title).unwrap();
        assert_eq!(record["warnings"], serde_json::json!([]), "{record}");
        record["body"].as_str().unwrap().to_string()
    };
    let target = body_of("Kuntajohtajakokous 25.1.2017");
    assert!(
        target.starts_with("Kuntien johtohenkilöiden kokouksen asialistalla"),
        "{target}"
    );
    assert_eq!(body_of("Kuntajohtajakokous 13.9.2017"), target);
    let paths = server.paths();
    let fetches = |path: &str| paths.iter().filter(|p| *p == path).count();
    assert_eq!(fetches("/muistiot/kuntajohtajakokous-13-9-2017/"), 1);
    assert_eq!(fetches("/muistiot/kuntajohtajakokous-25-1-2017/"), 1);
}

/// The sample site, plus a listing page that takes long to read (`/iso/`, ten
/// thousand entries, whose "older posts" link `/iso/page/2/` is requested only
/// once it has been read), with `/kuntajohtajakokous/` answered after `delay`.
#[derive(Clone)]
struct SlowToRead {
    log: Arc<Mutex<Vec<String>>>,
    big: Arc<String>,
    delay: Duration,
}

async fn slow_to_read(State(state): State<SlowToRead>, request: Request) -> Response {
    let path = request.uri().path().to_string();
    state.log.lock().unwrap().push(path.clone());
    let html = match path.as_str() {
        "/iso/" => state.big.to_string(),
        "/iso/page/2/" => big_listing(10_000..10_001, None),
        _ => {
            if path == "/kuntajohtajakokous/" {
                tokio::time::sleep(state.delay).await;
            }
            let file = samples()
                .join(path.trim_start_matches('/'))
                .join("index.html");
            match std::fs::read_to_string(file) {
                Ok(html) => html,
                Err(_) => {
                    let mut response = Response::new(Body::empty());
                    *response.status_mut() = StatusCode::NOT_FOUND;
                    return response;
                }
            }
        }
    };
    let mut response = Response::new(Body::from(html));
    response.headers_mut().insert(
        "content-type",
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    response
}

/// A listing in the sample site's markup of the notices numbered `entries`,
/// without detail pages.
fn big_listing(entries: std::ops::Range<usize>, next: Option<&str>) -> String {
    let mut html = String::from(
        "<html><head><link rel=\"stylesheet\" href=\"/wp-content/themes/uusimaa2019/style.css\"></head><body><main>",
    );
    for n in entries {
        html.push_str(&format!(
            "<article class=\"type-post\"><span class=\"posted-on\">1.2.2019</span><h2 class=\"entry-title\">Tiedote {n}</h2><div class=\"entry-content\"><p>{}</p></div></article>\n",
            "Tiedotteen teksti kokouksista ja päätöksistä. ".repeat(10)
        ));
    }
    if let Some(next) = next {
        html.push_str(&format!(
            "<nav class=\"posts-navigation\"><a href=\"{next}\">Vanhemmat</a></nav>"
        ));
    }
    html.push_str("</main></body></html>");
    html
}

/// Issue #8, item 22: a page that takes long to read is read off the async
/// runtime, so the other pages go on being fetched meanwhile. `/iso/` is read
/// first; the Kuntajohtajakokous listing arrives while it is being read, and its
/// whole chain (two more listing pages, nine detail pages) is fetched before
/// `/iso/` is done, which the request for its next page marks.
#[test]
fn a_page_slow_to_read_does_not_hold_up_the_other_fetches() {
    let state = SlowToRead {
        log: Arc::new(Mutex::new(Vec::new())),
        big: Arc::new(big_listing(0..10_000, Some("/iso/page/2/"))),
        delay: Duration::from_millis(300),
    };
    let (address, _runtime) = spawn_server(
        axum::Router::new()
            .fallback(slow_to_read)
            .with_state(state.clone()),
    );
    let mut args: Vec<&str> = FAST.to_vec();
    let big = format!("http://{address}/iso/");
    let kjk = format!("http://{address}/kuntajohtajakokous/");
    args.extend_from_slice(&["--concurrency", "2", &big, &kjk]);
    let output = crawl(&args);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(records(&output.stdout).len(), 10_000 + 1 + 9);
    let log = state.log.lock().unwrap().clone();
    let read_at = log.iter().position(|p| p == "/iso/page/2/").unwrap();
    let chain: Vec<&String> = log
        .iter()
        .filter(|p| p.starts_with("/kuntajohtajakokous/") || p.starts_with("/muistiot/"))
        .collect();
    assert_eq!(chain.len(), 3 + 9, "{log:?}");
    let before: Vec<&String> = log[..read_at]
        .iter()
        .filter(|p| p.starts_with("/kuntajohtajakokous/") || p.starts_with("/muistiot/"))
        .collect();
    assert_eq!(before, chain, "fetched while /iso/ was read: {log:?}");
}

/// Issue #8, item 22: a page nested past the parser's depth cap fails alone,
/// quickly, with the reason; the rest of the crawl goes on.
#[test]
fn a_page_nested_too_deep_fails_alone_in_a_crawl() {
    let server = TestServer::samples();
    // Its canonical link names another page: the message names the one fetched.
    server.route(
        "/syva/",
        Route::html(&format!(
            r#"<html><head><link rel="canonical" href="https://www.uusimaa2019.fi/kuntajohtajakokous/"></head><body>{}"#,
            "<div>".repeat(5_000)
        )),
    );
    // Served as HTML, but binary: it fails as extract fails such a file.
    server.route(
        "/binaari/",
        Route::html(&format!("<html>\0\0{}", "\u{1}".repeat(100))),
    );
    // UTF-16 without a byte-order mark, said so in the header: zero bytes, no binary.
    let utf16: Vec<u8> = "<html><body><p>Kokous</p></body></html>"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    server.route(
        "/utf16/",
        Route::Fixed(
            200,
            vec![(
                "content-type",
                "text/html; charset=\"UTF-16LE\"".to_string(),
            )],
            utf16,
        ),
    );
    let mut args: Vec<&str> = FAST.to_vec();
    let deep = server.url("/syva/");
    let binary = server.url("/binaari/");
    let wide = server.url("/utf16/");
    let listing = server.url("/kuntajohtajakokous/");
    args.extend_from_slice(&[&deep, &binary, &wide, &listing]);
    let output = crawl(&args);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let message = stderr(&output);
    assert!(
        message.contains(&format!("{deep}: its elements nest more than 512 deep")),
        "{message}"
    );
    assert!(
        message.contains(&format!(
            "{binary}: not an HTML page, though the server says so (it holds binary data)"
        )),
        "{message}"
    );
    assert!(
        !message.contains(&format!("{wide}: not an HTML page")),
        "{message}"
    );
    assert_eq!(records(&output.stdout).len(), 9, "the listing's meetings");
}
