//! The price_transform family, TA-Lib's "Price Transform" group: one price from a candle's OHLC (AVGPRICE, MEDPRICE, ...).
//!
//! Its catalogue rows are the `price_transform_rows` group below (see `super::registry`).

use super::registry::row_group;

row_group! { $ price_transform_rows:
}
