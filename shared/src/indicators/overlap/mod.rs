//! The overlap family (TA-Lib's "Overlap Studies"): moving averages and bands drawn on the
//! price's own scale.

mod bands;
mod ma;
mod sar;
mod trima_kama;
mod wma;

pub use bands::{Bbands, Donchian, Supertrend};
pub use ma::{Dema, Ema, Rma, Sma, Tema};
pub use sar::{Psar, Sar};
pub use trima_kama::{Kama, Trima};
pub use wma::{Hma, Wma};

// Catalogue rows of the TA-Lib overlap studies beyond the first catalogue (the first ones are in `crate::catalogue`'s own table).
super::registry::row_group! { $ overlap_rows:
}
