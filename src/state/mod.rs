//! What earlier runs saw and delivered (`--state FILE`), so that a run can
//! tell what is new, changed, unchanged or removed, ask servers only for what
//! changed, and continue a run that died where it stopped.
//!
//! The state is a SQLite database, one file, which `sqlite3` and DuckDB can read
//! too, also while a run writes to it (it uses a write-ahead log: keep the
//! `-wal` and `-shm` files beside it). `<FILE>.lock` beside it says which run
//! holds it; one run at a time may ([`Store::open`]). harava 0.2's state file,
//! JSON Lines of `{"id":…,"hash":…}`, is converted on first use.
//!
//! # The content hash
//!
//! A meeting's hash covers everything its record says about it, not when, where
//! or from which capture it was read (`fetched_at`, `source_url`, `archive_url`,
//! `archived_at`): a meeting re-read unchanged from a newer capture, or found on
//! page 2 of its listing because a new post pushed it there, is not news. It is
//! the first 8 bytes of the SHA-256 of the record's JSON line with those fields
//! emptied, in hex, as harava 0.2 computed it, so converted hashes still compare.
//!
//! # Tables
//!
//! Times are RFC 3339 text in UTC (`2026-11-29T07:00:00Z`); JSON is text. The
//! schema's version is `PRAGMA user_version` (now 2); a newer harava migrates it
//! forward, and this one refuses a version it does not know.
//!
//! `runs`, one row per run:
//! - `id`: the run's number, increasing.
//! - `started`, `ended`: `ended` is NULL while the run goes, and stays NULL if
//!   the run died (killed, power loss).
//! - `pid`: the run's process.
//! - `starts`: the start URLs, a JSON array; `options`: the options that shape
//!   what a run reads, a JSON object. The next run with the same two continues
//!   this one if it did not finish.
//! - `outcome`: `ok`; `failed_pages` (it finished, but some pages could not be
//!   read: exit code 3); `error`; `interrupted` (Ctrl-C, SIGTERM, SIGHUP); NULL
//!   while it goes or when it died.
//! - `counts`: a JSON object: `new`, `changed`, `unchanged`, `removed`,
//!   `records`, `requests`, `not_modified`.
//! - `resumes`: the unfinished run this one continues, or NULL.
//! - `output_restarted`: 1 when the run's records output holds nothing the runs
//!   it continues delivered (their file was gone or shorter, or it wrote
//!   elsewhere): a run continuing it counts only its own and later runs'
//!   deliveries as written. Pages and known meetings still go back the whole
//!   chain.
//!
//! `meetings`, one row per meeting ever seen:
//! - `id`: the record's `id`; `hash`: its content hash now.
//! - `entry_hash`: the hash of its entry on the listing, as last seen there.
//! - `listing`: the listing it was last seen on.
//! - `first_seen_run`, `last_seen_run` (runs' ids) and `first_seen`,
//!   `last_seen` (times). For a meeting converted from harava 0.2's file,
//!   `first_seen_run` is NULL (it was seen before the database existed, and
//!   `first_seen` is when the file was converted), and so is `last_seen_run`
//!   until a run sees it.
//! - `removed_run`: the run that found it gone from its listing (which that run
//!   read completely), NULL while it is there. A meeting that reappears is
//!   reported new again and this is NULL again.
//!
//! `versions`, one row per content a meeting had: `meeting`, `run` (that found
//! it), `hash`, `content` (the whole record as JSON, as it was written), `created`.
//! A meeting converted from harava 0.2's file has none until a run sees it.
//!
//! `urls`, the last response for each URL fetched: `url` (harava's key for it),
//! `status`, `etag`, `last_modified`, `content_type`, `final_url` (where
//! redirects led), `fetched_run`, `fetched_at`, `body` (zlib-compressed, RFC 1950:
//! Python's `zlib.decompress` reads it), `body_sha256` (of the body uncompressed,
//! in hex).
//!
//! `deliveries`, one row per meeting a run wrote out: `run`, `meeting`, `change`
//! (`new`, `changed`, `unchanged` or `removed`).
//!
//! `outputs`, how far a run got with each output file: `run`, `path`, `bytes`
//! (written and synced when the run last committed to the database).
//!
//! For example:
//!
//! ```sql
//! -- what the last run found removed
//! SELECT id FROM meetings WHERE removed_run = (SELECT max(id) FROM runs);
//! -- how a meeting's title changed
//! SELECT run, created, json_extract(content, '$.title') FROM versions
//!  WHERE meeting = '38f5b403bf31b10d' ORDER BY id;
//! ```

mod legacy;
mod lock;
mod schema;
mod status;
mod store;

pub(crate) use status::status;
pub use store::Outcome;
pub(crate) use store::{Change, ChangeKind, PageResponse, RunId, RunStart, Store};

use sha2::{Digest, Sha256};

use crate::record::Record;

/// The record's fields that say where and when a meeting was read, not what it
/// is: [`content_hash`] empties them, and `fields_changed` never names them.
const WHERE_FOUND: [&str; 4] = ["fetched_at", "source_url", "archive_url", "archived_at"];

/// A hash of what the record says about its meeting.
pub(crate) fn content_hash(record: &Record) -> String {
    let mut content = record.clone();
    content.fetched_at = None;
    content.source_url = String::new();
    content.archive_url = None;
    content.archived_at = None;
    let digest = Sha256::digest(content.to_json_line());
    data_encoding::HEXLOWER.encode(&digest[..8])
}

#[cfg(test)]
mod tests {
    use crate::record::Record;

    pub(super) fn record(summary: &str) -> Record {
        serde_json::from_value(serde_json::json!({
            "id": "38f5b403bf31b10d", "organ": "Kuntajohtajakokous", "title": "Kuntajohtajakokous 10.5.2017",
            "meeting_date": "2017-05-10", "published_date": "2017-05-08", "summary": summary, "body": null,
            "category": "Muistiot", "documents": [], "detail_url": null, "comment_count": 0,
            "dates_mentioned": [], "source_url": "https://www.uusimaa2019.fi/kuntajohtajakokous/",
            "archive_url": null, "archived_at": null, "fetched_at": "2026-11-23T10:00:00Z",
            "profile": "uusimaa2019", "warnings": []
        }))
        .unwrap()
    }
}
