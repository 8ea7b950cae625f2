//! Golden tests: every indicator of every fixture `tests/fixtures/talib_*.json` (written by
//! `scripts/gen_talib_fixtures.py`: TA-Lib C 0.8.1, or pandas-ta's definition in numpy where
//! TA-Lib has no such indicator), replayed candle by candle through the path the cluster uses:
//! `Spec::from_id(id)`, `spec.columns()`, `spec.new_state()`, `State::peek/update/lookback`,
//! and MessagePack (`shared::update::encode`/`encode_named`/`decode`, i.e. rmp-serde) for saved
//! states.
//!
//! `TALIB_EXTRA_FIXTURE=PATH[,PATH...]` runs every check on the larger, uncommitted fixtures of
//! `python3 scripts/gen_talib_fixtures.py --family NAME --extra PATH` too (one per family).
//! Run with `--nocapture` to see, per indicator, how many values were compared, how many were
//! bit-identical and the largest relative error.

use serde_json::Value;
use shared::catalogue::{CATALOGUE, CatalogueError, Kind, Spec, State};
use shared::indicators::{Candle, Outputs};
use shared::update::{decode, encode, encode_named};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The contract: `|ours - ref| <= TOLERANCE * max(|ref|, 1)`, null exactly where ref is null.
const TOLERANCE: f64 = 1e-9;

/// The committed fixtures `tests/fixtures/talib_<family>.json` (any other `talib_*.json`
/// there is checked too).
const FAMILIES: [&str; 5] = ["core", "overlap", "momentum", "volatility", "volume"];

struct Series {
    /// File and series name, for messages: "talib_core.json walk_seed1_n60".
    name: String,
    candles: Vec<Candle>,
    indicators: Vec<Indicator>,
}

struct Indicator {
    /// "talib_core.json walk_seed1_n60 MACD_12_26_9", for messages.
    what: String,
    spec: Spec,
    /// The reference columns in `spec.columns()` order: name, values (`None` = null).
    columns: Vec<(String, Vec<Option<f64>>)>,
}

impl Indicator {
    /// The column whose leading nulls are the lookback: the one present from the first value
    /// on (PSARl/PSARs alternate, so PSARaf; DCL/DCU may start before DCM).
    fn primary(&self) -> usize {
        let prefix = match self.spec.kind {
            Kind::Psar => "PSARaf_",
            Kind::Donchian => "DCM_",
            _ => return 0,
        };
        self.columns
            .iter()
            .position(|(name, _)| name.starts_with(prefix))
            .expect("primary column")
    }

    /// Whether every value must be bit-identical to the reference. The one documented
    /// exception: CCI with `c != 0.015` (TA-Lib fixes 0.015; other `c` scale it by 0.015 / c).
    fn bit_exact(&self) -> bool {
        !(self.spec.kind == Kind::Cci && self.spec.params[1] != 0.015)
    }
}

/// The committed fixtures, parsed once for all tests.
fn fixtures() -> &'static [Series] {
    static FIXTURES: OnceLock<Vec<Series>> = OnceLock::new();
    FIXTURES.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures");
        let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
            .expect("tests/fixtures")
            .map(|e| e.expect("directory entry").path())
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("talib_") && n.ends_with(".json"))
            })
            .collect();
        paths.sort();
        for family in FAMILIES {
            let path = dir.join(format!("talib_{family}.json"));
            assert!(paths.contains(&path), "missing {}", path.display());
        }
        paths.iter().flat_map(|p| load(p, true)).collect()
    })
}

/// The fixtures named in `TALIB_EXTRA_FIXTURE` (comma-separated paths), if it is set.
fn extra_fixtures() -> Option<Vec<Series>> {
    let paths = std::env::var("TALIB_EXTRA_FIXTURE").ok()?;
    let paths: Vec<&str> = paths.split(',').filter(|p| !p.trim().is_empty()).collect();
    assert!(!paths.is_empty(), "TALIB_EXTRA_FIXTURE names no file");
    Some(
        paths
            .iter()
            .flat_map(|p| load(Path::new(p.trim()), false))
            .collect(),
    )
}

/// Parses one fixture. Every id must be the catalogue's canonical id with the fixture's column
/// names; with `strict` false (extra fixtures), ids whose params the protocol refuses (MACD
/// with fast >= slow, which TA-Lib accepts) get the same `Spec` built without that validation,
/// so their values are still checked through `State`.
fn load(path: &Path, strict: bool) -> Vec<Series> {
    let file = path.file_name().unwrap().to_string_lossy().into_owned();
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("fixture {}: {e}", path.display()));
    let doc: Value = serde_json::from_str(&text).expect("fixture is JSON");
    assert_eq!(doc["talib"], "0.8.1", "{file}: made with another TA-Lib");
    let series = doc["series"].as_array().expect("series");
    assert!(!series.is_empty(), "{file}: no series");
    series
        .iter()
        .map(|s| {
            let name = format!("{file} {}", s["name"].as_str().expect("series name"));
            let candles: Vec<Candle> = s["candles"]
                .as_array()
                .expect("candles")
                .iter()
                .map(|c| {
                    let f = |i: usize| c[i].as_f64().expect("candle field");
                    Candle {
                        time: c[0].as_i64().expect("candle time"),
                        open: f(1),
                        high: f(2),
                        low: f(3),
                        close: f(4),
                        volume: f(5),
                    }
                })
                .collect();
            let indicators = s["indicators"]
                .as_object()
                .expect("indicators")
                .iter()
                .map(|(id, cols)| {
                    let what = format!("{name} {id}");
                    let spec = spec_of(id, strict, &what);
                    assert_eq!(&spec.id(), id, "{what}: canonical id");
                    let cols = cols.as_object().expect("columns");
                    let mut ours = spec.columns();
                    ours.sort();
                    let mut theirs: Vec<&String> = cols.keys().collect();
                    theirs.sort();
                    assert_eq!(ours.iter().collect::<Vec<_>>(), theirs, "{what}: columns");
                    let columns = spec
                        .columns()
                        .into_iter()
                        .map(|col| {
                            let values: Vec<Option<f64>> = cols[&col]
                                .as_array()
                                .expect("column")
                                .iter()
                                .map(number)
                                .collect();
                            assert_eq!(values.len(), candles.len(), "{what} {col}: length");
                            (col, values)
                        })
                        .collect();
                    Indicator {
                        what,
                        spec,
                        columns,
                    }
                })
                .collect();
            Series {
                name,
                candles,
                indicators,
            }
        })
        .collect()
}

/// A fixture value: a number, null (`None`), or "inf" / "-inf" (which JSON cannot hold).
fn number(v: &Value) -> Option<f64> {
    match v.as_str() {
        _ if v.is_null() => None,
        Some("inf") => Some(f64::INFINITY),
        Some("-inf") => Some(f64::NEG_INFINITY),
        _ => Some(v.as_f64().expect("number, null, \"inf\" or \"-inf\"")),
    }
}

/// `Spec::from_id(id)`; see [`load`] for `strict`.
fn spec_of(id: &str, strict: bool, what: &str) -> Spec {
    match Spec::from_id(id) {
        Ok(spec) => spec,
        Err(CatalogueError::InvalidParams(e)) if !strict => {
            eprintln!("{what}: refused by the catalogue ({e}); checked through State only");
            let mut parts = id.split('_');
            let name = parts.next().unwrap();
            let def = CATALOGUE.iter().find(|d| d.name == name).unwrap();
            let mut params = [0.0; shared::catalogue::MAX_PARAMS];
            for (value, p) in params.iter_mut().zip(def.params) {
                *value = p.default;
            }
            for (value, token) in params.iter_mut().zip(parts) {
                *value = token
                    .parse()
                    .unwrap_or_else(|_| panic!("{what}: param {token}"));
            }
            Spec {
                kind: def.kind,
                params,
            }
        }
        Err(e) => panic!("{what}: not in the catalogue: {e}"),
    }
}

fn bits(o: &Outputs) -> [u64; 5] {
    o.map(f64::to_bits)
}

/// Value counts of one indicator name (or all).
#[derive(Default)]
struct Tally {
    /// Column x candle values, each checked live (`peek`) and closed (`update`).
    values: usize,
    /// Of these, null in the reference (and ours).
    nulls: usize,
    /// Of the non-null ones, bit-identical to the reference live and closed.
    identical: usize,
    /// Largest `|ours - ref| / max(|ref|, 1)`.
    max_err: f64,
}

impl Tally {
    fn add(&mut self, other: &Tally) {
        self.values += other.values;
        self.nulls += other.nulls;
        self.identical += other.identical;
        self.max_err = self.max_err.max(other.max_err);
    }
}

/// Every value, live and closed, against the reference: within the tolerance, null exactly
/// where it is null, bit-identical unless `Indicator::bit_exact` says otherwise, unused
/// output slots NaN. Prints the counts per indicator and returns the total.
fn check_values(fixture: &[Series]) -> Tally {
    let mut per_name: BTreeMap<&str, Tally> = BTreeMap::new();
    for s in fixture {
        for ind in &s.indicators {
            let tally = per_name.entry(ind.spec.def().name).or_default();
            let mut state = ind.spec.new_state();
            for (t, c) in s.candles.iter().enumerate() {
                let live = state.peek(c);
                let closed = state.update(c);
                for (k, (col, values)) in ind.columns.iter().enumerate() {
                    tally.values += 1;
                    let Some(want) = values[t] else {
                        for (got, when) in [(live[k], "peek"), (closed[k], "update")] {
                            assert!(
                                got.is_nan(),
                                "{} {col}[{t}] {when}: {got}, ref null",
                                s.name
                            );
                        }
                        tally.nulls += 1;
                        continue;
                    };
                    let mut identical = true;
                    for (got, when) in [(live[k], "peek"), (closed[k], "update")] {
                        // Equal infinities are no error (their difference is NaN).
                        let err = if got == want {
                            0.0
                        } else {
                            (got - want).abs() / want.abs().max(1.0)
                        };
                        assert!(
                            err <= TOLERANCE,
                            "{} {col}[{t}] {when}: {got:?}, ref {want:?} (rel {err:e})",
                            s.name
                        );
                        let same = got.to_bits() == want.to_bits();
                        assert!(
                            same || !ind.bit_exact(),
                            "{} {col}[{t}] {when}: {got:?}, ref {want:?}: not bit-identical",
                            s.name
                        );
                        identical &= same;
                        tally.max_err = tally.max_err.max(err);
                    }
                    tally.identical += usize::from(identical);
                }
                for (out, when) in [(&live, "peek"), (&closed, "update")] {
                    for (slot, v) in out.iter().enumerate().skip(ind.columns.len()) {
                        assert!(
                            v.is_nan(),
                            "{}[{t}] {when}: unused slot {slot} = {v}",
                            ind.what
                        );
                    }
                }
            }
        }
    }
    let mut total = Tally::default();
    eprintln!("indicator   values   nulls  non-null  bit-identical  max rel. error");
    for (name, t) in &per_name {
        eprintln!(
            "{name:<10} {:>7} {:>7} {:>9} {:>14}  {:e}",
            t.values,
            t.nulls,
            t.values - t.nulls,
            t.identical,
            t.max_err
        );
        total.add(t);
    }
    eprintln!(
        "total: {} values ({} null, {} non-null), {} bit-identical, live and closed",
        total.values,
        total.nulls,
        total.values - total.nulls,
        total.identical
    );
    total
}

/// A forming candle unlike `c` (higher high, lower low, another close and volume).
fn forming(c: &Candle) -> Candle {
    let high = c.high * 1.01 + 2.0;
    Candle {
        high,
        low: c.low * 0.99,
        close: (c.close + high) / 2.0,
        volume: c.volume + 8.0,
        ..*c
    }
}

/// Peeking a forming candle, then the closing one, leaves the serialized state as it was, and
/// the peek is bit-identical to the `update` that follows.
fn check_peek(fixture: &[Series]) {
    for s in fixture {
        for ind in &s.indicators {
            let mut state = ind.spec.new_state();
            for (t, c) in s.candles.iter().enumerate() {
                let before = encode_named(&state);
                let _ = state.peek(&forming(c));
                let peeked = state.peek(c);
                assert!(
                    encode_named(&state) == before,
                    "{}[{t}]: peek changed the state",
                    ind.what
                );
                let updated = state.update(c);
                assert_eq!(bits(&peeked), bits(&updated), "{}[{t}]", ind.what);
            }
        }
    }
}

/// A state saved at several cut points (around the warm-up, mid-series, near the end) with
/// `to_vec` and with `to_vec_named`, restored, gives bit-identical `peek`s and `update`s for
/// the rest of the series.
fn check_restore(fixture: &[Series]) {
    for s in fixture {
        let len = s.candles.len();
        for ind in &s.indicators {
            let lookback = ind.spec.new_state().lookback();
            let mut cuts = vec![
                0,
                1,
                lookback.saturating_sub(1),
                lookback,
                lookback + 1,
                len / 2,
                len.saturating_sub(7),
            ];
            cuts.retain(|&k| k < len);
            cuts.sort_unstable();
            cuts.dedup();
            // One uninterrupted run: its outputs at every candle, its state at every cut.
            let mut state = ind.spec.new_state();
            let mut expected = Vec::with_capacity(len);
            let mut saved = Vec::new();
            for (t, c) in s.candles.iter().enumerate() {
                if cuts.contains(&t) {
                    saved.push((t, "to_vec", encode(&state)));
                    saved.push((t, "to_vec_named", encode_named(&state)));
                }
                expected.push((bits(&state.peek(c)), bits(&state.update(c))));
            }
            for (cut, how, bytes) in saved {
                let what = format!("{} saved at {cut} ({how})", ind.what);
                let mut restored: State =
                    decode(&bytes).unwrap_or_else(|e| panic!("{what}: decode: {e}"));
                let again = if how == "to_vec" {
                    encode(&restored)
                } else {
                    encode_named(&restored)
                };
                assert!(again == bytes, "{what}: re-encodes differently");
                for (t, c) in s.candles.iter().enumerate().skip(cut) {
                    let (peek, update) = expected[t];
                    assert_eq!(bits(&restored.peek(c)), peek, "{what}: peek [{t}]");
                    assert_eq!(bits(&restored.update(c)), update, "{what}: update [{t}]");
                }
            }
        }
    }
}

/// `lookback()` equals the number of leading nulls of the primary column, the reference's and
/// ours. VWAP, VWMA and RVOL are also null where the day's (window's) volume is 0, so theirs may be
/// longer, but only when the candle right after the lookback has no volume; ACOS and ASIN are
/// null outside [-1, 1], so theirs may be longer when that candle's close is outside. Where
/// the reference has no null at all but a lookback (TA-Lib's 0 warm-up of the INDEX
/// functions), the first `lookback` values, the reference's and ours, are 0 instead.
fn check_lookback(fixture: &[Series]) {
    for s in fixture {
        let len = s.candles.len();
        for ind in &s.indicators {
            let mut state = ind.spec.new_state();
            let lookback = state.lookback().min(len);
            let primary = ind.primary();
            let (col, values) = &ind.columns[primary];
            let ours: Vec<f64> = s.candles.iter().map(|c| state.update(c)[primary]).collect();
            if lookback > 0 && values.iter().all(Option::is_some) {
                // TA-Lib's warm-up is 0, not null (the INDEX functions' integer outputs).
                for (t, (theirs, ours)) in values.iter().zip(&ours).take(lookback).enumerate() {
                    assert!(
                        *theirs == Some(0.0) && *ours == 0.0,
                        "{} {col}[{t}]: warm-up {theirs:?} (reference), {ours} (ours), not 0",
                        s.name
                    );
                }
                continue;
            }
            let reference = values.iter().take_while(|v| v.is_none()).count();
            let ours = ours.iter().take_while(|v| v.is_nan()).count();
            let null_after = matches!(ind.spec.kind, Kind::Vwap | Kind::Vwma | Kind::Rvol)
                && lookback < len
                && s.candles[lookback].volume == 0.0
                || matches!(ind.spec.kind, Kind::Acos | Kind::Asin)
                    && lookback < len
                    && s.candles[lookback].close.abs() > 1.0;
            for (leading, whose) in [(reference, "reference"), (ours, "ours")] {
                if null_after {
                    assert!(
                        leading >= lookback,
                        "{} {col} {whose}: {leading} leading nulls, lookback {lookback}",
                        s.name
                    );
                } else {
                    assert_eq!(
                        leading, lookback,
                        "{} {col} {whose}: leading nulls vs lookback",
                        s.name
                    );
                }
            }
        }
    }
}

// Shows every catalogue indicator has golden values, under canonical ids and pandas-ta columns.
#[test]
fn fixtures_cover_the_catalogue_under_canonical_ids() {
    let fixture = fixtures();
    for def in CATALOGUE {
        let found = fixture
            .iter()
            .flat_map(|s| &s.indicators)
            .any(|ind| ind.spec.kind == def.kind);
        assert!(found, "{} has no golden values", def.name);
    }
}

// Shows every peek/update value equals the reference: same nulls, bits (CCI c != 0.015: 1e-9).
#[test]
fn values_equal_the_reference() {
    let total = check_values(fixtures());
    assert!(
        total.values > 300_000,
        "only {} values checked",
        total.values
    );
}

// Shows `peek` before `update` is bit-identical to it and leaves the serialized state as it was.
#[test]
fn peek_is_update_without_commit() {
    check_peek(fixtures());
}

// Shows a state saved mid-series (rmp-serde to_vec, to_vec_named) and restored goes on exactly.
#[test]
fn saved_state_continues_bit_identically() {
    check_restore(fixtures());
}

// Shows `lookback()` is the number of leading nulls of the primary column, reference and ours.
#[test]
fn lookback_is_the_number_of_leading_nulls() {
    check_lookback(fixtures());
}

// Shows all of the above on the fixtures in `TALIB_EXTRA_FIXTURE` (comma-separated), if set.
#[test]
fn extra_fixtures_if_given() {
    let Some(fixture) = extra_fixtures() else {
        return;
    };
    check_values(&fixture);
    check_peek(&fixture);
    check_restore(&fixture);
    check_lookback(&fixture);
}
