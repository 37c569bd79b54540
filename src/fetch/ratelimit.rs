//! The per-host request budget: a governor rate limiter shared by all workers,
//! a pause that a 429 imposes on every worker (not only the one that got it), and
//! a spacing that each 429 doubles for the rest of the run, since a server that
//! has said "too many" once will say it again at the same pace.

use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::Duration;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use tokio::time::Instant;

/// The longest spacing repeated 429s can push a host to.
const MAX_SPACING: Duration = Duration::from_secs(60);

pub struct HostLimiter {
    limiter: Option<DefaultDirectRateLimiter>,
    period: Option<Duration>,
    state: Mutex<Throttle>,
}

#[derive(Default)]
struct Throttle {
    paused_until: Option<Instant>,
    /// Extra spacing between requests, zero until the host answers 429.
    spacing: Duration,
    next_slot: Option<Instant>,
}

impl HostLimiter {
    /// `rate` requests per second (0: unlimited), or one per `crawl_delay` when
    /// that is slower.
    pub fn new(rate: f64, burst: u32, crawl_delay: Option<Duration>) -> HostLimiter {
        let mut period = (rate > 0.0).then(|| Duration::from_secs_f64(1.0 / rate));
        if let Some(delay) = crawl_delay {
            period = Some(period.map_or(delay, |p| p.max(delay)));
        }
        let limiter = period.and_then(Quota::with_period).map(|quota| {
            RateLimiter::direct(
                quota.allow_burst(NonZeroU32::new(burst.max(1)).expect("at least 1")),
            )
        });
        HostLimiter {
            limiter,
            period,
            state: Mutex::new(Throttle::default()),
        }
    }

    /// Waits until this host may get another request.
    pub async fn until_ready(&self) {
        loop {
            self.wait_out_pause().await;
            if let Some(limiter) = &self.limiter {
                limiter.until_ready().await;
            }
            let slot = {
                let mut state = self.state.lock().expect("throttle lock");
                if state.spacing.is_zero() {
                    None
                } else {
                    let now = Instant::now();
                    let slot = state.next_slot.map_or(now, |next| next.max(now));
                    state.next_slot = Some(slot + state.spacing);
                    Some(slot)
                }
            };
            if let Some(slot) = slot {
                tokio::time::sleep_until(slot).await;
            }
            // A 429 may have come in while this request waited its turn; it must
            // not go out inside the pause the server asked for.
            if !self.paused() {
                return;
            }
        }
    }

    fn paused(&self) -> bool {
        let state = self.state.lock().expect("throttle lock");
        state
            .paused_until
            .is_some_and(|until| until > Instant::now())
    }

    async fn wait_out_pause(&self) {
        loop {
            let pause = self.state.lock().expect("throttle lock").paused_until;
            match pause {
                Some(until) if until > Instant::now() => tokio::time::sleep_until(until).await,
                _ => return,
            }
        }
    }

    /// Spends one request of the budget without waiting, for a request that was
    /// made before the limiter existed.
    pub fn count_one(&self) {
        if let Some(limiter) = &self.limiter {
            let _ = limiter.check();
        }
    }

    /// After a 429: holds every request to this host back for `wait`, and halves
    /// the host's pace for the rest of the run.
    pub fn slow_down(&self, wait: Duration) {
        let until = Instant::now() + wait;
        let mut state = self.state.lock().expect("throttle lock");
        if state.paused_until.is_none_or(|p| p < until) {
            state.paused_until = Some(until);
        }
        let base = self.period.unwrap_or(Duration::from_millis(500));
        state.spacing = (state.spacing * 2).max(base * 2).min(MAX_SPACING);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_429_pauses_then_spaces_requests_wider() {
        let limiter = HostLimiter::new(100.0, 1, None);
        let start = Instant::now();
        limiter.until_ready().await;
        limiter.slow_down(Duration::from_millis(200));
        let mut times = Vec::new();
        for _ in 0..3 {
            limiter.until_ready().await;
            times.push(Instant::now() - start);
        }
        // Slots are 20 ms apart (twice the 10 ms period), counted from the first,
        // so a late wake-up shortens one gap but not the span; the timer wheel may
        // wake up to a millisecond early.
        assert!(times[0] >= Duration::from_millis(199), "{times:?}");
        assert!(
            times[2] - times[0] >= Duration::from_millis(39),
            "{times:?}"
        );
        limiter.slow_down(Duration::ZERO);
        let before = Instant::now();
        for _ in 0..3 {
            limiter.until_ready().await;
        }
        assert!(
            Instant::now() - before >= Duration::from_millis(79),
            "a second 429 doubles the spacing to 40 ms"
        );
    }

    #[tokio::test]
    async fn crawl_delay_wins_over_a_faster_rate() {
        let limiter = HostLimiter::new(100.0, 1, Some(Duration::from_millis(300)));
        let start = Instant::now();
        limiter.until_ready().await;
        limiter.until_ready().await;
        assert!(Instant::now() - start >= Duration::from_millis(300));
    }
}
