//! Pages to entries: applies a profile's selectors to a page ([`extract`]), or
//! reads a page no profile knows by its structure ([`extract_generic`]).
//!
//! A listing page yields its entries and its "older posts" links; a detail page
//! yields the full text of one entry. Nothing here fails: what cannot be extracted
//! becomes a warning on the entry, so a broken page loses a field, never a record.
//! [`Record::new`](crate::record::Record::new) makes an entry, with its detail
//! page if one was read, a record.

mod fields;
pub(crate) mod generic;
mod parse;
pub(crate) mod plain;
#[cfg(test)]
mod proptests;
mod text;

pub(crate) use parse::parse_document;

use std::cell::OnceCell;

use chrono::NaiveDate;
use schemars::JsonSchema;
use scraper::{ElementRef, Html};
use serde::{Deserialize, Serialize};

use crate::css::{Select, Selector, selector};
use crate::dates::{self, Precision};
use crate::page::{Link, Page};
use crate::profile::{ChosenBy, Field, Profile, Profiles, Scope};
use crate::text::collapse_whitespace;

/// What a page turned out to be.
#[derive(Debug)]
pub enum Extracted {
    /// A listing page: entries, one per meeting.
    Listing(ListingPage),
    /// A meeting's own page, which a listing entry links to.
    Detail(DetailPage),
    /// Neither entries nor a detail body: an index page, an error page, …
    Other,
}

/// A meeting document linked from the entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Document {
    /// The link's text: "Pöytäkirja 10.5.2017".
    pub title: String,
    /// Where the document is, on the original site.
    pub url: String,
}

/// One agenda item of a meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Item {
    /// The section number as printed, without "§"; null for a cover page or
    /// another unnumbered row.
    pub number: Option<String>,
    /// The item's title: "Talousarvion toteutuminen".
    pub title: Option<String>,
    /// The item's own page or document.
    pub url: Option<String>,
    /// The row's attachments.
    pub documents: Vec<Document>,
}

/// What a listing page shows: its meetings, and where the older ones are.
#[derive(Debug)]
pub struct ListingPage {
    /// The meetings, in the page's order.
    pub entries: Vec<Entry>,
    /// The "older posts" pages ("Vanhemmat", "Äldre") it links to.
    pub next: Vec<Link>,
}

/// One meeting as the listing shows it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entry {
    /// The body that met: "Kuntajohtajakokous", "Kaupunginhallitus".
    pub organ: Option<String>,
    /// The entry's title as shown.
    pub title: Option<String>,
    /// When the entry was posted.
    pub published_date: Option<NaiveDate>,
    /// When the meeting was held, as the page says (or its title, in prose).
    pub meeting_date: Option<NaiveDate>,
    /// `HH:MM`.
    pub meeting_time: Option<String>,
    /// "Pöytäkirja", "Esityslista", …
    pub document_type: Option<String>,
    /// The category the site files the entry under.
    pub category: Option<String>,
    /// The text the listing shows of the meeting.
    pub summary: Option<String>,
    /// The documents the entry links to.
    pub documents: Vec<Document>,
    /// The entry's own page ("Lue lisää"), where there is one.
    pub detail: Option<Link>,
    /// How many comments the entry says it has.
    pub comment_count: Option<u32>,
    /// The publication system's own id of the meeting, read from the detail
    /// URL by the profile's `urls.id` pattern.
    pub system_id: Option<String>,
    /// What could not be extracted, and why.
    pub warnings: Vec<String>,
}

/// What a detail page says: its text and documents, and for a meeting's index
/// page, what its header says of the meeting and its agenda items.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DetailPage {
    /// The page's text, paragraphs separated by blank lines.
    pub body: Option<String>,
    /// The documents it links to.
    pub documents: Vec<Document>,
    /// A title for the page read by itself: composed from its header.
    pub title: Option<String>,
    /// The body that met, as the page's header says.
    pub organ: Option<String>,
    /// When the meeting was held, as the page's header says.
    pub meeting_date: Option<NaiveDate>,
    /// `HH:MM`, as the page's header says.
    pub meeting_time: Option<String>,
    /// "Pöytäkirja", "Esityslista", … as the page's header says.
    pub document_type: Option<String>,
    /// The meeting's agenda items, for a meeting's index page.
    pub items: Vec<Item>,
    /// The publication system's own id of the meeting, as for [`Entry::system_id`].
    pub system_id: Option<String>,
    /// Whether the profile makes this page a record of its own when no entry
    /// led to it.
    pub standalone: bool,
    /// What could not be extracted, and why.
    pub warnings: Vec<String>,
}

/// How a page was read: by which profile and why, what it held, and what a
/// user should hear about it.
#[derive(Debug)]
pub(crate) struct Reading<'p> {
    pub extracted: Extracted,
    /// The profile's name, or `generic`.
    pub profile: String,
    /// The profile that read the page; `None` for the generic extractor.
    pub rules: Option<&'p Profile>,
    /// What `--explain` prints: the profile and why, then the elements chosen.
    pub explain: Vec<String>,
    /// The profile chosen by the page's host found no entry on a page that
    /// looks like a listing: the site's layout may have changed. The page
    /// counts as failed even when the generic extractor read it.
    pub layout_changed: Option<String>,
    /// Why the page gives nothing to read (it needs JavaScript), if so.
    pub problem: Option<String>,
}

/// Reads a page with the profile that fits it: the user's, the one for its
/// host, the one whose signature it carries, or (with `--profile auto`) the
/// generic extractor, which also stands in when the host's profile finds
/// nothing on a page that is a listing after all. A profile's selectors are
/// written out for [`Reading::explain`] only when `explain` asks for them:
/// for every page, that took 1 % of `extract`'s CPU.
pub(crate) fn read<'p>(
    page: &Page,
    document: &Html,
    profiles: &'p Profiles,
    explain: bool,
) -> Option<Reading<'p>> {
    let host = page.url.host_str();
    let Some((profile, by)) = profiles.choose(host, document) else {
        if !profiles.generic_fallback() {
            return None;
        }
        let explain = vec!["profile: generic (no profile's host or signature fits)".to_string()];
        return Some(generic_reading(
            generic::extract(page, document),
            explain,
            None,
        ));
    };
    let mut lines = Vec::new();
    if explain {
        let why = match by {
            ChosenBy::User => "given with --profile".to_string(),
            ChosenBy::Host => format!("its hosts include {}", host.unwrap_or_default()),
            ChosenBy::Signature => "the page carries its signature".to_string(),
        };
        lines.push(format!("profile: {} ({why})", profile.name));
        lines.extend(profile_explain(profile));
    }
    let extracted = extract_document(page, document, profile);
    if by == ChosenBy::Host && profiles.generic_fallback() && matches!(extracted, Extracted::Other)
    {
        let found = generic::extract(page, document);
        if let Extracted::Listing(listing) = &found.extracted
            && !listing.entries.is_empty()
        {
            let alarm = format!(
                "{}: the profile {} ({}) found no entry: its selector `listing.entry = {:?}` matched nothing, though the page lists {} entries; the site's layout may have changed (update the profile, or start from harava profile suggest {})",
                page.url,
                profile.name,
                profile.source,
                profile.entry_selector(),
                listing.entries.len(),
                page.url
            );
            lines.push(format!("layout changed: {alarm}"));
            lines.push("profile: generic (fallback)".to_string());
            return Some(generic_reading(found, lines, Some(alarm)));
        }
    }
    Some(Reading {
        extracted,
        profile: profile.name.clone(),
        rules: Some(profile),
        explain: lines,
        layout_changed: None,
        problem: None,
    })
}

/// The reading of the generic extractor, after what `explain` already says.
fn generic_reading(
    found: generic::Generic,
    mut explain: Vec<String>,
    layout_changed: Option<String>,
) -> Reading<'static> {
    explain.extend(found.explain);
    Reading {
        extracted: found.extracted,
        profile: generic::GENERIC.to_string(),
        rules: None,
        explain,
        layout_changed,
        problem: found.problem,
    }
}

/// Reads a page reached through an entry's detail link as a detail page, with
/// the profile that fits it or (with `--profile auto`) the generic extractor.
pub(crate) fn read_detail(page: &Page, document: &Html, profiles: &Profiles) -> Option<DetailPage> {
    match profiles.for_page(page.url.host_str(), document) {
        Some(profile) => Some(detail_page(page, document, profile)),
        None if profiles.generic_fallback() => Some(generic::detail(page, document)),
        None => None,
    }
}

/// A form the crawl submits to get a listing (TWeb's meeting search): where to,
/// and the fields as the page fills them in, the profile's overriding them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Submission {
    pub action: Link,
    /// `POST` when the form says so; otherwise the fields go in the query of a `GET`.
    pub post: bool,
    pub fields: Vec<(String, String)>,
}

/// The profile's `listing.form` on this page, filled in as a browser would
/// submit it untouched: inputs with their values (checkboxes and radio buttons
/// only when checked), selects with their selected or first option.
pub(crate) fn form_submission(
    page: &Page,
    document: &Html,
    profile: &Profile,
) -> Option<Submission> {
    let rules = profile.listing.form.as_ref()?;
    let form = document.find_first(&rules.selector)?;
    let action = form.attr("action").unwrap_or_default();
    let action = page.resolve(if action.is_empty() {
        page.fetch_url.as_str()
    } else {
        action
    })?;
    let post = form
        .attr("method")
        .is_some_and(|m| m.eq_ignore_ascii_case("post"));
    let controls = selector!("input[name], select[name], textarea[name]");
    let options = selector!("option");
    let mut fields: Vec<(String, String)> = Vec::new();
    for control in form.find_all(controls) {
        let name = control.attr("name").unwrap_or_default().to_string();
        let value = match control.value().name() {
            "select" => {
                let mut all = control.find_all(options);
                let chosen = control
                    .find_all(options)
                    .find(|o| o.attr("selected").is_some())
                    .or_else(|| all.next());
                chosen.map(|o| {
                    o.attr("value")
                        .map(str::to_string)
                        .unwrap_or_else(|| collapse_whitespace(&o.text().collect::<String>()))
                })
            }
            "textarea" => Some(control.text().collect()),
            _ => {
                let kind = control.attr("type").unwrap_or("text").to_ascii_lowercase();
                match kind.as_str() {
                    "submit" | "button" | "image" | "reset" | "file" => None,
                    "checkbox" | "radio" if control.attr("checked").is_none() => None,
                    "checkbox" | "radio" => Some(control.attr("value").unwrap_or("on").to_string()),
                    _ => Some(control.attr("value").unwrap_or_default().to_string()),
                }
            }
        };
        if let Some(value) = value {
            fields.push((name, value));
        }
    }
    for (name, value) in &rules.fields {
        match fields.iter_mut().find(|(n, _)| n == name) {
            Some(field) => field.1 = value.clone(),
            None => fields.push((name.clone(), value.clone())),
        }
    }
    Some(Submission {
        action,
        post,
        fields,
    })
}

/// What `--explain` says of a profile's selectors.
fn profile_explain(profile: &Profile) -> Vec<String> {
    let rules = &profile.listing;
    let mut out = vec![format!("listing.entry: {}", rules.entry.to_css_string())];
    for (name, selector) in [
        ("listing.title", &rules.title),
        ("listing.posted", &rules.posted),
        ("listing.category", &rules.category),
        ("listing.summary", &rules.summary),
        ("listing.documents", &rules.documents),
        ("listing.detail_link", &rules.detail_link),
        ("listing.comment_count", &rules.comment_count),
        ("detail.page", &profile.detail.page),
        ("detail.body", &profile.detail.body),
    ] {
        if let Some(selector) = selector {
            out.push(format!("{name}: {}", selector.to_css_string()));
        }
    }
    for (name, field) in [
        ("listing.organ", &rules.organ),
        ("listing.meeting_date", &rules.meeting_date),
        ("listing.meeting_time", &rules.meeting_time),
        ("listing.document_type", &rules.document_type),
    ] {
        if let Some(field) = field {
            out.push(format!("{name}: {}", field.selector.to_css_string()));
        }
    }
    out
}

/// Extracts whatever `page` holds by `profile`'s rules. A page nested too deep
/// to parse in reasonable time is given up on and reads as neither a listing nor
/// a detail page.
///
/// A meeting's own page, read with the bundled profile of its site:
///
/// ```
/// use harava::extract::{self, Extracted};
/// use harava::page::Page;
/// use harava::profile;
/// use url::Url;
///
/// let html = r#"<body class="single-post"><main><article>
///   <h1 class="entry-title">Kuntajohtajakokous 10.5.2017</h1>
///   <div class="entry-content">
///     <p>Kuntajohtajat keskustelivat maakuntauudistuksen valmistelutilanteesta.</p>
///     <p>Sovittiin, että neuvotteluja jatketaan pikimiten.</p>
///   </div>
///   <section class="entry-attachments"><ul>
///     <li><a href="/wp-content/uploads/2017/05/Kuntajohtajakokous-10.5.2017.pdf">Kokousasiakirjat</a></li>
///   </ul></section>
/// </article></main></body>"#;
/// let url = Url::parse("https://www.uusimaa2019.fi/muistiot/kuntajohtajakokous-10-5-2017/").unwrap();
/// let page = Page::new(url.clone(), url, html.to_string());
/// let profile = profile::bundled()
///     .into_iter()
///     .find(|p| p.name == "uusimaa2019")
///     .unwrap();
///
/// let Extracted::Detail(detail) = extract::extract(&page, &profile) else {
///     panic!("a detail page");
/// };
/// assert_eq!(
///     detail.body.as_deref(),
///     Some(
///         "Kuntajohtajat keskustelivat maakuntauudistuksen valmistelutilanteesta.\n\n\
///          Sovittiin, että neuvotteluja jatketaan pikimiten."
///     )
/// );
/// assert_eq!(detail.documents.len(), 1);
/// assert_eq!(detail.documents[0].title, "Kokousasiakirjat");
/// assert_eq!(
///     detail.documents[0].url,
///     "https://www.uusimaa2019.fi/wp-content/uploads/2017/05/Kuntajohtajakokous-10.5.2017.pdf"
/// );
/// ```
pub fn extract(page: &Page, profile: &Profile) -> Extracted {
    match parse_document(&page.html) {
        Ok(document) => {
            let _index = crate::css::index(&document);
            extract_document(page, &document, profile)
        }
        Err(e) => {
            tracing::warn!("{}: {e}", page.url);
            Extracted::Other
        }
    }
}

/// Extracts whatever `page` holds without a profile, by its structure alone:
/// repeated blocks with a title, a date and a link are a listing's entries, a
/// long text block is a detail page. It is what a run with
/// [`ProfileChoice::Auto`](crate::profile::ProfileChoice::Auto) does with a page
/// no profile fits; records of it name the profile `generic`.
///
/// ```
/// use chrono::NaiveDate;
/// use harava::extract::{self, Extracted};
/// use harava::page::Page;
/// use url::Url;
///
/// let html = r#"<main><h1>Kunnanhallitus</h1>
///   <div class="kokous"><h3><a href="/kh/2024-03-04/">Kunnanhallitus 4.3.2024</a></h3>
///     <p>Pöytäkirja julkaistu 11.3.2024.</p></div>
///   <div class="kokous"><h3><a href="/kh/2024-02-19/">Kunnanhallitus 19.2.2024</a></h3>
///     <p>Pöytäkirja julkaistu 26.2.2024.</p></div>
///   <div class="kokous"><h3><a href="/kh/2024-02-05/">Kunnanhallitus 5.2.2024</a></h3>
///     <p>Pöytäkirja julkaistu 12.2.2024.</p></div>
/// </main>"#;
/// let url = Url::parse("https://www.kunta.example.fi/kokoukset/").unwrap();
/// let page = Page::new(url.clone(), url, html.to_string());
///
/// let Extracted::Listing(listing) = extract::extract_generic(&page) else {
///     panic!("a listing page");
/// };
/// assert_eq!(listing.entries.len(), 3);
/// let first = &listing.entries[0];
/// assert_eq!(first.title.as_deref(), Some("Kunnanhallitus 4.3.2024"));
/// assert_eq!(first.meeting_date, NaiveDate::from_ymd_opt(2024, 3, 4));
/// assert_eq!(
///     first.detail.as_ref().unwrap().original.as_str(),
///     "https://www.kunta.example.fi/kh/2024-03-04/"
/// );
/// ```
pub fn extract_generic(page: &Page) -> Extracted {
    match parse_document(&page.html) {
        Ok(document) => {
            let _index = crate::css::index(&document);
            generic::extract(page, &document).extracted
        }
        Err(e) => {
            tracing::warn!("{}: {e}", page.url);
            Extracted::Other
        }
    }
}

/// As [`extract`], for a document the caller has parsed already.
pub(crate) fn extract_document(page: &Page, document: &Html, profile: &Profile) -> Extracted {
    if profile.is_detail_page(document) {
        return Extracted::Detail(detail_page(page, document, profile));
    }
    let listing = listing(page, document, profile);
    if listing.entries.is_empty() && listing.next.is_empty() {
        Extracted::Other
    } else {
        Extracted::Listing(listing)
    }
}

fn listing(page: &Page, document: &Html, profile: &Profile) -> ListingPage {
    let rules = &profile.listing;
    let page_values = PageValues::default();
    let entries = document
        .find_all(&rules.entry)
        .map(|element| entry(page, document, element, profile, &page_values))
        .collect();
    let mut next: Vec<Link> = Vec::new();
    for anchor in profile.next_links(document) {
        if let Some(link) = anchor.attr("href").and_then(|h| page.resolve(h))
            && !next.contains(&link)
        {
            next.push(link);
        }
    }
    ListingPage { entries, next }
}

/// The values of a listing's fields read anywhere on the page (`scope =
/// "page"`), read once for all of its entries.
#[derive(Default)]
struct PageValues {
    organ: OnceCell<Option<String>>,
    document_type: OnceCell<Option<String>>,
    meeting_date: OnceCell<Option<String>>,
    meeting_time: OnceCell<Option<String>>,
}

fn entry(
    page: &Page,
    document: &Html,
    element: ElementRef,
    profile: &Profile,
    page_values: &PageValues,
) -> Entry {
    let rules = &profile.listing;
    let mut warnings = page.warnings.clone();
    let field = |field: &Option<Field>, page_value: &OnceCell<Option<String>>| {
        let field = field.as_ref()?;
        let value = || fields::value(field, Some(element), document);
        match field.scope {
            Scope::Entry => value(),
            Scope::Page => page_value.get_or_init(value).clone(),
        }
    };
    let page_organ = field(&rules.organ, &page_values.organ);
    let document_type = field(&rules.document_type, &page_values.document_type);
    let field_text = |selector: &Option<Selector>| -> Option<String> {
        selector
            .as_ref()
            .and_then(|s| element.find_first(s))
            .map(text::element_text)
            .filter(|t| !t.is_empty())
    };

    let own_title = field_text(&rules.title);
    if own_title.is_none() && rules.title.is_some() {
        warnings.push("title: the entry has no title element, or it is empty".to_string());
    }

    let posted = field_text(&rules.posted);
    let published_date = posted.as_deref().and_then(|text| first_day(text, None));
    match (&posted, published_date) {
        (Some(text), None) => warnings.push(format!("published_date: no date found in {text:?}")),
        (None, _) if rules.posted.is_some() => {
            warnings.push("published_date: the entry has no post date element".to_string())
        }
        _ => {}
    }

    let title_date = own_title
        .as_deref()
        .and_then(|t| first_day_match(t, published_date));
    let date_field = rules
        .meeting_date
        .as_ref()
        .map(|_| field(&rules.meeting_date, &page_values.meeting_date));
    let field_date = match &date_field {
        Some(Some(text)) => {
            let found = first_day_match(text, published_date);
            if found.is_none() {
                warnings.push(format!("meeting_date: no date found in {text:?}"));
            }
            found
        }
        Some(None) => {
            warnings.push("meeting_date: the entry has no meeting date element".to_string());
            None
        }
        None => None,
    };
    let meeting_match = field_date.or(title_date.clone());
    if let Some(warning) = meeting_match.as_ref().and_then(|m| m.warning.as_ref()) {
        warnings.push(format!("meeting_date: {warning}"));
    }
    let meeting_date = meeting_match.as_ref().map(|m| m.start).or(published_date);
    let meeting_time = match &rules.meeting_time {
        Some(_) => {
            field(&rules.meeting_time, &page_values.meeting_time).and_then(|t| clock_time(&t))
        }
        None => meeting_match.as_ref().and_then(date_time),
    };
    let organ = page_organ.or_else(|| {
        let title = own_title.as_deref()?;
        let without_date = match &title_date {
            Some(m) => format!("{}{}", &title[..m.span.start], &title[m.span.end..]),
            None => title.to_string(),
        };
        let organ = collapse_whitespace(&without_date)
            .trim_matches(|c: char| c.is_whitespace() || ",.:;–—-".contains(c))
            .to_string();
        (!organ.is_empty()).then_some(organ)
    });

    let summary = rules.summary.as_ref().and_then(|s| {
        let paragraphs: Vec<String> = element
            .find_all(s)
            .flat_map(|root| text::paragraphs(root, &rules.summary_exclude))
            .collect();
        (!paragraphs.is_empty()).then(|| paragraphs.join("\n\n"))
    });
    if summary.is_none() && rules.summary.is_some() {
        warnings.push("summary: the entry has no summary text".to_string());
    }

    let comment_count = match field_text(&rules.comment_count) {
        Some(text) => {
            let count = parse_comment_count(&text);
            if count.is_none() {
                warnings.push(format!("comment_count: no count in {text:?}"));
            }
            count
        }
        None => {
            if rules.comment_count.is_some() {
                warnings.push("comment_count: the entry has no comment count element".to_string());
            }
            None
        }
    };

    let category = field_text(&rules.category);
    if category.is_none() && rules.category.is_some() {
        warnings.push("category: the entry has no category element, or it is empty".to_string());
    }

    let detail = rules
        .detail_link
        .as_ref()
        .and_then(|s| element.find_first(s))
        .and_then(|a| a.attr("href"))
        .and_then(|href| page.resolve(href));
    if detail.is_none() && rules.detail_link.is_some() {
        warnings.push("detail_url: the entry has no detail link".to_string());
    }
    // A row without a title of its own (the profile names none) gets one made of
    // what it says; a title the profile expects but the entry lacks stays
    // missing, with its warning.
    let title = match rules.title {
        Some(_) => own_title,
        None => compose_title(organ.as_deref(), document_type.as_deref(), meeting_date),
    };

    Entry {
        system_id: detail
            .as_ref()
            .and_then(|link| system_id(profile, &link.original)),
        organ,
        title,
        published_date,
        meeting_date,
        meeting_time,
        document_type,
        category,
        summary,
        documents: documents(page, element, rules.documents.as_ref()),
        detail,
        comment_count,
        warnings,
    }
}

/// Reads `page`, parsed as `document`, as a detail page, whatever it looks like: the
/// crawler reached it through an entry's "read more" link, so that is what it is.
pub(crate) fn detail_page(page: &Page, document: &Html, profile: &Profile) -> DetailPage {
    let rules = &profile.detail;
    let mut warnings = page.warnings.clone();
    let field = |field: &Option<Field>| {
        field
            .as_ref()
            .and_then(|f| fields::value(f, None, document))
    };
    let organ = field(&rules.organ);
    let document_type = field(&rules.document_type);
    // The header alone dates the page: the body of an item names older
    // meetings and decisions.
    let date_match = match (&rules.meeting_date, field(&rules.meeting_date)) {
        (Some(_), Some(text)) => {
            let found = first_day_match(&text, None);
            if found.is_none() {
                warnings.push(format!("meeting_date: no date found in {text:?}"));
            }
            found
        }
        (Some(_), None) => {
            warnings.push(format!(
                "meeting_date: the page {} has no meeting date element",
                page.url
            ));
            None
        }
        (None, _) => None,
    };
    let meeting_date = date_match.as_ref().map(|m| m.start);
    let meeting_time = match &rules.meeting_time {
        Some(_) => field(&rules.meeting_time).and_then(|t| clock_time(&t)),
        None => date_match.as_ref().and_then(date_time),
    };
    let items = rules
        .items
        .as_ref()
        .map(|items| agenda_items(page, document, items))
        .unwrap_or_default();
    let body = rules.body.as_ref().and_then(|s| {
        let paragraphs: Vec<String> = document
            .find_all(s)
            .flat_map(|root| text::paragraphs(root, &rules.body_exclude))
            .collect();
        (!paragraphs.is_empty()).then(|| paragraphs.join("\n\n"))
    });
    if body.is_none() && rules.body.is_some() {
        warnings.push(format!(
            "body: the detail page {} has no body text",
            page.url
        ));
    }
    DetailPage {
        body,
        documents: documents(page, document.root_element(), rules.documents.as_ref()),
        title: compose_title(organ.as_deref(), document_type.as_deref(), meeting_date),
        organ,
        meeting_date,
        meeting_time,
        document_type,
        items,
        system_id: system_id(profile, &page.url),
        standalone: rules.standalone,
        warnings,
    }
}

/// The agenda items of a meeting's index page, one per row the profile's
/// `detail.items.entry` matches, in page order.
fn agenda_items(page: &Page, document: &Html, rules: &crate::profile::Items) -> Vec<Item> {
    document
        .find_all(&rules.entry)
        .map(|row| {
            let field = |field: &Option<Field>| {
                field
                    .as_ref()
                    .and_then(|f| fields::value(f, Some(row), document))
            };
            let link = rules.link.as_ref().and_then(|s| row.find_first(s));
            let url = link
                .and_then(|a| a.attr("href"))
                .and_then(|href| page.resolve(href))
                .map(|l| l.original.to_string());
            let title = field(&rules.title)
                .or_else(|| link.map(text::element_text).filter(|t| !t.is_empty()));
            let number = field(&rules.number)
                .map(|n| n.trim_start_matches('§').trim().to_string())
                .filter(|n| !n.is_empty());
            let mut documents = documents(page, row, rules.documents.as_ref());
            documents.retain(|d| Some(&d.url) != url.as_ref());
            Item {
                number,
                title,
                url,
                documents,
            }
        })
        .collect()
}

/// The title of an entry or page that has none of its own, from what it does
/// say: organ, document type and meeting date, in that order, as far as known
/// ("Kaupunginhallitus Pöytäkirja 8.5.2017").
fn compose_title(
    organ: Option<&str>,
    document_type: Option<&str>,
    meeting_date: Option<NaiveDate>,
) -> Option<String> {
    let date = meeting_date.map(|d| d.format("%-d.%-m.%Y").to_string());
    let parts: Vec<&str> = [organ, document_type, date.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    (!parts.is_empty()).then(|| parts.join(" "))
}

/// The system's own id of a meeting, read from a URL by the profile's `urls.id`
/// pattern: its named groups' values, joined by `:` (e.g. `pk:12867`).
fn system_id(profile: &Profile, url: &url::Url) -> Option<String> {
    let pattern = profile.id_pattern.as_ref()?;
    let captures = pattern.captures(url.as_str())?;
    let parts: Vec<&str> = pattern
        .capture_names()
        .flatten()
        .filter_map(|name| captures.name(name).map(|m| m.as_str()))
        .collect();
    if parts.is_empty() {
        captures.get(0).map(|m| m.as_str().to_string())
    } else {
        Some(parts.join(":"))
    }
}

/// `HH:MM` of a date expression's time.
fn date_time(found: &dates::DateMatch) -> Option<String> {
    found.time.map(|t| t.format("%H:%M").to_string())
}

/// `HH:MM` from a field that holds a time of day ("klo 15:30", "15.30").
fn clock_time(text: &str) -> Option<String> {
    static PATTERN: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"\b([01]?[0-9]|2[0-3])[:.]([0-5][0-9])\b").expect("static pattern")
    });
    let pattern = &*PATTERN;
    let captures = pattern.captures(text)?;
    let hour: u32 = captures[1].parse().ok()?;
    Some(format!("{hour:02}:{}", &captures[2]))
}

fn documents(page: &Page, scope: ElementRef, selector: Option<&Selector>) -> Vec<Document> {
    let Some(selector) = selector else {
        return Vec::new();
    };
    let mut out: Vec<Document> = Vec::new();
    for anchor in scope.find_all(selector) {
        let Some(original) = anchor.attr("href").and_then(|h| page.resolve_original(h)) else {
            continue;
        };
        let url = original.to_string();
        if out.iter().any(|d| d.url == url) {
            continue;
        }
        let mut title = text::element_text(anchor);
        if title.is_empty() {
            title = anchor
                .attr("title")
                .map(collapse_whitespace)
                .unwrap_or_default();
        }
        out.push(Document { title, url });
    }
    out
}

fn first_day_match(text: &str, context: Option<NaiveDate>) -> Option<dates::DateMatch> {
    dates::scan(text, context)
        .into_iter()
        .find(|m| m.precision == Precision::Day)
}

fn first_day(text: &str, context: Option<NaiveDate>) -> Option<NaiveDate> {
    first_day_match(text, context).map(|m| m.start)
}

/// "0 Kommenttia", "1 kommentti", "3 Comments", "Ei kommentteja", "Inga kommentarer".
fn parse_comment_count(text: &str) -> Option<u32> {
    let digits: String = text
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(|c| c.is_ascii_digit())
        .collect();
    if !digits.is_empty() {
        return digits.parse().ok();
    }
    let lower = text.to_lowercase();
    [
        "ei kommentteja",
        "no comments",
        "inga kommentarer",
        "kommentoi ensimmäisenä",
    ]
    .iter()
    .any(|none| lower.contains(none))
    .then_some(0)
}

#[cfg(test)]
mod tests {
    use super::parse::MAX_DEPTH;
    use super::*;

    #[test]
    fn comment_counts() {
        let cases = [
            ("0 Kommenttia", Some(0)),
            ("1 kommentti", Some(1)),
            ("12 Comments", Some(12)),
            ("Ei kommentteja", Some(0)),
            ("Inga kommentarer", Some(0)),
            ("Kommentoi", None),
        ];
        for (input, expected) in cases {
            assert_eq!(parse_comment_count(input), expected, "{input}");
        }
    }

    #[test]
    fn a_page_nested_too_deep_reads_as_neither_listing_nor_detail() {
        let profile = crate::profile::bundled().remove(0);
        let url = url::Url::parse("https://www.uusimaa2019.fi/syva/").unwrap();
        let html = format!(
            "<body class=single-post><main><article><div class=entry-content>{}x",
            "<div>".repeat(MAX_DEPTH + 10)
        );
        let page = Page::new(url.clone(), url, html);
        assert!(matches!(extract(&page, &profile), Extracted::Other));
    }
}
