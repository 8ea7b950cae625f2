//! The price changes over `n` candles: ROC, ROCP, ROCR, ROCR100 and MOM, bit-identical to
//! TA-Lib 0.8.1 `TA_ROC`, `TA_ROCP`, `TA_ROCR`, `TA_ROCR100` and `TA_MOM`, all over [`Lagged`].

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

/// The ratio forms of the rate of change of the close over `n` candles (TA-Lib, each 0 when
/// `close[n]` is 0): `ROCP = (close - close[n]) / close[n]`, `ROCR = close / close[n]`,
/// `ROCR100 = (close / close[n]) * 100`, in that floating-point order.
macro_rules! ratio_change {
    ($($(#[$doc:meta])* $kind:ident, $what:literal, |$x:ident, $prev:ident| $f:expr;)*) => {$(
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
        pub struct $kind {
            lag: Lagged,
        }

        impl $kind {
            pub fn new(timeperiod: usize) -> Self {
                check_period($what, timeperiod, 1);
                Self {
                    lag: Lagged::new(timeperiod),
                }
            }
        }

        impl Indicator for $kind {
            type Next = ();

            fn step(&self, c: &Candle) -> (Outputs, ()) {
                let f = |$x: f64, $prev: f64| if $prev != 0.0 { $f } else { 0.0 };
                (change(&self.lag, c, f), ())
            }

            fn advance(&mut self, c: &Candle, (): ()) {
                self.lag.push(c.close);
            }

            /// TA-Lib's lookback: `timeperiod`.
            fn lookback(&self) -> usize {
                self.lag.length()
            }
        }
    )*};
}

ratio_change! {
    /// `[ROCP_n]`, TA-Lib `TA_ROCP`: `(close - close[n]) / close[n]`.
    Rocp, "ROCP timeperiod", |x, prev| (x - prev) / prev;
    /// `[ROCR_n]`, TA-Lib `TA_ROCR`: `close / close[n]`.
    Rocr, "ROCR timeperiod", |x, prev| x / prev;
    /// `[ROCR100_n]`, TA-Lib `TA_ROCR100`: `(close / close[n]) * 100`.
    Rocr100, "ROCR100 timeperiod", |x, prev| (x / prev) * 100.0;
}
