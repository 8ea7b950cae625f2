//! Golden tests for the overlap, trend and range indicators against their references.
//!
//! Fixtures (written by `scripts/gen_talib_fixtures.py`, families `overlap` and
//! `volatility`): TA-Lib C 0.8.1 for WMA, DEMA, TEMA, TRIMA, KAMA, PSAR, ATR, NATR, STDDEV,
//! TRANGE; pandas-ta's definitions (numpy, over TA-Lib's WMA/ATR) for RMA, HMA, SUPERTREND,
//! DONCHIAN. Every candle is fed one at a time through `update`/`peek`.
//! Run with `--nocapture` to see the largest error per indicator.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use shared::indicators::{
    Atr, Candle, Dema, Donchian, Hma, Kama, Natr, Outputs, Psar, Rma, Stddev, Supertrend, Tema,
    Trange, Trima, Wma,
};
use std::collections::BTreeMap;

const FIXTURES: [&str; 2] = [
    include_str!("../../tests/fixtures/talib_overlap.json"),
    include_str!("../../tests/fixtures/talib_volatility.json"),
];

/// Required agreement: |ours - reference| <= TOLERANCE * max(|reference|, 1).
const TOLERANCE: f64 = 1e-9;

/// One output column: its name and values (`None` = null).
type Column = (String, Vec<Option<f64>>);

struct Series {
    name: String,
    candles: Vec<Candle>,
    /// (fixture id e.g. "PSAR_0.02_0.2", its columns in the order of our outputs).
    indicators: Vec<(String, Vec<Column>)>,
}

fn fixtures() -> Vec<Series> {
    FIXTURES.iter().flat_map(|text| parse(text)).collect()
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

/// The pandas-ta column names of a fixture id, in the order of our outputs.
fn columns(key: &str) -> Vec<String> {
    let (name, params) = key.split_once('_').unwrap_or((key, ""));
    let with = |prefixes: &[&str]| {
        prefixes
            .iter()
            .map(|c| format!("{c}_{params}"))
            .collect::<Vec<_>>()
    };
    match name {
        "PSAR" => with(&["PSARl", "PSARs", "PSARaf", "PSARr"]),
        "SUPERTREND" => with(&["SUPERT", "SUPERTd", "SUPERTl", "SUPERTs"]),
        "DONCHIAN" => with(&["DCL", "DCM", "DCU"]),
        "ATR" => with(&["ATRr"]),
        "STDDEV" => with(&["STDEV"]),
        "TRANGE" => with(&["TRUERANGE"]),
        _ => vec![key.to_owned()],
    }
}

/// Any of the indicators under test, built from a fixture id.
#[derive(Clone, Debug)]
enum Ind {
    Wma(Wma),
    Dema(Dema),
    Tema(Tema),
    Trima(Trima),
    Kama(Kama),
    Rma(Rma),
    Hma(Hma),
    Psar(Psar),
    Supertrend(Supertrend),
    Donchian(Donchian),
    Atr(Atr),
    Natr(Natr),
    Stddev(Stddev),
    Trange(Trange),
}

macro_rules! dispatch {
    ($self:expr, $i:ident => $e:expr) => {
        match $self {
            Ind::Wma($i) => $e,
            Ind::Dema($i) => $e,
            Ind::Tema($i) => $e,
            Ind::Trima($i) => $e,
            Ind::Kama($i) => $e,
            Ind::Rma($i) => $e,
            Ind::Hma($i) => $e,
            Ind::Psar($i) => $e,
            Ind::Supertrend($i) => $e,
            Ind::Donchian($i) => $e,
            Ind::Atr($i) => $e,
            Ind::Natr($i) => $e,
            Ind::Stddev($i) => $e,
            Ind::Trange($i) => $e,
        }
    };
}

impl Ind {
    /// "WMA_10", "KAMA_10_2_30", "PSAR_0.02_0.2", "SUPERTREND_7_3.0", "TRANGE_1", ...
    fn from_key(key: &str) -> Ind {
        let mut parts = key.split('_');
        let name = parts.next().unwrap();
        let p: Vec<&str> = parts.collect();
        let int = |i: usize| p[i].parse::<usize>().unwrap();
        let real = |i: usize| p[i].parse::<f64>().unwrap();
        match name {
            "WMA" => Ind::Wma(Wma::new(int(0))),
            "DEMA" => Ind::Dema(Dema::new(int(0))),
            "TEMA" => Ind::Tema(Tema::new(int(0))),
            "TRIMA" => Ind::Trima(Trima::new(int(0))),
            "KAMA" => Ind::Kama(Kama::new(int(0), int(1), int(2))),
            "RMA" => Ind::Rma(Rma::new(int(0))),
            "HMA" => Ind::Hma(Hma::new(int(0))),
            "PSAR" => Ind::Psar(Psar::new(real(0), real(1))),
            "SUPERTREND" => Ind::Supertrend(Supertrend::new(int(0), real(1))),
            "DONCHIAN" => Ind::Donchian(Donchian::new(int(0), int(1))),
            "ATR" => Ind::Atr(Atr::new(int(0))),
            "NATR" => Ind::Natr(Natr::new(int(0))),
            "STDDEV" => Ind::Stddev(Stddev::new(int(0))),
            "TRANGE" => {
                assert_eq!(int(0), 1, "TRANGE drift is 1");
                Ind::Trange(Trange::new())
            }
            _ => panic!("unknown indicator {key}"),
        }
    }

    fn family(key: &str) -> &str {
        key.split('_').next().unwrap()
    }

    /// The output whose leading nulls are the lookback: the one present from the first
    /// value on (PSARl/PSARs alternate; DCL/DCU may start before DCM).
    fn primary(&self) -> usize {
        match self {
            Ind::Psar(_) => 2,
            Ind::Donchian(_) => 1,
            _ => 0,
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
            Ind::Wma(_) => Ind::Wma(dec(bytes)),
            Ind::Dema(_) => Ind::Dema(dec(bytes)),
            Ind::Tema(_) => Ind::Tema(dec(bytes)),
            Ind::Trima(_) => Ind::Trima(dec(bytes)),
            Ind::Kama(_) => Ind::Kama(dec(bytes)),
            Ind::Rma(_) => Ind::Rma(dec(bytes)),
            Ind::Hma(_) => Ind::Hma(dec(bytes)),
            Ind::Psar(_) => Ind::Psar(dec(bytes)),
            Ind::Supertrend(_) => Ind::Supertrend(dec(bytes)),
            Ind::Donchian(_) => Ind::Donchian(dec(bytes)),
            Ind::Atr(_) => Ind::Atr(dec(bytes)),
            Ind::Natr(_) => Ind::Natr(dec(bytes)),
            Ind::Stddev(_) => Ind::Stddev(dec(bytes)),
            Ind::Trange(_) => Ind::Trange(dec(bytes)),
        }
    }
}

fn bits(o: &Outputs) -> [u64; 5] {
    o.map(f64::to_bits)
}

// Shows every output equals its reference within 1e-9 relative, null exactly where it is.
#[test]
fn matches_reference_value_for_value() {
    let compared = check_values(&fixtures());
    assert!(compared > 100_000, "only {compared} values compared");
}

// Shows the same on `--extra` fixtures named in OVERLAP_EXTRA_FIXTURE (paths joined by ':').
#[test]
fn matches_reference_on_extra_fixture_if_given() {
    let Ok(paths) = std::env::var("OVERLAP_EXTRA_FIXTURE") else {
        return;
    };
    for path in paths.split(':') {
        let text = std::fs::read_to_string(path).expect("OVERLAP_EXTRA_FIXTURE is readable");
        check_values(&parse(&text));
    }
}

/// Compares every output of every series with the reference; prints the largest relative
/// error per indicator and returns how many non-null values were compared.
///
/// Extra fixtures:
/// `python3 scripts/gen_talib_fixtures.py --family overlap --extra /tmp/ov.json` (and
/// `--family volatility`), then `OVERLAP_EXTRA_FIXTURE=/tmp/ov.json:/tmp/vol.json`.
fn check_values(fixture: &[Series]) -> usize {
    let mut max_err: BTreeMap<&str, f64> = BTreeMap::new();
    let mut compared = 0usize;
    let mut exact = 0usize;
    for s in fixture {
        for (key, cols) in &s.indicators {
            let mut ind = Ind::from_key(key);
            let worst = max_err.entry(Ind::family(key)).or_insert(0.0);
            for (t, c) in s.candles.iter().enumerate() {
                let out = ind.update(c);
                for (slot, (col, values)) in cols.iter().enumerate() {
                    let ours = out[slot];
                    match values[t] {
                        None => assert!(
                            ours.is_nan(),
                            "{}/{col}[{t}]: reference null, ours {ours}",
                            s.name
                        ),
                        Some(want) => {
                            let err = (ours - want).abs() / want.abs().max(1.0);
                            assert!(
                                err <= TOLERANCE,
                                "{}/{col}[{t}]: ours {ours:?}, reference {want:?} (rel {err:e})",
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
    eprintln!("compared {compared} values, {exact} bit-identical; max relative error:");
    for (family, err) in &max_err {
        eprintln!("  {family:<10} {err:e}");
    }
    compared
}

// Shows `peek(c)` is bit-identical to the following `update(c)` and never changes the state.
#[test]
fn peek_is_update_without_commit() {
    for s in fixtures() {
        for (key, _) in &s.indicators {
            let mut ind = Ind::from_key(key);
            for (t, c) in s.candles.iter().enumerate() {
                let before = ind.to_msgpack(true);
                let mut forming = *c;
                forming.close += 1.37;
                forming.high += 2.0;
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

// Shows a state saved with rmp-serde at any point and restored continues bit-identically.
#[test]
fn msgpack_state_roundtrip_continues_bit_identically() {
    for s in fixtures() {
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

// Shows `lookback()` equals the leading nulls, reference's and ours, of the primary column.
#[test]
fn lookback_is_the_number_of_leading_nulls() {
    for s in fixtures() {
        for (key, cols) in &s.indicators {
            let mut ind = Ind::from_key(key);
            let lookback = ind.lookback().min(s.candles.len());
            let primary = ind.primary();
            let (col, values) = &cols[primary];
            let leading = values.iter().take_while(|v| v.is_none()).count();
            assert_eq!(leading, lookback, "{}/{col}", s.name);
            let ours = s
                .candles
                .iter()
                .map(|c| ind.update(c)[primary])
                .take_while(|v| v.is_nan())
                .count();
            assert_eq!(ours, lookback, "{}/{key}", s.name);
        }
    }
}
