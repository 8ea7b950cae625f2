//! The statistic family, TA-Lib's "Statistic Functions" group: regressions, correlation, beta,
//! variance and percentiles over a window, bit-identical to TA-Lib 0.8.1 (STDDEV, of the same
//! group, lives in the volatility family).
//!
//! - [`regression`]: LINEARREG, LINEARREG_ANGLE, LINEARREG_INTERCEPT, LINEARREG_SLOPE, TSF
//!   (the three with `_` in their names have no catalogue row yet: `Spec::from_id` reads an
//!   id's name up to its first `_`, so `LINEARREG_SLOPE_14` cannot name them);
//! - [`pair`]: CORREL and BETA, on high and low;
//! - [`rank`]: PERCENTILE and PERCENTRANK;
//! - VAR here, over the shared [`RollingVariance`].
//!
//! Its catalogue rows are the `statistic_rows` group below (see `super::registry`).

mod pair;
mod rank;
mod regression;

pub use pair::{Beta, Correl};
pub use rank::{Percentile, Percentrank};
pub use regression::{Linearreg, LinearregAngle, LinearregIntercept, LinearregSlope, Tsf};

use super::blocks::{RollingVariance, VarianceNext, check_period, one};
use super::registry::row_group;
use super::{Candle, Indicator, NONE, Outputs};
use serde::{Deserialize, Serialize};

/// Population variance of the close over `timeperiod` candles (TA-Lib `VAR`, on the close):
/// TA-Lib 0.8.1's `TA_VAR`, the [`RollingVariance`] STDDEV and BBANDS use. TA-Lib takes
/// `nbdev` but ignores it (the variance is never scaled), so does this. O(1) per update but
/// on a re-anchor: O(n) then (at least every `32 * n` bars).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Var {
    length: usize,
    var: RollingVariance,
}

impl Var {
    /// `nbdev` is TA-Lib's ignored parameter.
    pub fn new(length: usize, _nbdev: f64) -> Self {
        check_period("VAR timeperiod", length, 1);
        Self {
            length,
            var: RollingVariance::new(length),
        }
    }
}

impl Indicator for Var {
    type Next = VarianceNext;

    fn step(&self, c: &Candle) -> (Outputs, VarianceNext) {
        let (variance, next) = self.var.step(c.close);
        (variance.map_or(NONE, one), next)
    }

    fn advance(&mut self, c: &Candle, next: VarianceNext) {
        self.var.commit(c.close, next);
    }

    /// TA-Lib's lookback: `timeperiod - 1`.
    fn lookback(&self) -> usize {
        self.length - 1
    }
}

row_group! { $ statistic_rows:
    Beta { name: "BETA", family: statistic, params: [len("timeperiod", 5.0, 1.0)],
        talib: "BETA", new: |p| Beta::new(p.int(0)) },
    Correl { name: "CORREL", family: statistic, params: [len("timeperiod", 30.0, 1.0)],
        talib: "CORREL", new: |p| Correl::new(p.int(0)) },
    Linearreg { name: "LINEARREG", family: statistic, params: [len("timeperiod", 14.0, 2.0)],
        talib: "LINEARREG", new: |p| Linearreg::new(p.int(0)) },
    LinearregAngle { name: "LINEARREG_ANGLE", family: statistic,
        params: [len("timeperiod", 14.0, 2.0)],
        talib: "LINEARREG_ANGLE", new: |p| LinearregAngle::new(p.int(0)) },
    LinearregIntercept { name: "LINEARREG_INTERCEPT", family: statistic,
        params: [len("timeperiod", 14.0, 2.0)],
        talib: "LINEARREG_INTERCEPT", new: |p| LinearregIntercept::new(p.int(0)) },
    LinearregSlope { name: "LINEARREG_SLOPE", family: statistic,
        params: [len("timeperiod", 14.0, 2.0)],
        talib: "LINEARREG_SLOPE", new: |p| LinearregSlope::new(p.int(0)) },
    Percentile { name: "PERCENTILE", family: statistic,
        params: [len("timeperiod", 30.0, 2.0), float("percentile", 50.0, 0.0, 100.0)],
        talib: "PERCENTILE", new: |p| Percentile::new(p.int(0), p.num(1)) },
    Percentrank { name: "PERCENTRANK", family: statistic,
        params: [len("timeperiod", 100.0, 2.0)], talib: "PERCENTRANK",
        new: |p| Percentrank::new(p.int(0)) },
    Tsf { name: "TSF", family: statistic, params: [len("timeperiod", 14.0, 2.0)],
        talib: "TSF", new: |p| Tsf::new(p.int(0)) },
    Var { name: "VAR", family: statistic,
        params: [len("timeperiod", 5.0, 1.0), float("nbdev", 1.0, -3e37, 3e37)],
        talib: "VAR", new: |p| Var::new(p.int(0), p.num(1)) },
}
