//! The momentum family (TA-Lib's "Momentum Indicators"): oscillators and rates of change of
//! the price, usually on their own scale.

mod bars;
mod blau;
mod cci;
mod change;
mod cmo;
mod directional;
mod dm;
mod forecast;
mod ma_osc;
mod macd;
mod mfi;
mod rsi;
mod stoch;
mod trix;
mod ultosc;
mod vortex;
mod williams;
mod windows;

pub use bars::{Aroonosc, Bop, Fractal};
pub use blau::{Eri, Smi, Tsi};
pub use cci::Cci;
pub use change::{Mom, Roc, Rocp, Rocr, Rocr100};
pub use cmo::{Cmo, Cmou};
pub use directional::{Adx, Aroon};
pub use dm::{Adxr, Directional, Dx, MinusDi, MinusDm, PlusDi, PlusDm};
pub use forecast::{Coppock, Fosc};
pub use ma_osc::{Apo, Kdj, MaStoch, Macdext, Po, Ppo, Stochf};
pub use macd::{Macd, Macdfix};
pub use mfi::Mfi;
pub use rsi::Rsi;
pub use stoch::{Stoch, StochRsi, Willr};
pub use trix::Trix;
pub use ultosc::Ultosc;
pub use vortex::Vortex;
pub use williams::{Ac, Ao, Wad};
pub use windows::{Dpo, Er, Imi, Qstick, Vhf};

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
    Ac { name: "AC", family: momentum,
        params: [len("fastperiod", 5.0, 2.0), len("slowperiod", 34.0, 2.0),
            len("signalperiod", 5.0, 2.0)],
        talib: "AC (high, low)",
        new: |p| Ac::new(p.int(0), p.int(1), p.int(2)) },
    Ao { name: "AO", family: momentum,
        params: [len("fastperiod", 5.0, 2.0), len("slowperiod", 34.0, 2.0)],
        talib: "AO (high, low)",
        new: |p| Ao::new(p.int(0), p.int(1)) },
    Dpo { name: "DPO", family: momentum, params: [len("timeperiod", 20.0, 2.0)],
        talib: "DPO (close)",
        new: |p| Dpo::new(p.int(0)) },
    Er { name: "ER", family: momentum, params: [len("timeperiod", 10.0, 2.0)],
        talib: "ER (close)",
        new: |p| Er::new(p.int(0)) },
    Imi { name: "IMI", family: momentum, params: [len("timeperiod", 14.0, 2.0)],
        talib: "IMI (open, close)",
        new: |p| Imi::new(p.int(0)) },
    Qstick { name: "QSTICK", family: momentum, params: [len("timeperiod", 10.0, 1.0)],
        talib: "QSTICK (open, close)",
        new: |p| Qstick::new(p.int(0)) },
    Vhf { name: "VHF", family: momentum, params: [len("timeperiod", 28.0, 2.0)],
        talib: "VHF (close)",
        new: |p| Vhf::new(p.int(0)) },
    Vortex { name: "VORTEX", family: momentum, params: [len("timeperiod", 14.0, 1.0)],
        columns: ["VORTEXplusvi", "VORTEXminusvi"],
        talib: "VORTEX (high, low, close)",
        new: |p| Vortex::new(p.int(0)) },
    Wad { name: "WAD", family: momentum, params: [], talib: "WAD (high, low, close)",
        new: |_p| Wad::new() },
    Coppock { name: "COPPOCK", family: momentum,
        params: [len("wmaperiod", 10.0, 1.0), len("roc1period", 11.0, 1.0),
            len("roc2period", 14.0, 1.0)],
        talib: "COPPOCK (close)",
        new: |p| Coppock::new(p.int(0), p.int(1), p.int(2)) },
    Eri { name: "ERI", family: momentum, params: [len("timeperiod", 13.0, 1.0)],
        columns: ["ERIbullpower", "ERIbearpower"],
        talib: "ERI (high, low, close)",
        new: |p| Eri::new(p.int(0)) },
    Fosc { name: "FOSC", family: momentum, params: [len("timeperiod", 5.0, 2.0)],
        talib: "FOSC (close)",
        new: |p| Fosc::new(p.int(0)) },
    Fractal { name: "FRACTAL", family: momentum,
        params: [len("leftbars", 2.0, 1.0), len("rightbars", 2.0, 1.0)],
        columns: ["FRACTALswinghigh", "FRACTALswinglow"],
        talib: "FRACTAL (high, low; warm-up 0, as TA-Lib's integer outputs)",
        new: |p| Fractal::new(p.int(0), p.int(1)) },
    Smi { name: "SMI", family: momentum,
        params: [int("timeperiod", 13.0, 2.0, 250.0), int("fastperiod", 2.0, 2.0, 250.0),
            int("slowperiod", 25.0, 2.0, 250.0), int("signalperiod", 9.0, 2.0, 250.0)],
        columns: ["SMIsmi", "SMIsmisignal"],
        talib: "SMI (high, low, close)",
        new: |p| Smi::new(p.int(0), p.int(1), p.int(2), p.int(3)) },
    Tsi { name: "TSI", family: momentum,
        params: [len("firstperiod", 25.0, 2.0), len("secondperiod", 13.0, 2.0)],
        talib: "TSI (close)",
        new: |p| Tsi::new(p.int(0), p.int(1)) },
    Apo { name: "APO", family: momentum,
        params: [len("fastperiod", 12.0, 2.0), len("slowperiod", 26.0, 2.0), matype("matype", 1.0)],
        talib: "APO (close; fast and slow swapped when fast > slow, as TA-Lib does)",
        new: |p| Apo::new(p.int(0), p.int(1), p.int(2), false, false) },
    Ppo { name: "PPO", family: momentum,
        params: [len("fastperiod", 12.0, 2.0), len("slowperiod", 26.0, 2.0), matype("matype", 1.0)],
        talib: "PPO (close; fast and slow swapped when fast > slow, as TA-Lib does)",
        new: |p| Ppo::new(p.int(0), p.int(1), p.int(2), true, false) },
    Macdext { name: "MACDEXT", family: momentum,
        params: [len("fastperiod", 12.0, 2.0), matype("fastmatype", 0.0),
            len("slowperiod", 26.0, 2.0), matype("slowmatype", 0.0),
            len("signalperiod", 9.0, 1.0), matype("signalmatype", 0.0)],
        columns: ["MACDEXTmacd", "MACDEXTmacdsignal", "MACDEXTmacdhist"],
        talib: "MACDEXT (close; fast and slow swapped when slow < fast, as TA-Lib does)",
        new: |p| Macdext::new([p.int(0), p.int(1)], [p.int(2), p.int(3)], [p.int(4), p.int(5)]) },
    Stochf { name: "STOCHF", family: momentum,
        params: [len("fastk_period", 5.0, 1.0), len("fastd_period", 3.0, 1.0), matype("fastd_matype", 0.0)],
        columns: ["STOCHFfastk", "STOCHFfastd"],
        talib: "STOCHF (high, low, close)",
        new: |p| Stochf::stochf(p.int(0), [p.int(1), p.int(2)]) },
    Kdj { name: "KDJ", family: momentum,
        params: [len("fastk_period", 9.0, 1.0), len("slowk_period", 3.0, 1.0), matype("slowk_matype", 13.0),
            len("slowd_period", 3.0, 1.0), matype("slowd_matype", 13.0)],
        columns: ["KDJk", "KDJd", "KDJj"],
        talib: "KDJ (high, low, close)",
        new: |p| Kdj::kdj(p.int(0), [p.int(1), p.int(2)], [p.int(3), p.int(4)]) },
    PlusDm { name: "PLUS_DM", family: momentum, params: [len("timeperiod", 14.0, 1.0)],
        talib: "PLUS_DM (high, low)",
        new: |p| PlusDm::new(p.int(0)) },
    MinusDm { name: "MINUS_DM", family: momentum, params: [len("timeperiod", 14.0, 1.0)],
        talib: "MINUS_DM (high, low)",
        new: |p| MinusDm::new(p.int(0)) },
    PlusDi { name: "PLUS_DI", family: momentum, params: [len("timeperiod", 14.0, 1.0)],
        talib: "PLUS_DI (high, low, close)",
        new: |p| PlusDi::new(p.int(0)) },
    MinusDi { name: "MINUS_DI", family: momentum, params: [len("timeperiod", 14.0, 1.0)],
        talib: "MINUS_DI (high, low, close)",
        new: |p| MinusDi::new(p.int(0)) },
}
