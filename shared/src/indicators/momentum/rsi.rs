//! RSI, bit-identical to TA-Lib 0.8.1 `TA_RSI`.
//!
//! Checked against the shipped library (the `ta-lib==0.8.2` wheel bundles TA-Lib C 0.8.1),
//! not only against the C sources on GitHub, which move fast: RSI divides by the period
//! through a hoisted reciprocal (`* (1/n)`, not `/ n`), sums gains and losses branch-free,
//! and its zero test is exact (`gain + loss > 0`), not the old `TA_IS_ZERO` band of 1e-8
//! (0.4.x) or 1e-14 (0.6.x).

use crate::indicators::blocks::{check_period, one, wilder};
use crate::indicators::{Candle, Indicator, NONE, Outputs};
use serde::{Deserialize, Serialize};

/// Wilder's relative strength index of the close: `[RSI_n]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Rsi {
    length: usize,
    /// `1 / length`, as TA-Lib hoists it.
    inv: f64,
    count: usize,
    prev_close: f64,
    /// Running (while warming up) then Wilder-smoothed average gain and loss.
    gain: f64,
    loss: f64,
}

impl Rsi {
    pub fn new(length: usize) -> Self {
        check_period("RSI length", length, 2);
        Self {
            length,
            inv: 1.0 / length as f64,
            count: 0,
            prev_close: 0.0,
            gain: 0.0,
            loss: 0.0,
        }
    }
}

impl Indicator for Rsi {
    /// The new `[gain, loss]`.
    type Next = [f64; 2];

    fn step(&self, c: &Candle) -> (Outputs, [f64; 2]) {
        let (n, x) = (self.length, c.close);
        if self.count == 0 {
            return (NONE, [self.gain, self.loss]);
        }
        let diff = x - self.prev_close;
        // The C code computes the positive part with a mask and the loss as `up - diff`
        // (so `-diff` for a fall, `+0.0` for a rise).
        let up = if 0.0 < diff { diff } else { 0.0 };
        let down = up - diff;
        if self.count < n {
            return (NONE, [self.gain + up, self.loss + down]);
        }
        let (gain, loss) = if self.count == n {
            ((self.gain + up) * self.inv, (self.loss + down) * self.inv)
        } else {
            let m = (n - 1) as f64;
            (
                wilder::rsi(self.gain, up, m, self.inv),
                wilder::rsi(self.loss, down, m, self.inv),
            )
        };
        let total = loss + gain;
        let rsi = if total > 0.0 {
            100.0 * (gain / total)
        } else {
            0.0
        };
        (one(rsi), [gain, loss])
    }

    fn advance(&mut self, c: &Candle, [gain, loss]: [f64; 2]) {
        self.gain = gain;
        self.loss = loss;
        self.prev_close = c.close;
        self.count += 1;
    }

    /// TA-Lib's lookback (unstable period 0): `length`.
    fn lookback(&self) -> usize {
        self.length
    }
}
