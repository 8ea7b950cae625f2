//! One WebSocket connection's life: `connected`, then the socket loop (the client's frames,
//! rate limit, heartbeat deadline, token expiry, drain, kicks) and the dispatch of each request
//! to the [`Node`]; the writer task sends what the outbox holds. A session never touches Redis.

use crate::conn::{ConnId, ConnState, SessionRecord};
use crate::hub::ConnHandle;
use crate::metrics::Metrics;
use crate::node::{Ending, Node, Refused};
use crate::outbox::{Outbox, Push};
use crate::rate_limit::RateLimit;
use crate::writer::{Socket, write_loop};
use futures::StreamExt;
use futures::stream::SplitStream;
use shared::auth::Identity;
use shared::pair::Pair;
use shared::protocol::{self, Action, CloseReason, ErrorCode, ProtocolError, frames};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::oneshot;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::{Error as WsError, Message, Utf8Bytes};
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

struct Session {
    node: Arc<Node>,
    conn: ConnState,
    /// How the hub reaches this connection (outbox, kick, takeover, record).
    handle: ConnHandle,
    /// A request failed in a way only a reconnect fixes: close with it.
    fatal: Option<CloseReason>,
}

pub(crate) async fn run(node: Arc<Node>, ws: Socket, who: Identity) {
    let id: ConnId = format!("ws_{}", uuid::Uuid::new_v4()).into();
    let span = tracing::info_span!("session", ws_conn_id = %id, user_id = %who.user_id);
    serve(node, ws, who, id).instrument(span).await;
}

async fn serve(node: Arc<Node>, ws: Socket, who: Identity, id: ConnId) {
    Metrics::inc(&node.metrics.connections_opened);
    let cfg = &node.cfg;
    let outbox = Arc::new(Outbox::new(
        cfg.send_queue,
        cfg.send_queue_max,
        cfg.slow_client,
    ));
    let (sink, mut stream) = ws.split();
    let (close_tx, close_rx) = oneshot::channel::<CloseReason>();
    let writer =
        tokio::spawn(write_loop(sink, outbox.clone(), close_rx, cfg.heartbeat).in_current_span());
    let resume_token = uuid::Uuid::new_v4().simple().to_string();
    let handle = ConnHandle {
        outbox: outbox.clone(),
        kick: CancellationToken::new(),
        taken_over: CancellationToken::new(),
        record: Arc::new(SessionRecord {
            user_id: who.user_id.clone(),
            session_id: who.session_id.clone(),
            connected_at: shared::clock::now_ms(),
            token_hash: shared::auth::resume_token_hash(&resume_token),
            epoch: 0,
        }),
    };
    let mut session = Session {
        node: node.clone(),
        conn: ConnState::new(id.clone()),
        handle: handle.clone(),
        fatal: None,
    };
    let ending = match node.open(&session.conn, handle).await {
        Err(e) => {
            tracing::error!(cause = %e, "could not record the session");
            Metrics::inc(&node.metrics.redis_errors);
            Ending::Closed(CloseReason::Internal)
        }
        Ok(()) => {
            tracing::debug!("session opened");
            session.push(frames::connected(
                &id,
                &resume_token,
                node.cfg.heartbeat.as_secs(),
            ));
            let mut who = who;
            session.read_loop(&mut stream, &mut who).await
        }
    };
    node.close(&mut session.conn, ending).await;
    let close = match ending {
        Ending::Closed(reason) => Some(reason),
        Ending::TakenOver => Some(CloseReason::ResumedElsewhere),
        Ending::ClientClosed | Ending::Lost => None,
    };
    if let Some(reason) = close {
        let _ = close_tx.send(reason);
    }
    outbox.close();
    drop(session);
    let mut writer = writer;
    if tokio::time::timeout(Duration::from_secs(5), &mut writer)
        .await
        .is_err()
    {
        writer.abort();
    }
    Metrics::inc(&node.metrics.connections_closed);
    tracing::debug!(close = ?close.map(CloseReason::code), "session closed");
}

/// Time left until the token's `exp` (the connection closes with 1008 then).
fn until_expiry(who: &Identity) -> Duration {
    let left_ms = (who.expires_at as i64 * 1000).saturating_sub(shared::clock::now_ms());
    Duration::from_millis(left_ms.max(0) as u64)
}

impl Session {
    /// `refresh`: a valid token of the same user replaces the connection's expiry (and `jti`,
    /// `iat`); anything else leaves the connection as it was.
    async fn refresh(
        &self,
        token: &str,
        who: &mut Identity,
        id: Option<&serde_json::Value>,
    ) -> Result<String, Refused> {
        let refused =
            |message: String| Refused::from(ProtocolError::new(ErrorCode::InvalidToken, message));
        let new = self
            .node
            .verifier
            .verify(token)
            .map_err(|e| refused(format!("token refused ({}): {e}", e.code())))?;
        if new.user_id != who.user_id {
            return Err(refused(
                "the token is another user's; the connection keeps its own".to_owned(),
            ));
        }
        match self.node.is_revoked(&new).await {
            Ok(false) => {}
            Ok(true) => return Err(refused("token refused (token_revoked)".to_owned())),
            Err(e) => {
                return Err(self
                    .node
                    .internal("checking the token's revocation", e)
                    .into());
            }
        }
        who.expires_at = new.expires_at;
        who.issued_at = new.issued_at;
        who.jti = new.jti;
        Metrics::inc(&self.node.metrics.token_refreshes);
        let expires_at = shared::clock::rfc3339_millis(new.expires_at as i64 * 1000);
        Ok(frames::success(
            "Token refreshed",
            serde_json::json!({ "expires_at": expires_at }),
            id,
        ))
    }

    /// Queues a frame; a full queue means the client is too slow and it is kicked.
    fn push(&self, text: String) {
        let kick = &self.handle.kick;
        if self.handle.outbox.push(Utf8Bytes::from(text), None) == Push::Full
            && !kick.is_cancelled()
        {
            Metrics::inc(&self.node.metrics.slow_disconnects);
            kick.cancel();
        }
    }

    fn refuse(&self, err: &ProtocolError, id: Option<&serde_json::Value>) {
        Metrics::inc(&self.node.metrics.client_errors);
        self.push(frames::error(err, id));
    }

    async fn read_loop(&mut self, stream: &mut SplitStream<Socket>, who: &mut Identity) -> Ending {
        let cfg = &self.node.cfg;
        let expires = tokio::time::sleep(until_expiry(who));
        tokio::pin!(expires);
        let stale = tokio::time::sleep(cfg.stale);
        tokio::pin!(stale);
        let mut rate = RateLimit::new(cfg.rate_limit_per_sec, Instant::now());
        let shutdown = self.node.shutdown.clone();
        // On drain, each session leaves at its own random moment within the spread, so the
        // clients reconnect to the other gateways gradually rather than all at once.
        let jitter = cfg.drain_spread.mul_f64(crate::backoff::random_fraction());
        let drained = async move {
            shutdown.cancelled().await;
            tokio::time::sleep(jitter).await;
        };
        tokio::pin!(drained);
        let kick = self.handle.kick.clone();
        let taken_over = self.handle.taken_over.clone();
        let mut revocations = self.node.revocations.subscribe();
        loop {
            if let Some(reason) = self.fatal {
                return Ending::Closed(reason);
            }
            tokio::select! {
                biased;
                _ = taken_over.cancelled() => return Ending::TakenOver,
                _ = kick.cancelled() => return Ending::Closed(CloseReason::TooSlow),
                _ = &mut drained => return Ending::Closed(CloseReason::Draining),
                _ = &mut expires => return Ending::Closed(CloseReason::TokenExpired),
                _ = &mut stale => return Ending::Closed(CloseReason::Idle),
                r = revocations.recv() => {
                    let denied = match r {
                        Ok(revocation) => revocation.denies(who),
                        // Missed some: ask Redis (the sender lives as long as the node).
                        Err(_) => self.node.is_revoked(who).await.unwrap_or(false),
                    };
                    if denied {
                        return Ending::Closed(CloseReason::TokenRevoked);
                    }
                }
                frame = stream.next() => {
                    let now = Instant::now();
                    stale.as_mut().reset(now + self.node.cfg.stale);
                    match frame {
                        Some(Ok(Message::Close(_))) => return Ending::ClientClosed,
                        None => return Ending::Lost,
                        Some(Err(WsError::Capacity(_))) => return Ending::Closed(CloseReason::TooBig),
                        Some(Err(e)) => {
                            tracing::debug!(cause = %e, "socket error");
                            return Ending::Lost;
                        }
                        Some(Ok(Message::Text(text))) => {
                            Metrics::inc(&self.node.metrics.client_messages);
                            if rate.allow(now) {
                                let expiry = who.expires_at;
                                self.handle_text(text.as_str(), who).await;
                                if who.expires_at != expiry {
                                    expires.as_mut().reset(Instant::now() + until_expiry(who));
                                }
                            } else {
                                let (id, _) = protocol::parse(text.as_str());
                                let err = ProtocolError::new(ErrorCode::RateLimited, format!(
                                    "more than {} messages per second; slow down", self.node.cfg.rate_limit_per_sec));
                                self.refuse(&err, id.as_ref());
                            }
                        }
                        Some(Ok(Message::Binary(_))) => {
                            let err = ProtocolError::new(ErrorCode::InvalidJson, "binary frames are not accepted: send JSON text");
                            self.refuse(&err, None);
                        }
                        Some(Ok(_)) => {} // ping/pong: liveness only
                    }
                }
            }
        }
    }

    /// One request, dispatched to the node; its reply (or error) queued.
    async fn handle_text(&mut self, text: &str, who: &mut Identity) {
        let (id, action) = protocol::parse(text);
        let node = self.node.clone();
        let result: Result<String, Refused> = match action {
            Err(e) => Err(e.into()),
            Ok(Action::Ping) => Ok(frames::pong(
                &shared::clock::rfc3339_micros(shared::clock::now_us()),
                id.as_ref(),
            )),
            Ok(Action::Subscribe {
                symbol,
                timeframe,
                indicators,
            }) => node
                .subscribe(
                    &mut self.conn,
                    Pair::new(symbol, timeframe),
                    indicators,
                    id.as_ref(),
                )
                .await
                .map_err(Refused::from),
            Ok(Action::Unsubscribe(target)) => node
                .unsubscribe(&mut self.conn, target, id.as_ref())
                .await
                .map_err(Refused::from),
            Ok(Action::Refresh { token }) => self.refresh(token.expose(), who, id.as_ref()).await,
            Ok(Action::Resume {
                ws_conn_id,
                resume_token,
                last_seq,
            }) => {
                // The token passed at connect; a revocation since then is not yet applied.
                if matches!(node.is_revoked(who).await, Ok(true)) {
                    let error = ProtocolError::new(ErrorCode::ResumeFailed, "the token is revoked");
                    self.refuse(&error, id.as_ref());
                    return;
                }
                let resumed = node
                    .resume(
                        &mut self.conn,
                        &self.handle,
                        ws_conn_id,
                        resume_token,
                        last_seq,
                        who,
                        id.as_ref(),
                    )
                    .await;
                match resumed {
                    // The reply is queued by the feed, ahead of the replayed updates.
                    Ok(()) => return,
                    Err(e) => Err(e),
                }
            }
        };
        match result {
            Ok(reply) => self.push(reply),
            Err(Refused { error, close }) => {
                self.fatal = close;
                self.refuse(&error, id.as_ref());
            }
        }
    }
}
