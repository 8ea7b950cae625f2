//! ULTOSC, bit-identical to TA-Lib 0.8.1 `TA_ULTOSC`. Read off the shipped library: it sorts
//! its periods, guards each ratio with an exact `b > 0` and resets a window's sums after a
//! whole window of bars with no range (the null-run reseed).

use crate::indicators::blocks::{Ring, check_period, one};
use crate::indicators::{Candle, Indicator, NONE, Outputs};
use serde::{Deserialize, Serialize};

/// Ultimate oscillator: `[UO_{fast}_{medium}_{slow}]` (pandas-ta's column name, defaults
/// 7, 14, 28; catalogue name ULTOSC), TA-Lib `TA_ULTOSC`.
///
/// Buying pressure `close - min(low, prev close)` and true range are summed over three
/// windows; `100 * (4 a1/b1 + 2 a2/b2 + a3/b3) / 7`, each ratio only where its range sum
/// is `> 0`. TA-Lib sorts the periods, so the weight 4 always goes to the shortest window
/// whatever the order given (pandas-ta's own path does not sort, and its weights are
/// parameters; here they are TA-Lib's fixed 4, 2, 1). A window's sums are reset to exactly
/// 0 after a whole window of bars with no range (TA-Lib's null run).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Ultosc {
    /// Sorted: `periods[0] <= periods[1] <= periods[2]`.
    periods: [usize; 3],
    count: usize,
    prev_close: f64,
    /// `(buying pressure, true range)` sums per window, shortest first.
    a: [f64; 3],
    b: [f64; 3],
    /// Consecutive bars with no range, capped at the longest period.
    null_run: usize,
    /// The last `periods[2]` bars' terms.
    bp_ring: Ring,
    tr_ring: Ring,
}

/// The scalar state [`Ultosc`]'s step moves to.
#[derive(Debug)]
pub struct UltoscNext {
    bp: f64,
    tr: f64,
    a: [f64; 3],
    b: [f64; 3],
    null_run: usize,
}

impl Ultosc {
    pub fn new(fast: usize, medium: usize, slow: usize) -> Self {
        for (name, p) in [
            ("ULTOSC fast", fast),
            ("ULTOSC medium", medium),
            ("ULTOSC slow", slow),
        ] {
            check_period(name, p, 1);
        }
        let mut periods = [fast, medium, slow];
        periods.sort_unstable();
        Self {
            periods,
            count: 0,
            prev_close: 0.0,
            a: [0.0; 3],
            b: [0.0; 3],
            null_run: 0,
            bp_ring: Ring::new(periods[2]),
            tr_ring: Ring::new(periods[2]),
        }
    }
}

impl Indicator for Ultosc {
    type Next = UltoscNext;

    fn step(&self, c: &Candle) -> (Outputs, UltoscNext) {
        let t = self.count;
        let [p1, p2, p3] = self.periods;
        let mut next = UltoscNext {
            bp: 0.0,
            tr: 0.0,
            a: self.a,
            b: self.b,
            null_run: self.null_run,
        };
        if t == 0 {
            return (NONE, next);
        }
        let prev = self.prev_close;
        let true_low = if c.low < prev { c.low } else { prev };
        let bp = c.close - true_low;
        // ULTOSC's own true range, by comparisons as its C code does (not `true_range`'s
        // `max`, which treats NaN differently).
        let mut tr = c.high - c.low;
        if (prev - c.high).abs() > tr {
            tr = (prev - c.high).abs();
        }
        if (prev - c.low).abs() > tr {
            tr = (prev - c.low).abs();
        }
        next.bp = bp;
        next.tr = tr;
        next.null_run = if tr == 0.0 && bp == 0.0 {
            self.null_run + 1
        } else {
            0
        };
        if t < p3 {
            // Warm-up: each window sums the bars of the first output's window, in order.
            for (w, p) in self.periods.into_iter().enumerate() {
                if t > p3 - p {
                    next.a[w] += bp;
                    next.b[w] += tr;
                }
            }
            return (NONE, next);
        }
        for w in 0..3 {
            next.a[w] += bp;
            next.b[w] += tr;
        }
        for (w, p) in self.periods.into_iter().enumerate() {
            if next.null_run >= p {
                next.a[w] = 0.0;
                next.b[w] = 0.0;
            }
        }
        next.null_run = next.null_run.min(p3);

        let mut osc = 0.0;
        if next.b[0] > 0.0 {
            osc += 4.0 * (next.a[0] / next.b[0]);
        }
        if next.b[1] > 0.0 {
            osc += 2.0 * (next.a[1] / next.b[1]);
        }
        if next.b[2] > 0.0 {
            osc += next.a[2] / next.b[2];
        }
        // Drop the bar leaving each window: bar t - p + 1 (t itself for a period of 1).
        for (w, p) in [p1, p2, p3].into_iter().enumerate() {
            let j = t + 1 - p;
            let (bp_j, tr_j) = if j == t {
                (bp, tr)
            } else {
                (self.bp_ring.get(j), self.tr_ring.get(j))
            };
            next.a[w] -= bp_j;
            next.b[w] -= tr_j;
        }
        (one(100.0 * (osc / 7.0)), next)
    }

    fn advance(&mut self, c: &Candle, next: UltoscNext) {
        if self.count > 0 {
            self.bp_ring.set(self.count, next.bp);
            self.tr_ring.set(self.count, next.tr);
        }
        self.a = next.a;
        self.b = next.b;
        self.null_run = next.null_run;
        self.prev_close = c.close;
        self.count += 1;
    }

    /// TA-Lib's lookback: the longest period.
    fn lookback(&self) -> usize {
        self.periods[2]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// ULTOSC sorts its periods, as TA-Lib does.
    #[test]
    fn ultosc_sorts_periods() {
        assert_eq!(Ultosc::new(28, 7, 14), Ultosc::new(7, 14, 28));
        assert_eq!(Ultosc::new(28, 7, 14).lookback(), 28);
    }
}
