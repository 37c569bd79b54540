//! Reading a profile's [`Field`]s: the first element a selector matches — the
//! entry itself (`:scope`), in the entry, or anywhere on the page — its text (with a line break wherever `<br>` or
//! a block element breaks it, so a pattern can pick one line of a header such as
//! "Kaupunginhallitus<br>Pöytäkirja 08.05.2017 klo 15:30"), an attribute or its
//! HTML comments, cut down to what the field's pattern keeps.

use ego_tree::iter::Edge;
use scraper::{ElementRef, Html, Node};

use super::text::{is_block, is_invisible};
use crate::css::Select;
use crate::profile::{Field, Read, Scope};
use crate::text::collapse_whitespace;

/// The field's value for the entry `entry` (`None` on a detail page, where the
/// page is the entry) of `document`, whitespace collapsed; `None` when nothing
/// matches, or the pattern keeps nothing.
pub(super) fn value(field: &Field, entry: Option<ElementRef>, document: &Html) -> Option<String> {
    let raw = raw(field, entry, document)?;
    let kept = match &field.pattern {
        None => raw,
        Some(pattern) => {
            let captures = pattern.captures(&raw)?;
            captures
                .name("value")
                .or_else(|| captures.get(0))?
                .as_str()
                .to_string()
        }
    };
    Some(collapse_whitespace(&kept)).filter(|v| !v.is_empty())
}

/// What the field reads of its element, before the pattern: lines of text, an
/// attribute's value or the comments' text.
fn raw(field: &Field, entry: Option<ElementRef>, document: &Html) -> Option<String> {
    let element = match (field.scope, entry) {
        // `:scope` (or any selector the entry itself matches) is the entry: a
        // whole row whose cells may come in any order.
        (Scope::Entry, Some(entry)) if crate::css::matches(&field.selector, entry, Some(entry)) => {
            Some(entry)
        }
        (Scope::Entry, Some(entry)) => entry.find_first(&field.selector),
        _ => document.find_first(&field.selector),
    }?;
    match &field.read {
        Read::Text => Some(lines(element)),
        Read::Attr(name) => element.attr(name).map(str::to_string),
        Read::Comments => {
            let comments: Vec<&str> = element
                .descendants()
                .filter_map(|node| match node.value() {
                    Node::Comment(comment) => Some(comment.trim()),
                    _ => None,
                })
                .collect();
            (!comments.is_empty()).then(|| comments.join("\n"))
        }
    }
}

/// An element's visible text, one line per line break, each line's whitespace
/// collapsed and empty lines dropped. Walks the tree by its edges, so no depth
/// of nesting can exhaust the stack.
pub(super) fn lines(element: ElementRef) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut hidden_depth = 0usize;
    let end_line = |current: &mut String, out: &mut Vec<String>| {
        let line = collapse_whitespace(current);
        if !line.is_empty() {
            out.push(line);
        }
        current.clear();
    };
    for edge in element.traverse() {
        match edge {
            Edge::Open(node) => match node.value() {
                Node::Element(e) if is_invisible(e) => hidden_depth += 1,
                Node::Element(e) if hidden_depth == 0 && (e.name() == "br" || is_block(e)) => {
                    end_line(&mut current, &mut out);
                }
                Node::Text(text) if hidden_depth == 0 => current.push_str(text),
                _ => {}
            },
            Edge::Close(node) => match node.value() {
                Node::Element(e) if is_invisible(e) => hidden_depth -= 1,
                Node::Element(e) if hidden_depth == 0 && is_block(e) => {
                    end_line(&mut current, &mut out);
                }
                _ => {}
            },
        }
    }
    end_line(&mut current, &mut out);
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Profile;

    fn profile(listing_fields: &str) -> Profile {
        let text = format!("name = \"t\"\n[listing]\nentry = \"tr\"\n{listing_fields}");
        Profile::from_toml(&text, "t.toml").unwrap()
    }

    #[test]
    fn fields_read_text_lines_attributes_and_comments() {
        let html = Html::parse_document(
            "<label class=h3><!-- RSPEAK_START -->Kaupunginhallitus<br>Pöytäkirja 08.05.2017 klo 15:30 / Tarkastettu<!-- RSPEAK_STOP --></label>\
             <table><tr><!--2017-05-08--><td class=d>&nbsp;&nbsp;08.05.2017&nbsp;&nbsp;</td>\
             <td><a href=\"/k/2017406946.HTM\">Pöytäkirja</a></td><td>Kaupunginhallitus: 5/2017</td></tr></table>",
        );
        let row = html
            .select(&scraper::Selector::parse("tr").unwrap())
            .next()
            .unwrap();
        let cases = [
            (
                r#"organ = "label.h3""#,
                Some("Kaupunginhallitus Pöytäkirja 08.05.2017 klo 15:30 / Tarkastettu"),
            ),
            (
                r#"organ = { selector = "label.h3", pattern = "^(?P<value>.+)" }"#,
                Some("Kaupunginhallitus"),
            ),
            (
                r#"document_type = { selector = "label.h3", scope = "page", pattern = "(?m)^(?P<value>Pöytäkirja|Esityslista|Lisälista(?: [0-9]+)?)( |$)" }"#,
                Some("Pöytäkirja"),
            ),
            (r#"meeting_date = "td.d""#, Some("08.05.2017")),
            (
                r#"meeting_date = { selector = "tr", comments = true }"#,
                Some("2017-05-08"),
            ),
            (
                r#"document_type = { selector = "a", attr = "href", pattern = "([0-9]+)\\.HTM" }"#,
                Some("2017406946.HTM"),
            ),
            (
                r#"organ = { selector = "td:nth-child(3)", scope = "entry", pattern = "^(?P<value>[^:]+):" }"#,
                Some("Kaupunginhallitus"),
            ),
            (
                r#"organ = { selector = "td:nth-child(3)", scope = "entry", pattern = "^Lautakunta" }"#,
                None,
            ),
            (
                r#"organ = { selector = "td.missing", scope = "entry" }"#,
                None,
            ),
        ];
        for (toml, expected) in cases {
            let profile = profile(&format!("{toml}\n"));
            let rules = &profile.listing;
            let field = [&rules.organ, &rules.meeting_date, &rules.document_type]
                .into_iter()
                .flatten()
                .next()
                .unwrap();
            assert_eq!(
                value(field, Some(row), &html).as_deref(),
                expected,
                "{toml}"
            );
        }
    }

    #[test]
    fn lines_break_at_br_and_blocks_and_skip_scripts() {
        let html = Html::parse_document(
            "<div id=x>Kaupunginhallitus: 5/2017<br>27.3.2017 15:00<br>Pöytäkirja<script>var a;</script><p>Liite</p>ja  muuta</div>",
        );
        let div = html
            .select(&scraper::Selector::parse("#x").unwrap())
            .next()
            .unwrap();
        assert_eq!(
            lines(div),
            "Kaupunginhallitus: 5/2017\n27.3.2017 15:00\nPöytäkirja\nLiite\nja muuta"
        );
    }

    #[test]
    fn lines_survive_deep_nesting() {
        let html = Html::parse_document(&format!("<div id=x>{}deep", "<span>".repeat(50_000)));
        let div = html
            .select(&scraper::Selector::parse("#x").unwrap())
            .next()
            .unwrap();
        assert_eq!(lines(div), "deep");
    }
}
