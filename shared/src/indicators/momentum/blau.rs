//! Oscillators over chains of TA-Lib EMAs ([`EmaStage`]: seeded with the in-order mean of
//! its first `n` inputs, then the fused `fma(x - prev, k, prev)` step, as the shipped
//! 0.8.1 library computes every EMA): TSI and SMI (Blau) and ERI (Elder), bit-identical
//! to TA-Lib 0.8.1 `TA_TSI`, `TA_SMI` and `TA_ERI`.

use super::trix::EmaStage;
use crate::indicators::blocks::{Extreme, check_period, one};
use crate::indicators::{Candle, Indicator, NONE, Outputs};
use serde::{Deserialize, Serialize};

/// Two EMAs of the same period side by side (a numerator and a denominator).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct EmaPair {
    length: usize,
    k: f64,
    num: EmaStage,
    den: EmaStage,
}

impl EmaPair {
    fn new(length: usize) -> Self {
        Self {
            length,
            k: 2.0 / (length + 1) as f64,
            num: EmaStage::new(),
            den: EmaStage::new(),
        }
    }

    /// The pair after `(num, den)` and their EMAs once both are seeded.
    fn step(self, num: f64, den: f64) -> (Self, Option<(f64, f64)>) {
        let (n, k) = (self.length, self.k);
        let (num_stage, a) = self.num.step(num, n, k);
        let (den_stage, b) = self.den.step(den, n, k);
        let next = Self {
            num: num_stage,
            den: den_stage,
            ..self
        };
        (next, a.zip(b))
    }
}

/// True strength index, `[TSI_first_second]`, TA-Lib `TA_TSI` (close; defaults 25, 13):
/// `100 * EMA2(EMA1(mom)) / EMA2(EMA1(|mom|))` of the one-bar momentum, EMA1 over
/// `firstperiod`, EMA2 over `secondperiod`; 0 when the denominator is not positive.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Tsi {
    count: usize,
    prev_close: f64,
    first: EmaPair,
    second: EmaPair,
}

impl Tsi {
    pub fn new(firstperiod: usize, secondperiod: usize) -> Self {
        check_period("TSI firstperiod", firstperiod, 2);
        check_period("TSI secondperiod", secondperiod, 2);
        Self {
            count: 0,
            prev_close: 0.0,
            first: EmaPair::new(firstperiod),
            second: EmaPair::new(secondperiod),
        }
    }
}

impl Indicator for Tsi {
    type Next = (EmaPair, EmaPair);

    fn step(&self, c: &Candle) -> (Outputs, Self::Next) {
        let (mut first, mut second) = (self.first, self.second);
        if self.count == 0 {
            return (NONE, (first, second));
        }
        let mom = c.close - self.prev_close;
        let smoothed;
        (first, smoothed) = first.step(mom, mom.abs());
        let Some((num, den)) = smoothed else {
            return (NONE, (first, second));
        };
        let twice;
        (second, twice) = second.step(num, den);
        let Some((num, den)) = twice else {
            return (NONE, (first, second));
        };
        let tsi = if den > 0.0 { 100.0 * num / den } else { 0.0 };
        (one(tsi), (first, second))
    }

    fn advance(&mut self, c: &Candle, (first, second): Self::Next) {
        self.first = first;
        self.second = second;
        self.prev_close = c.close;
        self.count += 1;
    }

    /// TA-Lib's lookback: `1 + (first - 1) + (second - 1)`.
    fn lookback(&self) -> usize {
        self.first.length + self.second.length - 1
    }
}

/// Stochastic momentum index, `[SMIsmi_n_fast_slow_signal, SMIsmisignal_...]` (TA-Lib's
/// outputs `smi`, `smisignal`), TA-Lib `TA_SMI` (high, low, close; defaults 13, 2, 25, 9):
/// over the highest high and lowest low of the last `timeperiod` bars,
/// `num = close - (highest + lowest) * 0.5` and `den = highest - lowest` are each smoothed
/// by an EMA over `slowperiod` then one over `fastperiod`;
/// `SMI = 100 * num / (0.5 * den)` (0 when `0.5 * den` is not positive) and the signal is
/// its EMA over `signalperiod`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Smi {
    timeperiod: usize,
    count: usize,
    lowest: Extreme,
    highest: Extreme,
    slow: EmaPair,
    fast: EmaPair,
    signal_length: usize,
    k_signal: f64,
    signal: EmaStage,
}

impl Smi {
    pub fn new(timeperiod: usize, fastperiod: usize, slowperiod: usize, signal: usize) -> Self {
        check_period("SMI timeperiod", timeperiod, 2);
        check_period("SMI fastperiod", fastperiod, 2);
        check_period("SMI slowperiod", slowperiod, 2);
        check_period("SMI signalperiod", signal, 2);
        Self {
            timeperiod,
            count: 0,
            lowest: Extreme::new(timeperiod, false),
            highest: Extreme::new(timeperiod, true),
            slow: EmaPair::new(slowperiod),
            fast: EmaPair::new(fastperiod),
            signal_length: signal,
            k_signal: 2.0 / (signal + 1) as f64,
            signal: EmaStage::new(),
        }
    }
}

impl Indicator for Smi {
    type Next = (EmaPair, EmaPair, EmaStage);

    fn step(&self, c: &Candle) -> (Outputs, Self::Next) {
        let (mut slow, mut fast, mut signal) = (self.slow, self.fast, self.signal);
        let t = self.count;
        if t + 1 < self.timeperiod {
            return (NONE, (slow, fast, signal));
        }
        let lowest = self.lowest.peek(t, c.low).1;
        let highest = self.highest.peek(t, c.high).1;
        let den = highest - lowest;
        let num = c.close - (highest + lowest) * 0.5;
        let smoothed;
        (slow, smoothed) = slow.step(num, den);
        let Some((num, den)) = smoothed else {
            return (NONE, (slow, fast, signal));
        };
        let twice;
        (fast, twice) = fast.step(num, den);
        let Some((num, den)) = twice else {
            return (NONE, (slow, fast, signal));
        };
        let half = 0.5 * den;
        let smi = if half > 0.0 { 100.0 * num / half } else { 0.0 };
        let sig;
        (signal, sig) = signal.step(smi, self.signal_length, self.k_signal);
        let Some(sig) = sig else {
            return (NONE, (slow, fast, signal));
        };
        let mut out = NONE;
        out[0] = smi;
        out[1] = sig;
        (out, (slow, fast, signal))
    }

    fn advance(&mut self, c: &Candle, (slow, fast, signal): Self::Next) {
        self.lowest.push(self.count, c.low);
        self.highest.push(self.count, c.high);
        self.slow = slow;
        self.fast = fast;
        self.signal = signal;
        self.count += 1;
    }

    /// TA-Lib's lookback: `(timeperiod - 1) + (slow - 1) + (fast - 1) + (signal - 1)`.
    fn lookback(&self) -> usize {
        self.timeperiod + self.slow.length + self.fast.length + self.signal_length - 4
    }
}

/// Elder ray index, `[ERIbullpower_n, ERIbearpower_n]` (TA-Lib's outputs `bullpower`,
/// `bearpower`), TA-Lib `TA_ERI` (high, low, close; default 13): `high - EMA(close, n)` and
/// `low - EMA(close, n)`; a period of 1 uses the close itself (TA-Lib's copy arm).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Eri {
    length: usize,
    k: f64,
    ema: EmaStage,
}

impl Eri {
    pub fn new(timeperiod: usize) -> Self {
        check_period("ERI timeperiod", timeperiod, 1);
        Self {
            length: timeperiod,
            k: 2.0 / (timeperiod + 1) as f64,
            ema: EmaStage::new(),
        }
    }
}

impl Indicator for Eri {
    type Next = EmaStage;

    fn step(&self, c: &Candle) -> (Outputs, EmaStage) {
        let (ema, value) = if self.length == 1 {
            (self.ema, Some(c.close))
        } else {
            self.ema.step(c.close, self.length, self.k)
        };
        let Some(value) = value else {
            return (NONE, ema);
        };
        let mut out = NONE;
        out[0] = c.high - value;
        out[1] = c.low - value;
        (out, ema)
    }

    fn advance(&mut self, _: &Candle, ema: EmaStage) {
        self.ema = ema;
    }

    /// TA-Lib's lookback: `timeperiod - 1`.
    fn lookback(&self) -> usize {
        self.length - 1
    }
}
