//! Every indicator of every golden fixture (tests/fixtures/talib_*.json), reached through the
//! catalogue the protocol uses: the fixture's id parses, the catalogue's output columns are the
//! fixture's (pandas-ta) column names, and the values through `State` match the reference
//! within `1e-9 * max(|ref|, 1)` with nulls in the same places, live (`peek`) and closed
//! (`update`).

use shared::catalogue::Spec;
use shared::indicators::Candle;
use std::path::Path;

fn fixtures() -> Vec<(String, serde_json::Value)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures");
    let mut out: Vec<(String, serde_json::Value)> = std::fs::read_dir(&dir)
        .expect("tests/fixtures")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("talib_") && n.ends_with(".json"))
        })
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("readable fixture");
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                serde_json::from_str(&text).expect("JSON fixture"),
            )
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn candles(series: &serde_json::Value) -> Vec<Candle> {
    series["candles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let c: Vec<f64> = c
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap())
                .collect();
            Candle {
                time: c[0] as i64,
                open: c[1],
                high: c[2],
                low: c[3],
                close: c[4],
                volume: c[5],
            }
        })
        .collect()
}

// Shows every fixture indicator is in the catalogue under its id, with the fixture's column
// names, and that live and closed values through the catalogue equal the reference.
#[test]
fn every_fixture_indicator_through_the_catalogue() {
    let files = fixtures();
    assert!(files.iter().any(|(name, _)| name == "talib_core.json"));
    let mut checked = 0usize;
    for (file, doc) in &files {
        for series in doc["series"].as_array().unwrap() {
            let candles = candles(series);
            for (id, columns) in series["indicators"].as_object().unwrap() {
                let what = format!("{file} {} {id}", series["name"].as_str().unwrap());
                let spec = Spec::from_id(id)
                    .unwrap_or_else(|e| panic!("{what}: not in the catalogue: {e}"));
                assert_eq!(&spec.id(), id, "{what}: canonical id");
                let names = spec.columns();
                let mut fixture_names: Vec<&String> = columns.as_object().unwrap().keys().collect();
                fixture_names.sort();
                let mut ours: Vec<&String> = names.iter().collect();
                ours.sort();
                assert_eq!(ours, fixture_names, "{what}: column names");
                let mut state = spec.new_state();
                for (t, c) in candles.iter().enumerate() {
                    let live = state.peek(c);
                    let closed = state.update(c);
                    for (k, name) in names.iter().enumerate() {
                        let expected = columns[name][t].as_f64();
                        for (got, when) in [(live[k], "peek"), (closed[k], "update")] {
                            match expected {
                                None => assert!(
                                    got.is_nan(),
                                    "{what} {name}[{t}] {when}: {got}, reference null"
                                ),
                                Some(e) => assert!(
                                    (got - e).abs() <= 1e-9 * e.abs().max(1.0),
                                    "{what} {name}[{t}] {when}: {got}, reference {e}"
                                ),
                            }
                        }
                        checked += 1;
                    }
                }
            }
        }
    }
    assert!(checked > 50_000, "only {checked} values checked");
}
