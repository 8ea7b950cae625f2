//! TA-Lib 0.8.1's rolling variance (`TA_VAR`, and BBANDS' deviation with an SMA middle band).
//!
//! 0.8.1 no longer computes it as `E[x^2] - mean^2` over raw prices (issues #118, #243 of
//! TA-Lib/ta-lib): it keeps the sums of `x - K` and `(x - K)^2` around a shift `K` that starts
//! as the first value and is re-anchored on the window mean (a fresh two-pass over the window,
//! O(n)) when cancellation threatens (`variance < 1e-6 * sum((x-K)^2)/n`), when the value
//! leaving the window dominates (`(x_out-K)^2 > 1e6 * sum`), or every `32 * n` bars. After a
//! re-anchor a variance below `1e-12 * sum((x-K)^2)/n` is flushed to 0. `/n` is `* (1/n)`.
//! Checked bit-for-bit against the shipped library.

use super::Ring;
use serde::{Deserialize, Serialize};

/// TA-Lib 0.8.1's rolling variance of the last `length` closes, shared by BBANDS and STDDEV
/// (`TA_VAR`'s recurrences, described in the module doc).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct RollingVariance {
    length: usize,
    /// `1 / length`, as TA-Lib hoists it.
    inv: f64,
    count: usize,
    /// Variance shift `K` and the shifted sums `sum(x-K)`, `sum((x-K)^2)` (`varTotal1/2`).
    shift: f64,
    sum1: f64,
    sum2: f64,
    /// Bars left before the periodic re-anchor (`_barsSinceReseed`).
    until_reseed: i64,
    /// The last `length` closes.
    ring: Ring,
}

/// The scalar state [`RollingVariance::step`] moves to.
#[derive(Clone, Copy, Debug)]
pub struct VarianceNext {
    shift: f64,
    sum1: f64,
    sum2: f64,
    until_reseed: i64,
}

impl RollingVariance {
    pub(crate) fn new(length: usize) -> Self {
        RollingVariance {
            length,
            inv: 1.0 / length as f64,
            count: 0,
            shift: 0.0,
            sum1: 0.0,
            sum2: 0.0,
            until_reseed: 0,
            ring: Ring::new(length),
        }
    }

    /// The close at window position `k` (0 = oldest) of the window ending with `x`, the
    /// close at index `self.count`. Valid once `self.count >= length - 1`.
    fn window_at(&self, k: usize, x: f64) -> f64 {
        let n = self.length;
        if k == n - 1 {
            x
        } else {
            self.ring.get(self.count + 1 + k - n)
        }
    }

    /// The close leaving the window once `x` is in it.
    pub(crate) fn trailing(&self, x: f64) -> f64 {
        self.window_at(0, x)
    }

    /// The variance of the window ending with `x` (`None` while it is not full) and the state
    /// to [`commit`](Self::commit) if `x` closes.
    pub(crate) fn step(&self, x: f64) -> (Option<f64>, VarianceNext) {
        let n = self.length;
        let inv = self.inv;
        let mut next = VarianceNext {
            shift: if self.count == 0 { x } else { self.shift },
            sum1: self.sum1,
            sum2: self.sum2,
            until_reseed: self.until_reseed,
        };
        let mut d = x - next.shift;
        next.sum1 += d;
        d *= d;
        next.sum2 += d;
        if self.count < n - 1 {
            return (None, next);
        }
        if self.count == n - 1 {
            next.until_reseed = 32 * n as i64;
        }
        let mean1 = next.sum1 * inv;
        let mut variance = next.sum2 * inv - mean1 * mean1;

        // Drop the close leaving the window (index count - (n - 1)).
        let trailing = self.trailing(x);
        let mut d = trailing - next.shift;
        next.sum1 -= d;
        d *= d;
        next.sum2 -= d;

        next.until_reseed -= 1;
        if variance < 1e-6 * (next.sum2 * inv) || d > 1e6 * next.sum2 || next.until_reseed <= 0 {
            // Re-anchor the shift on the window mean: a fresh two-pass over the window.
            next.until_reseed = 32 * n as i64;
            let mut sum = 0.0;
            for k in 0..n {
                sum += self.window_at(k, x);
            }
            next.shift = sum * inv;
            next.sum1 = 0.0;
            next.sum2 = 0.0;
            for k in 0..n {
                let mut d = self.window_at(k, x) - next.shift;
                next.sum1 += d;
                d *= d;
                next.sum2 += d;
            }
            let mean1 = next.sum1 * inv;
            variance = next.sum2 * inv - mean1 * mean1;
            if variance < 1e-12 * (next.sum2 * inv) {
                variance = 0.0;
            }
            let mut d = trailing - next.shift;
            next.sum1 -= d;
            d *= d;
            next.sum2 -= d;
        }
        (Some(variance), next)
    }

    pub(crate) fn commit(&mut self, x: f64, next: VarianceNext) {
        self.shift = next.shift;
        self.sum1 = next.sum1;
        self.sum2 = next.sum2;
        self.until_reseed = next.until_reseed;
        self.ring.set(self.count, x);
        self.count += 1;
    }
}
