//! Reading a fetched page: decoding, parsing, choosing the profile and extracting,
//! on tokio's blocking pool. Parsing can take long (html5ever is quadratic on
//! deeply nested unclosed elements); on the async runtime it would stall every
//! other fetch in flight, their timeouts and Ctrl-C until it ended.

use std::sync::Arc;

use url::Url;

use crate::archive::wayback;
use crate::css;
use crate::extract::{self, DetailPage, Extracted, Submission};
use crate::fetch::Response;
use crate::page::{ArchiveMode, Page};
use crate::profile::{Profiles, TrailingSlash};

use super::Role;

/// A fetched page, read.
pub(super) struct Fetched {
    /// The URL that answered, after redirects.
    pub url: Url,
    pub status: u16,
    pub bytes: usize,
    pub read: Read,
}

/// What a page turned out to hold. Pages are kept without their HTML.
pub(super) enum Read {
    NotHtml {
        content_type: String,
    },
    /// An archive's replay of a captured redirect, to this target.
    ReplayedRedirect(Url),
    NoProfile,
    /// A page given up on before it was read (nested too deep to parse), and why.
    Unreadable(String),
    /// A page fetched as a detail page, read as one.
    Detail(Box<DetailPage>),
    /// A page fetched as a listing (or found by discovery), read as what the
    /// profile says it is.
    Page {
        page: Page,
        extracted: Extracted,
        profile: Profiled,
        /// The profile's listing form on this page, to submit for the listing.
        submission: Option<Submission>,
    },
    /// A page found by discovery whose profile cannot tell a detail page from a
    /// listing (no `detail.page`): both readings, for the crawl to choose from
    /// once it knows how other pages link to this one.
    Either {
        page: Page,
        listing: Extracted,
        detail: Box<DetailPage>,
        profile: Profiled,
    },
}

/// What the crawl needs to know of the profile that read a page, and what the
/// reading has to say (`--explain`, a layout-change alarm, a page that needs
/// JavaScript).
pub(super) struct Profiled {
    pub name: String,
    pub trailing_slash: TrailingSlash,
    pub explain: Vec<String>,
    pub layout_changed: Option<String>,
    pub problem: Option<String>,
}

/// Reads `response`, fetched as `role`, on the blocking pool; `explain` asks
/// for what `--explain` prints.
pub(super) async fn read(
    response: Response,
    role: Role,
    profiles: Arc<Profiles>,
    mode: ArchiveMode,
    explain: bool,
) -> Fetched {
    let url = response.url.clone();
    let status = response.status;
    let bytes = response.body.len();
    let reading =
        tokio::task::spawn_blocking(move || read_now(&response, role, &profiles, mode, explain));
    let read = match reading.await {
        Ok(read) => read,
        // A panic in the extractor is a bug; it surfaces as it would have inline.
        Err(error) => std::panic::resume_unwind(error.into_panic()),
    };
    Fetched {
        url,
        status,
        bytes,
        read,
    }
}

fn read_now(
    response: &Response,
    role: Role,
    profiles: &Profiles,
    mode: ArchiveMode,
    explain: bool,
) -> Read {
    let http = response.http();
    if !http.is_html() {
        return Read::NotHtml {
            content_type: http.content_type.unwrap_or_default().to_string(),
        };
    }
    // As `extract` reads a file: what says it is HTML but is not, is broken.
    if let Some(binary) = http.binary() {
        return Read::Unreadable(format!(
            "{}: not an HTML page, though the server says so ({binary})",
            response.url
        ));
    }
    let mut page = http.into_page(mode);
    if page.archive.is_some()
        && let Some(target) = wayback::crawl_time_redirect(&page.html, &page.fetch_url)
    {
        return Read::ReplayedRedirect(target);
    }
    // One parse serves both choosing the profile and reading the page.
    let document = match extract::parse_document(&page.html) {
        Ok(document) => document,
        Err(too_deep) => return Read::Unreadable(format!("{}: {too_deep}", page.fetch_url)),
    };
    let index = css::index(&document);
    if role == Role::Detail {
        return match extract::read_detail(&page, &document, profiles) {
            Some(detail) => Read::Detail(Box::new(detail)),
            None => Read::NoProfile,
        };
    }
    let Some(reading) = extract::read(&page, &document, profiles, explain) else {
        return Read::NoProfile;
    };
    let profiled = Profiled {
        name: reading.profile.clone(),
        trailing_slash: reading
            .rules
            .map_or(TrailingSlash::Keep, |p| p.urls.trailing_slash),
        explain: reading.explain,
        layout_changed: reading.layout_changed,
        problem: reading.problem,
    };
    let extracted = reading.extracted;
    let submission = match (&extracted, reading.rules) {
        (Extracted::Other, Some(profile)) => extract::form_submission(&page, &document, profile),
        _ => None,
    };
    // Without `detail.page` a detail page looks like a listing of one entry; a
    // profile without detail links has no detail pages to mistake.
    let detail = reading.rules.and_then(|profile| {
        let undecidable = profile.detail.page.is_none() && profile.listing.detail_link.is_some();
        (role == Role::Discovered && undecidable)
            .then(|| Box::new(extract::detail_page(&page, &document, profile)))
    });
    drop(index);
    drop(document);
    page.html = String::new();
    match detail {
        Some(detail) => Read::Either {
            page,
            listing: extracted,
            detail,
            profile: profiled,
        },
        None => Read::Page {
            page,
            extracted,
            profile: profiled,
            submission,
        },
    }
}
