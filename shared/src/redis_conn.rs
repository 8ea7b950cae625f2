//! One connection type over a standalone Redis or a Redis Cluster, chosen by the URL:
//!
//! - `redis://host:port[/db]`, `rediss://...`, `unix:///path/redis.sock`: one server;
//! - `redis-cluster://host1:port1,host2:port2,...`: a Redis Cluster, from any of its nodes
//!   (the rest are discovered).
//!
//! [`Conn`] is a [`ConnectionLike`], so commands, pipelines and scripts run unchanged on both.
//! On a cluster, a pipeline that is not a transaction runs command by command (in order), since
//! its commands may live in different slots; a transaction (`MULTI`) must stay within one slot,
//! which our hash-tagged keys ensure.

use futures::FutureExt;
use redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig};
use redis::cluster::ClusterClient;
use redis::cluster_async::ClusterConnection;
use redis::{Cmd, Pipeline, RedisFuture, RedisResult, Value};
use std::time::Duration;

pub const CLUSTER_SCHEME: &str = "redis-cluster://";

/// Where Redis is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Single(String),
    /// Seed nodes as `redis://host:port`.
    Cluster(Vec<String>),
}

impl Target {
    pub fn parse(url: &str) -> Result<Target, String> {
        if let Some(nodes) = url.strip_prefix(CLUSTER_SCHEME) {
            let nodes: Vec<String> = nodes
                .split(',')
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(|n| format!("redis://{n}"))
                .collect();
            if nodes.is_empty() {
                return Err(format!("{CLUSTER_SCHEME} needs at least one host:port"));
            }
            for n in &nodes {
                redis::Client::open(n.as_str()).map_err(|e| format!("{n}: {e}"))?;
            }
            return Ok(Target::Cluster(nodes));
        }
        if !["redis://", "rediss://", "unix://"]
            .iter()
            .any(|s| url.starts_with(s))
        {
            return Err(format!(
                "must start with redis://, rediss://, unix:// or {CLUSTER_SCHEME}"
            ));
        }
        redis::Client::open(url).map_err(|e| e.to_string())?;
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

#[derive(Clone)]
pub enum Conn {
    Single(ConnectionManager),
    Cluster(ClusterConnection),
}

impl std::fmt::Debug for Conn {
    // The connection types have no `Debug`; which kind it is is what a log needs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.is_cluster() {
            "Conn::Cluster"
        } else {
            "Conn::Single"
        })
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
        assert!(Target::parse("http://x").is_err());
    }
}
