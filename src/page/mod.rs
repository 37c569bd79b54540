//! A page: decoded HTML plus the two URLs that matter for it.
//!
//! Every page has the URL it was read from (`fetch_url`: a loopback mirror, an
//! archive capture, a file) and the URL it has on the original site (`url`). Links
//! are resolved against both, so the crawler follows them where the page really
//! lives while records carry the original site's addresses, which keeps ids equal
//! across mirrors, archive captures and offline copies.

mod decode;
mod input;
mod walk;

pub use decode::decode_html;
pub(crate) use decode::decode_html_owned;
pub(crate) use input::{
    BINARY_DATA, Input, InputFile, binary_kind, inputs, is_warc_bytes, read_html, read_html_file,
    read_in_a_directory, read_up_to,
};

use chrono::{DateTime, Utc};
use url::Url;

use crate::archive::wayback::{self, Capture};

/// A fetched or read page.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Page {
    /// The page's URL on the original site.
    pub url: Url,
    /// Where it was actually read from.
    pub fetch_url: Url,
    /// The page's HTML, decoded.
    pub html: String,
    /// When it was fetched, for a page fetched over HTTP; records carry it.
    pub fetched_at: Option<DateTime<Utc>>,
    /// Set when the page is an archive capture.
    pub(crate) archive: Option<Archived>,
    /// Problems with the page itself, carried into its records.
    pub warnings: Vec<String>,
    /// Its `<base href>`, resolved: what its relative links resolve against,
    /// as a browser resolves them, instead of its URL (a page that is no
    /// archive capture; a capture's links are the archive's).
    pub(crate) base: Option<Url>,
}

/// Where and when an archive captured a page.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Archived {
    /// The capture URL the page was read from.
    pub capture_url: Url,
    pub capture: Capture,
    pub archived_at: Option<DateTime<Utc>>,
    pub mode: ArchiveMode,
}

/// Which form of an archive capture a crawl fetches
/// ([`CrawlConfig::archive_mode`](crate::crawl::CrawlConfig::archive_mode)).
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    clap::ValueEnum,
    serde::Serialize,
    serde::Deserialize,
)]
pub enum ArchiveMode {
    /// The archived bytes as captured (`id_`): no toolbar, no rewritten links.
    #[default]
    Raw,
    /// The archive's replay page, toolbar stripped and links mapped back.
    Rewritten,
}

impl ArchiveMode {
    /// The URL that fetches `capture` in this mode.
    pub(crate) fn url(self, capture: &Capture) -> Url {
        match self {
            ArchiveMode::Raw => capture.raw_url(),
            ArchiveMode::Rewritten => capture.replay_url(),
        }
    }
}

/// An HTTP response, as the crawler got it or a WARC kept it.
pub(crate) struct HttpResponse<'a> {
    pub url: &'a Url,
    pub content_type: Option<&'a str>,
    pub memento_datetime: Option<&'a str>,
    pub body: &'a [u8],
    pub fetched_at: Option<DateTime<Utc>>,
}

impl HttpResponse<'_> {
    /// Whether the body is HTML by its Content-Type (a missing one is given the
    /// benefit of the doubt, as browsers sniff).
    pub(crate) fn is_html(&self) -> bool {
        is_html_type(self.content_type)
    }

    /// What the body is when it is binary data, not the page the headers say
    /// it is. UTF-16 by the charset, as the page is decoded, explains zero
    /// bytes, not a PDF's signature.
    pub(crate) fn binary(&self) -> Option<&'static str> {
        let utf16 = self
            .charset()
            .and_then(|label| encoding_rs::Encoding::for_label(label.as_bytes()))
            .is_some_and(|encoding| {
                encoding == encoding_rs::UTF_16LE || encoding == encoding_rs::UTF_16BE
            });
        binary_kind(self.body).filter(|&binary| !(utf16 && binary == BINARY_DATA))
    }

    /// The `charset` parameter of the Content-Type.
    pub(crate) fn charset(&self) -> Option<&str> {
        self.content_type?.split(';').skip(1).find_map(|param| {
            let (name, value) = param.split_once('=')?;
            name.trim()
                .eq_ignore_ascii_case("charset")
                .then(|| value.trim().trim_matches('"'))
        })
    }

    /// The page this response holds. A response from an archive becomes an
    /// archived page of the original URL, its replay decorations removed.
    pub(crate) fn into_page(self, mode: ArchiveMode) -> Page {
        let html = decode_html(self.body, self.charset());
        let mut page = match Capture::parse(self.url) {
            Some(capture) => {
                let archived_at = self
                    .memento_datetime
                    .and_then(wayback::memento_datetime)
                    .or_else(|| capture.archived_at());
                let html = match wayback::strip_toolbar(&html) {
                    std::borrow::Cow::Borrowed(_) => html,
                    std::borrow::Cow::Owned(stripped) => stripped,
                };
                Page {
                    url: capture.original.clone(),
                    fetch_url: self.url.clone(),
                    html,
                    fetched_at: None,
                    archive: Some(Archived {
                        capture_url: self.url.clone(),
                        capture,
                        archived_at,
                        mode,
                    }),
                    warnings: Vec::new(),
                    base: None,
                }
            }
            None => Page::new(self.url.clone(), self.url.clone(), html),
        };
        page.fetched_at = self.fetched_at;
        page
    }
}

/// Whether a Content-Type is HTML (a missing one is given the benefit of the
/// doubt, as browsers sniff).
pub(crate) fn is_html_type(content_type: Option<&str>) -> bool {
    match content_type {
        None => true,
        Some(ct) => {
            let mime = ct
                .split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase();
            mime == "text/html" || mime == "application/xhtml+xml"
        }
    }
}

/// A link found on a page, in both address spaces.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Link {
    /// Where it leads on the original site: what records say.
    pub original: Url,
    /// Where it leads from where the page was read (a mirror, an archive):
    /// what a crawl fetches.
    pub fetch: Url,
}

impl Page {
    /// A page read from `fetch_url`, whose original URL is its `<link
    /// rel="canonical">` when that is an absolute http(s) URL, and otherwise
    /// `fallback`.
    ///
    /// ```
    /// use harava::page::Page;
    /// use url::Url;
    ///
    /// // A page of a mirror on localhost that names its original address.
    /// let mirror = Url::parse("http://localhost:8000/kuntajohtajakokous/").unwrap();
    /// let html = r#"<link rel="canonical" href="https://www.uusimaa2019.fi/kuntajohtajakokous/">"#;
    /// let page = Page::new(mirror.clone(), mirror.clone(), html.to_string());
    /// assert_eq!(page.url.as_str(), "https://www.uusimaa2019.fi/kuntajohtajakokous/");
    /// assert_eq!(page.fetch_url, mirror);
    ///
    /// // Without one, the fallback.
    /// let page = Page::new(mirror.clone(), mirror.clone(), "<h1>Kokoukset</h1>".to_string());
    /// assert_eq!(page.url, mirror);
    /// ```
    pub fn new(fetch_url: Url, fallback: Url, html: String) -> Page {
        let (canonical, base) = head_links(&html);
        let url = canonical.unwrap_or(fallback);
        let base = base.and_then(|href| url.join(&href).ok());
        Page {
            url,
            fetch_url,
            html,
            fetched_at: None,
            archive: None,
            warnings: Vec::new(),
            base: base.filter(|base| matches!(base.scheme(), "http" | "https")),
        }
    }

    /// Resolves an `href` found on this page. Absolute links to the original site
    /// are mapped onto the fetch origin and vice versa, so a mirror that kept
    /// absolute links is still crawled in the mirror; on an archived page, links
    /// lead to the same archive at the page's capture time.
    pub(crate) fn resolve(&self, href: &str) -> Option<Link> {
        let original = self.resolve_original(href)?;
        let fetch = match &self.archive {
            Some(archived) => archived.mode.url(&archived.capture.at(&original)),
            // Where the base leads, on the fetch origin when it is the page's.
            None if self.base.is_some() => {
                if same_origin(&original, &self.url) {
                    with_origin_of(&original, &self.fetch_url)
                } else {
                    original.clone()
                }
            }
            None => {
                let fetch = self.fetch_url.join(href.trim()).ok()?;
                if same_origin(&fetch, &self.url) {
                    with_origin_of(&fetch, &self.fetch_url)
                } else {
                    fetch
                }
            }
        };
        Some(Link { original, fetch })
    }

    /// The URL an `href` found on this page has on the original site, for a
    /// link that is only recorded (a meeting's document), not followed.
    pub(crate) fn resolve_original(&self, href: &str) -> Option<Url> {
        let href = href.trim();
        if href.is_empty() || href.starts_with('#') {
            return None;
        }
        if let Some(archived) = &self.archive {
            return wayback::original_of_link(&archived.capture, href);
        }
        let original = self.base.as_ref().unwrap_or(&self.url).join(href).ok()?;
        if !matches!(original.scheme(), "http" | "https") {
            return None;
        }
        Some(if same_origin(&original, &self.fetch_url) {
            with_origin_of(&original, &self.url)
        } else {
            original
        })
    }
}

fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

fn with_origin_of(url: &Url, origin: &Url) -> Url {
    let mut out = origin.clone();
    out.set_path(url.path());
    out.set_query(url.query());
    out.set_fragment(url.fragment());
    out
}

/// The `<link rel="canonical" href>` of a page, when it is an absolute http(s)
/// URL, and the `href` of its first `<base>` that has one.
///
/// Both live in `<head>`; scanning the raw text once avoids parsing the
/// document a second time just for them, and scanning it by hand rather than
/// with a regex matters since every page comes through here.
fn head_links(html: &str) -> (Option<Url>, Option<String>) {
    let head_end = html
        .find("</head>")
        .or_else(|| html.find("</HEAD>"))
        .unwrap_or(html.len().min(64 * 1024));
    let mut rest = &html[..html.floor_char_boundary(head_end)];
    let (mut canonical, mut base) = (None, None);
    while canonical.is_none() || base.is_none() {
        let Some(open) = rest.find('<') else { break };
        rest = &rest[open + 1..];
        let bytes = rest.as_bytes();
        let named = |name: &[u8]| {
            bytes.len() > name.len()
                && bytes[..name.len()].eq_ignore_ascii_case(name)
                && !(bytes[name.len()].is_ascii_alphanumeric()
                    || matches!(bytes[name.len()], b'_' | b'-'))
        };
        let (is_link, is_base) = (named(b"link"), named(b"base"));
        if !is_link && !is_base {
            continue;
        }
        let Some(end) = rest.find('>') else { break };
        let tag = &rest[4..end];
        rest = &rest[end..];
        if is_base {
            if base.is_none() {
                base = attributes(tag)
                    .find(|(name, _)| name.eq_ignore_ascii_case("href"))
                    .map(|(_, href)| href.replace("&amp;", "&"));
            }
            continue;
        }
        // Most pages have many <link>s and one canonical: only that one is worth
        // taking apart.
        if canonical.is_some()
            || !tag
                .as_bytes()
                .windows(9)
                .any(|w| w.eq_ignore_ascii_case(b"canonical"))
        {
            continue;
        }
        let mut rel = None;
        let mut href = None;
        for (name, value) in attributes(tag) {
            if name.eq_ignore_ascii_case("rel") {
                rel = Some(value);
            } else if name.eq_ignore_ascii_case("href") {
                href = Some(value);
            }
        }
        if rel.is_some_and(|rel| {
            rel.split_ascii_whitespace()
                .any(|r| r.eq_ignore_ascii_case("canonical"))
        }) {
            // The first canonical link decides, even one that is no web address.
            canonical = Some(
                href.and_then(|href| Url::parse(&href.replace("&amp;", "&")).ok())
                    .filter(|url| matches!(url.scheme(), "http" | "https")),
            );
        }
    }
    (canonical.flatten(), base)
}

/// The `name=value` attributes of a tag's text after its name, values
/// quoted with `"` or `'` or not at all; attributes without a value are
/// passed over.
fn attributes(mut tag: &str) -> impl Iterator<Item = (&str, &str)> {
    std::iter::from_fn(move || {
        loop {
            tag = tag.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == '/');
            if tag.is_empty() {
                return None;
            }
            let name_end = tag
                .find(|c: char| c.is_ascii_whitespace() || c == '=' || c == '/')
                .unwrap_or(tag.len());
            let name = &tag[..name_end];
            tag = tag[name_end..].trim_start_matches(|c: char| c.is_ascii_whitespace());
            let Some(after) = tag.strip_prefix('=') else {
                continue;
            };
            let after = after.trim_start_matches(|c: char| c.is_ascii_whitespace());
            let (value, next) = match after.chars().next() {
                Some(quote @ ('"' | '\'')) => {
                    let inner = &after[1..];
                    let close = inner.find(quote).unwrap_or(inner.len());
                    (&inner[..close], inner.get(close + 1..).unwrap_or(""))
                }
                _ => {
                    let end = after
                        .find(|c: char| c.is_ascii_whitespace())
                        .unwrap_or(after.len());
                    (&after[..end], &after[end..])
                }
            };
            tag = next;
            return Some((name, value));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(fetch: &str, html: &str) -> Page {
        let fetch = Url::parse(fetch).unwrap();
        Page::new(fetch.clone(), fetch, html.to_string())
    }

    /// Relative links resolve against the page's `<base href>` (itself
    /// relative to the page's URL) as a browser resolves them; a page of a
    /// mirror keeps fetching on the mirror.
    #[test]
    fn a_base_href_is_what_relative_links_resolve_against() {
        let head = |base: &str| {
            format!(
                r#"<head><link rel="canonical" href="https://www.kunta.fi/paatokset/2024/"><BASE target=_top HREF="{base}"></head>"#
            )
        };
        let cases = [
            // TYPO3 and others: the site's root.
            (
                "https://www.kunta.fi/",
                "fileadmin/ptk.pdf",
                "https://www.kunta.fi/fileadmin/ptk.pdf",
                "http://127.0.0.1:8000/fileadmin/ptk.pdf",
            ),
            // Another host: fetched there.
            (
                "https://arkisto.kunta.fi/kh/",
                "ptk.pdf",
                "https://arkisto.kunta.fi/kh/ptk.pdf",
                "https://arkisto.kunta.fi/kh/ptk.pdf",
            ),
            // Relative to the page.
            (
                "../",
                "ptk.pdf",
                "https://www.kunta.fi/paatokset/ptk.pdf",
                "http://127.0.0.1:8000/paatokset/ptk.pdf",
            ),
            // An absolute link does not care.
            (
                "https://www.kunta.fi/",
                "https://muu.fi/a",
                "https://muu.fi/a",
                "https://muu.fi/a",
            ),
        ];
        for (base, href, original, fetch) in cases {
            let page = page("http://127.0.0.1:8000/paatokset/2024/", &head(base));
            let link = page.resolve(href).unwrap();
            assert_eq!(
                (link.original.as_str(), link.fetch.as_str()),
                (original, fetch),
                "{base} {href}"
            );
        }
        // Without a base, the page's own URL; a base that is no web address is none.
        for (html, original) in [
            (
                String::new(),
                "http://127.0.0.1:8000/paatokset/2024/ptk.pdf",
            ),
            (
                head("javascript:void(0)"),
                "https://www.kunta.fi/paatokset/2024/ptk.pdf",
            ),
        ] {
            let page = page("http://127.0.0.1:8000/paatokset/2024/", &html);
            assert_eq!(page.resolve_original("ptk.pdf").unwrap().as_str(), original);
        }
    }

    #[test]
    fn canonical_link_sets_the_original_url() {
        let cases = [
            (
                r#"<link rel="canonical" href="https://www.uusimaa2019.fi/a/">"#,
                "https://www.uusimaa2019.fi/a/",
            ),
            (
                r#"<LINK HREF='https://x.fi/?a=1&amp;b=2' REL='canonical'/>"#,
                "https://x.fi/?a=1&b=2",
            ),
            (
                r#"<link rel="stylesheet" href="/s.css"><link rel=canonical href=https://x.fi/b>"#,
                "https://x.fi/b",
            ),
            (
                r#"<link rel="canonical" href="/relative/">"#,
                "http://127.0.0.1:9/p/",
            ),
            (
                r#"<link rel="canonical" href="ftp://x.fi/">"#,
                "http://127.0.0.1:9/p/",
            ),
            ("<p>no head</p>", "http://127.0.0.1:9/p/"),
            (
                r#"<linkage rel="canonical" href="https://x.fi/no/"><link data-x rel = "canonical" href = "https://x.fi/c"/>"#,
                "https://x.fi/c",
            ),
            (
                "<link\trel='canonical'\nhref=\"https://x.fi/d?q='1'\">",
                "https://x.fi/d?q=%271%27",
            ),
            (
                r#"<link rel="canonical alternate" href="https://x.fi/e"#,
                "http://127.0.0.1:9/p/",
            ),
            (
                r#"<link title="a canonical page" href="https://x.fi/f">"#,
                "http://127.0.0.1:9/p/",
            ),
        ];
        for (html, expected) in cases {
            assert_eq!(
                page("http://127.0.0.1:9/p/", html).url.as_str(),
                expected,
                "{html}"
            );
        }
    }

    #[test]
    fn archived_pages_keep_original_urls_and_link_into_the_archive() {
        let url = Url::parse("http://127.0.0.1:9/web/20190301000000id_/https://www.uusimaa2019.fi/kuntajohtajakokous/").unwrap();
        let html = r#"<link rel="canonical" href="/web/20190301000000/https://www.uusimaa2019.fi/elsewhere/"><p>x</p>"#;
        let response = HttpResponse {
            url: &url,
            content_type: Some("text/html; charset=utf-8"),
            memento_datetime: Some("Fri, 01 Mar 2019 00:00:00 GMT"),
            body: html.as_bytes(),
            fetched_at: None,
        };
        let page = response.into_page(ArchiveMode::Raw);
        assert_eq!(
            page.url.as_str(),
            "https://www.uusimaa2019.fi/kuntajohtajakokous/",
            "the capture, not the rewritten canonical link"
        );
        let archived = page.archive.as_ref().unwrap();
        assert_eq!(
            archived.archived_at.unwrap().to_rfc3339(),
            "2019-03-01T00:00:00+00:00"
        );
        let link = page.resolve("/muistiot/a/").unwrap();
        assert_eq!(
            link.original.as_str(),
            "https://www.uusimaa2019.fi/muistiot/a/"
        );
        assert_eq!(
            link.fetch.as_str(),
            "http://127.0.0.1:9/web/20190301000000id_/https://www.uusimaa2019.fi/muistiot/a/"
        );
    }

    #[test]
    fn links_resolve_in_both_address_spaces() {
        let p = page(
            "http://127.0.0.1:9/list/",
            r#"<link rel="canonical" href="https://www.uusimaa2019.fi/list/">"#,
        );
        let cases = [
            (
                "/muistiot/a/",
                "https://www.uusimaa2019.fi/muistiot/a/",
                "http://127.0.0.1:9/muistiot/a/",
            ),
            (
                "page/2/",
                "https://www.uusimaa2019.fi/list/page/2/",
                "http://127.0.0.1:9/list/page/2/",
            ),
            (
                "https://www.uusimaa2019.fi/b/",
                "https://www.uusimaa2019.fi/b/",
                "http://127.0.0.1:9/b/",
            ),
            (
                "http://127.0.0.1:9/c/",
                "https://www.uusimaa2019.fi/c/",
                "http://127.0.0.1:9/c/",
            ),
            (
                "https://twitter.com/x",
                "https://twitter.com/x",
                "https://twitter.com/x",
            ),
        ];
        for (href, original, fetch) in cases {
            let link = p.resolve(href).unwrap();
            assert_eq!(
                (link.original.as_str(), link.fetch.as_str()),
                (original, fetch),
                "{href}"
            );
        }
        assert_eq!(p.resolve("#top"), None);
        assert_eq!(p.resolve("mailto:a@b.fi"), None);
        assert_eq!(p.resolve("  "), None);
    }
}
