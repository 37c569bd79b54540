//! Fetching pages politely and defensively, in layers:
//!
//! * [`transport`]: one HTTP request and its answer — timeouts, size caps,
//!   the Content-Type check before a body is read, and transport errors told
//!   apart by kind;
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

use crate::archive::wacz::Indexed;
use crate::archive::warc::WarcWriter;
use crate::sink::PendingFile;

use error::show;
use politeness::Politeness;
use recording::Recorder;
use transport::Transport;

pub use error::FetchError;
pub use politeness::RequestKind;
pub use response::Response;
pub use robots::agent_token;
pub use scope::Scope;
pub use transport::{check_request_url, user_agent_header};

/// How to fetch. Defaults live in [`crate::config`].
#[derive(Debug, Clone)]
pub struct FetchConfig {
    pub user_agent: String,
    /// Requests per second per host; 0 turns the limit off.
    pub rate: f64,
    pub burst: u32,
    pub timeout: Duration,
    pub connect_timeout: Duration,
    pub retries: u32,
    pub backoff_base: Duration,
    /// The longest `Retry-After` we honour; longer ones are cut to this.
    pub max_retry_after: Duration,
    /// How long to wait after a 429 that names no `Retry-After`.
    pub default_retry_after: Duration,
    pub max_bytes: u64,
    pub max_redirects: usize,
    pub ignore_robots: bool,
    /// Page requests per second per web archive host; 0 turns the limit off.
    pub archive_rate: f64,
    /// CDX queries per second per web archive host; 0 turns the limit off.
    pub cdx_rate: f64,
    /// How many requests may be in flight at once, to size the connection pool.
    pub concurrency_hint: usize,
}

/// Counters a crawl reports in its summary.
#[derive(Debug, Default)]
pub struct FetchCounters {
    pub requests: AtomicU64,
    pub retries: AtomicU64,
    pub throttled: AtomicU64,
}

/// Why a fetcher could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("{0}")]
    Client(#[from] reqwest::Error),
    #[error("{0}")]
    UserAgent(String),
    #[error("cannot start the thread that writes the WARC: {0}")]
    Recorder(std::io::Error),
}

pub struct Fetcher {
    politeness: Politeness,
    scope: Scope,
    max_redirects: usize,
    pub counters: Arc<FetchCounters>,
}

impl Fetcher {
    /// A fetcher for the origins in `scope`; hosts in `archives` are web archives
    /// and get the archive budget. With a `recorder`, every exchange is written to
    /// it as WARC records.
    pub fn new(
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
    pub fn indexing(mut self) -> Fetcher {
        self.politeness.transport_mut().keep_index();
        self
    }

    /// Closes the WARC, if one is being written, once its last records are
    /// written, and hands back its index when one was kept.
    pub fn finish_recording(self) -> std::io::Result<Option<Vec<Indexed>>> {
        self.politeness.into_transport().finish_recording()
    }

    /// Fetches a page: robots.txt, rate limit, retries and redirects included.
    pub async fn get(&self, url: &Url) -> Result<Response, FetchError> {
        self.get_as(url, RequestKind::Page).await
    }

    /// Fetches `url` for a `kind` of request.
    pub async fn get_as(&self, url: &Url, kind: RequestKind) -> Result<Response, FetchError> {
        self.fetch(url, kind, None).await
    }

    /// Submits a form (`POST`, `application/x-www-form-urlencoded`) to `url`, as
    /// politely as any page: robots.txt, the host's budget, retries. Redirects
    /// after it are followed with `GET`, as browsers do after a form.
    pub async fn submit(
        &self,
        url: &Url,
        fields: &[(String, String)],
    ) -> Result<Response, FetchError> {
        let body: String = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        self.fetch(url, RequestKind::Page, Some(Bytes::from(body)))
            .await
    }

    async fn fetch(
        &self,
        url: &Url,
        kind: RequestKind,
        mut form: Option<Bytes>,
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
            let response = self.politeness.request(&current, kind, form.take()).await?;
            if !(300..400).contains(&response.status) {
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
    use super::*;
    use crate::archive::warc::WarcReader;
    use crate::fetch::testing::config;

    #[tokio::test]
    async fn a_warc_is_finished_when_nothing_was_fetched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("empty.warc.gz");
        let warc = WarcWriter::create(&path, &[]).unwrap();
        let fetcher =
            Fetcher::new(config(), Scope::default(), Scope::default(), Some(warc)).unwrap();
        assert_eq!(fetcher.finish_recording().unwrap(), None);
        assert_eq!(
            WarcReader::new(&std::fs::read(&path).unwrap()[..])
                .unwrap()
                .count(),
            0
        );
    }
}
