//! Fetching pages politely and defensively.
//!
//! One [`Fetcher`] serves a whole crawl. Per origin it fetches `/robots.txt` first
//! and obeys it, keeps to the `--rate` (or the site's `Crawl-delay`, whichever is
//! stricter) with a governor rate limiter shared by all workers, and pauses every
//! worker when the site answers 429. Each request has a connect timeout and a
//! timeout for the whole response; retryable failures back off and retry;
//! redirects are followed by hand so that each hop is checked against the scope,
//! robots.txt and loops; bodies are read in chunks up to `--max-bytes` after
//! decompression, so a gzip bomb stops at the cap like any other large body.

mod ratelimit;
mod retry;
mod robots;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use bytes::{Bytes, BytesMut};
use chrono::{DateTime, Utc};
use reqwest::header::{self, HeaderMap, HeaderValue};
use url::Url;

use crate::archive::warc::{Exchange, WarcWriter};
use crate::page::HttpResponse;
use crate::sink::PendingFile;

use ratelimit::HostLimiter;
use robots::Robots;
pub use robots::agent_token;

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

/// The stricter of two rates where 0 means "no limit".
fn stricter_rate(a: f64, b: f64) -> f64 {
    match (a > 0.0, b > 0.0) {
        (true, true) => a.min(b),
        (true, false) => a,
        (false, _) => b,
    }
}

/// A response with its body read.
#[derive(Debug, Clone)]
pub struct Response {
    /// The URL that answered, after redirects.
    pub url: Url,
    pub status: u16,
    pub headers: HeaderMap,
    /// The request headers we sent, for the WARC record of the exchange.
    pub request_headers: Vec<(String, String)>,
    pub body: Bytes,
    pub fetched_at: DateTime<Utc>,
}

impl Response {
    fn header(&self, name: header::HeaderName) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The response as the page module reads it.
    pub fn http(&self) -> HttpResponse<'_> {
        HttpResponse {
            url: &self.url,
            content_type: self.header(header::CONTENT_TYPE),
            memento_datetime: self.header(header::HeaderName::from_static("memento-datetime")),
            body: &self.body,
            fetched_at: Some(self.fetched_at),
        }
    }
}

/// How many redirects a robots.txt may take before it counts as unavailable
/// (RFC 9309 asks crawlers to follow at least five).
const ROBOTS_MAX_REDIRECTS: usize = 5;

/// Why a fetch did not produce a page.
#[derive(Debug, Clone, thiserror::Error)]
pub enum FetchError {
    #[error("{url}: disallowed by robots.txt ({detail})")]
    Disallowed { url: Url, detail: String },
    #[error("{url}: not on the sites being crawled, not fetched")]
    OutOfScope { url: Url },
    #[error(
        "{url}: redirected to {target}, which is outside the sites being crawled; not followed"
    )]
    RedirectOutOfScope { url: Url, target: Url },
    #[error("{url}: redirect loop ({chain}); the site's redirects go in circles")]
    RedirectLoop { url: Url, chain: String },
    #[error(
        "{url}: more than {limit} redirects; stopped following (start from the address the redirects lead to)"
    )]
    TooManyRedirects { url: Url, limit: usize },
    #[error("{url}: no response within {seconds} s (raise --timeout for slow sites)")]
    Timeout { url: Url, seconds: u64 },
    #[error(
        "{url}: {message} (check that the address is right and the site is up; --retries retries such failures)"
    )]
    Connect {
        url: Url,
        message: String,
        refused: bool,
    },
    #[error(
        "{url}: the archive refuses connections ({message}); it has probably blocked this address after too many requests. Stop, wait an hour, and crawl again at a lower --archive-rate"
    )]
    Refused { url: Url, message: String },
    #[error("{url}: HTTP {status}{}", status_advice(*.status))]
    Status { url: Url, status: u16 },
    #[error(
        "{url}: the response is larger than --max-bytes {limit} bytes (after decompression); not read further"
    )]
    TooLarge { url: Url, limit: u64 },
}

/// What to do about an HTTP error status.
fn status_advice(status: u16) -> &'static str {
    match status {
        404 | 410 => " (the page is gone: check the URL, or crawl an archived copy)",
        401 | 403 => {
            " (the site refuses us: it may block crawlers, or want --user-agent with contact details)"
        }
        429 => {
            " (the site is rate-limiting us even after the retries: crawl again later at a lower --rate)"
        }
        500..=599 => " (the server failed even after the retries: try again later)",
        _ => "",
    }
}

impl FetchError {
    /// Skips are the crawler keeping its promises (robots.txt, scope), not failures.
    pub fn is_skip(&self) -> bool {
        matches!(
            self,
            FetchError::Disallowed { .. }
                | FetchError::OutOfScope { .. }
                | FetchError::RedirectOutOfScope { .. }
        )
    }

    fn is_retryable(&self) -> bool {
        match self {
            FetchError::Timeout { .. } | FetchError::Connect { .. } => true,
            FetchError::Status { status, .. } => retry::is_retryable_status(*status),
            _ => false,
        }
    }
}

/// Counters a crawl reports in its summary.
#[derive(Debug, Default)]
pub struct FetchCounters {
    pub requests: AtomicU64,
    pub retries: AtomicU64,
    pub throttled: AtomicU64,
}

/// The origins (scheme, host, port) a crawl may visit.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    origins: Vec<String>,
}

impl Scope {
    pub fn new<'a>(urls: impl IntoIterator<Item = &'a Url>) -> Scope {
        let mut origins: Vec<String> = urls.into_iter().map(origin_key).collect();
        origins.sort();
        origins.dedup();
        Scope { origins }
    }

    pub fn contains(&self, url: &Url) -> bool {
        self.origins.contains(&origin_key(url))
    }

    pub fn is_empty(&self) -> bool {
        self.origins.is_empty()
    }

    /// Both scopes' origins.
    pub fn union(&self, other: &Scope) -> Scope {
        let mut origins = [self.origins.clone(), other.origins.clone()].concat();
        origins.sort();
        origins.dedup();
        Scope { origins }
    }
}

fn origin_key(url: &Url) -> String {
    url.origin().ascii_serialization()
}

/// What a request is for; each kind has its own budget on a host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestKind {
    Page = 0,
    /// A CDX index query, which archives meter separately from replays.
    Cdx = 1,
}

impl RequestKind {
    /// The largest body read: `--max-bytes` for pages; an index listing has its own
    /// cap, since a big site's listing is larger than any page.
    fn max_bytes(self, config: &FetchConfig) -> u64 {
        match self {
            RequestKind::Page => config.max_bytes,
            RequestKind::Cdx => crate::archive::cdx::MAX_RESPONSE_BYTES,
        }
    }
}

struct HostState {
    robots: tokio::sync::OnceCell<Robots>,
    limiters: [tokio::sync::OnceCell<HostLimiter>; 2],
    is_archive: bool,
}

pub struct Fetcher {
    client: reqwest::Client,
    config: FetchConfig,
    scope: Scope,
    archives: Scope,
    hosts: Mutex<HashMap<String, Arc<HostState>>>,
    recorder: Option<Mutex<WarcWriter<PendingFile>>>,
    pub counters: Arc<FetchCounters>,
}

impl Fetcher {
    /// A fetcher for the origins in `scope`; those also in `archives` are web
    /// archives and get the archive budget. With a `recorder`, every exchange is
    /// written to it as WARC records.
    pub fn new(
        config: FetchConfig,
        scope: Scope,
        archives: Scope,
        recorder: Option<WarcWriter<PendingFile>>,
    ) -> Result<Fetcher, reqwest::Error> {
        let client = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(config.concurrency_hint.max(1))
            .build()?;
        Ok(Fetcher {
            client,
            config,
            scope,
            archives,
            hosts: Mutex::new(HashMap::new()),
            recorder: recorder.map(Mutex::new),
            counters: Arc::new(FetchCounters::default()),
        })
    }

    /// Flushes and closes the WARC file, if one is being written.
    pub fn finish_recording(self) -> std::io::Result<()> {
        match self.recorder {
            Some(recorder) => recorder
                .into_inner()
                .expect("recorder lock")
                .finish()?
                .commit(),
            None => Ok(()),
        }
    }

    fn host(&self, url: &Url) -> Arc<HostState> {
        let mut hosts = self.hosts.lock().expect("host table lock");
        hosts
            .entry(origin_key(url))
            .or_insert_with(|| {
                Arc::new(HostState {
                    robots: tokio::sync::OnceCell::new(),
                    limiters: Default::default(),
                    is_archive: self.archives.contains(url),
                })
            })
            .clone()
    }

    /// Fetches a page: robots.txt, rate limit, retries and redirects included.
    pub async fn get(&self, url: &Url) -> Result<Response, FetchError> {
        self.get_as(url, RequestKind::Page).await
    }

    /// Fetches `url` for a `kind` of request.
    pub async fn get_as(&self, url: &Url, kind: RequestKind) -> Result<Response, FetchError> {
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
            let host = self.host(&current);
            self.check_robots(&host, &current).await?;
            let response = self.get_with_retries(&host, kind, &current).await?;
            if !(300..400).contains(&response.status) {
                return Ok(response);
            }
            let Some(target) = location(&response) else {
                return Ok(response);
            };
            if chain.contains(&target) {
                chain.push(target);
                let chain = chain
                    .iter()
                    .map(Url::as_str)
                    .collect::<Vec<_>>()
                    .join(" → ");
                return Err(FetchError::RedirectLoop {
                    url: url.clone(),
                    chain,
                });
            }
            if chain.len() > self.config.max_redirects {
                return Err(FetchError::TooManyRedirects {
                    url: url.clone(),
                    limit: self.config.max_redirects,
                });
            }
            tracing::debug!(from = %current, to = %target, "following redirect");
            chain.push(target.clone());
            current = target;
        }
    }

    async fn check_robots(&self, host: &HostState, url: &Url) -> Result<(), FetchError> {
        if self.config.ignore_robots {
            return Ok(());
        }
        let robots = host
            .robots
            .get_or_try_init(|| async {
                let robots_url = url
                    .join("/robots.txt")
                    .expect("a path joins onto an http URL");
                let agent = agent_token(&self.config.user_agent);
                // The first request to a host: nothing to pace it against yet. The
                // limiter built afterwards counts it.
                let mut current = robots_url;
                for _ in 0..=ROBOTS_MAX_REDIRECTS {
                    let response = match self.attempts(None, &current, self.config.max_bytes).await
                    {
                        Ok(response) => response,
                        Err(FetchError::Status { status, .. }) => {
                            return Ok(Robots::from_response(agent, status, b""));
                        }
                        // A host we cannot reach fails the page; its robots.txt is
                        // asked for again with the next page.
                        Err(e) => return Err(e),
                    };
                    let target = (300..400)
                        .contains(&response.status)
                        .then(|| location(&response))
                        .flatten()
                        .filter(|target| self.scope.contains(target));
                    match target {
                        Some(target) => current = target,
                        None => {
                            return Ok(Robots::from_response(
                                agent,
                                response.status,
                                &response.body,
                            ));
                        }
                    }
                }
                // RFC 9309 §2.3.1.2: past five redirects, robots.txt is unavailable,
                // which is the same as having no rules.
                Ok(Robots::AllowAll)
            })
            .await?;
        if robots.allowed(url) {
            return Ok(());
        }
        let detail = match robots {
            Robots::DisallowAll(reason) => reason.clone(),
            _ => "a Disallow rule for our user agent matches; --ignore-robots only with the site owner's permission".to_string(),
        };
        Err(FetchError::Disallowed {
            url: url.clone(),
            detail,
        })
    }

    /// Fetches with the host's limiter for `kind`, built once the host's robots.txt
    /// is known so that a `Crawl-delay` stricter than the rate wins.
    async fn get_with_retries(
        &self,
        host: &HostState,
        kind: RequestKind,
        url: &Url,
    ) -> Result<Response, FetchError> {
        let limiter = host.limiters[kind as usize]
            .get_or_init(|| async {
                let robots = host.robots.get();
                let delay = robots.and_then(Robots::crawl_delay);
                let rate = match (kind, host.is_archive) {
                    (RequestKind::Cdx, _) => self.config.cdx_rate,
                    (RequestKind::Page, true) => {
                        stricter_rate(self.config.rate, self.config.archive_rate)
                    }
                    (RequestKind::Page, false) => self.config.rate,
                };
                let limiter = HostLimiter::new(rate, self.config.burst, delay);
                if robots.is_some() && kind == RequestKind::Page {
                    limiter.count_one();
                }
                limiter
            })
            .await;
        self.attempts(Some(limiter), url, kind.max_bytes(&self.config))
            .await
    }

    async fn attempts(
        &self,
        limiter: Option<&HostLimiter>,
        url: &Url,
        max_bytes: u64,
    ) -> Result<Response, FetchError> {
        let mut attempt = 0;
        loop {
            if let Some(limiter) = limiter {
                limiter.until_ready().await;
            }
            self.counters.requests.fetch_add(1, Ordering::Relaxed);
            let result = self.attempt(url, max_bytes).await;
            if let Err(FetchError::Connect { message, .. }) = &result
                && message.contains("Connection refused")
                && self.archives.contains(url)
            {
                return Err(FetchError::Refused {
                    url: url.clone(),
                    message: message.clone(),
                });
            }
            let retry_after = match &result {
                Ok(response) if retry::is_retryable_status(response.status) => {
                    if response.status == 429 {
                        self.counters.throttled.fetch_add(1, Ordering::Relaxed);
                    }
                    let asked = response
                        .headers
                        .get(header::RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| retry::parse_retry_after(v, SystemTime::now()));
                    let wait = match (response.status, asked) {
                        (_, Some(asked)) => Some(asked.min(self.config.max_retry_after)),
                        (429, None) => Some(self.config.default_retry_after),
                        _ => None,
                    };
                    if response.status == 429
                        && let Some(limiter) = limiter
                    {
                        limiter.slow_down(wait.unwrap_or(self.config.default_retry_after));
                    }
                    wait
                }
                Ok(_) => return result,
                Err(e) if e.is_retryable() => None,
                Err(_) => return result,
            };
            if attempt >= self.config.retries {
                return match result {
                    Ok(response) => Err(FetchError::Status {
                        url: url.clone(),
                        status: response.status,
                    }),
                    Err(e) => Err(e),
                };
            }
            let backoff =
                retry::backoff(self.config.backoff_base, attempt, Duration::from_secs(60));
            let wait = retry_after.map_or(backoff, |asked| {
                asked.max(backoff.min(asked + Duration::from_secs(1)))
            });
            match &result {
                Ok(response) => {
                    tracing::info!(%url, status = response.status, wait_ms = wait.as_millis() as u64, "retrying")
                }
                Err(e) => {
                    tracing::info!(%url, error = %e, wait_ms = wait.as_millis() as u64, "retrying")
                }
            }
            self.counters.retries.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    fn record(&self, response: &Response) {
        let Some(recorder) = &self.recorder else {
            return;
        };
        let mut request_headers = response.request_headers.clone();
        // reqwest adds these itself; the archived request should say what was sent.
        request_headers.push(("Accept-Encoding".into(), "gzip, br".into()));
        let exchange = Exchange {
            url: response.url.to_string(),
            date: response.fetched_at,
            method: "GET".into(),
            request_headers,
            status: response.status,
            reason: reqwest::StatusCode::from_u16(response.status)
                .ok()
                .and_then(|s| s.canonical_reason())
                .unwrap_or("")
                .to_string(),
            response_headers: response
                .headers
                .iter()
                .map(|(name, value)| {
                    (
                        name.to_string(),
                        String::from_utf8_lossy(value.as_bytes()).into_owned(),
                    )
                })
                .collect(),
            body: response.body.to_vec(),
            ip: None,
        };
        let written = recorder
            .lock()
            .expect("recorder lock")
            .write_exchange(&exchange);
        if let Err(e) = written {
            tracing::error!(url = %response.url, "cannot write the WARC record: {e}");
        }
    }

    /// One request and its body, bounded by the total timeout and the size cap.
    async fn attempt(&self, url: &Url, max_bytes: u64) -> Result<Response, FetchError> {
        let request_headers = vec![
            ("User-Agent".to_string(), self.config.user_agent.clone()),
            (
                "Accept".to_string(),
                "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5".to_string(),
            ),
            (
                "Accept-Language".to_string(),
                "fi,sv;q=0.8,en;q=0.5".to_string(),
            ),
        ];
        let mut headers = HeaderMap::new();
        for (name, value) in &request_headers {
            let name = header::HeaderName::from_bytes(name.as_bytes()).expect("static header name");
            headers.insert(
                name,
                HeaderValue::from_str(value).unwrap_or(HeaderValue::from_static("harava")),
            );
        }
        let exchange = async {
            let response = self
                .client
                .get(url.clone())
                .headers(headers)
                .send()
                .await
                .map_err(|e| connect_error(url, &e))?;
            let status = response.status().as_u16();
            let response_headers = response.headers().clone();
            let body = if (300..400).contains(&status) || retry::is_retryable_status(status) {
                Bytes::new()
            } else {
                read_capped(url, response, max_bytes).await?
            };
            Ok(Response {
                url: url.clone(),
                status,
                headers: response_headers,
                request_headers: request_headers.clone(),
                body,
                fetched_at: Utc::now(),
            })
        };
        let result = match tokio::time::timeout(self.config.timeout, exchange).await {
            Ok(Ok(response)) => {
                self.record(&response);
                Ok(response)
            }
            Ok(result) => result,
            Err(_) => Err(FetchError::Timeout {
                url: url.clone(),
                seconds: self.config.timeout.as_secs().max(1),
            }),
        }?;
        if result.status >= 400 && !retry::is_retryable_status(result.status) {
            return Err(FetchError::Status {
                url: url.clone(),
                status: result.status,
            });
        }
        Ok(result)
    }
}

/// Where a redirect response points, resolved against its URL.
fn location(response: &Response) -> Option<Url> {
    let value = response.headers.get(header::LOCATION)?.to_str().ok()?;
    response.url.join(value).ok()
}

async fn read_capped(
    url: &Url,
    mut response: reqwest::Response,
    limit: u64,
) -> Result<Bytes, FetchError> {
    if response.content_length().is_some_and(|len| len > limit) {
        return Err(FetchError::TooLarge {
            url: url.clone(),
            limit,
        });
    }
    let mut body = BytesMut::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| connect_error(url, &e))? {
        if body.len() as u64 + chunk.len() as u64 > limit {
            return Err(FetchError::TooLarge {
                url: url.clone(),
                limit,
            });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

fn connect_error(url: &Url, error: &reqwest::Error) -> FetchError {
    let mut message = error.to_string();
    let mut refused = false;
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        message = format!("{message}: {cause}");
        refused |= cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::ConnectionRefused);
        source = cause.source();
    }
    FetchError::Connect {
        url: url.clone(),
        message,
        refused,
    }
}
