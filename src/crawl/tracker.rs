//! Every URL a crawl has met, each in one explicit state, with the entries
//! waiting for a detail page hanging off that page.
//!
//! A URL is met when it is queued (a start page, an "older posts" link, an
//! entry's detail page, a capture CDX discovery listed) or when a fetch is
//! redirected to it, and it is known from then on by its
//! [`dedup`](crate::url_key::dedup) key, so no page is fetched twice. Its states:
//!
//! - **Queued**, then **InFlight** once taken from the queue: being fetched and
//!   read. Entries linking it as their detail page wait on it.
//! - **Undecided**: a discovered capture read both as a listing and as a
//!   detail page, until a link says which it is (an entry linking it: a detail
//!   page; an "older posts" link: a listing), or the crawl runs out of links.
//!   Taking its readings back to decide puts it in flight again.
//! - **Listing**: read as a listing. It is not a detail page, so an entry that
//!   names it as one waits until the crawl ends, and goes out without a body.
//! - **Kept** / **Released**: settled as a detail page (read, or failed and
//!   why), with its outcome kept for entries still to come, or let go once the
//!   entries that waited for it are written. A live crawl lets go, so that its
//!   memory stays flat as the site grows; an archive crawl keeps every outcome,
//!   since a newer capture's entry of the same meeting may still come, and it
//!   must win.
//! - **Alias**: answered by another page, whose state it shares: the target an
//!   HTTP redirect reached (an alias of the page fetched) and a capture the
//!   archive replayed as a redirect (an alias of the redirect's target). Every
//!   question about an alias is answered by the page at the end of its edges,
//!   so however long a chain of redirects, all its URLs settle as one page.
//!
//! Each transition is a method, and a page found in a state a transition does
//! not start from is a bug in the crawl, refused in one place ([`refused`]).

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::sync::Arc;

use super::{DetailOutcome, Task};

/// The crawl's URLs by key. `W` is an entry waiting for a detail page, `U` a
/// page's two readings, kept while it is undecided.
pub(super) struct Tracker<W, U> {
    pages: HashMap<String, State<W, U>>,
    /// The queued pages, in the order they are fetched.
    queue: VecDeque<Task>,
    /// The undecided pages' keys, in the order they are decided when no link
    /// decides them (so that a crawl's output does not depend on hashing).
    undecided: BTreeSet<String>,
    /// Whether settled pages keep their outcome even once their entries are
    /// written (archive crawls).
    keep_outcomes: bool,
}

enum State<W, U> {
    Queued(Pending<W>),
    InFlight(Pending<W>),
    Undecided {
        /// Boxed, since a page's readings are large and every other state is
        /// small: inline, they would size every URL's entry.
        readings: Box<U>,
        keep_outcome: bool,
    },
    Listing(Vec<W>),
    Alias {
        to: String,
    },
    Kept(Arc<DetailOutcome>),
    Released,
}

/// What is known of a page that is still to be read.
struct Pending<W> {
    /// Entries whose detail page this is.
    waiting: Vec<W>,
    /// An "older posts" link points here: if it is read both ways, it is a
    /// listing, whatever else it looks like.
    linked_as_listing: bool,
    /// A URL of another meeting redirected here: an entry linking that URL
    /// later needs this page's outcome, so even a live crawl keeps it.
    keep_outcome: bool,
}

impl<W> Default for Pending<W> {
    fn default() -> Pending<W> {
        Pending {
            waiting: Vec::new(),
            linked_as_listing: false,
            keep_outcome: false,
        }
    }
}

/// Entries to write now, with what became of their detail page.
pub(super) struct Settled<W> {
    pub waiting: Vec<W>,
    pub outcome: Arc<DetailOutcome>,
}

/// What became of entries hung on a detail page.
pub(super) enum Hung<W, U> {
    /// The page is still to be read (queued now if it was new); they wait.
    Waiting,
    /// The page was read: write them with its outcome.
    Settled(Settled<W>),
    /// The page was read and let go once the entries that waited for it were
    /// written.
    LetGo(Vec<W>),
    /// The page had been read both ways, and an entry linking it makes it a
    /// detail page: settle it with this reading, which writes them.
    ReadAsDetail(U),
}

/// What an "older posts" link to a page does.
pub(super) enum OlderPosts<U> {
    Queued,
    /// The page was met already; nothing to fetch.
    Met,
    /// The page had been read both ways, and the link makes it a listing:
    /// read it as one.
    ReadAsListing(U),
}

/// How a page read both ways is to be taken.
pub(super) enum Reading<U> {
    /// Entries wait for it: a detail page.
    AsDetail(U),
    /// An "older posts" link pointed at it: a listing.
    AsListing(U),
    /// Nothing has linked to it yet; it waits for a link or the crawl's end.
    Undecided,
}

impl<W, U> Tracker<W, U> {
    /// A tracker for a live crawl (`keep_outcomes` false) or an archive crawl.
    pub(super) fn new(keep_outcomes: bool) -> Tracker<W, U> {
        Tracker {
            pages: HashMap::new(),
            queue: VecDeque::new(),
            undecided: BTreeSet::new(),
            keep_outcomes,
        }
    }

    /// Queues a page unless it was met already; says whether it was queued.
    pub(super) fn queue(&mut self, task: Task) -> bool {
        if self.pages.contains_key(&task.key) {
            return false;
        }
        self.queue_new(task, Pending::default());
        true
    }

    fn queue_new(&mut self, task: Task, pending: Pending<W>) {
        self.pages.insert(task.key.clone(), State::Queued(pending));
        self.queue.push_back(task);
    }

    /// The next queued page, now in flight.
    pub(super) fn next(&mut self) -> Option<Task> {
        let task = self.queue.pop_front()?;
        let pending = match self.pages.remove(&task.key) {
            Some(State::Queued(pending)) => pending,
            other => refused("fetch", &task.key, other.as_ref()),
        };
        self.pages
            .insert(task.key.clone(), State::InFlight(pending));
        Some(task)
    }

    /// Hangs an entry on its detail page, `task`, queued if it is new.
    pub(super) fn wait_for(&mut self, task: Task, waiter: W) -> Hung<W, U> {
        match self.root_of(&task.key) {
            Some(root) => {
                let root = root.to_string();
                self.hang(&root, vec![waiter])
            }
            None => {
                let pending = Pending {
                    waiting: vec![waiter],
                    ..Pending::default()
                };
                self.queue_new(task, pending);
                Hung::Waiting
            }
        }
    }

    /// An "older posts" link to `task`: queued if it is new.
    pub(super) fn older_posts(&mut self, task: Task) -> OlderPosts<U> {
        let Some(root) = self.root_of(&task.key) else {
            self.queue_new(task, Pending::default());
            return OlderPosts::Queued;
        };
        let root = root.to_string();
        match self.pages.get_mut(&root) {
            Some(State::Undecided { .. }) => {
                let (readings, pending) = self.take_undecided_at(&root);
                self.pages.insert(root, State::InFlight(pending));
                OlderPosts::ReadAsListing(readings)
            }
            Some(State::Queued(pending) | State::InFlight(pending)) => {
                pending.linked_as_listing = true;
                OlderPosts::Met
            }
            _ => OlderPosts::Met,
        }
    }

    /// The page in flight under `from` was answered from `target` (an HTTP
    /// redirect): if `target` is new, it becomes an alias of `from`, so that an
    /// entry linking it gets `from`'s outcome. `same_meeting` says an entry
    /// linking `target` would be the same meeting as one linking `from` (the
    /// same record id), so a live crawl need not keep the outcome for it.
    /// Says whether `target` was new.
    pub(super) fn redirected(&mut self, from: &str, target: String, same_meeting: bool) -> bool {
        if self.pages.contains_key(&target) {
            return false;
        }
        if !same_meeting {
            self.in_flight(from).keep_outcome = true;
        }
        self.pages.insert(
            target,
            State::Alias {
                to: from.to_string(),
            },
        );
        true
    }

    /// The page in flight under `from` was an archive's replay of a redirect
    /// to `target`: it becomes an alias of `target`, and the entries waiting
    /// for it are hung on `target`, which is queued if it is new (and then
    /// takes on all that was known of `from`). `None` when `target` leads back
    /// to `from`: the page is left in flight, to be settled as unreadable.
    pub(super) fn replayed(&mut self, from: &str, target: Task) -> Option<Hung<W, U>> {
        let root = match self.root_of(&target.key) {
            Some(root) if root == from => return None,
            root => root.map(str::to_string),
        };
        let pending = self.take_in_flight(from);
        self.pages.insert(
            from.to_string(),
            State::Alias {
                to: target.key.clone(),
            },
        );
        Some(match root {
            Some(root) => self.hang(&root, pending.waiting),
            None => {
                self.queue_new(target, pending);
                Hung::Waiting
            }
        })
    }

    /// Takes the page in flight under `key` as read both ways.
    pub(super) fn read_both_ways(&mut self, key: &str, readings: U) -> Reading<U> {
        let pending = self.in_flight(key);
        if !pending.waiting.is_empty() {
            return Reading::AsDetail(readings);
        }
        if pending.linked_as_listing {
            return Reading::AsListing(readings);
        }
        let keep_outcome = pending.keep_outcome;
        self.pages.insert(
            key.to_string(),
            State::Undecided {
                readings: Box::new(readings),
                keep_outcome,
            },
        );
        self.undecided.insert(key.to_string());
        Reading::Undecided
    }

    pub(super) fn has_undecided(&self) -> bool {
        !self.undecided.is_empty()
    }

    /// The undecided pages' readings, in key order, the pages in flight again,
    /// for the crawl to decide by their own links.
    pub(super) fn take_undecided(&mut self) -> Vec<U> {
        std::mem::take(&mut self.undecided)
            .into_iter()
            .map(|key| {
                let (readings, pending) = self.take_undecided_at(&key);
                self.pages.insert(key, State::InFlight(pending));
                readings
            })
            .collect()
    }

    /// The page in flight under `key` was read as a listing.
    pub(super) fn read_as_listing(&mut self, key: &str) {
        let pending = self.take_in_flight(key);
        self.pages
            .insert(key.to_string(), State::Listing(pending.waiting));
    }

    /// Settles the page in flight under `key` as a detail page with `outcome`:
    /// the entries that waited for it are to be written with it.
    pub(super) fn settle(&mut self, key: &str, outcome: DetailOutcome) -> Settled<W> {
        let pending = self.take_in_flight(key);
        let outcome = Arc::new(outcome);
        let state = if self.keep_outcomes || pending.keep_outcome || pending.waiting.is_empty() {
            // No entry has asked for it yet (a detail page given or discovered
            // as a start page), or one still may.
            State::Kept(outcome.clone())
        } else {
            State::Released
        };
        self.pages.insert(key.to_string(), state);
        Settled {
            waiting: pending.waiting,
            outcome,
        }
    }

    /// The entries still waiting when the crawl ends: their detail pages will
    /// not be read.
    pub(super) fn abandon(&mut self) -> Vec<W> {
        let mut abandoned = Vec::new();
        for state in self.pages.values_mut() {
            match state {
                State::Queued(pending) | State::InFlight(pending) => {
                    abandoned.append(&mut pending.waiting);
                }
                State::Listing(waiting) => abandoned.append(waiting),
                _ => {}
            }
        }
        abandoned
    }

    /// The key of the page that answers for `key`, past any aliases; `None`
    /// for a URL never met. Aliases never form a loop: a redirect target
    /// becomes an alias only when it is new, and a replayed redirect only when
    /// its target does not lead back.
    fn root_of<'a>(&'a self, key: &'a str) -> Option<&'a str> {
        let mut key = key;
        loop {
            match self.pages.get(key)? {
                State::Alias { to } => key = to,
                _ => return Some(key),
            }
        }
    }

    /// Hangs `waiting` on the page under `root`, which is no alias.
    fn hang(&mut self, root: &str, waiting: Vec<W>) -> Hung<W, U> {
        match self.pages.get_mut(root) {
            Some(State::Queued(pending) | State::InFlight(pending)) => {
                pending.waiting.extend(waiting);
                Hung::Waiting
            }
            Some(State::Listing(waiters)) => {
                waiters.extend(waiting);
                Hung::Waiting
            }
            Some(State::Undecided { .. }) if !waiting.is_empty() => {
                let (readings, mut pending) = self.take_undecided_at(root);
                pending.waiting = waiting;
                self.pages
                    .insert(root.to_string(), State::InFlight(pending));
                Hung::ReadAsDetail(readings)
            }
            Some(State::Undecided { .. }) => Hung::Waiting,
            Some(State::Kept(outcome)) => Hung::Settled(Settled {
                waiting,
                outcome: outcome.clone(),
            }),
            Some(State::Released) => Hung::LetGo(waiting),
            other => refused("hang entries on", root, other.map(|state| &*state)),
        }
    }

    fn take_undecided_at(&mut self, key: &str) -> (U, Pending<W>) {
        self.undecided.remove(key);
        match self.pages.remove(key) {
            Some(State::Undecided {
                readings,
                keep_outcome,
            }) => (
                *readings,
                Pending {
                    keep_outcome,
                    ..Pending::default()
                },
            ),
            other => refused("decide", key, other.as_ref()),
        }
    }

    fn in_flight(&mut self, key: &str) -> &mut Pending<W> {
        match self.pages.get_mut(key) {
            Some(State::InFlight(pending)) => pending,
            other => refused("read", key, other.map(|state| &*state)),
        }
    }

    /// Takes what is pending of the page in flight under `key`, for the
    /// transition out of flight to put its next state in place.
    fn take_in_flight(&mut self, key: &str) -> Pending<W> {
        match self.pages.remove(key) {
            Some(State::InFlight(pending)) => pending,
            other => refused("end the flight of", key, other.as_ref()),
        }
    }
}

/// Stops the crawl at a transition from a state it does not start from (a
/// page fetched twice, settled twice, decided twice): a bug in the crawl,
/// stopped before it writes an entry twice or loses one.
#[track_caller]
fn refused<W, U>(transition: &str, key: &str, state: Option<&State<W, U>>) -> ! {
    let state = match state {
        None => "never met",
        Some(State::Queued(_)) => "queued",
        Some(State::InFlight(_)) => "in flight",
        Some(State::Undecided { .. }) => "undecided",
        Some(State::Listing(_)) => "read as a listing",
        Some(State::Alias { .. }) => "an alias",
        Some(State::Kept(_)) => "settled (kept)",
        Some(State::Released) => "settled (let go)",
    };
    unreachable!("the crawl tried to {transition} {key}, which is {state}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crawl::Role;
    use crate::extract::DetailPage;
    use url::Url;

    /// Entries and readings by name.
    type T = Tracker<&'static str, &'static str>;

    fn page(key: &str) -> Task {
        Task {
            url: Url::parse(&format!("https://x.fi/{key}/")).unwrap(),
            role: Role::Detail,
            key: key.to_string(),
            form: None,
        }
    }

    fn body(text: &str) -> DetailOutcome {
        DetailOutcome::Read(DetailPage {
            body: Some(text.into()),
            ..DetailPage::default()
        })
    }

    fn body_of(outcome: &DetailOutcome) -> &str {
        match outcome {
            DetailOutcome::Read(detail) => detail.body.as_deref().unwrap(),
            DetailOutcome::Missing(why) => why,
        }
    }

    /// Fetches the next queued page, which must be `key`.
    fn fetch(tracker: &mut T, key: &str) {
        assert_eq!(tracker.next().map(|t| t.key).as_deref(), Some(key));
    }

    fn settled(hung: Hung<&'static str, &'static str>) -> (Vec<&'static str>, String) {
        match hung {
            Hung::Settled(Settled { waiting, outcome }) => (waiting, body_of(&outcome).into()),
            _ => panic!("not settled"),
        }
    }

    fn waits(hung: &Hung<&'static str, &'static str>) -> bool {
        matches!(hung, Hung::Waiting)
    }

    #[test]
    fn a_page_is_queued_once_and_fetched_in_order() {
        let mut tracker = T::new(false);
        assert!(tracker.queue(page("a")));
        assert!(tracker.queue(page("b")));
        assert!(!tracker.queue(page("a")));
        fetch(&mut tracker, "a");
        assert!(!tracker.queue(page("a")), "in flight");
        fetch(&mut tracker, "b");
        assert!(tracker.next().is_none());
        tracker.settle("a", body("A"));
        assert!(!tracker.queue(page("a")), "settled");
    }

    #[test]
    fn entries_waiting_for_a_detail_page_are_written_when_it_settles() {
        let mut tracker = T::new(false);
        assert!(waits(&tracker.wait_for(page("d"), "first")));
        assert!(waits(&tracker.wait_for(page("d"), "second")));
        fetch(&mut tracker, "d");
        assert!(tracker.next().is_none(), "queued once");
        assert!(waits(&tracker.wait_for(page("d"), "while in flight")));
        let Settled { waiting, outcome } = tracker.settle("d", body("D"));
        assert_eq!(waiting, ["first", "second", "while in flight"]);
        assert_eq!(body_of(&outcome), "D");
    }

    /// A live crawl lets a body go once its entries are written: an entry
    /// linking the page later is the same meeting, written already.
    #[test]
    fn a_live_crawl_lets_a_body_go_once_its_entries_are_written() {
        let mut tracker = T::new(false);
        tracker.wait_for(page("d"), "first");
        fetch(&mut tracker, "d");
        let settled = tracker.settle("d", body("D"));
        assert_eq!(Arc::strong_count(&settled.outcome), 1, "not kept");
        assert!(matches!(
            tracker.wait_for(page("d"), "later"),
            Hung::LetGo(waiting) if waiting == ["later"]
        ));
    }

    /// A detail page read before any entry asked for it (a start page) keeps
    /// its outcome for the entries to come.
    #[test]
    fn a_detail_page_settled_before_any_entry_asked_keeps_its_outcome() {
        let mut tracker = T::new(false);
        tracker.queue(page("d"));
        fetch(&mut tracker, "d");
        assert!(tracker.settle("d", body("D")).waiting.is_empty());
        assert_eq!(
            settled(tracker.wait_for(page("d"), "later")),
            (vec!["later"], "D".into())
        );
    }

    /// The same meeting comes from several captures of an archive's listings,
    /// and the newest must win; an archive crawl keeps every outcome, so that
    /// an entry of a newer capture that links a detail page read already is
    /// written (and held) all the same.
    #[test]
    fn an_archive_crawl_keeps_outcomes_so_a_newer_capture_of_a_meeting_can_win() {
        let mut tracker = T::new(true);
        tracker.wait_for(page("d"), "from the 2019 listing");
        fetch(&mut tracker, "d");
        let first = tracker.settle("d", body("D"));
        assert_eq!(first.waiting, ["from the 2019 listing"]);
        assert_eq!(Arc::strong_count(&first.outcome), 2, "kept");
        assert_eq!(
            settled(tracker.wait_for(page("d"), "from the 2020 listing")),
            (vec!["from the 2020 listing"], "D".into())
        );
    }

    #[test]
    fn a_detail_page_that_fails_writes_its_waiting_entries_with_why() {
        let mut tracker = T::new(false);
        tracker.wait_for(page("d"), "first");
        fetch(&mut tracker, "d");
        let failed = tracker.settle("d", DetailOutcome::Missing("404".into()));
        assert_eq!(failed.waiting, ["first"]);
        assert_eq!(body_of(&failed.outcome), "404");
        assert!(matches!(
            tracker.wait_for(page("d"), "later"),
            Hung::LetGo(_)
        ));
    }

    /// `a` redirects to `b`, the page of another meeting: an entry linking `b`
    /// gets `a`'s body, before or after `a` settles, even in a live crawl, and
    /// `b` is never fetched.
    #[test]
    fn a_redirect_target_shares_the_outcome_of_the_page_that_reached_it() {
        let mut tracker = T::new(false);
        tracker.wait_for(page("a"), "links a");
        fetch(&mut tracker, "a");
        assert!(tracker.redirected("a", "b".into(), false));
        assert!(waits(&tracker.wait_for(page("b"), "links b early")));
        assert!(tracker.next().is_none(), "b is not fetched");
        let settled_a = tracker.settle("a", body("A"));
        assert_eq!(settled_a.waiting, ["links a", "links b early"]);
        assert_eq!(
            settled(tracker.wait_for(page("b"), "links b late")),
            (vec!["links b late"], "A".into())
        );
        assert!(!tracker.queue(page("b")));
    }

    /// A redirect that only adds a slash or changes the scheme keeps the
    /// meeting: an entry linking the target is written already, so a live
    /// crawl lets the body go all the same.
    #[test]
    fn a_redirect_within_one_meeting_lets_the_body_go() {
        let mut tracker = T::new(false);
        tracker.wait_for(page("a"), "links a");
        fetch(&mut tracker, "a");
        assert!(tracker.redirected("a", "a/".into(), true));
        tracker.settle("a", body("A"));
        assert!(matches!(
            tracker.wait_for(page("a/"), "links a/"),
            Hung::LetGo(_)
        ));
    }

    #[test]
    fn a_redirect_to_a_page_met_already_makes_no_alias() {
        let mut tracker = T::new(false);
        tracker.queue(page("a"));
        tracker.queue(page("b"));
        fetch(&mut tracker, "a");
        assert!(!tracker.redirected("a", "b".into(), false));
        tracker.settle("a", body("A"));
        fetch(&mut tracker, "b");
        assert!(tracker.settle("b", body("B")).waiting.is_empty());
        assert_eq!(settled(tracker.wait_for(page("b"), "links b")).1, "B");
    }

    /// `a` is an archived redirect to `b`, itself one to `c`, which an HTTP
    /// redirect answers from `d`: the entry waiting for `a` waits for `c`, and
    /// every URL of the chain settles with `c`'s outcome.
    #[test]
    fn redirect_chains_settle_every_url_in_the_chain() {
        let mut tracker = T::new(true);
        tracker.wait_for(page("a"), "links a");
        fetch(&mut tracker, "a");
        assert!(waits(&tracker.replayed("a", page("b")).unwrap()));
        fetch(&mut tracker, "b");
        assert!(waits(&tracker.replayed("b", page("c")).unwrap()));
        fetch(&mut tracker, "c");
        assert!(tracker.redirected("c", "d".into(), false));
        assert!(waits(&tracker.wait_for(page("b"), "links b")));
        assert!(tracker.next().is_none());
        let settled_c = tracker.settle("c", body("C"));
        assert_eq!(settled_c.waiting, ["links a", "links b"]);
        for key in ["a", "b", "c", "d"] {
            assert_eq!(
                settled(tracker.wait_for(page(key), "later")),
                (vec!["later"], "C".into()),
                "{key}"
            );
            assert!(!tracker.queue(page(key)), "{key}");
        }
    }

    #[test]
    fn a_replayed_redirect_to_a_page_read_already_gives_its_outcome() {
        let mut tracker = T::new(true);
        tracker.queue(page("t"));
        fetch(&mut tracker, "t");
        tracker.settle("t", body("T"));
        tracker.wait_for(page("a"), "links a");
        fetch(&mut tracker, "a");
        assert_eq!(
            settled(tracker.replayed("a", page("t")).unwrap()),
            (vec!["links a"], "T".into())
        );
    }

    /// `a` replays a redirect to `b`, and `b` one back to `a`: the second is
    /// refused, and `b` stays in flight to be settled as unreadable, with the
    /// entry that waited for `a`.
    #[test]
    fn a_replayed_redirect_that_leads_back_is_refused() {
        let mut tracker = T::new(true);
        tracker.wait_for(page("a"), "links a");
        fetch(&mut tracker, "a");
        tracker.replayed("a", page("b"));
        fetch(&mut tracker, "b");
        assert!(tracker.replayed("b", page("a")).is_none());
        let settled_b = tracker.settle("b", DetailOutcome::Missing("a loop".into()));
        assert_eq!(settled_b.waiting, ["links a"]);
    }

    /// A replayed redirect whose target was read and let go (only a live
    /// crawl lets go): the entries waiting come back, to be written without
    /// the body.
    #[test]
    fn a_replayed_redirect_to_a_page_let_go_gives_back_its_entries() {
        let mut tracker = T::new(false);
        tracker.wait_for(page("t"), "links t");
        fetch(&mut tracker, "t");
        tracker.settle("t", body("T"));
        tracker.wait_for(page("a"), "links a");
        fetch(&mut tracker, "a");
        assert!(matches!(
            tracker.replayed("a", page("t")),
            Some(Hung::LetGo(waiting)) if waiting == ["links a"]
        ));
    }

    #[test]
    fn a_page_read_both_ways_that_an_entry_waits_for_is_a_detail_page() {
        let mut tracker = T::new(true);
        tracker.queue(page("p"));
        fetch(&mut tracker, "p");
        assert!(waits(&tracker.wait_for(page("p"), "links p")));
        assert!(matches!(
            tracker.read_both_ways("p", "readings"),
            Reading::AsDetail("readings")
        ));
        assert_eq!(tracker.settle("p", body("P")).waiting, ["links p"]);
    }

    #[test]
    fn a_page_read_both_ways_that_older_posts_links_is_a_listing() {
        let mut tracker = T::new(true);
        tracker.queue(page("p"));
        assert!(matches!(tracker.older_posts(page("p")), OlderPosts::Met));
        fetch(&mut tracker, "p");
        assert!(matches!(
            tracker.read_both_ways("p", "readings"),
            Reading::AsListing("readings")
        ));
        tracker.read_as_listing("p");
        assert!(matches!(tracker.older_posts(page("p")), OlderPosts::Met));
    }

    /// A page read both ways before anything linked it waits; the first link
    /// to it decides it.
    #[test]
    fn an_undecided_page_is_decided_by_the_first_link_to_it() {
        let mut tracker = T::new(true);
        for key in ["d", "l"] {
            tracker.queue(page(key));
            fetch(&mut tracker, key);
            assert!(matches!(
                tracker.read_both_ways(key, key),
                Reading::Undecided
            ));
        }
        assert!(tracker.has_undecided());
        assert!(matches!(
            tracker.wait_for(page("d"), "links d"),
            Hung::ReadAsDetail("d")
        ));
        assert_eq!(tracker.settle("d", body("D")).waiting, ["links d"]);
        assert!(matches!(
            tracker.older_posts(page("l")),
            OlderPosts::ReadAsListing("l")
        ));
        tracker.read_as_listing("l");
        assert!(!tracker.has_undecided());
        assert!(tracker.take_undecided().is_empty());
    }

    /// A replayed redirect hangs its entries on its target; if the target
    /// was read both ways, they make it a detail page.
    #[test]
    fn a_replayed_redirect_to_an_undecided_page_decides_it_as_a_detail_page() {
        let mut tracker = T::new(true);
        tracker.queue(page("t"));
        fetch(&mut tracker, "t");
        tracker.read_both_ways("t", "t");
        tracker.wait_for(page("a"), "links a");
        fetch(&mut tracker, "a");
        assert!(matches!(
            tracker.replayed("a", page("t")),
            Some(Hung::ReadAsDetail("t"))
        ));
        assert_eq!(tracker.settle("t", body("T")).waiting, ["links a"]);
    }

    #[test]
    fn undecided_pages_no_link_decides_are_taken_in_key_order() {
        let mut tracker = T::new(true);
        for key in ["c", "a", "b"] {
            tracker.queue(page(key));
        }
        for key in ["c", "a", "b"] {
            fetch(&mut tracker, key);
            tracker.read_both_ways(key, key);
        }
        assert_eq!(tracker.take_undecided(), ["a", "b", "c"]);
        assert!(!tracker.has_undecided());
        // In flight again, to be read one way or the other.
        tracker.read_as_listing("a");
        tracker.settle("b", body("B"));
        assert!(waits(&tracker.wait_for(page("c"), "links c")));
        assert_eq!(tracker.settle("c", body("C")).waiting, ["links c"]);
    }

    /// An entry whose detail page was read as a listing, or was still in
    /// flight when the crawl ended, is given up on at the end.
    #[test]
    fn entries_left_waiting_are_abandoned_when_the_crawl_ends() {
        let mut tracker = T::new(false);
        tracker.wait_for(page("l"), "links a listing");
        fetch(&mut tracker, "l");
        tracker.read_as_listing("l");
        assert!(waits(&tracker.wait_for(page("l"), "links it again")));
        tracker.wait_for(page("d"), "links a page in flight");
        fetch(&mut tracker, "d");
        tracker.wait_for(page("q"), "links a queued page");
        let mut abandoned = tracker.abandon();
        abandoned.sort_unstable();
        assert_eq!(
            abandoned,
            [
                "links a listing",
                "links a page in flight",
                "links a queued page",
                "links it again"
            ]
        );
        assert!(tracker.abandon().is_empty());
    }

    #[test]
    #[should_panic(expected = "tried to end the flight of d, which is settled (let go)")]
    fn a_page_cannot_settle_twice() {
        let mut tracker = T::new(false);
        tracker.wait_for(page("d"), "links d");
        fetch(&mut tracker, "d");
        tracker.settle("d", body("D"));
        tracker.settle("d", body("D"));
    }

    #[test]
    #[should_panic(expected = "tried to end the flight of q, which is queued")]
    fn a_queued_page_cannot_settle() {
        let mut tracker = T::new(false);
        tracker.queue(page("q"));
        tracker.settle("q", body("Q"));
    }
}
