//! Momentum: RSI and MACD, bit-identical to TA-Lib 0.8.1 `TA_RSI` / `TA_MACD`.
//!
//! The arithmetic below was checked against the shipped library (the `ta-lib==0.8.2`
//! wheel bundles TA-Lib C 0.8.1), not only against the C sources on GitHub, which move
//! fast:
//! - RSI divides by the period through a hoisted reciprocal (`* (1/n)`, not `/ n`), sums
//!   gains and losses branch-free, and its zero test is exact (`gain + loss > 0`), not the
//!   old `TA_IS_ZERO` band of 1e-8 (0.4.x) or 1e-14 (0.6.x).
//! - MACD advances its three EMAs with a fused multiply-add, `fma(x - prev, k, prev)`.

use super::{Candle, NONE, Outputs};
use serde::{Deserialize, Serialize};

/// Wilder's relative strength index of the close: `[RSI_n]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Rsi {
    length: usize,
    /// `1 / length`, as TA-Lib hoists it.
    inv: f64,
    count: usize,
    prev_close: f64,
    /// Running (while warming up) then Wilder-smoothed average gain and loss.
    gain: f64,
    loss: f64,
}

impl Rsi {
    pub fn new(length: usize) -> Self {
        assert!((2..=100_000).contains(&length), "RSI length must be >= 2");
        Self {
            length,
            inv: 1.0 / length as f64,
            count: 0,
            prev_close: 0.0,
            gain: 0.0,
            loss: 0.0,
        }
    }

    /// TA-Lib's lookback (unstable period 0): `length`.
    pub fn lookback(&self) -> usize {
        self.length
    }

    pub fn update(&mut self, c: &Candle) -> Outputs {
        let (out, gain, loss) = self.step(c.close);
        self.gain = gain;
        self.loss = loss;
        self.prev_close = c.close;
        self.count += 1;
        out
    }

    pub fn peek(&self, c: &Candle) -> Outputs {
        self.step(c.close).0
    }

    fn step(&self, x: f64) -> (Outputs, f64, f64) {
        let n = self.length;
        if self.count == 0 {
            return (NONE, self.gain, self.loss);
        }
        let diff = x - self.prev_close;
        // The C code computes the positive part with a mask and the loss as `up - diff`
        // (so `-diff` for a fall, `+0.0` for a rise).
        let up = if 0.0 < diff { diff } else { 0.0 };
        let down = up - diff;
        if self.count < n {
            return (NONE, self.gain + up, self.loss + down);
        }
        let (gain, loss) = if self.count == n {
            ((self.gain + up) * self.inv, (self.loss + down) * self.inv)
        } else {
            let m = (n - 1) as f64;
            (
                (self.gain * m + up) * self.inv,
                (self.loss * m + down) * self.inv,
            )
        };
        let total = loss + gain;
        let mut out = NONE;
        out[0] = if total > 0.0 {
            100.0 * (gain / total)
        } else {
            0.0
        };
        (out, gain, loss)
    }
}

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

/// The state [`Macd::step`] moves to.
struct MacdNext {
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

    /// TA-Lib's lookback: `(slow - 1) + (signal - 1)`.
    pub fn lookback(&self) -> usize {
        self.slow + self.signal - 2
    }

    pub fn update(&mut self, c: &Candle) -> Outputs {
        let (out, next) = self.step(c.close);
        self.fast_ema = next.fast_ema;
        self.slow_ema = next.slow_ema;
        self.signal_ema = next.signal_ema;
        self.count += 1;
        out
    }

    pub fn peek(&self, c: &Candle) -> Outputs {
        self.step(c.close).0
    }

    fn step(&self, x: f64) -> (Outputs, MacdNext) {
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
            next.fast_ema = (x - next.fast_ema).mul_add(self.k_fast, next.fast_ema);
            next.slow_ema = (x - next.slow_ema).mul_add(self.k_slow, next.slow_ema);
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
            (macd - next.signal_ema).mul_add(self.k_signal, next.signal_ema)
        };
        next.signal_ema = sig;
        let mut out = NONE;
        out[0] = macd;
        out[1] = macd - sig;
        out[2] = sig;
        (out, next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candle(close: f64) -> Candle {
        Candle {
            time: 0,
            open: close,
            high: close,
            low: close,
            close,
            volume: 4.0,
        }
    }

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
