//! Streaming indicators, value-for-value equal to TA-Lib C 0.8.1.
//!
//! Every indicator is a small state machine over closed candles:
//! - `update(&candle)` commits a closed candle and returns the outputs for it;
//! - `peek(&candle)` returns what `update` would return if `candle` (the forming one) closed
//!   now, without changing the state.
//!
//! Both are O(1) and allocate nothing. Outputs are `f64`, `NaN` meaning "no value yet"
//! (TA-Lib's warm-up); the protocol layer turns `NaN` into JSON `null`.
//! States derive serde so a computer can save them in Redis and another one can continue
//! bit-identically.

mod directional;
mod ma;
mod momentum;
mod oscillators;
mod overlap;
mod range;
mod trend;
mod volatility;
mod volume;

pub use ma::{Ema, Sma};
pub use momentum::{Macd, Rsi};
pub use volatility::Bbands;
// Issue 3 families: each file exports its indicator types.
#[allow(unused_imports)]
pub use directional::*;
#[allow(unused_imports)]
pub use oscillators::*;
#[allow(unused_imports)]
pub use overlap::*;
#[allow(unused_imports)]
pub use range::*;
#[allow(unused_imports)]
pub use trend::*;
#[allow(unused_imports)]
pub use volume::*;

use serde::{Deserialize, Serialize};

/// One OHLCV candle. `time` is the candle's start, epoch milliseconds (UTC).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Candle {
    pub time: i64,
    pub open: f64,
    pub high: f64,
    pub low: f64,
    pub close: f64,
    pub volume: f64,
}

/// Most outputs any indicator has (BBANDS: lower, middle, upper, bandwidth, percent).
pub const MAX_OUTPUTS: usize = 5;

/// The outputs of one indicator for one candle, in the order of its columns; `NaN` = null.
pub type Outputs = [f64; MAX_OUTPUTS];

/// All-null outputs.
pub const NONE: Outputs = [f64::NAN; MAX_OUTPUTS];
