//! SIGINT, SIGTERM and SIGHUP during `crawl` (CDX discovery included) and
//! `extract`: whole records, the summary, exit 130 and no temporary file left
//! behind; a second signal stops at once and still cleans up.

use std::fs;
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Child, ExitStatus, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::response::IntoResponse;

use crate::util::{self, Route, TestServer, records, samples};

fn send(child: &Child, signal: &str) {
    let sent = std::process::Command::new("kill")
        .args([format!("-{signal}"), child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
}

/// Waits for `child` to end (at most 20 s) and returns its status and stderr.
fn finish(mut child: Child) -> (ExitStatus, String) {
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!("harava did not stop after the signal");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    (status, err)
}

fn wait_until(what: &str, done: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// What `child` has read so far, in bytes (Linux's count of its reads).
fn bytes_read(child: &Child) -> u64 {
    let io = fs::read_to_string(format!("/proc/{}/io", child.id())).unwrap();
    io.lines()
        .find_map(|line| line.strip_prefix("rchar: "))
        .and_then(|count| count.parse().ok())
        .unwrap()
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn sigterm_and_sighup_stop_a_crawl_as_ctrl_c_does() {
    for signal in ["TERM", "HUP"] {
        let server = TestServer::samples();
        server.route("/kuntajohtajakokous/page/2/", Route::Hang);
        let dir = tempfile::tempdir().unwrap();
        let path = |name: &str| dir.path().join(name).display().to_string();
        let child = util::harava()
            .args([
                "crawl",
                "--rate",
                "0",
                "--timeout",
                "60",
                "--no-details",
                "-o",
                &path("out.jsonl"),
                "--warc",
                &path("out.warc.gz"),
                "--stats",
                &path("stats.json"),
                "--manifest",
                &path("manifest.json"),
                &server.url("/kuntajohtajakokous/"),
            ])
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        wait_until("the hanging page", || {
            server
                .paths()
                .contains(&"/kuntajohtajakokous/page/2/".to_string())
        });
        send(&child, signal);
        let (status, err) = finish(child);
        assert_eq!(status.code(), Some(130), "SIG{signal}: {err}");
        assert!(
            err.contains("records written in") && err.contains("; interrupted\n"),
            "the summary: {err}"
        );
        let written = records(&fs::read(path("out.jsonl")).unwrap());
        assert!(!written.is_empty(), "the first page's records");
        let stats: serde_json::Value =
            serde_json::from_slice(&fs::read(path("stats.json")).unwrap()).unwrap();
        assert_eq!(stats["interrupted"], true);
        assert_eq!(stats["records_written"], written.len());
        // An archivist reading the manifest alone learns the dataset is partial.
        let manifest: serde_json::Value =
            serde_json::from_slice(&fs::read(path("manifest.json")).unwrap()).unwrap();
        assert_eq!(manifest["outcome"], "interrupted");
        assert_eq!(
            names(dir.path()),
            ["manifest.json", "out.jsonl", "out.warc.gz", "stats.json"],
            "SIG{signal}: no temporary file left"
        );
    }
}

#[test]
fn ctrl_c_during_cdx_discovery_keeps_the_warc_and_leaves_no_temporary_file() {
    let cdx_requests = Arc::new(AtomicUsize::new(0));
    let counter = cdx_requests.clone();
    // An archive whose CDX index never answers; everything else is a 404.
    let app = axum::Router::new().fallback(move |uri: axum::http::Uri| {
        let counter = counter.clone();
        async move {
            if uri.path().starts_with("/cdx/") {
                counter.fetch_add(1, Ordering::SeqCst);
                std::future::pending::<()>().await;
            }
            (axum::http::StatusCode::NOT_FOUND, "not found").into_response()
        }
    });
    let (address, _server) = util::spawn_server(app);
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name).display().to_string();
    let child = util::harava()
        .args([
            "crawl",
            "--cdx",
            &format!("http://{address}"),
            "--cdx-rate",
            "0",
            "--timeout",
            "60",
            "-o",
            &path("out.jsonl"),
            "--warc",
            &path("cdx.warc.gz"),
            "--stats",
            &path("stats.json"),
            "https://www.example.fi/kokoukset/*",
        ])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_until("the CDX query", || cdx_requests.load(Ordering::SeqCst) > 0);
    send(&child, "INT");
    let (status, err) = finish(child);
    assert_eq!(status.code(), Some(130), "{err}");
    assert!(err.contains("; interrupted\n"), "the summary: {err}");
    let stats: serde_json::Value =
        serde_json::from_slice(&fs::read(path("stats.json")).unwrap()).unwrap();
    assert_eq!(stats["interrupted"], true);
    assert_eq!(fs::read_to_string(path("out.jsonl")).unwrap(), "");
    // The warcinfo record at least, and robots.txt's exchange.
    assert!(fs::metadata(path("cdx.warc.gz")).unwrap().len() > 0);
    assert_eq!(
        names(dir.path()),
        ["cdx.warc.gz", "out.jsonl", "stats.json"]
    );
}

#[test]
fn sigterm_stops_extract_after_whole_records() {
    let inputs = tempfile::tempdir().unwrap();
    let listing = fs::read(samples().join("kuntajohtajakokous/index.html")).unwrap();
    for n in 0..2000 {
        fs::write(inputs.path().join(format!("{n:04}.html")), &listing).unwrap();
    }
    // Read first: a detail page whose listing the run never reaches. That
    // is no news when the run was stopped before reading everything.
    fs::copy(
        samples().join("muistiot/strategisen-johtoryhman-kokous-1-2-2019/index.html"),
        inputs.path().join("0000-detail.html"),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.jsonl");
    let child = util::harava()
        .args([
            "extract",
            "-o",
            out.to_str().unwrap(),
            inputs.path().to_str().unwrap(),
        ])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The temporary output appears once the handlers are in place and the
    // profiles loaded; extraction is under way once ten pages' worth has been
    // read (2000 pages take seconds), however slow the machine.
    wait_until("the temporary output", || names(dir.path()).len() == 1);
    wait_until("ten pages read", || {
        bytes_read(&child) > 10 * listing.len() as u64
    });
    send(&child, "TERM");
    let (status, err) = finish(child);
    assert_eq!(status.code(), Some(130), "{err}");
    let summary = regex::Regex::new(
        r"harava: interrupted: (\d+) records written from the (\d+) inputs read\n$",
    )
    .unwrap();
    let counts = summary.captures(&err).unwrap_or_else(|| panic!("{err}"));
    let inputs_read: usize = counts[2].parse().unwrap();
    assert!(inputs_read > 0 && inputs_read < 2000, "{err}");
    assert!(!err.contains("gave no record"), "{err}");
    let written = records(&fs::read(&out).unwrap());
    assert_eq!(written.len(), counts[1].parse::<usize>().unwrap());
    assert_eq!(names(dir.path()), ["out.jsonl"]);
}

#[test]
fn a_second_signal_stops_at_once_and_removes_the_temporary_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.jsonl");
    // Standard input stays open, so the first signal finds the read unfinished.
    let mut child = util::harava()
        .args(["extract", "-o", out.to_str().unwrap(), "-"])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    wait_until("the temporary output", || names(dir.path()).len() == 1);
    // More than a pipe holds: once written, harava has begun reading, and a
    // signal before that would rightly stop it at once. Written by a thread,
    // so that a harava that stops reading fails the test instead of hanging it.
    let (written, wrote) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        stdin.write_all(b"<!DOCTYPE html><html><body><p>").unwrap();
        stdin.write_all(&b"sana ".repeat(64 * 1024)).unwrap();
        written.send(stdin).unwrap();
    });
    let stdin = wrote
        .recv_timeout(Duration::from_secs(30))
        .expect("harava reads its standard input");
    send(&child, "TERM");
    std::thread::sleep(Duration::from_millis(300));
    if let Some(status) = child.try_wait().unwrap() {
        let (_, err) = finish(child);
        panic!("stopped at the first signal, though still reading stdin: {status}; {err}");
    }
    send(&child, "HUP");
    let (status, err) = finish(child);
    drop(stdin);
    assert_eq!(status.code(), Some(130), "{err}");
    assert_eq!(
        err,
        format!(
            "harava: stopped at once by a second signal; not written: {} (their temporary files were removed)\n",
            out.display()
        )
    );
    assert_eq!(names(dir.path()), Vec::<String>::new());
}

#[test]
fn sigterm_stops_the_demo_with_its_records_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let child = util::harava()
        .current_dir(dir.path())
        .arg("demo")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // At one request a second, the demo is still crawling a few seconds in.
    wait_until("the temporary output", || names(dir.path()).len() == 1);
    std::thread::sleep(Duration::from_millis(2500));
    send(&child, "TERM");
    let (status, err) = finish(child);
    assert_eq!(status.code(), Some(130), "{err}");
    assert!(err.contains("; interrupted\n"), "the summary: {err}");
    let written = records(&fs::read(dir.path().join("harava-demo.jsonl")).unwrap());
    assert!(written.len() < 19, "{}", written.len());
    assert_eq!(names(dir.path()), ["harava-demo.jsonl"]);
}
