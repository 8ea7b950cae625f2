//! Subscriber sets (`indicator_subscribers:<symbol>:<tf>:<id>`, SPEC section 5) and the watch
//! index the owning computer reads to know what to compute.

use super::{Result, Store};
use crate::conn::Subscriptions;
use shared::clock;
use shared::keys;
use shared::pair::Pair;
use shared::timeframe::Timeframe;
use std::collections::BTreeMap;

impl Store {
    /// Watch-index entries of `symbol` until `expiry`, and the index and watch version kept
    /// alive as long: both live while watched, so an unwatched symbol leaves nothing behind.
    pub(super) fn watch_entries<'a>(
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
        pipe.pexpire(keys::watch_index(symbol), self.watch_ttl_ms())
            .ignore();
        pipe.pexpire(keys::watch_version(symbol), self.watch_ttl_ms())
            .ignore();
    }

    /// The connection's entries in the subscriber sets of `ids`.
    pub(super) fn add_subscriber(
        pipe: &mut redis::Pipeline,
        ws_conn_id: &str,
        pair: &Pair,
        ids: &[String],
    ) {
        for id in ids {
            pipe.sadd(
                keys::subscribers(pair.symbol(), pair.timeframe, id),
                ws_conn_id,
            )
            .ignore();
        }
    }

    /// Watch-index entries of `ids` until `expiry`, and the symbol's watch version bumped.
    pub(super) fn watch_pair(
        &self,
        pipe: &mut redis::Pipeline,
        pair: &Pair,
        ids: &[String],
        expiry: i64,
    ) {
        self.watch_entries(
            pipe,
            pair.symbol(),
            ids.iter().map(|i| (pair.timeframe, i)),
            expiry,
        );
        pipe.incr(keys::watch_version(pair.symbol()), 1).ignore();
    }

    /// Adds the connection to the subscriber sets of `ids` and records `subs` (all it watches
    /// now), then refreshes the watch index and bumps the symbol's watch version.
    pub(crate) async fn subscribe(
        &self,
        ws_conn_id: &str,
        pair: &Pair,
        ids: &[String],
        subs: &Subscriptions,
    ) -> Result<()> {
        let mut c = self.conn().await?;
        // First the subscriber sets and the session record (keys of several slots)...
        let mut pipe = redis::pipe();
        for id in ids {
            pipe.sadd(
                keys::subscribers(pair.symbol(), pair.timeframe, id),
                ws_conn_id,
            )
            .ignore();
        }
        pipe.hset(keys::ws_conn(ws_conn_id), "subscriptions", subs.to_json())
            .ignore();
        let () = pipe.query_async(&mut c).await?;
        // ...then, in one transaction in the symbol's slot, the watch entries and the version
        // bump the owning computer reads before applying ticks: a computer that sees the new
        // version sees the sets too.
        let expiry = clock::now_ms() + self.watch_ttl_ms();
        let mut pipe = redis::pipe();
        pipe.atomic();
        self.watch_pair(&mut pipe, pair, ids, expiry);
        let () = pipe.query_async(&mut c).await?;
        Ok(())
    }

    /// Removes the connection from the subscriber sets of `removed` and records `remaining`.
    pub(crate) async fn unsubscribe(
        &self,
        ws_conn_id: &str,
        removed: &Subscriptions,
        remaining: &Subscriptions,
    ) -> Result<()> {
        let mut c = self.conn().await?;
        let mut pipe = redis::pipe();
        for (pair, id) in removed.entries() {
            pipe.srem(
                keys::subscribers(pair.symbol(), pair.timeframe, id),
                ws_conn_id,
            )
            .ignore();
        }
        pipe.hset(
            keys::ws_conn(ws_conn_id),
            "subscriptions",
            remaining.to_json(),
        )
        .ignore();
        let () = pipe.query_async(&mut c).await?;
        Ok(())
    }

    /// Keeps the watch-index entries of everything watched here from expiring.
    pub(crate) async fn refresh_watch_index(&self, watched: &[(Pair, String)]) -> Result<()> {
        if watched.is_empty() {
            return Ok(());
        }
        let mut c = self.conn().await?;
        let expiry = clock::now_ms() + self.watch_ttl_ms();
        let mut pipe = redis::pipe();
        let mut by_symbol: BTreeMap<&str, Vec<(Timeframe, &String)>> = BTreeMap::new();
        for (pair, id) in watched {
            by_symbol
                .entry(pair.symbol())
                .or_default()
                .push((pair.timeframe, id));
        }
        for (symbol, members) in by_symbol {
            self.watch_entries(&mut pipe, symbol, members.into_iter(), expiry);
        }
        let () = pipe.query_async(&mut c).await?;
        Ok(())
    }
}
