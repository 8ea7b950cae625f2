//! The indicator catalogue through the gateway: every indicator is accepted by id and by name,
//! and multi-output indicators carry their pandas-ta columns.

use integration::*;
use serde_json::{Value, json};
use std::time::Duration;

// The whole catalogue is accepted by id and by name with default params (TA-Lib's names in any
// case, TA-Lib's param names), and multi-output indicators come back keyed by their columns.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_catalogue_indicator_by_id_and_by_name() {
    let catalogue = shared::catalogue::CATALOGUE;
    let s = Stack::start(&["--max-indicators-per-conn", "1000"]).await;
    let mut c = s.client("a@x.com").await;
    let by_name: Vec<Value> = catalogue
        .iter()
        .map(|d| json!({"name": d.name.to_lowercase()}))
        .collect();
    let r = c.subscribe_ok("CAT", "1min", json!(by_name)).await;
    let ids: Vec<String> = r["data"]["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), catalogue.len());
    for id in [
        "SMA_10",
        "KAMA_10_2_30",
        "PSAR_0.02_0.2",
        "SUPERTREND_7_3.0",
        "STOCHRSI_14_14_3_3",
        "CCI_14_0.015",
        "TRANGE_1",
        "VWAP_D",
        "VWAP",
        "OBV",
        "SAR_0.02_0.2",
        "CDLENGULFING",
        "HT_TRENDLINE",
        "LINEARREG_SLOPE_14",
        "MINMAXINDEX_30",
    ] {
        assert!(ids.contains(&id.to_owned()), "{id} not in {ids:?}");
        assert!(
            r["data"]["initial_values"].get(id).is_some(),
            "no initial value for {id}"
        );
    }
    let r = c.subscribe_ok("CAT", "5min", json!(ids)).await;
    assert_eq!(r["data"]["indicators"].as_array().unwrap().len(), ids.len());

    // TA-Lib's parameter names give the same ids as ours.
    let r = c
        .subscribe_ok(
            "CAT",
            "15min",
            json!([
                {"name": "bbands", "params": {"timeperiod": 20, "nbdevup": 2.0, "nbdevdn": 2.0}},
                {"name": "Sar", "params": {"acceleration": 0.05, "maximum": 0.5}},
                {"name": "CDLMORNINGSTAR", "params": {"penetration": 0.5}},
                {"name": "LINEARREG_SLOPE", "params": {"timeperiod": 9}},
            ]),
        )
        .await;
    assert_eq!(
        r["data"]["indicators"],
        json!([
            "BBANDS_20_2.0",
            "SAR_0.05_0.5",
            "CDLMORNINGSTAR_0.5",
            "LINEARREG_SLOPE_9"
        ])
    );
}

// Catalogue indicators stream with their columns once a computer has candles for them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn multi_output_indicators_stream_their_columns() {
    let s = Stack::with_computer(NO_IDLE_CLOSE, &[]).await;
    let redis = &s.redis;
    let ticks: Vec<(i64, f64, f64)> = (0..60)
        .map(|k| {
            (
                T0 + k * 60_000 + 1,
                100.0 + ((k * 7) % 11) as f64,
                10.0 + k as f64,
            )
        })
        .collect();
    write_ticks(redis, "MULTI", &ticks).await.unwrap();
    assert!(
        eventually(Duration::from_secs(10), || async {
            redis.keys("candles:{MULTI}:1min").await.unwrap().len() == 1
        })
        .await
    );
    let mut c = s.client("a@x.com").await;
    let r = c
        .subscribe_ok(
            "MULTI",
            "1min",
            json!(["ADX_5", "DONCHIAN_5_5", "STOCH_5_3_3"]),
        )
        .await;
    let iv = &r["data"]["initial_values"];
    let keys = |v: &Value| -> Vec<String> {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(keys(&iv["ADX_5"]), ["ADX_5", "DMN_5", "DMP_5"]);
    assert_eq!(keys(&iv["DONCHIAN_5_5"]), ["DCL_5_5", "DCM_5_5", "DCU_5_5"]);
    assert_eq!(keys(&iv["STOCH_5_3_3"]), ["STOCHd_5_3_3", "STOCHk_5_3_3"]);
    write_ticks(redis, "MULTI", &[(T0 + 60 * 60_000 + 1, 104.0, 1.0)])
        .await
        .unwrap();
    let u = c
        .next_where(
            |u| {
                u["type"] == "indicator_update"
                    && u["indicator_id"] == "ADX_5"
                    && u["final"] == true
            },
            Duration::from_secs(10),
        )
        .await
        .expect("a final ADX value");
    assert!(u["value"]["ADX_5"].is_number(), "{u}");
}
