//! Volatility: Bollinger Bands, bit-identical to TA-Lib 0.8.1 `TA_BBANDS` with an SMA middle
//! band and `nbdevup == nbdevdn`.
//!
//! TA-Lib 0.8.1 no longer computes the deviation as `E[x^2] - mean^2` over raw prices
//! (issues #118, #243 of TA-Lib/ta-lib). Its SMA fast path runs two recurrences in one pass:
//! - the middle band: the plain SMA running total (`total / n`, exactly `TA_SMA`);
//! - the variance over shifted data, `sum((x-K)^2)/n - (sum(x-K)/n)^2`, where the shift `K`
//!   starts as the first close and is re-anchored on the window mean (a fresh two-pass over
//!   the window, O(n)) when cancellation threatens (`variance < 1e-6 * sum((x-K)^2)/n`), when
//!   the value leaving the window dominates (`(x_out-K)^2 > 1e6 * sum`), or every `32 * n`
//!   bars. After a re-anchor a variance below `1e-12 * sum((x-K)^2)/n` is flushed to 0.
//!
//! Then `stddev = sqrt(variance)` (0 when the variance is exactly 0) and, for equal
//! deviations, `upper = middle + stddev * std`, `lower = middle - stddev * std` (no FMA).
//! This was checked bit-for-bit against the shipped library.

use super::{Candle, NONE, Outputs};
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
    /// The last `length` closes; close `i` lives at `i % length`.
    ring: Vec<f64>,
}

/// The scalar state [`RollingVariance::step`] moves to.
pub(crate) struct VarianceNext {
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
            ring: vec![0.0; length],
        }
    }

    /// The close at window position `k` (0 = oldest) of the window ending with `x`, the
    /// close at index `self.count`. Valid once `self.count >= length - 1`.
    fn window_at(&self, k: usize, x: f64) -> f64 {
        let n = self.length;
        if k == n - 1 {
            x
        } else {
            self.ring[(self.count + 1 + k) % n]
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
        self.ring[self.count % self.length] = x;
        self.count += 1;
    }
}

/// Bollinger Bands of the close: `[BBL, BBM, BBU, BBB, BBP]`.
///
/// `BBB = 100 * (upper - lower) / middle` and `BBP = (close - lower) / (upper - lower)`
/// (pandas-ta), NaN where a divisor is 0.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Bbands {
    length: usize,
    std: f64,
    /// SMA running total (`maTotal`).
    total: f64,
    var: RollingVariance,
}

impl Bbands {
    pub fn new(length: usize, std: f64) -> Self {
        assert!(
            (2..=100_000).contains(&length),
            "BBANDS length must be >= 2"
        );
        assert!(std.is_finite() && std > 0.0, "BBANDS std must be > 0");
        Self {
            length,
            std,
            total: 0.0,
            var: RollingVariance::new(length),
        }
    }

    /// TA-Lib's lookback: `length - 1`.
    pub fn lookback(&self) -> usize {
        self.length - 1
    }

    pub fn update(&mut self, c: &Candle) -> Outputs {
        let (out, total, next) = self.step(c.close);
        self.total = total;
        self.var.commit(c.close, next);
        out
    }

    pub fn peek(&self, c: &Candle) -> Outputs {
        self.step(c.close).0
    }

    fn step(&self, x: f64) -> (Outputs, f64, VarianceNext) {
        let mut total = self.total + x;
        let (variance, next) = self.var.step(x);
        let Some(variance) = variance else {
            return (NONE, total, next);
        };
        let middle = total / self.length as f64;
        total -= self.var.trailing(x);
        let stddev = if variance != 0.0 {
            variance.sqrt()
        } else {
            0.0
        };
        let dev = stddev * self.std;
        let upper = middle + dev;
        let lower = middle - dev;
        let range = upper - lower;
        let mut out = NONE;
        out[0] = lower;
        out[1] = middle;
        out[2] = upper;
        out[3] = if middle != 0.0 {
            100.0 * range / middle
        } else {
            f64::NAN
        };
        out[4] = if range != 0.0 {
            (x - lower) / range
        } else {
            f64::NAN
        };
        (out, total, next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A window of identical closes has zero width: bands = middle, BBB = 0, BBP = NaN (0/0).
    #[test]
    fn flat_window_has_zero_width_and_no_percent_b() {
        let mut bb = Bbands::new(3, 2.0);
        let mut out = NONE;
        for close in [101.25, 101.25, 101.25, 101.25] {
            out = bb.update(&Candle {
                time: 0,
                open: close,
                high: close,
                low: close,
                close,
                volume: 4.0,
            });
        }
        assert_eq!(out[0], out[1]);
        assert_eq!(out[2], out[1]);
        assert_eq!(out[3], 0.0);
        assert!(out[4].is_nan());
    }
}
