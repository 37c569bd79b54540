//! Runs a configuration: sets up logging, calls the library, turns the outcome
//! into an exit code and a message that says what to do.

use std::io::{self, BufRead, Read, Write};

use crate::config::Config;
use crate::crawl::{self, CrawlConfig, CrawlStats};
use crate::error::Error;
use crate::exit_codes::ExitCode;
use crate::profile::ProfileChoice;
use crate::profile::{self, Profiles};
use crate::sink::Sink;
use crate::state::State;
use crate::{dates, demo, offline, record};

/// Sets up tracing on stderr: quiet by default (warnings and errors), `-v` for
/// progress, `-vv` for debug; `RUST_LOG` wins over both.
pub fn init_logging(verbose: u8, quiet: bool) {
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
        .init();
}

/// Runs a command to its exit code.
pub fn run(config: Config) -> ExitCode {
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
            state,
        } => {
            let profiles = Profiles::load(&profile)?;
            let mut sink = sink_for(output.as_deref(), state.as_deref())?;
            let report = offline::run(&extract, &profiles, &mut sink)?;
            sink.finish()?;
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
            if !report.failures.is_empty() {
                eprintln!(
                    "harava: {} of {} files could not be extracted (see the errors above); {} records written",
                    report.failures.len(),
                    report.files,
                    report.records
                );
            }
            Ok(ExitCode::for_failures(report.failures.len() as u64))
        }
        Config::Crawl {
            crawl,
            profile,
            output,
            state,
        } => {
            let sink = sink_for(output.as_deref(), state.as_deref())?;
            let stats = crawl_to(&runtime()?, &crawl, &profile, sink)?;
            Ok(crawl_exit_code(&stats))
        }
        Config::Demo { output, quiet } => {
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
        Config::Schema => {
            let text = serde_json::to_string_pretty(&record::schema()).expect("schemas serialize");
            writeln!(io::stdout(), "{text}").map_err(Error::stdout)?;
            Ok(ExitCode::Success)
        }
    }
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

/// The sink for `-o`, filtered by `--state` when one is given.
fn sink_for(
    output: Option<&std::path::Path>,
    state: Option<&std::path::Path>,
) -> Result<Sink, Error> {
    let sink = Sink::create(output)?;
    Ok(match state {
        Some(path) => sink.with_state(State::load(path)?),
        None => sink,
    })
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
) -> Result<CrawlStats, Error> {
    let profiles = Profiles::load(profile)?;
    if config.fetch.ignore_robots {
        eprintln!(
            "harava: WARNING: --ignore-robots is on: robots.txt will be neither fetched nor obeyed. Crawl this way only with the site owner's permission."
        );
    }
    let stats = runtime.block_on(crawl::run(config, &profiles, &mut sink, async {
        // Without a signal handler there is nothing to wait for but the crawl.
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
        // The first Ctrl-C lets the crawl finish its records; a second one means
        // "now", for when that takes too long.
        tokio::spawn(async {
            if tokio::signal::ctrl_c().await.is_ok() {
                eprintln!("harava: stopped at once; the output file was not finished");
                std::process::exit(ExitCode::Interrupted as i32);
            }
        });
    }))?;
    sink.finish()?;
    report_crawl(config, &stats)?;
    Ok(stats)
}

fn report_crawl(config: &CrawlConfig, stats: &CrawlStats) -> Result<(), Error> {
    if let Some(path) = &config.stats_path {
        let json = serde_json::to_string_pretty(stats).expect("stats serialize");
        std::fs::write(path, json + "\n").map_err(|e| Error::Write {
            path: path.display().to_string(),
            source: e,
        })?;
    }
    if config.progress {
        eprintln!("harava: {}", stats.summary());
    }
    if stats.records_written == 0 && stats.unchanged == 0 && !stats.interrupted {
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
    if stats.interrupted {
        ExitCode::Interrupted
    } else {
        ExitCode::for_failures(stats.pages_failed)
    }
}

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
    let config = crate::config::default_crawl(&start, quiet);
    let stats = crawl_to(
        &runtime,
        &config,
        &ProfileChoice::Auto,
        Sink::create(Some(output))?,
    );
    server.abort();
    stats
}
