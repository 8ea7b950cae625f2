//! The math_operators family, TA-Lib's "Math Operators" group: arithmetic of two inputs, and rolling sums, extremes and their indexes.
//!
//! Its catalogue rows are the `math_operators_rows` group below (see `super::registry`).

use super::registry::row_group;

row_group! { $ math_operators_rows:
}
