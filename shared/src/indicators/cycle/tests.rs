//! The HT_* functions against TA-Lib 0.8.1 (`tests/fixtures/pending_cycle_ht.json`, written
//! by `scripts/fixtures/cycle.py`) through their types, as `shared/tests/golden.rs` checks
//! catalogue rows: every value live (`peek`) and closed (`update`) bit-identical, nulls
//! exactly where TA-Lib's, unused slots NaN, `lookback()` the leading nulls (HT_TRENDMODE:
//! TA-Lib's 0 warm-up), a peek changing nothing, and states saved with MessagePack
//! (compact and named) at several cut points continuing bit-identically.

use super::{HtDcperiod, HtDcphase, HtPhasor, HtSine, HtTrendline, HtTrendmode};
use crate::indicators::{Candle, Indicator, Outputs};
use crate::update::{decode, encode, encode_named};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

type Columns = Vec<(String, Vec<Option<f64>>)>;

fn bits(o: &Outputs) -> [u64; 5] {
    o.map(f64::to_bits)
}

/// A forming candle unlike `c`.
fn forming(c: &Candle) -> Candle {
    Candle {
        high: c.high * 1.01 + 2.0,
        low: c.low * 0.99,
        close: c.close * 1.003 + 1.0,
        ..*c
    }
}

/// Every check on one indicator and series; returns the number of values compared.
fn check<I>(what: &str, make: fn() -> I, candles: &[Candle], columns: &Columns) -> usize
where
    I: Indicator + Serialize + DeserializeOwned,
{
    let mut state = make();
    let lookback = state.lookback();
    let mut expected = Vec::with_capacity(candles.len());
    let mut saved = Vec::new();
    let cuts = [
        0,
        1,
        lookback - 1,
        lookback,
        lookback + 1,
        candles.len() / 2,
    ];
    let mut count = 0;
    for (t, c) in candles.iter().enumerate() {
        if cuts.contains(&t) {
            saved.push((t, encode(&state), false));
            saved.push((t, encode_named(&state), true));
        }
        let before = encode_named(&state);
        let _ = state.peek(&forming(c));
        let live = state.peek(c);
        assert!(
            encode_named(&state) == before,
            "{what}[{t}]: peek changed the state"
        );
        let closed = state.update(c);
        assert_eq!(bits(&live), bits(&closed), "{what}[{t}]: peek vs update");
        for (k, (col, values)) in columns.iter().enumerate() {
            count += 1;
            match values[t] {
                None => assert!(
                    closed[k].is_nan(),
                    "{what} {col}[{t}]: {}, ref null",
                    closed[k]
                ),
                Some(want) => assert_eq!(
                    closed[k].to_bits(),
                    want.to_bits(),
                    "{what} {col}[{t}]: {}, ref {want}",
                    closed[k]
                ),
            }
        }
        assert!(
            closed[columns.len()..].iter().all(|v| v.is_nan()),
            "{what}[{t}]: slots"
        );
        expected.push(bits(&closed));
    }
    let (col, first) = &columns[0];
    let nulls = first.iter().take_while(|v| v.is_none()).count();
    if first.iter().all(Option::is_some) {
        // TA-Lib's integer output (HT_TRENDMODE): a warm-up of zeros, not nulls.
        assert!(
            first[..lookback].iter().all(|v| *v == Some(0.0)),
            "{what} {col}: warm-up"
        );
    } else {
        assert_eq!(nulls, lookback, "{what} {col}: leading nulls vs lookback");
    }
    for (cut, bytes, named) in saved {
        let mut restored: I = decode(&bytes).unwrap_or_else(|e| panic!("{what}: decode: {e}"));
        let again = if named {
            encode_named(&restored)
        } else {
            encode(&restored)
        };
        assert!(
            again == bytes,
            "{what} saved at {cut}: re-encodes differently"
        );
        for (t, c) in candles.iter().enumerate().skip(cut) {
            assert_eq!(
                bits(&restored.update(c)),
                expected[t],
                "{what} saved at {cut}: [{t}]"
            );
        }
    }
    count
}

fn candles(s: &Value) -> Vec<Candle> {
    let rows = s["candles"].as_array().expect("candles");
    rows.iter()
        .map(|c| {
            let f = |i: usize| c[i].as_f64().expect("candle field");
            Candle {
                time: c[0].as_i64().expect("time"),
                open: f(1),
                high: f(2),
                low: f(3),
                close: f(4),
                volume: f(5),
            }
        })
        .collect()
}

fn columns(cols: &Value, names: &[&str]) -> Columns {
    assert_eq!(cols.as_object().expect("columns").len(), names.len());
    names
        .iter()
        .map(|&name| {
            let values = cols[name]
                .as_array()
                .unwrap_or_else(|| panic!("column {name}"))
                .iter()
                .map(Value::as_f64)
                .collect();
            (name.to_owned(), values)
        })
        .collect()
}

// Shows HT_DCPERIOD, HT_DCPHASE, HT_PHASOR, HT_SINE, HT_TRENDMODE and HT_TRENDLINE equal
// TA-Lib 0.8.1 bit for bit, live and closed, and save/restore exactly.
#[test]
fn ht_functions_equal_talib() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/pending_cycle_ht.json"
    );
    let text = std::fs::read_to_string(path).expect("pending_cycle_ht.json");
    let doc: Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(doc["talib"], "0.8.1");
    let mut total = 0;
    let mut seen = Vec::new();
    for s in doc["series"].as_array().expect("series") {
        let candles = candles(s);
        for (id, cols) in s["indicators"].as_object().expect("indicators") {
            let what = format!("{} {id}", s["name"]);
            total += match id.as_str() {
                "HT_DCPERIOD" => check(&what, HtDcperiod::new, &candles, &columns(cols, &[id])),
                "HT_DCPHASE" => check(&what, HtDcphase::new, &candles, &columns(cols, &[id])),
                "HT_TRENDLINE" => check(&what, HtTrendline::new, &candles, &columns(cols, &[id])),
                "HT_TRENDMODE" => check(&what, HtTrendmode::new, &candles, &columns(cols, &[id])),
                "HT_PHASOR" => {
                    let names = ["HT_PHASORinphase", "HT_PHASORquadrature"];
                    check(&what, HtPhasor::new, &candles, &columns(cols, &names))
                }
                "HT_SINE" => {
                    let names = ["HT_SINEsine", "HT_SINEleadsine"];
                    check(&what, HtSine::new, &candles, &columns(cols, &names))
                }
                _ => panic!("{what}: unknown id"),
            };
            seen.push(id.clone());
        }
    }
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 6, "{seen:?}");
    eprintln!("HT_* functions: {total} values, all bit-identical to TA-Lib, live and closed");
    assert!(total > 20_000);
}
