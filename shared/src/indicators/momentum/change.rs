//! The price changes over `n` candles: ROC and MOM, bit-identical to TA-Lib 0.8.1 `TA_ROC`
//! and `TA_MOM`, both over [`Lagged`].

use crate::indicators::blocks::{Lagged, check_period, one};
use crate::indicators::{Candle, Indicator, NONE, Outputs};
use serde::{Deserialize, Serialize};

/// Rate of change of the close, in percent: `[ROC_n]` (pandas-ta's name, default 10),
/// TA-Lib `TA_ROC`: `(close / close[n] - 1) * 100`, 0 when `close[n]` is 0.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Roc {
    lag: Lagged,
}

/// Momentum of the close: `[MOM_n]` (pandas-ta's name, default 10), TA-Lib `TA_MOM`:
/// `close - close[n]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Mom {
    lag: Lagged,
}

impl Roc {
    pub fn new(length: usize) -> Self {
        check_period("ROC length", length, 1);
        Self {
            lag: Lagged::new(length),
        }
    }
}

impl Mom {
    pub fn new(length: usize) -> Self {
        check_period("MOM length", length, 1);
        Self {
            lag: Lagged::new(length),
        }
    }
}

/// `f(close, close n candles back)` once there is one.
fn change(lag: &Lagged, c: &Candle, f: impl Fn(f64, f64) -> f64) -> Outputs {
    lag.prev().map_or(NONE, |prev| one(f(c.close, prev)))
}

impl Indicator for Roc {
    type Next = ();

    fn step(&self, c: &Candle) -> (Outputs, ()) {
        let roc = |x: f64, prev: f64| {
            if prev != 0.0 {
                (x / prev - 1.0) * 100.0
            } else {
                0.0
            }
        };
        (change(&self.lag, c, roc), ())
    }

    fn advance(&mut self, c: &Candle, (): ()) {
        self.lag.push(c.close);
    }

    /// TA-Lib's lookback: `length`.
    fn lookback(&self) -> usize {
        self.lag.length()
    }
}

impl Indicator for Mom {
    type Next = ();

    fn step(&self, c: &Candle) -> (Outputs, ()) {
        (change(&self.lag, c, |x, prev| x - prev), ())
    }

    fn advance(&mut self, c: &Candle, (): ()) {
        self.lag.push(c.close);
    }

    /// TA-Lib's lookback: `length`.
    fn lookback(&self) -> usize {
        self.lag.length()
    }
}
