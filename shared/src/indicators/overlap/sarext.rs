//! TA-Lib `TA_SAREXT`, the parabolic SAR with separate long and short factors, a start value
//! and an offset on reverse, bit-identical to the shipped TA-Lib 0.8.1. O(1) per update.

use crate::indicators::{Candle, Indicator, NONE, Outputs};
use serde::{Deserialize, Serialize};

/// `[SAREXT_...]`, TA-Lib `SAREXT(high, low, startvalue, offsetonreverse,
/// accelerationinitlong, accelerationlong, accelerationmaxlong, accelerationinitshort,
/// accelerationshort, accelerationmaxshort)`: the SAR, negated while short (TA-Lib's sign
/// convention).
///
/// As [`Psar`](super::Psar) (bar 0 consumed, bar 1 compared with itself, the fused
/// `sar = fma(af, ep - sar, sar)` clamped into the two bars' range), with: the first
/// direction from `startvalue` (0: from the -DM of bars 0 and 1 as SAR; > 0: long from
/// `startvalue`; < 0: short from `|startvalue|`); per side its initial factor, step and
/// maximum (an initial factor or step above the maximum lowered to it); and on a reversal
/// the new SAR moved away by `offsetonreverse` times itself.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sarext {
    start: f64,
    offset: f64,
    /// Long then short: initial factor, step, maximum (after TA-Lib's lowering).
    long_af: [f64; 3],
    short_af: [f64; 3],
    count: usize,
    long: bool,
    af: f64,
    ep: f64,
    sar: f64,
    prev_high: f64,
    prev_low: f64,
}

/// The state [`Sarext`]'s step moves to.
#[derive(Debug)]
pub struct SarextNext {
    long: bool,
    af: f64,
    ep: f64,
    sar: f64,
}

/// TA-Lib's lowering: an initial factor or a step above the maximum is the maximum.
fn factors(init: f64, step: f64, max: f64) -> [f64; 3] {
    [init.min(max), step.min(max), max]
}

impl Sarext {
    /// `p`: TA-Lib's eight params in its order.
    pub fn new(p: [f64; 8]) -> Self {
        assert!(
            p.iter().all(|v| v.is_finite()),
            "SAREXT params must be finite"
        );
        Self {
            start: p[0],
            offset: p[1],
            long_af: factors(p[2], p[3], p[4]),
            short_af: factors(p[5], p[6], p[7]),
            count: 0,
            long: true,
            af: 0.0,
            ep: 0.0,
            sar: 0.0,
            prev_high: 0.0,
            prev_low: 0.0,
        }
    }
}

impl Indicator for Sarext {
    type Next = SarextNext;

    fn step(&self, c: &Candle) -> (Outputs, SarextNext) {
        let (high, low) = (c.high, c.low);
        let mut n = SarextNext {
            long: self.long,
            af: self.af,
            ep: self.ep,
            sar: self.sar,
        };
        if self.count == 0 {
            return (NONE, n);
        }
        let (prev_high, prev_low) = if self.count == 1 {
            if self.start == 0.0 {
                let diff_plus = high - self.prev_high;
                let diff_minus = self.prev_low - low;
                n.long = !(diff_minus > 0.0 && diff_plus < diff_minus);
                n.sar = if n.long {
                    self.prev_low
                } else {
                    self.prev_high
                };
            } else {
                n.long = self.start > 0.0;
                n.sar = self.start.abs();
            }
            n.ep = if n.long { high } else { low };
            n.af = if n.long {
                self.long_af[0]
            } else {
                self.short_af[0]
            };
            (high, low)
        } else {
            (self.prev_high, self.prev_low)
        };
        let out;
        if n.long {
            if low <= n.sar {
                n.long = false;
                let mut sar = n.ep.max(prev_high).max(high);
                if self.offset != 0.0 {
                    sar += sar * self.offset;
                }
                out = -sar;
                n.af = self.short_af[0];
                n.ep = low;
                n.sar = n.af.mul_add(n.ep - sar, sar).max(prev_high).max(high);
            } else {
                out = n.sar;
                if high > n.ep {
                    n.ep = high;
                    n.af = (n.af + self.long_af[1]).min(self.long_af[2]);
                }
                n.sar = n.af.mul_add(n.ep - n.sar, n.sar).min(prev_low).min(low);
            }
        } else if high >= n.sar {
            n.long = true;
            let mut sar = n.ep.min(prev_low).min(low);
            if self.offset != 0.0 {
                sar -= sar * self.offset;
            }
            out = sar;
            n.af = self.long_af[0];
            n.ep = high;
            n.sar = n.af.mul_add(n.ep - sar, sar).min(prev_low).min(low);
        } else {
            out = -n.sar;
            if low < n.ep {
                n.ep = low;
                n.af = (n.af + self.short_af[1]).min(self.short_af[2]);
            }
            n.sar = n.af.mul_add(n.ep - n.sar, n.sar).max(prev_high).max(high);
        }
        let mut outs = NONE;
        outs[0] = out;
        (outs, n)
    }

    fn advance(&mut self, c: &Candle, n: SarextNext) {
        self.long = n.long;
        self.af = n.af;
        self.ep = n.ep;
        self.sar = n.sar;
        self.prev_high = c.high;
        self.prev_low = c.low;
        self.count += 1;
    }

    /// TA-Lib's lookback: 1.
    fn lookback(&self) -> usize {
        1
    }
}
