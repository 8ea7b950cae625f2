//! CCI, bit-identical to TA-Lib 0.8.1 `TA_CCI`. Read off the shipped library: it zeroes the
//! value when `|tp - mean| <= 1e-14 * |mean|` or the mean deviation is within the same band
//! (older sources: `TA_IS_ZERO`, a fixed 1e-8 band).

use crate::indicators::blocks::{Ring, SCALED_EPSILON, check_period, one, typical_price};
use crate::indicators::{Candle, Indicator, NONE, Outputs};
use serde::{Deserialize, Serialize};

/// Commodity channel index: `[CCI_{length}_{c}]` (pandas-ta's name and defaults 14, 0.015).
///
/// TA-Lib `TA_CCI` (whose constant is 0.015; another `c` only rescales the value):
/// `(tp - mean) / ((meandev / n) * c)` with `tp = (high + low + close) / 3`, the mean and
/// the mean absolute deviation summed over the window in TA-Lib's circular-buffer order
/// (typical price `i` in slot `i % n`, slots summed 0..n), so the sums round exactly as
/// TA-Lib's do. Inherently O(length) per candle: the mean deviation depends on the
/// current mean, so it cannot be updated incrementally (two tight passes over `n` f64).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cci {
    length: usize,
    c: f64,
    count: usize,
    /// The last `length` typical prices.
    ring: Ring,
}

impl Cci {
    pub fn new(length: usize, c: f64) -> Self {
        check_period("CCI length", length, 2);
        assert!(c.is_finite() && c > 0.0, "CCI c must be > 0");
        Self {
            length,
            c,
            count: 0,
            ring: Ring::new(length),
        }
    }
}

impl Indicator for Cci {
    /// The candle's typical price.
    type Next = f64;

    fn step(&self, c: &Candle) -> (Outputs, f64) {
        let n = self.length;
        let tp = typical_price(c);
        if self.count + 1 < n {
            return (NONE, tp);
        }
        let own = self.count % n;
        let at = |j: usize| if j == own { tp } else { self.ring.slot(j) };
        let mut mean = 0.0;
        for j in 0..n {
            mean += at(j);
        }
        mean /= n as f64;
        let mut dev = 0.0;
        for j in 0..n {
            dev += (at(j) - mean).abs();
        }
        let diff = tp - mean;
        // TA-Lib's own comparisons (not `near_zero`'s negation, which differs for NaN).
        let scale = mean.abs() * SCALED_EPSILON;
        let mut value = 0.0;
        if scale < diff.abs() {
            let dev = dev / n as f64;
            if scale < dev.abs() {
                let denom = dev * self.c;
                if denom != 0.0 {
                    value = diff / denom;
                }
            }
        }
        (one(value), tp)
    }

    fn advance(&mut self, _: &Candle, tp: f64) {
        self.ring.set(self.count, tp);
        self.count += 1;
    }

    /// TA-Lib's lookback: `length - 1`.
    fn lookback(&self) -> usize {
        self.length - 1
    }
}
