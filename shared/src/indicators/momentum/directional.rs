//! The directional indicators: ADX (with +DI/-DI) and AROON, bit-identical to TA-Lib 0.8.1
//! `TA_ADX`, `TA_PLUS_DI`, `TA_MINUS_DI`, `TA_AROON` and `TA_AROONOSC`.
//!
//! Read off the shipped library (disassembled), not older C sources: in 0.8.1 the
//! directional indicators are guarded by an exact `TR > 0` (older sources: `TA_IS_ZERO(TR)`,
//! a fixed band, 1e-8 in 0.4.x, that zeroes them for instruments quoted below it), while
//! the DX keeps a fixed band: no DX when `-1e-14 < +DI + -DI < 1e-14`.

use crate::indicators::blocks::{Extreme, check_period, true_range, wilder};
use crate::indicators::{Candle, Indicator, NONE, Outputs};
use serde::{Deserialize, Serialize};

/// Wilder's average directional index with the directional indicators:
/// `[ADX_n, DMP_n, DMN_n]` (pandas-ta's columns, default 14), id `ADX_n`.
///
/// TA-Lib mapping: `ADX = TA_ADX(n)`, `DMP = TA_PLUS_DI(n)`, `DMN = TA_MINUS_DI(n)`
/// (pandas-ta's `lensig` is TA-Lib's single period). One bar's +DM/-DM follow Wilder
/// (the larger move outside yesterday's range, none on a tie); +DM, -DM and the true range
/// are summed over bars `1..n` (bar 0 has no move) and from bar `n` on smoothed
/// `x - x/n + today`;
/// `DI = 100 * DM / TR` (0 when `TR <= 0`); `DX = 100 * |-DI - +DI| / (-DI + +DI)`; the
/// first ADX is the sum of the DX of bars `n..2n` divided by `n`, then
/// `(ADX * (n-1) + DX) / n`. A bar without DX (zero range or DI sum) adds nothing to the
/// first sum and leaves the ADX unchanged after it.
///
/// DMP/DMN have values from bar `n` on, ADX from bar `2n - 1`: [`Adx::lookback`] is the
/// ADX's (every column is set from there on).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Adx {
    length: usize,
    count: usize,
    prev_high: f64,
    prev_low: f64,
    prev_close: f64,
    plus_dm: f64,
    minus_dm: f64,
    tr: f64,
    /// The sum of the DX while seeding (bars `n..2n`), then the ADX.
    adx: f64,
}

/// The scalar state [`Adx`]'s step moves to.
#[derive(Debug)]
pub struct AdxNext {
    plus_dm: f64,
    minus_dm: f64,
    tr: f64,
    adx: f64,
}

impl Adx {
    pub fn new(length: usize) -> Self {
        check_period("ADX length", length, 2);
        Self {
            length,
            count: 0,
            prev_high: 0.0,
            prev_low: 0.0,
            prev_close: 0.0,
            plus_dm: 0.0,
            minus_dm: 0.0,
            tr: 0.0,
            adx: 0.0,
        }
    }
}

impl Indicator for Adx {
    type Next = AdxNext;

    fn step(&self, c: &Candle) -> (Outputs, AdxNext) {
        let (t, n) = (self.count, self.length);
        let nf = n as f64;
        let mut next = AdxNext {
            plus_dm: self.plus_dm,
            minus_dm: self.minus_dm,
            tr: self.tr,
            adx: self.adx,
        };
        if t == 0 {
            return (NONE, next);
        }
        let diff_p = c.high - self.prev_high;
        let diff_m = self.prev_low - c.low;
        let true_range = true_range(c, self.prev_close);
        if t >= n {
            next.minus_dm -= next.minus_dm / nf;
            next.plus_dm -= next.plus_dm / nf;
        }
        if diff_m > 0.0 && diff_p < diff_m {
            next.minus_dm += diff_m;
        } else if diff_p > 0.0 && diff_p > diff_m {
            next.plus_dm += diff_p;
        }
        if t < n {
            next.tr += true_range;
            return (NONE, next);
        }
        next.tr = wilder::sum(next.tr, true_range, nf);

        let (mut plus_di, mut minus_di) = (0.0, 0.0);
        let mut dx = None;
        if next.tr > 0.0 {
            minus_di = next.minus_dm / next.tr * 100.0;
            plus_di = next.plus_dm / next.tr * 100.0;
            let sum = minus_di + plus_di;
            if !(-1e-14 < sum && sum < 1e-14) {
                dx = Some((minus_di - plus_di).abs() / sum * 100.0);
            }
        }
        let mut out = NONE;
        out[1] = plus_di;
        out[2] = minus_di;
        if t < 2 * n {
            if let Some(dx) = dx {
                next.adx += dx;
            }
            if t < 2 * n - 1 {
                return (out, next);
            }
            next.adx /= nf;
        } else if let Some(dx) = dx {
            next.adx = wilder::average(next.adx, dx, (n - 1) as f64, nf);
        }
        out[0] = next.adx;
        (out, next)
    }

    fn advance(&mut self, c: &Candle, next: AdxNext) {
        self.plus_dm = next.plus_dm;
        self.minus_dm = next.minus_dm;
        self.tr = next.tr;
        self.adx = next.adx;
        self.prev_high = c.high;
        self.prev_low = c.low;
        self.prev_close = c.close;
        self.count += 1;
    }

    /// TA-Lib's ADX lookback: `2 * length - 1` (DMP and DMN start at `length`).
    fn lookback(&self) -> usize {
        2 * self.length - 1
    }
}

/// Aroon: `[AROOND_n, AROONU_n, AROONOSC_n]` (pandas-ta's columns and order, default 14),
/// id `AROON_n`, TA-Lib `TA_AROON` and `TA_AROONOSC`.
///
/// Over the last `n + 1` highs/lows, `up = (100/n) * (n - bars since the highest high)`,
/// `down` likewise with the lowest low (ties: the most recent bar), and
/// `osc = (100/n) * (index of highest - index of lowest)` as TA-Lib's AROONOSC computes
/// it (not `up - down`, which can round differently).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Aroon {
    length: usize,
    /// `100 / length`.
    factor: f64,
    count: usize,
    lowest: Extreme,
    highest: Extreme,
}

impl Aroon {
    pub fn new(length: usize) -> Self {
        check_period("AROON length", length, 2);
        Self {
            length,
            factor: 100.0 / length as f64,
            count: 0,
            lowest: Extreme::new(length + 1, false),
            highest: Extreme::new(length + 1, true),
        }
    }
}

impl Indicator for Aroon {
    type Next = ();

    fn step(&self, c: &Candle) -> (Outputs, ()) {
        if self.count < self.length {
            return (NONE, ());
        }
        let t = self.count;
        let low_idx = self.lowest.peek(t, c.low).0;
        let high_idx = self.highest.peek(t, c.high).0;
        let n = self.length as i64;
        let since = |idx: usize| (t - idx) as i64;
        let mut out = NONE;
        out[0] = self.factor * (n - since(low_idx)) as f64;
        out[1] = self.factor * (n - since(high_idx)) as f64;
        out[2] = self.factor * (high_idx as i64 - low_idx as i64) as f64;
        (out, ())
    }

    fn advance(&mut self, c: &Candle, (): ()) {
        self.lowest.push(self.count, c.low);
        self.highest.push(self.count, c.high);
        self.count += 1;
    }

    /// TA-Lib's lookback: `length`.
    fn lookback(&self) -> usize {
        self.length
    }
}
