//! The parabolic SAR, bit-identical to TA-Lib 0.8.1 `TA_SAR`: in pandas-ta's four columns
//! ([`Psar`]), and as TA-Lib's one series ([`Sar`]).

use crate::indicators::{Candle, Indicator, NONE, Outputs};
use serde::{Deserialize, Serialize};

/// Parabolic stop and reverse: `[PSARl, PSARs, PSARaf, PSARr]` with suffix `_af_max_af`
/// (pandas-ta `psar` column names and order; values from TA-Lib `SAR`).
///
/// pandas-ta and TA-Lib define the SAR differently; we follow TA-Lib and map its state
/// onto pandas-ta's columns:
/// - params: TA-Lib `acceleration` = pandas-ta `af0` = `af` (TA-Lib uses one value for the
///   initial factor and its step), TA-Lib `maximum` = pandas-ta `max_af`; an
///   acceleration above the maximum is lowered to it, as TA-Lib does;
/// - bar 0 is consumed (lookback 1): TA-Lib picks the first direction from the -DM of bars
///   0 and 1 (short iff `low0 - low1 > 0` and `high1 - high0 < low0 - low1`) and starts
///   from bar 0's low (long) or high (short); pandas-ta starts from bar 0 instead;
/// - `PSARl`/`PSARs`: TA-Lib's SAR for the bar, in the column of the direction held after
///   the bar (a reversal bar shows TA-Lib's override SAR in the new direction's column, as
///   pandas-ta does), the other null; `PSARaf`: the acceleration factor after the bar;
///   `PSARr`: 1 on a reversal bar, else 0.
///
/// Per bar TA-Lib's fused build advances `sar = fma(af, ep - sar, sar)` and clamps it into
/// the previous and current bars' range (`min`/`max`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Psar {
    /// TA-Lib's acceleration after `min(acceleration, maximum)`, and the maximum.
    acceleration: f64,
    maximum: f64,
    count: usize,
    long: bool,
    af: f64,
    ep: f64,
    /// The SAR the next bar is tested against (and outputs unless it reverses).
    sar: f64,
    /// The previous bar's high and low (bar 0's until bar 1 arrives).
    prev_high: f64,
    prev_low: f64,
}

/// The state [`Psar`]'s step moves to.
#[derive(Debug)]
pub struct PsarNext {
    long: bool,
    af: f64,
    ep: f64,
    sar: f64,
}

impl Psar {
    pub fn new(acceleration: f64, maximum: f64) -> Self {
        assert!(
            acceleration.is_finite() && acceleration > 0.0,
            "PSAR af must be > 0"
        );
        assert!(
            maximum.is_finite() && maximum > 0.0,
            "PSAR max_af must be > 0"
        );
        Self {
            acceleration: acceleration.min(maximum),
            maximum,
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

impl Indicator for Psar {
    type Next = PsarNext;

    fn step(&self, c: &Candle) -> (Outputs, PsarNext) {
        let (high, low) = (c.high, c.low);
        let mut next = PsarNext {
            long: self.long,
            af: self.af,
            ep: self.ep,
            sar: self.sar,
        };
        if self.count == 0 {
            return (NONE, next);
        }
        // TA-Lib compares each bar with the previous one, except bar 1 with itself.
        let (prev_high, prev_low) = if self.count == 1 {
            let diff_plus = high - self.prev_high;
            let diff_minus = self.prev_low - low;
            next.long = !(diff_minus > 0.0 && diff_plus < diff_minus);
            next.af = self.acceleration;
            if next.long {
                next.ep = high;
                next.sar = self.prev_low;
            } else {
                next.ep = low;
                next.sar = self.prev_high;
            }
            (high, low)
        } else {
            (self.prev_high, self.prev_low)
        };

        let (acc, max) = (self.acceleration, self.maximum);
        let shown;
        let mut reversed = false;
        if next.long {
            if low <= next.sar {
                reversed = true;
                next.long = false;
                shown = next.ep.max(prev_high).max(high);
                next.af = acc;
                next.ep = low;
                next.sar = next.af.mul_add(next.ep - shown, shown);
                next.sar = next.sar.max(prev_high).max(high);
            } else {
                shown = next.sar;
                if high > next.ep {
                    next.ep = high;
                    next.af = (next.af + acc).min(max);
                }
                next.sar = next.af.mul_add(next.ep - next.sar, next.sar);
                next.sar = next.sar.min(prev_low).min(low);
            }
        } else if high >= next.sar {
            reversed = true;
            next.long = true;
            shown = next.ep.min(prev_low).min(low);
            next.af = acc;
            next.ep = high;
            next.sar = next.af.mul_add(next.ep - shown, shown);
            next.sar = next.sar.min(prev_low).min(low);
        } else {
            shown = next.sar;
            if low < next.ep {
                next.ep = low;
                next.af = (next.af + acc).min(max);
            }
            next.sar = next.af.mul_add(next.ep - next.sar, next.sar);
            next.sar = next.sar.max(prev_high).max(high);
        }
        let mut out = NONE;
        out[if next.long { 0 } else { 1 }] = shown;
        out[2] = next.af;
        out[3] = if reversed { 1.0 } else { 0.0 };
        (out, next)
    }

    fn advance(&mut self, c: &Candle, next: PsarNext) {
        self.long = next.long;
        self.af = next.af;
        self.ep = next.ep;
        self.sar = next.sar;
        self.prev_high = c.high;
        self.prev_low = c.low;
        self.count += 1;
    }

    /// TA-Lib's lookback: 1.
    fn lookback(&self) -> usize {
        1
    }
}

/// TA-Lib `SAR` as its one series `[SAR_acceleration_maximum]`: [`Psar`]'s `PSARl` where the
/// bar ends long, `PSARs` where it ends short (the same values, one column).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sar(Psar);

impl Sar {
    pub fn new(acceleration: f64, maximum: f64) -> Self {
        Sar(Psar::new(acceleration, maximum))
    }
}

impl Indicator for Sar {
    type Next = PsarNext;

    fn step(&self, c: &Candle) -> (Outputs, PsarNext) {
        let (split, next) = self.0.step(c);
        let mut out = NONE;
        out[0] = if split[0].is_nan() {
            split[1]
        } else {
            split[0]
        };
        (out, next)
    }

    fn advance(&mut self, c: &Candle, next: PsarNext) {
        self.0.advance(c, next);
    }

    /// TA-Lib's lookback: 1.
    fn lookback(&self) -> usize {
        self.0.lookback()
    }
}
