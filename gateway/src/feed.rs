//! The feed: puts the pair's publications in seq order before the hub delivers them, and fills
//! what is missing from the pair's history stream in Redis.
//!
//! It runs inside the broker's receive loop, so everything here is ordered with the live
//! publications of every pair:
//! - a publication whose `prev_seq` is not the last seq seen for its pair means some were
//!   missed (a dropped link, a computer failover race, Redis losing data): they are replayed
//!   from history when it still chains from the last seq, otherwise the pair's watchers get
//!   `resync` with fresh values (`recovered: false`);
//! - a publication at or below the last seq is a duplicate and is dropped;
//! - after the pub/sub link is rebuilt, every watched pair is repaired the same way;
//! - a `resume` is served here too: reply, replayed history, then live, with nothing in between.

use crate::broker::Broker;
use crate::hub::{ConnId, Hub, Pair};
use crate::initial::{Initial, initial_values};
use crate::metrics::Metrics;
use crate::store::Store;
use shared::catalogue::Spec;
use shared::update::UpdateBatch;
use std::sync::Arc;
use tokio::sync::oneshot;

/// Most publications read back for one pair at once; a longer gap is not recovered.
const MAX_REPLAY: usize = 100_000;

/// One pair of a session being resumed.
pub struct ResumePair {
    pub pair: Pair,
    pub specs: Vec<Spec>,
    /// The client's `last_seq` for the pair, if it gave one.
    pub last_seq: Option<u64>,
}

/// What happened to one pair of a resumed session.
pub struct PairOutcome {
    pub pair: Pair,
    pub ids: Vec<String>,
    pub recovered: bool,
    pub replayed: usize,
    /// Fresh values when not recovered.
    pub initial: Option<Initial>,
}

pub type ReplyBuilder = Box<dyn FnOnce(&[PairOutcome]) -> String + Send>;

/// A connection that took over a session and waits for its missed updates. Its watches are
/// already in the hub, held (see [`Hub::subscribe_held`]).
pub struct ResumeJob {
    pub conn: ConnId,
    /// The session epoch the connection claimed.
    pub epoch: u64,
    pub pairs: Vec<ResumePair>,
    /// Builds the reply frame, queued before the replayed updates.
    pub reply: ReplyBuilder,
    pub done: oneshot::Sender<bool>,
}

pub struct Feed {
    pub hub: Arc<Hub>,
    pub store: Store,
    pub broker: Arc<Broker>,
    pub metrics: Arc<Metrics>,
    /// Most frames one resume replays to one connection (its send queue's soft limit).
    pub max_replay_frames: usize,
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

impl Feed {
    /// One publication from the pub/sub link.
    pub async fn publication(&self, batch: UpdateBatch) {
        let pair: Pair = (batch.symbol.clone(), batch.timeframe);
        if let Some(last) = self.broker.last_seq(&pair) {
            if batch.seq <= last {
                Metrics::inc(&self.metrics.stale_publications);
                return;
            }
            if batch.prev_seq != last {
                if !self.repair(&pair, last, Some(batch.prev_seq)).await {
                    // Neither replayed nor resynced (Redis failing): hold this one back too,
                    // so the next publication tries again rather than leaving a silent gap.
                    return;
                }
                if self.broker.last_seq(&pair).is_some_and(|l| batch.seq <= l) {
                    return;
                }
            }
        }
        self.hub.dispatch(&batch, &self.metrics);
        self.broker.set_last_seq(&pair, batch.seq);
    }

    /// After the link was rebuilt: every watched pair may have missed publications.
    pub async fn relinked(&self) {
        let pairs = self.hub.watched_pairs();
        for (pair, _) in &pairs {
            let _ = match self.broker.last_seq(pair) {
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
    async fn repair(&self, pair: &Pair, last: u64, until: Option<u64>) -> bool {
        let read = self
            .store
            .history_after(&pair.0, pair.1, last, MAX_REPLAY)
            .await;
        let (mut batches, current) = match read {
            Ok(r) => r,
            Err(e) => {
                Metrics::inc(&self.metrics.redis_errors);
                tracing::warn!(cause = %e, symbol = %pair.0, timeframe = %pair.1, "history read failed");
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
            tracing::info!(symbol = %pair.0, timeframe = %pair.1, replayed = batches.len(), "gap repaired from history");
        }
        self.broker.set_last_seq(pair, reached);
        true
    }

    /// Sends the pair's watchers fresh values (`resync`, `recovered: false`). False when the
    /// values could not be read.
    async fn resync(&self, pair: &Pair) -> bool {
        let ids = self.hub.watched_ids(pair);
        if ids.is_empty() {
            return true;
        }
        let specs: Vec<Spec> = ids.iter().filter_map(|id| Spec::from_id(id).ok()).collect();
        match initial_values(&self.store, &pair.0, pair.1, &specs).await {
            Ok(initial) => {
                Metrics::inc(&self.metrics.resyncs);
                self.hub
                    .push_resync(pair, &initial.values, initial.seq, &self.metrics);
                self.broker.set_last_seq(pair, initial.seq);
                true
            }
            Err(e) => {
                Metrics::inc(&self.metrics.redis_errors);
                tracing::warn!(cause = %e, symbol = %pair.0, timeframe = %pair.1, "resync failed");
                false
            }
        }
    }

    /// Serves a resume: per pair, replays from history what the client missed if history
    /// covers all of it, otherwise reads fresh values; queues the reply, then the replays.
    pub async fn resume(&self, job: ResumeJob) {
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
        let mut replays = Vec::with_capacity(job.pairs.len());
        let mut ok = true;
        for p in job.pairs {
            let ids: Vec<String> = p.specs.iter().map(Spec::id).collect();
            let history = match p.last_seq {
                Some(after) => match self
                    .store
                    .history_after(&p.pair.0, p.pair.1, after, MAX_REPLAY)
                    .await
                {
                    // More frames than the connection's queue takes at once would get it closed
                    // as too slow: fresh values instead.
                    Ok((batches, current)) => covered(after, &batches, current)
                        .filter(|_| batches.len() * ids.len() <= self.max_replay_frames)
                        .map(|reached| (batches, reached)),
                    Err(e) => {
                        Metrics::inc(&self.metrics.redis_errors);
                        tracing::warn!(cause = %e, "history read failed");
                        None
                    }
                },
                None => None,
            };
            match history {
                Some((batches, reached)) => {
                    outcomes.push(PairOutcome {
                        pair: p.pair.clone(),
                        ids,
                        recovered: true,
                        replayed: batches.len(),
                        initial: None,
                    });
                    replays.push((p.pair, batches, reached));
                }
                None => match initial_values(&self.store, &p.pair.0, p.pair.1, &p.specs).await {
                    Ok(initial) => {
                        let seq = initial.seq;
                        outcomes.push(PairOutcome {
                            pair: p.pair.clone(),
                            ids,
                            recovered: false,
                            replayed: 0,
                            initial: Some(initial),
                        });
                        replays.push((p.pair, Vec::new(), seq));
                    }
                    Err(e) => {
                        Metrics::inc(&self.metrics.redis_errors);
                        tracing::warn!(cause = %e, "initial values for a resume failed");
                        ok = false;
                        break;
                    }
                },
            }
        }
        if ok {
            let mut reply = Some((job.reply)(&outcomes));
            for (pair, batches, floor) in &replays {
                let n = self.hub.replay(
                    &job.conn,
                    reply.take(),
                    pair,
                    batches,
                    *floor,
                    &self.metrics,
                );
                self.metrics
                    .replayed_updates
                    .fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
            }
            if let Some(reply) = reply {
                self.hub.push_to(&job.conn, reply, &self.metrics);
            }
        }
        let _ = job.done.send(ok);
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
    }
}
