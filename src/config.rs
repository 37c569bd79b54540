//! The plain configuration the library runs on, built from the command line in one
//! place, and the defaults.

use std::fmt::Display;
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{Datelike, NaiveDate};
use clap::Parser;
use url::Url;

#[cfg(feature = "demo")]
use crate::cli::DemoOpts;
use crate::cli::{
    Command, CrawlOpts, DatesOpts, DeliveryOpts, Emit, ExtractOpts, FetchOpts, Opts, PackOpts,
    ProfileCommand, StateCommand, StatusOpts, SuggestOpts, VerifyOpts,
};
use crate::crawl::{self, CdxConfig, CrawlConfig};
use crate::defaults::{
    BURST_RANGE, CDX_TIME_LIMIT_RANGE, CONCURRENCY_RANGE, DEFAULT_BACKOFF_BASE,
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_REDIRECTS, DEFAULT_MAX_RETRY_AFTER, DEFAULT_OUTPUT,
    DEFAULT_RETRY_AFTER_429, JOBS_RANGE, MAX_BYTES_RANGE, MIN_INPUT_BYTES, RATE_RANGE,
    RETRIES_RANGE, TIMEOUT_RANGE, default_user_agent,
};
use crate::error::excerpt;
use crate::fetch::{self, FetchConfig};
use crate::offline::ExtractConfig;
use crate::profile::ProfileChoice;
use crate::sink::Delivery;
use crate::snapshot::Snapshot;

/// What to run.
#[derive(Debug)]
pub(crate) enum Config {
    Extract {
        extract: ExtractConfig,
        profile: ProfileChoice,
        output: Option<PathBuf>,
        delivery: Delivery,
        snapshot: Snapshot,
    },
    Dates {
        texts: Vec<String>,
        context: Option<NaiveDate>,
    },
    Crawl {
        crawl: Box<CrawlConfig>,
        profile: ProfileChoice,
        output: Option<PathBuf>,
        /// Where the end-of-crawl summary goes as JSON (`--stats`).
        stats: Option<PathBuf>,
        delivery: Delivery,
        snapshot: Snapshot,
    },
    #[cfg(feature = "demo")]
    Demo {
        output: PathBuf,
        quiet: bool,
    },
    Profiles,
    /// `harava state status`.
    StateStatus {
        state: PathBuf,
        max_age: Option<std::time::Duration>,
        json: bool,
    },
    /// `harava profile suggest`.
    Suggest {
        pages: Vec<String>,
        name: String,
        base_url: Option<Url>,
        output: Option<PathBuf>,
    },
    Schema,
    Pack {
        warc: PathBuf,
        records: PathBuf,
        output: PathBuf,
        title: Option<String>,
    },
    Verify {
        path: PathBuf,
    },
}

/// A usage error found after clap's own checks, such as a malformed URL.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct UsageError(String);

impl Config {
    pub(crate) fn from_opts(opts: Opts) -> Result<Config, UsageError> {
        let quiet = opts.quiet;
        let config = match opts.command {
            Command::Extract(ExtractOpts {
                paths,
                profile,
                base_url,
                output,
                delivery,
                manifest,
                max_input_bytes,
                max_warc_header_bytes,
                explain,
                jobs,
            }) => Config::Extract {
                extract: ExtractConfig {
                    inputs: once_stdin(paths)?,
                    base_url: base_url.as_deref().map(parse_base_url).transpose()?,
                    max_input_bytes: at_least(
                        "--max-input-bytes",
                        max_input_bytes,
                        MIN_INPUT_BYTES,
                        "bytes",
                    )?,
                    max_warc_header_bytes: at_least(
                        "--max-warc-header-bytes",
                        max_warc_header_bytes,
                        MIN_INPUT_BYTES,
                        "bytes",
                    )?,
                    explain,
                    jobs: match jobs {
                        Some(jobs) => {
                            in_range::<usize>("--jobs", jobs, &JOBS_RANGE, "pages at once")?
                                .try_into()
                                .expect("the range starts at 1")
                        }
                        None => crate::offline::default_jobs(),
                    },
                },
                profile: profile_choice(&profile)?,
                output: output.filter(|o| o.as_os_str() != DEFAULT_OUTPUT),
                delivery: self::delivery(delivery, false)?,
                snapshot: Snapshot {
                    manifest,
                    wacz: None,
                },
            },
            Command::Dates(DatesOpts { text, context_date }) => Config::Dates {
                texts: text,
                context: context_date.as_deref().map(parse_date).transpose()?,
            },
            Command::Crawl(opts) => crawl_config(*opts, quiet)?,
            #[cfg(feature = "demo")]
            Command::Demo(DemoOpts { output }) => Config::Demo { output, quiet },
            Command::Profiles => Config::Profiles,
            Command::Profile(ProfileCommand::Suggest(SuggestOpts {
                pages,
                name,
                base_url,
                output,
            })) => {
                for page in &pages {
                    if page.starts_with("http://") || page.starts_with("https://") {
                        parse_start_url(page)?;
                    }
                }
                if let Some(problem) = crate::profile::name_problem(&name) {
                    return Err(UsageError(format!(
                        "--name {:?} cannot name a profile: {problem}",
                        excerpt(&name)
                    )));
                }
                Config::Suggest {
                    pages,
                    name,
                    base_url: base_url.as_deref().map(parse_base_url).transpose()?,
                    output: output.filter(|o| o.as_os_str() != DEFAULT_OUTPUT),
                }
            }
            Command::Schema => Config::Schema,
            Command::Pack(PackOpts {
                warc,
                records,
                output,
                title,
            }) => Config::Pack {
                warc,
                records,
                output,
                title,
            },
            Command::Verify(VerifyOpts { path }) => Config::Verify { path },
            Command::State(StateCommand::Status(StatusOpts {
                state,
                max_age,
                json,
            })) => Config::StateStatus {
                state,
                max_age: max_age.as_deref().map(parse_age).transpose()?,
                json,
            },
        };
        config.check_outputs_are_distinct()?;
        Ok(config)
    }

    /// Refuses two outputs in one file (or both on standard output), and an
    /// output that is one of `extract`'s input files: all but the last written
    /// would be lost, or the input replaced while it is read.
    fn check_outputs_are_distinct(&self) -> Result<(), UsageError> {
        let (records, delivery, snapshot, more, inputs): (_, _, _, &[_], &[PathBuf]) = match self {
            Config::Extract {
                extract,
                output,
                delivery,
                snapshot,
                ..
            } => (output, delivery, snapshot, &[], &extract.inputs),
            Config::Crawl {
                crawl,
                output,
                stats,
                delivery,
                snapshot,
                ..
            } => (
                output,
                delivery,
                snapshot,
                &[
                    ("--warc", crawl.warc.as_deref()),
                    ("--stats", stats.as_deref()),
                ],
                &[],
            ),
            // The file written replaces what was read, and the input is lost.
            Config::Pack {
                warc,
                records,
                output,
                ..
            } => {
                let outputs = FileKey::of(output, false).map(|key| ("-o", key));
                return refuse_inputs_as_outputs(
                    outputs.as_slice(),
                    &[warc.clone(), records.clone()],
                );
            }
            Config::Suggest {
                pages,
                output: Some(output),
                ..
            } => {
                let outputs = FileKey::of(output, false).map(|key| ("-o", key));
                let files: Vec<PathBuf> = pages
                    .iter()
                    .filter(|page| !page.starts_with("http://") && !page.starts_with("https://"))
                    .map(PathBuf::from)
                    .collect();
                return refuse_inputs_as_outputs(outputs.as_slice(), &files);
            }
            _ => return Ok(()),
        };
        let stdout = Path::new(DEFAULT_OUTPUT);
        let outputs = [
            ("-o", Some(records.as_deref().unwrap_or(stdout))),
            ("--state", delivery.state.as_deref()),
            ("--changes", delivery.changes.as_deref()),
            ("--manifest", snapshot.manifest.as_deref()),
            ("--wacz", snapshot.wacz.as_deref()),
        ];
        let mut seen: Vec<(&str, FileKey)> = Vec::new();
        for (flag, path) in outputs.iter().chain(more) {
            // Only the records and the changes take `-` for standard output;
            // to the others it is a file of that name.
            let dash_is_stdout = matches!(*flag, "-o" | "--changes");
            let Some(key) = path.and_then(|path| FileKey::of(path, dash_is_stdout)) else {
                continue;
            };
            if let Some((other, _)) = seen.iter().find(|(_, seen)| *seen == key) {
                return Err(UsageError(match key {
                    FileKey::Stdout => format!(
                        "{other} and {flag} would both write to standard output; give one of them a file"
                    ),
                    _ => format!(
                        "{other} and {flag} name the same file, {}; give each output a file of its own",
                        path.unwrap_or(stdout).display()
                    ),
                }));
            }
            seen.push((flag, key));
        }
        refuse_inputs_as_outputs(&seen, inputs)?;
        let paths: Vec<(&str, &Path)> = outputs
            .iter()
            .filter_map(|(flag, path)| Some((*flag, (*path)?)))
            .collect();
        refuse_outputs_read_as_inputs(&paths, inputs)
    }
}

/// `paths`, unless they name standard input (`-`) more than once: it can be
/// read only once.
fn once_stdin(paths: Vec<PathBuf>) -> Result<Vec<PathBuf>, UsageError> {
    if paths.iter().filter(|path| path.as_os_str() == "-").count() > 1 {
        return Err(UsageError(
            "- (standard input) is given more than once; it can be read once".to_string(),
        ));
    }
    Ok(paths)
}

/// Refuses an output inside an input directory under a name the directory's
/// walk reads (`DIR/page.html`): the run would replace a page it reads, or the
/// next run would read its output as a page.
fn refuse_outputs_read_as_inputs(
    outputs: &[(&str, &Path)],
    inputs: &[PathBuf],
) -> Result<(), UsageError> {
    let real = |path: &Path| std::fs::canonicalize(path).ok();
    for input in inputs.iter().filter(|input| input.is_dir()) {
        let Some(directory) = real(input) else {
            continue;
        };
        for (flag, output) in outputs {
            let inside = output
                .parent()
                .map(|parent| {
                    if parent.as_os_str().is_empty() {
                        Path::new(".")
                    } else {
                        parent
                    }
                })
                .and_then(real)
                .is_some_and(|parent| parent.starts_with(&directory));
            if inside && crate::page::read_in_a_directory(output) {
                return Err(UsageError(format!(
                    "{flag} names {}, which is inside the input directory {} and would be read as a page; give the output another path",
                    output.display(),
                    input.display()
                )));
            }
        }
    }
    Ok(())
}

/// Refuses an output of `outputs` (each with its flag) that is one of the
/// files of `inputs`.
fn refuse_inputs_as_outputs(
    outputs: &[(&str, FileKey)],
    inputs: &[PathBuf],
) -> Result<(), UsageError> {
    for input in inputs {
        if let Some(key @ FileKey::File { .. }) = FileKey::of(input, false)
            && let Some((flag, _)) = outputs.iter().find(|(_, output)| *output == key)
        {
            return Err(UsageError(format!(
                "{flag} names {}, which is also an input; give the output another path",
                input.display()
            )));
        }
    }
    Ok(())
}

/// What a path writes to, to tell two outputs in one place apart from two
/// places. Devices have none: they are written through, and `/dev/null` may
/// take several outputs.
#[derive(Debug, PartialEq, Eq)]
enum FileKey {
    /// Standard output, by `-` or by a path to what it is (`/dev/stdout`, the
    /// file it is redirected to, its pipe).
    Stdout,
    /// A file that is there, by its device and inode (links and other
    /// spellings of its path included).
    File { device: u64, inode: u64 },
    /// A file to be made: its directory's real path and its name.
    New(PathBuf),
}

impl FileKey {
    fn of(path: &Path, dash_is_stdout: bool) -> Option<FileKey> {
        use std::os::unix::fs::{FileTypeExt, MetadataExt};
        if dash_is_stdout && path.as_os_str() == DEFAULT_OUTPUT {
            return Some(FileKey::Stdout);
        }
        let is_stdout = |metadata: &std::fs::Metadata| {
            std::fs::metadata("/dev/stdout").is_ok_and(|stdout| {
                (stdout.dev(), stdout.ino()) == (metadata.dev(), metadata.ino())
            })
        };
        match std::fs::metadata(path) {
            Ok(metadata) if is_stdout(&metadata) && !metadata.file_type().is_char_device() => {
                Some(FileKey::Stdout)
            }
            Ok(metadata) if metadata.is_file() => Some(FileKey::File {
                device: metadata.dev(),
                inode: metadata.ino(),
            }),
            Ok(_) => None,
            Err(_) => {
                let dir = match path.parent() {
                    Some(dir) if !dir.as_os_str().is_empty() => dir,
                    _ => Path::new("."),
                };
                let dir = std::fs::canonicalize(dir).ok()?;
                Some(FileKey::New(dir.join(path.file_name()?)))
            }
        }
    }
}

impl CrawlConfig {
    /// A crawl of the listing pages `start` with every other setting at the
    /// default of `harava crawl URL…`, except that it shows no progress: one
    /// request a second per host, robots.txt obeyed, four pages at once,
    /// detail pages fetched, no page limit, no WARC.
    ///
    /// ```
    /// use harava::crawl::CrawlConfig;
    /// use url::Url;
    ///
    /// let start = Url::parse("https://www.uusimaa2019.fi/kuntajohtajakokous/").unwrap();
    /// let mut config = CrawlConfig::new(vec![start.clone()]);
    /// assert_eq!(config.start, [start]);
    /// assert_eq!(config.fetch.rate, 1.0);
    /// assert!(!config.fetch.ignore_robots);
    /// assert_eq!(config.concurrency, 4);
    /// assert!(config.details);
    /// assert_eq!(config.max_pages, None);
    /// assert!(!config.progress);
    ///
    /// // Settings are fields.
    /// config.max_pages = Some(50);
    /// ```
    pub fn new(start: Vec<Url>) -> CrawlConfig {
        // The defaults are the command line's, parsed by it, so that the two
        // cannot drift apart. It wants a start URL to parse; `start` replaces it.
        let opts = Opts::try_parse_from(["harava", "crawl", "https://www.example.fi/"])
            .expect("a crawl of a URL parses");
        let Command::Crawl(crawl) = opts.command else {
            unreachable!("parsed as a crawl")
        };
        match crawl_config(*crawl, true).expect("the defaults are valid") {
            Config::Crawl { crawl, .. } => CrawlConfig { start, ..*crawl },
            _ => unreachable!("crawl_config makes a crawl"),
        }
    }
}

fn crawl_config(opts: CrawlOpts, quiet: bool) -> Result<Config, UsageError> {
    let start = opts
        .urls
        .iter()
        .map(|u| match opts.cdx {
            Some(_) => crawl::pattern_site(u).map_err(UsageError),
            None => parse_start_url(u),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let concurrency = in_range(
        "--concurrency",
        opts.concurrency,
        &CONCURRENCY_RANGE,
        "pages at once",
    )?;
    let max_pages = opts
        .max_pages
        .map(|pages| at_least("--max-pages", pages, 1, "page"))
        .transpose()?;
    Ok(Config::Crawl {
        crawl: Box::new(CrawlConfig {
            start,
            fetch: fetch_config(&opts.fetch, concurrency)?,
            concurrency,
            max_pages,
            details: !opts.no_details,
            explain: opts.explain,
            index_warc: false,
            progress: !quiet,
            archive_mode: opts.archive_mode,
            cdx: cdx_config(
                opts.cdx.as_deref(),
                opts.from,
                opts.to,
                opts.all_captures,
                &opts.urls,
                at_least("--cdx-max-queries", opts.cdx_max_queries, 1, "query")?,
                in_range(
                    "--cdx-time-limit",
                    opts.cdx_time_limit,
                    &CDX_TIME_LIMIT_RANGE,
                    "seconds",
                )?,
            )?,
            warc: opts.warc,
        }),
        profile: profile_choice(&opts.profile)?,
        output: opts.output.filter(|o| o.as_os_str() != DEFAULT_OUTPUT),
        stats: opts.stats,
        delivery: delivery(opts.delivery, opts.full)?,
        snapshot: Snapshot {
            manifest: opts.manifest,
            wacz: opts.wacz,
        },
    })
}

/// The delivery options as the sink takes them.
fn delivery(opts: DeliveryOpts, full: bool) -> Result<Delivery, UsageError> {
    Ok(Delivery {
        state: opts.state,
        changes: opts.changes,
        emit_all: opts.emit == Emit::All,
        since: opts.since.as_deref().map(parse_since).transpose()?,
        full,
    })
}

/// A `--max-age`: a number and a unit, `30m`, `36h`, `2d`, `1w`.
fn parse_age(value: &str) -> Result<std::time::Duration, UsageError> {
    let split = value
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(value.len());
    let (number, unit) = value.split_at(split);
    let seconds = match unit {
        "s" => Some(1),
        "m" => Some(60),
        "h" => Some(3600),
        "d" => Some(86_400),
        "w" => Some(604_800),
        _ => None,
    };
    match (number.parse::<u64>(), seconds) {
        (Ok(n), Some(unit)) if n > 0 => Ok(std::time::Duration::from_secs(n.saturating_mul(unit))),
        _ => Err(UsageError(format!(
            "--max-age {:?} is not an age; write a number and a unit (s, m, h, d or w), e.g. 36h or 2d",
            excerpt(value)
        ))),
    }
}

/// `low to high`, as `--help` and the errors state a range.
pub(crate) fn range_text<T: Display>(range: &RangeInclusive<T>) -> String {
    format!("{} to {}", range.start(), range.end())
}

/// A number as the user may have typed it: `0.5`, `30`, `1e-20`, `1e20`.
fn number(value: f64) -> String {
    if value == 0.0 || (1e-4..1e16).contains(&value.abs()) {
        value.to_string()
    } else {
        format!("{value:e}")
    }
}

/// `--profile`'s value, which may not be empty.
fn profile_choice(value: &str) -> Result<ProfileChoice, UsageError> {
    if value.trim().is_empty() {
        return Err(UsageError(
            "--profile is empty: give a bundled profile's name (harava profiles lists them), a profile's TOML file, or auto".into(),
        ));
    }
    Ok(ProfileChoice::parse(value))
}

/// `value` if it lies in `range`, else a usage error stating the range.
fn in_range<T: PartialOrd + Display + Copy + TryFrom<i128>>(
    flag: &str,
    value: i128,
    range: &RangeInclusive<T>,
    unit: &str,
) -> Result<T, UsageError> {
    match T::try_from(value) {
        Ok(fits) if range.contains(&fits) => Ok(fits),
        _ => Err(UsageError(format!(
            "{flag} {value} is out of range: give {} {unit}",
            range_text(range)
        ))),
    }
}

/// `value` if it is at least `min` and fits its type, else a usage error
/// stating the least.
fn at_least<T: PartialOrd + Display + Copy + TryFrom<i128>>(
    flag: &str,
    value: i128,
    min: T,
    unit: &str,
) -> Result<T, UsageError> {
    match T::try_from(value) {
        Ok(fits) if fits >= min => Ok(fits),
        _ => Err(UsageError(format!(
            "{flag} {value} is out of range: give at least {min} {unit}"
        ))),
    }
}

/// A rate flag: 0 for no limit, or requests per second within [`RATE_RANGE`].
fn rate(flag: &str, value: f64) -> Result<f64, UsageError> {
    if value == 0.0 || RATE_RANGE.contains(&value) {
        return Ok(value);
    }
    Err(UsageError(format!(
        "{flag} {} is out of range: give 0 (no limit) or {} requests per second ({} is one request every {} s, about 17 minutes)",
        number(value),
        range_text(&RATE_RANGE),
        RATE_RANGE.start(),
        1.0 / RATE_RANGE.start(),
    )))
}

/// The fetch settings of `crawl`, and of `demo` with every option at its default.
fn fetch_config(opts: &FetchOpts, concurrency: usize) -> Result<FetchConfig, UsageError> {
    let timeout = opts.timeout;
    if !TIMEOUT_RANGE.contains(&timeout) {
        return Err(UsageError(format!(
            "--timeout {} is out of range: give {} seconds",
            number(timeout),
            range_text(&TIMEOUT_RANGE)
        )));
    }
    let user_agent = match &opts.user_agent {
        Some(agent) => {
            fetch::user_agent_header(agent).map_err(UsageError)?;
            agent.clone()
        }
        None => default_user_agent(),
    };
    Ok(FetchConfig {
        user_agent,
        rate: rate("--rate", opts.rate)?,
        burst: in_range("--burst", opts.burst, &BURST_RANGE, "requests")?,
        timeout: Duration::from_secs_f64(timeout),
        connect_timeout: DEFAULT_CONNECT_TIMEOUT.min(Duration::from_secs_f64(timeout)),
        retries: in_range("--retries", opts.retries, &RETRIES_RANGE, "retries")?,
        backoff_base: DEFAULT_BACKOFF_BASE,
        max_retry_after: DEFAULT_MAX_RETRY_AFTER,
        default_retry_after: DEFAULT_RETRY_AFTER_429,
        max_bytes: in_range("--max-bytes", opts.max_bytes, &MAX_BYTES_RANGE, "bytes")?,
        max_redirects: DEFAULT_MAX_REDIRECTS,
        ignore_robots: opts.ignore_robots,
        archive_rate: rate("--archive-rate", opts.archive_rate)?,
        cdx_rate: rate("--cdx-rate", opts.cdx_rate)?,
        concurrency_hint: concurrency,
    })
}

fn cdx_config(
    archive: Option<&str>,
    from: Option<String>,
    to: Option<String>,
    all_captures: bool,
    patterns: &[String],
    max_queries: u32,
    time_limit_secs: u64,
) -> Result<Option<CdxConfig>, UsageError> {
    let Some(archive) = archive else {
        return Ok(None);
    };
    let archive = parse_start_url(archive)?;
    for timestamp in [&from, &to].into_iter().flatten() {
        if !(1..=14).contains(&timestamp.len()) || !timestamp.bytes().all(|b| b.is_ascii_digit()) {
            return Err(UsageError(format!(
                "{:?} is not an archive timestamp; give 1 to 14 digits of YYYYMMDDhhmmss, e.g. 2017 or 20180601",
                excerpt(timestamp)
            )));
        }
    }
    Ok(Some(CdxConfig {
        archive,
        from,
        to,
        all_captures,
        patterns: patterns.to_vec(),
        max_queries,
        time_limit: Duration::from_secs(time_limit_secs),
    }))
}

fn parse_start_url(value: &str) -> Result<Url, UsageError> {
    let url = Url::parse(value).map_err(|e| {
        UsageError(format!(
            "{:?} is not a URL ({e}); give a full address like https://www.example.fi/kokoukset/",
            excerpt(value)
        ))
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(UsageError(format!(
            "{:?}: only http and https URLs can be crawled",
            excerpt(value)
        )));
    }
    fetch::check_request_url(&url).map_err(|e| {
        UsageError(format!(
            "{:?} cannot be requested ({e}); give the address of a listing page",
            excerpt(value)
        ))
    })?;
    Ok(url)
}

fn parse_base_url(value: &str) -> Result<Url, UsageError> {
    let mut url = Url::parse(value).map_err(|e| {
        UsageError(format!(
            "--base-url {:?} is not a URL ({e}); give one like https://www.example.fi/",
            excerpt(value)
        ))
    })?;
    // Records' links are web addresses: under another scheme every detail link
    // and document would be dropped.
    if !matches!(url.scheme(), "http" | "https") {
        return Err(UsageError(format!(
            "--base-url {:?} is no http or https address; give the address the pages had on the web, like https://www.example.fi/",
            excerpt(value)
        )));
    }
    // A base without a trailing slash would make `a/index.html` replace its last
    // path segment instead of extending it.
    if !url.path().ends_with('/') {
        url.set_path(&format!("{}/", url.path()));
    }
    Ok(url)
}

/// A `--context-date`: exactly `YYYY-MM-DD` (chrono alone would also take a
/// sign and more digits), in the years the date grammar reads.
fn parse_date(value: &str) -> Result<NaiveDate, UsageError> {
    parse_flag_date("--context-date", value)
}

/// A `--since`: `YYYY-MM-DD`, or the Finnish `1.3.2024` a user copies from a
/// meeting page.
fn parse_since(value: &str) -> Result<NaiveDate, UsageError> {
    let finnish = value.split('.').collect::<Vec<_>>();
    if let [day, month, year] = finnish[..]
        && [day, month, year]
            .iter()
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
        && year.len() == 4
        && let Some(date) = NaiveDate::from_ymd_opt(
            year.parse().unwrap_or(0),
            month.parse().unwrap_or(0),
            day.parse().unwrap_or(0),
        )
        && (1800..=2199).contains(&date.year())
    {
        return Ok(date);
    }
    parse_flag_date("--since", value)
}

fn parse_flag_date(flag: &str, value: &str) -> Result<NaiveDate, UsageError> {
    let shaped = value.len() == 10
        && value.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    shaped
        .then(|| NaiveDate::parse_from_str(value, "%Y-%m-%d").ok())
        .flatten()
        .filter(|d| (1800..=2199).contains(&d.year()))
        .ok_or_else(|| {
            UsageError(format!(
                "{flag} {:?} is not a date of 1800–2199; write it as YYYY-MM-DD, e.g. 2017-05-08",
                crate::error::excerpt(value)
            ))
        })
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn help_states_every_numeric_range() {
        let at_least = |n: u64| format!("at least {n}");
        let cases = [
            ("crawl", "rate", range_text(&RATE_RANGE)),
            ("crawl", "archive_rate", range_text(&RATE_RANGE)),
            ("crawl", "cdx_rate", range_text(&RATE_RANGE)),
            ("crawl", "burst", range_text(&BURST_RANGE)),
            ("crawl", "concurrency", range_text(&CONCURRENCY_RANGE)),
            ("crawl", "timeout", range_text(&TIMEOUT_RANGE)),
            ("crawl", "retries", range_text(&RETRIES_RANGE)),
            ("crawl", "max_bytes", range_text(&MAX_BYTES_RANGE)),
            ("crawl", "max_pages", at_least(1)),
            ("crawl", "cdx_max_queries", at_least(1)),
            ("crawl", "cdx_time_limit", range_text(&CDX_TIME_LIMIT_RANGE)),
            ("extract", "jobs", range_text(&JOBS_RANGE)),
            ("extract", "max_input_bytes", at_least(MIN_INPUT_BYTES)),
            (
                "extract",
                "max_warc_header_bytes",
                at_least(MIN_INPUT_BYTES),
            ),
        ];
        let command = Opts::command();
        for (subcommand, id, range) in cases {
            let arg = command
                .find_subcommand(subcommand)
                .unwrap()
                .get_arguments()
                .find(|a| a.get_id() == id)
                .unwrap_or_else(|| panic!("no {subcommand} --{id}"));
            let help = arg.get_help().unwrap().to_string();
            assert!(help.contains(&range), "--{id}: {help:?} lacks {range:?}");
        }
    }

    fn crawl_with(args: &[&str]) -> Result<Config, UsageError> {
        let all = ["harava", "crawl"]
            .iter()
            .chain(args)
            .chain(&["https://www.example.fi/"]);
        Config::from_opts(Opts::try_parse_from(all).unwrap())
    }

    #[test]
    fn out_of_range_numbers_are_usage_errors_that_state_the_range() {
        // arguments, the error (None: accepted)
        let cases: &[(&[&str], Option<&str>)] = &[
            (&["--rate", "0"], None),
            (&["--rate", "0.001"], None),
            (&["--rate", "1000"], None),
            (
                &["--rate", "1e-20"],
                Some(
                    "--rate 1e-20 is out of range: give 0 (no limit) or 0.001 to 1000 requests per second (0.001 is one request every 1000 s, about 17 minutes)",
                ),
            ),
            (
                &["--archive-rate", "1e-10"],
                Some("--archive-rate 1e-10 is out of range: give 0 (no limit) or 0.001 to 1000"),
            ),
            (
                &["--cdx-rate", "1e300"],
                Some("--cdx-rate 1e300 is out of range: give 0 (no limit) or 0.001 to 1000"),
            ),
            (&["--rate=-1"], Some("--rate -1 is out of range")),
            (&["--rate", "NaN"], Some("--rate NaN is out of range")),
            (&["--rate", "inf"], Some("--rate inf is out of range")),
            (&["--timeout", "0.5"], None),
            (
                &["--timeout", "1e20"],
                Some("--timeout 1e20 is out of range: give 0.1 to 3600 seconds"),
            ),
            (
                &["--timeout", "0"],
                Some("--timeout 0 is out of range: give 0.1 to 3600 seconds"),
            ),
            (
                &["--concurrency", "0"],
                Some("--concurrency 0 is out of range: give 1 to 256 pages at once"),
            ),
            (
                &["--burst", "0"],
                Some("--burst 0 is out of range: give 1 to 100 requests"),
            ),
            (
                &["--retries", "11"],
                Some("--retries 11 is out of range: give 0 to 10 retries"),
            ),
            (
                &["--max-bytes", "0"],
                Some("--max-bytes 0 is out of range: give 1000 to 1000000000 bytes"),
            ),
            (
                &["--max-pages", "0"],
                Some("--max-pages 0 is out of range: give at least 1 page"),
            ),
            // Negative numbers, and numbers past the flag's type, are out of
            // range like any other.
            (
                &["--concurrency=-3"],
                Some("--concurrency -3 is out of range: give 1 to 256 pages at once"),
            ),
            (
                &["--retries=-1"],
                Some("--retries -1 is out of range: give 0 to 10 retries"),
            ),
            (
                &["--burst", "4294967296"],
                Some("--burst 4294967296 is out of range: give 1 to 100 requests"),
            ),
            (
                &["--max-bytes=-5"],
                Some("--max-bytes -5 is out of range: give 1000 to 1000000000 bytes"),
            ),
            (
                &["--max-pages", "-1"],
                Some("--max-pages -1 is out of range: give at least 1 page"),
            ),
            (
                &["--max-pages", "18446744073709551616"],
                Some("--max-pages 18446744073709551616 is out of range: give at least 1 page"),
            ),
            (&["--max-pages", "18446744073709551615"], None),
            (
                &["--cdx", "https://web.archive.org", "--cdx-max-queries", "1"],
                None,
            ),
            (
                &["--cdx", "https://web.archive.org", "--cdx-max-queries", "0"],
                Some("--cdx-max-queries 0 is out of range: give at least 1 query"),
            ),
            (
                &["--cdx", "https://web.archive.org", "--cdx-time-limit=-1"],
                Some("--cdx-time-limit -1 is out of range: give 1 to 2592000 seconds"),
            ),
            (
                &[
                    "--cdx",
                    "https://web.archive.org",
                    "--cdx-time-limit",
                    "2592001",
                ],
                Some("--cdx-time-limit 2592001 is out of range: give 1 to 2592000 seconds"),
            ),
            (
                &["--profile", " "],
                Some(
                    "--profile is empty: give a bundled profile's name (harava profiles lists them), a profile's TOML file, or auto",
                ),
            ),
        ];
        for (args, expected) in cases {
            match (crawl_with(args), expected) {
                (Ok(_), None) => {}
                (Err(e), Some(expected)) => {
                    assert!(e.to_string().starts_with(expected), "{args:?}: {e}")
                }
                (Ok(_), Some(expected)) => panic!("{args:?} accepted, expected {expected}"),
                (Err(e), None) => panic!("{args:?}: {e}"),
            }
        }
    }

    #[test]
    fn extract_input_caps_below_a_kilobyte_are_usage_errors() {
        let extract = |flag: &str, bytes: &str| {
            let opts = Opts::try_parse_from(["harava", "extract", flag, bytes, "x.html"]);
            match Config::from_opts(opts.unwrap()) {
                Ok(Config::Extract { extract, .. }) => {
                    Ok((extract.max_input_bytes, extract.max_warc_header_bytes))
                }
                Ok(_) => unreachable!("an extract command"),
                Err(e) => Err(e.to_string()),
            }
        };
        assert_eq!(
            extract("--max-input-bytes", "1000"),
            Ok((1000, crate::offline::DEFAULT_MAX_WARC_HEADER_BYTES))
        );
        assert_eq!(
            extract("--max-warc-header-bytes", "0"),
            Err("--max-warc-header-bytes 0 is out of range: give at least 1000 bytes".into())
        );
        assert_eq!(
            extract("--max-input-bytes", "-1"),
            Err("--max-input-bytes -1 is out of range: give at least 1000 bytes".into())
        );
    }

    #[test]
    fn what_is_no_whole_number_is_refused_by_the_parser_with_the_reason() {
        for (value, reason) in [
            ("abc", "not a whole number"),
            ("1.5", "not a whole number"),
            ("-", "not a whole number"),
            ("", "not a whole number"),
            (
                "999999999999999999999999999999999999999999",
                "out of range (the command's --help names the range)",
            ),
        ] {
            let error = Opts::try_parse_from(["harava", "crawl", "--concurrency", value, "x"])
                .unwrap_err()
                .to_string();
            assert!(
                error.starts_with(&format!(
                    "error: invalid value '{value}' for '--concurrency <N>': {reason}"
                )),
                "{value:?}: {error}"
            );
        }
    }

    #[test]
    fn extract_jobs_out_of_range_are_usage_errors() {
        let extract = |jobs: &str| {
            let opts = Opts::try_parse_from(["harava", "extract", "--jobs", jobs, "x.html"]);
            match Config::from_opts(opts.unwrap()) {
                Ok(Config::Extract { extract, .. }) => Ok(extract.jobs.get()),
                Ok(_) => unreachable!("an extract command"),
                Err(e) => Err(e.to_string()),
            }
        };
        assert_eq!(extract("3"), Ok(3));
        assert_eq!(
            extract("0"),
            Err("--jobs 0 is out of range: give 1 to 256 pages at once".to_string())
        );
        assert_eq!(
            extract("-2"),
            Err("--jobs -2 is out of range: give 1 to 256 pages at once".to_string())
        );
        assert!(
            extract("257")
                .unwrap_err()
                .starts_with("--jobs 257 is out of range")
        );
    }
}
