//! Tokenizer and recursive-descent matcher. Each line is tokenized once and
//! every match attempt looks at a bounded number of tokens, so the whole scan
//! is linear in the input; lines without an ASCII digit are skipped unread.

use super::lexicon::{self, Lex, MonthWord, classify};
use super::{DateMatch, Precision};
use chrono::{Datelike, NaiveDate, NaiveTime, Weekday};

const SOFT_HYPHEN: char = '\u{AD}';

/// Coordinated days ("3., 10. ja 17. syyskuuta") recurse once per day; the
/// cap keeps a long list of numbers from turning the scan quadratic.
const MAX_COORDINATED: usize = 8;

/// Four-digit numbers outside this range are quantities, not years.
const YEARS: std::ops::RangeInclusive<u32> = 1800..=2199;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Num {
        value: u32,
        digits: u8,
    },
    Word,
    Dot,
    Colon,
    Comma,
    Slash,
    /// Hyphen, en dash, em dash or minus; `hyphen` is the ASCII one, the only
    /// one ISO dates use.
    Dash {
        hyphen: bool,
    },
    /// A number after "§" is a section number.
    Section,
    /// A number before "%", glued or not, is a percentage.
    Percent,
    Other,
}

#[derive(Clone, Copy, Debug)]
struct Tok {
    kind: Kind,
    start: usize,
    end: usize,
    /// Whitespace (including no-break spaces) before this token.
    space: bool,
}

fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{A0}' || c == '\u{202F}'
}

fn tokenize(line: &str, toks: &mut Vec<Tok>) {
    toks.clear();
    let bytes = line.as_bytes();
    let mut i = 0;
    let mut space = false;
    while i < bytes.len() {
        let b = bytes[i];
        let start = i;
        let kind = if b.is_ascii_digit() {
            let mut value: u32 = 0;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                value = value
                    .saturating_mul(10)
                    .saturating_add(u32::from(bytes[i] - b'0'));
                i += 1;
            }
            let digits = u8::try_from(i - start).unwrap_or(u8::MAX);
            Kind::Num { value, digits }
        } else if b.is_ascii_alphabetic() {
            i = word_end(line, i);
            Kind::Word
        } else if b.is_ascii() {
            i += 1;
            match b {
                b' ' | b'\t' | b'\r' | b'\n' | b'\x0b' | b'\x0c' => {
                    space = true;
                    continue;
                }
                b'.' => Kind::Dot,
                b':' => Kind::Colon,
                b',' => Kind::Comma,
                b'/' => Kind::Slash,
                b'-' => Kind::Dash { hyphen: true },
                b'%' => Kind::Percent,
                _ => Kind::Other,
            }
        } else {
            let c = line[i..].chars().next().unwrap_or(SOFT_HYPHEN);
            if c.is_alphabetic() {
                i = word_end(line, i);
                Kind::Word
            } else {
                i += c.len_utf8();
                match c {
                    SOFT_HYPHEN => continue,
                    '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2212}' => {
                        Kind::Dash { hyphen: false }
                    }
                    '§' => Kind::Section,
                    c if is_space(c) => {
                        space = true;
                        continue;
                    }
                    _ => Kind::Other,
                }
            }
        };
        toks.push(Tok {
            kind,
            start,
            end: i,
            space,
        });
        space = false;
    }
}

/// A word runs over letters and soft hyphens ("syys\u{AD}kuuta").
fn word_end(line: &str, from: usize) -> usize {
    line[from..]
        .char_indices()
        .find(|&(_, c)| !(c.is_alphabetic() || c == SOFT_HYPHEN))
        .map_or(line.len(), |(k, _)| from + k)
}

/// A date as written: any field may be missing until ranges, coordination
/// and the context date fill it in.
#[derive(Clone, Copy, Debug)]
struct Point {
    /// First token, including a weekday or "den" before the date.
    first: usize,
    /// One past the last token.
    end: usize,
    weekday: Option<Weekday>,
    day: Option<u32>,
    month: Option<u32>,
    year: Option<i32>,
    /// The day was written as an ordinal ("13.") or after "den": it reads as
    /// a date even before the month arrives.
    marked: bool,
    /// The month was written as a word.
    named: bool,
}

impl Point {
    fn month_precision(&self) -> bool {
        self.day.is_none()
    }
}

#[derive(Clone, Copy, Debug)]
struct Clock {
    start: NaiveTime,
    end: Option<NaiveTime>,
    next: usize,
}

#[derive(Clone, Copy, Debug)]
struct Expr {
    from: Point,
    to: Option<Point>,
    time: Option<NaiveTime>,
    end_time: Option<NaiveTime>,
    end: usize,
}

struct Line<'a> {
    text: &'a str,
    base: usize,
    toks: &'a [Tok],
    context: Option<NaiveDate>,
    buf: String,
}

pub(super) fn scan(text: &str, context: Option<NaiveDate>) -> Vec<DateMatch> {
    let mut out = Vec::new();
    let mut toks = Vec::new();
    let mut base = 0;
    // Date expressions never cross a line break, and a line without a digit
    // cannot hold one, which is most lines of prose.
    for line in text.split('\n') {
        if line.bytes().any(|b| b.is_ascii_digit()) {
            tokenize(line, &mut toks);
            let mut l = Line {
                text: line,
                base,
                toks: &toks,
                context,
                buf: String::new(),
            };
            l.scan(&mut out);
        }
        base += line.len() + 1;
    }
    out
}

impl Line<'_> {
    fn scan(&mut self, out: &mut Vec<DateMatch>) {
        let mut i = 0;
        while i < self.toks.len() {
            if !self.may_start(i) {
                i += 1;
                continue;
            }
            // A bare clock time is consumed so "klo 10.12" never reads as 10 Dec.
            if self.lex(i) == Lex::Clock
                && let Some(c) = self.clock(i)
            {
                i = c.next;
                continue;
            }
            match self.expression(i, 0) {
                Some(exprs) => {
                    i = exprs.last().map_or(i + 1, |e| e.end);
                    out.extend(exprs.iter().filter_map(|e| self.to_match(e)));
                }
                None => i += 1,
            }
        }
    }

    /// Cheap filter: a date starts at a number, or at a word with a number
    /// close behind it.
    fn may_start(&self, i: usize) -> bool {
        match self.toks[i].kind {
            Kind::Num { .. } => true,
            Kind::Word => self.toks[i + 1..]
                .iter()
                .take(5)
                .any(|t| matches!(t.kind, Kind::Num { .. })),
            _ => false,
        }
    }

    fn kind(&self, i: usize) -> Option<Kind> {
        self.toks.get(i).map(|t| t.kind)
    }

    fn glued(&self, i: usize) -> bool {
        self.toks.get(i).is_some_and(|t| !t.space)
    }

    fn num(&self, i: usize) -> Option<(u32, u8)> {
        match self.kind(i)? {
            Kind::Num { value, digits } => Some((value, digits)),
            _ => None,
        }
    }

    /// A day or month number: one or two digits.
    fn small(&self, i: usize, max: u32) -> Option<u32> {
        self.num(i)
            .filter(|&(v, d)| d <= 2 && (1..=max).contains(&v))
            .map(|(v, _)| v)
    }

    fn year4(&self, i: usize) -> Option<i32> {
        self.num(i)
            .filter(|&(v, d)| d == 4 && YEARS.contains(&v))
            .map(|(v, _)| v as i32)
    }

    fn is(&self, i: usize, kind: Kind) -> bool {
        self.kind(i) == Some(kind)
    }

    fn is_dash(&self, i: usize) -> bool {
        matches!(self.kind(i), Some(Kind::Dash { .. }))
    }

    fn lex(&mut self, i: usize) -> Lex {
        let Some(t) = self.toks.get(i).filter(|t| t.kind == Kind::Word) else {
            return Lex::Other;
        };
        self.buf.clear();
        for c in self.text[t.start..t.end].chars() {
            if c != SOFT_HYPHEN {
                self.buf.extend(c.to_lowercase());
            }
        }
        classify(&self.buf)
    }

    fn month_word(&mut self, i: usize) -> Option<MonthWord> {
        match self.lex(i) {
            Lex::Month(m) => Some(m),
            _ => None,
        }
    }

    /// Numbers glued to a separator after another number belong to something
    /// else: "1.2.3", "5146/01.04.00/2023", "2,5", "9:13".
    fn continues_number(&self, i: usize) -> bool {
        let Some(prev) = i.checked_sub(1).map(|k| self.toks[k]) else {
            return false;
        };
        if prev.kind == Kind::Section {
            return true;
        }
        if self.toks[i].space {
            return false;
        }
        let after_num = i >= 2 && !prev.space && matches!(self.toks[i - 2].kind, Kind::Num { .. });
        match prev.kind {
            Kind::Slash => true,
            Kind::Dot | Kind::Comma | Kind::Colon => after_num,
            _ => false,
        }
    }

    /// Whether a date ending before token `end` is really part of a code.
    /// A complete date may be followed by a slash and a word or a section
    /// sign ("Esityslista 3.4.2024/§ 12", "3.4.2024/pöytäkirja"), which a
    /// code never is; a slash and a number still make a code ("13.9.2017/5").
    fn code_follows(&self, end: usize, complete: bool) -> bool {
        let slash_then_text = self.is(end, Kind::Slash)
            && matches!(self.kind(end + 1), Some(Kind::Word | Kind::Section));
        !(complete && slash_then_text) && self.number_goes_on(end)
    }

    /// Whatever number follows glued to these tokens makes the whole a code
    /// or a quantity, not a date: "1.2.3", "1/2019", "13.9.2017/5", "13.9 %".
    fn number_goes_on(&self, i: usize) -> bool {
        match self.kind(i) {
            Some(Kind::Percent) => true,
            Some(Kind::Slash) => self.glued(i),
            Some(Kind::Dot | Kind::Comma | Kind::Colon) => {
                self.glued(i) && self.glued(i + 1) && self.num(i + 1).is_some()
            }
            _ => false,
        }
    }

    /// Weekday prefix ("ke", "keskiviikkona,", "ti–ke", "måndagen den"),
    /// then the date itself.
    fn point(&mut self, i: usize) -> Option<Point> {
        let mut j = i;
        let mut weekday = None;
        if let Lex::Weekday(w) = self.lex(j) {
            weekday = Some(w);
            j += 1;
            if self.is(j, Kind::Dot) && self.glued(j) {
                j += 1;
            }
            if self.is_dash(j) && matches!(self.lex(j + 1), Lex::Weekday(_)) {
                j += 2;
                if self.is(j, Kind::Dot) && self.glued(j) {
                    j += 1;
                }
            }
            if self.is(j, Kind::Comma) {
                j += 1;
            }
        }
        let den = self.lex(j) == Lex::Den;
        if den {
            j += 1;
        }
        let mut p = self.bare_point(j)?;
        p.marked |= den;
        p.first = i;
        p.weekday = weekday;
        Some(p)
    }

    fn bare_point(&mut self, i: usize) -> Option<Point> {
        self.toks.get(i)?;
        let mut p = Point {
            first: i,
            end: i,
            weekday: None,
            day: None,
            month: None,
            year: None,
            marked: false,
            named: false,
        };
        if let Some(mw) = self.month_word(i) {
            return self.month_first(i, mw, p);
        }
        if self.continues_number(i) {
            return None;
        }
        if let (Some(y), true) = (self.year4(i), self.is(i + 1, Kind::Dash { hyphen: true })) {
            // ISO 8601: all glued, hyphens only.
            let glued = (i + 1..=i + 4).all(|k| self.glued(k));
            let m = self.small(i + 2, 12)?;
            let d = self.small(i + 4, 31)?;
            if !glued
                || !self.is(i + 3, Kind::Dash { hyphen: true })
                || self.code_follows(i + 5, true)
            {
                return None;
            }
            p.year = Some(y);
            (p.month, p.day, p.end) = (Some(m), Some(d), i + 5);
            return Some(p);
        }
        let d = self.small(i, 31)?;
        p.day = Some(d);
        let j = i + 1;
        if self.is(j, Kind::Dot)
            && self.glued(j)
            && self.glued(j + 1)
            && let Some((m, digits)) = self.num(j + 1)
        {
            if digits > 2 || !(1..=12).contains(&m) {
                return None;
            }
            p.month = Some(m);
            let k = j + 2;
            if self.is(k, Kind::Dot) && self.glued(k) {
                p.end = k + 1;
                if self.glued(k + 1)
                    && let Some((y, digits)) = self.num(k + 1)
                {
                    p.year = Some(match digits {
                        4 if YEARS.contains(&y) => y as i32,
                        // Two-digit years land in 1950–2049.
                        2 if y >= 50 => 1900 + y as i32,
                        2 => 2000 + y as i32,
                        _ => return None,
                    });
                    p.end = k + 2;
                } else if let Some(y) = self.year4(k + 1) {
                    // "13.9. 2017": the year after a space.
                    p.year = Some(y);
                    p.end = k + 2;
                }
            } else {
                p.end = k;
                // "2.5 miljoonaa", "13.9 %": a decimal, not a date.
                if self.lex(k) == Lex::Unit {
                    return None;
                }
            }
            return (!self.code_follows(p.end, p.year.is_some())).then_some(p);
        }
        if self.number_goes_on(j) && !self.is(j, Kind::Dot) {
            return None;
        }
        // Day followed by a month name: "13. syyskuuta 2017", "18 päivänä
        // toukokuuta", "8 oktober". Without one, a day alone ("13.") that
        // only a range or a list can complete.
        let mut k = j;
        if self.is(k, Kind::Dot) && self.glued(k) {
            k += 1;
            p.marked = true;
        }
        p.end = k;
        if self.lex(k) == Lex::Day {
            k += 1;
        }
        if let Some(mw) = self.month_word(k).filter(|m| m.after_day) {
            p.month = Some(mw.month);
            p.named = true;
            k += 1;
            if mw.abbrev && self.is(k, Kind::Dot) && self.glued(k) {
                k += 1;
            }
            p.end = k;
            if let Some(y) = self.year4(k) {
                p.year = Some(y);
                p.end = k + 1;
            }
        }
        Some(p)
    }

    /// "syyskuun 13. päivänä 2017", "syyskuussa 2017", "sept. 2017".
    fn month_first(&mut self, i: usize, mw: MonthWord, mut p: Point) -> Option<Point> {
        p.month = Some(mw.month);
        p.named = true;
        let mut j = i + 1;
        if mw.abbrev && self.is(j, Kind::Dot) && self.glued(j) {
            j += 1;
        }
        if mw.before_year
            && let Some(y) = self.year4(j)
        {
            p.year = Some(y);
            p.end = j + 1;
            return Some(p);
        }
        if !mw.before_day {
            return None;
        }
        p.day = Some(self.small(j, 31)?);
        j += 1;
        if self.is(j, Kind::Dot) && self.glued(j) {
            j += 1;
        }
        p.end = j;
        if self.lex(j) == Lex::Day {
            j += 1;
            p.end = j;
        }
        if let Some(y) = self.year4(j) {
            p.year = Some(y);
            p.end = j + 1;
        }
        Some(p)
    }

    /// "klo 9", "kello 14.30", "kl. 17.20-18.00", "klo 09:00-11:36".
    fn clock(&mut self, i: usize) -> Option<Clock> {
        if self.lex(i) != Lex::Clock {
            return None;
        }
        let mut j = i + 1;
        if self.is(j, Kind::Dot) && self.glued(j) {
            j += 1;
        }
        let start = self.time_of_day(j)?;
        self.clock_from(start)
    }

    /// A time written without "klo" right after a date, as meeting systems
    /// print it ("27.3.2017 15:00"): only with its minutes, so that a number
    /// after a date ("13.9.2017 15 henkilöä") is not taken for an hour, and not
    /// when the minutes run on into a date ("13.9.2017 15.10.2017").
    fn bare_clock(&mut self, i: usize) -> Option<Clock> {
        let start = self.time_of_day(i).filter(|&(_, next)| next == i + 3)?;
        if self.number_goes_on(start.1) {
            return None;
        }
        self.clock_from(start)
    }

    /// The rest of a time from its first time of day: an optional range end.
    fn clock_from(&mut self, (start, mut next): (NaiveTime, usize)) -> Option<Clock> {
        let mut end = None;
        if self.is_dash(next) {
            let mut k = next + 1;
            if self.lex(k) == Lex::Clock {
                k += 1;
                if self.is(k, Kind::Dot) && self.glued(k) {
                    k += 1;
                }
            }
            if let Some((t, n)) = self.time_of_day(k).filter(|&(t, _)| t > start) {
                end = Some(t);
                next = n;
            }
        }
        Some(Clock { start, end, next })
    }

    fn time_of_day(&self, i: usize) -> Option<(NaiveTime, usize)> {
        let (h, digits) = self.num(i)?;
        if digits > 2 {
            return None;
        }
        let sep = matches!(self.kind(i + 1), Some(Kind::Dot | Kind::Colon));
        if sep
            && self.glued(i + 1)
            && self.glued(i + 2)
            && let Some((m, digits)) = self.num(i + 2)
        {
            // "14.9" after "klo 9 –" is the next date, not 14:09.
            if digits != 2 {
                return None;
            }
            return Some((NaiveTime::from_hms_opt(h, m, 0)?, i + 3));
        }
        Some((NaiveTime::from_hms_opt(h, 0, 0)?, i + 1))
    }

    /// A time after a date, optionally after a comma or a word such as
    /// "alkaen" ("15.3. alkaen klo 17"); the word alone is not part of the date.
    fn time_after(&mut self, i: usize) -> Option<Clock> {
        let mut j = if self.is(i, Kind::Comma) { i + 1 } else { i };
        if self.lex(j) == Lex::Since {
            j += 1;
        }
        self.clock(j)
            .or_else(|| {
                (j == i && self.toks.get(i).is_some_and(|t| t.space))
                    .then(|| self.bare_clock(i))
                    .flatten()
            })
            .or_else(|| {
                // "ma 4.3.2024 - 17:00", as Drupal prints a date and its time:
                // only with a colon, so that "4.3. – 17.03." stays a range.
                (j == i && self.is_dash(i) && self.is(i + 2, Kind::Colon))
                    .then(|| self.bare_clock(i + 1))
                    .flatten()
            })
    }

    /// One date, range or list of days starting at token `i`.
    fn expression(&mut self, i: usize, depth: usize) -> Option<Vec<Expr>> {
        let p = self.point(i)?;
        if p.year.is_none() && p.day.is_some() && depth < MAX_COORDINATED {
            // "3. ja 17. syyskuuta", "13.9. ja 14.9.2017": the later date
            // lends its month and year.
            let conj = p.end;
            let joined = self.is(conj, Kind::Comma) || self.lex(conj) == Lex::And;
            if joined && let Some(mut rest) = self.expression(conj + 1, depth + 1) {
                let lender = rest[0].from;
                // "kohta 2 ja 13.9.2017": a plain number is a date only when
                // a month name makes the list unmistakable.
                if p.month.is_some() || p.marked || lender.named {
                    rest.insert(0, Expr::single(inherit(p, &lender)?));
                    return Some(rest);
                }
            }
        }
        let mut e = Expr::single(p);
        if p.month.is_some() && !p.month_precision() {
            e.attach_time(self.time_after(p.end));
        }
        if !p.month_precision() && self.is_dash(e.end) {
            // A dash is a range only when a date follows; a time may follow
            // that date too: "13.9. klo 9 – 15.9.2017 klo 12".
            if let Some(q) = self
                .point(e.end + 1)
                .filter(|q| q.month.is_some() && !q.month_precision())
            {
                let mut r = Expr::single(inherit(p, &q)?);
                r.to = Some(q);
                r.end = q.end;
                r.time = e.time;
                r.end_time = e.end_time;
                if let Some(c) = self.time_after(q.end) {
                    r.end = c.next;
                    if r.time.is_none() {
                        (r.time, r.end_time) = (Some(c.start), c.end);
                    } else {
                        r.end_time = Some(c.end.unwrap_or(c.start));
                    }
                }
                return Some(vec![r]);
            }
        }
        p.month.is_some().then(|| vec![e])
    }

    fn to_match(&self, e: &Expr) -> Option<DateMatch> {
        let Resolved {
            start,
            end,
            weekday_fits,
        } = resolve(&e.from, e.to.as_ref(), self.context)?;
        let from = self.base + self.toks[e.from.first].start;
        let to = self.base + self.toks[e.end - 1].end;
        let text = self.text[from - self.base..to - self.base].to_string();
        let warning = (!weekday_fits).then(|| {
            format!(
                "the weekday in {text:?} does not fall on {start} (a {}); the date is kept and the weekday ignored",
                lexicon::weekday_name(start.weekday())
            )
        });
        Some(DateMatch {
            text,
            start,
            end,
            time: e.time,
            end_time: e.end_time,
            precision: if e.from.month_precision() {
                Precision::Month
            } else {
                Precision::Day
            },
            span: from..to,
            warning,
        })
    }
}

impl Expr {
    fn single(p: Point) -> Self {
        Expr {
            from: p,
            to: None,
            time: None,
            end_time: None,
            end: p.end,
        }
    }

    fn attach_time(&mut self, c: Option<Clock>) {
        if let Some(c) = c {
            self.time = Some(c.start);
            self.end_time = c.end;
            self.end = c.next;
        }
    }
}

/// Fill the fields an earlier date leaves out from the later one it leans
/// on ("13.–14.9.2017", "3 och 17 september"). A start later in the year
/// than its end ("20.12.–5.1.2018") belongs to the year before.
fn inherit(mut p: Point, later: &Point) -> Option<Point> {
    if p.year.is_none()
        && let Some(y) = later.year
    {
        // A borrowed month cannot wrap the year: "14.–13.9." is just wrong.
        let after = p.month.is_some() && (p.month, p.day) > (later.month, later.day);
        p.year = Some(if after { y - 1 } else { y });
    }
    p.month = Some(p.month.or(later.month)?);
    Some(p)
}

/// Turn the written fields into dates. A date without a year takes the year
/// that puts it nearest the context date, never more than a year away; with a
/// weekday, the nearest such year in which the weekday matches. A weekday that
/// fits no such year (or not the year written) is a slip of the writer's, not
/// a reason to move the date by years: the nearest year is kept and the weekday
/// reported as not fitting.
fn resolve(from: &Point, to: Option<&Point>, context: Option<NaiveDate>) -> Option<Resolved> {
    let (m, d) = (from.month?, from.day.unwrap_or(1));
    let build = |y: i32| -> Option<(NaiveDate, Option<NaiveDate>)> {
        let s = NaiveDate::from_ymd_opt(y, m, d)?;
        let e = match to {
            None => None,
            Some(q) => {
                let (qm, qd) = (q.month?, q.day?);
                let qy = q.year.unwrap_or(if (qm, qd) < (m, d) { y + 1 } else { y });
                Some(NaiveDate::from_ymd_opt(qy, qm, qd).filter(|&e| e >= s)?)
            }
        };
        Some((s, e))
    };
    let fits = |s: NaiveDate| from.weekday.is_none_or(|w| s.weekday() == w);
    let (start, end) = match from.year {
        Some(y) => build(y)?,
        None => {
            let ctx = context?;
            let nearest = |weekday_must_fit: bool| {
                (ctx.year() - 1..=ctx.year() + 1)
                    .filter_map(build)
                    .filter(|(s, _)| !weekday_must_fit || fits(*s))
                    .min_by_key(|(s, _)| (*s - ctx).num_days().abs())
            };
            nearest(true).or_else(|| nearest(false))?
        }
    };
    Some(Resolved {
        start,
        end,
        weekday_fits: fits(start),
    })
}

struct Resolved {
    start: NaiveDate,
    end: Option<NaiveDate>,
    weekday_fits: bool,
}
