//! Where records go: JSON Lines on standard output or in a file (written under a
//! temporary name and moved into place at the end, so a crash never leaves half
//! a file), and, with `--state`, only what earlier runs did not deliver.

mod harvest;

pub use crate::state::Outcome;
pub(crate) use harvest::{Counts, Found, PageSource};

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde_json::Value;

use crate::error::Error;
use crate::output_file::{BlockWriter, PendingFile};
use crate::record::Record;

use harvest::Harvest;

/// What a run delivers, and against which state (`--state`, `--changes`,
/// `--emit`, `--since`, `--full`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Delivery {
    /// The state database; without one, every record read is written.
    pub state: Option<PathBuf>,
    /// Where one JSON line per new, changed or removed meeting goes.
    pub changes: Option<PathBuf>,
    /// Write unchanged meetings too.
    pub emit_all: bool,
    /// Write only meetings on or after this date.
    pub since: Option<NaiveDate>,
    /// Read every listing page and entry, not stopping at known ones.
    pub full: bool,
}

/// The records' destination: standard output or a file, and with `--state` the
/// run's place in the state database.
///
/// A file is written under a temporary name and moved into place by
/// [`Sink::finish`]; a sink dropped unfinished leaves the destination as it
/// was.
pub struct Sink {
    records: Output,
    written: u64,
    since: Option<NaiveDate>,
    before_since: u64,
    /// Whether the records file continues one an unfinished run delivered
    /// into, which must then be kept even if this run reads nothing.
    continued: bool,
    harvest: Option<Harvest>,
    /// Whether writing a record, syncing the outputs or telling the state
    /// failed since the last checkpoint: the records file may then end in a
    /// torn line, and the state may count as delivered a record whose line is
    /// not whole, so what came after that checkpoint must not be committed.
    torn: bool,
}

/// One JSON Lines output: standard output, or a file moved into place at the end.
pub(crate) enum Output {
    Stdout(BufWriter<io::Stdout>),
    File {
        path: PathBuf,
        file: BlockWriter<PendingFile>,
    },
}

impl Output {
    fn create(path: Option<&Path>) -> Result<Output, Error> {
        Ok(match path {
            None => Output::Stdout(BufWriter::new(io::stdout())),
            Some(p) if p.as_os_str() == "-" => Output::Stdout(BufWriter::new(io::stdout())),
            Some(path) => Output::File {
                path: path.to_path_buf(),
                file: BlockWriter::new(
                    PendingFile::create(path).map_err(|e| write_error(path, e))?,
                    0,
                ),
            },
        })
    }

    /// A file a killed run can be continued in; `keep` is how much of it an
    /// earlier run delivered. Says too whether it holds all of that (it may be
    /// gone, or shorter). Standard output cannot be continued, so it is written
    /// as always and holds nothing earlier.
    fn resumable(path: Option<&Path>, keep: Option<u64>) -> Result<(Output, bool), Error> {
        match path {
            Some(path) if path.as_os_str() != "-" => {
                let (file, kept) =
                    PendingFile::resumable(path, keep).map_err(|e| write_error(path, e))?;
                let output = Output::File {
                    path: path.to_path_buf(),
                    file: BlockWriter::new(file, kept),
                };
                Ok((output, keep.is_some_and(|keep| keep == kept)))
            }
            _ => Ok((Output::create(path)?, false)),
        }
    }

    fn path(&self) -> Option<&Path> {
        match self {
            Output::Stdout(_) => None,
            Output::File { path, .. } => Some(path),
        }
    }

    fn write_line(&mut self, line: &[u8]) -> Result<(), Error> {
        match self {
            Output::Stdout(out) => out.write_all(line).map_err(Error::stdout),
            Output::File { path, file } => file.write_all(line).map_err(|e| write_error(path, e)),
        }
    }

    fn flush(&mut self) -> Result<(), Error> {
        match self {
            Output::Stdout(out) => out.flush().map_err(Error::stdout),
            Output::File { path, file } => file.flush().map_err(|e| write_error(path, e)),
        }
    }

    /// Flushes to the disk itself; returns the file's length (none for stdout).
    fn sync(&mut self) -> Result<Option<u64>, Error> {
        self.flush()?;
        match self {
            Output::Stdout(_) => Ok(None),
            Output::File { path, file } => file.get_mut().sync().map_err(|e| write_error(path, e)),
        }
    }

    #[cfg(test)]
    fn raw_fd(&self) -> std::os::fd::RawFd {
        use std::os::fd::AsRawFd;
        match self {
            Output::Stdout(_) => io::stdout().as_raw_fd(),
            Output::File { file, .. } => file.get_ref().as_raw_fd(),
        }
    }

    /// Leaves the destination as it was.
    fn discard(self) -> Result<(), Error> {
        match self {
            Output::Stdout(_) => Ok(()),
            Output::File { path, file } => {
                let file = file.into_inner().map_err(|e| write_error(&path, e))?;
                file.discard().map_err(|e| write_error(&path, e))
            }
        }
    }

    /// Whether finishing would replace a file that is there now.
    fn replaces_a_file(&self) -> bool {
        matches!(self, Output::File { file, .. } if file.get_ref().replaces_a_file())
    }

    fn commit(self) -> Result<(), Error> {
        match self {
            Output::Stdout(mut out) => out.flush().map_err(Error::stdout),
            Output::File { path, file } => {
                let file = file.into_inner().map_err(|e| write_error(&path, e))?;
                file.commit().map_err(|e| write_error(&path, e))
            }
        }
    }
}

/// What the state records of a run: its own verdicts, the records written,
/// those `--since` left out, and the command's `counts` (a JSON object, or
/// `Value::Null`).
fn run_counts(harvest: &Harvest, written: u64, before_since: u64, counts: &Value) -> Value {
    let mut all = serde_json::to_value(harvest.counts()).expect("counts serialize");
    all["records"] = written.into();
    all["before_since"] = before_since.into();
    if let (Value::Object(all), Value::Object(more)) = (&mut all, counts) {
        all.extend(more.clone());
    }
    all
}

/// Logs a failure in ending a run that an earlier error ended, which is the
/// one returned.
fn say_also(ending: Result<(), Error>) {
    if let Err(also) = ending {
        tracing::error!("{also}");
    }
}

fn write_error(path: &Path, source: io::Error) -> Error {
    Error::Write {
        path: path.display().to_string(),
        source,
    }
}

impl Sink {
    /// A sink writing every record to `path`, or to standard output when `path`
    /// is `None` or `-`.
    ///
    /// ```
    /// use harava::record::Record;
    /// use harava::sink::{Outcome, Sink};
    /// # let url = url::Url::parse("https://www.uusimaa2019.fi/kuntajohtajakokous/").unwrap();
    /// # let html = r#"<h1>Kuntajohtajakokous</h1>
    /// #   <div class="kokous"><h3><a href="/muistiot/kuntajohtajakokous-10-5-2017/">Kuntajohtajakokous 10.5.2017</a></h3></div>
    /// #   <div class="kokous"><h3><a href="/muistiot/kuntajohtajakokous-26-4-2017/">Kuntajohtajakokous 26.4.2017</a></h3></div>"#;
    /// # let page = harava::page::Page::new(url.clone(), url, html.to_string());
    /// # let harava::extract::Extracted::Listing(listing) = harava::extract::extract_generic(&page) else { panic!() };
    /// # let records: Vec<Record> = listing.entries.into_iter().map(|e| Record::new(e, &page, None, "generic")).collect();
    ///
    /// // `records`: two meetings read from a listing page.
    /// let dir = tempfile::tempdir().unwrap();
    /// let path = dir.path().join("kokoukset.jsonl");
    /// let mut sink = Sink::create(Some(&path)).unwrap();
    /// for record in &records {
    ///     sink.write(record).unwrap();
    /// }
    /// assert!(!path.exists(), "not until the sink is finished");
    /// assert_eq!(sink.finish(Outcome::Ok, &serde_json::Value::Null).unwrap(), 2);
    /// assert_eq!(std::fs::read_to_string(&path).unwrap().lines().count(), 2);
    /// ```
    pub fn create(path: Option<&Path>) -> Result<Sink, Error> {
        Ok(Sink {
            records: Output::create(path)?,
            written: 0,
            since: None,
            before_since: 0,
            continued: false,
            harvest: None,
            torn: false,
        })
    }

    /// A sink for a run with `delivery`'s options. With a state database it
    /// locks the database, begins a run of `starts` with `options` (continuing
    /// the last one if it did not finish), and writes only what is news.
    /// `starts` (the start URLs or inputs) and `options` (a JSON object of the
    /// options that shape what the run reads) tell one command's runs from
    /// another's.
    ///
    /// ```
    /// use harava::record::Record;
    /// use harava::sink::{Delivery, Outcome, Sink};
    /// # let url = url::Url::parse("https://www.uusimaa2019.fi/kuntajohtajakokous/").unwrap();
    /// # let html = r#"<h1>Kuntajohtajakokous</h1>
    /// #   <div class="kokous"><h3><a href="/muistiot/kuntajohtajakokous-10-5-2017/">Kuntajohtajakokous 10.5.2017</a></h3></div>
    /// #   <div class="kokous"><h3><a href="/muistiot/kuntajohtajakokous-26-4-2017/">Kuntajohtajakokous 26.4.2017</a></h3></div>"#;
    /// # let page = harava::page::Page::new(url.clone(), url, html.to_string());
    /// # let harava::extract::Extracted::Listing(listing) = harava::extract::extract_generic(&page) else { panic!() };
    /// # let records: Vec<Record> = listing.entries.into_iter().map(|e| Record::new(e, &page, None, "generic")).collect();
    ///
    /// // `records`: two meetings read from a listing page.
    /// let dir = tempfile::tempdir().unwrap();
    /// let delivery = Delivery {
    ///     state: Some(dir.path().join("kokoukset.sqlite")),
    ///     ..Delivery::default()
    /// };
    /// let starts = ["https://www.uusimaa2019.fi/kuntajohtajakokous/".to_string()];
    /// let options = serde_json::json!({"command": "esimerkki"});
    /// let output = dir.path().join("uudet.jsonl");
    /// let run = |records: &[Record]| {
    ///     let mut sink = Sink::open(Some(&output), &delivery, &starts, &options).unwrap();
    ///     for record in records {
    ///         sink.write(record).unwrap();
    ///     }
    ///     sink.finish(Outcome::Ok, &serde_json::Value::Null).unwrap()
    /// };
    ///
    /// assert_eq!(run(&records[..1]), 1, "the first run delivers what it read");
    /// assert_eq!(run(&records), 1, "the next one only what is new");
    /// ```
    pub fn open(
        path: Option<&Path>,
        delivery: &Delivery,
        starts: &[String],
        options: &Value,
    ) -> Result<Sink, Error> {
        let Some(state) = &delivery.state else {
            let mut sink = Sink::create(path)?;
            sink.since = delivery.since;
            return Ok(sink);
        };
        let (mut harvest, keep) = Harvest::begin(state, delivery, starts, options, path)?;
        let (mut records, mut holds_earlier) = Output::resumable(path, keep)?;
        // The two outputs are continued together or started over together:
        // a meeting written again must get its change line again, and only once.
        if !(holds_earlier && harvest.changes_hold_earlier()) {
            if holds_earlier {
                records = Output::resumable(path, None)?.0;
                holds_earlier = false;
            }
            harvest.forget_earlier_deliveries(records.path())?;
        }
        Ok(Sink {
            records,
            written: 0,
            since: delivery.since,
            before_since: 0,
            continued: holds_earlier,
            harvest: Some(harvest),
            torn: false,
        })
    }

    /// Writes one record as one line, unless `--since` or the state leaves it out
    /// (see [`Sink::create`]).
    pub fn write(&mut self, record: &Record) -> Result<(), Error> {
        self.deliver(record, &Found::default())
    }

    /// Writes a record read from a listing entry: `found` says where, so the
    /// state can tell a removed meeting and a known entry later.
    pub(crate) fn deliver(&mut self, record: &Record, found: &Found) -> Result<(), Error> {
        let delivered = self.deliver_unguarded(record, found);
        self.torn |= delivered.is_err();
        delivered
    }

    fn deliver_unguarded(&mut self, record: &Record, found: &Found) -> Result<(), Error> {
        if let Some(since) = self.since
            && record
                .meeting_date
                .or(record.published_date)
                .is_some_and(|date| date < since)
        {
            // Left for a run without `--since` (or an earlier one) to learn and
            // deliver: the state does not hear of it now.
            self.before_since += 1;
            return Ok(());
        }
        if let Some(harvest) = &mut self.harvest
            && !harvest.admit(record, found)?
        {
            return Ok(());
        }
        self.records.write_line(&record.to_json_line())?;
        self.written += 1;
        Ok(())
    }

    /// The run's place in the state database, with `--state`.
    pub(crate) fn harvest(&mut self) -> Option<&mut Harvest> {
        self.harvest.as_mut()
    }

    /// The `--since` date.
    pub(crate) fn since(&self) -> Option<NaiveDate> {
        self.since
    }

    /// Pushes what was written so far to its destination (standard output, or the
    /// temporary file), for readers who follow the output while a crawl runs.
    /// With a state database, the outputs are synced to disk first and then the
    /// database records them as delivered, so a crash never loses a delivered
    /// line nor delivers one twice.
    pub fn flush(&mut self) -> Result<(), Error> {
        self.refuse_if_torn()?;
        let flushed = match &mut self.harvest {
            Some(harvest) => self
                .records
                .sync()
                .and_then(|synced| harvest.checkpoint(self.records.path(), synced)),
            None => self.records.flush(),
        };
        self.torn |= flushed.is_err();
        flushed
    }

    pub(crate) fn written(&self) -> u64 {
        self.written
    }

    /// The state's verdicts so far: how many meetings were new, changed,
    /// unchanged, removed, and left out by `--since`.
    pub(crate) fn counts(&self) -> Counts {
        let mut counts = self
            .harvest
            .as_ref()
            .map(Harvest::counts)
            .unwrap_or_default();
        counts.before_since = self.before_since;
        counts
    }

    /// Holds back what was written since the last checkpoint, when something
    /// it depends on could not be made to last (the WARC that holds its pages):
    /// the run can only be abandoned, which rolls the state back to the last
    /// checkpoint, so a run that continues this one writes those meetings again.
    pub(crate) fn hold_back_since_checkpoint(&mut self) {
        self.torn = true;
    }

    /// After a failed write, what the outputs hold may end in a torn line: the
    /// run can only be abandoned.
    fn refuse_if_torn(&self) -> Result<(), Error> {
        if !(self.torn || self.harvest.as_ref().is_some_and(Harvest::torn)) {
            return Ok(());
        }
        Err(Error::Write {
            path: self.records.path().map_or_else(
                || "standard output".to_string(),
                |p| p.display().to_string(),
            ),
            source: io::Error::other(
                "an earlier write or state update of this run failed; it can only be abandoned",
            ),
        })
    }

    /// Ends a run cut short by an error: what was delivered is synced and the
    /// state database records it, and a records file is left where the next
    /// run of the same command continues it (without a state, it is removed:
    /// its records may be missing). After a failed write, sync or state update
    /// nothing since the last checkpoint is recorded: the next run cuts the
    /// files back to it and delivers those records again.
    pub fn abandon(mut self) -> Result<(), Error> {
        let Some(mut harvest) = self.harvest.take() else {
            return Ok(());
        };
        if self.torn || harvest.torn() {
            harvest.roll_back()?;
        } else {
            let synced = self.records.sync()?;
            harvest.checkpoint(self.records.path(), synced)?;
        }
        harvest.end_in_error()
    }

    /// Ends a run that read no page: a file that was there already is left as it
    /// was, since an empty result says nothing new. Returns the file kept, if one
    /// was; otherwise finishes as [`Sink::finish`].
    pub(crate) fn finish_without_input(
        self,
        outcome: Outcome,
        counts: &Value,
    ) -> Result<Option<PathBuf>, Error> {
        self.refuse_if_torn()?;
        if self.records.replaces_a_file() && !self.continued {
            let kept = self.records.path().map(Path::to_path_buf);
            self.records.discard()?;
            if let Some(harvest) = self.harvest {
                let all = run_counts(&harvest, self.written, self.before_since, counts);
                harvest.end(outcome, &all)?;
            }
            return Ok(kept);
        }
        self.finish(outcome, counts).map(|_| None)
    }

    /// Moves the outputs into place and, with a state database, records how the
    /// run ended (with `counts`, a JSON object, besides the state's own counts;
    /// or `Value::Null`) and lets it go. Returns how many records were written
    /// (see [`Sink::create`]).
    ///
    /// A failure to put the outputs in place ends the run in error, as
    /// [`Sink::abandon`] does, and is the error returned.
    pub fn finish(mut self, outcome: Outcome, counts: &Value) -> Result<u64, Error> {
        self.refuse_if_torn()?;
        if let Some(harvest) = &mut self.harvest {
            let checkpointed = self
                .records
                .sync()
                .and_then(|synced| harvest.checkpoint(self.records.path(), synced));
            if let Err(error) = checkpointed {
                self.torn = true;
                say_also(self.abandon());
                return Err(error);
            }
        }
        let Sink {
            records,
            written,
            before_since,
            harvest,
            ..
        } = self;
        if let Err(error) = records.commit() {
            // What the file holds is synced and recorded: the next run of the
            // same command continues it.
            if let Some(harvest) = harvest {
                say_also(harvest.end_in_error());
            }
            return Err(error);
        }
        if let Some(harvest) = harvest {
            let all = run_counts(&harvest, written, before_since, counts);
            harvest.end(outcome, &all)?;
        }
        Ok(written)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_os = "linux")]
    use crate::output_file::DiskFull;

    /// Two meetings read from a listing page; the second one's line is longer
    /// than the 64 KiB the records file is written in.
    fn small_and_big() -> (Record, Record) {
        let url = url::Url::parse("https://www.uusimaa2019.fi/kuntajohtajakokous/").unwrap();
        let html = r#"<h1>Kuntajohtajakokous</h1>
            <div class="kokous"><h3><a href="/muistiot/kuntajohtajakokous-10-5-2017/">Kuntajohtajakokous 10.5.2017</a></h3></div>
            <div class="kokous"><h3><a href="/muistiot/kuntajohtajakokous-26-4-2017/">Kuntajohtajakokous 26.4.2017</a></h3></div>"#;
        let page = crate::page::Page::new(url.clone(), url, html.to_string());
        let crate::extract::Extracted::Listing(listing) = crate::extract::extract_generic(&page)
        else {
            panic!("a listing")
        };
        let mut records = listing
            .entries
            .into_iter()
            .map(|entry| Record::new(entry, &page, None, "generic"));
        let small = records.next().unwrap();
        let mut big = records.next().unwrap();
        big.body = Some("Pöytäkirja tarkastettiin. ".repeat(4_000));
        (small, big)
    }

    /// `count` meetings, each the small one under an id of its own.
    fn meetings(count: usize) -> Vec<Record> {
        let (small, _) = small_and_big();
        (0..count)
            .map(|n| Record {
                id: format!("{n:016x}"),
                ..small.clone()
            })
            .collect()
    }

    #[derive(Clone)]
    struct Run {
        _dir: std::rc::Rc<tempfile::TempDir>,
        output: PathBuf,
        changes: PathBuf,
        delivery: Delivery,
    }

    impl Run {
        fn new() -> Run {
            let dir = tempfile::tempdir().unwrap();
            let changes = dir.path().join("changes.jsonl");
            Run {
                output: dir.path().join("records.jsonl"),
                delivery: Delivery {
                    state: Some(dir.path().join("state.sqlite")),
                    changes: Some(changes.clone()),
                    ..Delivery::default()
                },
                changes,
                _dir: std::rc::Rc::new(dir),
            }
        }

        fn open(&self) -> Sink {
            let starts = ["https://www.uusimaa2019.fi/kuntajohtajakokous/".to_string()];
            let options = serde_json::json!({"command": "test"});
            Sink::open(Some(&self.output), &self.delivery, &starts, &options).unwrap()
        }

        /// The ids of the lines of `path`, each of which must be whole JSON.
        fn ids(path: &Path) -> Vec<String> {
            std::fs::read_to_string(path)
                .unwrap()
                .lines()
                .map(|line| {
                    let value: Value = serde_json::from_str(line)
                        .unwrap_or_else(|e| panic!("a torn line in {}: {e}", path.display()));
                    value["id"].as_str().unwrap().to_string()
                })
                .collect()
        }
    }

    // /dev/full is Linux's.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_record_whose_write_failed_is_delivered_whole_by_the_next_run() {
        let (small, big) = small_and_big();
        let run = Run::new();
        let mut sink = run.open();
        sink.write(&small).unwrap();
        sink.flush().unwrap();
        let error = {
            let _full = DiskFull::on(sink.records.raw_fd());
            sink.write(&big).unwrap_err()
        };
        assert!(
            error.to_string().contains("No space left on device"),
            "{error}"
        );
        // The disk has room again when the run ends in error: writing out what
        // it holds would now succeed, and end in the middle of the big line.
        sink.abandon().unwrap();

        let mut sink = run.open();
        sink.write(&small).unwrap();
        sink.write(&big).unwrap();
        assert_eq!(sink.finish(Outcome::Ok, &Value::Null).unwrap(), 1);
        assert_eq!(Run::ids(&run.output), [small.id.as_str(), big.id.as_str()]);
        assert_eq!(Run::ids(&run.changes), [small.id.as_str(), big.id.as_str()]);
    }

    // /dev/full is Linux's.
    #[cfg(target_os = "linux")]
    #[test]
    fn after_a_failed_write_the_run_can_only_be_abandoned() {
        let (small, big) = small_and_big();
        let run = Run::new();
        let mut sink = run.open();
        sink.write(&small).unwrap();
        {
            let _full = DiskFull::on(sink.records.raw_fd());
            sink.write(&big).unwrap_err();
        }
        let refused = sink.flush().unwrap_err().to_string();
        assert!(
            refused.ends_with(
                "an earlier write or state update of this run failed; it can only be abandoned"
            ),
            "{refused}"
        );
        let refused = sink.finish(Outcome::Ok, &Value::Null).unwrap_err();
        assert!(refused.to_string().contains("records.jsonl"), "{refused}");
        assert!(!run.output.exists(), "nothing was put in place");
    }

    // /dev/full is Linux's.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_run_that_ends_after_a_failed_write_leaves_its_warc_to_the_next() {
        let (small, big) = small_and_big();
        let run = Run::new();
        let warc = run.output.with_extension("warc.gz");
        let mut sink = run.open();
        sink.write(&small).unwrap();
        sink.flush().unwrap();
        // The WARC's whole length, noted after the last checkpoint; the write
        // that fails next rolls the state back past it.
        let harvest = sink.harvest().unwrap();
        harvest.note_warc_length(&warc, 4096).unwrap();
        {
            let _full = DiskFull::on(sink.records.raw_fd());
            sink.write(&big).unwrap_err();
        }
        sink.abandon().unwrap();

        let mut next = run.open();
        let harvest = next.harvest().unwrap();
        assert_eq!(harvest.earlier_warc(&warc).unwrap(), Some(4096));
    }

    #[test]
    fn meetings_held_back_after_the_warc_failed_are_written_by_the_next_run() {
        let meetings = meetings(2);
        let run = Run::new();
        let mut sink = run.open();
        sink.write(&meetings[0]).unwrap();
        sink.flush().unwrap();
        sink.write(&meetings[1]).unwrap();
        // The WARC holding the second meeting's pages could not be synced.
        sink.hold_back_since_checkpoint();
        sink.abandon().unwrap();

        let mut next = run.open();
        for meeting in &meetings {
            next.write(meeting).unwrap();
        }
        assert_eq!(next.finish(Outcome::Ok, &Value::Null).unwrap(), 1);
        assert_eq!(
            Run::ids(&run.output),
            [meetings[0].id.as_str(), meetings[1].id.as_str()]
        );
    }

    /// A run of `run`'s command that has delivered `meetings` and not ended.
    fn delivering(run: &Run, meetings: &[Record]) -> Sink {
        let mut sink = run.open();
        for meeting in meetings {
            sink.write(meeting).unwrap();
        }
        sink
    }

    /// A run killed (its sink dropped unfinished) after `meetings` were
    /// delivered and synced.
    fn killed_after(run: &Run, meetings: &[Record]) {
        delivering(run, meetings).flush().unwrap();
    }

    #[test]
    fn a_run_that_started_its_output_over_is_not_continued_as_if_it_had_not() {
        let meetings = meetings(4);
        let run = Run::new();
        killed_after(&run, &meetings[..3]);
        // The file the killed run was writing is lost: the next run writes
        // those meetings again, and is killed after the first of them.
        std::fs::remove_file(crate::output_file::resumable_name(&run.output)).unwrap();
        killed_after(&run, &meetings[3..]);
        // The run after it continues the second one's file, which holds none
        // of the first one's meetings.
        let sink = delivering(&run, &meetings);
        assert_eq!(sink.finish(Outcome::Ok, &Value::Null).unwrap(), 3);
        let ids: Vec<&str> = [3, 0, 1, 2].map(|n| meetings[n].id.as_str()).to_vec();
        assert_eq!(Run::ids(&run.output), ids);
        // The changes file started over with the records: each meeting's line once.
        assert_eq!(Run::ids(&run.changes), ids);
    }

    /// Asserts that the records and the changes file both hold `meetings`, in
    /// order, each once.
    fn assert_both_hold(run: &Run, meetings: &[Record]) {
        let ids: Vec<&str> = meetings.iter().map(|m| m.id.as_str()).collect();
        assert_eq!(Run::ids(&run.output), ids);
        assert_eq!(Run::ids(&run.changes), ids);
    }

    /// Delivers all of `meetings` in a run of its own and finishes it as `outcome`.
    fn finished_with(run: &Run, meetings: &[Record], outcome: Outcome) {
        delivering(run, meetings)
            .finish(outcome, &Value::Null)
            .unwrap();
    }

    #[test]
    fn a_changes_file_taken_away_after_an_interrupted_run_loses_no_record() {
        let meetings = meetings(4);
        let run = Run::new();
        // Ctrl-C puts both files in place; the changes are read and removed.
        finished_with(&run, &meetings[..3], Outcome::Interrupted);
        std::fs::remove_file(&run.changes).unwrap();
        finished_with(&run, &meetings, Outcome::Ok);
        assert_both_hold(&run, &meetings);
    }

    #[test]
    fn an_older_file_in_place_is_not_taken_for_the_one_a_killed_run_was_writing() {
        let meetings = meetings(12);
        let run = Run::new();
        finished_with(&run, &meetings[4..], Outcome::Ok);
        killed_after(&run, &meetings[..3]);
        // The last finished run's changes file is still in place: it holds
        // none of the killed run's lines, however long it is.
        std::fs::remove_file(crate::output_file::resumable_name(&run.changes)).unwrap();
        finished_with(&run, &meetings[..4], Outcome::Ok);
        assert_both_hold(&run, &meetings[..4]);
    }

    #[test]
    fn a_run_without_changes_in_a_chain_leaves_no_meeting_without_its_change_line() {
        let meetings = meetings(4);
        let run = Run::new();
        killed_after(&run, &meetings[..1]);
        let without_changes = Run {
            delivery: Delivery {
                changes: None,
                ..run.delivery.clone()
            },
            ..run.clone()
        };
        killed_after(&without_changes, &meetings[1..2]);
        finished_with(&run, &meetings, Outcome::Ok);
        assert_both_hold(&run, &meetings);
    }

    #[test]
    fn a_lost_changes_file_starts_both_outputs_over() {
        let meetings = meetings(4);
        let run = Run::new();
        killed_after(&run, &meetings[..3]);
        std::fs::remove_file(crate::output_file::resumable_name(&run.changes)).unwrap();
        // The records file is whole, but the change lines of its meetings are
        // gone: they are delivered again, each once, with their change lines.
        let sink = delivering(&run, &meetings);
        assert_eq!(sink.finish(Outcome::Ok, &Value::Null).unwrap(), 4);
        assert_both_hold(&run, &meetings);
    }

    #[test]
    fn a_file_an_earlier_run_wrote_is_not_continued_past_a_run_that_wrote_elsewhere() {
        let meetings = meetings(4);
        let run = Run::new();
        killed_after(&run, &meetings[..2]);
        // The next run writes to another file, and is killed too.
        let elsewhere = Run {
            output: run.output.with_file_name("elsewhere.jsonl"),
            ..run.clone()
        };
        killed_after(&elsewhere, &meetings[2..3]);
        // The first file holds none of what the second run delivered.
        let sink = delivering(&run, &meetings);
        assert_eq!(sink.finish(Outcome::Ok, &Value::Null).unwrap(), 4);
        let ids: Vec<&str> = meetings.iter().map(|m| m.id.as_str()).collect();
        assert_eq!(Run::ids(&run.output), ids);
    }

    // /dev/full is Linux's.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_change_line_whose_write_failed_is_written_whole_by_the_next_run() {
        // Enough meetings for their change lines to fill a 64 KiB block.
        let meetings = meetings(2_000);
        let run = Run::new();
        let mut sink = run.open();
        sink.write(&meetings[0]).unwrap();
        sink.flush().unwrap();
        let error = {
            let _full = DiskFull::on(sink.harvest.as_ref().unwrap().changes_fd());
            meetings[1..]
                .iter()
                .find_map(|meeting| sink.write(meeting).err())
                .expect("a change line's block is written")
        };
        assert!(
            error.to_string().contains("No space left on device"),
            "{error}"
        );
        sink.abandon().unwrap();

        let sink = delivering(&run, &meetings);
        sink.finish(Outcome::Ok, &Value::Null).unwrap();
        assert_both_hold(&run, &meetings);
    }
}
