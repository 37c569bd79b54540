//! Fuzz the CDX JSON reader: an archive's answer, however broken, is parsed
//! or refused with an error, never a panic; what parses can be selected from.

#![no_main]

use libfuzzer_sys::fuzz_target;

// The CDX reader is internal to harava; a `--cfg fuzzing` build exposes it here.
use harava::fuzzing::{Gathered, Selection, parse_json};

fuzz_target!(|data: &[u8]| {
    let Ok(body) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(page) = parse_json(body) {
        let count = page.rows.len();
        let mut gathered = Gathered::new(Selection::NewestPerUrl);
        for row in page.rows {
            gathered.add(row);
        }
        let newest = gathered.into_rows();
        assert!(newest.len() <= count);
        let mut keys: Vec<&str> = newest
            .iter()
            .map(|r| if r.urlkey.is_empty() { r.original.as_str() } else { r.urlkey.as_str() })
            .collect();
        keys.dedup();
        assert_eq!(keys.len(), newest.len(), "one row per URL");
    }
});
