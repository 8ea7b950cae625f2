//! MessagePack payloads written by computers and read by gateways (our own format, documented
//! in docs/redis.md). Field names are kept (`to_vec_named`) on the pub/sub payload so a consumer
//! in another language can read it without our structs.

use crate::catalogue::State;
use crate::indicators::Outputs;
use crate::pair::Pair;
use crate::symbol::Symbol;
use crate::timeframe::Timeframe;
use serde::{Deserialize, Serialize};

/// One pub/sub message on `indicator_updates:<symbol>:<tf>`: every watched indicator of the pair
/// for one tick (live) or one candle close (`final`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UpdateBatch {
    pub symbol: String,
    pub timeframe: Timeframe,
    /// Per pair, strictly increasing, never reused.
    pub seq: u64,
    /// The pair's previous seq, 0 when unknown (the pair's first publication, or its first
    /// after Redis lost the stored seq). A consumer that last saw another seq missed something.
    #[serde(default)]
    pub prev_seq: u64,
    /// Candle start, epoch ms.
    pub candle_time: i64,
    /// When the values were computed, epoch µs.
    pub computed_at_us: i64,
    #[serde(rename = "final")]
    pub is_final: bool,
    pub values: Vec<IndicatorValue>,
}

impl UpdateBatch {
    /// The batch's pair; `None` for a symbol no client could have subscribed to.
    pub fn pair(&self) -> Option<Pair> {
        Some(Pair::new(Symbol::parse(&self.symbol).ok()?, self.timeframe))
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IndicatorValue {
    /// Canonical id (`MACD_12_26_9`).
    pub id: String,
    /// In column order; `None` during warm-up.
    pub outputs: Vec<Option<f64>>,
}

/// The seq published after `prev`. A pair with no stored seq (new, or Redis lost its data)
/// starts at the wall clock in ms x 1000: above every seq issued before, since no pair publishes
/// 1000 times per millisecond, and below 2^53, so JavaScript clients read it exactly.
pub fn next_seq(prev: u64, now_ms: i64) -> u64 {
    if prev == 0 {
        now_ms.max(1) as u64 * 1000
    } else {
        prev + 1
    }
}

/// `NaN` becomes `None` (MessagePack nil), for the first `n` columns.
pub fn nullable(outputs: &Outputs, n: usize) -> Vec<Option<f64>> {
    outputs[..n]
        .iter()
        .map(|&v| (!v.is_nan()).then_some(v))
        .collect()
}

/// Back to the fixed-size form (`NaN` for null).
pub fn to_outputs(values: &[Option<f64>]) -> Outputs {
    let mut out = crate::indicators::NONE;
    for (slot, v) in out.iter_mut().zip(values) {
        *slot = v.unwrap_or(f64::NAN);
    }
    out
}

impl IndicatorValue {
    pub fn new(id: String, outputs: &Outputs, n: usize) -> Self {
        IndicatorValue {
            id,
            outputs: nullable(outputs, n),
        }
    }

    pub fn to_outputs(&self) -> Outputs {
        to_outputs(&self.outputs)
    }
}

/// An indicator state as saved at a candle close.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoredState {
    /// Start of the last candle the state has committed.
    pub candle_time: i64,
    /// The outputs for that candle (its final value), `None` during warm-up.
    pub outputs: Vec<Option<f64>>,
    pub state: State,
}

pub fn encode_named<T: Serialize>(v: &T) -> Vec<u8> {
    rmp_serde::to_vec_named(v).expect("our payload types always serialize")
}

pub fn encode<T: Serialize>(v: &T) -> Vec<u8> {
    rmp_serde::to_vec(v).expect("our payload types always serialize")
}

pub fn decode<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Result<T, rmp_serde::decode::Error> {
    rmp_serde::from_slice(bytes)
}
