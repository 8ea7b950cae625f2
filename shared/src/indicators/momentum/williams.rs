//! Bill Williams' oscillators of the median price, AO and AC, and Williams'
//! accumulation/distribution WAD, bit-identical to TA-Lib 0.8.1 `TA_AO`, `TA_AC` and
//! `TA_WAD`.

use crate::indicators::blocks::{RollingSma, check_period, one};
use crate::indicators::{Candle, Indicator, NONE, Outputs};
use serde::{Deserialize, Serialize};

/// The median price `(high + low) / 2`, as TA-Lib's AO computes it.
fn median(c: &Candle) -> f64 {
    (c.high + c.low) / 2.0
}

/// `SMA(median, fast) - SMA(median, slow)`, each TA-Lib's running-total SMA started so that
/// both end their first window on the same bar (the shorter one starts later, as TA-Lib
/// sums only the bars of each first window); no swap when `fast > slow`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct AoCore {
    count: usize,
    fast: RollingSma,
    slow: RollingSma,
}

/// The running totals [`AoCore`]'s step moves to (NaN: that SMA has not started).
#[derive(Clone, Copy, Debug)]
pub struct AoNext {
    fast: f64,
    slow: f64,
}

impl AoCore {
    fn new(fast: usize, slow: usize) -> Self {
        Self {
            count: 0,
            fast: RollingSma::new(fast),
            slow: RollingSma::new(slow),
        }
    }

    /// The longer window: the first AO is at bar `span - 1`.
    fn span(&self) -> usize {
        self.fast.length().max(self.slow.length())
    }

    fn started(&self, sma: &RollingSma) -> bool {
        self.count >= self.span() - sma.length()
    }

    fn step(&self, c: &Candle) -> (f64, AoNext) {
        let m = median(c);
        let leg = |sma: &RollingSma| {
            if self.started(sma) {
                sma.step(m)
            } else {
                (f64::NAN, f64::NAN)
            }
        };
        let (fast, fast_total) = leg(&self.fast);
        let (slow, slow_total) = leg(&self.slow);
        let next = AoNext {
            fast: fast_total,
            slow: slow_total,
        };
        (fast - slow, next)
    }

    fn commit(&mut self, c: &Candle, next: AoNext) {
        let m = median(c);
        if self.started(&self.fast) {
            self.fast.commit(m, next.fast);
        }
        if self.started(&self.slow) {
            self.slow.commit(m, next.slow);
        }
        self.count += 1;
    }
}

/// Awesome oscillator, `[AO_fast_slow]`, TA-Lib `TA_AO` (high, low; defaults 5, 34):
/// `SMA(median, fastperiod) - SMA(median, slowperiod)` of the median price
/// `(high + low) / 2`, each SMA TA-Lib's running total divided by its period.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Ao {
    core: AoCore,
}

impl Ao {
    pub fn new(fastperiod: usize, slowperiod: usize) -> Self {
        check_period("AO fastperiod", fastperiod, 2);
        check_period("AO slowperiod", slowperiod, 2);
        Self {
            core: AoCore::new(fastperiod, slowperiod),
        }
    }
}

impl Indicator for Ao {
    type Next = AoNext;

    fn step(&self, c: &Candle) -> (Outputs, AoNext) {
        let (ao, next) = self.core.step(c);
        (one(ao), next)
    }

    fn advance(&mut self, c: &Candle, next: AoNext) {
        self.core.commit(c, next);
    }

    /// TA-Lib's lookback: `max(fast, slow) - 1`.
    fn lookback(&self) -> usize {
        self.core.span() - 1
    }
}

/// Accelerator/decelerator oscillator, `[AC_fast_slow_signal]`, TA-Lib `TA_AC` (high, low;
/// defaults 5, 34, 5): `AO - SMA(AO, signalperiod)`, the signal SMA a running total over
/// the AO values from the first one on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Ac {
    core: AoCore,
    signal: RollingSma,
}

impl Ac {
    pub fn new(fastperiod: usize, slowperiod: usize, signalperiod: usize) -> Self {
        check_period("AC fastperiod", fastperiod, 2);
        check_period("AC slowperiod", slowperiod, 2);
        check_period("AC signalperiod", signalperiod, 2);
        Self {
            core: AoCore::new(fastperiod, slowperiod),
            signal: RollingSma::new(signalperiod),
        }
    }
}

impl Indicator for Ac {
    /// The AO's totals, the AO and the signal's total.
    type Next = (AoNext, f64, f64);

    fn step(&self, c: &Candle) -> (Outputs, Self::Next) {
        let (ao, next) = self.core.step(c);
        if ao.is_nan() {
            return (NONE, (next, ao, f64::NAN));
        }
        let (signal, total) = self.signal.step(ao);
        (one(ao - signal), (next, ao, total))
    }

    fn advance(&mut self, c: &Candle, (next, ao, total): Self::Next) {
        self.core.commit(c, next);
        if !ao.is_nan() {
            self.signal.commit(ao, total);
        }
    }

    /// TA-Lib's lookback: `max(fast, slow) - 1 + signal - 1`.
    fn lookback(&self) -> usize {
        self.core.span() + self.signal.length() - 2
    }
}

/// Williams' accumulation/distribution (Achelis' form, no volume), `[WAD]`, TA-Lib
/// `TA_WAD` (high, low, close): the running sum of `close - min(low, prev close)` on an up
/// close, `close - max(high, prev close)` on a down close, nothing on an equal one; the
/// first bar adds nothing (lookback 0, value 0).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Wad {
    count: usize,
    prev_close: f64,
    sum: f64,
}

impl Wad {
    pub fn new() -> Self {
        Self {
            count: 0,
            prev_close: 0.0,
            sum: 0.0,
        }
    }
}

impl Default for Wad {
    fn default() -> Self {
        Self::new()
    }
}

impl Indicator for Wad {
    /// The new sum.
    type Next = f64;

    fn step(&self, c: &Candle) -> (Outputs, f64) {
        let mut sum = self.sum;
        let (x, prev) = (c.close, self.prev_close);
        if self.count > 0 {
            if x > prev {
                sum += x - if prev < c.low { prev } else { c.low };
            } else if x < prev {
                sum += x - if prev > c.high { prev } else { c.high };
            }
        }
        (one(sum), sum)
    }

    fn advance(&mut self, c: &Candle, sum: f64) {
        self.sum = sum;
        self.prev_close = c.close;
        self.count += 1;
    }

    /// TA-Lib's lookback: 0.
    fn lookback(&self) -> usize {
        0
    }
}
