//! Chande's momentum oscillators: CMO (Wilder-smoothed, bit-identical to TA-Lib 0.8.1
//! `TA_CMO`) and CMOU (unsmoothed window sums, `TA_CMOU`).
//!
//! Checked against the shipped library: both zero tests are exact (`gain + loss != 0`), not
//! the `TA_IS_ZERO` band of the C sources (a window of denormal moves still gives +-100).

use crate::indicators::blocks::{Ring, check_period, one};
use crate::indicators::{Candle, Indicator, NONE, Outputs};
use serde::{Deserialize, Serialize};

/// Chande momentum oscillator of the close, `[CMO_n]`, TA-Lib `TA_CMO` (default 14):
/// gains and losses summed over the first `n` changes, divided by `n`, then smoothed
/// `(prev * (n - 1) + x) / n` (three operations, as in C);
/// `CMO = 100 * ((gain - loss) / (gain + loss))`, 0 when the sum is 0.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cmo {
    length: usize,
    count: usize,
    prev_close: f64,
    gain: f64,
    loss: f64,
}

impl Cmo {
    pub fn new(timeperiod: usize) -> Self {
        check_period("CMO timeperiod", timeperiod, 2);
        Self {
            length: timeperiod,
            count: 0,
            prev_close: 0.0,
            gain: 0.0,
            loss: 0.0,
        }
    }
}

/// `100 * ((up - down) / (up + down))`, 0 for a flat window.
fn cmo(up: f64, down: f64) -> f64 {
    let total = up + down;
    if total != 0.0 {
        100.0 * ((up - down) / total)
    } else {
        0.0
    }
}

impl Indicator for Cmo {
    /// The new `[gain, loss]`.
    type Next = [f64; 2];

    fn step(&self, c: &Candle) -> (Outputs, [f64; 2]) {
        let (n, t) = (self.length, self.count);
        let (mut gain, mut loss) = (self.gain, self.loss);
        if t == 0 {
            return (NONE, [gain, loss]);
        }
        let nf = n as f64;
        let diff = c.close - self.prev_close;
        if t > n {
            loss *= (n - 1) as f64;
            gain *= (n - 1) as f64;
        }
        if diff < 0.0 {
            loss -= diff;
        } else {
            gain += diff;
        }
        if t < n {
            return (NONE, [gain, loss]);
        }
        loss /= nf;
        gain /= nf;
        (one(cmo(gain, loss)), [gain, loss])
    }

    fn advance(&mut self, c: &Candle, [gain, loss]: [f64; 2]) {
        self.gain = gain;
        self.loss = loss;
        self.prev_close = c.close;
        self.count += 1;
    }

    /// TA-Lib's lookback (unstable period 0): `timeperiod`.
    fn lookback(&self) -> usize {
        self.length
    }
}

/// Unsmoothed Chande momentum oscillator of the close, `[CMOU_n]`, TA-Lib `TA_CMOU`
/// (default 14): the sums of the up and down moves of the last `n` changes, kept by
/// subtracting the change leaving the window and then adding the new one;
/// `CMOU = 100 * (up - down) / (up + down)` (scaled before dividing, unlike CMO), 0 when the
/// sum is 0.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cmou {
    length: usize,
    count: usize,
    up: f64,
    down: f64,
    /// The last `n + 1` closes.
    closes: Ring,
}

impl Cmou {
    pub fn new(timeperiod: usize) -> Self {
        check_period("CMOU timeperiod", timeperiod, 2);
        Self {
            length: timeperiod,
            count: 0,
            up: 0.0,
            down: 0.0,
            closes: Ring::new(timeperiod + 1),
        }
    }
}

/// Adds (or, `adding` false, removes) one change to the up/down sums, as TA-Lib does.
fn add_move(up: &mut f64, down: &mut f64, diff: f64, adding: bool) {
    if diff > 0.0 {
        if adding {
            *up += diff;
        } else {
            *up -= diff;
        }
    } else if diff < 0.0 {
        if adding {
            *down -= diff;
        } else {
            *down += diff;
        }
    }
}

impl Indicator for Cmou {
    /// The new `[up, down]`.
    type Next = [f64; 2];

    fn step(&self, c: &Candle) -> (Outputs, [f64; 2]) {
        let (n, t) = (self.length, self.count);
        let (mut up, mut down) = (self.up, self.down);
        if t == 0 {
            return (NONE, [up, down]);
        }
        if t > n {
            // The change leaving the window: close[t-n] - close[t-n-1].
            let old = self.closes.get(t - n) - self.closes.get(t - n - 1);
            add_move(&mut up, &mut down, old, false);
        }
        add_move(&mut up, &mut down, c.close - self.closes.get(t - 1), true);
        if t < n {
            return (NONE, [up, down]);
        }
        let total = up + down;
        let out = if total != 0.0 {
            100.0 * (up - down) / total
        } else {
            0.0
        };
        (one(out), [up, down])
    }

    fn advance(&mut self, c: &Candle, [up, down]: [f64; 2]) {
        self.up = up;
        self.down = down;
        self.closes.set(self.count, c.close);
        self.count += 1;
    }

    /// TA-Lib's lookback: `timeperiod`.
    fn lookback(&self) -> usize {
        self.length
    }
}
