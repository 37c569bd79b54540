//! CSS selector matching on scraper's tree, without scraper's per-element caches.
//!
//! scraper answers "has this element class X?" by building, the first time it is
//! asked, a sorted list of the element's classes, each interned in a global atom
//! table behind a lock. Selecting one field of a page asks that of most of its
//! elements, so a page paid an allocation and several locked interning calls per
//! element: a quarter of all selection time. Here classes and ids are compared
//! against the attribute text directly, and a document is walked in document
//! order from its root (scraper's `Html::select` walks the node arena in creation
//! order, detached nodes included). scraper keeps its parsed selectors private, so
//! [`Selector`] parses them with scraper's own parser into a list of its own.
//!
//! A page is selected from a dozen times or more (profile signatures, fields,
//! body, links), each a walk of the tree. While an [`IndexGuard`] of a document
//! lives, walks of that document go over an [`Index`] instead: its elements in a
//! flat list, each with a 64-bit signature of its name, id and classes, so that
//! most elements are passed over with one bit test.

use std::cell::RefCell;
use std::marker::PhantomData;
use std::rc::{Rc, Weak};

use ego_tree::iter::Edge;
use ego_tree::{NodeId, Tree};
use html5ever::{LocalName, Namespace, local_name, ns};
use scraper::error::SelectorErrorKind;
use scraper::selector::{CssLocalName, CssString, NonTSPseudoClass, PseudoElement, Simple, ToCss};
use scraper::{ElementRef, Html};
use selectors::SelectorList;
use selectors::attr::{AttrSelectorOperation, CaseSensitivity, NamespaceConstraint};
use selectors::bloom::BloomFilter;
use selectors::matching::{
    ElementSelectorFlags, MatchingContext, MatchingForInvalidation, MatchingMode,
    NeedsSelectorFlags, QuirksMode, SelectorCaches,
};
use selectors::parser::{Combinator, Component};
use selectors::{Element, OpaqueElement};

/// A [`Selector`] written in the code, parsed once, at its first use: the
/// extractors run on every page.
macro_rules! selector {
    ($css:literal) => {{
        static SELECTOR: std::sync::LazyLock<$crate::css::Selector> =
            std::sync::LazyLock::new(|| {
                $crate::css::Selector::parse($css).expect("static selector")
            });
        &*SELECTOR
    }};
}
pub(crate) use selector;

/// A comma-separated group of CSS selectors, as scraper parses them.
#[derive(Debug, Clone)]
pub(crate) struct Selector {
    list: SelectorList<Simple>,
    /// For each selector of the list, what an element must have before the
    /// selector engine is asked whether it matches: most elements of a page
    /// fail it.
    needs: Vec<Needs>,
    /// The conditions some ancestor of a match must meet, of all the list's
    /// selectors together (at most [`MAX_ANCESTOR_CONDITIONS`]).
    ancestor_conditions: Vec<Quick>,
    /// An element whose signature shares no bit with this is no match, unless
    /// `unconditional`.
    subject_bits: u64,
    /// Some selector of the list has no quick condition on its subject.
    unconditional: bool,
    /// An element whose signature shares no bit with this meets no ancestor
    /// condition.
    ancestor_bits: u64,
}

/// At most this many ancestor conditions are tracked, one bit each.
const MAX_ANCESTOR_CONDITIONS: usize = 64;

/// What one selector of a list asks of its subject before anything else.
#[derive(Debug, Clone)]
struct Needs {
    /// One simple condition of its last compound: an id, a class or a name.
    subject: Option<Quick>,
    /// The ancestor conditions (indices into `ancestor_conditions`) it needs
    /// met by some ancestor: `.entry-attachments a[href]` needs an ancestor of
    /// class `entry-attachments`. Asked only while walking a tree or its index,
    /// which know their open elements, and it spares the engine a walk up from
    /// every link.
    /// Kept only for a subject without an id or a class.
    ancestors: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq)]
enum Quick {
    Id(CssLocalName),
    Class(CssLocalName),
    /// The name as written and in lower case (the one HTML elements match).
    Name(LocalName, LocalName),
}

impl Quick {
    /// A condition of the compound `components` iterates over.
    fn of<'s>(components: impl Iterator<Item = &'s Component<Simple>>) -> Option<Quick> {
        let mut found = None;
        // The whole compound is read, so that the caller can go on to the next.
        for component in components {
            match component {
                Component::ID(id) => found = Some(Quick::Id(id.clone())),
                Component::Class(class)
                    if !matches!(found, Some(Quick::Id(_) | Quick::Class(_))) =>
                {
                    found = Some(Quick::Class(class.clone()))
                }
                Component::LocalName(name) if found.is_none() => {
                    found = Some(Quick::Name(name.name.0.clone(), name.lower_name.0.clone()))
                }
                _ => {}
            }
        }
        found
    }

    /// The signature bits of an element that may meet this condition: an
    /// element without any of them does not.
    fn bits(&self) -> u64 {
        match self {
            Quick::Id(id) => signature_bit(Key::Id, &id.0),
            Quick::Class(class) => signature_bit(Key::Class, &class.0),
            Quick::Name(name, lower) => {
                signature_bit(Key::Name, name) | signature_bit(Key::Name, lower)
            }
        }
    }

    fn holds(&self, element: Node) -> bool {
        match self {
            Quick::Id(id) => element.attr(&local_name!("id")) == Some(&*id.0),
            Quick::Class(class) => element
                .attr(&local_name!("class"))
                .is_some_and(|classes| classes.split_ascii_whitespace().any(|c| c == &*class.0)),
            Quick::Name(name, lower) => {
                let local = &element.0.value().name.local;
                local == lower || local == name
            }
        }
    }
}

impl Selector {
    pub(crate) fn parse(css: &str) -> Result<Selector, SelectorErrorKind> {
        let mut parser = cssparser::Parser::new(css);
        let list = SelectorList::parse(
            &scraper::selector::Parser,
            &mut parser,
            selectors::parser::ParseRelative::No,
        )
        .map_err(SelectorErrorKind::from)?;
        let mut ancestor_conditions = Vec::new();
        let needs: Vec<Needs> = list
            .slice()
            .iter()
            .map(|selector| Needs::of(selector, &mut ancestor_conditions))
            .collect();
        let subject_bits = needs
            .iter()
            .filter_map(|needs| needs.subject.as_ref())
            .fold(0, |bits, quick| bits | quick.bits());
        let ancestor_bits = ancestor_conditions
            .iter()
            .fold(0, |bits, quick| bits | quick.bits());
        Ok(Selector {
            unconditional: needs.iter().any(|needs| needs.subject.is_none()),
            list,
            needs,
            ancestor_conditions,
            subject_bits,
            ancestor_bits,
        })
    }

    /// The selector written out again, as messages quote it.
    pub(crate) fn to_css_string(&self) -> String {
        self.list.to_css_string()
    }

    /// Whether `element` may match: false only when it cannot. `open` is how
    /// many of its ancestors meet each ancestor condition, when known.
    fn may_match(&self, element: Node, open: Option<&[u32]>) -> bool {
        self.needs.iter().any(|needs| {
            needs.subject.as_ref().is_none_or(|q| q.holds(element))
                && open.is_none_or(|open| needs.ancestors.iter().all(|&n| open[n] > 0))
        })
    }

    /// The ancestor conditions `element` meets, one bit each; `signature` is
    /// the element's, when known.
    fn ancestor_conditions_of(&self, element: Node, signature: Option<u64>) -> u64 {
        if signature.is_some_and(|signature| signature & self.ancestor_bits == 0) {
            return 0;
        }
        self.ancestor_conditions
            .iter()
            .enumerate()
            .filter(|(_, condition)| condition.holds(element))
            .fold(0, |bits, (n, _)| bits | 1 << n)
    }
}

/// Where a compound of a selector stands to its subject, walking the selector
/// from its subject leftwards.
#[derive(Clone, Copy, PartialEq)]
enum Standing {
    /// The subject, or a sibling of it: their parent is the same.
    SubjectOrSibling,
    /// An ancestor of the subject.
    Ancestor,
    /// A sibling of an ancestor (`a + b c`: `a` is no ancestor of `c`).
    Other,
}

impl Needs {
    fn of(selector: &selectors::parser::Selector<Simple>, conditions: &mut Vec<Quick>) -> Needs {
        let mut compounds = selector.iter();
        let subject = Quick::of(&mut compounds);
        let mut ancestors = Vec::new();
        // A subject with an id or a class is rare enough that the engine's
        // walk up from it costs less than knowing the ancestors all along;
        // a name (`a`, `p`) or nothing is not.
        if matches!(subject, Some(Quick::Id(_) | Quick::Class(_))) {
            return Needs { subject, ancestors };
        }
        let mut standing = Standing::SubjectOrSibling;
        while let Some(combinator) = compounds.next_sequence() {
            standing = match (combinator, standing) {
                (Combinator::Child | Combinator::Descendant, _) => Standing::Ancestor,
                (Combinator::NextSibling | Combinator::LaterSibling, Standing::Ancestor) => {
                    Standing::Other
                }
                (Combinator::NextSibling | Combinator::LaterSibling, standing) => standing,
                // Shadow trees and pseudo-elements: nothing is assumed.
                (Combinator::PseudoElement | Combinator::SlotAssignment | Combinator::Part, _) => {
                    return Needs {
                        subject,
                        ancestors: Vec::new(),
                    };
                }
            };
            let condition = Quick::of(&mut compounds);
            if standing == Standing::Ancestor
                && let Some(condition) = condition
            {
                let n = match conditions.iter().position(|c| *c == condition) {
                    Some(n) => n,
                    None if conditions.len() < MAX_ANCESTOR_CONDITIONS => {
                        conditions.push(condition);
                        conditions.len() - 1
                    }
                    None => continue,
                };
                ancestors.push(n);
            }
        }
        Needs { subject, ancestors }
    }
}

/// The open elements of a walk that meet some ancestor condition of a
/// selector, and how many meet each.
struct OpenAncestors {
    counts: Vec<u32>,
    /// Innermost last, with where each closes (in a walk of an [`Index`], the
    /// position after its last descendant) and the conditions each meets.
    open: Vec<(Closes, u64)>,
}

/// Where an open element stops being one.
#[derive(Clone, Copy, PartialEq)]
enum Closes {
    /// At the walk's edge that closes this node.
    At(NodeId),
    /// At this position of an [`Index`].
    Before(usize),
    /// Not within the walk: the scope and the elements above it.
    Never,
}

impl OpenAncestors {
    /// For a walk of the subtree of `scope` (the whole document without one):
    /// `scope` and the elements above it are open from the start.
    fn new(selector: &Selector, scope: Option<ElementRef>) -> OpenAncestors {
        let mut open = OpenAncestors {
            counts: vec![0; selector.ancestor_conditions.len()],
            open: Vec::new(),
        };
        if let Some(scope) = scope
            && !open.counts.is_empty()
        {
            let above: Vec<ElementRef> = scope.ancestors().filter_map(ElementRef::wrap).collect();
            for element in above.into_iter().rev().chain([scope]) {
                open.enter(selector, element, None, Closes::Never);
            }
        }
        open
    }

    fn enter(
        &mut self,
        selector: &Selector,
        element: ElementRef,
        signature: Option<u64>,
        closes: Closes,
    ) {
        if self.counts.is_empty() {
            return;
        }
        let met = selector.ancestor_conditions_of(Node(element), signature);
        if met != 0 {
            self.count(met, |count| count + 1);
            self.open.push((closes, met));
        }
    }

    /// The walk passed the edge closing `node`.
    fn leave(&mut self, node: NodeId) {
        if let Some(&(innermost, met)) = self.open.last()
            && innermost == Closes::At(node)
        {
            self.open.pop();
            self.count(met, |count| count - 1);
        }
    }

    /// The walk of an index reached `position`: the elements ending before it
    /// are closed.
    fn leave_before(&mut self, position: usize) {
        while let Some(&(Closes::Before(end), met)) = self.open.last()
            && end <= position
        {
            self.open.pop();
            self.count(met, |count| count - 1);
        }
    }

    fn count(&mut self, met: u64, change: impl Fn(u32) -> u32) {
        for (n, count) in self.counts.iter_mut().enumerate() {
            if met & 1 << n != 0 {
                *count = change(*count);
            }
        }
    }
}

/// Selection on a document or an element.
pub(crate) trait Select<'a> {
    /// The elements `selector` matches, in document order: for a document all of
    /// its elements, for an element its descendants (`:scope` is the element).
    fn find_all<'s>(&self, selector: &'s Selector) -> Matches<'a, 's>;

    /// The first element `selector` matches.
    fn find_first(&self, selector: &Selector) -> Option<ElementRef<'a>> {
        self.find_all(selector).next()
    }
}

impl<'a> Select<'a> for &'a Html {
    fn find_all<'s>(&self, selector: &'s Selector) -> Matches<'a, 's> {
        let tree = &self.tree;
        let walk = match index_of(tree) {
            Some(index) => Walk::Index {
                tree,
                at: 0,
                end: index.elements.len(),
                index,
            },
            None => {
                let mut inner = tree.root().traverse();
                inner.next(); // the document node, which is no element
                Walk::Tree(inner)
            }
        };
        Matches {
            walk,
            scope: None,
            open: OpenAncestors::new(selector, None),
            selector,
            caches: SelectorCaches::default(),
        }
    }
}

impl<'a> Select<'a> for ElementRef<'a> {
    fn find_all<'s>(&self, selector: &'s Selector) -> Matches<'a, 's> {
        let tree = self.tree();
        let indexed = index_of(tree).and_then(|index| {
            let at = index.position(self.id())?;
            let end = index.elements[at].end;
            Some((index, at, end))
        });
        let walk = match indexed {
            Some((index, at, end)) => Walk::Index {
                tree,
                at: at + 1, // the element itself is no match
                end,
                index,
            },
            None => {
                let mut inner = self.traverse();
                inner.next(); // the element itself
                Walk::Tree(inner)
            }
        };
        Matches {
            walk,
            scope: Some(*self),
            open: OpenAncestors::new(selector, Some(*self)),
            selector,
            caches: SelectorCaches::default(),
        }
    }
}

/// A document's elements in document order, each with its signature: what
/// [`Matches`] walks instead of the tree while an [`IndexGuard`] lives.
struct Index {
    /// The tree indexed, only ever compared: walks of other trees walk them.
    tree: *const Tree<scraper::Node>,
    elements: Vec<Indexed>,
    /// Where each element is in `elements`, sorted by node, for walks of an
    /// element's descendants.
    positions: Vec<(NodeId, usize)>,
}

#[derive(Clone, Copy)]
struct Indexed {
    node: NodeId,
    /// The position after the element's last descendant.
    end: usize,
    /// Bits of its name, id and classes (see [`signature_bit`]).
    signature: u64,
}

impl Index {
    fn of(tree: &Tree<scraper::Node>) -> Index {
        let mut elements: Vec<Indexed> = Vec::new();
        // The positions of the elements open, innermost last.
        let mut open = Vec::new();
        let root = tree.root();
        // Depth first by hand: a traversal's edge for every text node going
        // in and out cost a third of building the index.
        let mut next = root.first_child();
        while let Some(node) = next {
            if let Some(element) = ElementRef::wrap(node) {
                open.push(elements.len());
                elements.push(Indexed {
                    node: node.id(),
                    end: 0,
                    signature: signature(element),
                });
            }
            next = node.first_child();
            if next.is_some() {
                continue;
            }
            // A leaf: it closes, and so does every ancestor it is the last of.
            let mut closing = node;
            loop {
                if closing.value().is_element() {
                    let at = open.pop().expect("an element closes after it opens");
                    elements[at].end = elements.len();
                }
                next = closing.next_sibling();
                if next.is_some() {
                    break;
                }
                match closing.parent() {
                    Some(parent) if parent != root => closing = parent,
                    _ => break,
                }
            }
        }
        let mut positions: Vec<(NodeId, usize)> = elements
            .iter()
            .enumerate()
            .map(|(at, indexed)| (indexed.node, at))
            .collect();
        // Nodes are numbered as the parser creates them, nearly in document
        // order: the sort has little to do.
        positions.sort_unstable();
        Index {
            tree,
            elements,
            positions,
        }
    }

    fn position(&self, node: NodeId) -> Option<usize> {
        let at = self
            .positions
            .binary_search_by_key(&node, |&(node, _)| node)
            .ok()?;
        Some(self.positions[at].1)
    }
}

thread_local! {
    /// The index of the document being read on this thread, if any. Weak: an
    /// index is kept alive only by its guards and by the walks over it, which
    /// all borrow its document, so an index that upgrades describes a tree
    /// that is still there.
    static INDEX: RefCell<Weak<Index>> = const { RefCell::new(Weak::new()) };
}

/// While it lives, walks of its document on this thread go over an index of
/// the document's elements. (A guard must be dropped, not forgotten: a
/// forgotten one keeps its index in use after its document is gone.)
#[must_use = "the index is in use only while the guard lives"]
pub(crate) struct IndexGuard<'a> {
    /// Keeps the index alive; the document stays borrowed as long.
    index: Rc<Index>,
    /// The index in use before, back in use when this guard goes, if its own
    /// guard has not gone first.
    previous: Weak<Index>,
    document: PhantomData<&'a Html>,
}

/// Indexes `document` for the selections made while the guard lives: a page
/// read with a profile is walked a dozen times and more, and an index walk
/// passes over most elements with a bit test.
pub(crate) fn index(document: &Html) -> IndexGuard<'_> {
    let index = index_of(&document.tree).unwrap_or_else(|| Rc::new(Index::of(&document.tree)));
    IndexGuard {
        previous: INDEX.replace(Rc::downgrade(&index)),
        index,
        document: PhantomData,
    }
}

impl Drop for IndexGuard<'_> {
    fn drop(&mut self) {
        // A guard that goes before a later one leaves the later one's index in
        // use; that one then brings back nothing of this guard's.
        INDEX.with_borrow_mut(|current| {
            if std::ptr::eq(current.as_ptr(), Rc::as_ptr(&self.index)) {
                *current = std::mem::take(&mut self.previous);
            }
        });
    }
}

/// The index in use, if it is of `tree`.
fn index_of(tree: &Tree<scraper::Node>) -> Option<Rc<Index>> {
    INDEX.with_borrow(|index| {
        index
            .upgrade()
            .filter(|index| std::ptr::eq(index.tree, tree))
    })
}

/// What a signature bit stands for.
#[derive(Clone, Copy)]
enum Key {
    Name = 1,
    Id = 2,
    Class = 3,
}

/// The one bit of 64 that `text`, as a name, id or class, sets in a signature.
fn signature_bit(key: Key, text: &str) -> u64 {
    // The first and the last eight bytes and the length, mixed by a
    // multiplication: constant time for the long class names of WordPress
    // themes. Words alike in all three share a bit, which costs only a look.
    let bytes = text.as_bytes();
    let (first, last) = match bytes.split_first_chunk::<8>() {
        Some((first, _)) => {
            let (_, last) = bytes.split_last_chunk::<8>().expect("eight bytes or more");
            (u64::from_le_bytes(*first), u64::from_le_bytes(*last))
        }
        // Byte by byte: a copy of a length not known until run time is a call.
        None => (
            bytes
                .iter()
                .rev()
                .fold(0, |word, &byte| word << 8 | u64::from(byte)),
            0,
        ),
    };
    let mixed = first ^ last.rotate_left(29) ^ (bytes.len() as u64) << 56 ^ key as u64;
    1 << (mixed.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 58)
}

/// The signature of an element: the bits of its name, its id and its classes.
fn signature(element: ElementRef) -> u64 {
    let value = element.value();
    let mut bits = signature_bit(Key::Name, &value.name.local);
    for (name, text) in &value.attrs {
        if name.ns != ns!() {
            continue;
        }
        if name.local == local_name!("id") {
            bits |= signature_bit(Key::Id, text);
        } else if name.local == local_name!("class") {
            for class in text.split_ascii_whitespace() {
                bits |= signature_bit(Key::Class, class);
            }
        }
    }
    bits
}

/// Whether `element` matches `selector`, `:scope` being `scope` (the root
/// element without one).
pub(crate) fn matches(selector: &Selector, element: ElementRef, scope: Option<ElementRef>) -> bool {
    selector.may_match(Node(element), None)
        && matches_in(selector, element, scope, &mut SelectorCaches::default())
}

fn matches_in(
    selector: &Selector,
    element: ElementRef,
    scope: Option<ElementRef>,
    caches: &mut SelectorCaches,
) -> bool {
    let mut context = MatchingContext::new(
        MatchingMode::Normal,
        None,
        caches,
        QuirksMode::NoQuirks,
        NeedsSelectorFlags::No,
        MatchingForInvalidation::No,
    );
    context.scope_element = scope.map(|scope| Node(scope).opaque());
    let element = Node(element);
    selector
        .list
        .slice()
        .iter()
        .any(|s| selectors::matching::matches_selector(s, 0, None, &element, &mut context))
}

/// The matches of one selector, found as they are asked for.
pub(crate) struct Matches<'a, 's> {
    walk: Walk<'a>,
    scope: Option<ElementRef<'a>>,
    open: OpenAncestors,
    selector: &'s Selector,
    caches: SelectorCaches,
}

/// How [`Matches`] goes over the elements in its scope.
enum Walk<'a> {
    Tree(ego_tree::iter::Traverse<'a, scraper::Node>),
    /// The positions `at..end` of an index of `tree`.
    Index {
        tree: &'a Tree<scraper::Node>,
        index: Rc<Index>,
        at: usize,
        end: usize,
    },
}

impl<'a> Iterator for Matches<'a, '_> {
    type Item = ElementRef<'a>;

    fn next(&mut self) -> Option<ElementRef<'a>> {
        let Matches {
            walk,
            scope,
            open,
            selector,
            caches,
        } = self;
        let mut found_in = |element: ElementRef<'a>, open: &OpenAncestors| {
            selector.may_match(Node(element), Some(&open.counts))
                && matches_in(selector, element, *scope, caches)
        };
        match walk {
            Walk::Tree(inner) => {
                for edge in inner {
                    match edge {
                        Edge::Open(node) => {
                            let Some(element) = ElementRef::wrap(node) else {
                                continue;
                            };
                            let found = found_in(element, open);
                            // An element is no ancestor of itself: counted after.
                            open.enter(selector, element, None, Closes::At(node.id()));
                            if found {
                                return Some(element);
                            }
                        }
                        Edge::Close(node) => open.leave(node.id()),
                    }
                }
            }
            Walk::Index {
                tree,
                index,
                at,
                end,
            } => {
                while *at < *end {
                    let position = *at;
                    *at += 1;
                    let indexed = index.elements[position];
                    open.leave_before(position);
                    let candidate =
                        selector.unconditional || indexed.signature & selector.subject_bits != 0;
                    if !candidate && indexed.signature & selector.ancestor_bits == 0 {
                        continue;
                    }
                    let node = tree
                        .get(indexed.node)
                        .expect("an indexed node is in its tree");
                    let element = ElementRef::wrap(node).expect("only elements are indexed");
                    let found = candidate && found_in(element, open);
                    let closes = Closes::Before(indexed.end);
                    open.enter(selector, element, Some(indexed.signature), closes);
                    if found {
                        return Some(element);
                    }
                }
            }
        }
        None
    }
}

/// An element as the selector engine sees it. Like scraper's own, it never
/// matches non-tree-structural pseudo-classes (`:hover`, `:visited`).
#[derive(Debug, Clone, Copy)]
struct Node<'a>(ElementRef<'a>);

impl Node<'_> {
    /// The value of an attribute in no namespace; names compare as atoms.
    fn attr(&self, local: &LocalName) -> Option<&str> {
        self.0
            .value()
            .attrs
            .iter()
            .find(|(name, _)| name.local == *local && name.ns == ns!())
            .map(|(_, value)| &**value)
    }
}

impl Element for Node<'_> {
    type Impl = Simple;

    fn opaque(&self) -> OpaqueElement {
        OpaqueElement::new(self.0.value())
    }

    fn parent_element(&self) -> Option<Self> {
        self.0.parent().and_then(ElementRef::wrap).map(Node)
    }

    fn parent_node_is_shadow_root(&self) -> bool {
        false
    }

    fn containing_shadow_host(&self) -> Option<Self> {
        None
    }

    fn is_pseudo_element(&self) -> bool {
        false
    }

    fn prev_sibling_element(&self) -> Option<Self> {
        self.0.prev_siblings().find_map(ElementRef::wrap).map(Node)
    }

    fn next_sibling_element(&self) -> Option<Self> {
        self.0.next_siblings().find_map(ElementRef::wrap).map(Node)
    }

    fn first_element_child(&self) -> Option<Self> {
        self.0.children().find_map(ElementRef::wrap).map(Node)
    }

    fn is_html_element_in_html_document(&self) -> bool {
        self.0.value().name.ns == ns!(html)
    }

    fn has_local_name(&self, name: &CssLocalName) -> bool {
        self.0.value().name.local == name.0
    }

    fn has_namespace(&self, namespace: &Namespace) -> bool {
        &self.0.value().name.ns == namespace
    }

    fn is_same_type(&self, other: &Self) -> bool {
        self.0.value().name == other.0.value().name
    }

    fn attr_matches(
        &self,
        ns: &NamespaceConstraint<&Namespace>,
        local_name: &CssLocalName,
        operation: &AttrSelectorOperation<&CssString>,
    ) -> bool {
        self.0.value().attrs.iter().any(|(key, value)| {
            !matches!(*ns, NamespaceConstraint::Specific(url) if *url != key.ns)
                && local_name.0 == key.local
                && operation.eval_str(value)
        })
    }

    fn match_non_ts_pseudo_class(
        &self,
        _: &NonTSPseudoClass,
        _: &mut MatchingContext<'_, Simple>,
    ) -> bool {
        false
    }

    fn match_pseudo_element(&self, _: &PseudoElement, _: &mut MatchingContext<'_, Simple>) -> bool {
        false
    }

    fn apply_selector_flags(&self, _: ElementSelectorFlags) {}

    fn is_link(&self) -> bool {
        self.0.value().name() == "link"
    }

    fn is_html_slot_element(&self) -> bool {
        true
    }

    fn has_id(&self, id: &CssLocalName, case_sensitivity: CaseSensitivity) -> bool {
        self.attr(&local_name!("id"))
            .is_some_and(|value| case_sensitivity.eq(id.0.as_bytes(), value.as_bytes()))
    }

    fn has_class(&self, name: &CssLocalName, case_sensitivity: CaseSensitivity) -> bool {
        self.attr(&local_name!("class")).is_some_and(|classes| {
            classes
                .split_ascii_whitespace()
                .any(|class| case_sensitivity.eq(class.as_bytes(), name.0.as_bytes()))
        })
    }

    fn has_custom_state(&self, _: &CssLocalName) -> bool {
        false
    }

    fn imported_part(&self, _: &CssLocalName) -> Option<CssLocalName> {
        None
    }

    fn is_part(&self, _: &CssLocalName) -> bool {
        false
    }

    fn is_empty(&self) -> bool {
        !self
            .0
            .children()
            .any(|child| child.value().is_element() || child.value().is_text())
    }

    fn is_root(&self) -> bool {
        self.0
            .parent()
            .is_some_and(|parent| parent.value().is_document())
    }

    fn add_element_unique_hashes(&self, _: &mut BloomFilter) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids<'a>(found: impl Iterator<Item = ElementRef<'a>>) -> Vec<&'a str> {
        found.map(|e| e.attr("id").unwrap_or("?")).collect()
    }

    /// Asserts that `css` finds in `html` what scraper's `select` finds, from
    /// the document and from each of `scopes`, walking the tree and walking an
    /// index of it.
    fn finds_as_scraper_does<'a>(
        html: &'a Html,
        css: &str,
        scopes: impl IntoIterator<Item = ElementRef<'a>> + Clone,
    ) {
        let ours = Selector::parse(css).unwrap();
        let theirs = scraper::Selector::parse(css).unwrap();
        for indexed in [false, true] {
            let _index = indexed.then(|| index(html));
            assert_eq!(
                ids(html.find_all(&ours)),
                ids(html.select(&theirs)),
                "{css}, indexed: {indexed}"
            );
            for scope in scopes.clone() {
                assert_eq!(
                    ids(scope.find_all(&ours)),
                    ids(scope.select(&theirs)),
                    "{css} within #{}, indexed: {indexed}",
                    scope.attr("id").unwrap_or("?")
                );
            }
        }
    }

    /// Every kind of selector the bundled profiles and the generic extractor use,
    /// against scraper's own matching on the same tree.
    #[test]
    fn selects_what_scraper_selects() {
        let html = Html::parse_document(
            r#"<html><head><link id="c" rel="canonical stylesheet" href="/a/"></head>
            <body class="single-post page"><main id="m">
            <article id="a1" class="post type-post"><h2 id="t1" class="entry-title"><a id="l1" href="/x">x</a></h2>
              <div id="e1" class="entry-content  more"><p id="p1">a</p><p id="p2" class="more-link">b</p></div></article>
            <article id="a2" class="post"><h2 id="t2" class="ENTRY-title"></h2><table><tr id="r1"><td id="d1">1</td></tr></table></article>
            </main><div id="e2" class="entry-content"></div>
            <svg id="s"><linearGradient id="g"></linearGradient></svg></body></html>"#,
        );
        let selectors = [
            "main article.type-post",
            ".entry-title a[href]",
            "main article .entry-content",
            ".entry-content > p:not(.more-link)",
            "#m > article:first-child",
            "article:nth-child(2) td",
            "link[rel~='canonical'][href^='/a']",
            "body.single-post",
            "h2 + div, tr",
            "p:last-child",
            "[class*='title']",
            "div:empty",
            "DIV.entry-content",
            "#e1.more, p#p2.more-link",
            "h2.ENTRY-title",
            "svg linearGradient, svg lineargradient",
            "article > :not(h2)",
        ];
        let article = html
            .select(&scraper::Selector::parse("#a1").unwrap())
            .next()
            .unwrap();
        for css in selectors {
            finds_as_scraper_does(&html, css, [article]);
            let ours = Selector::parse(css).unwrap();
            let theirs = scraper::Selector::parse(css).unwrap();
            for element in html.select(&scraper::Selector::parse("*").unwrap()) {
                assert_eq!(
                    matches(&ours, element, None),
                    theirs.matches(&element),
                    "{css}"
                );
            }
        }
        let document = &html;
        let gradient = Selector::parse("svg linearGradient").unwrap();
        assert_eq!(ids(document.find_all(&gradient)), ["g"]);
        let classes = Selector::parse(".entry-content").unwrap();
        assert_eq!(ids(document.find_all(&classes)), ["e1", "e2"]);
        let scoped = Selector::parse(":scope > p").unwrap();
        let content = document.find_first(&classes).unwrap();
        assert_eq!(ids(content.find_all(&scoped)), ["p1", "p2"]);
    }

    /// What a selector needs of a match's ancestors only ever spares the
    /// engine work: from the document and from every element as the scope,
    /// the same elements as scraper's matching.
    #[test]
    fn ancestor_conditions_never_hide_a_match() {
        let html = Html::parse_document(
            r#"<main id="m" class="x"><section id="s1" class="x">
              <h2 id="h1">a</h2><div id="d1" class="c"><a id="a1" href="/1">1</a></div>
              <div id="d2" class="x"><div id="d3" class="x"><a id="a2" href="/2">2</a></div><a id="a3">3</a></div>
            </section><h2 id="h2">b</h2><section id="s2"><p id="p1" class="c"><a id="a4" href="/4">4</a></p></section>
            <ul id="u" class="x"><li id="l1" class="y"><span id="sp1"></span></li><li id="l2"><span id="sp2"></span></li></ul></main>"#,
        );
        let selectors = [
            ".x a[href]",
            ".x .x a",
            ".x > a",
            "main section .c a",
            "h2 + div a",
            "h2 + section a",
            "h2 ~ div .x a",
            "section + h2",
            ".y + li span",
            "#m .y ~ li > span",
            "li.y span, .c a",
            "#s2 a, .x a[href]",
            "section:not(.x) a",
            ":is(.c, #u) span",
            "main *",
        ];
        let every = scraper::Selector::parse("*").unwrap();
        for css in selectors {
            finds_as_scraper_does(&html, css, html.select(&every));
        }
        let nested = Selector::parse(".x .x a").unwrap();
        assert_eq!(nested.ancestor_conditions.len(), 1, "one condition, twice");
        let by_class = Selector::parse(".x .c").unwrap();
        assert!(by_class.ancestor_conditions.is_empty());
        let siblings = Selector::parse("h2 + div a").unwrap();
        assert_eq!(
            siblings.ancestor_conditions,
            [Quick::Name(local_name!("div"), local_name!("div"))],
            "the h2 is a sibling of an ancestor, not one"
        );
    }

    /// An index serves walks of its own document only, and the index in use
    /// before comes back when a guard goes.
    #[test]
    fn an_index_serves_its_own_document() {
        let first = Html::parse_document("<p id=a class=x></p><p id=b></p>");
        let second = Html::parse_document("<p id=c class=x></p>");
        let classes = Selector::parse(".x").unwrap();
        let uses_index = |html: &Html| matches!(html.find_all(&classes).walk, Walk::Index { .. });
        let outer = index(&first);
        assert!(uses_index(&first));
        assert!(!uses_index(&second));
        assert_eq!(ids((&second).find_all(&classes)), ["c"]);
        {
            let _inner = index(&second);
            assert!(uses_index(&second));
            assert!(!uses_index(&first));
            let _again = index(&second);
            assert_eq!(INDEX.with_borrow(Weak::strong_count), 2, "indexed once");
        }
        assert!(uses_index(&first));
        assert_eq!(ids((&first).find_all(&classes)), ["a"]);
        drop(outer);
        assert!(!uses_index(&first));

        // Guards that go out of order bring back no index whose guard is gone.
        let outer = index(&first);
        let inner = index(&second);
        drop(outer);
        assert!(uses_index(&second));
        drop(inner);
        assert!(!uses_index(&first));
        assert_eq!(INDEX.with_borrow(Weak::strong_count), 0);
    }

    /// Signatures never hide an element: every name, id and class an element
    /// has sets a bit that the condition on it asks for.
    #[test]
    fn a_signature_holds_every_quick_condition_the_element_meets() {
        let html = Html::parse_document(
            "<svg><foreignObject id=F class='a  B\tc'></foreignObject></svg><DIV class=' d '></DIV>",
        );
        let document = &html;
        for css in ["foreignObject", "#F", ".a", ".B", ".c", "div", ".d"] {
            let selector = Selector::parse(css).unwrap();
            let found = document.find_first(&selector).expect(css);
            let quick = selector.needs[0].subject.as_ref().unwrap();
            assert!(quick.holds(Node(found)), "{css}");
            assert_ne!(signature(found) & quick.bits(), 0, "{css}");
        }
    }

    proptest::proptest! {
        /// On any tree the parser builds, a walk of the index finds what a walk
        /// of the tree finds, from the document and from every element.
        #[test]
        fn an_index_walk_finds_what_a_tree_walk_finds(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "<div class=x>", "</div>", "<p>", "</p>", "text ", "<a href=/1>", "</a>",
                "<table><tr><td>", "</table>", "<span id=s class='y x'>", "<li class=y>",
                "<!-- c -->", "<template><i class=x>", "<svg><g class=x>", "</svg>", "<br>",
            ]), 0..40)
        ) {
            let html = Html::parse_document(&parts.concat());
            let every = scraper::Selector::parse("*").unwrap();
            for css in [".x", "div .x", ".y + li", "a[href]", ".x > .y, p", "td *", ":scope > .x", "#s", "i"] {
                let selector = Selector::parse(css).unwrap();
                let found = |indexed: bool| {
                    let _index = indexed.then(|| index(&html));
                    let mut found = vec![ids_of(&html, (&html).find_all(&selector))];
                    for scope in html.select(&every) {
                        found.push(ids_of(&html, scope.find_all(&selector)));
                    }
                    found
                };
                proptest::prop_assert_eq!(found(false), found(true), "{}", css);
            }
        }
    }

    /// Where each element found is among all the document's elements.
    fn ids_of<'a>(html: &'a Html, found: impl Iterator<Item = ElementRef<'a>>) -> Vec<usize> {
        let all: Vec<NodeId> = html.tree.nodes().map(|node| node.id()).collect();
        found
            .map(|e| all.iter().position(|&id| id == e.id()).unwrap())
            .collect()
    }

    #[test]
    fn a_document_is_walked_in_document_order() {
        // A paragraph inside a table but outside any cell is moved before the
        // table ("foster parenting"): created last, it comes second in the page.
        let html = Html::parse_document(
            "<div id=d><table id=t><tr><td id=c>x</td></tr><p id=f>y</p></table></div>",
        );
        let document = &html;
        let ours = Selector::parse("[id]").unwrap();
        assert_eq!(ids(document.find_all(&ours)), ["d", "f", "t", "c"]);
        let _index = index(&html);
        assert_eq!(ids(document.find_all(&ours)), ["d", "f", "t", "c"]);
        let theirs = scraper::Selector::parse("[id]").unwrap();
        assert_eq!(ids(html.select(&theirs)), ["d", "t", "c", "f"]);
    }
}
