//! MACD, bit-identical to TA-Lib 0.8.1 `TA_MACD`: its three EMAs advance with the fused
//! [`ema`] step, `fma(x - prev, k, prev)`, as the shipped library (checked against the
//! `ta-lib==0.8.2` wheel, which bundles C 0.8.1) does; MACDFIX is the same with TA-Lib's
//! fixed constants.

use crate::indicators::blocks::ema;
use crate::indicators::{Candle, Indicator, NONE, Outputs};
use serde::{Deserialize, Serialize};

/// MACD of the close: `[MACD, MACDh, MACDs]` (histogram = MACD - signal).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Macd {
    /// After TA-Lib's swap: `fast <= slow`.
    fast: usize,
    slow: usize,
    signal: usize,
    k_fast: f64,
    k_slow: f64,
    k_signal: f64,
    count: usize,
    /// Until index `slow - 1`: in-order sums of the seed windows (all `slow` closes for the
    /// slow EMA, the last `fast` of them for the fast EMA); then the EMAs themselves.
    fast_ema: f64,
    slow_ema: f64,
    /// While seeding the signal line: the in-order sum of the MACD values; then the signal.
    signal_ema: f64,
}

/// The state [`Macd`]'s step moves to.
#[derive(Debug)]
pub struct MacdNext {
    fast_ema: f64,
    slow_ema: f64,
    signal_ema: f64,
}

impl Macd {
    pub fn new(fast: usize, slow: usize, signal: usize) -> Self {
        assert!(fast >= 2 && slow >= 2 && signal >= 1, "bad MACD periods");
        assert!(fast <= 100_000 && slow <= 100_000 && signal <= 100_000);
        // TA-Lib: "Make sure slow is really slower than the fast period! if not, swap..."
        let (fast, slow) = if slow < fast {
            (slow, fast)
        } else {
            (fast, slow)
        };
        Self {
            fast,
            slow,
            signal,
            k_fast: 2.0 / (fast + 1) as f64,
            k_slow: 2.0 / (slow + 1) as f64,
            k_signal: 2.0 / (signal + 1) as f64,
            count: 0,
            fast_ema: 0.0,
            slow_ema: 0.0,
            signal_ema: 0.0,
        }
    }
}

impl Macd {
    /// TA-Lib's `TA_MACDFIX` line: periods 12 and 26 with the fixed constants 0.15 and 0.075
    /// (not `2 / (n + 1)`), the signal's `2 / (signal + 1)`.
    pub(crate) fn fixed(signal: usize) -> Self {
        Self {
            k_fast: 0.15,
            k_slow: 0.075,
            ..Self::new(12, 26, signal)
        }
    }
}

/// MACD with TA-Lib's fixed 12/26 constants, `[MACDFIXmacd, MACDFIXmacdsignal,
/// MACDFIXmacdhist]` (TA-Lib's output order), TA-Lib `TA_MACDFIX` (close, default signal 9).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Macdfix {
    macd: Macd,
}

impl Macdfix {
    pub fn new(signalperiod: usize) -> Self {
        Self {
            macd: Macd::fixed(signalperiod),
        }
    }
}

impl Indicator for Macdfix {
    type Next = MacdNext;

    fn step(&self, c: &Candle) -> (Outputs, MacdNext) {
        let (out, next) = self.macd.step(c);
        let mut reordered = NONE;
        reordered[0] = out[0];
        reordered[1] = out[2];
        reordered[2] = out[1];
        (reordered, next)
    }

    fn advance(&mut self, c: &Candle, next: MacdNext) {
        self.macd.advance(c, next);
    }

    /// TA-Lib's lookback: `25 + (signal - 1)`.
    fn lookback(&self) -> usize {
        self.macd.lookback()
    }
}

impl Indicator for Macd {
    type Next = MacdNext;

    fn step(&self, c: &Candle) -> (Outputs, MacdNext) {
        let x = c.close;
        let (i, fast, slow, signal) = (self.count, self.fast, self.slow, self.signal);
        let mut next = MacdNext {
            fast_ema: self.fast_ema,
            slow_ema: self.slow_ema,
            signal_ema: self.signal_ema,
        };
        // Index of this bar's MACD value (the MACD line starts at bar `slow - 1`).
        let j;
        if i < slow {
            next.slow_ema += x;
            if i >= slow - fast {
                next.fast_ema += x;
            }
            if i < slow - 1 {
                return (NONE, next);
            }
            next.slow_ema /= slow as f64;
            next.fast_ema /= fast as f64;
            j = 0;
        } else {
            next.fast_ema = ema(next.fast_ema, x, self.k_fast);
            next.slow_ema = ema(next.slow_ema, x, self.k_slow);
            j = i - (slow - 1);
        }
        let macd = next.fast_ema - next.slow_ema;

        let sig = if signal == 1 {
            // TA-Lib 0.7.1+: a signal period of 1 means no smoothing.
            macd
        } else if j == 0 {
            next.signal_ema = 0.0 + macd;
            return (NONE, next);
        } else if j < signal - 1 {
            next.signal_ema += macd;
            return (NONE, next);
        } else if j == signal - 1 {
            (next.signal_ema + macd) / signal as f64
        } else {
            ema(next.signal_ema, macd, self.k_signal)
        };
        next.signal_ema = sig;
        let mut out = NONE;
        out[0] = macd;
        out[1] = macd - sig;
        out[2] = sig;
        (out, next)
    }

    fn advance(&mut self, _: &Candle, next: MacdNext) {
        self.fast_ema = next.fast_ema;
        self.slow_ema = next.slow_ema;
        self.signal_ema = next.signal_ema;
        self.count += 1;
    }

    /// TA-Lib's lookback: `(slow - 1) + (signal - 1)`.
    fn lookback(&self) -> usize {
        self.slow + self.signal - 2
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::indicators::flat_candle as candle;

    /// TA-Lib swaps fast and slow when given in the wrong order.
    #[test]
    fn macd_swaps_fast_and_slow() {
        assert_eq!(Macd::new(26, 12, 9), Macd::new(12, 26, 9));
        assert_eq!(Macd::new(26, 12, 9).lookback(), 33);
    }

    /// A signal period of 1 means no smoothing: signal = MACD and the histogram is 0, from the
    /// first MACD value on (TA-Lib 0.7.1+).
    #[test]
    fn macd_signal_one_is_the_macd_line() {
        let mut m = Macd::new(3, 5, 1);
        assert_eq!(m.lookback(), 4);
        for (i, x) in [10.0, 11.5, 11.0, 12.25, 13.0, 12.0, 12.5]
            .into_iter()
            .enumerate()
        {
            let out = m.update(&candle(x));
            if i < 4 {
                assert!(out.iter().all(|v| v.is_nan()));
            } else {
                assert_eq!(out[2], out[0]);
                assert_eq!(out[1], 0.0);
            }
        }
    }
}
