//! The midpoints of a window's range: MIDPOINT and MIDPRICE (bit-identical to TA-Lib 0.8.1
//! `TA_MIDPOINT`, `TA_MIDPRICE`).
//!
//! Both are `(highest + lowest) / 2` over the last `n` bars; the extremes are exact whatever
//! the algorithm (TA-Lib caches them with their index and rescans when one leaves the
//! window; we keep a monotonic deque, [`Extreme`], amortized O(1) per update).

use crate::indicators::blocks::{Extreme, check_period, one};
use crate::indicators::{Candle, Indicator, Outputs};
use serde::{Deserialize, Serialize};

/// The highest and lowest of two series over one window (the same series for MIDPOINT).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Range {
    count: usize,
    highest: Extreme,
    lowest: Extreme,
}

impl Range {
    fn new(what: &str, length: usize) -> Self {
        check_period(what, length, 2);
        Self {
            count: 0,
            highest: Extreme::new(length, true),
            lowest: Extreme::new(length, false),
        }
    }

    /// `(highest(hi) + lowest(lo)) / 2` over the window ending with `hi`, `lo`; NaN until
    /// the window is full.
    fn mid(&self, hi: f64, lo: f64) -> f64 {
        if self.count + 1 < self.highest.window() {
            return f64::NAN;
        }
        let highest = self.highest.peek(self.count, hi).1;
        let lowest = self.lowest.peek(self.count, lo).1;
        (highest + lowest) / 2.0
    }

    fn push(&mut self, hi: f64, lo: f64) {
        self.highest.push(self.count, hi);
        self.lowest.push(self.count, lo);
        self.count += 1;
    }

    fn lookback(&self) -> usize {
        self.highest.window() - 1
    }
}

/// Midpoint of the close over the window: `[MIDPOINT_n]` (TA-Lib `MIDPOINT`),
/// `(highest close + lowest close) / 2`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Midpoint {
    range: Range,
}

impl Midpoint {
    pub fn new(timeperiod: usize) -> Self {
        Self {
            range: Range::new("MIDPOINT timeperiod", timeperiod),
        }
    }
}

impl Indicator for Midpoint {
    type Next = ();

    fn step(&self, c: &Candle) -> (Outputs, ()) {
        (one(self.range.mid(c.close, c.close)), ())
    }

    fn advance(&mut self, c: &Candle, (): ()) {
        self.range.push(c.close, c.close);
    }

    /// TA-Lib's lookback: `timeperiod - 1`.
    fn lookback(&self) -> usize {
        self.range.lookback()
    }
}

/// Midpoint price over the window: `[MIDPRICE_n]` (TA-Lib `MIDPRICE`, on high and low),
/// `(highest high + lowest low) / 2`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Midprice {
    range: Range,
}

impl Midprice {
    pub fn new(timeperiod: usize) -> Self {
        Self {
            range: Range::new("MIDPRICE timeperiod", timeperiod),
        }
    }
}

impl Indicator for Midprice {
    type Next = ();

    fn step(&self, c: &Candle) -> (Outputs, ()) {
        (one(self.range.mid(c.high, c.low)), ())
    }

    fn advance(&mut self, c: &Candle, (): ()) {
        self.range.push(c.high, c.low);
    }

    /// TA-Lib's lookback: `timeperiod - 1`.
    fn lookback(&self) -> usize {
        self.range.lookback()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The midpoint of 1, 5, 3 is 3, and 5 leaving the window moves it.
    #[test]
    fn midpoint_of_the_window() {
        let mut m = Midpoint::new(3);
        let out: Vec<f64> = [1.0, 5.0, 3.0, 2.0, 2.0]
            .map(|x| m.update(&crate::indicators::flat_candle(x))[0])
            .to_vec();
        assert!(out[0].is_nan() && out[1].is_nan());
        assert_eq!(&out[2..], &[3.0, 3.5, 2.5]);
    }
}
