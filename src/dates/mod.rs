//! Dates in running Finnish and Swedish text.

use chrono::NaiveDate;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    Day,
    Month,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DateMatch {
    pub text: String,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
    pub time: Option<chrono::NaiveTime>,
    pub end_time: Option<chrono::NaiveTime>,
    pub precision: Precision,
    pub span: std::ops::Range<usize>,
}

pub fn scan(text: &str, _context: Option<NaiveDate>) -> Vec<DateMatch> {
    let re = regex::Regex::new(r"(\d{1,2})\.(\d{1,2})\.(\d{4})").unwrap();
    re.captures_iter(text)
        .filter_map(|c| {
            let date = NaiveDate::from_ymd_opt(
                c[3].parse().ok()?,
                c[2].parse().ok()?,
                c[1].parse().ok()?,
            )?;
            let m = c.get(0)?;
            Some(DateMatch {
                text: m.as_str().into(),
                start: date,
                end: None,
                time: None,
                end_time: None,
                precision: Precision::Day,
                span: m.range(),
            })
        })
        .collect()
}
