//! HTTP surface: the WebSocket upgrade (authenticated before it happens), health, readiness and
//! metrics. No request logging filter is installed: URLs carry tokens, and tokens never reach a
//! log.

use crate::node::Node;
use crate::session;
use hyper_util::rt::TokioIo;
use serde_json::json;
use shared::auth::AuthError;
use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};
use warp::Filter;
use warp::http::StatusCode;
use warp::hyper::upgrade::OnUpgrade;
use warp::reply::{Reply, Response};

fn json_reply(status: StatusCode, body: &serde_json::Value) -> Response {
    warp::reply::with_status(warp::reply::json(body), status).into_response()
}

fn error_reply(status: StatusCode, error: &str, message: &str) -> Response {
    json_reply(status, &json!({"error": error, "message": message}))
}

pub(crate) fn routes(
    node: &Arc<Node>,
) -> impl Filter<Extract = (Response,), Error = Infallible> + Clone + Send + Sync + 'static {
    let with_node = {
        let node = node.clone();
        warp::any().map(move || node.clone())
    };
    let stream = warp::path!("indicators" / "v2" / "stream")
        .and(warp::get())
        .and(with_node.clone())
        .and(warp::query::<HashMap<String, String>>())
        .and(warp::header::optional::<String>("authorization"))
        .and(warp::header::optional::<String>("origin"))
        .and(warp::header::optional::<String>("sec-websocket-key"))
        .and(warp::header::optional::<String>("upgrade"))
        .and(warp::ext::optional::<OnUpgrade>())
        .then(upgrade);
    let health = warp::path!("indicators" / "v2" / "health")
        .and(warp::get())
        .and(with_node.clone())
        .then(health);
    let healthz = warp::path!("healthz")
        .and(warp::get())
        .map(|| json_reply(StatusCode::OK, &json!({"status": "ok"})));
    let readyz = warp::path!("readyz")
        .and(warp::get())
        .and(with_node.clone())
        .then(readyz);
    let metrics = warp::path!("metrics")
        .and(warp::get())
        .and(with_node)
        .map(|node: Arc<Node>| {
            let (conns, pairs, indicators) = node.hub.counts();
            let body = node.metrics.render(&[
                (
                    "gateway_connections",
                    "open WebSocket sessions",
                    conns as u64,
                ),
                (
                    "gateway_pairs_watched",
                    "symbol/timeframe pairs with a local watcher",
                    pairs as u64,
                ),
                (
                    "gateway_indicators_watched",
                    "indicators with a local watcher",
                    indicators as u64,
                ),
                (
                    "gateway_pubsub_connected",
                    "1 while the pub/sub link is up",
                    u64::from(node.broker.is_connected()),
                ),
            ]);
            warp::reply::with_header(body, "content-type", "text/plain; version=0.0.4")
                .into_response()
        });
    stream
        .or(health)
        .unify()
        .or(healthz)
        .unify()
        .or(readyz)
        .unify()
        .or(metrics)
        .unify()
        .recover(|_rejection: warp::Rejection| async {
            Ok::<_, Infallible>(error_reply(
                StatusCode::NOT_FOUND,
                "not_found",
                "no such endpoint",
            ))
        })
        .unify()
}

// warp hands each extracted value to its handler by value.
#[allow(clippy::too_many_arguments, clippy::needless_pass_by_value)]
async fn upgrade(
    node: Arc<Node>,
    query: HashMap<String, String>,
    authorization: Option<String>,
    origin: Option<String>,
    key: Option<String>,
    upgrade: Option<String>,
    on_upgrade: Option<OnUpgrade>,
) -> Response {
    let allowed = &node.cfg.allowed_origins;
    if let Some(origin) = origin
        && !allowed.is_empty()
        && !allowed
            .iter()
            .any(|a| a.eq_ignore_ascii_case(origin.trim()))
    {
        tracing::info!("upgrade refused: origin not allowed");
        return error_reply(
            StatusCode::FORBIDDEN,
            "forbidden_origin",
            "this origin may not open a stream (see --allowed-origins)",
        );
    }
    let bearer = authorization.as_deref().and_then(|h| {
        let (scheme, rest) = h.trim().split_once(' ')?;
        scheme.eq_ignore_ascii_case("bearer").then_some(rest.trim())
    });
    let token = query
        .get("token")
        .map(|t| t.trim())
        .filter(|t| !t.is_empty())
        .or(bearer)
        .unwrap_or_default();
    let who = match node.verifier.verify(token) {
        Ok(who) => who,
        Err(e) => {
            crate::metrics::Metrics::inc(&node.metrics.auth_failures);
            tracing::info!(reason = e.code(), "upgrade refused");
            let e: AuthError = e;
            return error_reply(StatusCode::UNAUTHORIZED, e.code(), &e.to_string());
        }
    };
    // Fails closed: a token whose revocation cannot be checked is not let in.
    match node.is_revoked(&who).await {
        Ok(false) => {}
        Ok(true) => {
            crate::metrics::Metrics::inc(&node.metrics.auth_failures);
            tracing::info!(reason = "token_revoked", "upgrade refused");
            return error_reply(
                StatusCode::UNAUTHORIZED,
                "token_revoked",
                "this token was revoked: sign in again",
            );
        }
        Err(e) => {
            tracing::warn!(cause = %e, "cannot check revocations; upgrade refused");
            return error_reply(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "cannot check the token now: retry",
            );
        }
    }
    if node.shutdown.is_cancelled() {
        return error_reply(
            StatusCode::SERVICE_UNAVAILABLE,
            "draining",
            "this gateway is shutting down; retry",
        );
    }
    let is_ws = upgrade.is_some_and(|u| u.eq_ignore_ascii_case("websocket"));
    let (Some(key), Some(on_upgrade), true) = (key, on_upgrade, is_ws) else {
        return error_reply(
            StatusCode::BAD_REQUEST,
            "not_websocket",
            "this endpoint needs a WebSocket upgrade",
        );
    };
    let counted = match admit(&node, &who).await {
        Ok(counted) => counted,
        Err(refusal) => return refusal,
    };
    let config = WebSocketConfig::default()
        // Small buffers: memory per idle connection matters more than a few extra syscalls.
        .read_buffer_size(1024)
        .write_buffer_size(8192)
        .max_write_buffer_size(4 << 20)
        .max_message_size(Some(node.cfg.max_message_bytes))
        .max_frame_size(Some(node.cfg.max_message_bytes));
    let session_node = node.clone();
    node.tracker.spawn(async move {
        match on_upgrade.await {
            Ok(upgraded) => {
                let ws = WebSocketStream::from_raw_socket(
                    TokioIo::new(upgraded),
                    Role::Server,
                    Some(config),
                )
                .await;
                let user = who.user_id.clone();
                session::run(session_node.clone(), ws, who).await;
                release(&session_node, counted.then_some(&user)).await;
            }
            Err(e) => {
                tracing::debug!(cause = %e, "upgrade failed");
                release(&session_node, counted.then_some(&who.user_id)).await;
            }
        }
    });
    let accept = derive_accept_key(key.as_bytes());
    let reply = warp::reply::with_status(warp::reply(), StatusCode::SWITCHING_PROTOCOLS);
    let reply = warp::reply::with_header(reply, "connection", "upgrade");
    let reply = warp::reply::with_header(reply, "upgrade", "websocket");
    warp::reply::with_header(reply, "sec-websocket-accept", accept).into_response()
}

/// `--max-conns-per-user`: counts this connection in the cluster-wide figure, or refuses it
/// (429) when the user would be over the limit. `Ok(true)` when counted (release it at the end).
async fn admit(node: &Node, who: &shared::auth::Identity) -> Result<bool, Response> {
    let max = node.cfg.max_conns_per_user;
    if max == 0 {
        return Ok(false);
    }
    let alive_since = shared::clock::now_ms() - node.cfg.liveness.as_millis() as i64;
    match node.store.user_connected(&who.user_id, alive_since).await {
        Ok(n) if n <= max => Ok(true),
        Ok(_) => {
            release(node, Some(&who.user_id)).await;
            tracing::info!("upgrade refused: too many connections for the user");
            Err(error_reply(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_connections",
                &format!("at most {max} connections per user"),
            ))
        }
        Err(e) => {
            tracing::warn!(cause = %e, "cannot count the user's connections; upgrade refused");
            Err(error_reply(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "cannot admit the connection now: retry",
            ))
        }
    }
}

/// Uncounts a connection [`admit`] counted.
async fn release(node: &Node, user: Option<&String>) {
    if let Some(user) = user
        && let Err(e) = node.store.user_disconnected(user).await
    {
        tracing::warn!(cause = %e, "could not uncount a connection; it stops counting when the key expires");
    }
}

async fn health(node: Arc<Node>) -> Response {
    let (conns, pairs, indicators) = node.hub.counts();
    let local = json!({
        "gateway_id": node.gateway_id,
        "active_sessions": conns,
        "pairs_watched": pairs,
        "indicators_watched": indicators,
        "pubsub_connected": node.broker.is_connected(),
        "draining": node.shutdown.is_cancelled(),
        "uptime_secs": node.started.elapsed().as_secs(),
    });
    let now = shared::clock::rfc3339_micros(shared::clock::now_us());
    match node.store.cluster_figures().await {
        Ok(c) => json_reply(
            StatusCode::OK,
            &json!({
                "status": if node.broker.is_connected() { "ok" } else { "degraded" },
                "active_sessions": c.active_sessions,
                "unique_indicators": c.unique_indicators,
                "unique_users": c.unique_users,
                "indicators_by_symbol": c.indicators_by_symbol,
                "timestamp": now,
                "gateway": local,
            }),
        ),
        Err(e) => {
            tracing::warn!(cause = %e, "health: Redis unreachable");
            json_reply(
                StatusCode::SERVICE_UNAVAILABLE,
                &json!({"status": "unavailable", "error": "redis_unreachable", "timestamp": now, "gateway": local}),
            )
        }
    }
}

async fn readyz(node: Arc<Node>) -> Response {
    let redis = matches!(
        tokio::time::timeout(std::time::Duration::from_secs(1), node.store.ping()).await,
        Ok(Ok(()))
    );
    let draining = node.shutdown.is_cancelled();
    let pubsub = node.broker.is_connected();
    let ready = redis && pubsub && !draining;
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    json_reply(
        status,
        &json!({"ready": ready, "redis": redis, "pubsub": pubsub, "draining": draining}),
    )
}
