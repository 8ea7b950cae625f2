//! MFI, bit-identical to TA-Lib 0.8.1 `TA_MFI`. Read off the shipped library: it classifies a
//! typical-price move with the scaled dead zone ([`near_zero`]), resets its sums after a
//! whole window of bars without money flow, clamps the ratio into `[0, 100]` and tests the
//! total exactly (`> 0`).

use crate::indicators::blocks::{Ring, check_period, near_zero, one, typical_price};
use crate::indicators::{Candle, Indicator, NONE, Outputs};
use serde::{Deserialize, Serialize};

/// Money flow index: `[MFI_n]` (pandas-ta's name, default 14), TA-Lib `TA_MFI`.
///
/// Typical price `(high + low + close) / 3`; a bar's money flow `tp * volume` is positive
/// or negative by the sign of the typical-price move, and none when the move is within
/// `1e-14 * (|tp| + |prev tp|)`. After `length` bars in a row without money flow the sums
/// are reset to exactly 0 (TA-Lib's null run). The output is
/// `100 * clamp(pos, 0, total) / total`, 0 when `total <= 0`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Mfi {
    length: usize,
    count: usize,
    prev_tp: f64,
    pos_sum: f64,
    neg_sum: f64,
    /// Consecutive bars without money flow, capped at `length`.
    null_run: usize,
    /// The money flow of bar `i >= 1` as value `i - 1`.
    pos_ring: Ring,
    neg_ring: Ring,
}

/// The scalar state [`Mfi`]'s step moves to.
#[derive(Debug)]
pub struct MfiNext {
    tp: f64,
    pos: f64,
    neg: f64,
    pos_sum: f64,
    neg_sum: f64,
    null_run: usize,
}

impl Mfi {
    pub fn new(length: usize) -> Self {
        check_period("MFI length", length, 2);
        Self {
            length,
            count: 0,
            prev_tp: 0.0,
            pos_sum: 0.0,
            neg_sum: 0.0,
            null_run: 0,
            pos_ring: Ring::new(length),
            neg_ring: Ring::new(length),
        }
    }
}

impl Indicator for Mfi {
    type Next = MfiNext;

    fn step(&self, c: &Candle) -> (Outputs, MfiNext) {
        let n = self.length;
        let tp = typical_price(c);
        let mut next = MfiNext {
            tp,
            pos: 0.0,
            neg: 0.0,
            pos_sum: self.pos_sum,
            neg_sum: self.neg_sum,
            null_run: self.null_run,
        };
        if self.count == 0 {
            return (NONE, next);
        }
        if self.count > n {
            // Drop the flow of bar count - n.
            let leaving = self.count - 1 - n;
            next.pos_sum -= self.pos_ring.get(leaving);
            next.neg_sum -= self.neg_ring.get(leaving);
        }
        let diff = tp - self.prev_tp;
        let flow = if near_zero(diff, tp.abs() + self.prev_tp.abs()) {
            0.0
        } else {
            tp * c.volume
        };
        if diff < 0.0 {
            next.neg = flow;
        } else {
            next.pos = flow;
        }
        next.pos_sum += next.pos;
        next.neg_sum += next.neg;
        next.null_run = if flow == 0.0 { self.null_run + 1 } else { 0 };
        if next.null_run >= n {
            next.null_run = n;
            next.pos_sum = 0.0;
            next.neg_sum = 0.0;
        }
        if self.count < n {
            return (NONE, next);
        }
        let total = next.pos_sum + next.neg_sum;
        let pos = if next.pos_sum < 0.0 {
            0.0
        } else if total < next.pos_sum {
            total
        } else {
            next.pos_sum
        };
        let value = if total <= 0.0 {
            0.0
        } else {
            pos / total * 100.0
        };
        (one(value), next)
    }

    fn advance(&mut self, _: &Candle, next: MfiNext) {
        if self.count > 0 {
            self.pos_ring.set(self.count - 1, next.pos);
            self.neg_ring.set(self.count - 1, next.neg);
        }
        self.prev_tp = next.tp;
        self.pos_sum = next.pos_sum;
        self.neg_sum = next.neg_sum;
        self.null_run = next.null_run;
        self.count += 1;
    }

    /// TA-Lib's lookback: `length`.
    fn lookback(&self) -> usize {
        self.length
    }
}
