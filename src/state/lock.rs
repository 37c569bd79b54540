//! One run at a time on a state file: an exclusive lock on `<state>.lock`.
//!
//! The lock is the kernel's (`flock`), not the file's existence, so a run that
//! was killed or lost its machine leaves nothing that blocks the next one: the
//! kernel let go of its lock with its last file descriptor. The file only says
//! who holds it (pid and start time), for the message a second run prints. It is
//! never removed: deleting a lock file races with a run that has just opened it
//! and would lock an unlinked file while a third run creates a fresh one.

use std::fmt;
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{self, Read};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use crate::error::Error;

/// `harava state status` holds a shared lock for a moment to see whether a run
/// is going; a run starting in that moment waits this long for it to let go.
const PROBE_WAITS: u32 = 10;
const PROBE_WAIT: Duration = Duration::from_millis(50);

/// Held for as long as the value lives: the lock goes with the file descriptor.
pub(super) struct RunLock {
    _file: File,
}

/// The run that holds a state's lock, as its lock file tells. A lock file
/// caught between being locked and being written names no one.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct Holder {
    pub pid: Option<u32>,
    pub started: Option<DateTime<Utc>>,
}

impl fmt::Display for Holder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.pid {
            Some(pid) => write!(f, "pid {pid}")?,
            None => f.write_str("pid not known yet")?,
        }
        if let Some(started) = self.started {
            write!(
                f,
                ", started {}",
                started.to_rfc3339_opts(SecondsFormat::Secs, true)
            )?;
        }
        Ok(())
    }
}

impl RunLock {
    /// Locks the state at `state` for this process, or says who has it.
    pub(super) fn acquire(state: &Path) -> Result<RunLock, Error> {
        let path = lock_path(state);
        let io_error = |e: io::Error| Error::StateStore {
            path: state.display().to_string(),
            message: format!("cannot lock {}: {e}", path.display()),
        };
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            // Only the holder may empty it, after it has the lock.
            .truncate(false)
            .open(&path)
            .map_err(io_error)?;
        let mut waits = 0;
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(TryLockError::WouldBlock) if waits < PROBE_WAITS => {
                    waits += 1;
                    std::thread::sleep(PROBE_WAIT);
                }
                Err(TryLockError::WouldBlock) => {
                    return Err(Error::StateLocked {
                        path: state.display().to_string(),
                        holder: read_holder(&file).to_string(),
                    });
                }
                Err(TryLockError::Error(e)) => return Err(io_error(e)),
            }
        }
        // Whatever a killed run left here is overwritten: the lock is ours.
        let holder = Holder {
            pid: Some(std::process::id()),
            started: Some(Utc::now()),
        };
        let mut line = serde_json::to_vec(&holder).expect("holders serialize");
        line.push(b'\n');
        file.set_len(0).map_err(io_error)?;
        file.write_all_at(&line, 0).map_err(io_error)?;
        Ok(RunLock { _file: file })
    }
}

/// Who runs on the state at `state` now, if anyone, found without disturbing it:
/// a shared lock succeeds only while no run holds the exclusive one.
pub(super) fn holder(state: &Path) -> Result<Option<Holder>, Error> {
    let path = lock_path(state);
    let file = match File::open(&path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(Error::StateStore {
                path: state.display().to_string(),
                message: format!("cannot read {}: {e}", path.display()),
            });
        }
    };
    match file.try_lock_shared() {
        Ok(()) => Ok(None),
        Err(TryLockError::WouldBlock) => Ok(Some(read_holder(&file))),
        Err(TryLockError::Error(e)) => Err(Error::StateStore {
            path: state.display().to_string(),
            message: format!("cannot check the lock {}: {e}", path.display()),
        }),
    }
}

fn read_holder(mut file: &File) -> Holder {
    let mut text = String::new();
    // What cannot be read names no one; the lock itself is what counts.
    match file.read_to_string(&mut text) {
        Ok(_) => serde_json::from_str(&text).unwrap_or_default(),
        Err(_) => Holder::default(),
    }
}

pub(super) fn lock_path(state: &Path) -> PathBuf {
    let mut path = state.as_os_str().to_owned();
    path.push(".lock");
    PathBuf::from(path)
}
