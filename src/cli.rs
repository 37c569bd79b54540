//! The command line, as clap sees it. Nothing outside this file and `config` sees
//! clap: [`crate::config::Config::from_opts`] turns these options into a plain
//! configuration.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::page::ArchiveMode;

#[derive(Debug, Parser)]
#[command(
    name = "harava",
    version,
    about = "Harvest meeting records from Finnish public-sector listing pages, live or archived, into JSON Lines",
    after_help = "Exit status: 0 all went well, 3 some pages or files failed for good, 1 could not run, 2 usage error, 130 stopped by Ctrl-C."
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
    /// Crawl listing pages, their older pages and detail pages, politely
    Crawl(Box<CrawlOpts>),
    /// Serve the bundled sample site on loopback and crawl it
    Demo(DemoOpts),
    /// Extract records from saved HTML files, mirrored directories, WARC files or stdin
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
    /// HTML or WARC files, directories of them (read recursively), or - for stdin
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

    /// Write only meetings that are new or changed since the last run with this state file, and update it
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,

    /// The largest HTML file (or stdin page, or WARC payload) read; larger ones are skipped and reported
    #[arg(long, default_value_t = crate::offline::DEFAULT_MAX_INPUT_BYTES, value_name = "BYTES")]
    pub max_input_bytes: u64,

    /// The largest header block of a WARC record read; past it the rest of that WARC is skipped and reported
    #[arg(long, default_value_t = crate::offline::DEFAULT_MAX_WARC_HEADER_BYTES, value_name = "BYTES")]
    pub max_warc_header_bytes: u64,
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

#[derive(Debug, Args)]
pub struct CrawlOpts {
    /// Listing pages to start from (the first page of each listing)
    #[arg(required = true, value_name = "URL")]
    pub urls: Vec<String>,

    /// Site profile: a bundled name, a TOML file, or auto (by host, then by page signature)
    #[arg(long, default_value = "auto", value_name = "NAME|FILE|auto")]
    pub profile: String,

    /// Write records to FILE instead of stdout (renamed into place when the crawl ends)
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Write only meetings that are new or changed since the last run with this state file, and update it
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,

    #[command(flatten)]
    pub fetch: FetchOpts,

    /// How many pages may be fetched at once (across hosts; each host still gets at most --rate)
    #[arg(long, default_value_t = crate::config::DEFAULT_CONCURRENCY, value_name = "N")]
    pub concurrency: usize,

    /// Stop after fetching N pages
    #[arg(long, value_name = "N")]
    pub max_pages: Option<u64>,

    /// Do not fetch entries' detail pages ("Lue lisää"); records get body: null
    #[arg(long)]
    pub no_details: bool,

    /// Also write the end-of-crawl summary as JSON to FILE
    #[arg(long, value_name = "FILE")]
    pub stats: Option<PathBuf>,

    /// For archive captures: the raw capture (id_) or the replayed page (toolbar stripped)
    #[arg(long, value_enum, default_value_t = ArchiveMode::Raw)]
    pub archive_mode: ArchiveMode,

    /// Find captures in this archive's CDX index (https://web.archive.org, or a pywb collection URL); the URLs are then original URLs or prefixes ending in *
    #[arg(long, value_name = "ARCHIVE")]
    pub cdx: Option<String>,

    /// With --cdx: only captures from this time on (1–14 digits: 2017, 20180601)
    #[arg(long, value_name = "TIMESTAMP", requires = "cdx")]
    pub from: Option<String>,

    /// With --cdx: only captures up to this time (1–14 digits)
    #[arg(long, value_name = "TIMESTAMP", requires = "cdx")]
    pub to: Option<String>,

    /// With --cdx: crawl every capture, not only the newest of each URL
    #[arg(long, requires = "cdx")]
    pub all_captures: bool,

    /// Write every request and response to FILE as WARC/1.1 (gzip per record when FILE ends in .gz)
    #[arg(long, value_name = "FILE")]
    pub warc: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct FetchOpts {
    /// Requests per second per host (0 turns the limit off, for your own servers only)
    #[arg(long, default_value_t = crate::config::DEFAULT_RATE, value_name = "R")]
    pub rate: f64,

    /// How many requests a host may get at once before --rate applies
    #[arg(long, default_value_t = crate::config::DEFAULT_BURST, value_name = "N")]
    pub burst: u32,

    /// Seconds a whole response may take, headers and body (connecting has its own 10 s limit)
    #[arg(long, default_value_t = crate::config::DEFAULT_TIMEOUT_SECS, value_name = "SECONDS")]
    pub timeout: f64,

    /// How often a failed request is retried (connection errors, timeouts, 408, 429, 5xx)
    #[arg(long, default_value_t = crate::config::DEFAULT_RETRIES, value_name = "N")]
    pub retries: u32,

    /// The largest response body read, after decompression
    #[arg(long, default_value_t = crate::config::DEFAULT_MAX_BYTES, value_name = "BYTES")]
    pub max_bytes: u64,

    /// The User-Agent header; put a way to reach you in it
    #[arg(long, value_name = "STRING")]
    pub user_agent: Option<String>,

    /// Do not fetch or obey robots.txt (only with the site owner's permission)
    #[arg(long)]
    pub ignore_robots: bool,

    /// Page requests per second per web archive host, shared by all workers (0: no limit)
    #[arg(long, default_value_t = crate::config::DEFAULT_ARCHIVE_RATE, value_name = "R")]
    pub archive_rate: f64,

    /// CDX index queries per second per web archive host (0: no limit)
    #[arg(long, default_value_t = crate::config::DEFAULT_CDX_RATE, value_name = "R")]
    pub cdx_rate: f64,
}

#[derive(Debug, Args)]
pub struct DemoOpts {
    /// Where to write the records
    #[arg(short, long, default_value = crate::config::DEFAULT_DEMO_OUTPUT, value_name = "FILE")]
    pub output: PathBuf,
}
