//! The records an archive crawl holds until its end.
//!
//! The same meeting can come from several captures and the newest must win, so
//! no record of an archive crawl can go out before the last listing is read. What
//! is held is kept small: per meeting id, only the winning entry (the listing's
//! text of it) and a shared reference to its detail page's outcome, which the
//! crawl's [`tracker`](super::tracker) keeps anyway. The record, with its own
//! copy of the body, is built only when it is written, one at a time. So each
//! text is held once (not once in the record and again in the tracker), an entry
//! beaten by a newer capture is let go at once, and memory grows with the
//! meetings and detail pages of the site, not with the captures crawled.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::extract::Entry;
use crate::page::Page;
use crate::record::Record;

use super::{DetailOutcome, record};

/// Where a crawl's records go.
pub(super) enum Records {
    /// A live crawl's go out as soon as they are complete, each id once: by
    /// these ids, the ones written.
    Written(HashSet<String>),
    /// An archive crawl's wait for its end.
    Held(Held),
}

/// An entry waiting to become a record.
pub(super) struct HeldEntry {
    pub entry: Entry,
    pub listing: Arc<Page>,
    pub outcome: Option<Arc<DetailOutcome>>,
    pub profile: String,
    pub warning: Option<String>,
}

impl HeldEntry {
    fn archived_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.listing.archive.as_ref().and_then(|a| a.archived_at)
    }
}

/// Each meeting once, from its newest capture, in the order meetings were first
/// seen.
#[derive(Default)]
pub(super) struct Held {
    order: Vec<String>,
    by_id: HashMap<String, HeldEntry>,
}

impl Held {
    pub(super) fn keep_newest(&mut self, held: HeldEntry) {
        let id = Record::id_of(&held.entry, &held.listing);
        match self.by_id.get_mut(&id) {
            Some(kept) => {
                if held.archived_at() > kept.archived_at() {
                    *kept = held;
                }
            }
            None => {
                self.order.push(id.clone());
                self.by_id.insert(id, held);
            }
        }
    }

    pub(super) fn len(&self) -> usize {
        self.order.len()
    }

    /// The records, built one at a time as they are taken.
    pub(super) fn into_records(self) -> impl Iterator<Item = Record> {
        let Held { order, mut by_id } = self;
        order.into_iter().filter_map(move |id| {
            let held = by_id.remove(&id)?;
            Some(record(
                held.entry,
                &held.listing,
                held.outcome.as_deref(),
                &held.profile,
                held.warning,
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::archive::wayback::Capture;
    use crate::extract::DetailPage;
    use crate::page::{ArchiveMode, Archived, Link};
    use url::Url;

    fn listing_at(timestamp: &str) -> Arc<Page> {
        let capture_url = Url::parse(&format!(
            "http://127.0.0.1:9/web/{timestamp}id_/https://www.kunta.fi/kokoukset/"
        ))
        .unwrap();
        let capture = Capture::parse(&capture_url).unwrap();
        Arc::new(Page {
            url: capture.original.clone(),
            fetch_url: capture_url.clone(),
            html: String::new(),
            fetched_at: None,
            archive: Some(Archived {
                archived_at: capture.archived_at(),
                capture_url,
                capture,
                mode: ArchiveMode::Raw,
            }),
            warnings: Vec::new(),
            base: None,
        })
    }

    fn entry(summary: &str) -> Entry {
        let detail = Url::parse("https://www.kunta.fi/kokoukset/1/").unwrap();
        Entry {
            organ: None,
            title: Some("Hallitus 1.2.2019".into()),
            published_date: None,
            meeting_date: None,
            meeting_time: None,
            document_type: None,
            category: None,
            summary: Some(summary.into()),
            documents: Vec::new(),
            detail: Some(Link {
                original: detail.clone(),
                fetch: detail,
            }),
            comment_count: None,
            system_id: None,
            warnings: Vec::new(),
        }
    }

    fn body(text: &str) -> Arc<DetailOutcome> {
        Arc::new(DetailOutcome::Read(DetailPage {
            body: Some(text.into()),
            ..DetailPage::default()
        }))
    }

    fn held(summary: &str, timestamp: &str, outcome: &Arc<DetailOutcome>) -> HeldEntry {
        HeldEntry {
            entry: entry(summary),
            listing: listing_at(timestamp),
            outcome: Some(outcome.clone()),
            profile: "t".into(),
            warning: None,
        }
    }

    /// The newest capture wins whatever the order, the body is shared with the
    /// tracker rather than copied, and an entry beaten by a newer capture
    /// lets go of its detail page at once.
    #[test]
    fn each_meeting_is_held_once_from_its_newest_capture_sharing_its_body() {
        let old_body = body("Vanha.");
        let new_body = body("Uusi.");
        for newest_first in [false, true] {
            let mut kept = Held::default();
            let (first, second) = if newest_first {
                (
                    held("uusi", "20190301000000", &new_body),
                    held("vanha", "20190101000000", &old_body),
                )
            } else {
                (
                    held("vanha", "20190101000000", &old_body),
                    held("uusi", "20190301000000", &new_body),
                )
            };
            kept.keep_newest(first);
            kept.keep_newest(second);
            assert_eq!(kept.len(), 1);
            // Held once by the tracker (here), once by the held entry.
            assert_eq!(Arc::strong_count(&new_body), 2, "{newest_first}");
            assert_eq!(Arc::strong_count(&old_body), 1, "{newest_first}");
            let records: Vec<Record> = kept.into_records().collect();
            assert_eq!(records.len(), 1);
            assert_eq!(records[0].summary.as_deref(), Some("uusi"));
            assert_eq!(records[0].body.as_deref(), Some("Uusi."));
            assert_eq!(Arc::strong_count(&new_body), 1);
        }
    }
}
