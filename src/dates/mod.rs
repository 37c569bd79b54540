//! Find and parse the date expressions of Finnish and Finland-Swedish running
//! text: meeting records date their meetings in prose ("keskiviikkona 13.
//! syyskuuta 2017 klo 9.00", "måndagen den 8 oktober 2018 kl. 18.00"), and a
//! harvester needs those dates as values, with the exact text and byte span
//! they came from so they can be checked against the page.
//!
//! The grammar, in the order the matcher tries it at a number or a word:
//! - an optional weekday, full or short, or a weekday range ("ke", "keskiviikkona",
//!   "ti–ke", "måndagen den");
//! - a date: numeric `13.9.2017`, `13.09.17`, `13.9.`, `13.9`, ISO `2017-09-13`;
//!   a day with a month word `13. syyskuuta 2017`, `18 päivänä toukokuuta`,
//!   `syyskuun 13. päivänä 2017`, `13 sept. 2017`, a bare stem `13. syys`; or a
//!   month and year `syyskuussa 2017`, `september 2017` (month precision);
//! - optionally a time `klo 9`, `kello 14.30`, `kl. 17.20-18.00`, also after a
//!   word such as "alkaen" or "från" (`15.3. alkaen klo 17`), or a bare time
//!   with its minutes as meeting systems print it (`27.3.2017 15:00`);
//! - optionally a dash and a second date (a range: `13.–14.9.2017`,
//!   `13.9.–15.10.2017`, `8–12 maj 2006`), which lends the first its missing
//!   month and year; a dash followed by anything else ends the date;
//! - days listed with "ja"/"och"/commas share the month of the last one
//!   (`den 3 och den 17 september`), each reported on its own.
//!
//! Rules that keep numbers that are not dates out:
//! - a date never crosses a line break;
//! - a number glued to `/`, `§`, `%` or to a separator after another number
//!   is a code, statute reference or decimal (`1/2019`, `449/2007`, `1.2.3`,
//!   `5146/01.04.00/2023`, `2,5`); `13.9 %` and `2.5 miljoonaa` are quantities;
//!   but a complete date followed by `/` and a word or `§` is still a date
//!   (`Esityslista 3.4.2024/§ 12`);
//! - a number after `klo` is a time and never a date, even with no date before it;
//! - day and month are never swapped to make a date valid; `31.2.2018` is nothing;
//! - a two-digit year lands in 1950–2049; a four-digit one must be in 1800–2199.
//!
//! A date written without a year takes the year that puts it nearest the
//! context date (the post or capture date), never more than a year away; with a
//! weekday written, the nearest of those years in which that weekday matches.
//! A weekday that fits none of them does not move the date further: the
//! nearest year is kept and the match carries a warning. With no context date
//! such dates are skipped, not guessed: a wrong year is worse than none.

mod lexicon;
#[cfg(test)]
mod proptests;
mod scan;
#[cfg(test)]
mod tests;

use chrono::{NaiveDate, NaiveTime};
use serde::{Serialize, Serializer};

/// How exactly a date expression names its day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    /// A day: "13.9.2017".
    Day,
    /// "syyskuussa 2017": `start` is the first day of the month.
    Month,
}

/// One date expression. Fields are in the order they are serialized.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DateMatch {
    /// `input[span]`.
    pub text: String,
    /// For month precision, the first day of the month.
    pub start: NaiveDate,
    /// Last day of a range.
    pub end: Option<NaiveDate>,
    /// The time of day, "klo 9.00"; serialized as `HH:MM`.
    #[serde(serialize_with = "hh_mm")]
    pub time: Option<NaiveTime>,
    /// The end of a time range, "klo 9.00–11.30"; serialized as `HH:MM`.
    #[serde(serialize_with = "hh_mm")]
    pub end_time: Option<NaiveTime>,
    /// Whether the expression names a day or only a month.
    pub precision: Precision,
    /// Byte span in the input, on char boundaries, without surrounding
    /// spaces. Serialized as `[start, end]`.
    #[serde(serialize_with = "pair")]
    pub span: std::ops::Range<usize>,
    /// Set when the text contradicts itself, e.g. a weekday that does not fit
    /// the date; absent from the JSON otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warning: Option<String>,
}

fn hh_mm<S: Serializer>(t: &Option<NaiveTime>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_str(&t.format("%H:%M").to_string()),
        None => s.serialize_none(),
    }
}

fn pair<S: Serializer>(r: &std::ops::Range<usize>, s: S) -> Result<S::Ok, S::Error> {
    [r.start, r.end].serialize(s)
}

/// All date expressions in `text`, in order of appearance and
/// non-overlapping. `context` resolves dates written without a year; without
/// it those dates are left out.
///
/// ```
/// use chrono::{NaiveDate, NaiveTime};
/// use harava::dates::{self, Precision};
///
/// let text = "Kuntajohtajakokous 10.5.2017 klo 9.00–11.30. Seuraava kokous 12.–14.6.";
/// let found = dates::scan(text, NaiveDate::from_ymd_opt(2017, 5, 8));
/// assert_eq!(found.len(), 2);
///
/// let meeting = &found[0];
/// assert_eq!(meeting.text, "10.5.2017 klo 9.00–11.30");
/// assert_eq!(&text[meeting.span.clone()], meeting.text);
/// assert_eq!(meeting.start, NaiveDate::from_ymd_opt(2017, 5, 10).unwrap());
/// assert_eq!(meeting.time, NaiveTime::from_hms_opt(9, 0, 0));
/// assert_eq!(meeting.end_time, NaiveTime::from_hms_opt(11, 30, 0));
/// assert_eq!(meeting.precision, Precision::Day);
///
/// // No year written: the context date's year, the nearest that fits.
/// let next = &found[1];
/// assert_eq!(next.start, NaiveDate::from_ymd_opt(2017, 6, 12).unwrap());
/// assert_eq!(next.end, NaiveDate::from_ymd_opt(2017, 6, 14));
///
/// // Without a context date, a date without a year is left out.
/// assert_eq!(dates::scan(text, None).len(), 1);
/// ```
pub fn scan(text: &str, context: Option<NaiveDate>) -> Vec<DateMatch> {
    scan::scan(text, context)
}
