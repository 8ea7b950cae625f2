//! Client errors (SPEC section 3): every error code, each echoing the request's id and leaving
//! the connection usable; rate limiting; `internal` when Redis fails; the oversized frame that
//! closes the connection (1009).

use integration::*;
use serde_json::json;
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

// Every client-input error code, each echoing the id, each leaving the connection usable.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_error_code_and_the_connection_survives() {
    let s = Stack::start(&["--max-indicators-per-conn", "3"]).await;
    let mut c = s.client("a@x.com").await;

    // invalid_json cannot carry an id (the frame is not JSON): read the next error.
    for frame in [Message::text("{not json"), Message::binary(vec![1u8, 2, 3])] {
        c.send_raw(frame).await.unwrap();
        let e = c
            .next_where(|m| m["type"] == "error", Duration::from_secs(5))
            .await
            .unwrap();
        assert_eq!(e["code"], "invalid_json");
        c.assert_alive().await;
    }

    // A subscription to NIFTY50 5min with these indicators.
    let nifty = |indicators| subscribe("NIFTY50", "5min", indicators);
    let macd_slow_first = json!([{"name": "MACD", "params": {"fast": 26, "slow": 12}}]);
    let unknown_session =
        json!({"action": "resume", "ws_conn_id": "ws_nope", "resume_token": "x", "last_seq": {}});
    #[rustfmt::skip] // a table: one row a line
    let cases = [
        (json!({"action": "dance"}),                                 "unknown_action"),
        (json!({"no_action": 1}),                                    "unknown_action"),
        (subscribe("NIFTY:50", "5min", json!(["RSI_14"])),           "invalid_symbol"),
        (subscribe(&"X".repeat(33), "5min", json!(["RSI_14"])),      "invalid_symbol"),
        (subscribe("NIFTY50", "7min", json!(["RSI_14"])),            "invalid_timeframe"),
        (nifty(json!(["FOO_14"])),                                   "unknown_indicator"),
        (nifty(json!([{"name": "NOPE"}])),                           "unknown_indicator"),
        (nifty(json!([{"name": "RSI", "params": {"length": 1}}])),   "invalid_params"),
        (nifty(json!([{"name": "RSI", "params": {"lenght": 14}}])),  "invalid_params"),
        (nifty(macd_slow_first),                                     "invalid_params"),
        (nifty(json!([])),                                           "invalid_params"),
        (nifty(json!(["RSI_14", "SMA_20", "EMA_10", "MACD_12_26_9"])), "too_many_indicators"),
        (unknown_session,                                            "resume_failed"),
    ];
    for (request, code) in cases {
        c.expect_error(request, code).await;
    }
    // Nothing of the refused requests was recorded.
    assert!(
        s.redis
            .keys("indicator_subscribers:*")
            .await
            .unwrap()
            .is_empty()
    );
    // The limit counts what the connection holds: 3 fit, a 4th does not.
    c.subscribe_ok("NIFTY50", "5min", json!(["RSI_14", "SMA_20", "EMA_10"]))
        .await;
    c.expect_error(
        subscribe("NIFTY50", "1h", json!(["RSI_14"])),
        "too_many_indicators",
    )
    .await;
}

// Past the per-connection rate, requests get rate_limited; the connection recovers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limited_then_recovers() {
    let s = Stack::start(&["--rate-limit-per-sec", "2"]).await;
    let mut c = s.client("a@x.com").await;
    for i in 0..10 {
        c.send(&json!({"action": "ping", "id": i})).await.unwrap();
    }
    c.drain_for(Duration::from_millis(500)).await;
    let limited: Vec<_> = c
        .received
        .iter()
        .filter(|m| m["code"] == "rate_limited")
        .collect();
    assert!(
        !limited.is_empty(),
        "no rate_limited among {:?}",
        c.received
    );
    assert!(limited.iter().all(|m| m["id"].is_number()));
    tokio::time::sleep(Duration::from_millis(1500)).await;
    c.assert_alive().await;
}

// A Redis failure during a request is an `internal` error, not a dropped connection.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn internal_error_when_redis_is_gone() {
    let mut s = Stack::start(&[]).await;
    let mut c = s.client("a@x.com").await;
    s.redis.kill().await;
    c.expect_error(subscribe("NIFTY50", "5min", json!(["RSI_14"])), "internal")
        .await;
}

// A frame over the size limit closes the connection with 1009.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_message_closes_1009() {
    let s = Stack::start(&["--max-message-bytes", "4096"]).await;
    let mut c = s.client("a@x.com").await;
    c.send_raw(Message::text("x".repeat(10_000))).await.unwrap();
    assert_eq!(c.until_closed(Duration::from_secs(5)).await, Some(1009));
}
