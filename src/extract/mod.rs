//! Pages to entries: applies a profile's selectors to a page.
//!
//! A listing page yields its entries and its "older posts" links; a detail page
//! yields the full text of one entry. Nothing here fails: what cannot be extracted
//! becomes a warning on the entry, so a broken page loses a field, never a record.

mod parse;
mod text;

pub use parse::{MAX_DEPTH, TooDeep, parse_document};
pub use text::collapse_whitespace;

use chrono::NaiveDate;
use scraper::{ElementRef, Html, Selector};

use crate::dates::{self, Precision};
use crate::page::{Link, Page};
use crate::profile::Profile;
use crate::record::Document;

/// What a page turned out to be.
#[derive(Debug)]
pub enum Extracted {
    Listing(ListingPage),
    Detail(DetailPage),
    /// Neither entries nor a detail body: an index page, an error page, …
    Other,
}

#[derive(Debug)]
pub struct ListingPage {
    pub entries: Vec<Entry>,
    pub next: Vec<Link>,
}

/// One meeting as the listing shows it.
#[derive(Debug, Clone)]
pub struct Entry {
    pub organ: Option<String>,
    pub title: Option<String>,
    pub published_date: Option<NaiveDate>,
    pub meeting_date: Option<NaiveDate>,
    pub category: Option<String>,
    pub summary: Option<String>,
    pub documents: Vec<Document>,
    pub detail: Option<Link>,
    pub comment_count: Option<u32>,
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct DetailPage {
    pub body: Option<String>,
    pub documents: Vec<Document>,
    pub warnings: Vec<String>,
}

/// Extracts whatever `page` holds by `profile`'s rules. A page nested too deep
/// to parse in reasonable time is given up on and reads as neither a listing nor
/// a detail page; callers that report it parse with [`parse_document`] first.
pub fn extract(page: &Page, profile: &Profile) -> Extracted {
    match parse_document(&page.html) {
        Ok(document) => extract_document(page, &document, profile),
        Err(e) => {
            tracing::warn!("{}: {e}", page.url);
            Extracted::Other
        }
    }
}

/// As [`extract`], for a document the caller has parsed already.
pub fn extract_document(page: &Page, document: &Html, profile: &Profile) -> Extracted {
    if profile.is_detail_page(document) {
        return Extracted::Detail(detail_page(page, document, profile));
    }
    let listing = listing(page, document, profile);
    if listing.entries.is_empty() && listing.next.is_empty() {
        Extracted::Other
    } else {
        Extracted::Listing(listing)
    }
}

fn listing(page: &Page, document: &Html, profile: &Profile) -> ListingPage {
    let rules = &profile.listing;
    let organ = rules
        .organ
        .as_ref()
        .and_then(|s| document.select(s).next())
        .map(text::element_text)
        .filter(|t| !t.is_empty());
    let entries = document
        .select(&rules.entry)
        .map(|element| entry(page, element, profile, organ.clone()))
        .collect();
    let mut next: Vec<Link> = Vec::new();
    if rules.next_page.is_some() {
        let anchors = Selector::parse("a[href]").expect("static selector");
        for anchor in document.select(&anchors) {
            if profile.is_next_link(&anchor)
                && let Some(link) = anchor.attr("href").and_then(|h| page.resolve(h))
                && !next.contains(&link)
            {
                next.push(link);
            }
        }
    }
    ListingPage { entries, next }
}

fn entry(page: &Page, element: ElementRef, profile: &Profile, page_organ: Option<String>) -> Entry {
    let rules = &profile.listing;
    let mut warnings = page.warnings.clone();
    let field_text = |selector: &Option<Selector>| -> Option<String> {
        selector
            .as_ref()
            .and_then(|s| element.select(s).next())
            .map(text::element_text)
            .filter(|t| !t.is_empty())
    };

    let title = field_text(&rules.title);
    if title.is_none() && rules.title.is_some() {
        warnings.push("title: the entry has no title element, or it is empty".to_string());
    }

    let posted = field_text(&rules.posted);
    let published_date = posted.as_deref().and_then(|text| first_day(text, None));
    match (&posted, published_date) {
        (Some(text), None) => warnings.push(format!("published_date: no date found in {text:?}")),
        (None, _) if rules.posted.is_some() => {
            warnings.push("published_date: the entry has no post date element".to_string())
        }
        _ => {}
    }

    let title_date = title
        .as_deref()
        .and_then(|t| first_day_match(t, published_date));
    let meeting_date = title_date.as_ref().map(|m| m.start).or(published_date);
    let organ = page_organ.or_else(|| {
        let title = title.as_deref()?;
        let without_date = match &title_date {
            Some(m) => format!("{}{}", &title[..m.span.start], &title[m.span.end..]),
            None => title.to_string(),
        };
        let organ = collapse_whitespace(&without_date)
            .trim_matches(|c: char| c.is_whitespace() || ",.:;–—-".contains(c))
            .to_string();
        (!organ.is_empty()).then_some(organ)
    });

    let summary = rules.summary.as_ref().and_then(|s| {
        let paragraphs: Vec<String> = element
            .select(s)
            .flat_map(|root| text::paragraphs(root, &rules.summary_exclude))
            .collect();
        (!paragraphs.is_empty()).then(|| paragraphs.join("\n\n"))
    });
    if summary.is_none() && rules.summary.is_some() {
        warnings.push("summary: the entry has no summary text".to_string());
    }

    let comment_count = match field_text(&rules.comment_count) {
        Some(text) => {
            let count = parse_comment_count(&text);
            if count.is_none() {
                warnings.push(format!("comment_count: no count in {text:?}"));
            }
            count
        }
        None => {
            if rules.comment_count.is_some() {
                warnings.push("comment_count: the entry has no comment count element".to_string());
            }
            None
        }
    };

    let category = field_text(&rules.category);
    if category.is_none() && rules.category.is_some() {
        warnings.push("category: the entry has no category element, or it is empty".to_string());
    }

    let detail = rules
        .detail_link
        .as_ref()
        .and_then(|s| element.select(s).next())
        .and_then(|a| a.attr("href"))
        .and_then(|href| page.resolve(href));
    if detail.is_none() && rules.detail_link.is_some() {
        warnings.push("detail_url: the entry has no detail link".to_string());
    }

    Entry {
        organ,
        title,
        published_date,
        meeting_date,
        category,
        summary,
        documents: documents(page, element, rules.documents.as_ref()),
        detail,
        comment_count,
        warnings,
    }
}

/// Reads `page`, parsed as `document`, as a detail page, whatever it looks like: the
/// crawler reached it through an entry's "read more" link, so that is what it is.
pub fn detail_page(page: &Page, document: &Html, profile: &Profile) -> DetailPage {
    let rules = &profile.detail;
    let mut warnings = page.warnings.clone();
    let body = rules.body.as_ref().and_then(|s| {
        let paragraphs: Vec<String> = document
            .select(s)
            .flat_map(|root| text::paragraphs(root, &rules.body_exclude))
            .collect();
        (!paragraphs.is_empty()).then(|| paragraphs.join("\n\n"))
    });
    if body.is_none() && rules.body.is_some() {
        warnings.push(format!(
            "body: the detail page {} has no body text",
            page.url
        ));
    }
    DetailPage {
        body,
        documents: documents(page, document.root_element(), rules.documents.as_ref()),
        warnings,
    }
}

fn documents(page: &Page, scope: ElementRef, selector: Option<&Selector>) -> Vec<Document> {
    let Some(selector) = selector else {
        return Vec::new();
    };
    let mut out: Vec<Document> = Vec::new();
    for anchor in scope.select(selector) {
        let Some(link) = anchor.attr("href").and_then(|h| page.resolve(h)) else {
            continue;
        };
        let url = link.original.to_string();
        if out.iter().any(|d| d.url == url) {
            continue;
        }
        let mut title = text::element_text(anchor);
        if title.is_empty() {
            title = anchor
                .attr("title")
                .map(collapse_whitespace)
                .unwrap_or_default();
        }
        out.push(Document { title, url });
    }
    out
}

fn first_day_match(text: &str, context: Option<NaiveDate>) -> Option<dates::DateMatch> {
    dates::scan(text, context)
        .into_iter()
        .find(|m| m.precision == Precision::Day)
}

fn first_day(text: &str, context: Option<NaiveDate>) -> Option<NaiveDate> {
    first_day_match(text, context).map(|m| m.start)
}

/// "0 Kommenttia", "1 kommentti", "3 Comments", "Ei kommentteja", "Inga kommentarer".
fn parse_comment_count(text: &str) -> Option<u32> {
    let digits: String = text
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(|c| c.is_ascii_digit())
        .collect();
    if !digits.is_empty() {
        return digits.parse().ok();
    }
    let lower = text.to_lowercase();
    [
        "ei kommentteja",
        "no comments",
        "inga kommentarer",
        "kommentoi ensimmäisenä",
    ]
    .iter()
    .any(|none| lower.contains(none))
    .then_some(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comment_counts() {
        let cases = [
            ("0 Kommenttia", Some(0)),
            ("1 kommentti", Some(1)),
            ("12 Comments", Some(12)),
            ("Ei kommentteja", Some(0)),
            ("Inga kommentarer", Some(0)),
            ("Kommentoi", None),
        ];
        for (input, expected) in cases {
            assert_eq!(parse_comment_count(input), expected, "{input}");
        }
    }

    #[test]
    fn a_page_nested_too_deep_reads_as_neither_listing_nor_detail() {
        let profile = crate::profile::bundled().remove(0);
        let url = url::Url::parse("https://www.uusimaa2019.fi/syva/").unwrap();
        let html = format!(
            "<body class=single-post><main><article><div class=entry-content>{}x",
            "<div>".repeat(MAX_DEPTH + 10)
        );
        let page = Page::new(url.clone(), url, html);
        assert!(matches!(extract(&page, &profile), Extracted::Other));
    }
}
