//! The second yardstick of `scripts/bench-extract.sh`: what parsing and then
//! reading the profile's fields with scraper's own `select` costs. Reads every
//! HTML file under the given directories as `parse_only` does, parses it with
//! html5ever into scraper's tree, and selects the fields of the Uusimaa 2019
//! profile (`selectors/uusimaa2019.toml`, the profile of the benchmark's pages)
//! as `harava extract` reads them (the first match, or every match of the
//! fields that take several), keeping each match's text and `href`; prints how
//! many pages it parsed and how many values it kept.
//!
//! No text is normalized or left out (`summary_exclude`), no date read, no
//! record built, paired or written, and the profile is taken as given, as
//! harava takes it by the pages' host: this is the plain way to read the
//! fields, without harava's page index.
//!
//!     cargo run --release --example parse_select -- DIR...

use std::hint::black_box;

use scraper::{ElementRef, Html, Selector};

#[path = "yardstick/pages.rs"]
mod pages;

// The allocator of src/main.rs.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const PROFILE: &str = include_str!("../selectors/uusimaa2019.toml");

/// The listing fields read from the whole page rather than from each entry.
const PAGE_FIELDS: [&str; 2] = ["organ", "next_page"];

/// The fields that take every match; the others take the first.
const MANY: [&str; 4] = ["summary", "documents", "next_page", "body"];

/// The listing fields that are no selection of their own.
const NOT_FIELDS: [&str; 2] = ["entry", "summary_exclude"];

/// A field's selector: the value itself, or a table's `selector`.
fn selector(value: &toml::Value) -> Selector {
    let text = match value {
        toml::Value::String(text) => text.as_str(),
        toml::Value::Table(table) => table["selector"].as_str().expect("a selector string"),
        other => panic!("a field of the profile is not a selector: {other}"),
    };
    Selector::parse(text).expect("the profile's selectors parse")
}

/// The selectors of `section`'s fields named by `keep`, each with whether it
/// takes every match.
fn fields(section: &toml::Table, keep: impl Fn(&str) -> bool) -> Vec<(Selector, bool)> {
    section
        .iter()
        .filter(|(name, _)| keep(name))
        .map(|(name, value)| (selector(value), MANY.contains(&name.as_str())))
        .collect()
}

/// Keeps the text and the `href` of what `fields` match under `root`.
fn read(root: ElementRef, fields: &[(Selector, bool)], values: &mut Vec<String>) {
    for (selector, many) in fields {
        let matches = root
            .select(selector)
            .take(if *many { usize::MAX } else { 1 });
        for matched in matches {
            values.push(matched.text().collect());
            if let Some(href) = matched.value().attr("href") {
                values.push(href.to_string());
            }
        }
    }
}

fn main() {
    let dirs: Vec<String> = std::env::args().skip(1).collect();
    if dirs.is_empty() {
        eprintln!("usage: parse_select DIR...");
        std::process::exit(2);
    }
    let profile: toml::Table = PROFILE.parse().expect("the profile is TOML");
    let section = |name: &str| profile[name].as_table().expect("a table");
    let (listing, detail) = (section("listing"), section("detail"));
    let entry = selector(&listing["entry"]);
    let entry_fields = fields(listing, |name| {
        !NOT_FIELDS.contains(&name) && !PAGE_FIELDS.contains(&name)
    });
    let page_fields = fields(listing, |name| PAGE_FIELDS.contains(&name));
    let detail_page = selector(&detail["page"]);
    let detail_fields = fields(detail, |name| name != "page");

    let (mut parsed, mut kept) = (0u64, 0usize);
    let mut values = Vec::new();
    for bytes in pages::html_files(&dirs) {
        let html = String::from_utf8_lossy(&bytes);
        let document = Html::parse_document(&html);
        let root = document.root_element();
        values.clear();
        if root.select(&detail_page).next().is_some() {
            read(root, &detail_fields, &mut values);
        } else {
            read(root, &page_fields, &mut values);
            for each in root.select(&entry) {
                read(each, &entry_fields, &mut values);
            }
        }
        kept += black_box(&values).len();
        parsed += 1;
    }
    println!("{parsed} {kept}");
}
