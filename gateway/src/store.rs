//! The gateway's Redis commands (not pub/sub): session records, subscription sets, the watch
//! index, initial-value snapshots and the cluster-wide health figures. Sessions call it; it
//! never sees a socket.

use deadpool_redis::{Pool, PoolError, Runtime};
use redis::aio::ConnectionLike;
use redis::cluster_async::ClusterConnection;
use redis::{AsyncCommands, Cmd, Pipeline, RedisFuture, Script, Value};
use shared::indicators::Candle;
use shared::keys;
use shared::redis_conn::Target;
use shared::timeframe::Timeframe;
use shared::update::{StoredState, UpdateBatch, decode};
use std::collections::{BTreeMap, HashSet};
use std::sync::LazyLock;

/// Each session script touches `ws_conn:<id>` alone, so it runs unchanged on Redis Cluster; the
/// other keys follow in separate commands that are safe to repeat.
///
/// Marks a session still held by this holder (gateway and epoch) as expiring, returning its
/// recorded subscriptions: a connection that was resumed elsewhere meanwhile leaves the session
/// alone. The caller removes it; if that fails, [`Store::expire_detached`] finishes the job.
static END: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r#"
local h = redis.call('HMGET', KEYS[1], 'gateway_id', 'epoch', 'subscriptions')
if h[1] ~= ARGV[1] or h[2] ~= ARGV[2] then return false end
redis.call('HSET', KEYS[1], 'state', 'expiring')
return h[3] or '{}'
"#,
    )
});

/// Keeps a session resumable until ARGV[3] (epoch ms) when its holder is ARGV[1] (and epoch
/// ARGV[2], '' for any): returns its subscriptions JSON, or false when someone else holds it.
static DETACH: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r#"
local h = redis.call('HMGET', KEYS[1], 'gateway_id', 'epoch', 'state', 'subscriptions')
if h[1] ~= ARGV[1] or (ARGV[2] ~= '' and h[2] ~= ARGV[2]) or h[3] ~= 'attached' then
  return false
end
redis.call('HSET', KEYS[1], 'state', 'detached', 'resume_deadline', ARGV[3])
return h[4] or '{}'
"#,
    )
});

/// Hands a session to a resuming connection when user and token match and the window has not
/// closed. ARGV: user, token hash, new token hash, gateway, now. Returns
/// {epoch, subscriptions, previous gateway} or false.
static CLAIM: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r#"
local h = redis.call('HMGET', KEYS[1], 'user_id', 'resume_token', 'state', 'resume_deadline',
  'gateway_id', 'subscriptions')
if h[1] ~= ARGV[1] or h[2] ~= ARGV[2] then return false end
if h[3] == 'expiring' or (h[3] == 'detached' and tonumber(h[4]) < tonumber(ARGV[5])) then
  return false
end
local epoch = redis.call('HINCRBY', KEYS[1], 'epoch', 1)
redis.call('HSET', KEYS[1], 'gateway_id', ARGV[4], 'resume_token', ARGV[3], 'state', 'attached',
  'resumed_at', ARGV[5])
redis.call('HDEL', KEYS[1], 'resume_deadline')
return {epoch, h[6] or '{}', h[5] or ''}
"#,
    )
});

/// Marks a detached session whose window closed as expiring. Returns {'expire', subscriptions},
/// {'gone'} (no such session), {'wait', deadline} (detached, window still open) or
/// {'attached'} (resumed, or written back by its gateway).
static EXPIRE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r#"
local h = redis.call('HMGET', KEYS[1], 'state', 'resume_deadline', 'subscriptions')
if not h[1] then return {'gone'} end
if h[1] == 'expiring' or (h[1] == 'detached' and tonumber(h[2]) <= tonumber(ARGV[1])) then
  redis.call('HSET', KEYS[1], 'state', 'expiring')
  return {'expire', h[3] or '{}'}
end
if h[1] == 'detached' then return {'wait', h[2]} end
return {'attached'}
"#,
    )
});

/// What `ws_conn:<id>` says about a session besides its subscriptions.
#[derive(Clone, Debug)]
pub struct SessionRecord {
    pub user_id: String,
    pub session_id: String,
    pub connected_at: i64,
    /// [`shared::auth::resume_token_hash`] of the current resume token.
    pub token_hash: String,
    /// Bumped at every resume: only the holder of the current epoch may end or detach it.
    pub epoch: u64,
}

/// A session this gateway holds: id, record, subscriptions.
pub type HeldSession = (
    String,
    SessionRecord,
    BTreeMap<(String, Timeframe), Vec<String>>,
);

/// A session taken over by a `resume`.
pub struct Claimed {
    pub epoch: u64,
    /// False when the follow-up writes (this gateway's list) failed: the caller must give the
    /// session back (detach it) rather than hold it unlisted.
    pub listed: bool,
    pub subscriptions: BTreeMap<(String, Timeframe), Vec<String>>,
}

/// `{"S:tf": ["id", ...]}` as stored in `ws_conn:<id>`; malformed entries are skipped.
pub fn parse_subscriptions(json: &str) -> BTreeMap<(String, Timeframe), Vec<String>> {
    let raw: BTreeMap<String, Vec<String>> = serde_json::from_str(json).unwrap_or_default();
    raw.into_iter()
        .filter_map(|(pair, ids)| {
            let (symbol, tf) = pair.rsplit_once(':')?;
            Some(((symbol.to_owned(), Timeframe::parse(tf).ok()?), ids))
        })
        .collect()
}

/// The inverse of [`parse_subscriptions`].
pub fn subscriptions_json<I: serde::Serialize>(subs: &BTreeMap<(String, Timeframe), I>) -> String {
    let map: BTreeMap<String, &I> = subs
        .iter()
        .map(|((s, tf), ids)| (format!("{s}:{tf}"), ids))
        .collect();
    serde_json::to_string(&map).expect("strings serialize")
}

fn srem_all(
    pipe: &mut redis::Pipeline,
    ws_conn_id: &str,
    subs: &BTreeMap<(String, Timeframe), Vec<String>>,
) {
    for ((symbol, tf), ids) in subs {
        for id in ids {
            pipe.srem(keys::subscribers(symbol, *tf, id), ws_conn_id)
                .ignore();
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("redis pool: {0}")]
    Pool(#[from] PoolError),
    #[error("redis: {0}")]
    Redis(#[from] redis::RedisError),
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// What one snapshot read for `initial_values` returns.
pub struct Snapshot {
    pub states: Vec<Option<StoredState>>,
    pub forming: Option<Candle>,
    pub last_closed: Option<Candle>,
    pub seq: u64,
}

/// A standalone Redis through a pool, or a Redis Cluster through one multiplexed connection.
#[derive(Clone)]
enum Backend {
    Pool(Pool),
    Cluster {
        client: Box<redis::cluster::ClusterClient>,
        conn: std::sync::Arc<tokio::sync::Mutex<Option<ClusterConnection>>>,
    },
}

/// One borrowed connection of either kind.
pub enum StoreConn {
    Pooled(deadpool_redis::Connection),
    Cluster(shared::redis_conn::Conn),
}

impl ConnectionLike for StoreConn {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            StoreConn::Pooled(c) => c.req_packed_command(cmd),
            StoreConn::Cluster(c) => c.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            StoreConn::Pooled(c) => c.req_packed_commands(pipeline, offset, count),
            StoreConn::Cluster(c) => c.req_packed_commands(pipeline, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            StoreConn::Pooled(c) => c.get_db(),
            StoreConn::Cluster(c) => c.get_db(),
        }
    }
}

#[derive(Clone)]
pub struct Store {
    backend: Backend,
    gateway_id: String,
    watch_ttl_ms: i64,
}

impl Store {
    pub fn new(redis_url: &str, gateway_id: String, watch_ttl_secs: u64) -> anyhow::Result<Self> {
        let backend = match Target::parse(redis_url).map_err(anyhow::Error::msg)? {
            Target::Cluster(nodes) => Backend::Cluster {
                client: Box::new(Target::cluster_client(
                    &nodes,
                    None::<shared::redis_conn::NoPush>,
                )?),
                conn: Default::default(),
            },
            Target::Single(url) => Backend::Pool(Self::pool(&url)?),
        };
        Ok(Store {
            backend,
            gateway_id,
            watch_ttl_ms: watch_ttl_secs as i64 * 1000,
        })
    }

    pub fn is_cluster(&self) -> bool {
        matches!(self.backend, Backend::Cluster { .. })
    }

    async fn conn(&self) -> Result<StoreConn> {
        match &self.backend {
            Backend::Pool(p) => Ok(StoreConn::Pooled(p.get().await?)),
            Backend::Cluster { client, conn } => {
                let mut held = conn.lock().await;
                if held.is_none() {
                    *held = Some(client.get_async_connection().await?);
                }
                let c = held.clone().expect("just set");
                Ok(StoreConn::Cluster(shared::redis_conn::Conn::Cluster(c)))
            }
        }
    }

    fn pool(redis_url: &str) -> anyhow::Result<Pool> {
        let mut cfg = deadpool_redis::Config::from_url(redis_url);
        cfg.pool = Some(deadpool_redis::PoolConfig {
            max_size: 16,
            timeouts: deadpool_redis::Timeouts {
                wait: Some(std::time::Duration::from_secs(2)),
                create: Some(std::time::Duration::from_secs(2)),
                recycle: Some(std::time::Duration::from_secs(2)),
            },
            ..Default::default()
        });
        Ok(cfg.create_pool(Some(Runtime::Tokio1))?)
    }

    pub async fn ping(&self) -> Result<()> {
        let mut c = self.conn().await?;
        let _: Value = redis::cmd("PING").query_async(&mut c).await?;
        Ok(())
    }

    pub async fn open_session(&self, ws_conn_id: &str, rec: &SessionRecord) -> Result<()> {
        let mut c = self.conn().await?;
        let mut pipe = redis::pipe();
        self.record(&mut pipe, ws_conn_id, rec, "{}");
        let () = pipe.query_async(&mut c).await?;
        Ok(())
    }

    /// The whole `ws_conn` record and this gateway's claim on it.
    fn record(&self, pipe: &mut redis::Pipeline, id: &str, rec: &SessionRecord, subs: &str) {
        pipe.hset_multiple(
            keys::ws_conn(id),
            &[
                ("user_id", rec.user_id.as_str()),
                ("session_id", rec.session_id.as_str()),
                ("gateway_id", self.gateway_id.as_str()),
                ("connected_at", &rec.connected_at.to_string()),
                ("resume_token", rec.token_hash.as_str()),
                ("epoch", &rec.epoch.to_string()),
                ("state", "attached"),
                ("subscriptions", subs),
            ],
        )
        .ignore()
        .sadd(keys::gateway_conns(&self.gateway_id), id)
        .ignore();
    }

    /// Writes back everything this gateway holds, after Redis lost it (restarted empty) or
    /// after this gateway was taken for dead: session records, subscriber sets, watch entries.
    /// Every command is idempotent.
    pub async fn reregister(&self, sessions: &[HeldSession]) -> Result<()> {
        let mut c = self.conn().await?;
        for chunk in sessions.chunks(200) {
            let mut pipe = redis::pipe();
            let expiry = shared::clock::now_ms() + self.watch_ttl_ms;
            for (id, rec, subs) in chunk {
                self.record(&mut pipe, id, rec, &subscriptions_json(subs));
                for ((symbol, tf), ids) in subs {
                    for i in ids {
                        pipe.sadd(keys::subscribers(symbol, *tf, i), id).ignore();
                    }
                    self.watch_entries(&mut pipe, symbol, ids.iter().map(|i| (*tf, i)), expiry);
                    pipe.incr(keys::watch_version(symbol), 1).ignore();
                }
            }
            let () = pipe.query_async(&mut c).await?;
        }
        Ok(())
    }

    /// Watch-index entries of `symbol` until `expiry`, and the index and watch version kept
    /// alive as long: both live while watched, so an unwatched symbol leaves nothing behind.
    fn watch_entries<'a>(
        &self,
        pipe: &mut redis::Pipeline,
        symbol: &str,
        members: impl Iterator<Item = (Timeframe, &'a String)>,
        expiry: i64,
    ) {
        for (tf, id) in members {
            pipe.zadd(
                keys::watch_index(symbol),
                keys::watch_member(tf, id),
                expiry,
            )
            .ignore();
        }
        pipe.pexpire(keys::watch_index(symbol), self.watch_ttl_ms)
            .ignore();
        pipe.pexpire(keys::watch_version(symbol), self.watch_ttl_ms)
            .ignore();
    }

    /// Takes over session `ws_conn_id` for a `resume` by `user_id` holding `token_hash` (the
    /// token stays valid: a resume cut short can be retried). `None`: no such session for this
    /// user and token, or its window closed.
    pub async fn claim(
        &self,
        ws_conn_id: &str,
        user_id: &str,
        token_hash: &str,
    ) -> Result<Option<Claimed>> {
        let mut c = self.conn().await?;
        let got: Option<(u64, String, String)> = CLAIM
            .key(keys::ws_conn(ws_conn_id))
            .arg(user_id)
            .arg(token_hash)
            .arg(token_hash)
            .arg(&self.gateway_id)
            .arg(shared::clock::now_ms())
            .invoke_async(&mut c)
            .await?;
        let Some((epoch, subs, previous)) = got else {
            return Ok(None);
        };
        let mut pipe = redis::pipe();
        pipe.zrem(keys::DETACHED, ws_conn_id)
            .ignore()
            .sadd(keys::gateway_conns(&self.gateway_id), ws_conn_id)
            .ignore();
        if !previous.is_empty() && previous != self.gateway_id {
            pipe.srem(keys::gateway_conns(&previous), ws_conn_id)
                .ignore();
        }
        let listed = match pipe.query_async::<()>(&mut c).await {
            Ok(()) => true,
            Err(e) => {
                tracing::warn!(cause = %e, "claimed a session but could not list it");
                false
            }
        };
        Ok(Some(Claimed {
            epoch,
            listed,
            subscriptions: parse_subscriptions(&subs),
        }))
    }

    /// The connection ended but its session may be resumed until `deadline_ms`: it keeps its
    /// subscriber-set entries, and its watch entries live at least that long, so its indicators
    /// (and their history) go on being computed. Does nothing if the session was resumed
    /// elsewhere meanwhile.
    pub async fn detach(&self, ws_conn_id: &str, epoch: u64, deadline_ms: i64) -> Result<()> {
        let mut c = self.conn().await?;
        let detached = self
            .detach_with(
                &mut c,
                ws_conn_id,
                &self.gateway_id,
                Some(epoch),
                deadline_ms,
            )
            .await?;
        self.unlist_unless_held_here(&mut c, ws_conn_id, detached)
            .await
    }

    /// Removes the session from this gateway's list, unless a newer connection here holds it.
    async fn unlist_unless_held_here(
        &self,
        c: &mut StoreConn,
        ws_conn_id: &str,
        released: bool,
    ) -> Result<()> {
        if !released {
            let holder: Option<String> = c.hget(keys::ws_conn(ws_conn_id), "gateway_id").await?;
            if holder.as_deref() == Some(self.gateway_id.as_str()) {
                return Ok(());
            }
        }
        let () = c
            .srem(keys::gateway_conns(&self.gateway_id), ws_conn_id)
            .await?;
        Ok(())
    }

    async fn detach_with(
        &self,
        c: &mut StoreConn,
        ws_conn_id: &str,
        holder: &str,
        epoch: Option<u64>,
        deadline_ms: i64,
    ) -> Result<bool> {
        // Queued first: whatever fails after, the sweeper finds it at its deadline.
        let () = c.zadd(keys::DETACHED, ws_conn_id, deadline_ms).await?;
        let subs: Option<String> = DETACH
            .key(keys::ws_conn(ws_conn_id))
            .arg(holder)
            .arg(epoch.map(|e| e.to_string()).unwrap_or_default())
            .arg(deadline_ms)
            .invoke_async(c)
            .await?;
        let Some(subs) = subs else {
            return Ok(false);
        };
        let subs = parse_subscriptions(&subs);
        let mut pipe = redis::pipe();
        let mut symbols = std::collections::BTreeSet::new();
        for ((symbol, tf), ids) in &subs {
            for id in ids {
                pipe.cmd("ZADD")
                    .arg(keys::watch_index(symbol))
                    .arg("GT")
                    .arg(deadline_ms)
                    .arg(keys::watch_member(*tf, id))
                    .ignore();
            }
            symbols.insert(symbol.as_str());
        }
        let ttl = (deadline_ms - shared::clock::now_ms()).max(1);
        for symbol in symbols {
            for key in [keys::watch_index(symbol), keys::watch_version(symbol)] {
                pipe.cmd("PEXPIRE").arg(key).arg(ttl).arg("GT").ignore();
            }
        }
        let () = pipe.query_async(c).await?;
        Ok(true)
    }

    /// Removes the sessions whose resume window closed (at most `limit` per call). Safe to run
    /// on every gateway at once: each removal is decided on the session's own record, and
    /// repeating one removes nothing more. Returns how many were removed.
    pub async fn expire_detached(&self, limit: isize) -> Result<usize> {
        let mut c = self.conn().await?;
        let now = shared::clock::now_ms();
        let due: Vec<String> = c
            .zrangebyscore_limit(keys::DETACHED, "-inf", now, 0, limit)
            .await?;
        let mut removed = 0;
        for id in due {
            let verdict: Vec<String> = EXPIRE
                .key(keys::ws_conn(&id))
                .arg(now)
                .invoke_async(&mut c)
                .await?;
            let mut pipe = redis::pipe();
            match verdict.first().map(String::as_str) {
                Some("expire") => {
                    let subs = parse_subscriptions(verdict.get(1).map_or("{}", |s| s));
                    srem_all(&mut pipe, &id, &subs);
                    pipe.del(keys::ws_conn(&id)).ignore();
                    removed += 1;
                }
                Some("wait") => {
                    // Queued early (or re-detached): wait for its own deadline.
                    let deadline: i64 = verdict.get(1).and_then(|d| d.parse().ok()).unwrap_or(now);
                    let () = c.zadd(keys::DETACHED, &id, deadline).await?;
                    continue;
                }
                Some("attached") => {
                    // Held by a connection again: not due. It may detach meanwhile (its DETACH
                    // queues it before marking it), so look once more after removing it.
                    let () = c.zrem(keys::DETACHED, &id).await?;
                    let (state, deadline): (Option<String>, Option<i64>) = redis::pipe()
                        .hget(keys::ws_conn(&id), "state")
                        .hget(keys::ws_conn(&id), "resume_deadline")
                        .query_async(&mut c)
                        .await?;
                    if state.as_deref() != Some("attached") {
                        let () = c.zadd(keys::DETACHED, &id, deadline.unwrap_or(now)).await?;
                    }
                    continue;
                }
                _ => {}
            }
            pipe.zrem(keys::DETACHED, &id).ignore();
            let () = pipe.query_async(&mut c).await?;
        }
        Ok(removed)
    }

    /// Adds the connection to the subscriber sets and records its subscriptions, then refreshes
    /// the watch index and bumps the symbol's watch version.
    pub async fn subscribe(
        &self,
        ws_conn_id: &str,
        symbol: &str,
        tf: Timeframe,
        ids: &[String],
        subscriptions_json: &str,
    ) -> Result<()> {
        let mut c = self.conn().await?;
        // First the subscriber sets and the session record (keys of several slots)...
        let mut pipe = redis::pipe();
        for id in ids {
            pipe.sadd(keys::subscribers(symbol, tf, id), ws_conn_id)
                .ignore();
        }
        pipe.hset(
            keys::ws_conn(ws_conn_id),
            "subscriptions",
            subscriptions_json,
        )
        .ignore();
        let () = pipe.query_async(&mut c).await?;
        // ...then, in one transaction in the symbol's slot, the watch entries and the version
        // bump the owning computer reads before applying ticks: a computer that sees the new
        // version sees the sets too.
        let expiry = shared::clock::now_ms() + self.watch_ttl_ms;
        let mut pipe = redis::pipe();
        pipe.atomic();
        self.watch_entries(&mut pipe, symbol, ids.iter().map(|i| (tf, i)), expiry);
        pipe.incr(keys::watch_version(symbol), 1).ignore();
        let () = pipe.query_async(&mut c).await?;
        Ok(())
    }

    pub async fn unsubscribe(
        &self,
        ws_conn_id: &str,
        removed: &[(String, Timeframe, String)],
        subscriptions_json: &str,
    ) -> Result<()> {
        let mut c = self.conn().await?;
        let mut pipe = redis::pipe();

        for (symbol, tf, id) in removed {
            pipe.srem(keys::subscribers(symbol, *tf, id), ws_conn_id)
                .ignore();
        }
        pipe.hset(
            keys::ws_conn(ws_conn_id),
            "subscriptions",
            subscriptions_json,
        )
        .ignore();
        let () = pipe.query_async(&mut c).await?;
        Ok(())
    }

    /// Removes every trace of a session its client ended, if this connection still holds it.
    pub async fn end_session(
        &self,
        ws_conn_id: &str,
        epoch: u64,
        subs: &[(String, Timeframe, String)],
    ) -> Result<()> {
        let mut c = self.conn().await?;
        // Queued first, due now: if what follows fails, the sweeper finishes it.
        let () = c
            .zadd(keys::DETACHED, ws_conn_id, shared::clock::now_ms())
            .await?;
        let recorded: Option<String> = END
            .key(keys::ws_conn(ws_conn_id))
            .arg(&self.gateway_id)
            .arg(epoch)
            .invoke_async(&mut c)
            .await?;
        let ended = recorded.is_some();
        if let Some(recorded) = recorded {
            // What the session holds and what its record says (they differ only after a
            // subscribe whose second step failed): every set entry goes.
            let mut all: std::collections::BTreeSet<(String, Timeframe, String)> =
                subs.iter().cloned().collect();
            for ((symbol, tf), ids) in parse_subscriptions(&recorded) {
                all.extend(ids.into_iter().map(|id| (symbol.clone(), tf, id)));
            }
            let mut pipe = redis::pipe();
            for (symbol, tf, id) in &all {
                pipe.srem(keys::subscribers(symbol, *tf, id), ws_conn_id)
                    .ignore();
            }
            pipe.del(keys::ws_conn(ws_conn_id)).ignore();
            pipe.zrem(keys::DETACHED, ws_conn_id).ignore();
            let () = pipe.query_async(&mut c).await?;
        }
        self.unlist_unless_held_here(&mut c, ws_conn_id, ended)
            .await
    }

    /// Says this gateway is alive (`gateways` score and a liveness key with a TTL). Returns
    /// whether the liveness key was still there: false on the first beat, and after Redis lost
    /// its data or this gateway stalled longer than the TTL (then it re-registers).
    pub async fn heartbeat(&self, ttl_ms: u64) -> Result<bool> {
        let mut c = self.conn().await?;
        let (previous,): (Option<String>,) = redis::pipe()
            .zadd(keys::GATEWAYS, &self.gateway_id, shared::clock::now_ms())
            .ignore()
            .cmd("SET")
            .arg(keys::gateway_alive(&self.gateway_id))
            .arg(1)
            .arg("PX")
            .arg(ttl_ms)
            .arg("GET")
            .query_async(&mut c)
            .await?;
        Ok(previous.is_some())
    }

    /// On a clean exit: this gateway's sessions are already gone.
    pub async fn leave(&self) -> Result<()> {
        let mut c = self.conn().await?;
        let () = redis::pipe()
            .zrem(keys::GATEWAYS, &self.gateway_id)
            .ignore()
            .del(keys::gateway_alive(&self.gateway_id))
            .ignore()
            .query_async(&mut c)
            .await?;
        Ok(())
    }

    /// Hands the sessions of gateways that died (liveness key gone, not heard of for
    /// `liveness_ms`) to the resume window: each becomes detached until the dead gateway's last
    /// heartbeat + `liveness_ms` + `window_ms`, then [`Store::expire_detached`] removes it. One
    /// gateway does it per dead gateway (a lock). Returns the number of sessions handed over.
    pub async fn reap_dead_gateways(&self, liveness_ms: i64, window_ms: i64) -> Result<usize> {
        let mut c = self.conn().await?;
        let cutoff = shared::clock::now_ms() - liveness_ms;
        let stale: Vec<(String, i64)> = c
            .zrangebyscore_withscores(keys::GATEWAYS, "-inf", cutoff)
            .await?;
        let mut handed = 0;
        for (dead, last_seen) in stale.into_iter().filter(|(g, _)| *g != self.gateway_id) {
            if c.exists(keys::gateway_alive(&dead)).await? {
                continue;
            }
            let locked: Option<String> = redis::cmd("SET")
                .arg(keys::reap_lock(&dead))
                .arg(&self.gateway_id)
                .arg("NX")
                .arg("PX")
                .arg(60_000)
                .query_async(&mut c)
                .await?;
            if locked.is_none() {
                continue;
            }
            let deadline = last_seen + liveness_ms + window_ms;
            let conns: Vec<String> = c.smembers(keys::gateway_conns(&dead)).await?;
            for conn in &conns {
                if self
                    .detach_with(&mut c, conn, &dead, None, deadline)
                    .await?
                {
                    handed += 1;
                }
            }
            let () = redis::pipe()
                .del(keys::gateway_conns(&dead))
                .ignore()
                .zrem(keys::GATEWAYS, &dead)
                .ignore()
                .query_async(&mut c)
                .await?;
            tracing::info!(gateway = %dead, sessions = conns.len(), "a gateway died; its sessions wait for resume");
        }
        Ok(handed)
    }

    /// Keeps the watch-index entries of everything watched here from expiring.
    pub async fn refresh_watch_index(
        &self,
        watched: &[((String, Timeframe), String)],
    ) -> Result<()> {
        if watched.is_empty() {
            return Ok(());
        }
        let mut c = self.conn().await?;
        let expiry = shared::clock::now_ms() + self.watch_ttl_ms;
        let mut pipe = redis::pipe();
        let mut by_symbol: BTreeMap<&str, Vec<(Timeframe, &String)>> = BTreeMap::new();
        for ((symbol, tf), id) in watched {
            by_symbol.entry(symbol).or_default().push((*tf, id));
        }
        for (symbol, members) in by_symbol {
            self.watch_entries(&mut pipe, symbol, members.into_iter(), expiry);
        }
        let () = pipe.query_async(&mut c).await?;
        Ok(())
    }

    /// One atomic read of the saved states, forming and last closed candle, and seq of a pair.
    pub async fn snapshot(&self, symbol: &str, tf: Timeframe, ids: &[String]) -> Result<Snapshot> {
        let mut c = self.conn().await?;
        let fields: Vec<String> = ids.iter().map(|id| keys::watch_member(tf, id)).collect();
        let mut pipe = redis::pipe();
        pipe.atomic()
            .cmd("HMGET")
            .arg(keys::indicator_state(symbol))
            .arg(&fields)
            .hget(keys::forming(symbol), tf.as_str())
            .lindex(keys::candles(symbol, tf), -1)
            .hget(keys::seq(symbol), tf.as_str());
        #[allow(clippy::type_complexity)]
        let (states, forming, last, seq): (
            Vec<Option<Vec<u8>>>,
            Option<Vec<u8>>,
            Option<Vec<u8>>,
            Option<u64>,
        ) = pipe.query_async(&mut c).await?;
        Ok(Snapshot {
            states: states
                .into_iter()
                .map(|s| s.and_then(|b| decode(&b).ok()))
                .collect(),
            forming: forming.and_then(|b| decode(&b).ok()),
            last_closed: last.and_then(|b| decode(&b).ok()),
            seq: seq.unwrap_or(0),
        })
    }

    /// The pair's publications after seq `after` (oldest first, at most `limit`) and its last
    /// published seq, read atomically. Undecodable entries are skipped (a gap the caller sees).
    pub async fn history_after(
        &self,
        symbol: &str,
        tf: Timeframe,
        after: u64,
        limit: usize,
    ) -> Result<(Vec<UpdateBatch>, Option<u64>)> {
        let mut c = self.conn().await?;
        type Entry = (String, std::collections::HashMap<String, Vec<u8>>);
        let (entries, seq): (Vec<Entry>, Option<u64>) = redis::pipe()
            .atomic()
            .cmd("XRANGE")
            .arg(keys::history(symbol, tf))
            .arg(format!("{}-0", after.saturating_add(1)))
            .arg("+")
            .arg("COUNT")
            .arg(limit)
            .hget(keys::seq(symbol), tf.as_str())
            .query_async(&mut c)
            .await?;
        let batches = entries
            .iter()
            .filter_map(|(_, fields)| decode(fields.get("d")?).ok())
            .collect();
        Ok((batches, seq))
    }

    pub async fn candles(&self, symbol: &str, tf: Timeframe) -> Result<Vec<Candle>> {
        let mut c = self.conn().await?;
        let raw: Vec<Vec<u8>> = c.lrange(keys::candles(symbol, tf), 0, -1).await?;
        Ok(raw.iter().filter_map(|b| decode(b).ok()).collect())
    }

    /// Cluster-wide figures for `/indicators/v2/health`, from the fixed key names.
    pub async fn cluster_figures(&self) -> Result<ClusterFigures> {
        let mut c = self.conn().await?;
        let (conns, indicators) = match &mut c {
            StoreConn::Pooled(p) => (
                scan(p, keys::WS_CONN_PATTERN).await?,
                scan(p, keys::SUBSCRIBERS_PATTERN).await?,
            ),
            // SCAN walks one node: visit every primary.
            StoreConn::Cluster(cc) => {
                let (mut conns, mut indicators) = (Vec::new(), Vec::new());
                for node in shared::redis_conn::primaries(cc).await? {
                    let mut n = redis::Client::open(node)?
                        .get_multiplexed_async_connection()
                        .await?;
                    conns.extend(scan(&mut n, keys::WS_CONN_PATTERN).await?);
                    indicators.extend(scan(&mut n, keys::SUBSCRIBERS_PATTERN).await?);
                }
                (conns, indicators)
            }
        };
        let mut users = HashSet::new();
        for chunk in conns.chunks(500) {
            let mut pipe = redis::pipe();
            for k in chunk {
                pipe.hget(k, "user_id");
            }
            let ids: Vec<Option<String>> = pipe.query_async(&mut c).await?;
            users.extend(ids.into_iter().flatten());
        }
        let mut by_symbol: BTreeMap<String, usize> = BTreeMap::new();
        for k in &indicators {
            if let Some(symbol) = k
                .strip_prefix("indicator_subscribers:")
                .and_then(|r| r.split(':').next())
            {
                *by_symbol.entry(symbol.to_owned()).or_default() += 1;
            }
        }
        Ok(ClusterFigures {
            active_sessions: conns.len(),
            unique_indicators: indicators.len(),
            unique_users: users.len(),
            indicators_by_symbol: by_symbol,
        })
    }
}

pub struct ClusterFigures {
    pub active_sessions: usize,
    pub unique_indicators: usize,
    pub unique_users: usize,
    pub indicators_by_symbol: BTreeMap<String, usize>,
}

/// SCAN with a cap, so a huge keyspace cannot make a health check unbounded.
async fn scan(c: &mut (impl ConnectionLike + Send), pattern: &str) -> Result<Vec<String>> {
    const CAP: usize = 1_000_000;
    let mut cursor: u64 = 0;
    let mut out = Vec::new();
    loop {
        let (next, batch): (u64, Vec<String>) = redis::cmd("SCAN")
            .arg(cursor)
            .arg("MATCH")
            .arg(pattern)
            .arg("COUNT")
            .arg(1000)
            .query_async(c)
            .await?;
        out.extend(batch);
        cursor = next;
        if cursor == 0 || out.len() >= CAP {
            return Ok(out);
        }
    }
}
