//! Moving averages: SMA and EMA (TA-Lib `TA_SMA`, `TA_EMA`).

use super::{Candle, NONE, Outputs};
use serde::{Deserialize, Serialize};

/// Simple moving average of the close.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sma {
    length: usize,
}

impl Sma {
    pub fn new(length: usize) -> Self {
        Self { length }
    }
    pub fn lookback(&self) -> usize {
        self.length - 1
    }
    pub fn update(&mut self, _c: &Candle) -> Outputs {
        NONE
    }
    pub fn peek(&self, _c: &Candle) -> Outputs {
        NONE
    }
}

/// Exponential moving average of the close.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Ema {
    length: usize,
}

impl Ema {
    pub fn new(length: usize) -> Self {
        Self { length }
    }
    pub fn lookback(&self) -> usize {
        self.length - 1
    }
    pub fn update(&mut self, _c: &Candle) -> Outputs {
        NONE
    }
    pub fn peek(&self, _c: &Candle) -> Outputs {
        NONE
    }
}
