//! Where records go: JSON Lines on standard output or in a file.
//!
//! A file is written under a temporary name beside it and renamed into place when
//! the run finishes, so a crash or a kill never leaves a half-written output where
//! the user expects a finished one.

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::record::Record;
use crate::state::State;

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

/// A file written under a temporary name beside its destination and moved into
/// place by [`PendingFile::commit`]; dropped uncommitted, it disappears.
pub struct PendingFile {
    path: PathBuf,
    temp: tempfile::NamedTempFile,
}

impl PendingFile {
    pub fn create(path: &Path) -> io::Result<PendingFile> {
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let temp = tempfile::Builder::new()
            .prefix(&format!(".{name}."))
            .suffix(".partial")
            .tempfile_in(dir)?;
        Ok(PendingFile {
            path: path.to_path_buf(),
            temp,
        })
    }

    /// Syncs the data to disk and renames the file to its destination.
    pub fn commit(self) -> io::Result<()> {
        self.temp.as_file().sync_all()?;
        self.temp.persist(&self.path).map(drop).map_err(|e| e.error)
    }
}

impl Write for PendingFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.temp.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.temp.flush()
    }
}
