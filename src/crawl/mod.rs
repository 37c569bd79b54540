//! `harava crawl`: listing pages → "older" pages and detail pages → records.
//! [`run`] crawls as a [`CrawlConfig`] says.
//!
//! The crawl is one async loop: a queue of pages to fetch, and up to
//! `--concurrency` pages in flight, each fetched and then read (decoded, parsed,
//! extracted) on the blocking pool, so that a page slow to parse holds up
//! neither the other fetches nor Ctrl-C. What the crawl knows of each URL it has
//! met (queued, in flight, read as a listing or a detail page, failed, an alias
//! of another through a redirect) is kept by the `tracker`; this module reads
//! pages and tells it what became of them.
//!
//! A live crawl writes a record as soon as it is complete: at once for an entry
//! without a detail page, otherwise when its detail page has been read or has
//! failed for good, in which case the record still goes out with `body: null`
//! and a warning. Entries that share a detail page wait for the one fetch of it.
//! An archive crawl holds its records until the end (see `held`), since a newer
//! capture of a meeting may still come.
//!
//! CDX discovery lists listings and detail pages alike. Its captures are read as
//! what the profile says they are (`detail.page`); for a profile that cannot tell,
//! a capture is a detail page when an entry links to it and a listing when an
//! "older posts" link does, and one that nothing links to is judged at the end by
//! its own links.

mod discover;
mod held;
mod read;
mod stats;
mod tracker;

pub use crate::fetch::FetchConfig;
pub(crate) use discover::{CdxConfig, pattern_site};
pub use stats::{CrawlStats, Failure};

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use futures::StreamExt;
use futures::stream::FuturesUnordered;
use url::Url;

use crate::archive::wacz::Indexed;
use crate::archive::warc::WarcWriter;
use crate::archive::wayback::Capture;
use crate::error::Error;
use crate::extract::{DetailPage, Entry, Extracted, Submission};
use crate::fetch::Response;
use crate::fetch::{FetchError, Fetcher, Scope};
use crate::page::{ArchiveMode, Link, Page};
use crate::profile::{Profiles, TrailingSlash};
use crate::record::Record;
use crate::sink::{Found, PageSource, Sink};
use crate::state::PageResponse;
use crate::url_key;

use held::{Held, HeldEntry, Records};
use read::{Fetched, Profiled, Read};
use tracker::{Hung, OlderPosts, Reading, Settled, Tracker};

/// What a crawl is to do: `harava crawl`'s options. [`CrawlConfig::new`] gives
/// the defaults.
#[derive(Debug, Clone)]
pub struct CrawlConfig {
    /// The listing pages to start from, the first page of each listing: live
    /// pages, or archive captures (`https://web.archive.org/web/2017/https://…`).
    pub start: Vec<Url>,
    /// How to fetch: politeness, timeouts, limits.
    pub fetch: FetchConfig,
    /// How many pages may be fetched at once, across hosts (`--concurrency`).
    pub concurrency: usize,
    /// Stop after fetching this many pages (`--max-pages`).
    pub max_pages: Option<u64>,
    /// Fetch the entries' detail pages ("Lue lisää"); without them records
    /// have `body: null` (`--no-details` turns this off).
    pub details: bool,
    /// Say on stderr which profile read each page and why (`--explain`).
    pub explain: bool,
    /// Show a progress bar (only ever on a terminal) and the summary at the
    /// end on stderr.
    pub progress: bool,
    /// Which form of archive captures to fetch (`--archive-mode`).
    pub archive_mode: ArchiveMode,
    /// Discover captures through a CDX index instead of starting from `start`
    /// as given; `start` then holds original URLs or `prefix/*` patterns.
    pub(crate) cdx: Option<CdxConfig>,
    /// Write every request and response to this WARC file (`--warc`), gzipped
    /// per record when its name ends in `.gz`.
    pub warc: Option<PathBuf>,
    /// Keep the WARC's index as it is written, for a WACZ of it.
    pub(crate) index_warc: bool,
}

/// A page to fetch, and what it is expected to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// A start page or an "older posts" page; a start page found to be a detail
    /// page by the profile's `detail.page` is read as one.
    Listing,
    Detail,
    /// A capture CDX discovery listed: a listing or a detail page.
    Discovered,
}

struct Task {
    url: Url,
    role: Role,
    /// The key under which the page counts as fetched ([`url_key::dedup`]).
    key: String,
    /// The fields to POST, for a listing that is a form's answer.
    form: Option<Vec<(String, String)>>,
}

/// An entry waiting for its detail page.
struct Waiting {
    entry: Entry,
    listing: Arc<Page>,
    profile: String,
    found: Found,
}

/// With `--state`: one start listing, followed through its "older posts" pages.
/// A meeting it held before and no longer shows is removed only when every one
/// of its pages was read, to its end.
struct Range {
    /// The listing's key in the state ([`url_key::id`] of its start URL).
    listing: String,
    /// The meetings its pages showed in this run.
    seen: HashSet<String>,
    /// Its pages queued and not (yet) read as listing pages: one that failed,
    /// was not fetched, or read as something else stays here.
    unread: usize,
    /// Whether paging stopped at known or older meetings, or a page was read
    /// only by the generic extractor after the profile's layout alarm: either
    /// way, what its pages showed may not be all it holds.
    incomplete: bool,
}

/// A discovered page whose role is not known yet, with both readings.
struct Undecided {
    task: Task,
    page: Page,
    listing: Extracted,
    detail: DetailPage,
    profile: Profiled,
}

/// What the state knows of one listing entry.
#[derive(Default)]
struct KnownEntry {
    found: Found,
    /// Its record as last written, when the state knows the entry unchanged.
    unchanged: Option<Record>,
}

struct KnownEntries {
    entries: Vec<KnownEntry>,
    stop_paging: bool,
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
    tracker: Tracker<Waiting, Undecided>,
    records: Records,
    live_scope: Scope,
    /// Hosts (without `www.`) of the original sites inside the archives crawled.
    archived_sites: Vec<String>,
    /// With `--state`, the start listings of a live crawl, and the range each
    /// listing page queued so far belongs to, by its key.
    ranges: Vec<Range>,
    range_of: HashMap<String, usize>,
    /// The keys of the pages read from the state, not fetched.
    replayed: HashSet<String>,
    /// The meetings each chain of listing pages (a start page and the older
    /// pages it led to) showed so far, by a hash of their ids, to tell a listing
    /// that only repeats itself from one that goes on. Per chain: two listings
    /// of one site may show the same meetings.
    entries_seen: Vec<HashSet<u64>>,
    /// For each queued older page, by its key: its chain, and how many listing
    /// pages in a row up to it showed no meeting new to the chain.
    chain_of: HashMap<String, (usize, u32)>,
    /// The keys of the start pages of a live crawl: one that cannot be read
    /// (not HTML, or not allowed by robots.txt) is a failure of the run, not a
    /// skip, since the run reads nothing it set out to.
    start_keys: HashSet<String>,
    stats: CrawlStats,
    progress: indicatif::ProgressBar,
}

/// After this many listing pages in a row that show no meeting their listing
/// had not shown before, the listing's older pages are not followed: a site
/// whose pagination never ends (every page links one more, showing the same
/// meetings) would hold a crawl without `--max-pages` for ever.
const MAX_REPEATING_LISTING_PAGES: u32 = 5;

/// How a crawl that started ended.
#[derive(Debug)]
pub struct CrawlOutcome {
    /// Complete even when an error cut the crawl short.
    pub stats: CrawlStats,
    /// What cut it short, if anything did; the WARC was finished all the same.
    pub error: Option<Error>,
    /// The WARC's index, kept as it was written (`index_warc`).
    pub(crate) warc_index: Option<Vec<Indexed>>,
}

/// Runs a crawl until the queue is empty or `shutdown` completes (a signal).
/// An error before the first request (the WARC cannot be created, the HTTP
/// client cannot be set up) is returned as such; after it, whatever ends the
/// crawl, what was fetched is kept. Records go to `sink` as they are complete;
/// finish it afterwards to put its file in place.
///
/// The future needs a tokio runtime with its I/O and time drivers enabled
/// (`tokio::runtime::Runtime::new`, or `#[tokio::main]`).
///
/// A crawl of a listing page and the meeting it lists, from a site the example
/// serves itself on 127.0.0.1:
///
/// ```
/// use harava::crawl::{self, CrawlConfig};
/// use harava::profile::{ProfileChoice, Profiles};
/// use harava::record::Record;
/// use harava::sink::{Outcome, Sink};
/// use url::Url;
/// # use std::io::{BufRead, BufReader, Write};
/// # let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
/// # let site = format!("http://{}", listener.local_addr().unwrap());
/// # std::thread::spawn(move || {
/// #     for stream in listener.incoming() {
/// #         let mut stream = stream.unwrap();
/// #         let mut reader = BufReader::new(&stream);
/// #         let mut request = String::new();
/// #         reader.read_line(&mut request).unwrap();
/// #         let mut header = String::new();
/// #         while reader.read_line(&mut header).unwrap() > 2 {
/// #             header.clear();
/// #         }
/// #         let body = match request.split(' ').nth(1) {
/// #             Some("/kuntajohtajakokous/") => r#"<main><article class="type-post">
/// #                 <div class="entry-meta"><span class="posted-on">8.5.2017</span></div>
/// #                 <h2 class="entry-title"><a href="/muistiot/kuntajohtajakokous-10-5-2017/">Kuntajohtajakokous 10.5.2017</a></h2>
/// #               </article></main>"#,
/// #             Some("/muistiot/kuntajohtajakokous-10-5-2017/") => r#"<body class="single-post"><main><article>
/// #                 <div class="entry-content"><p>Kuntajohtajat keskustelivat valinnanvapaudesta.</p></div>
/// #               </article></main></body>"#,
/// #             _ => "",
/// #         };
/// #         let status = if body.is_empty() { "404 Not Found" } else { "200 OK" };
/// #         write!(stream, "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\n\
/// #             Content-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len()).unwrap();
/// #     }
/// # });
///
/// // `site`: http://127.0.0.1:PORT, serving /kuntajohtajakokous/, a listing page
/// // in the Uusimaa 2019 site's markup, and the meeting page it links to.
/// let start = Url::parse(&format!("{site}/kuntajohtajakokous/")).unwrap();
/// let mut config = CrawlConfig::new(vec![start]);
/// // One's own server needs no pause between requests.
/// config.fetch.rate = 0.0;
/// let profiles = Profiles::load(&ProfileChoice::parse("uusimaa2019")).unwrap();
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("kokoukset.jsonl");
/// let mut sink = Sink::create(Some(&path)).unwrap();
///
/// let runtime = tokio::runtime::Runtime::new().unwrap();
/// let crawled = runtime
///     .block_on(crawl::run(&config, &profiles, &mut sink, std::future::pending()))
///     .unwrap();
/// assert!(crawled.error.is_none());
/// sink.finish(Outcome::Ok, &serde_json::Value::Null).unwrap();
/// assert_eq!(crawled.stats.pages_fetched, 2);
/// assert_eq!(crawled.stats.records_written, 1);
///
/// let line = std::fs::read_to_string(&path).unwrap();
/// let record: Record = serde_json::from_str(line.trim_end()).unwrap();
/// assert_eq!(record.title.as_deref(), Some("Kuntajohtajakokous 10.5.2017"));
/// assert_eq!(record.body.as_deref(), Some("Kuntajohtajat keskustelivat valinnanvapaudesta."));
/// assert_eq!(record.source_url, format!("{site}/kuntajohtajakokous/"));
/// ```
pub async fn run(
    config: &CrawlConfig,
    profiles: &Profiles,
    sink: &mut Sink,
    shutdown: impl Future<Output = ()>,
) -> Result<CrawlOutcome, Error> {
    let started = Instant::now();
    let plan = discover::Plan::new(config);
    // With a state, a run that continues one stopped by a signal, an error or
    // a kill continues that run's WARC, as it continues its records: the pages
    // behind the meetings that run delivered are not fetched again.
    let (recorder, continues_a_warc) = match (&config.warc, sink.harvest()) {
        (Some(path), Some(harvest)) => {
            let earlier = harvest.earlier_warc(path)?;
            let (writer, continued) =
                WarcWriter::resumable(path, &warcinfo_options(config), earlier).map_err(|e| {
                    Error::Warc {
                        message: e.to_string(),
                    }
                })?;
            if earlier.is_some() && !continued {
                tracing::warn!(
                    "{} is not the WARC the run this one continues left: the pages behind the meetings that run delivered are not in this one",
                    path.display()
                );
            } else if let Some(other) = harvest.earlier_warc_elsewhere(Some(path))? {
                tracing::warn!(
                    "the run this one continues wrote its WARC to {other} (if it was killed, to the .harava-resume.partial file beside it): the pages it read are read from the state, not fetched again, and are in that WARC, not in {}; give the same --warc (or --wacz) to continue it",
                    path.display()
                );
            }
            (Some(writer), continued)
        }
        (Some(path), None) => {
            let writer =
                WarcWriter::create(path, &warcinfo_options(config)).map_err(|e| Error::Warc {
                    message: e.to_string(),
                })?;
            (Some(writer), false)
        }
        (None, Some(harvest)) => {
            if let Some(other) = harvest.earlier_warc_elsewhere(None)? {
                tracing::warn!(
                    "the run this one continues wrote its WARC to {other} (if it was killed, to the .harava-resume.partial file beside it): the pages it read are read from the state, not fetched again, and are in that WARC only; give the same --warc (or --wacz) to continue it"
                );
            }
            (None, false)
        }
        (None, None) => (None, false),
    };
    let fetch = FetchConfig {
        concurrency_hint: config.concurrency,
        ..config.fetch.clone()
    };
    let fetcher = Fetcher::new(
        fetch,
        plan.fetch_scope.clone(),
        plan.archives.clone(),
        recorder,
    )
    .map_err(|e| Error::Client {
        message: e.to_string(),
    })?;
    // A continued WARC holds records this run did not write: the package reads
    // it whole rather than index what this run wrote.
    let fetcher = if config.index_warc && config.warc.is_some() && !continues_a_warc {
        fetcher.indexing()
    } else {
        fetcher
    };
    let progress = if config.progress && std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.enable_steady_tick(std::time::Duration::from_millis(200));
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    // Archive crawls hold records back until the end, and keep every detail
    // page's outcome meanwhile: a newer capture of the same meeting may still
    // come, and it must win.
    let archived = plan.archived();
    let mut crawl = Crawl {
        config,
        profiles,
        sink,
        tracker: Tracker::new(archived),
        records: if archived {
            Records::Held(Held::default())
        } else {
            Records::Written(HashSet::new())
        },
        live_scope: plan.live_scope.clone(),
        archived_sites: plan.archived_sites.clone(),
        ranges: Vec::new(),
        range_of: HashMap::new(),
        replayed: HashSet::new(),
        start_keys: HashSet::new(),
        entries_seen: Vec::new(),
        chain_of: HashMap::new(),
        stats: CrawlStats::default(),
        progress,
    };
    let error = crawl_pages(&mut crawl, &fetcher, &plan, config, shutdown)
        .await
        .err();
    // The WARC's whole length is noted before the file is put in place, so that
    // a kill before or after the rename leaves the next run a file of the
    // noted length. A run that ends in error notes it all the same (see
    // `Harvest::end_in_error`).
    let warc_noted = checkpoint(&mut crawl, &fetcher, config).await;
    let counters = fetcher.counters.clone();
    let warc = fetcher.finish_recording().map_err(|e| Error::Warc {
        message: e.to_string(),
    });
    crawl.progress.finish_and_clear();
    crawl.stats.requests = counters.requests.load(Ordering::Relaxed);
    crawl.stats.retries = counters.retries.load(Ordering::Relaxed);
    crawl.stats.throttled = counters.throttled.load(Ordering::Relaxed);
    crawl.stats.not_modified = counters.not_modified.load(Ordering::Relaxed);
    crawl.stats.records_written = crawl.records_so_far();
    let counts = crawl.sink.counts();
    crawl.stats.new = counts.new;
    crawl.stats.changed = counts.changed;
    crawl.stats.unchanged = counts.unchanged;
    crawl.stats.removed = counts.removed;
    crawl.stats.delivered_before = counts.delivered_before;
    crawl.stats.before_since = counts.before_since;
    let (warc_index, warc_error) = match warc {
        Ok(finished) => {
            // The page was read; the dataset an archivist keeps lacks it.
            for unrecorded in finished.unrecorded {
                crawl.stats.fail(
                    &unrecorded.url,
                    format!("not recorded in the WARC: {}", unrecorded.error),
                );
            }
            (finished.index, None)
        }
        Err(e) => (None, Some(e)),
    };
    crawl.stats.finish(started.elapsed());
    Ok(CrawlOutcome {
        stats: crawl.stats,
        error: error.or(warc_error).or(warc_noted.err()),
        warc_index,
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
    // Shared with the blocking pool, where pages are read.
    let shared_profiles = Arc::new(crawl.profiles.clone());
    let mut shutdown = std::pin::pin!(shutdown);
    let (starts, role) = match &config.cdx {
        Some(cdx) => {
            let discovery = discover::captures(fetcher, cdx, config.max_pages, config.archive_mode);
            tokio::select! {
                found = discovery => {
                    let found = found?;
                    crawl.stats.discovery_cut_short = found.cut_short;
                    (found.starts, Role::Discovered)
                }
                () = &mut shutdown => {
                    crawl.stats.interrupted = true;
                    tracing::warn!("interrupted while listing captures");
                    return Ok(());
                }
            }
        }
        None => (plan.starts.clone(), Role::Listing),
    };
    let ranges = crawl.sink.harvest().is_some() && role == Role::Listing && !plan.archived();
    for url in starts {
        let slash = crawl.slash_for(&url);
        if role == Role::Listing {
            crawl.start_keys.insert(crawl.dedup_key(&url, slash));
        }
        if ranges {
            crawl
                .range_of
                .insert(crawl.dedup_key(&url, slash), crawl.ranges.len());
            crawl.ranges.push(Range {
                listing: url_key::id(&url),
                seen: HashSet::new(),
                unread: 1,
                incomplete: false,
            });
        }
        crawl.enqueue(url, role, slash);
    }

    let mut in_flight = FuturesUnordered::new();
    loop {
        while in_flight.len() < config.concurrency.max(1) {
            let Some(task) = crawl.tracker.next() else {
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
            let profiles = shared_profiles.clone();
            let source = crawl.page_source(&task)?;
            if matches!(source, Some(PageSource::Replay(_))) {
                crawl.stats.replayed += 1;
                crawl.replayed.insert(task.key.clone());
            }
            // A replayed page is in the state already, under the run this one
            // continues; only what came over the network is news to it.
            let remember = matches!(source, Some(PageSource::Fetch | PageSource::Revalidate(_)));
            in_flight.push(async move {
                let request = match (&task.form, source) {
                    (Some(fields), _) => fetcher.submit(&task.url, fields).await,
                    (None, Some(PageSource::Replay(stored))) => Ok(replayed(&task.url, stored)),
                    (None, Some(PageSource::Revalidate(stored))) => {
                        revalidate(fetcher, &task.url, stored).await
                    }
                    (None, Some(PageSource::Fetch) | None) => fetcher.get(&task.url).await,
                };
                let fetched = match request {
                    Ok(response) => {
                        let kept = remember.then(|| to_keep(&response)).flatten();
                        let read = read::read(
                            response,
                            task.role,
                            profiles,
                            config.archive_mode,
                            config.explain,
                        )
                        .await;
                        Ok((read, kept))
                    }
                    Err(error) => Err(error),
                };
                (task, fetched)
            });
        }
        if in_flight.is_empty() {
            if !crawl.tracker.has_undecided() {
                break;
            }
            // Nothing more will link to them: judge them by their own links,
            // which may queue more pages.
            crawl.decide_the_rest()?;
            continue;
        }
        tokio::select! {
            Some((task, result)) = in_flight.next() => crawl.handle_kept(task, result)?,
            () = &mut shutdown => {
                crawl.stats.interrupted = true;
                tracing::warn!("interrupted: finishing the records already read");
                break;
            }
        }
        if crawl.stats.aborted.is_some() {
            break;
        }
        checkpoint(crawl, fetcher, config).await?;
        crawl.stats.records_written = crawl.records_so_far();
        crawl.progress.set_message(crawl.stats.progress_line());
    }
    drop(in_flight);
    crawl.decide_the_rest()?;
    let reason = if crawl.stats.interrupted {
        "the crawl was interrupted"
    } else if crawl.stats.aborted.is_some() {
        "the archive stopped answering"
    } else {
        "it was never reached"
    };
    // With a state, a run that stopped early leaves the entries still waiting
    // for their detail pages to the run that continues it, which reads those
    // pages, rather than deliver them without a body now (that run would take
    // them for delivered and never write them whole).
    let stopped = crawl.stats.interrupted || crawl.stats.aborted.is_some();
    let left_to_the_next_run = stopped && crawl.sink.harvest().is_some();
    while let Some(task) = crawl.tracker.next() {
        // A detail page, or a capture discovery listed (entries wait on those
        // too): its entries stay on it, for `abandon` below.
        if left_to_the_next_run && task.role != Role::Listing {
            if task.role == Role::Discovered {
                tracing::info!(url = %task.url, "not fetched: {reason}");
                crawl.stats.not_fetched += 1;
            }
            continue;
        }
        crawl.not_fetched(task, reason)?;
    }
    // Entries whose detail page was queued or in flight when the crawl
    // stopped, or was read as a listing.
    let abandoned = crawl.tracker.abandon();
    if !abandoned.is_empty() && !left_to_the_next_run {
        let outcome = Arc::new(DetailOutcome::Missing(format!(
            "body: the detail page was not fetched: {reason}"
        )));
        for waiting in abandoned {
            crawl.write_waiting(waiting, &outcome)?;
        }
    }
    if let Records::Held(held) = &mut crawl.records {
        for record in std::mem::take(held).into_records() {
            crawl.sink.write(&record)?;
        }
    }
    crawl.report_removed()
}

/// Makes what the run wrote so far last. With a state and a WARC, the WARC is
/// synced first and its length noted: the state then says the meetings just
/// written are delivered, and a run that continues this one after a kill
/// continues the WARC after those bytes, which hold the pages behind them.
async fn checkpoint(
    crawl: &mut Crawl<'_>,
    fetcher: &Fetcher,
    config: &CrawlConfig,
) -> Result<(), Error> {
    if let (Some(path), Some(harvest)) = (&config.warc, crawl.sink.harvest())
        && let Some(synced) = fetcher.sync_recording().await
    {
        match synced {
            Ok(Some(bytes)) => harvest.note_warc_length(path, bytes)?,
            // A pipe is not continued; its reader has what it got.
            Ok(None) => {}
            // Delivering what the WARC may not hold would leave a continuing
            // run without those pages: the run stops, its deliveries since the
            // last checkpoint not made.
            Err(e) => {
                crawl.sink.hold_back_since_checkpoint();
                return Err(Error::Warc {
                    message: format!("cannot sync {}: {e}", path.display()),
                });
            }
        }
    }
    crawl.sink.flush()
}

/// What the state is told of a page that came over the network.
enum Kept {
    /// A successful answer, with the validators that make the next request for
    /// it conditional.
    Page(PageResponse),
    /// The stored page is still current (304), as of this time: it need not
    /// be stored again.
    NotModified(chrono::DateTime<chrono::Utc>),
}

fn to_keep(response: &Response) -> Option<Kept> {
    if response.not_modified {
        return Some(Kept::NotModified(response.fetched_at));
    }
    (200..300).contains(&response.status).then(|| {
        Kept::Page(PageResponse {
            status: response.status,
            etag: response.etag().map(str::to_owned),
            last_modified: response.last_modified().map(str::to_owned),
            content_type: response.http().content_type.map(str::to_owned),
            final_url: Some(response.url.to_string()),
            fetched_at: response.fetched_at,
            body: response.body.to_vec(),
        })
    })
}

/// A page as a killed run of the same command read it, from the state.
fn replayed(url: &Url, stored: PageResponse) -> Response {
    let mut headers = reqwest::header::HeaderMap::new();
    let mut set = |name: reqwest::header::HeaderName, value: &Option<String>| {
        if let Some(value) = value.as_deref().and_then(|v| v.parse().ok()) {
            headers.insert(name, value);
        }
    };
    set(reqwest::header::CONTENT_TYPE, &stored.content_type);
    set(reqwest::header::ETAG, &stored.etag);
    set(reqwest::header::LAST_MODIFIED, &stored.last_modified);
    Response {
        url: stored
            .final_url
            .as_deref()
            .and_then(|u| Url::parse(u).ok())
            .unwrap_or_else(|| url.clone()),
        status: stored.status,
        headers,
        request_headers: Vec::new(),
        request_body: bytes::Bytes::new(),
        body: stored.body.into(),
        fetched_at: stored.fetched_at,
        not_modified: false,
        truncated: false,
    }
}

/// Asks for a page again only if it changed since `stored`; a 304 gives the
/// stored page back, marked not modified.
async fn revalidate(
    fetcher: &Fetcher,
    url: &Url,
    stored: PageResponse,
) -> Result<Response, FetchError> {
    let validators = crate::fetch::Validators {
        etag: stored.etag.clone(),
        last_modified: stored.last_modified.clone(),
    };
    let response = fetcher.get_conditional(url, Some(&validators)).await?;
    if !response.not_modified {
        return Ok(response);
    }
    let fetched_at = response.fetched_at;
    let mut reused = replayed(url, stored);
    reused.fetched_at = fetched_at;
    reused.not_modified = true;
    Ok(reused)
}

impl Crawl<'_> {
    /// With `--state`, how to get `task`'s page: replayed from a killed run,
    /// asked for conditionally, or fetched. Form submissions and archive
    /// captures are always fetched as they are.
    fn page_source(&mut self, task: &Task) -> Result<Option<PageSource>, Error> {
        let live = task.form.is_none() && Capture::parse(&task.url).is_none();
        match self.sink.harvest() {
            Some(harvest) if live => harvest.page_source(&task.key).map(Some),
            _ => Ok(None),
        }
    }

    /// Keeps what the state wants of a fetched page, then handles it.
    fn handle_kept(
        &mut self,
        task: Task,
        fetched: Result<(Fetched, Option<Kept>), FetchError>,
    ) -> Result<(), Error> {
        let fetched = match fetched {
            Ok((fetched, kept)) => {
                match (kept, self.sink.harvest()) {
                    (Some(Kept::Page(page)), Some(harvest)) => {
                        harvest.remember_page(&task.key, &page)?;
                    }
                    (Some(Kept::NotModified(at)), Some(harvest)) => {
                        harvest.page_not_modified(&task.key, at)?;
                    }
                    _ => {}
                }
                Ok(fetched)
            }
            Err(error) => Err(error),
        };
        self.handle(task, fetched)
    }

    /// Reports, for each start listing read completely, the meetings it no
    /// longer shows. A crawl that stopped early reads none completely.
    fn report_removed(&mut self) -> Result<(), Error> {
        if self.stats.interrupted || self.stats.aborted.is_some() {
            return Ok(());
        }
        let ranges = std::mem::take(&mut self.ranges);
        if let Some(harvest) = self.sink.harvest() {
            for range in ranges.iter().filter(|r| !r.incomplete && r.unread == 0) {
                harvest.removed(&range.listing, &range.seen)?;
            }
        }
        Ok(())
    }

    fn handle(&mut self, task: Task, fetched: Result<Fetched, FetchError>) -> Result<(), Error> {
        let fetched = match fetched {
            Ok(fetched) => fetched,
            Err(error) => return self.fetch_failed(task, error),
        };
        self.stats.pages_fetched += 1;
        tracing::info!(url = %fetched.url, status = fetched.status, bytes = fetched.bytes, "fetched");
        if let Read::NotHtml { content_type } = &fetched.read {
            if self.start_keys.contains(&task.key) {
                let error = format!(
                    "the start page {} is not HTML ({content_type}), so nothing on it can be read; check that the start URL is the listing page",
                    fetched.url
                );
                tracing::error!("{error}");
                self.stats.fail(&task.url, error);
            } else {
                tracing::warn!(url = %fetched.url, %content_type, "not an HTML page; skipped");
                self.stats.skipped_not_html += 1;
            }
            return self.settle(
                &task.key,
                DetailOutcome::Missing(format!(
                    "body: the detail page is not HTML ({content_type}); not read"
                )),
            );
        }
        if fetched.url != task.url {
            let key = self.dedup_key(&fetched.url, self.slash_for(&fetched.url));
            if key != task.key {
                // A redirect that only adds a slash or changes the scheme keeps
                // the meeting: an entry linking the target has the id of one
                // linking this page.
                let same_meeting = url_key::id(&task.url) == url_key::id(&fetched.url);
                // A detail page is read for its entries wherever it redirects; a
                // listing that redirects to a page met already would be read twice.
                if !self.tracker.redirected(&task.key, key, same_meeting)
                    && task.role != Role::Detail
                {
                    tracing::info!(url = %task.url, to = %fetched.url, "redirected to a page fetched already");
                    let warning = format!(
                        "body: {} redirects to {}, which was read for another entry",
                        task.url, fetched.url
                    );
                    return self.settle(&task.key, DetailOutcome::Missing(warning));
                }
            }
        }
        let mut fetched = fetched;
        if let Read::Page { profile, .. } | Read::Either { profile, .. } = &mut fetched.read
            && self.reading_failed(&task, profile)
        {
            let warning = format!("body: {} could not be read", task.url);
            return self.settle(&task.key, DetailOutcome::Missing(warning));
        }
        match fetched.read {
            Read::NotHtml { .. } => unreachable!("answered above"),
            Read::ReplayedRedirect(target) => self.follow_replayed_redirect(task, target),
            Read::Unreadable(reason) => {
                tracing::error!("{reason}");
                self.stats.fail(&task.url, reason.clone());
                self.settle(&task.key, DetailOutcome::Missing(format!("body: {reason}")))
            }
            Read::NoProfile if task.role == Role::Detail => self.settle(
                &task.key,
                DetailOutcome::Missing("body: no profile fits the detail page".into()),
            ),
            Read::NoProfile => {
                let error = Error::NoProfile {
                    path: task.url.to_string(),
                };
                tracing::error!("{error}");
                self.stats.fail(&task.url, error.to_string());
                self.settle(&task.key, DetailOutcome::Missing(format!("body: {error}")))
            }
            Read::Detail(detail) => self.settle(&task.key, DetailOutcome::Read(*detail)),
            Read::Page {
                page,
                extracted: Extracted::Other,
                profile,
                submission: Some(submission),
            } => {
                let warning = format!("body: {} is a search form, not a page of its own", task.url);
                if !self.enqueue_form(submission, profile.trailing_slash) {
                    tracing::info!(url = %page.url, "the listing's form was submitted already");
                }
                self.settle(&task.key, DetailOutcome::Missing(warning))
            }
            Read::Page {
                page,
                extracted,
                profile,
                submission: _,
            } => self.listing(task, page, extracted, profile),
            Read::Either {
                page,
                listing,
                detail,
                profile,
            } => {
                let key = task.key.clone();
                let undecided = Undecided {
                    task,
                    page,
                    listing,
                    detail: *detail,
                    profile,
                };
                match self.tracker.read_both_ways(&key, undecided) {
                    Reading::AsDetail(undecided) => self.read_as_detail(undecided),
                    Reading::AsListing(undecided) => self.read_as_listing(undecided),
                    Reading::Undecided => Ok(()),
                }
            }
        }
    }

    /// Says what `--explain` asks for, and reports a reading that failed: a
    /// page that needs JavaScript. A layout-change alarm fails the page too,
    /// but the generic extractor's entries are still used.
    fn reading_failed(&mut self, task: &Task, profile: &mut Profiled) -> bool {
        if self.config.explain {
            for line in profile.explain.drain(..) {
                eprintln!("harava: explain {}: {line}", task.url);
            }
        }
        if let Some(alarm) = profile.layout_changed.take() {
            tracing::warn!("{alarm}");
            self.stats.fail(&task.url, alarm);
            if let Some(&range) = self.range_of.get(&task.key) {
                self.ranges[range].incomplete = true;
            }
        }
        match profile.problem.take() {
            Some(problem) => {
                tracing::warn!("{problem}");
                self.stats.fail(&task.url, problem);
                true
            }
            None => false,
        }
    }

    fn read_as_detail(&mut self, undecided: Undecided) -> Result<(), Error> {
        self.settle(&undecided.task.key, DetailOutcome::Read(undecided.detail))
    }

    fn read_as_listing(&mut self, undecided: Undecided) -> Result<(), Error> {
        self.listing(
            undecided.task,
            undecided.page,
            undecided.listing,
            undecided.profile,
        )
    }

    /// Decides the discovered pages no link decided: a page with an "older posts"
    /// link, several entries, or an entry linking to another page is a listing;
    /// any other is the detail page of an entry no listing crawled shows.
    fn decide_the_rest(&mut self) -> Result<(), Error> {
        for undecided in self.tracker.take_undecided() {
            let key = &undecided.task.key;
            let slash = undecided.profile.trailing_slash;
            let is_listing = match &undecided.listing {
                Extracted::Listing(listing) => {
                    !listing.next.is_empty()
                        || listing.entries.len() > 1
                        || listing.entries.iter().any(|entry| {
                            entry
                                .detail
                                .as_ref()
                                .is_some_and(|d| self.dedup_key(&d.fetch, slash) != *key)
                        })
                }
                Extracted::Detail(_) | Extracted::Other => false,
            };
            if is_listing {
                self.read_as_listing(undecided)?;
            } else {
                tracing::info!(url = %undecided.task.url, "read as a detail page, though no listing crawled links to it");
                self.read_as_detail(undecided)?;
            }
        }
        Ok(())
    }

    /// An archive replayed a capture of a redirect as a page saying so: the page
    /// the task wanted is at the redirect's target.
    fn follow_replayed_redirect(&mut self, task: Task, target: Url) -> Result<(), Error> {
        let target = Capture::parse(&target).map_or(target, |c| self.config.archive_mode.url(&c));
        tracing::info!(from = %task.url, to = %target, "the archive replayed a redirect; following it");
        let target_task = Task {
            key: self.dedup_key(&target, self.slash_for(&target)),
            url: target.clone(),
            role: task.role,
            form: None,
        };
        match self.tracker.replayed(&task.key, target_task) {
            Some(Hung::Waiting) => Ok(()),
            Some(Hung::Settled(settled)) => self.write_settled(settled),
            Some(Hung::ReadAsDetail(undecided)) => self.read_as_detail(undecided),
            Some(Hung::LetGo(waiting)) => {
                let outcome = Arc::new(DetailOutcome::Missing(format!(
                    "body: {} redirects to {target}, which was read for another entry",
                    task.url
                )));
                for waiting in waiting {
                    self.write_waiting(waiting, &outcome)?;
                }
                Ok(())
            }
            None => {
                let warning = format!("body: {} is an archived redirect back to itself", task.url);
                self.settle(&task.key, DetailOutcome::Missing(warning))
            }
        }
    }

    /// How the profile for `url`'s site treats trailing slashes, as far as the
    /// host tells before the page is read.
    fn slash_for(&self, url: &Url) -> TrailingSlash {
        let original = Capture::parse(url).map_or_else(|| url.clone(), |c| c.original);
        self.profiles
            .for_host(original.host_str())
            .map_or(TrailingSlash::Keep, |p| p.urls.trailing_slash)
    }

    fn listing(
        &mut self,
        task: Task,
        page: Page,
        extracted: Extracted,
        profile: Profiled,
    ) -> Result<(), Error> {
        let listing = match extracted {
            Extracted::Listing(listing) => listing,
            Extracted::Detail(detail) => {
                return self.settle(&task.key, DetailOutcome::Read(detail));
            }
            Extracted::Other => {
                let problem = format!(
                    "{}: no entries on this page by the selectors of profile {}; check the start URL, or choose the profile with --profile",
                    task.url, profile.name
                );
                // A start page, or one an "older posts" link led to, that shows
                // no meeting: the listing is broken (a maintenance page, a new
                // layout), and its meetings are not read.
                if task.role == Role::Listing {
                    tracing::error!("{problem}");
                    self.stats.fail(&task.url, problem);
                } else {
                    tracing::warn!("{problem}");
                }
                let warning = format!("body: {} has neither entries nor a detail body", task.url);
                return self.settle(&task.key, DetailOutcome::Missing(warning));
            }
        };
        self.tracker.read_as_listing(&task.key);
        self.stats.listing_pages += 1;
        let range = self.range_of.get(&task.key).copied();
        if let Some(range) = range {
            self.ranges[range].unread -= 1;
        }
        if self.replayed.contains(&task.key) {
            self.stats.listings_replayed += 1;
            // As the killed run saw it: pages fetched now may have shifted.
            if let Some(range) = range {
                self.ranges[range].incomplete = true;
            }
        }
        let slash = profile.trailing_slash;
        let profile_name = profile.name;
        let listing_page = Arc::new(page);
        let known = self.known_entries(&listing.entries, &listing_page, &profile_name, range)?;
        if known.stop_paging && !listing.next.is_empty() {
            tracing::info!(url = %task.url, "every meeting on this page is known and unchanged, or older than --since: older pages are not read (--full reads them)");
            self.stats.stopped_early += 1;
            if let Some(range) = range {
                self.ranges[range].incomplete = true;
            }
        }
        // Live listings only: an archive holds several captures of a listing,
        // which show the same meetings and end all the same.
        let chain = listing_page.archive.is_none().then(|| {
            self.chain_of.remove(&task.key).unwrap_or_else(|| {
                self.entries_seen.push(HashSet::new());
                (self.entries_seen.len() - 1, 0)
            })
        });
        let repeating = match chain {
            Some((chain, before)) => {
                let mut any_new = false;
                for entry in &listing.entries {
                    let id = hash_of(&Record::id_of(entry, &listing_page));
                    any_new |= self.entries_seen[chain].insert(id);
                }
                if any_new { 0 } else { before + 1 }
            }
            None => 0,
        };
        let endless = repeating >= MAX_REPEATING_LISTING_PAGES && !listing.next.is_empty();
        if endless && !known.stop_paging {
            tracing::warn!(
                "{}: {repeating} listing pages in a row showed only meetings this listing showed before, so it seems to go on for ever; its older pages are not read",
                task.url
            );
            self.stats.listings_repeating += 1;
            if let Some(range) = range {
                self.ranges[range].incomplete = true;
            }
        }
        let next_pages = if known.stop_paging || endless {
            Vec::new()
        } else {
            listing.next
        };
        for next in next_pages {
            if self.in_scope(&next, &listing_page) {
                let key = self.dedup_key(&next.fetch, slash);
                let older = Task {
                    key: key.clone(),
                    url: next.fetch,
                    role: Role::Listing,
                    form: None,
                };
                match self.tracker.older_posts(older) {
                    OlderPosts::Queued => {
                        if let Some((chain, _)) = chain {
                            self.chain_of.insert(key.clone(), (chain, repeating));
                        }
                        if let Some(range) = range {
                            self.range_of.insert(key, range);
                            self.ranges[range].unread += 1;
                        }
                    }
                    OlderPosts::ReadAsListing(undecided) => self.read_as_listing(undecided)?,
                    OlderPosts::Met => {
                        tracing::info!(url = %next.original, "already fetched in this crawl (a pagination loop?); not fetched again");
                        self.stats.skipped_seen += 1;
                    }
                }
            } else {
                tracing::info!(url = %next.original, "next-page link leads off the site; not followed");
                self.stats.skipped_out_of_scope += 1;
            }
        }
        for (entry, known) in listing.entries.into_iter().zip(known.entries) {
            let KnownEntry { found, unchanged } = known;
            if let Some(record) = unchanged {
                // Known as it is: its record as last written, its detail page not read.
                if let Records::Written(ids) = &mut self.records
                    && ids.insert(record.id.clone())
                {
                    self.sink.deliver(&record, &found)?;
                }
                continue;
            }
            let detail = entry.detail.clone().filter(|_| self.config.details);
            let Some(detail) = detail else {
                self.write(entry, &listing_page, None, &profile_name, None, &found)?;
                continue;
            };
            if !self.in_scope(&detail, &listing_page) {
                let warning = format!(
                    "body: the detail page {} is on another site; not fetched",
                    detail.original
                );
                self.write(
                    entry,
                    &listing_page,
                    None,
                    &profile_name,
                    Some(warning),
                    &found,
                )?;
                continue;
            }
            let waiting = Waiting {
                entry,
                listing: listing_page.clone(),
                profile: profile_name.clone(),
                found,
            };
            let detail_page = Task {
                key: self.dedup_key(&detail.fetch, slash),
                url: detail.fetch,
                role: Role::Detail,
                form: None,
            };
            match self.tracker.wait_for(detail_page, waiting) {
                Hung::Waiting => {}
                Hung::Settled(settled) => self.write_settled(settled)?,
                Hung::ReadAsDetail(undecided) => self.read_as_detail(undecided)?,
                // Its detail page was read and let go already: the same meeting as
                // a record written before (same detail page, same id).
                Hung::LetGo(_) => {
                    tracing::debug!(url = %detail.original, "an entry seen before; skipped");
                }
            }
        }
        Ok(())
    }

    /// What the state knows of a listing page's entries, and whether the page
    /// ends its listing: every meeting on it known and unchanged (a listing is
    /// newest first, so the pages after it hold nothing new), or older than
    /// `--since`. Without `--state` or `--since`, nothing is known.
    fn known_entries(
        &mut self,
        entries: &[Entry],
        listing: &Page,
        profile: &str,
        range: Option<usize>,
    ) -> Result<KnownEntries, Error> {
        let since = self.sink.since();
        let harvest = self.sink.harvest().is_some();
        if !harvest && since.is_none() {
            return Ok(KnownEntries {
                entries: entries.iter().map(|_| KnownEntry::default()).collect(),
                stop_paging: false,
            });
        }
        let mut known = Vec::with_capacity(entries.len());
        let mut all_unchanged = !entries.is_empty();
        let mut all_older = !entries.is_empty() && since.is_some();
        for entry in entries {
            // The entry as the listing alone shows it; its hash leaves out where
            // it was found, so a meeting moved to the next page is the same entry.
            let shown = Record::new(entry.clone(), listing, None, profile);
            let date = shown.meeting_date.or(shown.published_date);
            all_older &= since.is_some_and(|since| date.is_some_and(|d| d < since));
            let found = Found {
                entry_hash: harvest.then(|| crate::state::content_hash(&shown)),
                listing: range.map(|r| self.ranges[r].listing.clone()),
            };
            if let Some(range) = range {
                self.ranges[range].seen.insert(shown.id.clone());
            }
            // An archive crawl holds its records for the newest capture of each
            // meeting, so it reads every entry as it is.
            let live = matches!(self.records, Records::Written(_));
            let unchanged = match (self.sink.harvest(), &found.entry_hash) {
                (Some(harvest), Some(hash)) if live => harvest.known_unchanged(&shown.id, hash)?,
                _ => None,
            };
            all_unchanged &= unchanged.is_some();
            known.push(KnownEntry { found, unchanged });
        }
        Ok(KnownEntries {
            entries: known,
            stop_paging: all_unchanged || all_older,
        })
    }

    fn records_so_far(&self) -> u64 {
        let held = match &self.records {
            Records::Held(held) => held.len() as u64,
            Records::Written(_) => 0,
        };
        self.sink.written() + held
    }

    /// Whether a link stays on the sites being crawled: for a live page, the
    /// origins of the start URLs; for an archived page, the original sites inside
    /// the archive (whatever the archive's own host).
    fn in_scope(&self, link: &Link, page: &Page) -> bool {
        if page.archive.is_some() {
            self.archived_sites.contains(&url_key::site(&link.original))
        } else {
            self.live_scope.contains(&link.fetch)
        }
    }

    /// The key under which a URL counts as fetched ([`url_key::dedup`]): an
    /// archived page's by its original URL, and with `--all-captures` its
    /// capture time.
    fn dedup_key(&self, url: &Url, trailing_slash: TrailingSlash) -> String {
        let ignore_trailing_slash = trailing_slash == TrailingSlash::Ignore;
        match Capture::parse(url) {
            Some(capture) => {
                let all = self.config.cdx.as_ref().is_some_and(|c| c.all_captures);
                let capture_time = all.then_some(capture.timestamp.as_str());
                url_key::dedup(&capture.original, ignore_trailing_slash, capture_time)
            }
            None => url_key::dedup(url, ignore_trailing_slash, None),
        }
    }

    /// Queues a page unless it was met already; says whether it was queued.
    fn enqueue(&mut self, url: Url, role: Role, trailing_slash: TrailingSlash) -> bool {
        let key = self.dedup_key(&url, trailing_slash);
        self.tracker.queue(Task {
            url,
            role,
            key,
            form: None,
        })
    }

    /// Queues the submission of a listing's form (a POST, or a GET with the
    /// fields in its query) unless it was sent already.
    fn enqueue_form(&mut self, submission: Submission, trailing_slash: TrailingSlash) -> bool {
        let Submission {
            action,
            post,
            fields,
        } = submission;
        if !post {
            let mut url = action.fetch;
            url.query_pairs_mut().clear().extend_pairs(&fields);
            return self.enqueue(url, Role::Listing, trailing_slash);
        }
        let body: String = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(&fields)
            .finish();
        let key = format!(
            "{} POST {body}",
            self.dedup_key(&action.fetch, trailing_slash)
        );
        let queued = self.tracker.queue(Task {
            url: action.fetch,
            role: Role::Listing,
            key,
            form: Some(fields),
        });
        if queued {
            tracing::info!(url = %action.original, "submitting the listing's form");
        }
        queued
    }

    fn fetch_failed(&mut self, task: Task, error: FetchError) -> Result<(), Error> {
        // A listing page that redirects off the site is no skip: the run cannot
        // read what it set out to, and its exit code must say so.
        let listing_led_off =
            task.role == Role::Listing && matches!(error, FetchError::RedirectOutOfScope { .. });
        // Nor is a start page that robots.txt does not allow: a scheduled run
        // must tell that from a site with nothing new.
        let start_refused = self.start_keys.contains(&task.key);
        if let FetchError::Refused { .. } = &error {
            tracing::error!("{error}");
            self.stats.fail(&task.url, error.to_string());
            self.stats.aborted = Some(error.to_string());
        } else if error.is_skip() && !listing_led_off && !start_refused {
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
        if task.role != Role::Detail {
            tracing::info!(url = %task.url, "not fetched: {reason}");
            self.stats.not_fetched += 1;
        }
        let warning = format!(
            "body: the detail page {} was not fetched: {reason}",
            task.url
        );
        self.settle(&task.key, DetailOutcome::Missing(warning))
    }

    /// Records what became of the page in flight under `key` and writes the
    /// entries that waited for it.
    fn settle(&mut self, key: &str, outcome: DetailOutcome) -> Result<(), Error> {
        let settled = self.tracker.settle(key, outcome);
        self.write_settled(settled)
    }

    fn write_settled(&mut self, settled: Settled<Waiting>) -> Result<(), Error> {
        for waiting in settled.waiting {
            self.write_waiting(waiting, &settled.outcome)?;
        }
        Ok(())
    }

    fn write_waiting(
        &mut self,
        waiting: Waiting,
        outcome: &Arc<DetailOutcome>,
    ) -> Result<(), Error> {
        self.write(
            waiting.entry,
            &waiting.listing,
            Some(outcome),
            &waiting.profile,
            None,
            &waiting.found,
        )
    }

    fn write(
        &mut self,
        entry: Entry,
        listing: &Arc<Page>,
        outcome: Option<&Arc<DetailOutcome>>,
        profile: &str,
        warning: Option<String>,
        found: &Found,
    ) -> Result<(), Error> {
        match &mut self.records {
            Records::Held(held) => held.keep_newest(HeldEntry {
                entry,
                listing: listing.clone(),
                outcome: outcome.cloned(),
                profile: profile.to_string(),
                warning,
            }),
            Records::Written(ids) => {
                let record = record(entry, listing, outcome.map(|o| &**o), profile, warning);
                if ids.insert(record.id.clone()) {
                    self.sink.deliver(&record, found)?;
                }
            }
        }
        Ok(())
    }
}

/// The record of an entry, with what became of its detail page.
fn record(
    entry: Entry,
    listing: &Page,
    outcome: Option<&DetailOutcome>,
    profile: &str,
    warning: Option<String>,
) -> Record {
    let (detail, warning) = match outcome {
        Some(DetailOutcome::Read(detail)) => (Some(detail), warning),
        Some(DetailOutcome::Missing(missing)) => (None, Some(missing.clone())),
        None => (None, warning),
    };
    let mut record = Record::new(entry, listing, detail, profile);
    record.warnings.extend(warning);
    record
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

/// A meeting's id as the crawl keeps it to recognise the meeting: 8 bytes
/// rather than the text.
fn hash_of(id: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    id.hash(&mut hasher);
    hasher.finish()
}
