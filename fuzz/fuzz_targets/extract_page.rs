//! Fuzz the extractor: any bytes, decoded as a page would be, read with the
//! bundled profile and with a profile the input itself carries, must give
//! records without a panic, and every record must serialize to one JSON line.

#![no_main]

use libfuzzer_sys::fuzz_target;

use harava::extract::{self, Extracted};
use harava::page::{Page, decode_html};
use harava::profile::{self, Profile};
use harava::record::Record;

fuzz_target!(|data: &[u8]| {
    // An optional profile rides in front of the page, split off at the first
    // NUL, so selectors are fuzzed together with the markup they run on.
    let (profile_text, html_bytes) = match data.iter().position(|&b| b == 0) {
        Some(at) => (std::str::from_utf8(&data[..at]).ok(), &data[at + 1..]),
        None => (None, data),
    };
    let url = url::Url::parse("https://www.uusimaa2019.fi/kuntajohtajakokous/").unwrap();
    let html = decode_html(html_bytes, None);
    let page = Page::new(url.clone(), url, html);
    let mut profiles = profile::bundled();
    if let Some(custom) = profile_text.and_then(|t| Profile::from_toml(t, "fuzz.toml").ok()) {
        profiles.push(custom);
    }
    for profile in &profiles {
        match extract::extract(&page, profile) {
            Extracted::Listing(listing) => {
                for entry in listing.entries {
                    let line = Record::new(entry, &page, None, &profile.name).to_json_line();
                    assert_eq!(line.iter().filter(|&&b| b == b'\n').count(), 1);
                }
            }
            Extracted::Detail(detail) => {
                assert!(detail.body.as_deref().is_none_or(|b| !b.is_empty()));
            }
            Extracted::Other => {}
        }
    }
});
