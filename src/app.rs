//! Runs a configuration: sets up logging, calls the library, turns the outcome
//! into an exit code and a message that says what to do.
//!
//! The commands that write files check every output path first and watch for
//! signals ([`crate::signals`]) before they do anything else.

use std::ffi::OsString;
use std::io::{self, BufRead, IsTerminal, Read, Write};
use std::path::Path;

use clap::Parser;

use crate::archive::wacz;
use crate::archive::wacz::Indexed;
use crate::cli::Opts;
use crate::config::Config;
use crate::crawl::{self, CrawlConfig, CrawlOutcome, CrawlStats};
#[cfg(feature = "demo")]
use crate::demo;
use crate::error::Error;
use crate::exit_codes::ExitCode;
use crate::manifest::Outcome;
use crate::output_file::PendingFile;
use crate::profile::ProfileChoice;
use crate::profile::{self, Profile, Profiles};
use crate::sink::Sink;
use crate::snapshot::Run;
use crate::state::Outcome as StateOutcome;
use crate::{dates, offline, record, signals};

/// Runs harava as the `harava` binary does: reads the process's arguments,
/// runs the command they give and returns its exit code.
///
/// Messages go to standard error, records to standard output or the files the
/// arguments name. `--help`, `--version` and arguments the command line does
/// not accept end the process here, as they do for the binary.
///
/// ```no_run
/// // The whole of a binary that is harava: `no_run`, since it reads the
/// // arguments of the process it runs in.
/// fn main() -> std::process::ExitCode {
///     harava::run_command_line()
/// }
/// ```
pub fn run_command_line() -> std::process::ExitCode {
    let opts = Opts::parse();
    init_logging(opts.verbose, opts.quiet);
    match Config::from_opts(opts) {
        Ok(config) => run(config).into(),
        Err(e) => {
            eprintln!("harava: {e}");
            ExitCode::Usage.into()
        }
    }
}

/// Sets up tracing on stderr: quiet by default (warnings and errors), `-v` for
/// progress, `-vv` for debug; `RUST_LOG` wins over both. Colour only on a
/// terminal, and never with `NO_COLOR` set.
pub(crate) fn init_logging(verbose: u8, quiet: bool) {
    let level = match (quiet, verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, 2) => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(format!("harava={level},warn")));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(io::stderr)
        .with_target(false)
        .without_time()
        .with_ansi(colour(
            io::stderr().is_terminal(),
            std::env::var_os("NO_COLOR"),
        ))
        .init();
}

/// Whether to colour stderr: escapes are noise in a log file or a pipe, and
/// <https://no-color.org> asks for none when `NO_COLOR` is set and not empty.
fn colour(terminal: bool, no_color: Option<OsString>) -> bool {
    terminal && no_color.is_none_or(|value| value.is_empty())
}

/// Runs a command to its exit code.
pub(crate) fn run(config: Config) -> ExitCode {
    match try_run(config) {
        Ok(code) => code,
        Err(Error::BrokenPipe) => ExitCode::Success,
        Err(e) => {
            eprintln!("harava: {e}");
            ExitCode::Failure
        }
    }
}

fn try_run(config: Config) -> Result<ExitCode, Error> {
    match config {
        Config::Extract {
            extract,
            profile,
            output,
            delivery,
            snapshot,
        } => {
            let state = delivery.state.clone();
            check_outputs(&[
                ("-o", output.as_deref()),
                ("--state", state.as_deref()),
                ("--changes", delivery.changes.as_deref()),
                ("--manifest", snapshot.manifest.as_deref()),
            ])?;
            signals::install()?;
            let profiles = Profiles::load(&profile)?;
            let run = Run::start(snapshot, &profile, false)?;
            let inputs: Vec<String> = extract
                .inputs
                .iter()
                .map(|p| p.display().to_string())
                .collect();
            let options = serde_json::json!({
                "command": "extract",
                "profile": format!("{profile:?}"),
                "base_url": extract.base_url.as_ref().map(url::Url::as_str),
                "since": delivery.since,
            });
            let mut sink = Sink::open(output.as_deref(), &delivery, &inputs, &options)?;
            let mut report = match offline::run(&extract, &profiles, &mut sink) {
                Ok(report) => report,
                // As a crawl does: the state records that the run ended in an error.
                Err(error) => return Err(abandoned(sink, error)),
            };
            // Inputs that hold no page at all (an empty WARC, one of robots.txt
            // and images only) are no dataset, however well they were read.
            if report.pages == 0 && report.failures.is_empty() && !signals::requested() {
                let failure = "the inputs hold no HTML page (nor WET text) to extract records from";
                tracing::error!("{failure}");
                report.failures.push(failure.to_string());
            }
            let outcome = if signals::requested() {
                StateOutcome::Interrupted
            } else if report.failures.is_empty() {
                StateOutcome::Ok
            } else {
                StateOutcome::FailedPages
            };
            let counts = serde_json::json!({"files": report.files});
            if report.pages == 0 {
                leave_as_it_was(sink.finish_without_input(outcome, &counts)?);
            } else {
                sink.finish(outcome, &counts)?;
            }
            tracing::info!(
                files = report.files,
                records = report.records,
                failed = report.failures.len(),
                "extract finished"
            );
            if state.is_some() {
                eprintln!(
                    "harava: {} meetings new or changed since the last run, {} unchanged (--state)",
                    report.records, report.unchanged
                );
            }
            // A stopped run did not read every input: the listing may be among
            // those left.
            if report.unlinked_details > 0 && !signals::requested() {
                let (pages, them) = match report.unlinked_details {
                    1 => ("page", "it"),
                    _ => ("pages", "them"),
                };
                eprintln!(
                    "harava: {} detail {pages} gave no record: no entry of the inputs links to {them}. A detail page's record comes from the listing entry that links to it: give the listing pages too (a whole mirror), or pin a profile with `standalone = true` for pages that stand alone",
                    report.unlinked_details,
                );
            }
            if !report.failures.is_empty() {
                eprintln!(
                    "harava: {} {} in {} {} (see the errors above); {} records written",
                    report.failures.len(),
                    if report.failures.len() == 1 {
                        "failure"
                    } else {
                        "failures"
                    },
                    report.files,
                    if report.files == 1 { "input" } else { "inputs" },
                    report.records
                );
            }
            let counts = [
                ("files", report.files),
                ("records", report.records),
                ("unchanged", report.unchanged),
            ];
            run.finish(
                outcome,
                report.pages == 0,
                &std::collections::BTreeMap::from(counts),
                report.failures.clone(),
                &[
                    ("records", output.as_deref()),
                    (
                        "changes",
                        delivery.changes.as_deref().filter(|c| c.as_os_str() != "-"),
                    ),
                ],
                "harava extract",
            )?;
            if signals::requested() {
                eprintln!(
                    "harava: interrupted: {} records written from the {} inputs read",
                    report.records, report.files
                );
                return Ok(ExitCode::Interrupted);
            }
            Ok(ExitCode::for_failures(report.failures.len() as u64))
        }
        Config::Crawl {
            mut crawl,
            profile,
            output,
            stats: stats_path,
            delivery,
            snapshot,
        } => {
            let state = delivery.state.clone();
            check_outputs(&[
                ("-o", output.as_deref()),
                ("--state", state.as_deref()),
                ("--changes", delivery.changes.as_deref()),
                ("--warc", crawl.warc.as_deref()),
                ("--stats", stats_path.as_deref()),
                ("--manifest", snapshot.manifest.as_deref()),
                ("--wacz", snapshot.wacz.as_deref()),
            ])?;
            signals::install()?;
            // A WACZ is made of the WARC; its index is kept as the WARC is written.
            crawl.index_warc = snapshot.wacz.is_some();
            let mut run = Run::start(snapshot, &profile, state.is_some())?;
            let warc = crawl.warc.clone();
            crawl.warc = run.warc_path(crawl.warc.take());
            let records = run.records_path(output.clone());
            run.make_staging()?;
            let starts: Vec<String> = crawl.start.iter().map(|u| u.to_string()).collect();
            // What shapes which pages a run reads, not where it writes or what it
            // emits: the next run of the same crawl, whatever its file names,
            // continues this one if it dies, and trusts it for early stop if it
            // ended well. `--full` reads more, so it stays out too.
            let options = serde_json::json!({
                "command": "crawl",
                "profile": format!("{profile:?}"),
                "max_pages": crawl.max_pages,
                "since": delivery.since,
                "details": crawl.details,
                "archive_mode": format!("{:?}", crawl.archive_mode),
                "cdx": crawl.cdx.as_ref().map(|cdx| format!("{cdx:?}")),
            });
            let sink = Sink::open(records.as_deref(), &delivery, &starts, &options)?;
            let (stats, warc_index) =
                crawl_to(&runtime()?, &crawl, &profile, sink, stats_path.as_deref())?;
            run.warc_indexed(warc_index);
            let failures = stats
                .failures
                .iter()
                .map(|f| format!("{}: {}", f.url, f.error))
                .collect();
            run.finish(
                crawl_outcome(&stats),
                stats.pages_fetched == 0,
                &stats,
                failures,
                &[
                    ("records", output.as_deref()),
                    (
                        "changes",
                        delivery.changes.as_deref().filter(|c| c.as_os_str() != "-"),
                    ),
                    ("warc", warc.as_deref()),
                    ("stats", stats_path.as_deref()),
                ],
                &format!("harava crawl of {}", starts.join(", ")),
            )?;
            Ok(crawl_exit_code(&stats))
        }
        #[cfg(feature = "demo")]
        Config::Demo { output, quiet } => {
            check_outputs(&[("-o", Some(&output))])?;
            signals::install()?;
            let stats = demo_crawl(&output, quiet)?;
            if stats.records_written > 0 && !quiet {
                eprintln!(
                    "harava: demo wrote {} records to {}",
                    stats.records_written,
                    output.display()
                );
            }
            Ok(crawl_exit_code(&stats))
        }
        Config::StateStatus {
            state,
            max_age,
            json,
        } => state_status(&state, max_age, json),
        Config::Dates { texts, context } => {
            let mut out = io::BufWriter::new(io::stdout());
            let mut scan = |text: &str| -> Result<(), Error> {
                for found in dates::scan(text, context) {
                    let line = serde_json::to_string(&found).expect("date matches serialize");
                    writeln!(out, "{line}").map_err(Error::stdout)?;
                }
                Ok(())
            };
            let skipped = if texts.is_empty() {
                scan_lines(io::stdin().lock(), &mut scan)?
            } else {
                for text in &texts {
                    scan(text)?;
                }
                0
            };
            out.flush().map_err(Error::stdout)?;
            Ok(ExitCode::for_failures(skipped))
        }
        Config::Suggest {
            pages,
            name,
            base_url,
            output,
        } => {
            check_outputs(&[("-o", output.as_deref())])?;
            let read = suggest_pages(&pages, base_url.as_ref())?;
            let text = crate::suggest::suggest(&name, &read)?;
            // What is written must load as it is.
            Profile::from_toml(&text, "the suggested profile")?;
            match output {
                Some(path) => {
                    let mut file = PendingFile::create(&path).map_err(|e| Error::Write {
                        path: path.display().to_string(),
                        source: e,
                    })?;
                    let written = file.write_all(text.as_bytes()).and_then(|()| file.commit());
                    written.map_err(|e| Error::Write {
                        path: path.display().to_string(),
                        source: e,
                    })?;
                    eprintln!(
                        "harava: wrote {}; review it, then use it with --profile {}",
                        path.display(),
                        path.display()
                    );
                }
                None => {
                    io::stdout()
                        .write_all(text.as_bytes())
                        .map_err(Error::stdout)?;
                }
            }
            Ok(ExitCode::Success)
        }
        Config::Profiles => {
            let mut out = io::stdout().lock();
            for profile in profile::bundled() {
                writeln!(
                    out,
                    "{}\t{}\t{}",
                    profile.name,
                    profile.hosts.join(","),
                    profile.description
                )
                .map_err(Error::stdout)?;
            }
            Ok(ExitCode::Success)
        }
        Config::Pack {
            warc,
            records,
            output,
            title,
        } => {
            let title = title.unwrap_or_else(|| {
                records
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default()
            });
            let run = crate::manifest::Manifest::begin(chrono::Utc::now(), Vec::new());
            let packed = wacz::pack(&warc, &records, &output, &title, &run, None)?;
            eprintln!(
                "harava: packed {} captures, {} pages and {} records into {}",
                packed.captures,
                packed.pages,
                packed.records,
                output.display()
            );
            Ok(ExitCode::Success)
        }
        Config::Verify { path } => verify(&path),
        Config::Schema => {
            let text = serde_json::to_string_pretty(&record::schema()).expect("schemas serialize");
            writeln!(io::stdout(), "{text}").map_err(Error::stdout)?;
            Ok(ExitCode::Success)
        }
    }
}

/// Checks each output path given, by its flag, before anything is fetched or read.
fn check_outputs(outputs: &[(&'static str, Option<&Path>)]) -> Result<(), Error> {
    for (flag, path) in outputs {
        if let Some(path) = path
            && path.as_os_str() != crate::defaults::DEFAULT_OUTPUT
        {
            crate::output_file::check_output(path, flag)?;
        }
    }
    Ok(())
}

/// Ends a run that `error` cut short ([`Sink::abandon`]) and returns `error`,
/// the one to report; one in ending the run is said too.
fn abandoned(sink: Sink, error: Error) -> Error {
    if let Err(also) = sink.abandon() {
        eprintln!("harava: {also}");
    }
    error
}

/// Says that a run that read nothing left the previous output in place.
fn leave_as_it_was(kept: Option<std::path::PathBuf>) {
    if let Some(path) = kept {
        eprintln!(
            "harava: no page was read; {} was left as it was",
            path.display()
        );
    }
}

/// Re-hash what a manifest or a WACZ lists, one line per file; exit 1 naming what changed.
fn verify(path: &std::path::Path) -> Result<ExitCode, Error> {
    let mut magic = [0; 4];
    let is_zip = std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut magic))
        .is_ok()
        && magic == *b"PK\x03\x04";
    let checked = if is_zip {
        wacz::verify(path)?
    } else {
        crate::manifest::verify_manifest(path)?
    };
    let mut out = io::stdout().lock();
    for file in &checked {
        writeln!(out, "{}", file.line()).map_err(Error::stdout)?;
    }
    let bad: Vec<&str> = checked
        .iter()
        .filter(|c| c.outcome != Outcome::Ok)
        .map(|c| c.name.as_str())
        .collect();
    if bad.is_empty() {
        return Ok(ExitCode::Success);
    }
    eprintln!(
        "harava: verify: {} of {} files changed or missing: {}; restore them from a copy, or make the dataset again",
        bad.len(),
        checked.len(),
        bad.join(", ")
    );
    Ok(ExitCode::Failure)
}

/// The longest line `harava dates` scans from stdin; a longer one is skipped, so
/// a stream without line breaks costs at most this much memory.
const MAX_DATES_LINE_BYTES: u64 = 1024 * 1024;

/// Scans `input` line by line, holding one line at a time. A line that is not
/// UTF-8 is scanned with U+FFFD in place of its invalid bytes, and a line longer
/// than [`MAX_DATES_LINE_BYTES`] is skipped; each with a warning. Returns how many
/// lines were skipped.
fn scan_lines(
    mut input: impl BufRead,
    scan: &mut impl FnMut(&str) -> Result<(), Error>,
) -> Result<u64, Error> {
    let read_error = |e| Error::Read {
        path: "<stdin>".into(),
        source: e,
    };
    let mut line = Vec::new();
    let mut skipped = 0;
    for number in 1.. {
        line.clear();
        let n = input
            .by_ref()
            .take(MAX_DATES_LINE_BYTES + 1)
            .read_until(b'\n', &mut line)
            .map_err(read_error)?;
        if n == 0 {
            break;
        }
        if line.len() as u64 > MAX_DATES_LINE_BYTES {
            // The rest of the line, read past in pieces.
            loop {
                let buf = input.fill_buf().map_err(read_error)?;
                let Some(end) = buf.iter().position(|b| *b == b'\n') else {
                    let len = buf.len();
                    input.consume(len);
                    if len == 0 {
                        break;
                    }
                    continue;
                };
                input.consume(end + 1);
                break;
            }
            eprintln!(
                "harava: <stdin> line {number}: longer than {MAX_DATES_LINE_BYTES} bytes; skipped"
            );
            skipped += 1;
            continue;
        }
        while line.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
            line.pop();
        }
        let text = String::from_utf8_lossy(&line);
        if let std::borrow::Cow::Owned(_) = text {
            eprintln!(
                "harava: <stdin> line {number}: not valid UTF-8; scanned with U+FFFD in place of the invalid bytes"
            );
        }
        scan(&text)?;
    }
    Ok(skipped)
}

/// `harava state status`: what a monitoring check reads. Exit 1 when a start
/// URL has had no successful run within `max_age`, naming it.
fn state_status(
    state: &Path,
    max_age: Option<std::time::Duration>,
    json: bool,
) -> Result<ExitCode, Error> {
    let status = crate::state::status(state)?;
    let now = chrono::Utc::now();
    let mut out = io::stdout().lock();
    let text = if json {
        serde_json::to_string_pretty(&status.to_json(now)).expect("JSON values serialize") + "\n"
    } else {
        status.to_text(now)
    };
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(Error::stdout)?;
    let Some(max_age) = max_age else {
        return Ok(ExitCode::Success);
    };
    let max_age = chrono::TimeDelta::from_std(max_age).unwrap_or(chrono::TimeDelta::MAX);
    let stale = status.stale(max_age, now);
    for source in &stale {
        eprintln!(
            "harava: {}: no successful run within {} (see the table above)",
            source.start,
            humanize(max_age)
        );
    }
    Ok(if stale.is_empty() {
        ExitCode::Success
    } else {
        ExitCode::Failure
    })
}

/// An age as `--max-age` takes it back: `36h`, `2d`.
fn humanize(age: chrono::TimeDelta) -> String {
    let seconds = age.num_seconds();
    match seconds {
        s if s % 604_800 == 0 => format!("{}w", s / 604_800),
        s if s % 86_400 == 0 => format!("{}d", s / 86_400),
        s if s % 3600 == 0 => format!("{}h", s / 3600),
        s if s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Runtime { source: e })
}

fn crawl_to(
    runtime: &tokio::runtime::Runtime,
    config: &CrawlConfig,
    profile: &ProfileChoice,
    mut sink: Sink,
    stats_path: Option<&Path>,
) -> Result<(CrawlStats, Option<Vec<Indexed>>), Error> {
    let profiles = Profiles::load(profile)?;
    if config.fetch.ignore_robots {
        eprintln!(
            "harava: WARNING: --ignore-robots is on: robots.txt will be neither fetched nor obeyed. Crawl this way only with the site owner's permission."
        );
    }
    let CrawlOutcome {
        stats,
        error,
        warc_index,
    } = runtime.block_on(crawl::run(
        config,
        &profiles,
        &mut sink,
        signals::stop_requested(),
    ))?;
    // A crawl cut short by an error delivers no output (its records may be
    // missing); the WARC and the stats of what it did are kept all the same,
    // as they are when the output cannot be put in place.
    let outcome = crawl_outcome(&stats);
    let counts = serde_json::json!({
        "requests": stats.requests,
        "pages_fetched": stats.pages_fetched,
        "pages_failed": stats.pages_failed,
        "listings_replayed": stats.listings_replayed,
    });
    let delivered = match error {
        Some(error) => Err(abandoned(sink, error)),
        None if stats.pages_fetched == 0 => sink
            .finish_without_input(outcome, &counts)
            .map(leave_as_it_was),
        None => sink.finish(outcome, &counts).map(drop),
    };
    report_crawl(config, &stats, stats_path, delivered.is_ok())?;
    delivered.map(|()| (stats, warc_index))
}

/// How a crawl that ran to its end, or to a signal, ended.
fn crawl_outcome(stats: &CrawlStats) -> StateOutcome {
    if stats.interrupted {
        StateOutcome::Interrupted
    } else if stats.pages_failed > 0 {
        StateOutcome::FailedPages
    } else {
        StateOutcome::Ok
    }
}

/// Writes `--stats` to `stats_path` and prints the summary; with `finished`,
/// also says when the crawl found nothing.
fn report_crawl(
    config: &CrawlConfig,
    stats: &CrawlStats,
    stats_path: Option<&Path>,
    finished: bool,
) -> Result<(), Error> {
    if let Some(path) = stats_path {
        let json = serde_json::to_string_pretty(stats).expect("stats serialize");
        let write_error = |source| Error::Write {
            path: path.display().to_string(),
            source,
        };
        let mut file = PendingFile::create(path).map_err(write_error)?;
        file.write_all((json + "\n").as_bytes())
            .map_err(write_error)?;
        file.commit().map_err(write_error)?;
    }
    if config.progress {
        eprintln!("harava: {}", stats.summary());
    }
    let meetings_read =
        stats.records_written + stats.unchanged + stats.delivered_before + stats.before_since;
    if finished && meetings_read == 0 && !stats.interrupted {
        eprintln!(
            "harava: no records were written: check the start URLs, the warnings above, and that the profile fits the site (harava profiles; --profile FILE)"
        );
    }
    Ok(())
}

fn crawl_exit_code(stats: &CrawlStats) -> ExitCode {
    if let Some(reason) = &stats.aborted {
        eprintln!("harava: the crawl stopped early: {reason}");
    }
    if stats.interrupted || signals::requested() {
        ExitCode::Interrupted
    } else {
        ExitCode::for_failures(stats.pages_failed)
    }
}

#[cfg(feature = "demo")]
fn demo_crawl(output: &std::path::Path, quiet: bool) -> Result<CrawlStats, Error> {
    let runtime = runtime()?;
    let (address, server) = runtime
        .block_on(demo::serve_samples())
        .map_err(|e| Error::Demo { source: e })?;
    if !quiet {
        eprintln!(
            "harava: serving the sample site at http://{address}/ and crawling it with the default settings"
        );
    }
    let start: Vec<url::Url> = demo::START_PATHS
        .iter()
        .map(|p| url::Url::parse(&format!("http://{address}{p}")).expect("loopback URL"))
        .collect();
    let mut config = CrawlConfig::new(start);
    config.progress = !quiet;
    let crawled = crawl_to(
        &runtime,
        &config,
        &ProfileChoice::Auto,
        Sink::create(Some(output))?,
        None,
    );
    server.abort();
    crawled.map(|(stats, _)| stats)
}

/// The pages `profile suggest` reads: files as saved, URLs fetched politely
/// (robots.txt and the default rate), each parsed once.
fn suggest_pages(
    inputs: &[String],
    base_url: Option<&url::Url>,
) -> Result<Vec<(crate::page::Page, scraper::Html)>, Error> {
    let urls: Vec<url::Url> = inputs
        .iter()
        .filter_map(|i| {
            url::Url::parse(i)
                .ok()
                .filter(|u| u.scheme().starts_with("http"))
        })
        .collect();
    let mut fetched = std::collections::HashMap::new();
    if !urls.is_empty() {
        let config = CrawlConfig::new(urls.clone());
        let scope = crate::fetch::Scope::new(&urls);
        let fetcher =
            crate::fetch::Fetcher::new(config.fetch, scope, crate::fetch::Scope::default(), None)
                .map_err(|e| Error::Client {
                message: e.to_string(),
            })?;
        let runtime = runtime()?;
        for url in &urls {
            let response = runtime
                .block_on(fetcher.get(url))
                .map_err(|e| Error::Suggest {
                    message: e.to_string(),
                })?;
            let page = response.http().into_page(crate::page::ArchiveMode::Raw);
            fetched.insert(url.to_string(), page);
        }
    }
    let mut pages = Vec::new();
    for input in inputs {
        let page = match fetched.remove(input.as_str()) {
            Some(page) => page,
            None => {
                let path = std::path::Path::new(input);
                let file = std::fs::File::open(path).map_err(|e| Error::Read {
                    path: input.clone(),
                    source: e,
                })?;
                // As `extract` reads a page: not a device's or a video's worth.
                let bytes = crate::page::read_html(file, input, offline::DEFAULT_MAX_INPUT_BYTES)?;
                let html = crate::page::decode_html(&bytes, None);
                let name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let file_url = url::Url::from_file_path(
                    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()),
                )
                .unwrap_or_else(|()| url::Url::parse("file:///").expect("static URL"));
                let url = base_url
                    .and_then(|base| base.join(&name).ok())
                    .unwrap_or(file_url);
                crate::page::Page::new(url.clone(), url, html)
            }
        };
        let document = scraper::Html::parse_document(&page.html);
        pages.push((page, document));
    }
    Ok(pages)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_only_on_a_terminal_and_never_with_no_color() {
        let cases = [
            (true, None, true),
            (true, Some(""), true),
            (true, Some("1"), false),
            (false, None, false),
            (false, Some("1"), false),
        ];
        for (terminal, no_color, expected) in cases {
            assert_eq!(
                colour(terminal, no_color.map(OsString::from)),
                expected,
                "{terminal} {no_color:?}"
            );
        }
    }
}
