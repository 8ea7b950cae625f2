//! The node: this gateway's coordinator (after centrifuge's `Node`). It owns the hub, the
//! broker, the store and the feed's resume queue, and runs each client operation (subscribe,
//! unsubscribe, resume, close) over a connection's small [`ConnState`]:
//! - the hub answers whether a subscribe brought the pair its first local watcher, or an
//!   unsubscribe took its last one; only then does the node ask the broker to listen (and wait
//!   for Redis to confirm), or to release the channel after `--unsubscribe-delay-ms`;
//! - Redis is written after the hub on subscribe and before it on unsubscribe, so that a
//!   failure leaves nothing behind that the connection does not know about;
//! - a resume claims the session in Redis, takes it over from a connection still holding it
//!   here, and hands the replay to the feed, which orders it with live publications.

use crate::broker::Broker;
use crate::config::Config;
use crate::conn::{ConnId, ConnState, SessionRecord, Subscriptions};
use crate::feed::{ResumeJob, ResumePair};
use crate::hub::{ConnHandle, Hub};
use crate::initial::initial_values;
use crate::metrics::Metrics;
use crate::plan::{plan_subscribe, unsubscribe_targets};
use crate::rate_limit::UserLimits;
use crate::revocation::Revocation;
use crate::store::Store;
use shared::auth::{Identity, Verifier};
use shared::catalogue::Spec;
use shared::clock;
use shared::pair::Pair;
use shared::protocol::{CloseReason, ErrorCode, ProtocolError, UnsubscribeTarget, frames};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{broadcast, mpsc, oneshot};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// How a connection ended, which decides what becomes of its session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ending {
    /// The client sent a close frame: it is done, the session goes at once.
    ClientClosed,
    /// The socket broke without a close frame: the session waits for a resume.
    Lost,
    /// We close it (drain, too slow, token expired, idle, ...): the session waits for a resume.
    Closed(CloseReason),
    /// Another connection resumed the session: it is theirs now, we touch nothing.
    TakenOver,
}

/// A refused request: the error reply, and whether the connection must then close (only a
/// reconnect fixes what failed).
#[derive(Debug)]
pub(crate) struct Refused {
    pub(crate) error: ProtocolError,
    pub(crate) close: Option<CloseReason>,
}

impl From<ProtocolError> for Refused {
    fn from(error: ProtocolError) -> Self {
        Refused { error, close: None }
    }
}

/// Everything a request or a session needs, shared.
pub(crate) struct Node {
    pub(crate) cfg: Config,
    pub(crate) gateway_id: String,
    pub(crate) hub: Arc<Hub>,
    pub(crate) broker: Arc<Broker>,
    pub(crate) store: Store,
    pub(crate) metrics: Arc<Metrics>,
    pub(crate) verifier: Verifier,
    /// Cancelled on SIGTERM: readiness fails, new upgrades are refused, sessions close with 1001.
    pub(crate) shutdown: CancellationToken,
    /// Every session runs on it (warp detaches upgraded connections), so shutdown can wait.
    pub(crate) tracker: TaskTracker,
    pub(crate) started: Instant,
    /// Resumes for the feed.
    pub(crate) resumes: mpsc::Sender<ResumeJob>,
    /// The per-user message budgets of the live sessions.
    pub(crate) user_limits: UserLimits,
    /// Revocations announced in Redis, for every live session to check itself against.
    pub(crate) revocations: broadcast::Sender<Arc<Revocation>>,
}

impl Node {
    pub(crate) fn internal(&self, what: &str, e: impl std::fmt::Display) -> ProtocolError {
        Metrics::inc(&self.metrics.redis_errors);
        tracing::error!(cause = %e, "{what}");
        ProtocolError::new(ErrorCode::Internal, format!("{what}; try again"))
    }

    /// Registers a new connection here and in Redis.
    pub(crate) async fn open(
        &self,
        conn: &ConnState,
        handle: ConnHandle,
    ) -> crate::store::Result<()> {
        let record = handle.record.clone();
        self.hub.add_conn(conn.id.clone(), handle);
        self.store.open_session(&conn.id, &record).await
    }

    /// Makes sure the broker listens to `pair`: always when the hub says it just got its first
    /// local watcher, otherwise only if a concurrent first subscribe has not finished (or
    /// failed).
    async fn listen(&self, pair: &Pair, first: bool) -> redis::RedisResult<()> {
        if first || !self.broker.is_listening(pair) {
            self.broker.listen(pair).await?;
        }
        Ok(())
    }

    pub(crate) async fn subscribe(
        &self,
        conn: &mut ConnState,
        pair: Pair,
        specs: Vec<Spec>,
        request_id: Option<&serde_json::Value>,
    ) -> Result<String, ProtocolError> {
        let new = plan_subscribe(
            &conn.subs,
            &pair,
            &specs,
            self.cfg.max_indicators_per_conn,
            self.cfg.max_pairs_per_conn,
        )?;
        let new_ids: Vec<String> = new.iter().map(Spec::id).collect();
        if !new.is_empty() {
            let first = self.hub.subscribe(&conn.id, &pair, &new);
            conn.subs.add(&pair, new_ids.iter().cloned());
            let registered = match self.listen(&pair, first).await {
                Err(e) => Err(self.internal("could not listen to the pair's channel", e)),
                Ok(()) => self
                    .store
                    .subscribe(&conn.id, &pair, &new_ids, &conn.subs)
                    .await
                    .map_err(|e| self.internal("could not record the subscription", e)),
            };
            if let Err(e) = registered {
                self.drop_ids(conn, &pair, &new_ids);
                return Err(e);
            }
        }
        let initial = match initial_values(&self.store, &pair, &specs).await {
            Ok(initial) => initial,
            Err(e) => {
                // All or nothing: the client is told to retry, so undo what this request added.
                let err = self.internal("could not read initial values", e);
                let added = new_ids.into_iter().map(|id| (pair.clone(), id)).collect();
                self.remove(conn, &added).await.ok();
                return Err(err);
            }
        };
        let ids: Vec<String> = specs.iter().map(Spec::id).collect();
        Ok(frames::subscribed(
            &pair,
            &ids,
            &initial.values,
            initial.seq,
            request_id,
        ))
    }

    pub(crate) async fn unsubscribe(
        &self,
        conn: &mut ConnState,
        target: UnsubscribeTarget,
        request_id: Option<&serde_json::Value>,
    ) -> Result<String, ProtocolError> {
        let wanted = unsubscribe_targets(&conn.subs, target);
        self.remove(conn, &wanted)
            .await
            .map_err(|e| self.internal("could not remove the subscription", e))?;
        let ids: Vec<&str> = wanted.entries().map(|(_, id)| id.as_str()).collect();
        Ok(frames::unsubscribed(&ids, request_id))
    }

    /// Removes watches from Redis first, then from the connection and the hub: if Redis fails,
    /// the connection still knows them and removes them at close.
    async fn remove(
        &self,
        conn: &mut ConnState,
        wanted: &Subscriptions,
    ) -> crate::store::Result<()> {
        if wanted.is_empty() {
            return Ok(());
        }
        let mut remaining = conn.subs.clone();
        for (pair, ids) in wanted.pairs() {
            remaining.remove(pair, &ids.iter().cloned().collect::<Vec<_>>());
        }
        self.store.unsubscribe(&conn.id, wanted, &remaining).await?;
        for (pair, ids) in wanted.pairs() {
            self.drop_ids(conn, pair, &ids.iter().cloned().collect::<Vec<_>>());
        }
        Ok(())
    }

    /// Removes ids from the connection and the hub (not Redis); releases the pair's channel
    /// when its last local watcher left.
    fn drop_ids(&self, conn: &mut ConnState, pair: &Pair, ids: &[String]) {
        conn.subs.remove(pair, ids);
        if self.hub.unsubscribe(&conn.id, pair, ids) {
            self.broker
                .release_later(pair.clone(), self.cfg.unsubscribe_delay);
        }
    }

    /// Takes over session `old` (same user, right token, window open): its subscriptions come
    /// back under its `ws_conn_id`, then what it missed per pair (or fresh values where history
    /// no longer covers the gap), then live updates. The reply is queued by the feed, ahead of
    /// the replayed updates. `handle` is how the hub reaches this connection.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn resume(
        &self,
        conn: &mut ConnState,
        handle: &ConnHandle,
        old: String,
        token: String,
        last_seq: BTreeMap<String, u64>,
        who: &Identity,
        request_id: Option<&serde_json::Value>,
    ) -> Result<(), Refused> {
        let refused = |message: &str| {
            Metrics::inc(&self.metrics.resumes_refused);
            Refused::from(ProtocolError::new(ErrorCode::ResumeFailed, message))
        };
        if conn.resumed || !conn.subs.is_empty() || *old == *conn.id {
            return Err(refused(
                "resume must be the first request on a new connection",
            ));
        }
        let hash = shared::auth::resume_token_hash(&token);
        let claimed = self
            .store
            .claim(&old, &who.user_id, &hash)
            .await
            .map_err(|e| self.internal("could not read the session", e))?;
        let Some(claimed) = claimed else {
            return Err(refused(
                "no session to resume with this ws_conn_id and resume_token for this user \
                 (unknown, ended, or its resume window closed): subscribe again",
            ));
        };
        // From here the session is ours: on failure the connection closes (1011), the session
        // stays resumable, and the client resumes again.
        let fatal = |what: &str, e: &dyn std::fmt::Display| {
            Metrics::inc(&self.metrics.redis_errors);
            tracing::error!(cause = %e, "{what}");
            Refused {
                error: ProtocolError::new(
                    ErrorCode::Internal,
                    format!("{what}; reconnect and resume"),
                ),
                close: Some(CloseReason::ResumeInterrupted),
            }
        };
        // The fresh session this connection opened is not needed.
        if let Err(e) = self
            .store
            .end_session(&conn.id, 0, &Subscriptions::default())
            .await
        {
            tracing::warn!(cause = %e, "could not remove the unused new session");
        }
        self.hub.remove_conn(&conn.id);
        let old_id: ConnId = old.into();
        // Ours from now on, also for the cleanup if what follows fails (it then detaches it).
        conn.id = old_id.clone();
        conn.epoch = claimed.epoch;
        if !claimed.listed {
            return Err(fatal("could not record the resumed session", &"redis"));
        }
        // A connection here may still hold it (the client came back before we saw it leave).
        if let Some(h) = self.hub.handle(&old_id) {
            h.taken_over.cancel();
            let gone = async {
                while self.hub.contains(&old_id) {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            };
            if tokio::time::timeout(Duration::from_secs(3), gone)
                .await
                .is_err()
            {
                return Err(fatal("the previous connection did not let go", &"timeout"));
            }
        }
        conn.resumed = true;
        let record = SessionRecord {
            user_id: who.user_id.clone(),
            session_id: who.session_id.clone(),
            connected_at: clock::now_ms(),
            token_hash: hash,
            epoch: claimed.epoch,
        };
        self.hub.add_conn(
            conn.id.clone(),
            ConnHandle {
                record: Arc::new(record),
                ..handle.clone()
            },
        );
        tracing::info!(ws_conn_id = %conn.id, epoch = claimed.epoch, "session resumed");

        let mut pairs = Vec::new();
        for (pair, ids) in claimed.subscriptions.pairs() {
            let specs: Vec<Spec> = ids.iter().filter_map(|i| Spec::from_id(i).ok()).collect();
            if specs.is_empty() {
                continue;
            }
            let first = self.hub.subscribe_held(&conn.id, pair, &specs);
            conn.subs.add(pair, specs.iter().map(Spec::id));
            pairs.push((
                first,
                ResumePair {
                    last_seq: last_seq.get(&pair.to_string()).copied(),
                    pair: pair.clone(),
                    specs,
                },
            ));
        }
        for (first, p) in &pairs {
            if let Err(e) = self.listen(&p.pair, *first).await {
                return Err(fatal("could not listen to the pair's channel", &e));
            }
            let ids: Vec<String> = p.specs.iter().map(Spec::id).collect();
            if let Err(e) = self
                .store
                .subscribe(&conn.id, &p.pair, &ids, &conn.subs)
                .await
            {
                return Err(fatal("could not restore the subscriptions", &e));
            }
        }
        let (done, finished) = oneshot::channel();
        let job = ResumeJob {
            conn: conn.id.clone(),
            epoch: conn.epoch,
            pairs: pairs.into_iter().map(|(_, p)| p).collect(),
            resume_token: token,
            request_id: request_id.cloned(),
            done,
        };
        if self.resumes.send(job).await.is_err() {
            return Err(fatal("the gateway is stopping", &"no feed"));
        }
        match tokio::time::timeout(Duration::from_secs(10), finished).await {
            Ok(Ok(true)) => {
                Metrics::inc(&self.metrics.resumes);
                Ok(())
            }
            _ => Err(fatal("could not replay the missed updates", &"feed")),
        }
    }

    /// Removes the connection's watches from the hub, settles its session in Redis (gone when
    /// the client closed, kept for the resume window otherwise), then forgets the connection.
    pub(crate) async fn close(&self, conn: &mut ConnState, ending: Ending) {
        let all = std::mem::take(&mut conn.subs);
        for (pair, ids) in all.pairs() {
            let ids: Vec<String> = ids.iter().cloned().collect();
            if self.hub.unsubscribe(&conn.id, pair, &ids) {
                self.broker
                    .release_later(pair.clone(), self.cfg.unsubscribe_delay);
            }
        }
        let result = match ending {
            Ending::TakenOver => Ok(()),
            Ending::ClientClosed => self.store.end_session(&conn.id, conn.epoch, &all).await,
            Ending::Lost | Ending::Closed(_) => {
                Metrics::inc(&self.metrics.sessions_detached);
                let deadline = clock::now_ms() + self.cfg.resume_window.as_millis() as i64;
                self.store.detach(&conn.id, conn.epoch, deadline).await
            }
        };
        if let Err(e) = result {
            Metrics::inc(&self.metrics.redis_errors);
            tracing::error!(cause = %e, "could not settle the session's Redis entries");
        }
        self.hub.remove_conn(&conn.id);
    }
}
