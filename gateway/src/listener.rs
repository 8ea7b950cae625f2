//! The accept loop in front of the HTTP server: what a connection must get through before
//! hyper and warp see it.
//! - at most `--max-pending-handshakes` connections may be sending their request head at once
//!   (more are closed at accept), and each gets `--handshake-timeout-secs` to send it whole
//!   (a slowloris connection is closed when it runs out);
//! - a request line too long to hold a token within `--max-token-bytes` gets 401
//!   `token_too_large` as JSON (hyper would answer a long URI with an empty 414), a head over
//!   [`MAX_HEAD`] gets 431;
//! - with `--max-conn-rate-per-ip`, each client address (the peer's, or for a peer listed in
//!   `--trusted-proxies` the last `X-Forwarded-For` entry) opens at most that many connections
//!   per second (burst 2x), else 429.
//!
//! The head read here is handed to hyper with the socket ([`Rewind`]); hyper's own errors are
//! logged at debug only (a client's broken request is not the server's error).

use crate::metrics::Metrics;
use crate::node::Node;
use crate::rate_limit::RateLimit;
use std::collections::HashMap;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// Largest request head read before hyper takes over (request line and headers).
pub(crate) const MAX_HEAD: usize = 96 * 1024;

/// Room in a request line beside the token (method, path, other query parameters).
const LINE_SLACK: usize = 2048;

/// Client addresses remembered by the per-IP rate limit before idle ones are forgotten.
const MAX_TRACKED_IPS: usize = 100_000;

/// What the accept loop enforces (from the gateway's configuration).
#[derive(Clone, Debug)]
pub(crate) struct Limits {
    pub(crate) max_pending: usize,
    pub(crate) handshake_timeout: Duration,
    pub(crate) max_token_bytes: usize,
    pub(crate) conn_rate_per_ip: u32,
    pub(crate) trusted_proxies: Vec<IpAddr>,
}

impl Limits {
    fn of(cfg: &crate::config::Config) -> Self {
        Limits {
            max_pending: cfg.max_pending_handshakes,
            handshake_timeout: cfg.handshake_timeout,
            max_token_bytes: cfg.max_token_bytes,
            conn_rate_per_ip: cfg.max_conn_rate_per_ip,
            trusted_proxies: cfg.trusted_proxies.clone(),
        }
    }
}

/// Serves the node's routes on `listener` until `stop`, then waits for the HTTP exchanges in
/// flight (upgraded WebSockets are not waited for here: they run on the node's tracker).
pub(crate) async fn serve(listener: TcpListener, node: Arc<Node>, stop: CancellationToken) {
    let filter = crate::routes::routes(&node);
    let limits = Limits::of(&node.cfg);
    let metrics = node.metrics.clone();
    let pending = Arc::new(Semaphore::new(limits.max_pending));
    let per_ip = Arc::new(IpRates::default());
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    loop {
        let (tcp, peer) = tokio::select! {
            () = stop.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: wait instead of spinning.
                    tracing::warn!(cause = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let Ok(permit) = pending.clone().try_acquire_owned() else {
            Metrics::inc(&metrics.handshakes_refused);
            drop(tcp);
            continue;
        };
        let (filter, limits, metrics, per_ip) = (
            filter.clone(),
            limits.clone(),
            metrics.clone(),
            per_ip.clone(),
        );
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            let mut tcp = tcp;
            let head = tokio::time::timeout(limits.handshake_timeout, read_head(&mut tcp)).await;
            drop(permit);
            let head = match head {
                Err(_) => {
                    Metrics::inc(&metrics.handshake_timeouts);
                    return;
                }
                Ok(Err(_)) => return,
                Ok(Ok(head)) => head,
            };
            if let Some(refusal) = refuse(&head, peer.ip(), &limits, &per_ip) {
                Metrics::inc(&metrics.handshakes_refused);
                let _ = tcp.write_all(refusal.as_bytes()).await;
                let _ = tcp.shutdown().await;
                return;
            }
            let io = hyper_util::rt::TokioIo::new(Rewind { head, inner: tcp });
            let svc = hyper_util::service::TowerToHyperService::new(warp::service(filter));
            let http =
                hyper_util::server::conn::auto::Builder::new(hyper_util::rt::TokioExecutor::new())
                    .http1_only();
            let conn = http.serve_connection_with_upgrades(io, svc);
            if let Err(e) = watcher.watch(conn).await {
                tracing::debug!(cause = %e, "HTTP connection ended with an error");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
}

/// Reads until the end of the request head (`\r\n\r\n`), at most [`MAX_HEAD`] bytes (what is
/// read past the head stays in the buffer for hyper).
async fn read_head(tcp: &mut TcpStream) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 4096];
    loop {
        let n = tcp.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        let from = buf.len().saturating_sub(3);
        buf.extend_from_slice(&chunk[..n]);
        if buf[from..].windows(4).any(|w| w == b"\r\n\r\n") || buf.len() >= MAX_HEAD {
            return Ok(buf);
        }
    }
}

/// The raw HTTP response refusing this head, if it is refused.
fn refuse(head: &[u8], peer: IpAddr, limits: &Limits, per_ip: &IpRates) -> Option<String> {
    let line_end = head.windows(2).position(|w| w == b"\r\n");
    let line = line_end.map_or(head.len(), |end| end);
    if line > limits.max_token_bytes + LINE_SLACK {
        return Some(json_response(
            "401 Unauthorized",
            "token_too_large",
            &format!("token longer than {} bytes", limits.max_token_bytes),
        ));
    }
    let complete = head.windows(4).any(|w| w == b"\r\n\r\n");
    if !complete {
        return Some(json_response(
            "431 Request Header Fields Too Large",
            "headers_too_large",
            "the request head is too large",
        ));
    }
    if limits.conn_rate_per_ip > 0 {
        let client = client_ip(head, peer, &limits.trusted_proxies);
        if !per_ip.allow(client, limits.conn_rate_per_ip, Instant::now()) {
            return Some(json_response(
                "429 Too Many Requests",
                "too_many_connection_attempts",
                "too many connections from this address: retry later",
            ));
        }
    }
    None
}

fn json_response(status: &str, error: &str, message: &str) -> String {
    let body = serde_json::json!({"error": error, "message": message}).to_string();
    format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
}

/// The client's address: the peer, or, when the peer is a trusted proxy, the last address in
/// its `X-Forwarded-For` (the one that proxy appended).
fn client_ip(head: &[u8], peer: IpAddr, trusted: &[IpAddr]) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut req = httparse::Request::new(&mut headers);
    if req.parse(head).is_err() {
        return peer;
    }
    req.headers
        .iter()
        .filter(|h| h.name.eq_ignore_ascii_case("x-forwarded-for"))
        .filter_map(|h| std::str::from_utf8(h.value).ok())
        .flat_map(|v| v.split(','))
        .filter_map(|a| a.trim().parse::<IpAddr>().ok())
        .next_back()
        .unwrap_or(peer)
}

/// Per-address connection buckets.
#[derive(Debug, Default)]
struct IpRates {
    buckets: Mutex<HashMap<IpAddr, RateLimit>>,
}

impl IpRates {
    fn allow(&self, ip: IpAddr, per_sec: u32, now: Instant) -> bool {
        let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        if buckets.len() >= MAX_TRACKED_IPS && !buckets.contains_key(&ip) {
            // A full bucket refills in 2 s: older entries are back at full and can go.
            buckets.retain(|_, b| !b.refilled(now));
        }
        buckets
            .entry(ip)
            .or_insert_with(|| RateLimit::new(per_sec, now))
            .allow(now)
    }
}

/// The socket with the head already read put back in front of it.
struct Rewind {
    head: Vec<u8>,
    inner: TcpStream,
}

impl AsyncRead for Rewind {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        if !self.head.is_empty() {
            let n = self.head.len().min(buf.remaining());
            buf.put_slice(&self.head[..n]);
            self.head.drain(..n);
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for Rewind {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> Limits {
        Limits {
            max_pending: 8,
            handshake_timeout: Duration::from_secs(1),
            max_token_bytes: 100,
            conn_rate_per_ip: 0,
            trusted_proxies: vec!["10.0.0.1".parse().unwrap()],
        }
    }

    // Shows the refusals: a request line too long for a token (401 JSON), an unfinished head
    // (431), and the per-address rate once it is on.
    #[test]
    fn refusals() {
        let ip: IpAddr = "192.0.2.7".parse().unwrap();
        let rates = IpRates::default();
        let ok = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
        assert!(refuse(ok, ip, &limits(), &rates).is_none());
        let long = format!(
            "GET /indicators/v2/stream?token={} HTTP/1.1\r\n\r\n",
            "a".repeat(3000)
        );
        let r = refuse(long.as_bytes(), ip, &limits(), &rates).unwrap();
        assert!(
            r.starts_with("HTTP/1.1 401 ") && r.contains("\"token_too_large\""),
            "{r}"
        );
        let r = refuse(b"GET / HTTP/1.1\r\nHost: x\r\n", ip, &limits(), &rates).unwrap();
        assert!(r.starts_with("HTTP/1.1 431 "), "{r}");
        let rated = Limits {
            conn_rate_per_ip: 1,
            ..limits()
        };
        let allowed = (0..5)
            .filter(|_| refuse(ok, ip, &rated, &rates).is_none())
            .count();
        assert_eq!(allowed, 2, "burst of twice the rate");
    }

    // Shows X-Forwarded-For counts only from a trusted proxy, and then its last entry.
    #[test]
    fn client_address() {
        let proxy: IpAddr = "10.0.0.1".parse().unwrap();
        let other: IpAddr = "192.0.2.9".parse().unwrap();
        let head = b"GET / HTTP/1.1\r\nX-Forwarded-For: 1.1.1.1, 203.0.113.5\r\n\r\n";
        let trusted = limits().trusted_proxies;
        assert_eq!(
            client_ip(head, proxy, &trusted),
            "203.0.113.5".parse::<IpAddr>().unwrap()
        );
        assert_eq!(client_ip(head, other, &trusted), other);
        assert_eq!(client_ip(b"GET / HTTP/1.1\r\n\r\n", proxy, &trusted), proxy);
    }
}
