//! Table-driven tests: tests/data/dates.tsv holds one case per line, and
//! every failing line is reported at once with its line number.

use super::{DateMatch, Precision, scan};
use chrono::NaiveDate;

const TABLE: &str = include_str!("../../tests/data/dates.tsv");

/// Decode the `\u{XXXX}` escapes the table uses for invisible characters.
pub(super) fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(k) = rest.find("\\u{") {
        out.push_str(&rest[..k]);
        let close = rest[k..].find('}').expect("unterminated \\u{ escape") + k;
        let code = u32::from_str_radix(&rest[k + 3..close], 16).expect("bad \\u{ escape");
        out.push(char::from_u32(code).expect("escape is not a char"));
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

/// The table's notation: `{text} start[..end][ HH:MM[-HH:MM]]`, month
/// precision as `{text} YYYY-MM month`, matches joined by ` ; `, `-` for none;
/// ` !weekday` after a match whose weekday does not fit its date.
fn render(found: &[DateMatch]) -> String {
    if found.is_empty() {
        return "-".to_string();
    }
    let one = |m: &DateMatch| {
        let mut s = match m.precision {
            Precision::Day => format!("{{{}}} {}", m.text, m.start),
            Precision::Month => format!("{{{}}} {} month", m.text, m.start.format("%Y-%m")),
        };
        if let Some(end) = m.end {
            s += &format!("..{end}");
        }
        if let Some(t) = m.time {
            s += &format!(" {}", t.format("%H:%M"));
        }
        if let Some(t) = m.end_time {
            s += &format!("-{}", t.format("%H:%M"));
        }
        if m.warning.is_some() {
            s += " !weekday";
        }
        s
    };
    found.iter().map(one).collect::<Vec<_>>().join(" ; ")
}

pub(super) struct Case {
    pub line: usize,
    pub input: String,
    pub context: Option<NaiveDate>,
    pub expected: String,
}

pub(super) fn cases() -> Vec<Case> {
    TABLE
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|(n, l)| {
            let cols: Vec<&str> = l.split('\t').collect();
            assert_eq!(
                cols.len(),
                3,
                "line {}: want 3 tab-separated columns",
                n + 1
            );
            let context = match cols[1] {
                "-" => None,
                d => Some(NaiveDate::parse_from_str(d, "%Y-%m-%d").expect("context date")),
            };
            Case {
                line: n + 1,
                input: unescape(cols[0]),
                context,
                expected: unescape(cols[2]),
            }
        })
        .collect()
}

#[test]
fn table() {
    let cases = cases();
    let mut failures = Vec::new();
    for c in &cases {
        let found = scan(&c.input, c.context);
        let actual = render(&found);
        let spans_ok = found
            .iter()
            .all(|m| c.input.get(m.span.clone()) == Some(&m.text));
        if actual != c.expected || !spans_ok {
            failures.push(format!(
                "line {}: {:?} (context {:?})\n  expected: {}\n  actual:   {}{}",
                c.line,
                c.input,
                c.context,
                c.expected,
                actual,
                if spans_ok {
                    ""
                } else {
                    " (span does not match text)"
                }
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn table_is_large_and_balanced() {
    let cases = cases();
    let negative = cases.iter().filter(|c| c.expected == "-").count();
    assert!(cases.len() >= 150, "only {} cases", cases.len());
    assert!(negative >= 40, "only {negative} negative cases");
}

#[test]
fn json_shape() {
    let ctx = NaiveDate::from_ymd_opt(2017, 9, 1);
    let found = scan("Kokous ke 13.9. klo 9.00–11.30 ja syyskuussa 2017", ctx);
    let lines: Vec<String> = found
        .iter()
        .map(|m| serde_json::to_string(m).unwrap())
        .collect();
    assert_eq!(
        lines,
        [
            r#"{"text":"ke 13.9. klo 9.00–11.30","start":"2017-09-13","end":null,"time":"09:00","end_time":"11:30","precision":"day","span":[7,32]}"#,
            r#"{"text":"syyskuussa 2017","start":"2017-09-01","end":null,"time":null,"end_time":null,"precision":"month","span":[36,51]}"#,
        ]
    );
}

#[test]
fn spans_are_bytes_around_multibyte_text() {
    let text = "Päätös: ääni\u{a0}13.\u{a0}syys\u{ad}kuuta\u{a0}2017 – ö";
    let found = scan(text, None);
    assert_eq!(found.len(), 1);
    let m = &found[0];
    assert_eq!(&text[m.span.clone()], "13.\u{a0}syys\u{ad}kuuta\u{a0}2017");
    assert_eq!(m.span, 19..41);
}
