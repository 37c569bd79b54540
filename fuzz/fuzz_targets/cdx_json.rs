//! Fuzz the CDX JSON reader: an archive's answer, however broken, is parsed
//! or refused with an error, never a panic; what parses can be selected from.

#![no_main]

use libfuzzer_sys::fuzz_target;

use harava::archive::cdx;

fuzz_target!(|data: &[u8]| {
    let Ok(body) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(page) = cdx::parse_json(body) {
        let count = page.rows.len();
        let newest = cdx::newest_per_url(page.rows);
        assert!(newest.len() <= count);
        let mut keys: Vec<(&str, &str)> = newest
            .iter()
            .map(|r| (r.urlkey.as_str(), r.original.as_str()))
            .collect();
        keys.dedup();
        assert_eq!(keys.len(), newest.len(), "one row per URL");
    }
});
