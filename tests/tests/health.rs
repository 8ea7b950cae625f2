//! HTTP endpoints (SPEC section 4): /healthz, /readyz, /metrics and the cluster-wide
//! /indicators/v2/health; readiness follows the health of the pub/sub link.

use integration::*;
use serde_json::{Value, json};
use std::time::Duration;

// /healthz, /readyz, /metrics and the cluster-wide /indicators/v2/health figures.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_endpoints() {
    let redis = Redis::start().await.unwrap();
    let g1 = Gateway::start(&redis, &[]).await.unwrap();
    let g2 = Gateway::start(&redis, &[]).await.unwrap();
    let mut a = Client::connect(&g1, &token("a@x.com", "s1")).await.unwrap();
    let mut a2 = Client::connect(&g2, &token("a@x.com", "s2")).await.unwrap();
    let mut b = Client::connect(&g2, &token("b@x.com", "s")).await.unwrap();
    a.subscribe_ok("NIFTY50", "5min", json!(["RSI_14", "SMA_20"]))
        .await;
    a2.subscribe_ok("NIFTY50", "5min", json!(["RSI_14"])).await;
    b.subscribe_ok("BANKNIFTY", "1h", json!(["EMA_10"])).await;

    assert_eq!(http_get(g1.addr, "/healthz").await.unwrap().0, 200);
    assert_eq!(readyz(g1.addr).await, Some(200));
    let (status, body) = http_get(g1.addr, "/indicators/v2/health").await.unwrap();
    assert_eq!(status, 200);
    let h: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(h["status"], "ok");
    assert_eq!(h["active_sessions"], 3);
    assert_eq!(h["unique_users"], 2);
    assert_eq!(h["unique_indicators"], 3);
    assert_eq!(
        h["indicators_by_symbol"],
        json!({"BANKNIFTY": 1, "NIFTY50": 2})
    );
    assert!(h["timestamp"].is_string());
    assert_eq!(h["gateway"]["active_sessions"], 1);
    let metrics = g2.metrics().await;
    assert!(metrics.contains("gateway_connections 2"), "{metrics}");
    assert_eq!(http_get(g1.addr, "/nope").await.unwrap().0, 404);
    // Draining fails readiness at once.
    g1.shutdown.cancel();
    let _ = a.until_closed(Duration::from_secs(5)).await;
}

// A pub/sub link that stops answering (Redis stalled: CLIENT PAUSE) is noticed by the ping
// health check: /readyz fails while it cannot deliver; once Redis answers again the link is
// rebuilt, readiness comes back and the clients get `resync`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unresponsive_pubsub_link_fails_readiness_then_recovers() {
    let s = Stack::start(&[]).await;
    let mut c = s.client("a@x.com").await;
    c.subscribe_ok("STALL", "1min", json!(["SMA_2"])).await;
    let mut conn = s.redis.conn().await.unwrap();
    let () = redis::cmd("CLIENT")
        .arg("PAUSE")
        .arg(6000)
        .arg("ALL")
        .query_async(&mut conn)
        .await
        .unwrap();
    let not_ready = eventually(Duration::from_secs(6), || async {
        readyz(s.gw.addr).await == Some(503)
    })
    .await;
    assert!(
        not_ready,
        "readiness did not fail while the link was stalled"
    );
    let ready = eventually(Duration::from_secs(15), || async {
        readyz(s.gw.addr).await == Some(200)
    })
    .await;
    assert!(ready, "readiness did not come back");
    assert!(
        c.next_where(|m| m["type"] == "resync", Duration::from_secs(10))
            .await
            .is_some(),
        "no resync"
    );
}
