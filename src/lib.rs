//! harava harvests meeting records from Finnish public-sector listing pages, live or
//! in web archives, into JSON Lines.
//!
//! The data flows fetch → page → extract → record → sink. `profile` says what to
//! select on a site, `dates` reads Finnish and Swedish dates, `offline` runs the
//! pipeline over files and `crawl` over the web.

#![warn(unreachable_pub)]

mod app;
pub mod archive;
mod cli;
mod config;
pub mod crawl;
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
