//! Text as a reader sees it: paragraphs of collapsed whitespace, without the
//! markup's boilerplate.

use ego_tree::NodeId;
use ego_tree::iter::Edge;
use html5ever::{LocalName, local_name};
use scraper::ElementRef;
use scraper::node::{Element, Node};

use crate::css::Selector;

use crate::text::collapse_whitespace;

/// Elements that start a new paragraph. Names are atoms, so telling whether an
/// element is one compares integers, not strings: every element of every text
/// is asked on its way in and out.
static BLOCKS: [LocalName; 33] = [
    local_name!("address"),
    local_name!("article"),
    local_name!("aside"),
    local_name!("blockquote"),
    local_name!("dd"),
    local_name!("details"),
    local_name!("div"),
    local_name!("dl"),
    local_name!("dt"),
    local_name!("figcaption"),
    local_name!("figure"),
    local_name!("footer"),
    local_name!("form"),
    local_name!("h1"),
    local_name!("h2"),
    local_name!("h3"),
    local_name!("h4"),
    local_name!("h5"),
    local_name!("h6"),
    local_name!("header"),
    local_name!("hr"),
    local_name!("li"),
    local_name!("main"),
    local_name!("nav"),
    local_name!("ol"),
    local_name!("p"),
    local_name!("pre"),
    local_name!("section"),
    local_name!("table"),
    local_name!("td"),
    local_name!("th"),
    local_name!("tr"),
    local_name!("ul"),
];

/// Elements whose text is never reader-visible content.
static INVISIBLE: [LocalName; 10] = [
    local_name!("script"),
    local_name!("style"),
    local_name!("noscript"),
    local_name!("template"),
    local_name!("iframe"),
    local_name!("object"),
    local_name!("svg"),
    local_name!("button"),
    local_name!("select"),
    local_name!("textarea"),
];

/// Whether `element` starts a new paragraph.
pub(super) fn is_block(element: &Element) -> bool {
    BLOCKS.contains(&element.name.local)
}

/// Whether `element`'s text is never reader-visible content.
pub(super) fn is_invisible(element: &Element) -> bool {
    INVISIBLE.contains(&element.name.local)
}

/// The collapsed text of an element.
pub(super) fn element_text(element: ElementRef) -> String {
    // Titles and link texts may be kept until the end of a run: no slack.
    let mut text = collapse_whitespace(&element.text().collect::<String>());
    text.shrink_to_fit();
    text
}

/// The paragraphs of an element's text, skipping subtrees that match `exclude`.
///
/// The tree is walked by its open and close edges, not by recursion: a page of
/// thousands of nested unclosed elements would otherwise overflow the stack.
pub(super) fn paragraphs(root: ElementRef, exclude: &[Selector]) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    // The element whose subtree is being passed over, until its close edge.
    let mut skipping: Option<NodeId> = None;
    for edge in root.traverse().skip(1) {
        match edge {
            Edge::Open(node) if skipping.is_none() => match node.value() {
                Node::Text(text) => current.push_str(text),
                Node::Element(e) => {
                    let Some(element) = ElementRef::wrap(node) else {
                        continue;
                    };
                    if is_invisible(e)
                        || exclude
                            .iter()
                            .any(|s| crate::css::matches(s, element, None))
                    {
                        skipping = Some(node.id());
                    } else if e.name.local == local_name!("br") {
                        current.push(' ');
                        skipping = Some(node.id());
                    } else if is_block(e) {
                        flush(&mut current, &mut out);
                    }
                }
                _ => {}
            },
            Edge::Open(_) => {}
            Edge::Close(node) => {
                if skipping == Some(node.id()) {
                    skipping = None;
                } else if skipping.is_none()
                    && let Node::Element(e) = node.value()
                    && is_block(e)
                {
                    flush(&mut current, &mut out);
                }
            }
        }
    }
    flush(&mut current, &mut out);
    out
}

fn flush(current: &mut String, out: &mut Vec<String>) {
    let text = collapse_whitespace(current);
    if !text.is_empty() {
        out.push(text);
    }
    current.clear();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::css::Select;
    use scraper::Html;

    #[test]
    fn paragraphs_skip_excluded_and_invisible_parts() {
        let html = Html::parse_fragment(
            "<div><p class=docs>&gt; <a>Asiakirjat</a></p><p>&nbsp;</p><p>Eka\n  kappale.</p>\
             <p>Toka<br>rivi.<a class=more>Lue lisää</a></p><script>x()</script><ul><li>a</li><li>b</li></ul></div>",
        );
        let root = (&html)
            .find_first(&Selector::parse("div").unwrap())
            .unwrap();
        let exclude = [
            Selector::parse(".docs").unwrap(),
            Selector::parse(".more").unwrap(),
        ];
        assert_eq!(
            paragraphs(root, &exclude),
            vec!["Eka kappale.", "Toka rivi.", "a", "b"]
        );
    }

    #[test]
    fn deeply_nested_elements_do_not_overflow_the_stack() {
        // Spans, because html5ever nests them in linear time (nested divs are
        // quadratic); 100,000 levels overflowed the recursive walk.
        let depth = 100_000;
        let html = Html::parse_fragment(&format!("<div>{}x", "<span>".repeat(depth)));
        let root = (&html)
            .find_first(&Selector::parse("div").unwrap())
            .unwrap();
        assert_eq!(paragraphs(root, &[]), vec!["x"]);
    }
}
