//! The feed: one task that owns the order of every pair's publications. It takes the broker's
//! link events and the node's resumes from two bounded channels, and keeps the last seq
//! delivered per pair, so everything below is ordered with the live publications:
//! - a publication whose `prev_seq` is not the last seq seen for its pair means some were
//!   missed (a dropped link, a computer failover race, Redis losing data): they are replayed
//!   from history when it still chains from the last seq, otherwise the pair's watchers get
//!   `resync` with fresh values (`recovered: false`);
//! - a publication at or below the last seq is a duplicate and is dropped;
//! - after the link is rebuilt, every watched pair is repaired the same way;
//! - a `resume` is served here too: reply, replayed history, then live, with nothing in between.

use crate::broker::{Broker, LinkEvent};
use crate::conn::ConnId;
use crate::hub::Hub;
use crate::initial::{Initial, initial_values};
use crate::metrics::Metrics;
use crate::store::Store;
use shared::catalogue::Spec;
use shared::pair::Pair;
use shared::protocol::frames::{self, ResumedPair};
use shared::update::UpdateBatch;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

/// Most publications read back for one pair at once; a longer gap is not recovered.
const MAX_REPLAY: usize = 100_000;

/// Resumes waiting for the feed.
pub(crate) const RESUME_QUEUE: usize = 1024;

/// One pair of a session being resumed.
#[derive(Debug)]
pub(crate) struct ResumePair {
    pub(crate) pair: Pair,
    pub(crate) specs: Vec<Spec>,
    /// The client's `last_seq` for the pair, if it gave one.
    pub(crate) last_seq: Option<u64>,
}

/// A connection that took over a session and waits for its missed updates. Its watches are
/// already in the hub, held (see [`Hub::subscribe_held`]).
#[derive(Debug)]
pub(crate) struct ResumeJob {
    pub(crate) conn: ConnId,
    /// The session epoch the connection claimed.
    pub(crate) epoch: u64,
    pub(crate) pairs: Vec<ResumePair>,
    /// For the reply: the session's resume token and the request's `id`.
    pub(crate) resume_token: String,
    pub(crate) request_id: Option<serde_json::Value>,
    pub(crate) done: oneshot::Sender<bool>,
}

/// What happened to one pair of a resumed session.
struct PairOutcome {
    pair: Pair,
    ids: Vec<String>,
    /// History from the client's seq on, when it covers the gap (`recovered`).
    replay: Option<Vec<UpdateBatch>>,
    /// The seq the connection is caught up to once the replay is queued.
    reached: u64,
    /// Fresh values when not recovered.
    initial: Option<Initial>,
}

/// What to do with a publication, given the last seq delivered for its pair.
#[derive(Debug, PartialEq, Eq)]
enum Verdict {
    Deliver,
    /// Already delivered (or older).
    Duplicate,
    /// Publications after `last` up to `prev_seq` are missing.
    Gap {
        last: u64,
    },
}

fn verdict(last: Option<u64>, batch: &UpdateBatch) -> Verdict {
    match last {
        None => Verdict::Deliver,
        Some(last) if batch.seq <= last => Verdict::Duplicate,
        Some(last) if batch.prev_seq != last => Verdict::Gap { last },
        Some(_) => Verdict::Deliver,
    }
}

/// The last seq of `batches` when they continue `after` without a hole up to `target`.
fn covered(after: u64, batches: &[UpdateBatch], target: Option<u64>) -> Option<u64> {
    let reached = batches.last().map_or(after, |b| b.seq);
    (chains(after, batches) && target == Some(reached)).then_some(reached)
}

/// True when `batches` continue `after` without a hole.
fn chains(after: u64, batches: &[UpdateBatch]) -> bool {
    let mut last = after;
    for b in batches {
        if b.prev_seq != last {
            return false;
        }
        last = b.seq;
    }
    true
}

#[derive(Debug)]
pub(crate) struct Feed {
    pub(crate) hub: Arc<Hub>,
    pub(crate) store: Store,
    pub(crate) broker: Arc<Broker>,
    pub(crate) metrics: Arc<Metrics>,
    /// Most frames one resume replays to one connection (its send queue's soft limit).
    pub(crate) max_replay_frames: usize,
    /// The last seq delivered per pair while the broker listens to it.
    last_seq: HashMap<Pair, u64>,
}

impl Feed {
    pub(crate) fn new(
        hub: Arc<Hub>,
        store: Store,
        broker: Arc<Broker>,
        metrics: Arc<Metrics>,
        max_replay_frames: usize,
    ) -> Self {
        Feed {
            hub,
            store,
            broker,
            metrics,
            max_replay_frames,
            last_seq: HashMap::new(),
        }
    }

    /// Serves link events and resumes, one at a time, until `shutdown`.
    pub(crate) async fn run(
        mut self,
        mut events: mpsc::Receiver<LinkEvent>,
        mut resumes: mpsc::Receiver<ResumeJob>,
        shutdown: CancellationToken,
    ) {
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => return,
                Some(event) = events.recv() => match event {
                    LinkEvent::Publication(batch) => self.publication(batch).await,
                    LinkEvent::Relinked => self.relinked().await,
                    LinkEvent::Released(pair) => {
                        // Listened to again meanwhile: what we know is current.
                        if !self.broker.is_listening(&pair) {
                            self.last_seq.remove(&pair);
                        }
                    }
                },
                Some(job) = resumes.recv() => self.resume(job).await,
                else => return,
            }
        }
    }

    /// Records the pair's last delivered seq, while the broker listens to it (a publication
    /// read after the pair was released says nothing about a later subscription).
    fn delivered(&mut self, pair: &Pair, seq: u64) {
        if self.broker.is_listening(pair) {
            self.last_seq.insert(pair.clone(), seq);
        }
    }

    /// One publication from the pub/sub link.
    async fn publication(&mut self, batch: UpdateBatch) {
        let Some(pair) = batch.pair() else {
            return;
        };
        match verdict(self.last_seq.get(&pair).copied(), &batch) {
            Verdict::Duplicate => {
                Metrics::inc(&self.metrics.stale_publications);
                return;
            }
            Verdict::Gap { last } => {
                if !self.repair(&pair, last, Some(batch.prev_seq)).await {
                    // Neither replayed nor resynced (Redis failing): hold this one back too,
                    // so the next publication tries again rather than leaving a silent gap.
                    return;
                }
                if self.last_seq.get(&pair).is_some_and(|&l| batch.seq <= l) {
                    return;
                }
            }
            Verdict::Deliver => {}
        }
        self.hub.dispatch(&batch, &self.metrics);
        self.delivered(&pair, batch.seq);
    }

    /// After the link was rebuilt: every watched pair may have missed publications.
    async fn relinked(&mut self) {
        let pairs = self.hub.pairs();
        for pair in &pairs {
            let _ = match self.last_seq.get(pair).copied() {
                Some(last) => self.repair(pair, last, None).await,
                None => self.resync(pair).await,
            };
        }
        tracing::info!(
            pairs = pairs.len(),
            "pub/sub link back; watched pairs repaired"
        );
    }

    /// Delivers the pair's publications after `last` (up to `until`, inclusive, when given)
    /// from history if they chain from `last`; otherwise resyncs the pair's watchers. False
    /// when neither could be done.
    async fn repair(&mut self, pair: &Pair, last: u64, until: Option<u64>) -> bool {
        let (mut batches, current) = match self.store.history_after(pair, last, MAX_REPLAY).await {
            Ok(r) => r,
            Err(e) => {
                Metrics::inc(&self.metrics.redis_errors);
                tracing::warn!(cause = %e, %pair, "history read failed");
                return self.resync(pair).await;
            }
        };
        if let Some(until) = until {
            batches.retain(|b| b.seq <= until);
        }
        // Up to the publication that showed the gap, or else the pair's last seq.
        let Some(reached) = covered(last, &batches, until.or(current)) else {
            return self.resync(pair).await;
        };
        for b in &batches {
            self.hub.dispatch(b, &self.metrics);
        }
        if !batches.is_empty() {
            Metrics::inc(&self.metrics.gaps_repaired);
            tracing::info!(%pair, replayed = batches.len(), "gap repaired from history");
        }
        self.delivered(pair, reached);
        true
    }

    /// Sends the pair's watchers fresh values (`resync`, `recovered: false`). False when the
    /// values could not be read.
    async fn resync(&mut self, pair: &Pair) -> bool {
        let ids = self.hub.watched_ids(pair);
        if ids.is_empty() {
            return true;
        }
        let specs: Vec<Spec> = ids.iter().filter_map(|id| Spec::from_id(id).ok()).collect();
        match initial_values(&self.store, pair, &specs).await {
            Ok(initial) => {
                Metrics::inc(&self.metrics.resyncs);
                self.hub
                    .push_resync(pair, &initial.values, initial.seq, &self.metrics);
                self.delivered(pair, initial.seq);
                true
            }
            Err(e) => {
                Metrics::inc(&self.metrics.redis_errors);
                tracing::warn!(cause = %e, %pair, "resync failed");
                false
            }
        }
    }

    /// What one pair of a resume gets: the history the client missed if it covers all of it
    /// (and fits the connection's queue), otherwise fresh values. `None` when Redis failed.
    async fn resume_pair(&self, p: ResumePair) -> Option<PairOutcome> {
        let ids: Vec<String> = p.specs.iter().map(Spec::id).collect();
        if let Some(after) = p.last_seq {
            match self.store.history_after(&p.pair, after, MAX_REPLAY).await {
                // More frames than the connection's queue takes at once would get it closed
                // as too slow: fresh values instead.
                Ok((batches, current)) => {
                    if let Some(reached) = covered(after, &batches, current)
                        .filter(|_| batches.len() * ids.len() <= self.max_replay_frames)
                    {
                        return Some(PairOutcome {
                            pair: p.pair,
                            ids,
                            replay: Some(batches),
                            reached,
                            initial: None,
                        });
                    }
                }
                Err(e) => {
                    Metrics::inc(&self.metrics.redis_errors);
                    tracing::warn!(cause = %e, "history read failed");
                }
            }
        }
        match initial_values(&self.store, &p.pair, &p.specs).await {
            Ok(initial) => Some(PairOutcome {
                pair: p.pair,
                ids,
                replay: None,
                reached: initial.seq,
                initial: Some(initial),
            }),
            Err(e) => {
                Metrics::inc(&self.metrics.redis_errors);
                tracing::warn!(cause = %e, "initial values for a resume failed");
                None
            }
        }
    }

    /// Serves a resume: per pair, replays from history what the client missed if history
    /// covers all of it, otherwise reads fresh values; queues the reply, then the replays.
    async fn resume(&self, job: ResumeJob) {
        // A job that outlived its connection (timed out, then the client came back) is void.
        if self
            .hub
            .handle(&job.conn)
            .is_none_or(|h| h.record.epoch != job.epoch)
        {
            let _ = job.done.send(false);
            return;
        }
        let mut outcomes = Vec::with_capacity(job.pairs.len());
        for p in job.pairs {
            match self.resume_pair(p).await {
                Some(o) => outcomes.push(o),
                None => {
                    let _ = job.done.send(false);
                    return;
                }
            }
        }
        let pairs: Vec<ResumedPair<'_>> = outcomes
            .iter()
            .map(|o| ResumedPair {
                pair: &o.pair,
                ids: &o.ids,
                recovered: o.replay.is_some(),
                replayed: o.replay.as_ref().map_or(0, Vec::len),
                initial: o.initial.as_ref().map(|i| (&i.values, i.seq)),
            })
            .collect();
        let mut reply = Some(frames::resumed(
            &job.conn,
            &job.resume_token,
            &pairs,
            job.request_id.as_ref(),
        ));
        for o in &outcomes {
            let batches = o.replay.as_deref().unwrap_or_default();
            let n = self.hub.replay(
                &job.conn,
                reply.take(),
                &o.pair,
                batches,
                o.reached,
                &self.metrics,
            );
            self.metrics
                .replayed_updates
                .fetch_add(n as u64, Ordering::Relaxed);
        }
        if let Some(reply) = reply {
            self.hub.push_to(&job.conn, reply, &self.metrics);
        }
        let _ = job.done.send(true);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::timeframe::Timeframe;

    fn b(prev_seq: u64, seq: u64) -> UpdateBatch {
        UpdateBatch {
            symbol: "X".into(),
            timeframe: Timeframe::M1,
            seq,
            prev_seq,
            candle_time: 0,
            computed_at_us: 0,
            is_final: true,
            values: vec![],
        }
    }

    // Shows a replay is accepted only when it continues the client's last seq without a hole.
    #[test]
    fn chain_check() {
        assert!(chains(5, &[]));
        assert!(chains(5, &[b(5, 6), b(6, 7)]));
        assert!(!chains(5, &[b(6, 7)]), "seq 6 is missing");
        assert!(!chains(5, &[b(5, 6), b(0, 9)]), "the chain restarted");
        assert_eq!(covered(5, &[b(5, 6), b(6, 7)], Some(7)), Some(7));
        assert_eq!(covered(5, &[b(5, 6)], Some(7)), None, "history stops short");
        assert_eq!(covered(5, &[], Some(5)), Some(5), "nothing was missed");
    }

    // Shows how a publication is judged against the pair's last delivered seq.
    #[test]
    fn verdicts() {
        assert_eq!(verdict(None, &b(0, 10)), Verdict::Deliver, "first one seen");
        assert_eq!(verdict(Some(9), &b(9, 10)), Verdict::Deliver);
        assert_eq!(verdict(Some(10), &b(9, 10)), Verdict::Duplicate);
        assert_eq!(verdict(Some(12), &b(9, 10)), Verdict::Duplicate, "older");
        assert_eq!(verdict(Some(7), &b(9, 10)), Verdict::Gap { last: 7 });
        assert_eq!(
            verdict(Some(7), &b(0, 10)),
            Verdict::Gap { last: 7 },
            "the computer lost its seq"
        );
    }
}
