//! harava harvests meeting records (agendas, minutes and their documents) from
//! Finnish public-sector listing pages, live or in web archives, into JSON Lines.
//! This library is what the `harava` command runs; a Rust program can run the
//! same steps itself.
//!
//! Data flows fetch → page → extract → record → sink:
//!
//! - **fetch**: [`crawl::run`] fetches listing pages, their "older posts" pages and
//!   the entries' detail pages politely (robots.txt, a rate per host), as a
//!   [`crawl::CrawlConfig`] says; [`offline::run`] reads saved pages, mirrors and
//!   WARC files instead, as an [`offline::ExtractConfig`] says. Both take the
//!   site [`profile::Profiles`] to read pages with, and write to a [`sink::Sink`].
//! - **page**: a [`page::Page`] is one page's HTML, decoded ([`page::decode_html`]),
//!   with its URL.
//! - **extract**: [`extract::extract`] reads a page with a [`profile::Profile`]
//!   (CSS selectors, loaded from TOML with [`profile::Profile::from_toml`]) into
//!   [`extract::Extracted`]: a listing page's entries, or a detail page.
//!   [`extract::extract_generic`] does without a profile.
//! - **record**: a [`record::Record`] is one meeting, an entry with its detail
//!   page, as harava writes it: one JSON line, whose JSON Schema is
//!   [`record::schema`].
//! - **sink**: a [`sink::Sink`] writes records to standard output or a file, and
//!   with a state database only what earlier runs did not deliver.
//!
//! Besides: [`dates::scan`] finds the Finnish and Swedish date expressions in a
//! text, [`archive::warc::WarcReader`] reads the responses in a WARC file, and
//! [`run_command_line`] is the whole `harava` command. Everything else is
//! internal.
//!
//! # Example
//!
//! A listing page of the Uusimaa 2019 site read with the bundled profile for it:
//!
//! ```
//! use harava::extract::{self, Extracted};
//! use harava::page::Page;
//! use harava::profile;
//! use harava::record::Record;
//! use url::Url;
//!
//! let html = r#"<main>
//!   <nav class="breadcrumbs"><span class="breadcrumb-current">Kuntajohtajakokous</span></nav>
//!   <article class="post type-post">
//!     <div class="entry-meta"><span class="posted-on">8.5.2017</span></div>
//!     <h2 class="entry-title"><a href="/muistiot/kuntajohtajakokous-10-5-2017/">Kuntajohtajakokous 10.5.2017</a></h2>
//!     <div class="entry-content"><p>Kuntajohtajat keskustelivat sote-valmistelusta.</p></div>
//!   </article>
//! </main>"#;
//! let url = Url::parse("https://www.uusimaa2019.fi/kuntajohtajakokous/").unwrap();
//! let page = Page::new(url.clone(), url, html.to_string());
//! let profile = profile::bundled()
//!     .into_iter()
//!     .find(|p| p.name == "uusimaa2019")
//!     .unwrap();
//!
//! let Extracted::Listing(listing) = extract::extract(&page, &profile) else {
//!     panic!("a listing page");
//! };
//! let records: Vec<Record> = listing
//!     .entries
//!     .into_iter()
//!     .map(|entry| Record::new(entry, &page, None, &profile.name))
//!     .collect();
//! assert_eq!(records.len(), 1);
//! let record = &records[0];
//! assert_eq!(record.title.as_deref(), Some("Kuntajohtajakokous 10.5.2017"));
//! assert_eq!(record.organ.as_deref(), Some("Kuntajohtajakokous"));
//! assert_eq!(record.meeting_date.unwrap().to_string(), "2017-05-10");
//! assert_eq!(record.published_date.unwrap().to_string(), "2017-05-08");
//! assert_eq!(
//!     record.detail_url.as_deref(),
//!     Some("https://www.uusimaa2019.fi/muistiot/kuntajohtajakokous-10-5-2017/")
//! );
//! ```

#![warn(missing_docs, unreachable_pub)]

mod app;
pub mod archive;
mod cli;
mod config;
pub mod crawl;
mod css;
pub mod dates;
mod defaults;
#[cfg(feature = "demo")]
mod demo;
mod error;
mod exit_codes;
pub mod extract;
mod fetch;
mod manifest;
pub mod offline;
mod output_file;
pub mod page;
pub mod profile;
pub mod record;
mod signals;
pub mod sink;
mod snapshot;
mod state;
mod suggest;
mod text;
mod url_key;

pub use app::run_command_line;
pub use error::Error;
pub use exit_codes::ExitCode;

/// What the fuzz targets reach besides the public API: the CDX reader is
/// internal, but an archive's answer is untrusted input worth fuzzing.
/// cargo-fuzz builds with `--cfg fuzzing`; no other build has this module.
#[cfg(fuzzing)]
#[doc(hidden)]
pub mod fuzzing {
    pub use crate::archive::cdx::{Gathered, Selection, parse_json};
}
