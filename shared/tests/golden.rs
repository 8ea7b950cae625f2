//! Golden tests: the streaming indicators against TA-Lib C 0.8.1.
//!
//! The fixture is written by `scripts/gen_talib_fixtures.py` (TA-Lib's batch functions over
//! whole series); here every candle is fed one at a time through `update`/`peek`.
//! Run with `--nocapture` to see the largest error per indicator.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use shared::indicators::{Bbands, Candle, Ema, Macd, Outputs, Rsi, Sma};
use std::collections::BTreeMap;

const FIXTURE: &str = include_str!("../../tests/fixtures/talib_core.json");

/// Required agreement: |ours - talib| <= TOLERANCE * max(|talib|, 1).
const TOLERANCE: f64 = 1e-9;

/// One output column: its name and values (`None` = null).
type Column = (String, Vec<Option<f64>>);

struct Series {
    name: String,
    candles: Vec<Candle>,
    /// (fixture key e.g. "MACD_12_26_9", its columns in the order of our outputs).
    indicators: Vec<(String, Vec<Column>)>,
}

fn fixture() -> Vec<Series> {
    parse(FIXTURE)
}

fn parse(text: &str) -> Vec<Series> {
    let doc: Value = serde_json::from_str(text).expect("fixture is JSON");
    assert_eq!(doc["talib"], "0.8.1", "fixture made with another TA-Lib");
    let series = doc["series"].as_array().expect("series");
    assert!(!series.is_empty());
    series
        .iter()
        .map(|s| {
            let candles = s["candles"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| {
                    let f = |i: usize| c[i].as_f64().unwrap();
                    Candle {
                        time: c[0].as_i64().unwrap(),
                        open: f(1),
                        high: f(2),
                        low: f(3),
                        close: f(4),
                        volume: f(5),
                    }
                })
                .collect::<Vec<_>>();
            let indicators = s["indicators"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(key, cols)| {
                    let cols = cols.as_object().unwrap();
                    let names = columns(key);
                    assert_eq!(cols.len(), names.len(), "{key}: columns");
                    let cols = names
                        .into_iter()
                        .map(|col| {
                            let values = cols[&col]
                                .as_array()
                                .unwrap()
                                .iter()
                                .map(|v| if v.is_null() { None } else { v.as_f64() })
                                .collect::<Vec<_>>();
                            assert_eq!(values.len(), candles.len(), "{key}/{col}");
                            (col, values)
                        })
                        .collect();
                    (key.clone(), cols)
                })
                .collect();
            Series {
                name: s["name"].as_str().unwrap().to_owned(),
                candles,
                indicators,
            }
        })
        .collect()
}

/// The column names of a fixture key, in the order of our outputs (JSON objects are unordered).
fn columns(key: &str) -> Vec<String> {
    let (name, params) = key.split_once('_').unwrap();
    match name {
        "MACD" => ["MACD", "MACDh", "MACDs"]
            .map(|c| format!("{c}_{params}"))
            .to_vec(),
        "BBANDS" => ["BBL", "BBM", "BBU", "BBB", "BBP"]
            .map(|c| format!("{c}_{params}"))
            .to_vec(),
        _ => vec![key.to_owned()],
    }
}

/// Any of the indicators under test, built from a fixture key.
#[derive(Clone, Debug)]
enum Ind {
    Sma(Sma),
    Ema(Ema),
    Rsi(Rsi),
    Macd(Macd),
    Bbands(Bbands),
}

macro_rules! dispatch {
    ($self:expr, $i:ident => $e:expr) => {
        match $self {
            Ind::Sma($i) => $e,
            Ind::Ema($i) => $e,
            Ind::Rsi($i) => $e,
            Ind::Macd($i) => $e,
            Ind::Bbands($i) => $e,
        }
    };
}

impl Ind {
    /// "SMA_10", "MACD_12_26_9", "BBANDS_20_2.0", ...
    fn from_key(key: &str) -> Ind {
        let mut parts = key.split('_');
        let name = parts.next().unwrap();
        let p: Vec<&str> = parts.collect();
        let int = |i: usize| p[i].parse::<usize>().unwrap();
        match name {
            "SMA" => Ind::Sma(Sma::new(int(0))),
            "EMA" => Ind::Ema(Ema::new(int(0))),
            "RSI" => Ind::Rsi(Rsi::new(int(0))),
            "MACD" => Ind::Macd(Macd::new(int(0), int(1), int(2))),
            "BBANDS" => Ind::Bbands(Bbands::new(int(0), p[1].parse().unwrap())),
            _ => panic!("unknown indicator {key}"),
        }
    }

    fn family(&self) -> &'static str {
        match self {
            Ind::Sma(_) => "SMA",
            Ind::Ema(_) => "EMA",
            Ind::Rsi(_) => "RSI",
            Ind::Macd(_) => "MACD",
            Ind::Bbands(_) => "BBANDS",
        }
    }

    fn update(&mut self, c: &Candle) -> Outputs {
        dispatch!(self, i => i.update(c))
    }

    fn peek(&self, c: &Candle) -> Outputs {
        dispatch!(self, i => i.peek(c))
    }

    fn lookback(&self) -> usize {
        dispatch!(self, i => i.lookback())
    }

    /// MessagePack bytes of the state; `named` = struct fields as a map.
    fn to_msgpack(&self, named: bool) -> Vec<u8> {
        fn enc<T: Serialize>(t: &T, named: bool) -> Vec<u8> {
            if named {
                rmp_serde::to_vec_named(t).unwrap()
            } else {
                rmp_serde::to_vec(t).unwrap()
            }
        }
        dispatch!(self, i => enc(i, named))
    }

    /// A state of the same type decoded from `bytes`.
    fn restore(&self, bytes: &[u8]) -> Ind {
        fn dec<T: DeserializeOwned>(bytes: &[u8]) -> T {
            rmp_serde::from_slice(bytes).unwrap()
        }
        match self {
            Ind::Sma(_) => Ind::Sma(dec(bytes)),
            Ind::Ema(_) => Ind::Ema(dec(bytes)),
            Ind::Rsi(_) => Ind::Rsi(dec(bytes)),
            Ind::Macd(_) => Ind::Macd(dec(bytes)),
            Ind::Bbands(_) => Ind::Bbands(dec(bytes)),
        }
    }
}

fn bits(o: &Outputs) -> [u64; 5] {
    o.map(f64::to_bits)
}

/// Every output equals TA-Lib within 1e-9 relative, NaN exactly where TA-Lib has null.
#[test]
fn matches_talib_value_for_value() {
    let compared = check_values(&fixture());
    assert!(compared > 50_000, "only {compared} values compared");
}

/// Same, on `gen_talib_fixtures.py --extra PATH` output when `TALIB_EXTRA_FIXTURE=PATH` is set.
#[test]
fn matches_talib_on_extra_fixture_if_given() {
    let Ok(path) = std::env::var("TALIB_EXTRA_FIXTURE") else {
        return;
    };
    let text = std::fs::read_to_string(&path).expect("TALIB_EXTRA_FIXTURE is readable");
    check_values(&parse(&text));
}

/// Compares every output of every series with TA-Lib; prints the largest relative error per
/// indicator and returns how many non-null values were compared.
fn check_values(fixture: &[Series]) -> usize {
    let mut max_err: BTreeMap<&str, f64> = BTreeMap::new();
    let mut compared = 0usize;
    let mut exact = 0usize;
    for s in fixture {
        for (key, cols) in &s.indicators {
            let mut ind = Ind::from_key(key);
            let family = ind.family();
            let worst = max_err.entry(family).or_insert(0.0);
            for (t, c) in s.candles.iter().enumerate() {
                let out = ind.update(c);
                for (slot, (col, values)) in cols.iter().enumerate() {
                    let ours = out[slot];
                    match values[t] {
                        None => assert!(
                            ours.is_nan(),
                            "{}/{col}[{t}]: TA-Lib null, ours {ours}",
                            s.name
                        ),
                        Some(want) => {
                            let err = (ours - want).abs() / want.abs().max(1.0);
                            assert!(
                                err <= TOLERANCE,
                                "{}/{col}[{t}]: ours {ours:?}, TA-Lib {want:?} (rel {err:e})",
                                s.name
                            );
                            *worst = worst.max(err);
                            compared += 1;
                            exact += usize::from(ours.to_bits() == want.to_bits());
                        }
                    }
                }
                for (slot, v) in out.iter().enumerate().skip(cols.len()) {
                    assert!(v.is_nan(), "{}/{key}[{t}] unused slot {slot} = {v}", s.name);
                }
            }
        }
    }
    eprintln!(
        "compared {compared} values, {exact} bit-identical; max relative error vs TA-Lib 0.8.1:"
    );
    for (family, err) in &max_err {
        eprintln!("  {family:<7} {err:e}");
    }
    compared
}

/// `peek(c)` is bit-identical to the following `update(c)` and never changes the state.
#[test]
fn peek_is_update_without_commit() {
    for s in fixture() {
        for (key, _) in &s.indicators {
            let mut ind = Ind::from_key(key);
            for (t, c) in s.candles.iter().enumerate() {
                let before = ind.to_msgpack(true);
                let mut forming = *c;
                forming.close += 1.37;
                let _ = ind.peek(&forming);
                let peeked = ind.peek(c);
                assert_eq!(
                    ind.to_msgpack(true),
                    before,
                    "{}/{key}[{t}]: peek mutated",
                    s.name
                );
                let updated = ind.update(c);
                assert_eq!(bits(&peeked), bits(&updated), "{}/{key}[{t}]", s.name);
            }
        }
    }
}

/// A state saved with rmp-serde at any point and restored continues bit-identically.
#[test]
fn msgpack_state_roundtrip_continues_bit_identically() {
    for s in fixture() {
        let len = s.candles.len();
        for (key, _) in &s.indicators {
            let lookback = Ind::from_key(key).lookback();
            let mut cuts = vec![
                0,
                1,
                lookback.saturating_sub(1),
                lookback,
                lookback + 1,
                len / 2,
            ];
            cuts.retain(|&k| k < len);
            for cut in cuts {
                for named in [false, true] {
                    let mut original = Ind::from_key(key);
                    for c in &s.candles[..cut] {
                        original.update(c);
                    }
                    let mut restored = original.restore(&original.to_msgpack(named));
                    for (t, c) in s.candles.iter().enumerate().skip(cut) {
                        assert_eq!(
                            bits(&restored.peek(c)),
                            bits(&original.peek(c)),
                            "{}/{key} cut {cut} named {named} peek [{t}]",
                            s.name
                        );
                        assert_eq!(
                            bits(&restored.update(c)),
                            bits(&original.update(c)),
                            "{}/{key} cut {cut} named {named} [{t}]",
                            s.name
                        );
                    }
                }
            }
        }
    }
}

/// `lookback()` equals the number of leading nulls (TA-Lib's and ours; %B may have more).
#[test]
fn lookback_is_the_number_of_leading_nulls() {
    for s in fixture() {
        for (key, cols) in &s.indicators {
            let mut ind = Ind::from_key(key);
            let lookback = ind.lookback();
            for (col, values) in cols {
                let leading = values.iter().take_while(|v| v.is_none()).count();
                if col.starts_with("BBP") {
                    // %B is also null wherever the bands have zero width.
                    assert!(leading >= lookback.min(values.len()), "{}/{col}", s.name);
                } else {
                    assert_eq!(leading, lookback.min(values.len()), "{}/{col}", s.name);
                }
            }
            let ours = s
                .candles
                .iter()
                .map(|c| ind.update(c)[0])
                .take_while(|v| v.is_nan())
                .count();
            assert_eq!(ours, lookback.min(s.candles.len()), "{}/{key}", s.name);
        }
    }
}
