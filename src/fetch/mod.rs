//! Fetching pages politely and defensively, in layers:
//!
//! * [`transport`]: one HTTP request and its answer — timeouts, size caps,
//!   the Content-Type check before a body is read, conditional requests, and
//!   transport errors told apart by kind;
//! * [`politeness`] (with [`robots`], [`ratelimit`] and [`retry`]): robots.txt,
//!   per-host budgets, retries and `Retry-After`, and reading web archives'
//!   answers;
//! * [`recording`]: the WARC, written by a thread of its own;
//!
//! and the [`Fetcher`] on top, which one crawl shares: it keeps requests to the
//! crawl's [`Scope`], refuses a URL that cannot be a request before any budget
//! is spent, and follows redirects by hand, so that each hop is checked against
//! the scope, robots.txt and loops.

mod error;
mod politeness;
mod ratelimit;
mod recording;
mod response;
mod retry;
mod robots;
mod scope;
#[cfg(test)]
mod testing;
mod transport;

use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use bytes::Bytes;
use url::Url;

use crate::archive::warc::WarcWriter;
use crate::output_file::PendingFile;

use error::show;
use politeness::Politeness;
use recording::Recorder;
use transport::Transport;

pub(crate) use error::FetchError;
pub(crate) use politeness::RequestKind;
pub(crate) use response::{Response, Validators};
pub(crate) use scope::Scope;
pub(crate) use transport::{check_request_url, user_agent_header};

/// How a crawl fetches: `harava crawl`'s fetch options. Its defaults are those
/// of [`CrawlConfig::new`](crate::crawl::CrawlConfig::new).
#[derive(Debug, Clone)]
pub struct FetchConfig {
    /// The User-Agent header (`--user-agent`), matched against robots.txt by
    /// its product name; the default asks you to put a way to reach you in it.
    pub user_agent: String,
    /// Requests per second per host (`--rate`); 0 turns the limit off.
    pub rate: f64,
    /// How many requests a host may get at once before `rate` applies (`--burst`).
    pub burst: u32,
    /// How long a whole response may take, headers and body (`--timeout`).
    pub timeout: Duration,
    pub(crate) connect_timeout: Duration,
    /// How often a failed request is retried (`--retries`).
    pub retries: u32,
    pub(crate) backoff_base: Duration,
    /// The longest `Retry-After` we honour; longer ones are cut to this.
    pub(crate) max_retry_after: Duration,
    /// How long to wait after a 429 that names no `Retry-After`.
    pub(crate) default_retry_after: Duration,
    /// The largest response body read, after decompression (`--max-bytes`).
    pub max_bytes: u64,
    pub(crate) max_redirects: usize,
    /// Neither fetch nor obey robots.txt (`--ignore-robots`): only with the site
    /// owner's permission.
    pub ignore_robots: bool,
    /// Page requests per second per web archive host (`--archive-rate`); 0
    /// turns the limit off.
    pub archive_rate: f64,
    /// CDX queries per second per web archive host; 0 turns the limit off.
    pub(crate) cdx_rate: f64,
    /// How many requests may be in flight at once, to size the connection
    /// pool: a crawl sets it to its `concurrency`.
    pub(crate) concurrency_hint: usize,
}

/// Counters a crawl reports in its summary.
#[derive(Debug, Default)]
pub(crate) struct FetchCounters {
    pub requests: AtomicU64,
    pub retries: AtomicU64,
    pub throttled: AtomicU64,
    /// Conditional requests answered `304 Not Modified`.
    pub not_modified: AtomicU64,
}

/// Why a fetcher could not be set up.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ClientError {
    #[error("{0}")]
    Client(#[from] reqwest::Error),
    #[error("{0}")]
    UserAgent(String),
    #[error("cannot start the thread that writes the WARC: {0}")]
    Recorder(std::io::Error),
}

pub(crate) struct Fetcher {
    politeness: Politeness,
    scope: Scope,
    max_redirects: usize,
    pub counters: Arc<FetchCounters>,
}

impl Fetcher {
    /// A fetcher for the origins in `scope`; hosts in `archives` are web archives
    /// and get the archive budget. With a `recorder`, every exchange is written to
    /// it as WARC records.
    pub(crate) fn new(
        config: FetchConfig,
        scope: Scope,
        archives: Scope,
        recorder: Option<WarcWriter<PendingFile>>,
    ) -> Result<Fetcher, ClientError> {
        // Each request in flight holds a slot in the WARC writer's queue; twice as
        // many leave as many again for exchanges waiting to be written, so a
        // writer that keeps up never holds a request back.
        let queue = 2 * config.concurrency_hint.max(1);
        let recorder = recorder
            .map(|warc| Recorder::start(warc, queue))
            .transpose()
            .map_err(ClientError::Recorder)?;
        let transport = Transport::new(&config, recorder)?;
        let max_redirects = config.max_redirects;
        let politeness = Politeness::new(config, archives, transport);
        let counters = politeness.counters().clone();
        Ok(Fetcher {
            politeness,
            scope,
            max_redirects,
            counters,
        })
    }

    /// Keeps an index of the responses the WARC records, for a WACZ of it.
    pub(crate) fn indexing(mut self) -> Fetcher {
        self.politeness.transport_mut().keep_index();
        self
    }

    /// Syncs the WARC, if one is being written, once every exchange so far is
    /// in it, and says how long it is then (none for a pipe).
    pub(crate) async fn sync_recording(&self) -> Option<std::io::Result<Option<u64>>> {
        self.politeness.transport().sync_recording().await
    }

    /// Closes the WARC, if one is being written, once its last records are
    /// written, and hands back its index when one was kept and the exchanges
    /// it lacks.
    pub(crate) fn finish_recording(self) -> std::io::Result<recording::Finished> {
        self.politeness.into_transport().finish_recording()
    }

    /// Fetches a page: robots.txt, rate limit, retries and redirects included.
    pub(crate) async fn get(&self, url: &Url) -> Result<Response, FetchError> {
        self.get_as(url, RequestKind::Page).await
    }

    /// Fetches `url` for a `kind` of request.
    pub(crate) async fn get_as(
        &self,
        url: &Url,
        kind: RequestKind,
    ) -> Result<Response, FetchError> {
        self.fetch(url, kind, None, None).await
    }

    /// Fetches a page only if it changed since `validators` were taken (see
    /// [`Response::validators`]): an unchanged one comes back with
    /// [`Response::not_modified`] set and no body. Archives are asked
    /// unconditionally, since their captures do not change.
    pub(crate) async fn get_conditional(
        &self,
        url: &Url,
        validators: Option<&Validators>,
    ) -> Result<Response, FetchError> {
        self.fetch(url, RequestKind::Page, None, validators).await
    }

    /// Submits a form (`POST`, `application/x-www-form-urlencoded`) to `url`, as
    /// politely as any page: robots.txt, the host's budget, retries. Redirects
    /// after it are followed with `GET`, as browsers do after a form.
    pub(crate) async fn submit(
        &self,
        url: &Url,
        fields: &[(String, String)],
    ) -> Result<Response, FetchError> {
        let body: String = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        self.fetch(url, RequestKind::Page, Some(Bytes::from(body)), None)
            .await
    }

    async fn fetch(
        &self,
        url: &Url,
        kind: RequestKind,
        mut form: Option<Bytes>,
        validators: Option<&Validators>,
    ) -> Result<Response, FetchError> {
        let mut current = url.clone();
        let mut chain = vec![current.clone()];
        loop {
            if !self.scope.contains(&current) {
                return Err(if chain.len() == 1 {
                    FetchError::OutOfScope { url: current }
                } else {
                    FetchError::RedirectOutOfScope {
                        url: url.clone(),
                        target: current,
                    }
                });
            }
            check_request_url(&current).map_err(|reason| FetchError::BadUrl {
                url: current.clone(),
                reason,
            })?;
            // Validators go to every hop: a server that redirects ignores them.
            let response = self
                .politeness
                .request(&current, kind, form.take(), validators)
                .await?;
            if response.not_modified || !(300..400).contains(&response.status) {
                return Ok(response);
            }
            let target = response
                .location()
                .map_err(|detail| FetchError::BadRedirect {
                    url: current.clone(),
                    status: response.status,
                    detail,
                })?;
            if chain.contains(&target) {
                chain.push(target);
                let chain = chain
                    .iter()
                    .map(|u| show(u).into_owned())
                    .collect::<Vec<_>>()
                    .join(" → ");
                return Err(FetchError::RedirectLoop {
                    url: url.clone(),
                    chain,
                });
            }
            if chain.len() > self.max_redirects {
                return Err(FetchError::TooManyRedirects {
                    url: url.clone(),
                    limit: self.max_redirects,
                });
            }
            tracing::debug!(from = %current, to = %target, "following redirect");
            chain.push(target.clone());
            current = target;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::Ordering;

    use super::*;
    use crate::archive::warc::WarcReader;
    use crate::fetch::testing::{Server, config, respond};

    /// `/old` redirects to `/new`, which is unchanged for its validators.
    fn moved_and_unchanged(seen: &testing::Seen) -> axum::response::Response {
        match (seen.path.as_str(), seen.header("if-none-match")) {
            ("/old", _) => respond(301, &[("location", "/new")], ""),
            (_, Some("\"v1\"")) => respond(304, &[("etag", "\"v1\"")], ""),
            _ => respond(
                200,
                &[("etag", "\"v1\""), ("content-type", "text/html")],
                "<p>v1</p>",
            ),
        }
    }

    #[tokio::test]
    async fn an_unchanged_page_comes_back_not_modified_through_its_redirects() {
        let server = Server::start(moved_and_unchanged);
        let old = server.url("/old");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("crawl.warc.gz");
        let warc = WarcWriter::create(&path, &[]).unwrap();
        let fetcher = Fetcher::new(config(), Scope::new([&old]), Scope::default(), Some(warc))
            .unwrap()
            .indexing();

        let first = fetcher.get(&old).await.unwrap();
        assert_eq!(first.url, server.url("/new"));
        let validators = first.validators().unwrap();
        let again = fetcher
            .get_conditional(&old, Some(&validators))
            .await
            .unwrap();
        assert_eq!(again.url, server.url("/new"));
        assert_eq!((again.status, again.not_modified), (304, true));
        assert!(again.body.is_empty());
        let conditional: Vec<_> = server
            .seen()
            .iter()
            .map(|s| s.header("if-none-match").map(str::to_owned))
            .collect();
        assert_eq!(
            conditional,
            [None, None, Some("\"v1\"".into()), Some("\"v1\"".into())],
            "validators go to every hop"
        );
        assert_eq!(fetcher.counters.not_modified.load(Ordering::Relaxed), 1);
        assert_eq!(fetcher.counters.requests.load(Ordering::Relaxed), 4);

        // The WARC and its index hold all four exchanges.
        let index = fetcher.finish_recording().unwrap().index.unwrap();
        let file = std::fs::read(&path).unwrap();
        let statuses: Vec<u16> = WarcReader::new(&file[..])
            .unwrap()
            .map(|r| r.unwrap().status)
            .collect();
        assert_eq!(statuses, [301, 200, 301, 304]);
        let indexed: Vec<u16> = index.iter().map(|i| i.capture.status).collect();
        assert_eq!(indexed, statuses);
    }

    #[tokio::test]
    async fn a_304_to_an_unconditional_get_is_a_broken_redirect() {
        let server = Server::start(|_| respond(304, &[], ""));
        let url = server.url("/");
        let fetcher = Fetcher::new(config(), Scope::new([&url]), Scope::default(), None).unwrap();
        let error = fetcher.get(&url).await.unwrap_err();
        assert!(
            matches!(error, FetchError::BadRedirect { status: 304, .. }),
            "{error}"
        );
    }

    #[tokio::test]
    async fn a_warc_is_finished_when_nothing_was_fetched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("empty.warc.gz");
        let warc = WarcWriter::create(&path, &[]).unwrap();
        let fetcher =
            Fetcher::new(config(), Scope::default(), Scope::default(), Some(warc)).unwrap();
        assert_eq!(fetcher.finish_recording().unwrap().index, None);
        assert_eq!(
            WarcReader::new(&std::fs::read(&path).unwrap()[..])
                .unwrap()
                .count(),
            0
        );
    }
}
