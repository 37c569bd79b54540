//! `harava extract`: records from pages already on disk (saved pages, wget or
//! HTTrack mirrors, standard input).
//!
//! Listing pages and detail pages may come in any order, so the job extracts every
//! input first, keeping only the extracted entries and bodies (never the DOMs), and
//! then pairs each entry with its detail page by URL.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Cursor};
use std::path::PathBuf;

use scraper::Html;
use url::Url;

use crate::archive::warc::{WarcError, WarcReader};
use crate::archive::wayback::{self, Capture};
use crate::error::Error;
use crate::extract::{self, DetailPage, Entry, Extracted};
use crate::page::{self, ArchiveMode, HttpResponse, Input, InputFile, Page, WarcSource};
use crate::profile::Profiles;
use crate::record::{Record, Unique, url_key};
use crate::sink::Sink;

/// What `harava extract` was asked to do.
#[derive(Debug, Clone)]
pub struct ExtractConfig {
    pub inputs: Vec<PathBuf>,
    pub base_url: Option<Url>,
}

/// How an extract run went.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ExtractReport {
    pub files: u64,
    pub records: u64,
    /// Records left out as unchanged since the last run (`--state`).
    pub unchanged: u64,
    /// One message per file that could not be extracted.
    pub failures: Vec<String>,
}

/// The listings and details extracted so far, before pairing.
#[derive(Default)]
pub struct Harvest {
    listings: Vec<(Page, Vec<Entry>, String)>,
    details: HashMap<String, DetailPage>,
    /// Detail pages whose profile makes them records of their own when no
    /// entry leads to them, in input order, with their page and profile.
    standalone: Vec<(String, Page, String)>,
    /// Redirects a WARC recorded, so an entry's link finds the page it led to.
    redirects: HashMap<String, String>,
}

impl Harvest {
    /// Adds what one page held.
    pub fn add(&mut self, mut page: Page, extracted: Extracted, profile: &str) {
        page.html = String::new();
        match extracted {
            Extracted::Listing(listing) => {
                self.listings
                    .push((page, listing.entries, profile.to_string()))
            }
            Extracted::Detail(detail) => {
                let key = url_key(&page.url);
                if detail.standalone && !self.details.contains_key(&key) {
                    self.standalone
                        .push((key.clone(), page, profile.to_string()));
                }
                self.details.entry(key).or_insert(detail);
            }
            Extracted::Other => {
                tracing::debug!(url = %page.url, "neither a listing nor a detail page")
            }
        }
    }

    /// Notes that `from` redirected to `to`.
    pub fn redirect(&mut self, from: &Url, to: &Url) {
        self.redirects
            .insert(url_key(&original_of(from)), url_key(&original_of(to)));
    }

    /// The detail page at `url`, following recorded redirects (a few hops, never
    /// round a loop).
    fn detail_of(&self, url: &Url) -> Option<(&String, &DetailPage)> {
        let mut key = url_key(url);
        for _ in 0..MAX_REDIRECT_HOPS {
            if let Some(found) = self.details.get_key_value(&key) {
                return Some(found);
            }
            key = self.redirects.get(&key)?.clone();
        }
        None
    }

    /// Pairs entries with details and returns the records, each meeting once: where
    /// the same meeting was seen more than once, the newest archive capture wins.
    pub fn into_records(mut self) -> Vec<Record> {
        let mut records = Unique::default();
        let mut led_to = std::collections::HashSet::new();
        let listings = std::mem::take(&mut self.listings);
        for (page, entries, profile) in listings {
            for entry in entries {
                let found = entry
                    .detail
                    .as_ref()
                    .and_then(|link| self.detail_of(&link.original));
                if let Some((key, _)) = found {
                    led_to.insert(key.clone());
                }
                let detail_page = found.map(|(_, detail)| detail);
                let mut record = Record::new(entry, &page, detail_page, &profile);
                if detail_page.is_none()
                    && let Some(url) = &record.detail_url
                {
                    record.warnings.push(format!(
                        "body: the detail page {url} was not among the inputs"
                    ));
                }
                records.keep_newest(record);
            }
        }
        for (key, page, profile) in std::mem::take(&mut self.standalone) {
            if !led_to.contains(&key)
                && let Some(detail) = self.details.get(&key)
            {
                records.keep_newest(Record::standalone(&page, detail, &profile));
            }
        }
        records.into_records()
    }
}

/// How many recorded redirects a detail link is followed through.
const MAX_REDIRECT_HOPS: usize = 10;

/// The URL on the original site of a URL that may be an archive capture.
fn original_of(url: &Url) -> Url {
    Capture::parse(url).map_or_else(|| url.clone(), |capture| capture.original)
}

/// Runs `harava extract`: every input is tried; one that fails is reported and
/// counted, and the others are still extracted.
pub fn run(
    config: &ExtractConfig,
    profiles: &Profiles,
    sink: &mut Sink,
) -> Result<ExtractReport, Error> {
    let mut report = ExtractReport::default();
    let mut harvest = Harvest::default();
    for input in page::read_inputs(&config.inputs, config.base_url.as_ref()) {
        // A signal stops the reading; what was read is still paired and written.
        if crate::signals::requested() {
            break;
        }
        report.files += 1;
        let result = input.and_then(|input| match input {
            Input::Html(file) => extract_file(file, profiles, &mut harvest),
            Input::Warc { name, source } => extract_warc(&name, source, profiles, &mut harvest),
        });
        if let Err(e) = result {
            tracing::error!("{e}");
            report.failures.push(e.to_string());
        }
    }
    for record in harvest.into_records() {
        sink.write(&record)?;
    }
    report.records = sink.written();
    report.unchanged = sink.unchanged();
    Ok(report)
}

fn extract_file(file: InputFile, profiles: &Profiles, harvest: &mut Harvest) -> Result<(), Error> {
    if let Some(reason) = not_html(&file.bytes) {
        return Err(Error::NotHtml {
            path: file.name,
            reason,
        });
    }
    let html = page::decode_html(&file.bytes, None);
    let fetch_url = file
        .mirror_url
        .clone()
        .unwrap_or_else(|| file.file_url.clone());
    let mut page = Page::new(fetch_url.clone(), fetch_url, html);
    if page.url.scheme() == "file" {
        page.warnings.push(format!(
            "source_url: {} has no canonical link and no --base-url was given, so its URL (and the ids of its records) come from the file's path",
            file.name
        ));
    }
    extract_page(page, &file.name, profiles, harvest)
}

fn extract_page(
    page: Page,
    name: &str,
    profiles: &Profiles,
    harvest: &mut Harvest,
) -> Result<(), Error> {
    let document = Html::parse_document(&page.html);
    let profile = profiles
        .for_page(page.url.host_str(), &document)
        .ok_or_else(|| Error::NoProfile {
            path: name.to_string(),
        })?;
    let extracted = extract::extract_document(&page, &document, profile);
    drop(document);
    harvest.add(page, extracted, &profile.name);
    Ok(())
}

/// Extracts the HTML responses a WARC holds; its URLs pair listings with details
/// as the crawl that wrote it did, through the redirects it recorded (HTTP ones
/// and archives' "Got an HTTP 302 response at crawl time" replays). Errors and
/// other content are passed over: they are part of a faithful capture, not pages.
fn extract_warc(
    name: &str,
    source: WarcSource,
    profiles: &Profiles,
    harvest: &mut Harvest,
) -> Result<(), Error> {
    let reader: Box<dyn BufRead> = match source {
        WarcSource::Path(path) => Box::new(BufReader::new(File::open(&path).map_err(|e| {
            Error::Read {
                path: name.to_string(),
                source: e,
            }
        })?)),
        WarcSource::Bytes(bytes) => Box::new(Cursor::new(bytes)),
    };
    let warc_error = |e: WarcError| Error::Warc {
        message: format!("{name}: {e}"),
    };
    for record in WarcReader::new(reader).map_err(warc_error)? {
        let record = record.map_err(warc_error)?;
        let Ok(url) = Url::parse(&record.target_uri) else {
            continue;
        };
        let header = |wanted: &str| {
            record
                .headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(wanted))
                .map(|(_, v)| v.as_str())
        };
        let response = HttpResponse {
            url: &url,
            content_type: header("content-type"),
            memento_datetime: header("memento-datetime"),
            body: &record.payload,
            fetched_at: record.date,
        };
        if (300..400).contains(&record.status)
            && let Some(target) = header("location").and_then(|l| url.join(l).ok())
        {
            harvest.redirect(&url, &target);
            continue;
        }
        if record.status != 200 || !response.is_html() {
            continue;
        }
        let page = response.into_page(ArchiveMode::Raw);
        // An archive's replay of a captured redirect leads on, as the crawl that
        // recorded it followed it.
        if page.archive.is_some()
            && let Some(target) = wayback::crawl_time_redirect(&page.html, &page.fetch_url)
        {
            harvest.redirect(&url, &target);
            continue;
        }
        let page_name = format!(
            "{name} record {} ({})",
            record.record_number, record.target_uri
        );
        if let Err(e) = extract_page(page, &page_name, profiles, harvest) {
            tracing::warn!("{e}");
        }
    }
    Ok(())
}

/// Why these bytes are not an HTML page, if they are not.
fn not_html(bytes: &[u8]) -> Option<String> {
    let head = &bytes[..bytes.len().min(1024)];
    if bytes.is_empty() {
        return Some("the file is empty".into());
    }
    if head.starts_with(b"%PDF") {
        return Some("it is a PDF document".into());
    }
    if head.starts_with(b"PK\x03\x04") {
        return Some("it is a ZIP archive (an Office document?)".into());
    }
    if head.contains(&0) {
        return Some("it holds binary data".into());
    }
    if !head.contains(&b'<') {
        return Some("there is no markup in its first kilobyte".into());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_sniffing() {
        let cases: [(&[u8], Option<&str>); 6] = [
            (b"<!DOCTYPE html><p>x", None),
            (b"\n\n  <html>", None),
            (b"", Some("the file is empty")),
            (b"%PDF-1.4\n", Some("it is a PDF document")),
            (b"\x00\x01\x02<", Some("it holds binary data")),
            (
                b"User-agent: *\nDisallow: /",
                Some("there is no markup in its first kilobyte"),
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(not_html(input).as_deref(), expected, "{input:?}");
        }
    }
}
