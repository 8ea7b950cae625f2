//! Token buckets over client messages: `per_sec` on average, bursts of twice that; one per
//! connection, and one per user shared by the user's connections on this gateway.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError, Weak};
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

    /// Whether the bucket is full again at `now` (it remembers nothing then).
    pub(crate) fn refilled(&self, now: Instant) -> bool {
        self.tokens + (now - self.at).as_secs_f64() * self.per_sec >= self.capacity
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

/// The per-user buckets: a user's live connections share one; it goes with the last of them.
#[derive(Debug, Default)]
pub(crate) struct UserLimits {
    buckets: Mutex<HashMap<String, Weak<Mutex<RateLimit>>>>,
}

/// A user's shared bucket, held by each of the user's sessions.
pub(crate) type UserBucket = Arc<Mutex<RateLimit>>;

impl UserLimits {
    /// The bucket of `user` (a new one if none of its connections holds one); `None` when
    /// `per_sec` is 0 (no per-user limit).
    pub(crate) fn bucket(&self, user: &str, per_sec: u32, now: Instant) -> Option<UserBucket> {
        if per_sec == 0 {
            return None;
        }
        let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(bucket) = buckets.get(user).and_then(Weak::upgrade) {
            return Some(bucket);
        }
        // Forget the users whose connections are all gone, so the map follows the live ones.
        buckets.retain(|_, b| b.strong_count() > 0);
        let bucket = Arc::new(Mutex::new(RateLimit::new(per_sec, now)));
        buckets.insert(user.to_owned(), Arc::downgrade(&bucket));
        Some(bucket)
    }
}

/// Takes a token from the user's bucket, if there is one.
pub(crate) fn allow_user(bucket: Option<&UserBucket>, now: Instant) -> bool {
    bucket.is_none_or(|b| b.lock().unwrap_or_else(PoisonError::into_inner).allow(now))
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

    // Shows a user's connections share one bucket, other users have their own, and a bucket
    // goes with the user's last connection.
    #[test]
    fn user_buckets_are_shared_and_forgotten() {
        let t0 = Instant::now();
        let limits = UserLimits::default();
        let a1 = limits.bucket("a", 5, t0);
        let a2 = limits.bucket("a", 5, t0);
        let b = limits.bucket("b", 5, t0);
        let taken = (0..12)
            .filter(|i| allow_user(if i % 2 == 0 { a1.as_ref() } else { a2.as_ref() }, t0))
            .count();
        assert_eq!(taken, 10, "one burst for both of a's connections");
        assert!(allow_user(b.as_ref(), t0));
        drop((a1, a2));
        let _c = limits.bucket("c", 5, t0);
        assert!(!limits.buckets.lock().unwrap().contains_key("a"));
        assert!(limits.bucket("a", 0, t0).is_none());
    }
}
