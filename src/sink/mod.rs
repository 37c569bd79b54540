//! Where records go: JSON Lines on standard output or in a file (written through
//! [`crate::output_file::PendingFile`], so a crash never leaves half a file), and,
//! with `--state`, only what earlier runs did not deliver.

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::error::Error;
use crate::output_file::PendingFile;
use crate::record::Record;
use crate::state::State;

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

pub struct Sink {
    target: Target,
    written: u64,
    /// With `--state`: what earlier runs delivered, so only news is written.
    state: Option<State>,
    unchanged: u64,
}

enum Target {
    Stdout(BufWriter<io::Stdout>),
    File {
        path: PathBuf,
        file: BufWriter<PendingFile>,
    },
}

impl Sink {
    /// A sink writing to `path`, or to standard output when `path` is `None` or `-`.
    pub fn create(path: Option<&Path>) -> Result<Sink, Error> {
        let target = match path {
            None => Target::Stdout(BufWriter::new(io::stdout())),
            Some(p) if p.as_os_str() == "-" => Target::Stdout(BufWriter::new(io::stdout())),
            Some(path) => {
                let file = PendingFile::create(path).map_err(|e| Error::Write {
                    path: path.display().to_string(),
                    source: e,
                })?;
                Target::File {
                    path: path.to_path_buf(),
                    file: BufWriter::new(file),
                }
            }
        };
        Ok(Sink {
            target,
            written: 0,
            state: None,
            unchanged: 0,
        })
    }

    /// Writes one record as one line.
    /// Writes only records that are new or changed since `state` was saved, and
    /// saves it when the output is finished.
    pub fn with_state(mut self, state: State) -> Sink {
        self.state = Some(state);
        self
    }

    /// Writes one record as one line (unless the state says it is old news).
    pub fn write(&mut self, record: &Record) -> Result<(), Error> {
        if let Some(state) = &mut self.state
            && !state.admit(record)
        {
            self.unchanged += 1;
            return Ok(());
        }
        let line = record.to_json_line();
        match &mut self.target {
            Target::Stdout(out) => out.write_all(&line).map_err(Error::stdout)?,
            Target::File { path, file } => file.write_all(&line).map_err(|e| Error::Write {
                path: path.display().to_string(),
                source: e,
            })?,
        }
        self.written += 1;
        Ok(())
    }

    /// Pushes what was written so far to its destination (standard output, or the
    /// temporary file), for readers who follow the output while a crawl runs.
    pub fn flush(&mut self) -> Result<(), Error> {
        match &mut self.target {
            Target::Stdout(out) => out.flush().map_err(Error::stdout),
            Target::File { path, file } => file.flush().map_err(|e| Error::Write {
                path: path.display().to_string(),
                source: e,
            }),
        }
    }

    pub fn written(&self) -> u64 {
        self.written
    }

    /// Records left out because the state already had them as they are.
    pub fn unchanged(&self) -> u64 {
        self.unchanged
    }

    /// Ends a run that read no page: a file that was there already is left as it
    /// was, since an empty result says nothing new, and the state is not touched.
    /// Returns the file kept, if one was; otherwise finishes as [`Sink::finish`].
    pub fn finish_without_input(mut self) -> Result<Option<PathBuf>, Error> {
        self.state = None;
        match &self.target {
            Target::File { path, file } if file.get_ref().replaces_a_file() => {
                Ok(Some(path.clone()))
            }
            _ => self.finish().map(|_| None),
        }
    }

    /// Flushes and, for a file, moves it into place. Returns how many records were written.
    pub fn finish(mut self) -> Result<u64, Error> {
        self.flush()?;
        if let Target::File { path, file } = self.target {
            let write_error = |source| Error::Write {
                path: path.display().to_string(),
                source,
            };
            let file = file.into_inner().map_err(|e| write_error(e.into_error()))?;
            file.commit().map_err(write_error)?;
        }
        if let Some(state) = &self.state {
            state.save()?;
        }
        Ok(self.written)
    }
}
