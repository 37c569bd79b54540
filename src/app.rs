//! Runs a configuration: sets up logging, calls the library, turns the outcome
//! into an exit code and a message that says what to do.

use std::io::{self, BufRead, Write};

use crate::config::Config;
use crate::error::Error;
use crate::exit_codes::ExitCode;
use crate::profile::{self, Profiles};
use crate::sink::Sink;
use crate::{dates, offline, record};

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
        } => {
            let profiles = Profiles::load(&profile)?;
            let mut sink = Sink::create(output.as_deref())?;
            let report = offline::run(&extract, &profiles, &mut sink)?;
            sink.finish()?;
            tracing::info!(
                files = report.files,
                records = report.records,
                failed = report.failures.len(),
                "extract finished"
            );
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
        Config::Dates { texts, context } => {
            let mut out = io::BufWriter::new(io::stdout());
            let mut scan = |text: &str| -> Result<(), Error> {
                for found in dates::scan(text, context) {
                    let line = serde_json::to_string(&found).expect("date matches serialize");
                    writeln!(out, "{line}").map_err(stdout_error)?;
                }
                Ok(())
            };
            if texts.is_empty() {
                for line in io::stdin().lock().lines() {
                    scan(&line.map_err(|e| Error::Read {
                        path: "<stdin>".into(),
                        source: e,
                    })?)?;
                }
            } else {
                for text in &texts {
                    scan(text)?;
                }
            }
            out.flush().map_err(stdout_error)?;
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
                .map_err(stdout_error)?;
            }
            Ok(ExitCode::Success)
        }
        Config::Schema => {
            let text = serde_json::to_string_pretty(&record::schema()).expect("schemas serialize");
            writeln!(io::stdout(), "{text}").map_err(stdout_error)?;
            Ok(ExitCode::Success)
        }
    }
}

fn stdout_error(e: io::Error) -> Error {
    if e.kind() == io::ErrorKind::BrokenPipe {
        Error::BrokenPipe
    } else {
        Error::Write {
            path: "<stdout>".into(),
            source: e,
        }
    }
}
