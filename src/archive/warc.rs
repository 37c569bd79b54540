//! WARC/1.1 files: [`WarcReader`] reads the captures in one back; the crawler's
//! `--warc` writes what it fetched to one (internal).
//!
//! What the other side does (and what this module relies on):
//!
//! * A record is `WARC/1.1`, header fields, an empty line, `Content-Length` bytes of block and
//!   two CRLFs (ISO 28500:2017). A `.warc.gz` is one gzip member per record, concatenated
//!   ("record-at-time compression"), which warcio, pywb and CDX indexers expect so that each
//!   record can be read from its offset alone (warcio README, "Recompress": "Each WARC record
//!   is compressed individually and concatenated").
//! * `WARC-Block-Digest` covers the whole block; `WARC-Payload-Digest` covers the HTTP body
//!   after the header section. Both are written as `sha1:` + base32 of the SHA-1, the form
//!   warcio, Heritrix and the IA CDX `digest` column use, and which `warcio check` verifies.
//! * warcio's `content_stream()` undoes `Transfer-Encoding: chunked` and `Content-Encoding`
//!   according to the recorded HTTP headers. The crawler's HTTP client hands over bodies
//!   already de-chunked and decompressed, so the writer drops `Content-Encoding`,
//!   `Transfer-Encoding` and `Content-Length` from the recorded response headers and writes a
//!   `Content-Length` of the body it stores: the record then describes the bytes it holds
//!   (the "non-raw capture" caveat in warcio's docs, whose own writer example asks for
//!   `Accept-Encoding: identity` to avoid the mismatch). HTTP/2 responses are recorded with an
//!   `HTTP/1.1` status line, since WARC readers parse only the HTTP/1 text form.
//!
//! The `warc` crate (jedireza) compresses a whole file as one gzip stream, not per record, and
//! computes no digests; `warcat` does both but brings a CLI's worth of dependencies (redb,
//! zstd, brotli, several hash families). The format is small, so it is written here with
//! flate2, sha1, data-encoding and uuid.
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, SecondsFormat, Timelike, Utc};
use data_encoding::BASE32;
use flate2::read::{DeflateDecoder, GzDecoder, MultiGzDecoder, ZlibDecoder};
use flate2::{Compress, Compression, Crc, FlushCompress, Status};
use sha1::{Digest, Sha1};
use thiserror::Error;
use uuid::Uuid;

use crate::output_file::PendingFile;

/// Why a WARC file could not be written or read. Records are numbered from 0,
/// every record type counted; offsets are in the uncompressed stream, where the
/// record starts.
#[derive(Debug, Error)]
pub enum WarcError {
    /// The file to write cannot be created.
    #[error(
        "cannot create WARC file {path}: {source}; check that its directory exists and is writable"
    )]
    Create {
        /// The file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// The input failed, or ended inside a record.
    #[error(
        "reading WARC record {number} (byte {offset} of the uncompressed stream) failed: {source}; the file may be truncated or not a WARC"
    )]
    Read {
        /// The record.
        number: u64,
        /// Where it starts.
        offset: u64,
        /// Why.
        source: io::Error,
    },
    /// A record that is not what WARC/1.0 or WARC/1.1 says.
    #[error(
        "WARC record {number} (byte {offset} of the uncompressed stream) is malformed: {reason}; a WARC validator (warcio check, or scripts/check-warc.sh in harava's source) says more"
    )]
    Malformed {
        /// The record.
        number: u64,
        /// Where it starts.
        offset: u64,
        /// What is wrong with it.
        reason: String,
    },
    /// A record's header block, or one of its lines, is longer than the reader
    /// holds; the rest of the file is not read.
    #[error(
        "WARC record {number} (byte {offset} of the uncompressed stream) has a header block or header line of more than {max} bytes; the rest of the file is skipped (raise --max-warc-header-bytes if the file is sound)"
    )]
    HeaderTooLarge {
        /// The record.
        number: u64,
        /// Where it starts.
        offset: u64,
        /// The most the reader holds, in bytes.
        max: u64,
    },
    /// A payload larger than the reader holds; the record is skipped and the
    /// reading goes on.
    #[error(
        "WARC record {number} (byte {offset} of the uncompressed stream, {target_uri}) holds a payload of {length} bytes, more than {max}; it is skipped (raise --max-input-bytes to read it)"
    )]
    PayloadTooLarge {
        /// The record.
        number: u64,
        /// Where it starts.
        offset: u64,
        /// The URL whose response it holds.
        target_uri: String,
        /// The payload's length, in bytes.
        length: u64,
        /// The most the reader holds, in bytes.
        max: u64,
    },
}

/// One HTTP request and its response as the crawler's client saw them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Exchange {
    pub url: String,
    pub date: DateTime<Utc>,
    pub method: String,
    pub request_headers: Vec<(String, String)>,
    /// A form's fields as sent (empty for GET).
    pub request_body: Vec<u8>,
    pub status: u16,
    pub reason: String,
    pub response_headers: Vec<(String, String)>,
    /// The body as delivered by the client: de-chunked and decompressed.
    pub body: Vec<u8>,
    /// Whether `body` is only the first part of what the server sent.
    pub truncated: bool,
}

/// Writes records to `W`, each gzip-compressed on its own when `gzip` is set. Every record is
/// assembled in memory and handed to `W` in one `write_all`, so a crash never leaves half a
/// record behind a complete one.
pub(crate) struct WarcWriter<W: Write> {
    out: W,
    /// The compressor of every record when the file is gzipped, reset between
    /// records rather than made anew: its tables are larger than most records.
    gzip: Option<Compress>,
    warcinfo_id: String,
    /// Bytes written so far: where the next record starts in the file.
    position: u64,
}

/// Where a response record went and what it says, as an index of the file needs it
/// (a WACZ's CDXJ), so the file need not be read back to index it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Written {
    /// The record's first byte in the file as stored (its gzip member's, for `.gz`).
    pub offset: u64,
    /// Its length as stored.
    pub length: u64,
    /// `WARC-Date` as written.
    pub date: String,
    /// `WARC-Payload-Digest` as written.
    pub payload_digest: String,
}

impl WarcWriter<PendingFile> {
    /// Start `path` (under a temporary name until [`PendingFile::commit`] on what
    /// [`WarcWriter::finish`] returns), gzip per record if it ends in `.gz`, and write
    /// the `warcinfo` record naming this software and the crawl `options`.
    pub(crate) fn create(path: &Path, options: &[(String, String)]) -> Result<Self, WarcError> {
        let create_error = |source| WarcError::Create {
            path: path.to_owned(),
            source,
        };
        let file = PendingFile::create(path).map_err(create_error)?;
        let gzip = path.extension().is_some_and(|e| e == "gz");
        let filename = path.file_name().map(|n| n.to_string_lossy().into_owned());
        WarcWriter::new(file, gzip, filename.as_deref(), options).map_err(create_error)
    }

    /// As [`WarcWriter::create`], in a file that outlives a kill, for a crawl
    /// with a state database: see [`PendingFile::resumable`]. `keep` is how
    /// long the WARC of the run this one continues was at that run's last
    /// checkpoint (or when it put the file in place): this file continues
    /// after those bytes, which hold every page whose meetings that run
    /// delivered. Returns the writer and whether it continues that WARC.
    pub(crate) fn resumable(
        path: &Path,
        options: &[(String, String)],
        keep: Option<u64>,
    ) -> Result<(Self, bool), WarcError> {
        let create_error = |source| WarcError::Create {
            path: path.to_owned(),
            source,
        };
        let (file, kept) = PendingFile::resumable(path, keep).map_err(create_error)?;
        let gzip = path.extension().is_some_and(|e| e == "gz");
        let filename = path.file_name().map(|n| n.to_string_lossy().into_owned());
        let writer = WarcWriter::after(file, kept, gzip, filename.as_deref(), options)
            .map_err(create_error)?;
        Ok((writer, kept > 0))
    }
}

impl<W: Write> WarcWriter<W> {
    pub(crate) fn new(
        out: W,
        gzip: bool,
        filename: Option<&str>,
        options: &[(String, String)],
    ) -> io::Result<Self> {
        WarcWriter::after(out, 0, gzip, filename, options)
    }

    /// A writer whose `out` holds `position` bytes of records already.
    fn after(
        out: W,
        position: u64,
        gzip: bool,
        filename: Option<&str>,
        options: &[(String, String)],
    ) -> io::Result<Self> {
        let mut writer = WarcWriter {
            out,
            gzip: gzip.then(|| Compress::new(Compression::default(), false)),
            warcinfo_id: record_id(),
            position,
        };
        let mut fields = vec![
            (
                "software".to_owned(),
                concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION")).to_owned(),
            ),
            ("format".to_owned(), "WARC File Format 1.1".to_owned()),
            (
                "conformsTo".to_owned(),
                "http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"
                    .to_owned(),
            ),
        ];
        fields.extend(options.iter().cloned());
        let block = header_lines(&fields);
        let mut headers = vec![
            ("WARC-Type", "warcinfo".to_owned()),
            ("WARC-Record-ID", writer.warcinfo_id.clone()),
            ("WARC-Date", warc_date(Utc::now())),
        ];
        if let Some(name) = filename {
            headers.push(("WARC-Filename", clean(name)));
        }
        headers.push(("WARC-Block-Digest", sha1_digest(&block)));
        headers.push(("Content-Type", "application/warc-fields".to_owned()));
        writer.write_record(&headers, &block)?;
        Ok(writer)
    }

    /// Write the `response` record, then the `request` record, each naming the other in
    /// `WARC-Concurrent-To`; says where the response went.
    pub(crate) fn write_exchange(&mut self, exchange: &Exchange) -> io::Result<Written> {
        let response_id = record_id();
        let request_id = record_id();
        let date = warc_date(exchange.date);
        let target = clean(&exchange.url);

        let (response_block, payload_start) = response_block(exchange);
        let mut headers = vec![
            ("WARC-Type", "response".to_owned()),
            ("WARC-Record-ID", response_id.clone()),
            ("WARC-Date", date.clone()),
            ("WARC-Target-URI", target.clone()),
            ("WARC-Concurrent-To", request_id.clone()),
        ];
        let payload_digest = sha1_digest(&response_block[payload_start..]);
        headers.extend([
            ("WARC-Warcinfo-ID", self.warcinfo_id.clone()),
            ("WARC-Payload-Digest", payload_digest.clone()),
            ("WARC-Block-Digest", sha1_digest(&response_block)),
            (
                "Content-Type",
                "application/http; msgtype=response".to_owned(),
            ),
        ]);
        if exchange.truncated {
            // WARC 1.1 §5.13: the record holds less than the server sent.
            headers.push(("WARC-Truncated", "length".to_owned()));
        }
        let offset = self.position;
        self.write_record(&headers, &response_block)?;
        let written = Written {
            offset,
            length: self.position - offset,
            date: date.clone(),
            payload_digest,
        };

        let request_block = request_block(exchange);
        let mut headers = vec![
            ("WARC-Type", "request".to_owned()),
            ("WARC-Record-ID", request_id),
            ("WARC-Date", date),
            ("WARC-Target-URI", target),
            ("WARC-Concurrent-To", response_id),
        ];
        headers.extend([
            ("WARC-Warcinfo-ID", self.warcinfo_id.clone()),
            ("WARC-Block-Digest", sha1_digest(&request_block)),
            (
                "Content-Type",
                "application/http; msgtype=request".to_owned(),
            ),
        ]);
        self.write_record(&headers, &request_block)?;
        Ok(written)
    }

    /// The output, to sync it: between two records it holds whole records
    /// only, once a record a failed write cut off is cut back out of it.
    pub(crate) fn output_mut(&mut self) -> &mut W {
        &mut self.out
    }

    /// Where the next record starts in the file.
    pub(crate) fn position(&self) -> u64 {
        self.position
    }

    /// Cuts the file back to `position` (where a record started), removing
    /// what a failed write left of the records after it.
    pub(crate) fn cut_back(&mut self, position: u64) -> io::Result<()>
    where
        W: crate::output_file::Durable,
    {
        self.out.cut_back(position)?;
        self.position = position;
        Ok(())
    }

    /// Flush and hand back the output.
    pub(crate) fn finish(mut self) -> io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }

    fn write_record(&mut self, headers: &[(&str, String)], block: &[u8]) -> io::Result<()> {
        let mut record = Vec::with_capacity(block.len() + 512);
        record.extend_from_slice(b"WARC/1.1\r\n");
        for (name, value) in headers {
            record.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
        }
        record.extend_from_slice(format!("Content-Length: {}\r\n\r\n", block.len()).as_bytes());
        record.extend_from_slice(block);
        record.extend_from_slice(b"\r\n\r\n");
        if let Some(compress) = &mut self.gzip {
            record = gzip_member(compress, &record)?;
        }
        self.out.write_all(&record)?;
        self.position += record.len() as u64;
        Ok(())
    }
}

/// The header of a gzip member as flate2's `GzEncoder` writes it: deflate, no
/// name or time, unknown OS (RFC 1952).
const GZIP_HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255];

/// `data` as one gzip member, compressed by `compress`.
fn gzip_member(compress: &mut Compress, data: &[u8]) -> io::Result<Vec<u8>> {
    compress.reset();
    let mut member = Vec::with_capacity(GZIP_HEADER.len() + data.len() / 2 + 64);
    member.extend_from_slice(&GZIP_HEADER);
    loop {
        member.reserve(data.len() / 4 + 64);
        let read = compress.total_in() as usize;
        let status = compress
            .compress_vec(&data[read..], &mut member, FlushCompress::Finish)
            .map_err(io::Error::other)?;
        if status == Status::StreamEnd {
            break;
        }
    }
    let mut crc = Crc::new();
    crc.update(data);
    member.extend_from_slice(&crc.sum().to_le_bytes());
    // ISIZE is the length modulo 2^32.
    member.extend_from_slice(&(data.len() as u32).to_le_bytes());
    Ok(member)
}

const DROPPED_RESPONSE_HEADERS: [&str; 3] =
    ["content-encoding", "transfer-encoding", "content-length"];

/// The response block and where its payload starts.
fn response_block(exchange: &Exchange) -> (Vec<u8>, usize) {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\n",
        exchange.status,
        clean(&exchange.reason)
    );
    let kept = exchange.response_headers.iter().filter(|(name, _)| {
        !DROPPED_RESPONSE_HEADERS
            .iter()
            .any(|d| name.eq_ignore_ascii_case(d))
    });
    for (name, value) in kept {
        head.push_str(&format!("{}: {}\r\n", clean(name), clean(value)));
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", exchange.body.len()));
    let mut block = head.into_bytes();
    let payload_start = block.len();
    block.extend_from_slice(&exchange.body);
    (block, payload_start)
}

fn request_block(exchange: &Exchange) -> Vec<u8> {
    let url = url::Url::parse(&exchange.url).ok();
    let target = match &url {
        Some(u) => match u.query() {
            Some(q) => format!("{}?{q}", u.path()),
            None => u.path().to_owned(),
        },
        None => exchange.url.clone(),
    };
    let mut head = format!(
        "{} {} HTTP/1.1\r\n",
        clean(&exchange.method),
        clean(&target)
    );
    let has_host = exchange
        .request_headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("host"));
    if let (false, Some(host)) = (has_host, url.as_ref().and_then(|u| u.host_str())) {
        let port = url
            .as_ref()
            .and_then(|u| u.port())
            .map(|p| format!(":{p}"))
            .unwrap_or_default();
        head.push_str(&format!("Host: {host}{port}\r\n"));
    }
    for (name, value) in &exchange.request_headers {
        head.push_str(&format!("{}: {}\r\n", clean(name), clean(value)));
    }
    if !exchange.request_body.is_empty() {
        head.push_str(&format!(
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
            exchange.request_body.len()
        ));
    }
    head.push_str("\r\n");
    let mut block = head.into_bytes();
    block.extend_from_slice(&exchange.request_body);
    block
}

/// Header text must not contain line breaks, or it would end the header section early.
fn clean(value: &str) -> String {
    value.replace(['\r', '\n'], " ")
}

fn header_lines(fields: &[(String, String)]) -> Vec<u8> {
    fields
        .iter()
        .map(|(k, v)| format!("{}: {}\r\n", clean(k), clean(v)))
        .collect::<String>()
        .into_bytes()
}

fn record_id() -> String {
    format!("<urn:uuid:{}>", Uuid::new_v4())
}

fn warc_date(date: DateTime<Utc>) -> String {
    let format = if date.nanosecond() == 0 {
        SecondsFormat::Secs
    } else {
        SecondsFormat::Micros
    };
    date.to_rfc3339_opts(format, true)
}

fn sha1_digest(bytes: &[u8]) -> String {
    format!("sha1:{}", BASE32.encode(&Sha1::digest(bytes)))
}

type Fields = Vec<(String, String)>;

/// The header block a reader accepts by default: real WARC and HTTP headers are a
/// few kilobytes, so a megabyte is generous and still bounds a hostile file.
pub(crate) const DEFAULT_MAX_HEADER_BYTES: u64 = 1024 * 1024;

/// The payload a reader reads by default, and what a compressed one may inflate to:
/// past it a payload is skipped (or left undecoded), so neither a huge record nor
/// a compression bomb inside a WARC costs more memory than this.
pub(crate) const DEFAULT_MAX_PAYLOAD_BYTES: u64 = 64 * 1024 * 1024;

/// What one record may make a [`WarcReader`] hold in memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ReadLimits {
    /// The WARC header block of a record, and the HTTP header section of a
    /// response, each.
    pub max_header_bytes: u64,
    /// A payload that is read, as stored and after content decoding.
    pub max_payload_bytes: u64,
}

impl Default for ReadLimits {
    fn default() -> Self {
        ReadLimits {
            max_header_bytes: DEFAULT_MAX_HEADER_BYTES,
            max_payload_bytes: DEFAULT_MAX_PAYLOAD_BYTES,
        }
    }
}

/// Whether the payload of a response with this status and these headers is
/// wanted; the payload of one that is not is skipped without being held.
pub(crate) type Wants = fn(u16, &[(String, String)]) -> bool;

/// An archived HTTP response (or `resource` record) read back from a WARC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchivedResponse {
    /// 0-based position of the record in the file, counting all record types.
    pub record_number: u64,
    /// The URL the response came from (`WARC-Target-URI`).
    pub target_uri: String,
    /// When it was captured (`WARC-Date`).
    pub date: Option<DateTime<Utc>>,
    /// A `conversion` record: a text rendering of the page (WET files).
    pub conversion: bool,
    /// The HTTP status; 200 for `resource` and `conversion` records, which
    /// have no HTTP envelope.
    pub status: u16,
    /// The HTTP response headers, in their order.
    pub headers: Vec<(String, String)>,
    /// The body, with chunking and gzip/deflate content coding undone where the recorded
    /// headers say they were applied (the matching headers are then left out of `headers`).
    // Empty when the reader's `Wants` passed it over.
    pub payload: Vec<u8>,
    /// Why the payload is still as stored though the headers say it was coded:
    /// its chunks are cut short, its gzip or deflate stream is corrupt, or it
    /// would inflate past the payload limit. It is then no page to read.
    pub undecoded: Option<String>,
}

/// Iterates `response` and `resource` records of a WARC, plain or gzip (detected by the
/// magic bytes, so stdin works), one record at a time. Other record types, and payloads
/// nobody wants, are skipped by reading past them in small pieces. After an error the
/// iteration ends, since record boundaries can no longer be trusted, except after
/// [`WarcError::PayloadTooLarge`], whose record was skipped whole.
pub struct WarcReader<'a> {
    input: Box<dyn BufRead + Send + 'a>,
    limits: ReadLimits,
    wants: Wants,
    number: u64,
    /// Bytes consumed from the uncompressed stream.
    offset: u64,
    /// Where the current record's version line starts; errors point there.
    record_start: u64,
    failed: bool,
}

impl<'a> WarcReader<'a> {
    /// A reader of `input`, plain or gzipped, that holds at most 1 MiB of a
    /// record's headers and 64 MiB of its payload.
    ///
    /// ```
    /// use harava::archive::warc::WarcReader;
    ///
    /// let http = "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n\
    ///             <h1>Kuntajohtajakokous 10.5.2017</h1>";
    /// let warc = format!(
    ///     "WARC/1.1\r\n\
    ///      WARC-Type: response\r\n\
    ///      WARC-Record-ID: <urn:uuid:8a3b4a9e-2f1c-4d5e-9b7a-1c2d3e4f5a6b>\r\n\
    ///      WARC-Date: 2019-06-01T12:00:00Z\r\n\
    ///      WARC-Target-URI: https://www.uusimaa2019.fi/muistiot/kuntajohtajakokous-10-5-2017/\r\n\
    ///      Content-Type: application/http; msgtype=response\r\n\
    ///      Content-Length: {}\r\n\r\n{http}\r\n\r\n",
    ///     http.len()
    /// );
    ///
    /// let responses: Vec<_> = WarcReader::new(warc.as_bytes())
    ///     .unwrap()
    ///     .collect::<Result<_, _>>()
    ///     .unwrap();
    /// assert_eq!(responses.len(), 1);
    /// let response = &responses[0];
    /// assert_eq!(
    ///     response.target_uri,
    ///     "https://www.uusimaa2019.fi/muistiot/kuntajohtajakokous-10-5-2017/"
    /// );
    /// assert_eq!(response.date.unwrap().to_rfc3339(), "2019-06-01T12:00:00+00:00");
    /// assert_eq!(response.status, 200);
    /// assert_eq!(response.payload, b"<h1>Kuntajohtajakokous 10.5.2017</h1>");
    /// ```
    pub fn new(mut input: impl BufRead + Send + 'a) -> Result<Self, WarcError> {
        let gzip = input
            .fill_buf()
            .map_err(|source| WarcError::Read {
                number: 0,
                offset: 0,
                source,
            })?
            .starts_with(&[0x1f, 0x8b]);
        let input: Box<dyn BufRead + Send + 'a> = if gzip {
            Box::new(BufReader::new(MultiGzDecoder::new(input)))
        } else {
            Box::new(input)
        };
        Ok(WarcReader {
            input,
            limits: ReadLimits::default(),
            wants: |_, _| true,
            number: 0,
            offset: 0,
            record_start: 0,
            failed: false,
        })
    }

    /// The same reader with other limits.
    pub(crate) fn with_limits(mut self, limits: ReadLimits) -> Self {
        self.limits = limits;
        self
    }

    /// The same reader, reading only the payloads `wants` asks for.
    pub(crate) fn wanting(mut self, wants: Wants) -> Self {
        self.wants = wants;
        self
    }

    fn read_error(&self, source: io::Error) -> WarcError {
        WarcError::Read {
            number: self.number,
            offset: self.record_start,
            source,
        }
    }

    fn malformed(&self, reason: impl Into<String>) -> WarcError {
        WarcError::Malformed {
            number: self.number,
            offset: self.record_start,
            reason: reason.into(),
        }
    }

    fn header_too_large(&self) -> WarcError {
        WarcError::HeaderTooLarge {
            number: self.number,
            offset: self.record_start,
            max: self.limits.max_header_bytes,
        }
    }

    /// The next line without its line ending, `None` at end of input. It counts
    /// against `budget`, the header bytes left, and fails past it: a line is never
    /// held whole when it is longer than the budget.
    fn line(&mut self, budget: &mut u64) -> Result<Option<String>, WarcError> {
        let mut raw = Vec::new();
        let n = (&mut self.input)
            .take(budget.saturating_add(1))
            .read_until(b'\n', &mut raw)
            .map_err(|e| self.read_error(e))? as u64;
        self.offset += n;
        if n > *budget {
            return Err(self.header_too_large());
        }
        *budget -= n;
        if n == 0 {
            return Ok(None);
        }
        while raw.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
            raw.pop();
        }
        Ok(Some(String::from_utf8_lossy(&raw).into_owned()))
    }

    /// Reads `length` bytes of the block into memory.
    fn read_block(&mut self, length: u64, already: u64, total: u64) -> Result<Vec<u8>, WarcError> {
        let mut bytes = Vec::with_capacity(length.min(1024 * 1024) as usize);
        let read = (&mut self.input)
            .take(length)
            .read_to_end(&mut bytes)
            .map_err(|e| self.read_error(e))? as u64;
        self.offset += read;
        if read < length {
            return Err(self.cut_short(already + read, total));
        }
        Ok(bytes)
    }

    /// Reads past `length` bytes of the block a few kilobytes at a time.
    fn skip_block(&mut self, length: u64, already: u64, total: u64) -> Result<(), WarcError> {
        let skipped = io::copy(&mut (&mut self.input).take(length), &mut io::sink())
            .map_err(|e| self.read_error(e))?;
        self.offset += skipped;
        if skipped < length {
            return Err(self.cut_short(already + skipped, total));
        }
        Ok(())
    }

    fn cut_short(&self, read: u64, length: u64) -> WarcError {
        self.malformed(format!("the block is cut short: {read} of {length} bytes"))
    }

    /// The next record: `Some(None)` for one of a type that is not returned.
    fn next_record(&mut self) -> Result<Option<Option<ArchivedResponse>>, WarcError> {
        let mut budget;
        let version = loop {
            self.record_start = self.offset;
            budget = self.limits.max_header_bytes;
            match self.line(&mut budget)? {
                None => return Ok(None),
                Some(line) if line.trim().is_empty() => continue,
                Some(line) => break line,
            }
        };
        if !version.starts_with("WARC/1.") {
            return Err(self.malformed(format!(
                "expected a WARC/1.x version line, found {:?}",
                excerpt(&version)
            )));
        }
        let mut fields: Fields = Vec::new();
        loop {
            let Some(line) = self.line(&mut budget)? else {
                return Err(self.malformed("the file ends inside the record header"));
            };
            if line.is_empty() {
                break;
            }
            if line.starts_with([' ', '\t']) {
                if let Some((_, value)) = fields.last_mut() {
                    value.push(' ');
                    value.push_str(line.trim());
                }
                continue;
            }
            let Some((name, value)) = line.split_once(':') else {
                return Err(
                    self.malformed(format!("header line without a colon: {:?}", excerpt(&line)))
                );
            };
            fields.push((name.trim().to_owned(), value.trim().to_owned()));
        }
        let length: u64 = field(&fields, "Content-Length")
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| self.malformed("missing or invalid Content-Length"))?;
        let target_uri = field(&fields, "WARC-Target-URI")
            .unwrap_or_default()
            .trim_matches(['<', '>'])
            .to_owned();
        let date = field(&fields, "WARC-Date")
            .and_then(|d| DateTime::parse_from_rfc3339(d).ok())
            .map(|d| d.with_timezone(&Utc));
        let conversion = field(&fields, "WARC-Type") == Some("conversion");
        let (status, headers, head_length) = match field(&fields, "WARC-Type").unwrap_or_default() {
            "resource" | "conversion" => {
                let headers = field(&fields, "Content-Type")
                    .map(|t| vec![("Content-Type".to_owned(), t.to_owned())])
                    .unwrap_or_default();
                (200, headers, 0)
            }
            "response" => self.http_head(length)?,
            _ => {
                self.skip_block(length, 0, length)?;
                return Ok(Some(None));
            }
        };
        let payload_length = length - head_length;
        if !(self.wants)(status, &headers) {
            self.skip_block(payload_length, head_length, length)?;
            return Ok(Some(Some(ArchivedResponse {
                conversion,
                record_number: self.number,
                target_uri,
                date,
                status,
                headers,
                payload: Vec::new(),
                undecoded: None,
            })));
        }
        if payload_length > self.limits.max_payload_bytes {
            self.skip_block(payload_length, head_length, length)?;
            return Err(WarcError::PayloadTooLarge {
                number: self.number,
                offset: self.record_start,
                target_uri: excerpt(&target_uri).to_owned(),
                length: payload_length,
                max: self.limits.max_payload_bytes,
            });
        }
        let payload = self.read_block(payload_length, head_length, length)?;
        let (headers, payload, undecoded) = if head_length > 0 {
            decode_payload(headers, payload, self.limits.max_payload_bytes)
        } else {
            (headers, payload, None)
        };
        Ok(Some(Some(ArchivedResponse {
            conversion,
            record_number: self.number,
            target_uri,
            date,
            status,
            headers,
            payload,
            undecoded,
        })))
    }

    /// Reads the HTTP status line and headers at the start of a response block of
    /// `length` bytes: the status, the headers, and how many bytes they took.
    fn http_head(&mut self, length: u64) -> Result<HttpHead, WarcError> {
        let not_http =
            |reader: &Self| reader.malformed("the response block is not an HTTP response");
        let cap = self.limits.max_header_bytes;
        let mut budget = length.min(cap);
        let line = |reader: &mut Self, budget: &mut u64| match reader.line(budget) {
            // Past the block's end the line is cut by the block, not by the cap.
            Err(WarcError::HeaderTooLarge { .. }) if length <= cap => Ok(None),
            other => other,
        };
        let status_line = line(self, &mut budget)?.ok_or_else(|| not_http(self))?;
        let mut parts = status_line.split_whitespace();
        if !parts.next().is_some_and(|p| p.starts_with("HTTP/")) {
            return Err(not_http(self));
        }
        let status = parts
            .next()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| not_http(self))?;
        let mut headers = Vec::new();
        loop {
            let Some(line) = line(self, &mut budget)? else {
                return Err(not_http(self));
            };
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                headers.push((name.trim().to_owned(), value.trim().to_owned()));
            }
        }
        Ok((status, headers, length.min(cap) - budget))
    }
}

type HttpHead = (u16, Vec<(String, String)>, u64);

/// At most 200 bytes of a text from the input, for a message.
fn excerpt(text: &str) -> &str {
    &text[..text.floor_char_boundary(200)]
}

impl Iterator for WarcReader<'_> {
    type Item = Result<ArchivedResponse, WarcError>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.failed {
            let result = self.next_record();
            self.number += 1;
            match result {
                Ok(None) => return None,
                Ok(Some(None)) => continue,
                Ok(Some(Some(response))) => return Some(Ok(response)),
                Err(e) => {
                    self.failed = !matches!(e, WarcError::PayloadTooLarge { .. });
                    return Some(Err(e));
                }
            }
        }
        None
    }
}

fn field<'f>(fields: &'f [(String, String)], name: &str) -> Option<&'f str> {
    fields
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Undo chunking and gzip/deflate coding that other tools' WARCs keep as sent. A body that
/// fails to decode, or would inflate past `max_bytes`, is returned as stored, headers
/// included, with why.
fn decode_payload(
    mut headers: Vec<(String, String)>,
    mut body: Vec<u8>,
    max_bytes: u64,
) -> (Vec<(String, String)>, Vec<u8>, Option<String>) {
    let is = |headers: &[(String, String)], name: &str, value: &str| {
        field(headers, name).is_some_and(|v| v.eq_ignore_ascii_case(value))
    };
    // Some tools store a body decoded under the headers it was sent with: one
    // that does not start as its coding does is read as stored, as warcio
    // reads it.
    if is(&headers, "Transfer-Encoding", "chunked") {
        match dechunk(&body) {
            Some(plain) => {
                body = plain;
                headers.retain(|(n, _)| !n.eq_ignore_ascii_case("Transfer-Encoding"));
            }
            None if starts_with_a_chunk_size(&body) => {
                let why = "its chunked body is cut short or malformed".to_string();
                return (headers, body, Some(why));
            }
            None => {}
        }
    }
    let coding = field(&headers, "Content-Encoding").map(str::to_ascii_lowercase);
    let decoded = match coding.as_deref() {
        Some(coding @ ("gzip" | "x-gzip")) => {
            Some((coding, read_all(GzDecoder::new(&body[..]), max_bytes)))
        }
        // "deflate" is zlib-wrapped per RFC 9110, but some servers send raw deflate.
        Some(coding @ "deflate") => Some((
            coding,
            read_all(ZlibDecoder::new(&body[..]), max_bytes).or_else(|why| match why {
                Inflated::Corrupt => read_all(DeflateDecoder::new(&body[..]), max_bytes),
                Inflated::TooLarge => Err(why),
            }),
        )),
        _ => None,
    };
    let undecoded = match decoded {
        Some((_, Ok(plain))) => {
            body = plain;
            headers.retain(|(n, _)| !n.eq_ignore_ascii_case("Content-Encoding"));
            None
        }
        Some((coding, Err(Inflated::TooLarge))) => Some(format!(
            "its {coding} body inflates past {max_bytes} bytes (--max-input-bytes)"
        )),
        Some((coding, Err(Inflated::Corrupt))) if starts_as_coded(&body) => {
            Some(format!("its {coding} body does not decode"))
        }
        Some((_, Err(Inflated::Corrupt))) | None => None,
    };
    (headers, body, undecoded)
}

/// Whether `body` starts as a chunked body does: a hexadecimal size, maybe
/// extensions, and a line end.
fn starts_with_a_chunk_size(body: &[u8]) -> bool {
    let line = body.split(|&b| b == b'\n').next().unwrap_or_default();
    let size = line
        .split(|&b| b == b';' || b == b'\r')
        .next()
        .unwrap_or_default();
    line.len() < body.len() && !size.is_empty() && size.iter().all(u8::is_ascii_hexdigit)
}

/// Whether `body` starts with a gzip or zlib header (raw deflate has none to
/// tell it by).
fn starts_as_coded(body: &[u8]) -> bool {
    match body {
        [0x1f, 0x8b, ..] => true,
        [cmf, flg, ..] => cmf & 0x0f == 8 && ((u16::from(*cmf) << 8) | u16::from(*flg)) % 31 == 0,
        _ => false,
    }
}

/// Why a coded body was not decoded.
#[derive(Debug, PartialEq, Eq)]
enum Inflated {
    TooLarge,
    Corrupt,
}

fn read_all(reader: impl Read, max_bytes: u64) -> Result<Vec<u8>, Inflated> {
    let mut out = Vec::new();
    reader
        .take(max_bytes.saturating_add(1))
        .read_to_end(&mut out)
        .map_err(|_| Inflated::Corrupt)?;
    if out.len() as u64 > max_bytes {
        return Err(Inflated::TooLarge);
    }
    Ok(out)
}

fn dechunk(mut body: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = body.windows(2).position(|w| w == b"\r\n")?;
        let size_text = std::str::from_utf8(&body[..line_end]).ok()?;
        let size_text = size_text.split(';').next()?.trim();
        let size = usize::from_str_radix(size_text, 16).ok()?;
        body = &body[line_end + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(body.get(..size)?);
        body = body.get(size..)?.strip_prefix(b"\r\n")?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use flate2::write::GzEncoder;

    fn exchange(url: &str, body: &[u8]) -> Exchange {
        Exchange {
            url: url.to_owned(),
            date: Utc.with_ymd_and_hms(2026, 11, 23, 9, 37, 7).unwrap(),
            method: "GET".to_owned(),
            request_headers: vec![("User-Agent".into(), "harava-test".into())],
            request_body: Vec::new(),
            status: 200,
            reason: "OK".into(),
            response_headers: vec![
                ("Content-Type".into(), "text/html; charset=utf-8".into()),
                ("Content-Encoding".into(), "gzip".into()),
                ("Transfer-Encoding".into(), "chunked".into()),
                ("Content-Length".into(), "12".into()),
            ],
            body: body.to_vec(),
            truncated: false,
        }
    }

    fn options() -> Vec<(String, String)> {
        vec![("harava-seed".into(), "https://www.uusimaa2019.fi/".into())]
    }

    fn write(gzip: bool, exchanges: &[Exchange]) -> Vec<u8> {
        let mut w = WarcWriter::new(Vec::new(), gzip, Some("t.warc"), &options()).unwrap();
        for e in exchanges {
            w.write_exchange(e).unwrap();
        }
        w.finish().unwrap()
    }

    fn read(bytes: &[u8]) -> Vec<ArchivedResponse> {
        WarcReader::new(bytes)
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    #[test]
    fn round_trip_plain_and_gzip() {
        let exchanges = [
            exchange(
                "https://www.uusimaa2019.fi/poytakirjat?vuosi=2017",
                "Pöytäkirja".as_bytes(),
            ),
            exchange(
                "https://www.uusimaa2019.fi/liite.pdf",
                b"%PDF-1.4\r\n\r\n\x00\xff",
            ),
            exchange("https://www.uusimaa2019.fi/tyhja", b""),
        ];
        for gzip in [false, true] {
            let bytes = write(gzip, &exchanges);
            assert_eq!(bytes.starts_with(&[0x1f, 0x8b]), gzip);
            let got = read(&bytes);
            assert_eq!(got.len(), 3);
            for (i, (r, e)) in got.iter().zip(&exchanges).enumerate() {
                assert_eq!(r.record_number, 1 + 2 * i as u64);
                assert_eq!(r.target_uri, e.url);
                assert_eq!(r.date, Some(e.date));
                assert_eq!(r.status, 200);
                assert_eq!(r.payload, e.body);
                assert_eq!(
                    r.headers,
                    vec![
                        (
                            "Content-Type".to_owned(),
                            "text/html; charset=utf-8".to_owned()
                        ),
                        ("Content-Length".to_owned(), e.body.len().to_string()),
                    ]
                );
            }
        }
    }

    #[test]
    fn gzip_is_one_member_per_record() {
        let bytes = write(true, &[exchange("https://a.fi/", b"x")]);
        let mut members = 0;
        let mut rest = &bytes[..];
        while !rest.is_empty() {
            let mut decoder = flate2::bufread::GzDecoder::new(rest);
            let mut record = Vec::new();
            decoder.read_to_end(&mut record).unwrap();
            assert!(record.starts_with(b"WARC/1.1\r\n"));
            assert!(record.ends_with(b"\r\n\r\n"));
            rest = decoder.into_inner();
            members += 1;
        }
        assert_eq!(members, 3, "warcinfo, response, request");
    }

    #[test]
    fn a_reused_compressor_writes_what_a_new_gz_encoder_writes() {
        let mut compress = Compress::new(Compression::default(), false);
        // Text that compresses well, bytes that do not, and nothing.
        let text = "Kuntajohtajakokous 10.5.2017 ".repeat(5000).into_bytes();
        let noise: Vec<u8> = (0..300_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        for data in [&text[..], &noise[..], b"", &text[..100]] {
            let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
            encoder.write_all(data).unwrap();
            let expected = encoder.finish().unwrap();
            assert_eq!(gzip_member(&mut compress, data).unwrap(), expected);
        }
    }

    #[test]
    fn records_have_expected_fields() {
        let bytes = write(false, &[exchange("https://a.fi/p?q=1", b"hello")]);
        let text = String::from_utf8(bytes).unwrap();
        let records: Vec<&str> = text.split("WARC/1.1\r\n").skip(1).collect();
        assert_eq!(records.len(), 3);
        let value = |record: &str, name: &str| -> String {
            record
                .lines()
                .find_map(|l| l.strip_prefix(&format!("{name}: ")))
                .unwrap_or_else(|| panic!("{name} missing in {record}"))
                .to_owned()
        };
        let info_id = value(records[0], "WARC-Record-ID");
        assert!(records[0].contains(concat!("software: ", env!("CARGO_PKG_NAME"), "/")));
        assert!(records[0].contains("harava-seed: https://www.uusimaa2019.fi/\r\n"));
        assert_eq!(value(records[0], "WARC-Filename"), "t.warc");
        let (response, request) = (records[1], records[2]);
        assert_eq!(
            value(response, "WARC-Concurrent-To"),
            value(request, "WARC-Record-ID")
        );
        assert_eq!(
            value(request, "WARC-Concurrent-To"),
            value(response, "WARC-Record-ID")
        );
        assert_eq!(value(response, "WARC-Warcinfo-ID"), info_id);
        assert_eq!(value(response, "WARC-Date"), "2026-11-23T09:37:07Z");
        assert_eq!(
            value(response, "Content-Type"),
            "application/http; msgtype=response"
        );
        assert_eq!(
            value(request, "Content-Type"),
            "application/http; msgtype=request"
        );
        // sha1("hello") in base32
        assert_eq!(
            value(response, "WARC-Payload-Digest"),
            "sha1:VL2MMHO4YXUKFWV63YHTWSBM3GXKSQ2N"
        );
        assert!(
            request
                .contains("GET /p?q=1 HTTP/1.1\r\nHost: a.fi\r\nUser-Agent: harava-test\r\n\r\n")
        );
        assert!(!response.contains("Content-Encoding") && !response.contains("Transfer-Encoding"));
        assert!(response.contains("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 5\r\n\r\nhello\r\n\r\n"));
        assert!(!response.contains("WARC-Truncated"));
        let cut = Exchange {
            truncated: true,
            ..exchange("https://a.fi/robots.txt", b"User-agent: *\n")
        };
        let text = String::from_utf8(write(false, &[cut])).unwrap();
        assert!(text.contains("\r\nWARC-Truncated: length\r\n"), "{text}");
    }

    #[test]
    fn warc_date_table() {
        let cases = [
            (
                Utc.with_ymd_and_hms(2017, 9, 13, 0, 0, 1).unwrap(),
                "2017-09-13T00:00:01Z",
            ),
            (
                Utc.timestamp_opt(1_505_260_801, 250_000_000).unwrap(),
                "2017-09-13T00:00:01.250000Z",
            ),
        ];
        for (date, expected) in cases {
            assert_eq!(warc_date(date), expected);
        }
    }

    #[test]
    fn reads_foreign_records() {
        let chunked_gzip = {
            let mut e = GzEncoder::new(Vec::new(), Compression::default());
            e.write_all(b"pakattu").unwrap();
            let gz = e.finish().unwrap();
            let mut block =
                b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n"
                    .to_vec();
            block.extend_from_slice(format!("{:x}\r\n", gz.len()).as_bytes());
            block.extend_from_slice(&gz);
            block.extend_from_slice(b"\r\n0\r\n\r\n");
            block
        };
        let record = |kind: &str, extra: &str, block: &[u8]| {
            let mut r = format!("WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Target-URI: <http://a.fi/{kind}>\r\nWARC-Date: 2017-09-13T00:00:00Z\r\n{extra}Content-Length: {}\r\n\r\n", block.len()).into_bytes();
            r.extend_from_slice(block);
            r.extend_from_slice(b"\r\n\r\n");
            r
        };
        let mut file = record("warcinfo", "", b"software: x\r\n");
        file.extend(record("request", "", b"GET / HTTP/1.1\r\n\r\n"));
        file.extend(record("response", "", &chunked_gzip));
        file.extend(record(
            "resource",
            "Content-Type: application/pdf\r\n",
            b"%PDF",
        ));
        file.extend(record("metadata", "", b"x: y\r\n"));
        let got = read(&file);
        let summary: Vec<(u64, &str, u16, &[u8], usize)> = got
            .iter()
            .map(|r| {
                (
                    r.record_number,
                    r.target_uri.as_str(),
                    r.status,
                    &r.payload[..],
                    r.headers.len(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                (2, "http://a.fi/response", 200, &b"pakattu"[..], 0),
                (3, "http://a.fi/resource", 200, &b"%PDF"[..], 1),
            ]
        );
    }

    #[test]
    fn errors_name_the_record_table() {
        let good = write(false, &[exchange("https://a.fi/", b"x")]);
        let truncated = &good[..good.len() - 20];
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (
                b"not a warc\r\n".to_vec(),
                "WARC record 0 (byte 0 of the uncompressed stream) is malformed: expected a WARC/1.x version line",
            ),
            (
                b"WARC/1.1\r\nWARC-Type: response\r\n\r\n".to_vec(),
                "WARC record 0 (byte 0 of the uncompressed stream) is malformed: missing or invalid Content-Length",
            ),
            (
                b"WARC/1.1\r\nWARC-Type: response\r\nContent-Length: 5\r\n\r\nHTTP/".to_vec(),
                "WARC record 0 (byte 0 of the uncompressed stream) is malformed: the response block is not an HTTP response",
            ),
            (truncated.to_vec(), "the block is cut short: 39 of 55 bytes"),
            (
                b"WARC/1.1\r\nbroken\r\n".to_vec(),
                "header line without a colon",
            ),
            (
                [&b"WARC/1.1\r\nX: "[..], &[b'a'; 1 << 20]].concat(),
                "WARC record 0 (byte 0 of the uncompressed stream) has a header block or header line of more than 1048576 bytes",
            ),
            (
                [&b"WARC/1.1\r\nWARC-Type: response\r\nContent-Length: 2000000\r\n\r\nHTTP/1.1 200 OK\r\nX: "[..], &[b'a'; 1 << 20]].concat(),
                "WARC record 0 (byte 0 of the uncompressed stream) has a header block or header line of more than 1048576 bytes",
            ),
        ];
        for (bytes, message) in cases {
            let mut reader = WarcReader::new(&bytes[..]).unwrap();
            let err = reader
                .find_map(Result::err)
                .unwrap_or_else(|| panic!("no error for {message}"))
                .to_string();
            assert!(err.contains(message), "{err}");
            assert!(reader.next().is_none());
        }
    }

    #[test]
    fn a_payload_that_does_not_decode_is_left_as_stored_with_why() {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), Compression::fast());
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..(DEFAULT_MAX_PAYLOAD_BYTES >> 20) + 1 {
            encoder.write_all(&zeros).unwrap();
        }
        let bomb = encoder.finish().unwrap();
        let headers = vec![("Content-Encoding".to_string(), "gzip".to_string())];
        let (kept, body, why) =
            decode_payload(headers.clone(), bomb.clone(), DEFAULT_MAX_PAYLOAD_BYTES);
        assert_eq!(kept, headers, "still marked as compressed");
        assert_eq!(body, bomb);
        assert_eq!(
            why.as_deref(),
            Some("its gzip body inflates past 67108864 bytes (--max-input-bytes)")
        );
        let small = {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), Compression::fast());
            e.write_all(b"<p>ok</p>").unwrap();
            e.finish().unwrap()
        };
        assert_eq!(
            decode_payload(headers.clone(), small.clone(), DEFAULT_MAX_PAYLOAD_BYTES),
            (vec![], b"<p>ok</p>".to_vec(), None)
        );
        let corrupt = small[..small.len() / 2].to_vec();
        assert_eq!(
            decode_payload(headers.clone(), corrupt, DEFAULT_MAX_PAYLOAD_BYTES)
                .2
                .as_deref(),
            Some("its gzip body does not decode")
        );
        let chunked = vec![("Transfer-Encoding".to_string(), "chunked".to_string())];
        let (_, _, why) = decode_payload(
            chunked.clone(),
            b"5\r\nhel".to_vec(),
            DEFAULT_MAX_PAYLOAD_BYTES,
        );
        assert_eq!(
            why.as_deref(),
            Some("its chunked body is cut short or malformed")
        );
        // Bodies stored decoded under the headers they were sent with are read
        // as stored.
        let page = b"<html><p>kokous</p>".to_vec();
        for coded in [chunked, headers] {
            assert_eq!(
                decode_payload(coded.clone(), page.clone(), DEFAULT_MAX_PAYLOAD_BYTES),
                (coded, page.clone(), None)
            );
        }
    }

    #[test]
    fn dechunk_table() {
        let cases: &[(&[u8], Option<&[u8]>)] = &[
            (b"5\r\nhello\r\n0\r\n\r\n", Some(b"hello")),
            (b"2;ext=1\r\nhe\r\n3\r\nllo\r\n0\r\n\r\n", Some(b"hello")),
            (b"0\r\n\r\n", Some(b"")),
            (b"5\r\nhel", None),
            (b"zz\r\n", None),
        ];
        for (input, expected) in cases {
            assert_eq!(dechunk(input).as_deref(), *expected, "{input:?}");
        }
    }

    #[test]
    fn create_writes_a_file_that_reads_back() {
        let dir = std::env::temp_dir().join(format!("harava-warc-{}", Uuid::new_v4()));
        std::fs::create_dir(&dir).unwrap();
        for name in ["a.warc.gz", "a.warc"] {
            let path = dir.join(name);
            let mut w = WarcWriter::create(&path, &options()).unwrap();
            w.write_exchange(&exchange("https://a.fi/", b"x")).unwrap();
            w.finish().unwrap().commit().unwrap();
            let bytes = std::fs::read(&path).unwrap();
            assert_eq!(
                bytes.starts_with(&[0x1f, 0x8b]),
                name.ends_with(".gz"),
                "{name}"
            );
            assert_eq!(read(&bytes).len(), 1);
        }
        let err = WarcWriter::create(&dir.join("no/such/dir.warc"), &[])
            .err()
            .unwrap();
        assert!(err.to_string().contains("check that its directory exists"));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
