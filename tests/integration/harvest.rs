//! Scheduled harvests against a state database (`--state`): what a second run
//! asks the server, what it reports as new, changed, unchanged and removed, how
//! a killed run is continued, and that two runs never share one state.
//!
//! The site is the benchmark's synthetic Uusimaa 2019 site, written into a
//! directory that the test server serves with ETags, so a test can change it
//! between runs.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::process::Output;

use serde_json::Value;

use crate::site::{self, Meeting};
use crate::util::{Route, TestServer, harava, killed_once_delivering, records, run, stderr};

/// The last sentence of the sample entry's summary, which every entry repeats.
const SUMMARY_SENTENCE: &str = "Maakunta tekee näistä itse aikanaan päätökset.";

const FAST: &[&str] = &["--rate", "0", "--retries", "0", "--timeout", "5", "-q"];

/// A served copy of the synthetic site; [`SiteDir::publish`] replaces its pages.
struct SiteDir {
    dir: tempfile::TempDir,
    server: TestServer,
}

impl SiteDir {
    fn new(meetings: &[Meeting]) -> SiteDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("robots.txt"), "User-agent: *\nDisallow:\n").unwrap();
        let server = TestServer::serving(dir.path().to_path_buf());
        let site = SiteDir { dir, server };
        site.publish(meetings, |_, page| page);
        site
    }

    /// Writes the site of `meetings` over the old one, each page through `edit`.
    fn publish(&self, meetings: &[Meeting], edit: impl Fn(&str, String) -> String) {
        let root = self.dir.path();
        for entry in std::fs::read_dir(root).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                std::fs::remove_dir_all(path).unwrap();
            }
        }
        let pages: BTreeMap<String, String> = site::build(meetings, site::ENTRIES_PER_LISTING)
            .into_iter()
            .map(|(path, page)| {
                let page = edit(&path, page);
                (path, page)
            })
            .collect();
        site::write_mirror(&pages, root).unwrap();
    }

    fn start(&self) -> String {
        self.server.url(site::FIRST_LISTING)
    }

    /// The first request for the page at `path` hangs; later ones get it.
    fn hang_once(&self, path: &str) {
        let page = self.page(path);
        self.server
            .route(path, Route::Sequence(vec![Route::Hang, Route::html(&page)]));
    }

    /// Serves the page at `path` as published now, whatever it was routed to.
    fn serve_as_published(&self, path: &str) {
        self.server.route(path, Route::html(&self.page(path)));
    }

    /// The page at `path` as published now.
    fn page(&self, path: &str) -> String {
        let file = self
            .dir
            .path()
            .join(path.trim_start_matches('/'))
            .join("index.html");
        std::fs::read_to_string(file).unwrap()
    }

    /// Requests the server got since `from` (an index into its log).
    fn paths_since(&self, from: usize) -> Vec<String> {
        self.server.paths()[from..].to_vec()
    }
}

fn crawl(site: &SiteDir, state: &Path, extra: &[&str]) -> Output {
    let start = site.start();
    let mut args = vec!["crawl", "--state", state.to_str().unwrap()];
    args.extend_from_slice(FAST);
    args.extend_from_slice(extra);
    args.push(&start);
    run(&args)
}

fn lines(path: &Path) -> Vec<Value> {
    records(&std::fs::read(path).unwrap())
}

/// The id of the record whose detail page is `meeting`'s.
fn id_of(records: &[Value], meeting: Meeting) -> String {
    let detail = site::detail_path(meeting);
    records
        .iter()
        .find(|r| r["detail_url"].as_str().unwrap().ends_with(&detail))
        .unwrap_or_else(|| panic!("no record of {detail}"))["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// `page` with the summary of the entry of post `post` edited.
fn edit_summary(page: String, post: usize, to: &str) -> String {
    let Some(at) = page.find(&format!("<article id=\"post-{post}\"")) else {
        return page;
    };
    let (before, after) = page.split_at(at);
    format!("{before}{}", after.replacen(SUMMARY_SENTENCE, to, 1))
}

/// Sends SIGTERM to `child` once `ready` holds (within 20 s, else the test
/// fails waiting for `what`), and waits for it to end.
fn terminate_when(child: std::process::Child, what: &str, ready: impl Fn() -> bool) -> Output {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !ready() {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let sent = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    child.wait_with_output().unwrap()
}

/// Runs harava with `args` against `site` until it asks for the page at
/// `path`, which hangs the first time, and stops it there with SIGTERM.
fn stopped_at(site: &SiteDir, path: &str, args: &[&str]) -> Output {
    site.hang_once(path);
    let asked_before = site.server.paths().len();
    let child = harava().args(args).spawn().unwrap();
    terminate_when(child, "the hanging page", || {
        site.server.paths()[asked_before..]
            .iter()
            .any(|p| p == path)
    })
}

fn stats(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn a_second_run_over_an_unchanged_site_asks_for_the_first_listing_page_only() {
    let meetings = site::meetings(45);
    let site = SiteDir::new(&meetings);
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("harava.state");
    let first_out = dir.path().join("first.jsonl");
    let first = crawl(&site, &state, &["-o", first_out.to_str().unwrap()]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    assert_eq!(lines(&first_out).len(), 45);

    let before = site.server.log().len();
    let second_out = dir.path().join("second.jsonl");
    let second_stats = dir.path().join("second.json");
    let second = crawl(
        &site,
        &state,
        &[
            "-o",
            second_out.to_str().unwrap(),
            "--stats",
            second_stats.to_str().unwrap(),
        ],
    );
    assert_eq!(second.status.code(), Some(0), "{}", stderr(&second));
    assert_eq!(lines(&second_out).len(), 0, "nothing is news");
    assert_eq!(
        site.paths_since(before),
        ["/robots.txt", site::FIRST_LISTING],
        "robots.txt and the first listing page, nothing else"
    );
    let listing_request = &site.server.log()[before + 1];
    let etag = listing_request
        .headers
        .get("if-none-match")
        .expect("the listing page is asked for conditionally");
    assert!(etag.to_str().unwrap().starts_with('"'), "{etag:?}");
    let stats = stats(&second_stats);
    assert_eq!(stats["not_modified"], 1, "{stats}");
    assert_eq!(stats["unchanged"], 9, "{stats}");
    assert_eq!(stats["new"], 0, "{stats}");

    // --emit all: the meetings the run read, unchanged ones too, as last written.
    let all_out = dir.path().join("all.jsonl");
    let all = crawl(
        &site,
        &state,
        &["-o", all_out.to_str().unwrap(), "--emit", "all"],
    );
    assert_eq!(all.status.code(), Some(0), "{}", stderr(&all));
    let emitted = lines(&all_out);
    assert_eq!(emitted.len(), 9, "the first listing page's meetings");
    let first_run: BTreeMap<String, Value> = lines(&first_out)
        .into_iter()
        .map(|r| (r["id"].as_str().unwrap().to_string(), r))
        .collect();
    for record in &emitted {
        assert_eq!(
            Some(record),
            first_run.get(record["id"].as_str().unwrap()),
            "an unchanged meeting comes out as it was written"
        );
    }
}

#[test]
fn a_new_meeting_on_top_and_an_edited_summary_are_one_new_and_one_changed() {
    let mut meetings = site::meetings(45);
    let site = SiteDir::new(&meetings);
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("harava.state");
    let first_out = dir.path().join("first.jsonl");
    let first = crawl(&site, &state, &["-o", first_out.to_str().unwrap()]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let first_records = lines(&first_out);
    let edited = meetings[4];
    let edited_id = id_of(&first_records, edited);
    // A full run's state to compare with, before anything changed.
    let full_state = dir.path().join("full.state");
    std::fs::copy(&state, &full_state).unwrap();

    // A new meeting on top pushes every other one down by one place.
    let newest = Meeting {
        date: meetings[0].date.succ_opt().unwrap(),
        post: 1000,
    };
    meetings.insert(0, newest);
    site.publish(&meetings, |path, page| {
        if path.starts_with(site::FIRST_LISTING) {
            edit_summary(page, edited.post, "Maakunta päättää.")
        } else {
            page
        }
    });

    for (state, extra) in [(&state, None), (&full_state, Some("--full"))] {
        let out = dir.path().join("news.jsonl");
        let changes = dir.path().join("changes.jsonl");
        let stats_path = dir.path().join("stats.json");
        let mut args = vec![
            "-o",
            out.to_str().unwrap(),
            "--changes",
            changes.to_str().unwrap(),
            "--stats",
            stats_path.to_str().unwrap(),
        ];
        args.extend(extra);
        let output = crawl(&site, state, &args);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        let news = lines(&out);
        assert_eq!(news.len(), 2, "{extra:?}: {news:?}");
        let new_id = id_of(&news, newest);
        assert!(!first_records.iter().any(|r| r["id"] == new_id.as_str()));
        let changes = lines(&changes);
        let mut changes: Vec<(String, String, Value)> = changes
            .iter()
            .map(|c| {
                (
                    c["change"].as_str().unwrap().to_string(),
                    c["id"].as_str().unwrap().to_string(),
                    c["fields_changed"].clone(),
                )
            })
            .collect();
        changes.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
        assert_eq!(
            changes,
            [
                (
                    "changed".to_string(),
                    edited_id.clone(),
                    serde_json::json!(["summary"])
                ),
                ("new".to_string(), new_id.clone(), serde_json::json!([])),
            ],
            "{extra:?}"
        );
        let stats = stats(&stats_path);
        assert_eq!(stats["new"], 1, "{stats}");
        assert_eq!(stats["changed"], 1, "{stats}");
        assert_eq!(stats["removed"], 0, "{stats}");
        // The first two listing pages hold the two changes and then nine
        // known, unchanged meetings, where paging stops; --full reads on.
        let unchanged = if extra.is_some() { 44 } else { 7 + 9 };
        assert_eq!(stats["unchanged"], unchanged, "{extra:?}: {stats}");
    }
}

#[test]
fn a_meeting_gone_from_a_fully_read_listing_is_removed_and_a_failed_page_removes_nothing() {
    let mut meetings = site::meetings(45);
    let site = SiteDir::new(&meetings);
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("harava.state");
    let first_out = dir.path().join("first.jsonl");
    assert!(
        crawl(&site, &state, &["-o", first_out.to_str().unwrap()])
            .status
            .success()
    );
    let gone = meetings.remove(20);
    let gone_id = id_of(&lines(&first_out), gone);
    site.publish(&meetings, |_, page| page);

    // Page 3 fails: the listing was not read completely, so nothing is removed.
    site.server
        .route(&site::listing_path(3), Route::status(503));
    let changes = dir.path().join("changes.jsonl");
    let full_with_changes = [
        "--full",
        "--changes",
        changes.to_str().unwrap(),
        "-o",
        "/dev/null",
    ];
    let failed = crawl(&site, &state, &full_with_changes);
    assert_eq!(failed.status.code(), Some(3), "{}", stderr(&failed));
    assert_eq!(lines(&changes), Vec::<Value>::new());

    site.server.route(
        &site::listing_path(3),
        Route::html(
            &std::fs::read_to_string(site.dir.path().join("kuntajohtajakokous/page/3/index.html"))
                .unwrap(),
        ),
    );
    for expected in [vec![gone_id.clone()], vec![]] {
        let output = crawl(&site, &state, &full_with_changes);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        let removed: Vec<String> = lines(&changes)
            .iter()
            .filter(|c| c["change"] == "removed")
            .map(|c| c["id"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(removed, expected, "removed once, then known removed");
    }
}

#[test]
fn a_run_killed_twenty_times_and_resumed_delivers_every_meeting_exactly_once() {
    let meetings = site::meetings(540);
    let site = SiteDir::new(&meetings);
    let dir = tempfile::tempdir().unwrap();

    let whole_state = dir.path().join("whole.state");
    let whole_out = dir.path().join("whole.jsonl");
    let before = site.server.log().len();
    let whole = crawl(&site, &whole_state, &["-o", whole_out.to_str().unwrap()]);
    assert_eq!(whole.status.code(), Some(0), "{}", stderr(&whole));
    let whole_requests = site.server.log().len() - before;
    let expected = comparable_by_id(&lines(&whole_out));
    assert_eq!(expected.len(), 540);

    let state = dir.path().join("harava.state");
    let out = dir.path().join("out.jsonl");
    let start = site.start();
    let state_arg = state.to_str().unwrap().to_string();
    let out_arg = out.to_str().unwrap().to_string();
    let mut args = vec!["crawl", "--state", &state_arg, "-o", &out_arg];
    args.extend_from_slice(FAST);
    args.push(&start);
    let before = site.server.log().len();
    // A fixed sequence of kill points, counted in requests the site received
    // from the run, not in time: each run is killed after 0.5 to 5 % of a whole
    // crawl's requests, however fast this machine is today, so twenty kills
    // come before the crawl can end.
    let mut seed: u64 = 0x2019;
    let mut delivered: Vec<Value> = Vec::new();
    let mut killed = 0;
    for _ in 0..20 {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let fraction = 0.005 + 0.045 * ((seed >> 33) % 1000) as f64 / 1000.0;
        let kill_at = site.server.requests() + (whole_requests as f64 * fraction).ceil() as usize;
        let mut child = harava().args(&args).spawn().unwrap();
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if site.server.requests() >= kill_at {
                let _ = child.kill();
                break child.wait().unwrap();
            }
            std::thread::sleep(std::time::Duration::from_millis(1));
        };
        if status.success() {
            // The crawl finished before the kill: its output is complete.
            delivered.extend(lines(&out));
            break;
        }
        killed += 1;
    }
    assert_eq!(killed, 20, "the crawl ended before its twentieth kill");
    if delivered.is_empty() {
        let last = harava().args(&args).output().unwrap();
        assert_eq!(last.status.code(), Some(0), "{}", stderr(&last));
        delivered.extend(lines(&out));
    }
    let requests = site.server.log().len() - before;
    let ids: Vec<&str> = delivered
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    let unique: HashSet<&str> = ids.iter().copied().collect();
    assert_eq!(ids.len(), unique.len(), "no meeting written twice");
    let delivered = comparable_by_id(&delivered);
    let missing: Vec<&String> = expected
        .keys()
        .filter(|id| !delivered.contains_key(*id))
        .collect();
    let extra: Vec<&String> = delivered
        .keys()
        .filter(|id| !expected.contains_key(*id))
        .collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing {missing:?}, extra {extra:?}"
    );
    for (id, record) in &delivered {
        let fields: Vec<&String> = record
            .as_object()
            .unwrap()
            .iter()
            .filter(|(name, value)| expected[id][name.as_str()] != **value)
            .map(|(name, _)| name)
            .collect();
        assert!(fields.is_empty(), "{id} differs in {fields:?}");
    }
    assert!(
        requests as f64 <= 1.2 * whole_requests as f64,
        "{requests} requests across the killed runs, {whole_requests} for one whole crawl"
    );
    // The killed runs' deliveries reached the output the last run put in
    // place: the next run finds nothing new.
    let after = harava().args(&args).output().unwrap();
    assert_eq!(after.status.code(), Some(0), "{}", stderr(&after));
    assert_eq!(lines(&out), Vec::<Value>::new(), "nothing delivered again");
}

/// A run stopped by SIGTERM while detail pages wait to be read writes none of
/// their meetings without a body: the run that continues it reads the pages
/// and writes each meeting whole, once, and continues its WARC.
#[test]
fn meetings_left_by_a_stopped_run_are_written_whole_by_the_run_that_continues_it() {
    let meetings = site::meetings(18);
    let site = SiteDir::new(&meetings);
    let first_detail = site::detail_path(meetings[0]);
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("harava.state");
    let out = dir.path().join("out.jsonl");
    let warc = dir.path().join("out.warc.gz");
    let start = site.start();
    let mut args = vec![
        "crawl",
        "--state",
        state.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--warc",
        warc.to_str().unwrap(),
    ];
    args.extend_from_slice(FAST);
    args.push(&start);

    let stopped = stopped_at(&site, &first_detail, &args);
    assert_eq!(stopped.status.code(), Some(130));
    let first_run = lines(&out);
    let without_body: Vec<&Value> = first_run
        .iter()
        .filter(|r| r["body"].is_null())
        .map(|r| &r["id"])
        .collect();
    assert!(
        without_body.is_empty(),
        "written without a body: {without_body:?}"
    );
    assert!(
        first_run.len() < meetings.len(),
        "the run stopped before its end"
    );

    let resumed = harava().args(&args).output().unwrap();
    assert_eq!(resumed.status.code(), Some(0), "{}", stderr(&resumed));
    let written = lines(&out);
    let ids: HashSet<&str> = written.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!((written.len(), ids.len()), (meetings.len(), meetings.len()));
    assert!(
        written.iter().all(|r| r["body"].is_string()),
        "every meeting whole"
    );
    // The WARC was continued as the records were: it holds both runs'
    // exchanges, and gives every meeting again.
    let extracted = run(&["extract", "-o", "-", warc.to_str().unwrap()]);
    assert_eq!(extracted.status.code(), Some(0), "{}", stderr(&extracted));
    let from_warc = records(&extracted.stdout);
    assert_eq!(from_warc.len(), meetings.len(), "{}", stderr(&extracted));
    assert!(from_warc.iter().all(|r| r["body"].is_string()));
}

/// A run killed outright (SIGKILL) leaves its WARC unfinished, with the pages
/// behind the meetings it delivered: the run that continues it reads those
/// meetings from the state without fetching their pages again, and continues
/// that WARC, so the WARC still gives every meeting whole.
#[test]
fn a_killed_runs_warc_is_continued_by_the_run_that_continues_it() {
    let meetings = site::meetings(18);
    let site = SiteDir::new(&meetings);
    let last_detail = site::detail_path(*meetings.last().unwrap());
    site.hang_once(&last_detail);
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("harava.state");
    let out = dir.path().join("out.jsonl");
    let warc = dir.path().join("out.warc.gz");
    let start = site.start();
    let mut args = vec![
        "crawl",
        "--state",
        state.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--warc",
        warc.to_str().unwrap(),
        // The hanging page must hang until the kill, however busy the machine.
        "--timeout",
        "60",
        "--rate",
        "0",
        "--retries",
        "0",
        "-q",
    ];
    args.push(&start);

    // Killed once the last detail page hangs and the state holds deliveries,
    // whose pages only the killed run's WARC has.
    killed_once_delivering(&args, &site.server, &last_detail, &state);
    assert!(!warc.exists(), "a killed run puts no WARC in place");
    // What a kill in the middle of a write leaves after the noted length: the
    // continuing run cuts it off.
    let unfinished = dir.path().join(".out.warc.gz.harava-resume.partial");
    let mut torn = std::fs::OpenOptions::new()
        .append(true)
        .open(&unfinished)
        .unwrap();
    std::io::Write::write_all(&mut torn, b"\x1f\x8b\x08\x00 torn by the kill").unwrap();
    drop(torn);

    let before = site.server.log().len();
    let resumed = harava().args(&args).output().unwrap();
    assert_eq!(resumed.status.code(), Some(0), "{}", stderr(&resumed));
    let fetched_again = site.paths_since(before);
    let not_fetched_again: Vec<String> = meetings
        .iter()
        .map(|&meeting| site::detail_path(meeting))
        .filter(|detail| !fetched_again.contains(detail))
        .collect();
    assert!(
        !not_fetched_again.is_empty(),
        "the continuing run fetched every detail page again: {fetched_again:?}"
    );
    let written = lines(&out);
    let ids: HashSet<&str> = written.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!((written.len(), ids.len()), (meetings.len(), meetings.len()));

    let extracted = run(&["extract", "-o", "-", warc.to_str().unwrap()]);
    assert_eq!(extracted.status.code(), Some(0), "{}", stderr(&extracted));
    let from_warc = records(&extracted.stdout);
    let without_body: Vec<&Value> = from_warc
        .iter()
        .filter(|r| r["body"].is_null())
        .map(|r| &r["detail_url"])
        .collect();
    assert_eq!(from_warc.len(), meetings.len(), "{}", stderr(&extracted));
    assert!(
        without_body.is_empty(),
        "the WARC lacks the pages of {without_body:?} ({} not fetched again)",
        not_fetched_again.len()
    );
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.ends_with(".partial"))
        .collect();
    assert_eq!(left, Vec::<String>::new(), "no unfinished file is left");
}

/// A run continued with another `--warc` than the stopped run's is told where
/// the pages it reads from the state were recorded.
#[test]
fn a_run_continued_into_another_warc_says_where_the_earlier_pages_are() {
    let meetings = site::meetings(6);
    let site = SiteDir::new(&meetings);
    let last_detail = site::detail_path(*meetings.last().unwrap());
    let dir = tempfile::tempdir().unwrap();
    let start = site.start();
    // Continued with another --warc, then without one.
    for (n, next) in [Some("tuesday.warc.gz"), None].into_iter().enumerate() {
        site.server.route(&last_detail, Route::Hang);
        let state = dir.path().join(format!("{n}.state"));
        let args = |warc: Option<&str>| -> Vec<String> {
            let mut args: Vec<String> = ["crawl", "--state", state.to_str().unwrap(), "-o", "-"]
                .map(String::from)
                .to_vec();
            args.extend(FAST.iter().filter(|a| **a != "-q").map(|a| a.to_string()));
            if let Some(warc) = warc {
                args.extend(["--warc".into(), dir.path().join(warc).display().to_string()]);
            }
            args.push(start.clone());
            args
        };
        let asked_before = site.server.paths().len();
        let child = harava()
            .args(args(Some("monday.warc.gz")))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let stopped = terminate_when(child, "the hanging detail page", || {
            site.server.paths()[asked_before..].contains(&last_detail)
        });
        assert_eq!(stopped.status.code(), Some(130));

        site.server.route(&last_detail, Route::status(404));
        let continued = harava().args(args(next)).output().unwrap();
        let said = stderr(&continued);
        assert!(
            said.contains(&format!(
                "the run this one continues wrote its WARC to {}",
                dir.path().join("monday.warc.gz").display()
            )),
            "--warc {next:?}: {said}"
        );
    }
}

/// Records by id, without when they were fetched.
fn comparable_by_id(records: &[Value]) -> BTreeMap<String, Value> {
    records
        .iter()
        .map(|r| {
            let mut r = r.clone();
            r["fetched_at"] = Value::Null;
            (r["id"].as_str().unwrap().to_string(), r)
        })
        .collect()
}

#[test]
fn a_second_run_on_the_same_state_exits_1_naming_the_first() {
    let site = SiteDir::new(&site::meetings(9));
    // The first run hangs on its first page, holding the state.
    site.server.route(site::FIRST_LISTING, Route::Hang);
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("harava.state");
    let start = site.start();
    let state_arg = state.to_str().unwrap();
    let mut first = harava()
        .args([
            "crawl",
            "--state",
            state_arg,
            "--rate",
            "0",
            "--timeout",
            "60",
            "-o",
            "/dev/null",
            &start,
        ])
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !site.server.paths().iter().any(|p| p == site::FIRST_LISTING) {
        assert!(
            std::time::Instant::now() < deadline,
            "the first run never started"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let second = crawl(&site, &state, &["-o", "/dev/null"]);
    let _ = first.kill();
    let _ = first.wait();
    assert_eq!(second.status.code(), Some(1), "{}", stderr(&second));
    let message = stderr(&second);
    assert!(
        message.contains(&format!("pid {}", first.id())),
        "{message}"
    );
    assert!(message.contains("started 20"), "{message}");

    // The first run is gone (killed), so its lock is taken over.
    site.server.route(
        site::FIRST_LISTING,
        Route::html(
            &std::fs::read_to_string(site.dir.path().join("kuntajohtajakokous/index.html"))
                .unwrap(),
        ),
    );
    let third = crawl(&site, &state, &["-o", "/dev/null"]);
    assert_eq!(third.status.code(), Some(0), "{}", stderr(&third));
}

#[test]
fn since_writes_only_meetings_from_that_date_and_stops_paging_at_older_ones() {
    let meetings = site::meetings(45);
    let site = SiteDir::new(&meetings);
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("harava.state");
    let out = dir.path().join("out.jsonl");
    let changes = dir.path().join("changes.jsonl");
    // The 12 newest meetings: page 1 and three of page 2.
    let since = meetings[11].date.format("%-d.%-m.%Y").to_string();
    let output = crawl(
        &site,
        &state,
        &[
            "-o",
            out.to_str().unwrap(),
            "--changes",
            changes.to_str().unwrap(),
            "--since",
            &since,
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let written = lines(&out);
    assert_eq!(written.len(), 12);
    // The older meetings read on the way are no news of this run's.
    let changes = lines(&changes);
    assert_eq!(changes.len(), 12);
    assert!(changes.iter().all(|c| c["change"] == "new"));
    assert!(
        written
            .iter()
            .all(|r| r["meeting_date"].as_str().unwrap() >= meetings[11].date.to_string().as_str())
    );
    let listings: Vec<String> = site
        .server
        .paths()
        .into_iter()
        .filter(|p| p.starts_with(site::FIRST_LISTING))
        .collect();
    assert_eq!(
        listings,
        [
            site::listing_path(1),
            site::listing_path(2),
            site::listing_path(3)
        ],
        "page 3 holds only older meetings, so page 4 is not asked for"
    );
}

#[test]
fn state_status_tells_a_monitor_when_the_last_good_run_is_too_old() {
    let site = SiteDir::new(&site::meetings(18));
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("harava.state");
    let state_arg = state.to_str().unwrap();
    site.server
        .route(&site::listing_path(2), Route::status(503));
    let failed = crawl(&site, &state, &["-o", "/dev/null"]);
    assert_eq!(failed.status.code(), Some(3), "{}", stderr(&failed));

    let status = run(&["state", "status", "--state", state_arg, "--max-age", "1h"]);
    assert_eq!(status.status.code(), Some(1), "no successful run yet");
    assert!(
        stderr(&status).contains(&site.start()),
        "{}",
        stderr(&status)
    );
    let table = String::from_utf8(status.stdout).unwrap();
    assert!(table.contains(&site.start()), "{table}");
    assert!(table.contains("failed_pages"), "{table}");

    site.server.route(
        &site::listing_path(2),
        Route::html(
            &std::fs::read_to_string(site.dir.path().join("kuntajohtajakokous/page/2/index.html"))
                .unwrap(),
        ),
    );
    let good = crawl(&site, &state, &["-o", "/dev/null"]);
    assert_eq!(good.status.code(), Some(0), "{}", stderr(&good));
    let status = run(&[
        "state",
        "status",
        "--state",
        state_arg,
        "--max-age",
        "1h",
        "--json",
    ]);
    assert_eq!(status.status.code(), Some(0), "{}", stderr(&status));
    let json: Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(json["sources"][0]["start"], site.start().as_str(), "{json}");
    // The failed run delivered the first page; the good one, the second.
    assert_eq!(
        json["sources"][0]["last_success"]["counts"]["new"], 9,
        "{json}"
    );

    let bad_age = run(&["state", "status", "--state", state_arg, "--max-age", "soon"]);
    assert_eq!(bad_age.status.code(), Some(2));
    assert!(
        stderr(&bad_age).contains("e.g. 36h or 2d"),
        "{}",
        stderr(&bad_age)
    );
}

/// A run whose start page failed read nothing, and `state status` still says
/// what it tried, for the monitor that looks into the alarm.
#[test]
fn state_status_counts_the_requests_of_a_run_whose_start_page_failed() {
    let site = SiteDir::new(&site::meetings(6));
    site.server.route(site::FIRST_LISTING, Route::status(503));
    let dir = tempfile::tempdir().unwrap();
    // Yesterday's file, which a run that read nothing leaves as it was, and a
    // device, which it writes through.
    let yesterday = "{\"id\": \"yesterday\"}\n";
    let out = dir.path().join("out.jsonl");
    std::fs::write(&out, yesterday).unwrap();
    for (n, output) in [out.to_str().unwrap(), "/dev/null"].into_iter().enumerate() {
        let state = dir.path().join(format!("{n}.state"));
        let failed = crawl(&site, &state, &["-o", output]);
        assert_eq!(failed.status.code(), Some(3), "{}", stderr(&failed));
        let status = run(&[
            "state",
            "status",
            "--state",
            state.to_str().unwrap(),
            "--json",
        ]);
        let json: Value = serde_json::from_slice(&status.stdout).unwrap();
        let last_run = &json["sources"][0]["last_run"];
        assert_eq!(last_run["outcome"], "failed_pages", "{json}");
        let counts = &last_run["counts"];
        // robots.txt and the start page (FAST: no retries).
        assert_eq!(
            (
                &counts["requests"],
                &counts["pages_fetched"],
                &counts["pages_failed"],
                &counts["records"]
            ),
            (
                &Value::from(2),
                &Value::from(0),
                &Value::from(1),
                &Value::from(0)
            ),
            "-o {output}: {json}"
        );
    }
    assert_eq!(std::fs::read_to_string(&out).unwrap(), yesterday);
}

#[test]
fn a_state_file_of_harava_0_2_is_converted_and_its_meetings_known() {
    let dir = tempfile::tempdir().unwrap();
    let samples = crate::util::samples();
    let fresh = dir.path().join("fresh.state");
    let first = run(&[
        "extract",
        "--state",
        fresh.to_str().unwrap(),
        samples.to_str().unwrap(),
    ]);
    assert!(first.status.success(), "{}", stderr(&first));
    let ids: Vec<String> = records(&first.stdout)
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    // A 0.2 state file with the same meetings under other hashes: every one is
    // known, so changed, and what changed cannot be named.
    let old = dir.path().join("old.state");
    let jsonl: String = ids
        .iter()
        .map(|id| format!("{{\"id\":\"{id}\",\"hash\":\"0000000000000000\"}}\n"))
        .collect();
    std::fs::write(&old, jsonl).unwrap();
    let changes = dir.path().join("changes.jsonl");
    let converted = run(&[
        "extract",
        "--state",
        old.to_str().unwrap(),
        "--changes",
        changes.to_str().unwrap(),
        samples.to_str().unwrap(),
    ]);
    assert!(converted.status.success(), "{}", stderr(&converted));
    assert!(
        std::fs::read(&old)
            .unwrap()
            .starts_with(b"SQLite format 3\0")
    );
    let changes = lines(&changes);
    assert_eq!(changes.len(), ids.len());
    assert!(
        changes
            .iter()
            .all(|c| c["change"] == "changed" && c["fields_changed"] == serde_json::json!(["*"])),
        "{changes:?}"
    );
}

#[test]
fn a_run_stopped_by_sigterm_is_continued_in_the_same_file() {
    let meetings = site::meetings(45);
    let site = SiteDir::new(&meetings);
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("harava.state");
    let out = dir.path().join("news.jsonl");
    let start = site.start();
    let state_arg = state.to_str().unwrap().to_string();
    let out_arg = out.to_str().unwrap().to_string();
    // Slow enough that SIGTERM finds the crawl half done.
    let args = [
        "crawl", "--state", &state_arg, "-o", &out_arg, "--rate", "20", "-q", &start,
    ];
    let child = harava().args(args).spawn().unwrap();
    let stopped = terminate_when(child, "the crawl getting going", || {
        site.server.paths().len() >= 15
    });
    assert_eq!(stopped.status.code(), Some(130));
    let first_part = lines(&out);
    assert!(
        !first_part.is_empty() && first_part.len() < 45,
        "{}",
        first_part.len()
    );

    let rest = harava().args(args).output().unwrap();
    assert_eq!(rest.status.code(), Some(0), "{}", stderr(&rest));
    let all = lines(&out);
    assert_eq!(
        &all[..first_part.len()],
        &first_part[..],
        "the stopped run's lines stay first"
    );
    let ids: HashSet<&str> = all.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!((all.len(), ids.len()), (45, 45), "every meeting once");
}

/// A stopped run continued hours later does not take its pages from the
/// state as if they were read just now: the listing is asked again (with its
/// validators) and shows the meeting posted since.
#[test]
fn a_run_continued_hours_later_asks_for_its_pages_again() {
    let mut meetings = site::meetings(18);
    let site = SiteDir::new(&meetings);
    let last_detail = site::detail_path(*meetings.last().unwrap());
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("harava.state");
    let out = dir.path().join("out.jsonl");
    let start = site.start();
    let mut args = vec![
        "crawl",
        "--state",
        state.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(FAST);
    args.push(&start);
    let stopped = stopped_at(&site, &last_detail, &args);
    assert_eq!(stopped.status.code(), Some(130), "{}", stderr(&stopped));

    // Seven hours on, a meeting was posted.
    let newest = Meeting {
        date: meetings[0].date.succ_opt().unwrap(),
        post: 1000,
    };
    meetings.insert(0, newest);
    site.publish(&meetings, |_, page| page);
    let db = rusqlite::Connection::open(&state).unwrap();
    let aged = db
        .execute(
            "UPDATE urls SET fetched_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-7 hours')",
            [],
        )
        .unwrap();
    assert!(aged > 0);
    drop(db);

    let before = site.server.log().len();
    let continued = harava().args(&args).output().unwrap();
    assert_eq!(continued.status.code(), Some(0), "{}", stderr(&continued));
    let asked: Vec<_> = site.server.log()[before..]
        .iter()
        .filter(|logged| logged.path == site::FIRST_LISTING)
        .map(|logged| logged.headers.contains_key("if-none-match"))
        .collect();
    assert_eq!(asked, [true], "the first listing asked once, conditionally");
    let written = lines(&out);
    let ids: HashSet<&str> = written.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), written.len(), "no meeting twice");
    id_of(&written, newest);
    assert_eq!(written.len(), meetings.len());
}

/// The arguments of a crawl of `site` with the state `state`, writing `out`
/// and `changes` in `dir`, with `extra`.
fn shift_run(site: &SiteDir, dir: &Path, out: &str, extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = ["crawl", "--state"].map(String::from).to_vec();
    args.push(dir.join("harava.state").display().to_string());
    args.push("-o".into());
    args.push(dir.join(format!("{out}.jsonl")).display().to_string());
    args.push("--changes".into());
    args.push(dir.join(format!("{out}.changes")).display().to_string());
    for arg in ["--rate", "0", "--retries", "0", "--timeout", "60", "-q"]
        .iter()
        .chain(extra)
    {
        args.push(arg.to_string());
    }
    args.push(site.start());
    args
}

/// Runs `args` until it has asked for the third listing page, which hangs,
/// and delivered meetings, then kills it; takes the newest meeting down, so
/// every other moves up one place, and lets the third page answer. Returns
/// the meeting taken down.
fn kill_at_page_3_and_take_the_newest_down(
    site: &SiteDir,
    meetings: &mut Vec<Meeting>,
    state: &Path,
    args: &[String],
) -> Meeting {
    site.server.route(&site::listing_path(3), Route::Hang);
    killed_once_delivering(args, &site.server, &site::listing_path(3), state);
    let taken_down = meetings.remove(0);
    site.publish(meetings, |_, page| page);
    site.serve_as_published(&site::listing_path(3));
    taken_down
}

fn removed_in(path: &Path) -> Vec<String> {
    lines(path)
        .iter()
        .filter(|c| c["change"] == "removed")
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect()
}

/// A run that continues a killed one into a new file (the next day's) writes
/// the killed run's meetings again, and removes the file that run left
/// unfinished, which no run would finish.
#[test]
fn a_run_continued_into_another_file_removes_the_killed_runs_unfinished_one() {
    let meetings = site::meetings(3 * site::ENTRIES_PER_LISTING);
    let site = SiteDir::new(&meetings);
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("harava.state");
    site.server.route(&site::listing_path(3), Route::Hang);
    let first = shift_run(&site, dir.path(), "1", &[]);
    killed_once_delivering(&first, &site.server, &site::listing_path(3), &state);
    let unfinished = dir.path().join(".1.jsonl.harava-resume.partial");
    assert!(unfinished.exists());

    site.serve_as_published(&site::listing_path(3));
    let continued = harava()
        .args(shift_run(&site, dir.path(), "2", &[]))
        .output()
        .unwrap();
    assert_eq!(continued.status.code(), Some(0), "{}", stderr(&continued));
    let written = lines(&dir.path().join("2.jsonl"));
    assert_eq!(written.len(), meetings.len());
    for meeting in &meetings {
        id_of(&written, *meeting);
    }
    let mut left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.starts_with('.'))
        .collect();
    left.sort();
    assert_eq!(left, Vec::<String>::new(), "no unfinished file is left");
}

/// A listing page that answers with no meeting at all (a maintenance page, a
/// new layout) is a page that failed: the run says so and exits 3, `state
/// status` does not call it a success, and nothing is taken for removed.
#[test]
fn a_listing_page_that_shows_no_meeting_fails_the_run() {
    let meetings = site::meetings(3 * site::ENTRIES_PER_LISTING);
    let site = SiteDir::new(&meetings);
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("harava.state");
    let whole = harava()
        .args(shift_run(&site, dir.path(), "1", &[]))
        .output()
        .unwrap();
    assert_eq!(whole.status.code(), Some(0), "{}", stderr(&whole));

    site.server.route(
        &site::listing_path(2),
        Route::html("<html><body><h1>Huoltokatko</h1><p>Palvelu palaa pian.</p></body></html>"),
    );
    let broken = harava()
        .args(shift_run(&site, dir.path(), "2", &["--full"]))
        .output()
        .unwrap();
    assert_eq!(broken.status.code(), Some(3), "{}", stderr(&broken));
    assert!(
        stderr(&broken).contains(&format!(
            "{}: no entries on this page by the selectors of profile ",
            site.server.url(&site::listing_path(2))
        )),
        "{}",
        stderr(&broken)
    );
    assert_eq!(
        removed_in(&dir.path().join("2.changes")),
        Vec::<String>::new()
    );
    let status = run(&[
        "state",
        "status",
        "--state",
        state.to_str().unwrap(),
        "--json",
    ]);
    let json: Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(
        json["sources"][0]["last_run"]["outcome"], "failed_pages",
        "{json}"
    );
}

/// A killed run read the first two listing pages; before the run that
/// continues it, the newest meeting is taken down. The continuing run reads
/// those two pages from the state and the third from the site: the meeting
/// that moved from page 3 to page 2 is on neither. The next run reads the
/// whole listing rather than stop at known meetings, and writes it.
#[test]
fn a_listing_that_shifted_under_a_continued_run_loses_no_meeting() {
    let mut meetings = site::meetings(3 * site::ENTRIES_PER_LISTING);
    let site = SiteDir::new(&meetings);
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("harava.state");
    let first = shift_run(&site, dir.path(), "1", &[]);
    kill_at_page_3_and_take_the_newest_down(&site, &mut meetings, &state, &first);
    let continued = harava().args(&first).output().unwrap();
    assert_eq!(continued.status.code(), Some(0), "{}", stderr(&continued));
    let next = harava()
        .args(shift_run(&site, dir.path(), "2", &[]))
        .output()
        .unwrap();
    assert_eq!(next.status.code(), Some(0), "{}", stderr(&next));

    let mut written = lines(&dir.path().join("1.jsonl"));
    written.extend(lines(&dir.path().join("2.jsonl")));
    let ids: HashSet<&str> = written.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), written.len(), "no meeting written twice");
    for meeting in &meetings {
        id_of(&written, *meeting);
    }
}

/// As above, after a whole run, with `--full` (which reports removals): the
/// continuing run judges no removal on its mixed reading, which would call
/// the meeting that moved removed and miss the one taken down; the next run
/// reports the one taken down.
#[test]
fn a_listing_that_shifted_under_a_continued_run_removes_no_live_meeting() {
    let mut meetings = site::meetings(3 * site::ENTRIES_PER_LISTING);
    let site = SiteDir::new(&meetings);
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("harava.state");
    let whole = harava()
        .args(shift_run(&site, dir.path(), "0", &[]))
        .output()
        .unwrap();
    assert_eq!(whole.status.code(), Some(0), "{}", stderr(&whole));
    let ids = lines(&dir.path().join("0.jsonl"));

    let full = shift_run(&site, dir.path(), "1", &["--full"]);
    let taken_down = kill_at_page_3_and_take_the_newest_down(&site, &mut meetings, &state, &full);
    let continued = harava().args(&full).output().unwrap();
    assert_eq!(continued.status.code(), Some(0), "{}", stderr(&continued));
    assert_eq!(
        removed_in(&dir.path().join("1.changes")),
        Vec::<String>::new(),
        "removed on a mixed reading"
    );
    let next = harava()
        .args(shift_run(&site, dir.path(), "2", &["--full"]))
        .output()
        .unwrap();
    assert_eq!(next.status.code(), Some(0), "{}", stderr(&next));
    assert_eq!(
        removed_in(&dir.path().join("2.changes")),
        [id_of(&ids, taken_down)]
    );
}

#[test]
fn a_trial_with_max_pages_or_a_run_killed_midway_does_not_make_later_runs_stop_early() {
    let meetings = site::meetings(45);
    let site = SiteDir::new(&meetings);
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("harava.state");
    let trial = crawl(&site, &state, &["--max-pages", "1", "-o", "/dev/null"]);
    assert_eq!(trial.status.code(), Some(0), "{}", stderr(&trial));
    // The trial read one page, without its detail pages: the real run must not
    // trust it for the rest, and reads those detail pages (their meetings
    // change: they get their bodies).
    let out = dir.path().join("first.jsonl");
    let first = crawl(&site, &state, &["-o", out.to_str().unwrap()]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let first = lines(&out);
    assert_eq!(first.len(), 45);
    assert!(first.iter().all(|r| r["body"].is_string()));

    // A killed run whose output never reached its place: the next run, with
    // another output file, delivers what the killed one had written.
    let start = site.start();
    let state_arg = state.to_str().unwrap().to_string();
    let newer: Vec<Meeting> = (0..18)
        .map(|n| Meeting {
            date: meetings[0].date + chrono::Days::new(18 - n),
            post: 2000 + n as usize,
        })
        .chain(meetings.iter().copied())
        .collect();
    site.publish(&newer, |_, page| page);
    let killed_out = dir.path().join("killed.jsonl");
    let killed_arg = killed_out.to_str().unwrap().to_string();
    let mut killed = harava()
        .args([
            "crawl",
            "--state",
            &state_arg,
            "-o",
            &killed_arg,
            "--rate",
            "20",
            "-q",
            &start,
        ])
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let before = site.server.paths().len();
    while site.server.paths().len() < before + 12 {
        assert!(
            std::time::Instant::now() < deadline,
            "the crawl never got going"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    killed.kill().unwrap();
    killed.wait().unwrap();
    assert!(
        !killed_out.exists(),
        "a killed run's output is not in place"
    );
    let next_out = dir.path().join("next.jsonl");
    let next = crawl(&site, &state, &["-o", next_out.to_str().unwrap()]);
    assert_eq!(next.status.code(), Some(0), "{}", stderr(&next));
    let ids: HashSet<String> = lines(&next_out)
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        ids.len(),
        18,
        "the 18 new meetings, whatever the killed run wrote"
    );
}
