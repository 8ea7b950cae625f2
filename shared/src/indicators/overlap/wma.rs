//! The weighted averages: WMA and HMA (bit-identical to TA-Lib 0.8.1 `TA_WMA`, `TA_HMA`).
//!
//! `TA_WMA` has no FMA build: plain multiply then add. 0.8.1's WMA also re-sums its window
//! from scratch every `8n` outputs (older sources never do).

use crate::indicators::blocks::{Ring, check_period, one};
use crate::indicators::{Candle, Indicator, NONE, Outputs};
use serde::{Deserialize, Serialize};

/// TA-Lib's weighted moving average core over any input series, including TA-Lib's period 1
/// (a copy of the input), which HMA needs for `int(sqrt(length)) == 1`.
///
/// TA-Lib keeps two running sums: `periodSub` (plain sum of the window) and `periodSum`
/// (the weighted sum), seeded by `periodSum += x * i` for `i = 1..n-1`, then per bar
/// `periodSub += x - trailing` (as two operations), `periodSum += x * n`, output
/// `periodSum / (n(n+1)/2)`, and `periodSum -= periodSub`. TA-Lib 0.8.1 (not the older
/// sources) also re-sums the window from scratch at every `8n`-th output (outputs
/// `8n-1, 16n-1, ...` counted from 0), O(n) once per `8n` bars.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct WmaCore {
    length: usize,
    /// `n (n + 1) / 2` as a float.
    divider: f64,
    count: usize,
    period_sum: f64,
    period_sub: f64,
    /// The last `length` inputs.
    ring: Ring,
}

/// The scalar state [`WmaCore`]'s step moves to.
#[derive(Clone, Copy, Debug)]
pub struct WmaNext {
    period_sum: f64,
    period_sub: f64,
}

impl WmaCore {
    fn new(length: usize) -> Self {
        Self {
            length,
            divider: ((length as u64 * (length as u64 + 1)) >> 1) as f64,
            count: 0,
            period_sum: 0.0,
            period_sub: 0.0,
            ring: Ring::new(length),
        }
    }

    /// The WMA for input `x` at index `self.count` (NaN while warming up).
    fn step(&self, x: f64) -> (f64, WmaNext) {
        let n = self.length;
        let mut next = WmaNext {
            period_sum: self.period_sum,
            period_sub: self.period_sub,
        };
        if n == 1 {
            return (x, next);
        }
        let i = self.count;
        if i < n - 1 {
            next.period_sub += x;
            next.period_sum += x * (i + 1) as f64;
            return (f64::NAN, next);
        }
        if (i + 2 - n).is_multiple_of(8 * n) {
            // Every 8n-th output TA-Lib 0.8.1 re-sums the window from scratch (in order,
            // weights 1..=n), which stops the running sums from drifting.
            let (mut sub, mut sum) = (0.0, 0.0);
            for k in 0..n {
                let v = if k == n - 1 {
                    x
                } else {
                    self.ring.get(i + 1 + k - n)
                };
                sub += v;
                sum += (k + 1) as f64 * v;
            }
            next.period_sub = sub;
            next.period_sum = sum - sub;
            return (sum / self.divider, next);
        }
        // The input leaving the window: index i - n (none at the first output).
        let trailing = if i == n - 1 {
            0.0
        } else {
            self.ring.get(i - n)
        };
        next.period_sub += x;
        next.period_sub -= trailing;
        next.period_sum += x * n as f64;
        let out = next.period_sum / self.divider;
        next.period_sum -= next.period_sub;
        (out, next)
    }

    fn commit(&mut self, x: f64, next: WmaNext) {
        self.period_sum = next.period_sum;
        self.period_sub = next.period_sub;
        self.ring.set(self.count, x);
        self.count += 1;
    }
}

/// Weighted moving average of the close: `[WMA_n]` (TA-Lib `WMA`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Wma {
    core: WmaCore,
}

impl Wma {
    pub fn new(length: usize) -> Self {
        check_period("WMA length", length, 2);
        Self {
            core: WmaCore::new(length),
        }
    }
}

impl Indicator for Wma {
    type Next = WmaNext;

    fn step(&self, c: &Candle) -> (Outputs, WmaNext) {
        let (value, next) = self.core.step(c.close);
        (one(value), next)
    }

    fn advance(&mut self, c: &Candle, next: WmaNext) {
        self.core.commit(c.close, next);
    }

    /// TA-Lib's lookback: `length - 1`.
    fn lookback(&self) -> usize {
        self.core.length - 1
    }
}

/// Hull moving average of the close: `[HMA_n]` (TA-Lib `HMA`).
///
/// `HMA = WMA(2 * WMA(close, n/2) - WMA(close, n), int(sqrt(n)))`, integer division, each
/// WMA TA-Lib's own (`TA_WMA`, with its `8n` re-sum). TA-Lib 0.8.1 enters all three WMAs at
/// bar `n - 1`, where the first difference is needed: the half-period WMA therefore starts
/// at bar `n - n/2` (its running sums seeded over bars `n - n/2 .. n - 2`, its re-sum
/// schedule counted from there), not at bar 0 as a separate `talib.WMA(close, n/2)` would.
/// The difference is `(2 * a) - b`, unfused. Lookback `(n - 1) + (int(sqrt(n)) - 1)`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Hma {
    length: usize,
    half: WmaCore,
    full: WmaCore,
    smooth: WmaCore,
}

/// What [`Hma`]'s step moves its three WMAs to; the half-period one only moves from bar
/// `n - n/2` on, the smoothing one once the difference exists.
#[derive(Debug)]
pub struct HmaNext {
    half: Option<WmaNext>,
    full: WmaNext,
    smooth: Option<(f64, WmaNext)>,
}

impl Hma {
    pub fn new(length: usize) -> Self {
        check_period("HMA length", length, 2);
        Self {
            length,
            half: WmaCore::new(length / 2),
            full: WmaCore::new(length),
            smooth: WmaCore::new(isqrt(length)),
        }
    }
}

impl Indicator for Hma {
    type Next = HmaNext;

    fn step(&self, c: &Candle) -> (Outputs, HmaNext) {
        let x = c.close;
        let (b, full) = self.full.step(x);
        let (a, half) = if self.full.count >= self.length - self.half.length {
            let (a, half) = self.half.step(x);
            (a, Some(half))
        } else {
            (f64::NAN, None)
        };
        let mut next = HmaNext {
            half,
            full,
            smooth: None,
        };
        if b.is_nan() {
            return (NONE, next);
        }
        let d = 2.0 * a - b;
        let (value, smooth) = self.smooth.step(d);
        next.smooth = Some((d, smooth));
        (one(value), next)
    }

    fn advance(&mut self, c: &Candle, next: HmaNext) {
        if let Some(half) = next.half {
            self.half.commit(c.close, half);
        }
        self.full.commit(c.close, next.full);
        if let Some((d, smooth)) = next.smooth {
            self.smooth.commit(d, smooth);
        }
    }

    fn lookback(&self) -> usize {
        (self.length - 1) + (self.smooth.length - 1)
    }
}

/// `int(sqrt(n))` for the lengths we accept (exact: no float rounding at perfect squares).
fn isqrt(n: usize) -> usize {
    let mut r = (n as f64).sqrt() as usize;
    while r * r > n {
        r -= 1;
    }
    while (r + 1) * (r + 1) <= n {
        r += 1;
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `int(sqrt(n))` is exact at and around perfect squares.
    #[test]
    fn isqrt_is_floor_of_sqrt() {
        for n in 1..2000usize {
            let r = isqrt(n);
            assert!(r * r <= n && (r + 1) * (r + 1) > n, "{n}");
        }
    }
}
