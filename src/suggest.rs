//! `harava profile suggest`: a profile written from what the generic extractor
//! chose on a site's pages, as commented TOML to review and pin. Loaded as it
//! is, it reads the pages it was made from as the generic run did; unlike the
//! generic run, it keeps reading them the same way when the site's content
//! shifts, and it can be corrected where the guess was wrong.
//!
//! It sits above both the extractor it asks and the profile format it writes,
//! so that neither imports the other's caller.

use std::fmt::Write;

use scraper::Html;

use crate::error::Error;
use crate::extract::generic::{self, DetailChoice, ListingChoice};
use crate::page::Page;

/// A profile named `name` for pages like `pages` (listing and detail pages of
/// one site, in any order).
pub(crate) fn suggest(name: &str, pages: &[(Page, Html)]) -> Result<String, Error> {
    let mut listing: Option<(&Page, ListingChoice)> = None;
    let mut listing_documents: Vec<&Html> = Vec::new();
    for (page, document) in pages {
        if let Some(choice) = generic::listing_choice(page, document) {
            listing_documents.push(document);
            if listing.is_none() {
                listing = Some((page, choice));
            }
        }
    }
    let Some((listing_page, choice)) = listing else {
        return Err(Error::Suggest {
            message: "none of the pages is a listing the generic extractor can read (repeated entries, each with a date and a link); give a listing page, and a detail page of it".to_string(),
        });
    };
    let detail = pages.iter().find_map(|(_, document)| {
        if listing_documents.iter().any(|l| std::ptr::eq(*l, document)) {
            return None;
        }
        generic::detail_choice(document, &listing_documents)
    });
    Ok(render(name, listing_page, &choice, detail.as_ref()))
}

/// A TOML string literal.
fn quote(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

fn render(
    name: &str,
    page: &Page,
    listing: &ListingChoice,
    detail: Option<&DetailChoice>,
) -> String {
    // A profile matches its site by host without `www.`, as archives list it.
    let host = crate::url_key::site(&page.url);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# A profile suggested by `harava profile suggest` from {}.\n# Review every selector against the site's pages (harava extract --explain shows\n# what each one picks), then pin it: harava crawl --profile {name}.toml URL",
        page.url
    );
    let _ = writeln!(out, "name = {}", quote(name));
    let _ = writeln!(
        out,
        "description = {}\n",
        quote(&format!("Suggested from {}", page.url))
    );
    let _ = writeln!(out, "[match]");
    if host.is_empty() {
        let _ = writeln!(
            out,
            "# The pages were files: name the site's host here.\n# hosts = [\"www.example.fi\"]\n"
        );
    } else {
        let _ = writeln!(out, "hosts = [{}]\n", quote(&host));
    }
    let _ = writeln!(out, "[listing]");
    let _ = writeln!(out, "# One element per meeting, repeated down the listing.");
    let _ = writeln!(out, "entry = {}", quote(&listing.entry));
    let field = |out: &mut String, key: &str, why: &str, value: &Option<String>| match value {
        Some(selector) => {
            let _ = writeln!(out, "# {why}\n{key} = {}", quote(selector));
        }
        None => {
            let _ = writeln!(
                out,
                "# {why}: nothing found; add a selector if the site has one\n# {key} = \"\""
            );
        }
    };
    field(&mut out, "title", "The entry's title", &listing.title);
    field(&mut out, "posted", "The post date", &listing.posted);
    field(&mut out, "category", "The category", &listing.category);
    field(
        &mut out,
        "summary",
        "The block of the entry's text",
        &listing.summary,
    );
    if !listing.summary_exclude.is_empty() {
        let excluded: Vec<String> = listing.summary_exclude.iter().map(|s| quote(s)).collect();
        let _ = writeln!(
            out,
            "# Parts of that block that are not text: links already read as fields\nsummary_exclude = [{}]",
            excluded.join(", ")
        );
    }
    field(
        &mut out,
        "documents",
        "Links to the meeting's documents",
        &listing.documents,
    );
    field(
        &mut out,
        "detail_link",
        "The link to the entry's own page",
        &listing.detail_link,
    );
    field(
        &mut out,
        "comment_count",
        "The comment count",
        &listing.comment_count,
    );
    match &listing.organ {
        Some(trail) => {
            let _ = writeln!(
                out,
                "# The organ: the last step of the breadcrumb\norgan = {{ selector = {}, pattern = {} }}",
                quote(trail),
                quote(r"(?P<value>[^\n›»/|>]+?)\s*\z")
            );
        }
        None => {
            let _ = writeln!(
                out,
                "# The organ: no breadcrumb found; without it, the title less its date\n# organ = \"\""
            );
        }
    }
    if let Some((selector, text)) = &listing.next_page {
        let _ = writeln!(
            out,
            "\n[listing.next_page]\n# The link to the next, older page of the listing\nselector = {}\ntext = [{}]",
            quote(selector),
            quote(text)
        );
    }
    let _ = writeln!(out, "\n[detail]");
    match detail {
        Some(detail) => {
            match detail.markers.first() {
                Some(marker) => {
                    let _ = writeln!(
                        out,
                        "# What only the entries' own pages have\npage = {}",
                        quote(marker)
                    );
                }
                None => {
                    let _ = writeln!(
                        out,
                        "# Nothing tells the entries' own pages from listings; a crawl reads\n# them as detail pages anyway, since entries link to them.\n# page = \"\""
                    );
                }
            }
            let _ = writeln!(
                out,
                "# The block with the page's text\nbody = {}",
                quote(&detail.body)
            );
            if let Some(documents) = &listing.documents {
                let _ = writeln!(out, "documents = {}", quote(documents));
            }
        }
        None => {
            let _ = writeln!(
                out,
                "# No detail page was given: run the suggestion on a listing page and one\n# of its entries' pages to fill this in.\n# page = \"\"\n# body = \"\""
            );
        }
    }
    out
}
