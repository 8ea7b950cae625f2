//! `declare_indicators!`, which turns the catalogue's one row per indicator
//! (`crate::catalogue`) into every list of indicators: the `Kind` enum, the boxed `State` enum
//! and its dispatch to [`Indicator`](super::Indicator), the `CATALOGUE` of `Def`s and
//! `Spec::new_state`. Nothing else names every indicator.
//!
//! A row, fields in this order (`columns` and `check` optional):
//!
//! ```text
//! Kama {
//!     name: "KAMA",
//!     family: overlap,                  // the module of crate::indicators it lives in
//!     params: [len("length", 10.0, 2.0), int("fast", 2.0, 1.0, 100.0), len("slow", 30.0, 2.0)],
//!     columns: ["KAMA"],                // column prefixes; none: one column named like the id
//!     talib: "KAMA",                    // the TA-Lib function it equals, or the reference
//!     check: less::<1, 2>,              // a cross-param rule beyond each param's range
//!     new: |p| Kama::new(p.int(0), p.int(1), p.int(2)),
//! },
//! ```
//!
//! The variant, the type (`crate::indicators::<family>::<Kind>`) and the family string all
//! come from the row's two identifiers, so a family always names the module its indicators
//! live in; the row's `new` is evaluated with the family module's items in scope. A variant is
//! never renamed: its name is the saved states' encoding (MessagePack writes an enum variant by
//! name, so rows and groups may be reordered).
//!
//! Rows come in groups, each a `macro_rules!` next to its indicators' code (the first group is
//! `crate::catalogue`'s own table), chained by [`row_group!`]: `catalogue.rs` names the chain
//! once, and a new group is one file with one `row_group!` plus one name in that chain.

/// A spec's params as the constructors take them (see [`declare_indicators!`]).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Params<'a>(pub(crate) &'a [f64; MAX_PARAMS]);

/// Most params any indicator has (SAREXT: 8); `crate::catalogue` re-exports it.
pub const MAX_PARAMS: usize = 8;

impl Params<'_> {
    /// Param `i` as an integer (validated integral and in range by the catalogue).
    pub(crate) fn int(self, i: usize) -> usize {
        self.0[i] as usize
    }

    /// Param `i` as a number.
    pub(crate) fn num(self, i: usize) -> f64 {
        self.0[i]
    }
}

macro_rules! declare_indicators {
    // The end of a chain of row groups (see `row_group!`).
    ([] $($rows:tt)*) => {
        $crate::indicators::registry::declare_indicators! { $($rows)* }
    };
    ($(
        $kind:ident {
            name: $name:literal,
            family: $family:ident,
            params: [$($param:expr),* $(,)?],
            $(columns: [$($column:literal),* $(,)?],)?
            talib: $talib:literal,
            $(check: $check:expr,)?
            new: |$p:ident| $new:expr $(,)?
        }
    ),* $(,)?) => {
        /// Which indicator: one variant per catalogue row, in catalogue order.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum Kind {
            $($kind),*
        }

        /// The streaming state of one indicator; dispatch by match keeps it serde-friendly
        /// and allocation-free. Boxed: the enum stays one pointer wide whatever the largest
        /// indicator, so a computer's many states stay dense in memory (the serde encoding
        /// is the inner state's).
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
        pub enum State {
            $($kind(Box<$crate::indicators::$family::$kind>)),*
        }

        impl State {
            /// Commits a closed candle; returns its outputs.
            pub fn update(&mut self, c: &$crate::indicators::Candle) -> $crate::indicators::Outputs {
                use $crate::indicators::Indicator;
                match self {
                    $(State::$kind(s) => s.update(c)),*
                }
            }

            /// What `update` would return if `c` closed now; changes nothing.
            pub fn peek(&self, c: &$crate::indicators::Candle) -> $crate::indicators::Outputs {
                use $crate::indicators::Indicator;
                match self {
                    $(State::$kind(s) => s.peek(c)),*
                }
            }

            /// Leading candles without a (complete) value.
            pub fn lookback(&self) -> usize {
                use $crate::indicators::Indicator;
                match self {
                    $(State::$kind(s) => s.lookback()),*
                }
            }
        }

        /// Every indicator, in [`Kind`] order (`CATALOGUE[kind as usize]` is its row).
        pub const CATALOGUE: &[Def] = &[$(
            Def {
                kind: Kind::$kind,
                name: $name,
                family: stringify!($family),
                params: &[$($param),*],
                columns: &[$($($column),*)?],
                talib: $talib,
                check: $crate::indicators::registry::first!($(Some($check as Check),)? None),
            }
        ),*];

        impl Spec {
            /// A fresh state, before any candle.
            pub fn new_state(&self) -> State {
                match self.kind {
                    $(Kind::$kind => {
                        #[allow(unused_imports)]
                        use $crate::indicators::$family::*;
                        let $p = $crate::indicators::registry::Params(&self.params);
                        State::$kind(Box::new($new))
                    }),*
                }
            }
        }
    };
}

/// Defines one group of catalogue rows as a macro named `$group` that appends its rows to the
/// ones it is given and hands them to the next macro of the chain:
///
/// ```text
/// row_group! { $ math_transform_rows:
///     Acos { name: "ACOS", family: math_transform, params: [], talib: "ACOS", new: |_p| Acos::new() },
/// }
/// ```
///
/// (the leading `$` is how a macro defines a macro on stable Rust), and
/// `first_rows! { [b_rows, declare_indicators] Sma { ... }, ... }` runs the chain.
macro_rules! row_group {
    ($d:tt $group:ident: $($row:tt)*) => {
        macro_rules! $group {
            ([$d next:ident $d(, $d rest:ident)*] $d($d rows:tt)*) => {
                $d next! { [$d($d rest),*] $d($d rows)* $($row)* }
            };
        }
        pub(crate) use $group;
    };
}

/// The first of its arguments: an optional row field, else its default.
macro_rules! first {
    ($first:expr $(, $rest:expr)*) => {
        $first
    };
}

pub(crate) use {declare_indicators, first, row_group};

#[cfg(test)]
mod tests {
    use crate::catalogue::{CATALOGUE, Spec};
    use crate::indicators::Candle;

    /// A deterministic random walk with flat stretches, zero volumes and UTC day changes.
    fn walk(n: usize) -> Vec<Candle> {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut price = 23_450.0;
        (0..n)
            .map(|i| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let r = (x >> 11) as f64 / (1u64 << 53) as f64;
                let open = price;
                let flat = (i / 37) % 4 == 3;
                if !flat {
                    price *= 1.0 + (r - 0.5) * 0.01;
                }
                let (high, low) = if flat {
                    (price, price)
                } else {
                    (open.max(price) * (1.0 + r * 0.002), open.min(price) * 0.999)
                };
                Candle {
                    time: i as i64 * 3_600_000,
                    open,
                    high,
                    low,
                    close: price,
                    volume: if i % 11 == 5 { 0.0 } else { 100.0 + r * 1000.0 },
                }
            })
            .collect()
    }

    // Shows the MessagePack encoding of every state (compact and named) is the one running
    // computers have saved in Redis: a change here means saved states no longer restore.
    #[test]
    fn saved_state_encoding_is_stable() {
        use sha2::Digest;
        let candles = walk(400);
        // The first catalogue's 34 rows, whose states running computers have saved.
        let first = "SMA EMA WMA DEMA TEMA TRIMA KAMA RMA HMA BBANDS PSAR SUPERTREND DONCHIAN RSI \
                     MACD STOCH STOCHRSI WILLR CCI MFI ROC MOM ADX AROON ULTOSC ATR NATR STDDEV \
                     TRANGE OBV AD ADOSC CMF VWAP_D";
        let mut ids: Vec<String> = first.split_whitespace().map(str::to_owned).collect();
        ids.extend(
            [
                "STOCHRSI_14_14_1_3",
                "MACD_5_13_1",
                "DONCHIAN_5_9",
                "HMA_16",
                "KAMA_5_3_20",
                "ULTOSC_28_7_14",
                "CCI_20_0.02",
                "PSAR_0.05_0.1",
                "WMA_3",
                "STOCH_5_1_1",
            ]
            .map(str::to_owned),
        );
        let mut hash = sha2::Sha256::new();
        for id in &ids {
            let spec = Spec::from_id(id).unwrap();
            let mut state = spec.new_state();
            for (t, c) in candles.iter().enumerate() {
                if [0, 1, 7, 33, 120, 399].contains(&t) {
                    hash.update(crate::update::encode(&state));
                    hash.update(crate::update::encode_named(&state));
                }
                state.update(c);
            }
        }
        let hex: String = hash.finalize().iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "827f6211af109dc2c802afd4af77697ec3d3b2fa9aa02f6d31ccdb8aa2ed1bea"
        );
    }

    // Shows every row's `Def` sits at its kind's index (what `Spec::def` relies on) and names
    // a family module, and that the fast < slow checks come from the rows.
    #[test]
    fn rows_are_in_kind_order() {
        for (i, def) in CATALOGUE.iter().enumerate() {
            assert_eq!(def.kind as usize, i, "{}", def.name);
            assert!(
                [
                    "overlap",
                    "momentum",
                    "volatility",
                    "volume",
                    "statistic",
                    "math_transform",
                    "math_operators",
                    "price_transform",
                    "pattern",
                    "cycle",
                ]
                .contains(&def.family),
                "{}",
                def.name
            );
        }
        let e = Spec::from_id("KAMA_10_30_30").unwrap_err();
        assert_eq!(e.to_string(), "KAMA.fast must be less than KAMA.slow");
        assert!(Spec::from_id("KAMA_10_29_30").is_ok());
    }
}
