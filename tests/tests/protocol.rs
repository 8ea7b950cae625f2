//! Protocol edges: every error code of SPEC section 3 with the connection still working after,
//! 401 before the upgrade, close codes, heartbeat and stale cleanup, drain, HTTP endpoints.

use integration::*;
use serde_json::{Value, json};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

async fn assert_alive(c: &mut Client) {
    let pong = c.request(json!({"action": "ping"})).await.unwrap();
    assert_eq!(pong["type"], "pong", "{pong}");
    assert!(pong["timestamp"].as_str().unwrap().ends_with('Z'));
}

async fn expect_error(c: &mut Client, msg: Value, code: &str) {
    let reply = c.request(msg.clone()).await.unwrap();
    assert_eq!(reply["type"], "error", "{msg} -> {reply}");
    assert_eq!(reply["code"], code, "{msg} -> {reply}");
    assert!(!reply["message"].as_str().unwrap().is_empty());
    assert_alive(c).await;
}

// Every client-input error code, each echoing the id, each leaving the connection usable.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_error_code_and_the_connection_survives() {
    let redis = Redis::start().await.unwrap();
    let gw = Gateway::start(&redis, &["--max-indicators-per-conn", "3"])
        .await
        .unwrap();
    let mut c = Client::connect(&gw, &token("a@x.com", "s")).await.unwrap();

    // invalid_json cannot carry an id (the frame is not JSON): read the next error.
    c.send_raw(Message::text("{not json")).await.unwrap();
    let e = c
        .next_where(|m| m["type"] == "error", Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(e["code"], "invalid_json");
    assert_alive(&mut c).await;
    c.send_raw(Message::binary(vec![1u8, 2, 3])).await.unwrap();
    let e = c
        .next_where(|m| m["type"] == "error", Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(e["code"], "invalid_json");

    expect_error(&mut c, json!({"action": "dance"}), "unknown_action").await;
    expect_error(&mut c, json!({"no_action": 1}), "unknown_action").await;
    expect_error(
        &mut c,
        subscribe("NIFTY:50", "5min", json!(["RSI_14"])),
        "invalid_symbol",
    )
    .await;
    expect_error(
        &mut c,
        subscribe(&"X".repeat(33), "5min", json!(["RSI_14"])),
        "invalid_symbol",
    )
    .await;
    expect_error(
        &mut c,
        subscribe("NIFTY50", "7min", json!(["RSI_14"])),
        "invalid_timeframe",
    )
    .await;
    expect_error(
        &mut c,
        subscribe("NIFTY50", "5min", json!(["FOO_14"])),
        "unknown_indicator",
    )
    .await;
    expect_error(
        &mut c,
        subscribe("NIFTY50", "5min", json!([{"name": "NOPE"}])),
        "unknown_indicator",
    )
    .await;
    expect_error(
        &mut c,
        subscribe(
            "NIFTY50",
            "5min",
            json!([{"name": "RSI", "params": {"length": 1}}]),
        ),
        "invalid_params",
    )
    .await;
    expect_error(
        &mut c,
        subscribe(
            "NIFTY50",
            "5min",
            json!([{"name": "RSI", "params": {"lenght": 14}}]),
        ),
        "invalid_params",
    )
    .await;
    expect_error(
        &mut c,
        subscribe(
            "NIFTY50",
            "5min",
            json!([{"name": "MACD", "params": {"fast": 26, "slow": 12}}]),
        ),
        "invalid_params",
    )
    .await;
    expect_error(
        &mut c,
        subscribe("NIFTY50", "5min", json!([])),
        "invalid_params",
    )
    .await;
    expect_error(
        &mut c,
        subscribe(
            "NIFTY50",
            "5min",
            json!(["RSI_14", "SMA_20", "EMA_10", "MACD_12_26_9"]),
        ),
        "too_many_indicators",
    )
    .await;
    expect_error(
        &mut c,
        json!({"action": "resume", "ws_conn_id": "ws_nope", "resume_token": "x", "last_seq": {}}),
        "resume_failed",
    )
    .await;
    // Nothing of the refused requests was recorded.
    assert!(
        redis
            .keys("indicator_subscribers:*")
            .await
            .unwrap()
            .is_empty()
    );
    // The limit counts what the connection holds: 3 fit, a 4th does not.
    let ok = c
        .request(subscribe(
            "NIFTY50",
            "5min",
            json!(["RSI_14", "SMA_20", "EMA_10"]),
        ))
        .await
        .unwrap();
    assert_eq!(ok["type"], "success", "{ok}");
    expect_error(
        &mut c,
        subscribe("NIFTY50", "1h", json!(["RSI_14"])),
        "too_many_indicators",
    )
    .await;
}

// Past the per-connection rate, requests get rate_limited; the connection recovers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limited_then_recovers() {
    let redis = Redis::start().await.unwrap();
    let gw = Gateway::start(&redis, &["--rate-limit-per-sec", "2"])
        .await
        .unwrap();
    let mut c = Client::connect(&gw, &token("a@x.com", "s")).await.unwrap();
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
    assert_alive(&mut c).await;
}

// A Redis failure during a request is an `internal` error, not a dropped connection.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn internal_error_when_redis_is_gone() {
    let mut redis = Redis::start().await.unwrap();
    let gw = Gateway::start(&redis, &[]).await.unwrap();
    let mut c = Client::connect(&gw, &token("a@x.com", "s")).await.unwrap();
    redis.kill().await;
    expect_error(
        &mut c,
        subscribe("NIFTY50", "5min", json!(["RSI_14"])),
        "internal",
    )
    .await;
}

// Missing, forged, expired and malformed tokens get HTTP 401 with a JSON body, before any
// upgrade; a Bearer header works like the query parameter.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unauthorized_before_upgrade() {
    let redis = Redis::start().await.unwrap();
    let gw = Gateway::start(&redis, &[]).await.unwrap();
    let now = shared::auth::now_secs();
    let forged = shared::auth::issue(b"some-other-secret-0123456789", "a@x.com", "s", now, 60);
    let expired = shared::auth::issue(SECRET.as_bytes(), "a@x.com", "s", now - 3600, 60);
    let cases = [
        ("", "missing_token"),
        (forged.as_str(), "invalid_signature"),
        (expired.as_str(), "token_expired"),
        ("abc.def.ghi", "invalid_token"),
    ];
    for (tok, code) in cases {
        let req = format!(
            "GET /indicators/v2/stream?token={tok} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\
             Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
        );
        let (status, body) = http_request(gw.addr, &req).await.unwrap();
        assert_eq!(status, 401, "{code}");
        let body: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(body["error"], code);
        assert!(body["message"].is_string());
    }
    // Bearer header.
    let tok = token("a@x.com", "s");
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let mut request = format!("ws://{}/indicators/v2/stream", gw.addr)
        .into_client_request()
        .unwrap();
    request
        .headers_mut()
        .insert("authorization", format!("Bearer {tok}").parse().unwrap());
    let (mut ws, resp) = tokio_tungstenite::connect_async(request).await.unwrap();
    assert_eq!(resp.status(), 101);
    use futures::StreamExt;
    let hello = ws.next().await.unwrap().unwrap();
    assert!(hello.to_text().unwrap().contains("\"connected\""));
}

// A frame over the size limit closes the connection with 1009.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_message_closes_1009() {
    let redis = Redis::start().await.unwrap();
    let gw = Gateway::start(&redis, &["--max-message-bytes", "4096"])
        .await
        .unwrap();
    let mut c = Client::connect(&gw, &token("a@x.com", "s")).await.unwrap();
    c.send_raw(Message::text("x".repeat(10_000))).await.unwrap();
    assert_eq!(c.until_closed(Duration::from_secs(5)).await, Some(1009));
}

// A token that expires while connected closes the connection with 1008.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_expiry_closes_1008() {
    let redis = Redis::start().await.unwrap();
    let gw = Gateway::start(&redis, &[]).await.unwrap();
    let tok = shared::auth::issue(
        SECRET.as_bytes(),
        "a@x.com",
        "s",
        shared::auth::now_secs(),
        1,
    );
    let mut c = Client::connect(&gw, &tok).await.unwrap();
    assert_eq!(c.until_closed(Duration::from_secs(5)).await, Some(1008));
    // The session waits for the client to resume with a fresh token.
    assert_eq!(
        session_state(&redis, &c.ws_conn_id).await.as_deref(),
        Some("detached")
    );
}

async fn session_state(redis: &Redis, ws_conn_id: &str) -> Option<String> {
    let mut r = redis.conn().await.unwrap();
    redis::cmd("HGET")
        .arg(format!("ws_conn:{ws_conn_id}"))
        .arg("state")
        .query_async(&mut r)
        .await
        .unwrap()
}

// The server pings; a client that never answers (does not read) is closed after the stale
// time and its Redis entries are removed after the resume window, while a reading client stays.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silent_connection_is_closed_and_cleaned() {
    let redis = Redis::start().await.unwrap();
    let gw = Gateway::start(
        &redis,
        &[
            "--heartbeat-secs",
            "1",
            "--stale-secs",
            "2",
            "--resume-window-secs",
            "1",
            "--liveness-secs",
            "1",
        ],
    )
    .await
    .unwrap();
    let mut silent = Client::connect(&gw, &token("a@x.com", "s")).await.unwrap();
    let mut alive = Client::connect(&gw, &token("b@x.com", "s")).await.unwrap();
    silent
        .request(subscribe("NIFTY50", "5min", json!(["RSI_14"])))
        .await
        .unwrap();
    alive
        .request(subscribe("NIFTY50", "5min", json!(["SMA_20"])))
        .await
        .unwrap();
    let silent_key = format!("ws_conn:{}", silent.ws_conn_id);
    // `alive` reads (so its client answers pings); `silent` does not read at all.
    alive.drain_for(Duration::from_secs(6)).await;
    let keys = redis.keys("ws_conn:*").await.unwrap();
    assert!(
        !keys.contains(&silent_key),
        "stale session still registered"
    );
    assert_eq!(keys, vec![format!("ws_conn:{}", alive.ws_conn_id)]);
    assert_eq!(
        redis.keys("indicator_subscribers:*").await.unwrap(),
        vec!["indicator_subscribers:NIFTY50:5min:SMA_20"]
    );
    assert!(alive.close_code.is_none());
    drop(silent);
}

// Shutdown (what SIGTERM triggers): sessions get 1001 and wait for a resume elsewhere, run
// returns; the other gateway removes the sessions nobody resumed once the window passed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drain_closes_with_1001_and_cleans_up() {
    let redis = Redis::start().await.unwrap();
    let timing = ["--resume-window-secs", "2", "--liveness-secs", "1"];
    let mut gw = Gateway::start(&redis, &timing).await.unwrap();
    let _other = Gateway::start(&redis, &timing).await.unwrap();
    let mut a = Client::connect(&gw, &token("a@x.com", "s")).await.unwrap();
    let mut b = Client::connect(&gw, &token("b@x.com", "s")).await.unwrap();
    a.request(subscribe("NIFTY50", "5min", json!(["RSI_14"])))
        .await
        .unwrap();
    b.request(subscribe("NIFTY50", "1h", json!(["SMA_20"])))
        .await
        .unwrap();
    assert_eq!(redis.keys("ws_conn:*").await.unwrap().len(), 2);
    gw.shutdown.cancel();
    assert_eq!(a.until_closed(Duration::from_secs(5)).await, Some(1001));
    assert_eq!(b.until_closed(Duration::from_secs(5)).await, Some(1001));
    tokio::time::timeout(Duration::from_secs(10), &mut gw.handle)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(
        session_state(&redis, &a.ws_conn_id).await.as_deref(),
        Some("detached")
    );
    assert_eq!(
        session_state(&redis, &b.ws_conn_id).await.as_deref(),
        Some("detached")
    );
    let gone = eventually(Duration::from_secs(6), || async {
        redis.keys("ws_conn:*").await.unwrap().is_empty()
            && redis
                .keys("indicator_subscribers:*")
                .await
                .unwrap()
                .is_empty()
    })
    .await;
    assert!(gone, "sessions left after the window");
}

// /healthz, /readyz, /metrics and the cluster-wide /indicators/v2/health figures.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_endpoints() {
    let redis = Redis::start().await.unwrap();
    let g1 = Gateway::start(&redis, &[]).await.unwrap();
    let g2 = Gateway::start(&redis, &[]).await.unwrap();
    let mut a = Client::connect(&g1, &token("a@x.com", "s1")).await.unwrap();
    let mut a2 = Client::connect(&g2, &token("a@x.com", "s2")).await.unwrap();
    let mut b = Client::connect(&g2, &token("b@x.com", "s")).await.unwrap();
    a.request(subscribe("NIFTY50", "5min", json!(["RSI_14", "SMA_20"])))
        .await
        .unwrap();
    a2.request(subscribe("NIFTY50", "5min", json!(["RSI_14"])))
        .await
        .unwrap();
    b.request(subscribe("BANKNIFTY", "1h", json!(["EMA_10"])))
        .await
        .unwrap();

    assert_eq!(http_get(g1.addr, "/healthz").await.unwrap().0, 200);
    assert_eq!(http_get(g1.addr, "/readyz").await.unwrap().0, 200);
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
    let (status, metrics) = http_get(g2.addr, "/metrics").await.unwrap();
    assert_eq!(status, 200);
    assert!(metrics.contains("gateway_connections 2"), "{metrics}");
    assert_eq!(http_get(g1.addr, "/nope").await.unwrap().0, 404);
    // Draining fails readiness at once.
    g1.shutdown.cancel();
    let _ = a.until_closed(Duration::from_secs(5)).await;
}

// A client that stops reading, among normal ones: its live values conflate, its queue fills
// with finals and it is closed with 4009, while the reading client gets every final.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn non_reading_client_is_closed_4009_others_unaffected() {
    let redis = Redis::start().await.unwrap();
    let _computer = Computer::start(&redis, &["--idle-close-ms", "600000"])
        .await
        .unwrap();
    let gw = Gateway::start(&redis, &["--send-queue", "256", "--slow-client-secs", "2"])
        .await
        .unwrap();
    const T0: i64 = 1_762_257_600_000;
    write_ticks(&redis, "SLOW", &[(T0, 100.0, 1.0)])
        .await
        .unwrap();
    let ids = json!([
        "SMA_2", "SMA_3", "SMA_4", "SMA_5", "EMA_2", "EMA_3", "EMA_4", "EMA_5", "RSI_2", "RSI_3"
    ]);
    let mut reader = Client::connect(&gw, &token("r@x.com", "s")).await.unwrap();
    let mut stuck = Client::connect(&gw, &token("s@x.com", "s")).await.unwrap();
    for c in [&mut reader, &mut stuck] {
        assert_eq!(
            c.request(subscribe("SLOW", "1min", ids.clone()))
                .await
                .unwrap()["type"],
            "success"
        );
    }
    assert!(
        reader
            .next_where(|u| u["type"] == "indicator_update", Duration::from_secs(10))
            .await
            .is_some()
    );
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
                for (ts, price, volume) in chunk {
                    pipe.cmd("XADD")
                        .arg("ticks:{SLOW}")
                        .arg("*")
                        .arg("ts")
                        .arg(*ts)
                        .arg("price")
                        .arg(*price)
                        .arg("volume")
                        .arg(*volume)
                        .ignore();
                }
                let () = pipe.query_async(&mut c).await.unwrap();
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
    };
    let last = shared::clock::rfc3339_millis(T0 + (n - 1) * 60_000);
    let done = reader
        .next_where(
            |u| {
                u["final"] == true
                    && u["candle_time"] == json!(last)
                    && u["indicator_id"] == "RSI_3"
            },
            Duration::from_secs(60),
        )
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
    // disconnect, its session gone from Redis.
    let stuck_key = format!("ws_conn:{}", stuck.ws_conn_id);
    let _ = stuck.until_closed(Duration::from_secs(30)).await;
    assert!(stuck.closed, "the stuck client was not closed");
    let _ = stuck_key;
    assert_eq!(
        session_state(&redis, &stuck.ws_conn_id).await.as_deref(),
        Some("detached"),
        "a client closed for being slow may resume"
    );
    let (_, metrics) = http_get(gw.addr, "/metrics").await.unwrap();
    assert!(
        metrics.contains("gateway_slow_disconnects_total 1"),
        "{metrics}"
    );
}

// The whole catalogue is accepted by id and by name with default params, and multi-output
// indicators come back keyed by their pandas-ta columns (or null in warm-up).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_catalogue_indicator_by_id_and_by_name() {
    let redis = Redis::start().await.unwrap();
    let gw = Gateway::start(&redis, &[]).await.unwrap();
    let mut c = Client::connect(&gw, &token("a@x.com", "s")).await.unwrap();
    let names: Vec<&str> = shared::catalogue::CATALOGUE
        .iter()
        .map(|d| d.name)
        .collect();
    assert_eq!(names.len(), 34);
    let by_name: Vec<Value> = names.iter().map(|n| json!({"name": n})).collect();
    let r = c
        .request(subscribe("CAT", "1min", json!(by_name)))
        .await
        .unwrap();
    assert_eq!(r["type"], "success", "{r}");
    let ids: Vec<String> = r["data"]["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), 34);
    for id in [
        "SMA_10",
        "KAMA_10_2_30",
        "PSAR_0.02_0.2",
        "SUPERTREND_7_3.0",
        "STOCHRSI_14_14_3_3",
        "CCI_14_0.015",
        "ATR_14",
        "TRANGE_1",
        "VWAP_D",
        "OBV",
    ] {
        assert!(ids.contains(&id.to_owned()), "{id} not in {ids:?}");
        assert!(
            r["data"]["initial_values"].get(id).is_some(),
            "no initial value for {id}"
        );
    }
    let r = c
        .request(subscribe("CAT", "5min", json!(ids)))
        .await
        .unwrap();
    assert_eq!(r["type"], "success", "{r}");
    assert_eq!(r["data"]["indicators"].as_array().unwrap().len(), 34);
}

// Catalogue indicators stream with their columns once a computer has candles for them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn multi_output_indicators_stream_their_columns() {
    let redis = Redis::start().await.unwrap();
    let _computer = Computer::start(&redis, &["--idle-close-ms", "600000"])
        .await
        .unwrap();
    let gw = Gateway::start(&redis, &[]).await.unwrap();
    const T0: i64 = 1_762_257_600_000;
    let ticks: Vec<(i64, f64, f64)> = (0..60)
        .map(|k| {
            (
                T0 + k * 60_000 + 1,
                100.0 + ((k * 7) % 11) as f64,
                10.0 + k as f64,
            )
        })
        .collect();
    write_ticks(&redis, "MULTI", &ticks).await.unwrap();
    assert!(
        eventually(Duration::from_secs(10), || async {
            redis.keys("candles:{MULTI}:1min").await.unwrap().len() == 1
        })
        .await
    );
    let mut c = Client::connect(&gw, &token("a@x.com", "s")).await.unwrap();
    let r = c
        .request(subscribe(
            "MULTI",
            "1min",
            json!(["ADX_5", "DONCHIAN_5_5", "STOCH_5_3_3"]),
        ))
        .await
        .unwrap();
    assert_eq!(r["type"], "success", "{r}");
    let iv = &r["data"]["initial_values"];
    let keys = |v: &Value| -> Vec<String> {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(keys(&iv["ADX_5"]), ["ADX_5", "DMN_5", "DMP_5"]);
    assert_eq!(keys(&iv["DONCHIAN_5_5"]), ["DCL_5_5", "DCM_5_5", "DCU_5_5"]);
    assert_eq!(keys(&iv["STOCH_5_3_3"]), ["STOCHd_5_3_3", "STOCHk_5_3_3"]);
    write_ticks(&redis, "MULTI", &[(T0 + 60 * 60_000 + 1, 104.0, 1.0)])
        .await
        .unwrap();
    let u = c
        .next_where(
            |u| {
                u["type"] == "indicator_update"
                    && u["indicator_id"] == "ADX_5"
                    && u["final"] == true
            },
            Duration::from_secs(10),
        )
        .await
        .expect("a final ADX value");
    assert!(u["value"]["ADX_5"].is_number(), "{u}");
}

// Drain closes sessions at spread-out moments (so clients do not all reconnect at once), all
// within the spread, and readiness fails at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drain_spreads_the_closes() {
    let redis = Redis::start().await.unwrap();
    let gw = Gateway::start(&redis, &["--drain-spread-ms", "2000"])
        .await
        .unwrap();
    let mut clients = Vec::new();
    for i in 0..20 {
        clients.push(
            Client::connect(&gw, &token(&format!("u{i}@x.com"), "s"))
                .await
                .unwrap(),
        );
    }
    let start = tokio::time::Instant::now();
    gw.shutdown.cancel();
    assert_ne!(
        http_get(gw.addr, "/readyz")
            .await
            .map(|r| r.0)
            .unwrap_or(503),
        200
    );
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

// When the gateway's pub/sub link is dropped (Redis closing it, as for its output-buffer
// limit), the gateway reconnects and replays from history what the link missed: the client's
// stream goes on with every seq, no gap, no resync.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropped_pubsub_link_is_repaired_from_history() {
    let redis = Redis::start().await.unwrap();
    let _computer = Computer::start(&redis, &[]).await.unwrap();
    let gw = Gateway::start(&redis, &[]).await.unwrap();
    let stop = tokio_util::sync::CancellationToken::new();
    tick_forever(
        redis.url.clone(),
        vec!["LINK".into()],
        Duration::from_millis(20),
        stop.clone(),
    );
    let mut c = Client::connect(&gw, &token("a@x.com", "s")).await.unwrap();
    let r = c
        .request(subscribe("LINK", "1min", json!(["SMA_2", "EMA_3"])))
        .await
        .unwrap();
    assert_eq!(r["type"], "success");
    assert!(
        c.next_where(|u| u["type"] == "indicator_update", Duration::from_secs(10))
            .await
            .is_some()
    );
    let mut conn = redis.conn().await.unwrap();
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
    let (_, metrics) = http_get(gw.addr, "/metrics").await.unwrap();
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
        let seqs: Vec<u64> = c
            .updates()
            .filter(|u| u["indicator_id"] == id)
            .map(|u| u["seq"].as_u64().unwrap())
            .collect();
        assert!(seqs.windows(2).all(|w| w[1] > w[0]), "{id}: {seqs:?}");
        assert!(seqs.len() > 100, "{id}: {}", seqs.len());
    }
    stop.cancel();
}

// A pub/sub link that stops answering (Redis stalled: CLIENT PAUSE) is noticed by the ping
// health check: /readyz fails while it cannot deliver; once Redis answers again the link is
// rebuilt, readiness comes back and the clients get `resync`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unresponsive_pubsub_link_fails_readiness_then_recovers() {
    let redis = Redis::start().await.unwrap();
    let gw = Gateway::start(&redis, &[]).await.unwrap();
    let mut c = Client::connect(&gw, &token("a@x.com", "s")).await.unwrap();
    assert_eq!(
        c.request(subscribe("STALL", "1min", json!(["SMA_2"])))
            .await
            .unwrap()["type"],
        "success"
    );
    let mut conn = redis.conn().await.unwrap();
    let () = redis::cmd("CLIENT")
        .arg("PAUSE")
        .arg(6000)
        .arg("ALL")
        .query_async(&mut conn)
        .await
        .unwrap();
    let not_ready = eventually(Duration::from_secs(6), || async {
        http_get(gw.addr, "/readyz")
            .await
            .map(|r| r.0 == 503)
            .unwrap_or(false)
    })
    .await;
    assert!(
        not_ready,
        "readiness did not fail while the link was stalled"
    );
    let ready = eventually(Duration::from_secs(15), || async {
        http_get(gw.addr, "/readyz")
            .await
            .map(|r| r.0 == 200)
            .unwrap_or(false)
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
