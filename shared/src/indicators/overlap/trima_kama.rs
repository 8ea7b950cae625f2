//! The window-shaped averages: TRIMA and KAMA, bit-identical to TA-Lib 0.8.1 `TA_TRIMA` and
//! `TA_KAMA` (read from the shipped library: the `ta-lib==0.8.2` wheel bundles C 0.8.1).
//!
//! - `TA_TRIMA` has no FMA build: plain multiply then add.
//! - `TA_KAMA` is dispatched at load time to an FMA build on CPUs that have it (all x86-64
//!   servers we run on). 0.8.1's KAMA differs from every older source: it counts consecutive
//!   unchanged closes and, once the whole window is flat, resets its running sum of
//!   |changes| to exactly 0; its zero test is exact (`0 >= sum`) and the efficiency ratio is
//!   clamped to at most 1.

use crate::indicators::blocks::{Ring, check_period, one};
use crate::indicators::{Candle, Indicator, NONE, Outputs};
use serde::{Deserialize, Serialize};

/// Triangular moving average of the close: `[TRIMA_n]` (TA-Lib `TRIMA`).
///
/// TA-Lib does not compute SMA(SMA): it keeps a numerator (the triangular-weighted sum) and
/// two half sums. The first output builds them over the window in TA-Lib's order (the
/// older half from the middle backwards, O(n) once); then each bar adjusts them with the
/// closes leaving the window, crossing the middle and entering, and outputs
/// `numerator * (1 / sum of weights)`. Odd and even lengths update the second half sum in
/// a different order, as in C.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Trima {
    length: usize,
    /// `1 / sum of weights`: `1/((h+1)^2)` for odd lengths, `1/(h(h+1))` for even, `h = n/2`.
    factor: f64,
    count: usize,
    numerator: f64,
    sub: f64,
    add: f64,
    /// The last `length` closes.
    ring: Ring,
}

/// The scalar state [`Trima`]'s step moves to.
#[derive(Debug)]
pub struct TrimaNext {
    numerator: f64,
    sub: f64,
    add: f64,
}

impl Trima {
    pub fn new(length: usize) -> Self {
        check_period("TRIMA length", length, 2);
        let h = (length >> 1) as u64;
        let weights = if length % 2 == 1 {
            (h + 1) * (h + 1)
        } else {
            h * (h + 1)
        };
        Self {
            length,
            factor: 1.0 / weights as f64,
            count: 0,
            numerator: 0.0,
            sub: 0.0,
            add: 0.0,
            ring: Ring::new(length),
        }
    }
}

impl Indicator for Trima {
    type Next = TrimaNext;

    fn step(&self, c: &Candle) -> (Outputs, TrimaNext) {
        let (n, i, x) = (self.length, self.count, c.close);
        let h = n >> 1;
        let odd = n % 2 == 1;
        let mut next = TrimaNext {
            numerator: self.numerator,
            sub: self.sub,
            add: self.add,
        };
        if i < n - 1 {
            return (NONE, next);
        }
        if i == n - 1 {
            // The first window: close k of it is `at(k)` (0 = oldest).
            let at = |k: usize| if k == n - 1 { x } else { self.ring.get(k) };
            let middle = if odd { h } else { h - 1 };
            let (mut numerator, mut sub, mut add) = (0.0, 0.0, 0.0);
            for k in (0..=middle).rev() {
                sub += at(k);
                numerator += sub;
            }
            for k in middle + 1..n {
                add += at(k);
                numerator += add;
            }
            next = TrimaNext {
                numerator,
                sub,
                add,
            };
        } else {
            let trailing = self.ring.get(i - n);
            let middle = self.ring.get(i - h);
            next.numerator -= next.sub;
            next.sub -= trailing;
            next.sub += middle;
            if odd {
                next.numerator += next.add;
                next.add -= middle;
            } else {
                next.add -= middle;
                next.numerator += next.add;
            }
            next.add += x;
            next.numerator += x;
        }
        (one(next.numerator * self.factor), next)
    }

    fn advance(&mut self, c: &Candle, next: TrimaNext) {
        self.numerator = next.numerator;
        self.sub = next.sub;
        self.add = next.add;
        self.ring.set(self.count, c.close);
        self.count += 1;
    }

    /// TA-Lib's lookback: `length - 1`.
    fn lookback(&self) -> usize {
        self.length - 1
    }
}

/// Kaufman's adaptive moving average of the close: `[KAMA_n_fast_slow]` (TA-Lib `KAMA`).
///
/// TA-Lib fixes `fast = 2` and `slow = 30` (pandas-ta's defaults) and only takes the length;
/// other `fast`/`slow` use the same arithmetic with `2/(slow+1)` and `2/(fast+1)` in place
/// of TA-Lib's constants. Not pandas-ta's own KAMA, which seeds with an SMA and computes
/// the ratio differently: with TA-Lib installed pandas-ta still uses its own code here.
///
/// TA-Lib 0.8.1 per bar `t` (first output at `t = n`, seeded with `prev = close[n-1]`):
/// - `sum` = running sum of `|close[j] - close[j-1]|` over the window's `n` changes,
///   updated as `|new| + (sum - |leaving|)`; a counter of consecutive zero changes resets
///   `sum` to exactly 0 once all `n` changes in the window are 0;
/// - `er = 1` if `0 >= sum` or `close[t] - close[t-n] >= sum`, else
///   `min(1, |(close[t] - close[t-n]) / sum|)`;
/// - `sc = fma(er, 2/(fast+1) - 2/(slow+1), 2/(slow+1))^2`, `kama = fma(sc, x - prev, prev)`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Kama {
    length: usize,
    /// `2/(slow+1)` (TA-Lib's `constMax`) and `2/(fast+1) - 2/(slow+1)` (`constDiff`).
    sc_min: f64,
    sc_diff: f64,
    count: usize,
    sum: f64,
    /// Consecutive zero changes, at most `length`.
    zero_run: usize,
    prev: f64,
    /// The last `length + 1` closes.
    ring: Ring,
}

/// The scalar state [`Kama`]'s step moves to.
#[derive(Debug)]
pub struct KamaNext {
    sum: f64,
    zero_run: usize,
    prev: f64,
}

impl Kama {
    pub fn new(length: usize, fast: usize, slow: usize) -> Self {
        check_period("KAMA length", length, 2);
        check_period("KAMA fast", fast, 1);
        check_period("KAMA slow", slow, 1);
        let sc_min = 2.0 / (slow as f64 + 1.0);
        Self {
            length,
            sc_min,
            sc_diff: 2.0 / (fast as f64 + 1.0) - sc_min,
            count: 0,
            sum: 0.0,
            zero_run: 0,
            prev: 0.0,
            ring: Ring::new(length + 1),
        }
    }

    /// The efficiency ratio from the sum of |changes| and the change over the window.
    fn ratio(sum: f64, period_change: f64) -> f64 {
        if 0.0 >= sum || period_change >= sum {
            return 1.0;
        }
        let r = (period_change / sum).abs();
        if 1.0 < r { 1.0 } else { r }
    }
}

impl Indicator for Kama {
    type Next = KamaNext;

    fn step(&self, c: &Candle) -> (Outputs, KamaNext) {
        let (n, i, x) = (self.length, self.count, c.close);
        let mut next = KamaNext {
            sum: self.sum,
            zero_run: self.zero_run,
            prev: self.prev,
        };
        if i == 0 {
            return (NONE, next);
        }
        let last = self.ring.get(i - 1);
        let change = x - last;
        let er;
        if i <= n {
            // Seeding: the first n changes, summed in order.
            next.sum += (last - x).abs();
            next.zero_run = if last - x == 0.0 {
                next.zero_run + 1
            } else {
                0
            };
            if i < n {
                return (NONE, next);
            }
            next.prev = last;
            er = Self::ratio(next.sum, x - self.ring.get(0));
        } else {
            let leaving = self.ring.get(i - n);
            let flat = if change == 0.0 {
                next.zero_run += 1;
                next.zero_run >= n
            } else {
                next.zero_run = 0;
                false
            };
            if flat {
                next.zero_run = n;
                next.sum = 0.0;
                er = 1.0;
            } else {
                let before = self.ring.get(i - n - 1);
                next.sum = change.abs() + (next.sum - (before - leaving).abs());
                er = Self::ratio(next.sum, x - leaving);
            }
        }
        let sc = er.mul_add(self.sc_diff, self.sc_min);
        let sc = sc * sc;
        next.prev = sc.mul_add(x - next.prev, next.prev);
        (one(next.prev), next)
    }

    fn advance(&mut self, c: &Candle, next: KamaNext) {
        self.sum = next.sum;
        self.zero_run = next.zero_run;
        self.prev = next.prev;
        self.ring.set(self.count, c.close);
        self.count += 1;
    }

    /// TA-Lib's lookback (unstable period 0): `length`.
    fn lookback(&self) -> usize {
        self.length
    }
}

#[cfg(test)]
mod tests {
    use super::super::Rma;
    use super::*;

    use crate::indicators::flat_candle as candle;

    /// A flat series keeps KAMA and RMA on the level once warmed up.
    #[test]
    fn flat_series_stay_flat() {
        let mut kama = Kama::new(3, 2, 30);
        let mut rma = Rma::new(7);
        for t in 0..20 {
            let k = kama.update(&candle(101.25))[0];
            assert_eq!(k.is_nan(), t < 3);
            if t >= 3 {
                assert_eq!(k, 101.25);
            }
            let r = rma.update(&candle(101.25))[0];
            assert_eq!(r.is_nan(), t < 6);
            if t >= 6 {
                assert_eq!(r, 101.25);
            }
        }
    }
}
