//! `harava state status`: per start URL, the last run and the last successful
//! one, for an alarm when a source has not been harvested for too long.
//!
//! A successful run is one whose outcome is `ok`. A run that finished with
//! failed pages (exit code 3) is not: a source whose pages fail every night is
//! exactly what the alarm is for. A run with several start URLs counts for each,
//! with the run's counts, which are not split by start URL.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};
use serde::Serialize;
use serde_json::Value;

use super::lock::{self, Holder};
use super::schema;
use super::schema::ForState;
use super::store::{Outcome, RunId, connect_read_only, is_legacy, parse_timestamp};
use crate::error::Error;

/// What the state at a path says about its runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Status {
    /// The run going now, if one is.
    pub running: Option<Holder>,
    /// One for each start URL that a run began with, sorted.
    pub sources: Vec<SourceStatus>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct SourceStatus {
    pub start: String,
    pub last_run: RunSummary,
    /// The last run whose outcome was `ok`.
    pub last_success: Option<RunSummary>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct RunSummary {
    pub run: RunId,
    pub pid: u32,
    pub started: DateTime<Utc>,
    pub ended: Option<DateTime<Utc>>,
    /// None while the run goes, or when it died.
    pub outcome: Option<Outcome>,
    /// Whether this is the run going now.
    pub running: bool,
    /// As the run stored them (`new`, `changed`, …), null when it did not end.
    pub counts: Value,
}

/// The counts the text table shows, in its order.
const SHOWN_COUNTS: [&str; 4] = ["new", "changed", "unchanged", "removed"];

/// Reads the status of the state at `path` without locking it, so it works
/// while a run goes.
pub(crate) fn status(path: &Path) -> Result<Status, Error> {
    let fail = |message: &str| Error::StateStore {
        path: path.display().to_string(),
        message: message.to_string(),
    };
    if !path.try_exists().map_err(|e| fail(&e.to_string()))? {
        return Err(fail(
            "does not exist: no run with this --state has made it yet (check the path)",
        ));
    }
    if is_legacy(path)? {
        return Err(fail(
            "is harava 0.2's state file, which records no runs; the next run with --state converts it",
        ));
    }
    let running = lock::holder(path)?;
    let conn = connect_read_only(path)?;
    if schema::version(&conn, path)? < schema::VERSION {
        return Err(fail(
            "was written by an older harava; the next run with --state brings it up to date",
        ));
    }
    type Row = (
        RunId,
        u32,
        String,
        Option<String>,
        Option<Outcome>,
        Option<String>,
        String,
    );
    let rows: Vec<Row> = conn
        .prepare("SELECT id, pid, started, ended, outcome, counts, starts FROM runs ORDER BY id")
        .and_then(|mut statement| {
            statement
                .query_map([], |row| {
                    Ok((
                        row.get(0)?,
                        row.get(1)?,
                        row.get(2)?,
                        row.get(3)?,
                        row.get(4)?,
                        row.get(5)?,
                        row.get(6)?,
                    ))
                })?
                .collect()
        })
        .for_state(path)?;
    let latest = rows.last().map(|row| row.0);
    let corrupt = |message: String| Error::State {
        path: path.display().to_string(),
        message,
    };
    let mut sources: BTreeMap<String, SourceStatus> = BTreeMap::new();
    for (run, pid, started, ended, outcome, counts, starts) in rows {
        let summary = RunSummary {
            run,
            pid,
            started: parse_timestamp(&started).map_err(corrupt)?,
            ended: ended
                .as_deref()
                .map(parse_timestamp)
                .transpose()
                .map_err(corrupt)?,
            outcome,
            running: ended.is_none()
                && Some(run) == latest
                && running
                    .as_ref()
                    .is_some_and(|holder| holder.pid == Some(pid)),
            counts: counts
                .as_deref()
                .map(serde_json::from_str)
                .transpose()
                .map_err(|e| corrupt(format!("the counts of run {run}: {e}")))?
                .unwrap_or(Value::Null),
        };
        let starts: Vec<String> = serde_json::from_str(&starts)
            .map_err(|e| corrupt(format!("the start URLs of run {run}: {e}")))?;
        for start in starts {
            let source = sources
                .entry(start.clone())
                .or_insert_with(|| SourceStatus {
                    start,
                    last_run: summary.clone(),
                    last_success: None,
                });
            source.last_run = summary.clone();
            if outcome == Some(Outcome::Ok) {
                source.last_success = Some(summary.clone());
            }
        }
    }
    Ok(Status {
        running,
        sources: sources.into_values().collect(),
    })
}

impl SourceStatus {
    /// How long ago the last successful run ended; None when none did.
    pub(crate) fn age(&self, now: DateTime<Utc>) -> Option<TimeDelta> {
        self.last_success
            .as_ref()
            .and_then(|run| run.ended)
            .map(|ended| now - ended)
    }
}

impl Status {
    /// The sources whose last successful run ended more than `max_age` before
    /// `now`, or that never had one.
    pub(crate) fn stale(&self, max_age: TimeDelta, now: DateTime<Utc>) -> Vec<&SourceStatus> {
        self.sources
            .iter()
            .filter(|source| source.age(now).is_none_or(|age| age > max_age))
            .collect()
    }

    /// The status as `--json` prints it: this structure, with each source's
    /// `age_seconds` (null when it never had a successful run).
    pub(crate) fn to_json(&self, now: DateTime<Utc>) -> Value {
        let mut json = serde_json::to_value(self).expect("statuses serialize");
        if let Some(Value::Array(sources)) = json.get_mut("sources") {
            for (json, source) in sources.iter_mut().zip(&self.sources) {
                json["age_seconds"] = source.age(now).map(|age| age.num_seconds()).into();
            }
        }
        json
    }

    /// The status as a table for people, one line per start URL, below a line
    /// that says whether a run is going.
    pub(crate) fn to_text(&self, now: DateTime<Utc>) -> String {
        let mut text = match &self.running {
            Some(holder) => format!("a run is going now ({holder})\n"),
            None => "no run is going now\n".to_string(),
        };
        if self.sources.is_empty() {
            text.push_str("no run has been recorded yet\n");
            return text;
        }
        let mut header = vec!["START".to_string(), "LAST SUCCESS".into(), "AGE".into()];
        header.extend(SHOWN_COUNTS.iter().map(|name| name.to_uppercase()));
        header.push("LAST RUN".into());
        let mut rows = vec![header];
        for source in &self.sources {
            let mut row = vec![source.start.clone()];
            match &source.last_success {
                Some(success) => {
                    row.push(success.ended.map(time).unwrap_or_default());
                    row.push(source.age(now).map(age).unwrap_or_default());
                    for name in SHOWN_COUNTS {
                        row.push(
                            success
                                .counts
                                .get(name)
                                .map(Value::to_string)
                                .unwrap_or_else(|| "-".into()),
                        );
                    }
                }
                None => {
                    row.push("never".into());
                    row.extend(std::iter::repeat_n("-".to_string(), 1 + SHOWN_COUNTS.len()));
                }
            }
            let last = &source.last_run;
            let how = match (last.outcome, last.running) {
                (Some(outcome), _) => outcome.as_str(),
                (None, true) => "running",
                (None, false) => "died",
            };
            row.push(format!(
                "run {} {how}, started {}",
                last.run,
                time(last.started)
            ));
            rows.push(row);
        }
        text.push_str(&table(&rows));
        text
    }
}

/// Aligns `rows` in columns: the counts (columns 3 to 6) to the right.
fn table(rows: &[Vec<String>]) -> String {
    let columns = rows[0].len();
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .map(|row| row[c].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let counts = 3..3 + SHOWN_COUNTS.len();
    let mut text = String::new();
    for row in rows {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(c, (cell, &width))| {
                if counts.contains(&c) {
                    format!("{cell:>width$}")
                } else {
                    format!("{cell:<width$}")
                }
            })
            .collect();
        text.push_str(cells.join("  ").trim_end());
        text.push('\n');
    }
    text
}

fn time(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// An age to the minute, in its two largest units: "3d 4h", "5h 12m", "42m".
fn age(age: TimeDelta) -> String {
    let minutes = age.num_minutes().max(0);
    let (days, hours, minutes) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
    if days > 0 {
        format!("{days}d {hours}h")
    } else if hours > 0 {
        format!("{hours}h {minutes}m")
    } else {
        format!("{minutes}m")
    }
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;
    use serde_json::json;

    use super::super::Store;
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn the_last_success_is_told_apart_from_a_newer_failed_run() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.db");
        let a = "https://a.fi/kokoukset/".to_string();
        let b = "https://b.fi/".to_string();
        let mut store = Store::open(&path).unwrap();
        let ok = store
            .begin_run(&[a.clone(), b.clone()], &json!({}))
            .unwrap()
            .run;
        let counts = json!({"new": 3, "changed": 1, "unchanged": 40, "removed": 0, "records": 44});
        store.end_run(ok, Outcome::Ok, &counts).unwrap();
        let failed = store
            .begin_run(std::slice::from_ref(&a), &json!({}))
            .unwrap()
            .run;
        store
            .end_run(failed, Outcome::FailedPages, &json!({"new": 0}))
            .unwrap();
        drop(store);
        Connection::open(&path)
            .unwrap()
            .execute_batch(
                "UPDATE runs SET started = '2026-11-26T07:00:00Z', ended = '2026-11-26T07:05:00Z' WHERE id = 1;
                 UPDATE runs SET started = '2026-11-29T07:00:00Z', ended = '2026-11-29T07:01:00Z' WHERE id = 2;",
            )
            .unwrap();

        let status = status(&path).unwrap();
        assert_eq!(status.running, None);
        let starts: Vec<&str> = status.sources.iter().map(|s| s.start.as_str()).collect();
        assert_eq!(starts, [a.as_str(), b.as_str()]);
        let source = &status.sources[0];
        assert_eq!(source.last_run.run, failed);
        assert_eq!(source.last_run.outcome, Some(Outcome::FailedPages));
        let success = source.last_success.as_ref().unwrap();
        assert_eq!(success.run, ok);
        assert_eq!(success.counts, counts);
        assert_eq!(status.sources[1].last_run.run, ok);

        let now = at("2026-11-29T09:05:00Z");
        assert_eq!(
            source.age(now),
            Some(TimeDelta::days(3) + TimeDelta::hours(2))
        );
        let stale: Vec<&str> = status
            .stale(TimeDelta::days(3), now)
            .iter()
            .map(|s| s.start.as_str())
            .collect();
        assert_eq!(stale, [a.as_str(), b.as_str()]);
        assert!(status.stale(TimeDelta::days(4), now).is_empty());

        let text = status.to_text(now);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "no run is going now");
        assert_eq!(
            lines[1],
            "START                    LAST SUCCESS          AGE    NEW  CHANGED  UNCHANGED  REMOVED  LAST RUN"
        );
        assert_eq!(
            lines[2],
            "https://a.fi/kokoukset/  2026-11-26T07:05:00Z  3d 2h    3        1         40        0  run 2 failed_pages, started 2026-11-29T07:00:00Z"
        );
        assert_eq!(lines.len(), 4);

        let json = status.to_json(now);
        assert_eq!(json["running"], Value::Null);
        assert_eq!(json["sources"][0]["age_seconds"], 3 * 86400 + 7200);
        assert_eq!(json["sources"][0]["last_run"]["outcome"], "failed_pages");
        assert_eq!(
            json["sources"][0]["last_success"]["counts"]["unchanged"],
            40
        );
        assert_eq!(
            json["sources"][0]["last_success"]["ended"],
            "2026-11-26T07:05:00Z"
        );
    }

    #[test]
    fn a_run_going_now_is_seen_without_disturbing_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.db");
        let mut store = Store::open(&path).unwrap();
        let start = "https://a.fi/".to_string();
        let died = store
            .begin_run(std::slice::from_ref(&start), &json!({}))
            .unwrap()
            .run;
        drop(store);
        let status = super::status(&path).unwrap();
        assert_eq!(status.running, None);
        assert_eq!(
            (
                status.sources[0].last_run.run,
                status.sources[0].last_run.running
            ),
            (died, false)
        );
        assert!(
            status
                .to_text(Utc::now())
                .contains(&format!("run {died} died, started ")),
            "{}",
            status.to_text(Utc::now())
        );

        let mut store = Store::open(&path).unwrap();
        let going = store
            .begin_run(std::slice::from_ref(&start), &json!({"x": 1}))
            .unwrap()
            .run;
        let status = super::status(&path).unwrap();
        let holder = status.running.as_ref().unwrap();
        assert_eq!(holder.pid, Some(std::process::id()));
        let source = &status.sources[0];
        assert_eq!(
            (source.last_run.run, source.last_run.running),
            (going, true)
        );
        assert_eq!(source.last_success, None);
        let text = status.to_text(Utc::now());
        let going_now = format!("a run is going now (pid {}, started ", std::process::id());
        assert!(text.starts_with(&going_now), "{text}");
        assert!(text.contains("never"), "{text}");
        assert!(
            text.contains(&format!("run {going} running, started ")),
            "{text}"
        );
        assert_eq!(
            status.stale(TimeDelta::days(1), Utc::now()).len(),
            1,
            "never succeeded"
        );

        // The probe left the lock alone: the run goes on and ends.
        store.end_run(going, Outcome::Ok, &json!({})).unwrap();
        drop(store);
        let status = super::status(&path).unwrap();
        assert_eq!(status.running, None);
        assert_eq!(status.sources[0].last_success.as_ref().unwrap().run, going);
    }

    #[test]
    fn a_missing_or_old_state_has_no_status() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state");
        let err = status(&path).unwrap_err().to_string();
        assert!(err.contains("does not exist"), "{err}");
        std::fs::write(&path, "{\"id\":\"a\",\"hash\":\"b\"}\n").unwrap();
        let err = status(&path).unwrap_err().to_string();
        assert!(
            err.contains("the next run with --state converts it"),
            "{err}"
        );
    }
}
