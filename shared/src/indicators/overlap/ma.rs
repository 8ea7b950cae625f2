//! The exponential and simple moving averages: SMA, EMA, DEMA, TEMA (bit-identical to TA-Lib
//! 0.8.1 `TA_SMA`, `TA_EMA`, `TA_DEMA`, `TA_TEMA`) and RMA (`TA_RMA`, Wilder's smoothing).
//!
//! They replicate the C code's floating-point order exactly (the batch call over the whole
//! series, as `talib.SMA(close, n)` makes it):
//! - SMA keeps one running total for the whole series ([`RollingSma`]);
//! - the EMAs are seeded at index `n-1` with the in-order sum of the first `n` values divided
//!   by `n`, then advance with the fused [`ema`] step, `k = 2/(n+1)`. `TA_DEMA` and `TA_TEMA`
//!   are dispatched at load time to an FMA build on CPUs that have it (all x86-64 servers we
//!   run on); their combining step (`2 e1 - e2`, `3 e1 - 3 e2 + e3`) is not fused.

use crate::indicators::blocks::{RollingSma, check_period, ema, one};
use crate::indicators::{Candle, Indicator, NONE, Outputs};
use serde::{Deserialize, Serialize};

/// Simple moving average of the close: `[SMA_n]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
// Saved as the average's fields, as when they were this struct's own.
#[serde(transparent)]
pub struct Sma {
    avg: RollingSma,
}

impl Sma {
    pub fn new(length: usize) -> Self {
        check_period("SMA length", length, 2);
        Self {
            avg: RollingSma::new(length),
        }
    }
}

impl Indicator for Sma {
    /// The running total after the close.
    type Next = f64;

    fn step(&self, c: &Candle) -> (Outputs, f64) {
        let (value, total) = self.avg.step(c.close);
        (one(value), total)
    }

    fn advance(&mut self, c: &Candle, total: f64) {
        self.avg.commit(c.close, total);
    }

    /// TA-Lib's lookback: `length - 1`.
    fn lookback(&self) -> usize {
        self.avg.length() - 1
    }
}

/// Exponential moving average of the close: `[EMA_n]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Ema {
    length: usize,
    /// `2 / (length + 1)`.
    k: f64,
    count: usize,
    /// While warming up: the in-order sum of the closes so far; then the last EMA.
    value: f64,
}

impl Ema {
    pub fn new(length: usize) -> Self {
        check_period("EMA length", length, 2);
        Self {
            length,
            k: 2.0 / (length + 1) as f64,
            count: 0,
            value: 0.0,
        }
    }
}

impl Indicator for Ema {
    /// The new `value`.
    type Next = f64;

    fn step(&self, c: &Candle) -> (Outputs, f64) {
        let (n, x) = (self.length, c.close);
        if self.count < n - 1 {
            return (NONE, self.value + x);
        }
        let value = if self.count == n - 1 {
            (self.value + x) / n as f64
        } else {
            ema(self.value, x, self.k)
        };
        (one(value), value)
    }

    fn advance(&mut self, _: &Candle, value: f64) {
        self.value = value;
        self.count += 1;
    }

    /// TA-Lib's lookback: `length - 1`.
    fn lookback(&self) -> usize {
        self.length - 1
    }
}

/// Double exponential moving average of the close: `[DEMA_n]` (TA-Lib `DEMA`),
/// `2 * EMA1 - EMA2` with `EMA2 = EMA(EMA1)`.
///
/// As TA-Lib: EMA1 is seeded at bar `n-1` with the in-order mean of the first `n` closes;
/// EMA2 is seeded at bar `2(n-1)` with the in-order mean of the first `n` EMA1 values
/// (a sum started from `0.0`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Dema {
    length: usize,
    k: f64,
    count: usize,
    /// While seeding: the running sum of the closes; then EMA1.
    ema1: f64,
    /// While seeding: the running sum of the EMA1 values; then EMA2.
    ema2: f64,
}

impl Dema {
    pub fn new(length: usize) -> Self {
        check_period("DEMA length", length, 2);
        Self {
            length,
            k: 2.0 / (length + 1) as f64,
            count: 0,
            ema1: 0.0,
            ema2: 0.0,
        }
    }
}

impl Indicator for Dema {
    /// The new `[ema1, ema2]`.
    type Next = [f64; 2];

    fn step(&self, c: &Candle) -> (Outputs, [f64; 2]) {
        let (n, i, k, x) = (self.length, self.count, self.k, c.close);
        let nf = n as f64;
        if i < n - 1 {
            return (NONE, [self.ema1 + x, self.ema2]);
        }
        if i == n - 1 {
            let e1 = (self.ema1 + x) / nf;
            return (NONE, [e1, 0.0 + e1]);
        }
        let e1 = ema(self.ema1, x, k);
        let lookback = 2 * (n - 1);
        if i < lookback {
            return (NONE, [e1, self.ema2 + e1]);
        }
        let e2 = if i == lookback {
            (self.ema2 + e1) / nf
        } else {
            ema(self.ema2, e1, k)
        };
        (one(2.0 * e1 - e2), [e1, e2])
    }

    fn advance(&mut self, _: &Candle, next: [f64; 2]) {
        [self.ema1, self.ema2] = next;
        self.count += 1;
    }

    /// TA-Lib's lookback: `2 (length - 1)`.
    fn lookback(&self) -> usize {
        2 * (self.length - 1)
    }
}

/// Triple exponential moving average of the close: `[TEMA_n]` (TA-Lib `TEMA`),
/// `3 * EMA1 - 3 * EMA2 + EMA3`.
///
/// Seeding as [`Dema`], one level deeper: EMA3 is seeded at bar `3(n-1)` with the in-order
/// mean of the first `n` EMA2 values. The output is `(3 * e1 - 3 * e2) + e3`, unfused.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Tema {
    length: usize,
    k: f64,
    count: usize,
    /// Each: the running seed sum while seeding, then the EMA.
    ema1: f64,
    ema2: f64,
    ema3: f64,
}

impl Tema {
    pub fn new(length: usize) -> Self {
        check_period("TEMA length", length, 2);
        Self {
            length,
            k: 2.0 / (length + 1) as f64,
            count: 0,
            ema1: 0.0,
            ema2: 0.0,
            ema3: 0.0,
        }
    }
}

impl Indicator for Tema {
    /// The new `[ema1, ema2, ema3]`.
    type Next = [f64; 3];

    fn step(&self, c: &Candle) -> (Outputs, [f64; 3]) {
        let (n, i, k, x) = (self.length, self.count, self.k, c.close);
        let nf = n as f64;
        let (s1, s2, s3) = (self.ema1, self.ema2, self.ema3);
        let m = n - 1;
        if i < m {
            return (NONE, [s1 + x, s2, s3]);
        }
        if i == m {
            let e1 = (s1 + x) / nf;
            return (NONE, [e1, 0.0 + e1, s3]);
        }
        let e1 = ema(s1, x, k);
        if i < 2 * m {
            return (NONE, [e1, s2 + e1, s3]);
        }
        if i == 2 * m {
            let e2 = (s2 + e1) / nf;
            return (NONE, [e1, e2, 0.0 + e2]);
        }
        let e2 = ema(s2, e1, k);
        if i < 3 * m {
            return (NONE, [e1, e2, s3 + e2]);
        }
        let e3 = if i == 3 * m {
            (s3 + e2) / nf
        } else {
            ema(s3, e2, k)
        };
        (one(3.0 * e1 - 3.0 * e2 + e3), [e1, e2, e3])
    }

    fn advance(&mut self, _: &Candle, next: [f64; 3]) {
        [self.ema1, self.ema2, self.ema3] = next;
        self.count += 1;
    }

    /// TA-Lib's lookback: `3 (length - 1)`.
    fn lookback(&self) -> usize {
        3 * (self.length - 1)
    }
}

/// Wilder's moving average of the close: `[RMA_n]` (TA-Lib `RMA`, unstable period 0).
///
/// As TA-Lib 0.8.1: seeded at bar `n-1` with the in-order sum of the first `n` closes
/// (from `0.0`) divided by `n`, then `rma = fma(beta, rma, alpha * x)` with
/// `beta = (n-1)/n` and `alpha = 1 - beta` (alpha derived from beta, so they sum to exactly
/// 1; at `n = 1` they are `(0, 1)` and the RMA is the close). Lookback `n - 1`.
///
/// The seed sum has its own field: states saved under pandas-ta's RMA (five fields, no
/// warm-up) no longer decode, so a computer warms them up again instead of misreading them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Rma {
    length: usize,
    /// `(n-1)/n` and `1 - (n-1)/n`.
    beta: f64,
    alpha: f64,
    count: usize,
    /// The in-order sum of the closes while seeding.
    total: f64,
    /// The last RMA (from bar `n-1` on).
    value: f64,
}

impl Rma {
    pub fn new(length: usize) -> Self {
        check_period("RMA length", length, 1);
        let beta = (length - 1) as f64 / length as f64;
        Self {
            length,
            beta,
            alpha: 1.0 - beta,
            count: 0,
            total: 0.0,
            value: f64::NAN,
        }
    }
}

impl Indicator for Rma {
    /// The new `(total, value)`.
    type Next = (f64, f64);

    fn step(&self, c: &Candle) -> (Outputs, (f64, f64)) {
        let (n, x) = (self.length, c.close);
        if self.count < n - 1 {
            return (NONE, (self.total + x, self.value));
        }
        let value = if self.count == n - 1 {
            (self.total + x) / n as f64
        } else {
            self.beta.mul_add(self.value, self.alpha * x)
        };
        (one(value), (self.total, value))
    }

    fn advance(&mut self, _: &Candle, (total, value): (f64, f64)) {
        self.total = total;
        self.value = value;
        self.count += 1;
    }

    /// TA-Lib's lookback (unstable period 0): `length - 1`.
    fn lookback(&self) -> usize {
        self.length - 1
    }
}
