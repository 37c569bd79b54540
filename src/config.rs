//! The plain configuration the library runs on, built from the command line in one
//! place, and the defaults.

use std::path::PathBuf;

use chrono::NaiveDate;
use url::Url;

use crate::cli::{Command, DatesOpts, ExtractOpts, Opts};
use crate::offline::ExtractConfig;
use crate::profile::ProfileChoice;

/// Where records go when no `-o` is given: standard output.
pub const DEFAULT_OUTPUT: &str = "-";

/// What to run.
#[derive(Debug)]
pub enum Config {
    Extract {
        extract: ExtractConfig,
        profile: ProfileChoice,
        output: Option<PathBuf>,
    },
    Dates {
        texts: Vec<String>,
        context: Option<NaiveDate>,
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
        Ok(match opts.command {
            Command::Extract(ExtractOpts {
                paths,
                profile,
                base_url,
                output,
            }) => Config::Extract {
                extract: ExtractConfig {
                    inputs: paths,
                    base_url: base_url.as_deref().map(parse_base_url).transpose()?,
                },
                profile: ProfileChoice::parse(&profile),
                output: output.filter(|o| o.as_os_str() != DEFAULT_OUTPUT),
            },
            Command::Dates(DatesOpts { text, context_date }) => Config::Dates {
                texts: text,
                context: context_date.as_deref().map(parse_date).transpose()?,
            },
            Command::Profiles => Config::Profiles,
            Command::Schema => Config::Schema,
        })
    }
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
