//! Queries to a CDX server, the index that lists an archive's captures of an URL or prefix.
//!
//! What the other side does (and what this module relies on):
//!
//! * The Internet Archive's wayback-cdx-server (README in internetarchive/wayback,
//!   `wayback-cdx-server/README.md`) answers at `<host>/cdx/search/cdx`. Parameters: `url`
//!   (a trailing `/*` means `matchType=prefix`), `matchType=exact|prefix|host|domain`,
//!   `from`/`to` (1–14 digit timestamps, inclusive), `filter=[!]field:regex` (repeatable),
//!   `collapse=field[:N]` (drops *adjacent* duplicates only), `limit`, `showResumeKey=true`
//!   and `resumeKey`. With `output=json` the body is one JSON array of arrays whose first row
//!   names the fields (`urlkey, timestamp, original, mimetype, statuscode, digest, length`);
//!   when `showResumeKey=true` and the limit cut the result short, an empty row `[]` follows
//!   the captures and then a one-element row holding the resume key, which is passed back
//!   verbatim as `resumeKey` with the other parameters unchanged. Without `limit` there is
//!   no resume key at all: the server sends up to its cap (150,000 rows) in one body and
//!   stops there, so [`CdxQuery::new`] always asks for pages of [`PAGE_ROWS`].
//!   The `url` parameter needs no scheme (`www.example.fi/*`): the server matches on the
//!   canonical form of the URL (SURT), which drops scheme and `www.`.
//! * pywb serves its CDXJ server API at `<host>/<collection>/cdx` (pywb
//!   `docs/manual/cdxserver_api.rst`). It accepts `url`, `matchType`, `from`, `to`, `limit`
//!   and `filter`, but its `output=json` is newline-delimited JSON objects with the fields
//!   `urlkey, timestamp, url, mime, status, digest, length, offset, filename`; it has no
//!   resume keys and no `collapse`. Its filters are `[!][=|~]field:expr` (regex match from
//!   the start when no `=`/`~`), so `filter=status:200` means the same on both servers when
//!   the field is named `status` there and `statuscode` on IA.
//! * Which server an archive runs is not discoverable from an URL without asking it, so
//!   [`CdxFlavor::detect`] goes by the replay prefix convention: `/web/` (or no path) is the
//!   Internet Archive/OpenWayback layout, anything else is a pywb collection path. Callers can
//!   name the flavour explicitly instead.

// What the fuzz targets reach is `pub`, and re-exported by `harava::fuzzing` in a
// `--cfg fuzzing` build only; elsewhere it is as internal as the rest.
#![cfg_attr(
    not(fuzzing),
    expect(unreachable_pub, reason = "pub for harava::fuzzing")
)]

use std::collections::BTreeMap;

use serde_json::Value;
use thiserror::Error;
use url::Url;

/// Rows asked for per page of an Internet Archive-style listing: about 2 MB of JSON,
/// so a prefix of 100,000 captures takes ten requests.
pub(crate) const PAGE_ROWS: u32 = 10_000;

/// The largest CDX answer read, separate from `--max-bytes` (which is about pages):
/// a page of [`PAGE_ROWS`] rows is far below it, but a server that ignores `limit`
/// answers with everything it has.
pub(crate) const MAX_RESPONSE_BYTES: u64 = 100_000_000;

/// Failures reading a CDX server's answer.
#[derive(Debug, Error)]
pub enum CdxError {
    #[error(
        "CDX response is not JSON ({0}); check that the query has output=json and that the endpoint is a CDX server, not a replay page"
    )]
    Json(#[from] serde_json::Error),
    #[error(
        "CDX response has an unexpected shape: {0}; expected IA's array of arrays or pywb's JSON lines"
    )]
    Shape(String),
    #[error(
        "CDX header row lacks the `{0}` field; drop any `fl=` parameter so the server returns all fields"
    )]
    MissingField(&'static str),
}

/// Which CDX server dialect an archive speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CdxFlavor {
    /// wayback-cdx-server: Internet Archive, OpenWayback deployments.
    InternetArchive,
    /// pywb's per-collection CDXJ server API.
    Pywb,
}

impl CdxFlavor {
    /// Guess from an archive root or capture prefix (see the module doc).
    pub(crate) fn detect(archive: &Url) -> CdxFlavor {
        match archive.path().trim_end_matches('/') {
            "" | "/web" => CdxFlavor::InternetArchive,
            _ => CdxFlavor::Pywb,
        }
    }

    /// Where this flavour's CDX endpoint is for an archive root or capture prefix.
    pub(crate) fn endpoint(self, archive: &Url) -> Url {
        let mut endpoint = archive.clone();
        endpoint.set_query(None);
        endpoint.set_fragment(None);
        match self {
            CdxFlavor::InternetArchive => endpoint.set_path("/cdx/search/cdx"),
            CdxFlavor::Pywb => {
                let collection = archive.path().trim_end_matches('/').to_owned();
                endpoint.set_path(&format!("{collection}/cdx"));
            }
        }
        endpoint
    }

    fn status_field(self) -> &'static str {
        match self {
            CdxFlavor::InternetArchive => "statuscode",
            CdxFlavor::Pywb => "status",
        }
    }
}

/// One CDX query. [`CdxQuery::new`] asks for successful captures only and, on IA, collapses
/// runs of identical content, which is what a harvest wants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CdxQuery {
    pub endpoint: Url,
    pub flavor: CdxFlavor,
    /// As the server takes it: `kunta.fi/poytakirjat/*` is a prefix query.
    pub url: String,
    /// Inclusive 1–14 digit timestamps.
    pub from: Option<String>,
    pub to: Option<String>,
    /// Rows per page on IA (which pages only when a limit is given); on pywb, which
    /// has no resume keys, a cap on the whole answer.
    pub limit: Option<u32>,
    /// From the previous page's [`CdxPage::resume_key`]; IA only.
    pub resume_key: Option<String>,
}

impl CdxQuery {
    /// A query for `url` at the archive's endpoint, flavour detected from it; on IA,
    /// paged by [`PAGE_ROWS`].
    pub(crate) fn new(archive: &Url, url: &str) -> CdxQuery {
        let flavor = CdxFlavor::detect(archive);
        CdxQuery {
            endpoint: flavor.endpoint(archive),
            flavor,
            url: url.to_owned(),
            from: None,
            to: None,
            limit: (flavor == CdxFlavor::InternetArchive).then_some(PAGE_ROWS),
            resume_key: None,
        }
    }

    /// The query continued after `page`, or `None` when it was the last page.
    pub(crate) fn next(&self, page: &CdxPage) -> Option<CdxQuery> {
        let key = page.resume_key.clone()?;
        Some(CdxQuery {
            resume_key: Some(key),
            ..self.clone()
        })
    }

    pub(crate) fn to_url(&self) -> Url {
        let ia = self.flavor == CdxFlavor::InternetArchive;
        let mut url = self.endpoint.clone();
        {
            let mut q = url.query_pairs_mut();
            q.clear();
            q.append_pair("url", &self.url);
            q.append_pair("output", "json");
            if let Some(from) = &self.from {
                q.append_pair("from", from);
            }
            if let Some(to) = &self.to {
                q.append_pair("to", to);
            }
            // Captures whose archived status was 200 only: redirects and errors
            // hold no meetings.
            q.append_pair("filter", &format!("{}:200", self.flavor.status_field()));
            if ia {
                q.append_pair("collapse", "digest");
            }
            if let Some(limit) = self.limit {
                q.append_pair("limit", &limit.to_string());
            }
            if ia {
                q.append_pair("showResumeKey", "true");
                if let Some(key) = &self.resume_key {
                    q.append_pair("resumeKey", key);
                }
            }
        }
        url
    }
}

/// One capture as the index lists it. Fields are the server's strings (`statuscode` may be
/// `-` for revisits and `warc/revisit` mimetypes exist), empty when the server omitted them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CdxRow {
    pub urlkey: String,
    pub timestamp: String,
    pub original: String,
    pub mimetype: String,
    pub statuscode: String,
    pub digest: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CdxPage {
    pub rows: Vec<CdxRow>,
    /// Present when more results remain; feed it to [`CdxQuery::next`].
    pub resume_key: Option<String>,
}

/// Parse a CDX server's `output=json` body, either dialect (see the module doc). An empty
/// body is an empty result: IA answers a query without captures with nothing or `[]`.
pub fn parse_json(body: &str) -> Result<CdxPage, CdxError> {
    let trimmed = body.trim_start();
    if trimmed.is_empty() {
        return Ok(CdxPage::default());
    }
    if trimmed.starts_with('[') {
        parse_ia(trimmed)
    } else {
        parse_lines(trimmed)
    }
}

fn parse_ia(body: &str) -> Result<CdxPage, CdxError> {
    let table: Vec<Vec<Value>> = serde_json::from_str(body)?;
    let mut rows = table.into_iter();
    let Some(header) = rows.next() else {
        return Ok(CdxPage::default());
    };
    let names: Vec<String> = header.iter().map(cell).collect();
    let column = |wanted: &'static str| -> Result<usize, CdxError> {
        names
            .iter()
            .position(|n| n == wanted)
            .ok_or(CdxError::MissingField(wanted))
    };
    let [timestamp, original] = [column("timestamp")?, column("original")?];
    let optional = |wanted| names.iter().position(|n| n == wanted);
    let [urlkey, mimetype, statuscode, digest] =
        ["urlkey", "mimetype", "statuscode", "digest"].map(optional);
    let mut page = CdxPage::default();
    while let Some(row) = rows.next() {
        if row.is_empty() {
            // IA's separator before the resume key row.
            page.resume_key = match (rows.next(), rows.next()) {
                (Some(key), None) if key.len() == 1 => Some(cell(&key[0])),
                (None, None) => None,
                _ => {
                    return Err(CdxError::Shape(
                        "rows after the empty separator row other than one resume key".into(),
                    ));
                }
            };
            break;
        }
        let get = |i: Option<usize>| i.and_then(|i| row.get(i)).map(cell).unwrap_or_default();
        if row.len() != names.len() {
            return Err(CdxError::Shape(format!(
                "a row has {} fields but the header names {}",
                row.len(),
                names.len()
            )));
        }
        page.rows.push(CdxRow {
            urlkey: get(urlkey),
            timestamp: get(Some(timestamp)),
            original: get(Some(original)),
            mimetype: get(mimetype),
            statuscode: get(statuscode),
            digest: get(digest),
        });
    }
    Ok(page)
}

fn parse_lines(body: &str) -> Result<CdxPage, CdxError> {
    let mut page = CdxPage::default();
    for line in body.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let object: BTreeMap<String, Value> = serde_json::from_str(line)?;
        let get = |names: &[&str]| {
            names
                .iter()
                .find_map(|n| object.get(*n))
                .map(cell)
                .unwrap_or_default()
        };
        let row = CdxRow {
            urlkey: get(&["urlkey"]),
            timestamp: get(&["timestamp"]),
            original: get(&["url", "original"]),
            mimetype: get(&["mime", "mimetype"]),
            statuscode: get(&["status", "statuscode"]),
            digest: get(&["digest"]),
        };
        if row.timestamp.is_empty() {
            return Err(CdxError::MissingField("timestamp"));
        }
        if row.original.is_empty() {
            return Err(CdxError::MissingField("url"));
        }
        page.rows.push(row);
    }
    Ok(page)
}

fn cell(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Which captures to harvest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Selection {
    /// The latest capture of each URL: the state of the site as last archived.
    #[default]
    NewestPerUrl,
    /// Every capture, e.g. to recover documents that were later removed or replaced.
    All,
}

/// Captures gathered page by page and reduced as they come, so that with
/// [`Selection::NewestPerUrl`] memory follows the URLs listed, not the captures.
#[derive(Debug)]
pub struct Gathered {
    selection: Selection,
    /// The newest capture per URL key (per original URL where the server gave no
    /// key); of captures with equal timestamps the later row wins, as servers list
    /// them in index order.
    newest: BTreeMap<String, CdxRow>,
    all: Vec<CdxRow>,
}

impl Gathered {
    /// Nothing gathered yet, keeping what `selection` asks for.
    pub fn new(selection: Selection) -> Gathered {
        Gathered {
            selection,
            newest: BTreeMap::new(),
            all: Vec::new(),
        }
    }

    /// Takes one capture in, or passes it over for a newer one of its URL.
    pub fn add(&mut self, row: CdxRow) {
        match self.selection {
            Selection::All => self.all.push(row),
            Selection::NewestPerUrl => {
                let key = if row.urlkey.is_empty() {
                    row.original.clone()
                } else {
                    row.urlkey.clone()
                };
                match self.newest.get(&key) {
                    Some(kept) if kept.timestamp > row.timestamp => {}
                    _ => {
                        self.newest.insert(key, row);
                    }
                }
            }
        }
    }

    /// How many captures are kept.
    pub(crate) fn len(&self) -> usize {
        self.newest.len() + self.all.len()
    }

    /// The captures kept: every one in index order, or the newest per URL ordered
    /// by URL key.
    pub fn into_rows(self) -> Vec<CdxRow> {
        match self.selection {
            Selection::All => self.all,
            Selection::NewestPerUrl => self.newest.into_values().collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    fn row(urlkey: &str, timestamp: &str, original: &str) -> CdxRow {
        CdxRow {
            urlkey: urlkey.into(),
            timestamp: timestamp.into(),
            original: original.into(),
            mimetype: "text/html".into(),
            statuscode: "200".into(),
            digest: "D".into(),
        }
    }

    #[test]
    fn endpoint_table() {
        let cases = [
            (
                "https://web.archive.org",
                "https://web.archive.org/cdx/search/cdx",
                CdxFlavor::InternetArchive,
            ),
            (
                "https://web.archive.org/web/",
                "https://web.archive.org/cdx/search/cdx",
                CdxFlavor::InternetArchive,
            ),
            (
                "http://wayback.example:8080/web",
                "http://wayback.example:8080/cdx/search/cdx",
                CdxFlavor::InternetArchive,
            ),
            (
                "http://127.0.0.1:8080/my-coll",
                "http://127.0.0.1:8080/my-coll/cdx",
                CdxFlavor::Pywb,
            ),
            (
                "http://127.0.0.1:8080/my-coll/",
                "http://127.0.0.1:8080/my-coll/cdx",
                CdxFlavor::Pywb,
            ),
            (
                "https://arkisto.example/wayback/coll/?x=1",
                "https://arkisto.example/wayback/coll/cdx",
                CdxFlavor::Pywb,
            ),
        ];
        for (archive, endpoint, flavor) in cases {
            let archive_url = url(archive);
            let found = CdxFlavor::detect(&archive_url).endpoint(&archive_url);
            assert_eq!(found.as_str(), endpoint, "{archive}");
            assert_eq!(CdxFlavor::detect(&url(archive)), flavor, "{archive}");
        }
        assert_eq!(
            CdxFlavor::Pywb
                .endpoint(&url("https://web.archive.org/web/"))
                .as_str(),
            "https://web.archive.org/web/cdx"
        );
    }

    #[test]
    fn query_url_table() {
        let ia = url("https://web.archive.org/");
        let pywb = url("http://127.0.0.1:8080/my-coll/");
        let base = CdxQuery::new(&ia, "www.uusimaa2019.fi/poytakirjat/*");
        let cases: Vec<(CdxQuery, &str)> = vec![
            (
                base.clone(),
                "https://web.archive.org/cdx/search/cdx?url=www.uusimaa2019.fi%2Fpoytakirjat%2F*&output=json&filter=statuscode%3A200&collapse=digest&limit=10000&showResumeKey=true",
            ),
            (
                CdxQuery {
                    url: "kunta.fi/a/".into(),
                    from: Some("2017".into()),
                    to: Some("20191231".into()),
                    limit: Some(500),
                    resume_key: Some("org%2Ckunta%29%2Fa+20170101%21".into()),
                    ..base.clone()
                },
                "https://web.archive.org/cdx/search/cdx?url=kunta.fi%2Fa%2F&output=json&from=2017&to=20191231&filter=statuscode%3A200&collapse=digest&limit=500&showResumeKey=true&resumeKey=org%252Ckunta%2529%252Fa%2B20170101%2521",
            ),
            (
                CdxQuery {
                    limit: Some(10),
                    resume_key: Some("ignored".into()),
                    ..CdxQuery::new(&pywb, "https://kunta.fi/*")
                },
                "http://127.0.0.1:8080/my-coll/cdx?url=https%3A%2F%2Fkunta.fi%2F*&output=json&filter=status%3A200&limit=10",
            ),
            (
                CdxQuery::new(&pywb, "kunta.fi/*"),
                "http://127.0.0.1:8080/my-coll/cdx?url=kunta.fi%2F*&output=json&filter=status%3A200",
            ),
        ];
        for (query, expected) in cases {
            assert_eq!(query.to_url().as_str(), expected);
        }
    }

    /// Shaped like web.archive.org's answer to
    /// `?url=www.uusimaa2019.fi/poytakirjat/*&output=json&limit=3&showResumeKey=true`.
    const IA_PAGE: &str = r#"[["urlkey","timestamp","original","mimetype","statuscode","digest","length"],
["fi,uusimaa2019)/poytakirjat", "20170913000000", "https://www.uusimaa2019.fi/poytakirjat", "text/html", "200", "Q4YULN754FHV2U6Q5JUT6Q2P57WEWNNY", "5415"],
["fi,uusimaa2019)/poytakirjat", "20180102030405", "https://www.uusimaa2019.fi/poytakirjat/", "text/html", "200", "XAHDNHZ5P3GSSSNJ3DMEOJF7BMCCPZR3", "5402"],
["fi,uusimaa2019)/poytakirjat/2017/1.pdf", "20170913000102", "https://www.uusimaa2019.fi/poytakirjat/2017/1.pdf", "application/pdf", "200", "2WAXX5NUWNNCS2BDKCO5OVDQBJVNKIVV", "88211"],
[],
["fi%2Cuusimaa2019%29%2Fpoytakirjat%2F2017%2F1.pdf+20170913000102%21"]]
"#;

    #[test]
    fn parse_table() {
        let ia_rows = vec![
            CdxRow {
                digest: "Q4YULN754FHV2U6Q5JUT6Q2P57WEWNNY".into(),
                ..row(
                    "fi,uusimaa2019)/poytakirjat",
                    "20170913000000",
                    "https://www.uusimaa2019.fi/poytakirjat",
                )
            },
            CdxRow {
                digest: "XAHDNHZ5P3GSSSNJ3DMEOJF7BMCCPZR3".into(),
                ..row(
                    "fi,uusimaa2019)/poytakirjat",
                    "20180102030405",
                    "https://www.uusimaa2019.fi/poytakirjat/",
                )
            },
            CdxRow {
                mimetype: "application/pdf".into(),
                digest: "2WAXX5NUWNNCS2BDKCO5OVDQBJVNKIVV".into(),
                ..row(
                    "fi,uusimaa2019)/poytakirjat/2017/1.pdf",
                    "20170913000102",
                    "https://www.uusimaa2019.fi/poytakirjat/2017/1.pdf",
                )
            },
        ];
        let cases: Vec<(&str, CdxPage)> = vec![
            (
                IA_PAGE,
                CdxPage {
                    rows: ia_rows.clone(),
                    resume_key: Some(
                        "fi%2Cuusimaa2019%29%2Fpoytakirjat%2F2017%2F1.pdf+20170913000102%21".into(),
                    ),
                },
            ),
            ("", CdxPage::default()),
            ("[]", CdxPage::default()),
            (
                "[[\"urlkey\",\"timestamp\",\"original\",\"mimetype\",\"statuscode\",\"digest\",\"length\"]]",
                CdxPage::default(),
            ),
            (
                "[[\"timestamp\",\"original\"],[\"20170913000000\",\"http://kunta.fi/\"]]",
                CdxPage {
                    rows: vec![CdxRow {
                        urlkey: "".into(),
                        mimetype: "".into(),
                        statuscode: "".into(),
                        digest: "".into(),
                        ..row("", "20170913000000", "http://kunta.fi/")
                    }],
                    resume_key: None,
                },
            ),
            (
                "{\"urlkey\": \"fi,kunta)/\", \"timestamp\": \"20170913000000\", \"url\": \"http://kunta.fi/\", \"mime\": \"text/html\", \"status\": \"200\", \"digest\": \"D\", \"length\": \"10\", \"offset\": \"0\", \"filename\": \"a.warc.gz\"}\n{\"urlkey\": \"fi,kunta)/a\", \"timestamp\": \"20180913000000\", \"url\": \"http://kunta.fi/a\", \"mime\": \"text/html\", \"status\": \"200\", \"digest\": \"D\"}\n",
                CdxPage {
                    rows: vec![
                        row("fi,kunta)/", "20170913000000", "http://kunta.fi/"),
                        row("fi,kunta)/a", "20180913000000", "http://kunta.fi/a"),
                    ],
                    resume_key: None,
                },
            ),
        ];
        for (body, expected) in cases {
            assert_eq!(parse_json(body).unwrap(), expected, "{body}");
        }
        // The truncated-IA case above is not valid JSON; make it so and check the rows.
        let no_key = format!("{}]", &IA_PAGE[..IA_PAGE.find(",\n[],").unwrap()]);
        assert_eq!(
            parse_json(&no_key).unwrap(),
            CdxPage {
                rows: ia_rows,
                resume_key: None
            }
        );
    }

    #[test]
    fn parse_errors_table() {
        let cases = [
            ("<html>Wayback Machine</html>", "CDX response is not JSON"),
            (
                "[[\"urlkey\",\"original\"],[\"k\",\"u\"]]",
                "lacks the `timestamp` field",
            ),
            (
                "[[\"timestamp\",\"original\"],[\"1\"]]",
                "a row has 1 fields but the header names 2",
            ),
            (
                "[[\"timestamp\",\"original\"],[],[\"a\"],[\"b\"]]",
                "other than one resume key",
            ),
            ("{\"timestamp\": \"2017\"}", "lacks the `url` field"),
            ("{\"a\": 1", "CDX response is not JSON"),
        ];
        for (body, message) in cases {
            let err = parse_json(body).unwrap_err().to_string();
            assert!(err.contains(message), "{body}: {err}");
        }
    }

    #[test]
    fn next_page_follows_resume_key() {
        let query = CdxQuery::new(&url("https://web.archive.org"), "kunta.fi/*");
        let page = parse_json(IA_PAGE).unwrap();
        let next = query.next(&page).unwrap();
        assert_eq!(next.resume_key, page.resume_key);
        assert_eq!(query.next(&CdxPage::default()), None);
    }

    #[test]
    fn newest_per_url_table() {
        // input rows (urlkey, timestamp, original), expected rows in the same form
        type Rows = &'static [(&'static str, &'static str, &'static str)];
        let cases: &[(Rows, Rows)] = &[
            (&[], &[]),
            (
                &[
                    ("b", "2017", "u1"),
                    ("a", "2019", "u2"),
                    ("b", "2018", "u3"),
                    ("a", "2016", "u4"),
                ],
                &[("a", "2019", "u2"), ("b", "2018", "u3")],
            ),
            (
                &[("a", "2017", "first"), ("a", "2017", "second")],
                &[("a", "2017", "second")],
            ),
            (
                &[
                    ("", "2017", "http://x/"),
                    ("", "2018", "http://x/"),
                    ("", "2016", "http://y/"),
                ],
                &[("", "2018", "http://x/"), ("", "2016", "http://y/")],
            ),
        ];
        for (input, expected) in cases {
            let rows: Vec<CdxRow> = input.iter().map(|(k, t, o)| row(k, t, o)).collect();
            let expected: Vec<CdxRow> = expected.iter().map(|(k, t, o)| row(k, t, o)).collect();
            assert_eq!(
                gathered(Selection::NewestPerUrl, rows),
                expected,
                "{input:?}"
            );
        }
        let all = vec![row("a", "1", "u"), row("a", "2", "u")];
        assert_eq!(gathered(Selection::All, all.clone()), all);
        assert_eq!(gathered(Selection::NewestPerUrl, all).len(), 1);
    }

    fn gathered(selection: Selection, rows: Vec<CdxRow>) -> Vec<CdxRow> {
        let mut gathered = Gathered::new(selection);
        for row in rows {
            gathered.add(row);
        }
        gathered.into_rows()
    }
}
