//! Momentum: RSI and MACD (TA-Lib `TA_RSI`, `TA_MACD`).

use super::{Candle, NONE, Outputs};
use serde::{Deserialize, Serialize};

/// Wilder's relative strength index of the close.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Rsi {
    length: usize,
}

impl Rsi {
    pub fn new(length: usize) -> Self {
        Self { length }
    }
    pub fn lookback(&self) -> usize {
        self.length
    }
    pub fn update(&mut self, _c: &Candle) -> Outputs {
        NONE
    }
    pub fn peek(&self, _c: &Candle) -> Outputs {
        NONE
    }
}

/// MACD of the close: `[MACD, MACDh, MACDs]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Macd {
    fast: usize,
    slow: usize,
    signal: usize,
}

impl Macd {
    pub fn new(fast: usize, slow: usize, signal: usize) -> Self {
        Self { fast, slow, signal }
    }
    pub fn lookback(&self) -> usize {
        self.slow.max(self.fast) + self.signal - 2
    }
    pub fn update(&mut self, _c: &Candle) -> Outputs {
        NONE
    }
    pub fn peek(&self, _c: &Candle) -> Outputs {
        NONE
    }
}
