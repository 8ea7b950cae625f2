//! The gateway: holds WebSockets, authenticates them, records their subscriptions in Redis,
//! and delivers each publication only to its own local connections that watch it.
//!
//! Layout:
//! - [`config`]: flags and environment, validated once.
//! - [`routes`]: HTTP: the authenticated upgrade, health, readiness, metrics.
//! - [`session`]: one connection's life (requests, bounded send queue, heartbeat, cleanup).
//! - [`hub`]: local connections and what they watch; the one dispatch path.
//! - [`broker`]: the pub/sub link (subscribes per pair while watched, reconnects).
//! - [`store`]: every other Redis command; [`initial`]: `initial_values`.
//! - [`outbox`]: a connection's bounded send queue (conflation, 4009 policy).
//! - [`metrics`]: counters for `/metrics`.

pub mod broker;
pub mod config;
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
use shared::catalogue::Spec;
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
    let client = redis::Client::open(cfg.redis_url.as_str()).context("--redis-url")?;
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
        broker: Arc::new(Broker::new(client)),
        store,
        metrics: Arc::default(),
        shutdown: shutdown.clone(),
        tracker: TaskTracker::new(),
        started: Instant::now(),
        cfg,
    });
    tokio::spawn(
        gw.broker
            .clone()
            .run(gw.hub.clone(), gw.metrics.clone(), background.clone()),
    );
    tokio::spawn(refresh_watch_index(gw.clone(), background.clone()));
    tokio::spawn(liveness(gw.clone(), background.clone()));
    tokio::spawn(resync_after_reconnects(gw.clone(), background.clone()));
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

/// Heartbeats this gateway, and cleans up after gateways that died (sessions that never came
/// back within the resume window).
async fn liveness(gw: Arc<Gateway>, stop: CancellationToken) {
    let ttl = Duration::from_secs(gw.cfg.liveness_secs);
    // Counted from the last heartbeat, which is up to a third of the TTL before the death: the
    // extra TTL keeps every session for at least the whole window after its gateway died.
    let window_ms = (gw.cfg.resume_window_secs + gw.cfg.liveness_secs) as i64 * 1000;
    loop {
        let result = async {
            gw.store.heartbeat(ttl.as_millis() as u64).await?;
            gw.store.reap_dead_gateways(window_ms).await
        }
        .await;
        if let Err(e) = result {
            Metrics::inc(&gw.metrics.redis_errors);
            tracing::warn!(cause = %e, "gateway heartbeat or cleanup failed");
        }
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep(ttl / 3) => {}
        }
    }
}

/// After the pub/sub link was lost and is back, publications may have been missed: every local
/// connection gets `resync` with fresh values of what it watches (history replay, which would
/// make it `recovered: true`, comes with session resume).
async fn resync_after_reconnects(gw: Arc<Gateway>, stop: CancellationToken) {
    let mut reconnects = gw.broker.reconnects();
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            changed = reconnects.changed() => if changed.is_err() { return },
        }
        for (pair, ids) in gw.hub.watched_pairs() {
            let specs: Vec<Spec> = ids.iter().filter_map(|id| Spec::from_id(id).ok()).collect();
            match initial::initial_values(&gw.store, &pair.0, pair.1, &specs).await {
                Ok(initial) => gw
                    .hub
                    .push_resync(&pair, &initial.values, initial.seq, &gw.metrics),
                Err(e) => {
                    Metrics::inc(&gw.metrics.redis_errors);
                    tracing::warn!(cause = %e, symbol = %pair.0, timeframe = %pair.1, "resync failed");
                }
            }
        }
        tracing::info!(
            pairs = gw.hub.counts().1,
            "resynced connections after a pub/sub reconnect"
        );
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
