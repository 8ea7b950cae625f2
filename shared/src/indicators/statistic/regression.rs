//! TA-Lib 0.8.1's least-squares line over the last `n` closes: LINEARREG, LINEARREG_ANGLE,
//! LINEARREG_INTERCEPT, LINEARREG_SLOPE and TSF share [`Regression`] and differ in the output.
//!
//! 0.8.1 no longer re-sums each window (TA-Lib issues #103, #254): it keeps running sums
//! `SumY = sum(y)` and `SumXY = sum(i * y)`, `i` the REVERSED position (the newest close has
//! weight 0, the oldest `n - 1`), slid in O(1) per bar as `SumXY = (SumXY + SumY) - n * y_out`,
//! `SumY = (SumY - y_out) + y_in`, plus `sum|y|` for the re-anchor test. The sums are rebuilt
//! from the window (oldest first, weight counting down: the priming scan's order) every
//! `32 * n` bars and on a bar whose `|n * y_out| > 100 * sum|y|`: O(n) on those bars only.
//! Outputs: `m = (n * SumXY - SumX * SumY) / Divisor`, `b = (SumY - m * SumX) / n` (both
//! unfused), LINEARREG `fma(m, n - 1, b)`, TSF `fma(m, n, b)` (the shipped build fuses those
//! two), the angle `atan(m) * (180 / pi)`. Checked bit-for-bit against the shipped library.

use crate::indicators::blocks::{Ring, check_period, one};
use crate::indicators::{Candle, Indicator, NONE, Outputs};
use serde::{Deserialize, Serialize};

/// TA-Lib 0.8.1's rolling regression sums over the last `length` closes (module doc).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct Regression {
    length: usize,
    count: usize,
    /// `SumY`, `SumXY` and `sum|y|` of the last full window.
    sum_y: f64,
    sum_xy: f64,
    sum_abs: f64,
    /// Bars left before the periodic rebuild (`barsSinceReseed`).
    until_reseed: i64,
    /// The last `length` closes.
    ring: Ring,
}

/// The scalar state [`Regression::step`] moves to.
#[derive(Clone, Copy, Debug)]
pub struct RegressionNext {
    sum_y: f64,
    sum_xy: f64,
    sum_abs: f64,
    until_reseed: i64,
}

/// The line `y = b + m * x` of one window (`x` in TA-Lib's reversed positions).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Line {
    /// `n` as a double.
    n: f64,
    m: f64,
    b: f64,
}

impl Regression {
    pub(crate) fn new(what: &str, length: usize) -> Self {
        check_period(what, length, 2);
        Self {
            length,
            count: 0,
            sum_y: 0.0,
            sum_xy: 0.0,
            sum_abs: 0.0,
            until_reseed: 0,
            ring: Ring::new(length),
        }
    }

    /// TA-Lib's lookback: `length - 1`.
    pub(crate) fn lookback(&self) -> usize {
        self.length - 1
    }

    /// The sums of the window ending with `x` (the close at index `self.count`), rebuilt from
    /// scratch: oldest first, the weight counting down from `n - 1`.
    fn rescan(&self, x: f64) -> (f64, f64, f64) {
        let n = self.length;
        let (mut sum_y, mut sum_xy, mut sum_abs) = (0.0, 0.0, 0.0);
        let mut weight = (n - 1) as f64;
        for k in 0..n {
            let v = if k == n - 1 {
                x
            } else {
                self.ring.get(self.count + 1 + k - n)
            };
            sum_y += v;
            sum_xy += weight * v;
            sum_abs += v.abs();
            weight -= 1.0;
        }
        (sum_y, sum_xy, sum_abs)
    }

    /// The line of the window ending with `x` (`None` while it is not full) and the state to
    /// [`commit`](Self::commit) if `x` closes.
    pub(crate) fn step(&self, x: f64) -> (Option<Line>, RegressionNext) {
        let n = self.length;
        let mut next = RegressionNext {
            sum_y: self.sum_y,
            sum_xy: self.sum_xy,
            sum_abs: self.sum_abs,
            until_reseed: self.until_reseed,
        };
        if self.count + 1 < n {
            return (None, next);
        }
        let nf = n as f64;
        if self.count + 1 == n {
            (next.sum_y, next.sum_xy, next.sum_abs) = self.rescan(x);
            next.until_reseed = 32 * n as i64;
        } else {
            let trailing = self.ring.get(self.count - n);
            let weighted = nf * trailing;
            next.sum_xy = next.sum_xy + next.sum_y - weighted;
            next.sum_y = next.sum_y - trailing + x;
            next.sum_abs = next.sum_abs - trailing.abs() + x.abs();
            next.until_reseed -= 1;
            if next.until_reseed <= 0 || weighted.abs() > 100.0 * next.sum_abs {
                next.until_reseed = 32 * n as i64;
                (next.sum_y, next.sum_xy, next.sum_abs) = self.rescan(x);
            }
        }
        let sum_x = nf * (n - 1) as f64 * 0.5;
        let sum_x_sqr = nf * (n - 1) as f64 * (2 * n - 1) as f64 / 6.0;
        let divisor = sum_x * sum_x - nf * sum_x_sqr;
        let m = (nf * next.sum_xy - sum_x * next.sum_y) / divisor;
        let b = (next.sum_y - m * sum_x) / nf;
        (Some(Line { n: nf, m, b }), next)
    }

    pub(crate) fn commit(&mut self, x: f64, next: RegressionNext) {
        self.sum_y = next.sum_y;
        self.sum_xy = next.sum_xy;
        self.sum_abs = next.sum_abs;
        self.until_reseed = next.until_reseed;
        self.ring.set(self.count, x);
        self.count += 1;
    }
}

/// Defines one regression output over [`Regression`].
macro_rules! regression_output {
    ($(#[$doc:meta])* $kind:ident, $what:literal, |$line:ident| $out:expr) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
        pub struct $kind {
            reg: Regression,
        }

        impl $kind {
            pub fn new(length: usize) -> Self {
                Self {
                    reg: Regression::new($what, length),
                }
            }
        }

        impl Indicator for $kind {
            type Next = RegressionNext;

            fn step(&self, c: &Candle) -> (Outputs, RegressionNext) {
                let (line, next) = self.reg.step(c.close);
                (line.map_or(NONE, |$line| one($out)), next)
            }

            fn advance(&mut self, c: &Candle, next: RegressionNext) {
                self.reg.commit(c.close, next);
            }

            /// TA-Lib's lookback: `timeperiod - 1`.
            fn lookback(&self) -> usize {
                self.reg.lookback()
            }
        }
    };
}

regression_output!(
    /// The regression line's value at the newest close (TA-Lib `LINEARREG`, on the close):
    /// `b + m * (n - 1)`, fused as `fma(m, n - 1, b)`. O(1) per update but every `32 * n`
    /// bars (and on a departing outlier): O(n) then.
    Linearreg,
    "LINEARREG timeperiod",
    |l| l.m.mul_add(l.n - 1.0, l.b)
);

regression_output!(
    /// The regression line's slope in degrees (TA-Lib `LINEARREG_ANGLE`, on the close):
    /// `atan(m) * (180 / pi)`. O(1) per update but every `32 * n` bars (and on a departing
    /// outlier): O(n) then.
    LinearregAngle,
    "LINEARREG_ANGLE timeperiod",
    |l| l.m.atan() * (180.0 / std::f64::consts::PI)
);

regression_output!(
    /// The regression line's intercept `b`, its value at the oldest close of the window
    /// (TA-Lib `LINEARREG_INTERCEPT`, on the close).
    /// O(1) per update but every `32 * n` bars (and on a departing outlier): O(n) then.
    LinearregIntercept,
    "LINEARREG_INTERCEPT timeperiod",
    |l| l.b
);

regression_output!(
    /// The regression line's slope `m` per candle (TA-Lib `LINEARREG_SLOPE`, on the close).
    /// O(1) per update but every `32 * n` bars (and on a departing outlier): O(n) then.
    LinearregSlope,
    "LINEARREG_SLOPE timeperiod",
    |l| l.m
);

regression_output!(
    /// Time series forecast, the regression line one candle ahead (TA-Lib `TSF`, on the
    /// close): `b + m * n`, fused as `fma(m, n, b)`. O(1) per update but every `32 * n` bars
    /// (and on a departing outlier): O(n) then.
    Tsf,
    "TSF timeperiod",
    |l| l.m.mul_add(l.n, l.b)
);
