//! The gateway: holds WebSockets, authenticates them, records their subscriptions in Redis,
//! and delivers each publication only to its own local connections that watch it.
//!
//! Layout (a module uses only those listed after it):
//! - `listener`: the accept loop: pending-handshake limit, head timeout, oversized heads, the
//!   per-address connection rate; then hyper.
//! - [`routes`](crate::routes): HTTP: the authenticated upgrade, health, readiness, metrics.
//! - `session`: one connection's socket loop and the dispatch of its requests; `writer`: its
//!   writer task; `rate_limit`: its message budget.
//! - `upkeep`: heartbeat, re-registration, clean-up of dead gateways and expired sessions,
//!   revocation announcements, JWT key reloads.
//! - `node`: the coordinator: subscribe, unsubscribe, resume and close over a connection's
//!   state, acting on the hub's first/last-watcher answers; `plan`: what a subscribe or
//!   unsubscribe changes, decided before anything is touched.
//! - `feed`: one task owning every pair's seq order: gap repair from history, resyncs, resume
//!   replays.
//! - `broker`: the pub/sub link, handing publications and link events to the feed.
//! - `initial`: `initial_values`; `store`: every other Redis command, by concern.
//! - `hub`: local connections and what they watch, the one dispatch path; `outbox`: a
//!   connection's bounded send queue (conflation, 4009 policy).
//! - `revocation`: what a revocation entry denies.
//! - `conn`: a connection's id, session record and subscriptions; `metrics`: counters;
//!   `config`: flags and environment, validated once; `backoff`: reconnect delays and jitter.
//!
//! The public surface is [`run`] and the configuration ([`Cli`], [`Config`]).

mod backoff;
mod broker;
mod config;
mod conn;
mod feed;
mod hub;
mod initial;
mod listener;
mod metrics;
mod node;
mod outbox;
mod plan;
mod rate_limit;
mod revocation;
mod routes;
mod session;
mod store;
mod upkeep;
mod writer;

pub use config::{Cli, Command, Config, ConfigError, RevokeArgs};
#[doc(hidden)]
pub use plan::apply_messages;

use broker::Broker;
use feed::Feed;
use hub::Hub;
use metrics::Metrics;
use node::Node;
use shared::auth::Verifier;
use shared::redis_conn::{InvalidTarget, Target};
use std::sync::Arc;
use std::time::Instant;
use store::Store;
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// Why the gateway could not start.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("configuration: {0}")]
    Config(#[from] ConfigError),
    #[error("--redis-url: {0}")]
    RedisUrl(#[from] InvalidTarget),
    #[error("--redis-url: {0}")]
    Redis(String),
    #[error("JWT keys: {0}")]
    Keys(#[from] shared::auth::keys::KeyError),
    #[error("listener: {0}")]
    Io(#[from] std::io::Error),
}

/// `gateway revoke`: records the revocation (or lists those in force) and says what it did.
pub async fn revoke(cfg: &Config, args: &RevokeArgs) -> Result<String, Error> {
    use revocation::Target as Denied;
    let target = Target::parse(&cfg.redis_url)?;
    let store = Store::new(&target, "revoke-cli".to_owned(), cfg.watch_ttl)
        .map_err(|e| Error::Redis(e.to_string()))?;
    let redis = |e: store::StoreError| Error::Redis(e.to_string());
    let now = shared::auth::now_secs();
    if args.list {
        let lines: Vec<String> = store
            .revocations(now)
            .await
            .map_err(redis)?
            .into_iter()
            .map(|(field, at, expires)| {
                let time = |s: u64| shared::clock::rfc3339_millis(s as i64 * 1000);
                format!("{field} revoked_at={} until={}", time(at), time(expires))
            })
            .collect();
        return Ok(lines.join("\n"));
    }
    let (kind, id) = match (&args.jti, &args.session, &args.user) {
        (Some(id), _, _) => (Denied::Jti, id),
        (_, Some(id), _) => (Denied::Session, id),
        (_, _, Some(id)) => (Denied::User, id),
        _ => unreachable!("clap requires one of --jti, --session, --user, --list"),
    };
    let ttl = args.ttl_secs.unwrap_or(cfg.max_token_lifetime_secs);
    let field = kind.field(id);
    store.revoke(&field, now, now + ttl).await.map_err(redis)?;
    Ok(format!(
        "revoked {field} until {}",
        shared::clock::rfc3339_millis((now + ttl) as i64 * 1000)
    ))
}

/// Serves on `listener` until `shutdown` is cancelled, then drains sessions within the
/// configured deadline.
pub async fn run(
    listener: TcpListener,
    cfg: Config,
    shutdown: CancellationToken,
) -> Result<(), Error> {
    cfg.validate()?;
    let gateway_id = cfg.gateway_id().map_or_else(
        || format!("gw_{}", uuid::Uuid::new_v4().simple()),
        str::to_owned,
    );
    let target = Target::parse(&cfg.redis_url)?;
    let store = Store::new(&target, gateway_id.clone(), cfg.watch_ttl)
        .map_err(|e| Error::Redis(e.to_string()))?;
    if let Err(e) = store.ping().await {
        tracing::warn!(cause = %e, "Redis is not reachable yet; /readyz fails until it is");
    }
    let background = CancellationToken::new();
    let hub = Arc::new(Hub::default());
    let metrics = Arc::new(Metrics::default());
    let (broker, events) = Broker::new(target, hub.clone(), metrics.clone());
    let broker = Arc::new(broker);
    let (resumes, resume_queue) = mpsc::channel(feed::RESUME_QUEUE);
    let feed = Feed::new(
        hub.clone(),
        store.clone(),
        broker.clone(),
        metrics.clone(),
        cfg.send_queue,
    );
    let verifier = Verifier::with(cfg.key_source(), cfg.jwt_policy())?;
    let node = Arc::new(Node {
        verifier,
        gateway_id,
        hub,
        broker: broker.clone(),
        store,
        metrics,
        shutdown: shutdown.clone(),
        tracker: TaskTracker::new(),
        started: Instant::now(),
        resumes,
        user_limits: rate_limit::UserLimits::default(),
        revocations: tokio::sync::broadcast::channel(revocation::QUEUE).0,
        cfg,
    });
    tokio::spawn(feed.run(events, resume_queue, background.clone()));
    tokio::spawn(broker.run(background.clone()));
    tokio::spawn(upkeep::refresh_watch_index(
        node.clone(),
        background.clone(),
    ));
    tokio::spawn(upkeep::liveness(node.clone(), background.clone()));
    // Before serving: a revocation made after this is announced to the sessions, one made
    // before is refused at connect.
    let tail = node.store.revocation_tail().await.ok();
    tokio::spawn(upkeep::watch_revocations(
        node.clone(),
        tail,
        background.clone(),
    ));
    tokio::spawn(upkeep::reload_keys(
        node.verifier.clone(),
        background.clone(),
    ));
    let addr = listener.local_addr()?;
    tracing::info!(%addr, gateway_id = %node.gateway_id, "gateway listening");

    listener::serve(listener, node.clone(), shutdown.clone()).await;

    tracing::info!(sessions = node.hub.counts().0, "draining");
    node.tracker.close();
    if tokio::time::timeout(node.cfg.drain, node.tracker.wait())
        .await
        .is_err()
    {
        tracing::warn!(
            left = node.tracker.len(),
            "drain deadline passed; exiting anyway"
        );
    }
    background.cancel();
    if let Err(e) = node.store.leave().await {
        tracing::warn!(cause = %e, "could not leave the gateway set; it will be cleaned up after the resume window");
    }
    tracing::info!("gateway stopped");
    Ok(())
}
