//! The math_transform family, TA-Lib's "Math Transform" group: a function of the close per
//! candle (ACOS ... TANH), with no warm-up and no state.
//!
//! Each equals TA-Lib 0.8.1's `TA_<NAME>`, which applies the C library's function to
//! `inReal[i]`: Rust's `f64` methods call the same libm (sqrt, ceil and floor are exact), so
//! the values are bit-identical, NaN outside a function's domain (ACOS and ASIN of
//! `|close| > 1`, LN, LOG10 and SQRT of negative closes) and infinities kept with their sign
//! (EXP, COSH and SINH of large closes, LN and LOG10 of 0).
//!
//! Its catalogue rows are the `math_transform_rows` group below (see `super::registry`).

use super::blocks::one;
use super::registry::row_group;
use super::{Candle, Indicator, Outputs};
use serde::{Deserialize, Serialize};

/// One stateless indicator per TA-Lib function: `$name(close)` via `f64::$f`.
macro_rules! transform {
    ($($kind:ident: $f:ident, $doc:literal;)*) => {$(
        #[doc = $doc]
        #[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
        pub struct $kind {}

        impl $kind {
            pub fn new() -> Self {
                Self {}
            }
        }

        impl Indicator for $kind {
            type Next = ();

            fn step(&self, c: &Candle) -> (Outputs, ()) {
                (one(c.close.$f()), ())
            }

            fn advance(&mut self, _c: &Candle, (): ()) {}

            fn lookback(&self) -> usize {
                0
            }
        }
    )*};
}

transform! {
    Acos: acos, "`acos(close)`: TA-Lib `TA_ACOS` (NaN outside [-1, 1]).";
    Asin: asin, "`asin(close)`: TA-Lib `TA_ASIN` (NaN outside [-1, 1]).";
    Atan: atan, "`atan(close)`: TA-Lib `TA_ATAN`.";
    Ceil: ceil, "`ceil(close)`: TA-Lib `TA_CEIL`.";
    Cos: cos, "`cos(close)`: TA-Lib `TA_COS`.";
    Cosh: cosh, "`cosh(close)`: TA-Lib `TA_COSH` (+inf beyond about 710 in magnitude).";
    Exp: exp, "`exp(close)`: TA-Lib `TA_EXP` (+inf beyond about 709.78).";
    Floor: floor, "`floor(close)`: TA-Lib `TA_FLOOR`.";
    Ln: ln, "`ln(close)`: TA-Lib `TA_LN` (-inf at 0, NaN below).";
    Log10: log10, "`log10(close)`: TA-Lib `TA_LOG10` (-inf at 0, NaN below).";
    Sin: sin, "`sin(close)`: TA-Lib `TA_SIN`.";
    Sinh: sinh, "`sinh(close)`: TA-Lib `TA_SINH` (infinite, with the close's sign, beyond about 710).";
    Sqrt: sqrt, "`sqrt(close)`: TA-Lib `TA_SQRT` (NaN below 0).";
    Tan: tan, "`tan(close)`: TA-Lib `TA_TAN`.";
    Tanh: tanh, "`tanh(close)`: TA-Lib `TA_TANH`.";
}

row_group! { $ math_transform_rows:
    Acos { name: "ACOS", family: math_transform, params: [], talib: "ACOS", new: |_p| Acos::new() },
    Asin { name: "ASIN", family: math_transform, params: [], talib: "ASIN", new: |_p| Asin::new() },
    Atan { name: "ATAN", family: math_transform, params: [], talib: "ATAN", new: |_p| Atan::new() },
    Ceil { name: "CEIL", family: math_transform, params: [], talib: "CEIL", new: |_p| Ceil::new() },
    Cos { name: "COS", family: math_transform, params: [], talib: "COS", new: |_p| Cos::new() },
    Cosh { name: "COSH", family: math_transform, params: [], talib: "COSH", new: |_p| Cosh::new() },
    Exp { name: "EXP", family: math_transform, params: [], talib: "EXP", new: |_p| Exp::new() },
    Floor { name: "FLOOR", family: math_transform, params: [], talib: "FLOOR", new: |_p| Floor::new() },
    Ln { name: "LN", family: math_transform, params: [], talib: "LN", new: |_p| Ln::new() },
    Log10 { name: "LOG10", family: math_transform, params: [], talib: "LOG10", new: |_p| Log10::new() },
    Sin { name: "SIN", family: math_transform, params: [], talib: "SIN", new: |_p| Sin::new() },
    Sinh { name: "SINH", family: math_transform, params: [], talib: "SINH", new: |_p| Sinh::new() },
    Sqrt { name: "SQRT", family: math_transform, params: [], talib: "SQRT", new: |_p| Sqrt::new() },
    Tan { name: "TAN", family: math_transform, params: [], talib: "TAN", new: |_p| Tan::new() },
    Tanh { name: "TANH", family: math_transform, params: [], talib: "TANH", new: |_p| Tanh::new() },
}
