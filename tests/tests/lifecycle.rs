//! A connection's end (SPEC section 3): heartbeat and stale cleanup of a silent client, and the
//! drain on shutdown (1001, spread out, sessions left to resume elsewhere, then cleaned up).

use integration::*;
use serde_json::json;
use std::time::Duration;

// The server pings; a client that never answers (does not read) is closed after the stale
// time and its Redis entries are removed after the resume window, while a reading client stays.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silent_connection_is_closed_and_cleaned() {
    let s = Stack::start(&[
        "--heartbeat-secs",
        "1",
        "--stale-secs",
        "2",
        "--resume-window-secs",
        "1",
        "--liveness-secs",
        "1",
    ])
    .await;
    let mut silent = s.client("a@x.com").await;
    let mut alive = s.client("b@x.com").await;
    silent
        .subscribe_ok("NIFTY50", "5min", json!(["RSI_14"]))
        .await;
    alive
        .subscribe_ok("NIFTY50", "5min", json!(["SMA_20"]))
        .await;
    let silent_key = format!("ws_conn:{}", silent.ws_conn_id);
    // `alive` reads (so its client answers pings); `silent` does not read at all.
    alive.drain_for(Duration::from_secs(6)).await;
    let keys = s.redis.keys("ws_conn:*").await.unwrap();
    assert!(
        !keys.contains(&silent_key),
        "stale session still registered"
    );
    assert_eq!(keys, vec![format!("ws_conn:{}", alive.ws_conn_id)]);
    assert_eq!(
        s.redis.keys("indicator_subscribers:*").await.unwrap(),
        vec!["indicator_subscribers:NIFTY50:5min:SMA_20"]
    );
    assert!(alive.close_code.is_none());
    drop(silent);
}

// Shutdown (what SIGTERM triggers): sessions get 1001 and wait for a resume elsewhere, run
// returns; the other gateway removes the sessions nobody resumed once the window passed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drain_closes_with_1001_and_cleans_up() {
    let timing = ["--resume-window-secs", "2", "--liveness-secs", "1"];
    let mut s = Stack::start(&timing).await;
    let _other = Gateway::start(&s.redis, &timing).await.unwrap();
    let mut a = s.client("a@x.com").await;
    let mut b = s.client("b@x.com").await;
    a.subscribe_ok("NIFTY50", "5min", json!(["RSI_14"])).await;
    b.subscribe_ok("NIFTY50", "1h", json!(["SMA_20"])).await;
    assert_eq!(s.redis.keys("ws_conn:*").await.unwrap().len(), 2);
    s.gw.shutdown.cancel();
    assert_eq!(a.until_closed(Duration::from_secs(5)).await, Some(1001));
    assert_eq!(b.until_closed(Duration::from_secs(5)).await, Some(1001));
    tokio::time::timeout(Duration::from_secs(10), &mut s.gw.handle)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    for c in [&a, &b] {
        assert_eq!(
            s.redis.session_state(&c.ws_conn_id).await.as_deref(),
            Some("detached")
        );
    }
    let gone = eventually(Duration::from_secs(6), || async {
        s.redis.session_keys().await.is_empty()
    })
    .await;
    assert!(gone, "sessions left after the window");
}

// Drain closes sessions at spread-out moments (so clients do not all reconnect at once), all
// within the spread, and readiness fails at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drain_spreads_the_closes() {
    let s = Stack::start(&["--drain-spread-ms", "2000"]).await;
    let mut clients = Vec::new();
    for i in 0..20 {
        clients.push(s.client(&format!("u{i}@x.com")).await);
    }
    let start = tokio::time::Instant::now();
    s.gw.shutdown.cancel();
    assert_ne!(readyz(s.gw.addr).await.unwrap_or(503), 200);
    let closes = futures::future::join_all(clients.iter_mut().map(|c| async {
        let code = c.until_closed(Duration::from_secs(5)).await;
        (code, start.elapsed())
    }))
    .await;
    assert!(
        closes.iter().all(|(code, _)| *code == Some(1001)),
        "{closes:?}"
    );
    let first = closes.iter().map(|c| c.1).min().unwrap();
    let last = closes.iter().map(|c| c.1).max().unwrap();
    assert!(
        last - first >= Duration::from_millis(500),
        "all closed together: {first:?}..{last:?}"
    );
    assert!(
        last <= Duration::from_millis(3000),
        "closed after the spread: {last:?}"
    );
}
