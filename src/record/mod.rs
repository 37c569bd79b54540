//! The record: one meeting, as one JSON object per line.
//!
//! Field order here is the order in the output. Every field is always present
//! (null or [] when unknown) so that downstream tools never meet a missing key.

mod id;

pub(crate) use id::record_id;

use chrono::{DateTime, NaiveDate, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::dates;
use crate::extract::{DetailPage, Entry};
pub use crate::extract::{Document, Item};
use crate::page::Page;

/// One meeting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Record {
    /// Stable id: the same meeting has the same id in every run, from every archive
    /// capture and from `crawl` and `extract` alike.
    #[schemars(regex(pattern = r"^[0-9a-f]{16}$"))]
    pub id: String,
    /// The meeting body, e.g. "Kuntajohtajakokous".
    pub organ: Option<String>,
    /// The entry's title as the listing shows it.
    pub title: Option<String>,
    /// What the page calls the document: "Pöytäkirja", "Esityslista", "Lisälista 1", …
    pub document_type: Option<String>,
    /// The date of the meeting: from the title when it names one, else the post date.
    pub meeting_date: Option<NaiveDate>,
    /// When the meeting began, `HH:MM`.
    #[schemars(regex(pattern = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"))]
    pub meeting_time: Option<String>,
    /// The date the entry was posted.
    pub published_date: Option<NaiveDate>,
    /// The listing's text of the entry: paragraphs joined by a blank line.
    pub summary: Option<String>,
    /// The detail page's full text, or null when it was not read.
    pub body: Option<String>,
    /// The category the site files the entry under.
    pub category: Option<String>,
    /// The meeting's documents: the entry's, then those only its detail page links.
    pub documents: Vec<Document>,
    /// The agenda items of a meeting's index page, in order.
    #[serde(default)]
    pub items: Vec<Item>,
    /// The entry's detail page on the original site.
    pub detail_url: Option<String>,
    /// How many comments the entry says it has.
    pub comment_count: Option<u32>,
    /// The dates the body (or, without one, the summary) mentions, in order.
    pub dates_mentioned: Vec<NaiveDate>,
    /// The listing page on the original site.
    pub source_url: String,
    /// The archive capture the listing was read from.
    pub archive_url: Option<String>,
    /// When the archive captured the listing.
    pub archived_at: Option<DateTime<Utc>>,
    /// When the listing was fetched, in a crawl.
    pub fetched_at: Option<DateTime<Utc>>,
    /// The profile that extracted the record.
    pub profile: String,
    /// What could not be extracted, and why.
    pub warnings: Vec<String>,
}

impl Record {
    /// Builds the record of a listing entry, with its detail page when one was read.
    /// What the listing lacks (the organ, meeting date and time, document type)
    /// comes from the detail page's header; its items and documents join the
    /// entry's. `profile` names the profile that read the pages.
    ///
    /// An entry of a listing page and the detail page it links to, read with
    /// the bundled profile of their site:
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use harava::extract::{self, Extracted};
    /// use harava::page::Page;
    /// use harava::profile;
    /// use harava::record::Record;
    /// use url::Url;
    ///
    /// let profile = profile::bundled().into_iter().find(|p| p.name == "uusimaa2019").unwrap();
    /// let listing_url = Url::parse("https://www.uusimaa2019.fi/kuntajohtajakokous/").unwrap();
    /// let listing = Page::new(listing_url.clone(), listing_url, r#"<main>
    ///   <article class="type-post">
    ///     <div class="entry-meta"><span class="posted-on">8.5.2017</span></div>
    ///     <h2 class="entry-title"><a href="/muistiot/kuntajohtajakokous-10-5-2017/">Kuntajohtajakokous 10.5.2017</a></h2>
    ///     <div class="entry-content"><p>Kuntajohtajat keskustelivat valinnanvapaudesta.</p></div>
    ///   </article>
    /// </main>"#.to_string());
    /// let Extracted::Listing(found) = extract::extract(&listing, &profile) else { panic!() };
    /// let entry = found.entries.into_iter().next().unwrap();
    ///
    /// let detail_url = entry.detail.as_ref().unwrap().fetch.clone();
    /// let detail = Page::new(detail_url.clone(), detail_url, r#"<body class="single-post"><main><article>
    ///   <div class="entry-content"><p>Kuntajohtajat keskustelivat valinnanvapauden
    ///   pilotointimallista. Seuraava kokous pidetään 24.5.2017.</p></div>
    /// </article></main></body>"#.to_string());
    /// let Extracted::Detail(detail) = extract::extract(&detail, &profile) else { panic!() };
    ///
    /// let record = Record::new(entry, &listing, Some(&detail), &profile.name);
    /// assert_eq!(record.title.as_deref(), Some("Kuntajohtajakokous 10.5.2017"));
    /// assert_eq!(record.summary.as_deref(), Some("Kuntajohtajat keskustelivat valinnanvapaudesta."));
    /// assert_eq!(
    ///     record.body.as_deref(),
    ///     Some("Kuntajohtajat keskustelivat valinnanvapauden pilotointimallista. Seuraava kokous pidetään 24.5.2017.")
    /// );
    /// assert_eq!(record.dates_mentioned, [NaiveDate::from_ymd_opt(2017, 5, 24).unwrap()]);
    /// assert_eq!(record.id.len(), 16);
    /// ```
    pub fn new(entry: Entry, listing: &Page, detail: Option<&DetailPage>, profile: &str) -> Record {
        let id = Record::id_of(&entry, listing);
        let Entry {
            mut organ,
            title,
            published_date,
            mut meeting_date,
            mut meeting_time,
            mut document_type,
            category,
            summary,
            mut documents,
            detail: detail_link,
            comment_count,
            system_id: _,
            mut warnings,
        } = entry;
        let detail_url = detail_link.as_ref().map(|l| &l.original);
        let body = detail.and_then(|d| d.body.clone());
        let mut items = Vec::new();
        if let Some(detail) = detail {
            for document in &detail.documents {
                if !documents.iter().any(|d| d.url == document.url) {
                    documents.push(document.clone());
                }
            }
            organ = organ.or_else(|| detail.organ.clone());
            meeting_date = meeting_date.or(detail.meeting_date);
            meeting_time = meeting_time.or_else(|| detail.meeting_time.clone());
            document_type = document_type.or_else(|| detail.document_type.clone());
            items = detail.items.clone();
            warnings.extend(detail.warnings.iter().cloned());
        }
        let dates_mentioned = body
            .as_deref()
            .or(summary.as_deref())
            .map(|text| {
                dates::scan(text, published_date)
                    .into_iter()
                    .map(|m| m.start)
                    .collect()
            })
            .unwrap_or_default();
        Record {
            id,
            organ,
            title,
            document_type,
            meeting_date,
            meeting_time,
            published_date,
            summary,
            body,
            category,
            documents,
            items,
            detail_url: detail_url.map(|u| u.to_string()),
            comment_count,
            dates_mentioned,
            source_url: listing.url.to_string(),
            archive_url: listing.archive.as_ref().map(|a| a.capture_url.to_string()),
            archived_at: listing.archive.as_ref().and_then(|a| a.archived_at),
            fetched_at: listing.fetched_at,
            profile: profile.to_string(),
            warnings,
        }
    }

    /// The record of a detail page that no listing entry led to (a meeting's
    /// index page read by itself), for profiles that allow it: the page is
    /// both the entry and its detail.
    pub(crate) fn standalone(page: &Page, detail: &DetailPage, profile: &str) -> Record {
        let link = crate::page::Link {
            fetch: page.fetch_url.clone(),
            original: page.url.clone(),
        };
        let entry = Entry {
            organ: None,
            title: detail.title.clone(),
            published_date: None,
            meeting_date: None,
            meeting_time: None,
            document_type: None,
            category: None,
            summary: None,
            documents: Vec::new(),
            detail: Some(link),
            comment_count: None,
            system_id: detail.system_id.clone(),
            warnings: Vec::new(),
        };
        Record::new(entry, page, Some(detail), profile)
    }

    /// The id the record of `entry`, read from `listing`, gets, without building
    /// the record: the system's own number where the profile reads one, else
    /// where the meeting lives.
    pub(crate) fn id_of(entry: &Entry, listing: &Page) -> String {
        let detail_url = entry.detail.as_ref().map(|l| &l.original);
        match &entry.system_id {
            Some(system_id) => id::system_record_id(detail_url.unwrap_or(&listing.url), system_id),
            None => record_id(
                detail_url,
                &listing.url,
                entry.published_date,
                entry.title.as_deref(),
            ),
        }
    }

    /// The record as one JSON line, newline included: what a sink writes.
    ///
    /// ```
    /// # use harava::extract::Extracted;
    /// # use harava::page::Page;
    /// # use harava::record::Record;
    /// # let url = url::Url::parse("https://www.uusimaa2019.fi/kuntajohtajakokous/").unwrap();
    /// # let html = r#"<h1>Kuntajohtajakokous</h1>
    /// #   <div class="kokous"><h3><a href="/muistiot/kuntajohtajakokous-10-5-2017/">Kuntajohtajakokous 10.5.2017</a></h3></div>
    /// #   <div class="kokous"><h3><a href="/muistiot/kuntajohtajakokous-26-4-2017/">Kuntajohtajakokous 26.4.2017</a></h3></div>"#;
    /// # let page = Page::new(url.clone(), url, html.to_string());
    /// # let Extracted::Listing(listing) = harava::extract::extract_generic(&page) else { panic!() };
    /// # let entry = listing.entries.into_iter().next().unwrap();
    /// // `entry`: the first entry of a listing page, `page`.
    /// let record = Record::new(entry, &page, None, "generic");
    /// let line = record.to_json_line();
    /// assert!(line.ends_with(b"}\n"));
    /// let json: serde_json::Value = serde_json::from_slice(&line).unwrap();
    /// assert_eq!(json["title"], "Kuntajohtajakokous 10.5.2017");
    /// assert_eq!(json["meeting_date"], "2017-05-10");
    /// assert_eq!(json["body"], serde_json::Value::Null);
    /// ```
    pub fn to_json_line(&self) -> Vec<u8> {
        let mut line = serde_json::to_vec(self).expect("records always serialize");
        line.push(b'\n');
        line
    }
}

/// The JSON Schema (draft 2020-12) of a record, as `harava schema` prints it.
///
/// ```
/// let schema = harava::record::schema();
/// assert_eq!(schema["title"], "Record");
/// assert_eq!(schema["additionalProperties"], false);
/// assert_eq!(schema["properties"]["meeting_date"]["format"], "date");
/// // Every field is written, null when nothing was found: all are required.
/// let required = schema["required"].as_array().unwrap();
/// assert_eq!(required.len(), schema["properties"].as_object().unwrap().len());
/// assert!(required.contains(&"meeting_time".into()));
/// ```
pub fn schema() -> serde_json::Value {
    let mut schema =
        serde_json::to_value(schemars::schema_for!(Record)).expect("schemas serialize");
    let fields: Vec<serde_json::Value> = schema["properties"]
        .as_object()
        .expect("a record's schema names its fields")
        .keys()
        .cloned()
        .map(serde_json::Value::String)
        .collect();
    schema["required"] = serde_json::Value::Array(fields);
    schema
}
