//! The state database of one harava run at a time: see the [module](super) for
//! its tables.
//!
//! A [`Store`] keeps one write transaction open and [`Store::checkpoint`]
//! commits it: nothing written since the last checkpoint survives a crash, and
//! nothing of it is visible to other readers (`harava state status`, `sqlite3`)
//! before. The caller checkpoints once what the database is about to claim is
//! true, e.g. after a page's records were written and synced, so that the
//! database never says more was delivered than the output holds.

use std::collections::{BTreeSet, HashSet};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use flate2::Compression;
use flate2::read::ZlibDecoder;
use flate2::write::ZlibEncoder;
use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSqlOutput, ValueRef};
use rusqlite::{Connection, OpenFlags, OptionalExtension, ToSql, params};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::lock::RunLock;
use super::schema::{self, ForState};
use super::{WHERE_FOUND, content_hash, legacy};
use crate::error::Error;
use crate::record::Record;

/// The first 16 bytes of every SQLite database; a state file without them is
/// harava 0.2's JSON Lines.
const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// How long a statement waits for a reader that holds the database (a
/// checkpoint of the write-ahead log while `sqlite3` reads) before it fails.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// What `fields_changed` says when it cannot name the fields: the meeting's
/// previous content is not known (it was imported from harava 0.2's state file).
pub(crate) const UNKNOWN_FIELDS: &str = "*";

/// A run's number in the `runs` table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub(crate) struct RunId(pub i64);

impl std::fmt::Display for RunId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// A run just begun.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RunStart {
    pub run: RunId,
    /// The run this one continues: the last run of the same command did not
    /// finish (it was killed, interrupted or ended in an error).
    pub resumes: Option<RunId>,
    /// This run and every unfinished run it continues, newest first: a page one
    /// of them fetched is replayed rather than fetched.
    pub runs: Vec<RunId>,
    /// The runs of `runs` whose deliveries the records output holds: up to the
    /// newest whose output started over. A meeting one of them delivered is not
    /// written again.
    pub delivering: Vec<RunId>,
    /// Whether the last run of the same start URLs and options before these
    /// ended `ok`, its listings fetched: only then does a listing page of known
    /// meetings say that the pages after it are known too (a run whose pages
    /// failed, that was stopped, or that read less, by `--max-pages` or
    /// `--since`, may never have read them; one that read listing pages from
    /// the state, continuing a killed run, may have read them shifted).
    pub last_finished_ok: bool,
}

/// How a run ended, as [`Sink::finish`](crate::sink::Sink::finish) records it
/// in the state database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Every page was read.
    Ok,
    /// The run finished, but some pages could not be read (exit code 3).
    FailedPages,
    /// The run stopped on an error.
    Error,
    /// The run stopped on Ctrl-C, SIGTERM or SIGHUP.
    Interrupted,
}

impl Outcome {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::FailedPages => "failed_pages",
            Outcome::Error => "error",
            Outcome::Interrupted => "interrupted",
        }
    }

    /// Whether the next run of the same command continues this one rather than
    /// starting over: an error stops a run as a kill does, and what it delivered
    /// before stays delivered. A run with failed pages finished; the next one
    /// starts over and tries those pages again.
    fn resumable(outcome: Option<Outcome>) -> bool {
        matches!(
            outcome,
            None | Some(Outcome::Error) | Some(Outcome::Interrupted)
        )
    }
}

/// What a run found a meeting to be, against what the state knew.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Change {
    /// Not known, or known as removed: whoever applied the removal needs the
    /// whole record back.
    New,
    /// Known with other content. `fields_changed` names the record's top-level
    /// fields whose values differ from the last stored version, sorted, leaving out
    /// where the meeting was found (`fetched_at`, `source_url`, `archive_url`,
    /// `archived_at`), which the content hash leaves out too; `warnings` count, as
    /// they do in the hash. It is `["*"]` ([`UNKNOWN_FIELDS`]) when no version is
    /// stored to compare with: the meeting came from harava 0.2's state file,
    /// which kept only hashes.
    Changed {
        fields_changed: Vec<String>,
    },
    Unchanged,
}

impl Change {
    pub(crate) fn kind(&self) -> ChangeKind {
        match self {
            Change::New => ChangeKind::New,
            Change::Changed { .. } => ChangeKind::Changed,
            Change::Unchanged => ChangeKind::Unchanged,
        }
    }
}

/// A change as `--changes` and the `deliveries` table name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum ChangeKind {
    New,
    Changed,
    Unchanged,
    Removed,
}

impl ChangeKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            ChangeKind::New => "new",
            ChangeKind::Changed => "changed",
            ChangeKind::Unchanged => "unchanged",
            ChangeKind::Removed => "removed",
        }
    }
}

/// An HTTP response as the state keeps it for a URL: what a conditional
/// request needs, and the body to reuse when the answer is 304 Not Modified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PageResponse {
    pub status: u16,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub content_type: Option<String>,
    /// Where redirects led, when elsewhere.
    pub final_url: Option<String>,
    pub fetched_at: DateTime<Utc>,
    pub body: Vec<u8>,
}

/// The stored response of a URL and the run that fetched it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StoredPage {
    pub run: RunId,
    pub response: PageResponse,
}

/// The state database, opened for one run and locked against others.
pub(crate) struct Store {
    // Declared before the lock so that it closes first: no other run may open
    // the database while this connection could still write to it.
    conn: Connection,
    path: PathBuf,
    _lock: RunLock,
}

impl Store {
    /// Opens the state at `path` for a run: locks it, creates it when missing,
    /// converts harava 0.2's JSON Lines file in place, and migrates an older
    /// schema forward.
    pub(crate) fn open(path: &Path) -> Result<Store, Error> {
        let lock = RunLock::acquire(path)?;
        if is_legacy(path)? {
            convert_legacy(path)?;
        }
        let mut conn = connect(path)?;
        schema::migrate(&mut conn, path)?;
        conn.execute_batch("BEGIN IMMEDIATE").for_state(path)?;
        Ok(Store {
            conn,
            path: path.to_path_buf(),
            _lock: lock,
        })
    }

    /// Commits everything written since the last checkpoint, durably: it survives
    /// a crash or a power loss from now on.
    pub(crate) fn checkpoint(&mut self) -> Result<(), Error> {
        self.conn
            .execute_batch("COMMIT; BEGIN IMMEDIATE")
            .for_state(&self.path)
    }

    /// Forgets everything written since the last checkpoint, as a crash would.
    pub(crate) fn roll_back(&mut self) -> Result<(), Error> {
        // A full disk or an I/O error may have made SQLite roll back already.
        let open_transaction = if self.conn.is_autocommit() {
            ""
        } else {
            "ROLLBACK;"
        };
        self.conn
            .execute_batch(&format!("{open_transaction} BEGIN IMMEDIATE"))
            .for_state(&self.path)
    }

    /// Records that `run`'s outputs (the files at `outputs`; standard output
    /// has none) hold none of what the runs it continues delivered: a run that
    /// continues `run` must not count their deliveries as written.
    pub(crate) fn restart_deliveries(
        &mut self,
        run: RunId,
        outputs: &[PathBuf],
    ) -> Result<(), Error> {
        self.conn
            .execute("UPDATE runs SET output_restarted = 1 WHERE id = ?1", [run])
            .for_state(&self.path)?;
        for output in outputs {
            self.set_output_progress(run, output, 0)?;
        }
        self.checkpoint()
    }

    /// Records the start of a run of `starts` with `options` (both as the
    /// command gave them: the next run of the same command resumes this one if it
    /// does not finish), and checkpoints.
    pub(crate) fn begin_run(
        &mut self,
        starts: &[String],
        options: &Value,
    ) -> Result<RunStart, Error> {
        let starts = serde_json::to_string(starts).expect("strings serialize");
        let options = options.to_string();
        let last: Option<(RunId, Option<Outcome>)> = self
            .conn
            .query_row(
                "SELECT id, outcome FROM runs WHERE starts = ?1 AND options = ?2 ORDER BY id DESC LIMIT 1",
                params![starts, options],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()
            .for_state(&self.path)?;
        let resumes = last
            .filter(|(_, outcome)| Outcome::resumable(*outcome))
            .map(|(id, _)| id);
        self.conn
            .execute(
                "INSERT INTO runs (started, pid, starts, options, resumes) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![now(), std::process::id(), starts, options, resumes],
            )
            .for_state(&self.path)?;
        let run = RunId(self.conn.last_insert_rowid());
        let mut runs = vec![run];
        let mut delivering = None;
        let mut previous = resumes;
        while let Some(id) = previous {
            runs.push(id);
            let restarted: bool;
            (previous, restarted) = self
                .conn
                .query_row(
                    "SELECT resumes, output_restarted FROM runs WHERE id = ?1",
                    [id],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .for_state(&self.path)?;
            if restarted && delivering.is_none() {
                delivering = Some(runs.clone());
            }
        }
        let delivering = delivering.unwrap_or_else(|| runs.clone());
        let last_finished: Option<(Outcome, i64)> = self
            .conn
            .query_row(
                "SELECT outcome, coalesce(json_extract(counts, '$.listings_replayed'), 0)
                 FROM runs WHERE starts = ?1 AND options = ?2 AND outcome IS NOT NULL AND id < ?3
                 ORDER BY id DESC LIMIT 1",
                params![starts, options, runs.last().copied().unwrap_or(run)],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()
            .for_state(&self.path)?;
        self.checkpoint()?;
        Ok(RunStart {
            run,
            resumes,
            runs,
            delivering,
            last_finished_ok: matches!(last_finished, Some((Outcome::Ok, 0))),
        })
    }

    /// Records how `run` ended, with its `counts` (a JSON object: `new`,
    /// `changed`, `unchanged`, `removed`, `records`, `requests`, `not_modified`,
    /// …), and checkpoints.
    pub(crate) fn end_run(
        &mut self,
        run: RunId,
        outcome: Outcome,
        counts: &Value,
    ) -> Result<(), Error> {
        self.conn
            .execute(
                "UPDATE runs SET ended = ?1, outcome = ?2, counts = ?3 WHERE id = ?4",
                params![now(), outcome, counts.to_string(), run],
            )
            .for_state(&self.path)?;
        self.checkpoint()
    }

    /// The last response stored for the URL `url_key`.
    pub(crate) fn page(&self, url_key: &str) -> Result<Option<StoredPage>, Error> {
        type Row = (
            u16,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
            RunId,
            String,
            Vec<u8>,
        );
        let row: Option<Row> = self
            .conn
            .prepare_cached(
                "SELECT status, etag, last_modified, content_type, final_url, fetched_run, fetched_at, body
                 FROM urls WHERE url = ?1",
            )
            .and_then(|mut statement| {
                statement
                    .query_row([url_key], |row| {
                        Ok((
                            row.get(0)?,
                            row.get(1)?,
                            row.get(2)?,
                            row.get(3)?,
                            row.get(4)?,
                            row.get(5)?,
                            row.get(6)?,
                            row.get(7)?,
                        ))
                    })
                    .optional()
            })
            .for_state(&self.path)?;
        let Some((status, etag, last_modified, content_type, final_url, run, fetched_at, body)) =
            row
        else {
            return Ok(None);
        };
        let mut inflated = Vec::new();
        ZlibDecoder::new(&body[..])
            .read_to_end(&mut inflated)
            .map_err(|e| self.corrupt(format!("the stored body of {url_key}: {e}")))?;
        Ok(Some(StoredPage {
            run,
            response: PageResponse {
                status,
                etag,
                last_modified,
                content_type,
                final_url,
                fetched_at: self.timestamp(&fetched_at)?,
                body: inflated,
            },
        }))
    }

    /// Records that `run` found the page stored for `url_key` still current at
    /// `at` (a 304), without storing its body again.
    pub(crate) fn page_still_current(
        &mut self,
        run: RunId,
        url_key: &str,
        at: DateTime<Utc>,
    ) -> Result<(), Error> {
        self.conn
            .prepare_cached("UPDATE urls SET fetched_run = ?1, fetched_at = ?2 WHERE url = ?3")
            .and_then(|mut statement| statement.execute(params![run, timestamp(at), url_key]))
            .map(drop)
            .for_state(&self.path)
    }

    /// Keeps `response` as what `run` got for the URL `url_key`, in place of
    /// what was kept before.
    pub(crate) fn store_page(
        &mut self,
        run: RunId,
        url_key: &str,
        response: &PageResponse,
    ) -> Result<(), Error> {
        let sha256 = data_encoding::HEXLOWER.encode(&Sha256::digest(&response.body));
        let body = deflate(&response.body);
        self.conn
            .prepare_cached(
                "INSERT OR REPLACE INTO urls
                 (url, status, etag, last_modified, content_type, final_url, fetched_run, fetched_at, body, body_sha256)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )
            .and_then(|mut statement| {
                statement.execute(params![
                    url_key,
                    response.status,
                    response.etag,
                    response.last_modified,
                    response.content_type,
                    response.final_url,
                    run,
                    timestamp(response.fetched_at),
                    body,
                    sha256,
                ])
            })
            .map(drop)
            .for_state(&self.path)
    }

    /// Whether the last response stored for `url_key` was fetched by one of
    /// `runs` (a run and the runs it resumes): what the tests ask of the `urls`
    /// table.
    #[cfg(test)]
    pub(crate) fn fetched_in(&self, url_key: &str, runs: &[RunId]) -> Result<bool, Error> {
        let run: Option<RunId> = self
            .conn
            .prepare_cached("SELECT fetched_run FROM urls WHERE url = ?1")
            .and_then(|mut statement| statement.query_row([url_key], |row| row.get(0)).optional())
            .for_state(&self.path)?;
        Ok(run.is_some_and(|run| runs.contains(&run)))
    }

    /// Compares `record` with what the state knows of its meeting and records
    /// that `run` saw it: under `listing` (the listing it was found on, when
    /// known), with `entry_hash` (its listing entry's hash, when known). Either,
    /// when `None`, keeps what was stored. A version of the content is stored
    /// whenever it differs from the last one stored.
    pub(crate) fn classify(
        &mut self,
        run: RunId,
        record: &Record,
        entry_hash: Option<&str>,
        listing: Option<&str>,
    ) -> Result<Change, Error> {
        let hash = content_hash(record);
        let content = serde_json::to_string(record).expect("records serialize");
        let known: Option<(String, Option<i64>)> = self
            .conn
            .prepare_cached("SELECT hash, removed_run FROM meetings WHERE id = ?1")
            .and_then(|mut statement| {
                statement
                    .query_row([&record.id], |row| Ok((row.get(0)?, row.get(1)?)))
                    .optional()
            })
            .for_state(&self.path)?;
        let last_version: Option<(String, String)> = self
            .conn
            .prepare_cached(
                "SELECT hash, content FROM versions WHERE meeting = ?1 ORDER BY id DESC LIMIT 1",
            )
            .and_then(|mut statement| {
                statement
                    .query_row([&record.id], |row| Ok((row.get(0)?, row.get(1)?)))
                    .optional()
            })
            .for_state(&self.path)?;
        let change = match &known {
            None | Some((_, Some(_))) => Change::New,
            Some((known_hash, None)) if *known_hash == hash => Change::Unchanged,
            Some(_) => Change::Changed {
                fields_changed: self
                    .fields_changed(last_version.as_ref().map(|(_, c)| c.as_str()), &content)?,
            },
        };
        let now = now();
        self.conn
            .prepare_cached(
                "INSERT INTO meetings
                 (id, hash, entry_hash, listing, first_seen_run, last_seen_run, first_seen, last_seen)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, ?6)
                 ON CONFLICT (id) DO UPDATE SET
                     hash = excluded.hash,
                     entry_hash = coalesce(excluded.entry_hash, entry_hash),
                     listing = coalesce(excluded.listing, listing),
                     last_seen_run = excluded.last_seen_run,
                     last_seen = excluded.last_seen,
                     removed_run = NULL",
            )
            .and_then(|mut statement| {
                statement.execute(params![record.id, hash, entry_hash, listing, run, now])
            })
            .for_state(&self.path)?;
        if last_version.is_none_or(|(last_hash, _)| last_hash != hash) {
            self.conn
                .prepare_cached(
                    "INSERT INTO versions (meeting, run, hash, content, created) VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .and_then(|mut statement| {
                    statement.execute(params![record.id, run, hash, content, now])
                })
                .for_state(&self.path)?;
        }
        Ok(change)
    }

    /// The top-level fields whose values differ between the stored version
    /// `previous` and `current` (both a record as JSON), as [`Change::Changed`] says.
    fn fields_changed(&self, previous: Option<&str>, current: &str) -> Result<Vec<String>, Error> {
        let Some(previous) = previous else {
            return Ok(vec![UNKNOWN_FIELDS.to_string()]);
        };
        let previous: serde_json::Map<String, Value> = serde_json::from_str(previous)
            .map_err(|e| self.corrupt(format!("a stored version: {e}")))?;
        let current: serde_json::Map<String, Value> =
            serde_json::from_str(current).expect("a record is a JSON object");
        let names: BTreeSet<&String> = previous.keys().chain(current.keys()).collect();
        Ok(names
            .into_iter()
            .filter(|name| !WHERE_FOUND.contains(&name.as_str()))
            .filter(|name| previous.get(*name) != current.get(*name))
            .cloned()
            .collect())
    }

    /// The content of the meeting `id` as last stored: the record as it was
    /// written, where and when it was read included.
    pub(crate) fn latest_content(&self, id: &str) -> Result<Option<Value>, Error> {
        let content: Option<String> = self
            .conn
            .prepare_cached(
                "SELECT content FROM versions WHERE meeting = ?1 ORDER BY id DESC LIMIT 1",
            )
            .and_then(|mut statement| statement.query_row([id], |row| row.get(0)).optional())
            .for_state(&self.path)?;
        content
            .map(|c| serde_json::from_str(&c))
            .transpose()
            .map_err(|e| self.corrupt(format!("a stored version of {id}: {e}")))
    }

    /// Whether the meeting `id` is known, not removed, and was last seen in a
    /// listing entry hashing to `entry_hash`: a listing page of only such entries
    /// holds nothing new.
    ///
    /// Only what runs before `before` saw counts: a run that continues a killed
    /// one must not stop at entries the killed run itself just learnt, or the
    /// pages after them, which that run never reached, would never be read.
    pub(crate) fn known_entry(
        &self,
        id: &str,
        entry_hash: &str,
        before: RunId,
    ) -> Result<bool, Error> {
        self.conn
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM meetings
                 WHERE id = ?1 AND entry_hash = ?2 AND removed_run IS NULL AND last_seen_run < ?3)",
            )
            .and_then(|mut statement| {
                statement.query_row(params![id, entry_hash, before], |row| row.get(0))
            })
            .for_state(&self.path)
    }

    /// Marks as removed by `run`, and returns sorted, the meetings last seen
    /// under `listing` that are not among `seen` (what `run` found on it, read
    /// completely). A meeting already removed is not removed again, and one that
    /// `run` saw elsewhere is not removed at all.
    pub(crate) fn removed(
        &mut self,
        run: RunId,
        listing: &str,
        seen: &HashSet<String>,
    ) -> Result<Vec<String>, Error> {
        let candidates: Vec<String> = self
            .conn
            .prepare_cached(
                "SELECT id FROM meetings
                 WHERE listing = ?1 AND removed_run IS NULL AND last_seen_run IS NOT ?2
                 ORDER BY id",
            )
            .and_then(|mut statement| {
                statement
                    .query_map(params![listing, run], |row| row.get(0))?
                    .collect()
            })
            .for_state(&self.path)?;
        let gone: Vec<String> = candidates
            .into_iter()
            .filter(|id| !seen.contains(id))
            .collect();
        for id in &gone {
            self.conn
                .prepare_cached("UPDATE meetings SET removed_run = ?1 WHERE id = ?2")
                .and_then(|mut statement| statement.execute(params![run, id]))
                .for_state(&self.path)?;
        }
        Ok(gone)
    }

    /// Records that `run` wrote the meeting `id` to its output as `change`. The
    /// first delivery of a meeting in a run is the one kept.
    pub(crate) fn delivered(
        &mut self,
        run: RunId,
        id: &str,
        change: ChangeKind,
    ) -> Result<(), Error> {
        self.conn
            .prepare_cached(
                "INSERT INTO deliveries (run, meeting, change) VALUES (?1, ?2, ?3)
                 ON CONFLICT DO NOTHING",
            )
            .and_then(|mut statement| statement.execute(params![run, id, change]))
            .map(drop)
            .for_state(&self.path)
    }

    /// Whether one of `runs` (a run and the runs it resumes) delivered the
    /// meeting `id`.
    pub(crate) fn was_delivered(&self, runs: &[RunId], id: &str) -> Result<bool, Error> {
        if runs.is_empty() {
            return Ok(false);
        }
        let placeholders = vec!["?"; runs.len()].join(", ");
        let sql = format!(
            "SELECT EXISTS (SELECT 1 FROM deliveries WHERE meeting = ? AND run IN ({placeholders}))"
        );
        let parameters: Vec<&dyn ToSql> = std::iter::once(&id as &dyn ToSql)
            .chain(runs.iter().map(|run| run as &dyn ToSql))
            .collect();
        self.conn
            .prepare_cached(&sql)
            .and_then(|mut statement| statement.query_row(&parameters[..], |row| row.get(0)))
            .for_state(&self.path)
    }

    /// How the meeting `id` was last delivered, when the outputs the run writes
    /// to will not hold that delivery: it was made by no run of `delivering`
    /// (whose outputs this run continues), and either by a run that was killed
    /// or stopped on an error and that no run continuing its output finished
    /// (so its output was never put in place), or by a run of `chain` whose
    /// output this run, or one it continues, started over. Such a meeting is
    /// known to the state but must be delivered again.
    pub(crate) fn stranded_delivery(
        &self,
        id: &str,
        delivering: &[RunId],
        chain: &[RunId],
    ) -> Result<Option<ChangeKind>, Error> {
        let last: Option<(RunId, String, Option<Outcome>)> = self
            .conn
            .prepare_cached(
                "SELECT d.run, d.change, r.outcome FROM deliveries d JOIN runs r ON r.id = d.run
                 WHERE d.meeting = ?1 ORDER BY d.run DESC LIMIT 1",
            )
            .and_then(|mut statement| {
                statement
                    .query_row([id], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
                    .optional()
            })
            .for_state(&self.path)?;
        let Some((run, change, outcome)) = last else {
            return Ok(None);
        };
        if delivering.contains(&run) {
            return Ok(None);
        }
        let stranded = chain.contains(&run)
            || (matches!(outcome, None | Some(Outcome::Error))
                && !self.finished_by_a_continuation(run)?);
        Ok(match change.as_str() {
            "new" if stranded => Some(ChangeKind::New),
            "changed" if stranded => Some(ChangeKind::Changed),
            // An unchanged meeting written by `--emit all` was no news.
            _ => None,
        })
    }

    /// Whether a run that continued `run`'s outputs, directly or through runs
    /// that continued them in turn, finished and so put them in place, with
    /// what `run` delivered in them. A run that started its output over holds
    /// none of the earlier runs' deliveries, nor do the runs that continue it.
    fn finished_by_a_continuation(&self, run: RunId) -> Result<bool, Error> {
        self.conn
            .prepare_cached(
                "WITH RECURSIVE continuing (id, outcome) AS (
                     SELECT id, outcome FROM runs WHERE resumes = ?1 AND NOT output_restarted
                     UNION ALL
                     SELECT r.id, r.outcome FROM runs r JOIN continuing c ON r.resumes = c.id
                     WHERE NOT r.output_restarted
                 )
                 SELECT EXISTS (
                     SELECT 1 FROM continuing WHERE outcome IN ('ok', 'failed_pages', 'interrupted')
                 )",
            )
            .and_then(|mut statement| statement.query_row([run], |row| row.get(0)))
            .for_state(&self.path)
    }

    /// How many bytes of the output at `path` `run` had written and synced at
    /// its last checkpoint.
    pub(crate) fn output_progress(&self, run: RunId, path: &Path) -> Result<Option<u64>, Error> {
        let bytes: Option<i64> = self
            .conn
            .prepare_cached("SELECT bytes FROM outputs WHERE run = ?1 AND path = ?2")
            .and_then(|mut statement| {
                statement
                    .query_row(params![run, path.to_string_lossy()], |row| row.get(0))
                    .optional()
            })
            .for_state(&self.path)?;
        bytes
            .map(|b| u64::try_from(b).map_err(|_| self.corrupt(format!("{b} bytes of output"))))
            .transpose()
    }

    /// The outputs `run` noted whose names start with `prefix`.
    pub(crate) fn outputs_named(&self, run: RunId, prefix: &str) -> Result<Vec<String>, Error> {
        self.conn
            .prepare_cached("SELECT path FROM outputs WHERE run = ?1 AND substr(path, 1, ?3) = ?2")
            .and_then(|mut statement| {
                statement
                    .query_map(params![run, prefix, prefix.len() as i64], |row| row.get(0))?
                    .collect()
            })
            .for_state(&self.path)
    }

    pub(crate) fn set_output_progress(
        &mut self,
        run: RunId,
        path: &Path,
        bytes: u64,
    ) -> Result<(), Error> {
        let bytes = i64::try_from(bytes).expect("an output is shorter than 8 EiB");
        self.conn
            .prepare_cached(
                "INSERT INTO outputs (run, path, bytes) VALUES (?1, ?2, ?3)
                 ON CONFLICT (run, path) DO UPDATE SET bytes = excluded.bytes",
            )
            .and_then(|mut statement| {
                statement.execute(params![run, path.to_string_lossy(), bytes])
            })
            .map(drop)
            .for_state(&self.path)
    }

    fn timestamp(&self, text: &str) -> Result<DateTime<Utc>, Error> {
        parse_timestamp(text).map_err(|e| self.corrupt(e))
    }

    fn corrupt(&self, message: String) -> Error {
        Error::State {
            path: self.path.display().to_string(),
            message,
        }
    }
}

/// A connection to the database at `path` (created when missing), set up for a
/// writer that must not lose what it committed.
fn connect(path: &Path) -> Result<Connection, Error> {
    let conn = Connection::open(path).for_state(path)?;
    conn.busy_timeout(BUSY_TIMEOUT).for_state(path)?;
    // The write-ahead log lets `harava state status` and `sqlite3` read while a
    // run writes. NORMAL does not sync it on every commit: a power loss may take
    // the last commits back, never leaving the database corrupt, and what they
    // claimed delivered is then delivered again, exactly once, since outputs are
    // synced before each commit and a resumed run cuts them back to what the
    // database says. A kill of the process loses no commit at all.
    let journal: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
        .for_state(path)?;
    if !journal.eq_ignore_ascii_case("wal") {
        tracing::warn!(path = %path.display(), journal = %journal, "the state database cannot use a write-ahead log here (a network file system?); readers will wait for the run's commits");
    }
    conn.pragma_update(None, "synchronous", "NORMAL")
        .for_state(path)?;
    conn.pragma_update(None, "foreign_keys", true)
        .for_state(path)?;
    Ok(conn)
}

/// A read-only connection to the existing harava database at `path`, for
/// looking at it while a run may be writing.
pub(super) fn connect_read_only(path: &Path) -> Result<Connection, Error> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .for_state(path)?;
    conn.busy_timeout(BUSY_TIMEOUT).for_state(path)?;
    Ok(conn)
}

/// Whether the file at `path` is in harava 0.2's format: there, and not SQLite.
/// An empty file counts, as a state with no meetings. A database of ours is
/// never empty: SQLite writes its header when it switches a new one to the
/// write-ahead log, before anything can go into the log.
pub(super) fn is_legacy(path: &Path) -> Result<bool, Error> {
    let io_error = |e: io::Error| Error::StateStore {
        path: path.display().to_string(),
        message: format!("cannot read: {e}"),
    };
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(io_error(e)),
    };
    let mut header = Vec::with_capacity(SQLITE_HEADER.len());
    file.take(SQLITE_HEADER.len() as u64)
        .read_to_end(&mut header)
        .map_err(io_error)?;
    Ok(header != SQLITE_HEADER)
}

/// Replaces harava 0.2's JSON Lines state at `path` by a database that knows its
/// meetings' hashes (but not their content, which the file did not keep). The
/// database is built beside it under a temporary name and renamed over it, so a
/// crash leaves the old file or the new one, never half of either.
fn convert_legacy(path: &Path) -> Result<(), Error> {
    let hashes = legacy::read(path)?;
    let io_error = |e: io::Error| Error::StateStore {
        path: path.display().to_string(),
        message: format!("cannot convert it to a database: {e}"),
    };
    // A symbolic link stays one: the file it leads to is replaced.
    let target = std::fs::canonicalize(path).map_err(io_error)?;
    let dir = target.parent().unwrap_or(Path::new("/"));
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".converting")
        .tempfile_in(dir)
        .map_err(io_error)?;
    let permissions = std::fs::metadata(&target).map_err(io_error)?.permissions();
    temp.as_file()
        .set_permissions(permissions)
        .map_err(io_error)?;
    let mut conn = connect(temp.path())?;
    schema::migrate(&mut conn, temp.path())?;
    let now = now();
    let tx = conn.transaction().for_state(temp.path())?;
    {
        let mut insert = tx
            .prepare(
                "INSERT INTO meetings (id, hash, first_seen, last_seen) VALUES (?1, ?2, ?3, ?3)",
            )
            .for_state(temp.path())?;
        for (id, hash) in &hashes {
            insert
                .execute(params![id, hash, now])
                .for_state(temp.path())?;
        }
    }
    tx.commit().for_state(temp.path())?;
    // Closing checkpoints the write-ahead log into the file and removes it, so
    // the file alone is the whole database when it is renamed.
    conn.close().map_err(|(_, e)| e).for_state(temp.path())?;
    temp.persist(&target).map_err(|e| io_error(e.error))?;
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io_error)?;
    tracing::info!(path = %path.display(), meetings = hashes.len(), "converted the state file from JSON Lines to a SQLite database");
    Ok(())
}

fn deflate(body: &[u8]) -> Vec<u8> {
    // Pages are kept for 304s and resumes, not for archiving: the fastest level
    // (a page to about a third of its size) makes the database only a few
    // percent larger than the default level, for less of the crawl's CPU.
    let mut encoder = ZlibEncoder::new(Vec::new(), Compression::fast());
    let in_memory = "writing to memory does not fail";
    encoder.write_all(body).expect(in_memory);
    encoder.finish().expect(in_memory)
}

pub(super) fn now() -> String {
    timestamp(Utc::now())
}

fn timestamp(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Secs, true)
}

pub(super) fn parse_timestamp(text: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("the time {text:?}: {e}"))
}

impl ToSql for Outcome {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.as_str()))
    }
}

impl FromSql for Outcome {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        match value.as_str()? {
            "ok" => Ok(Outcome::Ok),
            "failed_pages" => Ok(Outcome::FailedPages),
            "error" => Ok(Outcome::Error),
            "interrupted" => Ok(Outcome::Interrupted),
            other => Err(FromSqlError::Other(
                format!("unknown outcome {other:?}").into(),
            )),
        }
    }
}

impl ToSql for RunId {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        self.0.to_sql()
    }
}

impl FromSql for RunId {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        i64::column_result(value).map(RunId)
    }
}

impl ToSql for ChangeKind {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.as_str()))
    }
}

#[cfg(test)]
mod tests {
    /// A run after every run a test makes: whatever they saw counts as known.
    const LATER: RunId = RunId(i64::MAX);

    use std::os::unix::fs::PermissionsExt;

    use serde_json::json;

    use super::super::tests::record;
    use super::*;

    fn meeting(id: &str, summary: &str) -> Record {
        Record {
            id: id.into(),
            ..record(summary)
        }
    }

    fn count(path: &Path, sql: &str) -> i64 {
        connect_read_only(path)
            .unwrap()
            .query_row(sql, [], |row| row.get(0))
            .unwrap()
    }

    fn run(store: &mut Store) -> RunId {
        store
            .begin_run(&["https://x.fi/".into()], &json!({}))
            .unwrap()
            .run
    }

    #[test]
    fn a_missing_file_becomes_a_new_database() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.db");
        drop(Store::open(&path).unwrap());
        assert!(std::fs::read(&path).unwrap().starts_with(SQLITE_HEADER));
        let conn = connect_read_only(&path).unwrap();
        assert_eq!(schema::version(&conn, &path).unwrap(), schema::VERSION);
        assert_eq!(count(&path, "SELECT count(*) FROM runs"), 0);
        // Opening it again finds it as it is.
        drop(Store::open(&path).unwrap());
    }

    #[test]
    fn a_json_lines_state_is_converted_and_its_hashes_still_compare() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.jsonl");
        let known = record("Kokous.");
        std::fs::write(
            &path,
            format!(
                "{{\"id\":\"{}\",\"hash\":\"{}\"}}\n{{\"id\":\"ffffffffffffffff\",\"hash\":\"0123456789abcdef\"}}\n",
                known.id,
                content_hash(&known)
            ),
        )
        .unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();

        let mut store = Store::open(&path).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o640);
        assert!(std::fs::read(&path).unwrap().starts_with(SQLITE_HEADER));
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.contains("converting"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");

        let run = run(&mut store);
        assert_eq!(
            store.classify(run, &known, None, None).unwrap(),
            Change::Unchanged
        );
        assert_eq!(
            store
                .classify(run, &meeting("ffffffffffffffff", "Uusi."), None, None)
                .unwrap(),
            Change::Changed {
                fields_changed: vec![UNKNOWN_FIELDS.to_string()]
            },
            "no content was kept to compare with"
        );
        // Seen once, the meeting's content is kept, and compared from then on.
        assert_eq!(
            store.latest_content(&known.id).unwrap(),
            Some(serde_json::to_value(&known).unwrap())
        );
    }

    #[test]
    fn an_empty_file_is_an_old_state_with_no_meetings() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state");
        std::fs::write(&path, "").unwrap();
        let mut store = Store::open(&path).unwrap();
        store.checkpoint().unwrap();
        assert_eq!(count(&path, "SELECT count(*) FROM meetings"), 0);
    }

    #[test]
    fn a_broken_json_lines_state_names_the_line_and_is_left_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.jsonl");
        let text = "{\"id\":\"a\",\"hash\":\"b\"}\nnot json\n";
        std::fs::write(&path, text).unwrap();
        let err = Store::open(&path).err().unwrap().to_string();
        assert!(
            err.starts_with(&format!("{}: line 2: ", path.display())),
            "{err}"
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
    }

    #[test]
    fn a_schema_newer_than_this_harava_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.db");
        drop(Store::open(&path).unwrap());
        Connection::open(&path)
            .unwrap()
            .pragma_update(None, "user_version", schema::VERSION + 1)
            .unwrap();
        let err = Store::open(&path).err().unwrap();
        assert!(matches!(err, Error::StateTooNew { .. }), "{err:?}");
        assert!(
            err.to_string().ends_with("upgrade harava to use it"),
            "{err}"
        );
    }

    #[test]
    fn another_programs_database_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("other.db");
        Connection::open(&path)
            .unwrap()
            .execute_batch("CREATE TABLE photos (id INTEGER)")
            .unwrap();
        let err = Store::open(&path).err().unwrap().to_string();
        assert!(err.contains("not harava's state"), "{err}");
    }

    #[test]
    fn a_second_run_on_the_same_state_is_refused_and_names_the_first() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.db");
        let first = Store::open(&path).unwrap();
        let err = Store::open(&path).err().unwrap();
        assert!(matches!(err, Error::StateLocked { .. }), "{err:?}");
        let message = err.to_string();
        let expected = format!(
            "state {} is in use by another harava run (pid {}, started ",
            path.display(),
            std::process::id()
        );
        assert!(message.starts_with(&expected), "{message}");
        assert!(
            message
                .ends_with("Z); wait for it to finish, or check that the process is still running"),
            "{message}"
        );
        drop(first);
        drop(Store::open(&path).unwrap());
    }

    #[test]
    fn the_lock_of_a_run_that_died_is_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.db");
        let lock = super::super::lock::lock_path(&path);
        std::fs::write(
            &lock,
            "{\"pid\":4000000000,\"started\":\"2026-11-29T07:00:00Z\"}\n",
        )
        .unwrap();
        let _store = Store::open(&path).unwrap();
        let holder: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&lock).unwrap()).unwrap();
        assert_eq!(holder["pid"], std::process::id());
        assert_ne!(holder["started"], "2026-11-29T07:00:00Z");
    }

    #[test]
    fn a_run_knows_whether_the_last_finished_run_of_its_starts_ended_well() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("state.db")).unwrap();
        let starts = ["https://x.fi/".to_string()];
        let first = store.begin_run(&starts, &json!({})).unwrap();
        assert!(!first.last_finished_ok, "no run before it");
        store.end_run(first.run, Outcome::Ok, &json!({})).unwrap();

        // Other options (a trial with --max-pages, say) read other pages: only
        // runs with the same options count.
        let trial = store.begin_run(&starts, &json!({"max_pages": 1})).unwrap();
        assert!(!trial.last_finished_ok);
        store.end_run(trial.run, Outcome::Ok, &json!({})).unwrap();
        let second = store.begin_run(&starts, &json!({})).unwrap();
        assert!(
            second.last_finished_ok,
            "the trial does not count either way"
        );
        store
            .end_run(second.run, Outcome::FailedPages, &json!({}))
            .unwrap();
        let third = store.begin_run(&starts, &json!({})).unwrap();
        assert!(!third.last_finished_ok, "pages failed in the last run");

        // Killed: the run that continues it looks past the chain it continues.
        drop(store);
        let mut store = Store::open(&dir.path().join("state.db")).unwrap();
        let continued = store.begin_run(&starts, &json!({})).unwrap();
        assert_eq!(continued.resumes, Some(third.run));
        assert!(!continued.last_finished_ok);
        store
            .end_run(continued.run, Outcome::Ok, &json!({}))
            .unwrap();
        let next = store.begin_run(&starts, &json!({})).unwrap();
        assert!(next.last_finished_ok);

        // A run that read listing pages from the state may have read them
        // shifted against those it fetched.
        store
            .end_run(next.run, Outcome::Ok, &json!({"listings_replayed": 2}))
            .unwrap();
        let after_replay = store.begin_run(&starts, &json!({})).unwrap();
        assert!(!after_replay.last_finished_ok);
        let elsewhere = store
            .begin_run(&["https://y.fi/".into()], &json!({}))
            .unwrap();
        assert!(
            !elsewhere.last_finished_ok,
            "another site's runs do not count"
        );
    }

    #[test]
    fn a_roll_back_forgets_what_came_after_the_last_checkpoint_even_when_sqlite_already_did() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.db");
        let starts = ["https://x.fi/".to_string()];
        let mut store = Store::open(&path).unwrap();
        let run = store.begin_run(&starts, &json!({})).unwrap().run;
        let output = dir.path().join("out.jsonl");
        store.set_output_progress(run, &output, 10).unwrap();
        store.checkpoint().unwrap();
        store.set_output_progress(run, &output, 20).unwrap();
        store.roll_back().unwrap();
        assert_eq!(store.output_progress(run, &output).unwrap(), Some(10));
        // A full disk may make SQLite end the transaction itself.
        store.conn.execute_batch("ROLLBACK").unwrap();
        store.roll_back().unwrap();
        store.set_output_progress(run, &output, 30).unwrap();
        store.checkpoint().unwrap();
        assert_eq!(store.output_progress(run, &output).unwrap(), Some(30));
    }

    #[test]
    fn a_run_whose_output_started_over_cuts_the_deliveries_but_not_the_pages_of_its_chain() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.db");
        let starts = ["https://x.fi/".to_string()];
        let options = json!({});
        let mut store = Store::open(&path).unwrap();
        let first = store.begin_run(&starts, &options).unwrap();
        let second = store.begin_run(&starts, &options).unwrap();
        assert_eq!(second.delivering, [second.run, first.run]);
        store
            .restart_deliveries(second.run, &[dir.path().join("out.jsonl")])
            .unwrap();
        let third = store.begin_run(&starts, &options).unwrap();
        assert_eq!(third.runs, [third.run, second.run, first.run]);
        assert_eq!(third.delivering, [third.run, second.run]);
        assert_eq!(
            store
                .output_progress(second.run, &dir.path().join("out.jsonl"))
                .unwrap(),
            Some(0)
        );
    }

    #[test]
    fn a_version_1_database_gets_the_column_of_version_2() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.db");
        {
            // What harava 0.3 and 0.4 wrote.
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(schema::MIGRATIONS[0]).unwrap();
            conn.pragma_update(None, "application_id", 0x6861_7276)
                .unwrap();
            conn.pragma_update(None, "user_version", 1).unwrap();
            conn.execute(
                "INSERT INTO runs (started, pid, starts, options) VALUES ('2026-11-01T00:00:00Z', 1, '[\"https://x.fi/\"]', '{}')",
                [],
            )
            .unwrap();
        }
        let mut store = Store::open(&path).unwrap();
        let run = store
            .begin_run(&["https://x.fi/".into()], &json!({}))
            .unwrap();
        assert_eq!(run.resumes, Some(RunId(1)), "the unfinished run of 0.4");
        assert_eq!(run.delivering, [run.run, RunId(1)]);
        drop(store);
        let conn = Connection::open(&path).unwrap();
        assert_eq!(schema::version(&conn, &path).unwrap(), 2);
    }

    #[test]
    fn a_run_that_did_not_finish_is_resumed_by_the_same_command_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.db");
        let starts = ["https://x.fi/".to_string()];
        let options = json!({"detail": true, "max_pages": 5});

        let mut store = Store::open(&path).unwrap();
        let killed = store.begin_run(&starts, &options).unwrap();
        assert_eq!(killed.resumes, None);
        assert_eq!(killed.runs, vec![killed.run]);
        drop(store);

        let mut store = Store::open(&path).unwrap();
        let interrupted = store.begin_run(&starts, &options).unwrap();
        assert_eq!(interrupted.resumes, Some(killed.run));
        store
            .end_run(interrupted.run, Outcome::Interrupted, &json!({}))
            .unwrap();

        let finished = store.begin_run(&starts, &options).unwrap();
        assert_eq!(finished.resumes, Some(interrupted.run));
        assert_eq!(
            finished.runs,
            vec![finished.run, interrupted.run, killed.run]
        );
        store
            .end_run(finished.run, Outcome::FailedPages, &json!({}))
            .unwrap();

        let after = store.begin_run(&starts, &options).unwrap();
        assert_eq!(after.resumes, None, "the last run finished");
        drop(store);

        let mut store = Store::open(&path).unwrap();
        let other_starts = store
            .begin_run(&["https://y.fi/".into()], &options)
            .unwrap();
        assert_eq!(other_starts.resumes, None);
        let other_options = store.begin_run(&starts, &json!({"detail": false})).unwrap();
        assert_eq!(other_options.resumes, None);
        let same = store.begin_run(&starts, &options).unwrap();
        assert_eq!(
            same.resumes,
            Some(after.run),
            "runs of other commands in between"
        );
    }

    #[test]
    fn meetings_are_new_then_unchanged_then_changed_in_the_fields_that_changed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.db");
        let mut store = Store::open(&path).unwrap();
        let first = run(&mut store);
        let original = record("Kokous.");
        assert_eq!(
            store
                .classify(first, &original, Some("e1"), Some("L"))
                .unwrap(),
            Change::New
        );

        let second = run(&mut store);
        let mut elsewhere = original.clone();
        elsewhere.source_url = "https://www.uusimaa2019.fi/kuntajohtajakokous/page/2/".into();
        elsewhere.fetched_at = None;
        elsewhere.archive_url = Some("https://web.archive.org/web/2026/x".into());
        assert_eq!(
            store.classify(second, &elsewhere, None, None).unwrap(),
            Change::Unchanged
        );

        let third = run(&mut store);
        let mut edited = original.clone();
        edited.summary = Some("Kokous siirtyi.".into());
        edited.title = Some("Kuntajohtajakokous 11.5.2017".into());
        edited.source_url = "https://elsewhere.fi/".into();
        assert_eq!(
            store.classify(third, &edited, None, None).unwrap(),
            Change::Changed {
                fields_changed: vec!["summary".into(), "title".into()]
            }
        );
        let mut warned = edited.clone();
        warned.warnings = vec!["no date".into()];
        assert_eq!(
            store.classify(third, &warned, None, None).unwrap(),
            Change::Changed {
                fields_changed: vec!["warnings".into()]
            }
        );
        assert_eq!(
            store.latest_content(&original.id).unwrap(),
            Some(serde_json::to_value(&warned).unwrap())
        );
        store.checkpoint().unwrap();
        assert_eq!(count(&path, "SELECT count(*) FROM versions"), 3);
        let (first_seen, last_seen, listing): (RunId, RunId, String) = connect_read_only(&path)
            .unwrap()
            .query_row(
                "SELECT first_seen_run, last_seen_run, listing FROM meetings",
                [],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )
            .unwrap();
        assert_eq!(
            (first_seen, last_seen, listing.as_str()),
            (first, third, "L")
        );
        assert!(
            store.known_entry(&original.id, "e1", LATER).unwrap(),
            "kept when not given"
        );
        assert!(!store.known_entry(&original.id, "e2", LATER).unwrap());
        assert!(!store.known_entry("0000000000000000", "e1", LATER).unwrap());
        assert!(
            !store.known_entry(&original.id, "e1", third).unwrap(),
            "what a run itself saw is not known before it"
        );
    }

    #[test]
    fn meetings_gone_from_a_listing_are_removed_once_and_new_when_they_reappear() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.db");
        let mut store = Store::open(&path).unwrap();
        let first = run(&mut store);
        for (id, listing) in [("a", "L1"), ("b", "L1"), ("c", "L1"), ("d", "L2")] {
            store
                .classify(first, &meeting(id, id), Some(id), Some(listing))
                .unwrap();
        }
        let second = run(&mut store);
        store
            .classify(second, &meeting("a", "a"), Some("a"), Some("L1"))
            .unwrap();
        // Found this run on a detail page of its own, not on its listing.
        store
            .classify(second, &meeting("c", "c"), None, None)
            .unwrap();
        let seen: HashSet<String> = ["a".to_string()].into();
        assert_eq!(store.removed(second, "L1", &seen).unwrap(), vec!["b"]);
        assert_eq!(
            store.removed(second, "L1", &seen).unwrap(),
            Vec::<String>::new()
        );
        assert!(!store.known_entry("b", "b", LATER).unwrap(), "removed");

        let third = run(&mut store);
        assert_eq!(
            store.removed(third, "L1", &HashSet::new()).unwrap(),
            vec!["a", "c"],
            "not again for b; d is on another listing"
        );
        assert_eq!(
            store
                .classify(third, &meeting("b", "b"), Some("b"), Some("L1"))
                .unwrap(),
            Change::New,
            "back after a removal"
        );
        assert!(store.known_entry("b", "b", LATER).unwrap());
        assert_eq!(
            store
                .classify(third, &meeting("b", "b"), Some("b"), Some("L1"))
                .unwrap(),
            Change::Unchanged
        );
        assert_eq!(
            store
                .removed(third, "L2", &["d".to_string()].into())
                .unwrap(),
            Vec::<String>::new()
        );
    }

    #[test]
    fn a_page_round_trips_and_only_its_last_response_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.db");
        let mut store = Store::open(&path).unwrap();
        let first = run(&mut store);
        assert_eq!(store.page("https://x.fi/").unwrap(), None);
        let response = PageResponse {
            status: 200,
            etag: Some("\"abc\"".into()),
            last_modified: Some("Sun, 29 Nov 2026 07:00:00 GMT".into()),
            content_type: Some("text/html; charset=utf-8".into()),
            final_url: Some("https://x.fi/kokoukset/".into()),
            fetched_at: DateTime::parse_from_rfc3339("2026-11-29T07:00:01Z")
                .unwrap()
                .with_timezone(&Utc),
            body: "<html>Pöytäkirja</html>".repeat(100).into_bytes(),
        };
        store.store_page(first, "https://x.fi/", &response).unwrap();
        assert_eq!(
            store.page("https://x.fi/").unwrap(),
            Some(StoredPage {
                run: first,
                response: response.clone()
            })
        );
        assert!(store.fetched_in("https://x.fi/", &[first]).unwrap());
        assert!(!store.fetched_in("https://y.fi/", &[first]).unwrap());

        let second = run(&mut store);
        assert!(!store.fetched_in("https://x.fi/", &[second]).unwrap());
        let refetched = PageResponse {
            etag: None,
            body: b"<html></html>".to_vec(),
            ..response
        };
        store
            .store_page(second, "https://x.fi/", &refetched)
            .unwrap();
        assert_eq!(
            store.page("https://x.fi/").unwrap().unwrap().response,
            refetched
        );
        store.checkpoint().unwrap();
        assert_eq!(count(&path, "SELECT count(*) FROM urls"), 1);
        let (stored, sha256): (Vec<u8>, String) = connect_read_only(&path)
            .unwrap()
            .query_row("SELECT body, body_sha256 FROM urls", [], |row| {
                Ok((row.get(0)?, row.get(1)?))
            })
            .unwrap();
        let mut body = Vec::new();
        ZlibDecoder::new(&stored[..])
            .read_to_end(&mut body)
            .unwrap();
        assert_eq!(body, b"<html></html>");
        assert_eq!(
            sha256,
            data_encoding::HEXLOWER.encode(&Sha256::digest(b"<html></html>"))
        );

        // A 304 in a later run: the same page, now under that run and time.
        let third = run(&mut store);
        let at = DateTime::parse_from_rfc3339("2026-11-30T05:10:00Z")
            .unwrap()
            .with_timezone(&Utc);
        store
            .page_still_current(third, "https://x.fi/", at)
            .unwrap();
        let stored = store.page("https://x.fi/").unwrap().unwrap();
        assert_eq!(stored.run, third);
        assert_eq!(
            stored.response,
            PageResponse {
                fetched_at: at,
                ..refetched
            }
        );
    }

    #[test]
    fn deliveries_and_output_progress_count_across_resumed_runs() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.db");
        let output = dir.path().join("out.jsonl");
        let starts = ["https://x.fi/".to_string()];
        let mut store = Store::open(&path).unwrap();
        let killed = store.begin_run(&starts, &json!({})).unwrap().run;
        store
            .classify(killed, &meeting("a", "a"), None, None)
            .unwrap();
        store.delivered(killed, "a", ChangeKind::New).unwrap();
        store.set_output_progress(killed, &output, 100).unwrap();
        store.set_output_progress(killed, &output, 250).unwrap();
        store.checkpoint().unwrap();
        // Not checkpointed: lost with the process.
        store
            .classify(killed, &meeting("b", "b"), None, None)
            .unwrap();
        store.delivered(killed, "b", ChangeKind::New).unwrap();
        store.set_output_progress(killed, &output, 400).unwrap();
        drop(store);

        let mut store = Store::open(&path).unwrap();
        let resumed = store.begin_run(&starts, &json!({})).unwrap();
        assert_eq!(resumed.resumes, Some(killed));
        assert!(store.was_delivered(&resumed.runs, "a").unwrap());
        assert!(!store.was_delivered(&resumed.runs, "b").unwrap());
        assert!(!store.was_delivered(&[resumed.run], "a").unwrap());
        assert!(!store.was_delivered(&[], "a").unwrap());
        assert_eq!(store.output_progress(killed, &output).unwrap(), Some(250));
        assert_eq!(store.output_progress(resumed.run, &output).unwrap(), None);
    }

    #[test]
    fn nothing_is_visible_to_readers_before_a_checkpoint() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.db");
        let mut store = Store::open(&path).unwrap();
        let run = run(&mut store);
        assert_eq!(
            count(&path, "SELECT count(*) FROM runs"),
            1,
            "begin_run checkpoints"
        );
        store.classify(run, &record("Kokous."), None, None).unwrap();
        assert_eq!(count(&path, "SELECT count(*) FROM meetings"), 0);
        store.checkpoint().unwrap();
        assert_eq!(count(&path, "SELECT count(*) FROM meetings"), 1);
        store.end_run(run, Outcome::Ok, &json!({"new": 1})).unwrap();
        assert_eq!(
            count(&path, "SELECT count(*) FROM runs WHERE outcome = 'ok'"),
            1
        );
    }
}
