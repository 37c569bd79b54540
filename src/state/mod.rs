//! What earlier runs already delivered, for harvests that want only what is new
//! or changed (`--state FILE`).
//!
//! The hash covers everything a record says about the meeting, not when, where
//! or from which capture it was read (`fetched_at`, `source_url`, `archive_url`,
//! `archived_at`): a meeting re-read unchanged from a newer capture, or found on
//! page 2 of its listing because a new post pushed it there, is not news.

mod legacy;

pub use legacy::State;

use sha2::{Digest, Sha256};

use crate::record::Record;

/// A hash of what the record says about its meeting.
fn content_hash(record: &Record) -> String {
    let mut content = record.clone();
    content.fetched_at = None;
    content.source_url = String::new();
    content.archive_url = None;
    content.archived_at = None;
    let digest = Sha256::digest(content.to_json_line());
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use crate::record::Record;

    pub(super) fn record(summary: &str) -> Record {
        serde_json::from_value(serde_json::json!({
            "id": "38f5b403bf31b10d", "organ": "Kuntajohtajakokous", "title": "Kuntajohtajakokous 10.5.2017",
            "meeting_date": "2017-05-10", "published_date": "2017-05-08", "summary": summary, "body": null,
            "category": "Muistiot", "documents": [], "detail_url": null, "comment_count": 0,
            "dates_mentioned": [], "source_url": "https://www.uusimaa2019.fi/kuntajohtajakokous/",
            "archive_url": null, "archived_at": null, "fetched_at": "2026-11-23T10:00:00Z",
            "profile": "uusimaa2019", "warnings": []
        }))
        .unwrap()
    }
}
