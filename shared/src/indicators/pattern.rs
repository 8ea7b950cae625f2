//! The pattern family, TA-Lib's "Pattern Recognition" group: the CDL* candle patterns, -100/0/100 (or ±200) per candle.
//!
//! Its catalogue rows are the `pattern_rows` group below (see `super::registry`).

use super::registry::row_group;

row_group! { $ pattern_rows:
}
