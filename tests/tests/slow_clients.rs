//! Slow clients (SPEC section 3): a client that stops reading is closed (4009) once its queue is
//! full of finals, and may resume; the clients that read get every final.

use integration::*;
use serde_json::json;
use std::time::Duration;

// A client that stops reading, among normal ones: its live values conflate, its queue fills
// with finals and it is closed with 4009, while the reading client gets every final.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn non_reading_client_is_closed_4009_others_unaffected() {
    let s = Stack::with_computer(
        NO_IDLE_CLOSE,
        &["--send-queue", "256", "--slow-client-secs", "2"],
    )
    .await;
    let redis = &s.redis;
    write_ticks(redis, "SLOW", &[(T0, 100.0, 1.0)])
        .await
        .unwrap();
    let ids = json!([
        "SMA_2", "SMA_3", "SMA_4", "SMA_5", "EMA_2", "EMA_3", "EMA_4", "EMA_5", "RSI_2", "RSI_3"
    ]);
    let mut reader = s.client("r@x.com").await;
    let mut stuck = s.client("s@x.com").await;
    for c in [&mut reader, &mut stuck] {
        c.subscribe_ok("SLOW", "1min", ids.clone()).await;
    }
    reader.expect_update(Duration::from_secs(10)).await;
    // 6,000 one-minute candles, each closed by the next tick, at a pace a reading client keeps
    // up with: 60,000 finals (~15 MB) per client, more than the kernel's socket buffers hold for
    // the client that does not read.
    let n = 6000;
    let ticks: Vec<(i64, f64, f64)> = (1..=n)
        .map(|k| (T0 + k * 60_000, 100.0 + (k % 13) as f64, 1.0))
        .collect();
    let writer = {
        let url = redis.url.clone();
        tokio::spawn(async move {
            let client = redis::Client::open(url.as_str()).unwrap();
            let mut c = client.get_multiplexed_async_connection().await.unwrap();
            for chunk in ticks.chunks(10) {
                let mut pipe = redis::pipe();
                for &(ts, price, volume) in chunk {
                    push_tick(&mut pipe, "SLOW", ts, price, Some(volume));
                }
                let () = pipe.query_async(&mut c).await.unwrap();
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
    };
    let last = shared::clock::rfc3339_millis(T0 + (n - 1) * 60_000);
    let done = reader
        .next_where(final_of("RSI_3", &last), Duration::from_secs(60))
        .await;
    assert!(
        done.is_some(),
        "the reading client did not get every final: close {:?}, {} finals",
        reader.close_code,
        reader.updates().filter(|u| u["final"] == true).count()
    );
    reader.drain_for(Duration::from_millis(500)).await; // the rest of that last batch
    let finals = reader.updates().filter(|u| u["final"] == true).count();
    assert_eq!(finals, 10 * n as usize);
    assert_eq!(reader.close_code, None);
    writer.await.unwrap();
    // The stuck client now reads what the kernel buffered, then finds its connection closed (the
    // 4009 close frame itself cannot reach a client whose socket stays full), counted as a slow
    // disconnect, its session detached (kept for a resume).
    let _ = stuck.until_closed(Duration::from_secs(30)).await;
    assert!(stuck.closed, "the stuck client was not closed");
    assert_eq!(
        redis.session_state(&stuck.ws_conn_id).await.as_deref(),
        Some("detached"),
        "a client closed for being slow may resume"
    );
    let metrics = s.gw.metrics().await;
    assert!(
        metrics.contains("gateway_slow_disconnects_total 1"),
        "{metrics}"
    );
}
