//! What a fetch hands back: a response with its body read, and the validators
//! that make the next request for the same page conditional. Plain data shared
//! by the layers of [`crate::fetch`]; nothing here sends or judges anything.

use bytes::Bytes;
use chrono::{DateTime, Utc};
use reqwest::header::{self, HeaderMap};
use url::Url;

use crate::error::excerpt;
use crate::page::HttpResponse;

/// A response with its body read.
#[derive(Debug, Clone)]
pub(crate) struct Response {
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
    /// The server answered `304 Not Modified` to our validators: the page is as
    /// it was when they were taken, and the body is empty.
    pub not_modified: bool,
    /// The body is only the first part of what the server sent (see
    /// `Request::cut_at_cap`).
    pub truncated: bool,
}

impl Response {
    pub(super) fn header(&self, name: header::HeaderName) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The response as the page module reads it.
    pub(crate) fn http(&self) -> HttpResponse<'_> {
        HttpResponse {
            url: &self.url,
            content_type: self.header(header::CONTENT_TYPE),
            memento_datetime: self.header(header::HeaderName::from_static("memento-datetime")),
            body: &self.body,
            fetched_at: Some(self.fetched_at),
        }
    }

    pub(crate) fn etag(&self) -> Option<&str> {
        self.header(header::ETAG)
    }

    pub(crate) fn last_modified(&self) -> Option<&str> {
        self.header(header::LAST_MODIFIED)
    }

    /// What to send to ask for this page again only if it changed; `None` when
    /// the server gave nothing to compare with. Crawls take the validators from
    /// the state instead; the tests take them from the first response.
    #[cfg(test)]
    pub(crate) fn validators(&self) -> Option<Validators> {
        let validators = Validators {
            etag: self.etag().map(str::to_owned),
            last_modified: self.last_modified().map(str::to_owned),
        };
        (validators.etag.is_some() || validators.last_modified.is_some()).then_some(validators)
    }

    /// Where a redirect response points, resolved against its URL, or why it
    /// points nowhere.
    pub(super) fn location(&self) -> Result<Url, String> {
        let value = self
            .headers
            .get(header::LOCATION)
            .ok_or("no Location header")?;
        let value = value
            .to_str()
            .map_err(|_| "the Location header is not ASCII".to_string())?;
        // An empty Location would resolve to the page itself.
        if value.trim().is_empty() {
            return Err("the Location header is empty".to_string());
        }
        let target = self
            .url
            .join(value)
            .map_err(|e| format!("Location {:?}: {e}", excerpt(value)))?;
        if !matches!(target.scheme(), "http" | "https") {
            return Err(format!("Location {:?} is no web address", excerpt(value)));
        }
        Ok(target)
    }
}

/// A page's validators from an earlier response, sent as `If-None-Match` and
/// `If-Modified-Since` so that an unchanged page costs a `304` and no body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}
