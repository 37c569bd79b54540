//! The summary of a crawl, for people (stderr) and programs (`--stats FILE`).

use std::time::Duration;

use serde::Serialize;
use url::Url;

#[derive(Debug, Default, Clone, Serialize)]
pub struct CrawlStats {
    pub pages_attempted: u64,
    pub pages_fetched: u64,
    pub listing_pages: u64,
    pub pages_failed: u64,
    pub skipped_robots: u64,
    pub skipped_out_of_scope: u64,
    pub skipped_not_html: u64,
    pub skipped_seen: u64,
    pub not_fetched: u64,
    pub requests: u64,
    pub retries: u64,
    pub throttled: u64,
    pub records_written: u64,
    /// With `--state`: meetings new since the last run, changed, unchanged
    /// (left out unless `--emit all`), and gone from a listing read completely.
    pub new: u64,
    pub changed: u64,
    pub unchanged: u64,
    pub removed: u64,
    /// Pages the server answered 304 Not Modified, their stored copy read instead.
    pub not_modified: u64,
    /// Pages a killed run had read, read from the state instead of fetched.
    pub replayed: u64,
    /// Listings whose paging stopped at a page of known, unchanged meetings (or,
    /// with `--since`, of older ones).
    pub stopped_early: u64,
    pub elapsed_seconds: f64,
    pub pages_per_second: f64,
    pub interrupted: bool,
    /// Why the crawl stopped early, when an archive refused connections.
    pub aborted: Option<String>,
    /// Why CDX discovery stopped before the index's end, when it did; the crawl
    /// went on with the captures listed until then.
    pub discovery_cut_short: Option<String>,
    pub failures: Vec<Failure>,
}

/// A page that failed for good.
#[derive(Debug, Clone, Serialize)]
pub struct Failure {
    pub url: String,
    pub error: String,
}

impl CrawlStats {
    pub(crate) fn fail(&mut self, url: &Url, error: String) {
        self.pages_failed += 1;
        self.failures.push(Failure {
            url: url.to_string(),
            error,
        });
    }

    pub(crate) fn finish(&mut self, elapsed: Duration) {
        self.elapsed_seconds = (elapsed.as_secs_f64() * 1000.0).round() / 1000.0;
        self.pages_per_second = if elapsed.as_secs_f64() > 0.0 {
            ((self.pages_fetched as f64 / elapsed.as_secs_f64()) * 100.0).round() / 100.0
        } else {
            0.0
        };
    }

    pub(crate) fn progress_line(&self) -> String {
        format!(
            "{} pages fetched, {} failed, {} records",
            self.pages_fetched, self.pages_failed, self.records_written
        )
    }

    /// The one-paragraph summary printed at the end of a crawl.
    pub fn summary(&self) -> String {
        let unchanged = if self.unchanged > 0 {
            format!(" ({} more unchanged since the last run)", self.unchanged)
        } else {
            String::new()
        };
        let state = if self.new + self.changed + self.unchanged + self.removed > 0
            || self.not_modified + self.replayed > 0
        {
            format!(
                "; since the last run {} new, {} changed, {} unchanged, {} removed; {} pages not modified (304), {} read from the state of an unfinished run, {} listings stopped at known meetings",
                self.new,
                self.changed,
                self.unchanged,
                self.removed,
                self.not_modified,
                self.replayed,
                self.stopped_early
            )
        } else {
            String::new()
        };
        let ending = if self.interrupted {
            "; interrupted"
        } else if self.aborted.is_some() {
            "; stopped early"
        } else if self.discovery_cut_short.is_some() {
            "; CDX discovery was cut short"
        } else {
            ""
        };
        format!(
            "{} pages fetched ({} listing), {} failed, {} skipped by robots.txt, {} off-site, {} not HTML, {} seen before; {} requests, {} retries, {} throttled (429); {} records written{unchanged} in {:.1} s ({:.2} pages/s){state}{ending}",
            self.pages_fetched,
            self.listing_pages,
            self.pages_failed,
            self.skipped_robots,
            self.skipped_out_of_scope,
            self.skipped_not_html,
            self.skipped_seen,
            self.requests,
            self.retries,
            self.throttled,
            self.records_written,
            self.elapsed_seconds,
            self.pages_per_second,
        )
    }
}
