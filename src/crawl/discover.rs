//! Where a crawl starts: live listing pages, archive captures given by URL, or
//! captures found in an archive's CDX index.
//!
//! CDX servers list every capture of a URL or a URL prefix. The Internet Archive's
//! pages a long answer when asked for a `limit` with `showResumeKey` (an empty
//! row, then the key); harava follows the key until the index has no more, or
//! until a bound says stop: a repeated key, `--cdx-max-queries`, `--cdx-time-limit`,
//! or as many captures as `--max-pages` could ever crawl. A listing cut short is
//! said so, and the crawl goes on with what was listed. By default the newest
//! capture of each URL is crawled; `--all-captures` crawls every one, and the
//! newest capture of each meeting wins in the output.

use std::collections::HashSet;

use url::Url;

use crate::archive::cdx::{self, CdxFlavor, CdxQuery, Gathered, Selection};
use crate::archive::wayback::Capture;
use crate::error::Error;
use crate::fetch::{FetchError, Fetcher, RequestKind, Scope};
use crate::page::ArchiveMode;
use crate::url_key;

use super::CrawlConfig;

/// How to find captures in a CDX index.
#[derive(Debug, Clone)]
pub(crate) struct CdxConfig {
    /// The archive: `https://web.archive.org`, or a pywb collection such as
    /// `http://localhost:8080/my-coll`.
    pub archive: Url,
    /// Earliest and latest capture time, 1–14 digits (`2017`, `20180601`).
    pub from: Option<String>,
    pub to: Option<String>,
    pub all_captures: bool,
    /// What to look up, as the user gave it: original URLs or prefixes ending in
    /// `*`, with or without a scheme.
    pub patterns: Vec<String>,
    /// Stop listing after this many index queries.
    pub max_queries: u32,
    /// Stop listing after this long.
    pub time_limit: std::time::Duration,
}

/// The start of a crawl and the bounds it keeps to.
#[derive(Debug, Clone)]
pub(super) struct Plan {
    /// The URLs to fetch first (empty in CDX mode until discovery runs).
    pub starts: Vec<Url>,
    /// Every origin the fetcher may contact.
    pub fetch_scope: Scope,
    /// The web archives among them.
    pub archives: Scope,
    /// The live sites among them.
    pub live_scope: Scope,
    /// The original sites inside the archives, by [`url_key::site`].
    pub archived_sites: Vec<String>,
}

impl Plan {
    pub(super) fn new(config: &CrawlConfig) -> Plan {
        let mut starts = Vec::new();
        let mut live = Vec::new();
        let mut archive_prefixes = Vec::new();
        let mut archived_sites = Vec::new();
        if let Some(cdx) = &config.cdx {
            archive_prefixes.push(cdx.archive.clone());
            archived_sites.extend(config.start.iter().map(url_key::site));
        } else {
            for url in &config.start {
                match Capture::parse(url) {
                    Some(capture) => {
                        starts.push(config.archive_mode.url(&capture));
                        archived_sites.push(url_key::site(&capture.original));
                        archive_prefixes.push(capture.archive_prefix);
                    }
                    None => {
                        starts.push(url.clone());
                        live.push(url.clone());
                    }
                }
            }
        }
        archived_sites.sort();
        archived_sites.dedup();
        let archives = Scope::new(&archive_prefixes);
        let live_scope = Scope::new(&live);
        Plan {
            starts,
            fetch_scope: live_scope.union(&archives),
            archives,
            live_scope,
            archived_sites,
        }
    }

    /// Whether any of the crawl happens inside a web archive.
    pub(super) fn archived(&self) -> bool {
        !self.archives.is_empty()
    }
}

/// The original site a `--cdx` pattern names, for the crawl's scope. Like the CDX
/// API, harava takes patterns without a scheme (`www.example.fi/*`); those are read
/// as http here, which is harmless, since archives list captures of both schemes
/// under one key. The pattern itself goes to the index as given.
pub(crate) fn pattern_site(pattern: &str) -> Result<Url, String> {
    let with_scheme = if pattern.contains("://") {
        pattern.to_string()
    } else {
        format!("http://{pattern}")
    };
    let url = Url::parse(&with_scheme).map_err(|e| {
        format!(
            "{pattern:?} is not a URL or URL prefix ({e}); give one like www.example.fi/kokoukset/* or https://www.example.fi/kokoukset/"
        )
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "{pattern:?}: only http and https sites can be looked up in an archive"
        ));
    }
    Ok(url)
}

/// Captures listed past this many are not crawled: at the Internet Archive's pace
/// of about one capture a second, a million would take twelve days.
const MAX_CAPTURES: usize = 1_000_000;

/// The captures discovery found, and why it stopped early if it did.
#[derive(Debug)]
pub(super) struct Discovery {
    pub starts: Vec<Url>,
    /// Set when the listing was cut short; the crawl goes on with what was found.
    pub cut_short: Option<String>,
}

/// How far discovery may go: a server that hands out a new resume key forever
/// (or answers ever more slowly) must not hold the crawl forever.
struct Bounds {
    queries: u32,
    captures: usize,
    deadline: tokio::time::Instant,
    time_limit: std::time::Duration,
}

impl Bounds {
    fn out_of_time(&self) -> String {
        format!(
            "it ran for {} s (--cdx-time-limit)",
            self.time_limit.as_secs()
        )
    }
}

/// Lists the captures of the configured patterns (original URLs, or prefixes ending
/// in `*`) in the archive's CDX index and returns the capture URLs to start from.
/// At most `max_pages` captures are listed, since no more could be crawled.
pub(super) async fn captures(
    fetcher: &Fetcher,
    config: &CdxConfig,
    max_pages: Option<u64>,
    mode: ArchiveMode,
) -> Result<Discovery, Error> {
    let flavor = CdxFlavor::detect(&config.archive);
    let prefix = capture_prefix(&config.archive, flavor);
    let selection = if config.all_captures {
        Selection::All
    } else {
        Selection::NewestPerUrl
    };
    let by_max_pages = max_pages
        .and_then(|max| usize::try_from(max).ok())
        .filter(|&max| max < MAX_CAPTURES);
    let bounds = Bounds {
        queries: config.max_queries,
        captures: by_max_pages.unwrap_or(MAX_CAPTURES),
        deadline: tokio::time::Instant::now() + config.time_limit,
        time_limit: config.time_limit,
    };
    // One gathering over every pattern's rows, so that overlapping patterns still
    // give the newest capture of each URL.
    let mut gathered = Gathered::new(selection);
    let mut queries = 0;
    let mut cut_short = None;
    'patterns: for pattern in &config.patterns {
        let mut query = CdxQuery::new(&config.archive, pattern);
        query.from.clone_from(&config.from);
        query.to.clone_from(&config.to);
        let mut resume_keys = HashSet::new();
        loop {
            if queries >= bounds.queries {
                cut_short = Some(format!(
                    "it made {queries} index queries (--cdx-max-queries)"
                ));
                break 'patterns;
            }
            queries += 1;
            let url = query.to_url();
            let cdx_error = |message: String| Error::Cdx {
                url: url.to_string(),
                message,
            };
            let fetched =
                tokio::time::timeout_at(bounds.deadline, fetcher.get_as(&url, RequestKind::Cdx))
                    .await;
            let response = match fetched {
                Err(_elapsed) => {
                    cut_short = Some(bounds.out_of_time());
                    break 'patterns;
                }
                Ok(Err(FetchError::TooLarge { limit, .. })) => {
                    return Err(cdx_error(format!(
                        "the index answered with more than {limit} bytes; narrow the pattern or the time range (--from/--to)"
                    )));
                }
                Ok(response) => response.map_err(|e| cdx_error(e.reason()))?,
            };
            let body = String::from_utf8_lossy(&response.body);
            let page = cdx::parse_json(&body).map_err(|e| cdx_error(e.to_string()))?;
            tracing::info!(%url, captures = page.rows.len(), "CDX page");
            let next = query.next(&page);
            for row in page.rows {
                if row.mimetype.is_empty() || row.mimetype.contains("html") {
                    gathered.add(row);
                }
            }
            // Rows come in URL order, so once more URLs than wanted are listed, the
            // first ones are complete (their newest capture is among them).
            if gathered.len() > bounds.captures {
                cut_short = Some(match by_max_pages {
                    Some(max) => {
                        format!(
                            "it listed more captures than --max-pages {max} lets the crawl fetch"
                        )
                    }
                    None => format!("it listed more than {MAX_CAPTURES} captures"),
                });
                break 'patterns;
            }
            match next {
                Some(next) if resume_keys.insert(next.resume_key.clone()) => query = next,
                Some(_) => {
                    cut_short = Some(format!("the index repeated a resume key ({url})"));
                    break;
                }
                None => break,
            }
            if tokio::time::Instant::now() >= bounds.deadline {
                cut_short = Some(bounds.out_of_time());
                break 'patterns;
            }
        }
    }
    let mut rows = gathered.into_rows();
    rows.truncate(bounds.captures);
    if let Some(reason) = &cut_short {
        tracing::warn!(
            "CDX discovery was cut short: {reason}; crawling the {} captures listed so far",
            rows.len()
        );
    }
    let mut starts = Vec::new();
    for row in rows {
        let Ok(original) = Url::parse(&row.original) else {
            tracing::warn!(original = %row.original, "the CDX index lists a URL that does not parse; skipped");
            continue;
        };
        let capture = Capture {
            archive_prefix: prefix.clone(),
            timestamp: row.timestamp,
            original,
        };
        starts.push(mode.url(&capture));
    }
    if starts.is_empty() {
        let message = match &cut_short {
            Some(reason) => format!(
                "the index listed no HTML captures with status 200 before discovery was cut short ({reason})"
            ),
            None => "the index lists no HTML captures with status 200 for these URLs; check the URLs (a prefix ends in *) and --from/--to".into(),
        };
        return Err(Error::Cdx {
            url: config.archive.to_string(),
            message,
        });
    }
    tracing::info!(captures = starts.len(), "captures to crawl");
    Ok(Discovery { starts, cut_short })
}

/// Where an archive's captures live: `<host>/web/` for the Internet Archive and
/// OpenWayback, the collection path for pywb.
fn capture_prefix(archive: &Url, flavor: CdxFlavor) -> Url {
    let mut prefix = archive.clone();
    prefix.set_query(None);
    prefix.set_fragment(None);
    let path = match flavor {
        CdxFlavor::InternetArchive => "/web/".to_string(),
        CdxFlavor::Pywb => format!("{}/", archive.path().trim_end_matches('/')),
    };
    prefix.set_path(&path);
    prefix
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capture_prefixes() {
        let cases = [
            ("https://web.archive.org", "https://web.archive.org/web/"),
            (
                "https://web.archive.org/web/",
                "https://web.archive.org/web/",
            ),
            (
                "http://127.0.0.1:8080/my-coll",
                "http://127.0.0.1:8080/my-coll/",
            ),
        ];
        for (archive, expected) in cases {
            let archive = Url::parse(archive).unwrap();
            assert_eq!(
                capture_prefix(&archive, CdxFlavor::detect(&archive)).as_str(),
                expected
            );
        }
    }
}
