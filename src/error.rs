//! The library's one error type. Every message names the file or URL it is about
//! and, where there is one, says what to do next.

use std::io;

/// Why a run, or a step of one, failed. The message (`Display`) names the file
/// or URL it is about and, where there is one, says what to do next.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A profile that cannot be loaded: not TOML, an unknown field, a selector
    /// that does not parse.
    #[error("profile {source_name}: {message}")]
    Profile {
        /// The profile's file, or the name it was loaded under.
        source_name: String,
        /// What is wrong, and where in the file.
        message: String,
    },

    /// A profile asked for by a name no bundled profile has.
    #[error(
        "no bundled profile is called `{name}` (bundled: {known}); to load a file, give its path with a `/` or `.toml` in it, e.g. --profile ./{name}.toml"
    )]
    UnknownProfile {
        /// The name asked for.
        name: String,
        /// The bundled profiles' names, comma-separated.
        known: String,
    },

    /// An input that cannot be read.
    #[error("{path}: cannot read: {source} (check the path and its permissions)")]
    Read {
        /// The input.
        path: String,
        /// Why.
        #[source]
        source: io::Error,
    },

    /// An input that is neither HTML nor a WARC file.
    #[error(
        "{path}: not an HTML page ({reason}); give HTML files, directories of them, or WARC files"
    )]
    NotHtml {
        /// The input.
        path: String,
        /// What it looks like instead.
        reason: String,
    },

    /// An input or a page passed over so that the run stays bounded.
    #[error("{path}: skipped: {reason}")]
    Skipped {
        /// The input or page.
        path: String,
        /// Which bound it broke.
        reason: String,
    },

    /// A page no profile fits, in a run that does not fall back on the generic
    /// extractor.
    #[error(
        "{path}: no profile fits this page (its host is not in any profile and no profile's signature matches); pick one with --profile NAME|FILE"
    )]
    NoProfile {
        /// The page.
        path: String,
    },

    /// An output path that cannot be written, found before the run starts.
    #[error("{flag} {path}: {problem}")]
    Output {
        /// The option that names the path, such as `-o`.
        flag: &'static str,
        /// The path.
        path: String,
        /// What is wrong with it.
        problem: String,
    },

    /// An output that failed while it was written.
    #[error("{path}: cannot write: {source}")]
    Write {
        /// The output (`<stdout>` for standard output).
        path: String,
        /// Why.
        #[source]
        source: io::Error,
    },

    /// The HTTP client a crawl fetches with cannot be set up.
    #[error("cannot set up the HTTP client: {message}")]
    Client {
        /// Why.
        message: String,
    },

    /// The async runtime a crawl runs on cannot start.
    #[error("cannot start the async runtime: {source}")]
    Runtime {
        /// Why.
        source: io::Error,
    },

    /// The handling of Ctrl-C, SIGTERM and SIGHUP cannot be set up.
    #[error("cannot set up the handling of Ctrl-C, SIGTERM and SIGHUP: {source}")]
    Signals {
        /// Why.
        source: io::Error,
    },

    /// `harava demo` cannot serve the sample site.
    #[error("cannot serve the sample site on 127.0.0.1: {source}")]
    #[cfg(feature = "demo")]
    Demo {
        /// Why.
        source: io::Error,
    },

    /// A WARC file that cannot be written.
    #[error("WARC: {message}")]
    Warc {
        /// What failed, naming the file.
        message: String,
    },

    /// CDX discovery failed: the archive's index did not answer, or not in a
    /// form harava reads.
    #[error("CDX discovery at {url}: {message}")]
    Cdx {
        /// The index query.
        url: String,
        /// What went wrong.
        message: String,
    },

    /// A state file of harava 0.2 that cannot be read.
    #[error(
        "{path}: {message}; fix or delete the state file (deleting it makes the next run deliver everything again)"
    )]
    State {
        /// The state file.
        path: String,
        /// What is wrong, and on which line.
        message: String,
    },

    /// The state database cannot be opened, read or written.
    #[error("state {path}: {message}")]
    StateStore {
        /// The state database.
        path: String,
        /// What failed.
        message: String,
    },

    /// Another run holds the state.
    #[error(
        "state {path} is in use by another harava run ({holder}); wait for it to finish, or check that the process is still running"
    )]
    StateLocked {
        /// The state database.
        path: String,
        /// Which run holds it: "pid 1234, started …".
        holder: String,
    },

    /// A state database of a newer harava, whose schema this one does not know.
    #[error(
        "state {path} was written by a newer harava (schema version {found}; this one knows up to {known}); upgrade harava to use it"
    )]
    StateTooNew {
        /// The state database.
        path: String,
        /// Its schema version.
        found: i64,
        /// The newest schema version this harava knows.
        known: i64,
    },

    /// A WACZ package or a manifest that cannot be written or read.
    #[error("{message}")]
    Snapshot {
        /// What failed, naming the file and what to do.
        message: String,
    },

    /// `harava profile suggest` cannot suggest a profile for the pages given.
    #[error("profile suggest: {message}")]
    Suggest {
        /// Why.
        message: String,
    },

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
