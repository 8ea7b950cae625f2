//! Golden tests: the momentum and volume indicators against TA-Lib C 0.8.1 (and, for CMF
//! and VWAP, which TA-Lib lacks, against numpy references of pandas-ta's formulas).
//!
//! The fixtures are written by `scripts/gen_talib_fixtures.py --family momentum|volume`
//! (`scripts/fixtures/momentum.py`, `scripts/fixtures/volume.py`); here every candle is
//! fed one at a time through `update`/`peek`. Run with `--nocapture` to see the largest
//! error per indicator.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use shared::indicators::{
    Ad, Adosc, Adx, Aroon, Candle, Cci, Cmf, Mfi, Mom, Obv, Outputs, Roc, Stoch, StochRsi, Ultosc,
    Vwap, Willr,
};
use std::collections::BTreeMap;

const FIXTURES: [(&str, &str); 2] = [
    (
        "momentum",
        include_str!("../../tests/fixtures/talib_momentum.json"),
    ),
    (
        "volume",
        include_str!("../../tests/fixtures/talib_volume.json"),
    ),
];

/// Required agreement: |ours - ref| <= TOLERANCE * max(|ref|, 1).
const TOLERANCE: f64 = 1e-9;

/// One output column: its name and values (`None` = null).
type Column = (String, Vec<Option<f64>>);

struct Series {
    name: String,
    candles: Vec<Candle>,
    /// (fixture key e.g. "STOCH_14_3_3", its columns in the order of our outputs).
    indicators: Vec<(String, Vec<Column>)>,
}

fn fixtures() -> Vec<Series> {
    FIXTURES.iter().flat_map(|(_, text)| parse(text)).collect()
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

/// The column names of a fixture key, in the order of our outputs (pandas-ta's names).
fn columns(key: &str) -> Vec<String> {
    let (name, params) = key.split_once('_').unwrap_or((key, ""));
    let with = |cols: &[&str]| cols.iter().map(|c| format!("{c}_{params}")).collect();
    match name {
        "STOCH" => with(&["STOCHk", "STOCHd"]),
        "STOCHRSI" => with(&["STOCHRSIk", "STOCHRSId"]),
        "ADX" => with(&["ADX", "DMP", "DMN"]),
        "AROON" => with(&["AROOND", "AROONU", "AROONOSC"]),
        "ULTOSC" => with(&["UO"]),
        _ => vec![key.to_owned()],
    }
}

/// Any of the indicators under test, built from a fixture key.
#[derive(Clone, Debug)]
enum Ind {
    Stoch(Stoch),
    StochRsi(StochRsi),
    Willr(Willr),
    Cci(Cci),
    Mfi(Mfi),
    Roc(Roc),
    Mom(Mom),
    Adx(Adx),
    Aroon(Aroon),
    Ultosc(Ultosc),
    Obv(Obv),
    Ad(Ad),
    Adosc(Adosc),
    Cmf(Cmf),
    Vwap(Vwap),
}

macro_rules! dispatch {
    ($self:expr, $i:ident => $e:expr) => {
        match $self {
            Ind::Stoch($i) => $e,
            Ind::StochRsi($i) => $e,
            Ind::Willr($i) => $e,
            Ind::Cci($i) => $e,
            Ind::Mfi($i) => $e,
            Ind::Roc($i) => $e,
            Ind::Mom($i) => $e,
            Ind::Adx($i) => $e,
            Ind::Aroon($i) => $e,
            Ind::Ultosc($i) => $e,
            Ind::Obv($i) => $e,
            Ind::Ad($i) => $e,
            Ind::Adosc($i) => $e,
            Ind::Cmf($i) => $e,
            Ind::Vwap($i) => $e,
        }
    };
}

impl Ind {
    /// "STOCH_14_3_3", "CCI_14_0.015", "OBV", "VWAP_D", ... (the lead wires these ids into
    /// the catalogue; this is the hand mapping for the fixtures).
    fn from_key(key: &str) -> Ind {
        let mut parts = key.split('_');
        let name = parts.next().unwrap();
        let p: Vec<&str> = parts.collect();
        let int = |i: usize| p[i].parse::<usize>().unwrap();
        match name {
            "STOCH" => Ind::Stoch(Stoch::new(int(0), int(1), int(2))),
            "STOCHRSI" => Ind::StochRsi(StochRsi::new(int(0), int(1), int(2), int(3))),
            "WILLR" => Ind::Willr(Willr::new(int(0))),
            "CCI" => Ind::Cci(Cci::new(int(0), p[1].parse().unwrap())),
            "MFI" => Ind::Mfi(Mfi::new(int(0))),
            "ROC" => Ind::Roc(Roc::new(int(0))),
            "MOM" => Ind::Mom(Mom::new(int(0))),
            "ADX" => Ind::Adx(Adx::new(int(0))),
            "AROON" => Ind::Aroon(Aroon::new(int(0))),
            "ULTOSC" => Ind::Ultosc(Ultosc::new(int(0), int(1), int(2))),
            "OBV" => Ind::Obv(Obv::new()),
            "AD" => Ind::Ad(Ad::new()),
            "ADOSC" => Ind::Adosc(Adosc::new(int(0), int(1))),
            "CMF" => Ind::Cmf(Cmf::new(int(0))),
            "VWAP" => {
                assert_eq!(p, ["D"], "{key}: only the daily anchor");
                Ind::Vwap(Vwap::new())
            }
            _ => panic!("unknown indicator {key}"),
        }
    }

    fn family(&self) -> &'static str {
        match self {
            Ind::Stoch(_) => "STOCH",
            Ind::StochRsi(_) => "STOCHRSI",
            Ind::Willr(_) => "WILLR",
            Ind::Cci(_) => "CCI",
            Ind::Mfi(_) => "MFI",
            Ind::Roc(_) => "ROC",
            Ind::Mom(_) => "MOM",
            Ind::Adx(_) => "ADX",
            Ind::Aroon(_) => "AROON",
            Ind::Ultosc(_) => "ULTOSC",
            Ind::Obv(_) => "OBV",
            Ind::Ad(_) => "AD",
            Ind::Adosc(_) => "ADOSC",
            Ind::Cmf(_) => "CMF",
            Ind::Vwap(_) => "VWAP",
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
            Ind::Stoch(_) => Ind::Stoch(dec(bytes)),
            Ind::StochRsi(_) => Ind::StochRsi(dec(bytes)),
            Ind::Willr(_) => Ind::Willr(dec(bytes)),
            Ind::Cci(_) => Ind::Cci(dec(bytes)),
            Ind::Mfi(_) => Ind::Mfi(dec(bytes)),
            Ind::Roc(_) => Ind::Roc(dec(bytes)),
            Ind::Mom(_) => Ind::Mom(dec(bytes)),
            Ind::Adx(_) => Ind::Adx(dec(bytes)),
            Ind::Aroon(_) => Ind::Aroon(dec(bytes)),
            Ind::Ultosc(_) => Ind::Ultosc(dec(bytes)),
            Ind::Obv(_) => Ind::Obv(dec(bytes)),
            Ind::Ad(_) => Ind::Ad(dec(bytes)),
            Ind::Adosc(_) => Ind::Adosc(dec(bytes)),
            Ind::Cmf(_) => Ind::Cmf(dec(bytes)),
            Ind::Vwap(_) => Ind::Vwap(dec(bytes)),
        }
    }
}

fn bits(o: &Outputs) -> [u64; 5] {
    o.map(f64::to_bits)
}

/// Every output equals the reference within 1e-9 relative, null exactly where it is null.
#[test]
fn matches_reference_value_for_value() {
    let compared = check_values(&fixtures());
    assert!(compared > 100_000, "only {compared} values compared");
}

/// Same, on `gen_talib_fixtures.py --family momentum|volume --extra PATH` output when
/// `TALIB_EXTRA_FIXTURE_MOMENTUM=PATH[,PATH]` is set.
#[test]
fn matches_reference_on_extra_fixtures_if_given() {
    let Ok(paths) = std::env::var("TALIB_EXTRA_FIXTURE_MOMENTUM") else {
        return;
    };
    for path in paths.split(',') {
        let text = std::fs::read_to_string(path).expect("extra fixture is readable");
        check_values(&parse(&text));
    }
}

/// Compares every output of every series with the reference; prints the largest relative
/// error per indicator and returns how many non-null values were compared.
fn check_values(fixture: &[Series]) -> usize {
    let mut max_err: BTreeMap<&str, (f64, usize, usize)> = BTreeMap::new();
    let mut compared = 0usize;
    for s in fixture {
        for (key, cols) in &s.indicators {
            let mut ind = Ind::from_key(key);
            let family = ind.family();
            let (worst, count, exact) = max_err.entry(family).or_insert((0.0, 0, 0));
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
                            *count += 1;
                            *exact += usize::from(ours.to_bits() == want.to_bits());
                            compared += 1;
                        }
                    }
                }
                for (slot, v) in out.iter().enumerate().skip(cols.len()) {
                    assert!(v.is_nan(), "{}/{key}[{t}] unused slot {slot} = {v}", s.name);
                }
            }
        }
    }
    eprintln!("compared {compared} values; per indicator: max relative error, bit-identical");
    for (family, (err, count, exact)) in &max_err {
        eprintln!("  {family:<9} {err:e}  {exact}/{count}");
    }
    compared
}

/// `peek(c)` is bit-identical to the following `update(c)` and never changes the state.
#[test]
fn peek_is_update_without_commit() {
    for s in fixtures() {
        for (key, _) in &s.indicators {
            let mut ind = Ind::from_key(key);
            for (t, c) in s.candles.iter().enumerate() {
                let before = ind.to_msgpack(true);
                // A different forming candle first: peeking it must leave no trace.
                let mut forming = *c;
                forming.high *= 1.01;
                forming.close = (forming.close + forming.high) / 2.0;
                forming.volume += 8.0;
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
                len - 7,
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

/// `lookback()` equals the number of leading nulls: of every column, except DMP/DMN (set
/// from `length`, before the ADX) and CMF/VWAP (also null where the volume is 0).
#[test]
fn lookback_is_the_number_of_leading_nulls() {
    for s in fixtures() {
        let len = s.candles.len();
        for (key, cols) in &s.indicators {
            let mut ind = Ind::from_key(key);
            let lookback = ind.lookback();
            let volume_weighted = key.starts_with("CMF") || key.starts_with("VWAP");
            for (col, values) in cols {
                let leading = values.iter().take_while(|v| v.is_none()).count();
                if volume_weighted {
                    assert!(leading >= lookback.min(len), "{}/{col}", s.name);
                } else if col.starts_with("DMP") || col.starts_with("DMN") {
                    let length: usize = key["ADX_".len()..].parse().unwrap();
                    assert_eq!(leading, length.min(len), "{}/{col}", s.name);
                } else {
                    assert_eq!(leading, lookback.min(len), "{}/{col}", s.name);
                }
            }
            let ours = s
                .candles
                .iter()
                .map(|c| ind.update(c)[0])
                .take_while(|v| v.is_nan())
                .count();
            if volume_weighted {
                assert!(ours >= lookback.min(len), "{}/{key}", s.name);
            } else {
                assert_eq!(ours, lookback.min(len), "{}/{key}", s.name);
            }
        }
    }
}
