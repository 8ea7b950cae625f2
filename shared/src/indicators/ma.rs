//! Moving averages: SMA and EMA, bit-identical to TA-Lib 0.8.1 `TA_SMA` / `TA_EMA`.
//!
//! Both replicate the C code's floating-point order of operations exactly (the batch call
//! over the whole series, as `talib.SMA(close, n)` makes it):
//! - SMA keeps ONE running total for the whole series (never re-summed): add the new value,
//!   divide by `n`, subtract the value leaving the window.
//! - EMA is seeded at index `n-1` with the in-order sum of the first `n` values divided by
//!   `n`, then `prev = fma(x - prev, k, prev)` with `k = 2/(n+1)`. TA-Lib 0.8.x fuses that
//!   multiply-add (its "FMA numerical contract", PR #96); `f64::mul_add` is the same
//!   correctly-rounded operation.

use super::{Candle, NONE, Outputs};
use serde::{Deserialize, Serialize};

/// Simple moving average of the close: `[SMA_n]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sma {
    length: usize,
    /// Closes seen so far.
    count: usize,
    /// TA-Lib's `periodTotal`: sum of the last `length - 1` closes, built by one running
    /// add/subtract since the first candle.
    total: f64,
    /// The last `length` closes; close `i` lives at `i % length`.
    ring: Vec<f64>,
}

impl Sma {
    pub fn new(length: usize) -> Self {
        assert!((2..=100_000).contains(&length), "SMA length must be >= 2");
        Self {
            length,
            count: 0,
            total: 0.0,
            ring: vec![0.0; length],
        }
    }

    /// TA-Lib's lookback: `length - 1`.
    pub fn lookback(&self) -> usize {
        self.length - 1
    }

    pub fn update(&mut self, c: &Candle) -> Outputs {
        let (out, total) = self.step(c.close);
        self.total = total;
        self.ring[self.count % self.length] = c.close;
        self.count += 1;
        out
    }

    pub fn peek(&self, c: &Candle) -> Outputs {
        self.step(c.close).0
    }

    /// Outputs for close `x` at index `self.count`, and the running total after it.
    fn step(&self, x: f64) -> (Outputs, f64) {
        let n = self.length;
        let total = self.total + x;
        if self.count < n - 1 {
            return (NONE, total);
        }
        let mut out = NONE;
        out[0] = total / n as f64;
        // The close leaving the window: index count - (n - 1).
        let trailing = self.ring[(self.count + 1) % n];
        (out, total - trailing)
    }
}

/// Exponential moving average of the close: `[EMA_n]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Ema {
    length: usize,
    /// `2 / (length + 1)`.
    k: f64,
    count: usize,
    /// While warming up: the in-order sum of the closes so far; then the last EMA.
    value: f64,
}

impl Ema {
    pub fn new(length: usize) -> Self {
        assert!((2..=100_000).contains(&length), "EMA length must be >= 2");
        Self {
            length,
            k: 2.0 / (length + 1) as f64,
            count: 0,
            value: 0.0,
        }
    }

    /// TA-Lib's lookback: `length - 1`.
    pub fn lookback(&self) -> usize {
        self.length - 1
    }

    pub fn update(&mut self, c: &Candle) -> Outputs {
        let (out, value) = self.step(c.close);
        self.value = value;
        self.count += 1;
        out
    }

    pub fn peek(&self, c: &Candle) -> Outputs {
        self.step(c.close).0
    }

    fn step(&self, x: f64) -> (Outputs, f64) {
        let n = self.length;
        if self.count < n - 1 {
            return (NONE, self.value + x);
        }
        let value = if self.count == n - 1 {
            (self.value + x) / n as f64
        } else {
            (x - self.value).mul_add(self.k, self.value)
        };
        let mut out = NONE;
        out[0] = value;
        (out, value)
    }
}
