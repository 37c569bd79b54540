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
    after_help = "Exit status: 0 all went well, 3 some pages or files failed for good, 1 could not run, 2 usage error, 130 stopped by a signal (Ctrl-C, SIGTERM, SIGHUP)."
)]
pub(crate) struct Opts {
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
pub(crate) enum Command {
    /// Crawl listing pages, their older pages and detail pages, politely
    Crawl(Box<CrawlOpts>),
    /// Serve the bundled sample site on loopback and crawl it
    #[cfg(feature = "demo")]
    Demo(DemoOpts),
    /// Extract records from saved HTML or text files, mirrored directories, WARC or WET files, or stdin
    Extract(ExtractOpts),
    /// Find Finnish and Swedish date expressions in text
    Dates(DatesOpts),
    /// List the bundled site profiles
    Profiles,
    /// Work with site profiles (`profile suggest`)
    #[command(subcommand)]
    Profile(ProfileCommand),
    /// Print the JSON Schema of a record
    Schema,
    /// Pack a WARC and its records into a WACZ package
    Pack(PackOpts),
    /// Re-hash the files a manifest or a WACZ lists and report any that changed
    Verify(VerifyOpts),
    /// Look into a state database (`state status`)
    #[command(subcommand)]
    State(StateCommand),
}

#[derive(Debug, Subcommand)]
pub(crate) enum StateCommand {
    /// Per start URL: the last run, the last successful one, its age and counts; exits 1 when one is older than --max-age
    Status(StatusOpts),
}

#[derive(Debug, Args)]
pub(crate) struct StatusOpts {
    /// The state database a scheduled crawl keeps (crawl --state FILE)
    #[arg(long, value_name = "FILE", required = true)]
    pub state: PathBuf,

    /// Exit 1 when a start URL's last successful run ended longer ago than this (30m, 36h, 2d, 1w)
    #[arg(long, value_name = "AGE")]
    pub max_age: Option<String>,

    /// Print JSON instead of a table
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ProfileCommand {
    /// Write a commented profile from what the generic extractor finds on a site's pages (a listing page, and one of its entries' pages)
    Suggest(SuggestOpts),
}

#[derive(Debug, Args)]
pub(crate) struct SuggestOpts {
    /// Saved pages or page URLs of one site: a listing page and a detail page of it
    #[arg(required = true, value_name = "FILE|URL")]
    pub pages: Vec<String>,

    /// The profile's name (the file name without .toml is the usual choice)
    #[arg(long, default_value = "suggested", value_name = "NAME")]
    pub name: String,

    /// The URL saved pages were downloaded from, for pages without a canonical link
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,

    /// Write the profile to FILE instead of stdout
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct ExtractOpts {
    /// HTML, text (.txt) or WARC/WET files, directories of them (read recursively), or - for stdin
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

    #[command(flatten)]
    pub delivery: DeliveryOpts,

    /// Write a manifest of the run to FILE (version, command, profiles, times, counts, SHA-256 of each output); check it with harava verify
    #[arg(long, value_name = "FILE")]
    pub manifest: Option<PathBuf>,

    /// Say on stderr, for each page, which profile read it and why, and which elements were chosen for each field
    #[arg(long)]
    pub explain: bool,

    /// The largest HTML file (or stdin page, or WARC payload) read, at least 1000 bytes; larger ones are skipped and reported
    #[arg(long, default_value_t = crate::offline::DEFAULT_MAX_INPUT_BYTES.into(), allow_negative_numbers = true, value_name = "BYTES", value_parser = whole_number)]
    pub max_input_bytes: i128,

    /// The largest header block of a WARC record read, at least 1000 bytes; past it the rest of that WARC is skipped and reported
    #[arg(long, default_value_t = crate::offline::DEFAULT_MAX_WARC_HEADER_BYTES.into(), allow_negative_numbers = true, value_name = "BYTES", value_parser = whole_number)]
    pub max_warc_header_bytes: i128,

    /// How many pages are extracted at once, 1 to 256, each on a thread of its own (default: one per core); the output is the same for any number
    #[arg(short, long, allow_negative_numbers = true, value_name = "N", value_parser = whole_number)]
    pub jobs: Option<i128>,
}

#[derive(Debug, Args)]
pub(crate) struct PackOpts {
    /// The WARC to pack (one gzip member per record, as harava crawl --warc writes it)
    #[arg(long, value_name = "FILE", required = true)]
    pub warc: PathBuf,

    /// The records extracted from it (JSON Lines)
    #[arg(long, value_name = "FILE", required = true)]
    pub records: PathBuf,

    /// The WACZ file to write
    #[arg(short, long, value_name = "FILE", required = true)]
    pub output: PathBuf,

    /// The package's title (default: the records file's name)
    #[arg(long, value_name = "TEXT")]
    pub title: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct VerifyOpts {
    /// A manifest written with --manifest, or a .wacz package
    #[arg(value_name = "MANIFEST|FILE.wacz")]
    pub path: PathBuf,
}

#[derive(Debug, Args)]
pub(crate) struct DatesOpts {
    /// Text to scan; stdin when none is given
    #[arg(value_name = "TEXT")]
    pub text: Vec<String>,

    /// The date year-less dates are read relative to (the post or capture date)
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub context_date: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct CrawlOpts {
    /// Listing pages to start from (the first page of each listing); with --cdx, original URLs or prefixes ending in *, a scheme optional
    #[arg(required = true, value_name = "URL")]
    pub urls: Vec<String>,

    /// Site profile: a bundled name, a TOML file, or auto (by host, then by page signature)
    #[arg(long, default_value = "auto", value_name = "NAME|FILE|auto")]
    pub profile: String,

    /// Write records to FILE instead of stdout (renamed into place when the crawl ends)
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    #[command(flatten)]
    pub delivery: DeliveryOpts,

    #[command(flatten)]
    pub fetch: FetchOpts,

    /// How many pages may be fetched at once, 1 to 256 (across hosts; each host still gets at most --rate)
    #[arg(long, default_value_t = crate::defaults::DEFAULT_CONCURRENCY as i128, allow_negative_numbers = true, value_name = "N", value_parser = whole_number)]
    pub concurrency: i128,

    /// With --state: read every listing page and entry (asking the server whether each changed), instead of stopping a listing at its first page of known, unchanged meetings
    #[arg(long, requires = "state")]
    pub full: bool,

    /// Stop after fetching N pages (at least 1)
    #[arg(long, allow_negative_numbers = true, value_name = "N", value_parser = whole_number)]
    pub max_pages: Option<i128>,

    /// Do not fetch entries' detail pages ("Lue lisää"); records get body: null
    #[arg(long)]
    pub no_details: bool,

    /// Say on stderr, for each page, which profile read it and why, and which elements were chosen for each field
    #[arg(long)]
    pub explain: bool,

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

    /// With --cdx: stop listing captures after N index queries (of 10,000 rows each), at least 1
    #[arg(long, default_value_t = crate::defaults::DEFAULT_CDX_MAX_QUERIES.into(), allow_negative_numbers = true, value_name = "N", value_parser = whole_number, requires = "cdx")]
    pub cdx_max_queries: i128,

    /// With --cdx: stop listing captures after this many seconds, 1 to 2592000 (30 days), and crawl what was listed
    #[arg(long, default_value_t = crate::defaults::DEFAULT_CDX_TIME_LIMIT_SECS.into(), allow_negative_numbers = true, value_name = "SECONDS", value_parser = whole_number, requires = "cdx")]
    pub cdx_time_limit: i128,

    /// Write every request and response to FILE as WARC/1.1 (gzip per record when FILE ends in .gz)
    #[arg(long, value_name = "FILE")]
    pub warc: Option<PathBuf>,

    /// Also pack the WARC, its CDXJ index, the pages and the records into FILE as WACZ 1.1.1 (without -o the records go only there)
    #[arg(long, value_name = "FILE")]
    pub wacz: Option<PathBuf>,

    /// Write a manifest of the run to FILE (version, command, profiles, times, counts, SHA-256 of each output); check it with harava verify
    #[arg(long, value_name = "FILE")]
    pub manifest: Option<PathBuf>,
}

/// What a run delivers, and against which state.
#[derive(Debug, Args)]
pub(crate) struct DeliveryOpts {
    /// A state database (SQLite; a state file of harava 0.2 is migrated): write only meetings new or changed since the last run with it, remember what was read, and resume a run that was killed
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,

    /// With --state: write one JSON line per new, changed or removed meeting to FILE ({id, change, run, fields_changed})
    #[arg(long, value_name = "FILE", requires = "state")]
    pub changes: Option<PathBuf>,

    /// With --state: which meetings -o gets: the new and changed ones, or every meeting the run read
    #[arg(long, value_enum, default_value_t = Emit::NewOrChanged, requires = "state")]
    pub emit: Emit,

    /// Write only meetings held (or, without a meeting date, published) on or after this date (YYYY-MM-DD or 1.3.2024); a listing page of older meetings only ends its listing
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
}

/// Which meetings a run with `--state` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Emit {
    /// New and changed meetings
    #[value(name = "new")]
    NewOrChanged,
    /// Every meeting read, changed or not
    All,
}

#[derive(Debug, Args)]
pub(crate) struct FetchOpts {
    /// Requests per second per host (http and https of a host share them): 0.001 to 1000, or 0 for no limit (your own servers only)
    #[arg(long, default_value_t = crate::defaults::DEFAULT_RATE, allow_negative_numbers = true, value_name = "R")]
    pub rate: f64,

    /// How many requests a host may get at once before --rate applies, 1 to 100 (never on top of a robots.txt Crawl-delay)
    #[arg(long, default_value_t = crate::defaults::DEFAULT_BURST.into(), allow_negative_numbers = true, value_name = "N", value_parser = whole_number)]
    pub burst: i128,

    /// Seconds a whole response may take, headers and body: 0.1 to 3600 (connecting has its own 10 s limit)
    #[arg(long, default_value_t = crate::defaults::DEFAULT_TIMEOUT_SECS, allow_negative_numbers = true, value_name = "SECONDS")]
    pub timeout: f64,

    /// How often a failed request is retried, 0 to 10 (connection errors, timeouts, 408, 429, 5xx), after Retry-After; a 429 without it waits 60 s
    #[arg(long, default_value_t = crate::defaults::DEFAULT_RETRIES.into(), allow_negative_numbers = true, value_name = "N", value_parser = whole_number)]
    pub retries: i128,

    /// The largest response body read, after decompression: 1000 to 1000000000 bytes
    #[arg(long, default_value_t = crate::defaults::DEFAULT_MAX_BYTES.into(), allow_negative_numbers = true, value_name = "BYTES", value_parser = whole_number)]
    pub max_bytes: i128,

    /// The User-Agent header: printable ASCII, starting with a product name (matched against robots.txt); put a way to reach you in it
    #[arg(long, value_name = "STRING")]
    pub user_agent: Option<String>,

    /// Do not fetch or obey robots.txt (only with the site owner's permission)
    #[arg(long)]
    pub ignore_robots: bool,

    /// Page requests per second per web archive host, shared by all workers: 0.001 to 1000, or 0 for no limit
    #[arg(long, default_value_t = crate::defaults::DEFAULT_ARCHIVE_RATE, allow_negative_numbers = true, value_name = "R")]
    pub archive_rate: f64,

    /// CDX index queries per second per web archive host: 0.001 to 1000, or 0 for no limit
    #[arg(long, default_value_t = crate::defaults::DEFAULT_CDX_RATE, allow_negative_numbers = true, value_name = "R")]
    pub cdx_rate: f64,
}

#[cfg(feature = "demo")]
#[derive(Debug, Args)]
pub(crate) struct DemoOpts {
    /// Where to write the records
    #[arg(short, long, default_value = crate::defaults::DEFAULT_DEMO_OUTPUT, value_name = "FILE")]
    pub output: PathBuf,
}

/// A whole number as typed, negative or past the flag's own type included, so
/// that `config` can say that it is out of range and name the range (clap's
/// parser of an unsigned type calls -1 an "invalid digit"). Only a number of
/// too long for an i128 (39 digits or more) is refused here, pointing to
/// `--help` for the range.
fn whole_number(text: &str) -> Result<i128, String> {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err("not a whole number".into());
    }
    text.parse()
        .map_err(|_| "out of range (the command's --help names the range)".into())
}
