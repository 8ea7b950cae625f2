//! The indicator catalogue: names, params with defaults and ranges, ids and output columns.
//!
//! Ids follow pandas-ta: `NAME_param1_param2...` (`RSI_14`, `MACD_12_26_9`, `BBANDS_20_2.0`).
//! Output columns are pandas-ta's (`MACDh_12_26_9`, `BBL_20_2.0`, `ATRr_14`, ...). Defaults are
//! pandas-ta's. Values follow TA-Lib C 0.8.1 where it has the indicator (see `talib` of each
//! entry and docs/indicators.md for the mapping). The table below is the single source:
//! parsing, validation, ids, columns and the documentation's catalogue all come from it.

use crate::indicators::*;
use serde::{Deserialize, Serialize};
use std::fmt::Write;

/// Upper bound on length-like params: the computer keeps 1,000 candles by default, and every
/// warm-up must fit in that history (TEMA and STOCHRSI have lower bounds for that reason).
pub const MAX_LENGTH: f64 = 500.0;

/// Defines `Kind` and `State` with one variant per indicator type, and `State`'s dispatch.
macro_rules! indicators {
    ($($kind:ident),* $(,)?) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum Kind { $($kind),* }

        /// The streaming state of one indicator; dispatch by match keeps it serde-friendly and
        /// allocation-free. Boxed: the enum stays one pointer wide whatever the largest
        /// indicator, so a computer's many states stay dense in memory (the serde encoding is
        /// the inner state's).
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
        pub enum State { $($kind(Box<$kind>)),* }

        impl State {
            /// Commits a closed candle; returns its outputs.
            pub fn update(&mut self, c: &Candle) -> Outputs {
                match self { $(State::$kind(s) => s.update(c)),* }
            }

            /// What `update` would return if `c` closed now; changes nothing.
            pub fn peek(&self, c: &Candle) -> Outputs {
                match self { $(State::$kind(s) => s.peek(c)),* }
            }

            /// Leading candles without a (complete) value.
            pub fn lookback(&self) -> usize {
                match self { $(State::$kind(s) => s.lookback()),* }
            }
        }
    };
}

indicators!(
    Sma, Ema, Wma, Dema, Tema, Trima, Kama, Rma, Hma, Bbands, Psar, Supertrend, Donchian, Rsi,
    Macd, Stoch, StochRsi, Willr, Cci, Mfi, Roc, Mom, Adx, Aroon, Ultosc, Atr, Natr, Stddev,
    Trange, Obv, Ad, Adosc, Cmf, Vwap,
);

pub struct ParamDef {
    pub name: &'static str,
    pub default: f64,
    pub min: f64,
    pub max: f64,
    pub integer: bool,
}

pub struct Def {
    pub kind: Kind,
    pub name: &'static str,
    pub family: &'static str,
    pub params: &'static [ParamDef],
    /// Column prefixes in output order; empty = one output named like the id.
    pub columns: &'static [&'static str],
    /// A fixed last id part after the params (`VWAP_D`: the daily anchor).
    pub suffix: &'static str,
    /// The TA-Lib function it equals, or the reference when TA-Lib has none.
    pub talib: &'static str,
}

const fn int(name: &'static str, default: f64, min: f64, max: f64) -> ParamDef {
    ParamDef {
        name,
        default,
        min,
        max,
        integer: true,
    }
}

const fn len(name: &'static str, default: f64, min: f64) -> ParamDef {
    int(name, default, min, MAX_LENGTH)
}

const fn float(name: &'static str, default: f64, min: f64, max: f64) -> ParamDef {
    ParamDef {
        name,
        default,
        min,
        max,
        integer: false,
    }
}

const fn def(
    kind: Kind,
    name: &'static str,
    family: &'static str,
    params: &'static [ParamDef],
    columns: &'static [&'static str],
    talib: &'static str,
) -> Def {
    Def {
        kind,
        name,
        family,
        params,
        columns,
        suffix: "",
        talib,
    }
}

pub const CATALOGUE: &[Def] = &[
    // overlap
    def(
        Kind::Sma,
        "SMA",
        "overlap",
        &[len("length", 10.0, 2.0)],
        &[],
        "SMA",
    ),
    def(
        Kind::Ema,
        "EMA",
        "overlap",
        &[len("length", 10.0, 2.0)],
        &[],
        "EMA",
    ),
    def(
        Kind::Wma,
        "WMA",
        "overlap",
        &[len("length", 10.0, 2.0)],
        &[],
        "WMA",
    ),
    def(
        Kind::Dema,
        "DEMA",
        "overlap",
        &[len("length", 10.0, 2.0)],
        &[],
        "DEMA",
    ),
    def(
        Kind::Tema,
        "TEMA",
        "overlap",
        &[int("length", 10.0, 2.0, 300.0)],
        &[],
        "TEMA",
    ),
    def(
        Kind::Trima,
        "TRIMA",
        "overlap",
        &[len("length", 10.0, 2.0)],
        &[],
        "TRIMA",
    ),
    def(
        Kind::Kama,
        "KAMA",
        "overlap",
        &[
            len("length", 10.0, 2.0),
            int("fast", 2.0, 1.0, 100.0),
            len("slow", 30.0, 2.0),
        ],
        &[],
        "KAMA (TA-Lib fixes fast 2, slow 30; other values use the same arithmetic)",
    ),
    def(
        Kind::Rma,
        "RMA",
        "overlap",
        &[len("length", 10.0, 1.0)],
        &[],
        "none: pandas ewm(alpha=1/n, adjust=False), as pandas-ta",
    ),
    def(
        Kind::Hma,
        "HMA",
        "overlap",
        &[len("length", 10.0, 2.0)],
        &[],
        "none: WMA(2 WMA(n/2) - WMA(n), sqrt n) from TA-Lib WMA, as pandas-ta",
    ),
    def(
        Kind::Bbands,
        "BBANDS",
        "overlap",
        &[len("length", 5.0, 2.0), float("std", 2.0, 0.1, 10.0)],
        &["BBL", "BBM", "BBU", "BBB", "BBP"],
        "BBANDS (matype SMA, nbdevup = nbdevdn = std); BBB, BBP as pandas-ta",
    ),
    def(
        Kind::Psar,
        "PSAR",
        "overlap",
        &[
            float("af", 0.02, 0.001, 1.0),
            float("max_af", 0.2, 0.001, 1.0),
        ],
        &["PSARl", "PSARs", "PSARaf", "PSARr"],
        "SAR (acceleration = af0 = af, maximum = max_af), split into pandas-ta's columns",
    ),
    def(
        Kind::Supertrend,
        "SUPERTREND",
        "overlap",
        &[len("length", 7.0, 2.0), float("multiplier", 3.0, 0.1, 10.0)],
        &["SUPERT", "SUPERTd", "SUPERTl", "SUPERTs"],
        "none: pandas-ta supertrend over TA-Lib ATR (atr_length = length)",
    ),
    def(
        Kind::Donchian,
        "DONCHIAN",
        "overlap",
        &[
            len("lower_length", 20.0, 1.0),
            len("upper_length", 20.0, 1.0),
        ],
        &["DCL", "DCM", "DCU"],
        "none: rolling min/max of low/high and their mean, as pandas-ta",
    ),
    // momentum
    def(
        Kind::Rsi,
        "RSI",
        "momentum",
        &[len("length", 14.0, 2.0)],
        &[],
        "RSI",
    ),
    def(
        Kind::Macd,
        "MACD",
        "momentum",
        &[
            len("fast", 12.0, 2.0),
            len("slow", 26.0, 2.0),
            len("signal", 9.0, 1.0),
        ],
        &["MACD", "MACDh", "MACDs"],
        "MACD",
    ),
    def(
        Kind::Stoch,
        "STOCH",
        "momentum",
        &[
            len("k", 14.0, 1.0),
            len("d", 3.0, 1.0),
            len("smooth_k", 3.0, 1.0),
        ],
        &["STOCHk", "STOCHd"],
        "STOCH (fastk = k, slowk = smooth_k, slowd = d, SMA)",
    ),
    def(
        Kind::StochRsi,
        "STOCHRSI",
        "momentum",
        &[
            int("length", 14.0, 1.0, 250.0),
            int("rsi_length", 14.0, 2.0, 250.0),
            int("k", 3.0, 1.0, 250.0),
            int("d", 3.0, 1.0, 250.0),
        ],
        &["STOCHRSIk", "STOCHRSId"],
        "STOCH over TA-Lib RSI (k = 1 is TA-Lib STOCHRSI)",
    ),
    def(
        Kind::Willr,
        "WILLR",
        "momentum",
        &[len("length", 14.0, 2.0)],
        &[],
        "WILLR",
    ),
    def(
        Kind::Cci,
        "CCI",
        "momentum",
        &[len("length", 14.0, 2.0), float("c", 0.015, 0.001, 1.0)],
        &[],
        "CCI (TA-Lib fixes c = 0.015; other c scale it by 0.015 / c)",
    ),
    def(
        Kind::Mfi,
        "MFI",
        "momentum",
        &[len("length", 14.0, 2.0)],
        &[],
        "MFI",
    ),
    def(
        Kind::Roc,
        "ROC",
        "momentum",
        &[len("length", 10.0, 1.0)],
        &[],
        "ROC",
    ),
    def(
        Kind::Mom,
        "MOM",
        "momentum",
        &[len("length", 10.0, 1.0)],
        &[],
        "MOM",
    ),
    def(
        Kind::Adx,
        "ADX",
        "momentum",
        &[len("length", 14.0, 2.0)],
        &["ADX", "DMP", "DMN"],
        "ADX, PLUS_DI, MINUS_DI",
    ),
    def(
        Kind::Aroon,
        "AROON",
        "momentum",
        &[len("length", 14.0, 2.0)],
        &["AROOND", "AROONU", "AROONOSC"],
        "AROON, AROONOSC",
    ),
    def(
        Kind::Ultosc,
        "ULTOSC",
        "momentum",
        &[
            len("fast", 7.0, 1.0),
            len("medium", 14.0, 1.0),
            len("slow", 28.0, 1.0),
        ],
        &["UO"],
        "ULTOSC (weights 4/2/1, periods sorted as TA-Lib does)",
    ),
    // volatility
    def(
        Kind::Atr,
        "ATR",
        "volatility",
        &[len("length", 14.0, 2.0)],
        &["ATRr"],
        "ATR",
    ),
    def(
        Kind::Natr,
        "NATR",
        "volatility",
        &[len("length", 14.0, 2.0)],
        &[],
        "NATR",
    ),
    def(
        Kind::Stddev,
        "STDDEV",
        "volatility",
        &[len("length", 30.0, 2.0)],
        &["STDEV"],
        "STDDEV (nbdev 1, population)",
    ),
    def(
        Kind::Trange,
        "TRANGE",
        "volatility",
        &[int("drift", 1.0, 1.0, 1.0)],
        &["TRUERANGE"],
        "TRANGE",
    ),
    // volume
    def(Kind::Obv, "OBV", "volume", &[], &[], "OBV"),
    def(Kind::Ad, "AD", "volume", &[], &[], "AD"),
    def(
        Kind::Adosc,
        "ADOSC",
        "volume",
        &[len("fast", 3.0, 2.0), len("slow", 10.0, 2.0)],
        &[],
        "ADOSC",
    ),
    def(
        Kind::Cmf,
        "CMF",
        "volume",
        &[len("length", 20.0, 1.0)],
        &[],
        "none: pandas-ta cmf",
    ),
    Def {
        kind: Kind::Vwap,
        name: "VWAP",
        family: "volume",
        params: &[],
        columns: &[],
        suffix: "D",
        talib: "none: pandas-ta vwap anchored to each UTC day, typical price (h+l+c)/3",
    },
];

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
    pub params: [f64; 4],
}

fn def_by_name(name: &str) -> Result<&'static Def, CatalogueError> {
    CATALOGUE
        .iter()
        .find(|d| d.name.eq_ignore_ascii_case(name))
        .ok_or_else(|| CatalogueError::Unknown(name.chars().take(40).collect()))
}

fn format_param(p: &ParamDef, v: f64, out: &mut String) {
    if p.integer {
        let _ = write!(out, "{}", v as i64);
    } else {
        // Python's str(float): 2.0 -> "2.0", 2.5 -> "2.5" (pandas-ta column names).
        let _ = write!(out, "{v:?}");
    }
}

impl Spec {
    pub fn def(&self) -> &'static Def {
        CATALOGUE
            .iter()
            .find(|d| d.kind == self.kind)
            .expect("every kind is in the catalogue")
    }

    /// From a protocol `{"name": .., "params": {..}}`; omitted params take their defaults.
    pub fn from_name_params(
        name: &str,
        params: Option<&serde_json::Map<String, serde_json::Value>>,
    ) -> Result<Spec, CatalogueError> {
        let def = def_by_name(name)?;
        let mut values = [0.0; 4];
        for (i, p) in def.params.iter().enumerate() {
            values[i] = p.default;
        }
        if let Some(params) = params {
            for (key, value) in params {
                let Some(i) = def.params.iter().position(|p| p.name == key.as_str()) else {
                    let known: Vec<_> = def.params.iter().map(|p| p.name).collect();
                    return Err(CatalogueError::InvalidParams(format!(
                        "{} has no param {:?}; its params are {}",
                        def.name,
                        key.chars().take(40).collect::<String>(),
                        known.join(", ")
                    )));
                };
                values[i] = value.as_f64().ok_or_else(|| {
                    CatalogueError::InvalidParams(format!("{}.{} must be a number", def.name, key))
                })?;
            }
        }
        Self::validated(def, values)
    }

    /// From an id such as `RSI_14`, `BBANDS_20_2` or `MACD` (missing trailing params default).
    pub fn from_id(id: &str) -> Result<Spec, CatalogueError> {
        let mut parts = id.split('_');
        let def = def_by_name(parts.next().unwrap_or_default())?;
        let mut values = [0.0; 4];
        for (i, p) in def.params.iter().enumerate() {
            values[i] = p.default;
        }
        let mut tokens: Vec<&str> = parts.collect();
        if !def.suffix.is_empty() && tokens.last() == Some(&def.suffix) {
            tokens.pop();
        }
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
        Self::validated(def, values)
    }

    fn validated(def: &'static Def, values: [f64; 4]) -> Result<Spec, CatalogueError> {
        for (p, &v) in def.params.iter().zip(&values) {
            let in_range = v.is_finite() && v >= p.min && v <= p.max;
            if !in_range || (p.integer && v.fract() != 0.0) {
                let kind = if p.integer { "an integer" } else { "a number" };
                return Err(CatalogueError::InvalidParams(format!(
                    "{}.{} must be {kind} in [{}, {}]",
                    def.name, p.name, p.min, p.max
                )));
            }
        }
        let order = match def.kind {
            Kind::Macd => Some((0, 1)),
            Kind::Kama => Some((1, 2)),
            _ => None,
        };
        if let Some((fast, slow)) = order
            && values[fast] >= values[slow]
        {
            return Err(CatalogueError::InvalidParams(format!(
                "{name}.fast must be less than {name}.slow",
                name = def.name
            )));
        }
        Ok(Spec {
            kind: def.kind,
            params: values,
        })
    }

    fn suffix(&self, out: &mut String) {
        let def = self.def();
        for (p, &v) in def.params.iter().zip(&self.params) {
            out.push('_');
            format_param(p, v, out);
        }
        if !def.suffix.is_empty() {
            out.push('_');
            out.push_str(def.suffix);
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

    pub fn new_state(&self) -> State {
        let p = |i: usize| self.params[i] as usize;
        let f = |i: usize| self.params[i];
        match self.kind {
            Kind::Sma => State::Sma(Box::new(Sma::new(p(0)))),
            Kind::Ema => State::Ema(Box::new(Ema::new(p(0)))),
            Kind::Wma => State::Wma(Box::new(Wma::new(p(0)))),
            Kind::Dema => State::Dema(Box::new(Dema::new(p(0)))),
            Kind::Tema => State::Tema(Box::new(Tema::new(p(0)))),
            Kind::Trima => State::Trima(Box::new(Trima::new(p(0)))),
            Kind::Kama => State::Kama(Box::new(Kama::new(p(0), p(1), p(2)))),
            Kind::Rma => State::Rma(Box::new(Rma::new(p(0)))),
            Kind::Hma => State::Hma(Box::new(Hma::new(p(0)))),
            Kind::Bbands => State::Bbands(Box::new(Bbands::new(p(0), f(1)))),
            Kind::Psar => State::Psar(Box::new(Psar::new(f(0), f(1)))),
            Kind::Supertrend => State::Supertrend(Box::new(Supertrend::new(p(0), f(1)))),
            Kind::Donchian => State::Donchian(Box::new(Donchian::new(p(0), p(1)))),
            Kind::Rsi => State::Rsi(Box::new(Rsi::new(p(0)))),
            Kind::Macd => State::Macd(Box::new(Macd::new(p(0), p(1), p(2)))),
            Kind::Stoch => State::Stoch(Box::new(Stoch::new(p(0), p(1), p(2)))),
            Kind::StochRsi => State::StochRsi(Box::new(StochRsi::new(p(0), p(1), p(2), p(3)))),
            Kind::Willr => State::Willr(Box::new(Willr::new(p(0)))),
            Kind::Cci => State::Cci(Box::new(Cci::new(p(0), f(1)))),
            Kind::Mfi => State::Mfi(Box::new(Mfi::new(p(0)))),
            Kind::Roc => State::Roc(Box::new(Roc::new(p(0)))),
            Kind::Mom => State::Mom(Box::new(Mom::new(p(0)))),
            Kind::Adx => State::Adx(Box::new(Adx::new(p(0)))),
            Kind::Aroon => State::Aroon(Box::new(Aroon::new(p(0)))),
            Kind::Ultosc => State::Ultosc(Box::new(Ultosc::new(p(0), p(1), p(2)))),
            Kind::Atr => State::Atr(Box::new(Atr::new(p(0)))),
            Kind::Natr => State::Natr(Box::new(Natr::new(p(0)))),
            Kind::Stddev => State::Stddev(Box::new(Stddev::new(p(0)))),
            Kind::Trange => State::Trange(Box::new(Trange::new())),
            Kind::Obv => State::Obv(Box::default()),
            Kind::Ad => State::Ad(Box::default()),
            Kind::Adosc => State::Adosc(Box::new(Adosc::new(p(0), p(1)))),
            Kind::Cmf => State::Cmf(Box::new(Cmf::new(p(0)))),
            Kind::Vwap => State::Vwap(Box::default()),
        }
    }
}

/// Outputs as the protocol shows them: a number (or null) for single-output indicators, an
/// object keyed by column for multi-output ones.
pub fn outputs_json(columns: &[String], out: &Outputs) -> serde_json::Value {
    let num = |v: f64| {
        serde_json::Number::from_f64(v).map_or(serde_json::Value::Null, serde_json::Value::Number)
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    // Shows ids and columns follow pandas-ta naming and defaults apply to omitted params.
    #[test]
    fn ids_columns_defaults() {
        let s = Spec::from_name_params("rsi", None).unwrap();
        assert_eq!(s.id(), "RSI_14");
        let m = json!({"fast": 5, "slow": 13, "signal": 4});
        let s = Spec::from_name_params("MACD", m.as_object()).unwrap();
        assert_eq!(s.id(), "MACD_5_13_4");
        assert_eq!(s.columns(), ["MACD_5_13_4", "MACDh_5_13_4", "MACDs_5_13_4"]);
        let b = Spec::from_id("BBANDS_20_2").unwrap();
        assert_eq!(b.id(), "BBANDS_20_2.0");
        assert_eq!(b.columns()[0], "BBL_20_2.0");
        assert_eq!(Spec::from_id("SMA").unwrap().id(), "SMA_10");
    }

    // Shows each refusal names what is wrong.
    #[test]
    fn refusals() {
        assert!(matches!(
            Spec::from_id("FOO_1"),
            Err(CatalogueError::Unknown(_))
        ));
        let e = Spec::from_name_params("RSI", json!({"length": 1}).as_object()).unwrap_err();
        assert!(e.to_string().contains("RSI.length"), "{e}");
        let e = Spec::from_name_params("RSI", json!({"len": 3}).as_object()).unwrap_err();
        assert!(e.to_string().contains("\"len\""), "{e}");
        assert!(Spec::from_id("RSI_14.5").is_err());
        assert!(Spec::from_id("RSI_14_3").is_err());
        assert!(Spec::from_id("MACD_26_12_9").is_err());
        assert!(Spec::from_name_params("SMA", json!({"length": "x"}).as_object()).is_err());
    }

    // Shows the value shapes: a number, an object by column, null while warming up (also for
    // multi-output indicators), and a null column inside an object.
    #[test]
    fn value_shapes() {
        let nan = f64::NAN;
        let rsi = Spec::from_id("RSI_14").unwrap().columns();
        assert_eq!(outputs_json(&rsi, &[1.5, nan, nan, nan, nan]), json!(1.5));
        assert_eq!(outputs_json(&rsi, &[nan; 5]), json!(null));
        let macd = Spec::from_id("MACD").unwrap().columns();
        assert_eq!(outputs_json(&macd, &[nan; 5]), json!(null));
        assert_eq!(
            outputs_json(&macd, &[1.0, 0.5, 0.5, nan, nan]),
            json!({"MACD_12_26_9": 1.0, "MACDh_12_26_9": 0.5, "MACDs_12_26_9": 0.5})
        );
        let bb = Spec::from_id("BBANDS_5_2.0").unwrap().columns();
        assert_eq!(
            outputs_json(&bb, &[1.0, 1.0, 1.0, 0.0, nan])["BBP_5_2.0"],
            json!(null)
        );
    }
}
