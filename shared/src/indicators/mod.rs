//! Streaming indicators, value-for-value equal to TA-Lib C 0.8.1.
//!
//! Every indicator is a small state machine over closed candles implementing [`Indicator`].
//! Its maths is two required methods:
//! - `step(&candle)` computes the outputs if `candle` closed now and the state change that
//!   closing it makes (`Self::Next`), without mutating anything;
//! - `advance(&candle, next)` applies that change.
//!
//! `update` (commit a closed candle, return its outputs) is `step` then `advance`, and `peek`
//! (what `update` would return for the forming candle) is `step`'s outputs: both are provided
//! once by the trait, so a peek is bit-identical to the update that follows by construction.
//! `step` does all the floating-point work and `advance` only stores what `step` computed;
//! neither allocates, and both are O(1) (amortized for the rolling extremes; CCI and the
//! TA-Lib re-anchoring/re-summing steps are O(length) as in C).
//!
//! Outputs are `f64`, `NaN` meaning "no value yet" (TA-Lib's warm-up); the protocol layer
//! turns `NaN` into JSON `null`. States derive serde so a computer can save them in Redis and
//! another one can continue bit-identically: a state's fields (names, order, types) are its
//! saved form and do not change.
//!
//! Layout: one module per family (the catalogue's `family`), [`overlap`], [`momentum`],
//! [`volatility`], [`volume`]; `blocks` holds what several indicators share (windows, the
//! rolling extreme, TA-Lib's variance and smoothing forms). The catalogue
//! (`crate::catalogue`) declares each indicator once and derives everything else.

mod blocks;
pub mod cycle;
pub mod math_operators;
pub mod math_transform;
pub mod momentum;
pub mod overlap;
pub mod pattern;
pub mod price_transform;
pub(crate) mod registry;
pub mod statistic;
pub mod volatility;
pub mod volume;

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

/// A streaming indicator (see the module doc for the contract).
pub trait Indicator {
    /// The state change of one closed candle, computed by `step` and applied by `advance`.
    type Next;

    /// The outputs if `c` closed now and the change closing it makes; changes nothing.
    fn step(&self, c: &Candle) -> (Outputs, Self::Next);

    /// Commits closed candle `c` with the change `step(c)` returned.
    fn advance(&mut self, c: &Candle, next: Self::Next);

    /// Leading candles without a (complete) value: TA-Lib's lookback.
    fn lookback(&self) -> usize;

    /// Commits a closed candle; returns its outputs.
    fn update(&mut self, c: &Candle) -> Outputs {
        let (out, next) = self.step(c);
        self.advance(c, next);
        out
    }

    /// What `update` would return if `c` closed now; changes nothing.
    fn peek(&self, c: &Candle) -> Outputs {
        self.step(c).0
    }
}

/// A candle whose prices all equal `close`, with volume 4 (for unit tests).
#[cfg(test)]
pub(crate) fn flat_candle(close: f64) -> Candle {
    Candle {
        time: 0,
        open: close,
        high: close,
        low: close,
        close,
        volume: 4.0,
    }
}
