//! The transport layer: one HTTP request and its answer, over one shared
//! reqwest client. It sends the crawler's headers (and a caller's validators
//! as `If-None-Match` / `If-Modified-Since`), bounds the whole exchange by the
//! timeout, leaves unread a page body that is not HTML by its Content-Type and
//! any body of a redirect or a "try later", reads the rest in chunks up to a
//! cap counted after decompression (so a gzip bomb stops like any large body),
//! and tells a refused connection by its io error kind, never by its text.
//! Each exchange whose body it read goes to the [`Recorder`], when there is one,
//! through a slot taken before the request is sent.
//!
//! It must not wait for budgets, retry, follow redirects or judge statuses:
//! every answer, 404 or 503 alike, is a [`Response`] for the politeness layer.

use std::io;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use chrono::Utc;
use reqwest::header::{self, HeaderMap, HeaderName, HeaderValue};
use url::Url;

use super::recording::{Finished, Recorder};
use super::robots::agent_token;
use super::{ClientError, FetchConfig, FetchError, Response, Validators, retry};
use crate::error::excerpt;
use crate::page::is_html_type;

/// One request as the transport sends it.
pub(super) struct Request<'a> {
    pub url: &'a Url,
    /// A form's fields, urlencoded: the request is a `POST` of them.
    pub form: Option<Bytes>,
    pub validators: Option<&'a Validators>,
    /// The largest body read, after decompression.
    pub max_bytes: u64,
    /// Whether a successful answer that is not HTML is left unread.
    pub html_only: bool,
    /// Whether a body longer than `max_bytes` is cut there, the response
    /// marked truncated, rather than failing (robots.txt, of which RFC 9309
    /// has crawlers read at least the first 500 KiB).
    pub cut_at_cap: bool,
}

pub(super) struct Transport {
    client: reqwest::Client,
    /// The headers of every request, and the same as text for WARC records.
    headers: HeaderMap,
    request_headers: Vec<(String, String)>,
    timeout: Duration,
    recorder: Option<Recorder>,
}

impl Transport {
    pub(super) fn new(
        config: &FetchConfig,
        recorder: Option<Recorder>,
    ) -> Result<Transport, ClientError> {
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
            let name = HeaderName::from_bytes(name.as_bytes()).expect("static header name");
            headers.insert(
                name,
                HeaderValue::from_str(value).expect("static header value"),
            );
        }
        Ok(Transport {
            client,
            headers,
            request_headers,
            timeout: config.timeout,
            recorder,
        })
    }

    /// Keeps an index of the responses recorded, for a WACZ of the WARC.
    pub(super) fn keep_index(&mut self) {
        if let Some(recorder) = &mut self.recorder {
            recorder.keep_index();
        }
    }

    /// Syncs the WARC, if one is being written, with every exchange sent so
    /// far: see [`Recorder::sync`].
    pub(super) async fn sync_recording(&self) -> Option<io::Result<Option<u64>>> {
        match &self.recorder {
            Some(recorder) => Some(recorder.sync().await),
            None => None,
        }
    }

    /// Finishes the WARC, if one is being written, and hands back its index
    /// when one was kept.
    pub(super) fn finish_recording(self) -> io::Result<Finished> {
        match self.recorder {
            Some(recorder) => recorder.finish(),
            None => Ok(Finished::default()),
        }
    }

    /// Sends `request` and reads its answer, within the timeout.
    pub(super) async fn send(&self, request: &Request<'_>) -> Result<Response, FetchError> {
        // The slot is taken before the request goes out: an exchange the server
        // saw is recorded even when the crawl stops right after it, and a writer
        // that falls behind holds new requests back instead of piling up bodies.
        let slot = match &self.recorder {
            Some(recorder) => recorder.reserve().await,
            None => None,
        };
        let (response, unread) = tokio::time::timeout(self.timeout, self.exchange(request))
            .await
            .map_err(|_| FetchError::Timeout {
                url: request.url.clone(),
                seconds: self.timeout.as_secs_f64(),
            })??;
        // A WARC record of a body that was never read would claim an empty one.
        if let Some(slot) = slot
            && !unread
        {
            slot.record(&response);
        }
        Ok(response)
    }

    /// The response, and whether its body was left unread as not HTML.
    async fn exchange(&self, request: &Request<'_>) -> Result<(Response, bool), FetchError> {
        let url = request.url;
        let mut headers = self.headers.clone();
        let mut request_headers = self.request_headers.clone();
        let conditional = request
            .validators
            .map(conditional_headers)
            .unwrap_or_default();
        for (name, recorded_name, value, text) in &conditional {
            headers.insert(name.clone(), value.clone());
            request_headers.push((recorded_name.to_string(), text.to_string()));
        }
        let builder = match &request.form {
            None => self.client.get(url.clone()),
            Some(body) => self
                .client
                .post(url.clone())
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(body.clone()),
        };
        let response = builder
            .headers(headers)
            .send()
            .await
            .map_err(|e| transport_error(url, e))?;
        let status = response.status().as_u16();
        let response_headers = response.headers().clone();
        let unread = request.html_only
            && (200..300).contains(&status)
            && !is_html_type(
                response_headers
                    .get(header::CONTENT_TYPE)
                    .and_then(|v| v.to_str().ok()),
            );
        // A redirect or a "try later" has no body worth reading; a 304 has none.
        let (body, truncated) =
            if unread || (300..400).contains(&status) || retry::is_retryable_status(status) {
                (Bytes::new(), false)
            } else {
                read_capped(url, response, request.max_bytes, request.cut_at_cap).await?
            };
        Ok((
            Response {
                url: url.clone(),
                status,
                headers: response_headers,
                request_headers,
                request_body: request.form.clone().unwrap_or_default(),
                body,
                fetched_at: Utc::now(),
                // A 304 to an unconditional request is no answer we asked for;
                // it is left to be read as the broken redirect it then is.
                not_modified: status == 304 && !conditional.is_empty(),
                truncated,
            },
            unread,
        ))
    }
}

/// The conditional headers for `validators`: each header's name, its name as
/// the WARC records it, its value and the value as text. A validator that
/// cannot be a header value is left out, which only makes the request
/// unconditional.
fn conditional_headers(
    validators: &Validators,
) -> Vec<(HeaderName, &'static str, HeaderValue, &str)> {
    [
        (header::IF_NONE_MATCH, "If-None-Match", &validators.etag),
        (
            header::IF_MODIFIED_SINCE,
            "If-Modified-Since",
            &validators.last_modified,
        ),
    ]
    .into_iter()
    .filter_map(|(name, recorded_name, text)| {
        let text = text.as_deref()?;
        Some((name, recorded_name, HeaderValue::from_str(text).ok()?, text))
    })
    .collect()
}

/// The body, read up to `limit` bytes: past it an error, or with `cut` the
/// first `limit` bytes and `true`.
async fn read_capped(
    url: &Url,
    mut response: reqwest::Response,
    limit: u64,
    cut: bool,
) -> Result<(Bytes, bool), FetchError> {
    if !cut && response.content_length().is_some_and(|len| len > limit) {
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
            if !cut {
                return Err(FetchError::TooLarge {
                    url: url.clone(),
                    limit,
                });
            }
            let room = limit as usize - body.len();
            body.extend_from_slice(&chunk[..room]);
            return Ok((body.freeze(), true));
        }
        body.extend_from_slice(&chunk);
    }
    Ok((body.freeze(), false))
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
    let undecodable = error.is_decode();
    // Without the URL: the message is shown after it already.
    let error = error.without_url();
    let mut message = error.to_string();
    let mut refused = false;
    let mut malformed = false;
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        message = format!("{message}: {cause}");
        refused |= cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::ConnectionRefused);
        malformed |= cause
            .downcast_ref::<hyper::Error>()
            .is_some_and(hyper::Error::is_parse);
        source = cause.source();
    }
    if malformed {
        return FetchError::Malformed {
            url: url.clone(),
            message,
        };
    }
    if undecodable {
        // reqwest's own words ("error decoding response body") say it twice.
        let cause = message
            .split_once(": ")
            .map_or(message.as_str(), |(_, cause)| cause);
        return FetchError::Undecodable {
            url: url.clone(),
            message: cause.to_owned(),
        };
    }
    FetchError::Connect {
        url: url.clone(),
        message,
        refused,
    }
}

/// Whether `url` can be sent at all. reqwest turns it into an `http::Uri`, which
/// is stricter than a WHATWG URL (and at most 64 KiB long); a URL it refuses is
/// refused here, before any budget is spent or a retry is scheduled.
pub(crate) fn check_request_url(url: &Url) -> Result<(), String> {
    http::Uri::try_from(url.as_str())
        .map(drop)
        .map_err(|e| format!("{e}; {} characters", url.as_str().len()))
}

/// The User-Agent as a header value, or why it cannot be one.
pub(crate) fn user_agent_header(user_agent: &str) -> Result<HeaderValue, String> {
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

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::archive::warc::{WarcReader, WarcWriter};
    use crate::fetch::testing::{Seen, Server, config, respond};

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    fn get(url: &Url) -> Request<'_> {
        Request {
            url,
            form: None,
            validators: None,
            max_bytes: 1000,
            html_only: true,
            cut_at_cap: false,
        }
    }

    /// A page that is unchanged for validators that name its version 1.
    fn versioned(seen: &Seen) -> axum::response::Response {
        let etag = ("etag", "\"v1\"");
        let modified = ("last-modified", "Wed, 21 Oct 2015 07:28:00 GMT");
        let matches = seen.header("if-none-match") == Some(etag.1)
            || seen.header("if-modified-since") == Some(modified.1);
        if matches {
            respond(304, &[etag, modified], "")
        } else {
            respond(
                200,
                &[etag, modified, ("content-type", "text/html")],
                "<p>v1</p>",
            )
        }
    }

    #[tokio::test]
    async fn validators_are_sent_and_a_304_comes_back_not_modified() {
        let server = Server::start(versioned);
        let transport = Transport::new(&config(), None).unwrap();
        let page = server.url("/page");
        let first = transport.send(&get(&page)).await.unwrap();
        assert!(!first.not_modified);
        assert_eq!(first.etag(), Some("\"v1\""));
        assert_eq!(first.last_modified(), Some("Wed, 21 Oct 2015 07:28:00 GMT"));
        assert_eq!(&first.body[..], b"<p>v1</p>");

        // Each validator alone, and both.
        let validators = first.validators().unwrap();
        let etag_only = Validators {
            last_modified: None,
            ..validators.clone()
        };
        let date_only = Validators {
            etag: None,
            ..validators.clone()
        };
        for validators in [&validators, &etag_only, &date_only] {
            let request = Request {
                validators: Some(validators),
                ..get(&page)
            };
            let again = transport.send(&request).await.unwrap();
            assert_eq!(again.status, 304);
            assert!(again.not_modified);
            assert!(again.body.is_empty());
            let seen = server.seen().pop().unwrap();
            assert_eq!(seen.header("if-none-match"), validators.etag.as_deref());
            assert_eq!(
                seen.header("if-modified-since"),
                validators.last_modified.as_deref()
            );
            // The WARC's request record says what was sent.
            let sent: Vec<_> = again
                .request_headers
                .iter()
                .filter(|(name, _)| name.starts_with("If-"))
                .map(|(name, value)| (name.as_str(), value.as_str()))
                .collect();
            let expected: Vec<_> = [
                ("If-None-Match", validators.etag.as_deref()),
                ("If-Modified-Since", validators.last_modified.as_deref()),
            ]
            .into_iter()
            .filter_map(|(name, value)| Some((name, value?)))
            .collect();
            assert_eq!(sent, expected);
        }
    }

    #[tokio::test]
    async fn changed_validators_get_the_page_and_none_are_sent_unasked() {
        let server = Server::start(versioned);
        let transport = Transport::new(&config(), None).unwrap();
        let page = server.url("/page");
        let stale = Validators {
            etag: Some("\"v0\"".into()),
            last_modified: None,
        };
        let request = Request {
            validators: Some(&stale),
            ..get(&page)
        };
        let changed = transport.send(&request).await.unwrap();
        assert_eq!((changed.status, changed.not_modified), (200, false));
        assert_eq!(&changed.body[..], b"<p>v1</p>");
        transport.send(&get(&page)).await.unwrap();
        let plain = server.seen().pop().unwrap();
        assert_eq!(plain.header("if-none-match"), None);
        assert_eq!(plain.header("if-modified-since"), None);
    }

    #[tokio::test]
    async fn a_304_nobody_asked_for_is_not_read_as_not_modified() {
        let server = Server::start(|_| respond(304, &[], ""));
        let transport = Transport::new(&config(), None).unwrap();
        let response = transport.send(&get(&server.url("/"))).await.unwrap();
        assert_eq!((response.status, response.not_modified), (304, false));
    }

    #[tokio::test]
    async fn bodies_are_read_up_to_the_cap_and_not_html_is_left_unread() {
        let server = Server::start(|seen| match seen.path.as_str() {
            "/big" => respond(200, &[("content-type", "text/html")], &"a".repeat(1001)),
            "/exact" => respond(200, &[("content-type", "text/html")], &"a".repeat(1000)),
            _ => respond(200, &[("content-type", "application/pdf")], "%PDF"),
        });
        let transport = Transport::new(&config(), None).unwrap();
        let big = server.url("/big");
        let error = transport.send(&get(&big)).await.unwrap_err();
        assert!(
            matches!(error, FetchError::TooLarge { limit: 1000, .. }),
            "{error}"
        );
        let exact = transport.send(&get(&server.url("/exact"))).await.unwrap();
        assert_eq!(exact.body.len(), 1000);
        let pdf = server.url("/file.pdf");
        let unread = transport.send(&get(&pdf)).await.unwrap();
        assert_eq!((unread.status, unread.body.len()), (200, 0));
        let read = Request {
            html_only: false,
            ..get(&pdf)
        };
        assert_eq!(&transport.send(&read).await.unwrap().body[..], b"%PDF");
    }

    #[tokio::test]
    async fn the_timeout_bounds_the_whole_exchange() {
        let server = Server::start(|_| {
            std::thread::sleep(Duration::from_millis(500));
            respond(200, &[], "late")
        });
        let mut config = config();
        config.timeout = Duration::from_millis(100);
        let transport = Transport::new(&config, None).unwrap();
        let error = transport.send(&get(&server.url("/"))).await.unwrap_err();
        assert!(matches!(error, FetchError::Timeout { .. }), "{error}");
    }

    #[tokio::test]
    async fn an_answer_that_is_not_http_is_malformed_and_not_retried() {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            if let Some(Ok(mut stream)) = listener.incoming().next() {
                let mut request = [0; 4096];
                let _ = stream.read(&mut request);
                let _ = stream.write_all(b"HTTP/9.9 200 OK\r\nContent-Length: 2\r\n\r\nhi");
            }
        });
        let transport = Transport::new(&config(), None).unwrap();
        let error = transport
            .send(&get(&url(&format!("http://{address}/"))))
            .await
            .unwrap_err();
        assert!(matches!(error, FetchError::Malformed { .. }), "{error}");
        assert!(!error.is_retryable());
        assert!(
            error
                .to_string()
                .ends_with("; the server is broken or is no web server, so it was not asked again"),
            "{error}"
        );
    }

    #[tokio::test]
    async fn a_body_that_does_not_decode_is_said_so_and_may_be_retried() {
        let server = Server::start(|_| {
            respond(
                200,
                &[("content-type", "text/html"), ("content-encoding", "gzip")],
                "\u{1f}not gzip at all",
            )
        });
        let transport = Transport::new(&config(), None).unwrap();
        let page = server.url("/");
        let error = transport.send(&get(&page)).await.unwrap_err();
        assert!(error.is_retryable());
        assert_eq!(
            error.to_string(),
            format!(
                "{page}: the body does not decode as its Content-Encoding says (Invalid gzip header); the server sent it damaged or the connection cut it (--retries retries such failures)"
            )
        );
    }

    #[tokio::test]
    async fn a_refused_connection_is_told_by_its_kind() {
        let closed = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap()
        };
        let transport = Transport::new(&config(), None).unwrap();
        let url = url(&format!("http://{closed}/"));
        match transport.send(&get(&url)).await.unwrap_err() {
            FetchError::Connect { refused, .. } => assert!(refused),
            other => panic!("{other}"),
        }
    }

    #[tokio::test]
    async fn every_exchange_whose_body_was_read_is_recorded_in_order() {
        let server = Server::start(|seen| match seen.path.as_str() {
            "/file.pdf" => respond(200, &[("content-type", "application/pdf")], "%PDF"),
            "/moved" => respond(301, &[("location", "/a")], ""),
            path => respond(200, &[("content-type", "text/html")], path),
        });
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.warc.gz");
        let recorder = Recorder::start(WarcWriter::create(&path, &[]).unwrap(), 1).unwrap();
        let transport = Transport::new(&config(), Some(recorder)).unwrap();
        for path in ["/a", "/file.pdf", "/moved", "/b"] {
            transport.send(&get(&server.url(path))).await.unwrap();
        }
        assert_eq!(transport.finish_recording().unwrap().index, None);
        let file = std::fs::read(&path).unwrap();
        let recorded: Vec<(String, u16)> = WarcReader::new(&file[..])
            .unwrap()
            .map(|r| {
                let r = r.unwrap();
                (r.target_uri, r.status)
            })
            .collect();
        assert_eq!(
            recorded,
            [
                (server.url("/a").to_string(), 200),
                (server.url("/moved").to_string(), 301),
                (server.url("/b").to_string(), 200),
            ]
        );
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
