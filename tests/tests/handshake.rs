//! The handshake and what the logs keep: the origin allow-list, and no token, resume token or
//! email in the gateway's log even at RUST_LOG=trace.

use integration::*;
use serde_json::json;
use std::process::Stdio;
use std::time::Duration;

/// Status of an upgrade request with `origin` (none: no Origin header).
async fn with_origin(gw: &Gateway, origin: Option<&str>) -> u16 {
    let origin = origin.map_or_else(String::new, |o| format!("Origin: {o}\r\n"));
    let tok = token("a@x.com", "s");
    let req = format!(
        "GET /indicators/v2/stream?token={tok} HTTP/1.1\r\nHost: x\r\n{origin}Connection: Upgrade\r\n\
         Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
    );
    http_request(gw.addr, &req).await.unwrap().0
}

// With --allowed-origins, a browser from another origin gets 403; the listed origin (any case)
// and clients without an Origin header get in. Without the flag any origin passes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn origin_allow_list() {
    let s = Stack::start(&["--allowed-origins", "https://charts.test,https://b.test"]).await;
    assert_eq!(with_origin(&s.gw, Some("https://evil.test")).await, 403);
    assert_eq!(with_origin(&s.gw, Some("https://Charts.test")).await, 101);
    assert_eq!(with_origin(&s.gw, None).await, 101);
    let open = Gateway::start(&s.redis, &[]).await.unwrap();
    assert_eq!(with_origin(&open, Some("https://evil.test")).await, 101);
}

// At RUST_LOG=trace, after connects, a refused token, a refresh and a resume, the gateway's log
// holds no token, no resume token and no email.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secrets_in_trace_logs() {
    let redis = Redis::start().await.unwrap();
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], free_port()));
    let log = std::env::temp_dir().join(format!("gw-trace-{}.log", addr.port()));
    let mut child = tokio::process::Command::new(bin("gateway"))
        .args(["--listen", &addr.to_string(), "--redis-url", &redis.url])
        .env("JWT_SECRET", SECRET)
        .env("RUST_LOG", "trace")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    assert!(became_ready(addr).await, "gateway never became ready");
    let first = token("secret.user@x.com", "s1");
    let mut a = Client::connect_addr(addr, &first).await.unwrap();
    a.subscribe_ok("NIFTY50", "5min", json!(["RSI_14"])).await;
    let fresh = token("secret.user@x.com", "s1");
    a.request(json!({"action": "refresh", "token": fresh}))
        .await
        .unwrap();
    let (ws_conn_id, resume_token) = (a.ws_conn_id.clone(), a.resume_token.clone());
    a.vanish();
    let mut b = Client::connect_addr(addr, &first).await.unwrap();
    let r = b
        .resume_session(&ws_conn_id, &resume_token, json!({}))
        .await
        .unwrap();
    assert_eq!(r["type"], "success", "{r}");
    let forged = shared::auth::issue(b"another-secret-0123456789", "secret.user@x.com", "s", 0, 9);
    let _ = Client::connect_addr(addr, &forged).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    signal(&child, "TERM");
    let _ = tokio::time::timeout(Duration::from_secs(10), child.wait()).await;
    let text = std::fs::read_to_string(&log).unwrap();
    std::fs::remove_file(&log).ok();
    assert!(
        text.lines().count() > 10,
        "the trace log is too short to mean anything"
    );
    for (what, secret) in [
        ("token", first.as_str()),
        ("refreshed token", fresh.as_str()),
        ("forged token", forged.as_str()),
        ("resume token", resume_token.as_str()),
        ("email", "secret.user@x.com"),
    ] {
        // A token's signature alone is as telling as the whole token.
        let tail = &secret[secret.len().saturating_sub(24)..];
        assert!(!text.contains(tail), "the {what} is in the log");
    }
}
