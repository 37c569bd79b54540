//! WACZ 1.1.1 packages: a WARC, its index, its pages and harava's records in one ZIP file that
//! replay tools (ReplayWeb.page, pywb) open and `wacz validate` accepts.
//!
//! What the other side reads (WACZ 1.1.1 specification; py-wacz 0.6's validator):
//!
//! * `archive/NAME.warc.gz`: the WARC, **stored** (not deflated) so that a reader can seek to a
//!   record's offset inside the ZIP without inflating everything before it.
//! * `indexes/index.cdx`: the CDXJ index of the WARC ([`crate::archive::cdxj`]).
//! * `pages/pages.jsonl`: a header line `{"format": "json-pages-1.0", "id": "pages", "title":
//!   …}`, then one line per page a reader may start from, with `id`, `url`, `ts` (RFC 3339),
//!   `title` and `seed`. harava lists every HTML page it fetched with status 200 — the listing
//!   pages and the meetings' detail pages — as seeds, titled by their `<title>`.
//! * `records/records.jsonl`: harava's records, the dataset the archive backs.
//! * `datapackage.json` (a Frictionless Data Package): `profile` `"data-package"`,
//!   `resources` (every other file of the package with `name`, `path`, `hash` — `sha256:` +
//!   hex — and `bytes`), `wacz_version` `"1.1.1"`, `title`, `created`, `software`. The
//!   validator insists that every file in the ZIP be listed, with a name matching
//!   `[-a-z0-9._/]+` and at most one directory deep. harava adds its run manifest under the
//!   key `harava` ([`crate::manifest`]).
//! * `datapackage-digest.json`: `{"path": "datapackage.json", "hash": "sha256:…"}`, which
//!   makes the hashes above tamper-evident as a whole.
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, Write};
use std::path::Path;

use chrono::{DateTime, Datelike, Timelike, Utc};
use serde_json::{Value, json};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

use crate::archive::cdxj::{self, Capture};
use crate::archive::warc::{Exchange, Written};
use crate::error::Error;
use crate::manifest::{self, Checked, Manifest, Outcome};
use crate::output_file::PendingFile;

pub(crate) const WACZ_VERSION: &str = "1.1.1";
pub(crate) const INDEX_PATH: &str = "indexes/index.cdx";
pub(crate) const PAGES_PATH: &str = "pages/pages.jsonl";
pub(crate) const RECORDS_PATH: &str = "records/records.jsonl";
const DATAPACKAGE: &str = "datapackage.json";
const DATAPACKAGE_DIGEST: &str = "datapackage-digest.json";

/// What went into a package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Packed {
    pub captures: usize,
    pub pages: usize,
    pub records: u64,
}

/// A capture the crawl indexed as it wrote the WARC, with its page's title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Indexed {
    pub capture: Capture,
    pub title: Option<String>,
}

impl Indexed {
    /// The index entry of a response written at `written`, for a WACZ of the file.
    pub(crate) fn of(exchange: &Exchange, written: &Written) -> Option<Indexed> {
        let date = chrono::DateTime::parse_from_rfc3339(&written.date)
            .ok()?
            .with_timezone(&Utc);
        let mime = exchange
            .response_headers
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case("content-type"))
            .and_then(|(_, value)| value.split([';', ' ', '\t']).next())
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty());
        let capture = Capture {
            url: exchange.url.clone(),
            date,
            mime,
            status: exchange.status,
            digest: written.payload_digest.clone(),
            offset: written.offset,
            length: written.length,
        };
        let title = Pages::lists(&capture)
            .then(|| title(&exchange.body))
            .flatten();
        Some(Indexed { capture, title })
    }
}

/// Write `output` (under a temporary name beside it until complete) from the WARC at `warc`
/// and the records at `records`, titled `title`, with `run` as its manifest. `indexed` is
/// the WARC's index when the crawl kept it while writing (then the WARC is not read back
/// to index it, only copied in).
pub(crate) fn pack(
    warc: &Path,
    records: &Path,
    output: &Path,
    title: &str,
    run: &Manifest,
    indexed: Option<Vec<Indexed>>,
) -> Result<Packed, Error> {
    let mut pages = Pages::new();
    let captures = match indexed {
        Some(indexed) => indexed
            .into_iter()
            .map(|Indexed { capture, title }| {
                pages.add_titled(&capture, title);
                capture
            })
            .collect(),
        None => cdxj::index_warc(warc, |capture, response| {
            pages.add(capture, &response.payload)
        })
        .map_err(|e| Error::Snapshot {
            message: format!("cannot index the WARC for the WACZ: {e}"),
        })?,
    };
    let warc_name = archive_name(warc);
    let index = cdxj::index_text(&captures, &warc_name);
    let (pages, page_count) = (pages.text, pages.count);
    let record_count = count_records(records)?;
    let mut run = run.clone();
    run.counts
        .insert("wacz_captures".to_owned(), captures.len() as u64);
    run.counts
        .insert("wacz_pages".to_owned(), page_count as u64);
    run.counts.insert("wacz_records".to_owned(), record_count);

    let write_error = |e: &dyn std::fmt::Display| Error::Snapshot {
        message: format!(
            "{}: cannot write the WACZ: {e}; check that its directory exists, is writable and has room",
            output.display()
        ),
    };
    // Written like every other output: under a temporary name, renamed into place
    // (through a symlink, with the umask's mode), or straight into a device.
    let temp = PendingFile::create(output).map_err(|e| write_error(&e))?;
    let created = Utc::now();
    let mut zip = ZipWriter::new(temp);
    let mut resources = Vec::new();
    let mut add = |zip: &mut ZipWriter<_>, path: String, reader: &mut dyn Read| {
        let (hash, bytes) = add_file(zip, &path, reader, created)?;
        resources.push(json!({
            "name": Path::new(&path).file_name().map(|n| n.to_string_lossy().to_lowercase()),
            "path": path,
            "hash": hash,
            "bytes": bytes,
        }));
        Ok::<_, io::Error>(())
    };
    let open = |path: &Path| {
        File::open(path).map_err(|source| Error::Read {
            path: path.display().to_string(),
            source,
        })
    };
    add(
        &mut zip,
        format!("archive/{warc_name}"),
        &mut BufReader::new(open(warc)?),
    )
    .map_err(|e| write_error(&e))?;
    add(&mut zip, INDEX_PATH.to_owned(), &mut index.as_bytes()).map_err(|e| write_error(&e))?;
    add(&mut zip, PAGES_PATH.to_owned(), &mut pages.as_bytes()).map_err(|e| write_error(&e))?;
    add(
        &mut zip,
        RECORDS_PATH.to_owned(),
        &mut BufReader::new(open(records)?),
    )
    .map_err(|e| write_error(&e))?;

    let datapackage = json!({
        "profile": "data-package",
        "resources": resources,
        "wacz_version": WACZ_VERSION,
        "title": title,
        "created": manifest::timestamp(created),
        "software": manifest::software(),
        "harava": run,
    });
    let datapackage = serde_json::to_string_pretty(&datapackage).expect("JSON serializes");
    let digest = serde_json::to_string_pretty(&json!({
        "path": DATAPACKAGE,
        "hash": manifest::sha256_hex(datapackage.as_bytes()),
    }))
    .expect("JSON serializes");
    add_file(&mut zip, DATAPACKAGE, &mut datapackage.as_bytes(), created)
        .and_then(|_| {
            add_file(
                &mut zip,
                DATAPACKAGE_DIGEST,
                &mut digest.as_bytes(),
                created,
            )
        })
        .map_err(|e| write_error(&e))?;
    let temp = zip.finish().map_err(|e| write_error(&e))?;
    temp.commit().map_err(|e| write_error(&e))?;
    Ok(Packed {
        captures: captures.len(),
        pages: page_count,
        records: record_count,
    })
}

/// The WARC's name inside the package, lowercased and with anything the Data Package name
/// pattern forbids replaced, since the validator requires resource names to match it.
fn archive_name(warc: &Path) -> String {
    let name = warc
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_else(|| "data.warc.gz".to_owned());
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_') {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// Store `reader` as `path` in the ZIP, returning its hash and size.
fn add_file<W: Write + Seek>(
    zip: &mut ZipWriter<W>,
    path: &str,
    reader: &mut dyn Read,
    time: DateTime<Utc>,
) -> io::Result<(String, u64)> {
    let time = zip::DateTime::from_date_and_time(
        time.year().clamp(1980, 2107) as u16,
        time.month() as u8,
        time.day() as u8,
        time.hour() as u8,
        time.minute() as u8,
        time.second() as u8,
    )
    .unwrap_or_default();
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Stored)
        .last_modified_time(time)
        .large_file(true);
    zip.start_file(path, options)?;
    let mut tee = Tee {
        reader,
        out: &mut *zip,
    };
    manifest::hash_reader(&mut tee)
}

/// Copies what it reads into `out`, so one pass both stores and hashes a file.
struct Tee<'a, W: Write> {
    reader: &'a mut dyn Read,
    out: &'a mut W,
}

impl<W: Write> Read for Tee<'_, W> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.reader.read(buf)?;
        self.out.write_all(&buf[..n])?;
        Ok(n)
    }
}

/// How many records the file at `path` holds, each line checked to be one (a
/// JSON object with a string `id`, ended by a newline), so that a package never
/// holds a dataset that is not one.
fn count_records(path: &Path) -> Result<u64, Error> {
    let read_error = |source| Error::Read {
        path: path.display().to_string(),
        source,
    };
    let not_records = |line: u64, why: String| Error::Snapshot {
        message: format!(
            "{} line {line}: {why}; give the records file the crawl wrote (-o)",
            path.display()
        ),
    };
    let mut reader = BufReader::new(File::open(path).map_err(read_error)?);
    let mut line = Vec::new();
    let mut count = 0;
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line).map_err(read_error)? == 0 {
            return Ok(count);
        }
        count += 1;
        let Some(text) = line.strip_suffix(b"\n") else {
            return Err(not_records(
                count,
                "it is cut short (no newline ends it)".into(),
            ));
        };
        let is_record = match serde_json::from_slice::<serde_json::Value>(text) {
            Ok(value) => value.get("id").is_some_and(serde_json::Value::is_string),
            Err(e) => return Err(not_records(count, format!("not JSON ({e})"))),
        };
        if !is_record {
            return Err(not_records(count, "not a record (no string \"id\")".into()));
        }
    }
}

/// `pages/pages.jsonl` as it is built, and how many pages it lists.
struct Pages {
    text: String,
    count: usize,
}

impl Pages {
    fn new() -> Pages {
        let header = json!({"format": "json-pages-1.0", "id": "pages", "title": "All Pages"});
        Pages {
            text: format!("{header}\n"),
            count: 0,
        }
    }

    /// Whether a capture is a page to list: an HTML page that was there (status 200).
    fn lists(capture: &Capture) -> bool {
        matches!(
            capture.mime.as_deref(),
            Some("text/html" | "application/xhtml+xml")
        ) && capture.status == 200
    }

    /// List `capture` when it is a page, titled by its payload's `<title>`.
    fn add(&mut self, capture: &Capture, payload: &[u8]) {
        if Pages::lists(capture) {
            self.add_titled(capture, title(payload));
        }
    }

    /// List `capture` when it is a page, with the `title` found when it was written.
    fn add_titled(&mut self, capture: &Capture, title: Option<String>) {
        if !Pages::lists(capture) {
            return;
        }
        let ts = manifest::timestamp(capture.date);
        let id = manifest::sha256_hex(format!("{ts} {}", capture.url).as_bytes());
        let page = json!({
            "id": &id["sha256:".len().."sha256:".len() + 32],
            "url": capture.url,
            "ts": ts,
            "title": title.unwrap_or_else(|| capture.url.clone()),
            "seed": true,
        });
        self.text.push_str(&format!("{page}\n"));
        self.count += 1;
    }
}

/// The text of a page's `<title>`, found by a scan rather than an HTML parse: packing runs
/// after every crawl with `--wacz`, and a full parse of every page would cost about as much
/// as the extraction did.
fn title(payload: &[u8]) -> Option<String> {
    let head = &payload[..payload.len().min(64 * 1024)];
    let lower = head.to_ascii_lowercase();
    let find = |needle: &[u8], from: usize| {
        lower[from..]
            .windows(needle.len())
            .position(|w| w == needle)
            .map(|p| p + from)
    };
    let open = find(b"<title", 0)?;
    let start = find(b">", open)? + 1;
    let end = find(b"</title", start)?;
    let raw = String::from_utf8_lossy(&head[start..end]);
    let text = crate::text::collapse_whitespace(&unescape(&raw));
    (!text.is_empty()).then_some(text)
}

/// The character references titles use; anything else is left as written.
fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let Some(semi) = rest.find(';').filter(|s| *s <= 10) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..semi];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some('\u{a0}'),
            _ => entity
                .strip_prefix("#x")
                .or_else(|| entity.strip_prefix("#X"))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Check a package: `datapackage.json` against `datapackage-digest.json`, and every resource
/// it lists against its recorded hash and size. Names are `PACKAGE:PATH`.
pub(crate) fn verify(path: &Path) -> Result<Vec<Checked>, Error> {
    let not_a_package = |e: &dyn std::fmt::Display| Error::Snapshot {
        message: format!(
            "{}: not a readable WACZ ({e}); give a .wacz file harava or py-wacz wrote, or a manifest",
            path.display()
        ),
    };
    let file = File::open(path).map_err(|source| Error::Read {
        path: path.display().to_string(),
        source,
    })?;
    let mut zip = ZipArchive::new(BufReader::new(file)).map_err(|e| not_a_package(&e))?;
    let name = |inner: &str| format!("{}:{inner}", path.display());
    let mut read = |inner: &str| -> io::Result<Vec<u8>> {
        let mut entry = zip.by_name(inner).map_err(zip_error)?;
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes)?;
        Ok(bytes)
    };
    let datapackage = read(DATAPACKAGE).map_err(|e| not_a_package(&e))?;
    let mut checked = Vec::new();
    let recorded_digest = read(DATAPACKAGE_DIGEST)
        .ok()
        .and_then(|d| serde_json::from_slice::<Value>(&d).ok())
        .and_then(|d| d["hash"].as_str().map(str::to_owned));
    let digest = manifest::sha256_hex(&datapackage);
    checked.push(Checked {
        name: name(DATAPACKAGE),
        outcome: match recorded_digest {
            None => Outcome::Missing,
            Some(recorded) if recorded == digest => Outcome::Ok,
            Some(recorded) => Outcome::Changed(format!(
                "{digest}, but {DATAPACKAGE_DIGEST} records {recorded}"
            )),
        },
    });
    let datapackage: Value = serde_json::from_slice(&datapackage).map_err(|e| not_a_package(&e))?;
    for resource in datapackage["resources"].as_array().into_iter().flatten() {
        let inner = resource["path"].as_str().unwrap_or_default();
        let expected = (
            resource["hash"].as_str().unwrap_or_default(),
            resource["bytes"].as_u64().unwrap_or_default(),
        );
        let mut zip_entry = zip.by_name(inner).map_err(zip_error);
        let found = zip_entry
            .as_mut()
            .map_err(|e| io::Error::new(e.kind(), e.to_string()))
            .and_then(manifest::hash_reader);
        checked.push(manifest::compare(name(inner), expected, found));
    }
    Ok(checked)
}

/// A missing entry reads as a missing file; anything else (a damaged entry fails its CRC) as
/// a file that cannot be read.
fn zip_error(error: zip::result::ZipError) -> io::Error {
    match error {
        zip::result::ZipError::FileNotFound => io::Error::from(io::ErrorKind::NotFound),
        zip::result::ZipError::Io(e) => e,
        other => io::Error::other(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_found_unescaped_and_collapsed() {
        let cases: [(&str, Option<&str>); 5] = [
            (
                "<html><head><TITLE>\n  Kuntajohtajakokous 10.5.2017 &#8211; Uusimaa&nbsp;2019 &amp; co\n</title>",
                Some("Kuntajohtajakokous 10.5.2017 – Uusimaa 2019 & co"),
            ),
            (
                "<title data-x=\"1\">&#x41;&lt;b&gt; &unknown; a&b</title>",
                Some("A<b> &unknown; a&b"),
            ),
            ("<title>   </title>", None),
            ("<title>never closed", None),
            ("<p>no title</p>", None),
        ];
        for (html, expected) in cases {
            assert_eq!(title(html.as_bytes()).as_deref(), expected, "{html}");
        }
    }

    #[test]
    fn archive_names_fit_the_data_package_name_pattern() {
        assert_eq!(
            archive_name(Path::new("/x/My Crawl (2).WARC.GZ")),
            "my-crawl--2-.warc.gz"
        );
        assert_eq!(archive_name(Path::new("a_b-1.warc")), "a_b-1.warc");
    }
}
