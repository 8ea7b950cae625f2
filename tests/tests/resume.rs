//! Session resume (SPEC 3): a client that lost its connection comes back, on any gateway, within
//! the resume window, and gets its subscriptions and every update it missed, in order, without
//! duplicates; or `recovered: false` and fresh values when history no longer covers the gap.
//! Also: every session of a gateway SIGKILLed under load resumes on another.

use integration::*;
use redis::AsyncCommands;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

const IDS: [&str; 2] = ["SMA_2", "EMA_3"];

fn index_of(c: &Client, pred: impl Fn(&Value) -> bool) -> usize {
    c.received.iter().position(pred).expect("frame present")
}

// A client drops off one gateway and resumes on another: same ws_conn_id, its subscriptions,
// then every missed update from last_seq + 1 on, consecutive, then live.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resume_on_another_gateway_replays_what_was_missed() {
    let redis = Redis::start().await.unwrap();
    resume_replays(&redis).await;
}

// The same on a 3-node Redis Cluster (history, session scripts, sharded pub/sub).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resume_on_a_three_node_redis_cluster() {
    let redis = Redis::start_cluster().await.unwrap();
    resume_replays(&redis).await;
}

async fn resume_replays(redis: &Redis) {
    let _computer = Computer::start(redis, &[]).await.unwrap();
    let a = Gateway::start(redis, &[]).await.unwrap();
    let b = Gateway::start(redis, &[]).await.unwrap();
    let _ticks = Ticks::start(redis, &["RES"], Duration::from_millis(20));
    let mut c1 = Client::connect(&a, &token("a@x.com", "tab1"))
        .await
        .unwrap();
    c1.subscribe_ok("RES", "1min", json!(IDS)).await;
    while c1.updates().count() < 10 {
        c1.read_one(Duration::from_secs(10)).await.expect("updates");
    }
    let last = c1.last_seq("RES", "1min", &IDS).unwrap();
    let old_id = c1.ws_conn_id.clone();
    let (old, token_of_old) = (c1.ws_conn_id.clone(), c1.resume_token.clone());
    c1.vanish();
    tokio::time::sleep(Duration::from_secs(1)).await;

    let mut c2 = Client::connect(&b, &token("a@x.com", "tab1-again"))
        .await
        .unwrap();
    let fresh_id = c2.ws_conn_id.clone();
    let reply = c2
        .resume_session(&old, &token_of_old, json!({"RES:1min": last}))
        .await
        .unwrap();
    assert_eq!(reply["type"], "success", "{reply}");
    let data = &reply["data"];
    assert_eq!(data["ws_conn_id"], json!(old_id));
    assert_eq!(data["recovered"], true);
    let pair = &data["subscriptions"]["RES:1min"];
    assert_eq!(pair["recovered"], true);
    assert_eq!(pair["indicators"], json!(["EMA_3", "SMA_2"]));
    let replayed = pair["replayed"].as_u64().unwrap();
    assert!(replayed >= 10, "a second of updates was missed: {replayed}");
    let at = index_of(&c2, |m| m["type"] == "success");
    c2.drain_for(Duration::from_secs(1)).await;
    for id in IDS {
        let seqs = c2.seqs_after(at, id);
        let expected: Vec<u64> = (last + 1..=last + replayed).collect();
        assert_eq!(seqs[..replayed as usize], expected, "{id}: the replay");
        // Live values may be conflated under pressure; never repeated or reordered.
        assert!(strictly_increasing(&seqs), "{id}: not increasing: {seqs:?}");
        assert!(seqs.len() as u64 > replayed, "{id}: live updates follow");
    }
    // One session, held by B, under the old id; the fresh one c2 opened is gone.
    let mut r = redis.any_conn().await.unwrap();
    let sessions = redis.keys("ws_conn:*").await.unwrap();
    assert_eq!(sessions, [format!("ws_conn:{old_id}")]);
    let (state, epoch): (String, u64) = redis::pipe()
        .hget(format!("ws_conn:{old_id}"), "state")
        .hget(format!("ws_conn:{old_id}"), "epoch")
        .query_async(&mut r)
        .await
        .unwrap();
    assert_eq!((state.as_str(), epoch), ("attached", 1));
    let members: Vec<String> = r
        .smembers("indicator_subscribers:RES:1min:SMA_2")
        .await
        .unwrap();
    assert_eq!(members, std::slice::from_ref(&old_id));
    assert!(!members.contains(&fresh_id));
}

// Only the same user with the right token may resume, only within the window, and never a
// session its client ended; a refused resume leaves the connection working.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resume_is_refused_to_others_after_the_window_and_after_a_clean_close() {
    let Stack { redis, gw, .. } =
        Stack::start(&["--resume-window-secs", "2", "--liveness-secs", "1"]).await;
    let mut c1 = Client::connect(&gw, &token("a@x.com", "s")).await.unwrap();
    c1.subscribe_ok("RES", "5min", json!(["RSI_14"])).await;
    let (id, tok) = (c1.ws_conn_id.clone(), c1.resume_token.clone());
    c1.vanish();

    let attempt = |who: &'static str, t: String| {
        let (gw_addr, id) = (gw.addr, id.clone());
        async move {
            let mut c = Client::connect_addr(gw_addr, &token(who, "s2"))
                .await
                .unwrap();
            let r = c.resume_session(&id, &t, json!({})).await.unwrap();
            // The connection survives a refused resume.
            c.assert_alive().await;
            (r, c)
        }
    };
    let (r, _) = attempt("b@x.com", tok.clone()).await;
    assert_eq!(
        (r["type"].as_str(), r["code"].as_str()),
        (Some("error"), Some("resume_failed")),
        "another user: {r}"
    );
    let (r, _) = attempt("a@x.com", "0".repeat(32)).await;
    assert_eq!(r["code"], "resume_failed", "a wrong token: {r}");
    assert_eq!(redis.keys("ws_conn:*").await.unwrap().len(), 1 + 2);

    // Within the window the right user and token resume it; closing cleanly ends it for good.
    let (r, c) = attempt("a@x.com", tok.clone()).await;
    assert_eq!(r["type"], "success", "{r}");
    assert_eq!(r["data"]["recovered"], false, "no last_seq given");
    assert_eq!(
        r["data"]["subscriptions"]["RES:5min"]["initial_values"],
        json!({"RSI_14": null})
    );
    c.close().await;
    let (r, _) = attempt("a@x.com", tok.clone()).await;
    assert_eq!(r["code"], "resume_failed", "ended by its client: {r}");

    // A session left without a close frame is gone once the window passed.
    let mut c3 = Client::connect(&gw, &token("c@x.com", "s")).await.unwrap();
    c3.subscribe_ok("RES", "5min", json!(["SMA_20"])).await;
    let (id3, tok3) = (c3.ws_conn_id.clone(), c3.resume_token.clone());
    c3.vanish();
    tokio::time::sleep(Duration::from_secs(4)).await;
    let mut c4 = Client::connect(&gw, &token("c@x.com", "s")).await.unwrap();
    let r = c4
        .request(json!({"action": "resume", "ws_conn_id": id3, "resume_token": tok3}))
        .await
        .unwrap();
    assert_eq!(r["code"], "resume_failed", "after the window: {r}");
    let subscribers = redis.keys("indicator_subscribers:*").await.unwrap();
    assert!(subscribers.is_empty(), "{subscribers:?}");
    let metrics = gw.metrics().await;
    assert!(
        metrics.contains("gateway_resumes_refused_total 4"),
        "{metrics}"
    );
}

// When history no longer reaches back to last_seq, the pair says `recovered: false` and carries
// fresh values; live updates continue after them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resume_beyond_history_is_not_recovered() {
    let s = Stack::with_computer(&["--update-history-len", "3"], &[]).await;
    let redis = &s.redis;
    let _ticks = Ticks::start(redis, &["SHORT"], Duration::from_millis(20));
    let mut c1 = s.client("a@x.com").await;
    c1.subscribe_ok("SHORT", "1min", json!(IDS)).await;
    while c1.updates().count() < 4 {
        c1.read_one(Duration::from_secs(10)).await.expect("updates");
    }
    let last = c1.last_seq("SHORT", "1min", &IDS).unwrap();
    let mut c2 = s.client("a@x.com").await;
    let (id, tok) = (c1.ws_conn_id.clone(), c1.resume_token.clone());
    c1.vanish();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let r = c2
        .resume_session(&id, &tok, json!({"SHORT:1min": last}))
        .await
        .unwrap();
    assert_eq!(r["type"], "success", "{r}");
    let pair = &r["data"]["subscriptions"]["SHORT:1min"];
    assert_eq!(
        (r["data"]["recovered"].clone(), pair["recovered"].clone()),
        (json!(false), json!(false))
    );
    assert_eq!(pair["replayed"], 0);
    let values = pair["initial_values"].as_object().unwrap();
    assert_eq!(values.keys().collect::<Vec<_>>(), ["EMA_3", "SMA_2"]);
    let seq = pair["seq"].as_u64().unwrap();
    assert!(seq > last + 3);
    let mut r = redis.conn().await.unwrap();
    let len: usize = r.xlen("indicator_history:{SHORT}:1min").await.unwrap();
    assert!(
        (1..=3).contains(&len),
        "history holds {len} entries, over its cap of 3"
    );
    let at = c2.received.len();
    c2.drain_for(Duration::from_millis(500)).await;
    let seqs = c2.seqs_after(at, "SMA_2");
    assert!(
        !seqs.is_empty() && seqs.iter().all(|s| *s > seq),
        "{seq} {seqs:?}"
    );
}

// A gateway SIGKILLed while finals stream: every one of its sessions resumes on the surviving
// gateway and, once duplicates are dropped by (indicator_id, seq) as SPEC 3 says, holds every
// final exactly once, in seq order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_gateway_sessions_resume_elsewhere_without_missing_a_final() {
    let redis = Redis::start().await.unwrap();
    let _computer = Computer::start(&redis, &[]).await.unwrap();
    let (mut victim, victim_addr) = spawn_gateway(&redis, &[]).await.unwrap();
    let survivor = Gateway::start(&redis, &[]).await.unwrap();
    const CLIENTS: usize = 16;
    const CANDLES: i64 = 400;
    let symbols = ["KILLA", "KILLB"];
    let mut clients = Vec::new();
    for i in 0..CLIENTS {
        let mut c = Client::connect_addr(victim_addr, &token(&format!("u{i}@x.com"), "s"))
            .await
            .unwrap();
        c.subscribe_ok(symbols[i % 2], "1min", json!(IDS)).await;
        clients.push(c);
    }
    // One candle per tick (each tick closes the previous minute): a final per tick.
    let t0: i64 = 1_700_000_000_000 / 60_000 * 60_000;
    let writer = write_minutes(&redis, &symbols, t0, CANDLES, Duration::from_millis(10));
    // Let finals flow, then kill the gateway mid-stream.
    let first = &mut clients[0];
    first
        .next_where(|u| u["final"] == true, Duration::from_secs(10))
        .await
        .expect("finals flow");
    tokio::time::sleep(Duration::from_millis(800)).await;
    signal(&victim, "KILL");
    let _ = victim.wait().await;
    let killed_at = tokio::time::Instant::now();

    let mut resumed = Vec::new();
    for (i, mut old) in clients.into_iter().enumerate() {
        old.until_closed(Duration::from_secs(5)).await;
        let symbol = symbols[i % 2];
        let last = old.last_seq(symbol, "1min", &IDS).unwrap_or(0);
        let mut c = Client::connect(&survivor, &token(&format!("u{i}@x.com"), "s2"))
            .await
            .unwrap();
        let r = c
            .resume(&old, json!({ format!("{symbol}:1min"): last }))
            .await
            .unwrap();
        assert_eq!(r["type"], "success", "{r}");
        assert_eq!(r["data"]["recovered"], true, "{r}");
        resumed.push((old, c));
    }
    let took = killed_at.elapsed();
    writer.await.unwrap();
    let last_candle = shared::clock::rfc3339_millis(t0 + (CANDLES - 2) * 60_000);
    let mut finals_total = 0;
    for (i, (old, c)) in resumed.iter_mut().enumerate() {
        for id in IDS {
            let got = c
                .seen_or_next(final_of(id, &last_candle), Duration::from_secs(30))
                .await;
            if !got {
                let tail: Vec<String> = c
                    .received
                    .iter()
                    .rev()
                    .take(8)
                    .map(ToString::to_string)
                    .collect();
                panic!("client {i} never got the last {id} final; last frames: {tail:#?}");
            }
        }
        // Before and after the kill, deduplicated by (indicator_id, seq).
        let mut seen = BTreeSet::new();
        let mut finals: BTreeMap<&str, Vec<(u64, String)>> = BTreeMap::new();
        for u in old.updates().chain(c.updates()) {
            let id = u["indicator_id"].as_str().unwrap();
            let seq = u["seq"].as_u64().unwrap();
            if !seen.insert((id.to_owned(), seq))
                || u["final"] != true
                || u["candle_time"].as_str().unwrap() > last_candle.as_str()
            {
                continue;
            }
            finals
                .entry(id)
                .or_default()
                .push((seq, u["candle_time"].as_str().unwrap().to_owned()));
        }
        for id in IDS {
            let f = &finals[id];
            let times: Vec<&String> = f.iter().map(|x| &x.1).collect();
            let expected: Vec<String> = (0..CANDLES - 1)
                .map(|k| shared::clock::rfc3339_millis(t0 + k * 60_000))
                .collect();
            assert_eq!(
                times.len(),
                expected.len(),
                "client {i} {id}: finals missing or doubled"
            );
            assert!(
                times.iter().zip(&expected).all(|(a, b)| *a == b),
                "client {i} {id}"
            );
            assert!(
                f.windows(2).all(|w| w[0].0 < w[1].0),
                "client {i} {id}: out of order"
            );
            finals_total += f.len();
        }
    }
    eprintln!(
        "{CLIENTS} sessions resumed within {took:?} of the kill; {finals_total} finals, none missed"
    );
}
