//! The indicator catalogue: names, params with defaults and ranges, ids and output columns.
//!
//! Ids follow pandas-ta: `NAME_param1_param2...` (`RSI_14`, `MACD_12_26_9`, `BBANDS_20_2.0`).
//! Output columns are pandas-ta's (`MACDh_12_26_9`, `BBL_20_2.0`, ...). Defaults are
//! pandas-ta's. The table below is the single source: parsing, validation, ids, columns and the
//! README's catalogue all come from it.

use crate::indicators::{Bbands, Candle, Ema, Macd, Outputs, Rsi, Sma};
use serde::{Deserialize, Serialize};
use std::fmt::Write;

/// Upper bound on any length-like param: the computer keeps 1,000 candles by default, and the
/// longest warm-up (MACD 500/500/500 is refused by `fast < slow`) must fit in that history.
pub const MAX_LENGTH: f64 = 500.0;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Kind {
    Sma,
    Ema,
    Rsi,
    Macd,
    Bbands,
}

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
    /// Column prefixes for multi-output indicators; empty = one output named like the id.
    pub columns: &'static [&'static str],
    pub talib: &'static str,
}

const fn int(name: &'static str, default: f64, min: f64) -> ParamDef {
    ParamDef {
        name,
        default,
        min,
        max: MAX_LENGTH,
        integer: true,
    }
}

pub const CATALOGUE: &[Def] = &[
    Def {
        kind: Kind::Sma,
        name: "SMA",
        family: "overlap",
        params: &[int("length", 10.0, 2.0)],
        columns: &[],
        talib: "SMA",
    },
    Def {
        kind: Kind::Ema,
        name: "EMA",
        family: "overlap",
        params: &[int("length", 10.0, 2.0)],
        columns: &[],
        talib: "EMA",
    },
    Def {
        kind: Kind::Bbands,
        name: "BBANDS",
        family: "overlap",
        params: &[
            int("length", 5.0, 2.0),
            ParamDef {
                name: "std",
                default: 2.0,
                min: 0.1,
                max: 10.0,
                integer: false,
            },
        ],
        columns: &["BBL", "BBM", "BBU", "BBB", "BBP"],
        talib: "BBANDS (matype SMA, nbdevup = nbdevdn = std); BBB, BBP as pandas-ta",
    },
    Def {
        kind: Kind::Rsi,
        name: "RSI",
        family: "momentum",
        params: &[int("length", 14.0, 2.0)],
        columns: &[],
        talib: "RSI",
    },
    Def {
        kind: Kind::Macd,
        name: "MACD",
        family: "momentum",
        params: &[
            int("fast", 12.0, 2.0),
            int("slow", 26.0, 2.0),
            int("signal", 9.0, 1.0),
        ],
        columns: &["MACD", "MACDh", "MACDs"],
        talib: "MACD",
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
    pub params: [f64; 3],
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
        let mut values = [0.0; 3];
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
        let mut values = [0.0; 3];
        for (i, p) in def.params.iter().enumerate() {
            values[i] = p.default;
        }
        for (i, token) in parts.enumerate() {
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

    fn validated(def: &'static Def, values: [f64; 3]) -> Result<Spec, CatalogueError> {
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
        if def.kind == Kind::Macd && values[0] >= values[1] {
            return Err(CatalogueError::InvalidParams(
                "MACD.fast must be less than MACD.slow".to_owned(),
            ));
        }
        Ok(Spec {
            kind: def.kind,
            params: values,
        })
    }

    fn suffix(&self, out: &mut String) {
        for (p, &v) in self.def().params.iter().zip(&self.params) {
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

    pub fn new_state(&self) -> State {
        let p = |i: usize| self.params[i] as usize;
        match self.kind {
            Kind::Sma => State::Sma(Sma::new(p(0))),
            Kind::Ema => State::Ema(Ema::new(p(0))),
            Kind::Rsi => State::Rsi(Rsi::new(p(0))),
            Kind::Macd => State::Macd(Macd::new(p(0), p(1), p(2))),
            Kind::Bbands => State::Bbands(Bbands::new(p(0), self.params[1])),
        }
    }
}

/// The streaming state of one indicator; dispatch by match keeps it serde-friendly and
/// allocation-free.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum State {
    Sma(Sma),
    Ema(Ema),
    Rsi(Rsi),
    Macd(Macd),
    Bbands(Bbands),
}

impl State {
    pub fn update(&mut self, c: &Candle) -> Outputs {
        match self {
            State::Sma(s) => s.update(c),
            State::Ema(s) => s.update(c),
            State::Rsi(s) => s.update(c),
            State::Macd(s) => s.update(c),
            State::Bbands(s) => s.update(c),
        }
    }

    pub fn peek(&self, c: &Candle) -> Outputs {
        match self {
            State::Sma(s) => s.peek(c),
            State::Ema(s) => s.peek(c),
            State::Rsi(s) => s.peek(c),
            State::Macd(s) => s.peek(c),
            State::Bbands(s) => s.peek(c),
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
