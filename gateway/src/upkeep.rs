//! The gateway's background duties in Redis, besides the pub/sub link: its heartbeat, writing
//! back what Redis lost, the clean-up after dead gateways and expired sessions, and keeping
//! its watch-index entries alive.

use crate::metrics::Metrics;
use crate::node::Node;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Detached sessions expired per turn at most, so one turn stays short.
const EXPIRE_PER_TURN: isize = 500;

/// Heartbeats this gateway; writes back what it holds when Redis lost it; hands the sessions
/// of gateways that died to the resume window; removes sessions whose window closed.
pub(crate) async fn liveness(node: Arc<Node>, stop: CancellationToken) {
    let ttl = node.cfg.liveness;
    let mut first = true;
    loop {
        let result = async {
            let known = node.store.heartbeat(ttl).await?;
            if !known && !first {
                let sessions = node.hub.sessions();
                tracing::warn!(
                    sessions = sessions.len(),
                    "Redis lost this gateway's records (restarted empty, or we stalled); writing them back"
                );
                node.store.reregister(&sessions).await?;
                Metrics::inc(&node.metrics.reregistrations);
            }
            first = false;
            node.store
                .reap_dead_gateways(ttl, node.cfg.resume_window)
                .await?;
            let expired = node.store.expire_detached(EXPIRE_PER_TURN).await?;
            node.metrics
                .sessions_expired
                .fetch_add(expired as u64, Ordering::Relaxed);
            Ok::<_, crate::store::StoreError>(())
        }
        .await;
        if let Err(e) = result {
            Metrics::inc(&node.metrics.redis_errors);
            tracing::warn!(cause = %e, "gateway heartbeat or cleanup failed");
        }
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep((ttl / 3).min(Duration::from_secs(1))) => {}
        }
    }
}

/// Keeps this gateway's watch-index entries alive while it has watchers.
pub(crate) async fn refresh_watch_index(node: Arc<Node>, stop: CancellationToken) {
    let period = node.cfg.watch_ttl / 3;
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep(period) => {}
        }
        if let Err(e) = node.store.refresh_watch_index(&node.hub.watched()).await {
            Metrics::inc(&node.metrics.redis_errors);
            tracing::warn!(cause = %e, "watch-index refresh failed");
        }
    }
}
