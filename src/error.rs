//! The library's one error type. Every message names the file or URL it is about
//! and, where there is one, says what to do next.

use std::io;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("profile {source_name}: {message}")]
    Profile {
        source_name: String,
        message: String,
    },

    #[error(
        "no bundled profile is called `{name}` (bundled: {known}); to load a file, give its path with a `/` or `.toml` in it, e.g. --profile ./{name}.toml"
    )]
    UnknownProfile { name: String, known: String },

    #[error("{path}: cannot read: {source} (check the path and its permissions)")]
    Read {
        path: String,
        #[source]
        source: io::Error,
    },

    #[error(
        "{path}: not an HTML page ({reason}); give HTML files, directories of them, or WARC files"
    )]
    NotHtml { path: String, reason: String },

    /// An input or a page passed over so that the run stays bounded.
    #[error("{path}: skipped: {reason}")]
    Skipped { path: String, reason: String },

    #[error(
        "{path}: no profile fits this page (its host is not in any profile and no profile's signature matches); pick one with --profile NAME|FILE"
    )]
    NoProfile { path: String },

    /// An output path that cannot be written, found before the run starts.
    #[error("{flag} {path}: {problem}")]
    Output {
        flag: &'static str,
        path: String,
        problem: String,
    },

    #[error("{path}: cannot write: {source}")]
    Write {
        path: String,
        #[source]
        source: io::Error,
    },

    #[error("cannot set up the HTTP client: {message}")]
    Client { message: String },

    #[error("cannot start the async runtime: {source}")]
    Runtime { source: io::Error },

    #[error("cannot set up the handling of Ctrl-C, SIGTERM and SIGHUP: {source}")]
    Signals { source: io::Error },

    #[error("cannot serve the sample site on 127.0.0.1: {source}")]
    #[cfg(feature = "demo")]
    Demo { source: io::Error },

    #[error("WARC: {message}")]
    Warc { message: String },

    #[error("CDX discovery at {url}: {message}")]
    Cdx { url: String, message: String },

    #[error(
        "{path}: {message}; fix or delete the state file (deleting it makes the next run deliver everything again)"
    )]
    State { path: String, message: String },

    /// The state database cannot be opened, read or written.
    #[error("state {path}: {message}")]
    StateStore { path: String, message: String },

    /// Another run holds the state; `holder` says which ("pid 1234, started …").
    #[error(
        "state {path} is in use by another harava run ({holder}); wait for it to finish, or check that the process is still running"
    )]
    StateLocked { path: String, holder: String },

    #[error(
        "state {path} was written by a newer harava (schema version {found}; this one knows up to {known}); upgrade harava to use it"
    )]
    StateTooNew {
        path: String,
        found: i64,
        known: i64,
    },

    /// A WACZ package or a manifest that cannot be written or read; the message names the
    /// file and what to do.
    #[error("{message}")]
    Snapshot { message: String },

    #[error("profile suggest: {message}")]
    Suggest { message: String },

    /// The reader of standard output went away (`harava … | head`): a clean stop.
    #[error("standard output was closed")]
    BrokenPipe,
}

impl Error {
    /// A failed write to standard output: a closed pipe is a clean stop, anything
    /// else an error.
    pub(crate) fn stdout(error: io::Error) -> Error {
        if error.kind() == io::ErrorKind::BrokenPipe {
            Error::BrokenPipe
        } else {
            Error::Write {
                path: "<stdout>".into(),
                source: error,
            }
        }
    }
}

/// How much of a piece of input a message quotes.
const EXCERPT_BYTES: usize = 200;

/// `text` as a message may quote it: whole when short, else its first 200 bytes
/// (on a character boundary) and "…", so that a hostile 100 MB line or URL cannot
/// flood stderr, the logs or `--stats`.
pub(crate) fn excerpt(text: &str) -> std::borrow::Cow<'_, str> {
    if text.len() <= EXCERPT_BYTES {
        std::borrow::Cow::Borrowed(text)
    } else {
        let end = text.floor_char_boundary(EXCERPT_BYTES);
        std::borrow::Cow::Owned(format!("{}…", &text[..end]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts() {
        let long = "a".repeat(100_000);
        let umlauts = "ä".repeat(150);
        let cases: [(&str, String); 4] = [
            ("", String::new()),
            ("https://x.fi/", "https://x.fi/".into()),
            (&long, format!("{}…", "a".repeat(200))),
            // 300 bytes of two-byte characters: cut at 200 bytes, between two of them.
            (&umlauts, format!("{}…", "ä".repeat(100))),
        ];
        for (input, expected) in cases {
            assert_eq!(excerpt(input), expected, "{}", input.len());
        }
    }
}
