//! Test harness: a private `redis-server` per test (unix socket in a fresh directory, so tests
//! run in parallel), the real gateway and computer `run` functions on real sockets, and a
//! WebSocket client that keeps every frame it receives.

use anyhow::{Context, Result, bail};
use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use tokio_util::sync::CancellationToken;

pub const SECRET: &str = "integration-test-secret-0123456789";

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn unique_dir(prefix: &str) -> PathBuf {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("{prefix}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("creating a temp dir");
    dir
}

fn spawn_redis(dir: &std::path::Path, sock: &std::path::Path) -> Result<tokio::process::Child> {
    tokio::process::Command::new("redis-server")
        .args([
            "--port",
            "0",
            "--save",
            "",
            "--appendonly",
            "no",
            "--unixsocketperm",
            "700",
        ])
        .arg("--unixsocket")
        .arg(sock)
        .arg("--dir")
        .arg(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .context("starting redis-server (is it installed?)")
}

/// A private redis-server on a unix socket; killed on drop.
#[derive(Debug)]
pub struct Redis {
    child: Option<tokio::process::Child>,
    /// The nodes of a cluster (empty for a single server).
    nodes: Vec<tokio::process::Child>,
    dir: PathBuf,
    pub url: String,
}

impl Redis {
    pub async fn start() -> Result<Redis> {
        let dir = unique_dir("isc-redis");
        let sock = dir.join("redis.sock");
        let child = spawn_redis(&dir, &sock)?;
        let url = format!("unix://{}", sock.display());
        let redis = Redis {
            child: Some(child),
            nodes: Vec::new(),
            dir,
            url,
        };
        redis.wait_up().await?;
        Ok(redis)
    }

    /// A private 3-node Redis Cluster (primaries only, TCP on free ports), created with
    /// `redis-cli --cluster create`; its URL is `redis-cluster://127.0.0.1:p1,...`.
    pub async fn start_cluster() -> Result<Redis> {
        let dir = unique_dir("isc-cluster");
        let mut nodes = Vec::new();
        let mut addrs = Vec::new();
        for i in 0..3 {
            let port = free_port();
            let node_dir = dir.join(format!("n{i}"));
            std::fs::create_dir_all(&node_dir)?;
            let child = tokio::process::Command::new("redis-server")
                .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
                .args(["--cluster-enabled", "yes", "--cluster-node-timeout", "2000"])
                .args(["--save", "", "--appendonly", "no"])
                .arg("--dir")
                .arg(&node_dir)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .kill_on_drop(true)
                .spawn()
                .context("starting redis-server (is it installed?)")?;
            nodes.push(child);
            addrs.push(format!("127.0.0.1:{port}"));
        }
        for a in &addrs {
            let url = format!("redis://{a}");
            let up = eventually(Duration::from_secs(10), || async {
                let Some(mut c) = node_conn(&url).await else {
                    return false;
                };
                redis::cmd("PING")
                    .query_async::<String>(&mut c)
                    .await
                    .is_ok()
            })
            .await;
            if !up {
                bail!("cluster node {a} did not come up");
            }
        }
        let created = tokio::process::Command::new("redis-cli")
            .args(["--cluster", "create"])
            .args(&addrs)
            .args(["--cluster-replicas", "0", "--cluster-yes"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .await
            .context("redis-cli --cluster create")?;
        if !created.success() {
            bail!("redis-cli --cluster create failed");
        }
        for a in &addrs {
            let url = format!("redis://{a}");
            let ok = eventually(Duration::from_secs(20), || async {
                let Some(mut c) = node_conn(&url).await else {
                    return false;
                };
                let info: String = redis::cmd("CLUSTER")
                    .arg("INFO")
                    .query_async(&mut c)
                    .await
                    .unwrap_or_default();
                info.contains("cluster_state:ok")
            })
            .await;
            if !ok {
                bail!("the cluster never became ready");
            }
        }
        Ok(Redis {
            child: None,
            nodes,
            dir,
            url: format!("redis-cluster://{}", addrs.join(",")),
        })
    }

    /// The nodes' addresses (`redis://host:port`) of a cluster.
    pub fn node_urls(&self) -> Vec<String> {
        match shared::redis_conn::Target::parse(&self.url) {
            Ok(shared::redis_conn::Target::Cluster(nodes)) => nodes,
            _ => Vec::new(),
        }
    }

    /// A connection to a single server or to the cluster, whichever this is.
    pub async fn any_conn(&self) -> Result<shared::redis_conn::Conn> {
        let target = shared::redis_conn::Target::parse(&self.url).map_err(anyhow::Error::msg)?;
        Ok(target.connect().await?)
    }

    pub async fn conn(&self) -> Result<redis::aio::MultiplexedConnection> {
        Ok(redis::Client::open(self.url.as_str())?
            .get_multiplexed_async_connection()
            .await?)
    }

    /// Kills the server (for fault tests).
    pub async fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill().await;
        }
    }

    /// Kills the server and starts an empty one on the same socket (no persistence).
    pub async fn restart_empty(&mut self) -> Result<()> {
        self.kill().await;
        let sock = self.dir.join("redis.sock");
        let _ = std::fs::remove_file(&sock);
        self.child = Some(spawn_redis(&self.dir, &sock)?);
        self.wait_up().await
    }

    async fn wait_up(&self) -> Result<()> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Ok(mut c) = self.conn().await
                && redis::cmd("PING")
                    .query_async::<String>(&mut c)
                    .await
                    .is_ok()
            {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!("redis-server did not come up");
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    pub async fn keys(&self, pattern: &str) -> Result<Vec<String>> {
        let mut c = self.any_conn().await?;
        Ok(redis::cmd("KEYS").arg(pattern).query_async(&mut c).await?)
    }

    /// Every session hash and subscriber set (`ws_conn:*`, `indicator_subscribers:*`): what a
    /// gateway leaves in Redis for its sessions.
    pub async fn session_keys(&self) -> Vec<String> {
        let mut keys = self.keys("ws_conn:*").await.expect("KEYS ws_conn:*");
        keys.extend(
            self.keys("indicator_subscribers:*")
                .await
                .expect("KEYS indicator_subscribers:*"),
        );
        keys
    }

    /// The `state` field of a session hash (`attached`, `detached`), `None` without a session.
    pub async fn session_state(&self, ws_conn_id: &str) -> Option<String> {
        let mut c = self.any_conn().await.expect("redis");
        redis::cmd("HGET")
            .arg(format!("ws_conn:{ws_conn_id}"))
            .arg("state")
            .query_async(&mut c)
            .await
            .expect("HGET state")
    }

    /// The computer id holding `symbol`'s lease (`lease:{S}` is `<computer id>:<token>`).
    pub async fn lease_owner(&self, symbol: &str) -> Option<String> {
        let mut c = self.any_conn().await.expect("redis");
        let v: Option<String> = redis::cmd("GET")
            .arg(format!("lease:{{{symbol}}}"))
            .query_async(&mut c)
            .await
            .expect("GET lease");
        v.and_then(|v| v.split(':').next().map(str::to_owned))
    }
}

async fn node_conn(url: &str) -> Option<redis::aio::MultiplexedConnection> {
    redis::Client::open(url)
        .ok()?
        .get_multiplexed_async_connection()
        .await
        .ok()
}

impl Drop for Redis {
    fn drop(&mut self) {
        if let Some(c) = self.child.as_mut() {
            let _ = c.start_kill();
        }
        for n in &mut self.nodes {
            let _ = n.start_kill();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A gateway running in this process on an ephemeral port.
#[derive(Debug)]
pub struct Gateway {
    pub addr: SocketAddr,
    pub shutdown: CancellationToken,
    pub handle: JoinHandle<Result<()>>,
}

impl Gateway {
    pub async fn start(redis: &Redis, extra: &[&str]) -> Result<Gateway> {
        use clap::Parser;
        // A short drain spread keeps shutdown tests quick; tests that study it pass their own.
        let mut args = vec!["gateway", "--redis-url", &redis.url];
        if !extra.contains(&"--jwt-jwks") && !extra.contains(&"--jwt-public-key") {
            args.extend_from_slice(&["--jwt-secret", SECRET]);
        }
        if !extra.contains(&"--drain-spread-ms") {
            args.extend_from_slice(&["--drain-spread-ms", "200"]);
        }
        args.extend_from_slice(extra);
        let cli = gateway::Cli::try_parse_from(args)?;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let shutdown = CancellationToken::new();
        let run = gateway::run(listener, cli.config, shutdown.clone());
        let handle = tokio::spawn(async move { Ok(run.await?) });
        // Ready once the pub/sub link is up.
        if !became_ready(addr).await {
            bail!("gateway never became ready");
        }
        Ok(Gateway {
            addr,
            shutdown,
            handle,
        })
    }

    /// The `/metrics` text.
    pub async fn metrics(&self) -> String {
        let (status, body) = http_get(self.addr, "/metrics").await.expect("GET /metrics");
        assert_eq!(status, 200, "/metrics");
        body
    }
}

/// The status of `GET /readyz`, `None` when the gateway does not answer.
pub async fn readyz(addr: SocketAddr) -> Option<u16> {
    http_get(addr, "/readyz")
        .await
        .ok()
        .map(|(status, _)| status)
}

/// Waits (up to 10 s) for `/readyz` to say 200.
async fn became_ready(addr: SocketAddr) -> bool {
    eventually(Duration::from_secs(10), || async {
        readyz(addr).await == Some(200)
    })
    .await
}

impl Drop for Gateway {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

/// A computer running in this process.
#[derive(Debug)]
pub struct Computer {
    pub shutdown: CancellationToken,
    pub handle: JoinHandle<Result<()>>,
}

/// Fast settings for tests: quick lease moves and watch refreshes.
pub const FAST_COMPUTER: &[&str] = &["--maintenance-ms", "200", "--lease-ttl-ms", "1000"];

/// A computer whose candles close only on the next period's tick, never by the idle timer (for
/// tests that write simulated, past timestamps at their own pace).
pub const NO_IDLE_CLOSE: &[&str] = &["--idle-close-ms", "600000"];

/// 2025-11-04T12:00:00Z, a minute boundary: where simulated tick series start.
pub const T0: i64 = 1_762_257_600_000;

impl Computer {
    pub async fn start(redis: &Redis, extra: &[&str]) -> Result<Computer> {
        use clap::Parser;
        let mut args = vec!["computer", "--redis-url", &redis.url];
        args.extend_from_slice(FAST_COMPUTER);
        args.extend_from_slice(extra);
        let cli = computer::config::Cli::try_parse_from(args)?;
        let shutdown = CancellationToken::new();
        let handle = tokio::spawn(futures::TryFutureExt::err_into(computer::run(
            cli.config,
            shutdown.clone(),
        )));
        Ok(Computer { shutdown, handle })
    }
}

impl Drop for Computer {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

/// What most tests start with: a private Redis, optionally a computer, and a gateway (dropped in
/// that order: gateway, computer, Redis). Panics when any of them does not start.
#[derive(Debug)]
pub struct Stack {
    pub gw: Gateway,
    pub computer: Option<Computer>,
    pub redis: Redis,
}

impl Stack {
    /// Redis and a gateway started with `gateway_args`, no computer.
    pub async fn start(gateway_args: &[&str]) -> Stack {
        let redis = Redis::start().await.expect("redis");
        let gw = Gateway::start(&redis, gateway_args).await.expect("gateway");
        Stack {
            gw,
            computer: None,
            redis,
        }
    }

    /// Redis, a computer started with `computer_args`, then a gateway with `gateway_args`.
    pub async fn with_computer(computer_args: &[&str], gateway_args: &[&str]) -> Stack {
        let redis = Redis::start().await.expect("redis");
        let computer = Computer::start(&redis, computer_args)
            .await
            .expect("computer");
        let gw = Gateway::start(&redis, gateway_args).await.expect("gateway");
        Stack {
            gw,
            computer: Some(computer),
            redis,
        }
    }

    /// A client of user `email` (session `s`) on the gateway.
    pub async fn client(&self, email: &str) -> Client {
        Client::connect(&self.gw, &token(email, "s"))
            .await
            .expect("connecting a client")
    }
}

/// Live ticks (see [`tick_forever`]) for `symbols` every `period`, until stopped or dropped.
#[derive(Debug)]
pub struct Ticks(CancellationToken);

impl Ticks {
    pub fn start(redis: &Redis, symbols: &[&str], period: Duration) -> Ticks {
        let stop = CancellationToken::new();
        tick_forever(
            redis.url.clone(),
            symbols.iter().map(ToString::to_string).collect(),
            period,
            stop.clone(),
        );
        Ticks(stop)
    }

    pub fn stop(&self) {
        self.0.cancel();
    }
}

impl Drop for Ticks {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

pub fn token(email: &str, session: &str) -> String {
    shared::auth::issue(
        SECRET.as_bytes(),
        email,
        session,
        shared::auth::now_secs(),
        3600,
    )
}

/// Minimal HTTP/1.1 GET: (status, body).
pub async fn http_get(addr: SocketAddr, path: &str) -> Result<(u16, String)> {
    http_request(
        addr,
        &format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
    )
    .await
}

/// The HTTP status and JSON body (null if none) of an upgrade request with `token`.
pub async fn upgrade_reply(gw: &Gateway, token: &str) -> (u16, Value) {
    let req = format!(
        "GET /indicators/v2/stream?token={token} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\
         Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
    );
    let (status, body) = http_request(gw.addr, &req).await.expect("upgrade request");
    (status, serde_json::from_str(&body).unwrap_or(Value::Null))
}

pub async fn http_request(addr: SocketAddr, raw: &str) -> Result<(u16, String)> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = TcpStream::connect(addr).await?;
    s.write_all(raw.as_bytes()).await?;
    // Reads the head, then Content-Length bytes (the server may keep the connection open).
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let text = String::from_utf8_lossy(&buf).to_string();
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let len = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse::<usize>())
                })
                .transpose()?;
            if len.is_none_or(|n| body.len() >= n) {
                let status = head
                    .split_whitespace()
                    .nth(1)
                    .context("no status")?
                    .parse()?;
                return Ok((status, body.to_owned()));
            }
        }
        let left = deadline
            .checked_duration_since(Instant::now())
            .context("HTTP response timed out")?;
        let n = tokio::time::timeout(left, s.read(&mut chunk)).await??;
        if n == 0 {
            bail!("connection closed before the response was complete");
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// A WebSocket client that remembers everything it received.
#[derive(Debug)]
pub struct Client {
    ws: Ws,
    pub ws_conn_id: String,
    pub resume_token: String,
    /// Every text frame received, in order, parsed.
    pub received: Vec<Value>,
    /// Close code received from the server, if any.
    pub close_code: Option<u16>,
    /// The connection ended (close frame or EOF).
    pub closed: bool,
    next_id: u64,
}

impl Client {
    pub async fn connect(gw: &Gateway, token: &str) -> Result<Client> {
        Self::connect_addr(gw.addr, token).await
    }

    pub async fn connect_addr(addr: SocketAddr, token: &str) -> Result<Client> {
        let url = format!("ws://{addr}/indicators/v2/stream?token={token}");
        let (ws, _) = tokio_tungstenite::connect_async(url).await?;
        let mut c = Client {
            ws,
            ws_conn_id: String::new(),
            resume_token: String::new(),
            received: Vec::new(),
            close_code: None,
            closed: false,
            next_id: 0,
        };
        let hello = c
            .next_where(|m| m["type"] == "connected", Duration::from_secs(5))
            .await
            .context("no connected")?;
        c.ws_conn_id = hello["ws_conn_id"]
            .as_str()
            .context("ws_conn_id")?
            .to_owned();
        c.resume_token = hello["resume_token"]
            .as_str()
            .context("resume_token")?
            .to_owned();
        Ok(c)
    }

    /// What a client sends as `last_seq` for a pair (SPEC 3): the highest seq up to which it
    /// holds every update of `ids` (updates of one seq arrive together, so only the last seq
    /// received can be partial).
    pub fn last_seq(&self, symbol: &str, tf: &str, ids: &[&str]) -> Option<u64> {
        let mut per_seq: std::collections::BTreeMap<u64, std::collections::BTreeSet<&str>> =
            Default::default();
        for u in self
            .updates()
            .filter(|u| u["symbol"] == symbol && u["timeframe"] == tf)
        {
            per_seq
                .entry(u["seq"].as_u64().unwrap())
                .or_default()
                .insert(u["indicator_id"].as_str().unwrap());
        }
        per_seq
            .iter()
            .rev()
            .find(|(_, got)| ids.iter().all(|i| got.contains(i)))
            .map(|(s, _)| *s)
    }

    /// Sends `resume` for `old` with `last_seq` (`{"S:tf": seq}`) and returns the reply.
    pub async fn resume(&mut self, old: &Client, last_seq: Value) -> Result<Value> {
        self.resume_session(&old.ws_conn_id, &old.resume_token, last_seq)
            .await
    }

    /// Sends `resume` for the session `ws_conn_id` with `resume_token` and `last_seq`; returns
    /// the reply.
    pub async fn resume_session(
        &mut self,
        ws_conn_id: &str,
        resume_token: &str,
        last_seq: Value,
    ) -> Result<Value> {
        self.request(json!({
            "action": "resume",
            "ws_conn_id": ws_conn_id,
            "resume_token": resume_token,
            "last_seq": last_seq,
        }))
        .await
    }

    /// Drops the connection without a close frame (a network failure, a killed browser).
    pub fn vanish(self) {
        drop(self);
    }

    pub async fn send(&mut self, v: &Value) -> Result<()> {
        self.ws.send(Message::text(v.to_string())).await?;
        Ok(())
    }

    pub async fn send_raw(&mut self, m: Message) -> Result<()> {
        self.ws.send(m).await?;
        Ok(())
    }

    /// Reads one frame (or times out); records it. `None` on timeout or close.
    pub async fn read_one(&mut self, timeout: Duration) -> Option<Value> {
        let deadline = Instant::now() + timeout;
        loop {
            match tokio::time::timeout_at(deadline, self.ws.next()).await {
                Err(_) => return None,
                Ok(None) | Ok(Some(Err(_))) => return None,
                Ok(Some(Ok(Message::Text(t)))) => {
                    let v: Value =
                        serde_json::from_str(t.as_str()).expect("server frames are JSON");
                    self.received.push(v.clone());
                    return Some(v);
                }
                Ok(Some(Ok(Message::Close(frame)))) => {
                    self.close_code = Some(frame.map_or(1005, |f| u16::from(f.code)));
                    return None;
                }
                Ok(Some(Ok(_))) => continue,
            }
        }
    }

    /// Reads until a frame matches (keeping all of them in `received`).
    pub async fn next_where(
        &mut self,
        pred: impl Fn(&Value) -> bool,
        timeout: Duration,
    ) -> Option<Value> {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.checked_duration_since(Instant::now())?;
            let v = self.read_one(left).await?;
            if pred(&v) {
                return Some(v);
            }
        }
    }

    /// Whether a frame matching `pred` was already received or arrives within `timeout`.
    pub async fn seen_or_next(&mut self, pred: impl Fn(&Value) -> bool, timeout: Duration) -> bool {
        self.received.iter().any(&pred) || self.next_where(pred, timeout).await.is_some()
    }

    /// Sends a request with a fresh id and returns the reply that echoes it.
    pub async fn request(&mut self, mut v: Value) -> Result<Value> {
        self.next_id += 1;
        let id = format!("r{}", self.next_id);
        v["id"] = json!(id);
        self.send(&v).await?;
        self.next_where(
            |m| m["id"] == json!(id) && m["type"] != "indicator_update",
            Duration::from_secs(10),
        )
        .await
        .with_context(|| format!("no reply to {v}"))
    }

    /// Asserts the connection still works: a ping gets its pong, with an RFC 3339 timestamp.
    pub async fn assert_alive(&mut self) {
        let pong = self.request(json!({"action": "ping"})).await.unwrap();
        assert_eq!(pong["type"], "pong", "{pong}");
        assert!(pong["timestamp"].as_str().unwrap().ends_with('Z'), "{pong}");
    }

    /// Sends `msg` as a request and asserts the reply (echoing its id) is an error `code` with a
    /// message, and that the connection still works after it.
    pub async fn expect_error(&mut self, msg: Value, code: &str) {
        let reply = self.request(msg.clone()).await.unwrap();
        assert_eq!(reply["type"], "error", "{msg} -> {reply}");
        assert_eq!(reply["code"], code, "{msg} -> {reply}");
        assert!(
            !reply["message"].as_str().unwrap().is_empty(),
            "{msg} -> {reply}"
        );
        self.assert_alive().await;
    }

    /// Subscribes and asserts success; returns the reply.
    pub async fn subscribe_ok(&mut self, symbol: &str, tf: &str, indicators: Value) -> Value {
        let reply = self
            .request(subscribe(symbol, tf, indicators))
            .await
            .unwrap();
        assert_eq!(reply["type"], "success", "{reply}");
        reply
    }

    /// Reads until an `indicator_update` arrives; panics when none does within `timeout`.
    pub async fn expect_update(&mut self, timeout: Duration) -> Value {
        self.next_where(|m| m["type"] == "indicator_update", timeout)
            .await
            .unwrap_or_else(|| panic!("no indicator_update within {timeout:?}"))
    }

    /// The seqs of the updates of indicator `id` received from frame index `from` on, in order.
    pub fn seqs_after(&self, from: usize, id: &str) -> Vec<u64> {
        self.received[from..]
            .iter()
            .filter(|u| u["type"] == "indicator_update" && u["indicator_id"] == id)
            .map(|u| u["seq"].as_u64().unwrap())
            .collect()
    }

    /// Keeps reading for `d`.
    pub async fn drain_for(&mut self, d: Duration) {
        let deadline = Instant::now() + d;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            if self.read_one(left).await.is_none() && (self.close_code.is_some() || left.is_zero())
            {
                break;
            }
        }
    }

    /// Reads until the connection closes (or `timeout`); returns the close code.
    pub async fn until_closed(&mut self, timeout: Duration) -> Option<u16> {
        let deadline = Instant::now() + timeout;
        while self.close_code.is_none() {
            let left = deadline.checked_duration_since(Instant::now())?;
            match tokio::time::timeout(left, self.ws.next()).await {
                Err(_) => return None,
                Ok(None) | Ok(Some(Err(_))) => {
                    self.closed = true;
                    break;
                }
                Ok(Some(Ok(Message::Close(frame)))) => {
                    self.closed = true;
                    self.close_code = Some(frame.map_or(1005, |f| u16::from(f.code)));
                }
                Ok(Some(Ok(Message::Text(t)))) => self
                    .received
                    .push(serde_json::from_str(t.as_str()).expect("JSON")),
                Ok(Some(Ok(_))) => {}
            }
        }
        self.close_code
    }

    pub fn updates(&self) -> impl Iterator<Item = &Value> {
        self.received
            .iter()
            .filter(|m| m["type"] == "indicator_update")
    }

    pub async fn close(mut self) {
        let _ = self.ws.close(None).await;
        let _ = tokio::time::timeout(Duration::from_secs(2), async {
            while self.ws.next().await.is_some() {}
        })
        .await;
    }
}

pub fn subscribe(symbol: &str, tf: &str, indicators: Value) -> Value {
    let mut request = json!({"action": "subscribe", "symbol": symbol, "timeframe": tf});
    request["indicators"] = indicators;
    request
}

/// Matches the final update of indicator `id` for the candle that starts at `candle_time`.
pub fn final_of<'a>(id: &'a str, candle_time: &'a str) -> impl Fn(&Value) -> bool + 'a {
    move |u| u["final"] == true && u["indicator_id"] == id && u["candle_time"] == candle_time
}

/// Adds one tick to `pipe` as a producer writes it (SPEC section 2): the symbol into `symbols`,
/// the tick onto its stream (trimmed near 100,000 entries).
pub fn push_tick(
    pipe: &mut redis::Pipeline,
    symbol: &str,
    ts: i64,
    price: f64,
    volume: Option<f64>,
) {
    pipe.sadd("symbols", symbol).ignore();
    let xadd = pipe
        .cmd("XADD")
        .arg(format!("ticks:{{{symbol}}}"))
        .arg("MAXLEN")
        .arg("~")
        .arg(100_000)
        .arg("*")
        .arg("ts")
        .arg(ts)
        .arg("price")
        .arg(price.to_string());
    if let Some(volume) = volume {
        xadd.arg("volume").arg(volume.to_string());
    }
    xadd.ignore();
}

/// Appends ticks exactly as a producer would (SPEC section 2).
pub async fn write_ticks(redis: &Redis, symbol: &str, ticks: &[(i64, f64, f64)]) -> Result<()> {
    let mut c = redis.any_conn().await?;
    let mut pipe = redis::pipe();
    for &(ts, price, volume) in ticks {
        push_tick(&mut pipe, symbol, ts, price, Some(volume));
    }
    let () = pipe.query_async(&mut c).await?;
    Ok(())
}

/// Writes `n` ticks per symbol, one simulated minute apart from `t0`, `pause` apart: each tick
/// closes the previous 1min candle, so a final per tick.
pub fn write_minutes(
    redis: &Redis,
    symbols: &[&str],
    t0: i64,
    n: i64,
    pause: Duration,
) -> JoinHandle<()> {
    let url = redis.url.clone();
    let symbols: Vec<String> = symbols.iter().map(ToString::to_string).collect();
    tokio::spawn(async move {
        let target = shared::redis_conn::Target::parse(&url).expect("redis url");
        let mut c = target.connect().await.expect("redis");
        for k in 0..n {
            let mut pipe = redis::pipe();
            for s in &symbols {
                push_tick(&mut pipe, s, t0 + k * 60_000, 100.0 + (k % 13) as f64, None);
            }
            let () = pipe.query_async(&mut c).await.expect("writing ticks");
            tokio::time::sleep(pause).await;
        }
    })
}

/// A free TCP port on 127.0.0.1.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Writes a live tick (ts = now) for each symbol every `period` until cancelled.
pub fn tick_forever(
    redis_url: String,
    symbols: Vec<String>,
    period: Duration,
    stop: CancellationToken,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let Ok(target) = shared::redis_conn::Target::parse(&redis_url) else {
            return;
        };
        let mut conn = None;
        let mut price = 100.0;
        while !stop.is_cancelled() {
            // Reconnects after Redis restarts, like a real producer.
            if conn.is_none() {
                conn = target.connect().await.ok();
            }
            let Some(c) = conn.as_mut() else {
                tokio::time::sleep(period).await;
                continue;
            };
            price += 0.25;
            let mut pipe = redis::pipe();
            for s in &symbols {
                push_tick(&mut pipe, s, shared::clock::now_ms(), price, Some(1.0));
            }
            if pipe.query_async::<()>(c).await.is_err() {
                conn = None;
            }
            tokio::time::sleep(period).await;
        }
    })
}

/// A gateway binary (a real process, for SIGKILL tests) on a free port, once ready.
pub async fn spawn_gateway(
    redis: &Redis,
    extra: &[&str],
) -> Result<(tokio::process::Child, SocketAddr)> {
    let addr = SocketAddr::from(([127, 0, 0, 1], free_port()));
    let child = tokio::process::Command::new(bin("gateway"))
        .args(["--listen", &addr.to_string(), "--redis-url", &redis.url])
        .args(extra)
        .env("JWT_SECRET", SECRET)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()?;
    if !became_ready(addr).await {
        bail!("gateway binary never became ready");
    }
    Ok((child, addr))
}

/// A computer binary (a real process, for SIGSTOP tests; `simulate` too) with `args`.
pub fn spawn_computer(redis: &Redis, args: &[&str]) -> Result<tokio::process::Child> {
    Ok(tokio::process::Command::new(bin("computer"))
        .args(args)
        .env("REDIS_URL", &redis.url)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()?)
}

/// Whether every seq is greater than the one before it (none repeated, none going back).
pub fn strictly_increasing(seqs: &[u64]) -> bool {
    seqs.windows(2).all(|w| w[0] < w[1])
}

/// Sends a signal (by name: KILL, TERM, STOP, CONT) to a child process.
pub fn signal(child: &tokio::process::Child, sig: &str) {
    let pid = child.id().expect("running").to_string();
    let ok = std::process::Command::new("kill")
        .args([&format!("-{sig}"), &pid])
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    assert!(ok, "kill -{sig} {pid}");
}

/// Polls `f` until it returns true or `timeout` passes.
pub async fn eventually<F, Fut>(timeout: Duration, mut f: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + timeout;
    loop {
        if f().await {
            return true;
        }
        if Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Path of a workspace binary (built by `cargo build --workspace --bins`, which `make test`
/// runs before the tests).
pub fn bin(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    // Tests run from target/<profile>/deps, our own binaries from target/<profile>.
    let mut dir = exe.parent().expect("target/<profile>");
    if dir.ends_with("deps") {
        dir = dir.parent().expect("target/<profile>");
    }
    let path = dir.join(name);
    assert!(
        path.exists(),
        "{} is missing: run `cargo build --workspace --bins` first",
        path.display()
    );
    path
}
