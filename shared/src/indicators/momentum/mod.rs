//! The momentum family (TA-Lib's "Momentum Indicators"): oscillators and rates of change of
//! the price, usually on their own scale.

mod cci;
mod change;
mod directional;
mod macd;
mod mfi;
mod rsi;
mod stoch;
mod ultosc;

pub use cci::Cci;
pub use change::{Mom, Roc};
pub use directional::{Adx, Aroon};
pub use macd::Macd;
pub use mfi::Mfi;
pub use rsi::Rsi;
pub use stoch::{Stoch, StochRsi, Willr};
pub use ultosc::Ultosc;

// Catalogue rows of the TA-Lib momentum functions beyond the first catalogue (the first ones are in `crate::catalogue`'s own table).
super::registry::row_group! { $ momentum_rows:
}
