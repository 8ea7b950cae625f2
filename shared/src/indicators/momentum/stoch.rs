//! The range oscillators: STOCH, STOCHRSI and WILLR, bit-identical to TA-Lib 0.8.1
//! (`TA_STOCH`, `TA_STOCHRSI`/`TA_STOCHF`, `TA_WILLR`).
//!
//! Read off the shipped library (the `ta-lib==0.8.2` wheel bundles TA-Lib C 0.8.1,
//! disassembled), not off older C sources, which differ in places that change values:
//! STOCH/STOCHF and WILLR compute `(close - lowest) / (highest - lowest) * 100` (resp.
//! `(highest - close) / (highest - lowest) * -100`, clamped into `[-100, 0]`) and give 0
//! when the range is within a scaled dead zone, `|H - L| <= 1e-14 * (|H| + |L|)`
//! ([`near_zero`]); older sources divide by a cached `(H - L) / 100` and test it against
//! exactly 0. Lowest and highest come from the rolling [`Extreme`].

use super::{MaStoch, Rsi};
use crate::indicators::blocks::{Extreme, RollingSma, check_period, near_zero, one};
use crate::indicators::{Candle, Indicator, NONE, Outputs};
use serde::{Deserialize, Serialize};

/// The stochastic core shared by STOCH and STOCHRSI: raw %K over `k` inputs, smoothed by
/// an SMA of `smooth` (1 = none), and %D, an SMA of `d` of the smoothed %K. Both lines are
/// published from the first %D on, as TA-Lib aligns them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct StochCore {
    k: usize,
    count: usize,
    lowest: Extreme,
    highest: Extreme,
    smooth: RollingSma,
    signal: RollingSma,
}

/// What [`StochCore`]'s step computed for one input.
#[derive(Debug)]
pub struct StochNext {
    /// Raw and smoothed %K (NaN while warming up) and the SMA totals after them.
    fast: f64,
    slow: f64,
    smooth_total: f64,
    signal_total: f64,
}

impl StochCore {
    fn new(k: usize, smooth: usize, d: usize) -> Self {
        Self {
            k,
            count: 0,
            lowest: Extreme::new(k, false),
            highest: Extreme::new(k, true),
            smooth: RollingSma::new(smooth),
            signal: RollingSma::new(d),
        }
    }

    fn lookback(&self) -> usize {
        (self.k - 1) + (self.smooth.length() - 1) + (self.signal.length() - 1)
    }

    /// `[%K, %D]` in the first two outputs (NaN while warming up) for the next input.
    fn step(&self, high: f64, low: f64, close: f64) -> (Outputs, StochNext) {
        let t = self.count;
        let mut next = StochNext {
            fast: f64::NAN,
            slow: f64::NAN,
            smooth_total: 0.0,
            signal_total: 0.0,
        };
        if self.count + 1 < self.k {
            return (NONE, next);
        }
        let lowest = self.lowest.peek(t, low).1;
        let highest = self.highest.peek(t, high).1;
        let range = highest - lowest;
        next.fast = if near_zero(range, highest.abs() + lowest.abs()) {
            0.0
        } else {
            (close - lowest) / range * 100.0
        };
        (next.slow, next.smooth_total) = self.smooth.step(next.fast);
        if next.slow.is_nan() {
            return (NONE, next);
        }
        let (d, signal_total) = self.signal.step(next.slow);
        next.signal_total = signal_total;
        if d.is_nan() {
            return (NONE, next);
        }
        let mut out = NONE;
        out[0] = next.slow;
        out[1] = d;
        (out, next)
    }

    fn commit(&mut self, high: f64, low: f64, next: &StochNext) {
        let t = self.count;
        self.lowest.push(t, low);
        self.highest.push(t, high);
        if !next.fast.is_nan() {
            self.smooth.commit(next.fast, next.smooth_total);
        }
        if !next.slow.is_nan() {
            self.signal.commit(next.slow, next.signal_total);
        }
        self.count += 1;
    }
}

/// Stochastic oscillator: `[STOCHk, STOCHd]`, id `STOCH_{k}_{d}_{smooth_k}`, columns
/// `STOCHk_{k}_{d}_{smooth_k}` and `STOCHd_{k}_{d}_{smooth_k}` (pandas-ta's names and
/// defaults 14, 3, 3).
///
/// TA-Lib mapping: `TA_STOCH(fastk_period = k, slowk_period = smooth_k, slowk_matype = SMA,
/// slowd_period = d, slowd_matype = SMA)`. pandas-ta's own path smooths with its `mamode`
/// and divides by a range nudged off zero; TA-Lib gives %K = 0 for a (near-)zero range.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Stoch {
    core: StochCore,
    /// With a `slowk_matype` or `slowd_matype` other than SMA: TA-Lib's chain over any
    /// averages (then `core` is unused). Absent from the saved form when `None`, so the
    /// SMA states saved before it existed restore unchanged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ma: Option<MaStoch>,
}

impl Stoch {
    pub fn new(k: usize, d: usize, smooth_k: usize) -> Self {
        for (name, p) in [("STOCH k", k), ("STOCH d", d), ("STOCH smooth_k", smooth_k)] {
            check_period(name, p, 1);
        }
        Self {
            core: StochCore::new(k, smooth_k, d),
            ma: None,
        }
    }

    /// TA-Lib's `slowk_matype`, `slowd_matype` (0, SMA, is [`Stoch::new`]).
    pub fn with_matypes(mut self, slowk_matype: usize, slowd_matype: usize) -> Self {
        if slowk_matype != 0 || slowd_matype != 0 {
            let c = &self.core;
            let (smooth, d) = (c.smooth.length(), c.signal.length());
            self.ma = Some(MaStoch::kdj(c.k, [smooth, slowk_matype], [d, slowd_matype]));
        }
        self
    }
}

/// The change of one candle of a [`Stoch`] or a [`StochRsi`]: the SMA core's or the
/// matype chain's.
#[derive(Debug)]
// A stack value of one step: boxing the large variant would allocate per candle.
#[allow(clippy::large_enum_variant)]
pub enum AnyStochNext {
    Sma(StochNext),
    Ma(<MaStoch as Indicator>::Next),
}

/// The `[%K, %D]` of the matype chain (its `j` dropped) and its change.
fn ma_step(ma: &MaStoch, c: &Candle) -> (Outputs, AnyStochNext) {
    let (mut out, next) = ma.step(c);
    out[2] = f64::NAN;
    (out, AnyStochNext::Ma(next))
}

impl Indicator for Stoch {
    type Next = AnyStochNext;

    fn step(&self, c: &Candle) -> (Outputs, AnyStochNext) {
        if let Some(ma) = &self.ma {
            return ma_step(ma, c);
        }
        let (out, next) = self.core.step(c.high, c.low, c.close);
        (out, AnyStochNext::Sma(next))
    }

    fn advance(&mut self, c: &Candle, next: AnyStochNext) {
        match (&mut self.ma, next) {
            (Some(ma), AnyStochNext::Ma(next)) => ma.advance(c, next),
            (None, AnyStochNext::Sma(next)) => self.core.commit(c.high, c.low, &next),
            _ => unreachable!("a STOCH advanced with another path's step"),
        }
    }

    /// TA-Lib's lookback: `(k - 1) + (smooth_k - 1) + (d - 1)`.
    fn lookback(&self) -> usize {
        self.ma
            .as_ref()
            .map_or_else(|| self.core.lookback(), MaStoch::lookback)
    }
}

/// Stochastic RSI: `[STOCHRSIk, STOCHRSId]`, id `STOCHRSI_{length}_{rsi_length}_{k}_{d}`
/// (pandas-ta's names and defaults 14, 14, 3, 3).
///
/// TA-Lib mapping: the stochastic of Wilder's RSI (`TA_RSI(rsi_length)`, bit-identical to
/// [`Rsi`]) over `length` RSI values, %K smoothed by an SMA of `k`, %D an SMA of `d` of it.
/// With `k = 1` this is exactly `TA_STOCHRSI(timeperiod = rsi_length, fastk_period =
/// length, fastd_period = d, fastd_matype = SMA)` (TA-Lib's STOCHRSI has no %K smoothing);
/// with `k > 1` it is `TA_STOCH` over the RSI series (`fastk = length, slowk = k, slowd =
/// d`), which is pandas-ta's definition computed with TA-Lib's arithmetic.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StochRsi {
    rsi: Rsi,
    rsi_length: usize,
    core: StochCore,
    /// With a `fastd_matype` other than SMA: TA-Lib's chain over the RSI (then `core` is
    /// unused); absent from the saved form when `None`, as [`Stoch`]'s.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ma: Option<MaStoch>,
}

/// The RSI's change and, once the RSI has values, the RSI value and the stochastic's change.
#[derive(Debug)]
pub struct StochRsiNext {
    rsi: <Rsi as Indicator>::Next,
    stoch: Option<(f64, AnyStochNext)>,
}

impl StochRsi {
    pub fn new(length: usize, rsi_length: usize, k: usize, d: usize) -> Self {
        check_period("STOCHRSI rsi_length", rsi_length, 2);
        for (name, p) in [
            ("STOCHRSI length", length),
            ("STOCHRSI k", k),
            ("STOCHRSI d", d),
        ] {
            check_period(name, p, 1);
        }
        Self {
            rsi: Rsi::new(rsi_length),
            rsi_length,
            core: StochCore::new(length, k, d),
            ma: None,
        }
    }

    /// TA-Lib's `fastd_matype` of %D (0, SMA, is [`StochRsi::new`]; %K's smoothing stays SMA).
    pub fn with_matype(mut self, fastd_matype: usize) -> Self {
        if fastd_matype != 0 {
            let c = &self.core;
            let (smooth, d) = (c.smooth.length(), c.signal.length());
            self.ma = Some(MaStoch::kdj(c.k, [smooth, 0], [d, fastd_matype]));
        }
        self
    }
}

impl Indicator for StochRsi {
    type Next = StochRsiNext;

    fn step(&self, c: &Candle) -> (Outputs, StochRsiNext) {
        let (rsi, rsi_next) = self.rsi.step(c);
        let r = rsi[0];
        let mut next = StochRsiNext {
            rsi: rsi_next,
            stoch: None,
        };
        if r.is_nan() {
            return (NONE, next);
        }
        let (out, stoch) = match &self.ma {
            Some(ma) => ma_step(ma, &flat(r)),
            None => {
                let (out, next) = self.core.step(r, r, r);
                (out, AnyStochNext::Sma(next))
            }
        };
        next.stoch = Some((r, stoch));
        (out, next)
    }

    fn advance(&mut self, c: &Candle, next: StochRsiNext) {
        self.rsi.advance(c, next.rsi);
        match (&mut self.ma, next.stoch) {
            (Some(ma), Some((r, AnyStochNext::Ma(next)))) => ma.advance(&flat(r), next),
            (None, Some((r, AnyStochNext::Sma(next)))) => self.core.commit(r, r, &next),
            (_, None) => {}
            _ => unreachable!("a STOCHRSI advanced with another path's step"),
        }
    }

    /// RSI's lookback plus the stochastic's: `rsi_length + (length - 1) + (k - 1) + (d - 1)`.
    fn lookback(&self) -> usize {
        self.rsi_length
            + self
                .ma
                .as_ref()
                .map_or_else(|| self.core.lookback(), MaStoch::lookback)
    }
}

/// A candle whose prices all equal `x` (the RSI value the matype chain reads).
fn flat(x: f64) -> Candle {
    Candle {
        time: 0,
        open: x,
        high: x,
        low: x,
        close: x,
        volume: 0.0,
    }
}

/// Williams' %R: `[WILLR_n]` (pandas-ta's name, default 14), TA-Lib `TA_WILLR`:
/// `(highest - close) / (highest - lowest) * -100` over `length` candles, clamped into
/// `[-100, 0]`, 0 for a (near-)zero range.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Willr {
    length: usize,
    count: usize,
    lowest: Extreme,
    highest: Extreme,
}

impl Willr {
    pub fn new(length: usize) -> Self {
        check_period("WILLR length", length, 2);
        Self {
            length,
            count: 0,
            lowest: Extreme::new(length, false),
            highest: Extreme::new(length, true),
        }
    }
}

impl Indicator for Willr {
    type Next = ();

    fn step(&self, c: &Candle) -> (Outputs, ()) {
        if self.count + 1 < self.length {
            return (NONE, ());
        }
        let t = self.count;
        let lowest = self.lowest.peek(t, c.low).1;
        let highest = self.highest.peek(t, c.high).1;
        let range = highest - lowest;
        let value = if near_zero(range, highest.abs() + lowest.abs()) {
            0.0
        } else {
            // The C code clamps with `v > 0 ? 0 : maxsd(-100, v)`: the same for finite `v`.
            ((highest - c.close) / range * -100.0).clamp(-100.0, 0.0)
        };
        (one(value), ())
    }

    fn advance(&mut self, c: &Candle, (): ()) {
        self.lowest.push(self.count, c.low);
        self.highest.push(self.count, c.high);
        self.count += 1;
    }

    /// TA-Lib's lookback: `length - 1`.
    fn lookback(&self) -> usize {
        self.length - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A flat window has no range: %K and %R are 0 (TA-Lib's zero-range case), not NaN.
    #[test]
    fn flat_range_gives_zero() {
        let mut st = Stoch::new(3, 1, 1);
        let mut wr = Willr::new(3);
        let flat = Candle {
            time: 0,
            open: 10.0,
            high: 10.0,
            low: 10.0,
            close: 10.0,
            volume: 4.0,
        };
        for _ in 0..2 {
            assert!(st.update(&flat)[0].is_nan());
            assert!(wr.update(&flat)[0].is_nan());
        }
        assert_eq!(st.peek(&flat)[..2], [0.0, 0.0]);
        assert_eq!(wr.peek(&flat)[0], 0.0);
    }
}
