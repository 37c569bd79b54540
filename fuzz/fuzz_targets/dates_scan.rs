//! Fuzz the date scanner: it must not panic, and its spans must keep the
//! promises the rest of harava relies on (ordered, disjoint, on char
//! boundaries, the match text without surrounding spaces).

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first two bytes move the context date around 1990–2079, so
    // year resolution is exercised for many contexts.
    let Some((&[a, b], rest)) = data.split_first_chunk::<2>() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let ctx = chrono::NaiveDate::from_ymd_opt(1990, 1, 1).unwrap()
        + chrono::Days::new(u64::from(u16::from_le_bytes([a, b]) / 2));
    let mut last = 0;
    for m in harava::dates::scan(text, Some(ctx)) {
        assert!(m.span.start >= last, "overlapping matches");
        assert_eq!(text.get(m.span.clone()), Some(m.text.as_str()));
        assert_eq!(m.text.trim(), m.text);
        assert!(m.end.is_none_or(|e| e >= m.start));
        last = m.span.end;
    }
});
