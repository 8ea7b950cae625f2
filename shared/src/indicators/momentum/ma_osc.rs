//! The `matype` oscillators, bit-identical to the shipped TA-Lib 0.8.1: APO, PPO and PVO
//! ([`Po`]), MACDEXT, STOCHF and KDJ, over TA-Lib's `TA_MA` ([`MaType`]). O(1) per update.
//!
//! APO/PPO/PVO: the shipped library computes both averages over the whole series from its
//! start (its C sources start the fast one later, at the slow one's lookback), with fast and
//! slow periods swapped when fast > slow. MACDEXT starts each average so that both give their
//! first value at the larger lookback (the fast one's recursive averages are seeded later).

use crate::indicators::blocks::{Extreme, near_zero};
use crate::indicators::overlap::{MaNext, MaType};
use crate::indicators::{Candle, Indicator, NONE, Outputs};
use serde::{Deserialize, Serialize};

/// TA-Lib's `TA_IS_ZERO`: `-1e-14 < v < 1e-14`.
fn is_zero(v: f64) -> bool {
    v.abs() < 1e-14
}

/// APO/PPO/PVO (TA-Lib `TA_APO`, `TA_PPO`, `TA_PVO`): `fast MA - slow MA`, or that over the
/// slow MA times 100 (0 where the slow MA is zero), of the close (PVO: the volume).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Po {
    fast: MaType,
    slow: MaType,
    percent: bool,
    volume: bool,
}

/// APO's state (see [`Po`]).
pub type Apo = Po;
/// PPO's state (see [`Po`]).
pub type Ppo = Po;

impl Po {
    /// `percent`: PPO/PVO; `volume`: of the volume (PVO).
    pub fn new(fast: usize, slow: usize, matype: usize, percent: bool, volume: bool) -> Self {
        let (fast, slow) = (fast.min(slow), fast.max(slow));
        Self {
            fast: MaType::new(fast, matype),
            slow: MaType::new(slow, matype),
            percent,
            volume,
        }
    }
}

impl Indicator for Po {
    type Next = (MaNext, MaNext);

    fn step(&self, c: &Candle) -> (Outputs, Self::Next) {
        let x = if self.volume { c.volume } else { c.close };
        let (f, fnext) = self.fast.step(x);
        let (s, snext) = self.slow.step(x);
        let mut out = NONE;
        if !s.is_nan() {
            out[0] = if !self.percent {
                f - s
            } else if is_zero(s) {
                0.0
            } else {
                ((f - s) / s) * 100.0
            };
        }
        (out, (fnext, snext))
    }

    fn advance(&mut self, c: &Candle, (fnext, snext): Self::Next) {
        let x = if self.volume { c.volume } else { c.close };
        self.fast.advance(x, fnext);
        self.slow.advance(x, snext);
    }

    /// TA-Lib's lookback: the slow MA's.
    fn lookback(&self) -> usize {
        self.slow.lookback()
    }
}

/// TA-Lib `MACDEXT`: `[macd, macdsignal, macdhist]` with a `matype` per average (periods and
/// types of fast and slow swapped when slow < fast). Both averages give their first value at
/// the larger lookback `L` (each is fed from `L - its lookback` on); the signal averages the
/// MACD from `L` on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Macdext {
    fast: MaType,
    slow: MaType,
    signal: MaType,
    /// The larger of the two lookbacks.
    largest: usize,
    count: usize,
}

impl Macdext {
    pub fn new(fast: [usize; 2], slow: [usize; 2], signal: [usize; 2]) -> Self {
        let (fast, slow) = if slow[0] < fast[0] {
            (slow, fast)
        } else {
            (fast, slow)
        };
        let fast = MaType::new(fast[0], fast[1]);
        let slow = MaType::new(slow[0], slow[1]);
        Self {
            largest: fast.lookback().max(slow.lookback()),
            fast,
            slow,
            signal: MaType::new(signal[0], signal[1]),
            count: 0,
        }
    }
}

/// The state change of one close of [`Macdext`] (`None`: an average not fed yet).
#[derive(Debug)]
pub struct MacdextNext {
    fast: Option<MaNext>,
    slow: Option<MaNext>,
    /// The MACD and the signal's change, from the larger lookback on.
    signal: Option<(f64, MaNext)>,
}

impl Indicator for Macdext {
    type Next = MacdextNext;

    fn step(&self, c: &Candle) -> (Outputs, MacdextNext) {
        let t = self.count;
        let feed = |ma: &MaType| (t + ma.lookback() >= self.largest).then(|| ma.step(c.close));
        let fast = feed(&self.fast);
        let slow = feed(&self.slow);
        let mut next = MacdextNext {
            fast: None,
            slow: None,
            signal: None,
        };
        let mut out = NONE;
        let macd = match (&fast, &slow) {
            (Some((f, _)), Some((s, _))) if t >= self.largest => Some(f - s),
            _ => None,
        };
        next.fast = fast.map(|(_, n)| n);
        next.slow = slow.map(|(_, n)| n);
        if let Some(macd) = macd {
            let (signal, snext) = self.signal.step(macd);
            if !signal.is_nan() {
                out[0] = macd;
                out[1] = signal;
                out[2] = macd - signal;
            }
            next.signal = Some((macd, snext));
        }
        (out, next)
    }

    fn advance(&mut self, _c: &Candle, next: MacdextNext) {
        let x = _c.close;
        if let Some(n) = next.fast {
            self.fast.advance(x, n);
        }
        if let Some(n) = next.slow {
            self.slow.advance(x, n);
        }
        if let Some((macd, n)) = next.signal {
            self.signal.advance(macd, n);
        }
        self.count += 1;
    }

    /// TA-Lib's lookback: the larger average lookback plus the signal's.
    fn lookback(&self) -> usize {
        self.largest + self.signal.lookback()
    }
}

/// TA-Lib's fast %K and two averages of it: STOCHF (`[fastk, fastd]`: one average) and KDJ
/// (`[k, d, j]`: k the first average, d the second, `j = 3k - 2d`). Each average is fed
/// from its input's first value on; all lines are published from the last one's first value.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MaStoch {
    fastk: usize,
    count: usize,
    lowest: Extreme,
    highest: Extreme,
    first: MaType,
    /// KDJ's d; `None` for STOCHF.
    second: Option<MaType>,
}

/// STOCHF's state (see [`MaStoch`]).
pub type Stochf = MaStoch;
/// KDJ's state (see [`MaStoch`]).
pub type Kdj = MaStoch;

impl MaStoch {
    /// STOCHF: `fastk_period`, then `fastd_period` and `fastd_matype`.
    pub fn stochf(fastk: usize, fastd: [usize; 2]) -> Self {
        Self::new(fastk, fastd, None)
    }

    /// KDJ: `fastk_period`, then slowk's and slowd's period and matype.
    pub fn kdj(fastk: usize, slowk: [usize; 2], slowd: [usize; 2]) -> Self {
        Self::new(fastk, slowk, Some(slowd))
    }

    fn new(fastk: usize, first: [usize; 2], second: Option<[usize; 2]>) -> Self {
        Self {
            fastk,
            count: 0,
            lowest: Extreme::new(fastk, false),
            highest: Extreme::new(fastk, true),
            first: MaType::new(first[0], first[1]),
            second: second.map(|s| MaType::new(s[0], s[1])),
        }
    }
}

/// The state change of one candle of [`MaStoch`].
#[derive(Debug)]
pub struct MaStochNext {
    /// Fast %K and the first average's change, then the first average and the second's.
    first: Option<(f64, MaNext)>,
    second: Option<(f64, MaNext)>,
}

impl Indicator for MaStoch {
    type Next = MaStochNext;

    fn step(&self, c: &Candle) -> (Outputs, MaStochNext) {
        let t = self.count;
        let mut next = MaStochNext {
            first: None,
            second: None,
        };
        if t + 1 < self.fastk {
            return (NONE, next);
        }
        let lowest = self.lowest.peek(t, c.low).1;
        let highest = self.highest.peek(t, c.high).1;
        let range = highest - lowest;
        let k = if near_zero(range, highest.abs() + lowest.abs()) {
            0.0
        } else {
            (c.close - lowest) / range * 100.0
        };
        let (a, anext) = self.first.step(k);
        next.first = Some((k, anext));
        let mut out = NONE;
        if a.is_nan() {
            return (out, next);
        }
        let Some(second) = &self.second else {
            out[0] = k;
            out[1] = a;
            return (out, next);
        };
        let (b, bnext) = second.step(a);
        next.second = Some((a, bnext));
        if !b.is_nan() {
            out[0] = a;
            out[1] = b;
            out[2] = 3.0 * a - 2.0 * b;
        }
        (out, next)
    }

    fn advance(&mut self, c: &Candle, next: MaStochNext) {
        let t = self.count;
        self.lowest.push(t, c.low);
        self.highest.push(t, c.high);
        if let Some((k, n)) = next.first {
            self.first.advance(k, n);
        }
        if let (Some(second), Some((a, n))) = (&mut self.second, next.second) {
            second.advance(a, n);
        }
        self.count += 1;
    }

    /// TA-Lib's lookback: `fastk - 1` plus each average's.
    fn lookback(&self) -> usize {
        self.fastk - 1 + self.first.lookback() + self.second.as_ref().map_or(0, MaType::lookback)
    }
}
