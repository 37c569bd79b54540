//! Random HTML through the extractor: markup built from the pieces listing
//! pages are made of (the bundled profile's classes among them, nested,
//! unclosed and misnested at random) never makes extraction panic, and every
//! record it yields keeps the record's promises.

use proptest::prelude::*;
use url::Url;

use super::{Extracted, extract};
use crate::page::Page;
use crate::profile;
use crate::record::Record;

/// Elements with the classes the bundled profile selects on, so that random
/// pages often hold entries and the field code runs, not only the parser.
const OPEN: [&str; 14] = [
    "<main>",
    "<article class=\"post type-post\">",
    "<h2 class=\"entry-title\"><a href=\"/muistiot/kokous/\">",
    "<div class=\"entry-meta\"><span class=\"posted-on\">",
    "<span class=\"cat-links\"><a rel=\"category tag\" href=\"/c/\">",
    "<div class=\"entry-content\">",
    "<p>",
    "<div class=\"entry-documents\"><a href=\"/d.pdf\">",
    "<span class=\"comments-link\">",
    "<nav class=\"posts-navigation\"><a href=\"/page/2/\">",
    "<table><tr><td>",
    "<ul><li>",
    "<script>",
    "<!--",
];
const CLOSE: [&str; 8] = [
    "</a>",
    "</p>",
    "</div>",
    "</article>",
    "</span>",
    "</td></tr></table>",
    "-->",
    "</main>",
];
const TEXT: [&str; 10] = [
    "Kuntajohtajakokous 10.5.2017",
    "8.5.2017",
    "ke 13.9.",
    "Muistiot",
    "Vanhemmat",
    "0 Kommenttia",
    "Lue lisää",
    " \u{a0}\t\n",
    "&amp; &lt;x&gt; &#8211;",
    "Päätös ääni öljy",
];

fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        (0..OPEN.len()).prop_map(|i| OPEN[i].to_string()),
        (0..CLOSE.len()).prop_map(|i| CLOSE[i].to_string()),
        (0..TEXT.len()).prop_map(|i| TEXT[i].to_string()),
        "[ -~äöå<>/\"=]{0,12}",
    ]
}

/// A page of a few entries, each an `<article>` opened (and maybe never
/// closed) followed by random pieces.
fn page_html() -> impl Strategy<Value = String> {
    let entry = proptest::collection::vec(piece(), 0..24)
        .prop_map(|pieces| format!("<article class=\"post type-post\">{}", pieces.concat()));
    (
        proptest::collection::vec(entry, 0..6),
        proptest::collection::vec(piece(), 0..8),
    )
        .prop_map(|(entries, tail)| {
            format!(
                "<html><head><link rel=\"stylesheet\" href=\"/wp-content/themes/uusimaa2019/style.css\"></head><body><main>{}{}",
                entries.concat(),
                tail.concat()
            )
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_markup_extracts_without_breaking_record_promises(html in page_html()) {
        let url = Url::parse("https://www.uusimaa2019.fi/kuntajohtajakokous/").unwrap();
        let page = Page::new(url.clone(), url, html);
        for profile in profile::bundled() {
            let Extracted::Listing(listing) = extract(&page, &profile) else {
                continue;
            };
            for entry in listing.entries {
                let record = Record::new(entry, &page, None, &profile.name);
                let line = record.to_json_line();
                prop_assert_eq!(line.iter().filter(|&&b| b == b'\n').count(), 1);
                let back: Record = serde_json::from_slice(&line).unwrap();
                prop_assert_eq!(&back, &record);
                prop_assert_eq!(record.id.len(), 16);
                for text in [&record.title, &record.summary, &record.category, &record.organ]
                    .into_iter()
                    .flatten()
                {
                    prop_assert!(!text.is_empty() && text.trim() == text, "{:?}", text);
                }
                if let Some(meeting) = record.meeting_date {
                    prop_assert!(record.title.is_some() || record.published_date == Some(meeting));
                }
            }
        }
    }
}
