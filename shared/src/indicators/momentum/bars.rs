//! Oscillators of each bar's own prices and of the AROON window: BOP and AROONOSC,
//! bit-identical to TA-Lib 0.8.1 `TA_BOP` and `TA_AROONOSC`.

use super::Aroon;
use crate::indicators::blocks::one;
use crate::indicators::{Candle, Indicator, Outputs};
use serde::{Deserialize, Serialize};

/// Balance of power, `[BOP]`, TA-Lib `TA_BOP` (open, high, low, close):
/// `(close - open) / (high - low)`, 0 when `high - low <= 0` (an exact test in the shipped
/// library: a range of 1e-20 still divides).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Bop {}

impl Bop {
    pub fn new() -> Self {
        Self {}
    }
}

impl Default for Bop {
    fn default() -> Self {
        Self::new()
    }
}

impl Indicator for Bop {
    type Next = ();

    fn step(&self, c: &Candle) -> (Outputs, ()) {
        let range = c.high - c.low;
        let bop = if range > 0.0 {
            (c.close - c.open) / range
        } else {
            0.0
        };
        (one(bop), ())
    }

    fn advance(&mut self, _: &Candle, (): ()) {}

    /// TA-Lib's lookback: 0.
    fn lookback(&self) -> usize {
        0
    }
}

/// The Aroon oscillator alone, `[AROONOSC_n]`, TA-Lib `TA_AROONOSC` (high, low, default
/// 14): [`Aroon`]'s third column, `(100/n) * (index of highest - index of lowest)`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Aroonosc {
    aroon: Aroon,
}

impl Aroonosc {
    pub fn new(timeperiod: usize) -> Self {
        Self {
            aroon: Aroon::new(timeperiod),
        }
    }
}

impl Indicator for Aroonosc {
    type Next = ();

    fn step(&self, c: &Candle) -> (Outputs, ()) {
        let (out, ()) = self.aroon.step(c);
        (one(out[2]), ())
    }

    fn advance(&mut self, c: &Candle, (): ()) {
        self.aroon.advance(c, ());
    }

    /// TA-Lib's lookback: `timeperiod`.
    fn lookback(&self) -> usize {
        self.aroon.lookback()
    }
}
