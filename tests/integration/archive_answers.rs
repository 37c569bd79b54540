//! What an archive's answers mean: a capture of a site's error (it carries
//! `Memento-Datetime`) is a page that failed at crawl time, not the archive
//! throttling us; the archive's own 404 means it has no capture; an excluded URL
//! or a blocked CDX query is refused for good. The responses are shaped like the
//! Internet Archive's, headers included.

use std::time::Duration;

use serde_json::Value;

use crate::archive::{Emulator, OLD, SITE};
use crate::util::{Route, crawl, records, stderr};

const CAPTURED: &str = "20150129102030";
const MEMENTO: &str = "Thu, 29 Jan 2015 10:20:30 GMT";
const BLOCKED: &str = "org.archive.util.io.RuntimeIOException: org.archive.wayback.exception.AdministrativeAccessControlException: Blocked Site Error";

/// The archive's replay (`id_`) of a capture whose original answer was `status`.
fn captured_error(original: &str, status: u16) -> Route {
    Route::Fixed(
        status,
        vec![
            ("content-type", "text/html; charset=utf-8".into()),
            ("memento-datetime", MEMENTO.into()),
            (
                "link",
                format!(
                    "<{original}>; rel=\"original\", <https://web.archive.org/web/timemap/link/{original}>; rel=\"timemap\"; type=\"application/link-format\""
                ),
            ),
            ("x-archive-orig-retry-after", "3600".into()),
            (
                "x-archive-src",
                "live-20150129-wwwb-app1.us.archive.org.warc.gz".into(),
            ),
        ],
        format!("<html><body><h1>HTTP {status}</h1></body></html>").into_bytes(),
    )
}

fn stats_of(path: &std::path::Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

#[test]
fn a_captured_429_fails_its_page_and_delays_nothing_else() {
    let archive = Emulator::new(&[OLD], None);
    let throttled = format!("{SITE}/vanha/");
    archive.answer(&throttled, captured_error(&throttled, 429));
    let dir = tempfile::tempdir().unwrap();
    let stats = dir.path().join("stats.json");
    let capture = archive.url(&format!("/web/{CAPTURED}/{throttled}"));
    // Default rates and retries: only --no-details, to keep the run short.
    let output = crawl(&[
        "--no-details",
        "--stats",
        stats.to_str().unwrap(),
        &capture,
        &archive.url(&format!("/web/{OLD}/{SITE}/kuntajohtajakokous/")),
    ]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert_eq!(records(&output.stdout).len(), 9, "the listing was read");
    let err = stderr(&output);
    let raw = archive.url(&format!("/web/{CAPTURED}id_/{throttled}"));
    let expected = format!(
        "{raw}: the archive's capture of {throttled} from 2015-01-29 is the site's HTTP 429: the site failed when the archive visited it, and retrying cannot change a capture (list the other captures with --cdx {} {throttled})",
        archive.address_url()
    );
    assert!(err.contains(&expected), "{err}");
    assert!(!err.contains("rate-limiting"), "{err}");

    let log = archive.log();
    let asked: Vec<usize> = (0..log.len())
        .filter(|i| log[*i].1.contains("/vanha/"))
        .collect();
    assert_eq!(asked.len(), 1, "a capture is never retried: {log:?}");
    let next = log
        .get(asked[0] + 1)
        .unwrap_or_else(|| panic!("no request after the captured 429: {log:?}"));
    assert!(
        next.0 - log[asked[0]].0 < Duration::from_secs(5),
        "the next capture request waited {:?}",
        next.0 - log[asked[0]].0
    );
    let stats = stats_of(&stats);
    assert_eq!(stats["throttled"], 0, "the archive did not throttle us");
    assert_eq!(stats["retries"], 0);
    assert_eq!(stats["pages_failed"], 1);
    assert_eq!(stats["failures"][0]["error"], expected.as_str());
}

#[test]
fn an_excluded_url_is_refused_for_good() {
    let archive = Emulator::new(&[OLD], None);
    let by_page = format!("{SITE}/poistettu-arkistosta/");
    let by_header = "https://www.estetty.fi/";
    archive
        .answer(
            &by_page,
            Route::Fixed(
                200,
                vec![("content-type", "text/html; charset=utf-8".into())],
                b"<!DOCTYPE html><html><head><title>Wayback Machine</title></head><body><div id=\"error\"><p>This URL has been excluded from the Wayback Machine.</p></div></body></html>".to_vec(),
            ),
        )
        .answer(
            by_header,
            Route::Fixed(
                403,
                vec![
                    ("content-type", "text/html; charset=utf-8".into()),
                    ("x-archive-wayback-runtime-error", BLOCKED.into()),
                ],
                b"<html><body><p>Sorry. This URL has been excluded from the Wayback Machine.</p></body></html>".to_vec(),
            ),
        );
    let output = crawl(&[
        "--rate",
        "0",
        "--archive-rate",
        "0",
        "--retries",
        "3",
        &archive.url(&format!("/web/{OLD}/{by_page}")),
        &archive.url(&format!("/web/{OLD}/{by_header}")),
    ]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let err = stderr(&output);
    for expected in [
        format!(
            "{}: the archive excludes this URL (HTTP 200, a page saying \"This URL has been excluded from the Wayback Machine.\"); an excluded (blocked) URL has no capture anyone can read, so it was not retried",
            archive.url(&format!("/web/{OLD}id_/{by_page}"))
        ),
        format!(
            "{}: the archive excludes this URL (HTTP 403, X-Archive-Wayback-Runtime-Error: {BLOCKED}); an excluded (blocked) URL has no capture anyone can read, so it was not retried",
            archive.url(&format!("/web/{OLD}id_/{by_header}"))
        ),
    ] {
        assert!(err.contains(&expected), "{expected}\n{err}");
    }
    assert!(err.contains("2 failed"), "{err}");
    let captures: Vec<String> = archive
        .log()
        .into_iter()
        .map(|(_, p)| p)
        .filter(|p| p.starts_with("/web/"))
        .collect();
    assert_eq!(captures.len(), 2, "no retries: {captures:?}");
}

#[test]
fn no_capture_and_a_capture_of_a_404_are_told_apart() {
    let archive = Emulator::new(&[OLD], None);
    let missing = format!("{SITE}/puuttuu/");
    let gone = format!("{SITE}/poistettu/");
    archive
        .answer(
            &missing,
            Route::Fixed(
                404,
                vec![
                    ("content-type", "text/html; charset=utf-8".into()),
                    (
                        "x-archive-wayback-runtime-error",
                        "org.archive.wayback.exception.ResourceNotInArchiveException: puuttuu: Not Found".into(),
                    ),
                ],
                b"<html><body><p>Wayback Machine doesn't have that page archived.</p></body></html>".to_vec(),
            ),
        )
        .answer(&gone, captured_error(&gone, 404));
    let output = crawl(&[
        "--rate",
        "0",
        "--archive-rate",
        "0",
        &archive.url(&format!("/web/2019/{missing}")),
        &archive.url(&format!("/web/{CAPTURED}/{gone}")),
    ]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let err = stderr(&output);
    for expected in [
        format!(
            "{}: the archive has no capture of {missing} near 2019; list what it has with --cdx {} {missing}",
            archive.url(&format!("/web/2019id_/{missing}")),
            archive.address_url()
        ),
        format!(
            "{}: the archive's capture of {gone} from 2015-01-29 is the site's HTTP 404",
            archive.url(&format!("/web/{CAPTURED}id_/{gone}"))
        ),
    ] {
        assert!(err.contains(&expected), "{expected}\n{err}");
    }
    assert!(!err.contains("the page is gone"), "{err}");
}

#[test]
fn a_blocked_cdx_query_says_the_archive_excludes_it() {
    let archive = Emulator::new(&[OLD], None);
    let pattern = "https://www.estetty.fi/*";
    archive.answer(
        pattern,
        Route::Fixed(
            403,
            vec![
                ("content-type", "text/plain".into()),
                ("x-archive-wayback-runtime-error", BLOCKED.into()),
            ],
            b"org.archive.wayback.exception.AdministrativeAccessControlException: Blocked Site Error\n".to_vec(),
        ),
    );
    let output = crawl(&[
        "--rate",
        "0",
        "--cdx-rate",
        "0",
        "--retries",
        "3",
        "--cdx",
        &archive.address_url(),
        pattern,
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let err = stderr(&output);
    let line = err
        .lines()
        .find(|l| l.starts_with("harava: CDX discovery at "))
        .unwrap_or_else(|| panic!("{err}"));
    assert!(
        line.ends_with(&format!(
            ": the archive excludes this URL (HTTP 403, X-Archive-Wayback-Runtime-Error: {BLOCKED}); an excluded (blocked) URL has no capture anyone can read, so it was not retried"
        )),
        "{line}"
    );
    assert_eq!(line.matches("/cdx/search/cdx?").count(), 1, "{line}");
    assert!(!line.contains("--user-agent"), "{line}");
    let cdx: Vec<String> = archive
        .log()
        .into_iter()
        .map(|(_, p)| p)
        .filter(|p| p.starts_with("/cdx/"))
        .collect();
    assert_eq!(cdx.len(), 1, "no retries: {cdx:?}");
}
