//! One WebSocket connection's life: `connected`, the client's requests, delivery through a
//! bounded queue drained by a writer task, heartbeats, and cleanup. A session talks to the hub,
//! the broker and the store; it never touches Redis itself.

use crate::Gateway;
use crate::feed::{PairOutcome, ResumeJob, ResumePair};
use crate::hub::{ConnHandle, ConnId, Pair};
use crate::initial::initial_values;
use crate::outbox::{Outbox, Push};
use crate::store::{SessionRecord, subscriptions_json};
use futures::{SinkExt, StreamExt};
use hyper_util::rt::TokioIo;
use shared::auth::Identity;
use shared::catalogue::Spec;
use shared::protocol::{self, Action, ErrorCode, ProtocolError, UnsubscribeTarget};
use shared::symbol::Symbol;
use shared::timeframe::Timeframe;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::oneshot;
use tokio::time::Instant;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{Error as WsError, Message, Utf8Bytes};
use tokio_util::sync::CancellationToken;
use tracing::Instrument;
use warp::hyper::upgrade::Upgraded;

pub type Socket = WebSocketStream<TokioIo<Upgraded>>;
type Close = (u16, &'static str);

/// How a connection ended, which decides what becomes of its session.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Ending {
    /// The client sent a close frame: it is done, the session goes at once.
    ClientClosed,
    /// The socket broke without a close frame: the session waits for a resume.
    Lost,
    /// We close it (drain, too slow, token expired, idle, ...): the session waits for a resume.
    Closed(Close),
    /// Another connection resumed the session: it is theirs now, we touch nothing.
    TakenOver,
}

/// Token bucket over client messages.
struct RateLimit {
    capacity: f64,
    per_sec: f64,
    tokens: f64,
    at: Instant,
}

impl RateLimit {
    fn new(per_sec: u32) -> Self {
        let capacity = f64::from(per_sec) * 2.0;
        RateLimit {
            capacity,
            per_sec: f64::from(per_sec),
            tokens: capacity,
            at: Instant::now(),
        }
    }

    fn allow(&mut self, now: Instant) -> bool {
        self.tokens =
            (self.tokens + (now - self.at).as_secs_f64() * self.per_sec).min(self.capacity);
        self.at = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

struct Session {
    gw: Arc<Gateway>,
    id: ConnId,
    /// The session's epoch in `ws_conn:<id>` (0 when new, bumped by each resume).
    epoch: u64,
    outbox: Arc<Outbox>,
    kick: CancellationToken,
    taken_over: CancellationToken,
    /// Set when this connection resumed a session (at most once, before any subscribe).
    resumed: bool,
    /// A request failed in a way only a reconnect fixes: close with it.
    fatal: Option<Close>,
    /// What this connection watches: the authority for cleanup.
    subs: BTreeMap<Pair, BTreeSet<String>>,
}

pub async fn run(gw: Arc<Gateway>, ws: Socket, who: Identity) {
    let id: ConnId = format!("ws_{}", uuid::Uuid::new_v4()).into();
    let span = tracing::info_span!("session", ws_conn_id = %id, user_id = %who.user_id);
    serve(gw, ws, who, id).instrument(span).await;
}

async fn serve(gw: Arc<Gateway>, ws: Socket, who: Identity, id: ConnId) {
    crate::metrics::Metrics::inc(&gw.metrics.connections_opened);
    let outbox = Arc::new(Outbox::new(
        gw.cfg.send_queue,
        gw.cfg.send_queue_max,
        Duration::from_secs(gw.cfg.slow_client_secs),
    ));
    let kick = CancellationToken::new();
    let taken_over = CancellationToken::new();
    let (sink, mut stream) = ws.split();
    let (close_tx, close_rx) = oneshot::channel::<Close>();
    let writer = tokio::spawn(
        write_loop(sink, outbox.clone(), close_rx, gw.cfg.heartbeat()).in_current_span(),
    );
    let mut session = Session {
        gw: gw.clone(),
        id: id.clone(),
        epoch: 0,
        outbox: outbox.clone(),
        kick: kick.clone(),
        taken_over: taken_over.clone(),
        resumed: false,
        fatal: None,
        subs: BTreeMap::new(),
    };
    let resume_token = uuid::Uuid::new_v4().simple().to_string();
    let record = SessionRecord {
        user_id: who.user_id.clone(),
        session_id: who.session_id.clone(),
        connected_at: shared::clock::now_ms(),
        token_hash: shared::auth::resume_token_hash(&resume_token),
        epoch: 0,
    };
    gw.hub
        .add_conn(id.clone(), session.conn_handle(record.clone()));

    let ending = match gw.store.open_session(&id, &record).await {
        Err(e) => {
            tracing::error!(cause = %e, "could not record the session");
            crate::metrics::Metrics::inc(&gw.metrics.redis_errors);
            Ending::Closed((1011, "internal error"))
        }
        Ok(()) => {
            tracing::debug!("session opened");
            session.push(protocol::connected(
                &id,
                &resume_token,
                gw.cfg.heartbeat_secs,
            ));
            session.read_loop(&mut stream, &who).await
        }
    };
    session.finish(ending).await;
    gw.hub.remove_conn(&session.id);
    if let Ending::Closed(close) = ending {
        let _ = close_tx.send(close);
    } else if ending == Ending::TakenOver {
        let _ = close_tx.send((1000, "session resumed on another connection"));
    }
    let close = match ending {
        Ending::Closed(c) => Some(c),
        _ => None,
    };
    outbox.close();
    drop(session);
    let mut writer = writer;
    if tokio::time::timeout(Duration::from_secs(5), &mut writer)
        .await
        .is_err()
    {
        writer.abort();
    }
    crate::metrics::Metrics::inc(&gw.metrics.connections_closed);
    tracing::debug!(close = ?close.map(|c| c.0), "session closed");
}

/// Drains the queue into the socket (one flush per burst), sends pings, and the close frame.
async fn write_loop(
    mut sink: futures::stream::SplitSink<Socket, Message>,
    outbox: Arc<Outbox>,
    mut close_rx: oneshot::Receiver<Close>,
    heartbeat: Duration,
) {
    let mut ping = tokio::time::interval_at(Instant::now() + heartbeat, heartbeat);
    let mut frames = Vec::new();
    loop {
        tokio::select! {
            biased;
            close = &mut close_rx => {
                if let Ok((code, reason)) = close {
                    let frame = CloseFrame { code: code.into(), reason: reason.into() };
                    let _ = tokio::time::timeout(Duration::from_secs(2), sink.send(Message::Close(Some(frame)))).await;
                }
                break;
            }
            more = outbox.take(&mut frames) => {
                if !more {
                    // The session is gone; a close frame may still follow.
                    if let Ok(Ok((code, reason))) = tokio::time::timeout(Duration::from_secs(1), close_rx).await {
                        let frame = CloseFrame { code: code.into(), reason: reason.into() };
                        let _ = tokio::time::timeout(Duration::from_secs(2), sink.send(Message::Close(Some(frame)))).await;
                    }
                    break;
                }
                let mut ok = true;
                for frame in frames.drain(..) {
                    ok = ok && sink.feed(Message::Text(frame)).await.is_ok();
                }
                if !ok || sink.flush().await.is_err() {
                    break;
                }
            }
            _ = ping.tick() => {
                if sink.send(Message::Ping(Default::default())).await.is_err() {
                    break;
                }
            }
        }
    }
    let _ = tokio::time::timeout(Duration::from_secs(1), sink.close()).await;
}

/// Uniform in [0, 1), from the OS randomness behind UUIDs (no extra crate for a jitter).
pub(crate) fn random_fraction() -> f64 {
    // The low 53 bits of a v4 UUID are all random (version and variant bits sit higher).
    (uuid::Uuid::new_v4().as_u128() & ((1 << 53) - 1)) as f64 / (1u64 << 53) as f64
}

impl Session {
    fn conn_handle(&self, record: SessionRecord) -> ConnHandle {
        ConnHandle {
            outbox: self.outbox.clone(),
            kick: self.kick.clone(),
            taken_over: self.taken_over.clone(),
            record: Arc::new(record),
        }
    }

    /// Queues a frame; a full queue means the client is too slow and it is kicked.
    fn push(&self, text: String) {
        if self.outbox.push(Utf8Bytes::from(text), None) == Push::Full && !self.kick.is_cancelled()
        {
            crate::metrics::Metrics::inc(&self.gw.metrics.slow_disconnects);
            self.kick.cancel();
        }
    }

    fn refuse(&self, err: ProtocolError, id: Option<&serde_json::Value>) {
        crate::metrics::Metrics::inc(&self.gw.metrics.client_errors);
        self.push(protocol::error(&err, id));
    }

    async fn read_loop(
        &mut self,
        stream: &mut futures::stream::SplitStream<Socket>,
        who: &Identity,
    ) -> Ending {
        let cfg = &self.gw.cfg;
        let expiry = Duration::from_secs(who.expires_at.saturating_sub(shared::auth::now_secs()));
        let expires = tokio::time::sleep(expiry);
        tokio::pin!(expires);
        let stale = tokio::time::sleep(cfg.stale());
        tokio::pin!(stale);
        let mut rate = RateLimit::new(cfg.rate_limit_per_sec);
        let shutdown = self.gw.shutdown.clone();
        // On drain, each session leaves at its own random moment within the spread, so the
        // clients reconnect to the other gateways gradually rather than all at once.
        let jitter = self.gw.cfg.drain_spread().mul_f64(random_fraction());
        let drained = async move {
            shutdown.cancelled().await;
            tokio::time::sleep(jitter).await;
        };
        tokio::pin!(drained);
        let kick = self.kick.clone();
        let taken_over = self.taken_over.clone();
        loop {
            if let Some(close) = self.fatal {
                return Ending::Closed(close);
            }
            tokio::select! {
                biased;
                _ = taken_over.cancelled() => return Ending::TakenOver,
                _ = kick.cancelled() => return Ending::Closed((4009, "too slow to keep up")),
                _ = &mut drained => return Ending::Closed((1001, "gateway draining: reconnect and resume")),
                _ = &mut expires => return Ending::Closed((1008, "token expired")),
                _ = &mut stale => return Ending::Closed((1000, "idle timeout")),
                frame = stream.next() => {
                    let now = Instant::now();
                    stale.as_mut().reset(now + self.gw.cfg.stale());
                    match frame {
                        Some(Ok(Message::Close(_))) => return Ending::ClientClosed,
                        None => return Ending::Lost,
                        Some(Err(WsError::Capacity(_))) => return Ending::Closed((1009, "message too big")),
                        Some(Err(e)) => {
                            tracing::debug!(cause = %e, "socket error");
                            return Ending::Lost;
                        }
                        Some(Ok(Message::Text(text))) => {
                            crate::metrics::Metrics::inc(&self.gw.metrics.client_messages);
                            if rate.allow(now) {
                                self.handle(text.as_str(), who).await;
                            } else {
                                let (id, _) = protocol::parse(text.as_str());
                                self.refuse(ProtocolError::new(ErrorCode::RateLimited, format!(
                                    "more than {} messages per second; slow down", self.gw.cfg.rate_limit_per_sec)), id.as_ref());
                            }
                        }
                        Some(Ok(Message::Binary(_))) => {
                            self.refuse(ProtocolError::new(ErrorCode::InvalidJson, "binary frames are not accepted: send JSON text"), None);
                        }
                        Some(Ok(_)) => {} // ping/pong: liveness only
                    }
                }
            }
        }
    }

    async fn handle(&mut self, text: &str, who: &Identity) {
        let (id, action) = protocol::parse(text);
        let result = match action {
            Err(e) => Err(e),
            Ok(Action::Ping) => Ok(protocol::pong(
                &shared::clock::rfc3339_micros(shared::clock::now_us()),
                id.as_ref(),
            )),
            Ok(Action::Subscribe {
                symbol,
                timeframe,
                indicators,
            }) => {
                self.subscribe(symbol, timeframe, indicators, id.as_ref())
                    .await
            }
            Ok(Action::Unsubscribe(target)) => self.unsubscribe(target, id.as_ref()).await,
            Ok(Action::Resume {
                ws_conn_id,
                resume_token,
                last_seq,
            }) => match self
                .resume(ws_conn_id, resume_token, last_seq, who, id.as_ref())
                .await
            {
                // The reply is queued by the feed, ahead of the replayed updates.
                Ok(()) => return,
                Err(e) => Err(e),
            },
        };
        match result {
            Ok(reply) => self.push(reply),
            Err(e) => self.refuse(e, id.as_ref()),
        }
    }

    fn count(&self) -> usize {
        self.subs.values().map(BTreeSet::len).sum()
    }

    fn subscriptions_json(&self) -> String {
        subscriptions_json(&self.subs)
    }

    /// Removes watches from Redis first, then from this session and the hub: if Redis fails,
    /// the session still knows them and removes them at close.
    async fn remove(
        &mut self,
        wanted: Vec<(Pair, Vec<String>)>,
    ) -> Result<Vec<(String, Timeframe, String)>, crate::store::StoreError> {
        let removed: Vec<(String, Timeframe, String)> = wanted
            .iter()
            .flat_map(|(pair, ids)| ids.iter().map(move |i| (pair.0.clone(), pair.1, i.clone())))
            .collect();
        if removed.is_empty() {
            return Ok(removed);
        }
        let mut remaining = self.subs.clone();
        for (pair, ids) in &wanted {
            if let Some(held) = remaining.get_mut(pair) {
                held.retain(|i| !ids.contains(i));
            }
        }
        remaining.retain(|_, ids| !ids.is_empty());
        self.gw
            .store
            .unsubscribe(&self.id, &removed, &subscriptions_json(&remaining))
            .await?;
        for (pair, ids) in wanted {
            self.drop_ids(&pair, &ids);
        }
        Ok(removed)
    }

    fn internal(&self, what: &str, e: impl std::fmt::Display) -> ProtocolError {
        crate::metrics::Metrics::inc(&self.gw.metrics.redis_errors);
        tracing::error!(cause = %e, "{what}");
        ProtocolError::new(ErrorCode::Internal, format!("{what}; try again"))
    }

    async fn subscribe(
        &mut self,
        symbol: Symbol,
        tf: Timeframe,
        specs: Vec<Spec>,
        id: Option<&serde_json::Value>,
    ) -> Result<String, ProtocolError> {
        let pair: Pair = (symbol.as_str().to_owned(), tf);
        let held = self.subs.get(&pair);
        let new: Vec<Spec> = specs
            .iter()
            .filter(|s| held.is_none_or(|h| !h.contains(&s.id())))
            .copied()
            .collect();
        let max = self.gw.cfg.max_indicators_per_conn;
        if self.count() + new.len() > max {
            return Err(ProtocolError::new(
                ErrorCode::TooManyIndicators,
                format!(
                    "a connection may watch at most {max} indicators; it watches {}",
                    self.count()
                ),
            ));
        }
        let new_ids: Vec<String> = new.iter().map(Spec::id).collect();
        if !new.is_empty() {
            self.gw.hub.subscribe(&self.id, &pair, &new);
            self.subs
                .entry(pair.clone())
                .or_default()
                .extend(new_ids.iter().cloned());
            let registered = match self.gw.broker.ensure(&pair).await {
                Err(e) => Err(self.internal("could not listen to the pair's channel", e)),
                Ok(()) => self
                    .gw
                    .store
                    .subscribe(
                        &self.id,
                        symbol.as_str(),
                        tf,
                        &new_ids,
                        &self.subscriptions_json(),
                    )
                    .await
                    .map_err(|e| self.internal("could not record the subscription", e)),
            };
            if let Err(e) = registered {
                self.drop_ids(&pair, &new_ids);
                return Err(e);
            }
        }
        let initial = match initial_values(&self.gw.store, symbol.as_str(), tf, &specs).await {
            Ok(initial) => initial,
            Err(e) => {
                // All or nothing: the client is told to retry, so undo what this request added.
                let err = self.internal("could not read initial values", e);
                self.remove(vec![(pair, new_ids)]).await.ok();
                return Err(err);
            }
        };
        let ids: Vec<String> = specs.iter().map(Spec::id).collect();
        Ok(protocol::success(
            &format!("Subscribed to {} indicators", ids.len()),
            serde_json::json!({
                "symbol": symbol.as_str(),
                "timeframe": tf.as_str(),
                "indicators": ids,
                "initial_values": initial.values,
                "seq": initial.seq,
            }),
            id,
        ))
    }

    /// Removes ids from this session and the hub (not Redis); releases an emptied channel.
    fn drop_ids(&mut self, pair: &Pair, ids: &[String]) {
        if let Some(held) = self.subs.get_mut(pair) {
            for i in ids {
                held.remove(i);
            }
            if held.is_empty() {
                self.subs.remove(pair);
            }
        }
        if self.gw.hub.unsubscribe(&self.id, pair, ids) {
            let delay = Duration::from_millis(self.gw.cfg.unsubscribe_delay_ms);
            self.gw
                .broker
                .release_later(self.gw.hub.clone(), pair.clone(), delay);
        }
    }

    async fn unsubscribe(
        &mut self,
        target: UnsubscribeTarget,
        id: Option<&serde_json::Value>,
    ) -> Result<String, ProtocolError> {
        let wanted: Vec<(Pair, Vec<String>)> = match target {
            UnsubscribeTarget::All => self
                .subs
                .iter()
                .map(|(p, ids)| (p.clone(), ids.iter().cloned().collect()))
                .collect(),
            UnsubscribeTarget::Pair { symbol, timeframe } => {
                let pair = (symbol.as_str().to_owned(), timeframe);
                let ids = self
                    .subs
                    .get(&pair)
                    .map(|s| s.iter().cloned().collect())
                    .unwrap_or_default();
                vec![(pair, ids)]
            }
            UnsubscribeTarget::Indicators {
                symbol,
                timeframe,
                ids,
            } => {
                let pair = (symbol.as_str().to_owned(), timeframe);
                let held = self.subs.get(&pair);
                let ids = ids
                    .into_iter()
                    .filter(|i| held.is_some_and(|h| h.contains(i)))
                    .collect();
                vec![(pair, ids)]
            }
        };
        let removed = self
            .remove(wanted)
            .await
            .map_err(|e| self.internal("could not remove the subscription", e))?;
        let ids: Vec<&str> = removed.iter().map(|r| r.2.as_str()).collect();
        Ok(protocol::success(
            &format!("Unsubscribed from {} indicators", ids.len()),
            serde_json::json!({ "indicators": ids }),
            id,
        ))
    }

    /// Takes over session `old` (same user, right token, window open): its subscriptions come
    /// back under its `ws_conn_id`, then what it missed per pair (or fresh values where history
    /// no longer covers the gap), then live updates.
    async fn resume(
        &mut self,
        old: String,
        token: String,
        last_seq: BTreeMap<String, u64>,
        who: &Identity,
        req: Option<&serde_json::Value>,
    ) -> Result<(), ProtocolError> {
        let metrics = &self.gw.metrics;
        if self.resumed || !self.subs.is_empty() || *old == *self.id {
            crate::metrics::Metrics::inc(&metrics.resumes_refused);
            return Err(ProtocolError::new(
                ErrorCode::ResumeFailed,
                "resume must be the first request on a new connection",
            ));
        }
        let hash = shared::auth::resume_token_hash(&token);
        let claimed = self
            .gw
            .store
            .claim(&old, &who.user_id, &hash)
            .await
            .map_err(|e| self.internal("could not read the session", e))?;
        let Some(claimed) = claimed else {
            crate::metrics::Metrics::inc(&metrics.resumes_refused);
            return Err(ProtocolError::new(
                ErrorCode::ResumeFailed,
                "no session to resume with this ws_conn_id and resume_token for this user \
                 (unknown, ended, or its resume window closed): subscribe again",
            ));
        };
        // From here the session is ours: on failure the connection closes (1011), the session
        // stays resumable, and the client resumes again.
        let fatal = |s: &mut Session, what: &str, e: &dyn std::fmt::Display| {
            crate::metrics::Metrics::inc(&s.gw.metrics.redis_errors);
            tracing::error!(cause = %e, "{what}");
            s.fatal = Some((1011, "internal error: reconnect and resume"));
            ProtocolError::new(ErrorCode::Internal, format!("{what}; reconnect and resume"))
        };
        // The fresh session this connection opened is not needed.
        if let Err(e) = self.gw.store.end_session(&self.id, 0, &[]).await {
            tracing::warn!(cause = %e, "could not remove the unused new session");
        }
        self.gw.hub.remove_conn(&self.id);
        let old_id: ConnId = old.into();
        // Ours from now on, also for the cleanup if what follows fails (it then detaches it).
        self.id = old_id.clone();
        self.epoch = claimed.epoch;
        if !claimed.listed {
            return Err(fatal(
                self,
                "could not record the resumed session",
                &"redis",
            ));
        }
        // A connection here may still hold it (the client came back before we saw it leave).
        if let Some(h) = self.gw.hub.handle(&old_id) {
            h.taken_over.cancel();
            let gone = async {
                while self.gw.hub.contains(&old_id) {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            };
            if tokio::time::timeout(Duration::from_secs(3), gone)
                .await
                .is_err()
            {
                return Err(fatal(
                    self,
                    "the previous connection did not let go",
                    &"timeout",
                ));
            }
        }
        self.resumed = true;
        let record = SessionRecord {
            user_id: who.user_id.clone(),
            session_id: who.session_id.clone(),
            connected_at: shared::clock::now_ms(),
            token_hash: hash,
            epoch: claimed.epoch,
        };
        self.gw
            .hub
            .add_conn(self.id.clone(), self.conn_handle(record));
        tracing::info!(ws_conn_id = %self.id, epoch = claimed.epoch, "session resumed");

        let mut pairs = Vec::new();
        for (pair, ids) in claimed.subscriptions {
            let specs: Vec<Spec> = ids.iter().filter_map(|i| Spec::from_id(i).ok()).collect();
            if specs.is_empty() {
                continue;
            }
            self.gw.hub.subscribe_held(&self.id, &pair, &specs);
            self.subs
                .entry(pair.clone())
                .or_default()
                .extend(specs.iter().map(Spec::id));
            let key = format!("{}:{}", pair.0, pair.1);
            pairs.push(ResumePair {
                last_seq: last_seq.get(&key).copied(),
                pair,
                specs,
            });
        }
        let subs_json = self.subscriptions_json();
        for p in &pairs {
            if let Err(e) = self.gw.broker.ensure(&p.pair).await {
                return Err(fatal(self, "could not listen to the pair's channel", &e));
            }
            let ids: Vec<String> = p.specs.iter().map(Spec::id).collect();
            let written = self
                .gw
                .store
                .subscribe(&self.id, &p.pair.0, p.pair.1, &ids, &subs_json)
                .await;
            if let Err(e) = written {
                return Err(fatal(self, "could not restore the subscriptions", &e));
            }
        }
        let (done, finished) = oneshot::channel();
        let (id, req) = (self.id.to_string(), req.cloned());
        let job = ResumeJob {
            conn: self.id.clone(),
            epoch: self.epoch,
            pairs,
            reply: Box::new(move |outcomes| resumed_reply(&id, &token, outcomes, req.as_ref())),
            done,
        };
        if !self.gw.broker.resume(job).await {
            return Err(fatal(self, "the gateway is stopping", &"no feed"));
        }
        match tokio::time::timeout(Duration::from_secs(10), finished).await {
            Ok(Ok(true)) => {
                crate::metrics::Metrics::inc(&self.gw.metrics.resumes);
                Ok(())
            }
            _ => Err(fatal(self, "could not replay the missed updates", &"feed")),
        }
    }

    /// Removes the connection's watches from the hub, then settles its session in Redis: gone
    /// when the client closed, kept for the resume window otherwise.
    async fn finish(&mut self, ending: Ending) {
        let all: Vec<(String, Timeframe, String)> = self
            .subs
            .iter()
            .flat_map(|((s, tf), ids)| ids.iter().map(move |i| (s.clone(), *tf, i.clone())))
            .collect();
        let pairs: Vec<(Pair, Vec<String>)> = self
            .subs
            .iter()
            .map(|(p, ids)| (p.clone(), ids.iter().cloned().collect()))
            .collect();
        for (pair, ids) in pairs {
            self.drop_ids(&pair, &ids);
        }
        let result = match ending {
            Ending::TakenOver => return,
            Ending::ClientClosed => self.gw.store.end_session(&self.id, self.epoch, &all).await,
            Ending::Lost | Ending::Closed(_) => {
                crate::metrics::Metrics::inc(&self.gw.metrics.sessions_detached);
                let deadline =
                    shared::clock::now_ms() + self.gw.cfg.resume_window_secs as i64 * 1000;
                self.gw.store.detach(&self.id, self.epoch, deadline).await
            }
        };
        if let Err(e) = result {
            crate::metrics::Metrics::inc(&self.gw.metrics.redis_errors);
            tracing::error!(cause = %e, "could not settle the session's Redis entries");
        }
    }
}

/// The reply to a successful `resume`.
fn resumed_reply(
    ws_conn_id: &str,
    resume_token: &str,
    outcomes: &[PairOutcome],
    req: Option<&serde_json::Value>,
) -> String {
    let mut pairs = serde_json::Map::new();
    for o in outcomes {
        let mut p = serde_json::json!({
            "indicators": o.ids,
            "recovered": o.recovered,
            "replayed": o.replayed,
        });
        if let Some(initial) = &o.initial {
            p["initial_values"] = serde_json::json!(initial.values);
            p["seq"] = serde_json::json!(initial.seq);
        }
        pairs.insert(format!("{}:{}", o.pair.0, o.pair.1), p);
    }
    protocol::success(
        &format!("Resumed {ws_conn_id}"),
        serde_json::json!({
            "ws_conn_id": ws_conn_id,
            "resume_token": resume_token,
            "recovered": outcomes.iter().all(|o| o.recovered),
            "subscriptions": pairs,
        }),
        req,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    // Shows the bucket allows a burst of twice the rate, then refills with time.
    #[test]
    fn rate_limit_bucket() {
        let t0 = Instant::now();
        let mut r = RateLimit::new(5);
        r.at = t0;
        assert_eq!((0..12).filter(|_| r.allow(t0)).count(), 10);
        assert!(r.allow(t0 + Duration::from_millis(200)));
        assert!(!r.allow(t0 + Duration::from_millis(200)));
    }
}
