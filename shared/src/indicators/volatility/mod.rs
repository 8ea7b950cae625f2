//! The volatility family: ATR, NATR, STDDEV, TRANGE, bit-identical to TA-Lib 0.8.1 `TA_ATR`,
//! `TA_NATR`, `TA_STDDEV` (nbdev 1) and `TA_TRANGE`.
//!
//! Read from the shipped library (the `ta-lib==0.8.2` wheel bundles TA-Lib C 0.8.1), which
//! differs from the older C sources:
//! - ATR/NATR are dispatched to a fused multiply-add build on CPUs that have it. The Wilder
//!   step is no longer `(prev * (n-1) + tr) / n` but [`wilder::atr`]; the seed is the
//!   in-order mean of the first `n` true ranges (bars 1..=n).
//! - STDDEV takes TA-Lib's new variance (the one BBANDS uses, [`RollingVariance`]) and `sqrt`
//!   of it with no zero test.
//! - NATR divides by the close with an exact zero test (`close != 0`, else 0).
//!
//! The averages of the high-low range ADR, CVI and MASSI are in [`range`], RVI in [`rvi`].

mod range;
mod rvi;

pub use range::{Adr, Cvi, Massi};
pub use rvi::Rvi;

use super::blocks::{RollingVariance, VarianceNext, check_period, one, true_range, wilder};
use super::{Candle, Indicator, NONE, Outputs};
use serde::{Deserialize, Serialize};

/// True range: `[TRUERANGE_1]` (TA-Lib `TRANGE`; pandas-ta `true_range`, drift 1, with
/// TA-Lib). `max(high - low, |prev_close - high|, |prev_close - low|)`, from the second bar.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Trange {
    count: usize,
    prev_close: f64,
}

impl Trange {
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        Self {
            count: 0,
            prev_close: 0.0,
        }
    }
}

impl Indicator for Trange {
    type Next = ();

    fn step(&self, c: &Candle) -> (Outputs, ()) {
        let mut out = NONE;
        if self.count > 0 {
            out[0] = true_range(c, self.prev_close);
        }
        (out, ())
    }

    fn advance(&mut self, c: &Candle, (): ()) {
        self.prev_close = c.close;
        self.count += 1;
    }

    /// TA-Lib's lookback: 1.
    fn lookback(&self) -> usize {
        1
    }
}

/// TA-Lib 0.8.1's ATR recursion, shared by [`Atr`], [`Natr`] and the supertrend.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct AtrCore {
    length: usize,
    /// `(n-1)/n` and `1 - (n-1)/n`.
    decay: f64,
    weight: f64,
    count: usize,
    prev_close: f64,
    /// While warming up: the in-order sum of the true ranges; then the ATR.
    value: f64,
}

impl AtrCore {
    pub(crate) fn new(length: usize) -> Self {
        check_period("ATR length", length, 2);
        let decay = (length - 1) as f64 / length as f64;
        Self {
            length,
            decay,
            weight: 1.0 - decay,
            count: 0,
            prev_close: 0.0,
            value: 0.0,
        }
    }

    /// TA-Lib's lookback (unstable period 0): `length`.
    pub(crate) fn lookback(&self) -> usize {
        self.length
    }

    /// The ATR for bar `c` at index `self.count` (NaN while warming up), and the new value.
    pub(crate) fn step(&self, c: &Candle) -> (f64, f64) {
        let (n, i) = (self.length, self.count);
        if i == 0 {
            return (f64::NAN, self.value);
        }
        let tr = true_range(c, self.prev_close);
        if i < n {
            return (f64::NAN, self.value + tr);
        }
        let atr = if i == n {
            (self.value + tr) / n as f64
        } else {
            wilder::atr(self.value, tr, self.decay, self.weight)
        };
        (atr, atr)
    }

    pub(crate) fn commit(&mut self, c: &Candle, value: f64) {
        self.value = value;
        self.prev_close = c.close;
        self.count += 1;
    }
}

/// Average true range: `[ATRr_n]` (TA-Lib `ATR`; pandas-ta `atr` with TA-Lib installed,
/// whose column name says `r` for its default `mamode="rma"`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Atr {
    core: AtrCore,
}

impl Atr {
    pub fn new(length: usize) -> Self {
        Self {
            core: AtrCore::new(length),
        }
    }
}

impl Indicator for Atr {
    /// The ATR core's new value.
    type Next = f64;

    fn step(&self, c: &Candle) -> (Outputs, f64) {
        let (atr, value) = self.core.step(c);
        (one(atr), value)
    }

    fn advance(&mut self, c: &Candle, value: f64) {
        self.core.commit(c, value);
    }

    /// TA-Lib's lookback (unstable period 0): `length`.
    fn lookback(&self) -> usize {
        self.core.lookback()
    }
}

/// Normalized average true range: `[NATR_n]` (TA-Lib `NATR`),
/// `(atr / close) * 100`, 0 when the close is exactly 0.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Natr {
    core: AtrCore,
}

impl Natr {
    pub fn new(length: usize) -> Self {
        Self {
            core: AtrCore::new(length),
        }
    }
}

impl Indicator for Natr {
    /// The ATR core's new value.
    type Next = f64;

    fn step(&self, c: &Candle) -> (Outputs, f64) {
        let (atr, value) = self.core.step(c);
        let mut out = NONE;
        if !atr.is_nan() {
            out[0] = if c.close != 0.0 {
                (atr / c.close) * 100.0
            } else {
                0.0
            };
        }
        (out, value)
    }

    fn advance(&mut self, c: &Candle, value: f64) {
        self.core.commit(c, value);
    }

    /// TA-Lib's lookback (unstable period 0): `length`.
    fn lookback(&self) -> usize {
        self.core.lookback()
    }
}

/// Population standard deviation of the close: `[STDEV_n]` (TA-Lib `STDDEV` with nbdev 1;
/// pandas-ta `stdev` with TA-Lib installed, which passes only the length, so ddof is 0).
///
/// TA-Lib 0.8.1's `TA_VAR` ([`RollingVariance`], the same recurrences as BBANDS'
/// deviation), output `sqrt(variance)`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Stddev {
    length: usize,
    var: RollingVariance,
}

impl Stddev {
    pub fn new(length: usize) -> Self {
        check_period("STDDEV length", length, 2);
        Self {
            length,
            var: RollingVariance::new(length),
        }
    }
}

impl Indicator for Stddev {
    type Next = VarianceNext;

    fn step(&self, c: &Candle) -> (Outputs, VarianceNext) {
        let (variance, next) = self.var.step(c.close);
        (variance.map_or(NONE, |v| one(v.sqrt())), next)
    }

    fn advance(&mut self, c: &Candle, next: VarianceNext) {
        self.var.commit(c.close, next);
    }

    /// TA-Lib's lookback: `length - 1`.
    fn lookback(&self) -> usize {
        self.length - 1
    }
}

// Catalogue rows of the TA-Lib volatility functions beyond the first catalogue (the first ones are in `crate::catalogue`'s own table).
super::registry::row_group! { $ volatility_rows:
    Adr { name: "ADR", family: volatility, params: [len("timeperiod", 14.0, 1.0)], talib: "ADR",
        new: |p| Adr::new(p.int(0)) },
    Cvi { name: "CVI", family: volatility,
        params: [len("timeperiod", 10.0, 2.0), len("rocperiod", 10.0, 1.0)],
        talib: "CVI",
        new: |p| Cvi::new(p.int(0), p.int(1)) },
    // fastperiod up to 250: the warm-up 2 (fast - 1) + slow - 1 fits in 1,000 candles.
    Massi { name: "MASSI", family: volatility,
        params: [int("fastperiod", 9.0, 2.0, 250.0), len("slowperiod", 25.0, 2.0)],
        talib: "MASSI",
        new: |p| Massi::new(p.int(0), p.int(1)) },
    Rvi { name: "RVI", family: volatility,
        params: [len("timeperiod", 14.0, 1.0), len("stddevperiod", 10.0, 2.0)],
        talib: "RVI",
        new: |p| Rvi::new(p.int(0), p.int(1)) },
}
