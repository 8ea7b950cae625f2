//! The hub: this gateway's own connections and what each watches. It knows nothing of Redis;
//! the broker feeds it publications through [`Hub::dispatch`], the one path in.
//!
//! Each update is serialized once per indicator and the resulting bytes (`Utf8Bytes`, reference
//! counted) are shared by every connection that watches it. Delivery is `try_send` into each
//! connection's bounded queue: a full queue means the client is too slow, and it is kicked
//! (closed with 4009) rather than slowing anyone else down or growing memory.

use crate::metrics::Metrics;
use shared::catalogue::{Spec, outputs_json};
use shared::clock;
use shared::protocol::IndicatorUpdate;
use shared::timeframe::Timeframe;
use shared::update::UpdateBatch;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, RwLock};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Utf8Bytes;
use tokio_util::sync::CancellationToken;

pub type ConnId = Arc<str>;
pub type Pair = (String, Timeframe);

/// How the hub reaches one connection.
#[derive(Clone)]
pub struct ConnHandle {
    pub tx: mpsc::Sender<Utf8Bytes>,
    /// Cancelled when the connection's queue overflowed: the session closes it with 4009.
    pub kick: CancellationToken,
}

struct Watch {
    columns: Arc<[String]>,
    conns: HashSet<ConnId>,
}

#[derive(Default)]
struct Inner {
    conns: HashMap<ConnId, ConnHandle>,
    channels: HashMap<Pair, HashMap<String, Watch>>,
}

#[derive(Default)]
pub struct Hub {
    inner: RwLock<Inner>,
}

impl Hub {
    pub fn add_conn(&self, id: ConnId, handle: ConnHandle) {
        self.inner
            .write()
            .expect("hub lock")
            .conns
            .insert(id, handle);
    }

    pub fn remove_conn(&self, id: &ConnId) {
        self.inner.write().expect("hub lock").conns.remove(id);
    }

    /// Adds watches; returns true when the pair had no local watcher before (the caller then
    /// makes sure the broker listens to its channel).
    pub fn subscribe(&self, id: &ConnId, pair: &Pair, specs: &[Spec]) -> bool {
        let mut inner = self.inner.write().expect("hub lock");
        let first = !inner.channels.contains_key(pair);
        let channel = inner.channels.entry(pair.clone()).or_default();
        for spec in specs {
            channel
                .entry(spec.id())
                .or_insert_with(|| Watch {
                    columns: spec.columns().into(),
                    conns: HashSet::new(),
                })
                .conns
                .insert(id.clone());
        }
        first
    }

    /// Removes watches; returns true when the pair has no local watcher left.
    pub fn unsubscribe(&self, id: &ConnId, pair: &Pair, ids: &[String]) -> bool {
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
        if empty {
            inner.channels.remove(pair);
        }
        empty
    }

    pub fn has_watchers(&self, pair: &Pair) -> bool {
        self.inner
            .read()
            .expect("hub lock")
            .channels
            .contains_key(pair)
    }

    pub fn pairs(&self) -> Vec<Pair> {
        self.inner
            .read()
            .expect("hub lock")
            .channels
            .keys()
            .cloned()
            .collect()
    }

    /// Every (pair, indicator id) with a local watcher.
    pub fn watched(&self) -> Vec<(Pair, String)> {
        let inner = self.inner.read().expect("hub lock");
        inner
            .channels
            .iter()
            .flat_map(|(pair, ch)| ch.keys().map(move |id| (pair.clone(), id.clone())))
            .collect()
    }

    /// (connections, pairs, watched indicators)
    pub fn counts(&self) -> (usize, usize, usize) {
        let inner = self.inner.read().expect("hub lock");
        let indicators = inner.channels.values().map(HashMap::len).sum();
        (inner.conns.len(), inner.channels.len(), indicators)
    }

    /// Delivers one publication to the local watchers of each of its indicators.
    pub fn dispatch(&self, batch: &UpdateBatch, metrics: &Metrics) {
        let inner = self.inner.read().expect("hub lock");
        let Some(channel) = inner.channels.get(&(batch.symbol.clone(), batch.timeframe)) else {
            return;
        };
        let timestamp = clock::rfc3339_micros(batch.computed_at_us);
        let candle_time = clock::rfc3339_millis(batch.candle_time);
        for v in &batch.values {
            let Some(watch) = channel.get(&v.id) else {
                continue;
            };
            let value = outputs_json(&watch.columns, &v.to_outputs());
            let frame = IndicatorUpdate {
                kind: "indicator_update",
                symbol: &batch.symbol,
                timeframe: batch.timeframe.as_str(),
                indicator_id: &v.id,
                value: &value,
                timestamp: &timestamp,
                candle_time: &candle_time,
                seq: batch.seq,
                is_final: batch.is_final,
            };
            let bytes =
                Utf8Bytes::from(serde_json::to_string(&frame).expect("plain struct serializes"));
            for conn in &watch.conns {
                let Some(handle) = inner.conns.get(conn) else {
                    continue;
                };
                match handle.tx.try_send(bytes.clone()) {
                    Ok(()) => Metrics::inc(&metrics.updates_delivered),
                    Err(mpsc::error::TrySendError::Full(_)) => {
                        if !handle.kick.is_cancelled() {
                            Metrics::inc(&metrics.slow_disconnects);
                            handle.kick.cancel();
                        }
                    }
                    Err(mpsc::error::TrySendError::Closed(_)) => {}
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::update::IndicatorValue;

    fn conn(
        hub: &Hub,
        name: &str,
        cap: usize,
    ) -> (ConnId, mpsc::Receiver<Utf8Bytes>, CancellationToken) {
        let (tx, rx) = mpsc::channel(cap);
        let kick = CancellationToken::new();
        let id: ConnId = name.into();
        hub.add_conn(
            id.clone(),
            ConnHandle {
                tx,
                kick: kick.clone(),
            },
        );
        (id, rx, kick)
    }

    fn batch(ids: &[&str]) -> UpdateBatch {
        UpdateBatch {
            symbol: "X".into(),
            timeframe: Timeframe::M1,
            seq: 7,
            candle_time: 0,
            computed_at_us: 0,
            is_final: false,
            values: ids
                .iter()
                .map(|id| IndicatorValue {
                    id: id.to_string(),
                    outputs: vec![Some(1.5)],
                })
                .collect(),
        }
    }

    // Shows each connection gets only the indicators it watches, and the same bytes are shared.
    #[test]
    fn delivers_only_what_is_watched() {
        let hub = Hub::default();
        let m = Metrics::default();
        let pair: Pair = ("X".into(), Timeframe::M1);
        let (a, mut ra, _) = conn(&hub, "a", 8);
        let (b, mut rb, _) = conn(&hub, "b", 8);
        assert!(hub.subscribe(&a, &pair, &[Spec::from_id("RSI_14").unwrap()]));
        assert!(!hub.subscribe(
            &b,
            &pair,
            &[
                Spec::from_id("SMA_20").unwrap(),
                Spec::from_id("RSI_14").unwrap()
            ]
        ));
        hub.dispatch(&batch(&["RSI_14", "SMA_20"]), &m);
        let got_a: Vec<_> = std::iter::from_fn(|| ra.try_recv().ok()).collect();
        let got_b: Vec<_> = std::iter::from_fn(|| rb.try_recv().ok()).collect();
        assert_eq!(got_a.len(), 1);
        assert!(got_a[0].as_str().contains("\"indicator_id\":\"RSI_14\""));
        assert_eq!(got_b.len(), 2);
        assert_eq!(
            got_a[0].as_str().as_ptr(),
            got_b
                .iter()
                .find(|f| f.as_str().contains("RSI"))
                .unwrap()
                .as_str()
                .as_ptr()
        );
        assert!(!hub.unsubscribe(&a, &pair, &["RSI_14".into()]));
        assert!(hub.unsubscribe(&b, &pair, &["RSI_14".into(), "SMA_20".into()]));
        assert!(!hub.has_watchers(&pair));
    }

    // Shows a full queue kicks that connection and does not block the others.
    #[test]
    fn full_queue_kicks_the_slow_connection() {
        let hub = Hub::default();
        let m = Metrics::default();
        let pair: Pair = ("X".into(), Timeframe::M1);
        let (slow, _rs, kick) = conn(&hub, "slow", 1);
        let (fast, mut rf, fast_kick) = conn(&hub, "fast", 8);
        let rsi = [Spec::from_id("RSI_14").unwrap()];
        hub.subscribe(&slow, &pair, &rsi);
        hub.subscribe(&fast, &pair, &rsi);
        hub.dispatch(&batch(&["RSI_14"]), &m);
        assert!(!kick.is_cancelled());
        hub.dispatch(&batch(&["RSI_14"]), &m);
        assert!(kick.is_cancelled() && !fast_kick.is_cancelled());
        assert_eq!(std::iter::from_fn(|| rf.try_recv().ok()).count(), 2);
    }
}
