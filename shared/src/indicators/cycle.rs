//! The cycle family: TA-Lib's "Cycle Indicators" (the Hilbert-transform HT_* functions), and the
//! two overlap studies built on the same transform (HT_TRENDLINE, MAMA).
//!
//! Its catalogue rows are the `cycle_rows` group below (see `super::registry`).

use super::registry::row_group;

row_group! { $ cycle_rows:
}
