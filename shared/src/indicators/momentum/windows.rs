//! Window oscillators of TA-Lib 0.8's additions, each bit-identical to TA-Lib 0.8.1: DPO,
//! ER, QSTICK, IMI and VHF (`TA_DPO`, `TA_ER`, `TA_QSTICK`, `TA_IMI`, `TA_VHF`).

use crate::indicators::blocks::{Lagged, Ring, RollingSma, check_period, one};
use crate::indicators::{Candle, Indicator, NONE, Outputs};
use serde::{Deserialize, Serialize};

/// Detrended price oscillator, `[DPO_n]`, TA-Lib `TA_DPO` (close, default 20):
/// `close[n/2 + 1] - SMA(close, n)`, the SMA TA-Lib's running total (started at bar
/// `lookback - (n - 1)`, so bar 1 for `n = 2`); lookback `max(n - 1, n/2 + 1)`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Dpo {
    count: usize,
    sma: RollingSma,
    displaced: Lagged,
}

impl Dpo {
    pub fn new(timeperiod: usize) -> Self {
        check_period("DPO timeperiod", timeperiod, 2);
        Self {
            count: 0,
            sma: RollingSma::new(timeperiod),
            displaced: Lagged::new(timeperiod / 2 + 1),
        }
    }

    /// The first bar the SMA sums.
    fn start(&self) -> usize {
        self.lookback() + 1 - self.sma.length()
    }
}

impl Indicator for Dpo {
    /// The SMA's new running total (NaN before it starts).
    type Next = f64;

    fn step(&self, c: &Candle) -> (Outputs, f64) {
        if self.count < self.start() {
            return (NONE, f64::NAN);
        }
        let (sma, total) = self.sma.step(c.close);
        let out = match self.displaced.prev() {
            Some(x) if !sma.is_nan() => one(x - sma),
            _ => NONE,
        };
        (out, total)
    }

    fn advance(&mut self, c: &Candle, total: f64) {
        if self.count >= self.start() {
            self.sma.commit(c.close, total);
        }
        self.displaced.push(c.close);
        self.count += 1;
    }

    /// TA-Lib's lookback: `max(n - 1, n/2 + 1)`.
    fn lookback(&self) -> usize {
        (self.sma.length() - 1).max(self.displaced.length())
    }
}

/// Kaufman's efficiency ratio, `[ER_n]`, TA-Lib `TA_ER` (close, default 10):
/// `|close - close[n]| / sum of the last n |one-bar changes|`, the sum kept by subtracting
/// the change leaving the window, then adding the new one. As TA-Lib: 1 when the sum is
/// `<= 0` or `<= |net change|`; after `n` exactly-zero changes in a row
/// the sum is reset to 0 (purging its rounding residue).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Er {
    length: usize,
    count: usize,
    sum: f64,
    /// Exactly-zero one-bar changes in a row.
    null_run: usize,
    /// The last `n + 1` closes.
    closes: Ring,
}

impl Er {
    pub fn new(timeperiod: usize) -> Self {
        check_period("ER timeperiod", timeperiod, 2);
        Self {
            length: timeperiod,
            count: 0,
            sum: 0.0,
            null_run: 0,
            closes: Ring::new(timeperiod + 1),
        }
    }
}

impl Indicator for Er {
    /// The new sum and null run.
    type Next = (f64, usize);

    fn step(&self, c: &Candle) -> (Outputs, (f64, usize)) {
        let (n, t, x) = (self.length, self.count, c.close);
        let (mut sum, mut null_run) = (self.sum, self.null_run);
        if t == 0 {
            return (NONE, (sum, null_run));
        }
        let prev = self.closes.get(t - 1);
        if t <= n {
            // Priming, as TA-Lib: `prev - x` (the sign does not matter to `fabs`).
            let d = prev - x;
            sum += d.abs();
            null_run = if d == 0.0 { null_run + 1 } else { 0 };
            if t < n {
                return (NONE, (sum, null_run));
            }
        } else {
            let old = self.closes.get(t - n - 1) - self.closes.get(t - n);
            sum -= old.abs();
            let d = x - prev;
            sum += d.abs();
            null_run = if d == 0.0 { null_run + 1 } else { 0 };
            if null_run >= n {
                null_run = n;
                sum = 0.0;
            }
        }
        let net = x - self.closes.get(t - n);
        // The shipped library compares the sum with `|net|` (the C sources on GitHub with the
        // signed net change, which lets a falling window's ratio exceed 1 by a few ULP).
        let er = if sum <= 0.0 || sum <= net.abs() {
            1.0
        } else {
            (net / sum).abs()
        };
        (one(er), (sum, null_run))
    }

    fn advance(&mut self, c: &Candle, (sum, null_run): (f64, usize)) {
        self.sum = sum;
        self.null_run = null_run;
        self.closes.set(self.count, c.close);
        self.count += 1;
    }

    /// TA-Lib's lookback: `timeperiod`.
    fn lookback(&self) -> usize {
        self.length
    }
}

/// Chande's Qstick, `[QSTICK_n]`, TA-Lib `TA_QSTICK` (open, close, default 10): TA-Lib's
/// running-total SMA of `close - open`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Qstick {
    sma: RollingSma,
}

impl Qstick {
    pub fn new(timeperiod: usize) -> Self {
        check_period("QSTICK timeperiod", timeperiod, 1);
        Self {
            sma: RollingSma::new(timeperiod),
        }
    }
}

impl Indicator for Qstick {
    /// The new running total.
    type Next = f64;

    fn step(&self, c: &Candle) -> (Outputs, f64) {
        let (sma, total) = self.sma.step(c.close - c.open);
        (one(sma), total)
    }

    fn advance(&mut self, c: &Candle, total: f64) {
        self.sma.commit(c.close - c.open, total);
    }

    /// TA-Lib's lookback: `timeperiod - 1`.
    fn lookback(&self) -> usize {
        self.sma.length() - 1
    }
}

/// Chande's intraday momentum index, `[IMI_n]`, TA-Lib `TA_IMI` (open, close, default 14):
/// over the last `n` bars, `100 * (up / (up + down))` with `up` the sum of `close - open`
/// of the rising bars and `down` of `open - close` of the others, 50 when both are 0.
///
/// Not O(1): TA-Lib re-sums the window every bar (a running sum rounds differently), so
/// each update is O(n).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Imi {
    length: usize,
    count: usize,
    /// The last `n` bodies `close - open`.
    bodies: Ring,
}

impl Imi {
    pub fn new(timeperiod: usize) -> Self {
        check_period("IMI timeperiod", timeperiod, 2);
        Self {
            length: timeperiod,
            count: 0,
            bodies: Ring::new(timeperiod),
        }
    }
}

impl Indicator for Imi {
    type Next = ();

    fn step(&self, c: &Candle) -> (Outputs, ()) {
        let (n, t) = (self.length, self.count);
        if t + 1 < n {
            return (NONE, ());
        }
        let (mut up, mut down) = (0.0, 0.0);
        for i in t + 1 - n..=t {
            let body = if i == t {
                c.close - c.open
            } else {
                self.bodies.get(i)
            };
            // `close > open` is `close - open > 0`, and `open - close` is `-(close - open)`
            // exactly.
            if body > 0.0 {
                up += body;
            } else {
                down += -body;
            }
        }
        let total = up + down;
        let imi = if total != 0.0 {
            100.0 * (up / total)
        } else {
            50.0
        };
        (one(imi), ())
    }

    fn advance(&mut self, c: &Candle, (): ()) {
        self.bodies.set(self.count, c.close - c.open);
        self.count += 1;
    }

    /// TA-Lib's lookback: `timeperiod - 1`.
    fn lookback(&self) -> usize {
        self.length - 1
    }
}

/// Vertical horizontal filter, `[VHF_n]`, TA-Lib `TA_VHF` (close, default 28):
/// `(highest - lowest) / sum |one-bar changes|`, the extremes over the last `n` closes and
/// the `n` changes reaching one bar further back; 0 when the sum is 0.
///
/// Not O(1): TA-Lib re-sums the changes every bar, oldest first (a running sum rounds
/// differently), so each update is O(n).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Vhf {
    length: usize,
    count: usize,
    /// The last `n + 1` closes.
    closes: Ring,
}

impl Vhf {
    pub fn new(timeperiod: usize) -> Self {
        check_period("VHF timeperiod", timeperiod, 2);
        Self {
            length: timeperiod,
            count: 0,
            closes: Ring::new(timeperiod + 1),
        }
    }
}

impl Indicator for Vhf {
    type Next = ();

    fn step(&self, c: &Candle) -> (Outputs, ()) {
        let (n, t, x) = (self.length, self.count, c.close);
        if t < n {
            return (NONE, ());
        }
        let (mut highest, mut lowest) = (x, x);
        let mut sum = 0.0;
        let mut prev = self.closes.get(t - n);
        for i in t + 1 - n..=t {
            let v = if i == t { x } else { self.closes.get(i) };
            sum += (v - prev).abs();
            if v > highest {
                highest = v;
            }
            if v < lowest {
                lowest = v;
            }
            prev = v;
        }
        let vhf = if sum > 0.0 {
            (highest - lowest) / sum
        } else {
            0.0
        };
        (one(vhf), ())
    }

    fn advance(&mut self, c: &Candle, (): ()) {
        self.closes.set(self.count, c.close);
        self.count += 1;
    }

    /// TA-Lib's lookback: `timeperiod`.
    fn lookback(&self) -> usize {
        self.length
    }
}
