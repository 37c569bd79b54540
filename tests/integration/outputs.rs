//! Output files (`-o`, `--warc`, `--state`, `--stats`): checked before the run,
//! written through symbolic links and into FIFOs, created with the user's umask,
//! never clobbered by a run that read nothing, and a WARC that survives whatever
//! ends the crawl.

use std::fs;
use std::io::Read;
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::Path;
use std::process::Stdio;

use crate::util::{self, Route, TestServer, crawl, records, run, samples, state_meetings, stderr};

const FAST: &[&str] = &["--rate", "0", "--retries", "0", "--timeout", "5"];

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// The names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The `WARC-Target-URI` of every record in a `.warc.gz`, in order.
fn warc_targets(path: &Path) -> Vec<String> {
    let bytes = fs::read(path).unwrap();
    let mut text = Vec::new();
    flate2::read::MultiGzDecoder::new(&bytes[..])
        .read_to_end(&mut text)
        .unwrap();
    String::from_utf8_lossy(&text)
        .lines()
        .filter_map(|l| l.strip_prefix("WARC-Target-URI: "))
        .map(str::to_string)
        .collect()
}

#[test]
fn every_output_path_is_checked_before_anything_is_fetched() {
    let server = TestServer::samples();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display().to_string();
    let start = server.url("/kuntajohtajakokous/");
    let cases: [(&str, String, String); 5] = [
        (
            "--warc",
            d.clone(),
            format!("harava: --warc {d}: is a directory; give the path of a file to write\n"),
        ),
        (
            "-o",
            format!("{d}/no/out.jsonl"),
            format!(
                "harava: -o {d}/no/out.jsonl: the directory {d}/no does not exist; create it first or give another path\n"
            ),
        ),
        (
            "--state",
            format!("{d}/no/state"),
            format!(
                "harava: --state {d}/no/state: the directory {d}/no does not exist; create it first or give another path\n"
            ),
        ),
        (
            "--stats",
            d.clone(),
            format!("harava: --stats {d}: is a directory; give the path of a file to write\n"),
        ),
        (
            "--stats",
            "/sys/harava-stats.json".into(),
            "harava: --stats /sys/harava-stats.json: cannot create a file in /sys: ".into(),
        ),
    ];
    for (flag, path, message) in cases {
        let mut args = FAST.to_vec();
        args.extend([flag, path.as_str(), start.as_str()]);
        let output = crawl(&args);
        assert_eq!(output.status.code(), Some(1), "{flag} {path}");
        let err = stderr(&output);
        if message.ends_with('\n') {
            assert_eq!(err, message);
        } else {
            assert!(
                err.starts_with(&message) && err.ends_with("; give a writable location\n"),
                "{err}"
            );
        }
    }
    assert_eq!(server.paths(), Vec::<String>::new(), "nothing was fetched");
    assert_eq!(names(dir.path()), Vec::<String>::new(), "nothing was left");

    let output = run(&["extract", "-o", &d, samples().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr(&output),
        format!("harava: -o {d}: is a directory; give the path of a file to write\n")
    );
}

#[test]
fn an_output_through_a_symlink_goes_to_its_target_and_the_link_stays() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("real")).unwrap();
    let target = dir.path().join("real/meetings.jsonl");
    fs::write(&target, "old\n").unwrap();
    let link = dir.path().join("latest.jsonl");
    std::os::unix::fs::symlink("real/meetings.jsonl", &link).unwrap();
    // A dangling link names the file to create.
    let state_link = dir.path().join("state");
    std::os::unix::fs::symlink("real/state.jsonl", &state_link).unwrap();

    let output = run(&[
        "extract",
        "-o",
        link.to_str().unwrap(),
        "--state",
        state_link.to_str().unwrap(),
        samples().to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(
        fs::symlink_metadata(&state_link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(records(&fs::read(&target).unwrap()).len(), 19);
    assert_eq!(state_meetings(&dir.path().join("real/state.jsonl")), 19);
    assert_eq!(
        names(&dir.path().join("real")),
        ["meetings.jsonl", "state.jsonl"]
    );
}

#[test]
fn an_output_that_is_a_fifo_is_written_through_not_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("records.fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let (sent, received) = std::sync::mpsc::channel();
    {
        let fifo = fifo.clone();
        std::thread::spawn(move || sent.send(fs::read(fifo).unwrap()));
    }
    let output = run(&[
        "extract",
        "-o",
        fifo.to_str().unwrap(),
        samples().to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    // A reader left waiting means the records went somewhere else.
    let read = received
        .recv_timeout(std::time::Duration::from_secs(10))
        .expect("the FIFO's reader got the records");
    assert_eq!(records(&read).len(), 19);
    assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
    assert_eq!(names(dir.path()), ["records.fifo"]);

    // A link the kernel resolves to a pipe that has no path.
    let output = run(&["extract", "-o", "/dev/stdout", samples().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(records(&output.stdout).len(), 19);

    // A character device: the records vanish into it and it stays a device.
    let output = run(&["extract", "-o", "/dev/null", samples().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        fs::metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_char_device()
    );
}

#[test]
fn new_output_files_get_the_umask_mode_and_replaced_ones_keep_theirs() {
    let server = TestServer::samples();
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name).display().to_string();
    let kept = dir.path().join("state");
    fs::write(&kept, "").unwrap();
    fs::set_permissions(&kept, fs::Permissions::from_mode(0o640)).unwrap();
    let command = format!(
        "umask 022 && exec \"$0\" crawl --rate 0 --no-details -o {} --warc {} --stats {} --state {} {}",
        path("out.jsonl"),
        path("out.warc.gz"),
        path("stats.json"),
        path("state"),
        server.url("/kuntajohtajakokous/page/3/")
    );
    let output = std::process::Command::new("sh")
        .args(["-c", &command, env!("CARGO_BIN_EXE_harava")])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    for name in ["out.jsonl", "out.warc.gz", "stats.json"] {
        assert_eq!(mode(&dir.path().join(name)), 0o644, "{name}");
    }
    assert_eq!(mode(&kept), 0o640, "state");
    assert_eq!(
        names(dir.path()),
        [
            "out.jsonl",
            "out.warc.gz",
            "state",
            "state.lock",
            "stats.json"
        ]
    );
}

#[test]
fn a_run_that_read_no_page_leaves_the_previous_output_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.jsonl");
    let state = dir.path().join("state");
    fs::write(&out, "yesterday\n").unwrap();
    fs::write(&state, "").unwrap();
    let missing = dir.path().join("missing.html");
    let output = run(&[
        "extract",
        "-o",
        out.to_str().unwrap(),
        "--state",
        state.to_str().unwrap(),
        missing.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert!(
        stderr(&output).contains(&format!(
            "harava: no page was read; {} was left as it was\n",
            out.display()
        )),
        "{}",
        stderr(&output)
    );
    assert_eq!(fs::read_to_string(&out).unwrap(), "yesterday\n");

    // A WARC read whole that holds no page (a warcinfo record alone).
    let inputs = tempfile::tempdir().unwrap();
    let warc = inputs.path().join("info.warc");
    fs::write(
        &warc,
        "WARC/1.1\r\nWARC-Type: warcinfo\r\nWARC-Record-ID: <urn:uuid:00000000-0000-4000-8000-000000000000>\r\n\
         WARC-Date: 2024-01-01T00:00:00Z\r\nContent-Type: application/warc-fields\r\nContent-Length: 0\r\n\r\n\r\n\r\n",
    )
    .unwrap();
    let output = run(&[
        "extract",
        "-o",
        out.to_str().unwrap(),
        warc.to_str().unwrap(),
    ]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(3), "{err}");
    assert!(
        err.contains("the inputs hold no HTML page (nor WET text) to extract records from"),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "harava: no page was read; {} was left as it was\n",
            out.display()
        )),
        "{err}"
    );
    assert_eq!(fs::read_to_string(&out).unwrap(), "yesterday\n");
    // That WARC beside a missing file: one failure of two inputs, and no page.
    let output = run(&[
        "extract",
        "-o",
        out.to_str().unwrap(),
        warc.to_str().unwrap(),
        missing.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert_eq!(fs::read_to_string(&out).unwrap(), "yesterday\n");

    let server = TestServer::empty();
    server.route("/kokoukset/", Route::status(500));
    let mut args = FAST.to_vec();
    let url = server.url("/kokoukset/");
    args.extend(["-o", out.to_str().unwrap(), url.as_str()]);
    let output = crawl(&args);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert!(
        stderr(&output).contains(&format!(
            "harava: no page was read; {} was left as it was\n",
            out.display()
        )),
        "{}",
        stderr(&output)
    );
    assert_eq!(fs::read_to_string(&out).unwrap(), "yesterday\n");
    // The empty state file of harava 0.2 became a database that knows no meeting.
    assert_eq!(state_meetings(&state), 0);
    assert_eq!(names(dir.path()), ["out.jsonl", "state", "state.lock"]);
}

#[test]
fn a_crawl_whose_reader_goes_away_keeps_its_warc_and_stats() {
    let server = TestServer::samples();
    let dir = tempfile::tempdir().unwrap();
    let warc = dir.path().join("crawl.warc.gz");
    let stats = dir.path().join("stats.json");
    // Two requests a second: the first page's records are out well before the
    // second page, whose records then meet the closed pipe.
    let mut child = util::harava()
        .args([
            "crawl",
            "--rate",
            "2",
            "--no-details",
            "--warc",
            warc.to_str().unwrap(),
            "--stats",
            stats.to_str().unwrap(),
            &server.url("/kuntajohtajakokous/"),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 1];
    stdout.read_exact(&mut first).unwrap();
    drop(stdout);
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let fetched = server.paths();
    assert!(fetched.len() < 4, "the crawl stopped early: {fetched:?}");
    let targets = warc_targets(&warc);
    assert_eq!(targets.len(), 2 * fetched.len(), "{targets:?}");
    assert!(
        targets.contains(&server.url("/kuntajohtajakokous/")),
        "{targets:?}"
    );
    let stats: serde_json::Value = serde_json::from_slice(&fs::read(&stats).unwrap()).unwrap();
    assert_eq!(stats["requests"], fetched.len());
    assert_eq!(names(dir.path()), ["crawl.warc.gz", "stats.json"]);
}

#[test]
fn a_failed_cdx_query_keeps_the_warc_and_the_stats() {
    // Every path answers 404: robots.txt (no rules) and the CDX query alike.
    let archive = TestServer::empty();
    let dir = tempfile::tempdir().unwrap();
    let warc = dir.path().join("cdx.warc.gz");
    let stats = dir.path().join("stats.json");
    let output = crawl(&[
        "--cdx",
        &archive.url(""),
        "--cdx-rate",
        "0",
        "--retries",
        "0",
        "--warc",
        warc.to_str().unwrap(),
        "--stats",
        stats.to_str().unwrap(),
        "https://www.example.fi/kokoukset/*",
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("CDX discovery at"),
        "{}",
        stderr(&output)
    );
    let requested = archive.paths();
    assert!(
        requested.iter().any(|p| p.starts_with("/cdx/")),
        "{requested:?}"
    );
    let targets = warc_targets(&warc);
    assert_eq!(targets.len(), 2 * requested.len(), "{targets:?}");
    assert!(
        targets.iter().any(|t| t.contains("/cdx/")),
        "the CDX exchange is in the WARC: {targets:?}"
    );
    let stats: serde_json::Value = serde_json::from_slice(&fs::read(&stats).unwrap()).unwrap();
    assert_eq!(stats["requests"], requested.len());
    assert_eq!(names(dir.path()), ["cdx.warc.gz", "stats.json"]);
}

#[test]
fn log_lines_carry_no_colour_escapes_when_stderr_is_not_a_terminal() {
    let server = TestServer::empty();
    server.route("/kokoukset/", Route::status(404));
    let url = server.url("/kokoukset/");
    let mut args = FAST.to_vec();
    args.push(url.as_str());
    let output = crawl(&args);
    assert_eq!(output.status.code(), Some(3));
    let err = stderr(&output);
    assert!(err.contains("ERROR"), "{err}");
    assert!(!err.contains('\u{1b}'), "{err:?}");
}
