//! The computer's loop. One task does everything in order (leases, watch sets, reading ticks,
//! committing), so a symbol's ticks are applied in stream order and nothing needs a lock.
//!
//! Ownership: each symbol is owned by one live computer through `lease:{S}` (value
//! `<id>:<epoch>`, TTL `lease_ttl_ms`). Every `maintenance_ms` a computer heartbeats in
//! `computers`, renews its leases, and moves towards its fair share
//! `ceil(symbols / live computers)`: releasing extras, acquiring free ones. Every write is made
//! by the commit script, which checks the lease token first, so a computer that lost its lease
//! cannot publish (fencing).
//!
//! Here: start-up, the loop, reading and applying ticks, commits, idle closes.
//! `ownership`: heartbeat, leases, fair share, adopting a symbol. `watch`: watch sets.

mod ownership;
mod watch;

use crate::candles::{Tick, parse_tick};
use crate::config::{Config, ConfigError};
use crate::engine::{Commit, SymbolEngine};
use crate::store::{self, CommitOutcome};
use redis::{AsyncCommands, RedisError, RedisResult};
use shared::redis_conn::{Conn, Target};
use shared::{clock, keys};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// Counters, logged periodically.
#[derive(Default, Debug)]
struct Stats {
    ticks: AtomicU64,
    malformed_ticks: AtomicU64,
    late_ticks: AtomicU64,
    batches_published: AtomicU64,
    leases_lost: AtomicU64,
}

/// Why [`run`] could not start. Once running, Redis errors are retried, never returned.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("--redis-url: {0}")]
    RedisUrl(#[from] shared::redis_conn::InvalidTarget),
    #[error("connecting to Redis")]
    Connect(#[source] RedisError),
}

struct Owned {
    token: String,
    engine: SymbolEngine,
    /// Next stream id to read after.
    stream_id: String,
    /// `watch_version:{S}` when the watch set was last read.
    watch_version: i64,
}

struct Worker {
    cfg: Config,
    me: String,
    conn: Conn,
    reader: Conn,
    owned: BTreeMap<String, Owned>,
    stats: Arc<Stats>,
    /// Symbols whose malformed ticks were already logged (bounded by the symbol count).
    logged_malformed: HashSet<String>,
    logged_bad_symbols: HashSet<String>,
    /// Symbols whose commit failed with a Redis error: their in-memory state ran ahead of
    /// Redis, so they are bootstrapped again from Redis (under the same lease) before going on.
    readopt: Vec<(String, String)>,
    /// Every valid symbol seen in `symbols`, to register again if Redis loses the set.
    known: BTreeSet<String>,
    /// Whether our entry in `computers` was written at least once.
    registered: bool,
}

/// Runs a computer until `shutdown` is cancelled, then hands its symbols over.
pub async fn run(cfg: Config, shutdown: CancellationToken) -> Result<(), RunError> {
    cfg.validate()?;
    let target = Target::parse(&cfg.redis_url).map_err(RunError::RedisUrl)?;
    let conn = target.connect().await.map_err(RunError::Connect)?;
    let reader = target.connect().await.map_err(RunError::Connect)?;
    let me = cfg.computer_id().map_or_else(
        || format!("c_{}", uuid::Uuid::new_v4().simple()),
        str::to_owned,
    );
    tracing::info!(computer_id = %me, "computer started");
    let mut w = Worker {
        cfg,
        me,
        conn,
        reader,
        owned: BTreeMap::new(),
        stats: Arc::default(),
        logged_malformed: HashSet::new(),
        logged_bad_symbols: HashSet::new(),
        readopt: Vec::new(),
        known: BTreeSet::new(),
        registered: false,
    };
    w.run(&shutdown).await;
    Ok(())
}

type XreadReply = Option<Vec<(String, Vec<(String, Vec<(String, Vec<u8>)>)>)>>;

impl Worker {
    async fn run(&mut self, shutdown: &CancellationToken) {
        let maintenance = self.cfg.maintenance;
        let mut next_maintenance = Instant::now();
        let mut next_report = Instant::now() + Duration::from_secs(30);
        let mut backoff = Duration::from_millis(100);
        while !shutdown.is_cancelled() {
            let now = Instant::now();
            let mut result = Ok(());
            if now >= next_maintenance {
                next_maintenance = now + maintenance;
                result = self.maintain().await;
            }
            if now >= next_report {
                next_report = now + Duration::from_secs(30);
                tracing::info!(owned = self.owned.len(), stats = ?self.stats, "computer stats");
            }
            if result.is_ok() {
                result = self.read_and_apply(shutdown).await;
            }
            if result.is_ok() {
                result = self.idle_closes().await;
            }
            match result {
                Ok(()) => backoff = Duration::from_millis(100),
                Err(e) => {
                    tracing::warn!(cause = %e, retry_in_ms = backoff.as_millis() as u64, "redis error");
                    tokio::select! {
                        _ = shutdown.cancelled() => break,
                        _ = tokio::time::sleep(backoff) => {}
                    }
                    backoff = (backoff * 2).min(Duration::from_secs(2));
                }
            }
        }
        // Hand our symbols over at once instead of after the lease TTL (bounded: with Redis
        // gone the leases simply expire).
        let handover = async {
            for (symbol, o) in std::mem::take(&mut self.owned) {
                let _ = store::release(&mut self.conn, &symbol, &o.token).await;
            }
            let _: Result<(), _> = self.conn.zrem(keys::COMPUTERS, &self.me).await;
        };
        let _ = tokio::time::timeout(Duration::from_secs(2), handover).await;
        tracing::info!("computer stopped");
    }

    async fn apply(&mut self, symbol: &str, token: &str, commit: Commit) -> RedisResult<()> {
        if commit.is_empty() && commit.publications.is_empty() {
            return Ok(());
        }
        let n = commit.publications.len() as u64;
        let caps = store::Caps {
            candles: self.cfg.history_candles,
            updates: self.cfg.update_history_len,
            updates_age: self.cfg.update_history,
        };
        let outcome = match store::commit(&mut self.conn, symbol, token, &commit, &caps).await {
            Ok(outcome) => outcome,
            Err(e) => {
                // Whether or not the script ran, Redis is the truth: start again from it.
                self.owned.remove(symbol);
                self.readopt.push((symbol.to_owned(), token.to_owned()));
                return Err(e);
            }
        };
        match outcome {
            CommitOutcome::Applied => {
                self.stats.batches_published.fetch_add(n, Ordering::Relaxed);
            }
            CommitOutcome::LeaseLost => {
                // Another computer owns it now; what we computed is discarded unpublished.
                self.stats.leases_lost.fetch_add(1, Ordering::Relaxed);
                self.owned.remove(symbol);
                tracing::warn!(%symbol, "lease lost; symbol dropped");
            }
        }
        Ok(())
    }

    async fn read_and_apply(&mut self, shutdown: &CancellationToken) -> RedisResult<()> {
        if self.owned.is_empty() {
            tokio::select! {
                _ = shutdown.cancelled() => {}
                _ = tokio::time::sleep(Duration::from_millis(100)) => {}
            }
            return Ok(());
        }
        let reply: XreadReply = if self.reader.is_cluster() {
            // The tick streams live in different slots: one read each, then a short pause
            // when all were empty (a blocking read would hold one node's connection).
            let mut pipe = redis::pipe();
            for (symbol, o) in &self.owned {
                pipe.cmd("XREAD")
                    .arg("COUNT")
                    .arg(1000)
                    .arg("STREAMS")
                    .arg(keys::ticks(symbol))
                    .arg(&o.stream_id);
            }
            let replies: Vec<XreadReply> = pipe.query_async(&mut self.reader).await?;
            let merged: Vec<_> = replies.into_iter().flatten().flatten().collect();
            if merged.is_empty() {
                tokio::select! {
                    _ = shutdown.cancelled() => {}
                    _ = tokio::time::sleep(Duration::from_millis(5)) => {}
                }
            }
            Some(merged)
        } else {
            let mut cmd = redis::cmd("XREAD");
            cmd.arg("COUNT")
                .arg(1000)
                .arg("BLOCK")
                .arg(100)
                .arg("STREAMS");
            for symbol in self.owned.keys() {
                cmd.arg(keys::ticks(symbol));
            }
            for o in self.owned.values() {
                cmd.arg(&o.stream_id);
            }
            cmd.query_async(&mut self.reader).await?
        };
        // Before applying what was read: a subscribe acknowledged before these ticks were
        // written has bumped its symbol's watch version, so its indicators are included.
        self.refresh_changed_watches().await?;
        let wall = clock::now_ms();
        for (key, entries) in reply.unwrap_or_default() {
            let Some(symbol) = keys::symbol_of_ticks(&key).map(str::to_owned) else {
                continue;
            };
            let Some(last_id) = entries.last().map(|e| e.0.clone()) else {
                continue;
            };
            let mut ticks: Vec<Tick> = Vec::with_capacity(entries.len());
            for (id, fields) in &entries {
                match parse_tick(fields) {
                    Ok(t) => ticks.push(t),
                    Err(reason) => {
                        self.stats.malformed_ticks.fetch_add(1, Ordering::Relaxed);
                        if self.logged_malformed.insert(symbol.clone()) {
                            tracing::warn!(%symbol, entry = %id, %reason, "skipping malformed tick (logged once per symbol)");
                        }
                    }
                }
            }
            self.stats
                .ticks
                .fetch_add(ticks.len() as u64, Ordering::Relaxed);
            let Some(o) = self.owned.get_mut(&symbol) else {
                continue;
            };
            let (commit, st) = o.engine.on_ticks(&ticks, last_id.clone(), wall);
            self.stats.late_ticks.fetch_add(st.late, Ordering::Relaxed);
            let token = o.token.clone();
            self.apply(&symbol, &token, commit).await?;
            if let Some(o) = self.owned.get_mut(&symbol) {
                o.stream_id = last_id;
            }
        }
        Ok(())
    }

    async fn refresh_changed_watches(&mut self) -> RedisResult<()> {
        let mut pipe = redis::pipe();
        for symbol in self.owned.keys() {
            pipe.get(keys::watch_version(symbol));
        }
        let versions: Vec<Option<i64>> = pipe.query_async(&mut self.conn).await?;
        let changed: Vec<(String, i64)> = self
            .owned
            .iter()
            .zip(versions)
            .map(|((s, o), v)| (s, o.watch_version, v.unwrap_or(0)))
            .filter(|(_, seen, now)| seen != now)
            .map(|(s, _, now)| (s.clone(), now))
            .collect();
        for (symbol, version) in changed {
            self.refresh_watch(&symbol).await?;
            if let Some(o) = self.owned.get_mut(&symbol) {
                o.watch_version = version;
            }
        }
        Ok(())
    }

    async fn idle_closes(&mut self) -> RedisResult<()> {
        let wall = clock::now_ms();
        let idle = store::millis(self.cfg.idle_close) as i64;
        let symbols: Vec<String> = self.owned.keys().cloned().collect();
        for symbol in symbols {
            let Some(o) = self.owned.get_mut(&symbol) else {
                continue;
            };
            let commit = o.engine.on_idle(wall, idle);
            if !commit.is_empty() {
                let token = o.token.clone();
                self.apply(&symbol, &token, commit).await?;
            }
        }
        Ok(())
    }
}
