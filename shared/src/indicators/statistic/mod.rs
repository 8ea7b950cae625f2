//! The statistic family, TA-Lib's "Statistic Functions" group: regressions, correlation, variance, percentiles over a window.
//!
//! Its catalogue rows are the `statistic_rows` group below (see `super::registry`).

use super::registry::row_group;

row_group! { $ statistic_rows:
}
