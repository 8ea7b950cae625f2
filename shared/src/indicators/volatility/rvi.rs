//! The relative volatility index, bit-identical to TA-Lib 0.8.1 `TA_RVI`.

use crate::indicators::blocks::{RollingVariance, VarianceNext, check_period, one};
use crate::indicators::{Candle, Indicator, NONE, Outputs};
use serde::{Deserialize, Serialize};

/// Relative volatility index: `[RVI_n_sd]` (TA-Lib `RVI`, input close): RSI's form over the
/// standard deviation instead of the change, `100 * up / (up + down)` (50 when both are 0),
/// where `up` (`down`) is the Wilder average over `timeperiod` candles of the population
/// deviation of the last `stddevperiod` closes on candles whose close rose (fell), 0 on the
/// others.
///
/// Read from the shipped library: the deviation is `TA_STDDEV`'s (`sqrt` of
/// [`RollingVariance`], TA-Lib's re-anchored variance, not the published source's variant),
/// the averages are seeded with the in-order mean of the first `timeperiod` values and then
/// step as `fma(beta, prev, alpha * x)` with `beta = (n - 1) / n`, `alpha = 1 - beta`.
///
/// Cost: O(1) per candle, except the variance's re-anchoring (a fresh pass over the
/// `stddevperiod` window, as `TA_STDDEV`: every `32 stddevperiod` candles, or when
/// cancellation threatens).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Rvi {
    length: usize,
    deviation_length: usize,
    beta: f64,
    alpha: f64,
    count: usize,
    prev_close: f64,
    var: RollingVariance,
    /// While warming up: the in-order sums of the up and down deviations; then the averages.
    up: f64,
    down: f64,
}

/// The state [`Rvi`]'s step moves to.
#[derive(Debug)]
pub struct RviNext {
    var: VarianceNext,
    up: f64,
    down: f64,
}

impl Rvi {
    pub fn new(length: usize, deviation_length: usize) -> Self {
        check_period("RVI timeperiod", length, 1);
        check_period("RVI stddevperiod", deviation_length, 2);
        let beta = (length - 1) as f64 / length as f64;
        Self {
            length,
            deviation_length,
            beta,
            alpha: 1.0 - beta,
            count: 0,
            prev_close: 0.0,
            var: RollingVariance::new(deviation_length),
            up: 0.0,
            down: 0.0,
        }
    }
}

impl Indicator for Rvi {
    type Next = RviNext;

    fn step(&self, c: &Candle) -> (Outputs, RviNext) {
        let (variance, var) = self.var.step(c.close);
        let mut next = RviNext {
            var,
            up: self.up,
            down: self.down,
        };
        let Some(variance) = variance else {
            return (NONE, next);
        };
        let sigma = variance.sqrt();
        // stddevperiod >= 2, so there is a previous close here.
        let delta = c.close - self.prev_close;
        let (up, down) = if delta > 0.0 {
            (sigma, 0.0)
        } else if delta < 0.0 {
            (0.0, sigma)
        } else {
            (0.0, 0.0)
        };
        let n = self.length;
        // The deviation's index: count - (stddevperiod - 1).
        let j = self.count + 1 - self.deviation_length;
        if j < n {
            // TA-Lib adds only the nonzero side to each seed sum.
            if delta > 0.0 {
                next.up += up;
            } else if delta < 0.0 {
                next.down += down;
            }
            if j + 1 < n {
                return (NONE, next);
            }
            next.up /= n as f64;
            next.down /= n as f64;
        } else {
            next.up = self.beta.mul_add(self.up, self.alpha * up);
            next.down = self.beta.mul_add(self.down, self.alpha * down);
        }
        let total = next.up + next.down;
        let rvi = if total == 0.0 {
            50.0
        } else {
            100.0 * (next.up / total)
        };
        (one(rvi), next)
    }

    fn advance(&mut self, c: &Candle, next: RviNext) {
        self.var.commit(c.close, next.var);
        self.up = next.up;
        self.down = next.down;
        self.prev_close = c.close;
        self.count += 1;
    }

    /// TA-Lib's lookback (RVI unstable period 0): `stddevperiod - 1 + timeperiod - 1`.
    fn lookback(&self) -> usize {
        self.deviation_length - 1 + self.length - 1
    }
}
