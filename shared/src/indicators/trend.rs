//! Trend: parabolic SAR (bit-identical to TA-Lib 0.8.1 `TA_SAR`, in pandas-ta's four
//! columns), and SUPERTREND and DONCHIAN, which TA-Lib's Python package lacks and which
//! follow pandas-ta's definitions.

use super::range::AtrCore;
use super::{Candle, NONE, Outputs};
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

/// The state [`Psar::step`] moves to.
struct PsarNext {
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

    /// TA-Lib's lookback: 1.
    pub fn lookback(&self) -> usize {
        1
    }

    pub fn update(&mut self, c: &Candle) -> Outputs {
        let (out, next) = self.step(c);
        self.long = next.long;
        self.af = next.af;
        self.ep = next.ep;
        self.sar = next.sar;
        self.prev_high = c.high;
        self.prev_low = c.low;
        self.count += 1;
        out
    }

    pub fn peek(&self, c: &Candle) -> Outputs {
        self.step(c).0
    }

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
}

/// Supertrend as pandas-ta defines it: `[SUPERT, SUPERTd, SUPERTl, SUPERTs]` with suffix
/// `_length_multiplier` (no TA-Lib function).
///
/// pandas-ta with TA-Lib installed: `atr = talib.ATR(high, low, close, length)` (so the
/// bands start at bar `length`), `hl2 = 0.5 * (high + low)`, bands
/// `hl2 -/+ multiplier * atr`; the direction turns up when the close is above the previous
/// (final) upper band, down when below the previous lower band, and otherwise keeps its
/// value and ratchets the band on its side (the lower band never falls in an uptrend, the
/// upper never rises in a downtrend). The first value is an uptrend. `SUPERTd` is `1`/`-1`;
/// `SUPERT` is the band on the trend's side, also in `SUPERTl` (up) or `SUPERTs` (down).
/// pandas-ta's `atr_length` (default `length`) is fixed to `length` here, as in the id.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Supertrend {
    multiplier: f64,
    atr: AtrCore,
    /// The previous bar's final bands and direction (`NaN` bands during the warm-up).
    lower: f64,
    upper: f64,
    up: bool,
}

/// The state [`Supertrend::step`] moves to.
struct SupertrendNext {
    atr: f64,
    lower: f64,
    upper: f64,
    up: bool,
}

impl Supertrend {
    pub fn new(length: usize, multiplier: f64) -> Self {
        assert!(
            multiplier.is_finite() && multiplier > 0.0,
            "SUPERTREND multiplier must be > 0"
        );
        Self {
            multiplier,
            atr: AtrCore::new(length),
            lower: f64::NAN,
            upper: f64::NAN,
            up: true,
        }
    }

    /// The ATR's lookback: `length`.
    pub fn lookback(&self) -> usize {
        self.atr.lookback()
    }

    pub fn update(&mut self, c: &Candle) -> Outputs {
        let (out, next) = self.step(c);
        self.atr.commit(c, next.atr);
        self.lower = next.lower;
        self.upper = next.upper;
        self.up = next.up;
        out
    }

    pub fn peek(&self, c: &Candle) -> Outputs {
        self.step(c).0
    }

    fn step(&self, c: &Candle) -> (Outputs, SupertrendNext) {
        let (atr, atr_state) = self.atr.step(c);
        let mid = 0.5 * (c.high + c.low);
        let band = self.multiplier * atr;
        let mut next = SupertrendNext {
            atr: atr_state,
            lower: mid - band,
            upper: mid + band,
            up: self.up,
        };
        if c.close > self.upper {
            next.up = true;
        } else if c.close < self.lower {
            next.up = false;
        } else {
            if next.up && next.lower < self.lower {
                next.lower = self.lower;
            }
            if !next.up && next.upper > self.upper {
                next.upper = self.upper;
            }
        }
        if atr.is_nan() {
            return (NONE, next);
        }
        let mut out = NONE;
        if next.up {
            out[0] = next.lower;
            out[1] = 1.0;
            out[2] = next.lower;
        } else {
            out[0] = next.upper;
            out[1] = -1.0;
            out[3] = next.upper;
        }
        (out, next)
    }
}

/// A rolling minimum (or maximum) over the last `length` values: a monotonic queue in
/// buffers sized at construction. `update` is amortized O(1) (each value is pushed and
/// popped once; a single call may pop up to `length`), `peek` is O(1).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct RollingExtreme {
    length: usize,
    /// `true`: maximum; `false`: minimum.
    max: bool,
    count: usize,
    /// Queue of (index, value), values strictly improving from back to front (the front is
    /// the extreme); slot `(head + k) % length` holds the `k`-th element.
    index: Vec<usize>,
    value: Vec<f64>,
    head: usize,
    len: usize,
}

impl RollingExtreme {
    fn new(length: usize, max: bool) -> Self {
        Self {
            length,
            max,
            count: 0,
            index: vec![0; length],
            value: vec![0.0; length],
            head: 0,
            len: 0,
        }
    }

    /// `a` is at least as extreme as `b`.
    fn dominates(&self, a: f64, b: f64) -> bool {
        if self.max { a >= b } else { a <= b }
    }

    /// The extreme of the window ending with `x` at index `self.count` (NaN until full).
    fn peek(&self, x: f64) -> f64 {
        let n = self.length;
        if self.count + 1 < n {
            return f64::NAN;
        }
        // The front may be the value leaving the window; the next one is then the extreme
        // of the rest.
        let mut k = 0;
        if self.len > 0 && self.index[self.head] + n <= self.count {
            k = 1;
        }
        if k < self.len {
            let front = self.value[(self.head + k) % n];
            if !self.dominates(x, front) {
                return front;
            }
        }
        x
    }

    fn update(&mut self, x: f64) -> f64 {
        let out = self.peek(x);
        let n = self.length;
        if self.len > 0 && self.index[self.head] + n <= self.count {
            self.head = (self.head + 1) % n;
            self.len -= 1;
        }
        while self.len > 0 && self.dominates(x, self.value[(self.head + self.len - 1) % n]) {
            self.len -= 1;
        }
        let slot = (self.head + self.len) % n;
        self.index[slot] = self.count;
        self.value[slot] = x;
        self.len += 1;
        self.count += 1;
        out
    }
}

/// Donchian channels as pandas-ta defines them: `[DCL, DCM, DCU]` with suffix
/// `_lower_length_upper_length` (no TA-Lib function).
///
/// `DCL` = lowest low of the last `lower_length` bars, `DCU` = highest high of the last
/// `upper_length` bars (pandas rolling min/max), `DCM = 0.5 * (DCL + DCU)`. Each column
/// starts when its own window is full, as in pandas-ta; `lookback()` is when all three are
/// there.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Donchian {
    lower: RollingExtreme,
    upper: RollingExtreme,
}

impl Donchian {
    pub fn new(lower_length: usize, upper_length: usize) -> Self {
        assert!(
            (1..=100_000).contains(&lower_length) && (1..=100_000).contains(&upper_length),
            "DONCHIAN lengths must be in [1, 100000]"
        );
        Self {
            lower: RollingExtreme::new(lower_length, false),
            upper: RollingExtreme::new(upper_length, true),
        }
    }

    /// `max(lower_length, upper_length) - 1`.
    pub fn lookback(&self) -> usize {
        self.lower.length.max(self.upper.length) - 1
    }

    pub fn update(&mut self, c: &Candle) -> Outputs {
        let low = self.lower.update(c.low);
        let high = self.upper.update(c.high);
        Self::outputs(low, high)
    }

    pub fn peek(&self, c: &Candle) -> Outputs {
        Self::outputs(self.lower.peek(c.low), self.upper.peek(c.high))
    }

    fn outputs(low: f64, high: f64) -> Outputs {
        let mut out = NONE;
        out[0] = low;
        out[1] = 0.5 * (low + high);
        out[2] = high;
        out
    }
}
