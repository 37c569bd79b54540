//! The database's tables, versioned by `PRAGMA user_version` and migrated
//! forward: a script per version, applied in order in one transaction, so a
//! database is always wholly at one version. A new version appends a script;
//! one that was released is never edited.

use std::path::Path;

use rusqlite::{Connection, TransactionBehavior};

use crate::error::Error;

pub(super) const MIGRATIONS: [&str; 2] = [
    // 1: the first database, replacing harava 0.2's JSON Lines file.
    r"
CREATE TABLE runs (
    id       INTEGER PRIMARY KEY,
    started  TEXT NOT NULL,
    ended    TEXT,
    pid      INTEGER NOT NULL,
    starts   TEXT NOT NULL,
    options  TEXT NOT NULL,
    outcome  TEXT CHECK (outcome IN ('ok', 'failed_pages', 'error', 'interrupted')),
    counts   TEXT,
    resumes  INTEGER REFERENCES runs (id)
);

CREATE TABLE meetings (
    id              TEXT PRIMARY KEY,
    hash            TEXT NOT NULL,
    entry_hash      TEXT,
    listing         TEXT,
    first_seen_run  INTEGER REFERENCES runs (id),
    last_seen_run   INTEGER REFERENCES runs (id),
    removed_run     INTEGER REFERENCES runs (id),
    first_seen      TEXT NOT NULL,
    last_seen       TEXT NOT NULL
);
CREATE INDEX meetings_by_listing ON meetings (listing);

CREATE TABLE versions (
    id       INTEGER PRIMARY KEY,
    meeting  TEXT NOT NULL REFERENCES meetings (id),
    run      INTEGER NOT NULL REFERENCES runs (id),
    hash     TEXT NOT NULL,
    content  TEXT NOT NULL,
    created  TEXT NOT NULL
);
CREATE INDEX versions_by_meeting ON versions (meeting, id);

CREATE TABLE urls (
    url            TEXT PRIMARY KEY,
    status         INTEGER NOT NULL,
    etag           TEXT,
    last_modified  TEXT,
    content_type   TEXT,
    final_url      TEXT,
    fetched_run    INTEGER NOT NULL REFERENCES runs (id),
    fetched_at     TEXT NOT NULL,
    body           BLOB NOT NULL,
    body_sha256    TEXT NOT NULL
);

CREATE TABLE deliveries (
    run      INTEGER NOT NULL REFERENCES runs (id),
    meeting  TEXT NOT NULL REFERENCES meetings (id),
    change   TEXT NOT NULL CHECK (change IN ('new', 'changed', 'unchanged', 'removed')),
    PRIMARY KEY (run, meeting)
) WITHOUT ROWID;

CREATE TABLE outputs (
    run    INTEGER NOT NULL REFERENCES runs (id),
    path   TEXT NOT NULL,
    bytes  INTEGER NOT NULL,
    PRIMARY KEY (run, path)
) WITHOUT ROWID;
",
    // 2 (harava 0.5.0): a run whose records output started over.
    r"
ALTER TABLE runs ADD COLUMN output_restarted INTEGER NOT NULL DEFAULT 0;
",
];

/// The schema version this harava writes.
pub(super) const VERSION: i64 = MIGRATIONS.len() as i64;

/// Marks the file as harava's in its header (`file` and `PRAGMA application_id`
/// show it), so that `--state` pointed at another program's database is refused
/// rather than filled with tables. "harv" in ASCII.
const APPLICATION_ID: i64 = 0x6861_7276;

/// Brings the database at `path` to [`VERSION`]; a new, empty one gets every table.
pub(super) fn migrate(conn: &mut Connection, path: &Path) -> Result<(), Error> {
    let found = version(conn, path)?;
    if found == VERSION {
        return Ok(());
    }
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .for_state(path)?;
    for script in &MIGRATIONS[usize::try_from(found).expect("versions are not negative")..] {
        tx.execute_batch(script).for_state(path)?;
    }
    tx.pragma_update(None, "application_id", APPLICATION_ID)
        .for_state(path)?;
    tx.pragma_update(None, "user_version", VERSION)
        .for_state(path)?;
    tx.commit().for_state(path)?;
    if found > 0 {
        tracing::info!(path = %path.display(), from = found, to = VERSION, "migrated the state database");
    }
    Ok(())
}

/// The schema version of the harava database at `path`: 0 for an empty one.
/// Another program's database, or one of a newer harava, is an error.
pub(super) fn version(conn: &Connection, path: &Path) -> Result<i64, Error> {
    let found: i64 = conn
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .for_state(path)?;
    let application_id: i64 = conn
        .pragma_query_value(None, "application_id", |row| row.get(0))
        .for_state(path)?;
    let tables: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_schema", [], |row| row.get(0))
        .for_state(path)?;
    let empty = found == 0 && application_id == 0 && tables == 0;
    if application_id != APPLICATION_ID && !empty {
        return Err(Error::StateStore {
            path: path.display().to_string(),
            message: "is a SQLite database of another program, not harava's state; give --state a new file or one harava wrote".into(),
        });
    }
    if found > VERSION {
        return Err(Error::StateTooNew {
            path: path.display().to_string(),
            found,
            known: VERSION,
        });
    }
    Ok(found)
}

/// Maps SQLite's errors to the crate's, naming the state file.
pub(super) trait ForState<T> {
    fn for_state(self, path: &Path) -> Result<T, Error>;
}

impl<T> ForState<T> for rusqlite::Result<T> {
    fn for_state(self, path: &Path) -> Result<T, Error> {
        self.map_err(|e| Error::StateStore {
            path: path.display().to_string(),
            message: e.to_string(),
        })
    }
}
