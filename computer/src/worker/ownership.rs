//! Ownership: the heartbeat in `computers`, lease renewal, the fair share
//! `ceil(symbols / live computers)` (releasing extras, acquiring free symbols), and adopting a
//! newly owned symbol from what Redis holds.

use super::{Owned, Worker};
use crate::engine::SymbolEngine;
use crate::store;
use redis::{AsyncCommands, RedisResult};
use shared::symbol::Symbol;
use shared::{clock, keys};
use std::hash::{Hash, Hasher};

impl Worker {
    /// Heartbeat, leases and fair share, then the watch sets of what we own.
    pub(super) async fn maintain(&mut self) -> RedisResult<()> {
        let now = clock::now_ms();
        let ttl = self.cfg.lease_ttl;
        let (added, _, live, mut symbols): (i64, (), usize, Vec<String>) = redis::pipe()
            .zadd(keys::COMPUTERS, &self.me, now)
            // A computer silent for a lease TTL holds no lease any more: stop counting it, so
            // the survivors' fair share grows and they take its symbols.
            .zrembyscore(keys::COMPUTERS, "-inf", now - store::millis(ttl) as i64)
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
    async fn adopt(&mut self, symbol: String, token: String) -> RedisResult<()> {
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
}
