//! The words the date grammar reacts to, in Finnish and in Swedish as written
//! in Finland. Lookups only happen for words next to a number, so a plain
//! `match` on the lowercased word is fast enough and easy to audit.

use chrono::Weekday;

/// How a month word may combine with numbers. Finnish inflects the month
/// name by its role ("13. syyskuuta", "syyskuun 13.", "syyskuussa 2017"), so
/// the form decides which neighbours make a date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct MonthWord {
    pub month: u32,
    /// "13. syyskuuta", "13 september", "13. syys": the day comes first.
    pub after_day: bool,
    /// "syyskuun 13. päivänä": the genitive comes first.
    pub before_day: bool,
    /// "syyskuussa 2017", "september 2017": a month-precision date.
    pub before_year: bool,
    /// An abbreviation, which may be followed by its dot ("syysk.", "sept.").
    pub abbrev: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Lex {
    Month(MonthWord),
    Weekday(Weekday),
    /// "klo", "kello", "kl", "klockan": a time follows.
    Clock,
    /// Swedish "den" before the day number.
    Den,
    /// "päivänä" in "18 päivänä toukokuuta" and "syyskuun 13. päivänä".
    Day,
    /// Joins days that share a month: "3. ja 17. syyskuuta", "3 och 17 sept".
    And,
    /// A unit after "2.5" shows it is a quantity, not 2 May.
    Unit,
    /// "alkaen", "lähtien", "från": may stand between a date and its time
    /// ("15.3. alkaen klo 17").
    Since,
    Other,
}

const FI_STEMS: [&str; 12] = [
    "tammi", "helmi", "maalis", "huhti", "touko", "kesä", "heinä", "elo", "syys", "loka", "marras",
    "joulu",
];

const SV_MONTHS: [&str; 12] = [
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

/// Classify a word already lowercased and stripped of soft hyphens.
pub(super) fn classify(w: &str) -> Lex {
    if let Some(m) = month(w) {
        return Lex::Month(m);
    }
    if let Some(d) = weekday(w) {
        return Lex::Weekday(d);
    }
    match w {
        "klo" | "kello" | "kl" | "klockan" => Lex::Clock,
        "den" => Lex::Den,
        "päivänä" | "päivä" | "pnä" => Lex::Day,
        "ja" | "sekä" | "tai" | "och" | "eller" => Lex::And,
        "alkaen" | "lähtien" | "från" => Lex::Since,
        "miljoonaa" | "milj" | "miljardia" | "mrd" | "euroa" | "eur" | "e" | "prosenttia"
        | "km" | "kg" | "m" | "cm" | "mm" | "tuntia" | "h" | "min" | "minuuttia" | "astetta"
        | "tonnia" | "litraa" | "metriä" | "miljoner" | "miljarder" | "euro" | "procent"
        | "timmar" | "grader" | "kronor" => Lex::Unit,
        _ => Lex::Other,
    }
}

fn month(w: &str) -> Option<MonthWord> {
    let word = |month: usize, after_day, before_day, before_year, abbrev| MonthWord {
        month: month as u32 + 1,
        after_day,
        before_day,
        before_year,
        abbrev,
    };
    if let Some(m) = SV_MONTHS.iter().position(|&s| s == w) {
        return Some(word(m, true, false, true, false));
    }
    let sv_abbrev = match w {
        "jan" => Some(0),
        "feb" | "febr" => Some(1),
        "mar" => Some(2),
        "apr" => Some(3),
        "jun" => Some(5),
        "jul" => Some(6),
        "aug" => Some(7),
        "sep" | "sept" => Some(8),
        "okt" => Some(9),
        "nov" => Some(10),
        "dec" => Some(11),
        _ => None,
    };
    if let Some(m) = sv_abbrev {
        return Some(word(m, true, false, true, true));
    }
    for (m, stem) in FI_STEMS.iter().enumerate() {
        let Some(rest) = w.strip_prefix(stem) else {
            continue;
        };
        return match rest {
            // A bare stem is an everyday word too ("kesä" is summer, "elo"
            // life), so it only counts right after a day number.
            "" => Some(word(m, true, false, false, false)),
            "k" => Some(word(m, true, false, true, true)),
            "kuu" | "kuuta" => Some(word(m, true, false, true, false)),
            "kuun" => Some(word(m, false, true, true, false)),
            "kuussa" | "kuusta" | "kuuhun" | "kuulla" | "kuulta" | "kuulle" => {
                Some(word(m, false, false, true, false))
            }
            _ => None,
        };
    }
    None
}

/// A weekday's Finnish name, for messages.
pub(super) fn weekday_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "maanantai",
        Weekday::Tue => "tiistai",
        Weekday::Wed => "keskiviikko",
        Weekday::Thu => "torstai",
        Weekday::Fri => "perjantai",
        Weekday::Sat => "lauantai",
        Weekday::Sun => "sunnuntai",
    }
}

fn weekday(w: &str) -> Option<Weekday> {
    use Weekday::*;
    let fi = |stem: &str| {
        w.strip_prefix(stem)
            .is_some_and(|r| r.is_empty() || r == "na")
    };
    let sv = |stem: &str| {
        w.strip_prefix(stem)
            .is_some_and(|r| r.is_empty() || r == "en")
    };
    Some(match w {
        "ma" | "mån" => Mon,
        "ti" | "tis" => Tue,
        "ke" | "ons" => Wed,
        "to" | "tor" | "tors" => Thu,
        "pe" | "fre" => Fri,
        "la" | "lör" => Sat,
        "su" | "sön" => Sun,
        _ if fi("maanantai") || sv("måndag") => Mon,
        _ if fi("tiistai") || sv("tisdag") => Tue,
        _ if fi("keskiviikko") || sv("onsdag") => Wed,
        _ if fi("torstai") || sv("torsdag") => Thu,
        _ if fi("perjantai") || sv("fredag") => Fri,
        _ if fi("lauantai") || sv("lördag") => Sat,
        _ if fi("sunnuntai") || sv("söndag") => Sun,
        _ => return None,
    })
}
