//! Building blocks the indicators share, each bit-identical to the TA-Lib 0.8.1 code it
//! replicates. An indicator holds blocks as fields, so a block's serde layout is part of every
//! saved state that contains it: a block never changes its fields.
//!
//! - [`Ring`]: the last `n` values of a series by absolute index;
//! - [`Extreme`]: the one monotonic rolling lowest/highest (amortized O(1));
//! - [`RollingSma`]: TA-Lib's running-total SMA over any series;
//! - [`Lagged`]: the value `n` steps back;
//! - [`RollingVariance`]: TA-Lib's shifted-data rolling variance;
//! - [`wilder`], [`ema`]: the smoothing recurrences, in each floating-point form TA-Lib uses;
//! - [`true_range`], [`typical_price`], [`near_zero`]: per-candle formulas.

mod extreme;
mod variance;
mod window;

pub(crate) use extreme::{Extreme, LegacyExtreme};
pub(crate) use variance::{RollingVariance, VarianceNext};
pub(crate) use window::{Lagged, Ring, RollingSma};

use super::{Candle, NONE, Outputs};

/// Outputs with one column (`NaN` stays null).
pub(crate) fn one(value: f64) -> Outputs {
    let mut out = NONE;
    out[0] = value;
    out
}

/// TA-Lib 0.8.1's `TA_IS_ZERO_SCALED(v, scale)` epsilon: `v` counts as zero when
/// `|v| <= 1e-14 * scale` (older sources test against a fixed band, which zeroes instruments
/// quoted in tiny units).
pub(crate) const SCALED_EPSILON: f64 = 1e-14;

/// `TA_IS_ZERO_SCALED(v, scale)`, the product ordered `scale * 1e-14` as in C.
pub(crate) fn near_zero(v: f64, scale: f64) -> bool {
    scale * SCALED_EPSILON >= v.abs()
}

/// TA-Lib's true range of a bar given the previous close:
/// `max(high - low, |prev_close - high|, |prev_close - low|)`.
pub(crate) fn true_range(c: &Candle, prev_close: f64) -> f64 {
    let range = c.high - c.low;
    let up = (prev_close - c.high).abs();
    let down = (prev_close - c.low).abs();
    range.max(up).max(down)
}

/// The typical price `(high + low + close) / 3`, summed left to right as TA-Lib does.
pub(crate) fn typical_price(c: &Candle) -> f64 {
    (c.high + c.low + c.close) / 3.0
}

/// One EMA step `prev + (x - prev) * k` as TA-Lib 0.8.x computes it: fused into one
/// correctly-rounded `fma(x - prev, k, prev)` (its "FMA numerical contract", PR #96), which
/// `f64::mul_add` is too. Used by EMA, DEMA, TEMA and MACD (ADOSC and KAMA fuse differently).
pub(crate) fn ema(prev: f64, x: f64, k: f64) -> f64 {
    (x - prev).mul_add(k, prev)
}

/// Wilder's smoothing, `prev + (x - prev) / n`, in the floating-point forms TA-Lib 0.8.1 uses
/// (each indicator keeps its own: they round differently). All seed with the in-order sum of
/// the first `n` inputs.
pub(crate) mod wilder {
    /// RSI's averages: `(prev * (n - 1) + x) * (1 / n)`, the reciprocal hoisted as in C.
    pub(crate) fn rsi(prev: f64, x: f64, n_minus_1: f64, inv: f64) -> f64 {
        (prev * n_minus_1 + x) * inv
    }

    /// ATR's FMA build: `fma(prev, decay, x * weight)` with `decay = (n - 1) / n` and
    /// `weight = 1 - decay`, both computed once.
    pub(crate) fn atr(prev: f64, x: f64, decay: f64, weight: f64) -> f64 {
        prev.mul_add(decay, x * weight)
    }

    /// ADX's running sums (not averages) of the true range: `prev - prev / n + x`.
    pub(crate) fn sum(prev: f64, x: f64, n: f64) -> f64 {
        prev - prev / n + x
    }

    /// ADX's average of the DX: `(prev * (n - 1) + x) / n`.
    pub(crate) fn average(prev: f64, x: f64, n_minus_1: f64, n: f64) -> f64 {
        (prev * n_minus_1 + x) / n
    }
}

/// Panics unless `period` is in `min..=100_000`: the constructors' guard against a caller
/// that skipped the catalogue's validation (which has tighter ranges).
pub(crate) fn check_period(what: &str, period: usize, min: usize) {
    assert!(
        (min..=100_000).contains(&period),
        "{what} must be in [{min}, 100000]"
    );
}
