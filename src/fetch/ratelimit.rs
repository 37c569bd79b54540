//! The per-host request budget: a governor rate limiter shared by all workers,
//! a pause that a 429 imposes on every worker (not only the one that got it), and
//! a spacing that each 429 doubles for the rest of the run, since a server that
//! has said "too many" once will say it again at the same pace. Requests get
//! their turns in the order they asked: governor's waiters race for each slot,
//! which under a slow archive budget can leave one request behind for minutes.
//!
//! A budget exists before the host's robots.txt is read, so that the robots.txt
//! request is paced like any other; a `Crawl-delay` found in it then replaces the
//! limiter with a slower one without a burst, because the site asked for that much
//! time between any two requests.

use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use tokio::time::Instant;

/// The longest spacing repeated 429s can push a host to.
const MAX_SPACING: Duration = Duration::from_secs(60);

pub(super) struct HostLimiter {
    /// Held while waiting for the rate limiter; tokio's mutex is FIFO-fair.
    turn: tokio::sync::Mutex<()>,
    pace: Mutex<Pace>,
    state: Mutex<Throttle>,
}

/// How fast requests may go before any 429.
struct Pace {
    limiter: Option<Arc<DefaultDirectRateLimiter>>,
    /// The least time between requests once a burst is spent; `None`: unlimited.
    period: Option<Duration>,
    crawl_delay: Option<Duration>,
}

#[derive(Default)]
struct Throttle {
    paused_until: Option<Instant>,
    /// Extra spacing between requests, zero until the host answers 429.
    spacing: Duration,
    next_slot: Option<Instant>,
}

fn governor(period: Duration, burst: u32) -> Option<Arc<DefaultDirectRateLimiter>> {
    let burst = NonZeroU32::new(burst.max(1)).expect("at least 1");
    Quota::with_period(period).map(|quota| Arc::new(RateLimiter::direct(quota.allow_burst(burst))))
}

impl HostLimiter {
    /// `rate` requests per second (0: unlimited) in bursts of up to `burst`.
    pub(super) fn new(rate: f64, burst: u32) -> HostLimiter {
        // Out-of-range rates are refused on the command line; a library caller's
        // 1e-300 must still not panic, so it is read as "no limit".
        let period = (rate > 0.0)
            .then(|| Duration::try_from_secs_f64(1.0 / rate).ok())
            .flatten();
        HostLimiter {
            turn: tokio::sync::Mutex::new(()),
            pace: Mutex::new(Pace {
                limiter: period.and_then(|p| governor(p, burst)),
                period,
                crawl_delay: None,
            }),
            state: Mutex::new(Throttle::default()),
        }
    }

    /// Keeps at least `delay` between requests from now on, with no burst on top,
    /// unless the pace is slower already. The request that brought the delay (the
    /// robots.txt fetch) counts as the last one.
    pub(super) fn obey_crawl_delay(&self, delay: Duration) {
        let mut pace = self.pace.lock().expect("pace lock");
        if pace.crawl_delay.is_some_and(|d| d >= delay) {
            return;
        }
        let period = pace.period.map_or(delay, |p| p.max(delay));
        let limiter = governor(period, 1);
        if let Some(limiter) = &limiter {
            let _ = limiter.check();
        }
        *pace = Pace {
            limiter,
            period: Some(period),
            crawl_delay: Some(delay),
        };
    }

    /// Waits until this host may get another request.
    pub(super) async fn until_ready(&self) {
        loop {
            self.wait_out_pause().await;
            let limiter = self.pace.lock().expect("pace lock").limiter.clone();
            if let Some(limiter) = limiter {
                let _turn = self.turn.lock().await;
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

    /// After a 429: holds every request to this host back for `wait`, and halves
    /// the host's pace for the rest of the run.
    pub(super) fn slow_down(&self, wait: Duration) {
        let until = Instant::now() + wait;
        let mut state = self.state.lock().expect("throttle lock");
        if state.paused_until.is_none_or(|p| p < until) {
            state.paused_until = Some(until);
        }
        let base = self
            .pace
            .lock()
            .expect("pace lock")
            .period
            .unwrap_or(Duration::from_millis(500));
        state.spacing = (state.spacing * 2).max(base * 2).min(MAX_SPACING);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_429_pauses_then_spaces_requests_wider() {
        let limiter = HostLimiter::new(100.0, 1);
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
        let limiter = HostLimiter::new(100.0, 1);
        limiter.obey_crawl_delay(Duration::from_millis(300));
        let start = Instant::now();
        limiter.until_ready().await;
        limiter.until_ready().await;
        assert!(Instant::now() - start >= Duration::from_millis(300));
    }

    #[tokio::test]
    async fn a_burst_never_applies_on_top_of_a_crawl_delay() {
        let limiter = HostLimiter::new(100.0, 5);
        limiter.until_ready().await;
        limiter.obey_crawl_delay(Duration::from_millis(100));
        let start = Instant::now();
        for _ in 0..3 {
            limiter.until_ready().await;
        }
        assert!(
            Instant::now() - start >= Duration::from_millis(299),
            "three requests 100 ms apart, the first 100 ms after the robots.txt request"
        );
    }

    #[tokio::test]
    async fn rates_beyond_what_a_duration_holds_do_not_panic() {
        for rate in [1e-300, f64::MIN_POSITIVE, 1e300, f64::INFINITY] {
            let limiter = HostLimiter::new(rate, 1);
            limiter.obey_crawl_delay(Duration::from_millis(1));
            limiter.until_ready().await;
        }
    }

    #[tokio::test]
    async fn requests_get_their_turns_in_the_order_they_asked() {
        let limiter = std::sync::Arc::new(HostLimiter::new(50.0, 1));
        limiter.until_ready().await;
        let order = std::sync::Arc::new(Mutex::new(Vec::new()));
        let mut waiting = Vec::new();
        for n in 0..5 {
            let (limiter, order) = (limiter.clone(), order.clone());
            waiting.push(tokio::spawn(async move {
                limiter.until_ready().await;
                order.lock().unwrap().push(n);
            }));
            // Each asks a little later than the one before.
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        for task in waiting {
            task.await.unwrap();
        }
        assert_eq!(*order.lock().unwrap(), vec![0, 1, 2, 3, 4]);
    }
}
