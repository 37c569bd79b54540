//! The politeness layer: what the crawler owes each host. robots.txt is read
//! per origin, as RFC 9309 scopes it, following redirects across hosts; when it
//! cannot be read, the origin's pages fail (not skip), so an outage shows in the
//! exit code. A governor rate limiter per host (http and https of one server
//! share it) keeps to the `--rate`, or the site's `Crawl-delay` when that is
//! stricter, paces robots.txt requests like any other, and pauses every worker
//! when the host answers 429; web archives get their own budgets for replays
//! and CDX queries. Retryable failures back off and retry, never sooner than a
//! `Retry-After`. Web archives' answers are read apart by [`wayback::classify`]:
//! a capture of a site's error is a failed page, not the archive throttling us.
//!
//! It sends one URL at a time through the [`Transport`]: it must not follow a
//! page's redirects or decide what is in scope; that is the [`super::Fetcher`]'s.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use reqwest::header;
use url::Url;

use super::error::show;
use super::ratelimit::HostLimiter;
use super::robots::{Robots, agent_token};
use super::scope::Scope;
use super::transport::{Request, Transport, check_request_url};
use super::{FetchConfig, FetchCounters, FetchError, Response, Validators, retry};
use crate::archive::wayback::{self, ArchiveAnswer, Capture};
use crate::url_key;

/// How many redirects a robots.txt may take before it counts as unavailable
/// (RFC 9309 asks crawlers to follow at least five, across hosts).
const ROBOTS_MAX_REDIRECTS: usize = 5;

/// How much of a robots.txt is read: RFC 9309 §2.5 has crawlers parse at least
/// the first 500 KiB, and what follows is left unread rather than failing.
const ROBOTS_MAX_BYTES: u64 = 500 * 1024;

/// The stricter of two rates where 0 means "no limit".
fn stricter_rate(a: f64, b: f64) -> f64 {
    match (a > 0.0, b > 0.0) {
        (true, true) => a.min(b),
        (true, false) => a,
        (false, _) => b,
    }
}

/// What a request is for; each kind has its own budget on a host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RequestKind {
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
        robots.entry(url_key::origin(url)).or_default().clone()
    }
}

pub(super) struct Politeness {
    transport: Transport,
    config: FetchConfig,
    archives: Scope,
    hosts: Mutex<HashMap<String, Arc<HostState>>>,
    counters: Arc<FetchCounters>,
}

impl Politeness {
    /// Politeness for every host `transport` reaches; hosts in `archives` are
    /// web archives and get the archive budgets.
    pub(super) fn new(config: FetchConfig, archives: Scope, transport: Transport) -> Politeness {
        Politeness {
            transport,
            config,
            archives,
            hosts: Mutex::new(HashMap::new()),
            counters: Arc::new(FetchCounters::default()),
        }
    }

    pub(super) fn counters(&self) -> &Arc<FetchCounters> {
        &self.counters
    }

    pub(super) fn transport(&self) -> &Transport {
        &self.transport
    }

    pub(super) fn transport_mut(&mut self) -> &mut Transport {
        &mut self.transport
    }

    pub(super) fn into_transport(self) -> Transport {
        self.transport
    }

    /// One request for `url` as its host's robots.txt and budget allow, with
    /// retries; a redirect comes back as the response it is. `validators` go
    /// only to live sites: an archive's capture is not the page they describe.
    pub(super) async fn request(
        &self,
        url: &Url,
        kind: RequestKind,
        form: Option<Bytes>,
        validators: Option<&Validators>,
    ) -> Result<Response, FetchError> {
        let host = self.host(url);
        self.check_robots(&host, url).await?;
        let request = Request {
            url,
            form,
            validators: validators.filter(|_| !host.is_archive),
            max_bytes: kind.max_bytes(&self.config),
            html_only: kind == RequestKind::Page,
            cut_at_cap: false,
        };
        self.attempts(&host, Purpose::Request(kind), &request).await
    }

    fn host(&self, url: &Url) -> Arc<HostState> {
        let key = url_key::politeness(url);
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

    async fn check_robots(&self, host: &HostState, url: &Url) -> Result<(), FetchError> {
        if self.config.ignore_robots {
            return Ok(());
        }
        let cell = host.robots_for(url);
        let robots = cell
            .get_or_try_init(|| async {
                let robots = self.fetch_robots(url).await?;
                if let Some(delay) = robots.crawl_delay() {
                    if let Some(warning) = slow_crawl_delay(url, delay) {
                        tracing::warn!("{warning}");
                    }
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
            let request = Request {
                url: &current,
                form: None,
                validators: None,
                max_bytes: ROBOTS_MAX_BYTES,
                html_only: false,
                cut_at_cap: true,
            };
            let response = match self.attempts(&host, Purpose::Robots, &request).await {
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
                let mut rules = &response.body[..];
                if response.truncated {
                    // A rule cut in the middle would be another rule. The parser
                    // ends lines at CR too.
                    let whole_lines = rules
                        .iter()
                        .rposition(|&b| b == b'\n' || b == b'\r')
                        .map_or(0, |n| n + 1);
                    rules = &rules[..whole_lines];
                }
                return Ok(Robots::from_response(
                    agent,
                    &current,
                    response.status,
                    rules,
                ));
            }
            match response.location() {
                Ok(target) if check_request_url(&target).is_ok() => current = target,
                Ok(target) => {
                    return Ok(Robots::unavailable(
                        &current,
                        &format!("redirects to {}, which cannot be requested", show(&target)),
                    ));
                }
                // An empty Location sends robots.txt to itself, which five hops
                // later ends as below.
                Err(_)
                    if response
                        .header(header::LOCATION)
                        .is_some_and(|location| location.trim().is_empty()) =>
                {
                    return Ok(Robots::AllowAll);
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
        request: &Request<'_>,
    ) -> Result<Response, FetchError> {
        let url = request.url;
        let limiter = &host.limiters[purpose.budget() as usize];
        let mut attempt = 0;
        loop {
            limiter.until_ready().await;
            self.counters.requests.fetch_add(1, Ordering::Relaxed);
            let result = match self.transport.send(request).await {
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
                Ok(response) => {
                    if response.not_modified {
                        self.counters.not_modified.fetch_add(1, Ordering::Relaxed);
                    }
                    return result;
                }
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
            // Said after the URL, which an error's message starts with too.
            let answer = match &result {
                Ok(response) => format!("answered HTTP {}", response.status),
                Err(e) => e.reason(),
            };
            match long_retry_wait(url, &answer, wait, attempt + 1, self.config.retries) {
                Some(said) => tracing::warn!("{said}"),
                None => {
                    tracing::info!(%url, answer, wait_ms = wait.as_millis() as u64, "retrying")
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
}

/// From this `Crawl-delay` on, a crawl is slow enough that waiting in silence
/// looks like a hang.
const SLOW_CRAWL_DELAY: Duration = Duration::from_secs(60);

/// From this wait before a retry on, waiting in silence looks like a hang.
const LONG_RETRY_WAIT: Duration = Duration::from_secs(10);

/// What to say of a wait of `wait` before retry `retry` of `retries` of `url`,
/// which gave `answer`, if it is long.
fn long_retry_wait(
    url: &Url,
    answer: &str,
    wait: Duration,
    retry: u32,
    retries: u32,
) -> Option<String> {
    (wait >= LONG_RETRY_WAIT).then(|| {
        format!(
            "{url} {answer}: harava waits {} s before retry {retry} of {retries} (with `--retries 0` it would not retry)",
            wait.as_secs()
        )
    })
}

/// What to say of a `Crawl-delay` of `delay` asked by `url`'s robots.txt, if it
/// makes the crawl slow.
fn slow_crawl_delay(url: &Url, delay: Duration) -> Option<String> {
    (delay >= SLOW_CRAWL_DELAY).then(|| {
        format!(
            "harava waits {} s between requests to {}, as its robots.txt asks (Crawl-delay, kept to an hour at most)",
            delay.as_secs(),
            url.host_str().unwrap_or_default()
        )
    })
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;
    use crate::fetch::testing::{Server, config, respond};

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    fn politeness(config: FetchConfig, archives: Scope) -> Politeness {
        let transport = Transport::new(&config, None).unwrap();
        Politeness::new(config, archives, transport)
    }

    fn count(counter: &std::sync::atomic::AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }

    #[test]
    fn a_long_wait_before_a_retry_is_said_and_a_short_one_is_not() {
        let page = Url::parse("https://kunta.fi/poytakirjat/").unwrap();
        let said = |seconds| {
            long_retry_wait(
                &page,
                "answered HTTP 429",
                Duration::from_secs(seconds),
                1,
                3,
            )
        };
        assert_eq!(said(9), None);
        assert_eq!(
            said(300).as_deref(),
            Some(
                "https://kunta.fi/poytakirjat/ answered HTTP 429: harava waits 300 s before retry 1 of 3 (with `--retries 0` it would not retry)"
            )
        );
    }

    #[test]
    fn a_crawl_delay_of_a_minute_or_more_is_said() {
        let page = url("https://www.kunta.fi/kokoukset/");
        assert_eq!(slow_crawl_delay(&page, Duration::from_secs(59)), None);
        assert_eq!(
            slow_crawl_delay(&page, Duration::from_secs(3600)).as_deref(),
            Some(
                "harava waits 3600 s between requests to www.kunta.fi, as its robots.txt asks (Crawl-delay, kept to an hour at most)"
            )
        );
    }

    #[tokio::test]
    async fn http_and_https_of_one_host_share_one_budget() {
        let config = crate::crawl::CrawlConfig::new(vec![url("http://x.fi/")]).fetch;
        let fetcher = politeness(config, Scope::default());
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

    #[tokio::test]
    async fn robots_txt_is_read_once_per_origin_and_obeyed() {
        let server = Server::start(|seen| match seen.path.as_str() {
            "/robots.txt" => respond(200, &[], "User-agent: *\nDisallow: /private/\n"),
            _ => respond(200, &[("content-type", "text/html")], "<p>"),
        });
        let mut config = config();
        config.ignore_robots = false;
        let polite = politeness(config, Scope::default());
        for path in ["/a", "/b"] {
            polite
                .request(&server.url(path), RequestKind::Page, None, None)
                .await
                .unwrap();
        }
        let error = polite
            .request(&server.url("/private/c"), RequestKind::Page, None, None)
            .await
            .unwrap_err();
        assert!(matches!(error, FetchError::Disallowed { .. }), "{error}");
        assert_eq!(server.paths(), ["/robots.txt", "/a", "/b"]);
    }

    #[tokio::test]
    async fn a_huge_robots_txt_is_obeyed_as_far_as_its_first_500_kib() {
        /// The cap falls inside `Disallow: /pages/`, after `/p`: read as it was
        /// cut, that line would disallow /p. Lines end in `end`.
        fn huge(end: &str) -> String {
            let head = format!("User-agent: *{end}Disallow: /private/{end}");
            let filler = ROBOTS_MAX_BYTES as usize - "Disallow: /p".len() - head.len();
            format!(
                "{head}#{}{end}Disallow: /pages/{end}Disallow: /late/{end}",
                "x".repeat(filler - 1 - end.len())
            )
        }
        let server = Server::start(|seen| match seen.path.as_str() {
            "/robots.txt" => respond(200, &[], &huge("\n")),
            _ => respond(200, &[("content-type", "text/html")], "<p>"),
        });
        // Carriage returns alone end lines too, on a server of their own.
        let cr_server = Server::start(|seen| match seen.path.as_str() {
            "/robots.txt" => respond(200, &[], &huge("\r")),
            _ => respond(200, &[("content-type", "text/html")], "<p>"),
        });
        for server in [&server, &cr_server] {
            let mut config = config();
            config.ignore_robots = false;
            let polite = politeness(config, Scope::default());
            for (path, allowed) in [
                ("/a", true),
                ("/private/c", false),
                ("/late/d", true),
                ("/p", true),
            ] {
                let result = polite
                    .request(&server.url(path), RequestKind::Page, None, None)
                    .await;
                assert_eq!(result.is_ok(), allowed, "{path}: {result:?}");
            }
        }
    }

    #[tokio::test]
    async fn a_robots_txt_redirected_to_an_empty_location_means_no_rules() {
        let server = Server::start(|seen| match seen.path.as_str() {
            "/robots.txt" => respond(302, &[("location", "")], ""),
            _ => respond(200, &[("content-type", "text/html")], "<p>"),
        });
        let mut config = config();
        config.ignore_robots = false;
        let polite = politeness(config, Scope::default());
        polite
            .request(&server.url("/a"), RequestKind::Page, None, None)
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn a_robots_txt_outage_fails_the_origins_pages() {
        let server = Server::start(|seen| match seen.path.as_str() {
            "/robots.txt" => respond(503, &[], ""),
            _ => respond(200, &[], "<p>"),
        });
        let mut config = config();
        config.ignore_robots = false;
        config.retries = 0;
        let polite = politeness(config, Scope::default());
        let error = polite
            .request(&server.url("/a"), RequestKind::Page, None, None)
            .await
            .unwrap_err();
        assert!(
            matches!(error, FetchError::RobotsUnavailable { .. }),
            "{error}"
        );
        assert_eq!(server.paths(), ["/robots.txt"]);
    }

    #[tokio::test]
    async fn the_host_budget_spaces_requests_and_robots_txt_counts() {
        let server = Server::start(|_| respond(404, &[], ""));
        let mut config = config();
        config.rate = 20.0;
        config.ignore_robots = false;
        let polite = politeness(config, Scope::default());
        let start = Instant::now();
        for path in ["/a", "/b"] {
            let _ = polite
                .request(&server.url(path), RequestKind::Page, None, None)
                .await;
        }
        assert_eq!(server.paths(), ["/robots.txt", "/a", "/b"]);
        // 50 ms apart, less what the timer wheel may round off.
        assert!(start.elapsed() >= Duration::from_millis(99));
    }

    #[tokio::test]
    async fn a_try_later_is_retried_no_sooner_than_retry_after() {
        let server = Server::start(|seen| match seen.earlier {
            0 => respond(503, &[("retry-after", "1")], ""),
            1 => respond(429, &[], ""),
            _ => respond(200, &[("content-type", "text/html")], "<p>"),
        });
        let mut config = config();
        config.default_retry_after = Duration::from_millis(10);
        let polite = politeness(config, Scope::default());
        let response = polite
            .request(&server.url("/a"), RequestKind::Page, None, None)
            .await
            .unwrap();
        assert_eq!(response.status, 200);
        let times: Vec<Instant> = server.seen().iter().map(|s| s.at).collect();
        assert!(times[1] - times[0] >= Duration::from_millis(999));
        let counters = polite.counters();
        assert_eq!(count(&counters.requests), 3);
        assert_eq!(count(&counters.retries), 2);
        assert_eq!(count(&counters.throttled), 1);
    }

    #[tokio::test]
    async fn retries_end_in_the_status_they_got() {
        let server = Server::start(|_| respond(500, &[], ""));
        let mut config = config();
        config.retries = 2;
        let polite = politeness(config, Scope::default());
        let error = polite
            .request(&server.url("/a"), RequestKind::Page, None, None)
            .await
            .unwrap_err();
        assert!(
            matches!(error, FetchError::Status { status: 500, .. }),
            "{error}"
        );
        assert_eq!(server.paths().len(), 3);
    }

    fn unchanged(seen: &crate::fetch::testing::Seen) -> axum::response::Response {
        match seen.header("if-none-match") {
            Some(_) => respond(304, &[("etag", "\"v1\"")], ""),
            None => respond(200, &[("content-type", "text/html")], "<p>"),
        }
    }

    #[tokio::test]
    async fn a_304_is_an_answer_neither_retried_nor_failed_and_is_counted() {
        let server = Server::start(unchanged);
        let polite = politeness(config(), Scope::default());
        let validators = Validators {
            etag: Some("\"v1\"".into()),
            last_modified: None,
        };
        let response = polite
            .request(
                &server.url("/a"),
                RequestKind::Page,
                None,
                Some(&validators),
            )
            .await
            .unwrap();
        assert!(response.not_modified);
        let counters = polite.counters();
        assert_eq!(count(&counters.requests), 1);
        assert_eq!(count(&counters.retries), 0);
        assert_eq!(count(&counters.not_modified), 1);
    }

    #[tokio::test]
    async fn an_archive_is_never_asked_conditionally() {
        let server = Server::start(unchanged);
        let archive = server.url("/web/2019/https://x.fi/");
        let polite = politeness(config(), Scope::new([&archive]));
        let validators = Validators {
            etag: Some("\"v1\"".into()),
            last_modified: Some("Wed, 21 Oct 2015 07:28:00 GMT".into()),
        };
        let response = polite
            .request(&archive, RequestKind::Page, None, Some(&validators))
            .await
            .unwrap();
        assert_eq!((response.status, response.not_modified), (200, false));
        let seen = server.seen().pop().unwrap();
        assert_eq!(seen.header("if-none-match"), None);
        assert_eq!(seen.header("if-modified-since"), None);
        assert_eq!(count(&polite.counters().not_modified), 0);
    }

    #[tokio::test]
    async fn an_archive_gets_the_stricter_of_its_rate_and_the_sites() {
        let server = Server::start(|_| respond(200, &[("content-type", "text/html")], "<p>"));
        let archive = server.url("/web/2019/https://x.fi/");
        let mut config = config();
        config.archive_rate = 20.0;
        let polite = politeness(config, Scope::new([&archive]));
        let start = Instant::now();
        for _ in 0..3 {
            polite
                .request(&archive, RequestKind::Page, None, None)
                .await
                .unwrap();
        }
        assert!(start.elapsed() >= Duration::from_millis(99));
    }
}
