//! Authentication (SPEC section 3): no valid token, no upgrade (HTTP 401 with a JSON body); a
//! Bearer header works like the query parameter; a token that expires while connected closes the
//! connection (1008) and leaves the session resumable.

use futures::StreamExt;
use integration::*;
use serde_json::Value;
use std::time::Duration;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

// Missing, forged, expired and malformed tokens get HTTP 401 with a JSON body, before any
// upgrade; a Bearer header works like the query parameter.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unauthorized_before_upgrade() {
    let s = Stack::start(&[]).await;
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
        let (status, body) = http_request(s.gw.addr, &req).await.unwrap();
        assert_eq!(status, 401, "{code}");
        let body: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(body["error"], code);
        assert!(body["message"].is_string());
    }
    // Bearer header.
    let tok = token("a@x.com", "s");
    let mut request = format!("ws://{}/indicators/v2/stream", s.gw.addr)
        .into_client_request()
        .unwrap();
    request
        .headers_mut()
        .insert("authorization", format!("Bearer {tok}").parse().unwrap());
    let (mut ws, resp) = tokio_tungstenite::connect_async(request).await.unwrap();
    assert_eq!(resp.status(), 101);
    let hello = ws.next().await.unwrap().unwrap();
    assert!(hello.to_text().unwrap().contains("\"connected\""));
}

// A token that expires while connected closes the connection with 1008.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_expiry_closes_1008() {
    let s = Stack::start(&[]).await;
    let tok = shared::auth::issue(
        SECRET.as_bytes(),
        "a@x.com",
        "s",
        shared::auth::now_secs(),
        1,
    );
    let mut c = Client::connect(&s.gw, &tok).await.unwrap();
    assert_eq!(c.until_closed(Duration::from_secs(5)).await, Some(1008));
    // The session waits for the client to resume with a fresh token.
    assert_eq!(
        s.redis.session_state(&c.ws_conn_id).await.as_deref(),
        Some("detached")
    );
}
