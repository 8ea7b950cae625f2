//! The computer's loop. One task does everything in order (leases, watch sets, reading ticks,
//! committing), so a symbol's ticks are applied in stream order and nothing needs a lock.
//!
//! Ownership: each symbol is owned by one live computer through `lease:{S}` (value
//! `<id>:<epoch>`, TTL `lease_ttl_ms`). Every `maintenance_ms` a computer heartbeats in
//! `computers`, renews its leases, and moves towards its fair share
//! `ceil(symbols / live computers)`: releasing extras, acquiring free ones. Every write is made
//! by the commit script, which checks the lease token first, so a computer that lost its lease
//! cannot publish (fencing).

use crate::candles::{N_TF, Tick, parse_tick};
use crate::config::Config;
use crate::engine::{Commit, SymbolEngine, Watched, tf_index};
use crate::store::{self, CommitOutcome};
use anyhow::Context;
use redis::AsyncCommands;
use shared::catalogue::Spec;
use shared::redis_conn::{Conn, Target};
use shared::symbol::Symbol;
use shared::timeframe::Timeframe;
use shared::{clock, keys};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// Counters, logged periodically.
#[derive(Default, Debug)]
pub struct Stats {
    pub ticks: AtomicU64,
    pub malformed_ticks: AtomicU64,
    pub late_ticks: AtomicU64,
    pub batches_published: AtomicU64,
    pub leases_lost: AtomicU64,
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

pub async fn run(cfg: Config, shutdown: CancellationToken) -> anyhow::Result<()> {
    cfg.validate().map_err(anyhow::Error::msg)?;
    let target = Target::parse(&cfg.redis_url).map_err(|e| anyhow::anyhow!("--redis-url: {e}"))?;
    let conn = target.connect().await.context("connecting to Redis")?;
    let reader = target.connect().await.context("connecting to Redis")?;
    let me = if cfg.computer_id.is_empty() {
        format!("c_{}", uuid::Uuid::new_v4().simple())
    } else {
        cfg.computer_id.clone()
    };
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
    w.run(shutdown).await;
    Ok(())
}

type XreadReply = Option<Vec<(String, Vec<(String, Vec<(String, Vec<u8>)>)>)>>;

impl Worker {
    async fn run(&mut self, shutdown: CancellationToken) {
        let maintenance = Duration::from_millis(self.cfg.maintenance_ms);
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
                result = self.read_and_apply(&shutdown).await;
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

    async fn maintain(&mut self) -> anyhow::Result<()> {
        let now = clock::now_ms();
        let ttl = self.cfg.lease_ttl_ms;
        let (added, _, live, mut symbols): (i64, (), usize, Vec<String>) = redis::pipe()
            .zadd(keys::COMPUTERS, &self.me, now)
            // A computer silent for a lease TTL holds no lease any more: stop counting it, so
            // the survivors' fair share grows and they take its symbols.
            .zrembyscore(keys::COMPUTERS, "-inf", now - ttl as i64)
            .zcard(keys::COMPUTERS)
            .smembers(keys::SYMBOLS)
            .query_async(&mut self.conn)
            .await?;
        if added == 1 && self.registered && !self.known.is_empty() {
            // Our heartbeat was gone: Redis lost its data (or we were silent for a lease TTL).
            // Producers register a symbol once, so register again the ones we know.
            let missing: Vec<&String> =
                self.known.iter().filter(|s| !symbols.contains(s)).collect();
            if !missing.is_empty() {
                tracing::warn!(
                    symbols = missing.len(),
                    "registering known symbols again (Redis lost `symbols`)"
                );
                let () = self.conn.sadd(keys::SYMBOLS, &missing).await?;
                symbols.extend(missing.into_iter().cloned());
            }
        }
        self.registered = true;
        for (symbol, token) in std::mem::take(&mut self.readopt) {
            if store::renew(&mut self.conn, &symbol, &token, ttl).await? {
                self.adopt(symbol, token).await?;
            }
        }
        let mut valid: Vec<String> = Vec::with_capacity(symbols.len());
        for s in symbols {
            if Symbol::parse(&s).is_ok() {
                if self.known.len() < 100_000 && !self.known.contains(&s) {
                    self.known.insert(s.clone());
                }
                valid.push(s);
            } else if self.logged_bad_symbols.len() < 1000
                && self.logged_bad_symbols.insert(s.clone())
            {
                tracing::warn!(symbol = %s.escape_debug(), "ignoring invalid symbol in `symbols`");
            }
        }
        // Renew what we hold; drop what we lost or what is no longer a symbol.
        let held: Vec<(String, String)> = self
            .owned
            .iter()
            .map(|(s, o)| (s.clone(), o.token.clone()))
            .collect();
        for (symbol, token) in held {
            let keep = valid.contains(&symbol)
                && store::renew(&mut self.conn, &symbol, &token, ttl).await?;
            if !keep {
                self.owned.remove(&symbol);
                store::release(&mut self.conn, &symbol, &token).await?;
                tracing::info!(%symbol, "symbol released");
            }
        }
        let target = valid.len().div_ceil(live.max(1));
        while self.owned.len() > target {
            let Some((symbol, o)) = self.owned.pop_last() else {
                break;
            };
            store::release(&mut self.conn, &symbol, &o.token).await?;
            tracing::info!(%symbol, target, "symbol handed over (fair share)");
        }
        if self.owned.len() < target {
            // Each computer tries free symbols in its own order, so they rarely race for one.
            valid.sort_by_key(|s| {
                let mut h = std::collections::hash_map::DefaultHasher::new();
                (s, &self.me).hash(&mut h);
                h.finish()
            });
            for symbol in valid {
                if self.owned.len() >= target {
                    break;
                }
                if self.owned.contains_key(&symbol) {
                    continue;
                }
                if let Some(token) = store::acquire(&mut self.conn, &symbol, &self.me, ttl).await? {
                    self.adopt(symbol, token).await?;
                }
            }
        }
        let symbols: Vec<String> = self.owned.keys().cloned().collect();
        for symbol in symbols {
            self.refresh_watch(&symbol).await?;
        }
        Ok(())
    }

    /// Continues a symbol where its previous owner (or our previous life) stopped.
    async fn adopt(&mut self, symbol: String, token: String) -> anyhow::Result<()> {
        let b = store::bootstrap(&mut self.conn, &symbol).await?;
        let mut engine = SymbolEngine::new(symbol.clone());
        engine.candles.forming = b.forming;
        engine.candles.last_closed = b.last_closed;
        engine.seq = b.seq;
        let stream_id = b.cursor.unwrap_or_else(|| "0".to_owned());
        tracing::info!(%symbol, %token, from = %stream_id, "symbol acquired");
        self.owned.insert(
            symbol,
            Owned {
                token,
                engine,
                stream_id,
                watch_version: -1,
            },
        );
        Ok(())
    }

    /// Re-reads which indicators of `symbol` are watched; warms new ones, drops unwatched ones.
    async fn refresh_watch(&mut self, symbol: &str) -> anyhow::Result<()> {
        let now = clock::now_ms();
        let index = keys::watch_index(symbol);
        let (_, members): ((), Vec<String>) = redis::pipe()
            .zrembyscore(&index, "-inf", now)
            .ignore()
            .zrange(&index, 0, -1)
            .query_async(&mut self.conn)
            .await
            .map(|(m,): (Vec<String>,)| ((), m))?;
        let mut parsed: Vec<(Timeframe, Spec, String)> = Vec::with_capacity(members.len());
        let mut bad = Vec::new();
        for m in members {
            let entry = m
                .split_once(':')
                .and_then(|(tf, id)| Some((Timeframe::parse(tf).ok()?, Spec::from_id(id).ok()?)));
            match entry {
                Some((tf, spec)) if spec.id() == m.split_once(':').map_or("", |x| x.1) => {
                    parsed.push((tf, spec, m))
                }
                _ => bad.push(m),
            }
        }
        if !bad.is_empty() {
            tracing::warn!(%symbol, entries = ?bad, "removing malformed watch-index entries");
            let _: () = self.conn.zrem(&index, &bad).await?;
        }
        let mut pipe = redis::pipe();
        for (tf, spec, _) in &parsed {
            pipe.exists(keys::subscribers(symbol, *tf, &spec.id()));
        }
        let exists: Vec<bool> = if parsed.is_empty() {
            Vec::new()
        } else {
            pipe.query_async(&mut self.conn).await?
        };
        let mut desired: [Vec<(Spec, String)>; N_TF] = Default::default();
        for ((tf, spec, member), watched) in parsed.into_iter().zip(exists) {
            if watched {
                desired[tf_index(tf)].push((spec, member));
            }
        }
        let Some(owned) = self.owned.get(symbol) else {
            return Ok(());
        };
        let token = owned.token.clone();
        for (i, want) in desired.into_iter().enumerate() {
            let tf = Timeframe::ALL[i];
            let have: HashMap<String, usize> = {
                let o = &self.owned[symbol];
                o.engine.watched[i]
                    .iter()
                    .enumerate()
                    .map(|(k, w)| (w.id.clone(), k))
                    .collect()
            };
            let want_ids: HashSet<String> = want.iter().map(|(s, _)| s.id()).collect();
            let dropped: Vec<String> = have
                .keys()
                .filter(|id| !want_ids.contains(*id))
                .cloned()
                .collect();
            if !dropped.is_empty() {
                let o = self.owned.get_mut(symbol).expect("checked above");
                o.engine.watched[i].retain(|w| !dropped.contains(&w.id));
                let fields: Vec<String> = dropped
                    .iter()
                    .map(|id| keys::watch_member(tf, id))
                    .collect();
                let _: () = self
                    .conn
                    .hdel(keys::indicator_state(symbol), fields)
                    .await?;
                tracing::debug!(%symbol, %tf, ?dropped, "indicators no longer watched");
            }
            let mut added = false;
            for (spec, member) in want {
                if have.contains_key(&spec.id()) {
                    continue;
                }
                let last_closed = self.owned[symbol].engine.candles.last_closed[i];
                let watched = match store::load_state(&mut self.conn, symbol, &member).await? {
                    // The state saved at the last close continues bit-identically.
                    Some(s) if Some(s.candle_time) == last_closed => Watched {
                        id: spec.id(),
                        n_outputs: spec.columns().len(),
                        last: shared::update::to_outputs(&s.outputs),
                        state: s.state,
                    },
                    _ => Watched::warm(
                        &spec,
                        &store::load_candles(&mut self.conn, symbol, tf).await?,
                    ),
                };
                tracing::debug!(%symbol, %tf, id = %watched.id, "indicator now watched");
                self.owned
                    .get_mut(symbol)
                    .expect("checked above")
                    .engine
                    .watched[i]
                    .push(watched);
                added = true;
            }
            if added {
                // New watchers get a value now rather than at the next tick.
                let commit = self
                    .owned
                    .get_mut(symbol)
                    .expect("checked above")
                    .engine
                    .live_now(tf);
                self.apply(symbol, &token, commit).await?;
            }
        }
        Ok(())
    }

    async fn apply(&mut self, symbol: &str, token: &str, commit: Commit) -> anyhow::Result<()> {
        if commit.is_empty() && commit.publications.is_empty() {
            return Ok(());
        }
        let n = commit.publications.len() as u64;
        let caps = store::Caps {
            candles: self.cfg.history_candles,
            updates: self.cfg.update_history_len,
            updates_ms: self.cfg.update_history_secs * 1000,
        };
        let outcome = match store::commit(&mut self.conn, symbol, token, &commit, &caps).await {
            Ok(outcome) => outcome,
            Err(e) => {
                // Whether or not the script ran, Redis is the truth: start again from it.
                self.owned.remove(symbol);
                self.readopt.push((symbol.to_owned(), token.to_owned()));
                return Err(e.into());
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

    async fn read_and_apply(&mut self, shutdown: &CancellationToken) -> anyhow::Result<()> {
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
            let Some(symbol) = key
                .strip_prefix("ticks:{")
                .and_then(|k| k.strip_suffix('}'))
                .map(str::to_owned)
            else {
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

    async fn refresh_changed_watches(&mut self) -> anyhow::Result<()> {
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

    async fn idle_closes(&mut self) -> anyhow::Result<()> {
        let wall = clock::now_ms();
        let idle = self.cfg.idle_close_ms as i64;
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
