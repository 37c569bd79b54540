//! Why a fetch did not produce a page: the one error type every layer of
//! [`crate::fetch`] returns, its messages with advice, and which failures are
//! skips and which may be retried. It only describes failures; deciding what a
//! response means is the layers' business.

use url::Url;

use super::retry;
use crate::error::excerpt;

/// A URL as a message quotes it: at most a short excerpt.
pub(super) fn show(url: &Url) -> std::borrow::Cow<'_, str> {
    excerpt(url.as_str())
}

/// Why a fetch did not produce a page. Every message starts with the URL (an
/// excerpt of it, for hostile lengths) and a colon; [`FetchError::reason`] is
/// the rest.
#[derive(Debug, Clone, thiserror::Error)]
pub(crate) enum FetchError {
    #[error("{}: disallowed by robots.txt ({detail})", show(.url))]
    Disallowed { url: Url, detail: String },
    #[error("{}: not fetched, robots.txt was unavailable: {reason}", show(.url))]
    RobotsUnavailable { url: Url, reason: String },
    #[error("{}: not on the sites being crawled, not fetched", show(.url))]
    OutOfScope { url: Url },
    #[error(
        "{}: cannot be requested ({reason}); the link is malformed, so it was not fetched",
        show(.url)
    )]
    BadUrl { url: Url, reason: String },
    #[error(
        "{}: redirected to {}, which is outside the sites being crawled; not followed (if the site moved there, crawl from that address)",
        show(.url),
        show(.target)
    )]
    RedirectOutOfScope { url: Url, target: Url },
    #[error("{}: redirect loop ({chain}); the site's redirects go in circles", show(.url))]
    RedirectLoop { url: Url, chain: String },
    #[error(
        "{}: more than {limit} redirects; stopped following (start from the address the redirects lead to)",
        show(.url)
    )]
    TooManyRedirects { url: Url, limit: usize },
    #[error(
        "{}: HTTP {status} redirect without a usable Location ({detail}); it is not a page, and the site's redirect is broken",
        show(.url)
    )]
    BadRedirect {
        url: Url,
        status: u16,
        detail: String,
    },
    #[error("{}: no complete response within {seconds} s (raise --timeout for slow sites)", show(.url))]
    Timeout { url: Url, seconds: f64 },
    #[error(
        "{}: {message} (check that the address is right and the site is up; --retries retries such failures)",
        show(.url)
    )]
    Connect {
        url: Url,
        message: String,
        refused: bool,
    },
    #[error(
        "{}: the answer is not valid HTTP ({message}); the server is broken or is no web server, so it was not asked again",
        show(.url)
    )]
    Malformed { url: Url, message: String },
    #[error(
        "{}: the body does not decode as its Content-Encoding says ({message}); the server sent it damaged or the connection cut it (--retries retries such failures)",
        show(.url)
    )]
    Undecodable { url: Url, message: String },
    #[error(
        "{}: the archive refuses connections ({message}); it has probably blocked this address after too many requests. Stop, wait an hour, and crawl again at a lower --archive-rate",
        show(.url)
    )]
    Refused { url: Url, message: String },
    #[error("{}: HTTP {status}{}", show(.url), status_advice(*.status))]
    Status { url: Url, status: u16 },
    #[error("{}: the archive answered HTTP {status}{}", show(.url), archive_status_advice(*.status))]
    ArchiveStatus { url: Url, status: u16 },
    #[error(
        "{}: the archive's capture of {} from {date} is the site's HTTP {status}: the site failed when the archive visited it, and retrying cannot change a capture (list the other captures with --cdx {archive} {})",
        show(.url),
        show(.original),
        show(.original)
    )]
    CapturedFailure {
        url: Url,
        original: Url,
        archive: String,
        date: String,
        status: u16,
    },
    #[error(
        "{}: the archive has no capture of {} near {near}; list what it has with --cdx {archive} {}",
        show(.url),
        show(.original),
        show(.original)
    )]
    NoCapture {
        url: Url,
        original: Url,
        archive: String,
        near: String,
    },
    #[error(
        "{}: the archive excludes this URL ({detail}); an excluded (blocked) URL has no capture anyone can read, so it was not retried",
        show(.url)
    )]
    Excluded { url: Url, detail: String },
    #[error(
        "{}: the response is larger than --max-bytes {limit} bytes (after decompression); not read further",
        show(.url)
    )]
    TooLarge { url: Url, limit: u64 },
}

/// What to do about an HTTP error status of a live site.
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

/// What to do about an error status that is the archive's own, not a capture's.
fn archive_status_advice(status: u16) -> &'static str {
    match status {
        401 | 403 => " (it refuses this request)",
        429 => {
            " (it is rate-limiting us even after the retries: crawl again later at a lower --archive-rate or --cdx-rate)"
        }
        500..=599 => " (it failed even after the retries: try again later)",
        _ => "",
    }
}

impl FetchError {
    /// Skips are the crawler keeping its promises (robots.txt, scope), not failures.
    pub(crate) fn is_skip(&self) -> bool {
        matches!(
            self,
            FetchError::Disallowed { .. }
                | FetchError::OutOfScope { .. }
                | FetchError::RedirectOutOfScope { .. }
        )
    }

    pub(super) fn is_retryable(&self) -> bool {
        match self {
            FetchError::Timeout { .. }
            | FetchError::Connect { .. }
            | FetchError::Undecodable { .. } => true,
            FetchError::Status { status, .. } | FetchError::ArchiveStatus { status, .. } => {
                retry::is_retryable_status(*status)
            }
            _ => false,
        }
    }

    /// The URL the error is about.
    pub(crate) fn url(&self) -> &Url {
        match self {
            FetchError::Disallowed { url, .. }
            | FetchError::RobotsUnavailable { url, .. }
            | FetchError::OutOfScope { url }
            | FetchError::BadUrl { url, .. }
            | FetchError::RedirectOutOfScope { url, .. }
            | FetchError::RedirectLoop { url, .. }
            | FetchError::TooManyRedirects { url, .. }
            | FetchError::BadRedirect { url, .. }
            | FetchError::Timeout { url, .. }
            | FetchError::Connect { url, .. }
            | FetchError::Malformed { url, .. }
            | FetchError::Undecodable { url, .. }
            | FetchError::Refused { url, .. }
            | FetchError::Status { url, .. }
            | FetchError::ArchiveStatus { url, .. }
            | FetchError::CapturedFailure { url, .. }
            | FetchError::NoCapture { url, .. }
            | FetchError::Excluded { url, .. }
            | FetchError::TooLarge { url, .. } => url,
        }
    }

    /// The message without the URL it starts with, for callers that name the
    /// URL themselves.
    pub(crate) fn reason(&self) -> String {
        let message = self.to_string();
        let prefix = format!("{}: ", show(self.url()));
        match message.strip_prefix(&prefix) {
            Some(rest) => rest.to_string(),
            None => message,
        }
    }

    /// A connection an archive refused is the archive's firewall, not a hiccup:
    /// told apart by the io error's kind, never by its (localised) text.
    pub(super) fn into_archive_error(self) -> FetchError {
        match self {
            FetchError::Connect {
                url,
                message,
                refused: true,
            } => FetchError::Refused { url, message },
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn refused_connections_are_told_by_kind_not_text() {
        let connect = |message: &str, refused| FetchError::Connect {
            url: url("http://archive.test/web/2019/https://x.fi/"),
            message: message.into(),
            refused,
        };
        // message, refused by kind, whether an archive's error stops the crawl
        let cases = [
            ("tcp connect error: os error 111", true, true),
            ("Yhteys evätty (os error 111)", true, true),
            ("a page about \"Connection refused\"", false, false),
            ("connection reset by peer", false, false),
        ];
        for (message, refused, stops) in cases {
            let judged = connect(message, refused).into_archive_error();
            assert_eq!(
                matches!(judged, FetchError::Refused { .. }),
                stops,
                "{message}"
            );
        }
    }

    #[test]
    fn messages_quote_an_excerpt_of_a_long_url() {
        let long = url(&format!("http://x.fi/{}", "a".repeat(100_000)));
        let error = FetchError::BadUrl {
            url: long,
            reason: "uri too long".into(),
        };
        let message = error.to_string();
        assert!(message.len() < 400, "{}", message.len());
        assert!(message.starts_with(&format!(
            "http://x.fi/{}…: cannot be requested",
            "a".repeat(188)
        )));
        assert_eq!(
            error.reason(),
            "cannot be requested (uri too long); the link is malformed, so it was not fetched"
        );
    }
}
