//! One owned symbol: its candles, the indicators watched on each timeframe, their states and
//! the per-timeframe seq. Turns a batch of ticks (or an idle close) into one [`Commit`], the
//! set of Redis writes the store applies atomically under the symbol's lease.

use crate::candles::{CandleSet, N_TF, Step, Tick};
use shared::catalogue::{Spec, State};
use shared::clock;
use shared::indicators::{Candle, Outputs};
use shared::timeframe::Timeframe;
use shared::update::{IndicatorValue, StoredState, UpdateBatch, encode, encode_named, nullable};

/// An indicator being computed.
#[derive(Clone, Debug)]
pub(crate) struct Watched {
    pub(crate) id: String,
    pub(crate) n_outputs: usize,
    pub(crate) state: State,
    /// Outputs of the last committed candle, saved with the state.
    pub(crate) last: Outputs,
}

impl Watched {
    /// Warms a fresh state from the closed-candle history, oldest first.
    pub(crate) fn warm(spec: &Spec, history: &[Candle]) -> Self {
        let (state, last) = spec.warm(history);
        Watched {
            id: spec.id(),
            n_outputs: spec.columns().len(),
            state,
            last,
        }
    }
}

/// Redis writes produced by one step of a symbol; applied in one script call.
#[derive(Debug, Default)]
pub(crate) struct Commit {
    /// Last tick stream id applied.
    pub(crate) cursor: Option<String>,
    /// Forming candles that changed (`None`: removed by an idle close).
    pub(crate) forming: Vec<(Timeframe, Option<Candle>)>,
    /// Candles that closed, in order, to append to the history lists.
    pub(crate) closed: Vec<(Timeframe, Candle)>,
    /// Pub/sub payloads: timeframe, seq, MessagePack batch.
    pub(crate) publications: Vec<(Timeframe, u64, Vec<u8>)>,
    /// Indicator states after a close: field `<tf>:<id>`, MessagePack [`StoredState`].
    pub(crate) states: Vec<(String, Vec<u8>)>,
}

impl Commit {
    pub(crate) fn is_empty(&self) -> bool {
        self.cursor.is_none() && self.forming.is_empty() && self.closed.is_empty()
    }
}

#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct StepStats {
    pub(crate) late: u64,
}

pub(crate) struct SymbolEngine {
    pub(crate) symbol: String,
    pub(crate) candles: CandleSet,
    pub(crate) watched: [Vec<Watched>; N_TF],
    /// Last seq published per timeframe.
    pub(crate) seq: [u64; N_TF],
    /// Wall clock of the last tick received (ms), for the idle rule.
    pub(crate) last_tick_wall_ms: i64,
}

impl SymbolEngine {
    pub(crate) fn new(symbol: String) -> Self {
        SymbolEngine {
            symbol,
            candles: CandleSet::default(),
            watched: Default::default(),
            seq: [0; N_TF],
            last_tick_wall_ms: clock::now_ms(),
        }
    }

    fn batch(&mut self, i: usize, candle: &Candle, is_final: bool, out: &mut Commit) {
        let tf = Timeframe::ALL[i];
        let values = self.watched[i]
            .iter_mut()
            .map(|w| {
                let o = if is_final {
                    w.last = w.state.update(candle);
                    w.last
                } else {
                    w.state.peek(candle)
                };
                IndicatorValue::new(w.id.clone(), &o, w.n_outputs)
            })
            .collect();
        let prev_seq = self.seq[i];
        self.seq[i] = shared::update::next_seq(prev_seq, clock::now_ms());
        let batch = UpdateBatch {
            symbol: self.symbol.clone(),
            timeframe: tf,
            seq: self.seq[i],
            prev_seq,
            candle_time: candle.time,
            computed_at_us: clock::now_us(),
            is_final,
            values,
        };
        out.publications
            .push((tf, self.seq[i], encode_named(&batch)));
    }

    fn save_states(&self, i: usize, candle_time: i64, out: &mut Commit) {
        let tf = Timeframe::ALL[i];
        for w in &self.watched[i] {
            let stored = StoredState {
                candle_time,
                outputs: nullable(&w.last, w.n_outputs),
                state: w.state.clone(),
            };
            out.states
                .push((shared::keys::watch_member(tf, &w.id), encode(&stored)));
        }
    }

    /// Applies ticks in stream order. Finals are published for every close; of the live values
    /// only the newest per timeframe is published (older ones in the same read are superseded
    /// before anyone could see them).
    pub(crate) fn on_ticks(
        &mut self,
        ticks: &[Tick],
        cursor: String,
        wall_ms: i64,
    ) -> (Commit, StepStats) {
        let mut out = Commit {
            cursor: Some(cursor),
            ..Commit::default()
        };
        let mut stats = StepStats::default();
        let mut touched = [false; N_TF];
        let mut last_close = [None; N_TF];
        for tick in ticks {
            for (i, touched) in touched.iter_mut().enumerate() {
                match self.candles.apply(i, tick) {
                    Step::Forming => *touched = true,
                    Step::Closed(c) => {
                        *touched = true;
                        out.closed.push((Timeframe::ALL[i], c));
                        if !self.watched[i].is_empty() {
                            self.batch(i, &c, true, &mut out);
                            last_close[i] = Some(c.time);
                        }
                    }
                    Step::Late => stats.late += 1,
                }
            }
        }
        if !ticks.is_empty() {
            self.last_tick_wall_ms = wall_ms;
        }
        for i in 0..N_TF {
            if let Some(t) = last_close[i] {
                self.save_states(i, t, &mut out);
            }
            if !touched[i] {
                continue;
            }
            let forming = self.candles.forming[i];
            out.forming.push((Timeframe::ALL[i], forming));
            if let Some(c) = forming.filter(|_| !self.watched[i].is_empty()) {
                self.batch(i, &c, false, &mut out);
            }
        }
        (out, stats)
    }

    /// Idle rule: no tick for `idle_ms` and the wall clock past a candle's end closes it.
    pub(crate) fn on_idle(&mut self, wall_ms: i64, idle_ms: i64) -> Commit {
        let mut out = Commit::default();
        if wall_ms - self.last_tick_wall_ms < idle_ms {
            return out;
        }
        for i in 0..N_TF {
            if let Some(c) = self.candles.close_if_over(i, wall_ms) {
                let tf = Timeframe::ALL[i];
                out.closed.push((tf, c));
                out.forming.push((tf, None));
                if !self.watched[i].is_empty() {
                    self.batch(i, &c, true, &mut out);
                    self.save_states(i, c.time, &mut out);
                }
            }
        }
        out
    }

    /// The live batch of one timeframe right now (after its watched set changed), if forming.
    pub(crate) fn live_now(&mut self, tf: Timeframe) -> Commit {
        let i = tf_index(tf);
        let mut out = Commit::default();
        if let Some(c) = self.candles.forming[i].filter(|_| !self.watched[i].is_empty()) {
            self.batch(i, &c, false, &mut out);
        }
        out
    }
}

pub(crate) fn tf_index(tf: Timeframe) -> usize {
    Timeframe::ALL
        .iter()
        .position(|&t| t == tf)
        .expect("every timeframe is in ALL")
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::update::decode;

    const T0: i64 = 1_762_257_600_000;

    fn engine_with_sma2() -> SymbolEngine {
        let mut e = SymbolEngine::new("X".into());
        let spec = Spec::from_id("SMA_2").unwrap();
        e.watched[0].push(Watched::warm(&spec, &[]));
        e
    }

    fn ticks(prices: &[(i64, f64)]) -> Vec<Tick> {
        prices
            .iter()
            .map(|&(ts, price)| Tick {
                ts,
                price,
                volume: 1.0,
            })
            .collect()
    }

    // Shows a close yields a final batch before the live one, with increasing seqs, and that
    // the saved state is the one after the close.
    #[test]
    fn final_then_live_with_increasing_seq() {
        let mut e = engine_with_sma2();
        let (c, _) = e.on_ticks(
            &ticks(&[(T0, 10.0), (T0 + 60_000, 20.0), (T0 + 120_000, 30.0)]),
            "1-0".into(),
            0,
        );
        let batches: Vec<UpdateBatch> = c
            .publications
            .iter()
            .filter(|p| p.0 == Timeframe::M1)
            .map(|p| decode(&p.2).unwrap())
            .collect();
        let summary: Vec<_> = batches
            .iter()
            .map(|b| (b.seq, b.is_final, b.candle_time, b.values[0].outputs[0]))
            .collect();
        let s0 = summary[0].0;
        assert!(
            s0 >= 1_700_000_000_000_000,
            "a new pair starts from the clock"
        );
        assert_eq!(
            summary,
            [
                (s0, true, T0, None),
                (s0 + 1, true, T0 + 60_000, Some(15.0)),
                (s0 + 2, false, T0 + 120_000, Some(25.0))
            ]
        );
        let prev: Vec<u64> = batches.iter().map(|b| b.prev_seq).collect();
        assert_eq!(prev, [0, s0, s0 + 1], "each batch names its predecessor");
        assert_eq!(
            c.closed
                .iter()
                .filter(|(tf, _)| *tf == Timeframe::M1)
                .count(),
            2
        );
        let st: StoredState = decode(&c.states[0].1).unwrap();
        assert_eq!(st.candle_time, T0 + 60_000);
        assert_eq!(c.cursor.as_deref(), Some("1-0"));
    }

    // Shows the idle rule closes and publishes a final only after the idle time.
    #[test]
    fn idle_close_publishes_final() {
        let mut e = engine_with_sma2();
        e.on_ticks(&ticks(&[(T0, 10.0)]), "1-0".into(), 1_000);
        assert!(e.on_idle(1_500, 2_000).is_empty());
        let c = e.on_idle(T0 + 60_000, 2_000);
        let finals: Vec<UpdateBatch> = c
            .publications
            .iter()
            .map(|p| decode(&p.2).unwrap())
            .collect();
        assert_eq!(finals.len(), 1);
        assert!(finals[0].is_final && finals[0].candle_time == T0);
        assert!(c.forming.contains(&(Timeframe::M1, None)));
    }
}
