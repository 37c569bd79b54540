//! Crawling web archives: an emulator of a Wayback-style archive on 127.0.0.1
//! (captures at two times, nearest-capture redirects, a replay toolbar with
//! rewritten links, crawl-time redirect notices, a paged CDX API, 429s), and
//! WARC files written by a crawl and read back by `extract`.

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

use crate::util::{
    Route, comparable, crawl, lines_but_fetched_at, records, respond_with, run, samples,
    spawn_server, stderr,
};

pub(crate) const SITE: &str = "https://www.uusimaa2019.fi";
pub(crate) const OLD: &str = "20190101120000";
pub(crate) const NEW: &str = "20190301120000";

/// One archived response: a page, or a redirect to another original URL.
#[derive(Clone)]
pub(crate) enum Captured {
    Page(String),
    Redirect(String),
}

struct EmulatorState {
    /// original URL → capture time → what was captured.
    captures: BTreeMap<String, BTreeMap<String, Captured>>,
    log: Mutex<Vec<(Instant, String)>>,
    /// Answer the n-th capture request (0-based) with a 429.
    throttle_at: Option<usize>,
    capture_requests: Mutex<usize>,
    /// Fixed answers, by original URL (of any capture time) or CDX `url` pattern,
    /// for what the archive says instead of a capture.
    answers: Mutex<HashMap<String, Route>>,
}

/// A Wayback-style archive on 127.0.0.1.
pub(crate) struct Emulator {
    address: SocketAddr,
    state: Arc<EmulatorState>,
    _runtime: tokio::runtime::Runtime,
}

impl Emulator {
    /// The sample site captured at `times`; at NEW, the Kuntajohtajakokous listing
    /// has one more meeting than at OLD.
    pub(crate) fn new(times: &[&str], throttle_at: Option<usize>) -> Emulator {
        Emulator::edited(times, throttle_at, |_| {})
    }

    /// As [`Emulator::new`], with the captures (original URL → time → what was
    /// captured) changed by `edit` before the archive opens.
    pub(crate) fn edited(
        times: &[&str],
        throttle_at: Option<usize>,
        edit: impl FnOnce(&mut BTreeMap<String, BTreeMap<String, Captured>>),
    ) -> Emulator {
        let mut captures: BTreeMap<String, BTreeMap<String, Captured>> = BTreeMap::new();
        for entry in walkdir::WalkDir::new(samples()) {
            let entry = entry.unwrap();
            if entry.path().extension().is_none_or(|e| e != "html") {
                continue;
            }
            let relative = entry
                .path()
                .strip_prefix(samples())
                .unwrap()
                .to_string_lossy()
                .replace("index.html", "");
            let html = std::fs::read_to_string(entry.path()).unwrap();
            for time in times {
                captures
                    .entry(format!("{SITE}/{relative}"))
                    .or_default()
                    .insert(time.to_string(), Captured::Page(html.clone()));
            }
        }
        if times.contains(&NEW) {
            let listing = format!("{SITE}/kuntajohtajakokous/");
            let Captured::Page(html) = captures[&listing][NEW].clone() else {
                unreachable!()
            };
            captures
                .get_mut(&listing)
                .unwrap()
                .insert(NEW.into(), Captured::Page(with_extra_meeting(&html)));
            let detail = std::fs::read_to_string(
                samples().join("muistiot/kuntajohtajakokous-13-9-2017/index.html"),
            )
            .unwrap()
            .replace(
                "kuntajohtajakokous-13-9-2017",
                "kuntajohtajakokous-4-10-2017",
            )
            .replace("13.9.2017", "4.10.2017");
            captures
                .entry(format!("{SITE}/muistiot/kuntajohtajakokous-4-10-2017/"))
                .or_default()
                .insert(NEW.into(), Captured::Page(detail));
        }
        // The old address of the listing, captured as the redirect it had become.
        captures.entry(format!("{SITE}/kjk/")).or_default().insert(
            times[0].to_string(),
            Captured::Redirect(format!("{SITE}/kuntajohtajakokous/")),
        );
        edit(&mut captures);

        let state = Arc::new(EmulatorState {
            captures,
            log: Mutex::new(Vec::new()),
            throttle_at,
            capture_requests: Mutex::new(0),
            answers: Mutex::new(HashMap::new()),
        });
        let (address, runtime) = spawn_server(
            axum::Router::new()
                .fallback(serve)
                .with_state(state.clone()),
        );
        Emulator {
            address,
            state,
            _runtime: runtime,
        }
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.address, path)
    }

    pub(crate) fn log(&self) -> Vec<(Instant, String)> {
        self.state.log.lock().unwrap().clone()
    }

    /// Answers every request for captures of `original` (or a CDX query of that
    /// pattern) with `route`, as the archive does for what it excludes, and as
    /// its replay of a capture of an error status looks.
    pub(crate) fn answer(&self, original: &str, route: Route) -> &Emulator {
        self.state
            .answers
            .lock()
            .unwrap()
            .insert(original.to_string(), route);
        self
    }
}

impl Emulator {
    /// Serves the captures of `original` again, as if [`Emulator::answer`]
    /// had not been called for it.
    pub(crate) fn forget_answer(&self, original: &str) -> &Emulator {
        self.state.answers.lock().unwrap().remove(original);
        self
    }
}

fn with_extra_meeting(listing: &str) -> String {
    let first = listing.find("        <article id=\"post-100\"").unwrap();
    let end = listing[first..].find("</article>").unwrap() + first + "</article>\n".len();
    let extra = listing[first..end]
        .replace("post-100", "post-200")
        .replace("13.9.2017</span>", "2.10.2017</span>")
        .replace(
            "kuntajohtajakokous-13-9-2017",
            "kuntajohtajakokous-4-10-2017",
        )
        .replace(
            "Kuntajohtajakokous 13.9.2017",
            "Kuntajohtajakokous 4.10.2017",
        );
    format!("{}{}{}", &listing[..first], extra, &listing[first..])
}

async fn serve(State(state): State<Arc<EmulatorState>>, request: Request) -> Response {
    let path = request.uri().path_and_query().unwrap().as_str().to_string();
    state
        .log
        .lock()
        .unwrap()
        .push((Instant::now(), path.clone()));
    if let Some(query) = path.strip_prefix("/cdx/search/cdx?") {
        return cdx(&state, query);
    }
    let Some(rest) = path.strip_prefix("/web/") else {
        return status(404);
    };
    let (stamp, original) = rest.split_once('/').unwrap();
    if let Some(route) = state.answers.lock().unwrap().get(original).cloned() {
        return respond_with(route);
    }
    let digits: String = stamp.chars().take_while(char::is_ascii_digit).collect();
    let modifier = &stamp[digits.len()..];
    let Some(times) = state.captures.get(original) else {
        return status(404);
    };
    let n = {
        let mut count = state.capture_requests.lock().unwrap();
        *count += 1;
        *count - 1
    };
    if state.throttle_at == Some(n) {
        let mut response = status(429);
        response
            .headers_mut()
            .insert("retry-after", HeaderValue::from_static("1"));
        return response;
    }
    let wanted: u64 = format!("{digits:0<14}").parse().unwrap();
    let nearest = times
        .keys()
        .min_by_key(|t| t.parse::<u64>().unwrap().abs_diff(wanted))
        .unwrap();
    if nearest != &digits {
        return redirect(&format!("/web/{nearest}{modifier}/{original}"));
    }
    let memento = chrono::NaiveDateTime::parse_from_str(nearest, "%Y%m%d%H%M%S")
        .unwrap()
        .and_utc()
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string();
    let mut response = match (&times[nearest], modifier) {
        (Captured::Redirect(target), "id_") => redirect(&format!("/web/{nearest}id_/{target}")),
        (Captured::Redirect(target), _) => html(&redirect_notice(nearest, target)),
        (Captured::Page(page), "id_") => html(page),
        (Captured::Page(page), _) => html(&replay(page, nearest)),
    };
    response
        .headers_mut()
        .insert("memento-datetime", HeaderValue::from_str(&memento).unwrap());
    response
}

/// What the Internet Archive does to a page it replays.
fn replay(page: &str, time: &str) -> String {
    let rewritten = page
        .replace("href=\"/", &format!("href=\"/web/{time}/{SITE}/"))
        .replace(
            &format!("href=\"{SITE}/"),
            &format!("href=\"/web/{time}/{SITE}/"),
        )
        .replace("src=\"/", &format!("src=\"/web/{time}im_/{SITE}/"));
    let head = "<head><script src=\"//archive.org/includes/analytics.js\"></script>\n<link rel=\"stylesheet\" href=\"/_static/css/banner-styles.css\">\n<!-- End Wayback Rewrite JS Include -->\n";
    let toolbar = format!(
        "<!-- BEGIN WAYBACK TOOLBAR INSERT -->\n<div id=\"wm-ipp-base\"><div id=\"wm-ipp\"><a href=\"/web/{time}*/{SITE}/\">47 captures</a> 13.9.2017 – 1.3.2019 <a href=\"/web/20170101000000*/{SITE}/kuntajohtajakokous/\">Vanhemmat</a> <span class=\"posted-on\">1.1.1999</span></div></div>\n<!-- END WAYBACK TOOLBAR INSERT -->\n"
    );
    let with_head = rewritten.replacen("<head>", head, 1);
    let body_at = with_head.find("<body").unwrap();
    let body_end = body_at + with_head[body_at..].find('>').unwrap() + 1;
    format!(
        "{}{}{}\n<!--\n     FILE ARCHIVED ON 12:00:00 Jan 01, 2019 AND RETRIEVED FROM THE\n     INTERNET ARCHIVE ON 10:00:00 Nov 23, 2026.\n-->\n<!--\nplayback timings (ms):\n  captures_list: 0.5\n-->",
        &with_head[..body_end],
        toolbar,
        &with_head[body_end..]
    )
}

fn redirect_notice(time: &str, target: &str) -> String {
    format!(
        "<html><head><title>Wayback Machine</title></head><body><div id=\"positionHome\"><section><div id=\"error\"><p class=\"code shift red\">Got an HTTP 302 response at crawl time</p><p class=\"code\">Redirecting to...</p><p class=\"code shift target\">{target}</p><p class=\"impatient\"><a href=\"/web/{time}/{target}\">Impatient?</a></p></div></section></div></body></html>"
    )
}

/// The part of a URL the CDX API matches on: like the Internet Archive's SURT keys,
/// without scheme and `www.`, so `www.uusimaa2019.fi/*` and `https://…/*` list the
/// same captures.
fn match_key(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    rest.strip_prefix("www.")
        .unwrap_or(rest)
        .to_ascii_lowercase()
}

/// The CDX API as the Internet Archive serves it: everything in one answer without
/// a `limit`; with one, pages of `limit` rows (at most five, this server's cap)
/// ending in a resume key while more remain.
fn cdx(state: &EmulatorState, query: &str) -> Response {
    let params: BTreeMap<String, String> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    assert_eq!(params.get("output").map(String::as_str), Some("json"));
    assert_eq!(
        params.get("filter").map(String::as_str),
        Some("statuscode:200")
    );
    if let Some(route) = state.answers.lock().unwrap().get(&params["url"]).cloned() {
        return respond_with(route);
    }
    let pattern = match_key(&params["url"]);
    let from = params.get("from").map(|f| format!("{f:0<14}"));
    let mut rows: Vec<Value> = Vec::new();
    for (original, times) in &state.captures {
        let matches = match pattern.strip_suffix('*') {
            Some(prefix) => match_key(original).starts_with(prefix),
            None => match_key(original) == pattern,
        };
        for (time, captured) in times {
            if matches
                && matches!(captured, Captured::Page(_))
                && from.as_ref().is_none_or(|f| time >= f)
            {
                let key = original
                    .replace("https://www.", "fi,uusimaa2019)")
                    .replace(".fi", "");
                rows.push(json!([
                    key,
                    time,
                    original,
                    "text/html",
                    "200",
                    format!("DIGEST{}", rows.len()),
                    "1234"
                ]));
            }
        }
    }
    let start: usize = params.get("resumeKey").map_or(0, |k| k.parse().unwrap());
    let page_rows = params
        .get("limit")
        .map_or(rows.len(), |l| l.parse::<usize>().unwrap().min(5));
    let paged =
        params.contains_key("limit") && params.get("showResumeKey").is_some_and(|v| v == "true");
    let end = (start + page_rows).min(rows.len());
    let mut table = vec![json!([
        "urlkey",
        "timestamp",
        "original",
        "mimetype",
        "statuscode",
        "digest",
        "length"
    ])];
    table.extend(rows[start..end].iter().cloned());
    if paged && end < rows.len() {
        table.push(json!([]));
        table.push(json!([end.to_string()]));
    }
    let mut response = Response::new(Body::from(serde_json::to_vec(&table).unwrap()));
    response
        .headers_mut()
        .insert("content-type", HeaderValue::from_static("application/json"));
    response
}

fn html(body: &str) -> Response {
    let mut response = Response::new(Body::from(body.to_string()));
    response.headers_mut().insert(
        "content-type",
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    response
}

fn status(code: u16) -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::from_u16(code).unwrap();
    response
}

fn redirect(location: &str) -> Response {
    let mut response = status(302);
    response
        .headers_mut()
        .insert("location", HeaderValue::from_str(location).unwrap());
    response
}

fn sample_records() -> Vec<Value> {
    let output = run(&["extract", samples().to_str().unwrap()]);
    assert!(output.status.success());
    records(&output.stdout)
}

/// The fields of a record that do not depend on where it was read from.
fn content(record: &Value) -> Value {
    let mut record = record.clone();
    for field in ["archive_url", "archived_at", "fetched_at"] {
        record.as_object_mut().unwrap().remove(field);
    }
    record
}

const FAST: &[&str] = &[
    "--rate",
    "0",
    "--archive-rate",
    "0",
    "--cdx-rate",
    "0",
    "--retries",
    "1",
];

pub(crate) fn crawl_archive(args: &[&str]) -> std::process::Output {
    let mut all = FAST.to_vec();
    all.extend_from_slice(args);
    crawl(&all)
}

pub(crate) fn assert_same_meetings_as_samples(crawled: &[Value]) {
    let expected: Vec<Value> = comparable(sample_records()).iter().map(content).collect();
    let got: Vec<Value> = comparable(crawled.to_vec()).iter().map(content).collect();
    assert_eq!(got.len(), expected.len());
    for (got, expected) in got.iter().zip(&expected) {
        assert_eq!(got, expected);
    }
}

#[test]
fn a_replayed_capture_gives_clean_records_with_original_urls() {
    let archive = Emulator::new(&[OLD], None);
    let kjk = archive.url(&format!("/web/20190115/{SITE}/kuntajohtajakokous/"));
    let sjr = archive.url(&format!("/web/{OLD}/{SITE}/strateginen-johtoryhma/"));
    let output = crawl_archive(&["--archive-mode", "rewritten", &kjk, &sjr]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let crawled = records(&output.stdout);
    assert_same_meetings_as_samples(&crawled);
    for record in &crawled {
        let archive_url = record["archive_url"].as_str().unwrap();
        assert!(
            archive_url.starts_with(&archive.url(&format!("/web/{OLD}/{SITE}/"))),
            "{archive_url}"
        );
        assert_eq!(record["archived_at"], "2019-01-01T12:00:00Z");
        assert!(record["source_url"].as_str().unwrap().starts_with(SITE));
        let text = serde_json::to_string(&content(record)).unwrap();
        for toolbar_text in [
            "captures",
            "FILE ARCHIVED",
            "/web/",
            "1999-01-01",
            "playback",
        ] {
            assert!(
                !text.contains(toolbar_text),
                "{toolbar_text} leaked into {text}"
            );
        }
    }
    let paths: Vec<String> = archive.log().into_iter().map(|(_, p)| p).collect();
    assert!(
        paths.contains(&format!("/web/20190115/{SITE}/kuntajohtajakokous/")),
        "{paths:?}"
    );
    assert!(
        paths.contains(&format!("/web/{OLD}/{SITE}/kuntajohtajakokous/")),
        "the nearest-capture redirect was followed"
    );
    assert!(
        !paths.iter().any(|p| p.contains('*')),
        "no calendar or toolbar link was followed: {paths:?}"
    );
}

#[test]
fn raw_captures_are_fetched_by_default() {
    let archive = Emulator::new(&[OLD], None);
    let output = crawl_archive(&[
        &archive.url(&format!("/web/{OLD}/{SITE}/kuntajohtajakokous/")),
        &archive.url(&format!("/web/{OLD}/{SITE}/strateginen-johtoryhma/")),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let crawled = records(&output.stdout);
    assert_same_meetings_as_samples(&crawled);
    let paths: Vec<String> = archive.log().into_iter().map(|(_, p)| p).collect();
    assert!(
        paths
            .iter()
            .all(|p| p == "/robots.txt" || p.starts_with(&format!("/web/{OLD}id_/"))),
        "{paths:?}"
    );
    assert_eq!(paths.len(), 1 + 6 + 19);
}

#[test]
fn a_capture_of_a_redirect_is_followed_in_both_modes() {
    let archive = Emulator::new(&[OLD], None);
    for mode in ["raw", "rewritten"] {
        let output = crawl_archive(&[
            "--archive-mode",
            mode,
            "--no-details",
            &archive.url(&format!("/web/{OLD}/{SITE}/kjk/")),
        ]);
        assert_eq!(output.status.code(), Some(0), "{mode}: {}", stderr(&output));
        let crawled = records(&output.stdout);
        assert_eq!(crawled.len(), 9, "{mode}");
        assert_eq!(
            crawled[0]["source_url"],
            format!("{SITE}/kuntajohtajakokous/"),
            "{mode}"
        );
    }
}

#[test]
fn cdx_discovery_writes_each_meeting_once_from_the_newest_capture() {
    let archive = Emulator::new(&[OLD, NEW], None);
    let archive_url = archive.address_url();
    let dir = tempfile::tempdir().unwrap();
    let warc = dir.path().join("captures.warc");
    for extra in [&[][..], &["--all-captures"][..]] {
        let mut args = vec!["--cdx", archive_url.as_str()];
        args.extend_from_slice(extra);
        if !extra.is_empty() {
            args.extend(["--warc", warc.to_str().unwrap()]);
        }
        let pattern = format!("{SITE}/*");
        args.push(&pattern);
        let output = crawl_archive(&args);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{extra:?}: {}",
            stderr(&output)
        );
        let crawled = records(&output.stdout);
        assert_eq!(crawled.len(), 20, "{extra:?}");
        let mut ids: Vec<&str> = crawled.iter().map(|r| r["id"].as_str().unwrap()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 20, "each meeting once");
        for record in &crawled {
            assert_eq!(
                record["archived_at"], "2019-03-01T12:00:00Z",
                "the newest capture wins: {}",
                record["title"]
            );
        }
        let sample_ids: Vec<Value> = sample_records().iter().map(|r| r["id"].clone()).collect();
        let old_ones: Vec<&Value> = crawled
            .iter()
            .filter(|r| r["title"] != "Kuntajohtajakokous 4.10.2017")
            .collect();
        assert_eq!(old_ones.len(), 19);
        assert!(
            old_ones.iter().all(|r| sample_ids.contains(&r["id"])),
            "ids equal those from the live sample"
        );
        let new = crawled
            .iter()
            .find(|r| r["title"] == "Kuntajohtajakokous 4.10.2017")
            .unwrap();
        assert_eq!(new["published_date"], "2017-10-02");
        assert_eq!(new["meeting_date"], "2017-10-04");
        assert!(
            new["body"]
                .as_str()
                .unwrap()
                .starts_with("Kuntajohtajat ja virkamiesjohtoryhmä")
        );
        if !extra.is_empty() {
            // Both captures of each listing page are in the WARC, the older
            // first: extract too writes each meeting from the newer one.
            let extracted = run(&["extract", warc.to_str().unwrap()]);
            assert_eq!(extracted.status.code(), Some(0), "{}", stderr(&extracted));
            assert_eq!(
                lines_but_fetched_at(&extracted.stdout),
                lines_but_fetched_at(&output.stdout)
            );
        }
    }
    let cdx_requests: Vec<String> = archive
        .log()
        .into_iter()
        .map(|(_, p)| p)
        .filter(|p| p.starts_with("/cdx/"))
        .collect();
    assert!(
        cdx_requests.iter().any(|p| p.contains("resumeKey=5")),
        "the resume key was followed: {cdx_requests:?}"
    );
}

impl Emulator {
    pub(crate) fn address_url(&self) -> String {
        format!("http://{}", self.address)
    }
}

#[test]
fn the_archive_budget_holds_and_a_429_slows_the_crawl_instead_of_ending_it() {
    let archive = Emulator::new(&[OLD], Some(4));
    let start = archive.url(&format!("/web/{OLD}/{SITE}/kuntajohtajakokous/"));
    let output = crawl(&[
        "--archive-rate",
        "5",
        "--concurrency",
        "4",
        "--retries",
        "2",
        &start,
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        records(&output.stdout).len(),
        9,
        "the crawl went on after the 429"
    );
    let log = archive.log();
    let captures: Vec<&(Instant, String)> =
        log.iter().filter(|(_, p)| p.starts_with("/web/")).collect();
    for (i, (first, _)) in captures.iter().enumerate() {
        let in_window = captures[i..]
            .iter()
            .filter(|(at, _)| *at - *first < Duration::from_secs(1))
            .count();
        assert!(in_window <= 5, "{in_window} capture requests within 1 s");
    }
    // The 429 was the fifth capture request: everything after it waited for the
    // Retry-After and then came at least twice as far apart as before.
    let throttled_at = captures[4].0;
    let after: Vec<Instant> = captures[5..].iter().map(|(at, _)| *at).collect();
    assert!(
        after[0] - throttled_at >= Duration::from_secs(1),
        "Retry-After: 1 was honoured"
    );
    // 200 ms apart before the 429, 400 ms after it; the archive's clock sees
    // each request a little early or late, so the span is what is measured.
    let span = *after.last().unwrap() - after[0];
    let gaps = after.len() as u32 - 1;
    assert!(gaps >= 3, "{gaps}");
    assert!(
        span >= Duration::from_millis(390) * gaps,
        "{gaps} gaps in {span:?}"
    );
}

#[test]
fn an_archive_that_refuses_connections_stops_the_crawl_with_advice() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let output = crawl_archive(&[&format!(
        "http://{address}/web/{OLD}/{SITE}/kuntajohtajakokous/"
    )]);
    assert_eq!(output.status.code(), Some(3));
    let err = stderr(&output);
    assert!(err.contains("the archive refuses connections"), "{err}");
    assert!(err.contains("wait an hour"), "{err}");
}

#[test]
fn a_warc_written_by_a_crawl_reads_back_to_the_same_records() {
    let archive = Emulator::new(&[OLD], None);
    let dir = tempfile::tempdir().unwrap();
    let warc = dir.path().join("crawl.warc.gz");
    let output = crawl_archive(&[
        "--warc",
        warc.to_str().unwrap(),
        &archive.url(&format!("/web/{OLD}/{SITE}/kuntajohtajakokous/")),
        &archive.url(&format!("/web/{OLD}/{SITE}/strateginen-johtoryhma/")),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let crawled = lines_but_fetched_at(&output.stdout);
    assert_eq!(crawled.len(), 19);

    let from_file = run(&["extract", warc.to_str().unwrap()]);
    assert_eq!(from_file.status.code(), Some(0), "{}", stderr(&from_file));
    assert_eq!(lines_but_fetched_at(&from_file.stdout), crawled);

    let bytes = std::fs::read(&warc).unwrap();
    let from_stdin = crate::util::run_with_stdin(&["extract", "-"], &bytes);
    assert_eq!(lines_but_fetched_at(&from_stdin.stdout), crawled);

    let mut decoder = flate2::read::MultiGzDecoder::new(&bytes[..]);
    let mut text = Vec::new();
    std::io::Read::read_to_end(&mut decoder, &mut text).unwrap();
    let text = String::from_utf8_lossy(&text);
    assert!(
        text.starts_with("WARC/1.1\r\nWARC-Type: warcinfo\r\n"),
        "{}",
        &text[..200]
    );
    assert!(text.contains("software: harava/"));
    // robots.txt, 6 listing pages, 19 detail pages: the start URLs name exact
    // captures, so there are no redirects to record.
    assert_eq!(text.matches("WARC-Type: response\r\n").count(), 1 + 6 + 19);
    assert_eq!(text.matches("WARC-Type: request\r\n").count(), 1 + 6 + 19);
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        vec!["crawl.warc.gz"],
        "no temporary file is left behind"
    );
}

#[test]
fn a_live_crawl_warc_reads_back_even_through_redirected_detail_pages() {
    let server = crate::util::TestServer::samples();
    let moved =
        std::fs::read_to_string(samples().join("muistiot/kuntajohtajakokous-25-1-2017/index.html"))
            .unwrap();
    server
        .route(
            "/muistiot/kuntajohtajakokous-25-1-2017/",
            crate::util::Route::redirect("/muistiot/uusi-osoite/"),
        )
        .route("/muistiot/uusi-osoite/", crate::util::Route::html(&moved));
    let dir = tempfile::tempdir().unwrap();
    let warc = dir.path().join("live.warc");
    let output = crawl_archive(&[
        "--warc",
        warc.to_str().unwrap(),
        &server.url("/kuntajohtajakokous/"),
        &server.url("/strateginen-johtoryhma/"),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let crawled = lines_but_fetched_at(&output.stdout);
    let from_warc = run(&["extract", warc.to_str().unwrap()]);
    assert_eq!(lines_but_fetched_at(&from_warc.stdout), crawled);
    assert_eq!(
        comparable(records(&output.stdout)),
        comparable(sample_records()),
        "the redirected detail page still fills its entry"
    );
}
