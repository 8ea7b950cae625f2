//! Redis faults while clients stream: Redis killed and restarted empty, the gateway's pub/sub
//! link dropped by Redis.

use integration::*;
use redis::AsyncCommands;
use serde_json::json;
use std::time::Duration;
use tokio::time::Instant;

// Redis dies and comes back empty: gateway and computer reconnect, the gateway writes back its
// sessions and subscriptions, the computer takes its symbols again, and the client's stream goes
// on within 5 s, told `resync` (its values were lost) and with seqs that never go backwards.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_restarted_empty_streaming_resumes() {
    let mut s = Stack::with_computer(&[], &[]).await;
    let _ticks = Ticks::start(&s.redis, &["WIPE"], Duration::from_millis(20));
    let mut c = s.client("a@x.com").await;
    c.subscribe_ok("WIPE", "1min", json!(["SMA_2", "EMA_3"]))
        .await;
    while c.updates().count() < 10 {
        c.read_one(Duration::from_secs(10)).await.expect("updates");
    }
    let max_before = c
        .updates()
        .map(|u| u["seq"].as_u64().unwrap())
        .max()
        .unwrap();

    s.redis.restart_empty().await.unwrap();
    let back = Instant::now();
    let mark = c.received.len();
    let mut streaming_after = None;
    while back.elapsed() < Duration::from_secs(10) {
        let Some(m) = c.read_one(Duration::from_millis(200)).await else {
            assert!(!c.closed, "the client lost its connection");
            continue;
        };
        if m["type"] == "indicator_update" && m["seq"].as_u64().unwrap() > max_before {
            streaming_after = Some(back.elapsed());
            break;
        }
    }
    let took = streaming_after.expect("no update after Redis came back");
    assert!(
        took < Duration::from_secs(5),
        "streaming resumed after {took:?}"
    );
    eprintln!("streaming again {took:?} after Redis came back empty");
    let after = &c.received[mark..];
    assert!(
        after
            .iter()
            .any(|m| m["type"] == "resync" && m["recovered"] == false),
        "the client was not told its values were lost"
    );
    let seqs: Vec<u64> = after
        .iter()
        .filter(|m| m["type"] == "indicator_update")
        .map(|m| m["seq"].as_u64().unwrap())
        .collect();
    assert!(
        seqs.iter().all(|s| *s > max_before),
        "a seq went backwards: {seqs:?}"
    );

    // What the gateway holds is registered again.
    let r = s.redis.conn().await.unwrap();
    let written_back = eventually(Duration::from_secs(3), || {
        let mut r = r.clone();
        let id = c.ws_conn_id.clone();
        async move {
            let user: Option<String> = r.hget(format!("ws_conn:{id}"), "user_id").await.unwrap();
            let member: bool = r
                .sismember("indicator_subscribers:WIPE:1min:SMA_2", &id)
                .await
                .unwrap();
            user.as_deref() == Some("a@x.com") && member
        }
    })
    .await;
    assert!(written_back);
    assert_eq!(readyz(s.gw.addr).await, Some(200));
    let computer = s.computer.as_ref().unwrap();
    assert!(!s.gw.handle.is_finished() && !computer.handle.is_finished());
}

// When the gateway's pub/sub link is dropped (Redis closing it, as for its output-buffer
// limit), the gateway reconnects and replays from history what the link missed: the client's
// stream goes on with every seq, no gap, no resync.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropped_pubsub_link_is_repaired_from_history() {
    let s = Stack::with_computer(&[], &[]).await;
    let _ticks = Ticks::start(&s.redis, &["LINK"], Duration::from_millis(20));
    let mut c = s.client("a@x.com").await;
    c.subscribe_ok("LINK", "1min", json!(["SMA_2", "EMA_3"]))
        .await;
    c.expect_update(Duration::from_secs(10)).await;
    let mut conn = s.redis.conn().await.unwrap();
    for _ in 0..3 {
        let killed: i64 = redis::cmd("CLIENT")
            .arg("KILL")
            .arg("TYPE")
            .arg("pubsub")
            .query_async(&mut conn)
            .await
            .unwrap();
        assert!(killed >= 1);
        c.drain_for(Duration::from_millis(700)).await;
    }
    c.drain_for(Duration::from_secs(1)).await;
    assert!(!c.received.iter().any(|m| m["type"] == "resync"));
    let metrics = s.gw.metrics().await;
    assert!(
        metrics.contains("gateway_pubsub_reconnects_total 3"),
        "{metrics}"
    );
    assert!(
        !metrics.contains("gateway_gaps_repaired_total 0"),
        "{metrics}"
    );
    // Every seq from the first to the last, for both (live values may be conflated under
    // pressure, so the check is on distinct seqs having no hole the server did not announce).
    for id in ["SMA_2", "EMA_3"] {
        let seqs = c.seqs_after(0, id);
        assert!(strictly_increasing(&seqs), "{id}: {seqs:?}");
        assert!(seqs.len() > 100, "{id}: {}", seqs.len());
    }
}
