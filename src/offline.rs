//! `harava extract`: records from pages already on disk (saved pages, wget or
//! HTTrack mirrors, WARC files, standard input).
//!
//! Inputs are listed lazily and read one at a time, WARC records one record at a
//! time; worker threads, one per core, read, decode, parse and extract them, and
//! the results are taken in input order, so the output does not depend on the
//! number of workers. What is kept between inputs is only what was extracted:
//! entries, and detail pages waiting for the entries that link them (listing and
//! detail pages may come in any order), never page texts or DOMs. It waits on
//! disk, not in memory: the values in an unnamed temporary file, what pairs them
//! in a temporary SQLite database. At the end each entry is paired with its
//! detail page by URL and the records are written one by one, in the order of
//! today's output so that it stays byte for byte the same.

use std::fs::File;
use std::io::{self, BufReader, Read, Write};
use std::num::NonZeroUsize;
use std::ops::ControlFlow;
use std::os::unix::fs::FileExt;
use std::path::PathBuf;
use std::sync::{Mutex, mpsc};

use chrono::{DateTime, Utc};
use rusqlite::types::{FromSql, FromSqlResult, ToSqlOutput, ValueRef};
use rusqlite::{Connection, OptionalExtension, ToSql, params};
use url::Url;

use crate::archive::warc::{self, ArchivedResponse, ReadLimits, WarcReader};
use crate::archive::wayback::{self, Capture};
use crate::css;
use crate::error::Error;
use crate::extract::{self, DetailPage, Entry, Extracted};
use crate::output_file::BlockWriter;
use crate::page::{self, ArchiveMode, HttpResponse, Input, InputFile, Page};
use crate::profile::Profiles;
use crate::record::Record;
use crate::sink::Sink;
use crate::url_key;

/// The most read of one HTML input or one WARC payload: far above any real page,
/// low enough that a runaway input costs a bounded amount of memory.
pub(crate) const DEFAULT_MAX_INPUT_BYTES: u64 = warc::DEFAULT_MAX_PAYLOAD_BYTES;

/// The most read of one WARC record's header block (and of a response's HTTP
/// headers).
pub(crate) const DEFAULT_MAX_WARC_HEADER_BYTES: u64 = warc::DEFAULT_MAX_HEADER_BYTES;

/// What an extract run is to read: `harava extract`'s options.
#[derive(Debug, Clone)]
pub struct ExtractConfig {
    /// HTML, text (`.txt`) or WARC/WET files, directories of them (read
    /// recursively), or `-` for standard input.
    pub inputs: Vec<PathBuf>,
    /// The URL a mirrored directory was downloaded from, for pages without a
    /// canonical link (`--base-url`); it should end in `/`.
    pub base_url: Option<Url>,
    /// The most read of one HTML input or one WARC payload.
    pub max_input_bytes: u64,
    /// The most read of one WARC record's header block.
    pub max_warc_header_bytes: u64,
    /// Say which profile read each page and why (`--explain`).
    pub explain: bool,
    /// How many pages are extracted at once, each on a thread of its own
    /// (`--jobs`).
    pub jobs: NonZeroUsize,
}

impl ExtractConfig {
    /// `inputs` with every other setting at its default: no base URL, at most
    /// 64 MiB read of one page and 1 MiB of one WARC record's headers, a job per
    /// core.
    pub fn new(inputs: Vec<PathBuf>) -> ExtractConfig {
        ExtractConfig {
            inputs,
            base_url: None,
            max_input_bytes: DEFAULT_MAX_INPUT_BYTES,
            max_warc_header_bytes: DEFAULT_MAX_WARC_HEADER_BYTES,
            explain: false,
            jobs: default_jobs(),
        }
    }
}

/// One job per core the process may use.
pub(crate) fn default_jobs() -> NonZeroUsize {
    std::thread::available_parallelism().unwrap_or(NonZeroUsize::MIN)
}

/// How an extract run went.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ExtractReport {
    /// Inputs read: files, and standard input.
    pub files: u64,
    /// Pages read from them: HTML files, a WARC's HTML responses, a WET file's
    /// texts.
    pub pages: u64,
    /// Records written to the sink.
    pub records: u64,
    /// Records left out as unchanged since the last run (`--state`).
    pub unchanged: u64,
    /// Detail pages that gave no record: no entry among the inputs links to
    /// them, and their profile does not read them by themselves.
    pub unlinked_details: u64,
    /// One message per file, page or record that could not be extracted.
    pub failures: Vec<String>,
}

/// The listings and details extracted so far, before pairing. Listing pages,
/// entries and detail pages wait in spill files, whole; what pairs them and
/// chooses among captures (digests of ids and URL keys, capture times, spill
/// positions) waits in a private temporary SQLite database, so that memory
/// stays the same however many pages a run reads (unless no temporary file can
/// be made: then it waits in memory). Rows are only appended while pages come
/// in, and paired at the end by sorting and then joining in key order: with
/// keys that are digests, looking each one up as it came would touch a random
/// page of the database every time, and once the database outgrows its cache,
/// every lookup would cost a read and a write.
pub(crate) struct Harvest {
    pairs: Connection,
    /// Whether a page was read by itself: only then are the detail pages that
    /// entries led to, and the meetings written, worth noting.
    standalone: bool,
    /// Whether a redirect was recorded: only then is a detail link that finds
    /// no page followed through them.
    redirects: bool,
    /// Listing pages and their entries, which come back mostly in the order
    /// they went in.
    listings: Spill,
    /// Detail pages and standalone records, which come back in the order of
    /// the entries that lead to them.
    details: Spill,
}

/// The pairing database's tables. Rows are numbered in input order (`n`, the
/// row id); keys and ids are [`Digest`]s, as 16-byte blobs; `spill` and `len`
/// say where a value waits (see [`Spilled::columns`]), `page_spill` and
/// `page_len` where an entry's listing page does. A standalone page's
/// `detail_n` is the number of its row in `detail`.
const SCHEMA: &str = "
    CREATE TABLE entry (
        n INTEGER PRIMARY KEY, id BLOB NOT NULL, detail BLOB,
        archived_s INTEGER, archived_ns INTEGER, spill INTEGER NOT NULL, len INTEGER NOT NULL,
        page_spill INTEGER NOT NULL, page_len INTEGER NOT NULL);
    CREATE TABLE detail (
        n INTEGER PRIMARY KEY, key BLOB NOT NULL, spill INTEGER NOT NULL, len INTEGER NOT NULL,
        generic INTEGER NOT NULL);
    CREATE TABLE redirect (n INTEGER PRIMARY KEY, source BLOB NOT NULL, target BLOB NOT NULL);
    CREATE TABLE standalone (
        n INTEGER PRIMARY KEY, detail_n INTEGER NOT NULL, key BLOB NOT NULL, id BLOB NOT NULL,
        spill INTEGER NOT NULL, len INTEGER NOT NULL);
    CREATE TABLE led_to (key BLOB NOT NULL);
    CREATE TABLE written (id BLOB NOT NULL);
    CREATE TABLE unread (key BLOB PRIMARY KEY, why TEXT NOT NULL) WITHOUT ROWID;
";

/// What the pairing database may hold in memory, in KiB (its page cache, and
/// each sort's share before it goes on in temporary files).
const PAIRING_CACHE_KIB: i64 = 2048;

/// Fills the end of the run's tables, each in key order: the first detail
/// page read under each URL key, the last redirect recorded from each URL, and
/// each meeting, from the entry that gives its record, in the order of the
/// detail pages' keys, so that pairing reads `first_detail` front to back.
fn fill_pairing_tables(pairs: &Connection) -> Result<(), Error> {
    pairs
        .execute_batch(&format!(
            "CREATE TABLE first_detail (
                key BLOB PRIMARY KEY, n INTEGER NOT NULL, spill INTEGER NOT NULL, len INTEGER NOT NULL
            ) WITHOUT ROWID;
            INSERT OR IGNORE INTO first_detail SELECT key, n, spill, len FROM detail ORDER BY key, n;
            CREATE TABLE last_redirect (source BLOB PRIMARY KEY, target BLOB NOT NULL) WITHOUT ROWID;
            INSERT OR REPLACE INTO last_redirect SELECT source, target FROM redirect ORDER BY source, n;
            CREATE TABLE meeting AS SELECT first, id, detail, spill, len, page_spill, page_len
                FROM ({MEETINGS}) WHERE n = first ORDER BY detail;"
        ))
        .map_err(pairing_error)
}

/// Each entry, the first entry of its meeting (`first`), and what the entry
/// that gives the meeting's record holds: the newest capture, the earliest of
/// equally new ones (pages that are not captures count as oldest).
const MEETINGS: &str = "
    SELECT n, id, min(n) OVER meeting AS first,
        first_value(detail) OVER newest AS detail,
        first_value(spill) OVER newest AS spill, first_value(len) OVER newest AS len,
        first_value(page_spill) OVER newest AS page_spill,
        first_value(page_len) OVER newest AS page_len
    FROM entry
    WINDOW meeting AS (PARTITION BY id),
        newest AS (meeting ORDER BY archived_s DESC, archived_ns DESC, n)";

/// Each meeting's record, in the place of its first entry, with the detail
/// page its link leads to straight.
const RECORDS: &str = "
    SELECT m.page_spill, m.page_len, m.id, m.detail, m.spill, m.len, d.key, d.spill, d.len
    FROM meeting AS m LEFT JOIN first_detail AS d ON d.key = m.detail
    ORDER BY m.first";

/// Pages read by themselves, the first under their URL key, that no entry led
/// to: the first of each meeting, if no entry gave the meeting's record.
const STANDALONE_RECORDS: &str = "
    SELECT spill, len FROM (
        SELECT s.n, s.id, s.spill, s.len, row_number() OVER (PARTITION BY s.id ORDER BY s.n) AS nth
        FROM standalone AS s JOIN first_detail AS f ON f.key = s.key AND f.n = s.detail_n
        WHERE s.key NOT IN (SELECT key FROM led_to))
    WHERE nth = 1 AND id NOT IN (SELECT id FROM written) ORDER BY n";

/// An entry waiting for the end of the run.
struct Waiting {
    /// The digest of the record's id, which does not depend on the detail page.
    id: Digest,
    /// The digest of the URL key of the detail page its link leads to.
    detail: Option<Digest>,
    entry: Spilled,
}

/// What a listing page's spilled value holds.
#[derive(serde::Serialize, serde::Deserialize)]
struct ListingPage {
    page: Page,
    profile: String,
}

/// What stands for an id or a URL key while entries wait: 128 bits of its
/// SHA-256, a tenth of the room of the text, and no two of a run's keys share
/// one (a collision among a billion keys has a chance of about 10⁻²¹).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Digest([u8; 16]);

fn digest(key: &str) -> Digest {
    use sha2::Digest as _;
    let hash = sha2::Sha256::digest(key.as_bytes());
    Digest(hash[..16].try_into().expect("16 bytes"))
}

impl ToSql for Digest {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(ValueRef::Blob(&self.0)))
    }
}

impl FromSql for Digest {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Digest> {
        <[u8; 16]>::column_result(value).map(Digest)
    }
}

impl Harvest {
    /// An empty harvest, with its pairing database.
    pub(crate) fn new() -> Result<Harvest, Error> {
        let mut listings = Spill::reading_ahead(LISTINGS_READ_AHEAD);
        // An empty name opens a private database in a temporary file that the
        // system deletes however the run ends, created only once the cache
        // overflows. Where a spill file cannot be made, everything waits in
        // memory instead, as the spilled values do; both spill files are made
        // now (`&`, not `&&`), so that this is known before any value comes.
        let mut details = Spill::default();
        let on_disk = listings.has_file() & details.has_file();
        let pairs = if on_disk {
            Connection::open("")
        } else {
            Connection::open_in_memory()
        }
        .map_err(pairing_error)?;
        pairs
            .query_row("PRAGMA journal_mode = OFF", [], |_| Ok(()))
            .map_err(pairing_error)?;
        let temp_store = if on_disk { "FILE" } else { "MEMORY" };
        pairs
            .execute_batch(&format!(
                "PRAGMA cache_size = -{PAIRING_CACHE_KIB};
                 PRAGMA synchronous = OFF;
                 PRAGMA temp_store = {temp_store};
                 {SCHEMA}
                 BEGIN;"
            ))
            .map_err(pairing_error)?;
        Ok(Harvest {
            pairs,
            standalone: false,
            redirects: false,
            listings,
            details,
        })
    }

    /// Adds what one page held.
    pub(crate) fn add(
        &mut self,
        mut page: Page,
        extracted: Extracted,
        profile: &str,
    ) -> Result<(), Error> {
        page.html = String::new();
        match extracted {
            Extracted::Listing(listing) => {
                let archived_at = page.archive.as_ref().and_then(|a| a.archived_at);
                let keys: Vec<(Digest, Option<Digest>)> = listing
                    .entries
                    .iter()
                    .map(|entry| {
                        let detail = entry.detail.as_ref();
                        (
                            digest(&Record::id_of(entry, &page)),
                            detail.map(|link| digest(&url_key::id(&link.original))),
                        )
                    })
                    .collect();
                // The page goes first, as it is read back first.
                let page = self.listings.keep(&ListingPage {
                    page,
                    profile: profile.to_string(),
                });
                let entries: Vec<Waiting> = listing
                    .entries
                    .into_iter()
                    .zip(keys)
                    .map(|(entry, (id, detail))| Waiting {
                        id,
                        detail,
                        entry: self.listings.keep(&entry),
                    })
                    .collect();
                self.add_listing(page, archived_at, &entries)
            }
            Extracted::Detail(detail) => {
                let key = digest(&url_key::id(&page.url));
                let (spill, len) = self.details.keep(&detail).columns();
                let generic = profile == extract::generic::GENERIC;
                self.pairs
                    .prepare_cached(
                        "INSERT INTO detail (key, spill, len, generic) VALUES (?1, ?2, ?3, ?4)",
                    )
                    .and_then(|mut insert| insert.execute(params![key, spill, len, generic]))
                    .map_err(pairing_error)?;
                if detail.standalone {
                    let detail_row = self.pairs.last_insert_rowid();
                    let record = Record::standalone(&page, &detail, profile);
                    let id = digest(&record.id);
                    let (spill, len) = self.details.keep(&record).columns();
                    self.pairs
                        .prepare_cached(
                            "INSERT INTO standalone (detail_n, key, id, spill, len)
                             VALUES (?1, ?2, ?3, ?4, ?5)",
                        )
                        .and_then(|mut insert| {
                            insert.execute(params![detail_row, key, id, spill, len])
                        })
                        .map_err(pairing_error)?;
                    self.standalone = true;
                }
                Ok(())
            }
            Extracted::Other => {
                tracing::debug!(url = %page.url, "neither a listing nor a detail page");
                Ok(())
            }
        }
    }

    /// Adds the entries of a listing page, spilled at `page`.
    fn add_listing(
        &mut self,
        page: Spilled,
        archived_at: Option<DateTime<Utc>>,
        entries: &[Waiting],
    ) -> Result<(), Error> {
        let (page_spill, page_len) = page.columns();
        let archived = archived_at.map(|at| (at.timestamp(), at.timestamp_subsec_nanos()));
        let (archived_s, archived_ns) = archived.unzip();
        (|| {
            let mut insert = self.pairs.prepare_cached(
                "INSERT INTO entry (id, detail, archived_s, archived_ns, spill, len, page_spill, page_len)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?;
            for waiting in entries {
                let (spill, len) = waiting.entry.columns();
                insert.execute(params![
                    waiting.id,
                    waiting.detail,
                    archived_s,
                    archived_ns,
                    spill,
                    len,
                    page_spill,
                    page_len
                ])?;
            }
            Ok(())
        })()
        .map_err(pairing_error)
    }

    /// Notes that `from` redirected to `to`.
    pub(crate) fn redirect(&mut self, from: &Url, to: &Url) -> Result<(), Error> {
        let from = digest(&url_key::id(&original_of(from)));
        let to = digest(&url_key::id(&original_of(to)));
        self.pairs
            .prepare_cached("INSERT INTO redirect (source, target) VALUES (?1, ?2)")
            .and_then(|mut insert| insert.execute(params![from, to]))
            .map_err(pairing_error)?;
        self.redirects = true;
        Ok(())
    }

    /// Notes that the page of `url` was among the inputs and gave no page, and
    /// `why`, for the warning of an entry that leads to it.
    pub(crate) fn unread(&mut self, url: &Url, why: &str) -> Result<(), Error> {
        let key = digest(&url_key::id(&original_of(url)));
        self.pairs
            .prepare_cached("INSERT OR IGNORE INTO unread (key, why) VALUES (?1, ?2)")
            .and_then(|mut insert| insert.execute(params![key, why]))
            .map(drop)
            .map_err(pairing_error)
    }

    /// Pairs entries with details and writes the records, each meeting once: where
    /// the same meeting was seen more than once, the newest archive capture wins,
    /// in the place of its first appearance. Records are built one at a time, so
    /// no body is held twice.
    /// Writes the records, and says how many detail pages gave none (see
    /// [`ExtractReport::unlinked_details`]).
    pub(crate) fn write_to(self, sink: &mut Sink) -> Result<u64, Error> {
        let Harvest {
            pairs,
            standalone,
            redirects,
            mut listings,
            mut details,
        } = self;
        listings.finish_writing()?;
        details.finish_writing()?;
        fill_pairing_tables(&pairs)?;
        let mut records = pairs.prepare(RECORDS).map_err(pairing_error)?;
        let mut records = records.query([]).map_err(pairing_error)?;
        // The listing page read back last: its entries are mostly written together.
        let mut read_back: Option<(Spilled, ListingPage)> = None;
        while let Some(row) = records.next().map_err(pairing_error)? {
            let (page, waiting, straight) = (|| {
                let page = Spilled::from_columns(row.get(0)?, row.get(1)?);
                let waiting = Waiting {
                    id: row.get(2)?,
                    detail: row.get(3)?,
                    entry: Spilled::from_columns(row.get(4)?, row.get(5)?),
                };
                let straight = match row.get::<_, Option<Digest>>(6)? {
                    Some(key) => Some((key, Spilled::from_columns(row.get(7)?, row.get(8)?))),
                    None => None,
                };
                Ok((page, waiting, straight))
            })()
            .map_err(pairing_error)?;
            let detail = match (straight, waiting.detail) {
                (Some(found), _) => Some(found),
                (None, Some(key)) if redirects => detail_through_redirects(&pairs, key)?,
                (None, _) => None,
            };
            if standalone {
                note_written(&pairs, waiting.id, detail.map(|(key, _)| key))?;
            }
            let listing = match read_back {
                Some((at, ref listing)) if at == page => listing,
                _ => &read_back.insert((page, listings.take(page)?)).1,
            };
            let detail_page = match detail {
                Some((_, at)) => Some(details.take::<DetailPage>(at)?),
                None => None,
            };
            let entry: Entry = listings.take(waiting.entry)?;
            let unread = match (&detail_page, waiting.detail) {
                (None, Some(key)) => pairs
                    .prepare_cached(&UNREAD_DETAIL)
                    .and_then(|mut unread| {
                        unread
                            .query_row([key], |row| row.get::<_, String>(0))
                            .optional()
                    })
                    .map_err(pairing_error)?,
                _ => None,
            };
            sink.write(&record(entry, listing, detail_page.as_ref(), unread))?;
        }
        if standalone {
            let mut records = pairs.prepare(STANDALONE_RECORDS).map_err(pairing_error)?;
            let mut records = records.query([]).map_err(pairing_error)?;
            while let Some(row) = records.next().map_err(pairing_error)? {
                let at = Spilled::from_columns(
                    row.get(0).map_err(pairing_error)?,
                    row.get(1).map_err(pairing_error)?,
                );
                let record: Record = details.take(at)?;
                sink.write(&record)?;
            }
        }
        let unlinked: i64 = pairs
            .query_row(UNLINKED_DETAILS, [], |row| row.get(0))
            .map_err(pairing_error)?;
        // A count: never negative.
        Ok(u64::try_from(unlinked).unwrap_or_default())
    }
}

/// Detail pages that no entry links to (straight or through a recorded
/// redirect) and that are not read by themselves: they gave no record. The
/// generic extractor reads any page of text as a detail page (a front page,
/// contacts), so its pages count only in a run that found no entry at all.
const UNLINKED_DETAILS: &str = "
    SELECT count(DISTINCT key) FROM detail
    WHERE key NOT IN (SELECT detail FROM entry WHERE detail IS NOT NULL)
        AND key NOT IN (SELECT target FROM last_redirect)
        AND key NOT IN (SELECT key FROM standalone)
        AND (NOT generic OR NOT EXISTS (SELECT 1 FROM entry))";

/// Why the detail page of the key `?1` gave no page, if it was among the
/// inputs: noted under its own key or under one its redirects lead to.
static UNREAD_DETAIL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "WITH RECURSIVE hop (key, n) AS (
            SELECT ?1, 0
            UNION ALL
            SELECT r.target, hop.n + 1 FROM last_redirect AS r JOIN hop ON r.source = hop.key
            WHERE hop.n < {MAX_REDIRECT_HOPS})
        SELECT u.why FROM hop JOIN unread AS u ON u.key = hop.key ORDER BY hop.n LIMIT 1"
    )
});

/// The record of `entry`, found on `listing`, with its detail page if there is
/// one; `unread` says why the page gave none when it was among the inputs.
fn record(
    entry: Entry,
    listing: &ListingPage,
    detail_page: Option<&DetailPage>,
    unread: Option<String>,
) -> Record {
    let mut record = Record::new(entry, &listing.page, detail_page, &listing.profile);
    if detail_page.is_none()
        && let Some(url) = &record.detail_url
    {
        let why = unread.unwrap_or_else(|| "was not among the inputs".to_string());
        record
            .warnings
            .push(format!("body: the detail page {url} {why}"));
    }
    record
}

/// Notes, for the pages read by themselves, a meeting written and the detail
/// page its entry led to.
fn note_written(pairs: &Connection, id: Digest, led_to: Option<Digest>) -> Result<(), Error> {
    (|| {
        pairs
            .prepare_cached("INSERT INTO written (id) VALUES (?1)")?
            .execute([id])?;
        if let Some(key) = led_to {
            pairs
                .prepare_cached("INSERT INTO led_to (key) VALUES (?1)")?
                .execute([key])?;
        }
        Ok(())
    })()
    .map_err(pairing_error)
}

/// The detail page that the redirects recorded from the page under `key` lead
/// to, and where it waits (a few hops, never round a loop). Looked up one link
/// at a time: only links that find no page straight come here.
fn detail_through_redirects(
    pairs: &Connection,
    mut key: Digest,
) -> Result<Option<(Digest, Spilled)>, Error> {
    (|| {
        let mut target =
            pairs.prepare_cached("SELECT target FROM last_redirect WHERE source = ?1")?;
        let mut detail =
            pairs.prepare_cached("SELECT spill, len FROM first_detail WHERE key = ?1")?;
        for _ in 0..MAX_REDIRECT_HOPS {
            match target.query_row([key], |row| row.get(0)).optional()? {
                Some(next) => key = next,
                None => return Ok(None),
            }
            let found = detail
                .query_row([key], |row| {
                    Ok(Spilled::from_columns(row.get(0)?, row.get(1)?))
                })
                .optional()?;
            if let Some(at) = found {
                return Ok(Some((key, at)));
            }
        }
        Ok(None)
    })()
    .map_err(pairing_error)
}

fn pairing_error(source: rusqlite::Error) -> Error {
    Error::Write {
        path: "the temporary database that pairs entries with detail pages".into(),
        source: io::Error::other(format!(
            "{source} (it is made in the temporary directory: set TMPDIR, or SQLITE_TMPDIR, to one with room)"
        )),
    }
}

/// Where a value waits for the end of a run: in the spill file, or in memory
/// when there is none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Spilled {
    InFile { offset: u64, len: u32 },
    InMemory(u32),
}

impl Spilled {
    /// The two integers the pairing database keeps of it: the offset and the
    /// length in the file, or the index in memory and -1.
    fn columns(self) -> (i64, i64) {
        match self {
            Spilled::InFile { offset, len } => (
                i64::try_from(offset).expect("a spill file under 8 EiB"),
                i64::from(len),
            ),
            Spilled::InMemory(index) => (i64::from(index), -1),
        }
    }

    fn from_columns(at: i64, len: i64) -> Spilled {
        let narrow =
            |n: i64| u32::try_from(n).expect("the pairing database holds what it was given");
        match u64::try_from(at) {
            Ok(offset) if len >= 0 => Spilled::InFile {
                offset,
                len: narrow(len),
            },
            _ => Spilled::InMemory(narrow(at)),
        }
    }
}

/// Where values waiting for the end of a run go (a harvest has one for its
/// listing pages and entries, one for its detail pages and standalone
/// records), encoded compactly: an unnamed temporary file (deleted by the
/// system however the run ends), so that memory does not grow with their
/// texts. They come back one record at a time. Without a usable temporary
/// directory, or after a write to it failed, they stay in memory.
#[derive(Default)]
struct Spill {
    file: Option<SpillFile>,
    /// Where the next value goes in the file.
    end: u64,
    tried: bool,
    /// Values that could not go to the file.
    kept: Vec<Vec<u8>>,
    /// How much of the file one read takes in, for values that come back in
    /// about the order they went in. Values as long, values asked for out of
    /// that order, and every value when it is 0, are read by themselves.
    read_ahead: usize,
    /// What the last read ahead took in, and where in the file it starts.
    window: Vec<u8>,
    window_at: u64,
    /// Where in the file the value asked for last ends: a value that starts
    /// at most `read_ahead` past it continues a forward walk, worth reading
    /// ahead for; one before it or farther on is a jump, and reading ahead
    /// there would mostly copy bytes that are not asked for.
    last_end: u64,
}

/// What the listings' spill reads at once: a system call per entry cost more
/// than all else that reading an entry back does, on a virtual machine.
const LISTINGS_READ_AHEAD: usize = 256 * 1024;

enum SpillFile {
    Writing(BlockWriter<File>),
    /// A write failed: the values after it stay in memory. What the writer
    /// still holds of earlier ones is written when writing finishes, and if
    /// that fails too, the run fails.
    Broken(BlockWriter<File>),
    Reading(File),
}

impl Spill {
    fn reading_ahead(bytes: usize) -> Spill {
        Spill {
            read_ahead: bytes,
            ..Spill::default()
        }
    }

    /// Whether values go to the file, which is created the first time this is
    /// asked.
    fn has_file(&mut self) -> bool {
        if !self.tried {
            self.tried = true;
            match tempfile::tempfile() {
                Ok(file) => self.file = Some(SpillFile::Writing(BlockWriter::new(file, 0))),
                Err(e) => tracing::debug!("no spill file, values stay in memory: {e}"),
            }
        }
        matches!(self.file, Some(SpillFile::Writing(_)))
    }

    fn keep(&mut self, value: &impl serde::Serialize) -> Spilled {
        let bytes = postcard::to_stdvec(value).expect("extracted values always encode");
        self.has_file();
        let Some(SpillFile::Writing(out)) = &mut self.file else {
            return self.keep_in_memory(bytes);
        };
        let Ok(len) = u32::try_from(bytes.len()) else {
            return self.keep_in_memory(bytes);
        };
        if let Err(e) = out.write_all(&bytes) {
            tracing::debug!("the spill file failed, values stay in memory from now on: {e}");
            if let Some(SpillFile::Writing(out)) = self.file.take() {
                self.file = Some(SpillFile::Broken(out));
            }
            return self.keep_in_memory(bytes);
        }
        let spilled = Spilled::InFile {
            offset: self.end,
            len,
        };
        self.end += u64::from(len);
        spilled
    }

    fn keep_in_memory(&mut self, bytes: Vec<u8>) -> Spilled {
        self.kept.push(bytes);
        Spilled::InMemory(u32::try_from(self.kept.len() - 1).expect("fewer than 4 billion values"))
    }

    fn finish_writing(&mut self) -> Result<(), Error> {
        if let Some(SpillFile::Writing(out) | SpillFile::Broken(out)) = self.file.take() {
            let file = out.into_inner().map_err(spill_error)?;
            self.file = Some(SpillFile::Reading(file));
        }
        Ok(())
    }

    /// The value at `spilled`; a value may be taken more than once (a detail
    /// page several entries lead to).
    fn take<T: serde::de::DeserializeOwned>(&mut self, spilled: Spilled) -> Result<T, Error> {
        let read_back;
        let bytes = match spilled {
            Spilled::InMemory(index) => &self.kept[index as usize],
            Spilled::InFile { offset, len } => {
                let Some(SpillFile::Reading(file)) = &mut self.file else {
                    unreachable!("values are read back only after writing finished");
                };
                let len = len as usize;
                let value_end = offset + len as u64;
                let in_window = offset >= self.window_at
                    && value_end <= self.window_at + self.window.len() as u64;
                let walking_on =
                    offset >= self.last_end && offset - self.last_end <= self.read_ahead as u64;
                self.last_end = value_end;
                if in_window {
                    let start = (offset - self.window_at) as usize;
                    &self.window[start..start + len]
                } else if len < self.read_ahead && walking_on {
                    let size = (self.end - offset).min(self.read_ahead as u64);
                    self.window.resize(size as usize, 0);
                    self.window_at = offset;
                    if let Err(e) = file.read_exact_at(&mut self.window, offset) {
                        self.window.clear();
                        return Err(spill_error(e));
                    }
                    &self.window[..len]
                } else {
                    let mut bytes = vec![0; len];
                    // One positioned read per value, no seek.
                    file.read_exact_at(&mut bytes, offset)
                        .map_err(spill_error)?;
                    read_back = bytes;
                    &read_back
                }
            }
        };
        postcard::from_bytes(bytes)
            .map_err(|e| spill_error(io::Error::new(io::ErrorKind::InvalidData, e)))
    }
}

fn spill_error(source: io::Error) -> Error {
    Error::Write {
        path: "the temporary file of texts waiting for the end of the run".into(),
        source,
    }
}

/// How many recorded redirects a detail link is followed through.
const MAX_REDIRECT_HOPS: usize = 10;

/// Items go to the workers in chunks, since handing one over costs a thread
/// wake-up on each side (more than parsing a small page on a small virtual
/// machine): a chunk is at most this many items, or this many bytes of pages
/// already in memory (WARC records, stdin).
const CHUNK_ITEMS: usize = 32;
const CHUNK_BYTES: usize = 4 * 1024 * 1024;

/// How many chunks per worker may be on their way at once (handed out, or done
/// and waiting for an earlier one), and how many bytes of in-memory pages all of
/// them together: enough that no worker waits for work, few enough that memory
/// stays flat however many cores there are.
const CHUNKS_PER_JOB: usize = 2;
const IN_FLIGHT_BYTES: usize = 16 * 1024 * 1024;

/// Runs `item`, turning a panic into the failure of that item alone, so that a
/// bug met on one page neither loses the others nor leaves the run waiting.
fn run_caught(item: Item, profiles: &Profiles, config: &ExtractConfig) -> Outcome {
    let name = item.name();
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        item.run(profiles, config)
    }))
    .unwrap_or_else(|panic| {
        let message = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        Outcome::Failed(Error::Skipped {
            path: name,
            reason: format!(
                "harava panicked while extracting it ({message}); this is a bug, please report it with the page"
            ),
        })
    })
}

/// Runs the items of `work` on `config.jobs` worker threads and gives their
/// outcomes to `take` in input order. This thread lists the items and takes the
/// outcomes while the workers extract, and waits (never spins) when it is
/// ahead. A signal stops the listing, and so does `take` answering `Break`;
/// what was handed out is still taken.
fn in_order_on_workers(
    work: &mut Work,
    config: &ExtractConfig,
    profiles: &Profiles,
    take: &mut impl FnMut(Outcome) -> ControlFlow<()>,
) {
    let max_chunks = config.jobs.get() * CHUNKS_PER_JOB;
    let (chunks, inbox) = mpsc::channel::<(u64, Vec<Item>)>();
    let (outcomes, done) = mpsc::channel::<(u64, Vec<Outcome>)>();
    let inbox = Mutex::new(inbox);
    std::thread::scope(|scope| {
        for _ in 0..config.jobs.get() {
            let (inbox, outcomes) = (&inbox, outcomes.clone());
            scope.spawn(move || {
                loop {
                    // The lock is held only while waiting for the next chunk.
                    let next = match inbox.lock() {
                        Ok(inbox) => inbox.recv(),
                        Err(_) => return,
                    };
                    let Ok((seq, chunk)) = next else { return };
                    let ran = chunk
                        .into_iter()
                        .map(|item| run_caught(item, profiles, config))
                        .collect();
                    if outcomes.send((seq, ran)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(outcomes);
        let mut chunks = Some(chunks);
        let (mut handed_out, mut next_to_take) = (0u64, 0u64);
        // The page bytes of each chunk on its way, oldest first, and their sum.
        let mut bytes_of = std::collections::VecDeque::new();
        let mut bytes_in_flight = 0;
        let mut waiting = std::collections::BTreeMap::new();
        loop {
            while let Some(sender) = &chunks
                && (bytes_of.is_empty()
                    || (bytes_of.len() < max_chunks && bytes_in_flight < IN_FLIGHT_BYTES))
            {
                let (chunk, bytes) = next_chunk(work);
                if chunk.is_empty() || sender.send((handed_out, chunk)).is_err() {
                    chunks = None;
                    break;
                }
                handed_out += 1;
                bytes_of.push_back(bytes);
                bytes_in_flight += bytes;
            }
            if next_to_take == handed_out {
                break;
            }
            let Ok((seq, ran)) = done.recv() else { break };
            waiting.insert(seq, ran);
            while let Some(ran) = waiting.remove(&next_to_take) {
                for outcome in ran {
                    if take(outcome).is_break() {
                        chunks = None;
                    }
                }
                next_to_take += 1;
                bytes_in_flight -= bytes_of.pop_front().expect("one entry per chunk");
            }
        }
    });
}

/// The next items of `work` (none once a signal came), and the page bytes they
/// hold.
fn next_chunk(work: &mut Work) -> (Vec<Item>, usize) {
    let mut chunk = Vec::with_capacity(CHUNK_ITEMS);
    let mut bytes = 0;
    while chunk.len() < CHUNK_ITEMS && bytes < CHUNK_BYTES && !crate::signals::requested() {
        let Some(item) = work.next() else { break };
        bytes += item.bytes_held();
        chunk.push(item);
    }
    (chunk, bytes)
}

/// The URL on the original site of a URL that may be an archive capture.
fn original_of(url: &Url) -> Url {
    Capture::parse(url).map_or_else(|| url.clone(), |capture| capture.original)
}

/// Runs `harava extract`: reads the pages in `config`'s inputs with `profiles`,
/// pairs each listing entry with its detail page (by URL, in whatever order
/// they came) and writes the records to `sink`. Every input is tried; one that
/// fails is reported and counted, and the others are still extracted. Finish
/// the sink afterwards to put its file in place.
///
/// A saved listing page of the Uusimaa 2019 site, found its profile by its
/// canonical link's host:
///
/// ```
/// use harava::offline::{self, ExtractConfig};
/// use harava::profile::{ProfileChoice, Profiles};
/// use harava::record::Record;
/// use harava::sink::{Outcome, Sink};
///
/// let dir = tempfile::tempdir().unwrap();
/// let saved = dir.path().join("kuntajohtajakokous.html");
/// std::fs::write(&saved, r#"<html><head>
///   <link rel="canonical" href="https://www.uusimaa2019.fi/kuntajohtajakokous/">
/// </head><body><main>
///   <nav class="breadcrumbs"><span class="breadcrumb-current">Kuntajohtajakokous</span></nav>
///   <article class="post type-post">
///     <div class="entry-meta"><span class="posted-on">8.5.2017</span></div>
///     <h2 class="entry-title"><a href="/muistiot/kuntajohtajakokous-10-5-2017/">Kuntajohtajakokous 10.5.2017</a></h2>
///     <div class="entry-content"><p>Kuntajohtajat keskustelivat sote-valmistelusta.</p></div>
///   </article>
/// </main></body></html>"#).unwrap();
/// let records_path = dir.path().join("records.jsonl");
///
/// let profiles = Profiles::load(&ProfileChoice::Auto).unwrap();
/// let mut sink = Sink::create(Some(&records_path)).unwrap();
/// let report = offline::run(&ExtractConfig::new(vec![saved]), &profiles, &mut sink).unwrap();
/// sink.finish(Outcome::Ok, &serde_json::Value::Null).unwrap();
/// assert_eq!((report.files, report.records), (1, 1));
/// assert!(report.failures.is_empty());
///
/// let lines = std::fs::read_to_string(&records_path).unwrap();
/// let record: Record = serde_json::from_str(lines.trim_end()).unwrap();
/// assert_eq!(record.title.as_deref(), Some("Kuntajohtajakokous 10.5.2017"));
/// assert_eq!(record.profile, "uusimaa2019");
/// assert_eq!(record.source_url, "https://www.uusimaa2019.fi/kuntajohtajakokous/");
/// ```
pub fn run(
    config: &ExtractConfig,
    profiles: &Profiles,
    sink: &mut Sink,
) -> Result<ExtractReport, Error> {
    let mut report = ExtractReport::default();
    let mut harvest = Harvest::new()?;
    // The first failure to note a page for pairing stops the listing and ends
    // the run once the pages handed out are taken; the pages after it would
    // fail the same way.
    let mut pairing_failed = None;
    let mut work = Work::list(config);
    let mut take = |outcome| {
        let noted = match outcome {
            Outcome::Page(read) => {
                report.pages += 1;
                let ReadPage {
                    page,
                    extracted,
                    profile,
                    explain,
                    failure,
                } = *read;
                if config.explain {
                    for line in explain {
                        eprintln!("harava: explain {}: {line}", page.url);
                    }
                }
                if let Some(failure) = failure {
                    tracing::warn!("{failure}");
                    report.failures.push(failure);
                }
                harvest.add(page, extracted, &profile)
            }
            Outcome::Redirect(from, to) => harvest.redirect(&from, &to),
            Outcome::Failed(e) => {
                tracing::error!("{e}");
                report.failures.push(e.to_string());
                Ok(())
            }
            Outcome::Unreadable(e, url) => {
                tracing::error!("{e}");
                report.failures.push(e.to_string());
                harvest.unread(
                    &url,
                    "was among the inputs and could not be read (see the errors of this run)",
                )
            }
            Outcome::Answered(url, status) => harvest.unread(
                &url,
                &format!("was among the inputs as an answer of HTTP {status}, not a page"),
            ),
            // A page read that no profile fits.
            Outcome::Warning(e) => {
                report.pages += 1;
                tracing::warn!("{e}");
                Ok(())
            }
        };
        match noted {
            Ok(()) if pairing_failed.is_none() => ControlFlow::Continue(()),
            Ok(()) => ControlFlow::Break(()),
            Err(e) => {
                pairing_failed.get_or_insert(e);
                ControlFlow::Break(())
            }
        }
    };
    in_order_on_workers(&mut work, config, profiles, &mut take);
    if let Some(e) = pairing_failed {
        return Err(e);
    }
    report.files = work.files;
    report.unlinked_details = harvest.write_to(sink)?;
    report.records = sink.written();
    report.unchanged = sink.counts().unchanged;
    Ok(report)
}

/// A page read, and what its reading has to say.
struct ReadPage {
    page: Page,
    extracted: Extracted,
    profile: String,
    explain: Vec<String>,
    /// A layout-change alarm or a page that needs JavaScript: a failure of the
    /// run, though the generic extractor may have read the page.
    failure: Option<String>,
}

/// One piece of work, in input order.
enum Item {
    /// An HTML document: a file read by the worker, or stdin's bytes already read.
    Html(InputFile, Option<Vec<u8>>),
    /// An HTML response a WARC holds.
    Response(Box<RecordedPage>),
    /// A redirect a WARC recorded.
    Redirect(Url, Url),
    /// A page's text rendering a WET file holds.
    Text(Url, Vec<u8>),
    /// An input or record that failed before it could be extracted.
    Failed(Error),
    /// A page, of this URL, that failed before it could be extracted.
    Unreadable(Error, Url),
    /// An answer of an error status (4xx, 5xx) a WARC recorded for this URL.
    Answered(Url, u16),
}

struct RecordedPage {
    /// The WARC and the record, for messages.
    name: String,
    url: Url,
    content_type: Option<String>,
    memento_datetime: Option<String>,
    fetched_at: Option<DateTime<Utc>>,
    body: Vec<u8>,
}

/// What one item gave.
enum Outcome {
    Page(Box<ReadPage>),
    Redirect(Url, Url),
    /// Counted as a failure of the run.
    Failed(Error),
    /// A page of this URL that failed: counted as a failure of the run, and
    /// said in the records of the entries that lead to it.
    Unreadable(Error, Url),
    /// A recorded answer of this error status for this URL: no page, and no
    /// failure of the run (the site's), said in the records that lead to it.
    Answered(Url, u16),
    /// Reported, not counted: a WARC holds more than pages, so a page there that
    /// no profile fits is not a failure of the run.
    Warning(Error),
}

impl Item {
    /// What messages call this item.
    fn name(&self) -> String {
        match self {
            Item::Html(file, _) => file.name.clone(),
            Item::Response(page) => format!("{}: {}", page.name, page.url),
            Item::Redirect(from, _) => from.to_string(),
            Item::Text(url, _) => url.to_string(),
            Item::Failed(e) => e.to_string(),
            Item::Unreadable(_, url) | Item::Answered(url, _) => url.to_string(),
        }
    }

    /// The page bytes this item holds before it is run.
    fn bytes_held(&self) -> usize {
        match self {
            Item::Html(_, Some(bytes)) => bytes.len(),
            Item::Response(page) => page.body.len(),
            Item::Text(_, bytes) => bytes.len(),
            _ => 0,
        }
    }

    fn run(self, profiles: &Profiles, config: &ExtractConfig) -> Outcome {
        match self {
            Item::Html(file, bytes) => {
                let url_of = |file: &InputFile| {
                    file.mirror_url
                        .clone()
                        .unwrap_or_else(|| file.file_url.clone())
                };
                let bytes = match bytes
                    .map_or_else(|| page::read_html_file(&file, config.max_input_bytes), Ok)
                {
                    Ok(bytes) => bytes,
                    Err(e) => return Outcome::Unreadable(e, url_of(&file)),
                };
                if file.text {
                    return text_page(url_of(&file), &bytes);
                }
                let html = page::decode_html_owned(bytes, None);
                let fetch_url = url_of(&file);
                let mut page = Page::new(fetch_url.clone(), fetch_url, html);
                if page.url.scheme() == "file" {
                    page.warnings.push(format!(
                        "source_url: {} has no canonical link and no --base-url was given, so its URL (and the ids of its records) come from the file's path",
                        file.name
                    ));
                }
                extract_page(page, &file.name, profiles, config.explain)
                    .unwrap_or_else(|e| Outcome::Unreadable(e, url_of(&file)))
            }
            Item::Response(recorded) => {
                let response = HttpResponse {
                    url: &recorded.url,
                    content_type: recorded.content_type.as_deref(),
                    memento_datetime: recorded.memento_datetime.as_deref(),
                    body: &recorded.body,
                    fetched_at: recorded.fetched_at,
                };
                // As a crawl reads it: what says it is HTML but is not, is broken.
                if let Some(binary) = response.binary() {
                    return Outcome::Unreadable(
                        Error::Skipped {
                            path: recorded.name,
                            reason: format!(
                                "not an HTML page, though its headers say so ({binary})"
                            ),
                        },
                        recorded.url,
                    );
                }
                let page = response.into_page(ArchiveMode::Raw);
                // An archive's replay of a captured redirect leads on, as the
                // crawl that recorded it followed it.
                if page.archive.is_some()
                    && let Some(target) = wayback::crawl_time_redirect(&page.html, &page.fetch_url)
                {
                    return Outcome::Redirect(recorded.url, target);
                }
                let url = recorded.url;
                match extract_page(page, &recorded.name, profiles, config.explain) {
                    Ok(outcome) => outcome,
                    Err(e @ Error::Skipped { .. }) => Outcome::Unreadable(e, url),
                    Err(e) => Outcome::Warning(e),
                }
            }
            Item::Redirect(from, to) => Outcome::Redirect(from, to),
            Item::Text(url, bytes) => text_page(url, &bytes),
            Item::Failed(e) => Outcome::Failed(e),
            Item::Unreadable(e, url) => Outcome::Unreadable(e, url),
            Item::Answered(url, status) => Outcome::Answered(url, status),
        }
    }
}

/// The entries of a page saved as text (UTF-8, else windows-1252, as such files
/// from Finnish sites are).
fn text_page(url: Url, bytes: &[u8]) -> Outcome {
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => encoding_rs::WINDOWS_1252.decode(bytes).0,
    };
    let page = Page::new(url.clone(), url, String::new());
    let listing = extract::plain::listing(&text, &page);
    let extracted = if listing.entries.is_empty() {
        Extracted::Other
    } else {
        Extracted::Listing(listing)
    };
    Outcome::Page(Box::new(ReadPage {
        page,
        extracted,
        profile: extract::plain::TEXT.to_string(),
        explain: vec!["profile: text (a page saved as plain text)".to_string()],
        failure: None,
    }))
}

/// Parses and extracts one page, keeping what was extracted and not the text.
fn extract_page(
    mut page: Page,
    name: &str,
    profiles: &Profiles,
    explain: bool,
) -> Result<Outcome, Error> {
    let document = extract::parse_document(&page.html).map_err(|e| Error::Skipped {
        path: name.to_string(),
        reason: e.to_string(),
    })?;
    // The tree holds the text now: the page's copy goes before selection.
    page.html = String::new();
    let index = css::index(&document);
    let reading =
        extract::read(&page, &document, profiles, explain).ok_or_else(|| Error::NoProfile {
            path: name.to_string(),
        })?;
    drop(index);
    drop(document);
    Ok(Outcome::Page(Box::new(ReadPage {
        page,
        extracted: reading.extracted,
        profile: reading.profile,
        explain: reading.explain,
        failure: reading.layout_changed.or(reading.problem),
    })))
}

/// The items of a run, listed as they are needed: at most one input is open at a
/// time, a WARC is read a record at a time.
struct Work<'a> {
    inputs: Box<dyn Iterator<Item = Result<Input, Error>> + Send + 'a>,
    /// The WARC being read, and its name.
    warc: Option<(String, WarcReader<'a>)>,
    limits: ReadLimits,
    max_input_bytes: u64,
    /// Inputs begun so far.
    files: u64,
}

impl<'a> Work<'a> {
    fn list(config: &'a ExtractConfig) -> Work<'a> {
        Work {
            inputs: Box::new(page::inputs(&config.inputs, config.base_url.as_ref())),
            warc: None,
            limits: ReadLimits {
                max_header_bytes: config.max_warc_header_bytes,
                max_payload_bytes: config.max_input_bytes,
            },
            max_input_bytes: config.max_input_bytes,
            files: 0,
        }
    }

    fn next(&mut self) -> Option<Item> {
        loop {
            if let Some((name, reader)) = &mut self.warc {
                match reader.next() {
                    None => self.warc = None,
                    Some(Err(e)) => {
                        return Some(Item::Failed(Error::Warc {
                            message: format!("{name}: {e}"),
                        }));
                    }
                    Some(Ok(record)) => {
                        if let Some(item) = record_item(name, record) {
                            return Some(item);
                        }
                    }
                }
                continue;
            }
            let input = match self.inputs.next()? {
                Ok(input) => input,
                Err(e) => {
                    self.files += 1;
                    return Some(Item::Failed(e));
                }
            };
            self.files += 1;
            match input {
                Input::Html(file) => return Some(Item::Html(file, None)),
                Input::Warc { name, path } => {
                    let opened = File::open(&path).map_err(|e| Error::Read {
                        path: name.clone(),
                        source: e,
                    });
                    match opened.and_then(|file| self.warc_reader(&name, BufReader::new(file))) {
                        Ok(reader) => self.warc = Some((name, reader)),
                        Err(e) => return Some(Item::Failed(e)),
                    }
                }
                Input::Stream {
                    name,
                    path,
                    file_url,
                } => {
                    let item = match path {
                        None => self.stream(name, io::stdin(), file_url),
                        Some(path) => match File::open(&path) {
                            Ok(file) => self.stream(name, file, file_url),
                            Err(e) => Some(Item::Failed(Error::Read {
                                path: name,
                                source: e,
                            })),
                        },
                    };
                    if item.is_some() {
                        return item;
                    }
                }
            }
        }
    }

    fn warc_reader(
        &self,
        name: &str,
        input: impl io::BufRead + Send + 'a,
    ) -> Result<WarcReader<'a>, Error> {
        let reader = WarcReader::new(input).map_err(|e| Error::Warc {
            message: format!("{name}: {e}"),
        })?;
        Ok(reader.with_limits(self.limits).wanting(wanted))
    }

    /// Standard input or a pipe, read once: a WARC (then read a record at a time)
    /// or one HTML page.
    fn stream(
        &mut self,
        name: String,
        mut stream: impl Read + Send + 'a,
        file_url: Url,
    ) -> Option<Item> {
        let mut head = [0; 5];
        let n = match page::read_up_to(&mut stream, &mut head) {
            Ok(n) => n,
            Err(e) => {
                return Some(Item::Failed(Error::Read {
                    path: name,
                    source: e,
                }));
            }
        };
        let input = io::Cursor::new(head[..n].to_vec()).chain(stream);
        if page::is_warc_bytes(&head[..n]) {
            return match self.warc_reader(&name, BufReader::new(input)) {
                Ok(reader) => {
                    self.warc = Some((name, reader));
                    None
                }
                Err(e) => Some(Item::Failed(e)),
            };
        }
        Some(match page::read_html(input, &name, self.max_input_bytes) {
            Ok(bytes) => Item::Html(
                InputFile {
                    text: false,
                    path: PathBuf::from(&name),
                    name,
                    mirror_url: None,
                    file_url,
                },
                Some(bytes),
            ),
            Err(e) => Item::Failed(e),
        })
    }
}

/// Which WARC payloads are read: pages, and text renderings of them (a WET
/// file's conversions). Redirects are wanted for their headers only; errors,
/// images, videos and the rest are passed over unread.
fn wanted(status: u16, headers: &[(String, String)]) -> bool {
    let content_type = header(headers, "content-type");
    status == 200
        && (page::is_html_type(content_type)
            || content_type.is_some_and(|t| t.starts_with("text/plain")))
}

fn header<'h>(headers: &'h [(String, String)], wanted: &str) -> Option<&'h str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(wanted))
        .map(|(_, v)| v.as_str())
}

/// What a WARC record gives: a page, a redirect, or nothing. Its URLs pair
/// listings with details as the crawl that wrote it did.
fn record_item(name: &str, record: ArchivedResponse) -> Option<Item> {
    let url = Url::parse(&record.target_uri).ok()?;
    if (300..400).contains(&record.status) {
        let target = header(&record.headers, "location").and_then(|l| url.join(l).ok())?;
        return Some(Item::Redirect(url, target));
    }
    if record.status >= 400 {
        return Some(Item::Answered(url, record.status));
    }
    if !wanted(record.status, &record.headers) {
        return None;
    }
    if header(&record.headers, "content-type").is_some_and(|t| t.starts_with("text/plain")) {
        return record.conversion.then_some(Item::Text(url, record.payload));
    }
    let name = format!("{name} record {} ({url})", record.record_number);
    if let Some(why) = record.undecoded {
        return Some(Item::Unreadable(
            Error::Skipped {
                path: name,
                reason: format!("{why}; its page is not read"),
            },
            url,
        ));
    }
    Some(Item::Response(Box::new(RecordedPage {
        name,
        content_type: header(&record.headers, "content-type").map(str::to_owned),
        memento_datetime: header(&record.headers, "memento-datetime").map(str::to_owned),
        fetched_at: record.date,
        body: record.payload,
        url,
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn warc_record(uri: &str, http: &str, body: &[u8]) -> Vec<u8> {
        let mut block = http.as_bytes().to_vec();
        block.extend_from_slice(body);
        let mut record = format!(
            "WARC/1.1\r\nWARC-Type: response\r\nWARC-Target-URI: {uri}\r\nContent-Length: {}\r\n\r\n",
            block.len()
        )
        .into_bytes();
        record.extend_from_slice(&block);
        record.extend_from_slice(b"\r\n\r\n");
        record
    }

    #[test]
    fn unwanted_payloads_are_passed_over_and_large_ones_reported() {
        let mut file = warc_record(
            "https://a.fi/video.mp4",
            "HTTP/1.1 200 OK\r\nContent-Type: video/mp4\r\n\r\n",
            &[7; 5000],
        );
        let second = file.len();
        file.extend(warc_record(
            "https://a.fi/iso/",
            "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n",
            &[b'x'; 3000],
        ));
        file.extend(warc_record(
            "https://a.fi/siirto",
            "HTTP/1.1 301 Moved\r\nLocation: /uusi/\r\n\r\n",
            b"",
        ));
        file.extend(warc_record(
            "https://a.fi/",
            "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n",
            b"<p>x</p>",
        ));
        let limits = ReadLimits {
            max_header_bytes: 1000,
            max_payload_bytes: 2000,
        };
        let summary: Vec<String> = WarcReader::new(&file[..])
            .unwrap()
            .with_limits(limits)
            .wanting(wanted)
            .map(|r| match r {
                Ok(r) => format!(
                    "{} {}: {} bytes",
                    r.record_number,
                    r.status,
                    r.payload.len()
                ),
                Err(e) => e.to_string(),
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                "0 200: 0 bytes".to_string(),
                format!(
                    "WARC record 1 (byte {second} of the uncompressed stream, https://a.fi/iso/) holds a payload of 3000 bytes, more than 2000; it is skipped (raise --max-input-bytes to read it)"
                ),
                "2 301: 0 bytes".to_string(),
                "3 200: 8 bytes".to_string(),
            ]
        );
    }

    #[test]
    fn spilled_values_come_back_in_any_order_and_more_than_once() {
        let texts = ["Kokous 13.9.2017", "", "päätökset\n\nliitteet", "x"];
        // A spill that has tried the file and has none keeps values in memory.
        // With their length in front, "" and "x" fit an 8-byte read-ahead
        // window and the two longer texts are read by themselves; a 64-byte
        // window takes in all four, from wherever it starts on.
        for (in_file, read_ahead) in [(true, 0), (true, 8), (true, 64), (false, 8)] {
            let mut spill = Spill {
                tried: !in_file,
                ..Spill::reading_ahead(read_ahead)
            };
            let kept: Vec<Spilled> = texts.iter().map(|t| spill.keep(&t.to_string())).collect();
            assert!(
                kept.iter()
                    .all(|s| matches!(s, Spilled::InFile { .. }) == in_file),
                "{kept:?}"
            );
            spill.finish_writing().unwrap();
            let back: Vec<String> = kept.iter().rev().map(|&s| spill.take(s).unwrap()).collect();
            let expected: Vec<String> = texts.iter().rev().map(|t| t.to_string()).collect();
            assert_eq!(back, expected, "read-ahead {read_ahead}");
            assert_eq!(spill.take::<String>(kept[2]).unwrap(), texts[2]);
            let forward: Vec<String> = kept.iter().map(|&s| spill.take(s).unwrap()).collect();
            assert_eq!(forward, texts, "read-ahead {read_ahead}");
        }
    }

    #[test]
    fn values_come_back_whole_across_the_ends_of_read_ahead_windows() {
        // Encoded with its length in front, each text is one byte longer: with
        // a 16-byte window, the second value starts inside the first window
        // and ends past it; the fourth is longer than a window.
        let long = "d".repeat(20);
        let texts = ["aaaaaaaaaa", "bbbbb", "cc", &long, "e"];
        let mut spill = Spill::reading_ahead(16);
        let kept: Vec<Spilled> = texts.iter().map(|t| spill.keep(&t.to_string())).collect();
        assert!(
            matches!(kept[1], Spilled::InFile { offset: 11, len: 6 }),
            "{kept:?}"
        );
        spill.finish_writing().unwrap();
        for order in [[0, 1, 2, 3, 4], [4, 2, 0, 3, 1], [1, 1, 3, 0, 4]] {
            for n in order {
                assert_eq!(
                    spill.take::<String>(kept[n]).unwrap(),
                    texts[n],
                    "{order:?}"
                );
            }
        }
    }

    #[test]
    fn each_meeting_goes_in_its_first_place_from_its_newest_capture() {
        let mut harvest = Harvest::new().unwrap();
        let mut entries = 0;
        let mut listing = |archived_at: Option<&str>, ids: &[&str]| {
            // Each entry waits in a place of its own, which tells which one won.
            let waiting: Vec<Waiting> = ids
                .iter()
                .map(|id| {
                    entries += 1;
                    Waiting {
                        id: digest(id),
                        detail: None,
                        entry: Spilled::InMemory(entries),
                    }
                })
                .collect();
            let archived_at = archived_at.map(|t| t.parse().unwrap());
            harvest
                .add_listing(Spilled::InMemory(0), archived_at, &waiting)
                .unwrap();
        };
        // Entries are numbered from 1 in input order.
        listing(Some("2018-01-01T00:00:00Z"), &["a", "b"]); // 1, 2
        listing(Some("2019-01-01T00:00:00.5Z"), &["b", "c"]); // 3, 4
        listing(Some("2019-01-01T00:00:00.5Z"), &["a"]); // 5
        listing(None, &["d", "a"]); // 6, 7
        // As new as the capture that already won `a`: the earlier stays.
        listing(Some("2019-01-01T00:00:00.5Z"), &["a"]); // 8
        // Newer by a fraction of a second: it wins `c`.
        listing(Some("2019-01-01T00:00:00.6Z"), &["c"]); // 9
        let meetings: Vec<(i64, Spilled)> = harvest
            .pairs
            .prepare(&format!(
                "SELECT first, spill, len FROM ({MEETINGS}) WHERE n = first ORDER BY first"
            ))
            .unwrap()
            .query_map([], |row| {
                Ok((row.get(0)?, Spilled::from_columns(row.get(1)?, row.get(2)?)))
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(
            meetings,
            [
                (1, Spilled::InMemory(5)), // a: first on listing 1, newest on listing 3
                (2, Spilled::InMemory(3)), // b
                (4, Spilled::InMemory(9)), // c
                (6, Spilled::InMemory(6)), // d: its only capture, not archived
            ]
        );
    }

    #[test]
    fn a_detail_link_is_followed_through_at_most_ten_redirects() {
        let url = |n: usize| Url::parse(&format!("https://www.example.fi/r{n}/")).unwrap();
        let key = |n: usize| digest(&url_key::id(&url(n)));
        let mut harvest = Harvest::new().unwrap();
        // r0 → r1 → … → r11, the detail page.
        for n in 0..11 {
            harvest.redirect(&url(n), &url(n + 1)).unwrap();
        }
        let page = Page::new(url(11), url(11), String::new());
        harvest
            .add(page, Extracted::Detail(DetailPage::default()), "p")
            .unwrap();
        fill_pairing_tables(&harvest.pairs).unwrap();
        let found = |n: usize| {
            detail_through_redirects(&harvest.pairs, key(n))
                .unwrap()
                .map(|(key, _)| key)
        };
        assert_eq!(found(10), Some(key(11)));
        assert_eq!(found(1), Some(key(11)), "ten redirects");
        assert_eq!(found(0), None, "eleven redirects");
    }

    #[test]
    fn a_failing_pairing_database_is_an_error_that_says_what_to_do() {
        let mut harvest = Harvest::new().unwrap();
        harvest
            .pairs
            .execute_batch("DROP TABLE standalone")
            .unwrap();
        let url = Url::parse("https://www.uusimaa2019.fi/muistiot/kokous/").unwrap();
        let page = Page::new(url.clone(), url, String::new());
        let detail = Extracted::Detail(DetailPage {
            standalone: true,
            ..DetailPage::default()
        });
        let error = harvest.add(page, detail, "dynasty").unwrap_err();
        assert_eq!(
            error.to_string(),
            "the temporary database that pairs entries with detail pages: cannot write: \
             no such table: standalone (it is made in the temporary directory: \
             set TMPDIR, or SQLITE_TMPDIR, to one with room)"
        );
    }

    #[test]
    fn an_archived_listing_page_comes_back_from_the_spill_whole() {
        let capture_url = Url::parse(
            "https://web.archive.org/web/20190301120000id_/https://www.uusimaa2019.fi/kuntajohtajakokous/",
        )
        .unwrap();
        let capture = Capture::parse(&capture_url).unwrap();
        let mut page = Page::new(capture_url.clone(), capture.original.clone(), String::new());
        page.fetched_at = "2026-11-29T10:00:00Z".parse().ok();
        page.archive = Some(page::Archived {
            capture_url,
            capture,
            archived_at: "2019-03-01T12:00:00Z".parse().ok(),
            mode: ArchiveMode::Raw,
        });
        page.warnings.push("source_url: from the capture".into());
        let listing = ListingPage {
            page,
            profile: "uusimaa2019".into(),
        };
        for in_file in [true, false] {
            let mut spill = Spill {
                tried: !in_file,
                ..Spill::default()
            };
            let spilled = spill.keep(&listing);
            spill.finish_writing().unwrap();
            let back: ListingPage = spill.take(spilled).unwrap();
            assert_eq!(format!("{:?}", back.page), format!("{:?}", listing.page));
            assert_eq!(back.profile, "uusimaa2019");
        }
    }

    #[test]
    fn a_detail_page_comes_back_from_the_spill_whole() {
        let detail = DetailPage {
            body: Some("Päätökset.\n\nLiitteet.".into()),
            documents: vec![extract::Document {
                title: "Pöytäkirja".into(),
                url: "https://www.example.fi/pk.pdf".into(),
            }],
            meeting_date: chrono::NaiveDate::from_ymd_opt(2017, 5, 10),
            meeting_time: Some("13:00".into()),
            items: vec![extract::Item {
                number: Some("125".into()),
                title: Some("Talousarvio".into()),
                url: None,
                documents: Vec::new(),
            }],
            standalone: true,
            warnings: vec!["organ: missing".into()],
            ..DetailPage::default()
        };
        let mut spill = Spill::default();
        let spilled = spill.keep(&detail);
        spill.finish_writing().unwrap();
        let back: DetailPage = spill.take(spilled).unwrap();
        assert_eq!(format!("{back:?}"), format!("{detail:?}"));
    }
}
