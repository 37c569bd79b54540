//! The summary of a crawl, for people (stderr) and programs (`--stats FILE`).

use std::time::Duration;

use serde::Serialize;
use url::Url;

/// What a crawl did, in numbers; `--stats FILE` writes it as JSON, with these
/// field names.
#[derive(Debug, Default, Clone, Serialize)]
pub struct CrawlStats {
    /// Pages the crawl tried to fetch.
    pub pages_attempted: u64,
    /// Pages fetched and read.
    pub pages_fetched: u64,
    /// Of those, pages read as listing pages.
    pub listing_pages: u64,
    /// Pages that failed for good; [`CrawlStats::failures`] says why.
    pub pages_failed: u64,
    /// Pages robots.txt does not allow.
    pub skipped_robots: u64,
    /// Links and redirects that lead off the sites crawled.
    pub skipped_out_of_scope: u64,
    /// Responses that were not HTML.
    pub skipped_not_html: u64,
    /// "Older posts" links to pages this crawl fetched already (a pagination
    /// loop).
    pub skipped_seen: u64,
    /// Listing pages, and captures the archive's index listed, queued and not
    /// fetched, such as those past `max_pages` or those a stopped run left.
    pub not_fetched: u64,
    /// HTTP requests made, robots.txt and retries included.
    pub requests: u64,
    /// Requests retried after an error or a 429.
    pub retries: u64,
    /// Responses 429 Too Many Requests.
    pub throttled: u64,
    /// Records written to the sink.
    pub records_written: u64,
    /// With `--state`: meetings new since the last run.
    pub new: u64,
    /// With `--state`: meetings changed since the last run.
    pub changed: u64,
    /// With `--state`: meetings unchanged since the last run, left out of the
    /// records unless `--emit all`.
    pub unchanged: u64,
    /// With `--state`: meetings gone from a listing read completely.
    pub removed: u64,
    /// With `--state`: meetings the unfinished run this one continues had
    /// written already, so not written again.
    pub delivered_before: u64,
    /// Meetings left out as older than `--since`.
    pub before_since: u64,
    /// Pages the server answered 304 Not Modified, their stored copy read instead.
    pub not_modified: u64,
    /// Pages a killed run had read, read from the state instead of fetched.
    pub replayed: u64,
    /// Of those, listing pages. Read from the state, they show the listing as
    /// it was when the killed run read them, and pages fetched now may have
    /// shifted since: such a run reports no removals from the listing, and the
    /// next run reads the listing to its end rather than stop at known meetings.
    pub listings_replayed: u64,
    /// Listings whose paging stopped at a page of known, unchanged meetings (or,
    /// with `--since`, of older ones).
    pub stopped_early: u64,
    /// Listings whose older pages were not read because page after page showed
    /// only meetings the listing showed before (a listing that goes on for ever).
    pub listings_repeating: u64,
    /// How long the crawl took.
    pub elapsed_seconds: f64,
    /// Pages fetched per second.
    pub pages_per_second: f64,
    /// Whether a signal (or the `shutdown` of [`run`](super::run)) stopped the crawl.
    pub interrupted: bool,
    /// Why the crawl stopped early, when an archive refused connections.
    pub aborted: Option<String>,
    /// Why CDX discovery stopped before the index's end, when it did; the crawl
    /// went on with the captures listed until then.
    pub discovery_cut_short: Option<String>,
    /// The pages that failed for good.
    pub failures: Vec<Failure>,
}

/// A page that failed for good.
#[derive(Debug, Clone, Serialize)]
pub struct Failure {
    /// The page.
    pub url: String,
    /// Why it failed.
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
        let mut unread = String::new();
        if self.not_fetched > 0 {
            unread += &format!(
                "; {} pages left unread (--max-pages, or the crawl stopped)",
                self.not_fetched
            );
        }
        if self.listings_repeating > 0 {
            unread += &format!(
                "; {} listings stopped where their pages only repeated meetings",
                self.listings_repeating
            );
        }
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
            "{} pages fetched ({} listing), {} failed, {} skipped by robots.txt, {} off-site, {} not HTML, {} seen before; {} requests, {} retries, {} throttled (429); {} records written{unchanged} in {:.1} s ({:.2} pages/s){state}{unread}{ending}",
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
