//! Volatility: Bollinger Bands (TA-Lib `TA_BBANDS` with an SMA middle band).

use super::{Candle, NONE, Outputs};
use serde::{Deserialize, Serialize};

/// Bollinger Bands of the close: `[BBL, BBM, BBU, BBB, BBP]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Bbands {
    length: usize,
    std: f64,
}

impl Bbands {
    pub fn new(length: usize, std: f64) -> Self {
        Self { length, std }
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
