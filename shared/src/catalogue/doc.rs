//! The catalogue reference of docs/indicators.md, written from the code: one table per family,
//! one row per catalogue entry. Everything in it comes from the rows (`Def`), the default
//! spec's state (`lookback`) and running it ([`super::probe`]: the inputs), except the cost
//! class, which is [`COSTS`] below. `shared/tests/docs.rs` checks docs/indicators.md holds
//! exactly [`markdown`] (`UPDATE_DOCS=1` rewrites it); `computer catalogue` prints it.

use super::probe::{self, Field};
use super::{CATALOGUE, Def, ParamDef, Spec};
use serde::Serialize;
use std::fmt::Write;

/// Kinds whose `update` is not O(1) in every call, by catalogue name, each checked against its
/// code (loops in `step`, "re-anchor", "re-sum"); every other row is O(1). `n` is the
/// indicator's period.
pub const COSTS: &[(&str, &str)] = &[
    ("CCI", "O(n): two passes over the window"),
    ("AVGDEV", "O(n): two passes over the window"),
    ("PERCENTRANK", "O(n): one comparison per previous close"),
    (
        "PERCENTILE",
        "O(1) peek; update O(n): shifts the sorted window",
    ),
    ("IMI", "O(n): re-sums the window"),
    ("VHF", "O(n): re-sums the changes and rescans the window"),
    ("FRACTAL", "O(leftbars + rightbars): rescans the window"),
    ("HT_DCPHASE", "up to 50 sin/cos pairs (the dominant period)"),
    ("HT_SINE", "up to 50 sin/cos pairs (the dominant period)"),
    ("HT_TRENDLINE", "up to 50 additions (the dominant period)"),
    (
        "HT_TRENDMODE",
        "up to 50 sin/cos pairs and 50 additions (the dominant period)",
    ),
    (
        "BBANDS",
        "O(1); O(n) variance re-anchor, at least every 32n",
    ),
    (
        "STDDEV",
        "O(1); O(n) variance re-anchor, at least every 32n",
    ),
    ("VAR", "O(1); O(n) variance re-anchor, at least every 32n"),
    ("RVI", "O(1); O(n) variance re-anchor, at least every 32n"),
    ("CORREL", "O(1); O(n) re-anchor, at least every 32n"),
    ("BETA", "O(1); O(n) re-anchor, at least every 32n"),
    ("LINEARREG", "O(1); O(n) re-sum, at least every 32n"),
    ("LINEARREG_ANGLE", "O(1); O(n) re-sum, at least every 32n"),
    (
        "LINEARREG_INTERCEPT",
        "O(1); O(n) re-sum, at least every 32n",
    ),
    ("LINEARREG_SLOPE", "O(1); O(n) re-sum, at least every 32n"),
    ("TSF", "O(1); O(n) re-sum, at least every 32n"),
    ("FOSC", "O(1); O(n) re-sum, at least every 32n"),
    ("WMA", "O(1); O(n) re-sum every 8n"),
    ("HMA", "O(1); O(n) re-sum every 8n"),
    ("COPPOCK", "O(1); O(n) re-sum of its WMA every 8n"),
    ("TRIMA", "O(1); O(n) once, for the first value"),
    ("MAX", AMORTIZED),
    ("MIN", AMORTIZED),
    ("MAXINDEX", AMORTIZED),
    ("MININDEX", AMORTIZED),
    ("MINMAX", AMORTIZED),
    ("MINMAXINDEX", AMORTIZED),
    ("MIDPOINT", AMORTIZED),
    ("MIDPRICE", AMORTIZED),
    ("DONCHIAN", AMORTIZED),
    ("WILLR", AMORTIZED),
    ("STOCH", AMORTIZED),
    ("STOCHF", AMORTIZED),
    ("KDJ", AMORTIZED),
    ("STOCHRSI", AMORTIZED),
    ("AROON", AMORTIZED),
    ("AROONOSC", AMORTIZED),
    ("SMI", AMORTIZED),
];

const AMORTIZED: &str = "amortized O(1): rolling extremes";

/// The cost class of a row: its [`COSTS`] entry, else O(1).
pub fn cost(def: &Def) -> &'static str {
    COSTS
        .iter()
        .find(|(name, _)| *name == def.name)
        .map_or("O(1)", |(_, cost)| cost)
}

/// The TA-Lib function a row equals (for comparisons such as `scripts/bench_table.py`): its
/// own name when its `talib` text names it, else the text's first word; none when the text
/// starts with "none" (TA-Lib has no such function).
pub fn talib_function(def: &Def) -> Option<&'static str> {
    let words = def
        .talib
        .split(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_'))
        .filter(|w| !w.is_empty());
    let first = words.clone().next()?;
    if first.eq_ignore_ascii_case("none") {
        return None;
    }
    Some(words.into_iter().find(|w| *w == def.name).unwrap_or(first))
}

#[derive(Debug, Serialize)]
pub struct Param {
    pub name: &'static str,
    pub talib: &'static [&'static str],
    pub default: f64,
    pub min: f64,
    pub max: f64,
    pub integer: bool,
}

/// One row of the reference.
#[derive(Debug, Serialize)]
pub struct Entry {
    pub name: &'static str,
    pub family: &'static str,
    /// The row's TA-Lib mapping, as written in it.
    pub talib: &'static str,
    pub talib_function: Option<&'static str>,
    pub id: String,
    pub params: Vec<Param>,
    pub columns: Vec<String>,
    pub lookback: usize,
    pub inputs: Vec<&'static str>,
    pub cost: &'static str,
}

fn param(p: &ParamDef) -> Param {
    Param {
        name: p.name,
        talib: p.talib,
        default: p.default,
        min: p.min,
        max: p.max,
        integer: p.integer,
    }
}

/// Every catalogue row at its default params, in catalogue order.
pub fn entries() -> Vec<Entry> {
    CATALOGUE
        .iter()
        .map(|def| {
            let spec = Spec::from_id(def.name).expect("defaults are valid");
            Entry {
                name: def.name,
                family: def.family,
                talib: def.talib,
                talib_function: talib_function(def),
                id: spec.id(),
                params: def.params.iter().map(param).collect(),
                columns: spec.columns(),
                lookback: spec.new_state().lookback(),
                inputs: probe::inputs(&spec).into_iter().map(Field::name).collect(),
                cost: cost(def),
            }
        })
        .collect()
}

/// `entries()` as JSON (`computer catalogue --json`).
pub fn json() -> serde_json::Value {
    serde_json::to_value(entries()).expect("entries serialize")
}

fn number(v: f64, integer: bool) -> String {
    if integer {
        format!("{}", v as i64)
    } else {
        format!("{v:?}")
    }
}

fn params_cell(params: &[Param]) -> String {
    if params.is_empty() {
        return "none".to_owned();
    }
    let cells: Vec<String> = params
        .iter()
        .map(|p| {
            let mut s = format!("`{}`", p.name);
            for alias in p.talib {
                let _ = write!(s, " / `{alias}`");
            }
            let _ = write!(
                s,
                " {} ({}..{}{})",
                number(p.default, p.integer),
                number(p.min, p.integer),
                number(p.max, p.integer),
                if p.integer { "" } else { ", *number*" }
            );
            s
        })
        .collect();
    cells.join("; ")
}

fn escape(text: &str) -> String {
    text.replace('|', "\\|")
}

/// The catalogue reference: a count, then one table per family in catalogue order, then the
/// rows that are not O(1).
pub fn markdown() -> String {
    render(&entries())
}

/// [`markdown`] of the given entries.
pub fn render(entries: &[Entry]) -> String {
    let mut families: Vec<&str> = Vec::new();
    for e in entries {
        if !families.contains(&e.family) {
            families.push(e.family);
        }
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} catalogue rows in {} families. Generated from the code by \
         `shared::catalogue::doc::markdown` (`make docs`, i.e. \
         `UPDATE_DOCS=1 cargo test -p shared --test docs`, rewrites this section; \
         `computer catalogue` prints it; the table below it lists the rows that are not \
         O(1)). Params: our name, then \
         TA-Lib's names for it, default (range; integer unless *number*). Lookback: leading \
         candles without a value at the defaults (`State::lookback`). Inputs: the candle \
         fields whose change changes an output or the saved state, found by running the \
         default spec over random walks (a candle pattern stores the four prices whichever it \
         compares). Cost: of one `update`, O(1) unless listed in \
         `shared::catalogue::doc::COSTS`; `n` is the period.",
        entries.len(),
        families.len()
    );
    for family in families {
        let rows: Vec<&Entry> = entries.iter().filter(|e| e.family == family).collect();
        let _ = write!(
            out,
            "\n### `{family}` ({})\n\n\
             | name | TA-Lib | default id | params | output columns | lookback | inputs | cost |\n\
             | --- | --- | --- | --- | --- | ---: | --- | --- |\n",
            rows.len()
        );
        for e in rows {
            let columns: Vec<String> = e.columns.iter().map(|c| format!("`{c}`")).collect();
            let inputs = if e.inputs.is_empty() {
                "none".to_owned()
            } else {
                e.inputs.join(", ")
            };
            let _ = writeln!(
                out,
                "| `{}` | {} | `{}` | {} | {} | {} | {} | {} |",
                e.name,
                escape(e.talib),
                e.id,
                params_cell(&e.params),
                columns.join(", "),
                e.lookback,
                inputs,
                e.cost
            );
        }
    }
    let _ = write!(
        out,
        "\n### Not O(1)\n\n\
         Every other row's `update` and `peek` are O(1). `n` is the period.\n\n\
         | name | cost of one update |\n| --- | --- |\n"
    );
    for (name, cost) in COSTS {
        if entries.iter().any(|e| e.name == *name) {
            let _ = writeln!(out, "| `{name}` | {cost} |");
        }
    }
    out
}
