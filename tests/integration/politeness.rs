//! Politeness and transport: robots.txt across hosts and outages, budgets per
//! host, Crawl-delay without burst, bodies the crawl skips, URLs that cannot be
//! requested, broken redirects, and the accepted range of every numeric flag.

use std::fs;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::util::{Route, TestServer, crawl, records, run, samples, stderr};

const FAST: &[&str] = &["--rate", "0", "--retries", "1", "--timeout", "5"];

fn crawl_fast(start: &[String], extra: &[&str]) -> std::process::Output {
    let mut args: Vec<&str> = FAST.to_vec();
    args.extend_from_slice(extra);
    args.extend(start.iter().map(String::as_str));
    crawl(&args)
}

fn stats_of(path: &std::path::Path) -> Value {
    serde_json::from_slice(&fs::read(path).unwrap()).unwrap()
}

fn listing(path: &str) -> String {
    fs::read_to_string(
        samples()
            .join(path.trim_start_matches('/'))
            .join("index.html"),
    )
    .unwrap()
}

/// The span from the first to the last of `times`.
fn span(times: &[Instant]) -> Duration {
    *times.last().unwrap() - times[0]
}

#[test]
fn a_robots_txt_redirected_to_another_host_is_followed_and_obeyed() {
    let site = TestServer::samples();
    let rules = TestServer::empty();
    rules.route(
        "/robots.txt",
        Route::Fixed(
            200,
            vec![("content-type", "text/plain".into())],
            b"User-agent: *\nDisallow: /kuntajohtajakokous/page/\n".to_vec(),
        ),
    );
    site.route(
        "/robots.txt",
        Route::Fixed(
            301,
            vec![("location", rules.url("/robots.txt"))],
            Vec::new(),
        ),
    );
    let output = crawl_fast(&[site.url("/kuntajohtajakokous/")], &["--no-details"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(site.paths(), vec!["/robots.txt", "/kuntajohtajakokous/"]);
    assert_eq!(rules.paths(), vec!["/robots.txt"]);
    assert_eq!(
        records(&output.stdout).len(),
        4,
        "the first page, not the disallowed older ones"
    );
}

#[test]
fn robots_txt_requests_keep_to_the_host_budget() {
    // A's robots.txt lives on B, which is crawled too: B's requests for both
    // robots.txt and pages share B's one budget of 2 a second.
    let a = TestServer::samples();
    let b = TestServer::samples();
    a.route(
        "/robots.txt",
        Route::Fixed(302, vec![("location", b.url("/robots.txt"))], Vec::new()),
    );
    let output = crawl(&[
        "--rate",
        "2",
        "--concurrency",
        "4",
        "--no-details",
        &a.url("/kuntajohtajakokous/"),
        &b.url("/kuntajohtajakokous/"),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let log = b.log();
    let paths: Vec<&str> = log.iter().map(|l| l.path.as_str()).collect();
    assert_eq!(
        paths.iter().filter(|p| **p == "/robots.txt").count(),
        2,
        "once for A, once for B: {paths:?}"
    );
    assert_eq!(log.len(), 2 + 3, "{paths:?}");
    let times: Vec<Instant> = log.iter().map(|l| l.at).collect();
    // 500 ms apart; the server's clock sees each request a little early or
    // late, so the span is what is measured.
    assert!(
        span(&times) >= Duration::from_millis(490) * (times.len() as u32 - 1),
        "{paths:?} in {:?}",
        span(&times)
    );
}

#[test]
fn a_robots_txt_outage_fails_the_pages_and_the_run() {
    // status, Retry-After, what the message says about it
    let cases = [
        (503, None, "answered HTTP 503"),
        (429, Some("1"), "answered HTTP 429 (too many requests)"),
    ];
    for (status, retry_after, said) in cases {
        let server = TestServer::samples();
        let headers = retry_after
            .map(|r| vec![("retry-after", r.to_string())])
            .unwrap_or_default();
        server.route("/robots.txt", Route::Fixed(status, headers, Vec::new()));
        let dir = tempfile::tempdir().unwrap();
        let stats = dir.path().join("stats.json");
        let start = server.url("/kuntajohtajakokous/");
        let output = crawl(&[
            "--rate",
            "0",
            "--retries",
            "0",
            "--stats",
            stats.to_str().unwrap(),
            &start,
        ]);
        assert_eq!(
            output.status.code(),
            Some(3),
            "{status}: {}",
            stderr(&output)
        );
        assert_eq!(server.paths(), vec!["/robots.txt"], "{status}");
        let expected = format!(
            "{start}: not fetched, robots.txt was unavailable: {} {said}, which RFC 9309 reads as \"disallow everything\" for now; try again later",
            server.url("/robots.txt")
        );
        assert!(
            stderr(&output).contains(&expected),
            "{status}: {}",
            stderr(&output)
        );
        let stats = stats_of(&stats);
        assert_eq!(stats["pages_failed"], 1, "{status}");
        assert_eq!(stats["skipped_robots"], 0, "{status}");
        assert_eq!(stats["failures"][0]["url"], start.as_str());
        assert_eq!(stats["failures"][0]["error"], expected.as_str());
    }
}

#[test]
fn an_unreachable_robots_txt_says_so() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let start = format!("http://{address}/kuntajohtajakokous/");
    let output = crawl(&["--rate", "0", "--retries", "0", &start]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(
        err.contains(&format!(
            "{start}: not fetched, robots.txt was unavailable: http://{address}/robots.txt could not be fetched ("
        )),
        "{err}"
    );
    assert!(
        err.contains("RFC 9309 reads as \"disallow everything\""),
        "{err}"
    );
}

#[test]
fn a_burst_does_not_apply_on_top_of_a_crawl_delay() {
    let server = TestServer::samples();
    server.route(
        "/robots.txt",
        Route::Fixed(200, vec![], b"User-agent: *\nCrawl-delay: 1\n".to_vec()),
    );
    let output = crawl(&[
        "--rate",
        "100",
        "--burst",
        "5",
        "--no-details",
        &server.url("/kuntajohtajakokous/"),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let log = server.log();
    assert_eq!(log.len(), 4, "robots.txt and three listing pages");
    let times: Vec<Instant> = log.iter().map(|l| l.at).collect();
    assert!(
        span(&times) >= Duration::from_millis(2950),
        "three pages, each a second after the one before: {:?}",
        span(&times)
    );
}

#[test]
fn a_page_that_is_not_html_is_skipped_without_reading_its_body() {
    let server = TestServer::samples();
    // Larger than --max-bytes: reading it would fail the page.
    let pdf = [b"%PDF-1.4\n".as_slice(), &[b'x'; 50_000]].concat();
    server.route(
        "/muistiot/kuntajohtajakokous-25-1-2017/",
        Route::Fixed(200, vec![("content-type", "application/pdf".into())], pdf),
    );
    let dir = tempfile::tempdir().unwrap();
    let stats = dir.path().join("stats.json");
    let output = crawl_fast(
        &[server.url("/kuntajohtajakokous/page/3/")],
        &["--max-bytes", "10000", "--stats", stats.to_str().unwrap()],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let records = records(&output.stdout);
    assert_eq!(records[0]["body"], Value::Null);
    assert_eq!(
        records[0]["warnings"][0],
        "body: the detail page is not HTML (application/pdf); not read"
    );
    let stats = stats_of(&stats);
    assert_eq!(stats["skipped_not_html"], 1);
    assert_eq!(stats["pages_failed"], 0);
}

#[test]
fn a_timeout_is_reported_with_its_fractional_seconds() {
    let server = TestServer::samples();
    server.route("/muistiot/kuntajohtajakokous-23-8-2017/", Route::Hang);
    let output = crawl(&[
        "--rate",
        "0",
        "--retries",
        "0",
        "--timeout",
        "0.5",
        &server.url("/kuntajohtajakokous/"),
    ]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(
        err.contains(&format!(
            "{}: no complete response within 0.5 s (raise --timeout for slow sites)",
            server.url("/muistiot/kuntajohtajakokous-23-8-2017/")
        )),
        "{err}"
    );
}

#[test]
fn a_link_that_cannot_be_a_request_fails_once_without_retries() {
    let server = TestServer::samples();
    let long_path = format!("/kuntajohtajakokous/page/{}/", "9".repeat(100_000));
    server.route(
        "/kuntajohtajakokous/",
        Route::html(&listing("/kuntajohtajakokous/").replace(
            "href=\"/kuntajohtajakokous/page/2/\"",
            &format!("href=\"{long_path}\""),
        )),
    );
    let dir = tempfile::tempdir().unwrap();
    let stats = dir.path().join("stats.json");
    let output = crawl(&[
        "--rate",
        "0",
        "--retries",
        "3",
        "--no-details",
        "--stats",
        stats.to_str().unwrap(),
        &server.url("/kuntajohtajakokous/"),
    ]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert_eq!(server.paths(), vec!["/robots.txt", "/kuntajohtajakokous/"]);
    let stats = stats_of(&stats);
    assert_eq!(stats["retries"], 0);
    assert_eq!(stats["pages_failed"], 1);
    let error = stats["failures"][0]["error"].as_str().unwrap();
    let link = server.url(&long_path);
    assert_eq!(
        error,
        format!(
            "{}…: cannot be requested (uri too long; {} characters); the link is malformed, so it was not fetched",
            &link[..200],
            link.len()
        )
    );
    assert!(stderr(&output).len() < 2_000, "{}", stderr(&output).len());
}

#[test]
fn a_start_url_that_cannot_be_a_request_is_a_usage_error() {
    let long = format!("https://www.example.fi/{}", "a".repeat(100_000));
    let output = run(&["crawl", &long]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert_eq!(
        err,
        format!(
            "harava: \"{}…\" cannot be requested (uri too long; 100023 characters); give the address of a listing page\n",
            &long[..200]
        )
    );
}

#[test]
fn a_redirect_without_a_usable_location_is_a_failed_fetch() {
    let server = TestServer::samples();
    server.route("/ei-minnekaan/", Route::status(302)).route(
        "/rikki/",
        Route::Fixed(301, vec![("location", "http://[::1".into())], Vec::new()),
    );
    let output = crawl_fast(
        &[server.url("/ei-minnekaan/"), server.url("/rikki/")],
        &["--no-details"],
    );
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let err = stderr(&output);
    for expected in [
        format!(
            "{}: HTTP 302 redirect without a usable Location (no Location header); it is not a page, and the site's redirect is broken",
            server.url("/ei-minnekaan/")
        ),
        format!(
            "{}: HTTP 301 redirect without a usable Location (Location \"http://[::1\": invalid IPv6 address)",
            server.url("/rikki/")
        ),
    ] {
        assert!(err.contains(&expected), "{expected}\n{err}");
    }
    assert!(err.contains("2 failed"), "{err}");
}

#[test]
fn a_user_agent_that_cannot_be_a_header_is_a_usage_error() {
    let server = TestServer::samples();
    for agent in ["härävä/1.0 (+mailto:a@b.fi)", "bot\r\nX-Injected: 1", ""] {
        let output = crawl(&["--user-agent", agent, &server.url("/kuntajohtajakokous/")]);
        assert_eq!(output.status.code(), Some(2), "{agent:?}");
        let err = stderr(&output);
        assert!(
            err.starts_with(&format!("harava: --user-agent {agent:?} ")),
            "{err}"
        );
        assert!(
            err.contains("give printable ASCII that starts with a product name"),
            "{err}"
        );
    }
    assert!(server.paths().is_empty(), "nothing was sent");
}

#[test]
fn numeric_flags_out_of_range_are_usage_errors_that_state_the_range() {
    let server = TestServer::samples();
    let start = server.url("/kuntajohtajakokous/");
    // flag, value, the error
    let cases = [
        (
            "--timeout",
            "1e20",
            "--timeout 1e20 is out of range: give 0.1 to 3600 seconds",
        ),
        (
            "--rate",
            "1e-20",
            "--rate 1e-20 is out of range: give 0 (no limit) or 0.001 to 1000 requests per second (0.001 is one request every 1000 s, about 17 minutes)",
        ),
        (
            "--archive-rate",
            "1e-10",
            "--archive-rate 1e-10 is out of range: give 0 (no limit) or 0.001 to 1000 requests per second",
        ),
        (
            "--cdx-rate",
            "1e-10",
            "--cdx-rate 1e-10 is out of range: give 0 (no limit) or 0.001 to 1000 requests per second",
        ),
        (
            "--concurrency",
            "0",
            "--concurrency 0 is out of range: give 1 to 256 pages at once",
        ),
        (
            "--burst",
            "0",
            "--burst 0 is out of range: give 1 to 100 requests",
        ),
    ];
    for (flag, value, expected) in cases {
        let output = crawl(&[flag, value, &start]);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{flag} {value}: {}",
            stderr(&output)
        );
        assert!(
            stderr(&output).starts_with(&format!("harava: {expected}")),
            "{}",
            stderr(&output)
        );
    }
    assert!(server.paths().is_empty(), "nothing was crawled");
    let help = String::from_utf8(run(&["crawl", "--help"]).stdout).unwrap();
    for range in [
        "0.001 to 1000, or 0 for no limit",
        "1 to 100",
        "1 to 256",
        "0.1 to 3600",
        "0 to 10",
        "1000 to 1000000000 bytes",
    ] {
        assert!(help.contains(range), "--help lacks {range:?}:\n{help}");
    }
}

/// A site that asks for minutes before a retry is waited for, and the user is
/// told why the crawl stands still (at the default verbosity, not only `-v`).
#[test]
fn a_long_retry_after_is_said_while_it_is_waited() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;

    let server = TestServer::samples();
    server.route(
        "/kuntajohtajakokous/",
        Route::Fixed(429, vec![("retry-after", "240".into())], Vec::new()),
    );
    let start = server.url("/kuntajohtajakokous/");
    let mut child = crate::util::harava()
        .args(["crawl", "--rate", "0", "--retries", "2", "-o", "-", &start])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (said, seen) = std::sync::mpsc::channel();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = said.send(line);
        }
    });
    let expected = format!(
        "{start} answered HTTP 429: harava waits 240 s before retry 1 of 2 (with `--retries 0` it would not retry)"
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut lines = Vec::new();
    while !lines.iter().any(|line: &String| line.ends_with(&expected)) {
        let left = deadline.saturating_duration_since(Instant::now());
        match seen.recv_timeout(left) {
            Ok(line) => lines.push(line),
            Err(_) => panic!("not said within 20 s: {lines:?}"),
        }
    }
    let _ = child.kill();
    child.wait().unwrap();
    assert_eq!(server.paths(), ["/robots.txt", "/kuntajohtajakokous/"]);
}
