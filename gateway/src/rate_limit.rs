//! A token bucket over one connection's messages: `per_sec` on average, bursts of twice that.

use tokio::time::Instant;

#[derive(Debug)]
pub(crate) struct RateLimit {
    capacity: f64,
    per_sec: f64,
    tokens: f64,
    at: Instant,
}

impl RateLimit {
    pub(crate) fn new(per_sec: u32, now: Instant) -> Self {
        let capacity = f64::from(per_sec) * 2.0;
        RateLimit {
            capacity,
            per_sec: f64::from(per_sec),
            tokens: capacity,
            at: now,
        }
    }

    /// Takes a token if one is left at `now`.
    pub(crate) fn allow(&mut self, now: Instant) -> bool {
        self.tokens =
            (self.tokens + (now - self.at).as_secs_f64() * self.per_sec).min(self.capacity);
        self.at = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    // Shows the bucket allows a burst of twice the rate, then refills with time.
    #[test]
    fn burst_then_refill() {
        let t0 = Instant::now();
        let mut r = RateLimit::new(5, t0);
        assert_eq!((0..12).filter(|_| r.allow(t0)).count(), 10);
        assert!(r.allow(t0 + Duration::from_millis(200)));
        assert!(!r.allow(t0 + Duration::from_millis(200)));
    }
}
