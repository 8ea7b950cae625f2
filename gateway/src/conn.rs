//! What the gateway knows of one connection, without Redis or a socket: its id, the session
//! record `ws_conn:<id>` holds, and what it watches.

use shared::pair::Pair;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// A `ws_conn_id`, shared by the hub's maps without copying.
pub(crate) type ConnId = Arc<str>;

/// What `ws_conn:<id>` says about a session besides its subscriptions.
#[derive(Clone, Debug)]
pub(crate) struct SessionRecord {
    pub(crate) user_id: String,
    pub(crate) session_id: String,
    pub(crate) connected_at: i64,
    /// [`shared::auth::resume_token_hash`] of the current resume token.
    pub(crate) token_hash: String,
    /// Bumped at every resume: only the holder of the current epoch may end or detach it.
    pub(crate) epoch: u64,
}

/// The indicator ids a session watches, per pair.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Subscriptions(BTreeMap<Pair, BTreeSet<String>>);

impl Subscriptions {
    /// `{"S:tf": ["id", ...]}` as stored in `ws_conn:<id>`; malformed entries are skipped.
    pub(crate) fn from_json(json: &str) -> Self {
        let raw: BTreeMap<String, Vec<String>> = serde_json::from_str(json).unwrap_or_default();
        Subscriptions(
            raw.into_iter()
                .filter_map(|(pair, ids)| Some((Pair::parse(&pair)?, ids.into_iter().collect())))
                .collect(),
        )
    }

    pub(crate) fn to_json(&self) -> String {
        let map: BTreeMap<String, &BTreeSet<String>> =
            self.0.iter().map(|(p, ids)| (p.to_string(), ids)).collect();
        serde_json::to_string(&map).expect("strings serialize")
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Indicators watched, across pairs.
    pub(crate) fn count(&self) -> usize {
        self.0.values().map(BTreeSet::len).sum()
    }

    pub(crate) fn contains(&self, pair: &Pair, id: &str) -> bool {
        self.0.get(pair).is_some_and(|ids| ids.contains(id))
    }

    pub(crate) fn ids(&self, pair: &Pair) -> Vec<String> {
        self.0
            .get(pair)
            .map(|ids| ids.iter().cloned().collect())
            .unwrap_or_default()
    }

    pub(crate) fn add(&mut self, pair: &Pair, ids: impl IntoIterator<Item = String>) {
        self.0.entry(pair.clone()).or_default().extend(ids);
    }

    pub(crate) fn remove(&mut self, pair: &Pair, ids: &[String]) {
        if let Some(held) = self.0.get_mut(pair) {
            for id in ids {
                held.remove(id);
            }
            if held.is_empty() {
                self.0.remove(pair);
            }
        }
    }

    /// Every pair with its ids.
    pub(crate) fn pairs(&self) -> impl Iterator<Item = (&Pair, &BTreeSet<String>)> {
        self.0.iter()
    }

    /// Every (pair, id), as the subscriber sets are keyed.
    pub(crate) fn entries(&self) -> impl Iterator<Item = (&Pair, &String)> {
        self.0
            .iter()
            .flat_map(|(pair, ids)| ids.iter().map(move |id| (pair, id)))
    }

    /// Both sets' entries (what a session holds and what its record says).
    pub(crate) fn union(mut self, other: Subscriptions) -> Subscriptions {
        for (pair, ids) in other.0 {
            self.add(&pair, ids);
        }
        self
    }
}

impl FromIterator<(Pair, String)> for Subscriptions {
    fn from_iter<I: IntoIterator<Item = (Pair, String)>>(iter: I) -> Self {
        let mut subs = Subscriptions::default();
        for (pair, id) in iter {
            subs.add(&pair, [id]);
        }
        subs
    }
}

/// A session this gateway holds, as written back into Redis after Redis lost it.
#[derive(Clone, Debug)]
pub(crate) struct HeldSession {
    pub(crate) id: ConnId,
    pub(crate) record: SessionRecord,
    pub(crate) subs: Subscriptions,
}

/// One connection's own state, which the [`crate::node::Node`] operations act on.
#[derive(Debug)]
pub(crate) struct ConnState {
    pub(crate) id: ConnId,
    /// The session's epoch in `ws_conn:<id>` (0 when new, bumped by each resume).
    pub(crate) epoch: u64,
    /// Set when this connection resumed a session (at most once, before any subscribe).
    pub(crate) resumed: bool,
    /// What this connection watches: the authority for cleanup.
    pub(crate) subs: Subscriptions,
}

impl ConnState {
    pub(crate) fn new(id: ConnId) -> Self {
        ConnState {
            id,
            epoch: 0,
            resumed: false,
            subs: Subscriptions::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::symbol::Symbol;
    use shared::timeframe::Timeframe;

    // Shows the record's JSON form round-trips, and malformed entries are skipped.
    #[test]
    fn subscriptions_json() {
        let pair = Pair::new(Symbol::parse("X").unwrap(), Timeframe::M5);
        let mut subs = Subscriptions::default();
        subs.add(&pair, ["RSI_14".to_owned(), "SMA_20".to_owned()]);
        assert_eq!(subs.to_json(), r#"{"X:5min":["RSI_14","SMA_20"]}"#);
        assert_eq!(Subscriptions::from_json(&subs.to_json()), subs);
        let odd = Subscriptions::from_json(r#"{"X:7min":["A"],"nocolon":["B"],"X:5min":["C"]}"#);
        assert_eq!(odd.count(), 1);
        assert!(odd.contains(&pair, "C"));
        subs.remove(&pair, &["RSI_14".to_owned(), "SMA_20".to_owned()]);
        assert!(subs.is_empty());
    }
}
