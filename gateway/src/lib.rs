//! The gateway: holds WebSockets, authenticates them, records their subscriptions in Redis,
//! and delivers each publication only to its own local connections that watch it.
//!
//! Layout:
//! - [`config`]: flags and environment, validated once.
//! - [`routes`]: HTTP: the authenticated upgrade, health, readiness, metrics.
//! - [`session`]: one connection's life (requests, bounded send queue, heartbeat, cleanup).
//! - [`hub`]: local connections and what they watch; the one dispatch path.
//! - [`broker`]: the pub/sub link (subscribes per pair while watched, reconnects).
//! - [`feed`]: seq order, gap repair from history, resume replays.
//! - [`store`]: every other Redis command; [`initial`]: `initial_values`.
//! - [`outbox`]: a connection's bounded send queue (conflation, 4009 policy).
//! - [`metrics`]: counters for `/metrics`.

pub mod broker;
pub mod config;
pub mod feed;
pub mod hub;
pub mod initial;
pub mod metrics;
pub mod outbox;
pub mod routes;
pub mod session;
pub mod store;

use anyhow::Context;
use broker::Broker;
pub use config::Config;
use hub::Hub;
use metrics::Metrics;
use shared::auth::Verifier;
use std::sync::Arc;
use std::time::{Duration, Instant};
use store::Store;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// Everything a request or session needs, shared.
pub struct Gateway {
    pub cfg: Config,
    pub gateway_id: String,
    pub hub: Arc<Hub>,
    pub broker: Arc<Broker>,
    pub store: Store,
    pub metrics: Arc<Metrics>,
    pub verifier: Verifier,
    /// Cancelled on SIGTERM: readiness fails, new upgrades are refused, sessions close with 1001.
    pub shutdown: CancellationToken,
    /// Every session runs on it (warp detaches upgraded connections), so shutdown can wait.
    pub tracker: TaskTracker,
    pub started: Instant,
}

/// Serves on `listener` until `shutdown` is cancelled, then drains sessions within the
/// configured deadline.
pub async fn run(
    listener: TcpListener,
    cfg: Config,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    cfg.validate().map_err(anyhow::Error::msg)?;
    let gateway_id = if cfg.gateway_id.is_empty() {
        format!("gw_{}", uuid::Uuid::new_v4().simple())
    } else {
        cfg.gateway_id.clone()
    };
    let target = shared::redis_conn::Target::parse(&cfg.redis_url)
        .map_err(|e| anyhow::anyhow!("--redis-url: {e}"))?;
    let store = Store::new(&cfg.redis_url, gateway_id.clone(), cfg.watch_ttl_secs)
        .context("--redis-url")?;
    if let Err(e) = store.ping().await {
        tracing::warn!(cause = %e, "Redis is not reachable yet; /readyz fails until it is");
    }
    let background = CancellationToken::new();
    let gw = Arc::new(Gateway {
        verifier: Verifier::new(cfg.jwt_secret.as_bytes()),
        gateway_id,
        hub: Arc::default(),
        broker: Arc::new(Broker::new(target)),
        store,
        metrics: Arc::default(),
        shutdown: shutdown.clone(),
        tracker: TaskTracker::new(),
        started: Instant::now(),
        cfg,
    });
    let feed = Arc::new(feed::Feed {
        hub: gw.hub.clone(),
        store: gw.store.clone(),
        broker: gw.broker.clone(),
        metrics: gw.metrics.clone(),
        max_replay_frames: gw.cfg.send_queue,
    });
    tokio::spawn(gw.broker.clone().run(feed, background.clone()));
    tokio::spawn(refresh_watch_index(gw.clone(), background.clone()));
    tokio::spawn(liveness(gw.clone(), background.clone()));
    let addr = listener.local_addr()?;
    tracing::info!(%addr, gateway_id = %gw.gateway_id, "gateway listening");

    let stop_accepting = shutdown.clone();
    warp::serve(routes::routes(gw.clone()))
        .incoming(listener)
        .graceful(async move { stop_accepting.cancelled().await })
        .run()
        .await;

    tracing::info!(sessions = gw.hub.counts().0, "draining");
    gw.tracker.close();
    let deadline = Duration::from_secs(gw.cfg.drain_secs);
    if tokio::time::timeout(deadline, gw.tracker.wait())
        .await
        .is_err()
    {
        tracing::warn!(
            left = gw.tracker.len(),
            "drain deadline passed; exiting anyway"
        );
    }
    background.cancel();
    if let Err(e) = gw.store.leave().await {
        tracing::warn!(cause = %e, "could not leave the gateway set; it will be cleaned up after the resume window");
    }
    tracing::info!("gateway stopped");
    Ok(())
}

/// Heartbeats this gateway; writes back what it holds when Redis lost it; hands the sessions
/// of gateways that died to the resume window; removes sessions whose window closed.
async fn liveness(gw: Arc<Gateway>, stop: CancellationToken) {
    let ttl = Duration::from_secs(gw.cfg.liveness_secs);
    let liveness_ms = ttl.as_millis() as i64;
    let window_ms = gw.cfg.resume_window_secs as i64 * 1000;
    let mut first = true;
    loop {
        let result = async {
            let known = gw.store.heartbeat(ttl.as_millis() as u64).await?;
            if !known && !first {
                let sessions = gw.hub.sessions();
                tracing::warn!(
                    sessions = sessions.len(),
                    "Redis lost this gateway's records (restarted empty, or we stalled); writing them back"
                );
                gw.store.reregister(&sessions).await?;
                Metrics::inc(&gw.metrics.reregistrations);
            }
            first = false;
            gw.store.reap_dead_gateways(liveness_ms, window_ms).await?;
            let expired = gw.store.expire_detached(500).await?;
            gw.metrics
                .sessions_expired
                .fetch_add(expired as u64, std::sync::atomic::Ordering::Relaxed);
            Ok::<_, store::StoreError>(())
        }
        .await;
        if let Err(e) = result {
            Metrics::inc(&gw.metrics.redis_errors);
            tracing::warn!(cause = %e, "gateway heartbeat or cleanup failed");
        }
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep((ttl / 3).min(Duration::from_secs(1))) => {}
        }
    }
}

/// Keeps this gateway's watch-index entries alive while it has watchers.
async fn refresh_watch_index(gw: Arc<Gateway>, stop: CancellationToken) {
    let period = Duration::from_secs(gw.cfg.watch_ttl_secs / 3);
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep(period) => {}
        }
        if let Err(e) = gw.store.refresh_watch_index(&gw.hub.watched()).await {
            Metrics::inc(&gw.metrics.redis_errors);
            tracing::warn!(cause = %e, "watch-index refresh failed");
        }
    }
}
