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

/// Opens a TCP connection and sends `bytes` (a request head, whole or not).
async fn raw(gw: &Gateway, bytes: &[u8]) -> tokio::net::TcpStream {
    use tokio::io::AsyncWriteExt;
    let mut tcp = tokio::net::TcpStream::connect(gw.addr).await.unwrap();
    tcp.write_all(bytes).await.unwrap();
    tcp
}

/// Whether the server closes `tcp` (EOF or reset) within `within`, reading what it sends.
async fn closed_within(tcp: &mut tokio::net::TcpStream, within: Duration) -> bool {
    use tokio::io::AsyncReadExt;
    let mut buf = [0u8; 1024];
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, tcp.read(&mut buf)).await {
            Err(_) => return false,
            Ok(Ok(0) | Err(_)) => return true,
            Ok(Ok(_)) => {}
        }
    }
}

// Half-sent request heads (slowloris) are closed after --handshake-timeout-secs, and past
// --max-pending-handshakes a new connection is closed at once; the gateway serves others once
// the slow ones are gone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_handshakes_are_bounded_and_timed_out() {
    let s = Stack::start(&[
        "--handshake-timeout-secs",
        "1",
        "--max-pending-handshakes",
        "20",
    ])
    .await;
    let mut slow = Vec::new();
    for _ in 0..20 {
        slow.push(raw(&s.gw, b"GET /indicators/v2/stream?tok").await);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut extra = raw(&s.gw, b"GET /healthz HTTP/1.1\r\n").await;
    assert!(
        closed_within(&mut extra, Duration::from_millis(500)).await,
        "over the pending limit"
    );
    for tcp in &mut slow {
        assert!(
            closed_within(tcp, Duration::from_secs(3)).await,
            "slowloris not closed"
        );
    }
    let mut c = s.client("a@x.com").await;
    c.assert_alive().await;
    let metrics = s.gw.metrics().await;
    assert!(
        metrics.contains("gateway_handshake_timeouts_total 20"),
        "{metrics}"
    );
}

// A 100 KB token gets 401 token_too_large as JSON, not an empty 414.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_token_is_a_401_json() {
    let s = Stack::start(&[]).await;
    let (status, body) = upgrade_reply(&s.gw, &"x".repeat(100_000)).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("token_too_large")),
        "{body}"
    );
    let (status, body) = upgrade_reply(&s.gw, &"x".repeat(9_000)).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("token_too_large")),
        "{body}"
    );
    s.client("a@x.com").await.assert_alive().await;
}

// --max-conn-rate-per-ip counts connections per client address: the peer's, or behind a
// trusted proxy the X-Forwarded-For address; another address has its own budget.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connection_rate_per_address() {
    let s = Stack::start(&[
        "--max-conn-rate-per-ip",
        "2",
        "--trusted-proxies",
        "127.0.0.1",
    ])
    .await;
    let get = |client: &str| {
        format!(
            "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: {client}\r\nConnection: close\r\n\r\n"
        )
    };
    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(
            http_request(s.gw.addr, &get("203.0.113.5"))
                .await
                .unwrap()
                .0,
        );
    }
    assert_eq!(statuses[..4], [200, 200, 200, 200], "{statuses:?}");
    assert!(statuses[4..].contains(&429), "{statuses:?}");
    assert_eq!(
        http_request(s.gw.addr, &get("203.0.113.6"))
            .await
            .unwrap()
            .0,
        200
    );
}
