//! The plain configuration the library runs on, built from the command line in one
//! place, and the defaults.

use std::path::PathBuf;
use std::time::Duration;

use chrono::NaiveDate;
use clap::Parser;
use url::Url;

use crate::cli::{Command, CrawlOpts, DatesOpts, DemoOpts, ExtractOpts, FetchOpts, Opts};
use crate::crawl::{CdxConfig, CrawlConfig};
use crate::fetch::FetchConfig;
use crate::offline::ExtractConfig;
use crate::profile::ProfileChoice;

/// Where records go when no `-o` is given: standard output.
pub const DEFAULT_OUTPUT: &str = "-";

/// Requests per second per host: one a second is what a person clicking fast does.
pub const DEFAULT_RATE: f64 = 1.0;
pub const DEFAULT_BURST: u32 = 1;
pub const DEFAULT_CONCURRENCY: usize = 4;
pub const DEFAULT_TIMEOUT_SECS: f64 = 30.0;
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
pub const DEFAULT_RETRIES: u32 = 3;
pub const DEFAULT_BACKOFF_BASE: Duration = Duration::from_millis(500);
/// A `Retry-After` longer than this is cut short: past it, the run is better
/// stopped and resumed than left hanging.
pub const DEFAULT_MAX_RETRY_AFTER: Duration = Duration::from_secs(300);
/// The wait after a 429 that gives no `Retry-After`.
pub const DEFAULT_RETRY_AFTER_429: Duration = Duration::from_secs(60);
pub const DEFAULT_MAX_BYTES: u64 = 10_000_000;
pub const DEFAULT_MAX_REDIRECTS: usize = 10;
pub const DEFAULT_DEMO_OUTPUT: &str = "harava-demo.jsonl";
/// The Internet Archive's staff have described about 60 requests a minute per
/// address as the point where 429s start (and, for clients that go on, an hour's
/// firewall block). Captures at 0.5/s and CDX queries at 0.4/s stay under that
/// even if both ran at once (54 a minute).
pub const DEFAULT_ARCHIVE_RATE: f64 = 0.5;
pub const DEFAULT_CDX_RATE: f64 = 0.4;

/// The User-Agent unless `--user-agent` says otherwise: who we are and where to
/// complain, with a placeholder the user is asked to fill in.
pub fn default_user_agent() -> String {
    format!(
        "harava/{} (+https://github.com/harava/harava; meeting-record harvester; contact: set --user-agent)",
        env!("CARGO_PKG_VERSION")
    )
}

/// What to run.
#[derive(Debug)]
pub enum Config {
    Extract {
        extract: ExtractConfig,
        profile: ProfileChoice,
        output: Option<PathBuf>,
        state: Option<PathBuf>,
    },
    Dates {
        texts: Vec<String>,
        context: Option<NaiveDate>,
    },
    Crawl {
        crawl: Box<CrawlConfig>,
        profile: ProfileChoice,
        output: Option<PathBuf>,
        state: Option<PathBuf>,
    },
    Demo {
        output: PathBuf,
        quiet: bool,
    },
    Profiles,
    Schema,
}

/// A usage error found after clap's own checks, such as a malformed URL.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(String);

impl Config {
    pub fn from_opts(opts: Opts) -> Result<Config, UsageError> {
        let quiet = opts.quiet;
        Ok(match opts.command {
            Command::Extract(ExtractOpts {
                paths,
                profile,
                base_url,
                output,
                state,
                max_input_bytes,
                max_warc_header_bytes,
            }) => Config::Extract {
                extract: ExtractConfig {
                    inputs: paths,
                    base_url: base_url.as_deref().map(parse_base_url).transpose()?,
                    max_input_bytes,
                    max_warc_header_bytes,
                },
                profile: ProfileChoice::parse(&profile),
                output: output.filter(|o| o.as_os_str() != DEFAULT_OUTPUT),
                state,
            },
            Command::Dates(DatesOpts { text, context_date }) => Config::Dates {
                texts: text,
                context: context_date.as_deref().map(parse_date).transpose()?,
            },
            Command::Crawl(opts) => crawl_config(*opts, quiet)?,
            Command::Demo(DemoOpts { output }) => Config::Demo { output, quiet },
            Command::Profiles => Config::Profiles,
            Command::Schema => Config::Schema,
        })
    }
}

/// The crawl `harava demo` runs: `harava crawl` of `start` with every option at
/// its default, parsed by the same command line so the two cannot drift apart.
pub fn default_crawl(start: &[Url], quiet: bool) -> CrawlConfig {
    let args = ["harava".to_string(), "crawl".to_string()]
        .into_iter()
        .chain(start.iter().map(Url::to_string));
    let opts = Opts::try_parse_from(args).expect("a crawl of URLs parses");
    let Command::Crawl(crawl) = opts.command else {
        unreachable!("parsed as a crawl")
    };
    match crawl_config(*crawl, quiet).expect("the defaults are valid") {
        Config::Crawl { crawl, .. } => *crawl,
        _ => unreachable!("crawl_config makes a crawl"),
    }
}

fn crawl_config(opts: CrawlOpts, quiet: bool) -> Result<Config, UsageError> {
    let start = opts
        .urls
        .iter()
        .map(|u| parse_start_url(u))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Config::Crawl {
        crawl: Box::new(CrawlConfig {
            start,
            fetch: fetch_config(&opts.fetch, opts.concurrency.max(1))?,
            concurrency: opts.concurrency.max(1),
            max_pages: opts.max_pages,
            details: !opts.no_details,
            stats_path: opts.stats,
            progress: !quiet,
            archive_mode: opts.archive_mode,
            cdx: cdx_config(opts.cdx.as_deref(), opts.from, opts.to, opts.all_captures)?,
            warc: opts.warc,
        }),
        profile: ProfileChoice::parse(&opts.profile),
        output: opts.output.filter(|o| o.as_os_str() != DEFAULT_OUTPUT),
        state: opts.state,
    })
}

/// The fetch settings of `crawl`, and of `demo` with every option at its default.
fn fetch_config(opts: &FetchOpts, concurrency: usize) -> Result<FetchConfig, UsageError> {
    for (flag, rate) in [
        ("--rate", opts.rate),
        ("--archive-rate", opts.archive_rate),
        ("--cdx-rate", opts.cdx_rate),
    ] {
        if !(rate >= 0.0 && rate.is_finite()) {
            return Err(UsageError(format!(
                "{flag} {rate} is not a rate; give requests per second, e.g. 0.5, or 0 for no limit"
            )));
        }
    }
    if !(opts.timeout > 0.0 && opts.timeout.is_finite()) {
        return Err(UsageError(format!(
            "--timeout {} must be a positive number of seconds",
            opts.timeout
        )));
    }
    Ok(FetchConfig {
        user_agent: opts.user_agent.clone().unwrap_or_else(default_user_agent),
        rate: opts.rate,
        burst: opts.burst.max(1),
        timeout: Duration::from_secs_f64(opts.timeout),
        connect_timeout: DEFAULT_CONNECT_TIMEOUT.min(Duration::from_secs_f64(opts.timeout)),
        retries: opts.retries,
        backoff_base: DEFAULT_BACKOFF_BASE,
        max_retry_after: DEFAULT_MAX_RETRY_AFTER,
        default_retry_after: DEFAULT_RETRY_AFTER_429,
        max_bytes: opts.max_bytes,
        max_redirects: DEFAULT_MAX_REDIRECTS,
        ignore_robots: opts.ignore_robots,
        archive_rate: opts.archive_rate,
        cdx_rate: opts.cdx_rate,
        concurrency_hint: concurrency,
    })
}

fn cdx_config(
    archive: Option<&str>,
    from: Option<String>,
    to: Option<String>,
    all_captures: bool,
) -> Result<Option<CdxConfig>, UsageError> {
    let Some(archive) = archive else {
        return Ok(None);
    };
    let archive = parse_start_url(archive)?;
    for timestamp in [&from, &to].into_iter().flatten() {
        if !(1..=14).contains(&timestamp.len()) || !timestamp.bytes().all(|b| b.is_ascii_digit()) {
            return Err(UsageError(format!(
                "{timestamp:?} is not an archive timestamp; give 1 to 14 digits of YYYYMMDDhhmmss, e.g. 2017 or 20180601"
            )));
        }
    }
    Ok(Some(CdxConfig {
        archive,
        from,
        to,
        all_captures,
    }))
}

fn parse_start_url(value: &str) -> Result<Url, UsageError> {
    let url = Url::parse(value)
        .map_err(|e| UsageError(format!("{value:?} is not a URL ({e}); give a full address like https://www.example.fi/kokoukset/")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(UsageError(format!(
            "{value:?}: only http and https URLs can be crawled"
        )));
    }
    Ok(url)
}

fn parse_base_url(value: &str) -> Result<Url, UsageError> {
    let mut url = Url::parse(value).map_err(|e| {
        UsageError(format!(
            "--base-url {value:?} is not a URL ({e}); give one like https://www.example.fi/"
        ))
    })?;
    // A base without a trailing slash would make `a/index.html` replace its last
    // path segment instead of extending it.
    if !url.path().ends_with('/') {
        url.set_path(&format!("{}/", url.path()));
    }
    Ok(url)
}

fn parse_date(value: &str) -> Result<NaiveDate, UsageError> {
    NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| {
        UsageError(format!(
            "{value:?} is not a date; write it as YYYY-MM-DD, e.g. 2017-05-08"
        ))
    })
}
