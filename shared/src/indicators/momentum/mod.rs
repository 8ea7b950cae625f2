//! The momentum family (TA-Lib's "Momentum Indicators"): oscillators and rates of change of
//! the price, usually on their own scale.

mod bars;
mod cci;
mod change;
mod cmo;
mod directional;
mod dm;
mod macd;
mod mfi;
mod rsi;
mod stoch;
mod trix;
mod ultosc;

pub use bars::{Aroonosc, Bop};
pub use cci::Cci;
pub use change::{Mom, Roc, Rocp, Rocr, Rocr100};
pub use cmo::{Cmo, Cmou};
pub use directional::{Adx, Aroon};
pub use dm::{Adxr, Directional, Dx, MinusDi, MinusDm, PlusDi, PlusDm};
pub use macd::{Macd, Macdfix};
pub use mfi::Mfi;
pub use rsi::Rsi;
pub use stoch::{Stoch, StochRsi, Willr};
pub use trix::Trix;
pub use ultosc::Ultosc;

// Catalogue rows of the TA-Lib momentum functions beyond the first catalogue (the first ones are in `crate::catalogue`'s own table).
super::registry::row_group! { $ momentum_rows:
    Adxr { name: "ADXR", family: momentum, params: [len("timeperiod", 14.0, 2.0)],
        talib: "ADXR (high, low, close)",
        new: |p| Adxr::new(p.int(0)) },
    Aroonosc { name: "AROONOSC", family: momentum, params: [len("timeperiod", 14.0, 2.0)],
        talib: "AROONOSC (high, low)",
        new: |p| Aroonosc::new(p.int(0)) },
    Bop { name: "BOP", family: momentum, params: [], talib: "BOP (open, high, low, close)",
        new: |_p| Bop::new() },
    Cmo { name: "CMO", family: momentum, params: [len("timeperiod", 14.0, 2.0)],
        talib: "CMO (close)",
        new: |p| Cmo::new(p.int(0)) },
    Dx { name: "DX", family: momentum, params: [len("timeperiod", 14.0, 2.0)],
        talib: "DX (high, low, close)",
        new: |p| Dx::new(p.int(0)) },
    Rocp { name: "ROCP", family: momentum, params: [len("timeperiod", 10.0, 1.0)],
        talib: "ROCP (close)",
        new: |p| Rocp::new(p.int(0)) },
    Rocr { name: "ROCR", family: momentum, params: [len("timeperiod", 10.0, 1.0)],
        talib: "ROCR (close)",
        new: |p| Rocr::new(p.int(0)) },
    Rocr100 { name: "ROCR100", family: momentum, params: [len("timeperiod", 10.0, 1.0)],
        talib: "ROCR100 (close)",
        new: |p| Rocr100::new(p.int(0)) },
    Trix { name: "TRIX", family: momentum, params: [int("timeperiod", 30.0, 1.0, 300.0)],
        talib: "TRIX (close)",
        new: |p| Trix::new(p.int(0)) },
    Macdfix { name: "MACDFIX", family: momentum, params: [len("signalperiod", 9.0, 1.0)],
        columns: ["MACDFIXmacd", "MACDFIXmacdsignal", "MACDFIXmacdhist"],
        talib: "MACDFIX (close)",
        new: |p| Macdfix::new(p.int(0)) },
    Cmou { name: "CMOU", family: momentum, params: [len("timeperiod", 14.0, 2.0)],
        talib: "CMOU (close)",
        new: |p| Cmou::new(p.int(0)) },
}
