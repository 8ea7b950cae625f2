//! Update history (SPEC 2): bounded by count and age, expired once a pair is unwatched; the
//! gateway checks each publication's prev_seq and repairs what its link missed from history.

use integration::*;
use redis::AsyncCommands;
use serde_json::json;
use shared::timeframe::Timeframe;
use shared::update::{IndicatorValue, UpdateBatch, encode_named};
use std::collections::BTreeMap;
use std::time::Duration;

// History is bounded by age as well as count, and expires once nobody watches the pair.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_is_bounded_by_age_and_expires_unwatched() {
    let s = Stack::with_computer(
        &["--update-history-secs", "1"],
        &["--unsubscribe-delay-ms", "100"],
    )
    .await;
    let redis = &s.redis;
    let _ticks = Ticks::start(redis, &["AGE"], Duration::from_millis(20));
    let mut c = s.client("a@x.com").await;
    c.subscribe_ok("AGE", "1min", json!(["SMA_2"])).await;
    c.drain_for(Duration::from_millis(2500)).await;
    let published = c.updates().count();
    let key = "indicator_history:{AGE}:1min";
    let mut r = redis.conn().await.unwrap();
    let oldest: Vec<(String, BTreeMap<String, Vec<u8>>)> = redis::cmd("XRANGE")
        .arg(key)
        .arg("-")
        .arg("+")
        .arg("COUNT")
        .arg(1)
        .query_async(&mut r)
        .await
        .unwrap();
    let len: usize = r.xlen(key).await.unwrap();
    let written: i64 = String::from_utf8_lossy(&oldest[0].1["t"]).parse().unwrap();
    let age = shared::clock::now_ms() - written;
    assert!(
        published > 80 && len < published,
        "{len} of {published} kept"
    );
    assert!(age <= 1_300, "the oldest entry is {age} ms old");
    // Nobody watches any more: nothing is published, and the stream expires.
    c.close().await;
    let gone = eventually(Duration::from_secs(5), || async {
        redis.keys(key).await.unwrap().is_empty()
    })
    .await;
    assert!(gone, "the history of an unwatched pair did not expire");
}

fn batch(symbol: &str, prev_seq: u64, seq: u64) -> UpdateBatch {
    UpdateBatch {
        symbol: symbol.into(),
        timeframe: Timeframe::M1,
        seq,
        prev_seq,
        candle_time: 1_700_000_040_000,
        computed_at_us: 1_700_000_000_000_000,
        is_final: true,
        values: vec![IndicatorValue {
            id: "SMA_2".into(),
            outputs: vec![Some(seq as f64)],
        }],
    }
}

async fn publish(r: &mut redis::aio::MultiplexedConnection, b: &UpdateBatch, history: bool) {
    let payload = encode_named(b);
    let mut pipe = redis::pipe();
    if history {
        pipe.cmd("XADD")
            .arg("indicator_history:{GAP}:1min")
            .arg(format!("{}-0", b.seq))
            .arg("d")
            .arg(payload.as_slice())
            .arg("t")
            .arg(0)
            .ignore();
    }
    pipe.hset("seq:{GAP}", "1min", b.seq).ignore();
    let () = pipe.query_async(r).await.unwrap();
    let _: i64 = r
        .publish("indicator_updates:GAP:1min", payload.as_slice())
        .await
        .unwrap();
}

// The gateway checks each publication's prev_seq: missed ones are replayed from history in
// order, a gap history cannot fill becomes `resync` (recovered: false), duplicates are dropped.
// Publications are written here exactly as a computer writes them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gateway_repairs_gaps_from_history_or_resyncs() {
    let s = Stack::start(&[]).await;
    let mut r = s.redis.conn().await.unwrap();
    let mut c = s.client("a@x.com").await;
    c.subscribe_ok("GAP", "1min", json!(["SMA_2"])).await;
    let at = c.received.len();
    publish(&mut r, &batch("GAP", 0, 10), true).await;
    // 11..13 reach history but not this gateway (as when its link was down).
    for s in 11..=13 {
        let b = batch("GAP", s - 1, s);
        let () = r
            .xadd(
                "indicator_history:{GAP}:1min",
                format!("{s}-0"),
                &[("d", encode_named(&b))],
            )
            .await
            .unwrap();
    }
    publish(&mut r, &batch("GAP", 13, 14), true).await;
    publish(&mut r, &batch("GAP", 13, 14), false).await; // a duplicate
    publish(&mut r, &batch("GAP", 19, 20), false).await; // 15..19 are nowhere
    let resync = c
        .next_where(|m| m["type"] == "resync", Duration::from_secs(5))
        .await
        .expect("resync");
    // Fresh values as of seq 20, which is therefore not sent again.
    assert_eq!(resync["seq"], 20);
    publish(&mut r, &batch("GAP", 20, 21), false).await;
    c.next_where(|u| u["seq"] == 21, Duration::from_secs(5))
        .await
        .expect("seq 21");
    let seen: Vec<String> = c.received[at..]
        .iter()
        .map(|m| match m["type"].as_str().unwrap() {
            "indicator_update" => m["seq"].to_string(),
            "resync" => format!("resync:{}", m["recovered"]),
            t => t.to_owned(),
        })
        .collect();
    assert_eq!(seen, ["10", "11", "12", "13", "14", "resync:false", "21"]);
    let metrics = s.gw.metrics().await;
    for line in [
        "gateway_gaps_repaired_total 1",
        "gateway_resyncs_total 1",
        "gateway_stale_publications_total 1",
    ] {
        assert!(metrics.contains(line), "{line}\n{metrics}");
    }
}
