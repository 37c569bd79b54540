//! What a fetch hands back: a response with its body read. Plain data shared
//! by the layers of [`crate::fetch`]; nothing here sends or judges anything.

use bytes::Bytes;
use chrono::{DateTime, Utc};
use reqwest::header::{self, HeaderMap};
use url::Url;

use crate::error::excerpt;
use crate::page::HttpResponse;

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
    pub(super) fn header(&self, name: header::HeaderName) -> Option<&str> {
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
        self.url
            .join(value)
            .map_err(|e| format!("Location {:?}: {e}", excerpt(value)))
    }
}
