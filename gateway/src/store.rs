//! The gateway's Redis commands (not pub/sub): session records, subscription sets, the watch
//! index, initial-value snapshots and the cluster-wide health figures. Sessions call it; it
//! never sees a socket.

use deadpool_redis::{Pool, PoolError, Runtime};
use redis::AsyncCommands;
use shared::auth::Identity;
use shared::indicators::Candle;
use shared::keys;
use shared::timeframe::Timeframe;
use shared::update::{StoredState, decode};
use std::collections::{BTreeMap, HashSet};

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

#[derive(Clone)]
pub struct Store {
    pool: Pool,
    gateway_id: String,
    watch_ttl_ms: i64,
}

impl Store {
    pub fn new(redis_url: &str, gateway_id: String, watch_ttl_secs: u64) -> anyhow::Result<Self> {
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
        let pool = cfg.create_pool(Some(Runtime::Tokio1))?;
        Ok(Store {
            pool,
            gateway_id,
            watch_ttl_ms: watch_ttl_secs as i64 * 1000,
        })
    }

    pub async fn ping(&self) -> Result<()> {
        let mut c = self.pool.get().await?;
        let _: String = redis::cmd("PING").query_async(&mut c).await?;
        Ok(())
    }

    pub async fn open_session(
        &self,
        ws_conn_id: &str,
        who: &Identity,
        resume_token: &str,
    ) -> Result<()> {
        let mut c = self.pool.get().await?;
        let now = shared::clock::now_ms();
        let () = redis::pipe()
            .atomic()
            .hset_multiple(
                keys::ws_conn(ws_conn_id),
                &[
                    ("user_id", who.user_id.as_str()),
                    ("session_id", who.session_id.as_str()),
                    ("gateway_id", self.gateway_id.as_str()),
                    ("connected_at", &now.to_string()),
                    ("resume_token", resume_token),
                    ("subscriptions", "{}"),
                ],
            )
            .ignore()
            .sadd(keys::gateway_conns(&self.gateway_id), ws_conn_id)
            .ignore()
            .query_async(&mut c)
            .await?;
        Ok(())
    }

    /// Adds the connection to the subscriber sets, refreshes the watch index and records the
    /// connection's subscriptions, and bumps the symbol's watch version, in one transaction.
    pub async fn subscribe(
        &self,
        ws_conn_id: &str,
        symbol: &str,
        tf: Timeframe,
        ids: &[String],
        subscriptions_json: &str,
    ) -> Result<()> {
        let mut c = self.pool.get().await?;
        let expiry = shared::clock::now_ms() + self.watch_ttl_ms;
        let mut pipe = redis::pipe();
        pipe.atomic();
        for id in ids {
            pipe.zadd(
                keys::watch_index(symbol),
                keys::watch_member(tf, id),
                expiry,
            )
            .ignore();
            pipe.sadd(keys::subscribers(symbol, tf, id), ws_conn_id)
                .ignore();
        }
        pipe.hset(
            keys::ws_conn(ws_conn_id),
            "subscriptions",
            subscriptions_json,
        )
        .ignore();
        pipe.incr(keys::watch_version(symbol), 1).ignore();
        // Both live while watched (refreshed by the index refresher), so an unwatched symbol
        // leaves nothing behind.
        pipe.pexpire(keys::watch_index(symbol), self.watch_ttl_ms)
            .ignore();
        pipe.pexpire(keys::watch_version(symbol), self.watch_ttl_ms)
            .ignore();
        let () = pipe.query_async(&mut c).await?;
        Ok(())
    }

    pub async fn unsubscribe(
        &self,
        ws_conn_id: &str,
        removed: &[(String, Timeframe, String)],
        subscriptions_json: &str,
    ) -> Result<()> {
        let mut c = self.pool.get().await?;
        let mut pipe = redis::pipe();
        pipe.atomic();
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

    /// Removes every trace of a closed connection.
    pub async fn close_session(
        &self,
        ws_conn_id: &str,
        subs: &[(String, Timeframe, String)],
    ) -> Result<()> {
        let mut c = self.pool.get().await?;
        let mut pipe = redis::pipe();
        pipe.atomic();
        for (symbol, tf, id) in subs {
            pipe.srem(keys::subscribers(symbol, *tf, id), ws_conn_id)
                .ignore();
        }
        pipe.del(keys::ws_conn(ws_conn_id)).ignore();
        pipe.srem(keys::gateway_conns(&self.gateway_id), ws_conn_id)
            .ignore();
        let () = pipe.query_async(&mut c).await?;
        Ok(())
    }

    /// Says this gateway is alive (`gateways` score and a liveness key with a TTL).
    pub async fn heartbeat(&self, ttl_ms: u64) -> Result<()> {
        let mut c = self.pool.get().await?;
        let () = redis::pipe()
            .zadd(keys::GATEWAYS, &self.gateway_id, shared::clock::now_ms())
            .ignore()
            .set_options(
                keys::gateway_alive(&self.gateway_id),
                1,
                redis::SetOptions::default().with_expiration(redis::SetExpiry::PX(ttl_ms)),
            )
            .ignore()
            .query_async(&mut c)
            .await?;
        Ok(())
    }

    /// On a clean exit: this gateway's sessions are already gone.
    pub async fn leave(&self) -> Result<()> {
        let mut c = self.pool.get().await?;
        let () = redis::pipe()
            .zrem(keys::GATEWAYS, &self.gateway_id)
            .ignore()
            .del(keys::gateway_alive(&self.gateway_id))
            .ignore()
            .query_async(&mut c)
            .await?;
        Ok(())
    }

    /// Removes the sessions of gateways that died (no liveness key) and have not been heard of
    /// for `window_ms`: their subscriber-set entries and `ws_conn` hashes. One gateway does it
    /// per dead gateway (a lock), and only once (the dead one leaves `gateways` after).
    /// Returns the number of sessions removed.
    pub async fn reap_dead_gateways(&self, window_ms: i64) -> Result<usize> {
        let mut c = self.pool.get().await?;
        let cutoff = shared::clock::now_ms() - window_ms;
        let stale: Vec<String> = c.zrangebyscore(keys::GATEWAYS, "-inf", cutoff).await?;
        let mut removed = 0;
        for dead in stale.into_iter().filter(|g| *g != self.gateway_id) {
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
            let conns: Vec<String> = c.smembers(keys::gateway_conns(&dead)).await?;
            for conn in &conns {
                let subs: Option<String> = c.hget(keys::ws_conn(conn), "subscriptions").await?;
                let subs: BTreeMap<String, Vec<String>> = subs
                    .and_then(|s| serde_json::from_str(&s).ok())
                    .unwrap_or_default();
                let mut pipe = redis::pipe();
                pipe.atomic();
                for (pair, ids) in &subs {
                    let Some((symbol, tf)) = pair.rsplit_once(':') else {
                        continue;
                    };
                    let Ok(tf) = Timeframe::parse(tf) else {
                        continue;
                    };
                    for id in ids {
                        pipe.srem(keys::subscribers(symbol, tf, id), conn).ignore();
                    }
                }
                pipe.del(keys::ws_conn(conn)).ignore();
                pipe.srem(keys::gateway_conns(&dead), conn).ignore();
                let () = pipe.query_async(&mut c).await?;
                removed += 1;
            }
            let () = redis::pipe()
                .del(keys::gateway_conns(&dead))
                .ignore()
                .zrem(keys::GATEWAYS, &dead)
                .ignore()
                .query_async(&mut c)
                .await?;
            tracing::info!(gateway = %dead, sessions = conns.len(), "cleaned up after a dead gateway");
        }
        Ok(removed)
    }

    /// Keeps the watch-index entries of everything watched here from expiring.
    pub async fn refresh_watch_index(
        &self,
        watched: &[((String, Timeframe), String)],
    ) -> Result<()> {
        if watched.is_empty() {
            return Ok(());
        }
        let mut c = self.pool.get().await?;
        let expiry = shared::clock::now_ms() + self.watch_ttl_ms;
        let mut pipe = redis::pipe();
        let mut symbols = std::collections::BTreeSet::new();
        for ((symbol, tf), id) in watched {
            pipe.zadd(
                keys::watch_index(symbol),
                keys::watch_member(*tf, id),
                expiry,
            )
            .ignore();
            symbols.insert(symbol);
        }
        for symbol in symbols {
            pipe.pexpire(keys::watch_index(symbol), self.watch_ttl_ms)
                .ignore();
            pipe.pexpire(keys::watch_version(symbol), self.watch_ttl_ms)
                .ignore();
        }
        let () = pipe.query_async(&mut c).await?;
        Ok(())
    }

    /// One atomic read of the saved states, forming and last closed candle, and seq of a pair.
    pub async fn snapshot(&self, symbol: &str, tf: Timeframe, ids: &[String]) -> Result<Snapshot> {
        let mut c = self.pool.get().await?;
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

    pub async fn candles(&self, symbol: &str, tf: Timeframe) -> Result<Vec<Candle>> {
        let mut c = self.pool.get().await?;
        let raw: Vec<Vec<u8>> = c.lrange(keys::candles(symbol, tf), 0, -1).await?;
        Ok(raw.iter().filter_map(|b| decode(b).ok()).collect())
    }

    /// Cluster-wide figures for `/indicators/v2/health`, from the fixed key names.
    pub async fn cluster_figures(&self) -> Result<ClusterFigures> {
        let mut c = self.pool.get().await?;
        let conns = scan(&mut c, keys::WS_CONN_PATTERN).await?;
        let indicators = scan(&mut c, keys::SUBSCRIBERS_PATTERN).await?;
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
async fn scan(c: &mut deadpool_redis::Connection, pattern: &str) -> Result<Vec<String>> {
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
