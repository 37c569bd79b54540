//! `harava crawl`: listing pages → "older" pages and detail pages → records.
//!
//! The crawl is one async loop: a queue of pages to fetch, up to `--concurrency`
//! fetches in flight, and extraction done between polls (it takes well under a
//! millisecond a page, so it never starves the fetches). A record is written as
//! soon as it is complete: at once for an entry without a detail page, otherwise
//! when its detail page has been read or has failed for good, in which case the
//! record still goes out with `body: null` and a warning. Entries that share a
//! detail page wait for the one fetch of it.

mod discover;
mod stats;

pub use discover::CdxConfig;
pub use stats::{CrawlStats, Failure};

use std::collections::{HashMap, HashSet, VecDeque};
use std::future::Future;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use futures::StreamExt;
use futures::stream::FuturesUnordered;
use scraper::Html;
use url::Url;

use crate::archive::warc::WarcWriter;
use crate::archive::wayback::{self, Capture};
use crate::error::Error;
use crate::extract::{self, DetailPage, Entry, Extracted};
use crate::fetch::{FetchConfig, FetchError, Fetcher, Response, Scope};
use crate::page::{ArchiveMode, Link, Page};
use crate::profile::{Profiles, TrailingSlash};
use crate::record::{Record, Unique};
use crate::sink::Sink;

/// What `harava crawl` was asked to do.
#[derive(Debug, Clone)]
pub struct CrawlConfig {
    pub start: Vec<Url>,
    pub fetch: FetchConfig,
    pub concurrency: usize,
    pub max_pages: Option<u64>,
    pub details: bool,
    pub stats_path: Option<PathBuf>,
    /// Show a progress bar (only ever on a terminal).
    pub progress: bool,
    /// Which form of archive captures to fetch.
    pub archive_mode: ArchiveMode,
    /// Discover captures through a CDX index instead of starting from `start`
    /// as given; `start` then holds original URLs or `prefix/*` patterns.
    pub cdx: Option<CdxConfig>,
    /// Write every request and response to this WARC file.
    pub warc: Option<PathBuf>,
}

/// A page to fetch, and what it is expected to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// A start page or an "older posts" page; a start page found to be a detail
    /// page (as CDX discovery may list) is read as one.
    Listing,
    Detail,
}

struct Task {
    url: Url,
    role: Role,
    /// The key under which the page counts as fetched.
    key: String,
}

/// An entry waiting for its detail page.
struct Waiting {
    entry: Entry,
    listing: Arc<Page>,
    profile: String,
}

/// What became of a detail page.
enum DetailOutcome {
    Read(DetailPage),
    /// Not read, and why (a warning for the records that needed it).
    Missing(String),
}

struct Crawl<'a> {
    config: &'a CrawlConfig,
    profiles: &'a Profiles,
    sink: &'a mut Sink,
    queue: VecDeque<Task>,
    seen: HashSet<String>,
    /// Detail pages already read, kept for entries that come later (archive crawls).
    details: HashMap<String, Arc<DetailOutcome>>,
    /// Detail pages already read and let go (live crawls).
    settled: HashSet<String>,
    /// Pages an archive replayed as redirects, by the key of their target.
    aliases: HashMap<String, Vec<String>>,
    waiting: HashMap<String, Vec<Waiting>>,
    written: HashSet<String>,
    /// Archive crawls hold records back until the end: a newer capture of the same
    /// meeting may still come, and it must win.
    held: Option<Unique>,
    live_scope: Scope,
    /// Hosts (without `www.`) of the original sites inside the archives crawled.
    archived_sites: Vec<String>,
    stats: CrawlStats,
    progress: indicatif::ProgressBar,
}

/// How a crawl that started ended.
pub struct CrawlOutcome {
    /// Complete even when an error cut the crawl short.
    pub stats: CrawlStats,
    /// What cut it short, if anything did; the WARC was finished all the same.
    pub error: Option<Error>,
}

/// Runs a crawl until the queue is empty or `shutdown` completes (a signal).
/// An error before the first request (the WARC cannot be created, the HTTP
/// client cannot be set up) is returned as such; after it, whatever ends the
/// crawl, what was fetched is kept.
pub async fn run(
    config: &CrawlConfig,
    profiles: &Profiles,
    sink: &mut Sink,
    shutdown: impl Future<Output = ()>,
) -> Result<CrawlOutcome, Error> {
    let started = Instant::now();
    let plan = discover::Plan::new(config);
    let recorder = match &config.warc {
        Some(path) => Some(
            WarcWriter::create(path, &warcinfo_options(config)).map_err(|e| Error::Warc {
                message: e.to_string(),
            })?,
        ),
        None => None,
    };
    let fetcher = Fetcher::new(
        config.fetch.clone(),
        plan.fetch_scope.clone(),
        plan.archives.clone(),
        recorder,
    )
    .map_err(|e| Error::Client {
        message: e.to_string(),
    })?;
    let progress = if config.progress && std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.enable_steady_tick(std::time::Duration::from_millis(200));
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    let mut crawl = Crawl {
        config,
        profiles,
        sink,
        queue: VecDeque::new(),
        seen: HashSet::new(),
        details: HashMap::new(),
        settled: HashSet::new(),
        aliases: HashMap::new(),
        waiting: HashMap::new(),
        written: HashSet::new(),
        held: plan.archived().then(Unique::default),
        live_scope: plan.live_scope.clone(),
        archived_sites: plan.archived_sites.clone(),
        stats: CrawlStats::default(),
        progress,
    };
    let error = crawl_pages(&mut crawl, &fetcher, &plan, config, shutdown)
        .await
        .err();
    let counters = fetcher.counters.clone();
    let warc = fetcher.finish_recording().map_err(|e| Error::Warc {
        message: e.to_string(),
    });
    crawl.progress.finish_and_clear();
    crawl.stats.requests = counters.requests.load(Ordering::Relaxed);
    crawl.stats.retries = counters.retries.load(Ordering::Relaxed);
    crawl.stats.throttled = counters.throttled.load(Ordering::Relaxed);
    crawl.stats.records_written = crawl.records_so_far();
    crawl.stats.unchanged = crawl.sink.unchanged();
    crawl.stats.finish(started.elapsed());
    Ok(CrawlOutcome {
        stats: crawl.stats,
        error: error.or(warc.err()),
    })
}

/// The crawl proper, from discovery to the last record, leaving the fetcher to
/// [`run`] to finish whatever ends it.
async fn crawl_pages(
    crawl: &mut Crawl<'_>,
    fetcher: &Fetcher,
    plan: &discover::Plan,
    config: &CrawlConfig,
    shutdown: impl Future<Output = ()>,
) -> Result<(), Error> {
    let mut shutdown = std::pin::pin!(shutdown);
    let starts = match &config.cdx {
        Some(cdx) => tokio::select! {
            found = discover::captures(fetcher, cdx, &config.start, config.archive_mode) => found?,
            () = &mut shutdown => {
                crawl.stats.interrupted = true;
                tracing::warn!("interrupted during CDX discovery");
                return Ok(());
            }
        },
        None => plan.starts.clone(),
    };
    for url in starts {
        let slash = crawl.slash_for(&url);
        crawl.enqueue(url, Role::Listing, slash);
    }

    let mut in_flight = FuturesUnordered::new();
    loop {
        while in_flight.len() < config.concurrency.max(1) {
            let Some(task) = crawl.queue.pop_front() else {
                break;
            };
            if config
                .max_pages
                .is_some_and(|max| crawl.stats.pages_attempted >= max)
            {
                crawl.not_fetched(task, "--max-pages was reached")?;
                continue;
            }
            crawl.stats.pages_attempted += 1;
            in_flight.push(async move {
                let result = fetcher.get(&task.url).await;
                (task, result)
            });
        }
        if in_flight.is_empty() {
            break;
        }
        tokio::select! {
            Some((task, result)) = in_flight.next() => crawl.handle(task, result)?,
            () = &mut shutdown => {
                crawl.stats.interrupted = true;
                tracing::warn!("interrupted: finishing the records already read");
                break;
            }
        }
        if crawl.stats.aborted.is_some() {
            break;
        }
        crawl.sink.flush()?;
        crawl.stats.records_written = crawl.records_so_far();
        crawl.progress.set_message(crawl.stats.progress_line());
    }
    drop(in_flight);
    let reason = if crawl.stats.interrupted {
        "the crawl was interrupted"
    } else if crawl.stats.aborted.is_some() {
        "the archive stopped answering"
    } else {
        "it was never reached"
    };
    while let Some(task) = crawl.queue.pop_front() {
        crawl.not_fetched(task, reason)?;
    }
    // Entries whose detail page was in flight when the crawl stopped.
    let unfinished: Vec<String> = crawl.waiting.keys().cloned().collect();
    for key in unfinished {
        crawl.settle(
            &key,
            DetailOutcome::Missing(format!("body: the detail page was not fetched: {reason}")),
        )?;
    }
    if let Some(held) = crawl.held.take() {
        for record in &held.into_records() {
            crawl.sink.write(record)?;
        }
    }
    Ok(())
}

impl Crawl<'_> {
    fn handle(&mut self, task: Task, result: Result<Response, FetchError>) -> Result<(), Error> {
        let response = match result {
            Ok(response) => response,
            Err(error) => return self.fetch_failed(task, error),
        };
        self.stats.pages_fetched += 1;
        tracing::info!(url = %response.url, status = response.status, bytes = response.body.len(), "fetched");
        let http = response.http();
        if !http.is_html() {
            let content_type = http.content_type.unwrap_or_default().to_string();
            tracing::warn!(url = %response.url, %content_type, "not an HTML page; skipped");
            self.stats.skipped_not_html += 1;
            return self.settle(
                &task.key,
                DetailOutcome::Missing(format!(
                    "body: the detail page is not HTML ({content_type}); not read"
                )),
            );
        }
        if response.url != task.url {
            let key = self.seen_key(&response.url, self.slash_for(&response.url));
            if key != task.key && !self.seen.insert(key) && task.role == Role::Listing {
                tracing::info!(url = %task.url, to = %response.url, "redirected to a page fetched already");
                let warning = format!(
                    "body: {} redirects to {}, which was read for another entry",
                    task.url, response.url
                );
                return self.settle(&task.key, DetailOutcome::Missing(warning));
            }
        }
        let page = http.into_page(self.config.archive_mode);
        if page.archive.is_some()
            && let Some(target) = wayback::crawl_time_redirect(&page.html, &page.fetch_url)
        {
            return self.follow_replayed_redirect(task, target);
        }
        match task.role {
            Role::Listing => self.listing(task, page),
            Role::Detail => {
                // One parse serves both choosing the profile and reading the page.
                let document = Html::parse_document(&page.html);
                let outcome = match self.profiles.for_page(page.url.host_str(), &document) {
                    Some(profile) => {
                        DetailOutcome::Read(extract::detail_page(&page, &document, profile))
                    }
                    None => DetailOutcome::Missing("body: no profile fits the detail page".into()),
                };
                drop(document);
                self.settle(&task.key, outcome)
            }
        }
    }

    /// An archive replayed a capture of a redirect as a page saying so: the page
    /// the task wanted is at the redirect's target.
    fn follow_replayed_redirect(&mut self, task: Task, target: Url) -> Result<(), Error> {
        let target = Capture::parse(&target).map_or(target, |c| self.config.archive_mode.url(&c));
        tracing::info!(from = %task.url, to = %target, "the archive replayed a redirect; following it");
        let target_key = self.seen_key(&target, self.slash_for(&target));
        // Whatever the target turns out to be settles the page that pointed at it.
        self.aliases
            .entry(target_key.clone())
            .or_default()
            .push(task.key);
        if let Some(outcome) = self.details.get(&target_key).cloned() {
            return self.settle_with(&target_key, outcome);
        }
        let slash = self.slash_for(&target);
        self.enqueue(target, task.role, slash);
        Ok(())
    }

    /// How the profile for `url`'s site treats trailing slashes, as far as the
    /// host tells before the page is read.
    fn slash_for(&self, url: &Url) -> TrailingSlash {
        let original = Capture::parse(url).map_or_else(|| url.clone(), |c| c.original);
        self.profiles
            .for_host(original.host_str())
            .map_or(TrailingSlash::Keep, |p| p.urls.trailing_slash)
    }

    fn listing(&mut self, task: Task, page: Page) -> Result<(), Error> {
        let document = Html::parse_document(&page.html);
        let Some(profile) = self.profiles.for_page(page.url.host_str(), &document) else {
            let error = Error::NoProfile {
                path: task.url.to_string(),
            };
            tracing::error!("{error}");
            self.stats.fail(&task.url, error.to_string());
            return self.settle(&task.key, DetailOutcome::Missing(format!("body: {error}")));
        };
        let extracted = extract::extract_document(&page, &document, profile);
        drop(document);
        let listing = match extracted {
            Extracted::Listing(listing) => listing,
            Extracted::Detail(detail) => {
                return self.settle(&task.key, DetailOutcome::Read(detail));
            }
            Extracted::Other => {
                tracing::warn!(url = %task.url, profile = %profile.name, "no entries on this page by the profile's selectors: check the start URL, or pick the profile with --profile");
                let warning = format!("body: {} has neither entries nor a detail body", task.url);
                return self.settle(&task.key, DetailOutcome::Missing(warning));
            }
        };
        self.stats.listing_pages += 1;
        let slash = profile.urls.trailing_slash;
        for next in listing.next {
            if self.in_scope(&next, &page) {
                if !self.enqueue(next.fetch, Role::Listing, slash) {
                    tracing::info!(url = %next.original, "already fetched in this crawl (a pagination loop?); not fetched again");
                    self.stats.skipped_seen += 1;
                }
            } else {
                tracing::info!(url = %next.original, "next-page link leads off the site; not followed");
                self.stats.skipped_out_of_scope += 1;
            }
        }
        let profile_name = profile.name.clone();
        let listing_page = Arc::new(Page {
            html: String::new(),
            ..page
        });
        for entry in listing.entries {
            let detail = entry.detail.clone().filter(|_| self.config.details);
            let Some(detail) = detail else {
                self.write(entry, &listing_page, None, &profile_name, None)?;
                continue;
            };
            if !self.in_scope(&detail, &listing_page) {
                let warning = format!(
                    "body: the detail page {} is on another site; not fetched",
                    detail.original
                );
                self.write(entry, &listing_page, None, &profile_name, Some(warning))?;
                continue;
            }
            let key = self.seen_key(&detail.fetch, slash);
            let waiting = Waiting {
                entry,
                listing: listing_page.clone(),
                profile: profile_name.clone(),
            };
            if let Some(outcome) = self.details.get(&key).cloned() {
                self.write_waiting(waiting, &outcome)?;
            } else if self.settled.contains(&key) {
                // Its detail page was read and let go already: the same meeting as
                // a record written before (same detail page, same id).
                tracing::debug!(url = %detail.original, "an entry seen before; skipped");
            } else {
                // Queued or in flight already (perhaps as a start page), or new.
                self.waiting.entry(key).or_default().push(waiting);
                self.enqueue(detail.fetch, Role::Detail, slash);
            }
        }
        Ok(())
    }

    fn records_so_far(&self) -> u64 {
        self.sink.written() + self.held.as_ref().map_or(0, |h| h.len() as u64)
    }

    /// Whether a link stays on the sites being crawled: for a live page, the
    /// origins of the start URLs; for an archived page, the original sites inside
    /// the archive (whatever the archive's own host).
    fn in_scope(&self, link: &Link, page: &Page) -> bool {
        if page.archive.is_some() {
            self.archived_sites
                .contains(&discover::site_key(&link.original))
        } else {
            self.live_scope.contains(&link.fetch)
        }
    }

    /// The key under which a URL counts as fetched. An archived page is known by
    /// its original URL, since the archive serves whichever capture is nearest;
    /// with `--all-captures`, by original URL and capture time.
    fn seen_key(&self, url: &Url, trailing_slash: TrailingSlash) -> String {
        match Capture::parse(url) {
            Some(capture) => {
                let all = self.config.cdx.as_ref().is_some_and(|c| c.all_captures);
                let original = seen_key(&capture.original, trailing_slash);
                if all {
                    format!("{original} @{}", capture.timestamp)
                } else {
                    original
                }
            }
            None => seen_key(url, trailing_slash),
        }
    }

    /// Queues a page unless it was seen already; says whether it was queued.
    fn enqueue(&mut self, url: Url, role: Role, trailing_slash: TrailingSlash) -> bool {
        let key = self.seen_key(&url, trailing_slash);
        if !self.seen.insert(key.clone()) {
            return false;
        }
        self.queue.push_back(Task { url, role, key });
        true
    }

    fn fetch_failed(&mut self, task: Task, error: FetchError) -> Result<(), Error> {
        if let FetchError::Refused { .. } = &error {
            tracing::error!("{error}");
            self.stats.fail(&task.url, error.to_string());
            self.stats.aborted = Some(error.to_string());
        } else if error.is_skip() {
            tracing::warn!("{error}");
            match error {
                FetchError::Disallowed { .. } => self.stats.skipped_robots += 1,
                _ => self.stats.skipped_out_of_scope += 1,
            }
        } else {
            tracing::error!("{error}");
            self.stats.fail(&task.url, error.to_string());
        }
        self.settle(
            &task.key,
            DetailOutcome::Missing(format!(
                "body: the detail page could not be fetched: {error}"
            )),
        )
    }

    fn not_fetched(&mut self, task: Task, reason: &str) -> Result<(), Error> {
        if task.role == Role::Listing {
            tracing::info!(url = %task.url, "not fetched: {reason}");
            self.stats.not_fetched += 1;
        }
        let warning = format!(
            "body: the detail page {} was not fetched: {reason}",
            task.url
        );
        self.settle(&task.key, DetailOutcome::Missing(warning))
    }

    /// Records what became of the page under `key` and writes the entries that
    /// waited for it.
    fn settle(&mut self, key: &str, outcome: DetailOutcome) -> Result<(), Error> {
        self.settle_with(key, Arc::new(outcome))
    }

    fn settle_with(&mut self, key: &str, outcome: Arc<DetailOutcome>) -> Result<(), Error> {
        let waiting = self.waiting.remove(key).unwrap_or_default();
        let aliases = self.aliases.remove(key).unwrap_or_default();
        // A live crawl lets a body go once the records that waited for it are
        // written, so its memory stays flat as the site grows. It is kept when no
        // entry has asked for it yet (a detail page given or discovered as a start
        // page) and in archive crawls, which hold their records anyway.
        if self.held.is_some() || waiting.is_empty() {
            self.details.insert(key.to_string(), outcome.clone());
        } else {
            self.settled.insert(key.to_string());
        }
        for waiting in waiting {
            self.write_waiting(waiting, &outcome)?;
        }
        for alias in aliases {
            self.settle_with(&alias, outcome.clone())?;
        }
        Ok(())
    }

    fn write_waiting(&mut self, waiting: Waiting, outcome: &DetailOutcome) -> Result<(), Error> {
        let (detail, warning) = match outcome {
            DetailOutcome::Read(detail) => (Some(detail), None),
            DetailOutcome::Missing(warning) => (None, Some(warning.clone())),
        };
        self.write(
            waiting.entry,
            &waiting.listing,
            detail,
            &waiting.profile,
            warning,
        )
    }

    fn write(
        &mut self,
        entry: Entry,
        listing: &Page,
        detail: Option<&DetailPage>,
        profile: &str,
        warning: Option<String>,
    ) -> Result<(), Error> {
        let mut record = Record::new(entry, listing, detail, profile);
        record.warnings.extend(warning);
        match &mut self.held {
            Some(held) => held.keep_newest(record),
            None => {
                if self.written.insert(record.id.clone()) {
                    self.sink.write(&record)?;
                }
            }
        }
        Ok(())
    }
}

/// The options a WARC's `warcinfo` record names, so the file says how it was made.
fn warcinfo_options(config: &CrawlConfig) -> Vec<(String, String)> {
    let mut options: Vec<(String, String)> = config
        .start
        .iter()
        .map(|u| ("start-url".to_string(), u.to_string()))
        .collect();
    if let Some(cdx) = &config.cdx {
        options.push(("cdx-archive".into(), cdx.archive.to_string()));
    }
    options.extend([
        (
            "http-header-user-agent".to_string(),
            config.fetch.user_agent.clone(),
        ),
        ("rate".to_string(), config.fetch.rate.to_string()),
        (
            "archive-rate".to_string(),
            config.fetch.archive_rate.to_string(),
        ),
        (
            "archive-mode".to_string(),
            format!("{:?}", config.archive_mode).to_lowercase(),
        ),
        (
            "robots".to_string(),
            if config.fetch.ignore_robots {
                "ignore"
            } else {
                "obey"
            }
            .to_string(),
        ),
        ("details".to_string(), config.details.to_string()),
    ]);
    options
}

/// The key under which a URL counts as fetched: without its fragment, and without
/// a trailing slash where the profile says slashes do not matter.
fn seen_key(url: &Url, trailing_slash: TrailingSlash) -> String {
    let mut url = url.clone();
    url.set_fragment(None);
    let mut key = url.to_string();
    if trailing_slash == TrailingSlash::Ignore
        && key.ends_with('/')
        && url.path() != "/"
        && url.query().is_none()
    {
        key.pop();
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seen_keys() {
        let cases = [
            (
                "https://x.fi/a/#comments",
                TrailingSlash::Keep,
                "https://x.fi/a/",
            ),
            (
                "https://x.fi:443/a/",
                TrailingSlash::Keep,
                "https://x.fi/a/",
            ),
            ("HTTPS://X.FI/a/", TrailingSlash::Ignore, "https://x.fi/a"),
            ("https://x.fi/", TrailingSlash::Ignore, "https://x.fi/"),
            ("https://x.fi/a", TrailingSlash::Ignore, "https://x.fi/a"),
        ];
        for (input, slash, expected) in cases {
            assert_eq!(
                seen_key(&Url::parse(input).unwrap(), slash),
                expected,
                "{input}"
            );
        }
    }
}
