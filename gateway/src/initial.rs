//! `initial_values`: the current value of each indicator, equal to what the computers publish.
//!
//! The computer saves each watched indicator's state at every candle close. When that saved
//! state belongs to the last closed candle, the value is `peek(forming)` from it, exactly the
//! computer's live value. Otherwise (nobody watched it yet) the state is warmed from the candle
//! history, as the computer itself will do when it starts computing it.

use crate::store::{Store, StoreError};
use shared::catalogue::{Spec, outputs_json};
use shared::indicators::{Candle, Outputs};
use shared::pair::Pair;
use shared::update::to_outputs;
use std::collections::BTreeMap;

#[derive(Debug)]
pub(crate) struct Initial {
    pub(crate) values: BTreeMap<String, serde_json::Value>,
    /// Last seq published for the pair when the snapshot was read.
    pub(crate) seq: u64,
}

pub(crate) async fn initial_values(
    store: &Store,
    pair: &Pair,
    specs: &[Spec],
) -> Result<Initial, StoreError> {
    let ids: Vec<String> = specs.iter().map(Spec::id).collect();
    let snap = store.snapshot(pair, &ids).await?;
    let last_time = snap.last_closed.map(|c| c.time);
    let mut history: Option<Vec<Candle>> = None;
    let mut values = BTreeMap::new();
    for ((spec, id), saved) in specs.iter().zip(ids).zip(snap.states) {
        let (state, last): (_, Outputs) = match saved {
            Some(s) if Some(s.candle_time) == last_time => (s.state, to_outputs(&s.outputs)),
            _ => {
                if history.is_none() {
                    let mut h = store.candles(pair).await?;
                    // The list may have grown since the snapshot: stop where the snapshot was.
                    h.retain(|c| last_time.is_some_and(|t| c.time <= t));
                    history = Some(h);
                }
                spec.warm(history.as_deref().unwrap_or_default())
            }
        };
        let out = match &snap.forming {
            Some(c) => state.peek(c),
            None => last,
        };
        values.insert(id, outputs_json(&spec.columns(), &out));
    }
    Ok(Initial {
        values,
        seq: snap.seq,
    })
}
