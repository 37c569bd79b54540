//! When to try a request again, and how long to wait first.
//!
//! Servers say "try later" with 408, 429 and 5xx gateway statuses, often with a
//! `Retry-After` of seconds or an HTTP date (RFC 9110 §10.2.3). We wait at least
//! that long, up to a cap so one server cannot park the crawl for a day, and
//! otherwise back off exponentially with jitter so that retries from several
//! workers do not arrive in lockstep.

use std::time::{Duration, SystemTime};

/// Statuses that mean "this may work later".
pub(super) fn is_retryable_status(status: u16) -> bool {
    matches!(status, 408 | 429 | 500 | 502 | 503 | 504)
}

/// The wait a `Retry-After` value asks for, measured from `now`.
pub(super) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // More seconds than a u64 holds is still "much later": the caller caps it.
        return Some(Duration::from_secs(value.parse().unwrap_or(u64::MAX)));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

/// Exponential backoff: `base` × 2^(attempt), capped, with ±25 % jitter.
pub(super) fn backoff(base: Duration, attempt: u32, cap: Duration) -> Duration {
    let exponential = base.saturating_mul(1u32 << attempt.min(16)).min(cap);
    let jitter = 0.75 + fastrand::f64() * 0.5;
    exponential.mul_f64(jitter)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retryable_statuses() {
        let retryable: Vec<u16> = (100..600).filter(|s| is_retryable_status(*s)).collect();
        assert_eq!(retryable, vec![408, 429, 500, 502, 503, 504]);
    }

    #[test]
    fn retry_after_values() {
        let now = httpdate::parse_http_date("Wed, 21 Oct 2015 07:28:00 GMT").unwrap();
        let cases = [
            ("2", Some(2)),
            (" 120 ", Some(120)),
            ("Wed, 21 Oct 2015 07:28:30 GMT", Some(30)),
            ("Wed, 21 Oct 2015 07:27:00 GMT", Some(0)),
            ("soon", None),
            ("-1", None),
            ("", None),
            ("99999999999999999999999", Some(u64::MAX)),
        ];
        for (input, expected) in cases {
            assert_eq!(
                parse_retry_after(input, now),
                expected.map(Duration::from_secs),
                "{input}"
            );
        }
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let base = Duration::from_millis(100);
        let cap = Duration::from_secs(2);
        for attempt in 0..8 {
            let expected = (base * (1 << attempt)).min(cap);
            let got = backoff(base, attempt, cap);
            assert!(
                got >= expected.mul_f64(0.75) && got <= expected.mul_f64(1.25),
                "{attempt}: {got:?}"
            );
        }
    }
}
