//! Two gateways and two computers side by side: each symbol is computed by one computer only,
//! and a session on each gateway watching the same indicators receives every final update
//! exactly once, in seq order.

use integration::*;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::time::Duration;

const STEP_MS: i64 = 15_000; // four ticks per 1-minute candle
const CANDLES: i64 = 12;

fn finals(c: &Client, symbol: &str, id: &str) -> Vec<(i64, u64, Value)> {
    c.updates()
        .filter(|u| u["symbol"] == symbol && u["indicator_id"] == id && u["final"] == true)
        .map(|u| {
            (
                candle_ms(&u["candle_time"]),
                u["seq"].as_u64().unwrap(),
                u["value"].clone(),
            )
        })
        .collect()
}

fn candle_ms(v: &Value) -> i64 {
    // "2025-11-04T12:07:00Z" -> ms, enough for this test's range (same day).
    let s = v.as_str().unwrap();
    let (h, m) = (
        s[11..13].parse::<i64>().unwrap(),
        s[14..16].parse::<i64>().unwrap(),
    );
    T0 + ((h - 12) * 60 + m) * 60_000
}

// Two computers share the symbols fairly and a session on each of two gateways gets every final
// exactly once, in seq order, the same finals on both.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn finals_exactly_once_across_two_gateways_and_two_computers() {
    let redis = Redis::start().await.unwrap();
    finals_exactly_once(&redis).await;
}

// The same streaming test against a 3-node Redis Cluster: the same binaries, sharded pub/sub
// (the channels are shard channels on the nodes that own their slots), and the per-symbol keys
// of one symbol in one slot.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn finals_exactly_once_on_a_three_node_redis_cluster() {
    let redis = Redis::start_cluster().await.unwrap();
    finals_exactly_once(&redis).await;
    let mut shard_channels = Vec::new();
    let mut nodes_with_keys = 0;
    for node in redis.node_urls() {
        let mut c = redis::Client::open(node.as_str())
            .unwrap()
            .get_multiplexed_async_connection()
            .await
            .unwrap();
        let chans: Vec<String> = redis::cmd("PUBSUB")
            .arg("SHARDCHANNELS")
            .query_async(&mut c)
            .await
            .unwrap();
        shard_channels.extend(chans);
        let n: usize = redis::cmd("DBSIZE").query_async(&mut c).await.unwrap();
        nodes_with_keys += usize::from(n > 0);
    }
    shard_channels.sort();
    assert_eq!(
        shard_channels,
        ["indicator_updates:AAA:1min", "indicator_updates:BBB:1min"]
    );
    assert!(
        nodes_with_keys >= 2,
        "the keys are not spread over the nodes"
    );
}

async fn finals_exactly_once(redis: &Redis) {
    // The first tick's candle must still be forming when the clients subscribe (they wait for
    // its live value): a longer idle close than the default 2 s, for slower set-ups.
    let _c1 = Computer::start(
        redis,
        &["--computer-id", "comp-1", "--idle-close-ms", "5000"],
    )
    .await
    .unwrap();
    let _c2 = Computer::start(
        redis,
        &["--computer-id", "comp-2", "--idle-close-ms", "5000"],
    )
    .await
    .unwrap();
    let g1 = Gateway::start(redis, &[]).await.unwrap();
    let g2 = Gateway::start(redis, &[]).await.unwrap();
    let symbols = ["AAA", "BBB"];
    for s in symbols {
        write_ticks(redis, s, &[(T0 + 1, 100.0, 1.0)])
            .await
            .unwrap();
    }
    // Fair share: each computer ends up owning one symbol.
    let owners = eventually(Duration::from_secs(10), || async {
        match (
            redis.lease_owner("AAA").await,
            redis.lease_owner("BBB").await,
        ) {
            (Some(a), Some(b)) => a != b,
            _ => false,
        }
    })
    .await;
    assert!(
        owners,
        "the two symbols are not spread over the two computers"
    );

    let mut clients = Vec::new();
    for (i, g) in [&g1, &g2].into_iter().enumerate() {
        let mut c = Client::connect(g, &token(&format!("user{i}@x.com"), "s"))
            .await
            .unwrap();
        for s in symbols {
            c.subscribe_ok(s, "1min", json!(["SMA_2", "RSI_3"])).await;
        }
        clients.push(c);
    }
    // Both computers noticed the watchers once a live value of each symbol reached each client.
    for c in &mut clients {
        for s in symbols {
            let live = |u: &Value| u["type"] == "indicator_update" && u["symbol"] == s;
            // It may have come while waiting for the other symbol's.
            let got = c.seen_or_next(live, Duration::from_secs(10)).await;
            assert!(got, "no live value for {s}");
        }
    }
    // CANDLES candles of 4 ticks each, then one tick that closes the last; that tick's own
    // candle closes by the idle rule (no tick for 5 s, wall clock far past its end).
    for k in 1..=(CANDLES * 4) {
        for s in symbols {
            let price = 100.0 + (k % 7) as f64;
            write_ticks(redis, s, &[(T0 + 1 + k * STEP_MS, price, 1.0)])
                .await
                .unwrap();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let expected: Vec<i64> = (0..=CANDLES).map(|k| T0 + k * 60_000).collect();
    for c in &mut clients {
        let done = c.next_where(|_| false, Duration::from_secs(8)).await;
        assert!(done.is_none());
    }
    let mut per_client = Vec::new();
    for c in &clients {
        let mut seen = BTreeMap::new();
        for s in symbols {
            for id in ["SMA_2", "RSI_3"] {
                let f = finals(c, s, id);
                let times: Vec<i64> = f.iter().map(|x| x.0).collect();
                assert_eq!(times, expected, "{s} {id}: finals not exactly once each");
                seen.insert((s, id), f);
            }
            // Seqs of a pair strictly increase over everything delivered.
            let seqs: Vec<u64> = c
                .updates()
                .filter(|u| u["symbol"] == s && u["indicator_id"] == "SMA_2")
                .map(|u| u["seq"].as_u64().unwrap())
                .collect();
            assert!(
                strictly_increasing(&seqs),
                "{s}: seqs not increasing: {seqs:?}"
            );
        }
        per_client.push(seen);
    }
    for g in [&g1, &g2] {
        let metrics = g.metrics().await;
        assert!(
            metrics.contains("gateway_pubsub_reconnects_total 0"),
            "a healthy link was rebuilt: {metrics}"
        );
    }
    assert_eq!(
        per_client[0], per_client[1],
        "the two gateways delivered different finals"
    );
}

// A computer that dies (its task aborted: no release, no goodbye) loses its symbols to the
// survivor once its leases expire, and streaming of those symbols goes on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dead_computer_symbols_move_to_the_survivor() {
    let s = Stack::with_computer(&["--computer-id", "survivor"], &[]).await;
    let redis = &s.redis;
    let victim = Computer::start(redis, &["--computer-id", "victim"])
        .await
        .unwrap();
    let _ticks = Ticks::start(redis, &["AAA", "BBB"], Duration::from_millis(50));
    let spread = eventually(Duration::from_secs(10), || async {
        redis.lease_owner("AAA").await.is_some()
            && redis.lease_owner("BBB").await.is_some()
            && redis.lease_owner("AAA").await != redis.lease_owner("BBB").await
    })
    .await;
    assert!(spread);
    let orphan = if redis.lease_owner("AAA").await.as_deref() == Some("victim") {
        "AAA"
    } else {
        "BBB"
    };
    let mut c = s.client("a@x.com").await;
    c.subscribe_ok(orphan, "1min", json!(["SMA_2"])).await;
    c.expect_update(Duration::from_secs(5)).await;

    victim.handle.abort();
    let moved = eventually(Duration::from_secs(10), || async {
        redis.lease_owner(orphan).await.as_deref() == Some("survivor")
    })
    .await;
    assert!(moved, "the dead computer's symbol did not move");
    let before = c.updates().count();
    let last_seq = c.updates().last().unwrap()["seq"].as_u64().unwrap();
    c.drain_for(Duration::from_secs(2)).await;
    let after: Vec<u64> = c
        .updates()
        .skip(before)
        .map(|u| u["seq"].as_u64().unwrap())
        .collect();
    assert!(!after.is_empty(), "no updates after the move");
    assert!(
        after.iter().all(|&s| s > last_seq),
        "seq went back after the move: {last_seq} then {after:?}"
    );
}

// Scale out while finals stream: a second computer and a second gateway join, leases rebalance
// to the new computer, new sessions join on the new gateway, and no session misses a final or
// sees one twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scale_out_while_streaming_loses_nothing() {
    let redis = Redis::start().await.unwrap();
    let _first = Computer::start(&redis, &["--computer-id", "first"])
        .await
        .unwrap();
    let g1 = Gateway::start(&redis, &[]).await.unwrap();
    let symbols = ["SCA", "SCB", "SCC", "SCD"];
    let ids = ["SMA_2", "EMA_3"];
    let mut clients = Vec::new();
    for (i, s) in symbols.iter().enumerate() {
        let mut c = Client::connect(&g1, &token(&format!("u{i}@x.com"), "s"))
            .await
            .unwrap();
        c.subscribe_ok(s, "1min", json!(ids)).await;
        clients.push((s, c));
    }
    const N: i64 = 300;
    let t0: i64 = T0 - 1_000 * 60_000;
    let writer = write_minutes(&redis, &symbols, t0, N, Duration::from_millis(15));
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let _second = Computer::start(&redis, &["--computer-id", "second"])
        .await
        .unwrap();
    let g2 = Gateway::start(&redis, &[]).await.unwrap();
    for (i, s) in symbols.iter().enumerate() {
        let mut c = Client::connect(&g2, &token(&format!("v{i}@x.com"), "s"))
            .await
            .unwrap();
        c.subscribe_ok(s, "1min", json!(ids)).await;
        clients.push((s, c));
    }
    // The newcomer takes its fair share while ticks flow.
    let moved = eventually(Duration::from_secs(5), || async {
        let mut n = 0;
        for s in symbols {
            n += usize::from(redis.lease_owner(s).await.as_deref() == Some("second"));
        }
        n == 2
    })
    .await;
    assert!(moved, "leases did not rebalance to the new computer");
    writer.await.unwrap();
    let last = shared::clock::rfc3339_millis(t0 + (N - 2) * 60_000);
    for (s, c) in &mut clients {
        for id in ids {
            assert!(
                c.seen_or_next(final_of(id, &last), Duration::from_secs(20))
                    .await,
                "{s} {id}: the last final never came"
            );
            let f: Vec<(String, u64)> = c
                .updates()
                .filter(|u| u["indicator_id"] == id && u["final"] == true)
                .map(|u| {
                    (
                        u["candle_time"].as_str().unwrap().to_owned(),
                        u["seq"].as_u64().unwrap(),
                    )
                })
                .filter(|(t, _)| *t <= last)
                .collect();
            // From the first final this session saw, every candle once, seqs increasing.
            let start = f.first().map(|x| x.0.clone()).expect("some finals");
            let expected: Vec<String> = (0..N - 1)
                .map(|k| shared::clock::rfc3339_millis(t0 + k * 60_000))
                .filter(|t| *t >= start)
                .collect();
            let times: Vec<String> = f.iter().map(|x| x.0.clone()).collect();
            assert_eq!(times, expected, "{s} {id}: finals missing or doubled");
            assert!(f.windows(2).all(|w| w[0].1 < w[1].1), "{s} {id}: seq order");
        }
    }
}
