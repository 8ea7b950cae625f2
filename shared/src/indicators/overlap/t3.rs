//! T3, Tillson's six-EMA moving average (bit-identical to TA-Lib 0.8.1 `TA_T3`).

use crate::indicators::blocks::{check_period, one};
use crate::indicators::{Candle, Indicator, NONE, Outputs};
use serde::{Deserialize, Serialize};

/// T3 of the close: `[T3_n_v]` (TA-Lib `T3`, `timeperiod = n`, `vfactor = v`).
///
/// Six chained EMAs, `k = 2 / (n + 1)`, each seeded with the in-order mean of the first `n`
/// values of the one before: EMA1 at bar `n - 1`, then EMA2 once EMA1 has `n` values, and
/// so on, so that EMA6 has its seed at bar `6 (n - 1)`, the lookback. TA-Lib 0.8.1's build
/// fuses each step as `fma(1 - k, prev, k * x)` and the output
/// `c1 e6 + c2 e5 + c3 e4 + c4 e3` as `fma(c4, e3, fma(c3, e4, fma(c1, e6, c2 * e5)))`, with
/// `c1 = -v^3`, `c2 = 3 (v^2 - c1)`, `c3 = -6 v^2 - 3 (v - c1)` (unfused) and
/// `c4 = fma(3, v^2, fma(3, v, 1) - c1)`. A period of 1 is a copy of the close (lookback 0).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct T3 {
    length: usize,
    /// `k` and `1 - k`.
    k: f64,
    decay: f64,
    /// `c1..c4`.
    c: [f64; 4],
    count: usize,
    /// EMA1..EMA6 as far as they are seeded.
    e: [f64; 6],
    /// The in-order sum of the level being seeded.
    total: f64,
}

/// The state [`T3`]'s step moves to: the EMAs and the seed sum.
#[derive(Debug)]
pub struct T3Next {
    e: [f64; 6],
    total: f64,
}

impl T3 {
    pub fn new(timeperiod: usize, vfactor: f64) -> Self {
        check_period("T3 timeperiod", timeperiod, 1);
        assert!(
            (0.0..=1.0).contains(&vfactor),
            "T3 vfactor must be in [0, 1]"
        );
        let k = 2.0 / (timeperiod as f64 + 1.0);
        let v = vfactor;
        let vv = v * v;
        let c1 = 0.0 - vv * v;
        let c2 = 3.0 * (vv - c1);
        let c3 = -6.0 * vv - 3.0 * (v - c1);
        let c4 = 3.0f64.mul_add(vv, 3.0f64.mul_add(v, 1.0) - c1);
        Self {
            length: timeperiod,
            k,
            decay: 1.0 - k,
            c: [c1, c2, c3, c4],
            count: 0,
            e: [0.0; 6],
            total: 0.0,
        }
    }

    fn ema(&self, prev: f64, x: f64) -> f64 {
        self.decay.mul_add(prev, self.k * x)
    }

    fn output(&self, e: &[f64; 6]) -> f64 {
        let [c1, c2, c3, c4] = self.c;
        c4.mul_add(e[2], c3.mul_add(e[3], c1.mul_add(e[5], c2 * e[4])))
    }
}

impl Indicator for T3 {
    type Next = T3Next;

    fn step(&self, c: &Candle) -> (Outputs, T3Next) {
        let (n, i, x) = (self.length, self.count, c.close);
        let mut next = T3Next {
            e: self.e,
            total: self.total,
        };
        if n == 1 {
            return (one(x), next);
        }
        let nf = n as f64;
        if i < n {
            next.total += x;
            if i == n - 1 {
                next.e[0] = next.total / nf;
                next.total = next.e[0];
            }
            return (NONE, next);
        }
        // Levels seeded so far: EMA1..EMA`levels` advance on this bar.
        let m = n - 1;
        let levels = if i < n + 5 * m { (i - n) / m + 1 } else { 6 };
        next.e[0] = self.ema(next.e[0], x);
        for j in 1..levels {
            next.e[j] = self.ema(next.e[j], next.e[j - 1]);
        }
        if levels < 6 {
            next.total += next.e[levels - 1];
            if (i - n + 1).is_multiple_of(m) {
                // The last bar of this level's seed: the next EMA starts.
                next.e[levels] = next.total / nf;
                next.total = next.e[levels];
                if levels == 5 {
                    return (one(self.output(&next.e)), next);
                }
            }
            return (NONE, next);
        }
        (one(self.output(&next.e)), next)
    }

    fn advance(&mut self, _: &Candle, next: T3Next) {
        self.e = next.e;
        self.total = next.total;
        self.count += 1;
    }

    /// TA-Lib's lookback (unstable period 0): `6 (timeperiod - 1)`.
    fn lookback(&self) -> usize {
        6 * (self.length - 1)
    }
}
