//! One connection type over a standalone Redis or a Redis Cluster, chosen by the URL:
//!
//! - `redis://host:port[/db]`, `rediss://...`, `unix:///path/redis.sock`: one server;
//! - `redis-cluster://host1:port1,host2:port2,...`: a Redis Cluster, from any of its nodes
//!   (the rest are discovered).
//!
//! [`Conn`] is a [`ConnectionLike`], so commands, pipelines and scripts run unchanged on both.
//! [`Pool`] hands out [`Conn`]s for request/response work (the gateway's): pooled connections to
//! one server, or the one multiplexed cluster connection.
//! On a cluster, a pipeline that is not a transaction runs command by command (in order), since
//! its commands may live in different slots; a transaction (`MULTI`) must stay within one slot,
//! which our hash-tagged keys ensure.

use futures::FutureExt;
use redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig};
use redis::cluster::ClusterClient;
use redis::cluster_async::ClusterConnection;
use redis::{Cmd, Pipeline, RedisFuture, RedisResult, Value};
use std::sync::Arc;
use std::time::Duration;

pub const CLUSTER_SCHEME: &str = "redis-cluster://";

/// A Redis URL we cannot use, with what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidTarget(String);

/// Where Redis is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Single(String),
    /// Seed nodes as `redis://host:port`.
    Cluster(Vec<String>),
}

impl Target {
    pub fn parse(url: &str) -> Result<Target, InvalidTarget> {
        if let Some(nodes) = url.strip_prefix(CLUSTER_SCHEME) {
            let nodes: Vec<String> = nodes
                .split(',')
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(|n| format!("redis://{n}"))
                .collect();
            if nodes.is_empty() {
                return Err(InvalidTarget(format!(
                    "{CLUSTER_SCHEME} needs at least one host:port"
                )));
            }
            for n in &nodes {
                redis::Client::open(n.as_str()).map_err(|e| InvalidTarget(format!("{n}: {e}")))?;
            }
            return Ok(Target::Cluster(nodes));
        }
        if !["redis://", "rediss://", "unix://"]
            .iter()
            .any(|s| url.starts_with(s))
        {
            return Err(InvalidTarget(format!(
                "must start with redis://, rediss://, unix:// or {CLUSTER_SCHEME}"
            )));
        }
        redis::Client::open(url).map_err(|e| InvalidTarget(e.to_string()))?;
        Ok(Target::Single(url.to_owned()))
    }

    pub fn is_cluster(&self) -> bool {
        matches!(self, Target::Cluster(_))
    }

    /// A cluster client speaking RESP3, for sharded pub/sub pushes.
    pub fn cluster_client(
        nodes: &[String],
        push: Option<impl redis::aio::AsyncPushSender>,
    ) -> RedisResult<ClusterClient> {
        let mut b = ClusterClient::builder(nodes.to_vec())
            .connection_timeout(Duration::from_secs(2))
            .response_timeout(Duration::from_secs(5));
        if let Some(push) = push {
            b = b
                .use_protocol(redis::ProtocolVersion::RESP3)
                .push_sender(push);
        }
        b.build()
    }

    /// A reconnecting, multiplexed connection.
    pub async fn connect(&self) -> RedisResult<Conn> {
        match self {
            Target::Single(url) => {
                // Reconnects back off exponentially with jitter (the manager's own), at most 2 s.
                let cfg = ConnectionManagerConfig::new()
                    .set_max_delay(Duration::from_secs(2))
                    .set_response_timeout(Some(Duration::from_secs(5)))
                    .set_connection_timeout(Some(Duration::from_secs(2)));
                let cm = redis::Client::open(url.as_str())?
                    .get_connection_manager_with_config(cfg)
                    .await?;
                Ok(Conn::Single(cm))
            }
            Target::Cluster(nodes) => {
                let client = Self::cluster_client(nodes, None::<NoPush>)?;
                Ok(Conn::Cluster(client.get_async_connection().await?))
            }
        }
    }
}

/// Stands for "no push sender".
pub type NoPush = fn(redis::PushInfo) -> Result<(), ()>;

/// One connection to Redis, whichever kind the URL named.
pub enum Conn {
    Single(ConnectionManager),
    /// Borrowed from a [`Pool`]; goes back to it when dropped.
    Pooled(deadpool_redis::Connection),
    Cluster(ClusterConnection),
}

impl std::fmt::Debug for Conn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Conn::Single(_) => "Conn::Single",
            Conn::Pooled(_) => "Conn::Pooled",
            Conn::Cluster(_) => "Conn::Cluster",
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PoolError {
    #[error("redis pool: {0}")]
    Pool(#[from] deadpool_redis::PoolError),
    #[error("redis: {0}")]
    Redis(#[from] redis::RedisError),
}

/// Connections on demand: a bounded pool over one server, or the cluster connection (already
/// multiplexed over every node), opened on first use and shared.
#[derive(Clone)]
pub struct Pool {
    inner: PoolInner,
}

#[derive(Clone)]
enum PoolInner {
    Single(deadpool_redis::Pool),
    Cluster {
        client: Arc<ClusterClient>,
        conn: Arc<tokio::sync::Mutex<Option<ClusterConnection>>>,
    },
}

impl std::fmt::Debug for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pool")
            .field("cluster", &self.is_cluster())
            .finish_non_exhaustive()
    }
}

impl Pool {
    /// At most `max_size` connections to one server; waiting for one, opening one and
    /// recycling one each give up after 2 s, so a dead Redis fails requests rather than
    /// hanging them.
    pub fn new(target: &Target, max_size: usize) -> Result<Pool, PoolError> {
        let inner = match target {
            Target::Single(url) => {
                let mut cfg = deadpool_redis::Config::from_url(url.as_str());
                let limit = Some(Duration::from_secs(2));
                cfg.pool = Some(deadpool_redis::PoolConfig {
                    max_size,
                    timeouts: deadpool_redis::Timeouts {
                        wait: limit,
                        create: limit,
                        recycle: limit,
                    },
                    ..Default::default()
                });
                let pool = cfg
                    .create_pool(Some(deadpool_redis::Runtime::Tokio1))
                    .map_err(|e| {
                        redis::RedisError::from((
                            redis::ErrorKind::InvalidClientConfig,
                            "pool",
                            e.to_string(),
                        ))
                    })?;
                PoolInner::Single(pool)
            }
            Target::Cluster(nodes) => PoolInner::Cluster {
                client: Arc::new(Target::cluster_client(nodes, None::<NoPush>)?),
                conn: Arc::default(),
            },
        };
        Ok(Pool { inner })
    }

    pub fn is_cluster(&self) -> bool {
        matches!(self.inner, PoolInner::Cluster { .. })
    }

    pub async fn get(&self) -> Result<Conn, PoolError> {
        match &self.inner {
            PoolInner::Single(p) => Ok(Conn::Pooled(p.get().await?)),
            PoolInner::Cluster { client, conn } => {
                let mut held = conn.lock().await;
                if let Some(c) = held.as_ref() {
                    return Ok(Conn::Cluster(c.clone()));
                }
                let c = client.get_async_connection().await?;
                *held = Some(c.clone());
                Ok(Conn::Cluster(c))
            }
        }
    }
}

impl Conn {
    pub fn is_cluster(&self) -> bool {
        matches!(self, Conn::Cluster(_))
    }
}

impl ConnectionLike for Conn {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            Conn::Single(c) => c.req_packed_command(cmd),
            Conn::Pooled(c) => c.req_packed_command(cmd),
            Conn::Cluster(c) => c.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            Conn::Single(c) => c.req_packed_commands(pipeline, offset, count),
            Conn::Pooled(c) => c.req_packed_commands(pipeline, offset, count),
            Conn::Cluster(c) => {
                if pipeline.is_transaction() {
                    return c.req_packed_commands(pipeline, offset, count);
                }
                async move {
                    let mut out = Vec::with_capacity(pipeline.len());
                    for cmd in pipeline.cmd_iter() {
                        out.push(c.req_packed_command(cmd).await?);
                    }
                    Ok(out)
                }
                .boxed()
            }
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Conn::Single(c) => c.get_db(),
            Conn::Pooled(c) => c.get_db(),
            Conn::Cluster(c) => c.get_db(),
        }
    }
}

/// The cluster's primaries as `redis://host:port`, from `CLUSTER NODES` (for commands that must
/// visit every node, like `SCAN`).
pub async fn primaries(conn: &mut Conn) -> RedisResult<Vec<String>> {
    let nodes: String = redis::cmd("CLUSTER").arg("NODES").query_async(conn).await?;
    Ok(nodes
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            let flags = f.get(2)?;
            (flags.contains("master") && !flags.contains("fail")).then_some(())?;
            let addr = f.get(1)?.split('@').next()?;
            Some(format!("redis://{addr}"))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    // Shows the URL forms: one server, or a cluster's seed nodes.
    #[test]
    fn targets() {
        assert_eq!(
            Target::parse("redis://127.0.0.1:6379"),
            Ok(Target::Single("redis://127.0.0.1:6379".into()))
        );
        assert!(Target::parse("unix:///tmp/r.sock").is_ok());
        assert_eq!(
            Target::parse("redis-cluster://10.0.0.1:7000, 10.0.0.2:7001"),
            Ok(Target::Cluster(vec![
                "redis://10.0.0.1:7000".into(),
                "redis://10.0.0.2:7001".into()
            ]))
        );
        assert!(Target::parse("redis-cluster://").is_err());
        assert!(
            Target::parse("http://x")
                .unwrap_err()
                .to_string()
                .contains("must start with")
        );
        assert!(Target::parse("http://x").is_err());
    }
}
