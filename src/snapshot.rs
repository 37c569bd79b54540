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
    staging: Option<tempfile::TempDir>,
    /// The WARC and records file of the run, once chosen, for the WACZ.
    warc: Option<PathBuf>,
    records: Option<PathBuf>,
    /// The WARC's index as the crawl wrote it, so packing need not read it back.
    indexed: Option<Vec<Indexed>>,
}

impl Run {
    pub(crate) fn start(snapshot: Snapshot, profile: &ProfileChoice) -> Result<Run, Error> {
        let started = Utc::now();
        let wanted = snapshot.manifest.is_some() || snapshot.wacz.is_some();
        let profiles = if wanted {
            profiles_used(profile)?
        } else {
            Vec::new()
        };
        let staging = match &snapshot.wacz {
            Some(wacz) => Some(
                tempfile::Builder::new()
                    .prefix(".harava-wacz.")
                    .tempdir_in(base_of(wacz))
                    .map_err(|source| Error::Write {
                        path: wacz.display().to_string(),
                        source,
                    })?,
            ),
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

    /// Record the run's counts (every integer field of `counts`) and failures, pack the WACZ
    /// from the run's WARC and records when one was asked for, and write the manifest, listing
    /// the `outputs` that were written (role and path) and the WACZ.
    pub(crate) fn finish(
        mut self,
        outcome: Outcome,
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
        if let (Some(wacz_path), Some(warc), Some(records)) =
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
