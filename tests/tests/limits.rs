//! Per-connection and per-user limits: pairs per connection, the per-user message budget
//! shared by a user's connections, and the close after 10 s of continuous limiting.

use integration::*;
use serde_json::json;
use std::time::{Duration, Instant};

// A connection watches at most --max-pairs-per-conn pairs; more indicators on a watched pair
// still fit, and the connection stays usable.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pairs_per_connection() {
    let s = Stack::start(&["--max-pairs-per-conn", "2"]).await;
    let mut c = s.client("a@x.com").await;
    c.subscribe_ok("A", "1min", json!(["RSI_14"])).await;
    c.subscribe_ok("B", "1min", json!(["RSI_14"])).await;
    c.expect_error(subscribe("C", "1min", json!(["RSI_14"])), "too_many_pairs")
        .await;
    c.subscribe_ok("A", "1min", json!(["SMA_20"])).await;
    c.send(&json!({"action": "unsubscribe", "symbol": "B", "timeframe": "1min"}))
        .await
        .unwrap();
    c.subscribe_ok("C", "1min", json!(["RSI_14"])).await;
}

/// Sends `n` pings and counts the `rate_limited` replies among what comes back.
async fn limited_of(c: &mut Client, n: usize) -> usize {
    let from = c.received.len();
    for i in 0..n {
        c.send(&json!({"action": "ping", "id": i})).await.unwrap();
    }
    c.drain_for(Duration::from_millis(300)).await;
    c.received[from..]
        .iter()
        .filter(|m| m["code"] == "rate_limited")
        .count()
}

// A user's connections share one budget (burst 2x the rate); another user has their own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn per_user_budget_across_connections() {
    let s = Stack::start(&[
        "--rate-limit-per-sec",
        "100",
        "--rate-limit-per-user-per-sec",
        "5",
    ])
    .await;
    let mut a1 = s.client("a@x.com").await;
    let mut a2 = s.client("a@x.com").await;
    let mut b = s.client("b@x.com").await;
    // A burst of 10 for user a: all on one connection pass, then the other connection gets
    // only what refilled meanwhile (5 per second).
    assert_eq!(limited_of(&mut a1, 10).await, 0);
    let limited = limited_of(&mut a2, 6).await;
    assert!(limited >= 4, "{limited} of a2's 6 limited");
    assert_eq!(limited_of(&mut b, 6).await, 0, "b has its own budget");
}

// A client whose every message is refused for 10 s is closed with 1008; until then it is not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn continuous_limiting_closes_after_ten_seconds() {
    let s = Stack::start(&["--rate-limit-per-sec", "1"]).await;
    let mut c = s.client("a@x.com").await;
    let t = Instant::now();
    let mut closed = None;
    while t.elapsed() < Duration::from_secs(14) {
        if c.send(&json!({"action": "ping"})).await.is_err() {
            break;
        }
        if let Some(code) = c.until_closed(Duration::from_millis(20)).await {
            closed = Some((code, t.elapsed()));
            break;
        }
    }
    let (code, after) = closed.expect("never closed");
    assert_eq!(code, 1008);
    assert!(after >= Duration::from_secs(10), "closed after {after:?}");
}

// --max-conns-per-user counts a user's live connections on every gateway: past it, HTTP 429
// too_many_connections before the upgrade; another user is not affected; a closed connection
// frees its place.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_per_user_across_gateways() {
    let s = Stack::start(&["--max-conns-per-user", "2"]).await;
    let gw2 = Gateway::start(&s.redis, &["--max-conns-per-user", "2"])
        .await
        .unwrap();
    let tok = token("a@x.com", "s");
    let first = Client::connect(&s.gw, &tok).await.unwrap();
    let _second = Client::connect(&gw2, &tok).await.unwrap();
    for gw in [&s.gw, &gw2] {
        let (status, body) = upgrade_reply(gw, &tok).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (429, Some("too_many_connections"))
        );
    }
    let _b = Client::connect(&s.gw, &token("b@x.com", "s"))
        .await
        .unwrap();
    first.close().await;
    let freed = eventually(Duration::from_secs(5), || async {
        Client::connect(&s.gw, &tok).await.is_ok()
    })
    .await;
    assert!(freed, "the closed connection still counts");
}

// A SIGKILLed gateway's connections stop counting once its liveness lapses, so a crash never
// locks its users out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_gateways_connections_stop_counting() {
    let flags = ["--max-conns-per-user", "1", "--liveness-secs", "1"];
    let redis = Redis::start().await.unwrap();
    let (mut child, addr) = spawn_gateway(&redis, &flags).await.unwrap();
    let gw = Gateway::start(&redis, &flags).await.unwrap();
    let tok = token("a@x.com", "s");
    let held = Client::connect_addr(addr, &tok).await.unwrap();
    assert_eq!(upgrade_reply(&gw, &tok).await.0, 429);
    signal(&child, "KILL");
    let _ = child.wait().await;
    held.vanish();
    let t = Instant::now();
    let back = eventually(Duration::from_secs(5), || async {
        Client::connect(&gw, &tok).await.is_ok()
    })
    .await;
    assert!(back, "still locked out {:?} after the kill", t.elapsed());
}
