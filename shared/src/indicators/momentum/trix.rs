//! TRIX, bit-identical to TA-Lib 0.8.1 `TA_TRIX`: the one-bar rate of change of a triple
//! EMA, each EMA TA-Lib's (seeded with the in-order mean of its first `n` inputs, then the
//! fused [`ema`] step).

use crate::indicators::blocks::{check_period, ema, one};
use crate::indicators::{Candle, Indicator, NONE, Outputs};
use serde::{Deserialize, Serialize};

/// One EMA of a series that starts when its input does: `count` inputs seen, `value` the
/// seed sum while fewer than `n`, then the EMA.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct EmaStage {
    count: usize,
    value: f64,
}

impl EmaStage {
    pub(crate) fn new() -> Self {
        Self {
            count: 0,
            value: 0.0,
        }
    }

    /// The stage after input `x` and its EMA (`None` while seeding).
    pub(crate) fn step(self, x: f64, n: usize, k: f64) -> (Self, Option<f64>) {
        let count = self.count + 1;
        if count < n {
            return (
                Self {
                    count,
                    value: self.value + x,
                },
                None,
            );
        }
        let value = if count == n {
            (self.value + x) / n as f64
        } else {
            ema(self.value, x, k)
        };
        (Self { count, value }, Some(value))
    }
}

/// Triple-smoothed rate of change of the close, `[TRIX_n]` (default 30), TA-Lib `TA_TRIX`:
/// `EMA3 = EMA(EMA(EMA(close)))` with `k = 2 / (n + 1)`, `TRIX = (EMA3 / EMA3[1] - 1) * 100`
/// (0 when `EMA3[1]` is 0), from bar `3(n - 1) + 1` on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Trix {
    length: usize,
    k: f64,
    stages: [EmaStage; 3],
    /// The last EMA3 (NaN before the first).
    prev: f64,
}

impl Trix {
    pub fn new(timeperiod: usize) -> Self {
        check_period("TRIX timeperiod", timeperiod, 1);
        Self {
            length: timeperiod,
            k: 2.0 / (timeperiod + 1) as f64,
            stages: [EmaStage::new(); 3],
            prev: f64::NAN,
        }
    }
}

impl Indicator for Trix {
    /// The new stages and EMA3.
    type Next = ([EmaStage; 3], f64);

    fn step(&self, c: &Candle) -> (Outputs, Self::Next) {
        let (n, k) = (self.length, self.k);
        let mut stages = self.stages;
        let mut x = Some(c.close);
        for stage in &mut stages {
            let Some(v) = x else { break };
            let (s, out) = stage.step(v, n, k);
            *stage = s;
            x = out;
        }
        let Some(e3) = x else {
            return (NONE, (stages, self.prev));
        };
        let prev = self.prev;
        let out = if prev.is_nan() {
            NONE
        } else if prev != 0.0 {
            one((e3 / prev - 1.0) * 100.0)
        } else {
            one(0.0)
        };
        (out, (stages, e3))
    }

    fn advance(&mut self, _: &Candle, (stages, e3): Self::Next) {
        self.stages = stages;
        self.prev = e3;
    }

    /// TA-Lib's lookback: `3 (timeperiod - 1) + 1`.
    fn lookback(&self) -> usize {
        3 * (self.length - 1) + 1
    }
}
