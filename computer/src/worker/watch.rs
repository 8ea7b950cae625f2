//! Watch sets: which indicators of an owned symbol gateways want computed, read from the
//! watch index and the subscriber sets; new ones are warmed (or continued from their saved
//! state), unwatched ones dropped.

use super::Worker;
use crate::candles::N_TF;
use crate::engine::{Watched, tf_index};
use crate::store;
use redis::{AsyncCommands, RedisResult};
use shared::catalogue::Spec;
use shared::timeframe::Timeframe;
use shared::{clock, history, keys};
use std::collections::{HashMap, HashSet};

impl Worker {
    /// Re-reads which indicators of `symbol` are watched; warms new ones, drops unwatched ones.
    pub(super) async fn refresh_watch(&mut self, symbol: &str) -> RedisResult<()> {
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
            let entry = keys::split_watch_member(&m)
                .and_then(|(tf, id)| Some((Timeframe::parse(tf).ok()?, Spec::from_id(id).ok()?)));
            match entry {
                Some((tf, spec))
                    if spec.id() == keys::split_watch_member(&m).map_or("", |x| x.1) =>
                {
                    parsed.push((tf, spec, m));
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
                        &history::closed_candles(&mut self.conn, symbol, tf).await?,
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
}
