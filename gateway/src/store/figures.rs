//! Cluster-wide figures for `/indicators/v2/health`, from the fixed key names (SPEC section 5).

use super::{Result, Store};
use redis::aio::ConnectionLike;
use shared::keys;
use shared::redis_conn::{self, Conn};
use std::collections::{BTreeMap, HashSet};

#[derive(Debug)]
pub(crate) struct ClusterFigures {
    pub(crate) active_sessions: usize,
    pub(crate) unique_indicators: usize,
    pub(crate) unique_users: usize,
    pub(crate) indicators_by_symbol: BTreeMap<String, usize>,
}

impl Store {
    pub(crate) async fn cluster_figures(&self) -> Result<ClusterFigures> {
        let mut c = self.conn().await?;
        // SCAN walks one node: on a cluster, visit every primary.
        let (conns, indicators) = if matches!(c, Conn::Cluster(_)) {
            {
                let (mut conns, mut indicators) = (Vec::new(), Vec::new());
                for node in redis_conn::primaries(&mut c).await? {
                    let mut n = redis::Client::open(node)?
                        .get_multiplexed_async_connection()
                        .await?;
                    conns.extend(scan(&mut n, keys::WS_CONN_PATTERN).await?);
                    indicators.extend(scan(&mut n, keys::SUBSCRIBERS_PATTERN).await?);
                }
                (conns, indicators)
            }
        } else {
            (
                scan(&mut c, keys::WS_CONN_PATTERN).await?,
                scan(&mut c, keys::SUBSCRIBERS_PATTERN).await?,
            )
        };
        let mut users = HashSet::new();
        for chunk in conns.chunks(500) {
            let mut pipe = redis::pipe();
            for k in chunk {
                pipe.hget(k, "user_id");
            }
            let ids: Vec<Option<String>> = pipe.query_async(&mut c).await?;
            users.extend(ids.into_iter().flatten());
        }
        let mut by_symbol: BTreeMap<String, usize> = BTreeMap::new();
        for symbol in indicators
            .iter()
            .filter_map(|k| keys::symbol_of_subscribers(k))
        {
            *by_symbol.entry(symbol.to_owned()).or_default() += 1;
        }
        Ok(ClusterFigures {
            active_sessions: conns.len(),
            unique_indicators: indicators.len(),
            unique_users: users.len(),
            indicators_by_symbol: by_symbol,
        })
    }
}

/// SCAN with a cap, so a huge keyspace cannot make a health check unbounded.
async fn scan(c: &mut (impl ConnectionLike + Send), pattern: &str) -> Result<Vec<String>> {
    const CAP: usize = 1_000_000;
    let mut cursor: u64 = 0;
    let mut out = Vec::new();
    loop {
        let (next, batch): (u64, Vec<String>) = redis::cmd("SCAN")
            .arg(cursor)
            .arg("MATCH")
            .arg(pattern)
            .arg("COUNT")
            .arg(1000)
            .query_async(c)
            .await?;
        out.extend(batch);
        cursor = next;
        if cursor == 0 || out.len() >= CAP {
            return Ok(out);
        }
    }
}
