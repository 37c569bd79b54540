//! CDXJ indexes of WARC files, as pywb and py-wacz write and read them.
//!
//! What the other side reads (pywb's `indexes/*.cdxj`, the WACZ 1.1.1 `indexes/index.cdx`):
//!
//! * One line per capture: `SURT-KEY TIMESTAMP {json}`, the whole file sorted by byte value so
//!   that replay can binary-search it. The key is the URL in SURT form (Sort-friendly URI
//!   Reordering Transform): the host reversed and comma-joined, `www.` dropped, the default
//!   port dropped and any other kept as `:port`, then `)` and the path and query, lowercased,
//!   the query's arguments sorted, a trailing `/` dropped (`http://www.Example.fi:8080/A/?b&a`
//!   → `fi,example:8080)/a?a&b`). pywb computes the same key from the URL a reader asks for
//!   (with the Python `surt` package), so a key written differently is a capture that cannot
//!   be found. Percent-escapes are decoded and re-escaped as that package does: only bytes up
//!   to space, from DEL on, `#` and `%` stay escaped.
//! * TIMESTAMP is the `WARC-Date` as 14 digits, `YYYYMMDDhhmmss`.
//! * The JSON block holds, in this order, `url` (the `WARC-Target-URI`), `mime` (the HTTP
//!   `Content-Type` up to its first `;` or space; left out when there is none), `status` (a
//!   string), `digest` (the `WARC-Payload-Digest` as written, `sha1:` + base32), `length` and
//!   `offset` (the record's byte range in the file as stored: for a `.warc.gz` the gzip
//!   member, for a plain WARC the record with its two trailing CRLFs; strings) and `filename`.
//!   Like cdxj-indexer, the JSON is written with `", "` and `": "` separators.
//! * `response` and `resource` records are indexed, as cdxj-indexer does by default (revisit
//!   and metadata records, which harava does not write, are skipped); requests and
//!   `warcinfo` are not.
//!
//! Replay reads a record from its offset alone, so a `.warc.gz` must be compressed one record
//! per gzip member (harava's writer does that); a file compressed as one stream is refused.
//! The records are split here and each one's HTTP part is parsed by
//! [`WarcReader`](crate::archive::warc::WarcReader).
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use data_encoding::BASE32;
use regex::Regex;
use sha1::{Digest, Sha1};
use thiserror::Error;

use crate::archive::warc::{ArchivedResponse, WarcReader};

#[derive(Debug, Error)]
pub(crate) enum CdxjError {
    #[error("{path}: cannot read: {source}; check the path and that the file is a WARC")]
    Read { path: PathBuf, source: io::Error },
    #[error("{path}: the record at byte {offset} cannot be indexed: {reason}")]
    Record {
        path: PathBuf,
        offset: u64,
        reason: String,
    },
}

/// One indexed capture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Capture {
    pub url: String,
    pub date: DateTime<Utc>,
    pub mime: Option<String>,
    pub status: u16,
    pub digest: String,
    /// Where the record lies in the file as stored.
    pub offset: u64,
    pub length: u64,
}

impl Capture {
    /// The capture's CDXJ line (without the line break).
    pub(crate) fn line(&self, filename: &str) -> String {
        let string = |s: &str| serde_json::to_string(s).expect("strings serialize");
        let mut fields = vec![("url", string(&self.url))];
        if let Some(mime) = &self.mime {
            fields.push(("mime", string(mime)));
        }
        fields.extend([
            ("status", string(&self.status.to_string())),
            ("digest", string(&self.digest)),
            ("length", string(&self.length.to_string())),
            ("offset", string(&self.offset.to_string())),
            ("filename", string(filename)),
        ]);
        let json = fields
            .iter()
            .map(|(name, value)| format!("\"{name}\": {value}"))
            .collect::<Vec<_>>()
            .join(", ");
        format!(
            "{} {} {{{json}}}",
            surt(&self.url),
            self.date.format("%Y%m%d%H%M%S")
        )
    }
}

/// Index the WARC at `path`: every `response` and `resource` record as a [`Capture`], in
/// file order. `visit` sees each capture with its parsed response while it is at hand, so
/// that callers needing the payloads (page titles) do not make the index hold them all.
pub(crate) fn index_warc(
    path: &Path,
    mut visit: impl FnMut(&Capture, &ArchivedResponse),
) -> Result<Vec<Capture>, CdxjError> {
    let read_error = |source| CdxjError::Read {
        path: path.to_owned(),
        source,
    };
    let mut input = Counting {
        inner: BufReader::with_capacity(1 << 16, File::open(path).map_err(read_error)?),
        position: 0,
    };
    let gzip = input
        .fill_buf()
        .map_err(read_error)?
        .starts_with(&[0x1f, 0x8b]);
    let mut captures = Vec::new();
    let mut record = Vec::new();
    loop {
        let offset = input.position;
        let more = if gzip {
            gzip_member(&mut input, &mut record)
        } else {
            plain_record(&mut input, &mut record)
        }
        .map_err(read_error)?;
        if !more {
            break;
        }
        let length = input.position - offset;
        let problem = |reason: String| CdxjError::Record {
            path: path.to_owned(),
            offset,
            reason,
        };
        let header = RecordHeader::parse(&record).map_err(|r| problem(r.to_owned()))?;
        if gzip && header.end != record.len() {
            return Err(problem(
                "its gzip member holds more than one record; replay tools need one gzip member per record (recompress it with `warcio recompress`)"
                    .to_owned(),
            ));
        }
        if !matches!(header.kind.as_str(), "response" | "resource") {
            continue;
        }
        let response = match WarcReader::new(&record[..]).map(|mut r| r.next()) {
            Ok(Some(Ok(response))) => response,
            Ok(Some(Err(e))) | Err(e) => return Err(problem(e.to_string())),
            Ok(None) => return Err(problem("the record is empty".to_owned())),
        };
        let date = response
            .date
            .ok_or_else(|| problem("it has no valid WARC-Date".to_owned()))?;
        let content_type = response
            .headers
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case("content-type"))
            .map(|(_, value)| value.as_str());
        let mime = content_type
            .and_then(|t| t.split([';', ' ', '\t']).next())
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty());
        let digest = header
            .payload_digest
            .unwrap_or_else(|| format!("sha1:{}", BASE32.encode(&Sha1::digest(&response.payload))));
        let capture = Capture {
            url: response.target_uri.clone(),
            date,
            mime,
            status: response.status,
            digest,
            offset,
            length,
        };
        visit(&capture, &response);
        captures.push(capture);
    }
    Ok(captures)
}

/// The index file's text: one line per capture, sorted by byte value.
pub(crate) fn index_text(captures: &[Capture], filename: &str) -> String {
    let mut lines: Vec<String> = captures.iter().map(|c| c.line(filename)).collect();
    lines.sort();
    lines.iter().map(|l| format!("{l}\n")).collect()
}

/// The fields of a WARC record header that the index needs, and where the record ends.
struct RecordHeader {
    kind: String,
    payload_digest: Option<String>,
    /// The byte after the block's two trailing CRLFs.
    end: usize,
}

impl RecordHeader {
    fn parse(record: &[u8]) -> Result<RecordHeader, &'static str> {
        let head_end = record
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .ok_or("its header does not end")?;
        let head = String::from_utf8_lossy(&record[..head_end]);
        let field = |name: &str| {
            head.lines()
                .filter_map(|l| l.split_once(':'))
                .find(|(n, _)| n.trim().eq_ignore_ascii_case(name))
                .map(|(_, v)| v.trim().to_owned())
        };
        let length: usize = field("Content-Length")
            .and_then(|l| l.parse().ok())
            .ok_or("it has no valid Content-Length")?;
        let mut end = head_end + 4 + length;
        if end > record.len() {
            return Err("its block is cut short");
        }
        while record.get(end).is_some_and(|b| *b == b'\r' || *b == b'\n') {
            end += 1;
        }
        Ok(RecordHeader {
            kind: field("WARC-Type").unwrap_or_default(),
            payload_digest: field("WARC-Payload-Digest"),
            end,
        })
    }
}

/// Counts the bytes taken from the file, which are the records' offsets.
struct Counting<R> {
    inner: R,
    position: u64,
}

impl<R: BufRead> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.position += n as u64;
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Counting<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amount: usize) {
        self.position += amount as u64;
        self.inner.consume(amount);
    }
}

/// The next gzip member, decompressed into `record`; false at the end of the file. The
/// `bufread` decoder takes no byte past its member's trailer, so the count is the member's end.
fn gzip_member<R: BufRead>(input: &mut Counting<R>, record: &mut Vec<u8>) -> io::Result<bool> {
    record.clear();
    if input.fill_buf()?.is_empty() {
        return Ok(false);
    }
    flate2::bufread::GzDecoder::new(&mut *input).read_to_end(record)?;
    Ok(true)
}

/// The next record of an uncompressed WARC with its trailing line breaks, into `record`;
/// false at the end of the file.
fn plain_record<R: BufRead>(input: &mut Counting<R>, record: &mut Vec<u8>) -> io::Result<bool> {
    record.clear();
    let mut length = None;
    loop {
        let start = record.len();
        if input.read_until(b'\n', record)? == 0 {
            if record.is_empty() {
                return Ok(false);
            }
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the file ends inside a record header",
            ));
        }
        let line = String::from_utf8_lossy(&record[start..]);
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.trim().eq_ignore_ascii_case("Content-Length")
        {
            length = value.trim().parse::<u64>().ok();
        }
    }
    let length = length.ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            "a record header has no valid Content-Length",
        )
    })?;
    let start = record.len();
    (&mut *input).take(length).read_to_end(record)?;
    if ((record.len() - start) as u64) < length {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "the file ends inside a record",
        ));
    }
    loop {
        let buffer = input.fill_buf()?;
        let breaks = buffer
            .iter()
            .take_while(|b| **b == b'\r' || **b == b'\n')
            .count();
        if breaks == 0 {
            break;
        }
        record.extend_from_slice(&buffer[..breaks]);
        input.consume(breaks);
    }
    Ok(true)
}

/// The SURT key of `url` as the Python `surt` package (and so pywb) computes it,
/// with its Internet Archive canonicalization: path and query in lower case,
/// session ids left out, the query's arguments in order.
pub(crate) fn surt(url: &str) -> String {
    let Ok(parsed) = url::Url::parse(url) else {
        return url.to_lowercase();
    };
    let Some(host) = parsed.host_str() else {
        return url.to_lowercase();
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let host = strip_www(host);
    let mut key: String = host.split('.').rev().collect::<Vec<_>>().join(",");
    if let Some(port) = parsed.port() {
        key.push_str(&format!(":{port}"));
    }
    key.push(')');
    let mut path = strip_path_session_id(normalized_path(&reescape(parsed.path())).to_lowercase());
    if path.len() > 1 && path.ends_with('/') {
        path.pop();
    }
    key.push_str(&path);
    if let Some(query) = parsed.query() {
        let query = strip_query_session_id(reescape(query)).to_lowercase();
        let query = alpha_reorder(&query);
        if !query.is_empty() {
            key.push('?');
            key.push_str(&query);
        }
    }
    key.to_lowercase()
}

/// The path as surt's `normalizePath` leaves it: `.` and `..` segments
/// resolved (those that only appear once escapes are undone, too) and runs of
/// slashes made one, a trailing slash kept.
fn normalized_path(path: &str) -> String {
    let mut kept: Vec<&str> = Vec::new();
    for segment in path.split('/').skip(1) {
        match segment {
            "." => {}
            ".." => {
                if kept.pop().is_none() {
                    kept.push("..");
                }
            }
            _ => kept.push(segment),
        }
    }
    let mut out = String::with_capacity(path.len());
    out.push('/');
    if let Some((last, before)) = kept.split_last() {
        for segment in before.iter().filter(|segment| !segment.is_empty()) {
            out.push_str(segment);
            out.push('/');
        }
        out.push_str(last);
    }
    out
}

/// surt's rules for the session ids servers put in a query: each rule takes
/// out the last match of its pattern, and what follows it, after an `&`, stays
/// (so `id=5&sid=…` leaves `id=5&`, as surt does).
fn strip_query_session_id(mut query: String) -> String {
    static RULES: LazyLock<[Regex; 5]> = LazyLock::new(|| {
        [
            "jsessionid=[0-9a-zA-Z]{32}",
            "phpsessid=[0-9a-zA-Z]{32}",
            "sid=[0-9a-zA-Z]{32}",
            "aspsessionid[a-zA-Z]{8}=[a-zA-Z]{24}",
            "cfid=[^&]+&cftoken=[^&]+",
        ]
        .map(|id| Regex::new(&format!("(?i)^(.*)(?:{id})(?:&(.*))?$")).expect("a valid rule"))
    });
    for rule in &*RULES {
        if let Some(found) = rule.captures(&query) {
            let rest = found.get(2).map_or("", |rest| rest.as_str());
            query = format!("{}{rest}", &found[1]);
        }
    }
    query
}

/// surt's rules for the session ids ASP.NET puts in a path (`/(S(…))/x.aspx`).
fn strip_path_session_id(mut path: String) -> String {
    static RULES: LazyLock<[Regex; 2]> = LazyLock::new(|| {
        [
            r"(?i)^(.*/)(\((?:[a-z]\([0-9a-z]{24}\))+\)/)([^?]+\.aspx.*)$",
            r"(?i)^(.*/)(\([0-9a-z]{24}\)/)([^?]+\.aspx.*)$",
        ]
        .map(|rule| Regex::new(rule).expect("a valid rule"))
    });
    for rule in &*RULES {
        if let Some(found) = rule.captures(&path) {
            path = format!("{}{}", &found[1], &found[3]);
        }
    }
    path
}

/// The arguments of `query` sorted as surt sorts them: by name, then an
/// argument without `=` before one with, then by value; empty ones included.
fn alpha_reorder(query: &str) -> String {
    if query.len() <= 1 {
        return query.to_string();
    }
    let mut arguments: Vec<(&str, Option<&str>)> = query
        .split('&')
        .map(|argument| match argument.split_once('=') {
            Some((name, value)) => (name, Some(value)),
            None => (argument, None),
        })
        .collect();
    arguments.sort_unstable();
    arguments
        .iter()
        .map(|(name, value)| match value {
            Some(value) => format!("{name}={value}"),
            None => name.to_string(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// `www.`, `www2.` and the like name the same site; the key leaves them out.
fn strip_www(host: &str) -> &str {
    if let Some(rest) = host.strip_prefix("www")
        && let Some(dot) = rest.find('.')
        && rest[..dot].bytes().all(|b| b.is_ascii_digit())
        && dot + 1 < rest.len()
    {
        return &rest[dot + 1..];
    }
    host
}

/// Decode percent-escapes until none is left, then escape again only what must stay escaped.
fn reescape(text: &str) -> String {
    let mut bytes = text.as_bytes().to_vec();
    loop {
        let decoded = percent_decode(&bytes);
        if decoded == bytes {
            break;
        }
        bytes = decoded;
    }
    let mut out = String::with_capacity(bytes.len());
    for b in bytes {
        if b <= 0x20 || b >= 0x7f || b == b'#' || b == b'%' {
            out.push_str(&format!("%{b:02X}"));
        } else {
            out.push(b as char);
        }
    }
    out
}

fn percent_decode(bytes: &[u8]) -> Vec<u8> {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let (Some(high), Some(low)) = (
                bytes.get(i + 1).copied().and_then(hex),
                bytes.get(i + 2).copied().and_then(hex),
            )
        {
            out.push(high << 4 | low);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::archive::warc::{Exchange, WarcWriter};

    #[test]
    fn surt_keys_match_the_python_surt_package() {
        // Each right-hand side is what surt 0.3.1 (`surt.surt(url)`) returns.
        let cases = [
            (
                "http://127.0.0.1:8080/muistiot/a/",
                "1,0,0,127:8080)/muistiot/a",
            ),
            (
                "http://www.Example.com/B/?b=2&a=1",
                "com,example)/b?a=1&b=2",
            ),
            ("https://uusimaa2019.fi/", "fi,uusimaa2019)/"),
            ("http://example.com", "com,example)/"),
            (
                "http://127.0.0.1:8080/robots.txt",
                "1,0,0,127:8080)/robots.txt",
            ),
            ("http://www.example.com:80/x#frag", "com,example)/x"),
            ("http://example.com/a%20b?c=%2F", "com,example)/a%20b?c=/"),
            ("http://xn--exmple-cua.com/ä", "com,xn--exmple-cua)/%c3%a4"),
            // The query in lower case before its arguments are sorted, by name
            // and then value; session ids left out, as surt's patterns say.
            ("http://example.com/x?a=1&B=2", "com,example)/x?a=1&b=2"),
            ("http://example.com/x?a-b=1&a=2", "com,example)/x?a=2&a-b=1"),
            ("http://example.com/x?a=2&a=1&a", "com,example)/x?a&a=1&a=2"),
            (
                "http://example.com/page.php?PHPSESSID=0123456789abcdef0123456789abcdef&id=5",
                "com,example)/page.php?id=5",
            ),
            (
                "http://example.com/page.php?id=5&sid=0123456789abcdef0123456789abcdef",
                "com,example)/page.php?&id=5",
            ),
            (
                "http://example.com/page.php?id=5&sid=short",
                "com,example)/page.php?id=5&sid=short",
            ),
            (
                "http://example.com/x.asp?ASPSESSIONIDQQGGQGPS=ABCDEFGHIJKLMNOPQRSTUVWX&a=1",
                "com,example)/x.asp?a=1",
            ),
            (
                "http://example.com/x.cfm?CFID=123&CFTOKEN=456&a=1",
                "com,example)/x.cfm?a=1",
            ),
            (
                "http://example.com/(S(0123456789abcdefghijklmn))/Page.aspx?a=1",
                "com,example)/page.aspx?a=1",
            ),
            (
                "http://example.com/a;jsessionid=0123456789abcdef0123456789ABCDEF?x=1",
                "com,example)/a;jsessionid=0123456789abcdef0123456789abcdef?x=1",
            ),
            ("http://example.com/x?a=1&", "com,example)/x?&a=1"),
            ("http://example.com/a//b/", "com,example)/a/b"),
            ("http://example.com/a%2F%2Fb", "com,example)/a/b"),
        ];
        for (url, key) in cases {
            assert_eq!(surt(url), key, "{url}");
        }
    }

    /// The keys of `scripts/surt-cases.py`'s 616 URLs, as the surt package
    /// computed them.
    #[test]
    fn surt_keys_match_the_python_surt_package_on_generated_urls() {
        let cases = include_str!("../../tests/data/surt-cases.tsv");
        let mut compared = 0;
        for line in cases.lines() {
            let (url, key) = line.split_once('\t').expect("URL, tab, key");
            assert_eq!(surt(url), key, "{url}");
            compared += 1;
        }
        assert_eq!(compared, 616);
    }

    fn exchange(url: &str, content_type: &str, body: &str) -> Exchange {
        Exchange {
            url: url.to_owned(),
            date: DateTime::parse_from_rfc3339("2019-02-01T10:20:30Z")
                .unwrap()
                .with_timezone(&Utc),
            method: "GET".to_owned(),
            request_headers: vec![],
            request_body: Vec::new(),
            status: 200,
            reason: "OK".to_owned(),
            response_headers: vec![("Content-Type".to_owned(), content_type.to_owned())],
            body: body.as_bytes().to_vec(),
            truncated: false,
        }
    }

    fn write_warc(path: &Path, gzip: bool) {
        let file = File::create(path).unwrap();
        let mut writer = WarcWriter::new(file, gzip, Some("t.warc"), &[]).unwrap();
        writer
            .write_exchange(&exchange(
                "http://www.example.fi/b/",
                "text/html; charset=utf-8",
                "<title>B</title>",
            ))
            .unwrap();
        writer
            .write_exchange(&exchange("http://example.fi/a", "text/plain", "a"))
            .unwrap();
        writer.finish().unwrap();
    }

    /// Each capture's offset and length cut out exactly its record: a decoder started there
    /// reads one `response` record of the capture's URL and nothing else.
    fn assert_ranges_cut_records(path: &Path, gzip: bool) {
        let bytes = std::fs::read(path).unwrap();
        let captures = index_warc(path, |_, _| ()).unwrap();
        assert_eq!(captures.len(), 2);
        for capture in &captures {
            let range = &bytes[capture.offset as usize..(capture.offset + capture.length) as usize];
            let record = if gzip {
                let mut out = Vec::new();
                flate2::read::GzDecoder::new(range)
                    .read_to_end(&mut out)
                    .unwrap();
                out
            } else {
                range.to_vec()
            };
            let header = RecordHeader::parse(&record).unwrap();
            assert_eq!(header.kind, "response");
            assert_eq!(header.end, record.len());
            let text = String::from_utf8_lossy(&record);
            assert!(
                text.contains(&format!("WARC-Target-URI: {}\r\n", capture.url)),
                "{text}"
            );
        }
        // warcinfo, response, request, response, request: the last capture ends 1 record short.
        let last = captures.last().unwrap();
        assert!(last.offset + last.length < bytes.len() as u64);
    }

    #[test]
    fn offsets_and_lengths_cut_out_one_record_gzip_and_plain() {
        let dir = tempfile::tempdir().unwrap();
        for gzip in [true, false] {
            let path = dir.path().join(if gzip { "t.warc.gz" } else { "t.warc" });
            write_warc(&path, gzip);
            assert_ranges_cut_records(&path, gzip);
        }
    }

    #[test]
    fn lines_are_sorted_and_shaped_like_cdxj_indexer_output() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.warc.gz");
        write_warc(&path, true);
        let captures = index_warc(&path, |_, _| ()).unwrap();
        let text = index_text(&captures, "t.warc.gz");
        let lines: Vec<&str> = text.lines().collect();
        let b = &captures[0];
        let a = &captures[1];
        assert_eq!(
            lines,
            [
                format!(
                    "fi,example)/a 20190201102030 {{\"url\": \"http://example.fi/a\", \"mime\": \"text/plain\", \"status\": \"200\", \"digest\": \"sha1:{}\", \"length\": \"{}\", \"offset\": \"{}\", \"filename\": \"t.warc.gz\"}}",
                    BASE32.encode(&Sha1::digest(b"a")),
                    a.length,
                    a.offset
                ),
                format!(
                    "fi,example)/b 20190201102030 {{\"url\": \"http://www.example.fi/b/\", \"mime\": \"text/html\", \"status\": \"200\", \"digest\": \"sha1:{}\", \"length\": \"{}\", \"offset\": \"{}\", \"filename\": \"t.warc.gz\"}}",
                    BASE32.encode(&Sha1::digest(b"<title>B</title>")),
                    b.length,
                    b.offset
                ),
            ]
        );
    }

    #[test]
    fn a_warc_gzipped_as_one_stream_is_refused_with_advice() {
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("t.warc");
        write_warc(&plain, false);
        let whole = dir.path().join("whole.warc.gz");
        let mut encoder = flate2::write::GzEncoder::new(
            File::create(&whole).unwrap(),
            flate2::Compression::default(),
        );
        io::Write::write_all(&mut encoder, &std::fs::read(&plain).unwrap()).unwrap();
        encoder.finish().unwrap();
        let error = index_warc(&whole, |_, _| ()).unwrap_err().to_string();
        assert!(
            error.contains("whole.warc.gz: the record at byte 0"),
            "{error}"
        );
        assert!(error.contains("one gzip member per record"), "{error}");
    }
}
