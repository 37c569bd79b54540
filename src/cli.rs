//! The command line, as clap sees it. Nothing outside this file and `config` sees
//! clap: [`crate::config::Config::from_opts`] turns these options into a plain
//! configuration.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "harava",
    version,
    about = "Harvest meeting records from Finnish public-sector listing pages, live or archived, into JSON Lines",
    after_help = "Exit status: 0 all went well, 3 some pages or files failed for good, 1 could not run, 2 usage error."
)]
pub struct Opts {
    #[command(subcommand)]
    pub command: Command,

    /// Log more to stderr: -v progress, -vv debug, -vvv trace (RUST_LOG overrides)
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,

    /// Log only errors
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Extract records from saved HTML files, mirrored directories or stdin
    Extract(ExtractOpts),
    /// Find Finnish and Swedish date expressions in text
    Dates(DatesOpts),
    /// List the bundled site profiles
    Profiles,
    /// Print the JSON Schema of a record
    Schema,
}

#[derive(Debug, Args)]
pub struct ExtractOpts {
    /// HTML files, directories (read recursively) or - for stdin
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Site profile: a bundled name, a TOML file, or auto (by host, then by page signature)
    #[arg(long, default_value = "auto", value_name = "NAME|FILE|auto")]
    pub profile: String,

    /// The URL a mirrored directory was downloaded from, for pages without a canonical link
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,

    /// Write records to FILE instead of stdout
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct DatesOpts {
    /// Text to scan; stdin when none is given
    #[arg(value_name = "TEXT")]
    pub text: Vec<String>,

    /// The date year-less dates are read relative to (the post or capture date)
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub context_date: Option<String>,
}
