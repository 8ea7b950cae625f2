//! The two-series statistics CORREL and BETA, bit-identical to TA-Lib 0.8.1 `TA_CORREL` and
//! `TA_BETA`, both on TA-Lib's default inputs: high (`inReal0`, x) and low (`inReal1`, y).
//!
//! 0.8.1 keeps both cancellation-free (TA-Lib issue #242): the running sums hold deviations
//! from a shift (the first value, later the window mean), rebuilt with a fresh two-pass over
//! the window (O(n), on those bars only) when cancellation threatens, when the value the
//! previous bar removed dwarfs what remains, or every `32 * n` bars. Checked bit-for-bit
//! against the shipped library.

use crate::indicators::blocks::{Ring, check_period, one};
use crate::indicators::{Candle, Indicator, NONE, Outputs};
use serde::{Deserialize, Serialize};

/// The running sums both statistics keep, of `x` and `y` measured against their shifts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Sums {
    x: f64,
    y: f64,
    xx: f64,
    yy: f64,
    xy: f64,
}

impl Sums {
    fn add(&mut self, x: f64, y: f64) {
        self.x += x;
        self.xx += x * x;
        self.xy += x * y;
        self.y += y;
        self.yy += y * y;
    }
}

/// The shifted sums and triggers [`Correl`] and [`Beta`] move to with a candle.
#[derive(Clone, Copy, Debug)]
pub struct PairNext {
    shift_x: f64,
    shift_y: f64,
    sums: Sums,
    until_reseed: i64,
    leaving_x: f64,
    leaving_y: f64,
}

/// Pearson's correlation of the high and the low over `timeperiod` candles (TA-Lib `CORREL`,
/// on high and low).
///
/// `ss_x = sum_xx - (sum_x * sum_x) * (1/n)` (the reciprocal hoisted), likewise `ss_y` and
/// `sp_xy`; the shift re-anchors on the window means when `ss_x < 1e-6 * sum_xx` (or y), when
/// the squared deviation the previous bar removed exceeds `1e6 * sum_xx` (or y), or every
/// `32 * n` bars, clamping negative sums of squares to 0 there. Output `sp_xy / sqrt(ss_x *
/// ss_y)` clamped to `[-1, 1]` when `ss_x > 1e-14 * sum_xx` and `ss_y > 1e-14 * sum_yy`, else
/// 0. O(1) per update but on a re-anchor: O(n) then (at least every `32 * n` bars).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Correl {
    length: usize,
    /// `1 / length`, as TA-Lib hoists it.
    inv: f64,
    count: usize,
    shift_x: f64,
    shift_y: f64,
    sums: Sums,
    until_reseed: i64,
    /// The squared deviations the previous bar removed.
    leaving_x: f64,
    leaving_y: f64,
    /// The last `length` highs and lows.
    highs: Ring,
    lows: Ring,
}

impl Correl {
    pub fn new(length: usize) -> Self {
        check_period("CORREL timeperiod", length, 1);
        Self {
            length,
            inv: 1.0 / length as f64,
            count: 0,
            shift_x: 0.0,
            shift_y: 0.0,
            sums: Sums::default(),
            until_reseed: 0,
            leaving_x: 0.0,
            leaving_y: 0.0,
            highs: Ring::new(length),
            lows: Ring::new(length),
        }
    }

    /// High and low at window position `k` (0 = oldest) of the window ending with `c`.
    fn window_at(&self, k: usize, c: &Candle) -> (f64, f64) {
        let n = self.length;
        if k == n - 1 {
            (c.high, c.low)
        } else {
            let i = self.count + 1 + k - n;
            (self.highs.get(i), self.lows.get(i))
        }
    }

    fn extracted(&self, s: &Sums) -> (f64, f64, f64) {
        let inv = self.inv;
        (
            s.xx - (s.x * s.x) * inv,
            s.yy - (s.y * s.y) * inv,
            s.xy - (s.x * s.y) * inv,
        )
    }
}

impl Indicator for Correl {
    type Next = PairNext;

    fn step(&self, c: &Candle) -> (Outputs, PairNext) {
        let n = self.length;
        let mut next = PairNext {
            shift_x: if self.count == 0 {
                c.high
            } else {
                self.shift_x
            },
            shift_y: if self.count == 0 { c.low } else { self.shift_y },
            sums: self.sums,
            until_reseed: self.until_reseed,
            leaving_x: self.leaving_x,
            leaving_y: self.leaving_y,
        };
        next.sums.add(c.high - next.shift_x, c.low - next.shift_y);
        if self.count + 1 < n {
            return (NONE, next);
        }
        if self.count + 1 == n {
            next.until_reseed = 32 * n as i64;
        }
        let s = next.sums;
        let (mut ss_x, mut ss_y, mut sp_xy) = self.extracted(&s);
        next.until_reseed -= 1;
        if ss_x < 1e-6 * s.xx
            || ss_y < 1e-6 * s.yy
            || next.leaving_x > 1e6 * s.xx
            || next.leaving_y > 1e6 * s.yy
            || next.until_reseed <= 0
        {
            next.until_reseed = 32 * n as i64;
            let (mut sum_x, mut sum_y) = (0.0, 0.0);
            for k in 0..n {
                let (x, y) = self.window_at(k, c);
                sum_x += x;
                sum_y += y;
            }
            next.shift_x = sum_x * self.inv;
            next.shift_y = sum_y * self.inv;
            next.sums = Sums::default();
            for k in 0..n {
                let (x, y) = self.window_at(k, c);
                next.sums.add(x - next.shift_x, y - next.shift_y);
            }
            (ss_x, ss_y, sp_xy) = self.extracted(&next.sums);
            // A sum of squares extracted as a difference can come out negative.
            if ss_x < 0.0 {
                ss_x = 0.0;
            }
            if ss_y < 0.0 {
                ss_y = 0.0;
            }
        }
        let (x, y) = self.window_at(0, c);
        let (tx, ty) = (x - next.shift_x, y - next.shift_y);
        let s = next.sums;
        let r = if ss_x > 1e-14 * s.xx && ss_y > 1e-14 * s.yy {
            (sp_xy / (ss_x * ss_y).sqrt()).clamp(-1.0, 1.0)
        } else {
            0.0
        };
        next.leaving_x = tx * tx;
        next.leaving_y = ty * ty;
        next.sums.x -= tx;
        next.sums.xx -= next.leaving_x;
        next.sums.xy -= tx * ty;
        next.sums.y -= ty;
        next.sums.yy -= next.leaving_y;
        (one(r), next)
    }

    fn advance(&mut self, c: &Candle, next: PairNext) {
        self.shift_x = next.shift_x;
        self.shift_y = next.shift_y;
        self.sums = next.sums;
        self.until_reseed = next.until_reseed;
        self.leaving_x = next.leaving_x;
        self.leaving_y = next.leaving_y;
        self.highs.set(self.count, c.high);
        self.lows.set(self.count, c.low);
        self.count += 1;
    }

    /// TA-Lib's lookback: `timeperiod - 1`.
    fn lookback(&self) -> usize {
        self.length - 1
    }
}

/// TA-Lib's return of a price against the previous one, measured against `shift`:
/// `(p - prev) / prev - shift`, `-shift` when `prev` is exactly 0 (0.8.1 tests it exactly,
/// TA-Lib issue #253).
fn shifted_return(p: f64, prev: f64, shift: f64) -> f64 {
    if prev != 0.0 {
        (p - prev) / prev - shift
    } else {
        -shift
    }
}

/// Beta of the low's returns against the high's over `timeperiod` returns (TA-Lib `BETA`, on
/// high as the index, `inReal0`, and low as the security, `inReal1`): the slope
/// `(n * S_xy - S_x * S_y) / (n * S_xx - S_x * S_x)` of the regression of the y returns on the
/// x returns, both measured against shifts (the first return, later the window mean).
///
/// The shifts re-anchor (a fresh pass over the window's returns, walked forward from the price
/// before it) when the denominator falls below `1e-6 * n * S_xx`, when the squared x or y
/// return the previous bar removed exceeds `1e3 * S_xx` (or `S_yy`), or every `32 * n` bars;
/// the denominator is clamped to 0 there. Output 0 unless the denominator exceeds
/// `1e-14 * n * S_xx`. O(1) per update but on a re-anchor: O(n) then (at least every
/// `32 * n` bars).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Beta {
    length: usize,
    count: usize,
    shift_x: f64,
    shift_y: f64,
    sums: Sums,
    until_reseed: i64,
    /// The squared returns the previous bar removed.
    leaving_x: f64,
    leaving_y: f64,
    /// The last `length` highs and lows.
    highs: Ring,
    lows: Ring,
}

impl Beta {
    pub fn new(length: usize) -> Self {
        check_period("BETA timeperiod", length, 1);
        Self {
            length,
            count: 0,
            shift_x: 0.0,
            shift_y: 0.0,
            sums: Sums::default(),
            until_reseed: 0,
            leaving_x: 0.0,
            leaving_y: 0.0,
            highs: Ring::new(length),
            lows: Ring::new(length),
        }
    }

    /// High and low `k` candles before `c` (the candle at index `self.count`), `k <= length`.
    fn back(&self, k: usize, c: &Candle) -> (f64, f64) {
        if k == 0 {
            (c.high, c.low)
        } else {
            let i = self.count - k;
            (self.highs.get(i), self.lows.get(i))
        }
    }

    /// The shifted returns of the candle `k` candles before `c`.
    fn returns(&self, k: usize, c: &Candle, shift_x: f64, shift_y: f64) -> (f64, f64) {
        let (x, y) = self.back(k, c);
        let (px, py) = self.back(k + 1, c);
        (
            shifted_return(x, px, shift_x),
            shifted_return(y, py, shift_y),
        )
    }
}

impl Indicator for Beta {
    type Next = PairNext;

    fn step(&self, c: &Candle) -> (Outputs, PairNext) {
        let n = self.length;
        let i = self.count;
        let mut next = PairNext {
            shift_x: self.shift_x,
            shift_y: self.shift_y,
            sums: self.sums,
            until_reseed: self.until_reseed,
            leaving_x: self.leaving_x,
            leaving_y: self.leaving_y,
        };
        if i == 0 {
            return (NONE, next);
        }
        if i == 1 {
            // The first return is the shift (0 where the base price is 0).
            let (px, py) = self.back(1, c);
            next.shift_x = if px != 0.0 { (c.high - px) / px } else { 0.0 };
            next.shift_y = if py != 0.0 { (c.low - py) / py } else { 0.0 };
        }
        let (x, y) = self.returns(0, c, next.shift_x, next.shift_y);
        next.sums.add(x, y);
        if i < n {
            return (NONE, next);
        }
        if i == n {
            next.until_reseed = 32 * n as i64;
        }
        let nf = n as f64;
        let mut scale = nf * next.sums.xx;
        let mut denom = scale - next.sums.x * next.sums.x;
        next.until_reseed -= 1;
        if denom < 1e-6 * scale
            || next.leaving_x > 1000.0 * next.sums.xx
            || next.leaving_y > 1000.0 * next.sums.yy
            || next.until_reseed <= 0
        {
            next.until_reseed = 32 * n as i64;
            // The window's returns are those of the last n candles, oldest first.
            let (mut sum_x, mut sum_y) = (0.0, 0.0);
            for k in (0..n).rev() {
                let (x, y) = self.back(k, c);
                let (px, py) = self.back(k + 1, c);
                if px != 0.0 {
                    sum_x += (x - px) / px;
                }
                if py != 0.0 {
                    sum_y += (y - py) / py;
                }
            }
            next.shift_x = sum_x / nf;
            next.shift_y = sum_y / nf;
            next.sums = Sums::default();
            for k in (0..n).rev() {
                let (x, y) = self.returns(k, c, next.shift_x, next.shift_y);
                next.sums.add(x, y);
            }
            scale = nf * next.sums.xx;
            denom = scale - next.sums.x * next.sums.x;
            if denom < 0.0 {
                denom = 0.0;
            }
        }
        // The return leaving the window: the oldest of the last n.
        let (tx, ty) = self.returns(n - 1, c, next.shift_x, next.shift_y);
        let s = next.sums;
        let beta = if denom > 1e-14 * scale {
            (nf * s.xy - s.x * s.y) / denom
        } else {
            0.0
        };
        next.leaving_x = tx * tx;
        next.leaving_y = ty * ty;
        next.sums.xx -= tx * tx;
        next.sums.yy -= ty * ty;
        next.sums.xy -= tx * ty;
        next.sums.x -= tx;
        next.sums.y -= ty;
        (one(beta), next)
    }

    fn advance(&mut self, c: &Candle, next: PairNext) {
        self.shift_x = next.shift_x;
        self.shift_y = next.shift_y;
        self.sums = next.sums;
        self.until_reseed = next.until_reseed;
        self.leaving_x = next.leaving_x;
        self.leaving_y = next.leaving_y;
        self.highs.set(self.count, c.high);
        self.lows.set(self.count, c.low);
        self.count += 1;
    }

    /// TA-Lib's lookback: `timeperiod`.
    fn lookback(&self) -> usize {
        self.length
    }
}
