//! The math_transform family, TA-Lib's "Math Transform" group: a function of one input per
//! candle (ACOS ... TANH).
//!
//! Its catalogue rows are the `math_transform_rows` group below (see `super::registry`).

use super::registry::row_group;

row_group! { $ math_transform_rows:
}
