//! The per-host request budget: a governor rate limiter shared by all workers,
//! plus a pause that a 429 imposes on every worker, not only the one that got it.

use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::Duration;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use tokio::time::Instant;

pub struct HostLimiter {
    limiter: Option<DefaultDirectRateLimiter>,
    paused_until: Mutex<Option<Instant>>,
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
            paused_until: Mutex::new(None),
        }
    }

    /// Waits until this host may get another request.
    pub async fn until_ready(&self) {
        loop {
            let pause = *self.paused_until.lock().expect("pause lock");
            match pause {
                Some(until) if until > Instant::now() => tokio::time::sleep_until(until).await,
                _ => break,
            }
        }
        if let Some(limiter) = &self.limiter {
            limiter.until_ready().await;
        }
    }

    /// Spends one request of the budget without waiting, for a request that was
    /// made before the limiter existed.
    pub fn count_one(&self) {
        if let Some(limiter) = &self.limiter {
            let _ = limiter.check();
        }
    }

    /// Holds every request to this host back for `wait`.
    pub fn slow_down(&self, wait: Duration) {
        let until = Instant::now() + wait;
        let mut pause = self.paused_until.lock().expect("pause lock");
        if pause.is_none_or(|p| p < until) {
            *pause = Some(until);
        }
    }
}
