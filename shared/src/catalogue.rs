//! The indicator catalogue: names, params with defaults and ranges, ids and output columns.
//!
//! Ids follow pandas-ta: `NAME_param1_param2...` (`RSI_14`, `MACD_12_26_9`, `BBANDS_20_2.0`).
//! Output columns are pandas-ta's (`MACDh_12_26_9`, `BBL_20_2.0`, `ATRr_14`, ...). Defaults are
//! pandas-ta's. Values follow TA-Lib C 0.8.1 where it has the indicator (see `talib` of each
//! entry and docs/indicators.md for the mapping). The table below is the single source:
//! `Kind`, `State`, `CATALOGUE`, the constructors and therefore parsing, validation, ids,
//! columns and the documentation's catalogue all come from it. Adding an indicator is one row
//! here plus its type in its family's module of `crate::indicators` (the row grammar is in
//! `crate::indicators::registry`).
//!
//! Params (`catalogue::params`): at most [`MAX_PARAMS`] per row. A param marked `elided`
//! (one added to an existing row, like BBANDS' `matype`) is left out of the id and the columns
//! while it and every param after it are at their default, so old ids stay canonical
//! (`BBANDS_20_2.0`; `BBANDS_20_2.0_1` is its EMA variant); ids may always leave out trailing
//! params, which then default. A `follows` param defaults to another one's value (BBANDS'
//! `nbdevdn` is `std` unless given). A `matype` param takes TA-Lib's `MA_Type` values
//! [`MA_TYPES`] (0-9, 12, 13; 10 and 11 are refused by name).
//!
//! TA-Lib's names: a param may also be given by TA-Lib's name for it (`timeperiod` for our
//! `length`). A request that names any param by a TA-Lib-only name (such a TA-Lib name, or
//! a param added from TA-Lib to a pandas-ta row: `matype`, `nbdevdn`, `slowk_matype`...)
//! asks for TA-Lib's function: the params it leaves out take TA-Lib's default where ours
//! differs (`talib_default`: BBANDS timeperiod 20, STOCH fastk_period 5, STOCHRSI
//! fastk_period 5 and k 1, so `{"timeperiod": 14}` is TA-Lib's `STOCHRSI(14, 5, 3, 0)`, id
//! `STOCHRSI_5_14_1_3`); requests in our names keep pandas-ta's defaults. Rows TA-Lib
//! brought (MA, APO, MACDEXT...) use TA-Lib's names and defaults only.

use crate::indicators::cycle::cycle_rows;
use crate::indicators::math_operators::math_operators_rows;
use crate::indicators::math_transform::math_transform_rows;
use crate::indicators::momentum::momentum_rows;
use crate::indicators::overlap::overlap_rows;
use crate::indicators::pattern::pattern_rows;
use crate::indicators::price_transform::price_transform_rows;
use crate::indicators::registry::declare_indicators;
use crate::indicators::statistic::statistic_rows;
use crate::indicators::volatility::volatility_rows;
use crate::indicators::volume::volume_rows;
use crate::indicators::{Candle, NONE, Outputs};
use serde::{Deserialize, Serialize};

mod params;
pub use params::{Check, Def, MA_TYPES, MAX_PARAMS, ParamDef, Values};
pub(crate) use params::{
    apply_follows, check_param, float, format_param, int, len, less, matype, shown,
};

/// Upper bound on length-like params: the computer keeps 1,000 candles by default, and every
/// warm-up must fit in that history (TEMA and STOCHRSI have lower bounds for that reason).
pub const MAX_LENGTH: f64 = 500.0;

/// Longest warm-up (lookback) a spec may need: its first value must come within the 1,000
/// closed candles a computer keeps by default. The per-param bounds keep most rows inside it;
/// this catches the combinations they cannot (a T3 or TEMA moving average of a long period
/// inside MA, MACDEXT, KDJ, ...).
pub const MAX_LOOKBACK: usize = 999;

// The first 34 rows, then each family's group of further rows (see `indicators::registry`).
overlap_rows! {
    [momentum_rows, volatility_rows, volume_rows, statistic_rows, math_transform_rows,
     math_operators_rows, price_transform_rows, pattern_rows, cycle_rows, declare_indicators]
    // overlap
    Sma { name: "SMA", family: overlap, params: [len("length", 10.0, 2.0).or(&["timeperiod"])], talib: "SMA",
        new: |p| Sma::new(p.int(0)) },
    Ema { name: "EMA", family: overlap, params: [len("length", 10.0, 2.0).or(&["timeperiod"])], talib: "EMA",
        new: |p| Ema::new(p.int(0)) },
    Wma { name: "WMA", family: overlap, params: [len("length", 10.0, 2.0).or(&["timeperiod"])], talib: "WMA",
        new: |p| Wma::new(p.int(0)) },
    Dema { name: "DEMA", family: overlap, params: [len("length", 10.0, 2.0).or(&["timeperiod"])], talib: "DEMA",
        new: |p| Dema::new(p.int(0)) },
    Tema { name: "TEMA", family: overlap, params: [int("length", 10.0, 2.0, 300.0).or(&["timeperiod"])],
        talib: "TEMA",
        new: |p| Tema::new(p.int(0)) },
    Trima { name: "TRIMA", family: overlap, params: [len("length", 10.0, 2.0).or(&["timeperiod"])], talib: "TRIMA",
        new: |p| Trima::new(p.int(0)) },
    Kama { name: "KAMA", family: overlap,
        params: [len("length", 10.0, 2.0).or(&["timeperiod"]), int("fast", 2.0, 1.0, 100.0), len("slow", 30.0, 2.0)],
        talib: "KAMA (TA-Lib fixes fast 2, slow 30; other values use the same arithmetic)",
        check: less::<1, 2>,
        new: |p| Kama::new(p.int(0), p.int(1), p.int(2)) },
    Rma { name: "RMA", family: overlap, params: [len("length", 10.0, 1.0)],
        talib: "RMA (timeperiod = length)",
        new: |p| Rma::new(p.int(0)) },
    Hma { name: "HMA", family: overlap, params: [len("length", 10.0, 2.0)],
        talib: "HMA (timeperiod = length)",
        new: |p| Hma::new(p.int(0)) },
    Bbands { name: "BBANDS", family: overlap,
        params: [
            len("length", 5.0, 2.0).or(&["timeperiod"]).talib_default(20.0),
            float("std", 2.0, 0.1, 10.0).or(&["nbdevup"]),
            matype("matype", 0.0).elided(),
            float("nbdevdn", 2.0, 0.0, 10.0).elided().follows(1),
        ],
        columns: ["BBL", "BBM", "BBU", "BBB", "BBP"],
        talib: "BBANDS (nbdevup = std, nbdevdn = std unless given, matype SMA unless given); BBB, BBP as pandas-ta",
        new: |p| Bbands::new(p.int(0), p.num(1)).with_talib(p.num(3), p.int(2)) },
    Psar { name: "PSAR", family: overlap,
        params: [
            float("af", 0.02, 0.001, 1.0).or(&["acceleration"]),
            float("max_af", 0.2, 0.001, 1.0).or(&["maximum"]),
        ],
        columns: ["PSARl", "PSARs", "PSARaf", "PSARr"],
        talib: "SAR (acceleration = af0 = af, maximum = max_af), split into pandas-ta's columns",
        new: |p| Psar::new(p.num(0), p.num(1)) },
    Sar { name: "SAR", family: overlap,
        params: [float("acceleration", 0.02, 0.001, 1.0), float("maximum", 0.2, 0.001, 1.0)],
        talib: "SAR (PSAR's PSARl where long, PSARs where short, as one series)",
        new: |p| Sar::new(p.num(0), p.num(1)) },
    Supertrend { name: "SUPERTREND", family: overlap,
        params: [len("length", 7.0, 2.0), float("multiplier", 3.0, 0.1, 10.0)],
        columns: ["SUPERT", "SUPERTd", "SUPERTl", "SUPERTs"],
        talib: "SUPERTREND (timeperiod = length); SUPERTl, SUPERTs: SUPERT by trend",
        new: |p| Supertrend::new(p.int(0), p.num(1)) },
    Donchian { name: "DONCHIAN", family: overlap,
        params: [len("lower_length", 20.0, 2.0), len("upper_length", 20.0, 2.0)],
        columns: ["DCL", "DCM", "DCU"],
        talib: "DONCHIAN: lower_length's lowerband, upper_length's upperband, their mean",
        new: |p| Donchian::new(p.int(0), p.int(1)) },
    // momentum
    Rsi { name: "RSI", family: momentum, params: [len("length", 14.0, 2.0).or(&["timeperiod"])], talib: "RSI",
        new: |p| Rsi::new(p.int(0)) },
    Macd { name: "MACD", family: momentum,
        params: [len("fast", 12.0, 2.0).or(&["fastperiod"]), len("slow", 26.0, 2.0).or(&["slowperiod"]),
            len("signal", 9.0, 1.0).or(&["signalperiod"])],
        columns: ["MACD", "MACDh", "MACDs"],
        talib: "MACD",
        check: less::<0, 1>,
        new: |p| Macd::new(p.int(0), p.int(1), p.int(2)) },
    Stoch { name: "STOCH", family: momentum,
        params: [len("k", 14.0, 1.0).or(&["fastk_period"]).talib_default(5.0),
            len("d", 3.0, 1.0).or(&["slowd_period"]),
            len("smooth_k", 3.0, 1.0).or(&["slowk_period"]),
            matype("slowk_matype", 0.0).elided(), matype("slowd_matype", 0.0).elided()],
        columns: ["STOCHk", "STOCHd"],
        talib: "STOCH (fastk = k, slowk = smooth_k, slowd = d, matypes SMA unless given)",
        new: |p| Stoch::new(p.int(0), p.int(1), p.int(2)).with_matypes(p.int(3), p.int(4)) },
    StochRsi { name: "STOCHRSI", family: momentum,
        params: [
            int("length", 14.0, 1.0, 250.0).or(&["fastk_period"]).talib_default(5.0),
            int("rsi_length", 14.0, 2.0, 250.0).or(&["timeperiod"]),
            int("k", 3.0, 1.0, 250.0).talib_default(1.0),
            int("d", 3.0, 1.0, 250.0).or(&["fastd_period"]),
            matype("fastd_matype", 0.0).elided(),
        ],
        columns: ["STOCHRSIk", "STOCHRSId"],
        talib: "STOCH over TA-Lib RSI (k = 1 is TA-Lib STOCHRSI, the default with TA-Lib's names)",
        new: |p| StochRsi::new(p.int(0), p.int(1), p.int(2), p.int(3)).with_matype(p.int(4)) },
    Willr { name: "WILLR", family: momentum, params: [len("length", 14.0, 2.0).or(&["timeperiod"])], talib: "WILLR",
        new: |p| Willr::new(p.int(0)) },
    Cci { name: "CCI", family: momentum,
        params: [len("length", 14.0, 2.0).or(&["timeperiod"]), float("c", 0.015, 0.001, 1.0)],
        talib: "CCI (TA-Lib fixes c = 0.015; other c scale it by 0.015 / c)",
        new: |p| Cci::new(p.int(0), p.num(1)) },
    Mfi { name: "MFI", family: momentum, params: [len("length", 14.0, 2.0).or(&["timeperiod"])], talib: "MFI",
        new: |p| Mfi::new(p.int(0)) },
    Roc { name: "ROC", family: momentum, params: [len("length", 10.0, 1.0).or(&["timeperiod"])], talib: "ROC",
        new: |p| Roc::new(p.int(0)) },
    Mom { name: "MOM", family: momentum, params: [len("length", 10.0, 1.0).or(&["timeperiod"])], talib: "MOM",
        new: |p| Mom::new(p.int(0)) },
    Adx { name: "ADX", family: momentum, params: [len("length", 14.0, 2.0).or(&["timeperiod"])],
        columns: ["ADX", "DMP", "DMN"],
        talib: "ADX, PLUS_DI, MINUS_DI",
        new: |p| Adx::new(p.int(0)) },
    Aroon { name: "AROON", family: momentum, params: [len("length", 14.0, 2.0).or(&["timeperiod"])],
        columns: ["AROOND", "AROONU", "AROONOSC"],
        talib: "AROON, AROONOSC",
        new: |p| Aroon::new(p.int(0)) },
    Ultosc { name: "ULTOSC", family: momentum,
        params: [len("fast", 7.0, 1.0).or(&["timeperiod1"]), len("medium", 14.0, 1.0).or(&["timeperiod2"]),
            len("slow", 28.0, 1.0).or(&["timeperiod3"])],
        columns: ["UO"],
        talib: "ULTOSC (weights 4/2/1, periods sorted as TA-Lib does)",
        new: |p| Ultosc::new(p.int(0), p.int(1), p.int(2)) },
    // volatility
    Atr { name: "ATR", family: volatility, params: [len("length", 14.0, 2.0).or(&["timeperiod"])],
        columns: ["ATRr"],
        talib: "ATR",
        new: |p| Atr::new(p.int(0)) },
    Natr { name: "NATR", family: volatility, params: [len("length", 14.0, 2.0).or(&["timeperiod"])],
        talib: "NATR",
        new: |p| Natr::new(p.int(0)) },
    Stddev { name: "STDDEV", family: volatility, params: [len("length", 30.0, 2.0).or(&["timeperiod"])],
        columns: ["STDEV"],
        talib: "STDDEV (nbdev 1, population)",
        new: |p| Stddev::new(p.int(0)) },
    Trange { name: "TRANGE", family: volatility, params: [int("drift", 1.0, 1.0, 1.0)],
        columns: ["TRUERANGE"],
        talib: "TRANGE",
        new: |_p| Trange::new() },
    // volume
    Obv { name: "OBV", family: volume, params: [], talib: "OBV", new: |_p| Obv::new() },
    Ad { name: "AD", family: volume, params: [], talib: "AD", new: |_p| Ad::new() },
    Adosc { name: "ADOSC", family: volume,
        params: [len("fast", 3.0, 2.0).or(&["fastperiod"]), len("slow", 10.0, 2.0).or(&["slowperiod"])],
        talib: "ADOSC",
        new: |p| Adosc::new(p.int(0), p.int(1)) },
    Cmf { name: "CMF", family: volume, params: [len("length", 20.0, 2.0)],
        talib: "CMF",
        new: |p| Cmf::new(p.int(0)) },
    Vwap { name: "VWAP_D", family: volume, params: [],
        talib: "none: pandas-ta vwap anchored to each UTC day, typical price (h+l+c)/3",
        new: |_p| Vwap::new() },
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CatalogueError {
    #[error("unknown indicator {0:?}")]
    Unknown(String),
    #[error("{0}")]
    InvalidParams(String),
}

/// One concrete indicator: kind plus params (in the order of its `ParamDef`s).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Spec {
    pub kind: Kind,
    pub params: Values,
}

fn def_by_name(name: &str) -> Result<&'static Def, CatalogueError> {
    CATALOGUE
        .iter()
        .find(|d| d.name.eq_ignore_ascii_case(name))
        .ok_or_else(|| CatalogueError::Unknown(name.chars().take(40).collect()))
}

impl Spec {
    /// The catalogue row of this spec's kind.
    pub fn def(&self) -> &'static Def {
        &CATALOGUE[self.kind as usize]
    }

    /// From a protocol `{"name": .., "params": {..}}`; omitted params take their defaults.
    pub fn from_name_params(
        name: &str,
        params: Option<&serde_json::Map<String, serde_json::Value>>,
    ) -> Result<Spec, CatalogueError> {
        let def = def_by_name(name)?;
        // A request naming any param by a TA-Lib-only name asks for TA-Lib's function: the
        // params it leaves out take TA-Lib's defaults.
        let talib =
            params.is_some_and(|m| m.keys().any(|k| def.params.iter().any(|p| p.talib_only(k))));
        let mut values = [0.0; MAX_PARAMS];
        for (i, p) in def.params.iter().enumerate() {
            values[i] = match p.talib_default {
                Some(v) if talib => v,
                _ => p.default,
            };
        }
        if let Some(params) = params {
            let mut given: [Option<&str>; MAX_PARAMS] = [None; MAX_PARAMS];
            for (key, value) in params {
                let Some(i) = def.params.iter().position(|p| p.named(key)) else {
                    let known: Vec<_> = def.params.iter().map(|p| p.name).collect();
                    return Err(CatalogueError::InvalidParams(format!(
                        "{} has no param {:?}; its params are {}",
                        def.name,
                        key.chars().take(40).collect::<String>(),
                        known.join(", ")
                    )));
                };
                let v = value.as_f64().ok_or_else(|| {
                    CatalogueError::InvalidParams(format!("{}.{} must be a number", def.name, key))
                })?;
                if let Some(first) = given[i]
                    && values[i] != v
                {
                    return Err(CatalogueError::InvalidParams(format!(
                        "{}.{first} and {}.{key} name one param and must be equal",
                        def.name, def.name
                    )));
                }
                given[i] = Some(key);
                values[i] = v;
            }
            apply_follows(def, &mut values, |i| given[i].is_some());
        } else {
            apply_follows(def, &mut values, |_| false);
        }
        Self::validated(def, values)
    }

    /// From an id such as `RSI_14`, `BBANDS_20_2` or `MACD` (missing trailing params default).
    pub fn from_id(id: &str) -> Result<Spec, CatalogueError> {
        // Names may hold `_` themselves (`LINEARREG_SLOPE_14`): the longest name the id starts
        // with, followed by `_` or nothing, is the one meant.
        let def = CATALOGUE
            .iter()
            .filter(|d| {
                let n = d.name.len();
                id.len() >= n
                    && id.is_char_boundary(n)
                    && id[..n].eq_ignore_ascii_case(d.name)
                    && (id.len() == n || id.as_bytes()[n] == b'_')
            })
            .max_by_key(|d| d.name.len())
            .map_or_else(|| def_by_name(id.split('_').next().unwrap_or_default()), Ok)?;
        let mut values = [0.0; MAX_PARAMS];
        for (i, p) in def.params.iter().enumerate() {
            values[i] = p.default;
        }
        let tokens: Vec<&str> = match id.get(def.name.len() + 1..) {
            Some(rest) => rest.split('_').collect(),
            None => Vec::new(),
        };
        let shown = tokens.len();
        for (i, token) in tokens.into_iter().enumerate() {
            let Some(p) = def.params.get(i) else {
                return Err(CatalogueError::InvalidParams(format!(
                    "{} takes {} params; {:?} has more",
                    def.name,
                    def.params.len(),
                    id.chars().take(60).collect::<String>()
                )));
            };
            values[i] = token.parse::<f64>().map_err(|_| {
                CatalogueError::InvalidParams(format!("{}.{} must be a number", def.name, p.name))
            })?;
        }
        apply_follows(def, &mut values, |i| i < shown);
        Self::validated(def, values)
    }

    fn validated(def: &'static Def, values: Values) -> Result<Spec, CatalogueError> {
        for (p, &v) in def.params.iter().zip(&values) {
            check_param(def, p, v)?;
        }
        if let Some(check) = def.check {
            check(def, &values)?;
        }
        let spec = Spec {
            kind: def.kind,
            params: values,
        };
        let lookback = spec.new_state().lookback();
        if lookback > MAX_LOOKBACK {
            return Err(CatalogueError::InvalidParams(format!(
                "{} with these params needs {lookback} candles before its first value; at most \
                 {MAX_LOOKBACK} (a computer keeps 1,000 closed candles): use shorter periods",
                def.name
            )));
        }
        Ok(spec)
    }

    /// The params part of ids and columns: `_p1_p2...` (elided params left out).
    fn suffix(&self, out: &mut String) {
        let def = self.def();
        let n = shown(def, &self.params);
        for (p, &v) in def.params.iter().zip(&self.params).take(n) {
            out.push('_');
            format_param(p, v, out);
        }
    }

    /// Canonical id, e.g. `BBANDS_20_2.0`.
    pub fn id(&self) -> String {
        let mut s = self.def().name.to_owned();
        self.suffix(&mut s);
        s
    }

    /// Output column names in output order (pandas-ta names).
    pub fn columns(&self) -> Vec<String> {
        let def = self.def();
        if def.columns.is_empty() {
            return vec![self.id()];
        }
        def.columns
            .iter()
            .map(|prefix| {
                let mut s = (*prefix).to_owned();
                self.suffix(&mut s);
                s
            })
            .collect()
    }

    /// A new state fed every candle of `history` in order (oldest first), and the outputs
    /// of the last one (`NONE` for an empty history): what a computer or a gateway does when
    /// an indicator becomes watched.
    pub fn warm(&self, history: &[Candle]) -> (State, Outputs) {
        let mut state = self.new_state();
        let mut last = NONE;
        for c in history {
            last = state.update(c);
        }
        (state, last)
    }
}

/// Outputs as the protocol shows them: a number (or null) for single-output indicators, an
/// object keyed by column for multi-output ones.
///
/// JSON has no infinity: where TA-Lib gives one (EXP of a large price, a division by zero) the
/// value is the string `"Infinity"` or `"-Infinity"`, which JavaScript's `Number()` and Python's
/// `float()` read back as the infinity.
pub fn outputs_json(columns: &[String], out: &Outputs) -> serde_json::Value {
    let num = |v: f64| match serde_json::Number::from_f64(v) {
        Some(n) => serde_json::Value::Number(n),
        None if v == f64::INFINITY => serde_json::Value::from("Infinity"),
        None if v == f64::NEG_INFINITY => serde_json::Value::from("-Infinity"),
        None => serde_json::Value::Null,
    };
    if columns.len() == 1 || out[..columns.len()].iter().all(|v| v.is_nan()) {
        // A single number, or null during warm-up (also for multi-output indicators).
        num(out[0])
    } else {
        serde_json::Value::Object(
            columns
                .iter()
                .zip(out)
                .map(|(c, &v)| (c.clone(), num(v)))
                .collect(),
        )
    }
}

pub mod doc;
pub mod probe;

#[cfg(test)]
mod tests;
