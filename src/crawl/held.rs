//! The records an archive crawl holds until its end.
//!
//! The same meeting can come from several captures and the newest must win, so
//! no record of an archive crawl can go out before the last listing is read. What
//! is held is kept small: per meeting id, only the winning entry (the listing's
//! text of it) and a shared reference to its detail page's outcome, which the
//! crawl's table of detail pages holds anyway. The record, with its own copy of
//! the body, is built only when it is written, one at a time. So each text is
//! held once (not once in the record and again in the detail table), an entry
//! beaten by a newer capture is let go at once, and memory grows with the
//! meetings and detail pages of the site, not with the captures crawled.

use std::collections::HashMap;
use std::sync::Arc;

use crate::extract::Entry;
use crate::page::Page;
use crate::record::Record;

use super::{DetailOutcome, record};

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
    pub fn keep_newest(&mut self, held: HeldEntry) {
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

    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// The records, built one at a time as they are taken.
    pub fn into_records(self) -> impl Iterator<Item = Record> {
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
