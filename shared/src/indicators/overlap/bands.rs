//! Bands around the price, bit-identical to TA-Lib 0.8.1: BBANDS (`TA_BBANDS` with an SMA
//! middle band and `nbdevup == nbdevdn`), SUPERTREND (`TA_SUPERTREND`) and DONCHIAN
//! (`TA_DONCHIAN`), in pandas-ta's columns.

use crate::indicators::blocks::{Extreme, LegacyExtreme, RollingVariance, VarianceNext};
use crate::indicators::overlap::{MaNext, MaType};
use crate::indicators::volatility::AtrCore;
use crate::indicators::{Candle, Indicator, NONE, Outputs};
use serde::{Deserialize, Serialize};

/// Bollinger Bands of the close: `[BBL, BBM, BBU, BBB, BBP]`.
///
/// TA-Lib 0.8.1's SMA fast path runs two recurrences in one pass: the middle band, the plain
/// SMA running total (`total / n`, exactly `TA_SMA`), and the shifted-data variance of
/// [`RollingVariance`]. Then `stddev = sqrt(variance)` (0 when the variance is exactly 0)
/// and, for equal deviations, `upper = middle + stddev * std`, `lower = middle - stddev * std`
/// (no FMA). `BBB = 100 * (upper - lower) / middle` and
/// `BBP = (close - lower) / (upper - lower)` (pandas-ta), NaN where a divisor is 0.
///
/// With another `matype` ([`BbandsExt`]) the middle band is that `TA_MA` and the deviation
/// TA-Lib's `TA_STDDEV` started so that its first value is at the MA's lookback when that is
/// the larger (the variance is fed from `lookback - (length - 1)` on). With `nbdevdn != std`
/// the shipped library fuses the upper band, `upper = fma(stddev, std, middle)`, and keeps
/// `lower = middle - stddev * nbdevdn`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Bbands {
    length: usize,
    std: f64,
    /// SMA running total (`maTotal`).
    total: f64,
    var: RollingVariance,
    /// TA-Lib's `nbdevdn` and `matype` when not `std` and SMA; absent from the saved form
    /// when `None`, so the states saved before it existed restore unchanged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ext: Option<BbandsExt>,
}

/// BBANDS' TA-Lib `nbdevdn` and non-SMA `matype` (see [`Bbands`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(super) struct BbandsExt {
    nbdevdn: f64,
    /// The middle band when the matype is not SMA.
    ma: Option<MaType>,
    /// Closes seen (the variance starts at `lookback - (length - 1)`).
    count: usize,
}

/// The state change of one close of [`Bbands`].
#[derive(Debug)]
pub struct BbandsNext {
    total: f64,
    var: Option<VarianceNext>,
    ma: Option<MaNext>,
}

impl Bbands {
    pub fn new(length: usize, std: f64) -> Self {
        crate::indicators::blocks::check_period("BBANDS length", length, 2);
        assert!(std.is_finite() && std > 0.0, "BBANDS std must be > 0");
        Self {
            length,
            std,
            total: 0.0,
            var: RollingVariance::new(length),
            ext: None,
        }
    }

    /// TA-Lib's `nbdevdn` and `matype` (`std` and 0, SMA, are [`Bbands::new`]).
    pub fn with_talib(mut self, nbdevdn: f64, matype: usize) -> Self {
        if nbdevdn != self.std || matype != 0 {
            self.ext = Some(BbandsExt {
                nbdevdn,
                ma: (matype != 0).then(|| MaType::new(self.length, matype)),
                count: 0,
            });
        }
        self
    }

    /// Where the variance starts: `lookback - (length - 1)`.
    fn var_start(&self) -> usize {
        self.lookback() + 1 - self.length
    }
}

impl Indicator for Bbands {
    type Next = BbandsNext;

    fn step(&self, c: &Candle) -> (Outputs, BbandsNext) {
        let x = c.close;
        let mut total = self.total + x;
        let ext = self.ext.as_ref();
        let t = ext.map_or(0, |e| e.count);
        let (variance, var_next) = if t >= self.var_start() {
            let (v, n) = self.var.step(x);
            (v, Some(n))
        } else {
            (None, None)
        };
        let (middle, ma_next) = match ext.and_then(|e| e.ma.as_ref()) {
            Some(ma) => {
                let (m, n) = ma.step(x);
                (m, Some(n))
            }
            None => (f64::NAN, None),
        };
        let has_ma = ma_next.is_some();
        let next = |total| BbandsNext {
            total,
            var: var_next,
            ma: ma_next,
        };
        let Some(variance) = variance else {
            return (NONE, next(total));
        };
        let middle = if has_ma {
            middle
        } else {
            let m = total / self.length as f64;
            total -= self.var.trailing(x);
            m
        };
        if middle.is_nan() {
            return (NONE, next(total));
        }
        let stddev = if variance != 0.0 {
            variance.sqrt()
        } else {
            0.0
        };
        let nbdevdn = ext.map_or(self.std, |e| e.nbdevdn);
        let (upper, lower) = if nbdevdn == self.std {
            let dev = stddev * self.std;
            (middle + dev, middle - dev)
        } else {
            (stddev.mul_add(self.std, middle), middle - stddev * nbdevdn)
        };
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
        (out, next(total))
    }

    fn advance(&mut self, c: &Candle, next: BbandsNext) {
        self.total = next.total;
        if let Some(n) = next.var {
            self.var.commit(c.close, n);
        }
        if let Some(ext) = &mut self.ext {
            if let (Some(ma), Some(n)) = (&mut ext.ma, next.ma) {
                ma.advance(c.close, n);
            }
            ext.count += 1;
        }
    }

    /// TA-Lib's lookback: `length - 1`, or the MA's when larger.
    fn lookback(&self) -> usize {
        let ma = self.ext.as_ref().and_then(|e| e.ma.as_ref());
        (self.length - 1).max(ma.map_or(0, MaType::lookback))
    }
}

/// Supertrend: `[SUPERT, SUPERTd, SUPERTl, SUPERTs]` with suffix `_length_multiplier`
/// (TA-Lib `SUPERTREND`, `timeperiod = length`; pandas-ta's columns).
///
/// `SUPERT` is TA-Lib's `supertrend` and `SUPERTd` its `trend` (`1` up, `-1` down);
/// `SUPERTl` is `SUPERT` where the trend is up (else null) and `SUPERTs` where it is down.
/// During the warm-up every column is null (TA-Lib's integer `trend` has no NaN; Python
/// shows 0 there, where C writes nothing).
///
/// As TA-Lib 0.8.1: the ATR inline, bit-identical to `TA_ATR(length)` ([`AtrCore`], first
/// value at bar `length`); `mid = (high + low) / 2`, `band = multiplier * atr`, basic bands
/// `mid +/- band`. At the first bar both final bands take their basic value and the trend
/// is up. Then each final band ratchets toward the price: the upper takes the basic one if
/// that is lower or the previous close was above the previous final upper band, the lower
/// takes it if higher or the previous close was below the previous final lower band. An
/// uptrend turns down when the close is below the final lower band, a downtrend up when it
/// is above the final upper band; `SUPERT` is the final band on the trend's side.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Supertrend {
    multiplier: f64,
    atr: AtrCore,
    /// The previous bar's final bands (`NaN` until the first value) and trend.
    lower: f64,
    upper: f64,
    up: bool,
    /// The previous bar's close, once there is a value.
    prev_close: f64,
}

/// The state [`Supertrend`]'s step moves to.
#[derive(Debug)]
pub struct SupertrendNext {
    atr: f64,
    lower: f64,
    upper: f64,
    up: bool,
}

impl Supertrend {
    pub fn new(length: usize, multiplier: f64) -> Self {
        assert!(
            multiplier.is_finite() && multiplier > 0.0,
            "SUPERTREND multiplier must be > 0"
        );
        Self {
            multiplier,
            atr: AtrCore::new(length),
            lower: f64::NAN,
            upper: f64::NAN,
            up: true,
            prev_close: f64::NAN,
        }
    }
}

impl Indicator for Supertrend {
    type Next = SupertrendNext;

    fn step(&self, c: &Candle) -> (Outputs, SupertrendNext) {
        let (atr, atr_state) = self.atr.step(c);
        let mut next = SupertrendNext {
            atr: atr_state,
            lower: self.lower,
            upper: self.upper,
            up: self.up,
        };
        if atr.is_nan() {
            return (NONE, next);
        }
        let mid = (c.high + c.low) / 2.0;
        let band = self.multiplier * atr;
        let (basic_upper, basic_lower) = (mid + band, mid - band);
        if self.upper.is_nan() {
            // The first value: nothing to ratchet against, the trend starts up.
            next.upper = basic_upper;
            next.lower = basic_lower;
            next.up = true;
        } else {
            if basic_upper < self.upper || self.prev_close > self.upper {
                next.upper = basic_upper;
            }
            if basic_lower > self.lower || self.prev_close < self.lower {
                next.lower = basic_lower;
            }
            next.up = if self.up {
                c.close >= next.lower || next.lower.is_nan()
            } else {
                c.close > next.upper
            };
        }
        let mut out = NONE;
        if next.up {
            out[0] = next.lower;
            out[1] = 1.0;
            out[2] = next.lower;
        } else {
            out[0] = next.upper;
            out[1] = -1.0;
            out[3] = next.upper;
        }
        (out, next)
    }

    fn advance(&mut self, c: &Candle, next: SupertrendNext) {
        self.atr.commit(c, next.atr);
        if !next.upper.is_nan() {
            self.prev_close = c.close;
        }
        self.lower = next.lower;
        self.upper = next.upper;
        self.up = next.up;
    }

    /// TA-Lib's lookback (the ATR's, unstable period 0): `length`.
    fn lookback(&self) -> usize {
        self.atr.lookback()
    }
}

/// Donchian channels: `[DCL, DCM, DCU]` with suffix `_lower_length_upper_length` (TA-Lib
/// `DONCHIAN`; pandas-ta's params and columns).
///
/// `DCL` is TA-Lib `DONCHIAN(timeperiod = lower_length)`'s `lowerband` (the lowest low of
/// the last `lower_length` bars), `DCU` is `DONCHIAN(timeperiod = upper_length)`'s
/// `upperband` (the highest high of the last `upper_length` bars), and
/// `DCM = (DCU + DCL) / 2`, which is TA-Lib's `middleband` when the two lengths are equal.
/// Each band starts when its own window is full (at `length - 1`, TA-Lib's lookback);
/// `lookback()` is when all three are there, `max(lower_length, upper_length) - 1`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(from = "DonchianSaved", into = "DonchianSaved")]
pub struct Donchian {
    count: usize,
    lower: Extreme,
    upper: Extreme,
}

/// DONCHIAN's saved form: each deque with its own count (see [`LegacyExtreme`]).
#[derive(Clone, Debug, Serialize, Deserialize)]
struct DonchianSaved {
    lower: LegacyExtreme,
    upper: LegacyExtreme,
}

impl From<Donchian> for DonchianSaved {
    fn from(d: Donchian) -> Self {
        Self {
            lower: LegacyExtreme::new(d.lower, d.count),
            upper: LegacyExtreme::new(d.upper, d.count),
        }
    }
}

impl From<DonchianSaved> for Donchian {
    fn from(saved: DonchianSaved) -> Self {
        // Both deques have seen every candle: their counts are equal.
        let (lower, count) = saved.lower.into_parts();
        let (upper, _) = saved.upper.into_parts();
        Self {
            count,
            lower,
            upper,
        }
    }
}

impl Donchian {
    pub fn new(lower_length: usize, upper_length: usize) -> Self {
        crate::indicators::blocks::check_period("DONCHIAN lower_length", lower_length, 2);
        crate::indicators::blocks::check_period("DONCHIAN upper_length", upper_length, 2);
        Self {
            count: 0,
            lower: Extreme::new(lower_length, false),
            upper: Extreme::new(upper_length, true),
        }
    }

    /// The extreme of `e`'s window ending with `x` now, NaN until that window is full.
    fn channel(&self, e: &Extreme, x: f64) -> f64 {
        if self.count + 1 < e.window() {
            return f64::NAN;
        }
        e.peek(self.count, x).1
    }
}

impl Indicator for Donchian {
    type Next = ();

    fn step(&self, c: &Candle) -> (Outputs, ()) {
        let low = self.channel(&self.lower, c.low);
        let high = self.channel(&self.upper, c.high);
        let mut out = NONE;
        out[0] = low;
        out[1] = (high + low) / 2.0;
        out[2] = high;
        (out, ())
    }

    fn advance(&mut self, c: &Candle, (): ()) {
        self.lower.push(self.count, c.low);
        self.upper.push(self.count, c.high);
        self.count += 1;
    }

    /// `max(lower_length, upper_length) - 1`.
    fn lookback(&self) -> usize {
        self.lower.window().max(self.upper.window()) - 1
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
            out = bb.update(&crate::indicators::flat_candle(close));
        }
        assert_eq!(out[0], out[1]);
        assert_eq!(out[2], out[1]);
        assert_eq!(out[3], 0.0);
        assert!(out[4].is_nan());
    }
}
