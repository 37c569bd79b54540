//! How every output file (`-o`, `--warc`, `--state`, `--stats`, `--wacz`) is
//! written: under a temporary name beside it, renamed into place when the run
//! finishes, so a crash or a kill never leaves a half-written output where the
//! user expects a finished one, and a run that read nothing leaves the previous
//! output as it was. Symbolic links are followed to the file they name, and
//! anything that is not a regular file (`/dev/null`, a FIFO) is written to
//! directly. Output paths are checked before a run starts, so a mistyped one
//! fails at once rather than after an hour's crawl.
//!
//! Their writes (and those of `extract`'s temporary file) go through
//! [`BlockWriter`], in whole blocks aligned in the file.
//!
//! A leaf module: every writer of files uses it, and it uses nothing of the
//! crate but the error type.

use std::fs::{File, Metadata, OpenOptions, Permissions};
use std::io::{self, Read, Seek, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::error::Error;

/// A file written under a temporary name beside its destination and moved into
/// place by [`PendingFile::commit`]; dropped uncommitted, it disappears.
///
/// Only a regular file (or a path where nothing is yet) is replaced that way. A
/// symbolic link is followed, so the file it points at gets the new content and
/// the link stays a link; a device, FIFO or socket (`-o /dev/null`, a named pipe
/// a reader waits on) is written to directly, since renaming a file over it would
/// destroy it.
pub(crate) struct PendingFile {
    inner: Inner,
}

enum Inner {
    Replace {
        /// The destination, symbolic links resolved.
        target: PathBuf,
        temp: tempfile::NamedTempFile,
        /// Whether a file was there before, to be kept by a run that read nothing.
        existed: bool,
        _unfinished: Unfinished,
    },
    /// A file a killed run can be continued in (see [`PendingFile::resumable`]).
    Resumable {
        target: PathBuf,
        partial: PathBuf,
        file: File,
        existed: bool,
    },
    Through(File),
}

impl PendingFile {
    pub(crate) fn create(path: &Path) -> io::Result<PendingFile> {
        let (target, existing) = resolve(path)?;
        if let Some(metadata) = &existing {
            if metadata.is_dir() {
                return Err(io::Error::new(
                    io::ErrorKind::IsADirectory,
                    "it is a directory",
                ));
            }
            if !metadata.is_file() {
                let file = OpenOptions::new().write(true).open(&target)?;
                return Ok(PendingFile {
                    inner: Inner::Through(file),
                });
            }
        }
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let dir = parent_dir(&target);
        let machine = this_machine();
        if let Some(machine) = &machine {
            remove_left_by_killed_runs(dir, &name, machine);
        }
        // A new file gets what any program's new file gets under the user's umask;
        // a replaced one keeps its mode, so a file shared with a group stays shared.
        let temp = tempfile::Builder::new()
            .prefix(&format!(
                ".{name}.harava-{}-{}.",
                // No name `this_machine` gives: nothing removes these.
                machine.as_deref().unwrap_or("_"),
                std::process::id()
            ))
            .suffix(".partial")
            .permissions(Permissions::from_mode(0o666))
            .tempfile_in(dir)?;
        if let Some(metadata) = &existing {
            temp.as_file().set_permissions(metadata.permissions())?;
        }
        let unfinished = Unfinished::register(temp.path(), path);
        Ok(PendingFile {
            inner: Inner::Replace {
                target,
                temp,
                existed: existing.is_some(),
                _unfinished: unfinished,
            },
        })
    }

    /// A pending file that outlives its process: it sits under a name derived
    /// from the destination, so that the next run of the same command finds it,
    /// and it is not removed when dropped or on a second signal, since what it
    /// holds is delivered (the state database says so). `keep` is how many bytes
    /// of an earlier run's file are known to be whole; what follows them (a line
    /// torn by a kill) is cut off, and writing goes on after them. Without
    /// `keep`, any earlier file is started over. Returns the file and the bytes
    /// it holds.
    pub(crate) fn resumable(path: &Path, keep: Option<u64>) -> io::Result<(PendingFile, u64)> {
        let (target, existing) = resolve(path)?;
        if let Some(metadata) = &existing
            && !metadata.is_file()
        {
            return PendingFile::create(path).map(|file| (file, 0));
        }
        let partial = resumable_name(&target);
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&partial)?;
        let mut found = file.metadata()?.len();
        // A run that ended (stopped by a signal, say) put its file in place; the
        // run that continues it continues that file. Only a file of exactly the
        // length it recorded is that run's: an older run's file in its place
        // does not hold what it delivered.
        if let (Some(keep), Some(metadata)) = (keep, &existing)
            && found < keep
            && metadata.len() == keep
        {
            file.set_len(0)?;
            io::copy(&mut File::open(&target)?.take(keep), &mut file)?;
            found = keep;
        }
        let kept = match keep {
            Some(keep) if keep <= found => keep,
            _ => 0,
        };
        file.set_len(kept)?;
        file.seek(io::SeekFrom::Start(kept))?;
        if let Some(metadata) = &existing {
            file.set_permissions(metadata.permissions())?;
        }
        Ok((
            PendingFile {
                inner: Inner::Resumable {
                    target,
                    partial,
                    file,
                    existed: existing.is_some(),
                },
            },
            kept,
        ))
    }

    /// Flushes what was written to the disk itself, so that a crash or power loss
    /// keeps it. Returns how many bytes the file holds; `None` for a device or a
    /// pipe, which has neither a disk nor a length.
    pub(crate) fn sync(&mut self) -> io::Result<Option<u64>> {
        let file = match &mut self.inner {
            Inner::Replace { temp, .. } => temp.as_file_mut(),
            Inner::Resumable { file, .. } => file,
            Inner::Through(file) => return file.flush().map(|()| None),
        };
        file.flush()?;
        file.sync_data()?;
        file.stream_position().map(Some)
    }

    /// Leaves the destination as it was: a resumable file is removed (a
    /// temporary one goes when dropped anyway).
    pub(crate) fn discard(self) -> io::Result<()> {
        match self.inner {
            Inner::Resumable { partial, .. } => std::fs::remove_file(partial),
            Inner::Replace { .. } | Inner::Through(_) => Ok(()),
        }
    }

    /// Whether committing would replace a file that is there now.
    pub(crate) fn replaces_a_file(&self) -> bool {
        matches!(
            self.inner,
            Inner::Replace { existed: true, .. } | Inner::Resumable { existed: true, .. }
        )
    }

    /// Syncs the data to disk and renames the file to its destination.
    pub(crate) fn commit(self) -> io::Result<()> {
        match self.inner {
            Inner::Replace { target, temp, .. } => {
                temp.as_file().sync_all()?;
                temp.persist(&target).map(drop).map_err(|e| e.error)
            }
            Inner::Resumable {
                target,
                partial,
                file,
                ..
            } => {
                file.sync_all()?;
                std::fs::rename(partial, target)
            }
            Inner::Through(mut file) => file.flush(),
        }
    }
}

/// An output that can be made to last and cut back to a length it had: a WARC
/// whose length a state database records, and whose record a full disk cut
/// off is removed rather than left for readers to stop at.
pub(crate) trait Durable: Write {
    /// Flushes to the disk itself; the output's length, when it has one.
    fn sync(&mut self) -> io::Result<Option<u64>>;

    /// Cuts the output back to its first `length` bytes and writes on after
    /// them; a pipe or a device cannot be.
    fn cut_back(&mut self, length: u64) -> io::Result<()>;
}

impl Durable for PendingFile {
    fn sync(&mut self) -> io::Result<Option<u64>> {
        PendingFile::sync(self)
    }

    fn cut_back(&mut self, length: u64) -> io::Result<()> {
        let file = match &mut self.inner {
            Inner::Replace { temp, .. } => temp.as_file_mut(),
            Inner::Resumable { file, .. } => file,
            Inner::Through(_) => {
                return Err(io::Error::new(
                    io::ErrorKind::Unsupported,
                    "a pipe or a device cannot be cut back",
                ));
            }
        };
        file.flush()?;
        file.set_len(length)?;
        file.seek(io::SeekFrom::Start(length)).map(drop)
    }
}

#[cfg(test)]
impl std::os::fd::AsRawFd for PendingFile {
    fn as_raw_fd(&self) -> std::os::fd::RawFd {
        match &self.inner {
            Inner::Replace { temp, .. } => temp.as_file().as_raw_fd(),
            Inner::Resumable { file, .. } | Inner::Through(file) => file.as_raw_fd(),
        }
    }
}

/// A disk that fills up and then has room again, for the tests of what a
/// failed write leaves behind.
#[cfg(all(test, target_os = "linux"))]
pub(crate) struct DiskFull {
    fd: std::os::fd::RawFd,
    saved: std::os::fd::OwnedFd,
}

#[cfg(all(test, target_os = "linux"))]
impl DiskFull {
    /// Until dropped, every write to `fd` fails with "No space left on
    /// device" (it writes to `/dev/full`); then it writes to its file again,
    /// at the offset where it was.
    pub(crate) fn on(fd: std::os::fd::RawFd) -> DiskFull {
        use std::os::fd::{AsRawFd, FromRawFd};
        // SAFETY: `fd` is open for the guard's lifetime (the caller's file);
        // dup returns a new descriptor this guard then owns.
        let saved = unsafe {
            let copy = libc::dup(fd);
            assert!(copy >= 0, "dup: {}", io::Error::last_os_error());
            std::os::fd::OwnedFd::from_raw_fd(copy)
        };
        let full = OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .expect("/dev/full");
        // SAFETY: both descriptors are open.
        assert!(unsafe { libc::dup2(full.as_raw_fd(), fd) } >= 0);
        DiskFull { fd, saved }
    }
}

#[cfg(all(test, target_os = "linux"))]
impl Drop for DiskFull {
    fn drop(&mut self) {
        use std::os::fd::AsRawFd;
        // SAFETY: both descriptors are open; dup2 replaces `fd` atomically.
        assert!(unsafe { libc::dup2(self.saved.as_raw_fd(), self.fd) } >= 0);
    }
}

/// A ZIP (a WACZ package) is written by seeking back to its entries' headers.
impl io::Seek for PendingFile {
    fn seek(&mut self, position: io::SeekFrom) -> io::Result<u64> {
        match &mut self.inner {
            Inner::Replace { temp, .. } => temp.seek(position),
            Inner::Resumable { file, .. } | Inner::Through(file) => file.seek(position),
        }
    }
}

impl Write for PendingFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.inner {
            Inner::Replace { temp, .. } => temp.write(buf),
            Inner::Resumable { file, .. } | Inner::Through(file) => file.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.inner {
            Inner::Replace { temp, .. } => temp.flush(),
            Inner::Resumable { file, .. } | Inner::Through(file) => file.flush(),
        }
    }
}

/// Where this process's ids hold, as temporary names carry it: the machine's
/// name (its first label, at most 16 letters, digits and `-`) and the number of
/// the process id namespace, since containers may share a name and not their
/// processes. Read where Linux keeps them; none elsewhere.
fn this_machine() -> Option<String> {
    let name = std::fs::read_to_string("/proc/sys/kernel/hostname").ok()?;
    let label: String = name
        .trim()
        .split('.')
        .next()?
        .chars()
        .take(16)
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let namespace = std::fs::read_link("/proc/self/ns/pid").ok()?;
    let namespace: String = namespace
        .to_str()?
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    (!label.is_empty() && !namespace.is_empty()).then(|| format!("{label}-{namespace}"))
}

/// Removes the temporary files for `name` in `dir` that runs killed outright
/// (SIGKILL, the out-of-memory killer, a crash) left behind, so that nightly
/// runs do not pile them up. A temporary name carries its machine, process id
/// namespace and process id (see [`this_machine`]), and a process of this
/// machine and namespace that no longer exists will not finish its file. Only
/// this user's files are removed: `/proc` may hide other users' processes.
fn remove_left_by_killed_runs(dir: &Path, name: &str, machine: &str) {
    use std::os::unix::fs::MetadataExt;
    let Ok(me) = std::fs::metadata("/proc/self").map(|m| m.uid()) else {
        return;
    };
    let prefix = format!(".{name}.harava-{machine}-");
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some((pid, rest)) = file_name
            .to_str()
            .and_then(|n| n.strip_prefix(&prefix))
            .and_then(|n| n.split_once('.'))
        else {
            continue;
        };
        let Ok(pid) = pid.parse::<u32>() else {
            continue;
        };
        if rest.ends_with(".partial")
            && pid != std::process::id()
            && !process_exists(pid)
            && entry.metadata().is_ok_and(|m| m.uid() == me)
            && std::fs::remove_file(entry.path()).is_ok()
        {
            tracing::info!(
                "removed {}, which a harava run (pid {pid}) that was killed left unfinished",
                entry.path().display()
            );
        }
    }
}

fn process_exists(pid: u32) -> bool {
    let proc_lists_processes = cfg!(target_os = "linux") && Path::new("/proc/self").exists();
    !proc_lists_processes || Path::new("/proc").join(pid.to_string()).exists()
}

/// Where a resumable file for `target` is kept until it is finished: beside it,
/// hidden, under a name that says what it is.
pub(crate) fn resumable_name(target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    parent_dir(target).join(format!(".{name}.harava-resume.partial"))
}

/// Follows symbolic links from `path` to what they lead to: the path to write,
/// and what is there (`None`: nothing yet). A regular file is known by its real
/// path, where the new one is renamed to; anything else is opened by the name
/// given, through links the kernel follows (`/dev/stdout` leads to a pipe that
/// has no path).
fn resolve(path: &Path) -> io::Result<(PathBuf, Option<Metadata>)> {
    match std::fs::metadata(path) {
        Ok(metadata) if metadata.is_file() => Ok((std::fs::canonicalize(path)?, Some(metadata))),
        Ok(metadata) => Ok((path.to_path_buf(), Some(metadata))),
        Err(e) if e.kind() == io::ErrorKind::NotFound => dangling(path).map(|p| (p, None)),
        Err(e) => Err(e),
    }
}

/// Where a file at `path`, which does not exist, is to be created: at the end of
/// its chain of symbolic links, if it is one.
fn dangling(path: &Path) -> io::Result<PathBuf> {
    let mut current = path.to_path_buf();
    // As many hops as Linux follows before it gives up with ELOOP.
    for _ in 0..40 {
        match std::fs::symlink_metadata(&current) {
            Ok(metadata) if metadata.file_type().is_symlink() => {
                let link = std::fs::read_link(&current)?;
                current = parent_dir(&current).join(link);
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(current),
            Ok(_) => return Err(io::Error::other("it changed while being looked at")),
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::other("too many levels of symbolic links"))
}

/// The directory a file at `path` is created in.
fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// Checks before a run starts that an output file (`flag`, e.g. `--warc`) can be
/// written, so a mistyped path fails at once instead of after the whole crawl.
pub(crate) fn check_output(path: &Path, flag: &'static str) -> Result<(), Error> {
    let problem = |problem: String| Error::Output {
        flag,
        path: path.display().to_string(),
        problem,
    };
    let (target, existing) = resolve(path).map_err(|e| problem(format!("{e}")))?;
    match existing {
        Some(metadata) if metadata.is_dir() => Err(problem(
            "is a directory; give the path of a file to write".into(),
        )),
        // Written through; opening a FIFO would wait for its reader, so it is not tried here.
        Some(metadata) if !metadata.is_file() => Ok(()),
        _ => {
            let dir = parent_dir(&target);
            match std::fs::metadata(dir) {
                Ok(metadata) if metadata.is_dir() => {}
                Ok(_) => return Err(problem(format!("{} is not a directory", dir.display()))),
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    return Err(problem(format!(
                        "the directory {} does not exist; create it first or give another path",
                        dir.display()
                    )));
                }
                Err(e) => return Err(problem(format!("cannot reach {}: {e}", dir.display()))),
            }
            // Only creating a file tells for sure (permissions, ACLs, a read-only mount).
            tempfile::Builder::new()
                .prefix(".harava-check.")
                .tempfile_in(dir)
                .map(drop)
                .map_err(|e| {
                    problem(format!(
                        "cannot create a file in {}: {e}; give a writable location",
                        dir.display()
                    ))
                })
        }
    }
}

/// Temporary files not yet renamed into place, with their destinations: a second
/// signal ends the process at once, without running destructors, and removes them
/// from here.
static UNFINISHED: Mutex<Vec<(PathBuf, PathBuf)>> = Mutex::new(Vec::new());

/// A temporary file's place in [`UNFINISHED`], for as long as it exists.
struct Unfinished(PathBuf);

impl Unfinished {
    fn register(temp: &Path, destination: &Path) -> Unfinished {
        lock_unfinished().push((temp.to_path_buf(), destination.to_path_buf()));
        Unfinished(temp.to_path_buf())
    }
}

impl Drop for Unfinished {
    fn drop(&mut self) {
        lock_unfinished().retain(|(temp, _)| *temp != self.0);
    }
}

fn lock_unfinished() -> std::sync::MutexGuard<'static, Vec<(PathBuf, PathBuf)>> {
    // The list stays valid whatever a panicking holder was doing.
    UNFINISHED.lock().unwrap_or_else(|e| e.into_inner())
}

/// Removes every temporary file not yet in place and returns the destinations
/// that were therefore not written. For a process about to exit at once.
pub(crate) fn remove_unfinished() -> Vec<PathBuf> {
    let mut unfinished = lock_unfinished();
    unfinished
        .drain(..)
        .map(|(temp, destination)| {
            // Already renamed or removed: nothing left to clean up.
            let _ = std::fs::remove_file(temp);
            destination
        })
        .collect()
}

/// How much [`BlockWriter`] writes at a time.
const BLOCK: usize = 64 * 1024;

/// A buffered writer that writes whole blocks of [`BLOCK`] bytes at block
/// boundaries of the file (but for the last, or when flushed). Linux clears the
/// rest of a new page-cache folio that a write ends inside, so writing whatever
/// a buffer holds when the next line does not fit, as `BufWriter` does, had the
/// kernel clear most of a file once more before copying it in: 2 % of
/// `extract`'s CPU for its output alone.
pub(crate) struct BlockWriter<W: Write> {
    /// Taken only by [`BlockWriter::into_inner`].
    inner: Option<W>,
    buffer: Vec<u8>,
    /// Where in the file the buffer starts.
    position: u64,
}

impl<W: Write> BlockWriter<W> {
    /// Writes to `inner`, whose next byte is byte `position` of its file.
    pub(crate) fn new(inner: W, position: u64) -> BlockWriter<W> {
        BlockWriter {
            inner: Some(inner),
            buffer: Vec::with_capacity(BLOCK),
            position,
        }
    }

    pub(crate) fn get_ref(&self) -> &W {
        self.inner.as_ref().expect("taken only by into_inner")
    }

    pub(crate) fn get_mut(&mut self) -> &mut W {
        self.inner.as_mut().expect("taken only by into_inner")
    }

    /// The writer, once what is buffered is written.
    pub(crate) fn into_inner(mut self) -> io::Result<W> {
        self.write_buffer()?;
        Ok(self.inner.take().expect("taken only here"))
    }

    /// How much more the buffer takes before it reaches a block boundary.
    fn room(&self) -> usize {
        let into_block = (self.position % BLOCK as u64) as usize + self.buffer.len();
        BLOCK - into_block
    }

    /// Writes out the buffer. What went out before a failure is dropped from
    /// it, so that writing again (a flush after the error, or the drop) does
    /// not repeat it in the file.
    fn write_buffer(&mut self) -> io::Result<()> {
        let inner = self.inner.as_mut().expect("taken only by into_inner");
        let mut done = 0;
        let result = loop {
            if done == self.buffer.len() {
                break Ok(());
            }
            match inner.write(&self.buffer[done..]) {
                Ok(0) => break Err(io::Error::from(io::ErrorKind::WriteZero)),
                Ok(n) => done += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => break Err(e),
            }
        };
        self.position += done as u64;
        self.buffer.drain(..done);
        result
    }
}

/// As `BufWriter` does, what is buffered is written when the writer is dropped
/// unflushed (errors cannot be reported then): a run that ends early still
/// leaves a named pipe or a device everything it was given.
impl<W: Write> Drop for BlockWriter<W> {
    fn drop(&mut self) {
        if self.inner.is_some() {
            let _ = self.write_buffer();
        }
    }
}

impl<W: Write> Write for BlockWriter<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if self.room() == 0 {
            self.write_buffer()?;
        }
        let taken = self.room().min(data.len());
        self.buffer.extend_from_slice(&data[..taken]);
        Ok(taken)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.write_buffer()?;
        self.get_mut().flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sizes of the writes a writer was given.
    #[derive(Default)]
    struct Writes(Vec<usize>);

    impl Write for Writes {
        fn write(&mut self, data: &[u8]) -> io::Result<usize> {
            self.0.push(data.len());
            Ok(data.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// Takes `first` bytes, then fails once, then takes everything.
    struct FailsOnce {
        file: Vec<u8>,
        first: usize,
        failed: bool,
    }

    impl Write for FailsOnce {
        fn write(&mut self, data: &[u8]) -> io::Result<usize> {
            let n = match (self.file.is_empty(), self.failed) {
                (true, _) => data.len().min(self.first),
                (false, false) => {
                    self.failed = true;
                    return Err(io::Error::other("disk full"));
                }
                (false, true) => data.len(),
            };
            self.file.extend_from_slice(&data[..n]);
            Ok(n)
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_block_written_in_part_before_a_failure_is_not_written_twice() {
        let inner = FailsOnce {
            file: Vec::new(),
            first: 1000,
            failed: false,
        };
        let mut out = BlockWriter::new(inner, 0);
        let data: Vec<u8> = (0..70_000u32).map(|n| n as u8).collect();
        let error = out.write_all(&data).unwrap_err();
        assert_eq!(error.to_string(), "disk full");
        // The retry, and then the rest.
        out.flush().unwrap();
        let written = out.into_inner().unwrap().file;
        assert_eq!(written.len(), BLOCK);
        assert_eq!(written, data[..BLOCK]);
    }

    #[test]
    fn block_writes_end_at_block_boundaries_even_after_a_flush() {
        let mut out = BlockWriter::new(Writes::default(), 0);
        for _ in 0..200 {
            out.write_all(&[b'x'; 1000]).unwrap();
        }
        out.flush().unwrap();
        out.write_all(&[b'y'; 70_000]).unwrap();
        assert_eq!(
            out.into_inner().unwrap().0,
            // 200,000 bytes: three blocks, the flushed rest, then up to the
            // next boundary (262,144) and on.
            [65_536, 65_536, 65_536, 3_392, 62_144, 7_856]
        );
        // Dropped unflushed, it still writes what it holds.
        let mut written = Vec::new();
        {
            let mut out = BlockWriter::new(&mut written, 0);
            out.write_all(b"line\n").unwrap();
        }
        assert_eq!(written, b"line\n");
        // A file continued at byte 100 is written up to its next boundary first.
        let mut out = BlockWriter::new(Writes::default(), 100);
        out.write_all(&[b'z'; 70_000]).unwrap();
        assert_eq!(out.into_inner().unwrap().0, [65_436, 4_564]);
    }

    #[test]
    fn a_run_removes_what_killed_runs_left_unfinished_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        // A process that has ended, and one that is always there (init).
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let ended = child.id();
        child.wait().unwrap();
        let here = this_machine().unwrap_or_default();
        let temp = |name: &str, machine: &str, pid: u32| {
            dir.path()
                .join(format!(".{name}.harava-{machine}-{pid}.Ab12Cd.partial"))
        };
        let left = temp("out.jsonl", &here, ended);
        let running = temp("out.jsonl", &here, 1);
        let elsewhere = temp("out.jsonl", "toinen-kone", ended);
        let other_output = temp("muu.jsonl", &here, ended);
        let resumable = resumable_name(&dir.path().join("out.jsonl"));
        for path in [&left, &running, &elsewhere, &other_output, &resumable] {
            std::fs::write(path, "{").unwrap();
        }
        let file = PendingFile::create(&dir.path().join("out.jsonl")).unwrap();
        assert_eq!(!left.exists(), cfg!(target_os = "linux"));
        for kept in [&running, &elsewhere, &other_output, &resumable] {
            assert!(kept.exists(), "{}", kept.display());
        }
        drop(file);
    }

    #[test]
    fn a_resumable_file_outlives_its_writer_and_drops_a_torn_tail() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("records.jsonl");
        let (mut file, kept) = PendingFile::resumable(&path, None).unwrap();
        assert_eq!(kept, 0);
        file.write_all(b"{\"a\":1}\n").unwrap();
        let synced = file.sync().unwrap();
        assert_eq!(synced, Some(8));
        // A kill after a torn write: the process is gone, the file stays.
        file.write_all(b"{\"b\":").unwrap();
        file.flush().unwrap();
        drop(file);
        assert!(!path.exists(), "nothing is in place before the run ends");
        let partial = resumable_name(
            &std::fs::canonicalize(dir.path())
                .unwrap()
                .join("records.jsonl"),
        );
        assert_eq!(std::fs::read(&partial).unwrap(), b"{\"a\":1}\n{\"b\":");

        let (mut file, kept) = PendingFile::resumable(&path, synced).unwrap();
        assert_eq!(kept, 8);
        file.write_all(b"{\"b\":2}\n").unwrap();
        file.commit().unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"{\"a\":1}\n{\"b\":2}\n");
        assert!(!partial.exists());
    }

    #[test]
    fn a_resumable_file_put_in_place_is_continued_from_its_place() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("news.jsonl");
        let (mut file, _) = PendingFile::resumable(&path, None).unwrap();
        file.write_all(b"{\"a\":1}\n").unwrap();
        let synced = file.sync().unwrap();
        // Stopped by a signal: what was read is put in place.
        file.commit().unwrap();
        let (mut file, kept) = PendingFile::resumable(&path, synced).unwrap();
        assert_eq!(kept, 8);
        file.write_all(b"{\"b\":2}\n").unwrap();
        file.commit().unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"{\"a\":1}\n{\"b\":2}\n");
    }

    #[test]
    fn a_resumable_file_without_a_known_length_starts_over() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.jsonl");
        let (mut file, _) = PendingFile::resumable(&path, None).unwrap();
        file.write_all(b"old\n").unwrap();
        drop(file);
        // More than the file holds is not trusted either.
        for keep in [None, Some(100)] {
            let (file, kept) = PendingFile::resumable(&path, keep).unwrap();
            assert_eq!(kept, 0, "{keep:?}");
            file.commit().unwrap();
            assert_eq!(std::fs::read(&path).unwrap(), b"");
        }
    }
}
