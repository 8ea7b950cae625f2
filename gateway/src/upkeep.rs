//! The gateway's background duties in Redis, besides the pub/sub link: its heartbeat, writing
//! back what Redis lost, the clean-up after dead gateways and expired sessions, and keeping
//! its watch-index entries alive.

use crate::metrics::Metrics;
use crate::node::Node;
use crate::store::StoreError;
use shared::auth::Identity;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// How often revocation announcements are read: a revoked live connection closes within this
/// (plus one Redis round trip).
const REVOCATION_POLL: Duration = Duration::from_millis(250);

/// Expired revocations are purged every this many polls (about a minute).
const PURGE_EVERY: u32 = 240;

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

/// Reads the JWT key file again on SIGHUP and whenever it changes (checked every second), so
/// keys rotate without a restart; connections already open keep going. A file that does not
/// load leaves the keys in use (logged).
pub(crate) async fn reload_keys(verifier: shared::auth::Verifier, stop: CancellationToken) {
    let Some(path) = verifier.source().path().map(std::path::Path::to_path_buf) else {
        return;
    };
    // Modification time and size: a rewrite within one timestamp tick still shows.
    let modified = || {
        std::fs::metadata(&path)
            .and_then(|m| Ok((m.modified()?, m.len())))
            .ok()
    };
    let mut seen = modified();
    let mut hangup = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()) {
        Ok(s) => Some(s),
        Err(e) => {
            tracing::warn!(cause = %e, "no SIGHUP handler; key file changes are still seen");
            None
        }
    };
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    loop {
        let signalled = tokio::select! {
            () = stop.cancelled() => return,
            _ = tick.tick() => false,
            Some(()) = async { match hangup.as_mut() { Some(h) => h.recv().await, None => None } } => true,
        };
        let now = modified();
        if !signalled && now == seen {
            continue;
        }
        seen = now;
        match verifier.reload() {
            Ok(keys) => tracing::info!(keys, file = %path.display(), "JWT keys reloaded"),
            Err(e) => tracing::warn!(cause = %e, "JWT keys not reloaded; the previous keys stay"),
        }
    }
}

impl Node {
    /// Whether a revocation in force denies `who` (one Redis round trip).
    pub(crate) async fn is_revoked(&self, who: &Identity) -> Result<bool, StoreError> {
        self.store.is_revoked(who, shared::auth::now_secs()).await
    }
}

/// Reads the announcements of revocations made after `tail` (the newest one when the gateway
/// started, read before it serves; `None` if Redis was unreachable then: the first read
/// starts there) and hands each to every local session, which closes itself with 1008 if it
/// is denied; purges expired revocations now and then.
pub(crate) async fn watch_revocations(
    node: Arc<Node>,
    tail: Option<String>,
    stop: CancellationToken,
) {
    let mut last = tail;
    let mut turns = 0u32;
    loop {
        tokio::select! {
            () = stop.cancelled() => return,
            () = tokio::time::sleep(REVOCATION_POLL) => {}
        }
        turns = turns.wrapping_add(1);
        let result = async {
            let after = match &last {
                Some(id) => id.clone(),
                None => node.store.revocation_tail().await?,
            };
            last = Some(after.clone());
            for (id, revocation) in node.store.revocations_after(&after).await? {
                tracing::info!(field = %revocation.field, "revocation announced");
                // No receiver (no session) is fine; a lagging one re-checks in Redis.
                let _ = node.revocations.send(Arc::new(revocation));
                last = Some(id);
            }
            if turns.is_multiple_of(PURGE_EVERY) {
                node.store.revoke("", shared::auth::now_secs(), 0).await?;
            }
            Ok::<_, StoreError>(())
        }
        .await;
        if let Err(e) = result {
            tracing::warn!(cause = %e, "reading revocations failed; retrying");
        }
    }
}
