//! Manifests: what a run made and how, so that `harava verify` can tell years later whether
//! a dataset is still the one the run wrote.
//!
//! A manifest (`--manifest FILE`) is one pretty-printed JSON object:
//!
//! ```json
//! {
//!   "software": "harava 0.1.0",
//!   "command": ["harava", "crawl", "-o", "m.jsonl", "https://…"],
//!   "profiles": [{"name": "uusimaa2019", "source": "selectors/uusimaa2019.toml", "sha256": "sha256:…"}],
//!   "started": "2026-11-29T05:00:00Z",
//!   "ended": "2026-11-29T05:00:25Z",
//!   "outcome": "ok",
//!   "counts": {"pages_fetched": 26, "records_written": 19, …},
//!   "failures": ["https://…: HTTP 500"],
//!   "files": [{"role": "records", "path": "m.jsonl", "sha256": "sha256:…", "bytes": 48213}]
//! }
//! ```
//!
//! `outcome` is how the run ended, in the words of `harava state status`: `ok`,
//! `failed_pages` (some pages or inputs failed: see `failures`) or `interrupted` (a signal
//! stopped it, and the files hold what it read until then). Manifests of harava before
//! 0.9.0 have none.
//!
//! `sha256` is `sha256:` + lowercase hex, the form WACZ's `datapackage.json` uses, so the one
//! checker reads both. A profile's hash covers its TOML text as loaded (for bundled profiles,
//! the text compiled into the binary). A file's `path` is relative to the manifest's own
//! directory when the file lies under it — so a dataset directory can be moved or copied
//! whole — and absolute otherwise.
//!
//! A WACZ carries the same object under the key `harava` of its `datapackage.json` (paths
//! there relative to the WACZ's directory); `harava verify FILE.wacz` checks the package's
//! own resources against `datapackage.json` and that file against `datapackage-digest.json`.
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use chrono::{DateTime, SecondsFormat, Utc};
use data_encoding::HEXLOWER;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::Error;
use crate::profile::{self, ProfileChoice};
use crate::state::Outcome as RunOutcome;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct Manifest {
    pub software: String,
    pub command: Vec<String>,
    pub profiles: Vec<ProfileUsed>,
    pub started: String,
    pub ended: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<RunOutcome>,
    pub counts: BTreeMap<String, u64>,
    pub failures: Vec<String>,
    pub files: Vec<FileEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct ProfileUsed {
    pub name: String,
    pub source: String,
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct FileEntry {
    /// What the file is: `records`, `changes`, `warc`, `stats` or `wacz`.
    pub role: String,
    pub path: String,
    pub sha256: String,
    pub bytes: u64,
}

/// The software string of manifests and WACZ packages: `harava X.Y.Z`.
pub(crate) fn software() -> String {
    concat!(env!("CARGO_PKG_NAME"), " ", env!("CARGO_PKG_VERSION")).to_owned()
}

/// RFC 3339 to the second, UTC, as WACZ's `created` is written.
pub(crate) fn timestamp(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Secs, true)
}

impl Manifest {
    /// A manifest of the running command, started at `started`, with no counts or files yet.
    pub(crate) fn begin(started: DateTime<Utc>, profiles: Vec<ProfileUsed>) -> Manifest {
        Manifest {
            software: software(),
            command: std::env::args().collect(),
            profiles,
            started: timestamp(started),
            ended: timestamp(started),
            outcome: None,
            counts: BTreeMap::new(),
            failures: Vec::new(),
            files: Vec::new(),
        }
    }

    /// Hash `path` and list it under `role`, its path written relative to `base` (the
    /// directory the manifest will be read from) when it lies there.
    pub(crate) fn add_file(&mut self, role: &str, path: &Path, base: &Path) -> Result<(), Error> {
        let (sha256, bytes) = hash_file(path).map_err(|source| Error::Read {
            path: path.display().to_string(),
            source,
        })?;
        self.files.push(FileEntry {
            role: role.to_owned(),
            path: relative_to(path, base),
            sha256,
            bytes,
        });
        Ok(())
    }

    /// Write the manifest to `path` (after setting `ended` to now).
    pub(crate) fn write(&mut self, path: &Path) -> Result<(), Error> {
        self.ended = timestamp(Utc::now());
        let text = serde_json::to_string_pretty(self).expect("manifests serialize") + "\n";
        std::fs::write(path, text).map_err(|source| Error::Write {
            path: path.display().to_string(),
            source,
        })
    }
}

/// The profiles a run with `choice` loads, each with the hash of its TOML text.
pub(crate) fn profiles_used(choice: &ProfileChoice) -> Result<Vec<ProfileUsed>, Error> {
    let used = |source: &str, text: &str| -> Result<ProfileUsed, Error> {
        Ok(ProfileUsed {
            name: profile::Profile::from_toml(text, source)?.name,
            source: source.to_owned(),
            sha256: sha256_hex(text.as_bytes()),
        })
    };
    match choice {
        ProfileChoice::Auto => profile::BUNDLED
            .iter()
            .map(|(source, text)| used(source, text))
            .collect(),
        ProfileChoice::Named(name) => profile::BUNDLED
            .iter()
            .map(|(source, text)| used(source, text))
            .filter(|p| p.as_ref().map_or(true, |p| p.name == *name))
            .collect(),
        ProfileChoice::File(path) => {
            let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
                path: path.display().to_string(),
                source,
            })?;
            Ok(vec![used(&path.display().to_string(), &text)?])
        }
    }
}

pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    format!("sha256:{}", HEXLOWER.encode(&Sha256::digest(bytes)))
}

/// The `sha256:…` hash and the size of everything `reader` yields.
pub(crate) fn hash_reader(mut reader: impl Read) -> io::Result<(String, u64)> {
    let mut hasher = Sha256::new();
    let mut buffer = vec![0; 1 << 16];
    let mut bytes = 0;
    loop {
        let n = reader.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
        bytes += n as u64;
    }
    Ok((
        format!("sha256:{}", HEXLOWER.encode(&hasher.finalize())),
        bytes,
    ))
}

pub(crate) fn hash_file(path: &Path) -> io::Result<(String, u64)> {
    hash_reader(File::open(path)?)
}

/// The hash and size of the regular file at `path`, read to one byte past
/// the `recorded` size at most: a file that grew has changed whatever follows,
/// and a device or a FIFO a manifest lists is no file to read.
fn hash_recorded(path: &Path, recorded: u64) -> io::Result<(String, u64)> {
    if !std::fs::metadata(path)?.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "it is not a regular file",
        ));
    }
    hash_reader(File::open(path)?.take(recorded.saturating_add(1)))
}

/// `path` relative to `base` when it lies under it, else absolute.
fn relative_to(path: &Path, base: &Path) -> String {
    let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let (path, base) = (absolute(path), absolute(base));
    match path.strip_prefix(&base) {
        Ok(relative) => relative.display().to_string(),
        Err(_) => path.display().to_string(),
    }
}

/// The directory a manifest's relative paths start from.
pub(crate) fn base_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// How one file fared in `harava verify`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    Ok,
    Missing,
    /// What differs, in words.
    Changed(String),
}

/// One line of `harava verify`: the file (as the manifest or package names it) and its fate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Checked {
    pub name: String,
    pub outcome: Outcome,
}

impl Checked {
    pub(crate) fn line(&self) -> String {
        match &self.outcome {
            Outcome::Ok => format!("ok       {}", self.name),
            Outcome::Missing => format!("MISSING  {}", self.name),
            Outcome::Changed(how) => format!("CHANGED  {}: {how}", self.name),
        }
    }
}

/// Compare what was found with what was recorded.
pub(crate) fn compare(
    name: String,
    expected: (&str, u64),
    found: io::Result<(String, u64)>,
) -> Checked {
    let outcome = match found {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Outcome::Missing,
        Err(e) => Outcome::Changed(format!("cannot be read: {e}")),
        Ok((hash, bytes)) if hash == expected.0 && bytes == expected.1 => Outcome::Ok,
        Ok((hash, bytes)) => Outcome::Changed(format!(
            "{bytes} bytes with {hash}, recorded {} bytes with {}",
            expected.1, expected.0
        )),
    };
    Checked { name, outcome }
}

/// Re-hash every file a manifest lists.
pub(crate) fn verify_manifest(path: &Path) -> Result<Vec<Checked>, Error> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
        path: path.display().to_string(),
        source,
    })?;
    let manifest: Manifest = serde_json::from_str(&text).map_err(|e| Error::Snapshot {
        message: format!(
            "{}: not a harava manifest ({e}); give the file a run wrote with --manifest, or a .wacz",
            path.display()
        ),
    })?;
    let base = base_of(path);
    Ok(manifest
        .files
        .iter()
        .map(|file| {
            // An absolute path stays as it is: `join` replaces the base with it.
            let on_disk = base.join(&file.path);
            compare(
                on_disk.display().to_string(),
                (&file.sha256, file.bytes),
                hash_recorded(&on_disk, file.bytes),
            )
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_under_the_base_are_relative_others_absolute() {
        let dir = tempfile::tempdir().unwrap();
        let inside = dir.path().join("a/b.jsonl");
        assert_eq!(relative_to(&inside, dir.path()), "a/b.jsonl");
        let outside = Path::new("/elsewhere/c.jsonl");
        assert_eq!(relative_to(outside, dir.path()), "/elsewhere/c.jsonl");
    }

    #[test]
    fn verify_names_changed_and_missing_files() {
        let dir = tempfile::tempdir().unwrap();
        let records = dir.path().join("r.jsonl");
        let warc = dir.path().join("w.warc");
        std::fs::write(&records, "{\"id\":\"1\"}\n").unwrap();
        std::fs::write(&warc, "WARC/1.1\r\n").unwrap();
        let mut manifest = Manifest::begin(Utc::now(), vec![]);
        manifest.add_file("records", &records, dir.path()).unwrap();
        manifest.add_file("warc", &warc, dir.path()).unwrap();
        assert_eq!(manifest.files[0].path, "r.jsonl");
        assert_eq!(
            manifest.files[0].sha256,
            sha256_hex(b"{\"id\":\"1\"}\n"),
            "the hash is of the file's bytes"
        );
        assert_eq!(manifest.files[0].bytes, 11);
        let path = dir.path().join("manifest.json");
        manifest.write(&path).unwrap();

        let outcomes = |checked: Vec<Checked>| -> Vec<Outcome> {
            checked.into_iter().map(|c| c.outcome).collect()
        };
        assert_eq!(
            outcomes(verify_manifest(&path).unwrap()),
            [Outcome::Ok, Outcome::Ok]
        );
        std::fs::write(&records, "{\"id\":\"2\"}\n").unwrap();
        std::fs::remove_file(&warc).unwrap();
        let checked = verify_manifest(&path).unwrap();
        assert_eq!(
            checked[0].line(),
            format!(
                "CHANGED  {}: 11 bytes with {}, recorded 11 bytes with {}",
                records.display(),
                sha256_hex(b"{\"id\":\"2\"}\n"),
                sha256_hex(b"{\"id\":\"1\"}\n")
            )
        );
        assert_eq!(checked[1].line(), format!("MISSING  {}", warc.display()));

        // A file that grew is changed, read no further than one byte past its
        // recorded size; a device is no file.
        std::fs::write(&records, "{\"id\":\"1\"}\n{\"id\":\"2\"}\n").unwrap();
        let grown = hash_recorded(&records, 11).unwrap();
        assert_eq!(grown, (sha256_hex(b"{\"id\":\"1\"}\n{"), 12));
        let zero = hash_recorded(Path::new("/dev/zero"), 11).unwrap_err();
        assert_eq!(zero.to_string(), "it is not a regular file");
    }

    #[test]
    fn profiles_used_hash_the_toml_text() {
        let used = profiles_used(&ProfileChoice::Named("uusimaa2019".into())).unwrap();
        assert_eq!(used.len(), 1);
        assert_eq!(used[0].name, "uusimaa2019");
        assert_eq!(used[0].source, "selectors/uusimaa2019.toml");
        let text =
            std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("selectors/uusimaa2019.toml"))
                .unwrap();
        assert_eq!(used[0].sha256, sha256_hex(&text));
        let auto = profiles_used(&ProfileChoice::Auto).unwrap();
        let names: Vec<&str> = auto.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(
            names,
            ["dynasty", "tweb", "uusimaa2019"],
            "auto loads every bundled profile"
        );
        assert_eq!(auto[2], used[0]);
    }
}
