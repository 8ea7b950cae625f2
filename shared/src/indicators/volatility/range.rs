//! Averages of the high-low range: ADR, CVI and MASSI, bit-identical to TA-Lib 0.8.1
//! `TA_ADR`, `TA_CVI` and `TA_MASSI` (all on high and low).
//!
//! Read from the shipped library, which differs from the published C sources: the EMAs of
//! CVI and MASSI are `TA_EMA`'s, [`ema`] = `fma(x - prev, k, prev)` with `k = 2 / (n + 1)`,
//! not the sources' `fma(beta, prev, (1 - beta) * x)` (that form differs in the last bits
//! from the first value on).

use crate::indicators::blocks::{Ring, RollingSma, check_period, ema, one};
use crate::indicators::{Candle, Indicator, NONE, Outputs};
use serde::{Deserialize, Serialize};

/// Average day range: `[ADR_n]` (TA-Lib `ADR`, inputs high and low): TA-Lib's SMA
/// ([`RollingSma`]: one running total, divided by `n`) of `high - low`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Adr {
    sma: RollingSma,
}

impl Adr {
    pub fn new(length: usize) -> Self {
        check_period("ADR timeperiod", length, 1);
        Self {
            sma: RollingSma::new(length),
        }
    }
}

impl Indicator for Adr {
    /// The SMA's new running total.
    type Next = f64;

    fn step(&self, c: &Candle) -> (Outputs, f64) {
        let (adr, total) = self.sma.step(c.high - c.low);
        (one(adr), total)
    }

    fn advance(&mut self, c: &Candle, total: f64) {
        self.sma.commit(c.high - c.low, total);
    }

    /// TA-Lib's lookback: `timeperiod - 1`.
    fn lookback(&self) -> usize {
        self.sma.length() - 1
    }
}

/// Chaikin's volatility: `[CVI_n_roc]` (TA-Lib `CVI`, inputs high and low): the rate of
/// change, in percent, over `rocperiod` candles of the EMA(`timeperiod`) of `high - low`:
/// `100 * ((ema - ema[roc]) / ema[roc])`, 0 when `ema[roc]` is exactly 0.
///
/// The EMA is seeded with the in-order mean of the first `n` ranges, then runs as [`ema`]
/// (`TA_EMA` composed with `TA_ROCP` times 100).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cvi {
    length: usize,
    roc: usize,
    /// `2 / (timeperiod + 1)`.
    k: f64,
    count: usize,
    /// While warming up: the in-order sum of the ranges; then the EMA.
    value: f64,
    /// The last `roc` EMA values, by EMA index (0 = the seed).
    emas: Ring,
}

impl Cvi {
    pub fn new(length: usize, roc: usize) -> Self {
        check_period("CVI timeperiod", length, 2);
        check_period("CVI rocperiod", roc, 1);
        Self {
            length,
            roc,
            k: 2.0 / (length + 1) as f64,
            count: 0,
            value: 0.0,
            emas: Ring::new(roc),
        }
    }
}

impl Indicator for Cvi {
    /// The new sum or EMA.
    type Next = f64;

    fn step(&self, c: &Candle) -> (Outputs, f64) {
        let (n, i) = (self.length, self.count);
        let range = c.high - c.low;
        if i + 1 < n {
            return (NONE, self.value + range);
        }
        let ema = if i + 1 == n {
            (self.value + range) / n as f64
        } else {
            ema(self.value, range, self.k)
        };
        // This EMA's index: i - (n - 1); the lagged one is `roc` before it.
        let j = i + 1 - n;
        if j < self.roc {
            return (NONE, ema);
        }
        let lagged = self.emas.get(j - self.roc);
        let cvi = if lagged != 0.0 {
            100.0 * ((ema - lagged) / lagged)
        } else {
            0.0
        };
        (one(cvi), ema)
    }

    fn advance(&mut self, _: &Candle, value: f64) {
        if self.count + 1 >= self.length {
            self.emas.set(self.count + 1 - self.length, value);
        }
        self.value = value;
        self.count += 1;
    }

    /// TA-Lib's lookback (EMA unstable period 0): `timeperiod - 1 + rocperiod`.
    fn lookback(&self) -> usize {
        self.length - 1 + self.roc
    }
}

/// Mass index: `[MASSI_fast_slow]` (TA-Lib `MASSI`, inputs high and low): the sum over the
/// last `slowperiod` candles of `ema1 / ema2`, where `ema1` is the EMA(`fastperiod`) of
/// `high - low` and `ema2` the same EMA of `ema1`; a ratio with `ema2 == 0` counts as 1.
///
/// Each EMA is `TA_EMA`'s: seeded with the in-order mean of its first `fastperiod` inputs,
/// then [`ema`]; the window sum is TA-Lib's running total (add the ratio, output,
/// subtract the oldest), never re-summed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Massi {
    fast: usize,
    slow: usize,
    /// `2 / (fastperiod + 1)`.
    k: f64,
    count: usize,
    /// While warming up: the in-order sums of each EMA's inputs; then the EMAs.
    ema1: f64,
    ema2: f64,
    /// The running total of the ratios in the window (less the oldest once it is full).
    total: f64,
    /// The last `slow` ratios, by ratio index.
    ratios: Ring,
}

/// The state [`Massi`]'s step moves to.
#[derive(Debug)]
pub struct MassiNext {
    ema1: f64,
    ema2: f64,
    total: f64,
    ratio: f64,
}

impl Massi {
    pub fn new(fast: usize, slow: usize) -> Self {
        check_period("MASSI fastperiod", fast, 2);
        check_period("MASSI slowperiod", slow, 2);
        Self {
            fast,
            slow,
            k: 2.0 / (fast + 1) as f64,
            count: 0,
            ema1: 0.0,
            ema2: 0.0,
            total: 0.0,
            ratios: Ring::new(slow),
        }
    }
}

impl Indicator for Massi {
    type Next = MassiNext;

    fn step(&self, c: &Candle) -> (Outputs, MassiNext) {
        let (n, i) = (self.fast, self.count);
        let hl = c.high - c.low;
        // ema1 (or its seed sum) after this candle.
        let ema1 = if i + 1 < n {
            self.ema1 + hl
        } else if i + 1 == n {
            (self.ema1 + hl) / n as f64
        } else {
            ema(self.ema1, hl, self.k)
        };
        let mut next = MassiNext {
            ema1,
            ema2: self.ema2,
            total: self.total,
            ratio: 0.0,
        };
        if i + 1 < n {
            return (NONE, next);
        }
        // ema2's input index: i - (n - 1).
        let i2 = i + 1 - n;
        next.ema2 = if i2 + 1 < n {
            self.ema2 + ema1
        } else if i2 + 1 == n {
            (self.ema2 + ema1) / n as f64
        } else {
            ema(self.ema2, ema1, self.k)
        };
        if i2 + 1 < n {
            return (NONE, next);
        }
        next.ratio = if next.ema2 == 0.0 {
            1.0
        } else {
            ema1 / next.ema2
        };
        // The ratio's index: i - 2 (n - 1).
        let r = i2 + 1 - n;
        let total = self.total + next.ratio;
        if r + 1 < self.slow {
            next.total = total;
            return (NONE, next);
        }
        next.total = total - self.ratios.get(r + 1 - self.slow);
        (one(total), next)
    }

    fn advance(&mut self, _: &Candle, next: MassiNext) {
        let first_ratio = 2 * (self.fast - 1);
        if self.count >= first_ratio {
            self.ratios.set(self.count - first_ratio, next.ratio);
        }
        self.ema1 = next.ema1;
        self.ema2 = next.ema2;
        self.total = next.total;
        self.count += 1;
    }

    /// TA-Lib's lookback (EMA unstable period 0): `2 (fastperiod - 1) + slowperiod - 1`.
    fn lookback(&self) -> usize {
        2 * (self.fast - 1) + self.slow - 1
    }
}
