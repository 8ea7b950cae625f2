//! The overlap family (TA-Lib's "Overlap Studies"): moving averages and bands drawn on the
//! price's own scale.

mod accbands_kc;
mod bands;
mod ma;
mod ma_type;
mod mid;
mod sar;
mod sarext;
mod t3;
mod trima_kama;
mod wma;
mod zlema_vwma;

pub use accbands_kc::{Accbands, Kc};
pub use bands::{Bbands, Donchian, Supertrend};
pub use ma::{Dema, Ema, Rma, Sma, Tema};
pub use ma_type::{Ma, MaNext, MaType};
pub use mid::{Midpoint, Midprice};
pub use sar::{Psar, Sar};
pub use sarext::Sarext;
pub use t3::T3;
pub use trima_kama::{Kama, Trima};
pub use wma::{Hma, Wma};
pub use zlema_vwma::{Vwma, Zlema};

// Catalogue rows of the TA-Lib overlap studies beyond the first catalogue (the first ones are in `crate::catalogue`'s own table).
super::registry::row_group! { $ overlap_rows:
    Midpoint { name: "MIDPOINT", family: overlap, params: [len("timeperiod", 14.0, 2.0)],
        talib: "MIDPOINT",
        new: |p| Midpoint::new(p.int(0)) },
    Midprice { name: "MIDPRICE", family: overlap, params: [len("timeperiod", 14.0, 2.0)],
        talib: "MIDPRICE",
        new: |p| Midprice::new(p.int(0)) },
    T3 { name: "T3", family: overlap,
        params: [int("timeperiod", 5.0, 1.0, 167.0), float("vfactor", 0.7, 0.0, 1.0)],
        talib: "T3",
        new: |p| T3::new(p.int(0), p.num(1)) },
    Zlema { name: "ZLEMA", family: overlap, params: [len("timeperiod", 30.0, 1.0)],
        talib: "ZLEMA",
        new: |p| Zlema::new(p.int(0)) },
    Vwma { name: "VWMA", family: overlap, params: [len("timeperiod", 30.0, 1.0)],
        talib: "VWMA",
        new: |p| Vwma::new(p.int(0)) },
    Accbands { name: "ACCBANDS", family: overlap, params: [len("timeperiod", 20.0, 2.0)],
        columns: ["ACCBANDSupperband", "ACCBANDSmiddleband", "ACCBANDSlowerband"],
        talib: "ACCBANDS",
        new: |p| Accbands::new(p.int(0)) },
    Kc { name: "KC", family: overlap,
        params: [len("timeperiod", 20.0, 2.0), len("atrperiod", 10.0, 1.0),
            float("nbdev", 2.0, -3e37, 3e37)],
        columns: ["KCupperband", "KCmiddleband", "KClowerband"],
        talib: "KC",
        new: |p| Kc::new(p.int(0), p.int(1), p.num(2)) },
    Ma { name: "MA", family: overlap, params: [len("timeperiod", 30.0, 1.0), matype("matype", 0.0)],
        talib: "MA (close; period 1 is the input, MAMA is MAMA(0.5, 0.05)'s mama whatever the period)",
        new: |p| Ma::new(p.int(0), p.int(1)) },
    Sarext { name: "SAREXT", family: overlap,
        params: [float("startvalue", 0.0, -3e37, 3e37), float("offsetonreverse", 0.0, 0.0, 3e37),
            float("accelerationinitlong", 0.02, 0.0, 3e37), float("accelerationlong", 0.02, 0.0, 3e37),
            float("accelerationmaxlong", 0.2, 0.0, 3e37), float("accelerationinitshort", 0.02, 0.0, 3e37),
            float("accelerationshort", 0.02, 0.0, 3e37), float("accelerationmaxshort", 0.2, 0.0, 3e37)],
        talib: "SAREXT (high, low; negative while short, as TA-Lib)",
        new: |p| Sarext::new([p.num(0), p.num(1), p.num(2), p.num(3), p.num(4), p.num(5), p.num(6), p.num(7)]) },
}
