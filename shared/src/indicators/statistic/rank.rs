//! Order statistics of the close over a window: PERCENTILE and PERCENTRANK, bit-identical to
//! TA-Lib 0.8.1 `TA_PERCENTILE` and `TA_PERCENTRANK` (both new in 0.8.x).

use crate::indicators::blocks::{Ring, check_period, one};
use crate::indicators::{Candle, Indicator, NONE, Outputs};
use serde::{Deserialize, Serialize};

/// The `percentile`-th percentile of the last `timeperiod` closes (TA-Lib `PERCENTILE`, on the
/// close), nearest rank, no interpolation: the `rank`-th smallest value of the window with
/// `rank = ceil(percentile * n / 100)` (the product before the division, as in C) clamped to
/// `1..=n`.
///
/// As in C, the window's previous `n - 1` values are kept sorted (equal values in age order),
/// and the output is the new close clamped between their `rank - 1`-th and `rank`-th values:
/// `step` is O(1). `advance` inserts the close and drops the departing one from the sorted
/// values: a binary search and an O(n) shift of at most `n - 1` floats, no arithmetic.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Percentile {
    length: usize,
    /// `rank - 1`, the 0-based order statistic of the full window.
    rank: usize,
    count: usize,
    /// The last `length` closes, by age.
    ring: Ring,
    /// The last `min(count, length - 1)` closes in ascending order (ties oldest first), in
    /// the first slots of `length - 1`.
    sorted: Vec<f64>,
}

impl Percentile {
    pub fn new(length: usize, percentile: f64) -> Self {
        check_period("PERCENTILE timeperiod", length, 2);
        assert!(
            (0.0..=100.0).contains(&percentile),
            "PERCENTILE percentile must be in [0, 100]"
        );
        let rank = (percentile * length as f64 / 100.0).ceil() as usize;
        Self {
            length,
            rank: rank.clamp(1, length) - 1,
            count: 0,
            ring: Ring::new(length),
            sorted: vec![0.0; length - 1],
        }
    }
}

impl Indicator for Percentile {
    type Next = ();

    fn step(&self, c: &Candle) -> (Outputs, ()) {
        let retained = self.length - 1;
        if self.count < retained {
            return (NONE, ());
        }
        // The full window is the retained values with the close inserted after its equals:
        // its rank-th value is the close clamped to the retained values around that rank.
        let mut result = c.close;
        if self.rank < retained {
            let hi = self.sorted[self.rank];
            result = if result < hi { result } else { hi };
        }
        if self.rank > 0 {
            let lo = self.sorted[self.rank - 1];
            result = if result < lo { lo } else { result };
        }
        (one(result), ())
    }

    fn advance(&mut self, c: &Candle, (): ()) {
        let retained = self.length - 1;
        let x = c.close;
        let mut len = self.count.min(retained);
        if self.count >= retained {
            // The close leaving the retained values: the first of its run of equals.
            let old = self.ring.get(self.count - retained);
            // Always found (the `min` only keeps a NaN-corrupted order from panicking).
            let at = self.sorted[..len]
                .partition_point(|&v| v < old)
                .min(len - 1);
            self.sorted.copy_within(at + 1..len, at);
            len -= 1;
        }
        let at = self.sorted[..len].partition_point(|&v| v <= x);
        self.sorted.copy_within(at..len, at + 1);
        self.sorted[at] = x;
        self.ring.set(self.count, x);
        self.count += 1;
    }

    /// TA-Lib's lookback: `timeperiod - 1`.
    fn lookback(&self) -> usize {
        self.length - 1
    }
}

/// Percent rank of the close among the previous `timeperiod` closes (TA-Lib `PERCENTRANK`, on
/// the close): `count(previous < close) / n * 100`, divided before scaling as in C.
///
/// O(timeperiod) per update (one comparison per previous close), as in C.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Percentrank {
    length: usize,
    count: usize,
    /// The last `length` closes.
    ring: Ring,
}

impl Percentrank {
    pub fn new(length: usize) -> Self {
        check_period("PERCENTRANK timeperiod", length, 2);
        Self {
            length,
            count: 0,
            ring: Ring::new(length),
        }
    }
}

impl Indicator for Percentrank {
    type Next = ();

    fn step(&self, c: &Candle) -> (Outputs, ()) {
        let n = self.length;
        if self.count < n {
            return (NONE, ());
        }
        let below = (self.count - n..self.count)
            .filter(|&i| self.ring.get(i) < c.close)
            .count();
        (one(below as f64 / n as f64 * 100.0), ())
    }

    fn advance(&mut self, c: &Candle, (): ()) {
        self.ring.set(self.count, c.close);
        self.count += 1;
    }

    /// TA-Lib's lookback: `timeperiod`.
    fn lookback(&self) -> usize {
        self.length
    }
}
