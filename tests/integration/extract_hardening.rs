//! `harava extract` and `harava dates` against hostile and odd input: endless
//! streams, oversized files and WARC records, pathologically nested pages, UTF-16,
//! file names that differ only in bytes a URL would drop. Every input is small, so
//! the suite stays fast; the caps are lowered to meet them.

use std::fs;
use std::io::Write;
use std::process::{Child, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::util::{harava, records, run, run_with_stdin, samples, stderr};

/// The first Kuntajohtajakokous listing page: four meetings.
fn listing() -> Vec<u8> {
    fs::read(samples().join("kuntajohtajakokous/index.html")).unwrap()
}

/// Waits for `child` at most `limit`, killing it and failing the test past that:
/// these inputs used to run until memory ran out.
fn finish_within(mut child: Child, limit: Duration) -> Output {
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > limit {
            child.kill().unwrap();
            panic!("harava still ran after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

/// Runs harava with `stdin` written from another thread; harava may stop reading
/// it early, and the pipe closing then is expected.
fn run_with_stdin_it_may_not_read(args: &[&str], stdin: Vec<u8>) -> Output {
    let mut child = harava()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipe = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let _ = pipe.write_all(&stdin);
    });
    let output = finish_within(child, Duration::from_secs(60));
    writer.join().unwrap();
    output
}

#[test]
fn dev_zero_as_a_file_or_as_stdin_ends_at_once_with_a_clear_error() {
    let child = harava()
        .args(["extract", "/dev/zero"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let output = finish_within(child, Duration::from_secs(30));
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert!(
        stderr(&output).contains(
            "/dev/zero: not an HTML page (it holds binary data); give HTML files, directories of them, or WARC files"
        ),
        "{}",
        stderr(&output)
    );

    let child = harava()
        .args(["extract", "-"])
        .stdin(fs::File::open("/dev/zero").unwrap())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let output = finish_within(child, Duration::from_secs(30));
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("<stdin>: not an HTML page (it holds binary data)"),
        "{}",
        stderr(&output)
    );
    assert!(output.stdout.is_empty());
}

#[test]
fn inputs_over_max_input_bytes_are_skipped_and_reported_and_the_rest_is_extracted() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("a-listing.html"), listing()).unwrap();
    let big = dir.path().join("b-big.html");
    fs::write(&big, b"<p>kokous</p>".repeat(20_000)).unwrap();
    let cap = listing().len() + 10;
    let output = run(&[
        "extract",
        "--max-input-bytes",
        &cap.to_string(),
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert!(
        stderr(&output).contains(&format!(
            "{}: skipped: it is larger than {cap} bytes; raise --max-input-bytes to read it",
            big.display()
        )),
        "{}",
        stderr(&output)
    );
    assert!(stderr(&output).contains("1 failure in 2 inputs"));
    assert_eq!(records(&output.stdout).len(), 4);

    // Standard input has no size to look at first: it is read up to the cap.
    let output = run_with_stdin_it_may_not_read(
        &["extract", "--max-input-bytes", "100000", "-"],
        b"<p>kokous</p>".repeat(100_000),
    );
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert!(
        stderr(&output).contains(
            "<stdin>: skipped: it is larger than 100000 bytes; raise --max-input-bytes to read it"
        ),
        "{}",
        stderr(&output)
    );
}

/// A WARC `response` record of `http` headers and `body`.
fn warc_response(uri: &str, http: &str, body: &[u8]) -> Vec<u8> {
    let mut block = http.as_bytes().to_vec();
    block.extend_from_slice(body);
    let mut record = format!(
        "WARC/1.1\r\nWARC-Type: response\r\nWARC-Target-URI: {uri}\r\nWARC-Date: 2019-03-01T00:00:00Z\r\nContent-Length: {}\r\n\r\n",
        block.len()
    )
    .into_bytes();
    record.extend_from_slice(&block);
    record.extend_from_slice(b"\r\n\r\n");
    record
}

const HTML_200: &str = "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n";

#[test]
fn warc_payloads_over_the_cap_are_skipped_and_reported_and_unwanted_ones_passed_over() {
    let dir = tempfile::tempdir().unwrap();
    let video = warc_response(
        "https://www.uusimaa2019.fi/video.mp4",
        "HTTP/1.1 200 OK\r\nContent-Type: video/mp4\r\n\r\n",
        &vec![7; 400_000],
    );
    let big = warc_response(
        "https://www.uusimaa2019.fi/iso/",
        HTML_200,
        &b"<p>kokous</p>".repeat(20_000),
    );
    // Pages kept gzip-coded as sent: one inflating past the cap, one corrupt.
    let gzip = |bytes: &[u8]| {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(bytes).unwrap();
        encoder.finish().unwrap()
    };
    let coded = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n\r\n";
    let inflating = gzip(&b"<p>kokous</p>".repeat(20_000));
    let mut corrupt = gzip(&listing());
    corrupt.truncate(corrupt.len() / 2);
    let mut file = video.clone();
    file.extend(&big);
    file.extend(warc_response(
        "https://www.uusimaa2019.fi/gz/",
        coded,
        &inflating,
    ));
    file.extend(warc_response(
        "https://www.uusimaa2019.fi/rikki/",
        coded,
        &corrupt,
    ));
    // Binary data that says it is a page.
    file.extend(warc_response(
        "https://www.uusimaa2019.fi/binaari/",
        HTML_200,
        &[0x1f; 2000],
    ));
    file.extend(warc_response(
        "https://www.uusimaa2019.fi/kuntajohtajakokous/",
        HTML_200,
        &listing(),
    ));
    let warc = dir.path().join("kaappaus.warc");
    fs::write(&warc, &file).unwrap();
    let output = run(&[
        "extract",
        "--max-input-bytes",
        "100000",
        warc.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert!(
        stderr(&output).contains(&format!(
            "WARC: {}: WARC record 1 (byte {} of the uncompressed stream, https://www.uusimaa2019.fi/iso/) holds a payload of 260000 bytes, more than 100000; it is skipped (raise --max-input-bytes to read it)",
            warc.display(),
            video.len()
        )),
        "{}",
        stderr(&output)
    );
    for (record, url, why) in [
        (
            2,
            "gz",
            "its gzip body inflates past 100000 bytes (--max-input-bytes)",
        ),
        (3, "rikki", "its gzip body does not decode"),
    ] {
        assert!(
            stderr(&output).contains(&format!(
                "{} record {record} (https://www.uusimaa2019.fi/{url}/): skipped: {why}; its page is not read",
                warc.display()
            )),
            "{}",
            stderr(&output)
        );
    }
    assert!(
        stderr(&output).contains(&format!(
            "{} record 4 (https://www.uusimaa2019.fi/binaari/): skipped: not an HTML page, though its headers say so (it holds binary data)",
            warc.display()
        )),
        "{}",
        stderr(&output)
    );
    assert!(!stderr(&output).contains("video"), "{}", stderr(&output));
    let records = records(&output.stdout);
    assert_eq!(records.len(), 4, "the listing after the skipped records");
    assert_eq!(records[0]["title"], "Kuntajohtajakokous 13.9.2017");
}

#[test]
fn a_warc_header_line_over_the_cap_ends_that_warc_and_the_other_inputs_are_extracted() {
    let dir = tempfile::tempdir().unwrap();
    let mut file = b"WARC/1.1\r\nWARC-Type: response\r\nX-Long: ".to_vec();
    file.extend(vec![b'a'; 5000]);
    file.extend(b"\r\nContent-Length: 0\r\n\r\n\r\n\r\n");
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(&file).unwrap();
    let warc = dir.path().join("a.warc.gz");
    fs::write(&warc, encoder.finish().unwrap()).unwrap();
    let page = dir.path().join("b.html");
    fs::write(&page, listing()).unwrap();
    let output = run(&[
        "extract",
        "--max-warc-header-bytes",
        "1000",
        warc.to_str().unwrap(),
        page.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert!(
        stderr(&output).contains(&format!(
            "WARC: {}: WARC record 0 (byte 0 of the uncompressed stream) has a header block or header line of more than 1000 bytes; the rest of the file is skipped (raise --max-warc-header-bytes if the file is sound)",
            warc.display()
        )),
        "{}",
        stderr(&output)
    );
    assert_eq!(records(&output.stdout).len(), 4);
}

#[test]
fn a_deeply_nested_page_is_given_up_on_and_the_rest_is_extracted() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("a-listing.html"), listing()).unwrap();
    let deep = dir.path().join("b-deep.html");
    // Quadratic for html5ever: 5,000 unclosed divs (200,000 took minutes).
    fs::write(&deep, format!("<html><body>{}", "<div>".repeat(5_000))).unwrap();
    let start = Instant::now();
    let output = run(&["extract", dir.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert!(
        stderr(&output).contains(&format!(
            "{}: skipped: its elements nest more than 512 deep, which no real page does and which would take html5ever minutes to parse",
            deep.display()
        )),
        "{}",
        stderr(&output)
    );
    assert_eq!(records(&output.stdout).len(), 4);
    assert!(start.elapsed() < Duration::from_secs(30));
}

#[test]
fn a_utf16_page_with_a_byte_order_mark_gives_the_same_records() {
    let text = String::from_utf8(listing()).unwrap();
    let utf16: Vec<u8> = [0xff, 0xfe]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let output = run_with_stdin(&["extract", "-"], &utf16);
    assert!(output.status.success(), "{}", stderr(&output));
    let from_utf8 = run_with_stdin(&["extract", "-"], text.as_bytes());
    assert_eq!(records(&output.stdout).len(), 4);
    assert_eq!(output.stdout, from_utf8.stdout);
}

#[test]
fn file_names_that_a_url_parser_would_merge_get_distinct_percent_encoded_urls() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("profile.toml");
    fs::write(
        &profile,
        "name = \"minimal\"\n[listing]\nentry = \"article\"\ntitle = \"h2\"\n",
    )
    .unwrap();
    let site = dir.path().join("site");
    fs::create_dir(&site).unwrap();
    // Three meetings (an entry without a detail page is known by its site, date
    // and title, so the pages must differ to stay three records).
    for (n, name) in ["a\nb.html", "ab.html", "a b#c.html"]
        .into_iter()
        .enumerate()
    {
        let page = format!("<article><h2>Kokous {n} 1.2.2019</h2></article>");
        fs::write(site.join(name), page).unwrap();
    }
    let output = run(&[
        "extract",
        "--profile",
        profile.to_str().unwrap(),
        site.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let sources: Vec<Value> = records(&output.stdout)
        .into_iter()
        .map(|r| r["source_url"].clone())
        .collect();
    assert_eq!(
        sources,
        vec![
            "file:///a%0Ab.html",
            "file:///a%20b%23c.html",
            "file:///ab.html"
        ]
    );
}

#[test]
fn output_does_not_depend_on_the_number_of_cores() {
    let samples = samples();
    let with = |jobs: &str| {
        let output = harava()
            .args(["extract", "--jobs", jobs, samples.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", stderr(&output));
        output.stdout
    };
    let one = with("1");
    assert_eq!(records(&one).len(), 19);
    assert_eq!(one, with("4"));
}

#[test]
fn dates_decodes_a_bad_line_lossily_and_skips_an_endless_one_with_warnings() {
    let mut input = b"ke 13.9.2017\n\xff 7.2.2018 \xfe\n".to_vec();
    input.extend(vec![b'a'; 1_100_000]);
    input.extend(b"\n1.2.2019\n");
    let output = run_with_stdin(&["dates"], &input);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let found: Vec<(String, Value)> = String::from_utf8(output.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (v["text"].as_str().unwrap().to_string(), v["span"].clone())
        })
        .collect();
    assert_eq!(
        found,
        vec![
            ("ke 13.9.2017".to_string(), serde_json::json!([0, 12])),
            ("7.2.2018".to_string(), serde_json::json!([4, 12])),
            ("1.2.2019".to_string(), serde_json::json!([0, 8])),
        ]
    );
    assert_eq!(
        stderr(&output),
        "harava: <stdin> line 2: not valid UTF-8; scanned with U+FFFD in place of the invalid bytes\n\
         harava: <stdin> line 3: longer than 1048576 bytes; skipped\n"
    );
}

#[test]
fn a_pipe_named_on_the_command_line_is_read_once_as_html_or_warc() {
    let from_stdin = run_with_stdin(&["extract", "-"], &listing());
    assert_eq!(records(&from_stdin.stdout).len(), 4);
    let from_pipe = run_with_stdin(&["extract", "/dev/stdin"], &listing());
    assert!(from_pipe.status.success(), "{}", stderr(&from_pipe));
    assert_eq!(from_pipe.stdout, from_stdin.stdout);

    let warc = warc_response(
        "https://www.uusimaa2019.fi/kuntajohtajakokous/",
        HTML_200,
        &listing(),
    );
    let from_pipe = run_with_stdin(&["extract", "/dev/stdin"], &warc);
    assert!(from_pipe.status.success(), "{}", stderr(&from_pipe));
    assert_eq!(records(&from_pipe.stdout).len(), 4);
}

/// The `body:` warning of the record whose detail page is `muistiot/SLUG/`.
fn body_warning(output: &Output, slug: &str) -> String {
    let detail = format!("https://www.uusimaa2019.fi/muistiot/{slug}/");
    let records = records(&output.stdout);
    let record = records
        .iter()
        .find(|r| r["detail_url"] == detail.as_str())
        .unwrap_or_else(|| panic!("no record of {detail}"));
    record["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .find(|w| w.starts_with("body: "))
        .unwrap()
        .to_string()
}

/// A detail page that was among the inputs and could not be read is said so in
/// the records that lead to it, not taken for missing from the inputs.
#[test]
fn a_detail_page_that_failed_is_told_apart_from_one_never_given() {
    let dir = tempfile::tempdir().unwrap();
    let mirror = dir.path().join("www.uusimaa2019.fi");
    let listing_dir = mirror.join("kuntajohtajakokous");
    fs::create_dir_all(&listing_dir).unwrap();
    fs::write(listing_dir.join("index.html"), listing()).unwrap();
    let broken = mirror.join("muistiot/kuntajohtajakokous-13-9-2017");
    fs::create_dir_all(&broken).unwrap();
    fs::write(broken.join("index.html"), b"\x00\x01\x02 not a page \xff").unwrap();
    let output = run(&[
        "extract",
        "--base-url",
        "https://www.uusimaa2019.fi/",
        "-o",
        "-",
        mirror.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let warning_of = |slug: &str| body_warning(&output, slug);
    assert_eq!(
        warning_of("kuntajohtajakokous-13-9-2017"),
        "body: the detail page https://www.uusimaa2019.fi/muistiot/kuntajohtajakokous-13-9-2017/ was among the inputs and could not be read (see the errors of this run)"
    );
    assert_eq!(
        warning_of("kuntajohtajakokous-21-6-2017"),
        "body: the detail page https://www.uusimaa2019.fi/muistiot/kuntajohtajakokous-21-6-2017/ was not among the inputs"
    );

    // In a WARC: a page moved to one that failed, and one that was not found.
    let detail = |slug: &str| format!("https://www.uusimaa2019.fi/muistiot/{slug}/");
    let mut file = warc_response(
        "https://www.uusimaa2019.fi/kuntajohtajakokous/",
        HTML_200,
        &listing(),
    );
    file.extend(warc_response(
        &detail("kuntajohtajakokous-13-9-2017"),
        "HTTP/1.1 301 Moved Permanently\r\nLocation: /siirretty/13-9/\r\n\r\n",
        b"",
    ));
    file.extend(warc_response(
        "https://www.uusimaa2019.fi/siirretty/13-9/",
        HTML_200,
        &[0x1f; 2000],
    ));
    file.extend(warc_response(
        &detail("kuntajohtajakokous-21-6-2017"),
        "HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\n\r\n",
        b"<h1>Sivua ei loydy</h1>",
    ));
    let warc = dir.path().join("kaappaus.warc");
    fs::write(&warc, &file).unwrap();
    let output = run(&["extract", "-o", "-", warc.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let warning_of = |slug: &str| body_warning(&output, slug);
    assert!(
        warning_of("kuntajohtajakokous-13-9-2017")
            .ends_with(" was among the inputs and could not be read (see the errors of this run)")
    );
    assert_eq!(
        warning_of("kuntajohtajakokous-21-6-2017"),
        format!(
            "body: the detail page {} was among the inputs as an answer of HTTP 404, not a page",
            detail("kuntajohtajakokous-21-6-2017")
        )
    );
    assert!(warning_of("kuntajohtajakokous-23-8-2017").ends_with(" was not among the inputs"));
}
