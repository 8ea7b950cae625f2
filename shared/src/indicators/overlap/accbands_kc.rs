//! Channels around a moving average: ACCBANDS and KC (bit-identical to TA-Lib 0.8.1
//! `TA_ACCBANDS`, `TA_KC`).

use crate::indicators::blocks::{
    RollingSma, check_period, ema, near_zero, true_range, typical_price,
};
use crate::indicators::volatility::AtrCore;
use crate::indicators::{Candle, Indicator, NONE, Outputs};
use serde::{Deserialize, Serialize};

/// Acceleration bands: `[ACCBANDSupperband, ACCBANDSmiddleband, ACCBANDSlowerband]`
/// (TA-Lib `ACCBANDS`, on high, low and close).
///
/// Per bar `r = 4 (high - low) / (high + low)`, raw bands `high * (1 + r)` and
/// `low * (1 - r)` (the high and low themselves where `high + low` is zero by TA-Lib's
/// scaled test, scale `|high| + |low|`); each band is a `TA_SMA` of its raw band, the middle
/// one the `TA_SMA` of the close, all from bar 0 ([`RollingSma`]). Lookback `n - 1`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Accbands {
    upper: RollingSma,
    middle: RollingSma,
    lower: RollingSma,
}

impl Accbands {
    pub fn new(timeperiod: usize) -> Self {
        check_period("ACCBANDS timeperiod", timeperiod, 2);
        Self {
            upper: RollingSma::new(timeperiod),
            middle: RollingSma::new(timeperiod),
            lower: RollingSma::new(timeperiod),
        }
    }

    /// The raw upper and lower bands of one bar.
    fn raw(c: &Candle) -> (f64, f64) {
        let sum = c.high + c.low;
        if near_zero(sum, c.high.abs() + c.low.abs()) {
            return (c.high, c.low);
        }
        let r = 4.0 * (c.high - c.low) / sum;
        (c.high * (1.0 + r), c.low * (1.0 - r))
    }
}

impl Indicator for Accbands {
    /// The three running totals.
    type Next = [f64; 3];

    fn step(&self, c: &Candle) -> (Outputs, [f64; 3]) {
        let (hi, lo) = Self::raw(c);
        let (upper, upper_total) = self.upper.step(hi);
        let (middle, middle_total) = self.middle.step(c.close);
        let (lower, lower_total) = self.lower.step(lo);
        let mut out = NONE;
        out[..3].copy_from_slice(&[upper, middle, lower]);
        (out, [upper_total, middle_total, lower_total])
    }

    fn advance(&mut self, c: &Candle, [upper, middle, lower]: [f64; 3]) {
        let (hi, lo) = Self::raw(c);
        self.upper.commit(hi, upper);
        self.middle.commit(c.close, middle);
        self.lower.commit(lo, lower);
    }

    /// TA-Lib's lookback (SMA's): `timeperiod - 1`.
    fn lookback(&self) -> usize {
        self.middle.length() - 1
    }
}

/// KC's average true range: TA-Lib's `TA_ATR`, which at period 1 is the true range.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
enum KcAtr {
    Wilder(AtrCore),
    /// Period 1: the previous close (`NaN` before the first bar).
    Range(f64),
}

/// Keltner channels: `[KCupperband, KCmiddleband, KClowerband]` (TA-Lib `KC`, on high, low
/// and close; `timeperiod`, `atrperiod`, `nbdev`).
///
/// `middle = EMA(typical price, timeperiod)` (`TA_EMA`'s fused step over
/// `(high + low + close) / 3`), `atr = ATR(atrperiod)` ([`AtrCore`]), and
/// `middle +/- atr * nbdev`. As TA-Lib, both legs are entered at KC's lookback
/// `L = max(timeperiod - 1, atrperiod)`: the EMA is seeded over bars
/// `L - (timeperiod - 1) ..= L` and the ATR's first bar is `L - atrperiod`, so the shorter
/// leg starts later than it would on its own.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Kc {
    length: usize,
    /// `2 / (timeperiod + 1)`.
    k: f64,
    nbdev: f64,
    count: usize,
    /// While seeding: the in-order sum of the typical prices; then the last EMA.
    middle: f64,
    atr: KcAtr,
    atr_length: usize,
}

/// The state [`Kc`]'s step moves to.
#[derive(Debug)]
pub struct KcNext {
    middle: f64,
    /// The ATR core's new value, when it took this bar.
    atr: Option<f64>,
}

impl Kc {
    pub fn new(timeperiod: usize, atrperiod: usize, nbdev: f64) -> Self {
        check_period("KC timeperiod", timeperiod, 2);
        check_period("KC atrperiod", atrperiod, 1);
        assert!(nbdev.is_finite(), "KC nbdev must be finite");
        let atr = if atrperiod == 1 {
            KcAtr::Range(f64::NAN)
        } else {
            KcAtr::Wilder(AtrCore::new(atrperiod))
        };
        Self {
            length: timeperiod,
            k: 2.0 / (timeperiod + 1) as f64,
            nbdev,
            count: 0,
            middle: 0.0,
            atr,
            atr_length: atrperiod,
        }
    }

    /// The bar the ATR leg starts at.
    fn atr_start(&self) -> usize {
        self.lookback() - self.atr_length
    }

    /// The bar the EMA leg starts at.
    fn ema_start(&self) -> usize {
        self.lookback() + 1 - self.length
    }
}

impl Indicator for Kc {
    type Next = KcNext;

    fn step(&self, c: &Candle) -> (Outputs, KcNext) {
        let (i, lookback) = (self.count, self.lookback());
        let mut next = KcNext {
            middle: self.middle,
            atr: None,
        };
        let atr = match &self.atr {
            KcAtr::Wilder(core) if i >= self.atr_start() => {
                let (atr, value) = core.step(c);
                next.atr = Some(value);
                atr
            }
            KcAtr::Range(prev_close) if i >= lookback => true_range(c, *prev_close),
            _ => f64::NAN,
        };
        if i < self.ema_start() {
            return (NONE, next);
        }
        let tp = typical_price(c);
        if i < lookback {
            next.middle += tp;
            return (NONE, next);
        }
        next.middle = if i == lookback {
            (self.middle + tp) / self.length as f64
        } else {
            ema(self.middle, tp, self.k)
        };
        let width = atr * self.nbdev;
        let mut out = NONE;
        out[..3].copy_from_slice(&[next.middle + width, next.middle, next.middle - width]);
        (out, next)
    }

    fn advance(&mut self, c: &Candle, next: KcNext) {
        match &mut self.atr {
            KcAtr::Wilder(core) => {
                if let Some(value) = next.atr {
                    core.commit(c, value);
                }
            }
            KcAtr::Range(prev_close) => *prev_close = c.close,
        }
        self.middle = next.middle;
        self.count += 1;
    }

    /// TA-Lib's lookback (unstable periods 0): `max(timeperiod - 1, atrperiod)`.
    fn lookback(&self) -> usize {
        (self.length - 1).max(self.atr_length)
    }
}
