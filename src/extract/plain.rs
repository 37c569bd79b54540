//! Plain-text renderings of listing pages: a page saved as text, or the
//! `conversion` records of a WET file. The markup is gone, so entries are found
//! by how such text reads: the post date runs straight into the title
//! ("13.9.2017Kuntajohtajakokous 13.9.2017"), the category follows on a short
//! line of its own, documents are lines starting with "> ", the paragraphs come
//! next, and the entry ends with its footer ("Lue lisää | 0 Kommenttia |
//! Kommentoi"), the next entry or the "older posts" line.

use regex::Regex;

use super::Document;
use super::{Entry, ListingPage, first_day, first_day_match};
use crate::page::Page;
use crate::text::collapse_whitespace;

/// The name records read from text carry in `profile`.
pub(crate) const TEXT: &str = "text";

/// Lines that end a listing's entries: its pagination.
const NAVIGATION: &[&str] = &[
    "vanhemmat",
    "uudemmat",
    "seuraava",
    "edellinen",
    "edelliset",
    "äldre",
    "nyare",
    "nästa",
    "older",
    "newer",
    "next",
    "previous",
];

/// The entries of a listing rendered as `text`; `page` is where it was read.
pub(crate) fn listing(text: &str, page: &Page) -> ListingPage {
    let start = Regex::new(r"(\d{1,2}\.\d{1,2}\.\d{4})(\p{Lu}.*)$").expect("static pattern");
    let footer = Regex::new(
        r"(?i)(?:lue lisää|läs mer|read more)\s*\|\s*(\d+|ei)\s*\p{L}*\s*(?:\|\s*\p{L}+\s*)?$",
    )
    .expect("static pattern");
    let mut entries: Vec<Entry> = Vec::new();
    let mut current: Option<(String, String, Vec<String>)> = None;
    for line in text.lines() {
        let trimmed = line.trim();
        if let Some(found) = start.captures(trimmed).filter(|c| !footer.is_match(&c[2])) {
            entries.extend(current.take().map(|c| entry(c, page, &footer)));
            current = Some((found[1].to_string(), found[2].to_string(), Vec::new()));
            continue;
        }
        let lower = trimmed.to_lowercase();
        if NAVIGATION.contains(&lower.trim_matches(|c: char| !c.is_alphanumeric())) {
            entries.extend(current.take().map(|c| entry(c, page, &footer)));
            continue;
        }
        if let Some((_, _, lines)) = current.as_mut() {
            lines.push(line.to_string());
        }
    }
    entries.extend(current.take().map(|c| entry(c, page, &footer)));
    ListingPage {
        entries,
        next: Vec::new(),
    }
}

fn entry(
    (posted, title, lines): (String, String, Vec<String>),
    page: &Page,
    footer: &Regex,
) -> Entry {
    let mut warnings = page.warnings.clone();
    let title = collapse_whitespace(&title);
    let published_date = first_day(&posted, None);
    let title_date = first_day_match(&title, published_date);
    let meeting_date = title_date.as_ref().map(|m| m.start).or(published_date);
    let organ = {
        let without = match &title_date {
            Some(m) => title.replacen(&m.text, "", 1),
            None => title.clone(),
        };
        let organ = collapse_whitespace(&without)
            .trim_matches(|c: char| c.is_whitespace() || ",.:;–—-".contains(c))
            .to_string();
        (!organ.is_empty()).then_some(organ)
    };
    let mut lines: Vec<String> = lines
        .iter()
        .map(|l| collapse_whitespace(l))
        .filter(|l| !l.is_empty())
        .collect();
    // The footer ends the entry, on its own line or glued to the last one.
    let mut comment_count = None;
    if let Some(last) = lines.last_mut()
        && let Some(found) = footer.captures(last)
    {
        comment_count = match &found[1] {
            n if n.eq_ignore_ascii_case("ei") => Some(0),
            n => n.parse().ok(),
        };
        let start = found.get(0).map_or(last.len(), |m| m.start());
        last.truncate(start);
        *last = collapse_whitespace(last);
        if last.is_empty() {
            lines.pop();
        }
    }
    let mut rest = lines.into_iter().peekable();
    // A short line without a sentence's end right after the title names the category.
    let category = rest
        .next_if(|l| !l.starts_with("> ") && l.chars().count() <= 40 && !l.ends_with('.'))
        .filter(|l| !l.is_empty());
    let mut documents = Vec::new();
    let mut paragraphs = Vec::new();
    for line in rest {
        match line.strip_prefix("> ") {
            Some(title) if paragraphs.is_empty() => documents.push(Document {
                title: title.to_string(),
                // Text keeps the link's words, not its address.
                url: String::new(),
            }),
            _ => paragraphs.push(line),
        }
    }
    if comment_count.is_none() {
        warnings.push(
            "comment_count: the entry has no \"Lue lisää | N Kommenttia\" footer".to_string(),
        );
    }
    Entry {
        organ,
        title: Some(title),
        published_date,
        meeting_date,
        meeting_time: title_date
            .as_ref()
            .and_then(|m| m.time.map(|t| t.format("%H:%M").to_string())),
        document_type: None,
        category,
        summary: (!paragraphs.is_empty()).then(|| paragraphs.join("\n\n")),
        documents,
        detail: None,
        comment_count,
        system_id: None,
        warnings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page() -> Page {
        let url = url::Url::parse("file:///seed.txt").unwrap();
        Page::new(url.clone(), url, String::new())
    }

    #[test]
    fn the_seed_texts_give_their_meetings() {
        let kjk = listing(
            include_str!("../../tests/data/seeds/000_98898b9ca9e9c7a7.txt"),
            &page(),
        );
        let sjr = listing(
            include_str!("../../tests/data/seeds/003_a2652a4d72fdb76d.txt"),
            &page(),
        );
        assert_eq!((kjk.entries.len(), sjr.entries.len()), (9, 10));
        let first = &kjk.entries[0];
        assert_eq!(first.title.as_deref(), Some("Kuntajohtajakokous 13.9.2017"));
        assert_eq!(first.organ.as_deref(), Some("Kuntajohtajakokous"));
        assert_eq!(first.category.as_deref(), Some("Muistiot"));
        assert_eq!(first.comment_count, Some(0));
        assert_eq!(
            first.documents,
            [Document {
                title: "Kuntajohtajakokouksen kokousasiakirjat".into(),
                url: String::new()
            }]
        );
        assert!(
            first
                .summary
                .as_deref()
                .unwrap()
                .ends_with("tekee näistä itse aikanaan päätökset.")
        );
        assert_eq!(first.warnings, Vec::<String>::new());
    }
}
