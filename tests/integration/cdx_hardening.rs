//! Archive hardening: CDX discovery paging the way the Internet Archive pages,
//! with a size cap of its own, patterns without a scheme, bounds on an index that
//! never ends, discovered detail pages read as such, and replayed redirects
//! followed by `extract` as by `crawl`.

use std::process::{Child, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::response::Response;
use serde_json::{Value, json};

use crate::archive::{
    Captured, Emulator, OLD, SITE, assert_same_meetings_as_samples, crawl_archive,
};
use crate::util::{Route, TestServer, harava, records, samples, spawn_server, stderr};

const CDX_HEADER: [&str; 7] = [
    "urlkey",
    "timestamp",
    "original",
    "mimetype",
    "statuscode",
    "digest",
    "length",
];

fn cdx_requests(archive: &Emulator) -> Vec<String> {
    archive
        .log()
        .into_iter()
        .map(|(_, p)| p)
        .filter(|p| p.starts_with("/cdx/"))
        .collect()
}

/// Items 2 and 18: every index query asks for a page (`limit`) and a resume key,
/// as the Internet Archive sends none without a limit; a pattern without a scheme
/// goes to the index as given.
#[test]
fn cdx_queries_page_with_a_limit_and_take_patterns_without_a_scheme() {
    let archive = Emulator::new(&[OLD], None);
    let output = crawl_archive(&["--cdx", &archive.address_url(), "www.uusimaa2019.fi/*"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_same_meetings_as_samples(&records(&output.stdout));
    let queries = cdx_requests(&archive);
    // 26 pages captured at one time, five rows a page.
    assert_eq!(queries.len(), 6, "{queries:?}");
    for (n, query) in queries.iter().enumerate() {
        let mut expected = "/cdx/search/cdx?url=www.uusimaa2019.fi%2F*&output=json&filter=statuscode%3A200&collapse=digest&limit=10000&showResumeKey=true".to_string();
        if n > 0 {
            expected.push_str(&format!("&resumeKey={}", n * 5));
        }
        assert_eq!(query, &expected);
    }
}

/// Item 2: an index listing is not a page; `--max-bytes` does not cap it.
#[test]
fn a_cdx_answer_larger_than_max_bytes_is_read() {
    let server = TestServer::empty();
    let page = format!("{SITE}/kuntajohtajakokous/page/3/");
    let mut table = vec![json!(CDX_HEADER)];
    table.push(json!(["k", OLD, page, "text/html", "200", "D", "5273"]));
    for n in 0..500 {
        table.push(json!([
            "k",
            OLD,
            format!("{SITE}/wp-content/uploads/2017/{n}.pdf"),
            "application/pdf",
            "200",
            format!("D{n}"),
            "88211"
        ]));
    }
    let body = serde_json::to_vec(&table).unwrap();
    assert!(body.len() > 40_000);
    let query = "/cdx/search/cdx?url=https%3A%2F%2Fwww.uusimaa2019.fi%2Fkuntajohtajakokous%2Fpage%2F3%2F&output=json&filter=statuscode%3A200&collapse=digest";
    let answer = Route::Fixed(200, vec![("content-type", "application/json".into())], body);
    server
        .route(&format!("{query}&showResumeKey=true"), answer.clone())
        .route(&format!("{query}&limit=10000&showResumeKey=true"), answer)
        .route(
            &format!("/web/{OLD}id_/{page}"),
            Route::html(
                &std::fs::read_to_string(samples().join("kuntajohtajakokous/page/3/index.html"))
                    .unwrap(),
            ),
        );
    let output = crawl_archive(&[
        "--max-bytes",
        "20000",
        "--no-details",
        "--cdx",
        &server.url("/"),
        &page,
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let crawled = records(&output.stdout);
    assert_eq!(crawled.len(), 1);
    assert_eq!(crawled[0]["title"], "Kuntajohtajakokous 25.1.2017");
    assert_eq!(
        crawled[0]["archive_url"],
        server.url(&format!("/web/{OLD}id_/{page}"))
    );
}

/// An index that hands out a new resume key on every page: with `rows`, one new
/// listing capture a page, else none. Every capture is the sample's last
/// Kuntajohtajakokous page. Answers take `delay`.
struct EndlessIndex {
    queries: Arc<AtomicUsize>,
    address: String,
    _runtime: tokio::runtime::Runtime,
}

#[derive(Clone)]
struct Endless {
    queries: Arc<AtomicUsize>,
    rows: bool,
    delay: Duration,
    page: String,
}

impl EndlessIndex {
    fn start(rows: bool, delay: Duration) -> EndlessIndex {
        let queries = Arc::new(AtomicUsize::new(0));
        let state = Endless {
            queries: queries.clone(),
            rows,
            delay,
            page: std::fs::read_to_string(samples().join("kuntajohtajakokous/page/3/index.html"))
                .unwrap(),
        };
        let (address, runtime) =
            spawn_server(axum::Router::new().fallback(endless).with_state(state));
        EndlessIndex {
            queries,
            address: format!("http://{address}"),
            _runtime: runtime,
        }
    }
}

async fn endless(State(state): State<Endless>, request: Request) -> Response {
    let path = request.uri().path().to_string();
    let body = if path == "/cdx/search/cdx" {
        let n = state.queries.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(state.delay).await;
        let mut table = vec![json!(CDX_HEADER)];
        if state.rows {
            table.push(json!([
                format!("fi,uusimaa2019)/kokous-{n:06}"),
                OLD,
                format!("{SITE}/kokous-{n:06}/"),
                "text/html",
                "200",
                format!("D{n}"),
                "5273"
            ]));
        }
        table.push(json!([]));
        table.push(json!([format!("key-{}", n + 1)]));
        serde_json::to_string(&table).unwrap()
    } else if path.starts_with("/web/") {
        state.page.clone()
    } else {
        return axum::http::Response::builder()
            .status(404)
            .body(axum::body::Body::empty())
            .unwrap();
    };
    let mut response = Response::new(axum::body::Body::from(body));
    response
        .headers_mut()
        .insert("content-type", HeaderValue::from_static("text/html"));
    response
}

/// Waits for harava, killing it (and failing) if it runs past `limit`.
fn finish_within(mut child: Child, limit: Duration) -> Output {
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > limit {
            child.kill().unwrap();
            panic!("harava was still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

fn crawl_endless(index: &EndlessIndex, extra: &[&str]) -> Output {
    let mut args = vec![
        "crawl",
        "--rate",
        "0",
        "--archive-rate",
        "0",
        "--cdx-rate",
        "0",
        "--retries",
        "0",
        "--no-details",
        "--cdx",
        &index.address,
    ];
    args.extend_from_slice(extra);
    args.push("www.uusimaa2019.fi/*");
    let child = harava()
        .args(&args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    finish_within(child, Duration::from_secs(60))
}

/// Item 24: `--max-pages` bounds discovery too; the crawl goes on with what was
/// listed, and each meeting is written once.
#[test]
fn an_endless_index_stops_at_max_pages() {
    let index = EndlessIndex::start(true, Duration::ZERO);
    let output = crawl_endless(&index, &["--max-pages", "3"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(index.queries.load(Ordering::SeqCst), 4);
    let err = stderr(&output);
    assert!(
        err.contains("CDX discovery was cut short: it listed more captures than --max-pages 3 lets the crawl fetch; crawling the 3 captures listed so far"),
        "{err}"
    );
    let crawled: Vec<Value> = records(&output.stdout);
    assert_eq!(crawled.len(), 1, "the one meeting of three captures, once");
    assert_eq!(crawled[0]["title"], "Kuntajohtajakokous 25.1.2017");
}

/// Item 24: an index of empty pages with new resume keys stops at
/// `--cdx-max-queries`, and one that answers slowly at `--cdx-time-limit`.
#[test]
fn an_endless_index_stops_at_the_query_and_time_limits() {
    let index = EndlessIndex::start(false, Duration::ZERO);
    let output = crawl_endless(&index, &["--cdx-max-queries", "25"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_eq!(index.queries.load(Ordering::SeqCst), 25);
    let err = stderr(&output);
    assert!(
        err.contains("CDX discovery was cut short: it made 25 index queries (--cdx-max-queries); crawling the 0 captures listed so far"),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "harava: CDX discovery at {}/: the index listed no HTML captures with status 200 before discovery was cut short (it made 25 index queries (--cdx-max-queries))",
            index.address
        )),
        "{err}"
    );

    let slow = EndlessIndex::start(false, Duration::from_millis(300));
    let started = Instant::now();
    let output = crawl_endless(&slow, &["--cdx-time-limit", "1"]);
    let took = started.elapsed();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(took < Duration::from_secs(10), "{took:?}");
    let queries = slow.queries.load(Ordering::SeqCst);
    assert!((3..=5).contains(&queries), "{queries} queries in about 1 s");
    let err = stderr(&output);
    assert!(
        err.contains("CDX discovery was cut short: it ran for 1 s (--cdx-time-limit)"),
        "{err}"
    );
}

/// Item 10: discovery lists detail pages as well as listings. With a profile that
/// has no `detail.page` to tell them apart, a detail capture must still be read
/// as the detail page an entry links to, never as a listing of one entry: the
/// records equal those of the bundled profile, which has one.
#[test]
fn discovered_detail_pages_are_read_as_such_without_a_detail_page_selector() {
    let bundled =
        std::fs::read_to_string(crate::util::root().join("selectors/uusimaa2019.toml")).unwrap();
    let without = bundled.replace("page = \"body.single-post\"\n", "");
    assert_ne!(without, bundled);
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("ilman-detail-page.toml");
    std::fs::write(&profile, without).unwrap();
    let archive = crate::archive::Emulator::new(&[OLD, crate::archive::NEW], None);
    let pattern = format!("{SITE}/*");
    let archive_url = archive.address_url();
    for extra in [&[][..], &["--all-captures"][..]] {
        let run = |profile_args: &[&str]| {
            let mut args = vec!["--cdx", archive_url.as_str()];
            args.extend_from_slice(extra);
            args.extend_from_slice(profile_args);
            args.push(&pattern);
            let output = crawl_archive(&args);
            assert_eq!(
                output.status.code(),
                Some(0),
                "{extra:?}: {}",
                stderr(&output)
            );
            crate::util::lines_but_fetched_at(&output.stdout)
        };
        let expected = run(&[]);
        assert_eq!(expected.len(), 20, "{extra:?}");
        assert_eq!(
            run(&["--profile", profile.to_str().unwrap()]),
            expected,
            "{extra:?}"
        );
    }
}

/// Item 10: a rewritten-mode crawl whose detail link leads to the archive's
/// "Got an HTTP 302 response at crawl time" notice follows it, and `extract` of
/// the crawl's WARC follows the notice too: the round trip gives the crawl's
/// records byte for byte but for `fetched_at`.
#[test]
fn a_rewritten_crawl_through_a_replayed_redirect_reads_back_from_its_warc() {
    let moved = format!("{SITE}/muistiot/kuntajohtajakokous-25-1-2017/");
    let target = format!("{SITE}/muistiot/uusi-osoite/");
    let archive = Emulator::edited(&[OLD], None, |captures| {
        let page = captures[&moved][OLD].clone();
        captures
            .get_mut(&moved)
            .unwrap()
            .insert(OLD.into(), Captured::Redirect(target.clone()));
        captures
            .entry(target.clone())
            .or_default()
            .insert(OLD.into(), page);
    });
    let dir = tempfile::tempdir().unwrap();
    let warc = dir.path().join("rewritten.warc.gz");
    let output = crawl_archive(&[
        "--archive-mode",
        "rewritten",
        "--warc",
        warc.to_str().unwrap(),
        &archive.url(&format!("/web/{OLD}/{SITE}/kuntajohtajakokous/")),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let crawled = records(&output.stdout);
    assert_eq!(crawled.len(), 9);
    let record = crawled
        .iter()
        .find(|r| r["title"] == "Kuntajohtajakokous 25.1.2017")
        .unwrap();
    assert_eq!(record["warnings"], json!([]), "{record}");
    assert!(
        record["body"]
            .as_str()
            .unwrap()
            .starts_with("Kuntien johtohenkilöiden kokouksen asialistalla"),
        "{record}"
    );
    let paths: Vec<String> = archive.log().into_iter().map(|(_, p)| p).collect();
    assert!(
        paths.contains(&format!("/web/{OLD}/{target}")),
        "the notice was followed: {paths:?}"
    );

    let extracted = crate::util::run(&["extract", warc.to_str().unwrap()]);
    assert_eq!(extracted.status.code(), Some(0), "{}", stderr(&extracted));
    assert_eq!(
        crate::util::lines_but_fetched_at(&extracted.stdout),
        crate::util::lines_but_fetched_at(&output.stdout)
    );
}

/// A CDX crawl with a state stopped by a signal while the captures the index
/// listed still wait in the queue leaves them, and the entries that wait on
/// them, to the run that continues it: every meeting is written once, whole.
#[test]
fn captures_a_stopped_cdx_crawl_left_queued_are_read_by_the_run_that_continues_it() {
    let archive = Emulator::new(&[OLD], None);
    // The third listing page hangs once the first two are read: the detail
    // pages their entries wait for are queued after it.
    let hanging = format!("{SITE}/kuntajohtajakokous/page/3/");
    archive.answer(&hanging, Route::Hang);
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("harava.state");
    let out = dir.path().join("out.jsonl");
    let args = |archive_rate: &'static str| -> Vec<String> {
        [
            "crawl",
            "--state",
            state.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "--rate",
            "0",
            "--cdx-rate",
            "0",
            "--archive-rate",
            archive_rate,
            "--retries",
            "0",
            "--timeout",
            "10",
            "--cdx",
            &archive.address_url(),
            "www.uusimaa2019.fi/*",
        ]
        .map(String::from)
        .to_vec()
    };
    // Slow enough that the queue is still full when the signal comes.
    let child = harava()
        .args(args("4"))
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !archive
        .log()
        .iter()
        .any(|(_, path)| path.ends_with(&hanging))
    {
        assert!(
            Instant::now() < deadline,
            "the hanging page was not asked for"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    let sent = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let stopped = child.wait_with_output().unwrap();
    assert_eq!(stopped.status.code(), Some(130), "{}", stderr(&stopped));
    let first = records(&std::fs::read(&out).unwrap());
    let without_body: Vec<&Value> = first
        .iter()
        .filter(|r| r["body"].is_null())
        .map(|r| &r["title"])
        .collect();
    assert_eq!(without_body, Vec::<&Value>::new(), "written without a body");
    let asked_before = archive.log().len();
    let unread = stderr(&stopped);
    assert!(
        unread.contains(" pages left unread (--max-pages, or the crawl stopped); interrupted"),
        "captures were left queued: {unread}"
    );

    archive.forget_answer(&hanging);
    let resumed = harava().args(args("0")).output().unwrap();
    assert_eq!(resumed.status.code(), Some(0), "{}", stderr(&resumed));
    assert!(archive.log().len() > asked_before);
    let mut all = first;
    all.extend(
        records(&std::fs::read(&out).unwrap())
            .into_iter()
            .skip(all.len()),
    );
    assert_same_meetings_as_samples(&all);
}
