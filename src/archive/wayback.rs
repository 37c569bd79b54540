//! Wayback-style capture URLs and the decorations archives add when replaying them.
//!
//! What the other side does (and what this module relies on):
//!
//! * The Internet Archive (web.archive.org), OpenWayback and pywb all address a capture as
//!   `<prefix><timestamp><modifier>/<original URL>`. IA and OpenWayback use the prefix
//!   `<host>/web/`; pywb uses `<host>/<collection>/`. The timestamp is `yyyyMMddhhmmss`;
//!   archives also accept 4–13 digit prefixes of it and redirect to the closest capture
//!   (IA CDX server README: "the same 1 to 14 digit format used for wayback captures").
//!   The optional modifier picks the replay mode: `id_` serves the archived bytes unchanged,
//!   `im_`, `js_`, `cs_`, `if_`, `fw_`, `mp_`, `oe_` (and pywb's `bn_`) are rewriting hints.
//! * In rewritten (non-`id_`) replay, IA rewrites every link to `/web/<ts>/<absolute URL>`,
//!   host-relative; pywb does the same under `/<collection>/<ts>/`. Links inside `id_`
//!   replays are the page's own, relative to the original URL.
//! * IA wraps HTML replays in a toolbar between `<!-- BEGIN WAYBACK TOOLBAR INSERT -->` and
//!   `<!-- END WAYBACK TOOLBAR INSERT -->`, inserts its scripts and stylesheets right after
//!   `<head>` ending with `<!-- End Wayback Rewrite JS Include -->`, and appends two
//!   comments (`FILE ARCHIVED ON … AND RETRIEVED FROM THE INTERNET ARCHIVE ON …` and
//!   `playback timings (ms): …`) whose text changes on every retrieval. pywb's
//!   `templates/head_insert.html` is wrapped in `<!-- WB Insert -->` … `<!-- End WB Insert -->`.
//! * When the archived response was a redirect, IA and OpenWayback replay a 200 HTML notice
//!   instead (OpenWayback's `MetaReplay.jsp`, same markup on IA):
//!   `<p class="code shift red">Got an HTTP 302 response at crawl time</p>`,
//!   `<p class="code">Redirecting to...</p>`, `<p class="code shift target">TARGET</p>`,
//!   `<p class="impatient"><a href="REPLAY URL OF TARGET">Impatient?</a></p>`.
//!   pywb serves no such notice: its header rewriting maps the archived `Location` into the
//!   archive, so the replayed 3xx is followed by the HTTP client itself (read from pywb's
//!   rewriting design, not checked against a running pywb).
//! * Mementos carry `Memento-Datetime` (RFC 7089) in the RFC 1123 date format. It tells a
//!   *capture* (the archive replaying what the site answered at crawl time, with the site's
//!   status then: a capture of a 429 or a 404 is served as 429 or 404) from the *archive's
//!   own answer*, which has none: a redirect to the nearest capture, a 429/503 when it
//!   throttles us, a 404 when it has no capture near the time asked for. The Internet
//!   Archive refuses excluded URLs either with a 403 whose `X-Archive-Wayback-Runtime-Error`
//!   header (and body) name an `AdministrativeAccessControlException: Blocked Site Error` or
//!   a `RobotAccessControlException` (the CDX API answers a blocked query the same way), or
//!   with a 200 page saying "This URL has been excluded from the Wayback Machine."
//!   [`classify`] is the one place that reads these apart.
use std::borrow::Cow;

use chrono::{DateTime, NaiveDateTime, Utc};
use url::Url;

use crate::error::excerpt;

/// One archived capture: which archive, when, and of what.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Capture {
    /// Everything before the timestamp, ending in `/`, e.g. `https://web.archive.org/web/`.
    pub archive_prefix: Url,
    /// 4–14 digits as found in the URL; 14 digits name one exact capture.
    pub timestamp: String,
    /// The archived URL, without fragment.
    pub original: Url,
}

impl Capture {
    /// Recognise a capture URL of any archive host. `None` when no path segment is a
    /// timestamp followed by something that is recognisably an URL, so that live pages whose
    /// paths merely contain a year (`/poytakirjat/2019/kokous`) are not taken for captures.
    pub(crate) fn parse(url: &Url) -> Option<Capture> {
        if !is_http(url) {
            return None;
        }
        let path = url.path();
        let mut start = 1;
        while let Some(slash) = path[start..].find('/').map(|i| start + i) {
            let segment = &path[start..slash];
            if let Some(timestamp) = timestamp_of(segment) {
                let prefix_path = &path[..start];
                let after_web = prefix_path.ends_with("/web/");
                if let Some(original) = original_from(&path[slash + 1..], url.query(), after_web) {
                    let mut archive_prefix = url.clone();
                    archive_prefix.set_path(prefix_path);
                    archive_prefix.set_query(None);
                    archive_prefix.set_fragment(None);
                    return Some(Capture {
                        archive_prefix,
                        timestamp: timestamp.to_owned(),
                        original,
                    });
                }
            }
            start = slash + 1;
        }
        None
    }

    /// The archived bytes as captured (`id_`): no toolbar, no link rewriting.
    pub(crate) fn raw_url(&self) -> Url {
        self.with_modifier("id_")
    }

    /// The archive's normal, rewritten replay.
    pub(crate) fn replay_url(&self) -> Url {
        self.with_modifier("")
    }

    /// The capture time; `None` for partial timestamps, which only name the capture nearest to
    /// them (the archive redirects to the exact one, which `parse` then reads).
    pub(crate) fn archived_at(&self) -> Option<DateTime<Utc>> {
        if self.timestamp.len() != 14 {
            return None;
        }
        NaiveDateTime::parse_from_str(&self.timestamp, "%Y%m%d%H%M%S")
            .ok()
            .map(|t| t.and_utc())
    }

    /// The same archive and time for another original URL; archives serve the capture
    /// nearest to that time, which is how a page's links are followed inside the archive.
    pub(crate) fn at(&self, original: &Url) -> Capture {
        let mut original = original.clone();
        original.set_fragment(None);
        Capture {
            archive_prefix: self.archive_prefix.clone(),
            timestamp: self.timestamp.clone(),
            original,
        }
    }

    /// The time the URL asks for, as precisely as its timestamp says: `2019`,
    /// `2019-01`, `2019-01-15`, `2019-01-15 12:00:00`.
    pub(crate) fn asked_time(&self) -> String {
        let t = &self.timestamp;
        let mut out = t[..4].to_string();
        for (at, separator) in [(4, "-"), (6, "-"), (8, " "), (10, ":"), (12, ":")] {
            match t.get(at..at + 2) {
                Some(part) => {
                    out.push_str(separator);
                    out.push_str(part);
                }
                None => break,
            }
        }
        out
    }

    /// What `--cdx` takes to list this archive's captures: the archive's address
    /// (`https://web.archive.org`) or a pywb collection (`http://host/coll`).
    pub(crate) fn archive_root(&self) -> String {
        let prefix = self.archive_prefix.as_str().trim_end_matches('/');
        prefix.strip_suffix("/web").unwrap_or(prefix).to_string()
    }

    fn with_modifier(&self, modifier: &str) -> Url {
        let prefix = self.archive_prefix.as_str();
        let slash = if prefix.ends_with('/') { "" } else { "/" };
        let joined = format!(
            "{prefix}{slash}{}{modifier}/{}",
            self.timestamp, self.original
        );
        // Both halves are serialised `Url`s and the middle is digits and letters, so the
        // concatenation is a valid absolute URL.
        Url::parse(&joined).expect("capture URL built from valid URLs")
    }
}

/// The original URL a link on an archived page points to, or `None` for links that lead
/// nowhere fetchable (empty, same-page `#…`, `mailto:`, `javascript:`, …). Fragments are
/// dropped because they never reach the server.
///
/// Archive-rewritten links (absolute, scheme-relative or host-relative, e.g.
/// `/web/20170913000000/https://www.uusimaa2019.fi/x`) are resolved against the archive;
/// everything else, including host-relative links in `id_` replays, against the page's
/// original URL, because that is what the page's author meant.
pub(crate) fn original_of_link(page: &Capture, href: &str) -> Option<Url> {
    let href = href.trim();
    if href.is_empty() || href.starts_with('#') {
        return None;
    }
    let rewritable = href.starts_with('/') || has_scheme(href);
    let in_archive = rewritable
        .then(|| page.replay_url().join(href).ok())
        .flatten();
    let mut original = match in_archive {
        Some(abs) => match Capture::parse(&abs) {
            Some(capture) => capture.original,
            // Calendar pages, search and other archive UI under the prefix are not captures.
            None if abs.origin() == page.archive_prefix.origin()
                && abs.path().starts_with(page.archive_prefix.path()) =>
            {
                return None;
            }
            None => page.original.join(href).ok()?,
        },
        None => page.original.join(href).ok()?,
    };
    if !is_http(&original) {
        return None;
    }
    original.set_fragment(None);
    Some(original)
}

const IA_TOOLBAR: (&str, &str) = (
    "<!-- BEGIN WAYBACK TOOLBAR INSERT -->",
    "<!-- END WAYBACK TOOLBAR INSERT -->",
);
const PYWB_INSERT: (&str, &str) = ("<!-- WB Insert -->", "<!-- End WB Insert -->");
const IA_HEAD_END: &str = "<!-- End Wayback Rewrite JS Include -->";
/// Openings of the comments IA appends whose content changes per retrieval.
const IA_TRAILER_COMMENTS: [&str; 2] = ["FILE ARCHIVED ON", "playback timings (ms):"];

/// Remove what the archive added to an HTML replay, so that the text and its hash are the
/// page's own. Borrowed and unchanged when there is nothing to remove; an opening marker
/// without its closing one is left in place rather than guessing where the insert ends.
pub(crate) fn strip_toolbar(html: &str) -> Cow<'_, str> {
    let mut out = Cow::Borrowed(html);
    for (begin, end) in [IA_TOOLBAR, PYWB_INSERT] {
        while let Some(range) = marked_block(&out, begin, end) {
            out.to_mut().replace_range(range, "");
        }
    }
    if let Some(range) = ia_head_insert(&out) {
        out.to_mut().replace_range(range, "");
    }
    while let Some(range) = ia_trailer_comment(&out) {
        out.to_mut().replace_range(range, "");
    }
    out
}

/// The target of a replayed crawl-time redirect notice, as an archive URL, or `None` when
/// the page is not such a notice. Prefers the notice's own "Impatient?" link, which points
/// at the archive's replay of the target; falls back to the target URL it prints, mapped
/// into the archive at the page's timestamp.
pub(crate) fn crawl_time_redirect(html: &str, page_url: &Url) -> Option<Url> {
    if !is_redirect_notice(html) {
        return None;
    }
    let impatient = html
        .find("class=\"impatient\"")
        .and_then(|at| attribute_after(&html[at..], "href=\""))
        .and_then(|href| page_url.join(&unescape_html(href)).ok());
    if impatient.is_some() {
        return impatient;
    }
    let after = &html[html.find("Redirecting to...")?..];
    let target = element_text_after(after, "class=\"code shift target\"")?;
    let target = Url::parse(unescape_html(target).trim()).ok()?;
    let page = Capture::parse(page_url)?;
    Some(page.at(&target).replay_url())
}

/// The header in which the Wayback software names the exception behind its own error
/// answers, e.g. `org.archive.util.io.RuntimeIOException:
/// org.archive.wayback.exception.AdministrativeAccessControlException: Blocked Site Error`.
pub(crate) const RUNTIME_ERROR_HEADER: &str = "x-archive-wayback-runtime-error";

/// What the Internet Archive's replay says on a 200 page for a URL it excludes.
const EXCLUDED_NOTICE: &str = "This URL has been excluded from the Wayback Machine.";

/// What an archive's answer to a capture request or a CDX query is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ArchiveAnswer {
    /// A capture (it has `Memento-Datetime`), with the status the original site
    /// answered with when it was captured.
    Capture {
        status: u16,
        archived_at: Option<DateTime<Utc>>,
    },
    /// The archive's own answer that is neither of the two below: a redirect to
    /// the nearest capture, a throttling 429/503, an error of its own.
    Own,
    /// The archive's own 404: it has no capture near the time asked for.
    NoCapture,
    /// The archive refuses to serve the URL at all; what it said.
    Excluded(String),
}

/// Reads an archive's answer from its status, its `Memento-Datetime` and
/// [`RUNTIME_ERROR_HEADER`] headers and (for the excluded notice) its body.
pub(crate) fn classify(
    status: u16,
    memento: Option<&str>,
    runtime_error: Option<&str>,
    body: &[u8],
) -> ArchiveAnswer {
    if let Some(memento) = memento {
        return ArchiveAnswer::Capture {
            status,
            archived_at: memento_datetime(memento),
        };
    }
    if let Some(error) = runtime_error.filter(|e| e.contains("AccessControlException")) {
        return ArchiveAnswer::Excluded(format!(
            "HTTP {status}, X-Archive-Wayback-Runtime-Error: {}",
            excerpt(error.trim())
        ));
    }
    if status == 403 && contains(body, b"AccessControlException") {
        let text = String::from_utf8_lossy(body);
        return ArchiveAnswer::Excluded(format!("HTTP 403: {}", excerpt(text.trim())));
    }
    if (200..300).contains(&status) && contains(body, EXCLUDED_NOTICE.as_bytes()) {
        return ArchiveAnswer::Excluded(format!(
            "HTTP {status}, a page saying \"{EXCLUDED_NOTICE}\""
        ));
    }
    match status {
        404 => ArchiveAnswer::NoCapture,
        _ => ArchiveAnswer::Own,
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Parse a `Memento-Datetime` header value (`Wed, 13 Sep 2017 00:00:00 GMT`).
pub(crate) fn memento_datetime(value: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc2822(value.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

fn is_http(url: &Url) -> bool {
    matches!(url.scheme(), "http" | "https") && url.host().is_some()
}

/// `20170913000000`, `2017`, `20170913000000id_` → the digits.
fn timestamp_of(segment: &str) -> Option<&str> {
    let digits = segment.bytes().take_while(u8::is_ascii_digit).count();
    if !(4..=14).contains(&digits) {
        return None;
    }
    let modifier = &segment[digits..];
    let modifier_ok = modifier.is_empty()
        || (modifier.len() <= 6
            && modifier.ends_with('_')
            && modifier[..modifier.len() - 1]
                .bytes()
                .all(|b| b.is_ascii_lowercase())
            && modifier.len() > 1);
    modifier_ok.then(|| &segment[..digits])
}

/// The original URL from the path after the timestamp. Scheme-less rests (`www.x.fi/a`) are
/// accepted only after a `/web/` prefix, where nothing but a capture can follow.
fn original_from(rest: &str, query: Option<&str>, after_web: bool) -> Option<Url> {
    let lower = rest.get(..8).unwrap_or(rest).to_ascii_lowercase();
    let absolute = if lower.starts_with("http://") || lower.starts_with("https://") {
        rest.to_owned()
    } else if lower.starts_with("http:/") || lower.starts_with("https:/") {
        // Some clients and proxies collapse `//` in paths.
        let colon = rest.find(':')?;
        format!("{}://{}", &rest[..colon], &rest[colon + 2..])
    } else if let Some(host_path) = rest.strip_prefix("//") {
        format!("http://{host_path}")
    } else if after_web && rest.split('/').next().is_some_and(looks_like_host) {
        format!("http://{rest}")
    } else {
        return None;
    };
    let with_query = match query {
        Some(q) => format!("{absolute}?{q}"),
        None => absolute,
    };
    let mut url = Url::parse(&with_query).ok()?;
    url.set_fragment(None);
    is_http(&url).then_some(url)
}

/// `kunta.fi` or `kunta.fi:8080`, but not `mailto:a@b.fi`.
fn looks_like_host(segment: &str) -> bool {
    let (host, port) = segment.split_once(':').unwrap_or((segment, ""));
    host.contains('.')
        && host
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '.')
        && port.bytes().all(|b| b.is_ascii_digit())
}

fn has_scheme(href: &str) -> bool {
    match href.find(':') {
        Some(colon) => {
            let scheme = &href[..colon];
            !scheme.is_empty()
                && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        }
        None => false,
    }
}

fn marked_block(html: &str, begin: &str, end: &str) -> Option<std::ops::Range<usize>> {
    let start = html.find(begin)?;
    let stop = start + html[start..].find(end)? + end.len();
    Some(start..stop)
}

/// From just after the `<head …>` tag to the end of IA's include marker.
fn ia_head_insert(html: &str) -> Option<std::ops::Range<usize>> {
    let marker = html.find(IA_HEAD_END)?;
    let before = html[..marker].to_ascii_lowercase();
    let mut search_end = before.len();
    let head = loop {
        let at = before[..search_end].rfind("<head")?;
        let next = before.as_bytes().get(at + 5).copied();
        if next.is_some_and(|b| b == b'>' || b == b'/' || b.is_ascii_whitespace()) {
            break at;
        }
        search_end = at;
    };
    let tag_end = head + before[head..].find('>')? + 1;
    Some(tag_end..marker + IA_HEAD_END.len())
}

fn ia_trailer_comment(html: &str) -> Option<std::ops::Range<usize>> {
    let mut from = 0;
    while let Some(open) = html[from..].find("<!--").map(|i| from + i) {
        let body_start = open + 4;
        let close = body_start + html[body_start..].find("-->")?;
        let body = html[body_start..close].trim_start();
        if IA_TRAILER_COMMENTS.iter().any(|p| body.starts_with(p)) {
            let mut stop = close + 3;
            if html[stop..].starts_with('\n') {
                stop += 1;
            }
            return Some(open..stop);
        }
        from = close + 3;
    }
    None
}

fn is_redirect_notice(html: &str) -> bool {
    const OPENING: &str = "Got an HTTP ";
    const CLOSING: &str = " response at crawl time";
    html.match_indices(OPENING).any(|(at, _)| {
        let rest = &html[at + OPENING.len()..];
        rest.len() >= 3
            && rest.as_bytes()[0] == b'3'
            && rest.as_bytes()[..3].iter().all(u8::is_ascii_digit)
            && rest[3..].starts_with(CLOSING)
    })
}

/// The value of the first `name"…"` attribute after the start of `html`.
fn attribute_after<'a>(html: &'a str, name_quote: &str) -> Option<&'a str> {
    let start = html.find(name_quote)? + name_quote.len();
    let len = html[start..].find('"')?;
    Some(&html[start..start + len])
}

/// The text between the end of the tag containing `marker` and the next `<`.
fn element_text_after<'a>(html: &'a str, marker: &str) -> Option<&'a str> {
    let at = html.find(marker)?;
    let start = at + html[at..].find('>')? + 1;
    let len = html[start..].find('<')?;
    Some(&html[start..start + len])
}

/// Just the entities archives emit in attribute values and URLs.
fn unescape_html(s: &str) -> Cow<'_, str> {
    if !s.contains('&') {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&#x27;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    fn page(s: &str) -> Capture {
        Capture::parse(&url(s)).unwrap()
    }

    #[test]
    fn parse_table() {
        // input, expected (prefix, timestamp, original) or None
        type Parsed = Option<(&'static str, &'static str, &'static str)>;
        let cases: &[(&str, Parsed)] = &[
            (
                "https://web.archive.org/web/20170913000000/https://www.uusimaa2019.fi/x",
                Some((
                    "https://web.archive.org/web/",
                    "20170913000000",
                    "https://www.uusimaa2019.fi/x",
                )),
            ),
            (
                "https://web.archive.org/web/20170913000000id_/https://www.uusimaa2019.fi/x",
                Some((
                    "https://web.archive.org/web/",
                    "20170913000000",
                    "https://www.uusimaa2019.fi/x",
                )),
            ),
            (
                "https://web.archive.org/web/20170913000000im_/http://kunta.fi/logo.png",
                Some((
                    "https://web.archive.org/web/",
                    "20170913000000",
                    "http://kunta.fi/logo.png",
                )),
            ),
            (
                "https://web.archive.org/web/2017/https://kunta.fi/",
                Some(("https://web.archive.org/web/", "2017", "https://kunta.fi/")),
            ),
            (
                "https://web.archive.org/web/20170913000000/https://kunta.fi/p?id=5&x=1",
                Some((
                    "https://web.archive.org/web/",
                    "20170913000000",
                    "https://kunta.fi/p?id=5&x=1",
                )),
            ),
            (
                "https://web.archive.org/web/20170913000000/https://kunta.fi/p#osa",
                Some((
                    "https://web.archive.org/web/",
                    "20170913000000",
                    "https://kunta.fi/p",
                )),
            ),
            (
                "https://web.archive.org/web/20170913000000/https:/kunta.fi/a",
                Some((
                    "https://web.archive.org/web/",
                    "20170913000000",
                    "https://kunta.fi/a",
                )),
            ),
            (
                "https://web.archive.org/web/20170913000000/kunta.fi/a",
                Some((
                    "https://web.archive.org/web/",
                    "20170913000000",
                    "http://kunta.fi/a",
                )),
            ),
            (
                "http://127.0.0.1:8080/my-coll/20170913000000/https://kunta.fi/a",
                Some((
                    "http://127.0.0.1:8080/my-coll/",
                    "20170913000000",
                    "https://kunta.fi/a",
                )),
            ),
            (
                "http://127.0.0.1:8080/my-coll/20170913000000mp_/https://kunta.fi/a",
                Some((
                    "http://127.0.0.1:8080/my-coll/",
                    "20170913000000",
                    "https://kunta.fi/a",
                )),
            ),
            (
                "https://arkisto.example/wayback/coll/2019/http://kunta.fi/",
                Some((
                    "https://arkisto.example/wayback/coll/",
                    "2019",
                    "http://kunta.fi/",
                )),
            ),
            ("https://www.uusimaa.fi/poytakirjat/2019/kokous", None),
            ("https://www.uusimaa.fi/poytakirjat/2019/kokous.fi/x", None),
            ("https://web.archive.org/web/*/https://kunta.fi/", None),
            ("https://web.archive.org/web/201/https://kunta.fi/", None),
            (
                "https://web.archive.org/web/201709130000001/https://kunta.fi/",
                None,
            ),
            (
                "https://web.archive.org/web/20170913000000XX/https://kunta.fi/",
                None,
            ),
            (
                "https://web.archive.org/web/20170913000000/mailto:a@b.fi",
                None,
            ),
            ("https://kunta.fi/", None),
        ];
        for (input, expected) in cases {
            let got = Capture::parse(&url(input)).map(|c| {
                (
                    c.archive_prefix.to_string(),
                    c.timestamp,
                    c.original.to_string(),
                )
            });
            let expected = expected.map(|(p, t, o)| (p.to_owned(), t.to_owned(), o.to_owned()));
            assert_eq!(got, expected, "{input}");
        }
    }

    #[test]
    fn capture_urls_table() {
        // input, raw_url, replay_url
        let cases = [
            (
                "https://web.archive.org/web/20170913000000/https://kunta.fi/a?b=1",
                "https://web.archive.org/web/20170913000000id_/https://kunta.fi/a?b=1",
                "https://web.archive.org/web/20170913000000/https://kunta.fi/a?b=1",
            ),
            (
                "https://web.archive.org/web/2017im_/http://kunta.fi/",
                "https://web.archive.org/web/2017id_/http://kunta.fi/",
                "https://web.archive.org/web/2017/http://kunta.fi/",
            ),
            (
                "http://localhost:8080/coll/20190101000000/https://kunta.fi/",
                "http://localhost:8080/coll/20190101000000id_/https://kunta.fi/",
                "http://localhost:8080/coll/20190101000000/https://kunta.fi/",
            ),
        ];
        for (input, raw, replay) in cases {
            let c = page(input);
            assert_eq!(c.raw_url().as_str(), raw, "{input}");
            assert_eq!(c.replay_url().as_str(), replay, "{input}");
            assert_eq!(Capture::parse(&c.raw_url()), Some(c.clone()), "{input}");
        }
    }

    #[test]
    fn archived_at_table() {
        let cases = [
            ("20170913102030", Some("2017-09-13T10:20:30Z")),
            ("2017", None),
            ("20171332000000", None),
        ];
        for (ts, expected) in cases {
            let c = page(&format!(
                "https://web.archive.org/web/{ts}/https://kunta.fi/"
            ));
            let got = c
                .archived_at()
                .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
            assert_eq!(got.as_deref(), expected, "{ts}");
        }
    }

    #[test]
    fn at_keeps_archive_and_time() {
        let c = page("https://web.archive.org/web/20170913000000/https://kunta.fi/");
        let other = c.at(&url("https://kunta.fi/poytakirjat/1.pdf#sivu=2"));
        assert_eq!(
            other.raw_url().as_str(),
            "https://web.archive.org/web/20170913000000id_/https://kunta.fi/poytakirjat/1.pdf"
        );
    }

    #[test]
    fn original_of_link_table() {
        let ia = "https://web.archive.org/web/20170913000000/https://www.uusimaa2019.fi/poytakirjat/index.html";
        let pywb = "http://127.0.0.1:8080/my-coll/20170913000000id_/https://kunta.fi/a/b.html";
        // page, href, expected original
        let cases: &[(&str, &str, Option<&str>)] = &[
            (
                ia,
                "/web/20170913000000/https://www.uusimaa2019.fi/x",
                Some("https://www.uusimaa2019.fi/x"),
            ),
            (
                ia,
                "https://web.archive.org/web/20170913000000/https://www.uusimaa2019.fi/x",
                Some("https://www.uusimaa2019.fi/x"),
            ),
            (
                ia,
                "//web.archive.org/web/20170913000000im_/http://cdn.fi/k.png",
                Some("http://cdn.fi/k.png"),
            ),
            (
                ia,
                "/web/20170101000000*/https://www.uusimaa2019.fi/x",
                None,
            ),
            (
                ia,
                "kokous/1.pdf",
                Some("https://www.uusimaa2019.fi/poytakirjat/kokous/1.pdf"),
            ),
            (
                ia,
                "../../../muu.html",
                Some("https://www.uusimaa2019.fi/muu.html"),
            ),
            (
                ia,
                "/esityslistat/",
                Some("https://www.uusimaa2019.fi/esityslistat/"),
            ),
            (ia, "https://toinen.fi/x#a", Some("https://toinen.fi/x")),
            (
                ia,
                "  liite.pdf  ",
                Some("https://www.uusimaa2019.fi/poytakirjat/liite.pdf"),
            ),
            (
                ia,
                "?sivu=2",
                Some("https://www.uusimaa2019.fi/poytakirjat/index.html?sivu=2"),
            ),
            (ia, "#top", None),
            (ia, "", None),
            (ia, "mailto:kirjaamo@uusimaa.fi", None),
            (ia, "javascript:void(0)", None),
            (
                pywb,
                "/my-coll/20170913000000/https://kunta.fi/c",
                Some("https://kunta.fi/c"),
            ),
            (pywb, "/c", Some("https://kunta.fi/c")),
            (pywb, "c", Some("https://kunta.fi/a/c")),
        ];
        for (p, href, expected) in cases {
            let got = original_of_link(&page(p), href).map(|u| u.to_string());
            assert_eq!(got.as_deref(), *expected, "{p} + {href:?}");
        }
    }

    const IA_REPLAY: &str = r#"<!DOCTYPE html>
<html lang="fi"><head><script type="text/javascript" src="/_static/js/bundle-playback.js?v=1" charset="utf-8"></script>
<script type="text/javascript" src="/_static/js/wombat.js?v=1" charset="utf-8"></script>
<script type="text/javascript">
  __wm.init("https://web.archive.org/web");
  __wm.wombat("https://www.uusimaa2019.fi/","20170913000000","https://web.archive.org/","web","/_static/");
</script>
<link rel="stylesheet" type="text/css" href="/_static/css/banner-styles.css?v=1" />
<link rel="stylesheet" type="text/css" href="/_static/css/iconochive.css?v=1" />
<!-- End Wayback Rewrite JS Include -->
<title>Pöytäkirjat</title>
</head>
<body>
<!-- BEGIN WAYBACK TOOLBAR INSERT -->
<script>__wm.rw(0);</script>
<div id="wm-ipp-base" lang="en" style="display:none;direction:ltr;"></div>
<!-- END WAYBACK TOOLBAR INSERT -->
<a href="/web/20170913000000/https://www.uusimaa2019.fi/x">Kokous</a>
</body>
</html>
<!--
     FILE ARCHIVED ON 00:00:00 Sep 13, 2017 AND RETRIEVED FROM THE
     INTERNET ARCHIVE ON 12:00:00 Jan 01, 2025.
     JAVASCRIPT APPENDED BY WAYBACK MACHINE, COPYRIGHT INTERNET ARCHIVE.
-->
<!--
playback timings (ms):
  captures_list: 0.5
-->
"#;

    const IA_STRIPPED: &str = r#"<!DOCTYPE html>
<html lang="fi"><head>
<title>Pöytäkirjat</title>
</head>
<body>

<a href="/web/20170913000000/https://www.uusimaa2019.fi/x">Kokous</a>
</body>
</html>
"#;

    #[test]
    fn strip_toolbar_table() {
        let cases: &[(&str, &str)] = &[
            (IA_REPLAY, IA_STRIPPED),
            (
                "<html><head><title>t</title></head><body>x</body></html>",
                "<html><head><title>t</title></head><body>x</body></html>",
            ),
            (
                "<body><!-- BEGIN WAYBACK TOOLBAR INSERT -->x",
                "<body><!-- BEGIN WAYBACK TOOLBAR INSERT -->x",
            ),
            (
                "<body><!-- END WAYBACK TOOLBAR INSERT -->x<!-- BEGIN WAYBACK TOOLBAR INSERT -->",
                "<body><!-- END WAYBACK TOOLBAR INSERT -->x<!-- BEGIN WAYBACK TOOLBAR INSERT -->",
            ),
            (
                "<script>x</script><!-- End Wayback Rewrite JS Include --><p>",
                "<script>x</script><!-- End Wayback Rewrite JS Include --><p>",
            ),
            (
                "<HEAD profile=\"p\"><header>h</header><script>s</script><!-- End Wayback Rewrite JS Include -->t",
                "<HEAD profile=\"p\">t",
            ),
            (
                "<head>\n<!-- WB Insert -->\n<script>wbinfo = {};</script>\n<!-- End WB Insert -->\n<title>t</title>",
                "<head>\n\n<title>t</title>",
            ),
            (
                "<p>a</p><!-- tavallinen kommentti --><p>b</p>",
                "<p>a</p><!-- tavallinen kommentti --><p>b</p>",
            ),
            (
                "<p>ä</p><!--\n FILE ARCHIVED ON x",
                "<p>ä</p><!--\n FILE ARCHIVED ON x",
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(strip_toolbar(input), *expected, "{input}");
        }
        assert!(matches!(strip_toolbar("<p>plain</p>"), Cow::Borrowed(_)));
    }

    const IA_REDIRECT: &str = r#"<div id="error">
<p class="code">Got an HTTP 302 response at crawl time</p>
<p class="code">Redirecting to...</p>
<p class="code shift target">https://www.uusimaa2019.fi/poytakirjat/?vuosi=2017&amp;s=1</p>
<p class="impatient"><a href="https://web.archive.org/web/20170913000102/https://www.uusimaa2019.fi/poytakirjat/?vuosi=2017&amp;s=1">Impatient?</a></p>
</div>"#;

    const OWB_REDIRECT_NO_LINK: &str = r#"<p class="code shift red">Got an HTTP 301 response at crawl time</p>
		<p class="code">Redirecting to...</p>
		<p class="code shift target">http://kunta.fi/uusi</p>"#;

    #[test]
    fn crawl_time_redirect_table() {
        let page_url = url(
            "https://web.archive.org/web/20170913000000/https://www.uusimaa2019.fi/poytakirjat",
        );
        let cases: &[(&str, Option<&str>)] = &[
            (
                IA_REDIRECT,
                Some(
                    "https://web.archive.org/web/20170913000102/https://www.uusimaa2019.fi/poytakirjat/?vuosi=2017&s=1",
                ),
            ),
            (
                OWB_REDIRECT_NO_LINK,
                Some("https://web.archive.org/web/20170913000000/http://kunta.fi/uusi"),
            ),
            (
                "<p>Got an HTTP 200 response at crawl time</p><p class=\"impatient\"><a href=\"/x\">",
                None,
            ),
            ("<html><body>Pöytäkirjat</body></html>", None),
            (
                "<p class=\"code\">Got an HTTP 302 response at crawl time</p>",
                None,
            ),
        ];
        for (html, expected) in cases {
            let got = crawl_time_redirect(html, &page_url).map(|u| u.to_string());
            assert_eq!(got.as_deref(), *expected, "{html}");
        }
    }

    #[test]
    fn classify_table() {
        const BLOCKED: &str = "org.archive.util.io.RuntimeIOException: org.archive.wayback.exception.AdministrativeAccessControlException: Blocked Site Error";
        const MEMENTO: &str = "Thu, 29 Jan 2015 10:20:30 GMT";
        let captured = |status| ArchiveAnswer::Capture {
            status,
            archived_at: memento_datetime(MEMENTO),
        };
        let excluded_page = b"<html><body><p>This URL has been excluded from the Wayback Machine.</p></body></html>";
        // status, Memento-Datetime, X-Archive-Wayback-Runtime-Error, body, answer
        type Case<'a> = (
            u16,
            Option<&'a str>,
            Option<&'a str>,
            &'a [u8],
            ArchiveAnswer,
        );
        let cases: &[Case] = &[
            (200, Some(MEMENTO), None, b"<html>", captured(200)),
            (302, Some(MEMENTO), None, b"", captured(302)),
            (429, Some(MEMENTO), None, b"", captured(429)),
            (404, Some(MEMENTO), None, b"", captured(404)),
            (503, Some(MEMENTO), None, b"", captured(503)),
            // A capture's own text is the site's, even if it quotes the notice.
            (200, Some(MEMENTO), None, excluded_page, captured(200)),
            (302, None, None, b"", ArchiveAnswer::Own),
            (200, None, None, b"<html>", ArchiveAnswer::Own),
            (429, None, None, b"", ArchiveAnswer::Own),
            (503, None, None, b"", ArchiveAnswer::Own),
            (404, None, None, b"", ArchiveAnswer::NoCapture),
            (
                403,
                None,
                Some(BLOCKED),
                b"",
                ArchiveAnswer::Excluded(format!(
                    "HTTP 403, X-Archive-Wayback-Runtime-Error: {BLOCKED}"
                )),
            ),
            (
                403,
                None,
                None,
                b"org.archive.wayback.exception.AdministrativeAccessControlException: Blocked Site Error\n",
                ArchiveAnswer::Excluded(
                    "HTTP 403: org.archive.wayback.exception.AdministrativeAccessControlException: Blocked Site Error".into(),
                ),
            ),
            (
                403,
                None,
                Some("RobotAccessControlException: Blocked By Robots"),
                b"",
                ArchiveAnswer::Excluded(
                    "HTTP 403, X-Archive-Wayback-Runtime-Error: RobotAccessControlException: Blocked By Robots".into(),
                ),
            ),
            (
                200,
                None,
                None,
                excluded_page,
                ArchiveAnswer::Excluded(
                    "HTTP 200, a page saying \"This URL has been excluded from the Wayback Machine.\"".into(),
                ),
            ),
            (403, None, None, b"Forbidden", ArchiveAnswer::Own),
        ];
        for (status, memento, runtime_error, body, expected) in cases {
            assert_eq!(
                &classify(*status, *memento, *runtime_error, body),
                expected,
                "{status} {memento:?} {runtime_error:?}"
            );
        }
    }

    #[test]
    fn asked_time_and_archive_root_table() {
        // capture URL, asked time, --cdx archive
        let cases = [
            (
                "https://web.archive.org/web/2019/https://kunta.fi/",
                "2019",
                "https://web.archive.org",
            ),
            (
                "https://web.archive.org/web/201901id_/https://kunta.fi/",
                "2019-01",
                "https://web.archive.org",
            ),
            (
                "http://127.0.0.1:8080/my-coll/20190115/https://kunta.fi/",
                "2019-01-15",
                "http://127.0.0.1:8080/my-coll",
            ),
            (
                "https://web.archive.org/web/20190115123456/https://kunta.fi/",
                "2019-01-15 12:34:56",
                "https://web.archive.org",
            ),
        ];
        for (input, time, root) in cases {
            let c = page(input);
            assert_eq!(c.asked_time(), time, "{input}");
            assert_eq!(c.archive_root(), root, "{input}");
        }
    }

    #[test]
    fn memento_datetime_table() {
        let cases = [
            (
                "Wed, 13 Sep 2017 10:20:30 GMT",
                Some("2017-09-13T10:20:30Z"),
            ),
            (
                " Wed, 13 Sep 2017 10:20:30 GMT ",
                Some("2017-09-13T10:20:30Z"),
            ),
            (
                "Wed, 13 Sep 2017 13:20:30 +0300",
                Some("2017-09-13T10:20:30Z"),
            ),
            ("2017-09-13T10:20:30Z", None),
            ("", None),
        ];
        for (input, expected) in cases {
            let got = memento_datetime(input)
                .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
            assert_eq!(got.as_deref(), expected, "{input:?}");
        }
    }
}
