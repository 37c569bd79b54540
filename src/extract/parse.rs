//! HTML parsing that gives up on pathologically nested pages.
//!
//! html5ever's tree builder checks its stack of open elements on most start tags,
//! so a page of unclosed elements costs time quadratic in their nesting: 200,000
//! unclosed `<div>` in 1 MB take minutes. Browsers cap the depth they build (Blink
//! stops nesting at 512); harava stops *parsing* there instead, since no listing or
//! detail page is that deep and what is left of such a page is not worth minutes.
//! The depth is measured on the tree as it is built, and the input is fed in chunks
//! so the parse stops within one chunk of crossing the cap.

use std::borrow::Cow;
use std::cell::{Cell, Ref};
use std::rc::Rc;

use ego_tree::NodeId;
use html5ever::tendril::{StrTendril, TendrilSink};
use html5ever::tree_builder::{ElementFlags, NodeOrText, QuirksMode, TreeSink};
use html5ever::{Attribute, QualName};
use scraper::{Html, HtmlTreeSink};

/// How deep elements may nest before a page is given up on (Blink's cap).
pub(crate) const MAX_DEPTH: usize = 512;

/// How much text the parser gets between two looks at the depth: small enough
/// that one chunk past the cap costs milliseconds, large enough to cost nothing.
const CHUNK: usize = 16 * 1024;

/// Why a page was not parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "its elements nest more than {MAX_DEPTH} deep, which no real page does and which would take html5ever minutes to parse"
)]
pub(crate) struct TooDeep;

/// Parses a whole document, or gives up once its elements nest deeper than
/// [`MAX_DEPTH`].
pub(crate) fn parse_document(html: &str) -> Result<Html, TooDeep> {
    let too_deep = Rc::new(Cell::new(false));
    let sink = DepthLimited {
        inner: HtmlTreeSink::new(Html::new_document()),
        too_deep: Rc::clone(&too_deep),
        known: Cell::new([(None, 0); 2]),
    };
    let mut parser = html5ever::driver::parse_document(sink, Default::default());
    let mut rest = html;
    while !rest.is_empty() {
        let (chunk, tail) = rest.split_at(rest.ceil_char_boundary(CHUNK.min(rest.len())));
        parser.process(StrTendril::from_slice(chunk));
        if too_deep.get() {
            return Err(TooDeep);
        }
        rest = tail;
    }
    Ok(parser.finish())
}

/// scraper's tree sink, noting when a node lands deeper than [`MAX_DEPTH`].
struct DepthLimited {
    inner: HtmlTreeSink,
    too_deep: Rc<Cell<bool>>,
    /// The depths of the last parent appended to and of its newest child: the
    /// tree builder appends mostly to one of the two, so they are rarely counted.
    known: Cell<[(Option<NodeId>, usize); 2]>,
}

impl DepthLimited {
    /// Notes the depth of `child`, appended to `parent`. A parent not in `known`
    /// has its ancestors counted, never more than the cap, so a normal page pays
    /// a few steps now and then and a deep one no more than the cap.
    fn check_depth(&self, parent: &NodeId, child: &NodeId) {
        let known = self.known.get();
        let depth = match known.iter().find(|(id, _)| id.as_ref() == Some(parent)) {
            Some((_, depth)) => *depth,
            None => self
                .inner
                .0
                .borrow()
                .tree
                .get(*parent)
                .map_or(0, |node| node.ancestors().take(MAX_DEPTH).count()),
        };
        if depth >= MAX_DEPTH {
            self.too_deep.set(true);
        }
        self.known
            .set([(Some(*parent), depth), (Some(*child), depth + 1)]);
    }

    /// Nodes that move take their depths with them.
    fn forget_depths(&self) {
        self.known.set([(None, 0); 2]);
    }
}

impl TreeSink for DepthLimited {
    type Output = Html;
    type Handle = NodeId;
    type ElemName<'a> = Ref<'a, QualName>;

    fn finish(self) -> Html {
        self.inner.finish()
    }

    /// Nothing reads a page's parse errors, so they are not collected.
    fn parse_error(&self, _msg: Cow<'static, str>) {}

    fn get_document(&self) -> NodeId {
        self.inner.get_document()
    }

    fn elem_name<'a>(&'a self, target: &'a NodeId) -> Ref<'a, QualName> {
        self.inner.elem_name(target)
    }

    fn create_element(&self, name: QualName, attrs: Vec<Attribute>, flags: ElementFlags) -> NodeId {
        self.inner.create_element(name, attrs, flags)
    }

    fn create_comment(&self, text: StrTendril) -> NodeId {
        self.inner.create_comment(text)
    }

    fn create_pi(&self, target: StrTendril, data: StrTendril) -> NodeId {
        self.inner.create_pi(target, data)
    }

    fn append(&self, parent: &NodeId, child: NodeOrText<NodeId>) {
        if let NodeOrText::AppendNode(node) = &child {
            self.check_depth(parent, node);
        }
        self.inner.append(parent, child)
    }

    fn append_based_on_parent_node(
        &self,
        element: &NodeId,
        prev_element: &NodeId,
        child: NodeOrText<NodeId>,
    ) {
        self.forget_depths();
        self.inner
            .append_based_on_parent_node(element, prev_element, child)
    }

    fn append_doctype_to_document(
        &self,
        name: StrTendril,
        public_id: StrTendril,
        system_id: StrTendril,
    ) {
        self.inner
            .append_doctype_to_document(name, public_id, system_id)
    }

    fn mark_script_already_started(&self, node: &NodeId) {
        self.inner.mark_script_already_started(node)
    }

    fn get_template_contents(&self, target: &NodeId) -> NodeId {
        self.inner.get_template_contents(target)
    }

    fn same_node(&self, x: &NodeId, y: &NodeId) -> bool {
        self.inner.same_node(x, y)
    }

    fn set_quirks_mode(&self, mode: QuirksMode) {
        self.inner.set_quirks_mode(mode)
    }

    fn append_before_sibling(&self, sibling: &NodeId, new_node: NodeOrText<NodeId>) {
        self.forget_depths();
        self.inner.append_before_sibling(sibling, new_node)
    }

    fn add_attrs_if_missing(&self, target: &NodeId, attrs: Vec<Attribute>) {
        self.inner.add_attrs_if_missing(target, attrs)
    }

    fn remove_from_parent(&self, target: &NodeId) {
        self.forget_depths();
        self.inner.remove_from_parent(target)
    }

    fn reparent_children(&self, node: &NodeId, new_parent: &NodeId) {
        self.forget_depths();
        self.inner.reparent_children(node, new_parent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_table() {
        let nested = |tag: &str, n: usize| format!("<body>{}x", format!("<{tag}>").repeat(n));
        let cases = [
            ("<p>a<p>b<li>c<li>d".to_string(), true),
            (nested("div", 400), true),
            // Siblings are not nesting, however many.
            ("<div></div>".repeat(20_000), true),
            ("<p>x".repeat(20_000), true),
            (nested("div", 600), false),
            (nested("span", 600), false),
            // Quadratic before the cap existed: 5,000 unclosed divs.
            (nested("div", 5_000), false),
        ];
        for (html, parses) in cases {
            assert_eq!(parse_document(&html).is_ok(), parses, "{}", &html[..40]);
        }
    }

    #[test]
    fn the_tree_is_the_one_scraper_builds() {
        let html =
            "<!DOCTYPE html><title>t</title><table><tr><td>a<b>b<i>c</b>d</i></table><!-- c -->";
        let ours = parse_document(html).unwrap();
        assert_eq!(ours.html(), Html::parse_document(html).html());
        let long = format!("<p>{}</p>", "ä".repeat(3 * CHUNK));
        assert_eq!(
            parse_document(&long).unwrap().html(),
            Html::parse_document(&long).html(),
            "chunks split between characters, never inside one"
        );
    }
}
