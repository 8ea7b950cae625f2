//! Market data in (SPEC section 2): malformed ticks are skipped and counted without stopping the
//! symbol, late ticks are ignored, invalid symbol names are ignored, candles close on the next
//! period's tick.

use integration::*;
use serde_json::json;
use std::time::Duration;

async fn xadd_raw(redis: &Redis, symbol: &str, fields: &[(&str, &str)]) {
    let mut c = redis.conn().await.unwrap();
    let mut cmd = redis::cmd("XADD");
    cmd.arg(format!("ticks:{{{symbol}}}")).arg("*");
    for (k, v) in fields {
        cmd.arg(*k).arg(*v);
    }
    let _: String = cmd.query_async(&mut c).await.unwrap();
}

// Malformed and late ticks change nothing and stop nothing: the symbol's candles close as if they
// were not there, and invalid names in `symbols` are ignored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_and_late_ticks_never_stop_a_symbol() {
    let s = Stack::with_computer(NO_IDLE_CLOSE, &[]).await;
    let redis = &s.redis;
    {
        let mut c = redis.conn().await.unwrap();
        let _: () = redis::cmd("SADD")
            .arg("symbols")
            .arg("BAD:NAME")
            .arg("{X}")
            .query_async(&mut c)
            .await
            .unwrap();
    }
    write_ticks(redis, "GOOD", &[(T0 + 1, 100.0, 1.0)])
        .await
        .unwrap();
    let mut c = s.client("a@x.com").await;
    c.subscribe_ok("GOOD", "1min", json!(["SMA_2"])).await;
    c.expect_update(Duration::from_secs(10)).await;

    for bad in [
        vec![("ts", "not-a-number"), ("price", "1")],
        vec![("price", "101")],
        vec![("ts", "1762257600500"), ("price", "-5")],
        vec![("ts", "1762257600500"), ("price", "NaN")],
        vec![("ts", "1762257600500"), ("price", "1"), ("volume", "-1")],
    ] {
        xadd_raw(redis, "GOOD", &bad).await;
    }
    write_ticks(redis, "GOOD", &[(T0 + 60_000, 200.0, 1.0)])
        .await
        .unwrap();
    // Late for 1min (its candle closed); it must change nothing of candle 1.
    write_ticks(redis, "GOOD", &[(T0 + 5_000, 999.0, 1.0)])
        .await
        .unwrap();
    xadd_raw(redis, "GOOD", &[("ts", "x")]).await;
    write_ticks(redis, "GOOD", &[(T0 + 120_000, 300.0, 1.0)])
        .await
        .unwrap();

    let second = c
        .next_where(
            |u| u["final"] == true && u["candle_time"] == "2025-11-04T12:01:00Z",
            Duration::from_secs(10),
        )
        .await
        .expect("the symbol stopped after bad ticks");
    assert_eq!(second["value"], json!(150.0), "SMA_2 of closes 100 and 200");
    let finals: Vec<_> = c
        .updates()
        .filter(|u| u["final"] == true)
        .map(|u| u["value"].clone())
        .collect();
    assert_eq!(finals, vec![json!(null), json!(150.0)]);
    // The invalid names in `symbols` produced nothing.
    assert!(redis.keys("*BAD:NAME*").await.unwrap().is_empty());
    assert!(redis.keys("lease:{X}").await.unwrap().is_empty());
}
