//! A snapshot dataset as one run makes it: the manifest kept as the run goes, the
//! WARC and records staged for a WACZ when the user named no file for them, and at
//! the end the WACZ packed and the manifest written. It sits above both the
//! manifest and the WACZ writer, which know nothing of each other's callers.

use std::path::{Path, PathBuf};

use chrono::Utc;
use serde::Serialize;

use crate::archive::wacz::{self, Indexed};
use crate::error::Error;
use crate::manifest::{Manifest, base_of, profiles_used, timestamp};
use crate::profile::ProfileChoice;
use crate::state::Outcome;

/// What a run keeps as a snapshot dataset besides its output: a manifest, a WACZ package.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Snapshot {
    pub manifest: Option<PathBuf>,
    pub wacz: Option<PathBuf>,
}

/// The snapshot side of a crawl or extract: it keeps the manifest as the run goes, stages
/// the WARC and the records a WACZ needs when the user named no file for them, and at the
/// end packs the WACZ and writes the manifest.
pub(crate) struct Run {
    snapshot: Snapshot,
    manifest: Manifest,
    staging: Option<Staging>,
    /// The WARC and records file of the run, once chosen, for the WACZ.
    warc: Option<PathBuf>,
    records: Option<PathBuf>,
    /// The WARC's index as the crawl wrote it, so packing need not read it back.
    indexed: Option<Vec<Indexed>>,
}

/// Where the WARC and records a WACZ is packed from are kept until it is.
enum Staging {
    /// A directory of the run's own, gone with it.
    Temporary(tempfile::TempDir),
    /// With a state database: a directory named after the WACZ, which a run
    /// killed before packing leaves to the run that continues it, whose WARC
    /// and records then continue the killed run's. Removed once packed.
    Resumable(PathBuf),
}

impl Staging {
    fn path(&self) -> &Path {
        match self {
            Staging::Temporary(dir) => dir.path(),
            Staging::Resumable(dir) => dir,
        }
    }
}

impl Run {
    /// Starts the snapshot side of a run; `resumable` for a run with a state
    /// database, which a killed run's continuation continues.
    pub(crate) fn start(
        snapshot: Snapshot,
        profile: &ProfileChoice,
        resumable: bool,
    ) -> Result<Run, Error> {
        let started = Utc::now();
        let wanted = snapshot.manifest.is_some() || snapshot.wacz.is_some();
        let profiles = if wanted {
            profiles_used(profile)?
        } else {
            Vec::new()
        };
        let staging = match &snapshot.wacz {
            Some(wacz) => {
                let write_error = |source| Error::Write {
                    path: wacz.display().to_string(),
                    source,
                };
                Some(if resumable {
                    // Made when a file is staged in it (see `make_staging`).
                    let name = wacz.file_name().unwrap_or_default().to_string_lossy();
                    Staging::Resumable(base_of(wacz).join(format!(".{name}.harava-resume")))
                } else {
                    Staging::Temporary(
                        tempfile::Builder::new()
                            .prefix(".harava-wacz.")
                            .tempdir_in(base_of(wacz))
                            .map_err(write_error)?,
                    )
                })
            }
            None => None,
        };
        Ok(Run {
            snapshot,
            manifest: Manifest::begin(started, profiles),
            staging,
            warc: None,
            records: None,
            indexed: None,
        })
    }

    /// The WARC's index, kept by the crawl as it wrote the file.
    pub(crate) fn warc_indexed(&mut self, index: Option<Vec<Indexed>>) {
        self.indexed = index;
    }

    /// Where the WARC goes: `given`, else (for `--wacz`) a staged file named after the WACZ.
    pub(crate) fn warc_path(&mut self, given: Option<PathBuf>) -> Option<PathBuf> {
        self.warc = given.or_else(|| {
            let stem = self.snapshot.wacz.as_ref()?.file_stem()?.to_string_lossy();
            Some(
                self.staging
                    .as_ref()?
                    .path()
                    .join(format!("{stem}.warc.gz")),
            )
        });
        self.warc.clone()
    }

    /// Where the records go: `given`, else (for `--wacz`) a staged file, else standard output.
    pub(crate) fn records_path(&mut self, given: Option<PathBuf>) -> Option<PathBuf> {
        self.records = given.or_else(|| Some(self.staging.as_ref()?.path().join("records.jsonl")));
        self.records.clone()
    }

    /// The files staged in a directory named after the WACZ (see [`Staging`]).
    fn staged_in_resumable(&self) -> Vec<&Path> {
        let Some(Staging::Resumable(dir)) = &self.staging else {
            return Vec::new();
        };
        [&self.warc, &self.records]
            .into_iter()
            .flatten()
            .filter(|file| file.starts_with(dir))
            .map(PathBuf::as_path)
            .collect()
    }

    /// Makes the directory named after the WACZ, once [`Run::warc_path`] and
    /// [`Run::records_path`] staged a file in it.
    pub(crate) fn make_staging(&self) -> Result<(), Error> {
        if let (Some(Staging::Resumable(dir)), false) =
            (&self.staging, self.staged_in_resumable().is_empty())
        {
            std::fs::create_dir_all(dir).map_err(|source| Error::Write {
                path: dir.display().to_string(),
                source,
            })?;
        }
        Ok(())
    }

    /// Record the run's counts (every integer field of `counts`) and failures, pack the WACZ
    /// from the run's WARC and records when one was asked for, and write the manifest, listing
    /// the `outputs` that were written (role and path) and the WACZ. A run that `read_nothing`
    /// leaves a WACZ that is there as it was, as it leaves `-o`.
    pub(crate) fn finish(
        mut self,
        outcome: Outcome,
        read_nothing: bool,
        counts: &impl Serialize,
        failures: Vec<String>,
        outputs: &[(&str, Option<&Path>)],
        title: &str,
    ) -> Result<(), Error> {
        if let Ok(serde_json::Value::Object(fields)) = serde_json::to_value(counts) {
            self.manifest.counts = fields
                .into_iter()
                .filter_map(|(name, value)| Some((name, value.as_u64()?)))
                .collect();
        }
        self.manifest.failures = failures;
        self.manifest.outcome = Some(outcome);
        let keep_the_package = read_nothing
            && self
                .snapshot
                .wacz
                .as_ref()
                .is_some_and(|wacz| wacz.exists());
        if keep_the_package && let Some(wacz_path) = &self.snapshot.wacz {
            eprintln!(
                "harava: no page was read; {} was left as it was",
                wacz_path.display()
            );
        } else if let (Some(wacz_path), Some(warc), Some(records)) =
            (&self.snapshot.wacz, &self.warc, &self.records)
        {
            let mut embedded = self.manifest.clone();
            for (role, path) in outputs {
                if let Some(path) = path {
                    embedded.add_file(role, path, &base_of(wacz_path))?;
                }
            }
            embedded.ended = timestamp(Utc::now());
            let packed = wacz::pack(
                warc,
                records,
                wacz_path,
                title,
                &embedded,
                self.indexed.take(),
            )?;
            tracing::info!(
                captures = packed.captures,
                pages = packed.pages,
                records = packed.records,
                "packed {}",
                wacz_path.display()
            );
        }
        // A stopped run's files are continued by the next run, whose package
        // then holds both runs' pages; a finished run's are done.
        if let Some(Staging::Resumable(dir)) = &self.staging
            && matches!(outcome, Outcome::Ok | Outcome::FailedPages)
            && dir.exists()
            && let Err(e) = std::fs::remove_dir_all(dir)
        {
            tracing::warn!("cannot remove {}: {e}", dir.display());
        }
        if let Some(path) = &self.snapshot.manifest {
            let base = base_of(path);
            for (role, output) in outputs {
                if let Some(output) = output {
                    self.manifest.add_file(role, output, &base)?;
                }
            }
            if let Some(wacz_path) = &self.snapshot.wacz {
                self.manifest.add_file("wacz", wacz_path, &base)?;
            }
            self.manifest.write(path)?;
        }
        Ok(())
    }
}
