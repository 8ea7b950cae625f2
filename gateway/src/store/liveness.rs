//! This gateway's heartbeat, and the hand-over of a dead gateway's sessions to the resume
//! window.

use super::{Result, Store};
use redis::AsyncCommands;
use shared::clock;
use shared::keys;
use std::time::Duration;

impl Store {
    /// Says this gateway is alive (`gateways` score and a liveness key with a TTL). Returns
    /// whether the liveness key was still there: false on the first beat, and after Redis lost
    /// its data or this gateway stalled longer than the TTL (then it re-registers).
    pub(crate) async fn heartbeat(&self, ttl: Duration) -> Result<bool> {
        let mut c = self.conn().await?;
        let (previous,): (Option<String>,) = redis::pipe()
            .zadd(keys::GATEWAYS, &self.gateway_id, clock::now_ms())
            .ignore()
            .cmd("SET")
            .arg(keys::gateway_alive(&self.gateway_id))
            .arg(1)
            .arg("PX")
            .arg(ttl.as_millis() as u64)
            .arg("GET")
            .query_async(&mut c)
            .await?;
        Ok(previous.is_some())
    }

    /// On a clean exit: this gateway's sessions are already gone.
    pub(crate) async fn leave(&self) -> Result<()> {
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
    /// `liveness`) to the resume window: each becomes detached until the dead gateway's last
    /// heartbeat + `liveness` + `window`, then [`Store::expire_detached`] removes it. One
    /// gateway does it per dead gateway (a lock). Returns the number of sessions handed over.
    pub(crate) async fn reap_dead_gateways(
        &self,
        liveness: Duration,
        window: Duration,
    ) -> Result<usize> {
        let (liveness_ms, window_ms) = (liveness.as_millis() as i64, window.as_millis() as i64);
        let mut c = self.conn().await?;
        let cutoff = clock::now_ms() - liveness_ms;
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
}
