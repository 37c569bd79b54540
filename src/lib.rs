//! harava harvests meeting records from Finnish public-sector listing pages, live or
//! in web archives, into JSON Lines.
//!
//! The data flows fetch → page → extract → record → sink. `profile` says what to
//! select on a site, `dates` reads Finnish and Swedish dates, `offline` runs the
//! pipeline over files and `crawl` over the web.

pub mod app;
pub mod archive;
pub mod cli;
pub mod config;
pub mod crawl;
pub mod dates;
pub mod defaults;
#[cfg(feature = "demo")]
pub mod demo;
pub mod error;
pub mod exit_codes;
pub mod extract;
pub mod fetch;
pub mod manifest;
pub mod offline;
pub mod output_file;
pub mod page;
pub mod profile;
pub mod record;
pub mod signals;
pub mod sink;
pub mod snapshot;
pub mod state;
pub mod text;
pub(crate) mod url_key;

pub use app::run_command_line;
pub use error::Error;
pub use exit_codes::ExitCode;
