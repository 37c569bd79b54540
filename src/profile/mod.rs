//! Site profiles: what to select on a site's pages, as data.
//!
//! A profile is a TOML file of CSS selectors (see `selectors/` and the README), so
//! supporting another CMS theme means writing a profile, not Rust. Profiles are
//! compiled once at load time: a typo in a field name or an invalid selector fails
//! there, with the file, the field and the selector in the message, rather than
//! silently matching nothing on every page.

use std::path::Path;

use scraper::error::SelectorErrorKind;
use scraper::{ElementRef, Html};
use serde::Deserialize;

use crate::css::{Select, Selector};
use crate::error::{Error, excerpt};

/// The profiles in `selectors/`, compiled into the binary so `--profile NAME` works
/// from any directory: their path in the source tree and their TOML text.
pub(crate) const BUNDLED: &[(&str, &str)] = &[
    (
        "selectors/dynasty.toml",
        include_str!("../../selectors/dynasty.toml"),
    ),
    (
        "selectors/tweb.toml",
        include_str!("../../selectors/tweb.toml"),
    ),
    (
        "selectors/uusimaa2019.toml",
        include_str!("../../selectors/uusimaa2019.toml"),
    ),
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileFile {
    name: String,
    #[serde(default)]
    description: String,
    #[serde(rename = "match", default)]
    matching: MatchFile,
    listing: ListingFile,
    #[serde(default)]
    detail: DetailFile,
    #[serde(default)]
    urls: UrlsFile,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct MatchFile {
    #[serde(default)]
    hosts: Vec<String>,
    signature: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListingFile {
    entry: String,
    posted: Option<String>,
    title: Option<String>,
    category: Option<String>,
    summary: Option<String>,
    #[serde(default)]
    summary_exclude: Vec<String>,
    documents: Option<String>,
    detail_link: Option<String>,
    comment_count: Option<String>,
    organ: Option<FieldFile>,
    meeting_date: Option<FieldFile>,
    meeting_time: Option<FieldFile>,
    document_type: Option<FieldFile>,
    next_page: Option<NextPageFile>,
    form: Option<FormFile>,
}

/// A field as written in a profile: a CSS selector, or a table that also says
/// where to look, what to read and which part of it to keep.
#[derive(Debug)]
struct FieldFile(FieldSpec);

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FieldSpec {
    selector: String,
    scope: Option<Scope>,
    attr: Option<String>,
    #[serde(default)]
    comments: bool,
    pattern: Option<String>,
}

impl<'de> Deserialize<'de> for FieldFile {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FieldVisitor;
        impl<'de> serde::de::Visitor<'de> for FieldVisitor {
            type Value = FieldFile;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(
                    "a CSS selector, or a table with `selector` and optionally `scope`, `attr`, `comments`, `pattern`",
                )
            }
            fn visit_str<E: serde::de::Error>(self, selector: &str) -> Result<FieldFile, E> {
                Ok(FieldFile(FieldSpec {
                    selector: selector.to_string(),
                    ..FieldSpec::default()
                }))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<FieldFile, A::Error> {
                FieldSpec::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(FieldFile)
            }
        }
        deserializer.deserialize_any(FieldVisitor)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FormFile {
    selector: String,
    #[serde(default)]
    fields: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ItemsFile {
    entry: String,
    number: Option<FieldFile>,
    title: Option<FieldFile>,
    link: Option<String>,
    documents: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NextPageFile {
    selector: Option<String>,
    #[serde(default)]
    text: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct DetailFile {
    page: Option<String>,
    body: Option<String>,
    #[serde(default)]
    body_exclude: Vec<String>,
    documents: Option<String>,
    organ: Option<FieldFile>,
    meeting_date: Option<FieldFile>,
    meeting_time: Option<FieldFile>,
    document_type: Option<FieldFile>,
    items: Option<ItemsFile>,
    #[serde(default)]
    standalone: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct UrlsFile {
    #[serde(default)]
    trailing_slash: TrailingSlash,
    id: Option<String>,
}

/// How URLs of a site are compared when deciding whether a page was seen already.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Urls {
    pub trailing_slash: TrailingSlash,
}

/// Where a field's element is looked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Scope {
    /// Inside the entry (the listing's block, row or list item).
    Entry,
    /// Anywhere on the page: a header or breadcrumb that names every entry's organ.
    Page,
}

/// What a field reads of the element its selector matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Read {
    /// Its text, with line breaks where `<br>` and blocks break it.
    Text,
    /// The value of an attribute.
    Attr(String),
    /// The text of the HTML comments inside it (Dynasty keeps ISO dates there).
    Comments,
}

/// A field: the first element `selector` matches (in the entry or on the page),
/// what to read of it, and, with a `pattern`, the part to keep — the named
/// group `value` if the pattern has one, else the whole match.
#[derive(Debug, Clone)]
pub(crate) struct Field {
    pub selector: Selector,
    pub scope: Scope,
    pub read: Read,
    pub pattern: Option<regex::Regex>,
}

/// A form whose answer is the listing (TWeb's search form): the crawl submits it
/// with the form's own fields, `fields` overriding them.
#[derive(Debug, Clone)]
pub(crate) struct Form {
    pub selector: Selector,
    pub fields: Vec<(String, String)>,
}

/// The agenda items on a meeting's index page: one per row.
#[derive(Debug, Clone)]
pub(crate) struct Items {
    pub entry: Selector,
    pub number: Option<Field>,
    pub title: Option<Field>,
    pub link: Option<Selector>,
    pub documents: Option<Selector>,
}

/// Whether `/a` and `/a/` are the same page on this site.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum TrailingSlash {
    /// They are different pages (the HTTP default).
    #[default]
    Keep,
    /// They are the same page; compare without the slash.
    Ignore,
}

/// The largest profile file read (see [`Profile::from_path`]).
pub const MAX_PROFILE_BYTES: u64 = 1024 * 1024;

/// The longest profile name.
const MAX_NAME_CHARS: usize = 64;

/// Why `name` cannot name a profile, if it cannot: messages and records quote
/// it whole, and a suggested profile's TOML comments carry it.
pub(crate) fn name_problem(name: &str) -> Option<String> {
    (name.chars().count() > MAX_NAME_CHARS || name.chars().any(char::is_control)).then(|| {
        format!(
            "give a short name of at most {MAX_NAME_CHARS} characters, without control characters"
        )
    })
}

/// A compiled profile: its selectors, compiled, and what it says of itself.
#[derive(Debug, Clone)]
pub struct Profile {
    /// The profile's `name`, which the records it reads carry in `profile`.
    pub name: String,
    /// Its `description`.
    pub description: String,
    /// Where it was loaded from: its file, or `selectors/NAME.toml` for a
    /// bundled one.
    pub source: String,
    /// The hosts it is for (`match.hosts`); their subdomains count too.
    pub hosts: Vec<String>,
    pub(crate) signature: Option<Selector>,
    pub(crate) listing: Listing,
    pub(crate) detail: Detail,
    pub(crate) urls: Urls,
    /// Reads a system's own id of a meeting out of its detail URL (Dynasty's
    /// meeting number, TWeb's `bid`); every named group takes part.
    pub(crate) id_pattern: Option<regex::Regex>,
}

#[derive(Debug, Clone)]
pub(crate) struct Listing {
    pub entry: Selector,
    pub posted: Option<Selector>,
    pub title: Option<Selector>,
    pub category: Option<Selector>,
    pub summary: Option<Selector>,
    pub summary_exclude: Vec<Selector>,
    pub documents: Option<Selector>,
    pub detail_link: Option<Selector>,
    pub comment_count: Option<Selector>,
    /// Scope `page` unless the profile says otherwise: a listing is usually one
    /// organ's, named once in a header or breadcrumb.
    pub organ: Option<Field>,
    pub meeting_date: Option<Field>,
    pub meeting_time: Option<Field>,
    pub document_type: Option<Field>,
    pub next_page: Option<NextPage>,
    pub form: Option<Form>,
}

/// The "older posts" link: found by selector, by link text, or by both (then the
/// link must match the selector and carry one of the texts).
#[derive(Debug, Clone)]
pub(crate) struct NextPage {
    pub selector: Selector,
    pub text: Vec<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct Detail {
    pub page: Option<Selector>,
    pub body: Option<Selector>,
    pub body_exclude: Vec<Selector>,
    pub documents: Option<Selector>,
    pub organ: Option<Field>,
    pub meeting_date: Option<Field>,
    pub meeting_time: Option<Field>,
    pub document_type: Option<Field>,
    pub items: Option<Items>,
    /// A detail page that no listing entry led to is a record of its own (a
    /// meeting's index page saved or crawled by itself).
    pub standalone: bool,
}

impl Profile {
    /// Parses and compiles a profile; `source` names the file in error messages.
    ///
    /// A municipality that lists its meetings as table rows:
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use harava::extract::{self, Extracted};
    /// use harava::page::Page;
    /// use harava::profile::Profile;
    /// use url::Url;
    ///
    /// let profile = Profile::from_toml(r#"
    ///     name = "kunta"
    ///     [match]
    ///     hosts = ["kunta.example.fi"]
    ///     [listing]
    ///     entry = "table.kokoukset tbody tr"
    ///     title = "td.otsikko"
    ///     detail_link = "td.otsikko a[href]"
    ///     meeting_date = "td.pvm"
    ///     organ = { selector = "h1", scope = "page" }
    /// "#, "kunta.toml").unwrap();
    /// assert_eq!(profile.name, "kunta");
    /// assert_eq!(profile.hosts, ["kunta.example.fi"]);
    ///
    /// let html = r#"<h1>Kunnanhallitus</h1><table class="kokoukset"><tbody>
    ///   <tr><td class="pvm">4.3.2024</td><td class="otsikko"><a href="/kh/12/">Pöytäkirja 4/2024</a></td></tr>
    ///   <tr><td class="pvm">19.2.2024</td><td class="otsikko"><a href="/kh/11/">Pöytäkirja 3/2024</a></td></tr>
    /// </tbody></table>"#;
    /// let url = Url::parse("https://kunta.example.fi/kunnanhallitus/").unwrap();
    /// let page = Page::new(url.clone(), url, html.to_string());
    /// let Extracted::Listing(listing) = extract::extract(&page, &profile) else {
    ///     panic!("a listing page");
    /// };
    /// assert_eq!(listing.entries.len(), 2);
    /// assert_eq!(listing.entries[0].organ.as_deref(), Some("Kunnanhallitus"));
    /// assert_eq!(listing.entries[0].title.as_deref(), Some("Pöytäkirja 4/2024"));
    /// assert_eq!(listing.entries[0].meeting_date, NaiveDate::from_ymd_opt(2024, 3, 4));
    ///
    /// // A mistake fails here, naming the file and the field.
    /// let error = Profile::from_toml("name = \"kunta\"\n[listing]\nentri = \"tr\"\n", "kunta.toml")
    ///     .unwrap_err()
    ///     .to_string();
    /// assert!(error.starts_with("profile kunta.toml: "), "{error}");
    /// assert!(error.contains("entri"), "{error}");
    /// ```
    pub fn from_toml(text: &str, source: &str) -> Result<Profile, Error> {
        let file: ProfileFile = toml::from_str(text).map_err(|e| Error::Profile {
            source_name: source.to_string(),
            message: toml_problem(text, &e),
        })?;
        let compiler = Compiler { source };
        if let Some(problem) = name_problem(&file.name) {
            return Err(compiler.error("name", problem));
        }
        let listing = file.listing;
        let next_page = match listing.next_page {
            None => None,
            Some(next) => {
                if next.selector.is_none() && next.text.is_empty() {
                    return Err(compiler.error(
                        "listing.next_page",
                        "give a `selector`, a `text` list, or both".to_string(),
                    ));
                }
                Some(NextPage {
                    selector: compiler.one(
                        "listing.next_page.selector",
                        next.selector.as_deref().unwrap_or("a[href]"),
                    )?,
                    text: next.text.iter().map(|t| t.to_lowercase()).collect(),
                })
            }
        };
        Ok(Profile {
            name: file.name,
            description: file.description,
            source: source.to_string(),
            hosts: file
                .matching
                .hosts
                .iter()
                .map(|h| h.to_lowercase())
                .collect(),
            signature: compiler.opt("match.signature", &file.matching.signature)?,
            listing: Listing {
                entry: compiler.one("listing.entry", &listing.entry)?,
                posted: compiler.opt("listing.posted", &listing.posted)?,
                title: compiler.opt("listing.title", &listing.title)?,
                category: compiler.opt("listing.category", &listing.category)?,
                summary: compiler.opt("listing.summary", &listing.summary)?,
                summary_exclude: compiler
                    .many("listing.summary_exclude", &listing.summary_exclude)?,
                documents: compiler.opt("listing.documents", &listing.documents)?,
                detail_link: compiler.opt("listing.detail_link", &listing.detail_link)?,
                comment_count: compiler.opt("listing.comment_count", &listing.comment_count)?,
                organ: compiler.field("listing.organ", &listing.organ, Scope::Page)?,
                meeting_date: compiler.field(
                    "listing.meeting_date",
                    &listing.meeting_date,
                    Scope::Entry,
                )?,
                meeting_time: compiler.field(
                    "listing.meeting_time",
                    &listing.meeting_time,
                    Scope::Entry,
                )?,
                document_type: compiler.field(
                    "listing.document_type",
                    &listing.document_type,
                    Scope::Entry,
                )?,
                next_page,
                form: listing
                    .form
                    .map(|form| {
                        Ok::<_, Error>(Form {
                            selector: compiler.one("listing.form.selector", &form.selector)?,
                            fields: form.fields.into_iter().collect(),
                        })
                    })
                    .transpose()?,
            },
            detail: compiler.detail(file.detail)?,
            urls: Urls {
                trailing_slash: file.urls.trailing_slash,
            },
            id_pattern: file
                .urls
                .id
                .as_deref()
                .map(|p| compiler.pattern("urls.id", p))
                .transpose()?,
        })
    }

    /// Loads a profile from a file, as [`Profile::from_toml`] reads it. A file
    /// larger than [`MAX_PROFILE_BYTES`] is refused unread beyond that: a
    /// profile is a few KB, and a path to a device or a log must not fill the
    /// memory.
    pub fn from_path(path: &Path) -> Result<Profile, Error> {
        use std::io::Read;
        let name = path.display().to_string();
        let read_error = |source| Error::Read {
            path: name.clone(),
            source,
        };
        let mut bytes = Vec::new();
        std::fs::File::open(path)
            .and_then(|file| file.take(MAX_PROFILE_BYTES + 1).read_to_end(&mut bytes))
            .map_err(read_error)?;
        if bytes.len() as u64 > MAX_PROFILE_BYTES {
            return Err(Error::Profile {
                source_name: name,
                message: format!(
                    "the file is larger than {} KiB, which no profile is; check that --profile names a profile's TOML file",
                    MAX_PROFILE_BYTES / 1024
                ),
            });
        }
        let text = String::from_utf8(bytes).map_err(|e| {
            read_error(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                e.utf8_error(),
            ))
        })?;
        Profile::from_toml(&text, &name)
    }

    /// Whether this profile is meant for pages of `host` (a listed host or a
    /// subdomain of one, so `uusimaa2019.fi` covers `www.uusimaa2019.fi`).
    pub(crate) fn matches_host(&self, host: &str) -> bool {
        let host = host.to_ascii_lowercase();
        self.hosts.iter().any(|h| {
            host == *h
                || host
                    .strip_suffix(h.as_str())
                    .is_some_and(|rest| rest.ends_with('.'))
        })
    }

    /// Whether the page carries the profile's DOM signature.
    pub(crate) fn matches_document(&self, document: &Html) -> bool {
        self.signature
            .as_ref()
            .is_some_and(|s| document.find_first(s).is_some())
    }

    /// Whether a page is a detail page rather than a listing.
    pub(crate) fn is_detail_page(&self, document: &Html) -> bool {
        self.detail
            .page
            .as_ref()
            .is_some_and(|s| document.find_first(s).is_some())
    }

    /// The "older posts" links of `document` by this profile's rules: the
    /// `a[href]` elements its selector matches whose text is one it names, in
    /// page order.
    pub(crate) fn next_links<'d>(
        &'d self,
        document: &'d Html,
    ) -> impl Iterator<Item = ElementRef<'d>> + 'd {
        self.listing.next_page.iter().flat_map(move |next| {
            document.find_all(&next.selector).filter(move |link| {
                link.value().name() == "a"
                    && link.attr("href").is_some()
                    && (next.text.is_empty() || {
                        let text =
                            crate::text::collapse_whitespace(&link.text().collect::<String>())
                                .to_lowercase();
                        next.text.contains(&text)
                    })
            })
        })
    }
}

struct Compiler<'a> {
    source: &'a str,
}

impl Compiler<'_> {
    fn error(&self, field: &str, message: String) -> Error {
        Error::Profile {
            source_name: self.source.to_string(),
            message: format!("field `{field}`: {message}"),
        }
    }

    fn one(&self, field: &str, selector: &str) -> Result<Selector, Error> {
        Selector::parse(selector).map_err(|e| {
            self.error(
                field,
                format!(
                    "invalid CSS selector `{}`: {}",
                    excerpt(selector),
                    selector_problem(&e)
                ),
            )
        })
    }

    fn opt(&self, field: &str, selector: &Option<String>) -> Result<Option<Selector>, Error> {
        selector.as_deref().map(|s| self.one(field, s)).transpose()
    }

    fn many(&self, field: &str, selectors: &[String]) -> Result<Vec<Selector>, Error> {
        selectors.iter().map(|s| self.one(field, s)).collect()
    }

    fn pattern(&self, field: &str, pattern: &str) -> Result<regex::Regex, Error> {
        regex::Regex::new(pattern).map_err(|e| {
            // The regex library draws a caret diagram over several lines; its
            // last line says what is wrong.
            let text = e.to_string();
            let problem = text.lines().last().unwrap_or_default().trim();
            let problem = problem.strip_prefix("error: ").unwrap_or(problem);
            self.error(
                field,
                format!("invalid pattern `{}`: {problem}", excerpt(pattern)),
            )
        })
    }

    fn field(
        &self,
        name: &str,
        file: &Option<FieldFile>,
        default_scope: Scope,
    ) -> Result<Option<Field>, Error> {
        let Some(FieldFile(spec)) = file else {
            return Ok(None);
        };
        let read = match (&spec.attr, spec.comments) {
            (Some(_), true) => {
                return Err(self.error(
                    name,
                    "give `attr` or `comments = true`, not both".to_string(),
                ));
            }
            (Some(attr), false) => Read::Attr(attr.clone()),
            (None, true) => Read::Comments,
            (None, false) => Read::Text,
        };
        Ok(Some(Field {
            selector: self.one(&format!("{name}.selector"), &spec.selector)?,
            scope: spec.scope.unwrap_or(default_scope),
            read,
            pattern: spec
                .pattern
                .as_deref()
                .map(|p| self.pattern(&format!("{name}.pattern"), p))
                .transpose()?,
        }))
    }

    /// Fields of a detail page are read from the whole page, whatever scope
    /// they name: the page is the entry.
    fn detail(&self, file: DetailFile) -> Result<Detail, Error> {
        let page_field =
            |name: &str, field: &Option<FieldFile>| self.field(name, field, Scope::Page);
        Ok(Detail {
            page: self.opt("detail.page", &file.page)?,
            body: self.opt("detail.body", &file.body)?,
            body_exclude: self.many("detail.body_exclude", &file.body_exclude)?,
            documents: self.opt("detail.documents", &file.documents)?,
            organ: page_field("detail.organ", &file.organ)?,
            meeting_date: page_field("detail.meeting_date", &file.meeting_date)?,
            meeting_time: page_field("detail.meeting_time", &file.meeting_time)?,
            document_type: page_field("detail.document_type", &file.document_type)?,
            items: file
                .items
                .map(|items| {
                    Ok::<_, Error>(Items {
                        entry: self.one("detail.items.entry", &items.entry)?,
                        number: self.field("detail.items.number", &items.number, Scope::Entry)?,
                        title: self.field("detail.items.title", &items.title, Scope::Entry)?,
                        link: self.opt("detail.items.link", &items.link)?,
                        documents: self.opt("detail.items.documents", &items.documents)?,
                    })
                })
                .transpose()?,
            standalone: file.standalone,
        })
    }
}

/// What is wrong with a selector, in words a profile author can act on. The
/// selector library's own text for most of these is "Unexpected error occurred.
/// Please report this to the developer", which is neither true nor helpful.
fn selector_problem(error: &SelectorErrorKind) -> &'static str {
    use selectors::parser::SelectorParseErrorKind as Kind;
    match error {
        SelectorErrorKind::UnexpectedToken => "a character or word where none may stand",
        SelectorErrorKind::EndOfLine => {
            "it ends before a part of it is complete (an unclosed `(`, or `[name=` without a value?)"
        }
        SelectorErrorKind::InvalidAtRule | SelectorErrorKind::InvalidAtRuleBody => {
            "`@` rules belong in style sheets, not in selectors"
        }
        SelectorErrorKind::QualRuleInvalid => "not a selector",
        SelectorErrorKind::TooManyNestedBlocks => "too many nested brackets",
        SelectorErrorKind::ExpectedColonOnPseudoElement => "a pseudo-element needs `::`",
        SelectorErrorKind::ExpectedIdentityOnPseudoElement => "`::` needs a name after it",
        SelectorErrorKind::UnexpectedSelectorParseError(kind) => match kind {
            Kind::EmptySelector => "it is empty, or a part between commas or in `:not()` is",
            Kind::DanglingCombinator => "a combinator (`>`, `+`, `~`) with no element after it",
            Kind::NonCompoundSelector => "only a simple selector may stand here",
            Kind::UnsupportedPseudoClassOrElement => {
                "an unsupported pseudo-class or pseudo-element (only those that need no browser state, such as `:first-child` or `:not()`, work)"
            }
            Kind::ClassNeedsIdent => "`.` needs a class name after it",
            Kind::NoIdentForPseudo => "`:` needs a pseudo-class name after it",
            Kind::PseudoElementExpectedColon => "a pseudo-element needs `::`",
            Kind::PseudoElementExpectedIdent => "`::` needs a name after it",
            Kind::UnexpectedIdent => "a name where none may stand",
            Kind::NoQualifiedNameInAttributeSelector
            | Kind::UnexpectedTokenInAttributeSelector
            | Kind::ExpectedBarInAttr
            | Kind::BadValueInAttr
            | Kind::InvalidQualNameInAttr => {
                "a malformed attribute selector; write it like `[href]`, `[rel~='category']` or `a[href$='.pdf']`"
            }
            Kind::ExpectedNamespace | Kind::ExplicitNamespaceUnexpectedToken => {
                "namespaces (`ns|name`) are not supported in profiles"
            }
            Kind::NonPseudoElementAfterSlotted
            | Kind::InvalidPseudoElementAfterSlotted
            | Kind::InvalidPseudoElementInsideWhere => "a pseudo-element where it cannot stand",
            // The selectors crate's word for what may not nest, such as `:has()`
            // inside `:has()`, as the standard says.
            Kind::InvalidState => {
                "something that may not stand here, such as `:has()` inside `:has()`"
            }
        },
    }
}

/// A TOML error as one short line that says where: the TOML library's own text
/// quotes the whole offending line (however long) under a caret, and says only
/// "recursion limit", with no place, for an over-deep dotted key.
fn toml_problem(text: &str, error: &toml::de::Error) -> String {
    let (message, at) = match error.span() {
        Some(span) => (short_quotes(error.message().trim_end()), Some(span.start)),
        None => (
            format!(
                "a dotted key nests too deep ({}); profile keys have at most three parts, like listing.next_page.text",
                error.message().trim_end()
            ),
            deepest_dotted_key(text),
        ),
    };
    let Some(at) = at.filter(|&at| at <= text.len() && text.is_char_boundary(at)) else {
        return message;
    };
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line = text[..at].matches('\n').count() + 1;
    let column = text[line_start..at].chars().count() + 1;
    let near = text[at..].lines().next().unwrap_or_default();
    if near.trim().is_empty() {
        format!("line {line}, column {column}: {message}")
    } else {
        format!(
            "line {line}, column {column}: {message} (at `{}`)",
            excerpt(near)
        )
    }
}

/// The message with every `quoted` piece of input cut to a few dozen characters:
/// serde quotes an unknown key whole, however long it is.
fn short_quotes(message: &str) -> String {
    const MAX: usize = 40;
    let mut out = String::with_capacity(message.len().min(1024));
    for (n, piece) in message.split('`').enumerate() {
        if n > 0 {
            out.push('`');
        }
        let quoted = n % 2 == 1;
        match piece.char_indices().nth(MAX) {
            Some((end, _)) if quoted => {
                out.push_str(&piece[..end]);
                out.push('…');
            }
            _ => out.push_str(piece),
        }
    }
    out
}

/// Where the key with the most dotted parts starts: the place to blame when the
/// TOML library gives up on nesting without saying where.
fn deepest_dotted_key(text: &str) -> Option<usize> {
    let mut offset = 0;
    let mut deepest: Option<(usize, usize)> = None;
    for line in text.split_inclusive('\n') {
        let key = line.split(['=', '#']).next().unwrap_or_default();
        let parts = key.matches('.').count();
        if parts > deepest.map_or(0, |(_, p)| p) {
            let indent = line.len() - line.trim_start().len();
            deepest = Some((offset + indent, parts));
        }
        offset += line.len();
    }
    deepest.map(|(at, _)| at)
}

/// The profiles bundled into harava (`selectors/*.toml` in its source), in
/// name order.
///
/// ```
/// let names: Vec<String> = harava::profile::bundled().into_iter().map(|p| p.name).collect();
/// assert_eq!(names, ["dynasty", "tweb", "uusimaa2019"]);
/// ```
pub fn bundled() -> Vec<Profile> {
    BUNDLED
        .iter()
        .map(|(path, text)| {
            Profile::from_toml(text, path)
                .unwrap_or_else(|e| panic!("bundled profile is broken: {e}"))
        })
        .collect()
}

/// Which profile extracts a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProfileChoice {
    /// Pick per page: by host, then by DOM signature.
    Auto,
    /// A bundled profile by name.
    Named(String),
    /// A profile file.
    File(std::path::PathBuf),
}

impl ProfileChoice {
    /// `auto`, a bundled name, or else a path (anything with a `/` or ending in
    /// `.toml`), as `--profile` takes it.
    ///
    /// ```
    /// use harava::profile::ProfileChoice;
    ///
    /// assert_eq!(ProfileChoice::parse("auto"), ProfileChoice::Auto);
    /// assert_eq!(ProfileChoice::parse("tweb"), ProfileChoice::Named("tweb".into()));
    /// assert_eq!(ProfileChoice::parse("kunta.toml"), ProfileChoice::File("kunta.toml".into()));
    /// assert_eq!(ProfileChoice::parse("./profiilit/kunta"), ProfileChoice::File("./profiilit/kunta".into()));
    /// ```
    pub fn parse(value: &str) -> ProfileChoice {
        if value == "auto" {
            ProfileChoice::Auto
        } else if value.contains('/') || value.ends_with(".toml") {
            ProfileChoice::File(value.into())
        } else {
            ProfileChoice::Named(value.to_string())
        }
    }
}

/// The profiles a run may use, resolved from the user's choice: what
/// [`offline::run`](crate::offline::run) and [`crawl::run`](crate::crawl::run)
/// read pages with.
#[derive(Debug, Clone)]
pub struct Profiles {
    choice_is_auto: bool,
    profiles: Vec<Profile>,
}

impl Profiles {
    /// The profiles `choice` names: every bundled one for
    /// [`ProfileChoice::Auto`], which also lets the generic extractor read pages
    /// none of them fits, or the one named or in the file.
    ///
    /// ```
    /// use harava::profile::{ProfileChoice, Profiles};
    ///
    /// assert!(Profiles::load(&ProfileChoice::Auto).is_ok());
    /// assert!(Profiles::load(&ProfileChoice::parse("uusimaa2019")).is_ok());
    /// let error = Profiles::load(&ProfileChoice::parse("uusimaa")).unwrap_err();
    /// assert!(
    ///     error.to_string().starts_with(
    ///         "no bundled profile is called `uusimaa` (bundled: dynasty, tweb, uusimaa2019)"
    ///     ),
    ///     "{error}"
    /// );
    /// ```
    pub fn load(choice: &ProfileChoice) -> Result<Profiles, Error> {
        let profiles = match choice {
            ProfileChoice::Auto => bundled(),
            ProfileChoice::File(path) => vec![Profile::from_path(path)?],
            ProfileChoice::Named(name) => {
                let found = bundled().into_iter().find(|p| p.name == *name);
                match found {
                    Some(profile) => vec![profile],
                    None => {
                        let names: Vec<String> = bundled().into_iter().map(|p| p.name).collect();
                        return Err(Error::UnknownProfile {
                            name: name.clone(),
                            known: names.join(", "),
                        });
                    }
                }
            }
        };
        Ok(Profiles {
            choice_is_auto: *choice == ProfileChoice::Auto,
            profiles,
        })
    }

    /// The profile for pages of `host`, when the host alone tells.
    pub(crate) fn for_host(&self, host: Option<&str>) -> Option<&Profile> {
        if !self.choice_is_auto {
            return self.profiles.first();
        }
        host.and_then(|h| self.profiles.iter().find(|p| p.matches_host(h)))
    }

    /// The profile for a page at `host` with this document, if any fits.
    pub(crate) fn for_page(&self, host: Option<&str>, document: &Html) -> Option<&Profile> {
        self.choose(host, document).map(|(profile, _)| profile)
    }

    /// The profile for a page, and how it was chosen.
    pub(crate) fn choose(
        &self,
        host: Option<&str>,
        document: &Html,
    ) -> Option<(&Profile, ChosenBy)> {
        if !self.choice_is_auto {
            return self.profiles.first().map(|p| (p, ChosenBy::User));
        }
        if let Some(profile) = host.and_then(|h| self.profiles.iter().find(|p| p.matches_host(h))) {
            return Some((profile, ChosenBy::Host));
        }
        self.profiles
            .iter()
            .find(|p| p.matches_document(document))
            .map(|p| (p, ChosenBy::Signature))
    }

    /// Whether pages no profile fits are read by the generic extractor
    /// (`--profile auto`), rather than reported.
    pub(crate) fn generic_fallback(&self) -> bool {
        self.choice_is_auto
    }
}

/// Why a profile reads a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ChosenBy {
    /// `--profile NAME|FILE`.
    User,
    /// The page's host is one of the profile's `match.hosts`.
    Host,
    /// The page carries the profile's `match.signature`.
    Signature,
}

impl Profile {
    /// The listing's entry selector as written, for messages.
    pub(crate) fn entry_selector(&self) -> String {
        self.listing.entry.to_css_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = "name = \"t\"\n[listing]\nentry = \"article\"\n";

    #[test]
    fn bundled_profiles_compile() {
        let names: Vec<String> = bundled().into_iter().map(|p| p.name).collect();
        assert_eq!(names, vec!["dynasty", "tweb", "uusimaa2019"]);
    }

    #[test]
    fn unknown_field_names_file_and_field() {
        let text = format!("{MINIMAL}titel = \".x\"\n");
        let err = Profile::from_toml(&text, "my.toml")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("profile my.toml: "), "{err}");
        assert!(err.contains("unknown field `titel`"), "{err}");
    }

    #[test]
    fn selector_errors_say_what_is_wrong() {
        let long = format!("div{}", " > p".repeat(60));
        let long_expected = format!(
            "invalid CSS selector `{}`: a combinator (`>`, `+`, `~`) with no element after it",
            excerpt(&format!("{long} >"))
        );
        assert!(long_expected.contains("…`"), "{long_expected}");
        let cases = [
            (
                "div >",
                "invalid CSS selector `div >`: a combinator (`>`, `+`, `~`) with no element after it",
            ),
            (
                "",
                "invalid CSS selector ``: it is empty, or a part between commas or in `:not()` is",
            ),
            (
                "a, ",
                "invalid CSS selector `a, `: it is empty, or a part between commas or in `:not()` is",
            ),
            (
                "a:hover(",
                "invalid CSS selector `a:hover(`: an unsupported pseudo-class or pseudo-element (only those that need no browser state, such as `:first-child` or `:not()`, work)",
            ),
            (
                "a..b",
                "invalid CSS selector `a..b`: `.` needs a class name after it",
            ),
            (
                "a:nth-child(",
                "invalid CSS selector `a:nth-child(`: it ends before a part of it is complete (an unclosed `(`, or `[name=` without a value?)",
            ),
            (
                "a[href=]",
                "invalid CSS selector `a[href=]`: it ends before a part of it is complete (an unclosed `(`, or `[name=` without a value?)",
            ),
            (
                "a[=x]",
                "invalid CSS selector `a[=x]`: a malformed attribute selector; write it like `[href]`, `[rel~='category']` or `a[href$='.pdf']`",
            ),
            (
                "ns|a",
                "invalid CSS selector `ns|a`: namespaces (`ns|name`) are not supported in profiles",
            ),
            (
                ":has(:has(a))",
                "invalid CSS selector `:has(:has(a))`: something that may not stand here, such as `:has()` inside `:has()`",
            ),
            (long.as_str(), long_expected.as_str()),
        ];
        for (selector, expected) in cases {
            let selector = if selector == long {
                format!("{long} >")
            } else {
                selector.to_string()
            };
            let text = format!("{MINIMAL}title = {selector:?}\n");
            let err = Profile::from_toml(&text, "my.toml")
                .unwrap_err()
                .to_string();
            assert_eq!(
                err,
                format!("profile my.toml: field `listing.title`: {expected}"),
                "{selector:?}"
            );
            assert!(!err.contains("report this to the developer"), "{err}");
        }
    }

    #[test]
    fn toml_errors_name_the_line_and_quote_little() {
        let deep_key = format!("{MINIMAL}{}b = 1\n", "a.".repeat(3000));
        let deep_array = format!("{MINIMAL}x = {}{}\n", "[".repeat(3000), "]".repeat(3000));
        let key_expected = format!(
            "line 4, column 1: a dotted key nests too deep (recursion limit); profile keys have at most three parts, like listing.next_page.text (at `{}`)",
            excerpt(&format!("{}b = 1", "a.".repeat(3000)))
        );
        let array_expected = format!(
            "line 4, column 85: cannot recurse further; max recursion depth met (at `{}`)",
            excerpt(&format!("{}{}", "[".repeat(2920), "]".repeat(3000)))
        );
        let cases = [
            (
                format!("{MINIMAL}title = \n"),
                "line 4, column 9: string values must be quoted, expected literal string",
            ),
            (deep_key, key_expected.as_str()),
            (deep_array, array_expected.as_str()),
        ];
        for (text, expected) in cases {
            let err = Profile::from_toml(&text, "my.toml")
                .unwrap_err()
                .to_string();
            assert_eq!(err, format!("profile my.toml: {expected}"));
        }
        // Found by fuzzing: an unknown key is quoted, but not whole.
        let long_key = format!("{MINIMAL}document_t{}ype = 1\n", "D".repeat(5000));
        let err = Profile::from_toml(&long_key, "my.toml")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with(&format!(
                "profile my.toml: line 4, column 1: unknown field `document_t{}…`, expected one of `entry`,",
                "D".repeat(30)
            )),
            "{err}"
        );
        assert!(err.chars().count() < 600, "{} chars", err.chars().count());
    }

    #[test]
    fn bad_selector_names_field_and_selector() {
        let text = "name = \"t\"\n[listing]\nentry = \"article\"\ntitle = \"h2..x\"\n";
        let err = Profile::from_toml(text, "my.toml").unwrap_err().to_string();
        assert!(err.contains("field `listing.title`"), "{err}");
        assert!(err.contains("`h2..x`"), "{err}");
    }

    #[test]
    fn host_matching_covers_subdomains_only() {
        let p = bundled()
            .into_iter()
            .find(|p| p.name == "uusimaa2019")
            .unwrap();
        assert!(p.matches_host("www.uusimaa2019.fi"));
        assert!(p.matches_host("UUSIMAA2019.FI"));
        assert!(!p.matches_host("notuusimaa2019.fi"));
        assert!(!p.matches_host("uusimaa2019.fi.example.com"));
    }

    #[test]
    fn profile_choice_parsing() {
        assert_eq!(ProfileChoice::parse("auto"), ProfileChoice::Auto);
        assert_eq!(
            ProfileChoice::parse("uusimaa2019"),
            ProfileChoice::Named("uusimaa2019".into())
        );
        assert_eq!(
            ProfileChoice::parse("x.toml"),
            ProfileChoice::File("x.toml".into())
        );
        assert_eq!(
            ProfileChoice::parse("./x"),
            ProfileChoice::File("./x".into())
        );
    }

    #[test]
    fn unknown_profile_lists_known_ones() {
        let err = Profiles::load(&ProfileChoice::Named("nope".into()))
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "no bundled profile is called `nope` (bundled: dynasty, tweb, uusimaa2019); to load a file, give its path with a `/` or `.toml` in it, e.g. --profile ./nope.toml"
        );
    }
}
