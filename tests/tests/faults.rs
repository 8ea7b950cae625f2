//! Redis faults: Redis killed and restarted empty while clients stream.

use integration::*;
use redis::AsyncCommands;
use serde_json::json;
use std::time::Duration;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

// Redis dies and comes back empty: gateway and computer reconnect, the gateway writes back its
// sessions and subscriptions, the computer takes its symbols again, and the client's stream goes
// on within 5 s, told `resync` (its values were lost) and with seqs that never go backwards.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_restarted_empty_streaming_resumes() {
    let mut redis = Redis::start().await.unwrap();
    let computer = Computer::start(&redis, &[]).await.unwrap();
    let gw = Gateway::start(&redis, &[]).await.unwrap();
    let stop = CancellationToken::new();
    tick_forever(
        redis.url.clone(),
        vec!["WIPE".into()],
        Duration::from_millis(20),
        stop.clone(),
    );
    let mut c = Client::connect(&gw, &token("a@x.com", "s")).await.unwrap();
    c.request(subscribe("WIPE", "1min", json!(["SMA_2", "EMA_3"])))
        .await
        .unwrap();
    while c.updates().count() < 10 {
        c.read_one(Duration::from_secs(10)).await.expect("updates");
    }
    let max_before = c
        .updates()
        .map(|u| u["seq"].as_u64().unwrap())
        .max()
        .unwrap();

    redis.restart_empty().await.unwrap();
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
    let r = redis.conn().await.unwrap();
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
    assert_eq!(http_get(gw.addr, "/readyz").await.unwrap().0, 200);
    assert!(!gw.handle.is_finished() && !computer.handle.is_finished());
    stop.cancel();
}
