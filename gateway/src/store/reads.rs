//! Reads for `initial_values`, gap repair and resume: one atomic snapshot per pair, the pair's
//! history stream after a seq, and its closed candles.

use super::{Result, Store};
use shared::history;
use shared::indicators::Candle;
use shared::keys;
use shared::pair::Pair;
use shared::update::{StoredState, UpdateBatch, decode};
use std::collections::HashMap;

/// What one snapshot read for `initial_values` returns.
#[derive(Debug)]
pub(crate) struct Snapshot {
    /// Per id asked for, the state saved after the last closed candle (if any).
    pub(crate) states: Vec<Option<StoredState>>,
    pub(crate) forming: Option<Candle>,
    pub(crate) last_closed: Option<Candle>,
    pub(crate) seq: u64,
}

impl Store {
    /// One atomic read of the saved states, forming and last closed candle, and seq of a pair.
    pub(crate) async fn snapshot(&self, pair: &Pair, ids: &[String]) -> Result<Snapshot> {
        let mut c = self.conn().await?;
        let (symbol, tf) = (pair.symbol(), pair.timeframe);
        let fields: Vec<String> = ids.iter().map(|id| keys::watch_member(tf, id)).collect();
        let mut pipe = redis::pipe();
        pipe.atomic()
            .cmd("HMGET")
            .arg(keys::indicator_state(symbol))
            .arg(&fields)
            .hget(keys::forming(symbol), tf.as_str())
            .lindex(keys::candles(symbol, tf), -1)
            .hget(keys::seq(symbol), tf.as_str());
        type Raw = Option<Vec<u8>>;
        let (states, forming, last, seq): (Vec<Raw>, Raw, Raw, Option<u64>) =
            pipe.query_async(&mut c).await?;
        Ok(Snapshot {
            states: states
                .into_iter()
                .map(|s| s.and_then(|b| decode(&b).ok()))
                .collect(),
            forming: forming.as_deref().and_then(history::decode_candle),
            last_closed: last.as_deref().and_then(history::decode_candle),
            seq: seq.unwrap_or(0),
        })
    }

    /// The pair's publications after seq `after` (oldest first, at most `limit`) and its last
    /// published seq, read atomically. Undecodable entries are skipped (a gap the caller sees).
    pub(crate) async fn history_after(
        &self,
        pair: &Pair,
        after: u64,
        limit: usize,
    ) -> Result<(Vec<UpdateBatch>, Option<u64>)> {
        let mut c = self.conn().await?;
        type Entry = (String, HashMap<String, Vec<u8>>);
        let (entries, seq): (Vec<Entry>, Option<u64>) = redis::pipe()
            .atomic()
            .cmd("XRANGE")
            .arg(keys::history(pair.symbol(), pair.timeframe))
            .arg(format!("{}-0", after.saturating_add(1)))
            .arg("+")
            .arg("COUNT")
            .arg(limit)
            .hget(keys::seq(pair.symbol()), pair.timeframe.as_str())
            .query_async(&mut c)
            .await?;
        let batches = entries
            .iter()
            .filter_map(|(_, fields)| decode(fields.get("d")?).ok())
            .collect();
        Ok((batches, seq))
    }

    pub(crate) async fn candles(&self, pair: &Pair) -> Result<Vec<Candle>> {
        let mut c = self.conn().await?;
        Ok(history::closed_candles(&mut c, pair.symbol(), pair.timeframe).await?)
    }
}
