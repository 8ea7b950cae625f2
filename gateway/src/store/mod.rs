//! The gateway's Redis commands (not pub/sub), one file per concern:
//! - [`sessions`]: the life of `ws_conn:<id>`: open, claim (resume), detach, end, expiry;
//! - [`liveness`]: this gateway's heartbeat, and the clean-up after gateways that died;
//! - [`watch`]: subscriber sets and the watch index the computers read;
//! - [`reads`]: initial-value snapshots, history and candles;
//! - [`figures`]: the cluster-wide figures of `/indicators/v2/health`.
//!
//! Every key name comes from [`shared::keys`]; the Lua scripts live in `lua/`. The store never
//! sees a socket: the node calls it.

mod figures;
mod liveness;
mod reads;
mod revocations;
mod sessions;
mod users;
mod watch;

use redis::Value;
use shared::redis_conn::{Conn, Pool, PoolError, Target};
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub(crate) enum StoreError {
    #[error(transparent)]
    Pool(#[from] PoolError),
    #[error("redis: {0}")]
    Redis(#[from] redis::RedisError),
}

pub(crate) type Result<T> = std::result::Result<T, StoreError>;

/// Connections of this gateway for request/response work: a pool of at most this many over
/// one server (the cluster connection is multiplexed over every node).
const POOL_SIZE: usize = 16;

#[derive(Clone, Debug)]
pub(crate) struct Store {
    pool: Pool,
    gateway_id: String,
    /// Lifetime of a watch-index entry.
    watch_ttl: Duration,
}

impl Store {
    pub(crate) fn new(target: &Target, gateway_id: String, watch_ttl: Duration) -> Result<Self> {
        Ok(Store {
            pool: Pool::new(target, POOL_SIZE)?,
            gateway_id,
            watch_ttl,
        })
    }

    async fn conn(&self) -> Result<Conn> {
        Ok(self.pool.get().await?)
    }

    pub(crate) async fn ping(&self) -> Result<()> {
        let mut c = self.conn().await?;
        let _: Value = redis::cmd("PING").query_async(&mut c).await?;
        Ok(())
    }

    fn watch_ttl_ms(&self) -> i64 {
        self.watch_ttl.as_millis() as i64
    }
}
