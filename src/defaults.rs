//! The defaults and accepted ranges of every option, in one leaf module that both
//! the command line (for `--help`) and the configuration (for checks) read, so
//! neither has to import the other.

use std::ops::RangeInclusive;
use std::time::Duration;

/// Where records go when no `-o` is given: standard output.
pub(crate) const DEFAULT_OUTPUT: &str = "-";

/// Requests per second per host: one a second is what a person clicking fast does.
pub(crate) const DEFAULT_RATE: f64 = 1.0;
/// What `--rate`, `--archive-rate` and `--cdx-rate` accept besides 0 ("no
/// limit"): slower than one request in 1000 s (about 17 minutes) is a crawl that
/// looks hung, and faster than 1000/s is "no limit" in all but name.
pub(crate) const RATE_RANGE: RangeInclusive<f64> = 0.001..=1000.0;
pub(crate) const BURST_RANGE: RangeInclusive<u32> = 1..=100;
pub(crate) const CONCURRENCY_RANGE: RangeInclusive<usize> = 1..=256;
/// Extract threads: past a few per core they only cost memory.
pub(crate) const JOBS_RANGE: RangeInclusive<usize> = 1..=256;
/// Seconds: below 0.1 s nothing but loopback answers; past an hour, a response
/// is not coming.
pub(crate) const TIMEOUT_RANGE: RangeInclusive<f64> = 0.1..=3600.0;
pub(crate) const RETRIES_RANGE: RangeInclusive<u32> = 0..=10;
/// Bytes: 1 kB to 1 GB, which a body is held in memory as.
pub(crate) const MAX_BYTES_RANGE: RangeInclusive<u64> = 1_000..=1_000_000_000;
/// The least `--max-input-bytes` and `--max-warc-header-bytes`: a cap below a
/// kilobyte would skip nearly every page and cut nearly every WARC header
/// block, which is never what was meant (0 skipped every input).
pub(crate) const MIN_INPUT_BYTES: u64 = 1_000;
/// Seconds `--cdx-time-limit` accepts: past 30 days, discovery never ends.
pub(crate) const CDX_TIME_LIMIT_RANGE: RangeInclusive<u64> = 1..=2_592_000;
pub(crate) const DEFAULT_BURST: u32 = 1;
pub(crate) const DEFAULT_CONCURRENCY: usize = 4;
pub(crate) const DEFAULT_TIMEOUT_SECS: f64 = 30.0;
pub(crate) const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
pub(crate) const DEFAULT_RETRIES: u32 = 3;
pub(crate) const DEFAULT_BACKOFF_BASE: Duration = Duration::from_millis(500);
/// A `Retry-After` longer than this is cut short: past it, the run is better
/// stopped and resumed than left hanging.
pub(crate) const DEFAULT_MAX_RETRY_AFTER: Duration = Duration::from_secs(300);
/// The wait after a 429 that gives no `Retry-After`.
pub(crate) const DEFAULT_RETRY_AFTER_429: Duration = Duration::from_secs(60);
pub(crate) const DEFAULT_MAX_BYTES: u64 = 10_000_000;
pub(crate) const DEFAULT_MAX_REDIRECTS: usize = 10;
#[cfg(feature = "demo")]
pub(crate) const DEFAULT_DEMO_OUTPUT: &str = "harava-demo.jsonl";
/// The Internet Archive's staff have described about 60 requests a minute per
/// address as the point where 429s start (and, for clients that go on, an hour's
/// firewall block). Captures at 0.5/s and CDX queries at 0.4/s stay under that
/// even if both ran at once (54 a minute).
pub(crate) const DEFAULT_ARCHIVE_RATE: f64 = 0.5;
pub(crate) const DEFAULT_CDX_RATE: f64 = 0.4;
/// Index queries one CDX discovery may make: 10 million rows at 10,000 a page,
/// about 40 minutes at the default `--cdx-rate`.
pub(crate) const DEFAULT_CDX_MAX_QUERIES: u32 = 1000;
/// How long one CDX discovery may take before the crawl goes on with what it listed.
pub(crate) const DEFAULT_CDX_TIME_LIMIT_SECS: u64 = 3600;

/// The User-Agent unless `--user-agent` says otherwise: who we are and where to
/// complain, with a placeholder the user is asked to fill in.
pub(crate) fn default_user_agent() -> String {
    format!(
        "harava/{} (+https://github.com/harava/harava; meeting-record harvester; contact: set --user-agent)",
        env!("CARGO_PKG_VERSION")
    )
}
