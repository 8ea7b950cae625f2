//! Ranges and dispersion: ATR, NATR, STDDEV, TRANGE, bit-identical to TA-Lib 0.8.1 `TA_ATR`,
//! `TA_NATR`, `TA_STDDEV` (nbdev 1) and `TA_TRANGE`.
//!
//! Read from the shipped library (the `ta-lib==0.8.2` wheel bundles TA-Lib C 0.8.1), which
//! differs from the older C sources:
//! - ATR/NATR are dispatched to a fused multiply-add build on CPUs that have it. The Wilder
//!   step is no longer `(prev * (n-1) + tr) / n` but, with `decay = (n-1)/n` and
//!   `w = 1 - decay` computed once, `atr = fma(prev, decay, tr * w)`; the seed is the
//!   in-order mean of the first `n` true ranges (bars 1..=n).
//! - STDDEV takes TA-Lib's new variance (the one BBANDS uses, see `volatility.rs`): sums of
//!   `(x - K)` and `(x - K)^2` around a shift `K` that is re-anchored on the window mean
//!   when cancellation threatens, and `sqrt` of it with no zero test.
//! - NATR divides by the close with an exact zero test (`close != 0`, else 0).

use super::volatility::RollingVariance;
use super::{Candle, NONE, Outputs};
use serde::{Deserialize, Serialize};

/// TA-Lib's true range of a bar given the previous close.
fn true_range(c: &Candle, prev_close: f64) -> f64 {
    let range = c.high - c.low;
    let up = (prev_close - c.high).abs();
    let down = (prev_close - c.low).abs();
    range.max(up).max(down)
}

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

    /// TA-Lib's lookback: 1.
    pub fn lookback(&self) -> usize {
        1
    }

    pub fn update(&mut self, c: &Candle) -> Outputs {
        let out = self.peek(c);
        self.prev_close = c.close;
        self.count += 1;
        out
    }

    pub fn peek(&self, c: &Candle) -> Outputs {
        let mut out = NONE;
        if self.count > 0 {
            out[0] = true_range(c, self.prev_close);
        }
        out
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
        assert!(
            (2..=100_000).contains(&length),
            "ATR length must be in [2, 100000]"
        );
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
            self.value.mul_add(self.decay, tr * self.weight)
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

    /// TA-Lib's lookback (unstable period 0): `length`.
    pub fn lookback(&self) -> usize {
        self.core.lookback()
    }

    pub fn update(&mut self, c: &Candle) -> Outputs {
        let (atr, value) = self.core.step(c);
        self.core.commit(c, value);
        let mut out = NONE;
        out[0] = atr;
        out
    }

    pub fn peek(&self, c: &Candle) -> Outputs {
        let mut out = NONE;
        out[0] = self.core.step(c).0;
        out
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

    /// TA-Lib's lookback (unstable period 0): `length`.
    pub fn lookback(&self) -> usize {
        self.core.lookback()
    }

    pub fn update(&mut self, c: &Candle) -> Outputs {
        let (atr, value) = self.core.step(c);
        self.core.commit(c, value);
        Self::normalize(atr, c.close)
    }

    pub fn peek(&self, c: &Candle) -> Outputs {
        Self::normalize(self.core.step(c).0, c.close)
    }

    fn normalize(atr: f64, close: f64) -> Outputs {
        let mut out = NONE;
        if !atr.is_nan() {
            out[0] = if close != 0.0 {
                (atr / close) * 100.0
            } else {
                0.0
            };
        }
        out
    }
}

/// Population standard deviation of the close: `[STDEV_n]` (TA-Lib `STDDEV` with nbdev 1;
/// pandas-ta `stdev` with TA-Lib installed, which passes only the length, so ddof is 0).
///
/// TA-Lib 0.8.1's `TA_VAR` (the same recurrences as BBANDS' deviation): sums of `x - K` and
/// `(x - K)^2` with `K` = the first close; per bar `variance = s2/n - (s1/n)^2` (`/n` as
/// `* (1/n)`), then the leaving close is removed, and the shift is re-anchored on the
/// window mean (a fresh two-pass over the window, O(n)) when
/// `variance < 1e-6 * s2/n`, `(x_out - K)^2 > 1e6 * s2`, or every `32 n` bars; after a
/// re-anchor a variance below `1e-12 * s2/n` is flushed to 0. Output `sqrt(variance)`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Stddev {
    length: usize,
    var: RollingVariance,
}

impl Stddev {
    pub fn new(length: usize) -> Self {
        assert!(
            (2..=100_000).contains(&length),
            "STDDEV length must be in [2, 100000]"
        );
        Self {
            length,
            var: RollingVariance::new(length),
        }
    }

    /// TA-Lib's lookback: `length - 1`.
    pub fn lookback(&self) -> usize {
        self.length - 1
    }

    pub fn update(&mut self, c: &Candle) -> Outputs {
        let (variance, next) = self.var.step(c.close);
        self.var.commit(c.close, next);
        Self::output(variance)
    }

    pub fn peek(&self, c: &Candle) -> Outputs {
        Self::output(self.var.step(c.close).0)
    }

    fn output(variance: Option<f64>) -> Outputs {
        let mut out = NONE;
        if let Some(v) = variance {
            out[0] = v.sqrt();
        }
        out
    }
}
