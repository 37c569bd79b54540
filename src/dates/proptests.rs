//! Every valid date of 1990–2035 written in every supported form reads back
//! as itself, and no input makes the scanner panic or break its span promises.

use super::scan;
use chrono::{Datelike, Days, NaiveDate};
use proptest::prelude::*;

const FI_PARTITIVE: [&str; 12] = [
    "tammikuuta",
    "helmikuuta",
    "maaliskuuta",
    "huhtikuuta",
    "toukokuuta",
    "kesäkuuta",
    "heinäkuuta",
    "elokuuta",
    "syyskuuta",
    "lokakuuta",
    "marraskuuta",
    "joulukuuta",
];
const FI_ABBREV: [&str; 12] = [
    "tammik.", "helmik.", "maalisk.", "huhtik.", "toukok.", "kesäk.", "heinäk.", "elok.", "syysk.",
    "lokak.", "marrask.", "jouluk.",
];
const SV: [&str; 12] = [
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
];
const SV_ABBREV: [&str; 12] = [
    "jan.", "febr.", "mars", "apr.", "maj", "juni", "juli", "aug.", "sept.", "okt.", "nov.", "dec.",
];
const FI_WEEKDAY: [&str; 7] = ["ma", "ti", "ke", "to", "pe", "la", "su"];

fn date() -> impl Strategy<Value = NaiveDate> {
    let first = NaiveDate::from_ymd_opt(1990, 1, 1).unwrap();
    let last = NaiveDate::from_ymd_opt(2035, 12, 31).unwrap();
    let days = (last - first).num_days() as u64;
    (0..=days).prop_map(move |n| first + Days::new(n))
}

/// Each way the scanner promises to read a full date.
fn forms(d: NaiveDate) -> Vec<String> {
    let (y, m, day) = (d.year(), d.month() as usize, d.day());
    let genitive = FI_PARTITIVE[m - 1].replace("kuuta", "kuun");
    vec![
        format!("{day}.{m}.{y}"),
        format!("{day:02}.{m:02}.{y}"),
        format!("{day}.{m}.{:02}", y % 100),
        format!("{y}-{m:02}-{day:02}"),
        format!("{day}. {} {y}", FI_PARTITIVE[m - 1]),
        format!("{day} {} {y}", FI_PARTITIVE[m - 1]),
        format!("{day}. {} {y}", FI_ABBREV[m - 1]),
        format!("{genitive} {day}. päivänä {y}"),
        format!("{day} päivänä {} {y}", FI_PARTITIVE[m - 1]),
        format!("{day} {} {y}", SV[m - 1]),
        format!("den {day} {} {y}", SV_ABBREV[m - 1]),
    ]
}

proptest! {
    #[test]
    fn every_form_reads_back(d in date(), before in "[a-zåäö ]{0,12}", after in "[a-zåäö ,.]{0,12}") {
        for form in forms(d) {
            // "kokous" keeps the filler from gluing onto the date or ending in a weekday.
            let text = format!("{before} kokous {form} {after}");
            let found = scan(&text, None);
            prop_assert_eq!(found.len(), 1, "{:?} -> {:?}", text, found);
            prop_assert_eq!(found[0].start, d, "{:?}", text);
            prop_assert_eq!(&found[0].text, &form);
        }
    }

    #[test]
    fn yearless_dates_take_the_nearby_year(d in date(), shift in -150i64..150) {
        let ctx = d + chrono::Duration::days(shift);
        let (m, day) = (d.month(), d.day());
        let weekday = FI_WEEKDAY[d.weekday().num_days_from_monday() as usize];
        for text in [format!("{day}.{m}."), format!("{weekday} {day}.{m}."), format!("{day}. {}", FI_PARTITIVE[m as usize - 1])] {
            let found = scan(&text, Some(ctx));
            prop_assert_eq!(found.len(), 1, "{:?} ctx {} -> {:?}", text, ctx, found);
            prop_assert_eq!(found[0].start, d, "{:?} ctx {}", text, ctx);
        }
    }

    #[test]
    fn ranges_read_back(d in date(), len in 1u64..60) {
        let e = d + Days::new(len);
        let text = format!("{}.{}.–{}.{}.{}", d.day(), d.month(), e.day(), e.month(), e.year());
        let found = scan(&text, None);
        prop_assert_eq!(found.len(), 1, "{:?}", text);
        prop_assert_eq!((found[0].start, found[0].end), (d, Some(e)), "{:?}", text);
    }

    #[test]
    fn random_text_keeps_span_promises(text in any::<String>()) {
        check_spans(&text);
    }

    #[test]
    fn date_like_noise_keeps_span_promises(
        text in r"([0-9]{1,5}|[.:,/§%\-–— \u{a0}\u{ad}]|klo|ke|den|ja|syyskuuta|syysk|syyskuun|päivänä|maj|ä){0,40}",
    ) {
        check_spans(&text);
    }
}

/// What the rest of harava relies on: ordered, disjoint spans on char
/// boundaries whose text is the input's and carries no surrounding spaces.
fn check_spans(text: &str) {
    let ctx = NaiveDate::from_ymd_opt(2020, 6, 15);
    let mut last = 0;
    for m in scan(text, ctx) {
        assert!(m.span.start >= last, "overlap in {text:?}");
        assert_eq!(text.get(m.span.clone()), Some(m.text.as_str()));
        assert_eq!(m.text.trim(), m.text);
        assert!(!m.text.starts_with('\u{a0}') && !m.text.ends_with('\u{a0}'));
        if let Some(end) = m.end {
            assert!(end >= m.start, "{text:?}: {m:?}");
        }
        last = m.span.end;
    }
}
