//! Values through the whole system equal TA-Lib's: ticks in, candles built by the computer,
//! indicators computed and published, delivered by the gateway, and `initial_values` read by a
//! later subscriber, all compared with the golden fixture made by scripts/gen_talib_fixtures.py
//! (TA-Lib C 0.8.1 via the Python package ta-lib 0.8.2).

use integration::*;
use serde_json::{Value, json};
use shared::indicators::Candle;
use std::collections::BTreeMap;
use std::time::Duration;

/// Every family's fixture: each holds the series `walk_seed1_n300` (the same candles in all).
const FIXTURES: [&str; 13] = [
    include_str!("../fixtures/talib_core.json"),
    include_str!("../fixtures/talib_cycle.json"),
    include_str!("../fixtures/talib_math_operators.json"),
    include_str!("../fixtures/talib_math_transform.json"),
    include_str!("../fixtures/talib_matype.json"),
    include_str!("../fixtures/talib_momentum.json"),
    include_str!("../fixtures/talib_overlap.json"),
    include_str!("../fixtures/talib_pattern.json"),
    include_str!("../fixtures/talib_price_transform.json"),
    include_str!("../fixtures/talib_sar.json"),
    include_str!("../fixtures/talib_statistic.json"),
    include_str!("../fixtures/talib_volatility.json"),
    include_str!("../fixtures/talib_volume.json"),
];
const SYMBOL: &str = "GOLDEN";
const WATCHED: [&str; 5] = [
    "SMA_20",
    "EMA_10",
    "RSI_14",
    "MACD_12_26_9",
    "BBANDS_20_2.0",
];
/// What the late subscriber watches: four of WATCHED (live), and SMA_10, never watched before.
const LATE: [&str; 5] = [
    "SMA_20",
    "RSI_14",
    "MACD_12_26_9",
    "BBANDS_20_2.0",
    "SMA_10",
];

struct Series {
    candles: Vec<[f64; 6]>,
    /// indicator id -> column -> values
    values: BTreeMap<String, BTreeMap<String, Vec<Option<f64>>>>,
}

/// A fixture cell: a number, null (TA-Lib's NaN) or "inf" / "-inf".
fn cell(v: &Value) -> Option<f64> {
    match v.as_str() {
        Some("inf") => Some(f64::INFINITY),
        Some("-inf") => Some(f64::NEG_INFINITY),
        _ => v.as_f64(),
    }
}

/// Series `name` with the indicators of every family's fixture.
fn series(name: &str) -> Series {
    let mut candles: Option<Vec<[f64; 6]>> = None;
    let mut values = BTreeMap::new();
    for text in FIXTURES {
        let fixture: Value = serde_json::from_str(text).unwrap();
        let s = fixture["series"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == name)
            .unwrap();
        let these: Vec<[f64; 6]> = s["candles"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                let c = c.as_array().unwrap();
                std::array::from_fn(|i| c[i].as_f64().unwrap())
            })
            .collect();
        assert!(
            candles.as_ref().is_none_or(|c| *c == these),
            "{name} differs between fixtures"
        );
        candles = Some(these);
        for (id, cols) in s["indicators"].as_object().unwrap() {
            let cols = cols
                .as_object()
                .unwrap()
                .iter()
                .map(|(col, vs)| {
                    (
                        col.clone(),
                        vs.as_array().unwrap().iter().map(cell).collect(),
                    )
                })
                .collect();
            values.insert(id.clone(), cols);
        }
    }
    Series {
        candles: candles.unwrap(),
        values,
    }
}

/// The ticks that rebuild candle `c` exactly: open, high, low, close, a quarter of the volume each.
fn ticks_of(c: &[f64; 6]) -> Vec<(i64, f64, f64)> {
    let t = c[0] as i64;
    let v = c[5] / 4.0;
    vec![
        (t + 1000, c[1], v),
        (t + 2000, c[2], v),
        (t + 3000, c[3], v),
        (t + 4000, c[4], v),
    ]
}

/// Asserts a delivered value equals TA-Lib's at candle `k` (every column, null where TA-Lib has NaN).
fn check(s: &Series, id: &str, k: usize, value: &Value, what: &str) {
    let cols = &s.values[id];
    for (col, expected) in cols {
        let got = if cols.len() == 1 { value } else { &value[col] };
        // JSON's infinities are the strings "Infinity" / "-Infinity" (catalogue::outputs_json).
        let number = match got.as_str() {
            Some("Infinity") => Some(f64::INFINITY),
            Some("-Infinity") => Some(f64::NEG_INFINITY),
            _ => got.as_f64(),
        };
        match (expected[k], number) {
            (None, None) if got.is_null() => {}
            (Some(e), Some(g)) if e.is_infinite() => {
                assert_eq!(g, e, "{what}: {col}[{k}] = {g}, TA-Lib {e}");
            }
            (Some(e), Some(g)) => {
                assert!(
                    (g - e).abs() <= 1e-9 * e.abs().max(1.0),
                    "{what}: {col}[{k}] = {g}, TA-Lib {e}"
                );
            }
            (e, _) => panic!("{what}: {col}[{k}] = {got}, TA-Lib {e:?}"),
        }
    }
}

async fn forming_close(redis: &Redis) -> Option<Candle> {
    let mut c = redis.conn().await.unwrap();
    let raw: Option<Vec<u8>> = redis::cmd("HGET")
        .arg(format!("candle_forming:{{{SYMBOL}}}"))
        .arg("1min")
        .query_async(&mut c)
        .await
        .unwrap();
    raw.and_then(|b| shared::update::decode(&b).ok())
}

// Live values, finals and a late subscriber's initial values all equal TA-Lib's at each candle.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn published_and_initial_values_equal_talib() {
    let s = series("walk_seed1_n300");
    let n = s.candles.len();
    let k = 200; // candle K is complete but still forming when the late subscriber arrives
    let st = Stack::with_computer(NO_IDLE_CLOSE, &[]).await;
    let redis = &st.redis;

    // A watches from the first tick on.
    let first = ticks_of(&s.candles[0]);
    write_ticks(redis, SYMBOL, &first[..1]).await.unwrap();
    let mut a = st.client("a@x.com").await;
    a.subscribe_ok(SYMBOL, "1min", json!(WATCHED)).await;
    a.expect_update(Duration::from_secs(10)).await;

    // Candles 0..=K, the last one complete but not closed.
    let mut ticks: Vec<_> = first[1..].to_vec();
    for c in &s.candles[1..=k] {
        ticks.extend(ticks_of(c));
    }
    write_ticks(redis, SYMBOL, &ticks).await.unwrap();
    let want = s.candles[k];
    let caught_up = eventually(Duration::from_secs(20), || async {
        forming_close(redis)
            .await
            .is_some_and(|c| c.time == want[0] as i64 && c.close == want[4] && c.volume == want[5])
    })
    .await;
    assert!(caught_up, "the computer did not catch up");
    // The publication of candle K's last tick left in the same script as the forming write.
    a.drain_for(Duration::from_millis(500)).await;

    // B arrives now: its initial values are TA-Lib's at K (as if K closed now) and equal, bit for
    // bit, what A last received; SMA_10 was never watched and is warmed from history.
    let mut b = st.client("b@x.com").await;
    let r = b.subscribe_ok(SYMBOL, "1min", json!(LATE)).await;
    let initial = &r["data"]["initial_values"];
    for id in LATE {
        check(&s, id, k, &initial[id], &format!("initial_values {id}"));
    }
    for id in ["SMA_20", "RSI_14", "MACD_12_26_9", "BBANDS_20_2.0"] {
        let last_live = a
            .updates()
            .filter(|u| u["indicator_id"] == id)
            .last()
            .unwrap();
        assert_eq!(last_live["final"], false);
        assert_eq!(
            initial[id], last_live["value"],
            "{id}: initial value differs from the published one"
        );
        check(&s, id, k, &last_live["value"], &format!("live {id}"));
    }

    // The rest of the series, then one tick that closes the last candle.
    let mut ticks = Vec::new();
    for c in &s.candles[k + 1..] {
        ticks.extend(ticks_of(c));
    }
    let after = s.candles[n - 1][0] as i64 + 60_000 + 1000;
    ticks.push((after, s.candles[n - 1][4], 4.0));
    write_ticks(redis, SYMBOL, &ticks).await.unwrap();
    let last_time = shared::clock::rfc3339_millis(s.candles[n - 1][0] as i64);
    for c in [&mut a, &mut b] {
        let done = c
            .next_where(final_of("SMA_20", &last_time), Duration::from_secs(20))
            .await;
        assert!(done.is_some(), "last final not received");
        c.drain_for(Duration::from_millis(300)).await;
    }

    check_finals(&s, &a, &WATCHED, 0);
    check_finals(&s, &b, &LATE, k);
}

/// Every final `client` received for `ids` is TA-Lib's, one per candle from `from` on, in order.
fn check_finals(s: &Series, client: &Client, ids: &[&str], from: usize) {
    let time_index: BTreeMap<String, usize> = s
        .candles
        .iter()
        .enumerate()
        .map(|(i, c)| (shared::clock::rfc3339_millis(c[0] as i64), i))
        .collect();
    for id in ids {
        let finals: Vec<&Value> = client
            .updates()
            .filter(|u| u["indicator_id"] == *id && u["final"] == true)
            .collect();
        let idx: Vec<usize> = finals
            .iter()
            .map(|u| time_index[u["candle_time"].as_str().unwrap()])
            .collect();
        assert_eq!(
            idx,
            (from..s.candles.len()).collect::<Vec<_>>(),
            "{id}: every final exactly once, in order"
        );
        for (u, &i) in finals.iter().zip(&idx) {
            check(s, id, i, &u["value"], &format!("final {id}"));
        }
    }
}

/// One function or more of every TA-Lib group beyond the first catalogue, by TA-Lib name.
const FAMILIES: [&str; 20] = [
    "CDLENGULFING",
    "CDLHAMMER",
    "CDL3WHITESOLDIERS",
    "HT_TRENDLINE",
    "HT_TRENDMODE",
    "MAMA_0.5_0.05",
    "LINEARREG_SLOPE_14",
    "SAR_0.02_0.2",
    "MINMAXINDEX_30",
    "AVGPRICE",
    "EXP",
    "RVOL_20",
    "VWAP",
    "VWMA_30",
    "T3_5_0.7",
    "ADXR_14",
    "MA_30_7",
    "MACDEXT_12_1_26_1_9_1",
    "KDJ_9_3_13_3_13",
    "SAREXT_0.0_0.0_0.02_0.02_0.2_0.02_0.02_0.2",
];

// The TA-Lib groups beyond the first catalogue (patterns, cycle, statistic, math, price
// transform, volume with its infinities, ...) stream through the whole system with TA-Lib's
// values, live and final.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_group_through_the_system_equals_talib() {
    let s = series("walk_seed1_n300");
    let n = s.candles.len();
    let st = Stack::with_computer(NO_IDLE_CLOSE, &[]).await;
    let redis = &st.redis;
    let first = ticks_of(&s.candles[0]);
    write_ticks(redis, SYMBOL, &first[..1]).await.unwrap();
    let mut a = st.client("a@x.com").await;
    let r = a.subscribe_ok(SYMBOL, "1min", json!(FAMILIES)).await;
    assert_eq!(r["data"]["indicators"], json!(FAMILIES), "canonical ids");
    a.expect_update(Duration::from_secs(10)).await;

    let mut ticks: Vec<_> = first[1..].to_vec();
    for c in &s.candles[1..] {
        ticks.extend(ticks_of(c));
    }
    let after = s.candles[n - 1][0] as i64 + 60_000 + 1000;
    ticks.push((after, s.candles[n - 1][4], 4.0));
    write_ticks(redis, SYMBOL, &ticks).await.unwrap();
    let last_time = shared::clock::rfc3339_millis(s.candles[n - 1][0] as i64);
    let done = a
        .next_where(final_of("ADXR_14", &last_time), Duration::from_secs(30))
        .await;
    assert!(done.is_some(), "last final not received");
    a.drain_for(Duration::from_millis(300)).await;
    check_finals(&s, &a, &FAMILIES, 0);
}
