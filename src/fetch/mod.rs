//! Fetching pages politely and defensively.
//!
//! One [`Fetcher`] serves a whole crawl. Politeness is kept per host (http and
//! https of one server share it): a governor rate limiter shared by all workers
//! keeps to the `--rate` (or the site's `Crawl-delay`, whichever is stricter, with
//! no burst on top of a delay), paces robots.txt requests like any other, and
//! pauses every worker when the host answers 429. robots.txt is read per origin,
//! as RFC 9309 scopes it, following redirects across hosts; when it cannot be
//! read, the origin's pages fail (not skip), so an outage shows in the exit code.
//! Each request has a connect timeout and a timeout for the whole response;
//! retryable failures back off and retry; a URL that cannot be a request at all
//! fails at once; redirects are followed by hand so that each hop is checked
//! against the scope, robots.txt and loops; a page that is not HTML by its
//! Content-Type is not downloaded; bodies are read in chunks up to `--max-bytes`
//! after decompression, so a gzip bomb stops at the cap like any other large
//! body. Web archives' answers are read apart by [`wayback::classify`]: a capture
//! of a site's error is a failed page, not the archive throttling us.

mod error;
mod ratelimit;
mod retry;
mod robots;
mod scope;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use bytes::{Bytes, BytesMut};
use chrono::{DateTime, Utc};
use reqwest::header::{self, HeaderMap, HeaderValue};
use url::Url;

use crate::archive::wacz::Indexed;
use crate::archive::warc::{Exchange, WarcWriter};
use crate::archive::wayback::{self, ArchiveAnswer, Capture};
use crate::error::excerpt;
use crate::page::HttpResponse;
use crate::sink::PendingFile;

use error::show;
use ratelimit::HostLimiter;
use robots::Robots;
use scope::{host_key, origin_key};

pub use error::FetchError;
pub use robots::agent_token;
pub use scope::Scope;

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
    /// The form's fields, urlencoded, when the request submitted a form.
    pub request_body: Bytes,
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
/// (RFC 9309 asks crawlers to follow at least five, across hosts).
const ROBOTS_MAX_REDIRECTS: usize = 5;

/// Counters a crawl reports in its summary.
#[derive(Debug, Default)]
pub struct FetchCounters {
    pub requests: AtomicU64,
    pub retries: AtomicU64,
    pub throttled: AtomicU64,
}

/// Whether `url` can be sent at all. reqwest turns it into an `http::Uri`, which
/// is stricter than a WHATWG URL (and at most 64 KiB long); a URL it refuses is
/// refused here, before any budget is spent or a retry is scheduled.
pub fn check_request_url(url: &Url) -> Result<(), String> {
    http::Uri::try_from(url.as_str())
        .map(drop)
        .map_err(|e| format!("{e}; {} characters", url.as_str().len()))
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

/// What one HTTP request is for, which decides how its answer is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Purpose {
    /// robots.txt: its own rules for statuses, never an archive's capture.
    Robots,
    Request(RequestKind),
}

impl Purpose {
    fn budget(self) -> RequestKind {
        match self {
            Purpose::Robots => RequestKind::Page,
            Purpose::Request(kind) => kind,
        }
    }
}

/// Everything shared per host: its budgets, and robots.txt per origin (RFC 9309
/// scopes a robots.txt to its scheme, host and port).
struct HostState {
    robots: Mutex<HashMap<String, Arc<tokio::sync::OnceCell<Robots>>>>,
    limiters: [HostLimiter; 2],
    is_archive: bool,
}

impl HostState {
    fn robots_for(&self, url: &Url) -> Arc<tokio::sync::OnceCell<Robots>> {
        let mut robots = self.robots.lock().expect("robots table lock");
        robots.entry(origin_key(url)).or_default().clone()
    }
}

/// Why an HTTP client could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("{0}")]
    Client(#[from] reqwest::Error),
    #[error("{0}")]
    UserAgent(String),
}

/// The User-Agent as a header value, or why it cannot be one.
pub fn user_agent_header(user_agent: &str) -> Result<HeaderValue, String> {
    let invalid = |why: &str| {
        format!(
            "--user-agent {:?} {why}; give printable ASCII that starts with a product name, e.g. \"harava-kunta/1.0 (+mailto:you@example.fi)\"",
            excerpt(user_agent)
        )
    };
    if agent_token(user_agent).is_empty() {
        return Err(invalid(
            "has no product name first, which robots.txt rules are matched against",
        ));
    }
    // `HeaderValue` would take other bytes as opaque "obs-text", which servers,
    // logs and robots.txt matching each read differently.
    let printable = user_agent.bytes().all(|b| (b' '..=b'~').contains(&b));
    HeaderValue::from_str(user_agent)
        .ok()
        .filter(|_| printable)
        .ok_or_else(|| {
            invalid("cannot be sent as an HTTP header: only printable ASCII characters can")
        })
}

pub struct Fetcher {
    client: reqwest::Client,
    config: FetchConfig,
    /// The headers of every request, and the same as text for WARC records.
    headers: HeaderMap,
    request_headers: Vec<(String, String)>,
    scope: Scope,
    archives: Scope,
    hosts: Mutex<HashMap<String, Arc<HostState>>>,
    recorder: Option<Mutex<WarcWriter<PendingFile>>>,
    /// The WARC's index, kept as it is written when a WACZ is to be made of it.
    index: Option<Mutex<Vec<Indexed>>>,
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
        let client = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(config.concurrency_hint.max(1))
            .build()?;
        let request_headers = vec![
            ("User-Agent".to_string(), config.user_agent.clone()),
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
        headers.insert(
            header::USER_AGENT,
            user_agent_header(&config.user_agent).map_err(ClientError::UserAgent)?,
        );
        for (name, value) in &request_headers[1..] {
            let name = header::HeaderName::from_bytes(name.as_bytes()).expect("static header name");
            headers.insert(
                name,
                HeaderValue::from_str(value).expect("static header value"),
            );
        }
        Ok(Fetcher {
            client,
            config,
            headers,
            request_headers,
            scope,
            archives,
            hosts: Mutex::new(HashMap::new()),
            recorder: recorder.map(Mutex::new),
            index: None,
            counters: Arc::new(FetchCounters::default()),
        })
    }

    /// Keeps an index of the responses the WARC records, for a WACZ of it.
    pub fn indexing(mut self) -> Fetcher {
        self.index = Some(Mutex::new(Vec::new()));
        self
    }

    /// Flushes and closes the WARC file, if one is being written, and hands back
    /// its index when one was kept.
    pub fn finish_recording(self) -> std::io::Result<Option<Vec<Indexed>>> {
        if let Some(recorder) = self.recorder {
            recorder
                .into_inner()
                .expect("recorder lock")
                .finish()?
                .commit()?;
        }
        Ok(self
            .index
            .map(|index| index.into_inner().expect("index lock")))
    }

    fn host(&self, url: &Url) -> Arc<HostState> {
        let key = host_key(url);
        let mut hosts = self.hosts.lock().expect("host table lock");
        hosts
            .entry(key)
            .or_insert_with_key(|key| {
                let is_archive = self.archives.contains_host(key);
                let page_rate = if is_archive {
                    stricter_rate(self.config.rate, self.config.archive_rate)
                } else {
                    self.config.rate
                };
                Arc::new(HostState {
                    robots: Mutex::new(HashMap::new()),
                    limiters: [
                        HostLimiter::new(page_rate, self.config.burst),
                        HostLimiter::new(self.config.cdx_rate, self.config.burst),
                    ],
                    is_archive,
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
            let host = self.host(&current);
            self.check_robots(&host, &current).await?;
            let response = self
                .attempts(&host, Purpose::Request(kind), &current, form.take())
                .await?;
            if !(300..400).contains(&response.status) {
                return Ok(response);
            }
            let target = location(&response).map_err(|detail| FetchError::BadRedirect {
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
        let cell = host.robots_for(url);
        let robots = cell
            .get_or_try_init(|| async {
                let robots = self.fetch_robots(url).await?;
                if let Some(delay) = robots.crawl_delay() {
                    for limiter in &host.limiters {
                        limiter.obey_crawl_delay(delay);
                    }
                }
                Ok(robots)
            })
            .await?;
        match robots {
            Robots::Unavailable(reason) => Err(FetchError::RobotsUnavailable {
                url: url.clone(),
                reason: reason.clone(),
            }),
            robots if robots.allowed(url) => Ok(()),
            _ => Err(FetchError::Disallowed {
                url: url.clone(),
                detail: "a Disallow rule for our user agent matches; --ignore-robots only with the site owner's permission".to_string(),
            }),
        }
    }

    /// The robots.txt that rules `url`, following redirects across hosts as RFC
    /// 9309 asks. Only an archive's refusal to connect is an error: the crawl
    /// must stop then; anything else is a [`Robots`] answer.
    async fn fetch_robots(&self, url: &Url) -> Result<Robots, FetchError> {
        let agent = agent_token(&self.config.user_agent);
        let mut current = url
            .join("/robots.txt")
            .expect("a path joins onto an http URL");
        for _ in 0..=ROBOTS_MAX_REDIRECTS {
            let host = self.host(&current);
            let response = match self.attempts(&host, Purpose::Robots, &current, None).await {
                Ok(response) => response,
                Err(FetchError::Status { status, .. }) => {
                    return Ok(Robots::from_response(agent, &current, status, b""));
                }
                Err(e @ FetchError::Refused { .. }) => return Err(e),
                Err(FetchError::Connect { message, .. }) => {
                    return Ok(Robots::unavailable(
                        &current,
                        &format!("could not be fetched ({message})"),
                    ));
                }
                Err(e) => {
                    return Ok(Robots::unavailable(
                        &current,
                        &format!("could not be fetched ({})", e.reason()),
                    ));
                }
            };
            if !(300..400).contains(&response.status) {
                return Ok(Robots::from_response(
                    agent,
                    &current,
                    response.status,
                    &response.body,
                ));
            }
            match location(&response) {
                Ok(target) if check_request_url(&target).is_ok() => current = target,
                Ok(target) => {
                    return Ok(Robots::unavailable(
                        &current,
                        &format!("redirects to {}, which cannot be requested", show(&target)),
                    ));
                }
                Err(detail) => {
                    return Ok(Robots::unavailable(
                        &current,
                        &format!(
                            "answered HTTP {} without a usable Location ({detail})",
                            response.status
                        ),
                    ));
                }
            }
        }
        // RFC 9309 §2.3.1.2: past five redirects robots.txt is "unavailable",
        // which, like a 4xx, means no rules.
        Ok(Robots::AllowAll)
    }

    /// One request with its retries, paced by the host's budget for `purpose`.
    async fn attempts(
        &self,
        host: &HostState,
        purpose: Purpose,
        url: &Url,
        form: Option<Bytes>,
    ) -> Result<Response, FetchError> {
        let limiter = &host.limiters[purpose.budget() as usize];
        let mut attempt = 0;
        loop {
            limiter.until_ready().await;
            self.counters.requests.fetch_add(1, Ordering::Relaxed);
            let result = match self.attempt(url, purpose, form.clone()).await {
                Ok(response) => match self.judge(host, purpose, &response) {
                    Some(failure) => Err(failure),
                    None => Ok(response),
                },
                Err(e) if host.is_archive => Err(e.into_archive_error()),
                Err(e) => Err(e),
            };
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
                    if response.status == 429 {
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
                    Ok(response) => Err(self.status_error(host, purpose, url, response.status)),
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

    /// The failure a response is, if it is one. From an archive (but for its
    /// robots.txt), a capture of an error and the archive's "no capture" and
    /// "excluded" are final failures that neither retry nor touch the budget;
    /// its own 429s and 5xx go on to the retries like a live site's. Retryable
    /// statuses are left to the retry loop; other error statuses are failures.
    fn judge(&self, host: &HostState, purpose: Purpose, response: &Response) -> Option<FetchError> {
        let url = &response.url;
        if host.is_archive && purpose != Purpose::Robots {
            let answer = wayback::classify(
                response.status,
                response.header(header::HeaderName::from_static("memento-datetime")),
                response.header(header::HeaderName::from_static(
                    wayback::RUNTIME_ERROR_HEADER,
                )),
                &response.body,
            );
            let capture = Capture::parse(url);
            match (answer, capture) {
                (
                    ArchiveAnswer::Capture {
                        status,
                        archived_at,
                    },
                    Some(capture),
                ) if status >= 400 => {
                    let date = archived_at.or_else(|| capture.archived_at()).map_or_else(
                        || capture.asked_time(),
                        |t| t.format("%Y-%m-%d").to_string(),
                    );
                    return Some(FetchError::CapturedFailure {
                        url: url.clone(),
                        archive: capture.archive_root(),
                        original: capture.original,
                        date,
                        status,
                    });
                }
                (ArchiveAnswer::NoCapture, Some(capture)) => {
                    return Some(FetchError::NoCapture {
                        url: url.clone(),
                        archive: capture.archive_root(),
                        near: capture.asked_time(),
                        original: capture.original,
                    });
                }
                (ArchiveAnswer::Excluded(detail), _) => {
                    return Some(FetchError::Excluded {
                        url: url.clone(),
                        detail,
                    });
                }
                _ => {}
            }
        }
        if response.status >= 400 && !retry::is_retryable_status(response.status) {
            return Some(self.status_error(host, purpose, url, response.status));
        }
        None
    }

    fn status_error(
        &self,
        host: &HostState,
        purpose: Purpose,
        url: &Url,
        status: u16,
    ) -> FetchError {
        if host.is_archive && purpose != Purpose::Robots {
            FetchError::ArchiveStatus {
                url: url.clone(),
                status,
            }
        } else {
            FetchError::Status {
                url: url.clone(),
                status,
            }
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
            method: if response.request_body.is_empty() {
                "GET"
            } else {
                "POST"
            }
            .into(),
            request_headers,
            request_body: response.request_body.to_vec(),
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
        match written {
            Ok(written) => {
                if let Some(index) = &self.index
                    && let Some(entry) = Indexed::of(&exchange, &written)
                {
                    index.lock().expect("index lock").push(entry);
                }
            }
            Err(e) => tracing::error!(url = %response.url, "cannot write the WARC record: {e}"),
        }
    }

    /// One request and its body, bounded by the total timeout and the size cap.
    /// A page that is not HTML by its Content-Type is not read: the crawl skips
    /// it anyway, and reading it would spend time and an archive's budget.
    async fn attempt(
        &self,
        url: &Url,
        purpose: Purpose,
        form: Option<Bytes>,
    ) -> Result<Response, FetchError> {
        let exchange = async {
            let request = match &form {
                None => self.client.get(url.clone()),
                Some(body) => self
                    .client
                    .post(url.clone())
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(body.clone()),
            };
            let response = request
                .headers(self.headers.clone())
                .send()
                .await
                .map_err(|e| transport_error(url, e))?;
            let status = response.status().as_u16();
            let response_headers = response.headers().clone();
            let skipped = purpose == Purpose::Request(RequestKind::Page)
                && (200..300).contains(&status)
                && !is_html(&response_headers);
            let body =
                if skipped || (300..400).contains(&status) || retry::is_retryable_status(status) {
                    Bytes::new()
                } else {
                    read_capped(url, response, purpose.budget().max_bytes(&self.config)).await?
                };
            Ok((
                Response {
                    url: url.clone(),
                    status,
                    headers: response_headers,
                    request_headers: self.request_headers.clone(),
                    request_body: form.clone().unwrap_or_default(),
                    body,
                    fetched_at: Utc::now(),
                },
                skipped,
            ))
        };
        match tokio::time::timeout(self.config.timeout, exchange).await {
            Ok(Ok((response, skipped))) => {
                // A WARC record of a body that was never read would claim an
                // empty one.
                if !skipped {
                    self.record(&response);
                }
                Ok(response)
            }
            Ok(Err(e)) => Err(e),
            Err(_) => Err(FetchError::Timeout {
                url: url.clone(),
                seconds: self.config.timeout.as_secs_f64(),
            }),
        }
    }
}

/// Whether a response is HTML by its Content-Type, by the same rule the crawl
/// applies to what it reads.
fn is_html(headers: &HeaderMap) -> bool {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let url = Url::parse("http://localhost/").expect("a static URL");
    HttpResponse {
        url: &url,
        content_type,
        memento_datetime: None,
        body: &[],
        fetched_at: None,
    }
    .is_html()
}

/// Where a redirect response points, resolved against its URL, or why it
/// points nowhere.
fn location(response: &Response) -> Result<Url, String> {
    let value = response
        .headers
        .get(header::LOCATION)
        .ok_or("no Location header")?;
    let value = value
        .to_str()
        .map_err(|_| "the Location header is not ASCII".to_string())?;
    response
        .url
        .join(value)
        .map_err(|e| format!("Location {:?}: {e}", excerpt(value)))
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
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| transport_error(url, e))?
    {
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

/// A failed exchange. A request reqwest could not even build is the URL's
/// fault, not the network's, so it is not retried.
fn transport_error(url: &Url, error: reqwest::Error) -> FetchError {
    if error.is_builder() {
        return FetchError::BadUrl {
            url: url.clone(),
            reason: error.without_url().to_string(),
        };
    }
    // Without the URL: the message is shown after it already.
    let error = error.without_url();
    let mut message = error.to_string();
    let mut refused = false;
    let mut source = std::error::Error::source(&error);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[tokio::test]
    async fn http_and_https_of_one_host_share_one_budget() {
        let config = crate::config::default_crawl(&[url("http://x.fi/")], true).fetch;
        let scope = Scope::new([&url("http://x.fi/"), &url("https://x.fi/")]);
        let fetcher = Fetcher::new(config, scope, Scope::default(), None).unwrap();
        let http = fetcher.host(&url("http://x.fi/a"));
        let https = fetcher.host(&url("https://x.fi/b"));
        assert!(Arc::ptr_eq(&http, &https));
        assert!(!Arc::ptr_eq(
            &http,
            &fetcher.host(&url("https://www.x.fi/"))
        ));
        // robots.txt stays per origin, as RFC 9309 scopes it.
        assert!(!Arc::ptr_eq(
            &http.robots_for(&url("http://x.fi/a")),
            &http.robots_for(&url("https://x.fi/a"))
        ));
    }

    #[test]
    fn request_urls_table() {
        let long = format!("http://x.fi/{}", "a".repeat(100_000));
        // URL, whether it can be requested
        let cases = [
            ("http://x.fi/a?b=c#d", true),
            ("http://x.fi/{a}|b^c", true),
            (long.as_str(), false),
        ];
        for (input, ok) in cases {
            let result = check_request_url(&url(input));
            assert_eq!(result.is_ok(), ok, "{input:.80}: {result:?}");
        }
        assert_eq!(
            check_request_url(&url(&long)).unwrap_err(),
            "uri too long; 100012 characters"
        );
    }

    #[test]
    fn user_agents_table() {
        // --user-agent, accepted
        let cases = [
            ("harava/0.1 (+mailto:a@b.fi)", true),
            ("MyBot", true),
            ("härävä/1.0", false),
            ("bot\nX-Injected: 1", false),
            ("", false),
            (" leading-space", false),
        ];
        for (input, ok) in cases {
            assert_eq!(user_agent_header(input).is_ok(), ok, "{input:?}");
        }
    }
}
