//! The state file of harava 0.2: one line per meeting, `{"id":…,"hash":…}`,
//! sorted by id so that it is byte-stable and diffs well.
//!
//! [`read`] is what [`Store::open`](super::Store::open) imports when it meets a
//! file in this format; harava no longer writes one.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::error::Error;

#[derive(Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
#[serde(deny_unknown_fields)]
struct Line {
    id: String,
    hash: String,
}

/// The content hash of every meeting in the file at `path`, by id; a file that
/// does not exist holds none.
pub(super) fn read(path: &Path) -> Result<BTreeMap<String, String>, Error> {
    let state_error = |message: String| Error::State {
        path: path.display().to_string(),
        message,
    };
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(state_error(e.to_string())),
    };
    let mut hashes = BTreeMap::new();
    for (number, line) in text.lines().enumerate() {
        let line: Line = serde_json::from_str(line)
            .map_err(|e| state_error(format!("line {}: {e}", number + 1)))?;
        hashes.insert(line.id, line.hash);
    }
    Ok(hashes)
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::path::PathBuf;

    use super::super::content_hash;
    use super::super::tests::record;
    use super::*;
    use crate::output_file::PendingFile;
    use crate::record::Record;

    /// harava 0.2's state, which read the file, admitted records to it and
    /// wrote it back: kept here to write the files [`read`] must read.
    #[derive(Debug)]
    struct State {
        path: PathBuf,
        hashes: BTreeMap<String, String>,
    }

    impl State {
        /// Reads the state at `path`; a file that does not exist yet is an empty state.
        fn load(path: &Path) -> Result<State, Error> {
            Ok(State {
                path: path.to_path_buf(),
                hashes: read(path)?,
            })
        }

        /// Whether `record` is new or changed since the state was saved; either way
        /// the state now knows it as it is.
        fn admit(&mut self, record: &Record) -> bool {
            let hash = content_hash(record);
            self.hashes.insert(record.id.clone(), hash.clone()).as_ref() != Some(&hash)
        }

        /// Replaces the state file with what the state knows now.
        fn save(&self) -> Result<(), Error> {
            let state_error = |e: std::io::Error| Error::State {
                path: self.path.display().to_string(),
                message: e.to_string(),
            };
            let mut file = PendingFile::create(&self.path).map_err(state_error)?;
            for (id, hash) in &self.hashes {
                let line = serde_json::to_string(&Line {
                    id: id.clone(),
                    hash: hash.clone(),
                })
                .expect("lines serialize");
                writeln!(file, "{line}").map_err(state_error)?;
            }
            file.commit().map_err(state_error)
        }
    }

    #[test]
    fn only_new_or_changed_records_are_admitted_and_the_state_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.jsonl");
        let mut state = State::load(&path).unwrap();
        assert!(state.admit(&record("Kokous.")), "new");
        assert!(!state.admit(&record("Kokous.")), "the same again");
        let mut refetched = record("Kokous.");
        refetched.fetched_at = None;
        refetched.archived_at = Some(chrono::Utc::now());
        assert!(
            !state.admit(&refetched),
            "re-read from another capture, unchanged"
        );
        let mut moved = record("Kokous.");
        moved.source_url = "https://www.uusimaa2019.fi/kuntajohtajakokous/page/2/".into();
        assert!(
            !state.admit(&moved),
            "pushed to the listing's next page by a new post, unchanged"
        );
        state.save().unwrap();

        let mut reloaded = State::load(&path).unwrap();
        assert!(!reloaded.admit(&record("Kokous.")));
        assert!(reloaded.admit(&record("Kokous siirtyi.")), "changed");
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 1);
        assert!(
            text.starts_with("{\"id\":\"38f5b403bf31b10d\",\"hash\":\""),
            "{text}"
        );
    }

    #[test]
    fn a_broken_state_file_names_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.jsonl");
        std::fs::write(&path, "{\"id\":\"a\",\"hash\":\"b\"}\nnot json\n").unwrap();
        let err = State::load(&path).unwrap_err().to_string();
        assert!(
            err.starts_with(&format!("{}: line 2: ", path.display())),
            "{err}"
        );
        assert!(err.ends_with("fix or delete the state file (deleting it makes the next run deliver everything again)"), "{err}");
    }
}
