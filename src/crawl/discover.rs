//! Where a crawl starts: live listing pages, archive captures given by URL, or
//! captures found in an archive's CDX index.
//!
//! CDX servers list every capture of a URL or a URL prefix. The Internet Archive's
//! pages a long answer with `showResumeKey` (an empty row, then the key); harava
//! follows the key until the index has no more. By default the newest capture of
//! each URL is crawled; `--all-captures` crawls every one, and the newest capture
//! of each meeting wins in the output.

use std::collections::HashSet;

use url::Url;

use crate::archive::cdx::{self, CdxFlavor, CdxQuery, Selection};
use crate::archive::wayback::Capture;
use crate::error::Error;
use crate::fetch::{Fetcher, RequestKind, Scope};
use crate::page::ArchiveMode;
use crate::record::site_key;

use super::CrawlConfig;

/// How to find captures in a CDX index.
#[derive(Debug, Clone)]
pub struct CdxConfig {
    /// The archive: `https://web.archive.org`, or a pywb collection such as
    /// `http://localhost:8080/my-coll`.
    pub archive: Url,
    /// Earliest and latest capture time, 1–14 digits (`2017`, `20180601`).
    pub from: Option<String>,
    pub to: Option<String>,
    pub all_captures: bool,
}

/// The start of a crawl and the bounds it keeps to.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The URLs to fetch first (empty in CDX mode until discovery runs).
    pub starts: Vec<Url>,
    /// Every origin the fetcher may contact.
    pub fetch_scope: Scope,
    /// The web archives among them.
    pub archives: Scope,
    /// The live sites among them.
    pub live_scope: Scope,
    /// The original sites inside the archives, by [`site_key`].
    pub archived_sites: Vec<String>,
}

impl Plan {
    pub fn new(config: &CrawlConfig) -> Plan {
        let mut starts = Vec::new();
        let mut live = Vec::new();
        let mut archive_prefixes = Vec::new();
        let mut archived_sites = Vec::new();
        if let Some(cdx) = &config.cdx {
            archive_prefixes.push(cdx.archive.clone());
            archived_sites.extend(config.start.iter().map(site_key));
        } else {
            for url in &config.start {
                match Capture::parse(url) {
                    Some(capture) => {
                        starts.push(config.archive_mode.url(&capture));
                        archived_sites.push(site_key(&capture.original));
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
    pub fn archived(&self) -> bool {
        !self.archives.is_empty()
    }
}

/// Lists the captures of `patterns` (original URLs, or prefixes ending in `*`) in
/// the archive's CDX index and returns the capture URLs to start from.
pub async fn captures(
    fetcher: &Fetcher,
    config: &CdxConfig,
    patterns: &[Url],
    mode: ArchiveMode,
) -> Result<Vec<Url>, Error> {
    let flavor = CdxFlavor::detect(&config.archive);
    let prefix = capture_prefix(&config.archive, flavor);
    let mut rows = Vec::new();
    for pattern in patterns {
        let mut query = CdxQuery::new(&config.archive, pattern.as_str());
        query.from.clone_from(&config.from);
        query.to.clone_from(&config.to);
        let mut resume_keys = HashSet::new();
        loop {
            let url = query.to_url();
            let cdx_error = |message: String| Error::Cdx {
                url: url.to_string(),
                message,
            };
            let response = fetcher
                .get_as(&url, RequestKind::Cdx)
                .await
                .map_err(|e| cdx_error(e.to_string()))?;
            let body = String::from_utf8_lossy(&response.body);
            let page = cdx::parse_json(&body).map_err(|e| cdx_error(e.to_string()))?;
            tracing::info!(%url, captures = page.rows.len(), "CDX page");
            let next = query.next(&page);
            rows.extend(page.rows);
            match next {
                Some(next) if resume_keys.insert(next.resume_key.clone()) => query = next,
                Some(_) => {
                    tracing::warn!(%url, "the CDX server repeated a resume key; stopping the listing there");
                    break;
                }
                None => break,
            }
        }
    }
    // One selection over every pattern's rows, so that overlapping patterns still
    // give the newest capture of each URL.
    let selection = if config.all_captures {
        Selection::All
    } else {
        Selection::NewestPerUrl
    };
    rows.retain(|row| row.mimetype.is_empty() || row.mimetype.contains("html"));
    let mut starts = Vec::new();
    for row in cdx::select(rows, selection) {
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
        return Err(Error::Cdx {
            url: config.archive.to_string(),
            message: "the index lists no HTML captures with status 200 for these URLs; check the URLs (a prefix ends in *) and --from/--to".into(),
        });
    }
    tracing::info!(captures = starts.len(), "captures to crawl");
    Ok(starts)
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
