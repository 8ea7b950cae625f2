//! The catalogue's param definitions: ranges, TA-Lib names, elided trailing params, `matype`.

use super::{CatalogueError, Kind, MAX_LENGTH};
use std::fmt::Write;

pub use crate::indicators::registry::MAX_PARAMS;

/// A spec's param values, in the order of its `ParamDef`s (unused trailing slots are 0).
pub type Values = [f64; MAX_PARAMS];

/// TA-Lib's `MA_Type` values we support, with their names (10 "none" and 11 "the function's
/// own default" are refused).
pub const MA_TYPES: [(u8, &str); 12] = [
    (0, "SMA"),
    (1, "EMA"),
    (2, "WMA"),
    (3, "DEMA"),
    (4, "TEMA"),
    (5, "TRIMA"),
    (6, "KAMA"),
    (7, "MAMA"),
    (8, "T3"),
    (9, "HMA"),
    (12, "ZLEMA"),
    (13, "RMA"),
];

#[derive(Debug)]
pub struct ParamDef {
    pub name: &'static str,
    pub default: f64,
    pub min: f64,
    pub max: f64,
    pub integer: bool,
    /// TA-Lib's names for this param (`talib.abstract.Function(NAME).info["parameters"]`),
    /// accepted besides `name` where ours differs (`length` is TA-Lib's `timeperiod`). Two
    /// names for one param must then be given equal.
    pub talib: &'static [&'static str],
    /// Left out of the id and the columns when it and every param after it are at their
    /// default (a param added to an existing row keeps the row's old ids).
    pub elided: bool,
    /// TA-Lib's default where it differs from ours: taken by params left out of a request
    /// that names any param by a TA-Lib-only name (see the `crate::catalogue` doc).
    pub talib_default: Option<f64>,
    /// A TA-Lib `matype`: one of [`MA_TYPES`].
    pub matype: bool,
    /// When not given, the value of the param at this index (BBANDS' `nbdevdn` is `std`):
    /// its default, for ids and elision too.
    pub follows: Option<usize>,
}

impl ParamDef {
    /// The same param, also reachable by TA-Lib's name(s).
    pub(crate) const fn or(self, talib: &'static [&'static str]) -> ParamDef {
        ParamDef { talib, ..self }
    }

    /// The same param, left out of ids and columns while it and the ones after it default.
    pub(crate) const fn elided(self) -> ParamDef {
        ParamDef {
            elided: true,
            ..self
        }
    }

    /// The same param, with TA-Lib's default `v` for requests in TA-Lib's names.
    pub(crate) const fn talib_default(self, v: f64) -> ParamDef {
        ParamDef {
            talib_default: Some(v),
            ..self
        }
    }

    /// The same param, defaulting to the value of param `i`.
    pub(crate) const fn follows(self, i: usize) -> ParamDef {
        ParamDef {
            follows: Some(i),
            ..self
        }
    }

    /// Its default given the other values (see `follows`).
    pub(crate) fn default_in(&self, values: &Values) -> f64 {
        self.follows.map_or(self.default, |i| values[i])
    }

    pub(crate) fn named(&self, key: &str) -> bool {
        self.name == key || self.talib.contains(&key)
    }

    /// Whether `key` names this param by a TA-Lib-only name: a TA-Lib name that is not
    /// ours, or the name of a param added from TA-Lib to a pandas-ta row (the elided ones:
    /// pandas-ta has no `matype`).
    pub(crate) fn talib_only(&self, key: &str) -> bool {
        (self.name != key && self.talib.contains(&key)) || (self.elided && self.name == key)
    }
}

/// A rule across params, beyond each param's own range; the error names what is wrong.
pub type Check = fn(&Def, &Values) -> Result<(), CatalogueError>;

#[derive(Debug)]
pub struct Def {
    pub kind: Kind,
    pub name: &'static str,
    /// The module of `crate::indicators` the indicator lives in (TA-Lib's function group).
    pub family: &'static str,
    pub params: &'static [ParamDef],
    /// Column prefixes in output order; empty = one output named like the id.
    pub columns: &'static [&'static str],
    /// The TA-Lib function it equals, or the reference when TA-Lib has none.
    pub talib: &'static str,
    /// Checked after every param is in its range.
    pub check: Option<Check>,
}

pub(crate) const fn int(name: &'static str, default: f64, min: f64, max: f64) -> ParamDef {
    ParamDef {
        name,
        default,
        min,
        max,
        integer: true,
        talib: &[],
        elided: false,
        talib_default: None,
        matype: false,
        follows: None,
    }
}

pub(crate) const fn len(name: &'static str, default: f64, min: f64) -> ParamDef {
    int(name, default, min, MAX_LENGTH)
}

pub(crate) const fn float(name: &'static str, default: f64, min: f64, max: f64) -> ParamDef {
    ParamDef {
        integer: false,
        ..int(name, default, min, max)
    }
}

/// A TA-Lib `matype` param (see [`MA_TYPES`]).
pub(crate) const fn matype(name: &'static str, default: f64) -> ParamDef {
    ParamDef {
        matype: true,
        ..int(name, default, 0.0, 13.0)
    }
}

/// Param `A` must be less than param `B`: MACD's and KAMA's fast < slow (TA-Lib swaps or
/// accepts the other order; the protocol refuses it rather than guess).
pub(crate) fn less<const A: usize, const B: usize>(
    def: &Def,
    v: &Values,
) -> Result<(), CatalogueError> {
    if v[A] < v[B] {
        return Ok(());
    }
    Err(CatalogueError::InvalidParams(format!(
        "{name}.{a} must be less than {name}.{b}",
        name = def.name,
        a = def.params[A].name,
        b = def.params[B].name,
    )))
}

/// Whether param `p` takes value `v` (range, integrality, a supported `matype`); the error
/// names the param and what it accepts.
pub(crate) fn check_param(def: &Def, p: &ParamDef, v: f64) -> Result<(), CatalogueError> {
    if p.matype {
        if MA_TYPES.iter().any(|&(t, _)| f64::from(t) == v) {
            return Ok(());
        }
        let accepted: Vec<String> = MA_TYPES.iter().map(|(t, n)| format!("{t} ({n})")).collect();
        return Err(CatalogueError::InvalidParams(format!(
            "{}.{} must be one of {} (TA-Lib's MA_Type; 10 and 11 are not supported)",
            def.name,
            p.name,
            accepted.join(", ")
        )));
    }
    let in_range = v.is_finite() && v >= p.min && v <= p.max;
    if !in_range || (p.integer && v.fract() != 0.0) {
        let kind = if p.integer { "an integer" } else { "a number" };
        return Err(CatalogueError::InvalidParams(format!(
            "{}.{} must be {kind} in [{}, {}]",
            def.name, p.name, p.min, p.max
        )));
    }
    Ok(())
}

/// Sets the params not given (`given[i]` false) that follow another param to its value.
pub(crate) fn apply_follows(def: &Def, values: &mut Values, given: impl Fn(usize) -> bool) {
    for (i, p) in def.params.iter().enumerate() {
        if let Some(f) = p.follows
            && !given(i)
        {
            values[i] = values[f];
        }
    }
}

/// How many leading params an id shows: elided params at their default (and all after
/// them elided and at their default) are left out.
pub(crate) fn shown(def: &Def, values: &Values) -> usize {
    let mut n = def.params.len();
    while n > 0 && def.params[n - 1].elided && values[n - 1] == def.params[n - 1].default_in(values)
    {
        n -= 1;
    }
    n
}

pub(crate) fn format_param(p: &ParamDef, v: f64, out: &mut String) {
    if p.integer {
        let _ = write!(out, "{}", v as i64);
    } else {
        // Python's str(float): 2.0 -> "2.0", 2.5 -> "2.5" (pandas-ta column names).
        let _ = write!(out, "{v:?}");
    }
}
