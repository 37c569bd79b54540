//! A run against a state database (`--state`): which meetings are news, which
//! pages can be replayed or revalidated, and the `--changes` lines.
//!
//! Everything the run tells the database is committed at [`Harvest::checkpoint`],
//! after the outputs were synced, so the database never claims more than the
//! files hold: a run killed between two checkpoints is continued by the next run
//! of the same command from the last one, its pages replayed from the database
//! rather than fetched again and its delivered meetings not written twice.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

use super::{Delivery, Output};
use crate::error::Error;
use crate::output_file::resumable_name;
use crate::record::Record;
use crate::state::{Change, ChangeKind, Outcome, PageResponse, RunId, RunStart, Store};

/// What a run found its meetings to be against the state.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub(crate) struct Counts {
    pub new: u64,
    pub changed: u64,
    pub unchanged: u64,
    pub removed: u64,
    /// Delivered by the unfinished run this one continues, so not written again.
    pub delivered_before: u64,
    /// Left out by `--since`.
    pub before_since: u64,
}

/// Where a listing entry's meeting was found, for the state: the hash of the
/// entry as the listing shows it (so a later run can tell the entry unchanged
/// without reading its detail page), and the listing it belongs to (so a
/// meeting gone from a listing read completely can be reported removed).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Found {
    pub entry_hash: Option<String>,
    pub listing: Option<String>,
}

/// How long after a continued run read a page the run that continues it reads
/// the page from the state. A run continued later (the next night's, after a
/// kill) asks again, conditionally: a listing may have new meetings since.
const REPLAY_WITHIN: chrono::TimeDelta = chrono::TimeDelta::hours(6);

/// How to get a page, given what the state holds of it.
#[derive(Debug)]
pub(crate) enum PageSource {
    /// Fetched by the run this one continues, lately: read from the state, not
    /// the network.
    Replay(PageResponse),
    /// Known from an earlier run: ask the server whether it changed since, and
    /// reuse this response when it answers 304 Not Modified.
    Revalidate(PageResponse),
    /// Not known: fetch it.
    Fetch,
}

pub(crate) struct Harvest {
    store: Store,
    start: RunStart,
    /// The runs whose deliveries this run's records output already holds: the
    /// chain it continues when it continues their file, else itself alone.
    delivered_by: Vec<RunId>,
    changes: Option<Output>,
    emit_all: bool,
    full: bool,
    counts: Counts,
    /// Whether writing the changes file or the database failed since the last
    /// checkpoint: the changes file may end in a torn line, and the database
    /// hold part of an update.
    torn: bool,
    /// Whether the changes file holds what the runs this one continues wrote.
    changes_hold_earlier: bool,
    /// The WARC's key and length as last noted, for a run that ends in error.
    warc_noted: Option<(PathBuf, u64)>,
}

/// Whether `record` was written without the body of a detail page it has,
/// because the page could not be read (and not because the run read no detail
/// pages, `--no-details`, which leaves no warning).
fn lacks_its_body(record: &Record) -> bool {
    record.body.is_none()
        && record.detail_url.is_some()
        && record.warnings.iter().any(|w| w.starts_with("body:"))
}

/// What a WARC's progress is kept under: its absolute path (`w.warc.gz` and
/// `./w.warc.gz` are one file), in a name no records or changes file has.
fn warc_key(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    PathBuf::from(format!("{WARC_KEY_PREFIX}{}", absolute.display()))
}

/// What a WARC's key in the outputs table starts with; the records and changes
/// files are known by their paths alone.
const WARC_KEY_PREFIX: &str = "warc:";

/// One line of `--changes`.
#[derive(Serialize)]
struct ChangeLine<'a> {
    id: &'a str,
    change: &'static str,
    run: i64,
    fields_changed: &'a [String],
}

impl Harvest {
    /// Opens the state at `state` and begins a run; returns it with how many
    /// bytes of the records file `records` the run it continues delivered.
    /// The run's changes file is opened here too, continuing the chain's.
    pub(crate) fn begin(
        state: &Path,
        delivery: &Delivery,
        starts: &[String],
        options: &Value,
        records: Option<&Path>,
    ) -> Result<(Harvest, Option<u64>), Error> {
        let mut store = Store::open(state)?;
        let start = store.begin_run(starts, options)?;
        // How much of the file at `path` the run this one continues had
        // delivered, taken over at once, so that a kill before this run's first
        // checkpoint loses none of it either. Only that run's own count: one
        // that did not write the file (no `--changes`, say) left it without its
        // deliveries, and an older run's count would hide them.
        let mut progress = |path: Option<&Path>| -> Result<Option<u64>, Error> {
            let (Some(path), Some(&previous)) = (path, start.delivering.get(1)) else {
                return Ok(None);
            };
            let bytes = store.output_progress(previous, path)?;
            if let Some(bytes) = bytes {
                store.set_output_progress(start.run, path, bytes)?;
            }
            Ok(bytes)
        };
        let keep_records = progress(records)?;
        let keep_changes = progress(delivery.changes.as_deref())?;
        store.checkpoint()?;
        if let Some(previous) = start.resumes {
            tracing::warn!(
                "continuing run {previous}, which did not finish: pages it read are read from {}",
                state.display()
            );
        }
        let (changes, changes_hold_earlier) = match &delivery.changes {
            Some(path) => {
                let (output, holds) = Output::resumable(Some(path), keep_changes)?;
                (Some(output), holds)
            }
            None => (None, true),
        };
        Ok((
            Harvest {
                store,
                delivered_by: start.delivering.clone(),
                start,
                changes,
                emit_all: delivery.emit_all,
                full: delivery.full,
                counts: Counts::default(),
                torn: false,
                changes_hold_earlier,
                warc_noted: None,
            },
            keep_records,
        ))
    }

    /// Whether the changes file holds every line the runs this one continues
    /// wrote (true without `--changes`).
    pub(crate) fn changes_hold_earlier(&self) -> bool {
        self.changes_hold_earlier
    }

    /// The outputs do not both hold what the runs this one continues delivered
    /// (the records output at `records`, none for standard output, or the
    /// changes file is another file, standard output, or gone or shorter):
    /// deliver those meetings again rather than lose them, with their change
    /// lines, and tell the database, so that a run continuing this one does not
    /// count them as written either. The caller starts the records output over;
    /// the changes file is started over here, so that it does not hold the
    /// change lines of those meetings twice.
    pub(crate) fn forget_earlier_deliveries(
        &mut self,
        records: Option<&Path>,
    ) -> Result<(), Error> {
        if self.delivered_by.len() > 1 {
            tracing::warn!(
                "the outputs do not hold what the unfinished run this one continues wrote; its meetings are written again"
            );
            let mut restarted: Vec<PathBuf> = records.into_iter().map(Path::to_path_buf).collect();
            if let Some(changes) = &mut self.changes
                && let Some(path) = changes.path().map(Path::to_path_buf)
            {
                *changes = Output::resumable(Some(&path), None)?.0;
                restarted.push(path);
            }
            self.store.restart_deliveries(self.start.run, &restarted)?;
            self.remove_unfinished_elsewhere(&restarted)?;
        }
        self.delivered_by = vec![self.start.run];
        self.changes_hold_earlier = true;
        Ok(())
    }

    /// Removes the unfinished records and changes files of the runs this one
    /// continues that are not among `own` (this run's outputs), as a run
    /// writing elsewhere (a new day's file) leaves them: their meetings are
    /// written again here, and no run would ever finish them.
    fn remove_unfinished_elsewhere(&self, own: &[PathBuf]) -> Result<(), Error> {
        let own: Vec<PathBuf> = own
            .iter()
            .filter_map(|path| std::fs::canonicalize(resumable_name(path)).ok())
            .collect();
        for &run in self.start.runs.iter().skip(1) {
            for path in self.store.outputs_named(run, "")? {
                if path.starts_with(WARC_KEY_PREFIX) {
                    continue;
                }
                let unfinished = resumable_name(Path::new(&path));
                let is_own =
                    std::fs::canonicalize(&unfinished).is_ok_and(|file| own.contains(&file));
                if !is_own && std::fs::remove_file(&unfinished).is_ok() {
                    tracing::info!(
                        "removed {}, which run {run} left unfinished: its meetings are written again by this run",
                        unfinished.display()
                    );
                }
            }
        }
        Ok(())
    }

    pub(crate) fn counts(&self) -> Counts {
        self.counts
    }

    /// Classifies `record` against the state and says whether to write it: a
    /// new or changed meeting always, an unchanged one with `--emit all`, one
    /// the continued run delivered never.
    pub(crate) fn admit(&mut self, record: &Record, found: &Found) -> Result<bool, Error> {
        let admitted = self.admit_unguarded(record, found);
        self.noting(admitted)
    }

    /// `result`, noting whether it failed (see [`Harvest::torn`]).
    fn noting<T>(&mut self, result: Result<T, Error>) -> Result<T, Error> {
        self.torn |= result.is_err();
        result
    }

    fn admit_unguarded(&mut self, record: &Record, found: &Found) -> Result<bool, Error> {
        if self.store.was_delivered(&self.delivered_by, &record.id)? {
            self.counts.delivered_before += 1;
            return Ok(false);
        }
        // A meeting the state knows, read this time without its detail page (a
        // fetch that failed): not news, and its stored content stays.
        if lacks_its_body(record) && self.store.latest_content(&record.id)?.is_some() {
            self.counts.unchanged += 1;
            return Ok(false);
        }
        let change = self.store.classify(
            self.start.run,
            record,
            found.entry_hash.as_deref(),
            found.listing.as_deref(),
        )?;
        let mut kind = change.kind();
        if kind == ChangeKind::Unchanged
            && let Some(stranded) =
                self.store
                    .stranded_delivery(&record.id, &self.delivered_by, &self.start.runs)?
        {
            // Delivered where this run's outputs do not hold it.
            kind = stranded;
        }
        match kind {
            ChangeKind::New => self.counts.new += 1,
            ChangeKind::Changed => self.counts.changed += 1,
            ChangeKind::Unchanged | ChangeKind::Removed => self.counts.unchanged += 1,
        }
        let fields_changed = match &change {
            Change::Changed { fields_changed } => fields_changed.as_slice(),
            Change::New | Change::Unchanged => &[],
        };
        if kind != ChangeKind::Unchanged {
            self.change_line(&record.id, kind, fields_changed)?;
        }
        let write = kind != ChangeKind::Unchanged || self.emit_all;
        if write {
            self.store.delivered(self.start.run, &record.id, kind)?;
        }
        Ok(write)
    }

    fn change_line(
        &mut self,
        id: &str,
        kind: ChangeKind,
        fields_changed: &[String],
    ) -> Result<(), Error> {
        if let Some(changes) = &mut self.changes {
            let mut line = serde_json::to_vec(&ChangeLine {
                id,
                change: kind.as_str(),
                run: self.start.run.0,
                fields_changed,
            })
            .expect("change lines serialize");
            line.push(b'\n');
            changes.write_line(&line)?;
        }
        Ok(())
    }

    /// The meetings last seen on `listing` that this run, having read all of
    /// it, did not find among `seen`: reported removed, once.
    pub(crate) fn removed(&mut self, listing: &str, seen: &HashSet<String>) -> Result<(), Error> {
        let reported = (|| {
            for id in self.store.removed(self.start.run, listing, seen)? {
                self.counts.removed += 1;
                self.change_line(&id, ChangeKind::Removed, &[])?;
            }
            Ok(())
        })();
        self.noting(reported)
    }

    /// How to get the page known by `key`.
    pub(crate) fn page_source(&self, key: &str) -> Result<PageSource, Error> {
        Ok(match self.store.page(key)? {
            Some(stored)
                if self.start.runs.contains(&stored.run)
                    && Utc::now() - stored.response.fetched_at < REPLAY_WITHIN =>
            {
                PageSource::Replay(stored.response)
            }
            Some(stored) => PageSource::Revalidate(stored.response),
            None => PageSource::Fetch,
        })
    }

    /// Keeps `response` as this run's answer for the page known by `key`.
    pub(crate) fn remember_page(
        &mut self,
        key: &str,
        response: &PageResponse,
    ) -> Result<(), Error> {
        let stored = self.store.store_page(self.start.run, key, response);
        self.noting(stored)
    }

    /// Notes that the page known by `key` was still current at `at` (a 304),
    /// so that a run continuing this one reads it from the state.
    pub(crate) fn page_not_modified(&mut self, key: &str, at: DateTime<Utc>) -> Result<(), Error> {
        let noted = self.store.page_still_current(self.start.run, key, at);
        self.noting(noted)
    }

    /// The record of a listing entry the state knows unchanged (the same id,
    /// the same entry on the listing), as it was last written: a run that stops
    /// at known entries need not read their detail pages. `None` with `--full`,
    /// after a last run that did not end well (it may not have read what
    /// follows), or when the entry is not known so.
    pub(crate) fn known_unchanged(
        &self,
        id: &str,
        entry_hash: &str,
    ) -> Result<Option<Record>, Error> {
        let chain_began = *self.start.runs.last().expect("a run is in its own chain");
        if self.full
            || !self.start.last_finished_ok
            || !self.store.known_entry(id, entry_hash, chain_began)?
        {
            return Ok(None);
        }
        // A version written without its detail page's body (a fetch that
        // failed, a run that stopped) is not the meeting as it is: read it again.
        Ok(self
            .store
            .latest_content(id)?
            .and_then(|content| serde_json::from_value::<Record>(content).ok())
            .filter(|record| !lacks_its_body(record)))
    }

    /// How long the WARC at `path` was at the last checkpoint of the newest
    /// run this one continues that wrote it, or when that run put it in place.
    pub(crate) fn earlier_warc(&self, path: &Path) -> Result<Option<u64>, Error> {
        let path = warc_key(path);
        for &run in self.start.runs.iter().skip(1) {
            if let Some(bytes) = self.store.output_progress(run, &path)? {
                return Ok(Some(bytes));
            }
        }
        Ok(None)
    }

    /// Where the newest run this one continues that wrote a WARC wrote it, if
    /// not to `path` (this run's WARC, if it writes one): the pages this run
    /// replays are in that WARC, not in this run's.
    pub(crate) fn earlier_warc_elsewhere(
        &self,
        path: Option<&Path>,
    ) -> Result<Option<String>, Error> {
        let key = path.map(warc_key);
        for &run in self.start.runs.iter().skip(1) {
            let noted = self.store.outputs_named(run, WARC_KEY_PREFIX)?;
            if !noted.is_empty() {
                return Ok(noted
                    .into_iter()
                    .find(|other| key.as_deref() != Some(Path::new(other)))
                    .map(|other| other[WARC_KEY_PREFIX.len()..].to_string()));
            }
        }
        Ok(None)
    }

    /// Notes that this run's WARC for `path` holds `bytes` bytes of whole
    /// records on the disk (in its resumable file while the run goes on, at
    /// `path` once it is in place), for a run that continues this one to
    /// continue the file.
    pub(crate) fn note_warc_length(&mut self, path: &Path, bytes: u64) -> Result<(), Error> {
        let run = self.start.run;
        let key = warc_key(path);
        let noted = self.store.set_output_progress(run, &key, bytes);
        self.warc_noted = Some((key, bytes));
        self.noting(noted)
    }

    /// Commits what the run told the database, once the records file (at
    /// `records`, `synced` bytes long) and the changes file are on disk.
    pub(crate) fn checkpoint(
        &mut self,
        records: Option<&Path>,
        synced: Option<u64>,
    ) -> Result<(), Error> {
        let run = self.start.run;
        let checkpoint = (|| {
            if let (Some(path), Some(bytes)) = (records, synced) {
                self.store.set_output_progress(run, path, bytes)?;
            }
            if let Some(changes) = &mut self.changes
                && let Some(bytes) = changes.sync()?
                && let Some(path) = changes.path().map(PathBuf::from)
            {
                self.store.set_output_progress(run, &path, bytes)?;
            }
            self.store.checkpoint()
        })();
        self.noting(checkpoint)
    }

    /// Moves the changes file into place and records how the run ended (in
    /// error, if the move failed: the file stays for the next run).
    pub(crate) fn end(mut self, outcome: Outcome, counts: &Value) -> Result<(), Error> {
        if let Some(changes) = self.changes.take()
            && let Err(error) = changes.commit()
        {
            super::say_also(self.end_in_error());
            return Err(error);
        }
        self.store.end_run(self.start.run, outcome, counts)
    }

    /// Whether writing the changes file or the database failed since the last
    /// checkpoint (see [`Harvest::roll_back`]).
    pub(crate) fn torn(&self) -> bool {
        self.torn
    }

    #[cfg(test)]
    pub(crate) fn changes_fd(&self) -> std::os::fd::RawFd {
        self.changes.as_ref().expect("a changes file").raw_fd()
    }

    /// Forgets what the run told the database since the last checkpoint: the
    /// outputs may not hold it whole. The next run of the same command cuts
    /// the files back to that checkpoint and reads and delivers the rest again.
    pub(crate) fn roll_back(&mut self) -> Result<(), Error> {
        self.store.roll_back()
    }

    /// Records that the run stopped on an error, leaving the changes file for
    /// the run that continues this one.
    pub(crate) fn end_in_error(mut self) -> Result<(), Error> {
        // The WARC holds what the run noted last, whatever was rolled back: a
        // run that continues this one continues it rather than start it over.
        if let Some((key, bytes)) = &self.warc_noted {
            self.store
                .set_output_progress(self.start.run, key, *bytes)?;
        }
        self.store
            .end_run(self.start.run, Outcome::Error, &Value::Null)
    }
}
