//! Extraction without a profile: the repeated entries of a listing found by
//! structure and content, not by class names.
//!
//! A listing is a run of sibling elements of one kind (blocks, table rows, list
//! items) most of which hold a date expression and a link. Within an entry the
//! title is its heading (or, in a row, the longest link text), the post date a
//! short date-only element outside the title, the meeting date the title's date,
//! the documents its links to files, the category its `rel="category"` or
//! `/category/` links, the summary its paragraphs less all of those. On the page,
//! the organ is the last, unlinked step of a breadcrumb that starts at the home
//! page, and the next page the `rel="next"` link or one whose text says "older"
//! or "next". A detail page's text is the block with the most paragraph text
//! (the readability heuristic); a meeting's index page has numbered item rows.
//!
//! Every choice is written down in [`Generic::explain`] for `--explain`, with a
//! CSS path for each chosen element, so a user can see what went wrong and pin a
//! profile with `harava profile suggest`.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use ego_tree::NodeId;
use ego_tree::iter::Edge;
use regex::Regex;
use scraper::{ElementRef, Html, Node};

use super::text::{is_block, is_invisible};
use super::{DetailPage, Entry, Extracted, ListingPage, compose_title, first_day_match};
use super::{Document, Item};
use crate::css::{Select, Selector, selector};
use crate::dates::{self, Precision};
use crate::page::{Link, Page};
use crate::text::collapse_whitespace;

/// The name records extracted this way carry in `profile`.
pub(crate) const GENERIC: &str = "generic";

/// What the generic extractor made of a page, and why.
pub(crate) struct Generic {
    pub extracted: Extracted,
    /// One line per decision: which elements were chosen for what.
    pub explain: Vec<String>,
    /// Why the page gives nothing to read (it needs JavaScript), if so.
    pub problem: Option<String>,
}

/// File types that are meeting documents rather than pages.
const DOCUMENT_EXTENSIONS: &[&str] = &[
    "pdf", "doc", "docx", "odt", "rtf", "xls", "xlsx", "ods", "ppt", "pptx", "odp", "txt", "zip",
];

/// Link texts that lead to the next (older) page of a listing.
const NEXT_WORDS: &[&str] = &[
    "vanhemmat",
    "seuraava",
    "seuraavat",
    "edelliset",
    "äldre",
    "nästa",
    "older",
    "next",
];

/// Link texts of an entry's "read more" and comment links: never its title.
const READ_MORE: &[&str] = &[
    "lue lisää",
    "lue koko",
    "jatka lukemista",
    "läs mer",
    "read more",
    "continue reading",
    "kommentoi",
    "kommentera",
    "leave a comment",
];

/// What pages call their documents, for rows that name only that (and, with a
/// number, "lisälista 2", at the start of a text).
const DOCUMENT_TYPE_NAMES: &str = "pöytäkirja|esityslista|lisälista|lisäesityslista|päätösluettelo|kokouskutsu|viranhaltijapäätös|protokoll|föredragningslista|tilläggslista|kallelse";

/// Words (of class and id names split at `-` and `_`) of the blocks beside a
/// post's own text: related posts, sidebars. `widget` alone is no such word:
/// page builders (Elementor, SiteOrigin) call every block a widget.
const SIDE_WORDS: &[&str] = &[
    "related",
    "relatedposts",
    "relaterade",
    "liittyvat",
    "sidebar",
    "similar",
];

/// Words of blocks of recent or popular posts: beside a post, but also how a
/// listing may name its own list ("Uusimmat pöytäkirjat").
const RECENT_WORDS: &[&str] = &[
    "recent",
    "latest",
    "popular",
    "uusimmat",
    "viimeisimmat",
    "suosituimmat",
    "senaste",
];

/// Headings of blocks beside a post's text.
const SIDE_HEADINGS: &str = r"(?i)^(aiheeseen liittyv|liittyvät|liittyvää|lue myös|katso myös|samasta aiheesta|muita (uutisia|artikkeleita|kokouksia|julkaisuja)|muut (uutiset|kokoukset|artikkelit|julkaisut)|relaterad|relaterat|läs också|läs även|se även|related|see also|you may also like|more from)";

/// Headings of recent or popular posts (see [`RECENT_WORDS`]).
const RECENT_HEADINGS: &str =
    r"(?i)^(uusimmat|viimeisimmät|suosituimmat|senaste|recent|latest|popular|most read)";

/// What the names of organs end in: "Kunnanhallitus", "Sivistyslautakunta",
/// "Kuntajohtajakokous" (a compound: "Tuleva kokous" is none), "Strateginen
/// johtoryhmä", "Kommunstyrelsen", "Bildningsnämnden".
const ORGAN_NAMES: &str = r"(?i)(hallitus|valtuusto|lautakunta|jaosto|toimikunta|johtoryhmä|neuvosto|\pLkokous|toimielin|työryhmä|styrelse|styrelsen|fullmäktige|nämnd|nämnden|sektion|sektionen|utskott|utskottet|direktion|direktionen|rådet|board|council|committee)$";

/// How much paragraph text outside its list of related posts makes a page the
/// one post it is (a short meeting notice has a few hundred characters).
const MIN_POST_TEXT: usize = 200;

/// Words that say a date is when a body meets: "kokous", "kokoontuu",
/// "istunto", "sammanträde", "möte".
const MEETING_WORDS: &str = r"(?i)\b(kokou|kokoontu|istun|sammanträ|möte)";

/// Words between a meeting word and a date that make the date another
/// meeting's or a publication's: "edellisen kokouksen", "kokouksen jälkeen",
/// "julkaistaan", "nähtävillä", "förra mötet", "justeras".
const NOT_THE_MEETING: &str = r"(?i)\b(edellinen|edellisen|edellisessä|viime|viimeisin|jälkeen|julkais|nähtävi|nähtävä|tarkaste|förra|föregående|efter|publicer|juster|anslag)";

/// Words that mark a date as when a page was made, not when a meeting was.
const GENERATED: &str = r"(?i)\b(luotu|päivitetty|muokattu|tulostettu|generoitu|generated|updated|modified|printed|skapad|uppdaterad|senast ändrad)\b";

/// Reads `page` without a profile.
pub(crate) fn extract(page: &Page, document: &Html) -> Generic {
    let mut explain = Vec::new();
    let context: &Context = &CONTEXT;
    if let Some(reason) = needs_javascript(document) {
        explain.push(format!("page: {reason}"));
        return Generic {
            extracted: Extracted::Other,
            explain,
            problem: Some(format!(
                "{} needs JavaScript: {reason}; harava reads only the HTML the server sends, so save the page from a browser, or find the data address its script calls",
                page.url
            )),
        };
    }
    let organ = breadcrumb_organ(document, context, &mut explain);
    let above = dates_from_above(document);
    let found = find_entries(document, &above, context).filter(|(entries, _)| {
        // A meeting's page beside a news list: the block that holds the
        // page's `h1` and its numbered agenda items is no entry but the page.
        let is_a_meetings_page = entries.len() <= 3 && {
            let page_heading = document.find_first(selector!("h1"));
            let with_items: Vec<_> = entries
                .iter()
                .filter(|e| !find_items(**e, context).is_empty())
                .collect();
            matches!(with_items.as_slice(), [block]
                if page_heading.is_some_and(|h1| is_inside(h1, **block)))
        };
        if is_a_meetings_page {
            explain.push("entries: none, one of them holds a meeting's agenda items".to_string());
        }
        !is_a_meetings_page
    });
    let beside = found
        .as_ref()
        .and_then(|(entries, _)| beside_the_text(document, entries, context));
    if let (Some((entries, _)), Some(reason)) = (&found, &beside) {
        explain.push(format!(
            "entries: {} × {} set aside: {reason}",
            entries.len(),
            css_path(entries[0])
        ));
    }
    if let (Some((entries, how)), None) = (found, beside) {
        explain.push(format!(
            "entries: {} × {} ({how})",
            entries.len(),
            css_path(entries[0])
        ));
        let heading = match organ {
            Some(_) => None,
            None => heading_organ(document, context, &mut explain),
        };
        // Rows in runs of their own (a list per organ): each run's heading
        // may name its organ.
        let sectioned = how == ROWS
            && entries
                .iter()
                .filter_map(|e| e.parent().map(|p| p.id()))
                .collect::<HashSet<NodeId>>()
                .len()
                > 1;
        let column_organs = column_organs(&entries, context);
        let entries: Vec<Entry> = entries
            .into_iter()
            .enumerate()
            .map(|(n, element)| {
                let mut notes = Vec::new();
                let section = sectioned.then(|| section_organ(element, context)).flatten();
                let organs = Organs {
                    column: column_organs.get(&element.id()).map(String::as_str),
                    page: section.as_deref().or(organ.as_deref()),
                    heading: heading.as_deref(),
                };
                let entry = entry(
                    page,
                    element,
                    organs,
                    above.get(&element.id()).copied(),
                    context,
                    &mut notes,
                );
                if n == 0 {
                    explain.extend(notes.into_iter().map(|note| format!("entry 1: {note}")));
                }
                entry
            })
            .collect();
        let entries = one_entry_per_meeting(entries);
        let next = next_links(page, document, &mut explain);
        return Generic {
            extracted: Extracted::Listing(ListingPage { entries, next }),
            explain,
            problem: None,
        };
    }
    let detail = detail_page(page, document, organ, context, &mut explain);
    let extracted = if detail.body.is_none() && detail.items.is_empty() {
        explain.push("page: neither entries nor a text block nor agenda items".to_string());
        Extracted::Other
    } else {
        Extracted::Detail(detail)
    };
    Generic {
        extracted,
        explain,
        problem: None,
    }
}

/// Rows of one meeting (no page of their own; the same title, post date and
/// meeting date: "KS protokoll 4.3.2024" and "KS föredragningslista
/// 4.3.2024") are its documents listed apart: one entry keeps them all.
fn one_entry_per_meeting(entries: Vec<Entry>) -> Vec<Entry> {
    let mut merged: Vec<Entry> = Vec::with_capacity(entries.len());
    let mut meetings: HashMap<(String, Option<NaiveDate>, Option<NaiveDate>), usize> =
        HashMap::new();
    for entry in entries {
        let meeting = match (&entry.detail, &entry.title) {
            (None, Some(title)) => Some((title.clone(), entry.published_date, entry.meeting_date)),
            _ => None,
        };
        let Some(&kept) = meeting.as_ref().and_then(|m| meetings.get(m)) else {
            if let Some(meeting) = meeting {
                meetings.insert(meeting, merged.len());
            }
            merged.push(entry);
            continue;
        };
        let kept = &mut merged[kept];
        for document in entry.documents {
            if !kept.documents.iter().any(|d| d.url == document.url) {
                kept.documents.push(document);
            }
        }
        if kept.document_type != entry.document_type {
            kept.document_type = None;
        }
        for warning in entry.warnings {
            if !kept.warnings.contains(&warning) {
                kept.warnings.push(warning);
            }
        }
    }
    merged
}

/// Reads `page` as a detail page without a profile (the crawl reached it
/// through an entry's link, so that is what it is).
pub(crate) fn detail(page: &Page, document: &Html) -> DetailPage {
    let mut explain = Vec::new();
    let organ = breadcrumb_organ(document, &CONTEXT, &mut explain);
    detail_page(page, document, organ, &CONTEXT, &mut explain)
}

/// Compiled once per page; cheap next to parsing it.
struct Context {
    document_type: Regex,
    generated: Regex,
    side_heading: Regex,
    recent_heading: Regex,
    organ_header: Regex,
    organ_name: Regex,
    row_organ: Regex,
    item_number: Regex,
    meeting_words: Regex,
    meeting_noun: Regex,
    document_type_words: Regex,
    date_column: Regex,
    organ_or_documents_column: Regex,
    not_the_meeting: Regex,
    meeting_format: Regex,
    published_label: Regex,
}

/// The patterns of every page, compiled once.
static CONTEXT: std::sync::LazyLock<Context> = std::sync::LazyLock::new(Context::new);

impl Context {
    fn new() -> Context {
        Context {
            document_type: Regex::new(&format!(
                r"(?i)^(lisälista(?: [0-9]+)?|{DOCUMENT_TYPE_NAMES})\b"
            ))
            .expect("static pattern"),
            generated: Regex::new(GENERATED).expect("static pattern"),
            side_heading: Regex::new(SIDE_HEADINGS).expect("static pattern"),
            recent_heading: Regex::new(RECENT_HEADINGS).expect("static pattern"),
            organ_name: Regex::new(ORGAN_NAMES).expect("static pattern"),
            organ_header: Regex::new(
                r"(?i)^(toimielin|elin|lautakunta|organ|organet|nämnd|instans)$",
            )
            .expect("static pattern"),
            row_organ: Regex::new(r"^(?P<organ>[^:]{3,80}):\s*[0-9]+\s*/\s*[0-9]{4}$")
                .expect("static pattern"),
            item_number: Regex::new(r"^§?\s*(?P<number>[0-9]{1,4}[a-z]?)\s*§?\.?$")
                .expect("static pattern"),
            meeting_words: Regex::new(MEETING_WORDS).expect("static pattern"),
            meeting_noun: Regex::new(&format!(
                r"(?i)^(kokous|kokou(ksen|kseen|ksessa|ksesta|sta)|sammanträde|möte|{DOCUMENT_TYPE_NAMES})$"
            ))
            .expect("static pattern"),
            document_type_words: Regex::new(&format!(r"(?i)\b({DOCUMENT_TYPE_NAMES})\b"))
                .expect("static pattern"),
            not_the_meeting: Regex::new(NOT_THE_MEETING).expect("static pattern"),
            published_label: Regex::new(
                r"(?i)^(julkaistu|julkaisupäivä|päivätty|publicerad|publicerat|posted|published)\b",
            )
            .expect("static pattern"),
            meeting_format: Regex::new(
                r"(?i)(etä|hybridi|lähi|verkko|video|puhelin|sähköinen |ylimääräinen |teams-?)kokous$",
            )
            .expect("static pattern"),
            date_column: Regex::new(
                r"(?i)^(päivämäärä|pvm|kokouspäivä|kokousaika|aika|kokous|datum|tid|sammanträdesdatum|sammanträde|möte)$",
            )
            .expect("static pattern"),
            organ_or_documents_column: Regex::new(&format!(
                r"(?i)^(toimielin|elin|organ|asiakirjat|handlingar|esityslistat|pöytäkirjat|{DOCUMENT_TYPE_NAMES})$"
            ))
            .expect("static pattern"),
        }
    }

    /// Whether a text can be a row's title: beyond its dates and weekdays it
    /// names an organ ("Kunnanhallitus, kokous 4.3.2024", "Yhtymähallituksen
    /// kokous"), or, without a date, has three words. A button ("Avaa
    /// 4.3.2024", "Kokouksen tiedot"), a file's size ("pdf, 245 kt") or a
    /// place ("klo 17, kunnantalo") does not.
    fn names_the_meeting(&self, text: &str) -> bool {
        let found = dates::scan(text, None);
        let mut rest = String::with_capacity(text.len());
        let mut at = 0;
        for date in &found {
            rest.push_str(&text[at..date.span.start]);
            rest.push(' ');
            at = date.span.end;
        }
        rest.push_str(&text[at..]);
        let names_an_organ = rest
            .split(|c: char| !c.is_alphabetic())
            .filter(|word| word.chars().count() >= 3)
            .any(|word| {
                self.is_organ_name(word)
                    || nominative(word).is_some_and(|word| self.is_organ_name(&word))
            });
        names_an_organ || (found.is_empty() && text.split_whitespace().count() >= 3)
    }

    /// Whether `name` ends as an organ's name does: "Kunnanhallitus",
    /// "Tekninen lautakunta", "Kuntajohtajakokous", not "etäkokous" (a
    /// meeting held remotely).
    fn is_organ_name(&self, name: &str) -> bool {
        self.organ_name.is_match(name) && !self.meeting_format.is_match(name)
    }

    /// The date of `text` that a meeting word comes before on its line, with
    /// no other date between them: "kokoontuu 4. maaliskuuta 2024 klo 18",
    /// "Kokousaika: ti 20.2.2024", "sammanträder 4.3.". Words of another
    /// meeting or of publishing between them ("edellisen kokouksen",
    /// "kokouksen jälkeen", "esityslista julkaistaan") rule the date out, and
    /// of several such dates the first with a time of day wins, as an
    /// announced meeting has one.
    fn announced_meeting(
        &self,
        text: &str,
        context: Option<NaiveDate>,
    ) -> Option<dates::DateMatch> {
        /// How far before its date a meeting word may stand, in bytes.
        const REACH: usize = 80;
        let mut announced = text
            .lines()
            .filter(|line| !self.generated.is_match(line))
            .flat_map(|line| {
                let mut after_previous = 0;
                dates::scan(line, context).into_iter().filter(move |m| {
                    let mut from = after_previous.max(m.span.start.saturating_sub(REACH));
                    while !line.is_char_boundary(from) {
                        from += 1;
                    }
                    after_previous = m.span.end;
                    let before = &line[from..m.span.start];
                    // Only this sentence's words: "Edellisen kokouksen … on
                    // tarkastettu. Seuraava kokous pidetään 4.3.".
                    let before = sentence_end(before).map_or(before, |at| &before[at..]);
                    m.precision == Precision::Day
                        && !timestamp_like(line, &m.text)
                        && self.meeting_words.is_match(before)
                        && !self.not_the_meeting.is_match(before)
                })
            });
        let first = announced.next()?;
        if first.time.is_some() {
            return Some(first);
        }
        announced.find(|m| m.time.is_some()).or(Some(first))
    }

    /// The first day-precision date of `text` that is not a page's own
    /// timestamp ("Päivitetty 12.3.2024 14:22", ISO times with a `T`).
    fn meeting_date(&self, text: &str, context: Option<NaiveDate>) -> Option<dates::DateMatch> {
        text.lines()
            .filter(|line| !self.generated.is_match(line))
            .flat_map(|line| dates::scan(line, context))
            .find(|m| m.precision == Precision::Day && !timestamp_like(text, &m.text))
    }
}

/// Where the last sentence of `text` starts, after a full stop, a question or
/// an exclamation mark that a capital letter follows, if one does.
fn sentence_end(text: &str) -> Option<usize> {
    text.char_indices()
        .zip(text.chars().skip(1).zip(text.chars().skip(2)))
        .filter(|((_, mark), (space, next))| {
            matches!(mark, '.' | '!' | '?') && space.is_whitespace() && next.is_uppercase()
        })
        .map(|((at, mark), (space, _))| at + mark.len_utf8() + space.len_utf8())
        .last()
}

/// "2024-03-12T14:22:00": a machine's timestamp, not a written date.
fn timestamp_like(text: &str, date: &str) -> bool {
    text.find(date)
        .and_then(|at| text[at + date.len()..].chars().next())
        .is_some_and(|c| c == 'T')
}

/// Why a page has nothing to read without running its scripts, if so: next to
/// no visible text, scripts, and an empty mount point or a `<noscript>` asking
/// for JavaScript.
fn needs_javascript(document: &Html) -> Option<String> {
    let body = document.find_first(selector!("body"))?;
    let visible = visible_text(body);
    if visible.chars().count() > 200 {
        return None;
    }
    let scripts = document.find_all(selector!("script")).count();
    if scripts == 0 {
        return None;
    }
    let noscript = document.find_all(selector!("noscript")).any(|n| {
        n.text()
            .collect::<String>()
            .to_lowercase()
            .contains("javascript")
    });
    let mount = document
        .find_all(
            &Selector::parse(
                "#root, #app, #__next, #__nuxt, [data-reactroot], app-root, [ng-app], [ng-version]",
            )
            .expect("static selector"),
        )
        .next()
        .is_some();
    (noscript || mount).then(|| {
        format!(
            "its HTML has {} characters of text and {scripts} scripts{}",
            visible.chars().count(),
            if mount {
                ", and an empty element where a script mounts the application"
            } else {
                ", and asks for JavaScript"
            }
        )
    })
}

fn visible_text(root: ElementRef) -> String {
    let mut out = String::new();
    let mut hidden = 0usize;
    for edge in root.traverse() {
        match edge {
            Edge::Open(node) => match node.value() {
                Node::Element(e) if is_invisible(e) => hidden += 1,
                Node::Text(text) if hidden == 0 => out.push_str(text),
                _ => {}
            },
            Edge::Close(node) => {
                if let Node::Element(e) = node.value()
                    && is_invisible(e)
                {
                    hidden -= 1;
                }
            }
        }
    }
    collapse_whitespace(&out)
}

/// The organ a breadcrumb names: a trail that starts at the home page and ends
/// in an unlinked step ("Etusivu › Kuntajohtajakokous").
fn breadcrumb_organ(
    document: &Html,
    context: &Context,
    explain: &mut Vec<String>,
) -> Option<String> {
    breadcrumb(document, context, explain).map(|(_, organ)| organ)
}

/// The breadcrumb trail that names the page's organ, and the organ.
fn breadcrumb<'a>(
    document: &'a Html,
    context: &Context,
    explain: &mut Vec<String>,
) -> Option<(ElementRef<'a>, String)> {
    const HOME: &[&str] = &["etusivu", "koti", "home", "startsida", "hem", "framsida"];
    let trails = selector!("nav, ol, ul, div, p");
    let links = selector!("a");
    for trail in document.find_all(trails) {
        let Some(first) = trail.find_first(links) else {
            continue;
        };
        let first_text = collapse_whitespace(&first.text().collect::<String>()).to_lowercase();
        if !HOME.contains(&first_text.as_str()) {
            continue;
        }
        let text = collapse_whitespace(&trail.text().collect::<String>());
        if text.chars().count() > 200 || !text.contains(['›', '»', '>', '/', '|']) {
            continue;
        }
        let last = text
            .rsplit(['›', '»', '>', '/', '|'])
            .next()
            .map(str::trim)
            .filter(|t| !t.is_empty())?;
        let last_is_link = trail
            .find_all(links)
            .any(|a| collapse_whitespace(&a.text().collect::<String>()) == last);
        if last_is_link {
            continue;
        }
        // A trail that ends in the page's own dated title ("Etusivu ›
        // Kunnanhallitus › Pöytäkirja 4.3.2024") names its organ in the
        // nearest step that names one, its digits aside.
        let organ = match last.chars().any(|c| c.is_ascii_digit()) {
            true => {
                // "Kunnanhallitus 2024" names it with a year.
                let named = text.rsplit(['›', '»', '>', '/', '|']).find_map(|step| {
                    let words: Vec<&str> = step
                        .split_whitespace()
                        .filter(|word| !word.chars().any(|c| c.is_ascii_digit()))
                        .collect();
                    organ_named(&words.join(" "), context)
                });
                let Some(named) = named else {
                    continue;
                };
                named
            }
            false => last.to_string(),
        };
        // "Valtuusto ja hallitus" is a section of several organs.
        if names_several(&organ) {
            continue;
        }
        explain.push(format!(
            "organ: {:?}, the breadcrumb {}",
            organ,
            css_path(trail)
        ));
        return Some((trail, organ));
    }
    None
}

/// The organ a listing's `h1` or `title` names, on a page without a
/// breadcrumb: "Tekninen lautakunta", "Kunnanhallituksen pöytäkirjat",
/// "Bildningsnämnden - sammanträden 2024" (one part of it).
fn heading_organ(document: &Html, context: &Context, explain: &mut Vec<String>) -> Option<String> {
    let headings = [
        ("h1", document.find_first(selector!("h1"))),
        ("title", document.find_first(selector!("title"))),
    ];
    headings.into_iter().find_map(|(name, element)| {
        let organ = organ_named(
            &collapse_whitespace(&element?.text().collect::<String>()),
            context,
        )?;
        explain.push(format!("organ: {organ:?}, the page's {name}"));
        Some(organ)
    })
}

/// The organ that a heading names, whole or in one part of it:
/// "Tekninen lautakunta", "Kunnanhallituksen pöytäkirjat" (the organ before
/// the kind of list), "Bildningsnämnden - sammanträden | Kommunen".
fn organ_named(text: &str, context: &Context) -> Option<String> {
    text.replace(" – ", " - ")
        .replace(" | ", " - ")
        .split(" - ")
        .map(str::trim)
        .filter(|part| part.chars().count() <= 60 && !part.chars().any(|c| c.is_ascii_digit()))
        .filter(|part| !names_several(part))
        .find_map(|part| {
            let before_last = part.rsplit_once(' ').map(|(name, _)| name);
            [part.to_string()]
                .into_iter()
                .chain(before_last.map(str::to_string))
                .chain(before_last.and_then(nominative))
                .find(|name| context.is_organ_name(name))
        })
}

/// Whether a heading joins several organs ("Valtuuston ja kunnanhallituksen
/// pöytäkirjat", "kommunfullmäktige och kommunstyrelsen"), which one organ's
/// name does only after a hyphen ("Sosiaali- ja terveyslautakunta").
fn names_several(text: &str) -> bool {
    let words: Vec<&str> = text.split_whitespace().collect();
    text.contains(',')
        || text.contains('&')
        || words.windows(2).any(|pair| {
            matches!(
                pair[1].to_lowercase().as_str(),
                "ja" | "sekä" | "och" | "samt"
            ) && !pair[0].ends_with('-')
        })
}

/// Whether an element (or text under it) holds a link and something that may
/// be a date: counted once per node, bottom-up, so that finding the entries
/// costs one walk over the page.
#[derive(Clone, Copy, Default)]
struct Signal {
    links: u32,
    date_like: bool,
}

fn date_like(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes
        .windows(3)
        .any(|w| w[0].is_ascii_digit() && (w[1] == b'.' || w[1] == b'-') && w[2].is_ascii_digit())
}

/// How [`find_entries`] found the entries, as `--explain` says it.
const HEADED: &str = "blocks headed by a linked title";
const ROWS: &str = "siblings that hold a date and a link";

/// The entries of a listing: blocks each headed by a linked title (a page of
/// one post is a listing too), else the largest run of same-named siblings
/// (rows, list items) most of which hold a date and a link.
fn find_entries<'a>(
    document: &'a Html,
    above: &HashMap<NodeId, ElementRef>,
    context: &Context,
) -> Option<(Vec<ElementRef<'a>>, &'static str)> {
    let by_heading = heading_entries(document, context);
    let by_siblings = sibling_entries(document, above, context);
    match (by_heading, by_siblings) {
        // Rows outnumber the headed blocks, are not parts of one of them, and
        // are no sidebar beside them.
        (Some(h), Some(s))
            if s.len() > h.len()
                && !s
                    .iter()
                    .any(|row| h.iter().any(|b| is_inside(*row, *b) || b.id() == row.id()))
                && (side_block(&s, &h, context).is_none()
                    || side_block(&h, &s, context).is_some()) =>
        {
            Some((s, ROWS))
        }
        (Some(h), _) => Some((h, HEADED)),
        (None, s) => s.map(|s| (s, ROWS)),
    }
}

/// Why `entries` are a list beside the page's own text, which makes the page
/// a post and not a listing, if they are: they sit in a block of related posts
/// or a sidebar (or of recent posts, outside the part of the page that holds
/// the post's `h1` and text), and the page has a text of at least
/// [`MIN_POST_TEXT`] characters in paragraphs that is no part of an entry. A
/// page with such a list and no text of its own stays a listing of it.
fn beside_the_text(document: &Html, entries: &[ElementRef], context: &Context) -> Option<String> {
    let (length, text) = main_content_scored(document)?;
    if length < MIN_POST_TEXT
        || entries
            .iter()
            .any(|e| e.id() == text.id() || is_inside(text, *e))
    {
        return None;
    }
    let reason = match side_block(entries, &[text], context)? {
        Side::Beside(reason) => reason,
        Side::Recent(reason) => {
            let post = std::iter::once(text)
                .chain(text.ancestors().filter_map(ElementRef::wrap))
                .take_while(|e| !matches!(e.value().name(), "body" | "html"))
                .find(|e| e.find_first(selector!("h1")).is_some())?;
            if entries
                .iter()
                .any(|e| e.id() == post.id() || is_inside(*e, post))
            {
                return None;
            }
            reason
        }
    };
    Some(format!(
        "{reason}, beside the page's text in {} ({length} characters)",
        css_path(text)
    ))
}

/// What says that a list is beside a page's content.
enum Side {
    /// Related posts, a sidebar: never a listing's own list.
    Beside(String),
    /// Recent or popular posts, which a listing may call its own list too.
    Recent(String),
}

/// Where `entries` sit in a block beside the page's content (`content`: the
/// text or the entries they compete with), what says so: an `aside`, `nav` or
/// `footer` around them, a class or id such as `related-posts`, `sidebar-1`
/// or `widget_recent_entries`, or a heading such as "Aiheeseen liittyvät" at
/// the head of their block. Only blocks that hold none of `content` count: a
/// wrapper of both (`div.has-sidebar`) is no side block.
fn side_block(entries: &[ElementRef], content: &[ElementRef], context: &Context) -> Option<Side> {
    let list = lowest_common_ancestor(entries)?;
    let blocks = std::iter::once(list).chain(list.ancestors().filter_map(ElementRef::wrap));
    let mut recent = None;
    for block in blocks {
        let name = block.value().name();
        let holds_content = content
            .iter()
            .any(|c| c.id() == block.id() || is_inside(*c, block));
        if matches!(name, "body" | "main" | "html") || holds_content {
            break;
        }
        let place = || format!("they are in {}", css_path(block));
        if matches!(name, "aside" | "nav" | "footer") {
            return Some(Side::Beside(place()));
        }
        let names = [block.attr("class"), block.attr("id")];
        for word in names.into_iter().flatten().flat_map(name_words) {
            if SIDE_WORDS.contains(&word.as_str()) {
                return Some(Side::Beside(place()));
            }
            if RECENT_WORDS.contains(&word.as_str()) {
                recent.get_or_insert_with(|| Side::Recent(place()));
            }
        }
        if let Some(heading) = heading_of(block) {
            let says = || format!("their heading says {heading:?}");
            if context.side_heading.is_match(&heading) {
                return Some(Side::Beside(says()));
            }
            if context.recent_heading.is_match(&heading) {
                recent.get_or_insert_with(|| Side::Recent(says()));
            }
        }
    }
    recent
}

/// The words of class or id names, split at `-` and `_`, in lower case,
/// without the names of layout wrappers (`has-sidebar`, `content-sidebar-wrap`).
fn name_words(names: &str) -> impl Iterator<Item = String> + '_ {
    names
        .split_ascii_whitespace()
        .map(str::to_ascii_lowercase)
        .filter(|name| {
            let wrapper = ["has-", "no-", "with-", "without-"]
                .iter()
                .any(|prefix| name.starts_with(prefix))
                || ["-wrap", "-wrapper", "-layout"]
                    .iter()
                    .any(|suffix| name.ends_with(suffix));
            !wrapper
        })
        .flat_map(|name| {
            name.split(['-', '_'])
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
}

/// The heading `block` begins with, or the one just before it: a heading
/// element, or a short element that holds one or is named a title
/// (`<p class=widget-title><strong>Lue myös</strong></p>`).
fn heading_of(block: ElementRef) -> Option<String> {
    let is_heading =
        |e: &ElementRef| matches!(e.value().name(), "h1" | "h2" | "h3" | "h4" | "h5" | "h6");
    let first = block.children().filter_map(ElementRef::wrap).next();
    let before = block.prev_siblings().filter_map(ElementRef::wrap).next();
    [first, before].into_iter().flatten().find_map(|e| {
        let text = collapse_whitespace(&e.text().collect::<String>());
        let titled = e.attr("class").is_some_and(|names| {
            name_words(names).any(|w| matches!(w.as_str(), "title" | "heading" | "otsikko"))
        });
        let holds_heading = e
            .descendants()
            .filter_map(ElementRef::wrap)
            .any(|d| is_heading(&d));
        let short = text.chars().count() <= 80;
        (is_heading(&e) || ((titled || holds_heading) && short)).then_some(text)
    })
}

/// Each heading that links somewhere, grown to the largest block around it
/// that holds no other such heading, nor the page's own title, navigation or
/// pager: a post in a blog-style listing, however the theme wraps it.
fn heading_entries<'a>(document: &'a Html, context: &Context) -> Option<Vec<ElementRef<'a>>> {
    let headings = selector!("h1 a[href], h2 a[href], h3 a[href], h4 a[href]");
    let titled: Vec<ElementRef> = document
        .find_all(headings)
        .filter_map(|a| {
            a.ancestors()
                .filter_map(ElementRef::wrap)
                .find(|h| matches!(h.value().name(), "h1" | "h2" | "h3" | "h4"))
        })
        .filter(|h| {
            !h.ancestors().filter_map(ElementRef::wrap).any(|a| {
                matches!(a.value().name(), "nav" | "aside" | "footer")
                    || a.attr("role") == Some("banner")
            })
        })
        .collect();
    let mut titled_ids: HashSet<NodeId> = titled.iter().map(|h| h.id()).collect();
    titled_ids.shrink_to_fit();
    let page_title = selector!("h1, nav, ol, form");
    let mut entries: Vec<ElementRef> = Vec::new();
    for heading in &titled {
        let mut block = *heading;
        while let Some(parent) = block.parent().and_then(ElementRef::wrap) {
            if matches!(parent.value().name(), "body" | "main" | "html") {
                break;
            }
            let others = parent
                .descendants()
                .filter(|n| n.id() != heading.id() && titled_ids.contains(&n.id()))
                .count();
            let page_parts = parent
                .find_all(page_title)
                .any(|e| e.id() != heading.id() && !is_inside(e, block) && e.id() != block.id());
            if others > 0 || page_parts {
                break;
            }
            block = parent;
        }
        if entries.iter().any(|e| e.id() == block.id()) {
            continue;
        }
        if context.meeting_date(&block_text(block), None).is_some() {
            entries.push(block);
        }
    }
    (!entries.is_empty()).then_some(entries)
}

/// The largest run of same-named siblings most of which hold a date and a
/// link, confirmed by the date grammar, and not in a sidebar if any run is not,
/// together with the runs parallel to it: one list or table per year or per
/// organ, each in a block shaped as the others (`details > ul > li`), are one
/// listing.
fn sibling_entries<'a>(
    document: &'a Html,
    above: &HashMap<NodeId, ElementRef>,
    context: &Context,
) -> Option<Vec<ElementRef<'a>>> {
    let signals = signals(document);
    // A row under a dated cell that reaches down into it is dated too.
    let signal = |id: NodeId| {
        let own = signals.get(&id).copied().unwrap_or_default();
        Signal {
            date_like: own.date_like || above.contains_key(&id),
            ..own
        }
    };
    // Runs that may be entries, by their shape (see [`RunShape`]), each
    // group's in document order.
    let mut groups: Vec<(RunShape, Vec<Vec<ElementRef<'a>>>)> = Vec::new();
    for parent in document
        .root_element()
        .descendants()
        .filter_map(ElementRef::wrap)
    {
        if is_invisible(parent.value()) {
            continue;
        }
        let children: Vec<ElementRef> = parent.children().filter_map(ElementRef::wrap).collect();
        let mut names: Vec<&str> = children.iter().map(|c| c.value().name()).collect();
        names.sort_unstable();
        names.dedup();
        for name in names {
            if matches!(name, "script" | "style" | "br" | "hr" | "option") {
                continue;
            }
            let same: Vec<ElementRef> = children
                .iter()
                .copied()
                .filter(|c| c.value().name() == name)
                .collect();
            let candidates: Vec<ElementRef> = same
                .iter()
                .copied()
                .filter(|c| {
                    let s = signal(c.id());
                    s.links > 0 && s.date_like
                })
                .collect();
            // Most siblings must qualify (header and separator rows may not),
            // so that a few item rows that mention a date are no listing. A
            // run of one counts beside runs shaped as it (a year with one
            // meeting).
            if candidates.is_empty() || candidates.len() * 2 < same.len() {
                continue;
            }
            // A run in an `aside`, `nav` or `footer` joins no run outside one.
            let aside = parent
                .ancestors()
                .filter_map(ElementRef::wrap)
                .any(|a| matches!(a.value().name(), "aside" | "nav" | "footer"));
            let shape = RunShape::of(parent, name, aside);
            match groups.iter_mut().find(|(s, _)| *s == shape) {
                Some((_, runs)) => runs.push(candidates),
                None => groups.push((shape, vec![candidates])),
            }
        }
    }
    let mut listings: Vec<((bool, u64), Vec<ElementRef<'a>>)> = Vec::new();
    for (shape, runs) in groups {
        // One row counts when its table's header names a meeting's columns
        // (an organ's first meeting); elsewhere one dated link is no listing.
        let lone_meeting = match runs.as_slice() {
            [run] => run.len() == 1 && in_a_table_of_meetings(run[0], document, context),
            _ => false,
        };
        if runs.iter().map(Vec::len).sum::<usize>() < 2 && !lone_meeting {
            continue;
        }
        let (mut entries, mut text) = (Vec::new(), 0);
        for run in runs {
            // The date grammar, the costly test, only for groups that may win.
            let confirmed: Vec<(ElementRef, String)> = run
                .into_iter()
                .map(|c| (c, row_text(c, above)))
                .filter(|(_, text)| context.meeting_date(text, None).is_some())
                .collect();
            if confirmed.is_empty() {
                continue;
            }
            text += confirmed.iter().map(|(_, text)| text.len()).sum::<usize>();
            entries.extend(confirmed.into_iter().map(|(c, _)| c));
        }
        if entries.len() < 2 && !lone_meeting {
            continue;
        }
        // A group in a sidebar (news, recent posts) loses to one that is not.
        let beside = shape.aside || side_block(&entries, &[], context).is_some();
        let score = (!beside, entries.len() as u64 * 1000 + text as u64);
        listings.push((score, entries));
    }
    let documents_of_rows = |inner: &[ElementRef]| {
        listings
            .iter()
            .any(|(_, outer)| rows_around(outer, inner, context))
    };
    let mut best: Option<((bool, u64), Vec<ElementRef<'a>>)> = None;
    for (score, entries) in &listings {
        if best.as_ref().is_none_or(|(b, _)| score > b) && !documents_of_rows(entries) {
            best = Some((*score, entries.clone()));
        }
    }
    best.map(|(_, entries)| entries)
}

/// Whether `row` is a row under a table's header row whose `th` cells name a
/// table of meetings' columns: the meeting's date ("Päivämäärä", "Kokous",
/// "Datum") and, in another, its organ or documents ("Toimielin",
/// "Esityslista", "Asiakirjat"), on a page that is no one meeting's.
fn in_a_table_of_meetings(row: ElementRef, document: &Html, context: &Context) -> bool {
    if row.value().name() != "tr" {
        return false;
    }
    let Some(header) = table_of(row).and_then(|table| table.find_first(selector!("tr"))) else {
        return false;
    };
    let headers: Vec<String> = cells_of(header)
        .filter(|cell| cell.value().name() == "th")
        .map(|cell| collapse_whitespace(&cell.text().collect::<String>()))
        .collect();
    // A meeting's own page (its dated `h1`) lists its attachments so.
    let a_meetings_page = document
        .find_first(selector!("h1"))
        .is_some_and(|h1| first_day_match(&h1.text().collect::<String>(), None).is_some());
    let date = headers.iter().position(|h| context.date_column.is_match(h));
    let kind = headers
        .iter()
        .position(|h| context.organ_or_documents_column.is_match(h));
    header.id() != row.id()
        && !a_meetings_page
        && matches!((date, kind), (Some(date), Some(kind)) if date != kind)
}

/// Whether `outer` are rows that hold `inner` and name their meeting's date
/// outside them: `inner` are then each meeting's documents (a table of them
/// in each row, dated when they were published), not the meetings.
fn rows_around(outer: &[ElementRef], inner: &[ElementRef], context: &Context) -> bool {
    // Most pairs of runs fail on the first inner element, without a set.
    let Some(first) = inner.first() else {
        return false;
    };
    if !first
        .ancestors()
        .any(|a| outer.iter().any(|row| row.id() == a.id()))
    {
        return false;
    }
    let rows: HashSet<NodeId> = outer.iter().map(|row| row.id()).collect();
    let inside_a_row = |element: &ElementRef| element.ancestors().any(|a| rows.contains(&a.id()));
    if !inner.iter().all(inside_a_row) {
        return false;
    }
    let inner_ids: HashSet<NodeId> = inner.iter().map(|e| e.id()).collect();
    outer.iter().all(|row| {
        let own_text = paragraphs(*row, &inner_ids).join("\n");
        context.meeting_date(&own_text, None).is_some()
    })
}

/// The organ that heads the run `row` is in, on a page of one run per organ
/// ("Kunnanhallitus" over its meetings): a short heading that names an organ,
/// not a year or a kind of list ("Tulevat kokoukset", "Arkisto").
fn section_organ(row: ElementRef, context: &Context) -> Option<String> {
    let mut run = row.parent().and_then(ElementRef::wrap)?;
    if matches!(run.value().name(), "tbody" | "thead") {
        run = run.parent().and_then(ElementRef::wrap)?;
    }
    let heading = heading_of(run)?;
    let plausible = heading.chars().count() <= 60
        && !heading.chars().any(|c| c.is_ascii_digit())
        && context.is_organ_name(&heading);
    plausible.then_some(heading)
}

/// What makes runs of entries parallel: the entries' element name, the names
/// and classes of their parent and grandparent (as one hash: every run of a
/// page is shaped, and most lose), their depth, and whether they are in an
/// `aside`, `nav` or `footer`. Classes with digits (`.year-2023`) and ids tell
/// parallel blocks apart, so they are left out. Runs of one depth never nest,
/// so a group's runs come in document order; a layout table around a listing,
/// or a table of documents in each meeting's row, is another group.
#[derive(PartialEq)]
struct RunShape {
    steps: u64,
    depth: usize,
    aside: bool,
}

impl RunShape {
    fn of(parent: ElementRef, name: &str, aside: bool) -> RunShape {
        // Classes in any order are one step: they are combined by xor.
        let step = |e: ElementRef| {
            e.value()
                .classes()
                .filter(|c| !c.bytes().any(|b| b.is_ascii_digit()))
                .fold(word_hash(e.value().name()), |h, c| {
                    h ^ word_hash(c).rotate_left(7)
                })
        };
        let grandparent = parent.parent().and_then(ElementRef::wrap).map_or(0, step);
        RunShape {
            steps: word_hash(name) ^ step(parent).rotate_left(21) ^ grandparent.rotate_left(42),
            depth: parent.ancestors().count(),
            aside,
        }
    }
}

/// FNV-1a: short words, no allocation.
fn word_hash(word: &str) -> u64 {
    word.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn signals(document: &Html) -> std::collections::HashMap<NodeId, Signal> {
    let mut signals: std::collections::HashMap<NodeId, Signal> = std::collections::HashMap::new();
    let mut stack: Vec<(NodeId, Signal)> = Vec::new();
    for edge in document.root_element().traverse() {
        match edge {
            Edge::Open(node) => {
                let mut own = Signal::default();
                match node.value() {
                    Node::Element(e) if e.name() == "a" && e.attr("href").is_some() => {
                        own.links = 1;
                    }
                    Node::Text(text) => own.date_like = date_like(text),
                    _ => {}
                }
                stack.push((node.id(), own));
            }
            Edge::Close(node) => {
                let Some((id, mine)) = stack.pop() else {
                    continue;
                };
                if let Some((_, parent)) = stack.last_mut() {
                    parent.links += mine.links;
                    parent.date_like |= mine.date_like;
                }
                if node.value().is_element() {
                    signals.insert(id, mine);
                }
            }
        }
    }
    signals
}

/// An element's text with a line break wherever a block or cell breaks it.
fn block_text(element: ElementRef) -> String {
    super::fields::lines(element)
}

/// A row's text after that of a dated cell that reaches down into it, if one
/// does (see [`dates_from_above`]).
fn row_text(row: ElementRef, above: &HashMap<NodeId, ElementRef>) -> String {
    match above.get(&row.id()) {
        Some(cell) => format!("{}\n{}", block_text(*cell), block_text(row)),
        None => block_text(row),
    }
}

fn link_text(a: ElementRef) -> String {
    collapse_whitespace(&a.text().collect::<String>())
}

fn is_read_more(text: &str) -> bool {
    let lower = text.to_lowercase();
    READ_MORE.iter().any(|r| lower.starts_with(r)) || parse_comments(&lower).is_some()
}

fn is_document_link(a: &ElementRef) -> bool {
    let Some(href) = a.attr("href") else {
        return false;
    };
    let path = href
        .split(['?', '#'])
        .next()
        .unwrap_or(href)
        .to_ascii_lowercase();
    let by_extension = path
        .rsplit_once('.')
        .is_some_and(|(_, ext)| DOCUMENT_EXTENSIONS.contains(&ext));
    by_extension || link_text(*a).to_lowercase().contains("pdf")
}

fn is_category_link(a: &ElementRef) -> bool {
    let rel = a.attr("rel").unwrap_or_default();
    let href = a.attr("href").unwrap_or_default().to_ascii_lowercase();
    rel.split_whitespace()
        .any(|r| r == "category" || r == "tag")
        || ["/category/", "/kategoria/", "/aihe/", "/tag/", "/kategori/"]
            .iter()
            .any(|p| href.contains(p))
}

/// "0 Kommenttia", "3 comments", "Ei kommentteja".
fn parse_comments(lower: &str) -> Option<u32> {
    static PATTERN: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
        Regex::new(r"^(?:(\d+)\s+(?:kommentti|kommenttia|kommentteja|comments?|kommentar|kommentarer)|(ei kommentteja|no comments|inga kommentarer))$")
            .expect("static pattern")
    });
    let pattern = &*PATTERN;
    let captures = pattern.captures(lower.trim())?;
    match captures.get(1) {
        Some(n) => n.as_str().parse().ok(),
        None => Some(0),
    }
}

/// The elements the generic extractor chose in an entry, for `profile suggest`.
#[derive(Debug, Default)]
struct Chosen {
    title: Option<NodeId>,
    posted: Option<NodeId>,
    category: Option<NodeId>,
    comments: Option<NodeId>,
    documents: Vec<NodeId>,
    skip: HashSet<NodeId>,
}

/// The organs an entry may take from outside itself.
#[derive(Clone, Copy)]
struct Organs<'a> {
    /// Its row's cell in the table's organ column: the strongest.
    column: Option<&'a str>,
    /// The breadcrumb's, or the heading's over its run.
    page: Option<&'a str>,
    /// The page's `h1` or `title`: weaker than an organ its own title names.
    heading: Option<&'a str>,
}

fn entry(
    page: &Page,
    element: ElementRef,
    organs: Organs,
    date_above: Option<ElementRef>,
    context: &Context,
    notes: &mut Vec<String>,
) -> Entry {
    entry_choosing(
        page,
        element,
        organs,
        date_above,
        context,
        notes,
        &mut Chosen::default(),
    )
}

/// Reads `element` as an entry; `date_above` is a dated cell of a row above
/// that reaches down into it (see [`dates_from_above`]).
fn entry_choosing(
    page: &Page,
    element: ElementRef,
    organs: Organs,
    date_above: Option<ElementRef>,
    context: &Context,
    notes: &mut Vec<String>,
    chosen: &mut Chosen,
) -> Entry {
    let mut warnings = page.warnings.clone();
    let anchors = selector!("a[href]");
    let headings = selector!("h1, h2, h3, h4, h5, h6");
    let mut skip: HashSet<NodeId> = HashSet::new();

    // Title: the entry's heading; else (a row) the longest text of a link to
    // a page that names the meeting; else of a document's link that does
    // ("Kunnanhallitus 4.3.2024 pöytäkirja"); else a cell or a line of text
    // without links that names it with its date ("Kunnanhallitus 4.3.2024"
    // beside its documents or its "Lue lisää").
    let heading = element.find_first(headings);
    let row_title = || {
        let links = || {
            element
                .find_all(anchors)
                .map(|a| (link_text(a), a))
                .filter(|(text, _)| !is_read_more(text))
        };
        links()
            // "Pöytäkirja" alone is a document's name; "Kokouskutsu:
            // Kunnanhallituksen kokous 12.2.2024" names the meeting too.
            .filter(|(text, a)| {
                !is_document_link(a)
                    && context.names_the_meeting(&context.document_type.replace(text, ""))
            })
            .max_by_key(|(text, _)| text.len())
            .or_else(|| {
                links()
                    .filter(|(text, a)| {
                        is_document_link(a)
                            && first_day_match(text, None).is_some()
                            && context.names_the_meeting(
                                &context.document_type_words.replace_all(text, " "),
                            )
                    })
                    .max_by_key(|(text, _)| text.len())
            })
            .or_else(|| {
                element
                    .descendants()
                    .filter_map(ElementRef::wrap)
                    .filter(|e| {
                        matches!(
                            e.value().name(),
                            "td" | "th" | "p" | "span" | "div" | "strong" | "b"
                        )
                    })
                    .filter(|cell| cell.find_first(anchors).is_none())
                    .map(|cell| (collapse_whitespace(&cell.text().collect::<String>()), cell))
                    .find(|(text, _)| {
                        text.chars().count() <= 100
                            && first_day_match(text, None).is_some()
                            && context.names_the_meeting(text)
                    })
            })
    };
    let (own_title, title_element) = match heading {
        Some(h) => (
            Some(collapse_whitespace(&h.text().collect::<String>())),
            Some(h),
        ),
        None => match row_title() {
            Some((text, e)) => (Some(text), Some(e)),
            None => (None, None),
        },
    };
    if let Some(t) = title_element {
        notes.push(format!("title: {}", css_path(t)));
        skip.insert(t.id());
        chosen.title = Some(t.id());
    }
    let own_title = own_title.filter(|t| !t.is_empty());

    // Post date: a short element outside the title that holds only a date.
    // A row's dates are its meeting's (a `time` too: "Aika" columns use it);
    // only posts under a heading have a post date.
    let mut published = None;
    for candidate in element.descendants().filter_map(ElementRef::wrap) {
        if title_element.is_some_and(|t| t.id() == candidate.id() || is_inside(candidate, t)) {
            continue;
        }
        let text = collapse_whitespace(&candidate.text().collect::<String>());
        if text.is_empty() || text.chars().count() > 40 {
            continue;
        }
        let is_time = candidate.value().name() == "time";
        if let Some(found) = context.meeting_date(&text, None)
            && heading.is_some()
            && own_title.is_some()
            && (is_time
                || found.text.len() * 2 >= text.len()
                || context.published_label.is_match(&text))
            // "Kokousaika: ti 20.2.2024 klo 15" is when it meets, not a post date.
            && !context.meeting_words.is_match(&text)
        {
            notes.push(format!("published_date: {}", css_path(candidate)));
            chosen.posted = Some(candidate.id());
            published = Some(found.start);
            skip.insert(candidate.id());
            break;
        }
    }

    // Meeting date and time: the title's date, else the entry's first date.
    let title_date = own_title
        .as_deref()
        .and_then(|t| first_day_match(t, published));
    let row_date = || {
        context
            .meeting_date(&block_text(element), published)
            .or_else(|| context.meeting_date(&block_text(date_above?), published))
    };
    // A post under a heading without a date says when the meeting is in its
    // text ("Valtuusto kokoontuu 4. maaliskuuta 2024 klo 18"); its other
    // dates may be anything, so only one that follows a meeting word counts.
    let announced_date = || {
        let text = paragraphs(element, &skip).join("\n");
        context.announced_meeting(&text, published)
    };
    let meeting_match = match (&heading, title_date) {
        (_, Some(found)) => Some(found),
        (Some(_), None) => announced_date(),
        (None, None) => row_date(),
    };
    if let Some(warning) = meeting_match.as_ref().and_then(|m| m.warning.as_ref()) {
        warnings.push(format!("meeting_date: {warning}"));
    }
    let meeting_date = meeting_match.as_ref().map(|m| m.start).or(published);
    let meeting_time = meeting_match
        .as_ref()
        .and_then(|m| m.time.map(|t| t.format("%H:%M").to_string()));

    // Links: documents, categories, the detail page, comments.
    let mut documents: Vec<Document> = Vec::new();
    let mut category = None;
    let mut detail: Option<Link> = None;
    let mut comment_count = None;
    let mut document_type = None;
    for a in element.find_all(anchors) {
        let text = link_text(a);
        let href = a.attr("href").unwrap_or_default();
        if is_document_link(&a) {
            if let Some(link) = page.resolve(href) {
                let url = link.original.to_string();
                if !documents.iter().any(|d| d.url == url) {
                    documents.push(Document {
                        title: text.clone(),
                        url,
                    });
                }
            }
            skip.insert(a.id());
            chosen.documents.push(a.id());
            continue;
        }
        if is_category_link(&a) {
            if category.is_none() && !text.is_empty() {
                notes.push(format!("category: {}", css_path(a)));
                chosen.category = Some(a.id());
                category = Some(text.clone());
            }
            skip.insert(a.id());
            continue;
        }
        if let Some(count) = parse_comments(&text.to_lowercase()) {
            comment_count = comment_count.or(Some(count));
            chosen.comments = chosen.comments.or(Some(a.id()));
            skip.insert(a.id());
            continue;
        }
        if is_read_more(&text) {
            skip.insert(a.id());
            if detail.is_none() && !href.contains('#') {
                detail = page.resolve(href);
            }
            continue;
        }
        if document_type.is_none()
            && let Some(found) = context.document_type.find(&text)
        {
            document_type = Some(found.as_str().to_string());
        }
        let in_title = title_element.is_some_and(|t| t.id() == a.id() || is_inside(a, t));
        // The title's link is the detail page; a row without a heading links
        // its page first.
        if in_title || (detail.is_none() && heading.is_none()) {
            detail = page.resolve(href).or(detail);
        }
    }
    if let Some(link) = &detail {
        notes.push(format!("detail_url: {}", link.original));
    }
    // Comment counts outside links ("0 Kommenttia" as plain text).
    for leaf in element
        .descendants()
        .filter_map(ElementRef::wrap)
        .filter(|e| e.children().all(|c| !c.value().is_element()))
    {
        let text = collapse_whitespace(&leaf.text().collect::<String>()).to_lowercase();
        if let Some(count) = parse_comments(&text) {
            comment_count = comment_count.or(Some(count));
            chosen.comments = chosen.comments.or(Some(leaf.id()));
            skip.insert(leaf.id());
        }
    }

    // The organ a title names: "Kunnanhallitus, kokous" (before the word
    // for its meeting or document), "Yhtymähallituksen kokous" (in the
    // genitive); else the title less its date, a weaker guess.
    let title_organ = || -> Option<(Option<String>, String)> {
        let title = own_title.as_deref()?;
        let without_date = match &meeting_match {
            Some(m) if title.contains(&m.text) => title.replacen(&m.text, "", 1),
            _ => title.to_string(),
        };
        let separators = |c: char| c.is_whitespace() || ",.:;–—-".contains(c);
        let organ = collapse_whitespace(&without_date);
        let organ = organ.trim_matches(separators);
        let before_noun = |text: &'_ str| -> Option<String> {
            let (name, last) = text.rsplit_once(separators)?;
            let name = without_lead_in(name.trim_matches(separators));
            context
                .meeting_noun
                .is_match(last)
                .then(|| name.to_string())
        };
        // "Kokouskutsu: Kunnanvaltuusto", "Kallelse till kommunstyrelsens
        // sammanträde".
        let after_kind = context
            .document_type
            .find(organ)
            .map(|kind| organ[kind.end()..].trim_matches(separators))
            .map(|rest| rest.strip_prefix("till ").unwrap_or(rest));
        let named = [after_kind, Some(organ)]
            .into_iter()
            .flatten()
            .flat_map(|text| [Some(text.to_string()), before_noun(text)])
            .flatten()
            .flat_map(|name| [nominative(&name), Some(name)])
            .flatten()
            .find(|name| context.is_organ_name(name))
            .map(|name| capitalized(&name));
        Some((named, organ.to_string()))
    };
    let organ = organs
        .column
        .map(str::to_string)
        .or_else(|| {
            element
                .descendants()
                .filter_map(ElementRef::wrap)
                .filter(|e| matches!(e.value().name(), "td" | "th" | "span" | "div" | "p"))
                .find_map(|e| {
                    let text = collapse_whitespace(&e.text().collect::<String>());
                    context
                        .row_organ
                        .captures(&text)
                        .map(|c| c["organ"].trim().to_string())
                })
        })
        // A breadcrumb's "Kokouskutsut" names a category, not the organ a
        // title names.
        .or_else(|| {
            organs
                .page
                .filter(|page| context.is_organ_name(page))
                .map(str::to_string)
        })
        .or_else(|| {
            let (named, guess) = title_organ()?;
            named
                .or_else(|| organs.page.map(str::to_string))
                .or_else(|| organs.heading.map(str::to_string))
                .or_else(|| (!guess.is_empty()).then_some(guess))
        })
        .or_else(|| organs.page.or(organs.heading).map(str::to_string));

    chosen.skip.clone_from(&skip);
    let summary = {
        let paragraphs = paragraphs(element, &skip);
        let paragraphs: Vec<String> = paragraphs
            .into_iter()
            .filter(|p| p.chars().any(char::is_alphanumeric))
            .filter(|p| Some(p) != own_title.as_ref() && Some(p) != category.as_ref())
            .collect();
        (!paragraphs.is_empty()).then(|| paragraphs.join("\n\n"))
    };
    // Without a page of its own (or a post date) an entry's id follows its
    // title, so a title without a date takes the meeting's: "Kunnanhallitus"
    // over each of an organ's meetings would otherwise be one meeting.
    let dated = |title: String| match (&detail, published, &meeting_match) {
        (None, None, Some(meeting)) if first_day_match(&title, None).is_none() => {
            format!("{title} {}", meeting.start.format("%-d.%-m.%Y"))
        }
        _ => title,
    };
    let title = own_title
        .map(dated)
        .or_else(|| compose_title(organ.as_deref(), document_type.as_deref(), meeting_date));
    if title.is_none() {
        warnings.push("title: no heading or title link in the entry".to_string());
    }
    if meeting_date.is_none() {
        warnings.push("meeting_date: no date in the entry".to_string());
    }
    Entry {
        organ,
        title,
        published_date: published,
        meeting_date,
        meeting_time,
        document_type,
        category,
        summary,
        documents,
        detail,
        comment_count,
        system_id: None,
        warnings,
    }
}

/// How far right a column headed as the organ's may start for harava to read
/// it: each row's layout is tracked up to that column only, so a hostile
/// header (`colspan="1000"` cells) cannot make every row cost thousands.
const MAX_ORGAN_COLUMN: usize = 64;

/// The organs that table rows among `rows` name in the column headed
/// "Toimielin" ("Elin", "Lautakunta", "Organ", "Nämnd"): a page of every
/// organ's meetings, where the breadcrumb names none of them. The header is
/// the table's first row; columns count `colspan` and cells reaching down
/// from rows above (`rowspan`: one organ's cell beside its meetings); a cell
/// that holds a link is no organ. Each table is laid out once.
fn column_organs(rows: &[ElementRef], context: &Context) -> HashMap<NodeId, String> {
    let mut organs = HashMap::new();
    let wanted: HashSet<NodeId> = rows.iter().map(|row| row.id()).collect();
    let mut tables: Vec<NodeId> = Vec::new();
    for row in rows.iter().filter(|row| row.value().name() == "tr") {
        let Some(table) = table_of(*row) else {
            continue;
        };
        if tables.contains(&table.id()) {
            continue;
        }
        tables.push(table.id());
        let own_rows = || {
            table
                .find_all(selector!("tr"))
                .filter(|tr| table_of(*tr).is_some_and(|t| t.id() == table.id()))
        };
        let Some(header) = own_rows().next() else {
            continue;
        };
        let mut at = 0;
        let mut column = None;
        for cell in cells_of(header) {
            let text = collapse_whitespace(&cell.text().collect::<String>());
            if cell.value().name() == "th" && context.organ_header.is_match(&text) {
                column = Some(at);
                break;
            }
            at += span(cell, "colspan");
            if at > MAX_ORGAN_COLUMN {
                break;
            }
        }
        let Some(column) = column.filter(|c| *c <= MAX_ORGAN_COLUMN) else {
            continue;
        };
        for (tr, cell) in cells_at_column(own_rows(), column) {
            let Some(cell) = cell.filter(|_| wanted.contains(&tr.id())) else {
                continue;
            };
            if cell.find_first(selector!("a")).is_some() {
                continue;
            }
            let organ = collapse_whitespace(&cell.text().collect::<String>());
            if !organ.is_empty() && organ.chars().count() <= 80 && !date_like(&organ) {
                organs.insert(tr.id(), organ);
            }
        }
    }
    organs
}

/// The table a row is in.
fn table_of(row: ElementRef) -> Option<ElementRef> {
    row.ancestors()
        .filter_map(ElementRef::wrap)
        .find(|e| e.value().name() == "table")
}

/// A row's own cells.
fn cells_of(tr: ElementRef<'_>) -> impl Iterator<Item = ElementRef<'_>> {
    tr.children()
        .filter_map(ElementRef::wrap)
        .filter(|c| matches!(c.value().name(), "td" | "th"))
}

/// A cell's `colspan` or `rowspan`, within the limits browsers keep (1000
/// columns, 65,534 rows); `rowspan="0"`, to the end of the table, is the latter.
fn span(cell: ElementRef, name: &str) -> usize {
    let limit = if name == "rowspan" { 65_534 } else { 1000 };
    match cell
        .attr(name)
        .and_then(|span| span.trim().parse::<usize>().ok())
    {
        Some(0) if name == "rowspan" => limit,
        Some(span) => span.clamp(1, limit),
        None => 1,
    }
}

/// Each of a table's `rows` with the cell that starts at `column` in it, if
/// one does: its own, after the `colspan`s before it, or one that reaches
/// down into it from a row above (`rowspan`).
fn cells_at_column<'a>(
    rows: impl Iterator<Item = ElementRef<'a>>,
    column: usize,
) -> Vec<(ElementRef<'a>, Option<ElementRef<'a>>)> {
    table_layout(rows, column)
        .into_iter()
        .map(|(tr, cells)| {
            let found = cells.iter().find(|c| c.column == column).map(|c| c.cell);
            (tr, found)
        })
        .collect()
}

/// A cell as laid out in one row of its table.
#[derive(Clone, Copy)]
struct Placed<'a> {
    cell: ElementRef<'a>,
    /// The column it starts at.
    column: usize,
    /// Whether it is a cell of a row above that reaches down (`rowspan`).
    from_above: bool,
}

/// Each of a table's `rows` with its cells that start at columns up to
/// `last_column`: its own, after the `colspan`s before them, and those that
/// reach down into it from rows above (`rowspan`). Only those columns are
/// tracked, so a row costs no more than that many steps.
fn table_layout<'a>(
    rows: impl Iterator<Item = ElementRef<'a>>,
    last_column: usize,
) -> Vec<(ElementRef<'a>, Vec<Placed<'a>>)> {
    /// A cell from a row above: how many rows it still covers, counting the
    /// current one, and the column it starts at.
    #[derive(Clone, Copy)]
    struct Reaching<'a> {
        rows_left: usize,
        cell: Option<(ElementRef<'a>, usize)>,
    }
    let free = Reaching {
        rows_left: 0,
        cell: None,
    };
    let mut reaching = vec![free; last_column + 1];
    rows.map(|tr| {
        let mut placed: Vec<Placed> = reaching
            .iter()
            .enumerate()
            .filter_map(|(at, r)| match r.cell {
                Some((cell, start)) if r.rows_left > 0 && start == at => Some(Placed {
                    cell,
                    column: at,
                    from_above: true,
                }),
                _ => None,
            })
            .collect();
        let mut at = 0;
        for cell in cells_of(tr) {
            while at <= last_column && reaching[at].rows_left > 0 {
                at += 1;
            }
            if at > last_column {
                break;
            }
            let width = span(cell, "colspan");
            let rows = span(cell, "rowspan");
            placed.push(Placed {
                cell,
                column: at,
                from_above: false,
            });
            if rows > 1 {
                for covered in &mut reaching[at..(at + width).min(last_column + 1)] {
                    *covered = Reaching {
                        rows_left: rows,
                        cell: Some((cell, at)),
                    };
                }
            }
            at += width;
        }
        for covered in &mut reaching {
            covered.rows_left = covered.rows_left.saturating_sub(1);
        }
        (tr, placed)
    })
    .collect()
}

/// How many columns of a table harava lays out to find dates in cells that
/// reach down into the rows below (see [`MAX_ORGAN_COLUMN`]).
const MAX_DATE_COLUMN: usize = 16;

/// The rows of `document`'s tables that a dated cell of a row above reaches
/// down into (`<td rowspan="2">4.3.2024</td>`: one meeting's date beside its
/// rows of documents, or one day's beside its organs), each with that cell.
fn dates_from_above(document: &Html) -> HashMap<NodeId, ElementRef<'_>> {
    let mut dated = HashMap::new();
    for table in document.find_all(selector!("table")) {
        let spans_rows = table
            .find_all(selector!("td[rowspan], th[rowspan]"))
            .any(|cell| span(cell, "rowspan") > 1);
        if !spans_rows {
            continue;
        }
        let own_rows = table
            .find_all(selector!("tr"))
            .filter(|tr| table_of(*tr).is_some_and(|t| t.id() == table.id()));
        for (tr, cells) in table_layout(own_rows, MAX_DATE_COLUMN) {
            let from_above = cells
                .iter()
                .filter(|c| c.from_above)
                .find(|c| date_like(&collapse_whitespace(&c.cell.text().collect::<String>())));
            if let Some(placed) = from_above {
                dated.insert(tr.id(), placed.cell);
            }
        }
    }
    dated
}

/// The ends of organs' names in the genitive, and in the nominative.
const GENITIVES: &[(&str, &str)] = &[
    ("hallituksen", "hallitus"),
    ("valtuuston", "valtuusto"),
    ("lautakunnan", "lautakunta"),
    ("jaoston", "jaosto"),
    ("toimikunnan", "toimikunta"),
    ("johtoryhmän", "johtoryhmä"),
    ("neuvoston", "neuvosto"),
    ("työryhmän", "työryhmä"),
    ("toimielimen", "toimielin"),
];

/// `name` with a capital first letter ("kommunstyrelsen" after "Kallelse
/// till").
fn capitalized(name: &str) -> String {
    let mut letters = name.chars();
    match letters.next() {
        Some(first) => first.to_uppercase().chain(letters).collect(),
        None => String::new(),
    }
}

/// Words that lead up to the organ a title names: "Kutsu
/// sivistyslautakunnan kokoukseen", "Tiedote kunnanhallituksen kokouksesta".
const LEAD_INS: &[&str] = &[
    "kutsu", "tiedote", "ilmoitus", "kuulutus", "muutos", "peruutus", "siirto",
];

/// `name`, a title's text before its meeting word, without a word that leads
/// up to the organ after it ("Kutsu sivistyslautakunnan"). Any other first
/// word stays: it may be the organ's own ("Tekniska nämnden", "Keusote
/// yhtymähallituksen").
fn without_lead_in(name: &str) -> &str {
    match name.split_once(' ') {
        Some((first, rest)) if LEAD_INS.contains(&first.to_lowercase().trim_end_matches(':')) => {
            rest.trim_start()
        }
        _ => name,
    }
}

/// An organ's name from its genitive, "Tarkastuslautakunnan" or
/// "Kommunstyrelsens", if it is one.
fn nominative(name: &str) -> Option<String> {
    GENITIVES
        .iter()
        .find_map(|(genitive, nominative)| {
            let from = name
                .char_indices()
                .rev()
                .nth(genitive.chars().count() - 1)?
                .0;
            let (stem, ending) = name.split_at(from);
            if ending.to_lowercase() != *genitive {
                return None;
            }
            // "Valtuuston" is "Valtuusto", "KAUPUNGINHALLITUKSEN" is
            // "KAUPUNGINHALLITUS", and "Teknisen lautakunnan" is "Tekninen
            // lautakunta".
            let nominative = match ending.chars().next() {
                Some(first)
                    if ending.chars().all(|c| !c.is_lowercase()) && first.is_uppercase() =>
                {
                    nominative.to_uppercase()
                }
                Some(first) if first.is_uppercase() => capitalized(nominative),
                _ => nominative.to_string(),
            };
            let stem = match stem.strip_suffix("isen ") {
                Some(adjective) => format!("{adjective}inen "),
                None => stem.to_string(),
            };
            Some(format!("{stem}{nominative}"))
        })
        .or_else(|| name.strip_suffix(['s', 'S']).map(str::to_string))
}

fn is_inside(element: ElementRef, ancestor: ElementRef) -> bool {
    element.ancestors().any(|a| a.id() == ancestor.id())
}

/// Paragraphs of `root`'s text, as the profile-driven extractor reads them,
/// without the nodes in `skip` (title, post date, links already placed).
fn paragraphs(root: ElementRef, skip: &HashSet<NodeId>) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut hidden = 0usize;
    let flush = |current: &mut String, out: &mut Vec<String>| {
        let text = collapse_whitespace(current);
        if !text.is_empty() {
            // What is left of a footer once its links are gone: "| |".
            if text.chars().any(char::is_alphanumeric) {
                out.push(text);
            }
        }
        current.clear();
    };
    for edge in root.traverse() {
        match edge {
            Edge::Open(node) => {
                if hidden > 0 || skip.contains(&node.id()) {
                    hidden += 1;
                    continue;
                }
                match node.value() {
                    Node::Element(e) if is_invisible(e) => hidden += 1,
                    Node::Element(e) if e.name() == "br" => current.push(' '),
                    Node::Element(e) if is_block(e) => flush(&mut current, &mut out),
                    Node::Text(text) => current.push_str(text),
                    _ => {}
                }
            }
            Edge::Close(node) => {
                // Every node opened inside a hidden run counted itself in.
                if hidden > 0 {
                    hidden -= 1;
                    continue;
                }
                if let Node::Element(e) = node.value()
                    && is_block(e)
                {
                    flush(&mut current, &mut out);
                }
            }
        }
    }
    flush(&mut current, &mut out);
    out
}

/// Links to the listing's next (older) page.
fn next_links(page: &Page, document: &Html, explain: &mut Vec<String>) -> Vec<Link> {
    let anchors = selector!("a[href], link[rel~='next'][href]");
    let mut next: Vec<Link> = Vec::new();
    for a in document.find_all(anchors) {
        let rel_next = a
            .attr("rel")
            .is_some_and(|r| r.split_whitespace().any(|r| r == "next"));
        let text = link_text(a);
        let words = text
            .trim_matches(|c: char| "«»‹›←→<>".contains(c) || c.is_whitespace())
            .to_lowercase();
        let first_word = words.split_whitespace().next().unwrap_or_default();
        let by_text = NEXT_WORDS.contains(&first_word) || matches!(text.trim(), "»" | "›");
        if !(rel_next || by_text) {
            continue;
        }
        let Some(link) = a.attr("href").and_then(|h| page.resolve(h)) else {
            continue;
        };
        if link.original == page.url || next.contains(&link) {
            continue;
        }
        explain.push(format!("next page: {} ({})", link.original, css_path(a)));
        next.push(link);
    }
    next
}

fn detail_page(
    page: &Page,
    document: &Html,
    organ: Option<String>,
    context: &Context,
    explain: &mut Vec<String>,
) -> DetailPage {
    let mut warnings = page.warnings.clone();
    let items_rows = find_items(document.root_element(), context);
    let items: Vec<Item> = items_rows
        .iter()
        .map(|(row, number)| item(page, *row, number.clone()))
        .collect();
    if let Some((row, _)) = items_rows.first() {
        explain.push(format!("items: {} × {}", items.len(), css_path(*row)));
    }
    let content = main_content(document);
    let body = content.map(|c| {
        explain.push(format!("body: {}", css_path(c)));
        let paragraphs = paragraphs(c, &HashSet::new());
        paragraphs.join("\n\n")
    });
    let body = body.filter(|b| !b.is_empty());
    // The header dates the page: the text before the items or the body, never
    // the dates the body names.
    let stop = items_rows
        .first()
        .map(|(row, _)| row.id())
        .or_else(|| content.map(|c| c.id()));
    let header = header_text(document, stop);
    let date_match = context.meeting_date(&header, None);
    let document_type = header
        .lines()
        .find_map(|line| context.document_type.find(line.trim()))
        .map(|m| m.as_str().to_string());
    // The organ: the breadcrumb's; else what precedes the date on its line
    // ("Kunnanhallitus 4.3.2024"), unless a label ("Kokousaika:"); else a
    // line of the header that names an organ.
    let organ = organ
        .or_else(|| {
            let line = header
                .lines()
                .find(|l| date_match.as_ref().is_some_and(|m| l.contains(&m.text)))?;
            let before = line.split(date_match.as_ref()?.text.as_str()).next()?;
            let cleaned = context.document_type.replace(before.trim(), "");
            if cleaned.trim_end().ends_with(':') {
                return None;
            }
            let cleaned =
                cleaned.trim_matches(|c: char| c.is_whitespace() || "/,:;–-|".contains(c));
            // "Yhtymävaltuuston kokous", "Valtuusto kokoontuu": the organ
            // before the meeting word, if any; a sentence is none.
            if context.meeting_words.is_match(cleaned) {
                return organ_named(cleaned, context);
            }
            (!cleaned.is_empty() && cleaned.chars().count() < 80).then(|| cleaned.to_string())
        })
        .or_else(|| {
            header
                .lines()
                .find_map(|line| organ_named(line.trim(), context))
        });
    let documents = {
        let anchors = selector!("a[href]");
        let scope = content
            .and_then(|c| {
                c.ancestors()
                    .filter_map(ElementRef::wrap)
                    .find(|a| matches!(a.value().name(), "article" | "main"))
            })
            .unwrap_or_else(|| document.root_element());
        let mut out: Vec<Document> = Vec::new();
        for a in scope.find_all(anchors) {
            if !is_document_link(&a) {
                continue;
            }
            if items_rows.iter().any(|(row, _)| is_inside(a, *row)) {
                continue;
            }
            let Some(link) = a.attr("href").and_then(|h| page.resolve(h)) else {
                continue;
            };
            let url = link.original.to_string();
            if !out.iter().any(|d| d.url == url) {
                out.push(Document {
                    title: link_text(a),
                    url,
                });
            }
        }
        out
    };
    if date_match.is_none() && !items.is_empty() {
        warnings.push(format!(
            "meeting_date: no date in the header of {}",
            page.url
        ));
    }
    let meeting_date = date_match.as_ref().map(|m| m.start);
    DetailPage {
        body,
        documents,
        title: compose_title(organ.as_deref(), document_type.as_deref(), meeting_date),
        organ,
        meeting_date,
        meeting_time: date_match
            .as_ref()
            .and_then(|m| m.time.map(|t| t.format("%H:%M").to_string())),
        document_type,
        standalone: !items.is_empty(),
        items,
        system_id: None,
        warnings,
    }
}

/// The text of the page before `stop` (or all of it), line by line.
fn header_text(document: &Html, stop: Option<NodeId>) -> String {
    let body = document
        .find_first(selector!("body"))
        .unwrap_or_else(|| document.root_element());
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut hidden = 0usize;
    for edge in body.traverse() {
        match edge {
            Edge::Open(node) => {
                if Some(node.id()) == stop {
                    break;
                }
                match node.value() {
                    Node::Element(e) if is_invisible(e) || e.name() == "nav" => hidden += 1,
                    Node::Element(e) if hidden == 0 && (e.name() == "br" || is_block(e)) => {
                        lines.push(std::mem::take(&mut current));
                    }
                    Node::Text(text) if hidden == 0 => current.push_str(text),
                    _ => {}
                }
            }
            Edge::Close(node) => match node.value() {
                Node::Element(e) if is_invisible(e) || e.name() == "nav" => {
                    hidden = hidden.saturating_sub(1)
                }
                Node::Element(e) if hidden == 0 && is_block(e) => {
                    lines.push(std::mem::take(&mut current));
                }
                _ => {}
            },
        }
    }
    lines.push(current);
    lines
        .iter()
        .map(|l| collapse_whitespace(l))
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The block with the most paragraph text: the readability heuristic, scored
/// by the text of each block's own paragraphs, so that a wrapper around the
/// article and its sidebar does not win over the article.
fn main_content(document: &Html) -> Option<ElementRef<'_>> {
    main_content_scored(document).map(|(_, block)| block)
}

/// [`main_content`] and the length of its paragraphs' text.
fn main_content_scored(document: &Html) -> Option<(usize, ElementRef<'_>)> {
    let paragraphs = selector!("p, pre, blockquote, li");
    let mut best: Option<(usize, ElementRef)> = None;
    let mut scores: std::collections::HashMap<NodeId, usize> = std::collections::HashMap::new();
    for p in document.find_all(paragraphs) {
        let Some(parent) = p.parent().and_then(ElementRef::wrap) else {
            continue;
        };
        if parent.ancestors().filter_map(ElementRef::wrap).any(|a| {
            matches!(
                a.value().name(),
                "nav" | "aside" | "footer" | "header" | "form"
            )
        }) || matches!(
            parent.value().name(),
            "nav" | "aside" | "footer" | "header" | "form"
        ) {
            continue;
        }
        let text = collapse_whitespace(&p.text().collect::<String>());
        // Link lists are navigation, not text.
        let link_chars: usize = p.find_all(selector!("a")).map(|a| link_text(a).len()).sum();
        if text.len() < 25 || link_chars * 2 > text.len() {
            continue;
        }
        *scores.entry(parent.id()).or_default() += text.chars().count();
    }
    for (id, score) in scores {
        let Some(element) = document.tree.get(id).and_then(ElementRef::wrap) else {
            continue;
        };
        if best
            .as_ref()
            .is_none_or(|(b, e)| score > *b || (score == *b && e.id() > id))
        {
            best = Some((score, element));
        }
    }
    best.filter(|(score, _)| *score >= 80)
}

/// Agenda item rows: a run of sibling rows most of which are numbered
/// ("§ 127", "72") and each of which links somewhere.
fn find_items<'a>(
    root: ElementRef<'a>,
    context: &Context,
) -> Vec<(ElementRef<'a>, Option<String>)> {
    let rows = selector!("tr, li");
    let anchors = selector!("a[href]");
    let mut best: Vec<(ElementRef, Option<String>)> = Vec::new();
    let mut seen_parents: HashSet<NodeId> = HashSet::new();
    for row in root.find_all(rows) {
        let Some(parent) = row.parent() else {
            continue;
        };
        if !seen_parents.insert(parent.id()) {
            continue;
        }
        let siblings: Vec<ElementRef> = parent
            .children()
            .filter_map(ElementRef::wrap)
            .filter(|s| s.value().name() == row.value().name())
            .collect();
        let linked: Vec<(ElementRef, Option<String>)> = siblings
            .iter()
            .filter(|s| s.find_first(anchors).is_some())
            .map(|s| (*s, row_number(*s, context)))
            .collect();
        let numbered = linked.iter().filter(|(_, n)| n.is_some()).count();
        if numbered >= 3 && numbered * 3 >= linked.len() * 2 && linked.len() > best.len() {
            best = linked;
        }
    }
    best
}

/// The section number a row starts with: its first cell's whole text, or a
/// leading "§ 12" / "12." of a list item.
fn row_number(row: ElementRef, context: &Context) -> Option<String> {
    let first_cell = cells_of(row).next();
    let text = match first_cell {
        Some(cell) => collapse_whitespace(&cell.text().collect::<String>()),
        None => {
            let text = collapse_whitespace(&row.text().collect::<String>());
            text.split_whitespace()
                .take(2)
                .collect::<Vec<_>>()
                .join(" ")
                .split(' ')
                .next()
                .unwrap_or_default()
                .to_string()
        }
    };
    context
        .item_number
        .captures(&text)
        .map(|c| c["number"].to_string())
}

fn item(page: &Page, row: ElementRef, number: Option<String>) -> Item {
    let anchors = selector!("a[href]");
    let links: Vec<ElementRef> = row.find_all(anchors).collect();
    let main = links.iter().copied().max_by_key(|a| link_text(*a).len());
    let url = main
        .and_then(|a| a.attr("href"))
        .and_then(|h| page.resolve(h))
        .map(|l| l.original.to_string());
    let documents = links
        .iter()
        .filter(|a| Some(a.id()) != main.map(|m| m.id()))
        .filter_map(|a| {
            let link = a.attr("href").and_then(|h| page.resolve(h))?;
            Some(Document {
                title: link_text(*a),
                url: link.original.to_string(),
            })
        })
        .collect();
    Item {
        number,
        title: main.map(link_text).filter(|t| !t.is_empty()),
        url,
        documents,
    }
}

/// What the generic extractor chose on a listing page, as selectors a profile
/// can pin: the entry, and within it each field's element.
#[derive(Debug, Default)]
pub(crate) struct ListingChoice {
    pub entry: String,
    pub title: Option<String>,
    pub posted: Option<String>,
    pub category: Option<String>,
    pub comment_count: Option<String>,
    pub documents: Option<String>,
    pub detail_link: Option<String>,
    pub summary: Option<String>,
    pub summary_exclude: Vec<String>,
    /// The breadcrumb that names the organ.
    pub organ: Option<String>,
    /// The "older" link: its selector and its text.
    pub next_page: Option<(String, String)>,
}

/// What the generic extractor chose on a detail page.
#[derive(Debug, Default)]
pub(crate) struct DetailChoice {
    /// Elements of the page's own, to tell it from a listing.
    pub markers: Vec<String>,
    pub body: String,
}

/// The choices behind reading `document` as a listing, if it is one.
pub(crate) fn listing_choice(page: &Page, document: &Html) -> Option<ListingChoice> {
    let context: &Context = &CONTEXT;
    let above = dates_from_above(document);
    let (entries, _) = find_entries(document, &above, context)?;
    let first = *entries.first()?;
    let mut notes = Vec::new();
    let organ_trail = breadcrumb_trail(document);
    let organ = organ_trail.map(|t| collapse_whitespace(&t.text().collect::<String>()));
    let mut chosen = Chosen::default();
    let column_organ = column_organs(&[first], context).remove(&first.id());
    let organs = Organs {
        column: column_organ.as_deref(),
        page: organ.as_deref(),
        heading: None,
    };
    let date_above = above.get(&first.id()).copied();
    let entry = entry_choosing(
        page,
        first,
        organs,
        date_above,
        context,
        &mut notes,
        &mut chosen,
    );
    let node = |id: Option<NodeId>| {
        id.and_then(|id| document.tree.get(id))
            .and_then(ElementRef::wrap)
    };
    let title = node(chosen.title);
    let mut choice = ListingChoice {
        entry: common_step(&entries),
        title: title.map(stable_step),
        posted: node(chosen.posted).map(stable_step),
        category: node(chosen.category).map(|a| match a.attr("rel") {
            Some(rel)
                if rel
                    .split_whitespace()
                    .any(|r| r == "category" || r == "tag") =>
            {
                "a[rel~='category'], a[rel~='tag']".to_string()
            }
            _ => with_parent(a),
        }),
        comment_count: node(chosen.comments).map(stable_step),
        organ: organ_trail.map(stable_step),
        ..ListingChoice::default()
    };
    let extensions: Vec<String> = chosen
        .documents
        .iter()
        .filter_map(|id| node(Some(*id)))
        .filter_map(|a| {
            let href = a
                .attr("href")?
                .split(['?', '#'])
                .next()?
                .to_ascii_lowercase();
            Some(href.rsplit_once('.')?.1.to_string())
        })
        .filter(|ext| DOCUMENT_EXTENSIONS.contains(&ext.as_str()))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    if !extensions.is_empty() {
        choice.documents = Some(
            extensions
                .iter()
                .map(|ext| format!("a[href$='.{ext}' i]"))
                .collect::<Vec<_>>()
                .join(", "),
        );
    }
    if entry.detail.is_some() {
        choice.detail_link = match title {
            Some(t) if t.value().name() == "a" => Some(format!("{}[href]", stable_step(t))),
            Some(t) => Some(format!("{} a[href]", stable_step(t))),
            None => Some("a[href]".to_string()),
        };
    }
    // The summary: the block around the entry's kept paragraphs, less what the
    // extractor set aside inside it.
    let kept: Vec<ElementRef> = first
        .descendants()
        .filter_map(ElementRef::wrap)
        .filter(|e| e.value().name() == "p")
        .filter(|p| !chosen.skip.contains(&p.id()))
        .filter(|p| {
            let text = collapse_whitespace(&p.text().collect::<String>());
            text.chars().filter(|c| c.is_alphanumeric()).count() > 20
        })
        .collect();
    if let Some(container) = lowest_common_ancestor(&kept) {
        choice.summary = Some(stable_step(container));
        for id in &chosen.skip {
            let Some(skipped) = node(Some(*id)) else {
                continue;
            };
            if !is_inside(skipped, container) {
                continue;
            }
            // A classless link is excluded by its block, not by its tag, which
            // would take every link out of the text.
            let target = match skipped.value().classes().next() {
                Some(_) => skipped,
                None => skipped
                    .parent()
                    .and_then(ElementRef::wrap)
                    .unwrap_or(skipped),
            };
            if target.id() != container.id() {
                let step = stable_step(target);
                if !choice.summary_exclude.contains(&step) {
                    choice.summary_exclude.push(step);
                }
            }
        }
        choice.summary_exclude.sort();
    }
    let mut explain = Vec::new();
    if let Some(next) = next_links(page, document, &mut explain).first() {
        let anchors = selector!("a[href]");
        if let Some(a) = document
            .find_all(anchors)
            .find(|a| a.attr("href").and_then(|h| page.resolve(h)).as_ref() == Some(next))
        {
            choice.next_page = Some((with_parent(a), link_text(a)));
        }
    }
    Some(choice)
}

/// The choices behind reading `document` as a detail page; `listings` are
/// pages of the same site that are not, so the markers tell them apart.
pub(crate) fn detail_choice(document: &Html, listings: &[&Html]) -> Option<DetailChoice> {
    let content = main_content(document)?;
    let mut candidates: Vec<String> = Vec::new();
    if let Some(body) = document.find_first(selector!("body")) {
        candidates.extend(
            body.value()
                .classes()
                .filter(|c| is_css_ident(c) && !c.chars().any(|ch| ch.is_ascii_digit()))
                .map(|c| format!("body.{c}")),
        );
    }
    candidates.extend(
        content
            .ancestors()
            .filter_map(ElementRef::wrap)
            .filter(|a| !matches!(a.value().name(), "body" | "html"))
            .map(stable_step),
    );
    let markers: Vec<String> = candidates
        .into_iter()
        .filter(|c| {
            let Ok(selector) = Selector::parse(c) else {
                return false;
            };
            document.find_first(&selector).is_some()
                && listings.iter().all(|l| l.find_first(&selector).is_none())
        })
        .take(1)
        .collect();
    Some(DetailChoice {
        markers,
        body: stable_step(content),
    })
}

/// The breadcrumb trail that names the page's organ, if the page has one.
fn breadcrumb_trail(document: &Html) -> Option<ElementRef<'_>> {
    breadcrumb(document, &CONTEXT, &mut Vec::new()).map(|(trail, _)| trail)
}

fn lowest_common_ancestor<'a>(elements: &[ElementRef<'a>]) -> Option<ElementRef<'a>> {
    let first = elements.first()?;
    let mut candidate = first.parent().and_then(ElementRef::wrap)?;
    loop {
        if elements.iter().all(|e| is_inside(*e, candidate)) {
            return Some(candidate);
        }
        candidate = candidate.parent().and_then(ElementRef::wrap)?;
    }
}

/// `parent > element` in stable steps, for links whose own step is just `a`.
fn with_parent(element: ElementRef) -> String {
    match element.parent().and_then(ElementRef::wrap) {
        Some(parent) => format!("{} > {}", stable_step(parent), stable_step(element)),
        None => stable_step(element),
    }
}

/// The classes all `elements` share (numbered ones such as `post-104` left
/// out), on their tag.
fn common_step(elements: &[ElementRef]) -> String {
    let Some(first) = elements.first() else {
        return String::new();
    };
    let mut step = first.value().name().to_string();
    let shared: Vec<&str> = first
        .value()
        .classes()
        .filter(|c| is_css_ident(c) && !c.chars().any(|ch| ch.is_ascii_digit()))
        .filter(|c| {
            elements
                .iter()
                .all(|e| e.value().classes().any(|x| x == *c))
        })
        .take(2)
        .collect();
    for class in shared {
        step.push('.');
        step.push_str(class);
    }
    step
}

/// A step by tag and up to two classes, never an id or a numbered class: the
/// same element on the next page must match it.
fn stable_step(element: ElementRef) -> String {
    common_step(&[element])
}

/// A CSS path to an element, for `--explain` and `profile suggest`: its tag
/// with id or classes, under its parent's.
pub(crate) fn css_path(element: ElementRef) -> String {
    let mut parts = Vec::new();
    let mut current = Some(element);
    while let Some(e) = current {
        if matches!(e.value().name(), "html" | "body") {
            break;
        }
        parts.push(step(e));
        if e.value().id().is_some() || parts.len() >= 4 {
            break;
        }
        current = e.parent().and_then(ElementRef::wrap);
    }
    parts.reverse();
    parts.join(" > ")
}

/// One step of a CSS path: `tag#id` or `tag.class1.class2`.
pub(crate) fn step(element: ElementRef) -> String {
    let value = element.value();
    let mut step = value.name().to_string();
    if let Some(id) = value.id().filter(|id| is_css_ident(id)) {
        step.push('#');
        step.push_str(id);
        return step;
    }
    for class in value.classes().filter(|c| is_css_ident(c)).take(2) {
        step.push('.');
        step.push_str(class);
    }
    step
}

fn is_css_ident(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile;

    /// A sample page read at its place on the original site.
    fn sample(path: &str, html: &str) -> (Page, Html) {
        let url = url::Url::parse("https://www.uusimaa2019.fi/")
            .unwrap()
            .join(path)
            .unwrap();
        (
            Page::new(url.clone(), url, html.to_string()),
            Html::parse_document(html),
        )
    }

    fn uusimaa() -> crate::profile::Profile {
        profile::bundled()
            .into_iter()
            .find(|p| p.name == "uusimaa2019")
            .unwrap()
    }

    #[test]
    fn sample_listings_read_as_the_profile_reads_them() {
        for (path, html) in [
            (
                "kuntajohtajakokous/page/2/",
                include_str!("../../samples/uusimaa2019/kuntajohtajakokous/page/2/index.html"),
            ),
            (
                "strateginen-johtoryhma/",
                include_str!("../../samples/uusimaa2019/strateginen-johtoryhma/index.html"),
            ),
        ] {
            let (page, document) = sample(path, html);
            let Extracted::Listing(by_profile) =
                super::super::extract_document(&page, &document, &uusimaa())
            else {
                panic!("the profile reads a listing")
            };
            let found = extract(&page, &document);
            let Extracted::Listing(generic) = found.extracted else {
                panic!("{path}: no listing found: {:?}", found.explain)
            };
            assert_eq!(generic.entries.len(), by_profile.entries.len(), "{path}");
            assert_eq!(generic.next, by_profile.next, "{path}");
            for (g, p) in generic.entries.iter().zip(&by_profile.entries) {
                assert_eq!(g.title, p.title, "{path}");
                assert_eq!(g.organ, p.organ, "{path}");
                assert_eq!(g.published_date, p.published_date, "{path}");
                assert_eq!(g.meeting_date, p.meeting_date, "{path}");
                assert_eq!(g.category, p.category, "{path}");
                assert_eq!(g.summary, p.summary, "{path}");
                assert_eq!(g.documents, p.documents, "{path}");
                assert_eq!(g.detail, p.detail, "{path}");
                assert_eq!(g.comment_count, p.comment_count, "{path}");
            }
        }
    }

    #[test]
    fn a_sample_detail_page_gives_the_profiles_body_and_documents() {
        let (page, document) = sample(
            "muistiot/kuntajohtajakokous-10-5-2017/",
            include_str!(
                "../../samples/uusimaa2019/muistiot/kuntajohtajakokous-10-5-2017/index.html"
            ),
        );
        let by_profile = super::super::detail_page(&page, &document, &uusimaa());
        let generic = detail(&page, &document);
        assert_eq!(generic.body, by_profile.body);
        assert_eq!(generic.documents, by_profile.documents);
        let found = extract(&page, &document);
        assert!(
            matches!(found.extracted, Extracted::Detail(_)),
            "{:?}",
            found.explain
        );
    }

    #[test]
    fn an_application_shell_needs_javascript() {
        let html = "<html><head><script src=/app.js></script></head><body><noscript>Ota JavaScript käyttöön.</noscript><div id=root></div></body></html>";
        let (page, document) = sample("kokoukset/", html);
        let found = extract(&page, &document);
        assert!(matches!(found.extracted, Extracted::Other));
        let problem = found.problem.unwrap();
        assert!(
            problem.starts_with(
                "https://www.uusimaa2019.fi/kokoukset/ needs JavaScript: its HTML has "
            ),
            "{problem}"
        );
    }

    const POST_TEXT: &str = "<p>Kunnanhallitus kokoontuu maanantaina 4.3.2024 kello 17 kunnantalon \
        valtuustosalissa. Kokouksessa käsitellään tilinpäätöstä ja kaavoitusohjelmaa.</p>\
        <p>Esityslista julkaistaan viimeistään kokousta edeltävänä torstaina, ja pöytäkirja \
        on nähtävillä yleisessä tietoverkossa tarkastamisen jälkeen.</p>";

    /// What the generic extractor lists on `html`, read at `kh/`.
    fn listing_at_kh(html: &str) -> ListingPage {
        let (page, document) = sample("kh/", html);
        let found = extract(&page, &document);
        let Extracted::Listing(listing) = found.extracted else {
            panic!("{html}: no listing: {:?}", found.explain)
        };
        listing
    }

    /// A table row of a meeting's day and minutes.
    fn minutes_row(day: &str, file: &str) -> String {
        format!("<tr><td>{day}</td><td><a href=/f/{file}.pdf>Pöytäkirja</a></td></tr>")
    }

    /// A list item of a meeting's day, time and minutes.
    fn minutes_item(day: &str, file: &str) -> String {
        format!("<li>ma {day} klo 17.00 <a href=/f/{file}.pdf>Pöytäkirja</a></li>")
    }

    /// The organs of a listing's entries, in order.
    fn organs(listing: &ListingPage) -> Vec<&str> {
        listing
            .entries
            .iter()
            .map(|e| e.organ.as_deref().unwrap())
            .collect()
    }

    /// The titles of a listing's entries, in order.
    fn titles(listing: &ListingPage) -> Vec<&str> {
        listing
            .entries
            .iter()
            .map(|e| e.title.as_deref().unwrap())
            .collect()
    }

    /// The meeting dates of a listing's entries, in order.
    fn meeting_days(listing: &ListingPage) -> Vec<String> {
        listing
            .entries
            .iter()
            .map(|e| e.meeting_date.unwrap().to_string())
            .collect()
    }

    /// A list of other meetings, each with a date and a link.
    fn other_meetings(tag: &str) -> String {
        ["19.2.2024", "5.2.2024", "22.1.2024"]
            .iter()
            .enumerate()
            .map(|(n, day)| {
                format!("<{tag}><a href=/kh/{n}/>Kunnanhallituksen kokous {day}</a> <span>{day}</span></{tag}>")
            })
            .collect()
    }

    /// A post that lists related or recent posts beside its own text (or
    /// within it) is the post, however the list is marked; the same list with
    /// no text beside it is a listing.
    #[test]
    fn related_posts_beside_a_post_are_no_listing() {
        let li = other_meetings("li");
        let cases = [
            (
                format!("<section class=related-posts><h2>Muut</h2><ul>{li}</ul></section>"),
                "they are in main > section.related-posts",
            ),
            (
                format!("<div><h2>Aiheeseen liittyvät</h2><ul>{li}</ul></div>"),
                "their heading says \"Aiheeseen liittyvät\"",
            ),
            (
                format!("<h3>Läs också</h3><ul>{li}</ul>"),
                "their heading says \"Läs också\"",
            ),
            (
                format!("<div id=widget_recent_entries-2><ul>{li}</ul></div>"),
                "they are in div#widget_recent_entries-2",
            ),
            (
                format!("<aside><ul>{li}</ul></aside>"),
                "they are in main > aside",
            ),
            (
                format!(
                    "<div class=section-header><h2>Aiheeseen liittyvää</h2></div><ul>{li}</ul>"
                ),
                "their heading says \"Aiheeseen liittyvää\"",
            ),
            (
                format!(
                    "<div class='widget'><p class=widget-title><strong>Lue myös</strong></p><ul>{li}</ul></div>"
                ),
                "their heading says \"Lue myös\"",
            ),
            (
                format!("<div class='uusimmat'><h2>Uusimmat kokoukset</h2><ul>{li}</ul></div>"),
                "their heading says \"Uusimmat kokoukset\"",
            ),
            // Within the post's text, as plugins append them.
            (
                format!("<div class=yarpp-related><h3>Related posts:</h3><ol>{li}</ol></div>"),
                "their heading says \"Related posts:\"",
            ),
        ];
        for (list, reason) in cases {
            let (beside, within) = match list.contains("yarpp") {
                true => ("", list.as_str()),
                false => (list.as_str(), ""),
            };
            let html = format!(
                "<body><main><article><h1>Kunnanhallituksen kokous 4.3.2024</h1>\
                 <div class=entry-content>{POST_TEXT}{within}</div></article>{beside}</main></body>"
            );
            let (page, document) = sample("kh/kokous-4-3-2024/", &html);
            let found = extract(&page, &document);
            let Extracted::Detail(detail) = found.extracted else {
                panic!("{list}: {:?}", found.explain)
            };
            assert!(
                detail
                    .body
                    .as_deref()
                    .unwrap()
                    .starts_with("Kunnanhallitus kokoontuu maanantaina"),
                "{list}"
            );
            let set_aside = found
                .explain
                .iter()
                .find(|line| line.contains("set aside"))
                .unwrap();
            assert!(set_aside.contains(reason), "{set_aside}");
            assert!(
                set_aside.ends_with("main > article > div.entry-content (285 characters)"),
                "{set_aside}"
            );

            let without_text = html.replace(POST_TEXT, "<p>Tervetuloa.</p>");
            assert_eq!(listing_at_kh(&without_text).entries.len(), 3, "{list}");
        }
    }

    /// Lists that a page builder calls widgets, that a listing heads
    /// "Uusimmat", or that share a wrapper named for its sidebar with their
    /// introduction, are a listing's own, whatever text stands beside them.
    #[test]
    fn a_listing_named_recent_or_built_of_widgets_stays_a_listing() {
        let li = other_meetings("li");
        let cases = [
            format!(
                "<body><div class=elementor-widget-text-editor><div class=elementor-widget-container>\
                 {POST_TEXT}</div></div><div class=elementor-widget-container><ul>{li}</ul></div></body>"
            ),
            format!(
                "<body><main><h1>Pöytäkirjat</h1><div>{POST_TEXT}</div>\
                 <h2>Uusimmat pöytäkirjat</h2><ul id=recent-meetings>{li}</ul></main></body>"
            ),
            format!(
                "<body><div>{POST_TEXT}</div><h2>Uusimmat pöytäkirjat</h2><ul>{li}</ul></body>"
            ),
            format!(
                "<body><div class='site-content has-sidebar'><div class=intro>{POST_TEXT}</div>\
                 <ul>{li}</ul><aside><p>Yhteystiedot</p></aside></div></body>"
            ),
        ];
        for html in cases {
            assert_eq!(listing_at_kh(&html).entries.len(), 3, "{html}");
        }
    }

    /// A table of every organ's meetings names each row's organ in a column;
    /// two organs meeting on one day are two meetings.
    #[test]
    fn a_table_names_each_rows_organ_in_its_column() {
        for (date, organ, agenda) in [
            ("Päivämäärä", "Toimielin", "Esityslista"),
            ("Datum", "Organ", "Föredragningslista"),
            // A header cell over two columns: a weekday's and a date's.
            ("Kokous</th><th colspan=2>Aika", "Elin", "Esityslista"),
        ] {
            let before = match date.contains("colspan") {
                true => "<td>ma</td><td>klo 17</td>",
                false => "",
            };
            let row = |day: &str, body: &str, file: &str| {
                format!(
                    "<tr>{before}<td>{day}</td><td>{body}</td><td><a href=/f/{file}.pdf>{agenda}</a></td></tr>"
                )
            };
            let html = format!(
                "<nav><a href=/>Etusivu</a> › Kokoukset</nav><table>\
                 <tr><th>{date}</th><th>{organ}</th><th>{agenda}</th></tr>{}{}{}</table>",
                row("4.3.2024", "Kunnanhallitus", "kh"),
                row("4.3.2024", "Sivistyslautakunta", "sivla"),
                row("19.2.2024", "Kunnanvaltuusto", "kv"),
            );
            let listing = listing_at_kh(&html);
            let organs = organs(&listing);
            assert_eq!(
                organs,
                ["Kunnanhallitus", "Sivistyslautakunta", "Kunnanvaltuusto"],
                "{organ}"
            );
            assert_eq!(
                listing.entries[1].title.as_deref(),
                Some("Sivistyslautakunta 4.3.2024")
            );
        }
    }

    /// One list or table per year, per organ or per kind is one listing; a
    /// year with a single meeting counts, and an organ's heading names its
    /// meetings' organ, a year's or a kind's ("Seuraava kokous") none.
    #[test]
    fn parallel_lists_per_year_or_organ_are_one_listing() {
        let accordion = format!(
            "<main><h1>Pöytäkirjat</h1><details open><summary>2024</summary><ul>{}</ul></details>\
             <details><summary>2023</summary><ul>{}{}</ul></details></main>",
            minutes_item("4.3.2024", "a"),
            minutes_item("11.12.2023", "b"),
            minutes_item("20.11.2023", "c"),
        );
        let organs = format!(
            "<main><h1>Kokoukset</h1><section><h2>Kunnanhallitus</h2><ul>{}{}</ul></section>\
             <section><h2>Sivistyslautakunta</h2><ul>{}</ul></section></main>",
            minutes_item("4.3.2024", "a"),
            minutes_item("19.2.2024", "b"),
            minutes_item("4.3.2024", "c"),
        );
        let tables = format!(
            "<main><h1>Pöytäkirjat</h1><h2>2024</h2><table id=vuosi-2024>{}</table>\
             <h2>2023</h2><table id=vuosi-2023>{}{}</table></main>",
            minutes_row("4.3.2024", "a"),
            minutes_row("11.12.2023", "b"),
            minutes_row("20.11.2023", "c"),
        );
        let kinds = format!(
            "<main><h1>Kokoukset</h1><h2>Seuraava kokous</h2><ul>{}</ul>\
             <h2>Menneet kokoukset</h2><ul>{}{}</ul></main>",
            minutes_item("4.3.2024", "a"),
            minutes_item("11.12.2023", "b"),
            minutes_item("20.11.2023", "c"),
        );
        let kh = Some("Kunnanhallitus");
        let cases = [
            (
                kinds,
                [None, None, None],
                ["2024-03-04", "2023-12-11", "2023-11-20"],
            ),
            (
                accordion,
                [None, None, None],
                ["2024-03-04", "2023-12-11", "2023-11-20"],
            ),
            (
                organs,
                [kh, kh, Some("Sivistyslautakunta")],
                ["2024-03-04", "2024-02-19", "2024-03-04"],
            ),
            (
                tables,
                [None, None, None],
                ["2024-03-04", "2023-12-11", "2023-11-20"],
            ),
        ];
        for (html, organs, days) in cases {
            let listing = listing_at_kh(&html);
            let found: Vec<_> = listing.entries.iter().map(|e| e.organ.as_deref()).collect();
            assert_eq!(found, organs, "{html}");
            assert_eq!(meeting_days(&listing), days, "{html}");
        }
    }

    /// Layouts around a listing: a layout table, nested wrappers, a sidebar
    /// in wrappers shaped as the listing's, a year per heading and list.
    #[test]
    fn a_listing_in_layouts_gives_its_own_rows() {
        let cases = [
            (
                format!(
                    "<table><tr><td><img src=logo.gif alt=Kunta></td></tr></table>\
                     <table><tr><td><h1>Kunnanhallitus</h1><table>\
                     <tr><th>Päivämäärä</th><th>Pöytäkirja</th></tr>{}{}</table></td></tr></table>",
                    minutes_row("4.3.2024", "a"),
                    minutes_row("19.2.2024", "b")
                ),
                vec!["2024-03-04", "2024-02-19"],
            ),
            (
                format!(
                    "<div><div><div><h1>Kunnanhallitus</h1><ul>{}{}</ul></div></div></div>",
                    minutes_item("4.3.2024", "a"),
                    minutes_item("19.2.2024", "b")
                ),
                vec!["2024-03-04", "2024-02-19"],
            ),
            (
                format!(
                    "<main><div><h1>Kokoukset</h1><ul>{}{}</ul></div></main>\
                     <aside class=sidebar><div><h2>Uutiset</h2><ul>{}{}{}</ul></div></aside>",
                    minutes_item("4.3.2024", "a"),
                    minutes_item("19.2.2024", "b"),
                    minutes_item("5.3.2024", "n1"),
                    minutes_item("11.3.2024", "n2"),
                    minutes_item("31.3.2024", "n3")
                ),
                vec!["2024-03-04", "2024-02-19"],
            ),
            (
                format!(
                    "<main><h1>Pöytäkirjat</h1><h2>2024</h2><ul>{}</ul><h2>2023</h2><ul>{}{}</ul></main>",
                    minutes_item("4.3.2024", "a"),
                    minutes_item("11.12.2023", "b"),
                    minutes_item("20.11.2023", "c")
                ),
                vec!["2024-03-04", "2023-12-11", "2023-11-20"],
            ),
        ];
        for (html, days) in cases {
            assert_eq!(meeting_days(&listing_at_kh(&html)), days, "{html}");
        }
    }

    /// A list of meetings wins over a longer list of news in a sidebar.
    #[test]
    fn a_news_sidebar_does_not_replace_a_list_of_meetings() {
        let html = "<main><h1>Kokoukset</h1><ul>\
            <li><a href=/kh-4-3-2024/>Kunnanhallitus, kokous 4.3.2024</a></li>\
            <li><a href=/kv-19-2-2024/>Kunnanvaltuusto, kokous 19.2.2024</a></li></ul></main>\
            <aside class=sidebar><h2>Uutiset</h2><ul>\
            <li><a href=/uutiset/1>Vesikatko 5.3.2024</a></li>\
            <li><a href=/uutiset/2>Uimahalli suljettu 11.3.2024</a></li>\
            <li><a href=/uutiset/3>Avustushaku päättyy 31.3.2024</a></li></ul></aside>";
        let listing = listing_at_kh(html);
        let dates: Vec<_> = listing.entries.iter().map(|e| e.meeting_date).collect();
        assert_eq!(
            dates,
            [
                NaiveDate::from_ymd_opt(2024, 3, 4),
                NaiveDate::from_ymd_opt(2024, 2, 19)
            ]
        );
    }

    /// A listing's own entries win over a longer sidebar of recent posts.
    #[test]
    fn a_sidebar_of_recent_posts_does_not_replace_a_listing() {
        let posts: String = ["4.3.2024", "19.2.2024"]
            .iter()
            .enumerate()
            .map(|(n, day)| {
                format!("<article><h2><a href=/kh/p{n}/>Kunnanhallituksen kokous {day}</a></h2><p>Kokous {day}.</p></article>")
            })
            .collect();
        let sidebar = format!(
            "<div class='widget widget_recent_entries'><ul>{}{}</ul></div>",
            other_meetings("li"),
            "<li><a href=/kh/9/>Kokous 8.1.2024</a> 8.1.2024</li>"
        );
        let html = format!("<body><main>{posts}</main><div id=secondary>{sidebar}</div></body>");
        let listing = listing_at_kh(&html);
        assert_eq!(
            titles(&listing),
            [
                "Kunnanhallituksen kokous 4.3.2024",
                "Kunnanhallituksen kokous 19.2.2024"
            ]
        );
    }

    #[test]
    fn a_generation_timestamp_is_no_meeting_date() {
        let html = "<html><head><meta name=generated content='2024-03-12T14:22:00'></head><body>\
            <h1>Pöytäkirjat</h1><table><tr><td>§ 1</td><td><a href=/a/1>Kokouksen avaus</a></td></tr>\
            <tr><td>§ 2</td><td><a href=/a/2>Laillisuus ja päätösvaltaisuus</a></td></tr>\
            <tr><td>§ 3</td><td><a href=/a/3>Pöytäkirjan tarkastus</a></td></tr></table>\
            <footer>Sivu päivitetty 12.3.2024 14:22</footer></body></html>";
        let (page, document) = sample("poytakirjat/", html);
        let found = extract(&page, &document);
        let Extracted::Detail(detail) = found.extracted else {
            panic!("{:?}", found.explain)
        };
        assert_eq!(detail.meeting_date, None);
        assert_eq!(detail.items.len(), 3);
        assert_eq!(detail.items[1].number.as_deref(), Some("2"));
        assert_eq!(
            detail.items[1].url.as_deref(),
            Some("https://www.uusimaa2019.fi/a/2")
        );
    }

    /// A row's title is the text that names its meeting: a link to its page
    /// (with the date in it, or two words with a meeting word), else its
    /// document's link, else a cell; a button's or a weekday's text is none.
    /// The organ is the title's, also in the genitive; a row's `time` is
    /// when the meeting is, not a post date.
    #[test]
    fn a_rows_title_is_the_text_that_names_its_meeting() {
        let cases = [
            (
                "<li><a href=/kokoukset/{n}/>Kunnanhallitus, kokous {day}</a></li>",
                "Kunnanhallitus, kokous 4.3.2024",
                "Kunnanhallitus",
            ),
            (
                "<tr><td><a href=/kokoukset/{n}>Yhtymähallituksen kokous</a></td><td><time>ma {day} klo 17.00</time></td></tr>",
                "Yhtymähallituksen kokous",
                "Yhtymähallitus",
            ),
            (
                "<li><a href=/ptk/{n}.pdf>Kunnanhallitus {day} pöytäkirja</a></li>",
                "Kunnanhallitus 4.3.2024 pöytäkirja",
                "Kunnanhallitus",
            ),
            (
                "<tr><td>Tarkastuslautakunnan kokous {day}</td><td><a href=/d/{n}.pdf>Pöytäkirja</a></td></tr>",
                "Tarkastuslautakunnan kokous 4.3.2024",
                "Tarkastuslautakunta",
            ),
            // Neither a button nor a weekday with its date is a title.
            (
                "<tr><td>{day}</td><td><a href=/d/{n}>Avaa asiakirja</a></td></tr>",
                "4.3.2024",
                "",
            ),
            (
                "<tr><td><a href=/d/{n}>Maanantai {day}</a></td></tr>",
                "4.3.2024",
                "",
            ),
            // Nor a button with a date or a meeting word, a file's size, or
            // a place.
            (
                "<tr><td><a href=/d/{n}>Avaa {day}</a></td></tr>",
                "4.3.2024",
                "",
            ),
            (
                "<tr><td>{day}</td><td><a href=/k/{n}>Kokouksen tiedot</a></td></tr>",
                "4.3.2024",
                "",
            ),
            (
                "<li><a href=/d/{n}.pdf>Pöytäkirja {day} (pdf, 245 kt)</a></li>",
                "4.3.2024",
                "",
            ),
            (
                "<tr><td>{day} klo 17, etäkokous</td><td><a href=/d/{n}.pdf>Pöytäkirja</a></td></tr>",
                "4.3.2024",
                "",
            ),
            // A line of text beside "Lue lisää".
            (
                "<div><p>Kunnanhallitus {day} klo 17</p><a href=/k/{n}>Lue lisää</a></div>",
                "Kunnanhallitus 4.3.2024 klo 17",
                "Kunnanhallitus",
            ),
            // A capitalised genitive on its own; one in capitals; a genitive
            // adjective; a document type before it; a Swedish genitive.
            (
                "<tr><td><a href=/k/{n}>Valtuuston kokous</a></td><td>{day}</td></tr>",
                "Valtuuston kokous",
                "Valtuusto",
            ),
            (
                "<li><a href=/k/{n}/>KAUPUNGINHALLITUKSEN KOKOUS {day}</a></li>",
                "KAUPUNGINHALLITUKSEN KOKOUS 4.3.2024",
                "KAUPUNGINHALLITUS",
            ),
            (
                "<li><a href=/k/{n}/>Teknisen lautakunnan kokous {day}</a></li>",
                "Teknisen lautakunnan kokous 4.3.2024",
                "Tekninen lautakunta",
            ),
            (
                "<li><a href=/k/{n}/>Kokouskutsu: Kunnanhallituksen kokous {day}</a></li>",
                "Kokouskutsu: Kunnanhallituksen kokous 4.3.2024",
                "Kunnanhallitus",
            ),
            (
                "<li><a href=/k/{n}/>KOMMUNFULLMÄKTIGES SAMMANTRÄDE {day}</a></li>",
                "KOMMUNFULLMÄKTIGES SAMMANTRÄDE 4.3.2024",
                "KOMMUNFULLMÄKTIGE",
            ),
            // A word that leads up to the genitive, the meeting word
            // inflected ("kokoukseen", "kokouksesta"); a name's own first word
            // stays.
            (
                "<li><a href=/k/{n}/>Kutsu sivistyslautakunnan kokoukseen {day}</a></li>",
                "Kutsu sivistyslautakunnan kokoukseen 4.3.2024",
                "Sivistyslautakunta",
            ),
            (
                "<li><a href=/k/{n}/>Tiedote: ympäristö- ja rakennuslautakunnan kokouksesta {day}</a></li>",
                "Tiedote: ympäristö- ja rakennuslautakunnan kokouksesta 4.3.2024",
                "Ympäristö- ja rakennuslautakunta",
            ),
            (
                "<li><a href=/k/{n}/>Tekniska nämnden sammanträde {day}</a></li>",
                "Tekniska nämnden sammanträde 4.3.2024",
                "Tekniska nämnden",
            ),
            (
                "<li><a href=/k/{n}/>Keusote yhtymähallituksen kokous {day}</a></li>",
                "Keusote yhtymähallituksen kokous 4.3.2024",
                "Keusote yhtymähallitus",
            ),
        ];
        for (row, title, organ) in cases {
            let rows: String = ["4.3.2024", "19.2.2024"]
                .iter()
                .enumerate()
                .map(|(n, day)| row.replace("{n}", &n.to_string()).replace("{day}", day))
                .collect();
            let listing = listing_at_kh(&format!("<main><table>{rows}</table></main>"));
            assert_eq!(
                meeting_days(&listing),
                ["2024-03-04", "2024-02-19"],
                "{row}"
            );
            let first = &listing.entries[0];
            assert_eq!(first.title.as_deref(), Some(title), "{row}");
            assert_eq!(first.organ.as_deref().unwrap_or_default(), organ, "{row}");
            assert_eq!(first.published_date, None, "{row}");
        }
        let listing = listing_at_kh(&format!(
            "<main><table>{}</table></main>",
            cases[1]
                .0
                .replace("{n}", "1")
                .replace("{day}", "4.3.2024")
                .repeat(2)
        ));
        assert_eq!(listing.entries[0].meeting_time.as_deref(), Some("17:00"));
    }

    /// A post under a heading without a date says when its meeting is after a
    /// meeting word; a labelled meeting time is no post date; a date after
    /// no such word leaves the post date as the meeting's.
    #[test]
    fn a_post_says_when_its_meeting_is_in_its_text() {
        let html = "<main><h1>Pöytäkirjat</h1>\
            <article><h2><a href=/2024/02/14/yv/>Yhtymävaltuuston kokous</a></h2>\
            <time datetime=2024-02-14>14.2.2024</time>\
            <p>Yhtymävaltuusto kokoontuu 4. maaliskuuta 2024 klo 18 valtuustosalissa.</p></article>\
            <article><h2><a href=/2024/01/30/tarla/>Tarkastuslautakunnan kokous</a></h2>\
            <p>Kokousaika: ti 20.2.2024 klo 15</p></article>\
            <article><h2><a href=/2024/01/10/kh/>Kunnanhallituksen pöytäkirja</a></h2>\
            <time>10.1.2024</time><p>Pöytäkirja on nähtävillä 17.1.2024 alkaen.</p></article></main>";
        let listing = listing_at_kh(html);
        let read: Vec<_> = listing
            .entries
            .iter()
            .map(|e| {
                (
                    e.organ.as_deref().unwrap(),
                    e.published_date.map(|d| d.to_string()),
                    e.meeting_date.unwrap().to_string(),
                    e.meeting_time.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            read,
            [
                (
                    "Yhtymävaltuusto",
                    Some("2024-02-14".to_string()),
                    "2024-03-04".to_string(),
                    Some("18:00")
                ),
                (
                    "Tarkastuslautakunta",
                    None,
                    "2024-02-20".to_string(),
                    Some("15:00")
                ),
                (
                    "Kunnanhallitus",
                    Some("2024-01-10".to_string()),
                    "2024-01-10".to_string(),
                    None
                ),
            ]
        );
    }

    /// Rows of one meeting's documents (its minutes, its agenda) are one
    /// entry with both documents, not two that would share an id.
    #[test]
    fn rows_of_one_meetings_documents_are_one_entry() {
        let row = |kind: &str, day: &str, n: usize| {
            format!(
                "<li><a href=/download/{n}/KS%20{kind}%20{day}.pdf>KS {kind} {day}</a> (pdf)</li>"
            )
        };
        let html = format!(
            "<nav><a href=/>Startsida</a> / <span>Kommunstyrelsen</span></nav><ul>{}{}{}{}</ul>",
            row("protokoll", "4.3.2024", 1),
            row("föredragningslista", "4.3.2024", 2),
            row("protokoll", "12.2.2024", 3),
            row("föredragningslista", "12.2.2024", 4),
        );
        let listing = listing_at_kh(&html);
        assert_eq!(meeting_days(&listing), ["2024-03-04", "2024-02-12"]);
        let documents: Vec<Vec<&str>> = listing
            .entries
            .iter()
            .map(|e| e.documents.iter().map(|d| d.title.as_str()).collect())
            .collect();
        assert_eq!(
            documents,
            [
                ["KS protokoll 4.3.2024", "KS föredragningslista 4.3.2024"],
                ["KS protokoll 12.2.2024", "KS föredragningslista 12.2.2024"]
            ]
        );
        assert_eq!(
            listing.entries[0].title.as_deref(),
            Some("Kommunstyrelsen 4.3.2024")
        );
    }

    /// An organ's cell that spans its meetings' rows (`rowspan`) names each
    /// of them; the rows below it keep their columns.
    #[test]
    fn an_organ_cell_over_several_rows_names_each_of_them() {
        let html = "<table><tr><th>Toimielin</th><th>Kokous</th><th>Pöytäkirja</th></tr>\
            <tr><td rowspan=2>Kunnanhallitus</td><td>4.3.2024</td><td><a href=/d/1.pdf>Pöytäkirja</a></td></tr>\
            <tr><td>19.2.2024</td><td><a href=/d/2.pdf>Pöytäkirja</a></td></tr>\
            <tr><td>Sivistyslautakunta</td><td>4.3.2024</td><td><a href=/d/3.pdf>Pöytäkirja</a></td></tr></table>";
        let listing = listing_at_kh(html);
        let organs = organs(&listing);
        assert_eq!(
            organs,
            ["Kunnanhallitus", "Kunnanhallitus", "Sivistyslautakunta"]
        );
        assert_eq!(
            meeting_days(&listing),
            ["2024-03-04", "2024-02-19", "2024-03-04"]
        );
    }

    /// A date cell that spans rows (`rowspan`) dates each of them: one
    /// meeting's rows of documents are one entry with all of them, and the
    /// organs met on one day are each an entry of that day.
    #[test]
    fn a_date_cell_over_several_rows_dates_each_of_them() {
        let rows: String = ["4.3.2024", "19.2.2024", "5.2.2024"]
            .iter()
            .enumerate()
            .map(|(n, day)| {
                format!(
                    "<tr><td rowspan=2>{day}</td><td><a href=/d/{n}a.pdf>Esityslista</a></td></tr>\
                     <tr><td><a href=/d/{n}b.pdf>Pöytäkirja</a></td></tr>"
                )
            })
            .collect();
        let listing = listing_at_kh(&format!(
            "<main><h1>Kunnanhallitus</h1><table><tr><th>Päivämäärä</th><th>Asiakirja</th></tr>{rows}</table></main>"
        ));
        assert_eq!(
            meeting_days(&listing),
            ["2024-03-04", "2024-02-19", "2024-02-05"]
        );
        let documents: Vec<Vec<&str>> = listing
            .entries
            .iter()
            .map(|e| e.documents.iter().map(|d| d.title.as_str()).collect())
            .collect();
        assert_eq!(documents, [["Esityslista", "Pöytäkirja"]; 3]);

        let html = "<table><tr><th>Päivämäärä</th><th>Toimielin</th><th>Asiakirjat</th></tr>\
            <tr><td rowspan=2>4.3.2024</td><td>Kunnanhallitus</td><td><a href=/d/1.pdf>Pöytäkirja</a></td></tr>\
            <tr><td>Sivistyslautakunta</td><td><a href=/d/2.pdf>Pöytäkirja</a></td></tr>\
            <tr><td>19.2.2024</td><td>Kunnanhallitus</td><td><a href=/d/3.pdf>Pöytäkirja</a></td></tr></table>";
        let listing = listing_at_kh(html);
        assert_eq!(
            organs(&listing),
            ["Kunnanhallitus", "Sivistyslautakunta", "Kunnanhallitus"]
        );
        assert_eq!(
            meeting_days(&listing),
            ["2024-03-04", "2024-03-04", "2024-02-19"]
        );
    }

    /// A table of documents in each meeting's row, dated when each was
    /// published, is the rows' documents: the meetings are the rows.
    #[test]
    fn a_table_of_documents_in_each_row_is_no_listing() {
        let documents = |n: usize, dates: &[&str]| -> String {
            dates
                .iter()
                .enumerate()
                .map(|(k, day)| {
                    format!("<tr><td><a href=/d/{n}-{k}.pdf>Pöytäkirja</a></td><td>{day}</td></tr>")
                })
                .collect()
        };
        let html = format!(
            "<main><h1>Kunnanhallituksen kokoukset</h1><table><tr><th>Kokous</th><th>Asiakirjat</th></tr>\
             <tr><td>Kunnanhallitus 4.3.2024</td><td><table>{}</table></td></tr>\
             <tr><td>Kunnanhallitus 19.2.2024</td><td><table>{}</table></td></tr>\
             <tr><td>Kunnanhallitus 5.2.2024</td><td><table>{}</table></td></tr></table></main>",
            documents(1, &["26.2.2024", "11.3.2024"]),
            documents(2, &["12.2.2024", "26.2.2024"]),
            documents(3, &["29.1.2024"]),
        );
        let listing = listing_at_kh(&html);
        assert_eq!(
            meeting_days(&listing),
            ["2024-03-04", "2024-02-19", "2024-02-05"]
        );
        let counts: Vec<_> = listing.entries.iter().map(|e| e.documents.len()).collect();
        assert_eq!(counts, [2, 2, 1]);
        assert_eq!(listing.entries[0].organ.as_deref(), Some("Kunnanhallitus"));
    }

    /// Without a breadcrumb, the listing's `h1` or `title` names the organ
    /// of rows that name none ("Kunnanhallituksen pöytäkirjat", one part of
    /// "Bildningsnämnden - sammanträden"); a heading naming no organ, none.
    #[test]
    fn a_listings_heading_names_its_organ() {
        for (head, organ) in [
            (
                "<title>x</title></head><body><h1>Kunnanhallituksen pöytäkirjat</h1>",
                Some("Kunnanhallitus"),
            ),
            (
                "<title>Bildningsnämnden - sammanträden | Kommunen</title></head><body>",
                Some("Bildningsnämnden"),
            ),
            (
                "<title>Tekninen lautakunta</title></head><body><h1>Kokoukset</h1>",
                Some("Tekninen lautakunta"),
            ),
            (
                "<title>Kokoukset</title></head><body><h1>Pöytäkirjat 2024</h1>",
                None,
            ),
            // A heading of several organs names none of them.
            (
                "<title>x</title></head><body><h1>Valtuuston ja kunnanhallituksen pöytäkirjat</h1>",
                None,
            ),
            (
                "<title>Protokoll från kommunfullmäktige och kommunstyrelsen</title></head><body>",
                None,
            ),
        ] {
            let rows: String = [("4.3.2024", 1), ("5.2.2024", 2)]
                .iter()
                .map(|(day, n)| minutes_row(day, &n.to_string()))
                .collect();
            let html = format!("<html><head>{head}<table>{rows}</table></body></html>");
            let listing = listing_at_kh(&html);
            assert_eq!(listing.entries[1].organ.as_deref(), organ, "{head}");
            let title = organ.map_or("5.2.2024".to_string(), |o| format!("{o} 5.2.2024"));
            assert_eq!(
                listing.entries[1].title.as_deref(),
                Some(title.as_str()),
                "{head}"
            );
        }
    }

    /// A meeting's page, its agenda items under a labelled time, beside a
    /// list of dated news is the meeting, named by its heading, not a
    /// listing of two "entries" (the page's text and the news).
    #[test]
    fn a_meetings_page_beside_a_news_list_is_the_meeting() {
        let html = "<div id=content><h1>Kunnanhallitus</h1>\
            <p>Pöytäkirja<br>Kokousaika: ma 4.3.2024 klo 17.00<br>Kokouspaikka: valtuustosali</p>\
            <table><tr><td>45</td><td><a href=p/45.html>Kokouksen laillisuus</a></td></tr>\
            <tr><td>46</td><td><a href=p/46.html>Pöytäkirjan tarkastajat</a></td></tr>\
            <tr><td>47</td><td><a href=p/47.html>Tilinpäätös 2023</a></td></tr></table></div>\
            <div class=news><h3>Ajankohtaista</h3><ul><li><a href=/u/a>Vesikatko 5.3.2024</a></li>\
            <li><a href=/u/b>Kirjasto kiinni 8.3.2024</a></li></ul></div>";
        let (page, document) = sample("kh/2024-03-04/", html);
        let found = extract(&page, &document);
        let Extracted::Detail(detail) = found.extracted else {
            panic!("not a meeting's page: {:?}", found.explain)
        };
        assert_eq!(detail.organ.as_deref(), Some("Kunnanhallitus"));
        assert_eq!(
            detail.meeting_date.map(|d| d.to_string()).as_deref(),
            Some("2024-03-04")
        );
        assert_eq!(detail.meeting_time.as_deref(), Some("17:00"));
        let numbers: Vec<_> = detail
            .items
            .iter()
            .map(|i| i.number.as_deref().unwrap())
            .collect();
        assert_eq!(numbers, ["45", "46", "47"]);

        // A listing of two posts, one of which lists its items, is a listing:
        // its heading is no post's.
        let post = |day: &str, items: &str| {
            format!(
                "<article><h2><a href=/kh/{day}/>Kunnanhallituksen kokous {day}</a></h2>\
                 <time>{day}</time><div><p>Kunnanhallitus kokoontui {day}.</p>{items}</div></article>"
            )
        };
        let items = "<table><tr><td>§ 45</td><td><a href=/k45.pdf>Laillisuus</a></td></tr>\
            <tr><td>§ 46</td><td><a href=/k46.pdf>Tarkastajat</a></td></tr>\
            <tr><td>§ 47</td><td><a href=/k47.pdf>Tilinpäätös</a></td></tr></table>";
        let html = format!(
            "<h1>Kunnanhallitus</h1><main>{}{}</main>",
            post("4.3.2024", items),
            post("19.2.2024", "")
        );
        let listing = listing_at_kh(&html);
        assert_eq!(meeting_days(&listing), ["2024-03-04", "2024-02-19"]);
    }

    /// A table of meetings with one meeting so far (an organ's first) is a
    /// listing of it when its header names a meeting's columns; one dated
    /// link in another table is no listing.
    #[test]
    fn a_table_of_meetings_with_one_row_is_a_listing() {
        let row =
            "<tr><td>ma 4.3.2024 klo 17.00</td><td><a href=/tarla/el.pdf>Esityslista</a></td></tr>";
        let page_headed = |h1: &str, header: &str| {
            format!(
                "<nav><a href=/>Etusivu</a> &gt; Tarkastuslautakunta</nav><main><h1>{h1}</h1>\
                 <table><tr>{header}</tr>{row}</table></main>"
            )
        };
        let page = |header: &str| page_headed("Tarkastuslautakunta", header);
        for header in [
            "<th>Päivämäärä</th><th>Esityslista</th>",
            "<th>Kokous</th><th>Asiakirjat</th>",
        ] {
            let listing = listing_at_kh(&page(header));
            assert_eq!(meeting_days(&listing), ["2024-03-04"], "{header}");
            let entry = &listing.entries[0];
            assert_eq!(entry.title.as_deref(), Some("Tarkastuslautakunta 4.3.2024"));
            assert_eq!(entry.meeting_time.as_deref(), Some("17:00"));
            assert_eq!(entry.documents.len(), 1);
        }
        // Not a table without a date's and a document's columns, nor a
        // meeting's own page (its dated heading) with a table of attachments.
        for html in [
            page("<th>Tiedote</th><th>Liite</th>"),
            page("<td>Päivämäärä</td><td>Esityslista</td>"),
            page("<th>Asiakirja</th><th>Päivämäärä</th>"),
            page_headed(
                "Tarkastuslautakunnan kokous 4.3.2024",
                "<th>Päivämäärä</th><th>Esityslista</th>",
            ),
        ] {
            let header = &html;
            let (page, document) = sample("kh/", &html);
            let found = extract(&page, &document);
            assert!(
                !matches!(found.extracted, Extracted::Listing(_)),
                "{header}: {:?}",
                found.explain
            );
        }
    }

    /// A breadcrumb that ends in the page's own dated title names the organ
    /// a step before it; one that ends in the organ names that.
    #[test]
    fn a_breadcrumb_ending_in_the_pages_title_names_the_organ_before_it() {
        for (trail, organ) in [
            (
                "<a href=/yv/>Yhtymävaltuusto</a> › Yhtymävaltuuston kokous 4.3.2024",
                Some("Yhtymävaltuusto"),
            ),
            ("<a href=/kokoukset/>Kokoukset</a> › Kokous 4.3.2024", None),
            (
                "<a href=/kh/>Päätöksenteko</a> › Kunnanhallitus 2024",
                Some("Kunnanhallitus"),
            ),
            (
                "<a href=/kokoukset/>Kokoukset</a> › Kunnanhallitus",
                Some("Kunnanhallitus"),
            ),
        ] {
            let html = format!(
                "<nav><a href=/>Etusivu</a> › {trail}</nav><main><h1>Kokous</h1>\
                 <p>Kokous pidetään maanantaina 4.3.2024 klo 18 valtuustosalissa.</p></main>"
            );
            let (page, document) = sample("yv/kokous/", &html);
            assert_eq!(detail(&page, &document).organ.as_deref(), organ, "{trail}");
        }
    }

    /// Posts headed by their organ alone, each with a labelled meeting time
    /// and no page of their own, stay apart: each title takes its meeting's
    /// date. A post's announced meeting is the date a meeting word comes
    /// before, not one of publishing or of a past meeting, and of several the
    /// one with a time. A post titled "Kokouskutsu: Kunnanvaltuusto" under a
    /// category breadcrumb names that organ.
    #[test]
    fn posts_name_their_meetings_date_and_organ() {
        let block = |day: &str| {
            format!(
                "<div><h3>Kunnanhallitus</h3><p>Kokousaika: {day} klo 17</p><a href=/d/{day}.pdf>Pöytäkirja</a></div>"
            )
        };
        let html = format!(
            "<main>{}{}{}</main>",
            block("4.3.2024"),
            block("19.2.2024"),
            block("5.2.2024")
        );
        let listing = listing_at_kh(&html);
        assert_eq!(
            titles(&listing),
            [
                "Kunnanhallitus 4.3.2024",
                "Kunnanhallitus 19.2.2024",
                "Kunnanhallitus 5.2.2024"
            ]
        );
        assert!(listing.entries.iter().all(|e| e.documents.len() == 1));

        let post = |n: usize, title: &str, text: &str| {
            format!(
                "<article><h2><a href=/2024/{n}/>{title}</a></h2><time>{n}.2.2024</time><p>{text}</p></article>"
            )
        };
        let html = format!(
            "<nav><a href=/>Etusivu</a> › Kokouskutsut</nav><main>{}{}{}</main>",
            post(
                1,
                "Kokouskutsu: Kunnanvaltuusto",
                "Pöytäkirja on nähtävillä kokouksen jälkeen 12.3.2024. Kunnanvaltuusto kokoontuu 4.3.2024 klo 17."
            ),
            post(
                2,
                "Kokouskutsu: Sivistyslautakunta",
                "Edellisen kokouksen 13.2.2024 pöytäkirja on luettavissa. Kokous pidetään 20.2.2024 klo 16."
            ),
            post(
                3,
                "Kallelse till kommunstyrelsens sammanträde",
                "Kommunstyrelsen sammanträder 26.2.2024 kl. 17."
            ),
        );
        let listing = listing_at_kh(&html);
        let read: Vec<_> = listing
            .entries
            .iter()
            .map(|e| {
                (
                    e.organ.as_deref().unwrap(),
                    e.meeting_date.unwrap().to_string(),
                    e.meeting_time.as_deref().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            read,
            [
                ("Kunnanvaltuusto", "2024-03-04".to_string(), "17:00"),
                ("Sivistyslautakunta", "2024-02-20".to_string(), "16:00"),
                ("Kommunstyrelsen", "2024-02-26".to_string(), "17:00"),
            ]
        );
    }

    /// Tables whose spans would make laying them out cost rows × columns ×
    /// spans (`rowspan="0"` and `colspan="1000"` in every row) are laid out
    /// in one pass per row over the columns up to the organ's; a cell
    /// reaching to the end of the table names each row below it.
    #[test]
    fn hostile_spans_are_laid_out_row_by_row() {
        let rows: String = (0..2000)
            .map(|n| {
                format!(
                    "<tr><td rowspan=0 colspan=1000>x</td><td>{}.1.2024</td><td><a href=/d/{n}.pdf>Pöytäkirja</a></td></tr>",
                    n % 28 + 1
                )
            })
            .collect();
        let html = format!("<table><tr><th>Päivämäärä</th><th>Pöytäkirja</th></tr>{rows}</table>");
        let listing = listing_at_kh(&html);
        assert_eq!(listing.entries.len(), 28);
        let html = "<table><tr><th>Toimielin</th><th>Päivämäärä</th><th>Pöytäkirja</th></tr>\
            <tr><td rowspan=0>Kunnanhallitus</td><td>4.3.2024</td><td><a href=/d/1.pdf>Pöytäkirja</a></td></tr>\
            <tr><td>19.2.2024</td><td><a href=/d/2.pdf>Pöytäkirja</a></td></tr>\
            <tr><td>5.2.2024</td><td><a href=/d/3.pdf>Pöytäkirja</a></td></tr></table>";
        let listing = listing_at_kh(html);
        let organs = organs(&listing);
        assert_eq!(organs, ["Kunnanhallitus"; 3]);
    }

    /// The date a post announces for its meeting: after a meeting word, not
    /// after words of publishing or of another meeting, and the one with a
    /// time of day when several qualify.
    #[test]
    fn the_announced_meeting_is_the_date_after_a_meeting_word() {
        let context: &Context = &CONTEXT;
        for (text, announced) in [
            ("Kokous pidetään 20.2.2024.", Some("2024-02-20")),
            (
                "Pöytäkirja on nähtävillä kokouksen jälkeen 12.3.2024. Kunnanhallitus kokoontuu 4.3.2024.",
                Some("2024-03-04"),
            ),
            (
                "Edellisen kokouksen 6.2.2024 pöytäkirja on luettavissa. Kokous 20.2.2024.",
                Some("2024-02-20"),
            ),
            (
                "Kokouksen esityslista 13.2.2024. Kokous pidetään 20.2.2024 klo 16.",
                Some("2024-02-20"),
            ),
            (
                "Protokollet från förra mötet 12.2.2024. Sammanträde 26.2.2024.",
                Some("2024-02-26"),
            ),
            // A word of another meeting in the sentence before is not this one's.
            (
                "Edellisen kokouksen 19.2.2024 pöytäkirja on tarkastettu. Seuraava kokous pidetään 4.3.2024.",
                Some("2024-03-04"),
            ),
            ("Vesikatko 5.3.2024.", None),
        ] {
            let found = context
                .announced_meeting(text, None)
                .map(|m| m.start.to_string());
            assert_eq!(found.as_deref(), announced, "{text}");
        }
    }

    /// A post date labelled "Julkaistu" or "Publicerad" is the post's; a
    /// breadcrumb that ends in several organs names none, so each row's
    /// title names its own.
    #[test]
    fn labelled_post_dates_and_breadcrumbs_of_several_organs() {
        let post = |n: usize, label: &str| {
            format!(
                "<article><h2><a href=/p/{n}/>Kommunstyrelsens möte</a></h2><span>{label} {n}.2.2024</span>\
                 <p>Kommunstyrelsen sammanträder {}.3.2024 kl. 17.</p></article>",
                n + 10
            )
        };
        let listing = listing_at_kh(&format!(
            "<main>{}{}</main>",
            post(1, "Julkaistu"),
            post(2, "Publicerad")
        ));
        let posted: Vec<_> = listing
            .entries
            .iter()
            .map(|e| e.published_date.unwrap().to_string())
            .collect();
        assert_eq!(posted, ["2024-02-01", "2024-02-02"]);
        assert_eq!(meeting_days(&listing), ["2024-03-11", "2024-03-12"]);

        let html = "<nav><a href=/>Etusivu</a> › <a href=/p/>Päätöksenteko</a> › Valtuusto ja hallitus</nav>\
            <ul><li><a href=/d/1.pdf>Kunnanvaltuuston pöytäkirja 11.3.2024</a></li>\
            <li><a href=/d/2.pdf>Kunnanhallituksen pöytäkirja 4.3.2024</a></li></ul>";
        let listing = listing_at_kh(html);
        assert_eq!(organs(&listing), ["Kunnanvaltuusto", "Kunnanhallitus"]);
    }
}
