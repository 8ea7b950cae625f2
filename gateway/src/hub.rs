//! The hub: this gateway's own connections and what each watches. It knows nothing of Redis;
//! the feed hands it publications through [`Hub::dispatch`], the one path in, which returns at
//! once when nobody local watches the pair. Its subscribe and unsubscribe say whether the pair
//! got its first local watcher or lost its last one: only then does the node touch the broker.
//!
//! Each update is serialized once per indicator and the resulting bytes (`Utf8Bytes`, reference
//! counted) are shared by every connection that watches it. Delivery is a push into each
//! connection's bounded [`Outbox`], which conflates live values; a queue full of frames that
//! cannot be conflated means the client is too slow, and it is kicked (closed with 4009) rather
//! than slowing anyone else down or growing memory.

use crate::conn::{ConnId, HeldSession, SessionRecord, Subscriptions};
use crate::metrics::Metrics;
use crate::outbox::{LiveKey, Outbox, Push};
use shared::catalogue::{Spec, outputs_json};
use shared::clock;
use shared::pair::Pair;
use shared::protocol::frames::{self, IndicatorUpdate};
use shared::update::UpdateBatch;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, RwLock};
use tokio_tungstenite::tungstenite::Utf8Bytes;
use tokio_util::sync::CancellationToken;

/// How the hub reaches one connection.
#[derive(Clone, Debug)]
pub(crate) struct ConnHandle {
    pub(crate) outbox: Arc<Outbox>,
    /// Cancelled when the connection's queue overflowed: the session closes it with 4009.
    pub(crate) kick: CancellationToken,
    /// Cancelled when another connection resumed this session: this one closes, touching
    /// nothing in Redis.
    pub(crate) taken_over: CancellationToken,
    /// What `ws_conn:<id>` holds, to write it back if Redis loses it.
    pub(crate) record: Arc<SessionRecord>,
}

/// Which publications of a pair a connection being resumed may get.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Floor {
    /// None yet: its reply has not been queued (a resume in progress).
    Held,
    /// Only those above this seq: it was replayed from history up to it.
    Above(u64),
}

impl Floor {
    fn blocks(self, seq: u64) -> bool {
        match self {
            Floor::Held => true,
            Floor::Above(floor) => seq <= floor,
        }
    }
}

impl ConnHandle {
    fn push(&self, frame: Utf8Bytes, live: Option<&LiveKey>, metrics: &Metrics) -> bool {
        match self.outbox.push(frame, live) {
            Push::Queued => true,
            Push::Full => {
                if !self.kick.is_cancelled() {
                    Metrics::inc(&metrics.slow_disconnects);
                    self.kick.cancel();
                }
                false
            }
            Push::Closed => false,
        }
    }
}

#[derive(Debug)]
struct Watch {
    columns: Arc<[String]>,
    /// `<symbol>:<tf>:<id>`: the conflation key of this indicator's live values.
    live_key: LiveKey,
    conns: HashSet<ConnId>,
}

#[derive(Debug, Default)]
struct Inner {
    conns: HashMap<ConnId, ConnHandle>,
    channels: HashMap<Pair, HashMap<String, Watch>>,
    /// Per pair, connections that must not get every publication: they were (or are being)
    /// replayed from history. Usually empty.
    floors: HashMap<Pair, HashMap<ConnId, Floor>>,
}

#[derive(Debug, Default)]
pub(crate) struct Hub {
    inner: RwLock<Inner>,
}

impl Hub {
    pub(crate) fn add_conn(&self, id: ConnId, handle: ConnHandle) {
        self.inner
            .write()
            .expect("hub lock")
            .conns
            .insert(id, handle);
    }

    pub(crate) fn remove_conn(&self, id: &ConnId) {
        let mut inner = self.inner.write().expect("hub lock");
        inner.conns.remove(id);
        inner.floors.retain(|_, f| {
            f.remove(id);
            !f.is_empty()
        });
    }

    pub(crate) fn contains(&self, id: &ConnId) -> bool {
        self.inner.read().expect("hub lock").conns.contains_key(id)
    }

    pub(crate) fn handle(&self, id: &ConnId) -> Option<ConnHandle> {
        self.inner.read().expect("hub lock").conns.get(id).cloned()
    }

    /// Like [`Hub::subscribe`], but the connection gets no publication of the pair until
    /// [`Hub::replay`] says from which seq on (a resume in progress).
    pub(crate) fn subscribe_held(&self, id: &ConnId, pair: &Pair, specs: &[Spec]) -> bool {
        let mut inner = self.inner.write().expect("hub lock");
        // Held before it watches anything: no publication can slip in ahead of the reply.
        inner
            .floors
            .entry(pair.clone())
            .or_default()
            .insert(id.clone(), Floor::Held);
        Self::add_watches(&mut inner, id, pair, specs)
    }

    /// Queues `frame` (a reply, then `batches` from history) to one connection, which from now
    /// on gets the pair's publications above `floor` only.
    pub(crate) fn replay(
        &self,
        id: &ConnId,
        frame: Option<String>,
        pair: &Pair,
        batches: &[UpdateBatch],
        floor: u64,
        metrics: &Metrics,
    ) -> usize {
        let mut inner = self.inner.write().expect("hub lock");
        if !inner.conns.contains_key(id) {
            return 0;
        }
        inner
            .floors
            .entry(pair.clone())
            .or_default()
            .insert(id.clone(), Floor::Above(floor));
        let Some(handle) = inner.conns.get(id) else {
            return 0;
        };
        if let Some(frame) = frame {
            handle.push(Utf8Bytes::from(frame), None, metrics);
        }
        let mut n = 0;
        for batch in batches {
            n += deliver(&inner, batch, Some(id), metrics);
        }
        n
    }

    /// Queues one frame to one connection.
    pub(crate) fn push_to(&self, id: &ConnId, frame: String, metrics: &Metrics) {
        if let Some(h) = self.inner.read().expect("hub lock").conns.get(id) {
            h.push(Utf8Bytes::from(frame), None, metrics);
        }
    }

    /// Every connection, its record and what it watches: what to write back into Redis.
    pub(crate) fn sessions(&self) -> Vec<HeldSession> {
        let inner = self.inner.read().expect("hub lock");
        let mut subs: HashMap<&ConnId, Subscriptions> = HashMap::new();
        for (pair, channel) in &inner.channels {
            for (id, watch) in channel {
                for conn in &watch.conns {
                    subs.entry(conn).or_default().add(pair, [id.clone()]);
                }
            }
        }
        inner
            .conns
            .iter()
            .map(|(id, h)| HeldSession {
                id: id.clone(),
                record: (*h.record).clone(),
                subs: subs.remove(id).unwrap_or_default(),
            })
            .collect()
    }

    /// Adds watches; returns true when the pair had no local watcher before (the caller then
    /// makes sure the broker listens to its channel).
    pub(crate) fn subscribe(&self, id: &ConnId, pair: &Pair, specs: &[Spec]) -> bool {
        let mut inner = self.inner.write().expect("hub lock");
        Self::add_watches(&mut inner, id, pair, specs)
    }

    fn add_watches(inner: &mut Inner, id: &ConnId, pair: &Pair, specs: &[Spec]) -> bool {
        let first = !inner.channels.contains_key(pair);
        let channel = inner.channels.entry(pair.clone()).or_default();
        for spec in specs {
            channel
                .entry(spec.id())
                .or_insert_with(|| Watch {
                    columns: spec.columns().into(),
                    live_key: format!("{pair}:{}", spec.id()).into(),
                    conns: HashSet::new(),
                })
                .conns
                .insert(id.clone());
        }
        first
    }

    /// Removes watches; returns true when the pair has no local watcher left.
    pub(crate) fn unsubscribe(&self, id: &ConnId, pair: &Pair, ids: &[String]) -> bool {
        let mut inner = self.inner.write().expect("hub lock");
        let Some(channel) = inner.channels.get_mut(pair) else {
            return true;
        };
        for indicator in ids {
            if let Some(w) = channel.get_mut(indicator) {
                w.conns.remove(id);
                if w.conns.is_empty() {
                    channel.remove(indicator);
                }
            }
        }
        let empty = channel.is_empty();
        let watches_pair = channel.values().any(|w| w.conns.contains(id));
        if empty {
            inner.channels.remove(pair);
        }
        if !watches_pair && let Some(f) = inner.floors.get_mut(pair) {
            f.remove(id);
            if f.is_empty() {
                inner.floors.remove(pair);
            }
        }
        empty
    }

    pub(crate) fn has_watchers(&self, pair: &Pair) -> bool {
        self.inner
            .read()
            .expect("hub lock")
            .channels
            .contains_key(pair)
    }

    pub(crate) fn pairs(&self) -> Vec<Pair> {
        self.inner
            .read()
            .expect("hub lock")
            .channels
            .keys()
            .cloned()
            .collect()
    }

    /// Every (pair, indicator id) with a local watcher.
    pub(crate) fn watched(&self) -> Vec<(Pair, String)> {
        let inner = self.inner.read().expect("hub lock");
        inner
            .channels
            .iter()
            .flat_map(|(pair, ch)| ch.keys().map(move |id| (pair.clone(), id.clone())))
            .collect()
    }

    /// The indicator ids watched locally in `pair`.
    pub(crate) fn watched_ids(&self, pair: &Pair) -> Vec<String> {
        self.inner
            .read()
            .expect("hub lock")
            .channels
            .get(pair)
            .map(|ch| ch.keys().cloned().collect())
            .unwrap_or_default()
    }

    /// Sends `resync` to every local connection watching `pair`: the current values of the
    /// indicators it watches there (from `values`), after updates may have been missed.
    pub(crate) fn push_resync(
        &self,
        pair: &Pair,
        values: &BTreeMap<String, serde_json::Value>,
        seq: u64,
        metrics: &Metrics,
    ) {
        let inner = self.inner.read().expect("hub lock");
        let Some(channel) = inner.channels.get(pair) else {
            return;
        };
        let floors = inner.floors.get(pair);
        let mut per_conn: HashMap<&ConnId, serde_json::Map<String, serde_json::Value>> =
            HashMap::new();
        for (id, watch) in channel {
            let value = values.get(id).cloned().unwrap_or(serde_json::Value::Null);
            for conn in &watch.conns {
                // A connection being resumed gets its values with its reply instead.
                if floors.and_then(|f| f.get(conn)) == Some(&Floor::Held) {
                    continue;
                }
                per_conn
                    .entry(conn)
                    .or_default()
                    .insert(id.clone(), value.clone());
            }
        }
        for (conn, initial_values) in per_conn {
            let Some(handle) = inner.conns.get(conn) else {
                continue;
            };
            let frame = frames::resync(pair, &initial_values, seq);
            handle.push(Utf8Bytes::from(frame), None, metrics);
        }
    }

    /// (connections, pairs, watched indicators)
    pub(crate) fn counts(&self) -> (usize, usize, usize) {
        let inner = self.inner.read().expect("hub lock");
        let indicators = inner.channels.values().map(HashMap::len).sum();
        (inner.conns.len(), inner.channels.len(), indicators)
    }

    /// Delivers one publication to the local watchers of each of its indicators.
    pub(crate) fn dispatch(&self, batch: &UpdateBatch, metrics: &Metrics) {
        let inner = self.inner.read().expect("hub lock");
        deliver(&inner, batch, None, metrics);
    }
}

/// The pair of `batch` and its local watches, if anyone here watches it.
fn channel_of<'a>(
    inner: &'a Inner,
    batch: &UpdateBatch,
) -> Option<(&'a Pair, &'a HashMap<String, Watch>)> {
    inner.channels.get_key_value(&batch.pair()?)
}

/// Delivers `batch` to its local watchers (or to `only` of them), except to connections whose
/// floor for the pair is at or above its seq. Returns the frames queued.
fn deliver(inner: &Inner, batch: &UpdateBatch, only: Option<&ConnId>, metrics: &Metrics) -> usize {
    let Some((pair, channel)) = channel_of(inner, batch) else {
        return 0;
    };
    let floors = inner.floors.get(pair);
    let timestamp = clock::rfc3339_micros(batch.computed_at_us);
    let candle_time = clock::rfc3339_millis(batch.candle_time);
    let mut queued = 0;
    for v in &batch.values {
        let Some(watch) = channel.get(&v.id) else {
            continue;
        };
        if only.is_some_and(|o| !watch.conns.contains(o)) {
            continue;
        }
        let value = outputs_json(&watch.columns, &v.to_outputs());
        let frame = IndicatorUpdate::new(
            &batch.symbol,
            batch.timeframe.as_str(),
            &v.id,
            &value,
            &timestamp,
            &candle_time,
            batch.seq,
            batch.is_final,
        );
        let bytes = Utf8Bytes::from(frame.to_json());
        // A replay is delivered whole: its live values are not conflated.
        let live = (!batch.is_final && only.is_none()).then_some(&watch.live_key);
        for conn in &watch.conns {
            if only.is_some_and(|o| o != conn) {
                continue;
            }
            if only.is_none()
                && floors
                    .and_then(|f| f.get(conn))
                    .is_some_and(|f| f.blocks(batch.seq))
            {
                continue;
            }
            let Some(handle) = inner.conns.get(conn) else {
                continue;
            };
            if handle.push(bytes.clone(), live, metrics) {
                Metrics::inc(&metrics.updates_delivered);
                queued += 1;
            }
        }
    }
    queued
}

#[cfg(test)]
mod tests;
