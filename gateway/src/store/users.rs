//! Live connections per user across the cluster (`--max-conns-per-user`): each gateway counts
//! the connections it holds in the user's `user_conns:<user>` hash; a gateway's count stops
//! counting once its heartbeat in `gateways` is older than the liveness TTL (it died), and
//! goes once the gateway has left that set. Detached sessions are not connections: they are
//! not counted.

use super::{Result, Store};
use redis::Script;
use shared::keys;
use std::collections::HashMap;
use std::sync::LazyLock;

static USER_LEFT: LazyLock<Script> =
    LazyLock::new(|| Script::new(include_str!("lua/user_left.lua")));

/// The hash lives this long after a user's last connect or disconnect (s): what a user who
/// never comes back leaves behind goes then.
const USER_CONNS_TTL: u64 = 86_400;

impl Store {
    /// Counts a new connection of `user` here; returns the user's live connections in the
    /// cluster, this one included. Gateways whose last heartbeat is before `alive_since_ms`
    /// do not count; the ones gone from `gateways` are removed from the hash.
    pub(crate) async fn user_connected(&self, user: &str, alive_since_ms: i64) -> Result<u64> {
        let key = keys::user_conns(user);
        let mut c = self.conn().await?;
        let (counts,): (HashMap<String, i64>,) = redis::pipe()
            .hincr(&key, &self.gateway_id, 1)
            .ignore()
            .expire(&key, USER_CONNS_TTL as i64)
            .ignore()
            .hgetall(&key)
            .query_async(&mut c)
            .await?;
        let others: Vec<&String> = counts.keys().filter(|g| **g != self.gateway_id).collect();
        let mut total = counts.get(&self.gateway_id).copied().unwrap_or(0).max(0) as u64;
        if others.is_empty() {
            return Ok(total);
        }
        let beats: Vec<Option<f64>> = redis::cmd("ZMSCORE")
            .arg(keys::GATEWAYS)
            .arg(&others)
            .query_async(&mut c)
            .await?;
        let mut gone = Vec::new();
        for (gateway, beat) in others.iter().zip(beats) {
            match beat {
                None => gone.push(gateway.as_str()),
                Some(ms) if ms as i64 >= alive_since_ms => {
                    total += counts[gateway.as_str()].max(0) as u64;
                }
                Some(_) => {} // died; not counted, removed once it is reaped
            }
        }
        if !gone.is_empty() {
            let _: i64 = redis::cmd("HDEL")
                .arg(&key)
                .arg(&gone)
                .query_async(&mut c)
                .await?;
        }
        Ok(total)
    }

    /// One connection of `user` here ended (or was refused after [`Self::user_connected`]).
    pub(crate) async fn user_disconnected(&self, user: &str) -> Result<()> {
        let mut c = self.conn().await?;
        let _: i64 = USER_LEFT
            .key(keys::user_conns(user))
            .arg(&self.gateway_id)
            .arg(USER_CONNS_TTL)
            .invoke_async(&mut c)
            .await?;
        Ok(())
    }
}
