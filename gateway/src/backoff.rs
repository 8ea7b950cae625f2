//! Random delays: reconnect backoff and jitter, so that processes that lost Redis together (or
//! clients told to reconnect together) do not all come back at the same instant.

use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Uniform in [0, 1), from the OS randomness behind UUIDs (no extra crate for a jitter).
pub(crate) fn random_fraction() -> f64 {
    // The low 53 bits of a v4 UUID are all random (version and variant bits sit higher).
    (uuid::Uuid::new_v4().as_u128() & ((1 << 53) - 1)) as f64 / (1u64 << 53) as f64
}

/// Reconnect delays: doubling from 100 ms to 2 s, each jittered to half to one and a half times,
/// so that gateways that lost Redis together do not all come back at the same instant.
pub(crate) struct Backoff(Duration);

impl Backoff {
    const FIRST: Duration = Duration::from_millis(100);

    pub(crate) fn new() -> Self {
        Backoff(Self::FIRST)
    }

    pub(crate) fn reset(&mut self) {
        self.0 = Self::FIRST;
    }

    /// Sleeps the next delay; false when shut down meanwhile.
    pub(crate) async fn wait(&mut self, shutdown: &CancellationToken) -> bool {
        let delay = self.0.mul_f64(0.5 + random_fraction());
        self.0 = (self.0 * 2).min(Duration::from_secs(2));
        tokio::select! {
            _ = shutdown.cancelled() => false,
            _ = tokio::time::sleep(delay) => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Shows reconnect delays double up to 2 s, jittered within half to one and a half times.
    #[tokio::test(start_paused = true)]
    async fn backoff_doubles_with_jitter() {
        let mut b = Backoff::new();
        let stop = CancellationToken::new();
        let mut waited = Vec::new();
        for _ in 0..7 {
            let t0 = tokio::time::Instant::now();
            assert!(b.wait(&stop).await);
            waited.push(t0.elapsed());
        }
        let nominal = [100, 200, 400, 800, 1600, 2000, 2000];
        for (w, n) in waited.iter().zip(nominal) {
            let n = Duration::from_millis(n);
            assert!(*w >= n / 2 && *w <= n * 3 / 2, "{w:?} for {n:?}");
        }
        stop.cancel();
        assert!(!b.wait(&stop).await);
    }
}
