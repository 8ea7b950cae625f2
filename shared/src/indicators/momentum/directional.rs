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
        let prev = Prev {
            high: self.prev_high,
            low: self.prev_low,
            close: self.prev_close,
        };
        let sums = DmSums {
            plus: self.plus_dm,
            minus: self.minus_dm,
            tr: self.tr,
        };
        let (sums, di) = directional_step(n, t, &prev, sums, c);
        let mut next = AdxNext {
            plus_dm: sums.plus,
            minus_dm: sums.minus,
            tr: sums.tr,
            adx: self.adx,
        };
        let Some(Di {
            plus: plus_di,
            minus: minus_di,
            dx,
        }) = di
        else {
            return (NONE, next);
        };
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

/// The previous bar's high, low and close.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Prev {
    pub(crate) high: f64,
    pub(crate) low: f64,
    pub(crate) close: f64,
}

/// The running (then Wilder-summed) +DM, -DM and true range of ADX and its relatives.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct DmSums {
    pub(crate) plus: f64,
    pub(crate) minus: f64,
    pub(crate) tr: f64,
}

/// One bar's directional indicators: +DI, -DI and the DX (none for a zero DI sum).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Di {
    pub(crate) plus: f64,
    pub(crate) minus: f64,
    pub(crate) dx: Option<f64>,
}

/// Bar `t` (`c`, after `prev`) of TA-Lib's directional movement over `n` bars: the new sums
/// and, from bar `n` on, the directional indicators (see [`Adx`] for the arithmetic; the
/// +DM/-DM sums alone are TA-Lib's `PLUS_DM`/`MINUS_DM` from bar `n - 1` on).
pub(crate) fn directional_step(
    n: usize,
    t: usize,
    prev: &Prev,
    mut sums: DmSums,
    c: &Candle,
) -> (DmSums, Option<Di>) {
    if t == 0 {
        return (sums, None);
    }
    let nf = n as f64;
    let diff_p = c.high - prev.high;
    let diff_m = prev.low - c.low;
    let true_range = true_range(c, prev.close);
    if t >= n {
        sums.minus -= sums.minus / nf;
        sums.plus -= sums.plus / nf;
    }
    if diff_m > 0.0 && diff_p < diff_m {
        sums.minus += diff_m;
    } else if diff_p > 0.0 && diff_p > diff_m {
        sums.plus += diff_p;
    }
    if t < n {
        sums.tr += true_range;
        return (sums, None);
    }
    sums.tr = wilder::sum(sums.tr, true_range, nf);
    let (mut plus, mut minus) = (0.0, 0.0);
    let mut dx = None;
    if sums.tr > 0.0 {
        minus = sums.minus / sums.tr * 100.0;
        plus = sums.plus / sums.tr * 100.0;
        let sum = minus + plus;
        if !(-1e-14 < sum && sum < 1e-14) {
            dx = Some((minus - plus).abs() / sum * 100.0);
        }
    }
    (sums, Some(Di { plus, minus, dx }))
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
