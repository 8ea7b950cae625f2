//! Oscillators: STOCH, STOCHRSI, WILLR, CCI, MFI, ROC, MOM and ULTOSC, bit-identical to
//! TA-Lib 0.8.1 (`TA_STOCH`, `TA_STOCHRSI`/`TA_STOCHF`, `TA_WILLR`, `TA_CCI`, `TA_MFI`,
//! `TA_ROC`, `TA_MOM`, `TA_ULTOSC`).
//!
//! The arithmetic was read off the shipped library (the `ta-lib==0.8.2` wheel bundles
//! TA-Lib C 0.8.1, disassembled), not off older C sources, which differ in places that
//! change values:
//! - STOCH/STOCHF and WILLR compute `(close - lowest) / (highest - lowest) * 100` (resp.
//!   `(highest - close) / (highest - lowest) * -100`, clamped into `[-100, 0]`) and give 0
//!   when the range is within a scaled dead zone, `|H - L| <= 1e-14 * (|H| + |L|)`; older
//!   sources divide by a cached `(H - L) / 100` and test it against exactly 0.
//! - CCI zeroes the value when `|tp - mean| <= 1e-14 * |mean|` or the mean deviation is
//!   within the same band (older: `TA_IS_ZERO`, a fixed 1e-8 band).
//! - MFI classifies a typical-price move with the same scaled dead zone, resets its sums
//!   after a whole window of bars without money flow, clamps the ratio into `[0, 100]`
//!   and tests the total exactly (`> 0`).
//! - ULTOSC sorts its periods, guards each ratio with an exact `b > 0` and resets a
//!   window's sums after a whole window of bars with no range (the null-run reseed).
//!
//! Rolling lowest/highest use a monotonic deque ([`Extreme`]): amortized O(1) per candle
//! (each candle enters and leaves the deque once), no allocation after construction.

use super::{Candle, NONE, Outputs, Rsi};
use serde::{Deserialize, Serialize};

/// TA-Lib 0.8.1's `TA_IS_ZERO_SCALED(v, scale)` epsilon: `v` counts as zero when
/// `|v| <= 1e-14 * scale`.
pub(super) const SCALED_EPSILON: f64 = 1e-14;

/// The lowest or highest value of a sliding window and the index of its most recent
/// occurrence (TA-Lib's `lowestIdx`/`highestIdx` with `<=`/`>=` ties, as AROON needs).
///
/// A monotonic deque in a ring buffer of `window` slots: entries keep increasing indices
/// and strictly monotonic values, so the front is the window's extreme. Pushing is
/// amortized O(1) (an entry is dropped from the back at most once); reading the extreme
/// of the window ending with a candidate value is O(1) and does not mutate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(super) struct Extreme {
    /// `true` for the highest value, `false` for the lowest.
    highest: bool,
    window: usize,
    head: usize,
    len: usize,
    index: Vec<u64>,
    value: Vec<f64>,
}

impl Extreme {
    pub(super) fn new(window: usize, highest: bool) -> Self {
        Self {
            highest,
            window,
            head: 0,
            len: 0,
            index: vec![0; window],
            value: vec![0.0; window],
        }
    }

    /// Whether `new` replaces `old` as the extreme (ties go to the newer value).
    fn beats(&self, new: f64, old: f64) -> bool {
        if self.highest { new >= old } else { new <= old }
    }

    fn slot(&self, k: usize) -> usize {
        (self.head + k) % self.window
    }

    /// `(index, value)` of the extreme of the window ending at index `t` whose last value
    /// is `x` (earlier values are those pushed before).
    pub(super) fn peek(&self, t: u64, x: f64) -> (u64, f64) {
        let w = self.window as u64;
        let mut k = 0;
        // At most one entry expires per index step.
        while k < self.len && self.index[self.slot(k)] + w <= t {
            k += 1;
        }
        if k < self.len {
            let s = self.slot(k);
            if !self.beats(x, self.value[s]) {
                return (self.index[s], self.value[s]);
            }
        }
        (t, x)
    }

    /// Appends value `x` at index `t`.
    pub(super) fn push(&mut self, t: u64, x: f64) {
        let w = self.window as u64;
        while self.len > 0 && self.index[self.head] + w <= t {
            self.head = (self.head + 1) % self.window;
            self.len -= 1;
        }
        while self.len > 0 && self.beats(x, self.value[self.slot(self.len - 1)]) {
            self.len -= 1;
        }
        let s = self.slot(self.len);
        self.index[s] = t;
        self.value[s] = x;
        self.len += 1;
    }
}

/// TA-Lib's simple moving average (`TA_MA` with `TA_MAType_SMA`) over a derived series:
/// one running total for the whole series, `total / n`, then the value leaving the
/// window is subtracted; a period of 1 is a plain copy.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(super) struct RollingSma {
    length: usize,
    count: usize,
    total: f64,
    ring: Vec<f64>,
}

impl RollingSma {
    pub(super) fn new(length: usize) -> Self {
        Self {
            length,
            count: 0,
            total: 0.0,
            ring: vec![0.0; length],
        }
    }

    /// The average with `x` as the next input (NaN while warming up) and the running
    /// total after it.
    pub(super) fn step(&self, x: f64) -> (f64, f64) {
        let n = self.length;
        if n == 1 {
            return (x, 0.0);
        }
        let total = self.total + x;
        if self.count < n - 1 {
            return (f64::NAN, total);
        }
        // The input leaving the window: index count - (n - 1).
        let trailing = self.ring[(self.count + 1) % n];
        (total / n as f64, total - trailing)
    }

    /// Commits input `x` with the total [`RollingSma::step`] returned for it.
    pub(super) fn commit(&mut self, x: f64, total: f64) {
        self.total = total;
        self.ring[self.count % self.length] = x;
        self.count += 1;
    }
}

/// The stochastic core shared by STOCH and STOCHRSI: raw %K over `k` inputs, smoothed by
/// an SMA of `smooth` (1 = none), and %D, an SMA of `d` of the smoothed %K. Both lines are
/// published from the first %D on, as TA-Lib aligns them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct StochCore {
    k: usize,
    count: usize,
    lowest: Extreme,
    highest: Extreme,
    smooth: RollingSma,
    signal: RollingSma,
}

/// What [`StochCore::step`] computed for one input.
struct StochNext {
    /// Raw and smoothed %K (NaN while warming up) and the SMA totals after them.
    fast: f64,
    slow: f64,
    smooth_total: f64,
    signal_total: f64,
}

impl StochCore {
    fn new(k: usize, smooth: usize, d: usize) -> Self {
        Self {
            k,
            count: 0,
            lowest: Extreme::new(k, false),
            highest: Extreme::new(k, true),
            smooth: RollingSma::new(smooth),
            signal: RollingSma::new(d),
        }
    }

    fn lookback(&self) -> usize {
        (self.k - 1) + (self.smooth.length - 1) + (self.signal.length - 1)
    }

    /// `[%K, %D]` (NaN while warming up) for the next input.
    fn step(&self, high: f64, low: f64, close: f64) -> ([f64; 2], StochNext) {
        let t = self.count as u64;
        let mut next = StochNext {
            fast: f64::NAN,
            slow: f64::NAN,
            smooth_total: 0.0,
            signal_total: 0.0,
        };
        if self.count + 1 < self.k {
            return ([f64::NAN; 2], next);
        }
        let lowest = self.lowest.peek(t, low).1;
        let highest = self.highest.peek(t, high).1;
        let range = highest - lowest;
        next.fast = if (highest.abs() + lowest.abs()) * SCALED_EPSILON >= range.abs() {
            0.0
        } else {
            (close - lowest) / range * 100.0
        };
        (next.slow, next.smooth_total) = self.smooth.step(next.fast);
        if next.slow.is_nan() {
            return ([f64::NAN; 2], next);
        }
        let (d, signal_total) = self.signal.step(next.slow);
        next.signal_total = signal_total;
        if d.is_nan() {
            return ([f64::NAN; 2], next);
        }
        ([next.slow, d], next)
    }

    fn commit(&mut self, high: f64, low: f64, next: &StochNext) {
        let t = self.count as u64;
        self.lowest.push(t, low);
        self.highest.push(t, high);
        if !next.fast.is_nan() {
            self.smooth.commit(next.fast, next.smooth_total);
        }
        if !next.slow.is_nan() {
            self.signal.commit(next.slow, next.signal_total);
        }
        self.count += 1;
    }
}

/// Stochastic oscillator: `[STOCHk, STOCHd]`, id `STOCH_{k}_{d}_{smooth_k}`, columns
/// `STOCHk_{k}_{d}_{smooth_k}` and `STOCHd_{k}_{d}_{smooth_k}` (pandas-ta's names and
/// defaults 14, 3, 3).
///
/// TA-Lib mapping: `TA_STOCH(fastk_period = k, slowk_period = smooth_k, slowk_matype = SMA,
/// slowd_period = d, slowd_matype = SMA)`. pandas-ta's own path smooths with its `mamode`
/// and divides by a range nudged off zero; TA-Lib gives %K = 0 for a (near-)zero range.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Stoch {
    core: StochCore,
}

impl Stoch {
    pub fn new(k: usize, d: usize, smooth_k: usize) -> Self {
        for (name, p) in [("k", k), ("d", d), ("smooth_k", smooth_k)] {
            assert!(
                (1..=100_000).contains(&p),
                "STOCH {name} must be in 1..=100000"
            );
        }
        Self {
            core: StochCore::new(k, smooth_k, d),
        }
    }

    /// TA-Lib's lookback: `(k - 1) + (smooth_k - 1) + (d - 1)`.
    pub fn lookback(&self) -> usize {
        self.core.lookback()
    }

    pub fn update(&mut self, c: &Candle) -> Outputs {
        let (out, next) = self.step(c);
        self.core.commit(c.high, c.low, &next);
        out
    }

    pub fn peek(&self, c: &Candle) -> Outputs {
        self.step(c).0
    }

    fn step(&self, c: &Candle) -> (Outputs, StochNext) {
        let (kd, next) = self.core.step(c.high, c.low, c.close);
        let mut out = NONE;
        out[..2].copy_from_slice(&kd);
        (out, next)
    }
}

/// Stochastic RSI: `[STOCHRSIk, STOCHRSId]`, id `STOCHRSI_{length}_{rsi_length}_{k}_{d}`
/// (pandas-ta's names and defaults 14, 14, 3, 3).
///
/// TA-Lib mapping: the stochastic of Wilder's RSI (`TA_RSI(rsi_length)`, bit-identical to
/// [`Rsi`]) over `length` RSI values, %K smoothed by an SMA of `k`, %D an SMA of `d` of it.
/// With `k = 1` this is exactly `TA_STOCHRSI(timeperiod = rsi_length, fastk_period =
/// length, fastd_period = d, fastd_matype = SMA)` (TA-Lib's STOCHRSI has no %K smoothing);
/// with `k > 1` it is `TA_STOCH` over the RSI series (`fastk = length, slowk = k, slowd =
/// d`), which is pandas-ta's definition computed with TA-Lib's arithmetic.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StochRsi {
    rsi: Rsi,
    rsi_length: usize,
    core: StochCore,
}

impl StochRsi {
    pub fn new(length: usize, rsi_length: usize, k: usize, d: usize) -> Self {
        assert!(
            (2..=100_000).contains(&rsi_length),
            "STOCHRSI rsi_length must be in 2..=100000"
        );
        for (name, p) in [("length", length), ("k", k), ("d", d)] {
            assert!(
                (1..=100_000).contains(&p),
                "STOCHRSI {name} must be in 1..=100000"
            );
        }
        Self {
            rsi: Rsi::new(rsi_length),
            rsi_length,
            core: StochCore::new(length, k, d),
        }
    }

    /// RSI's lookback plus the stochastic's: `rsi_length + (length - 1) + (k - 1) + (d - 1)`.
    pub fn lookback(&self) -> usize {
        self.rsi_length + self.core.lookback()
    }

    pub fn update(&mut self, c: &Candle) -> Outputs {
        let (out, rsi, next) = self.step(c);
        self.rsi = rsi;
        if let Some((r, next)) = next {
            self.core.commit(r, r, &next);
        }
        out
    }

    pub fn peek(&self, c: &Candle) -> Outputs {
        self.step(c).0
    }

    /// The outputs, the RSI state after `c` (a copy, no allocation) and, once the RSI has
    /// values, the RSI value and the stochastic step over it.
    fn step(&self, c: &Candle) -> (Outputs, Rsi, Option<(f64, StochNext)>) {
        let mut rsi = self.rsi.clone();
        let r = rsi.update(c)[0];
        if r.is_nan() {
            return (NONE, rsi, None);
        }
        let (kd, next) = self.core.step(r, r, r);
        let mut out = NONE;
        out[..2].copy_from_slice(&kd);
        (out, rsi, Some((r, next)))
    }
}

/// Williams' %R: `[WILLR_n]` (pandas-ta's name, default 14), TA-Lib `TA_WILLR`:
/// `(highest - close) / (highest - lowest) * -100` over `length` candles, clamped into
/// `[-100, 0]`, 0 for a (near-)zero range.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Willr {
    length: usize,
    count: usize,
    lowest: Extreme,
    highest: Extreme,
}

impl Willr {
    pub fn new(length: usize) -> Self {
        assert!(
            (2..=100_000).contains(&length),
            "WILLR length must be in 2..=100000"
        );
        Self {
            length,
            count: 0,
            lowest: Extreme::new(length, false),
            highest: Extreme::new(length, true),
        }
    }

    /// TA-Lib's lookback: `length - 1`.
    pub fn lookback(&self) -> usize {
        self.length - 1
    }

    pub fn update(&mut self, c: &Candle) -> Outputs {
        let out = self.step(c);
        let t = self.count as u64;
        self.lowest.push(t, c.low);
        self.highest.push(t, c.high);
        self.count += 1;
        out
    }

    pub fn peek(&self, c: &Candle) -> Outputs {
        self.step(c)
    }

    fn step(&self, c: &Candle) -> Outputs {
        if self.count + 1 < self.length {
            return NONE;
        }
        let t = self.count as u64;
        let lowest = self.lowest.peek(t, c.low).1;
        let highest = self.highest.peek(t, c.high).1;
        let range = highest - lowest;
        let mut out = NONE;
        out[0] = if (highest.abs() + lowest.abs()) * SCALED_EPSILON >= range.abs() {
            0.0
        } else {
            // The C code clamps with `v > 0 ? 0 : maxsd(-100, v)`: the same for finite `v`.
            ((highest - c.close) / range * -100.0).clamp(-100.0, 0.0)
        };
        out
    }
}

/// Commodity channel index: `[CCI_{length}_{c}]` (pandas-ta's name and defaults 14, 0.015).
///
/// TA-Lib `TA_CCI` (whose constant is 0.015; another `c` only rescales the value):
/// `(tp - mean) / ((meandev / n) * c)` with `tp = (high + low + close) / 3`, the mean and
/// the mean absolute deviation summed over the window in TA-Lib's circular-buffer order
/// (typical price `i` in slot `i % n`, slots summed 0..n), so the sums round exactly as
/// TA-Lib's do. Inherently O(length) per candle: the mean deviation depends on the
/// current mean, so it cannot be updated incrementally (two tight passes over `n` f64).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cci {
    length: usize,
    c: f64,
    count: usize,
    /// Typical price `i` in slot `i % length`.
    ring: Vec<f64>,
}

impl Cci {
    pub fn new(length: usize, c: f64) -> Self {
        assert!(
            (2..=100_000).contains(&length),
            "CCI length must be in 2..=100000"
        );
        assert!(c.is_finite() && c > 0.0, "CCI c must be > 0");
        Self {
            length,
            c,
            count: 0,
            ring: vec![0.0; length],
        }
    }

    /// TA-Lib's lookback: `length - 1`.
    pub fn lookback(&self) -> usize {
        self.length - 1
    }

    pub fn update(&mut self, c: &Candle) -> Outputs {
        let (out, tp) = self.step(c);
        self.ring[self.count % self.length] = tp;
        self.count += 1;
        out
    }

    pub fn peek(&self, c: &Candle) -> Outputs {
        self.step(c).0
    }

    fn step(&self, c: &Candle) -> (Outputs, f64) {
        let n = self.length;
        let tp = (c.high + c.low + c.close) / 3.0;
        if self.count + 1 < n {
            return (NONE, tp);
        }
        let own = self.count % n;
        let at = |j: usize| if j == own { tp } else { self.ring[j] };
        let mut mean = 0.0;
        for j in 0..n {
            mean += at(j);
        }
        mean /= n as f64;
        let mut dev = 0.0;
        for j in 0..n {
            dev += (at(j) - mean).abs();
        }
        let diff = tp - mean;
        let scale = mean.abs() * SCALED_EPSILON;
        let mut out = NONE;
        out[0] = 0.0;
        if scale < diff.abs() {
            let dev = dev / n as f64;
            if scale < dev.abs() {
                let denom = dev * self.c;
                if denom != 0.0 {
                    out[0] = diff / denom;
                }
            }
        }
        (out, tp)
    }
}

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
    /// The money flow of bar `i >= 1` in slot `(i - 1) % length`.
    pos_ring: Vec<f64>,
    neg_ring: Vec<f64>,
}

/// The scalar state [`Mfi::step`] moves to.
struct MfiNext {
    tp: f64,
    pos: f64,
    neg: f64,
    pos_sum: f64,
    neg_sum: f64,
    null_run: usize,
}

impl Mfi {
    pub fn new(length: usize) -> Self {
        assert!(
            (2..=100_000).contains(&length),
            "MFI length must be in 2..=100000"
        );
        Self {
            length,
            count: 0,
            prev_tp: 0.0,
            pos_sum: 0.0,
            neg_sum: 0.0,
            null_run: 0,
            pos_ring: vec![0.0; length],
            neg_ring: vec![0.0; length],
        }
    }

    /// TA-Lib's lookback: `length`.
    pub fn lookback(&self) -> usize {
        self.length
    }

    pub fn update(&mut self, c: &Candle) -> Outputs {
        let (out, next) = self.step(c);
        if self.count > 0 {
            let slot = (self.count - 1) % self.length;
            self.pos_ring[slot] = next.pos;
            self.neg_ring[slot] = next.neg;
        }
        self.prev_tp = next.tp;
        self.pos_sum = next.pos_sum;
        self.neg_sum = next.neg_sum;
        self.null_run = next.null_run;
        self.count += 1;
        out
    }

    pub fn peek(&self, c: &Candle) -> Outputs {
        self.step(c).0
    }

    fn step(&self, c: &Candle) -> (Outputs, MfiNext) {
        let n = self.length;
        let tp = (c.high + c.low + c.close) / 3.0;
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
            // Drop the flow of bar count - n, which sits in this bar's slot.
            let slot = (self.count - 1) % n;
            next.pos_sum -= self.pos_ring[slot];
            next.neg_sum -= self.neg_ring[slot];
        }
        let diff = tp - self.prev_tp;
        let flow = if (tp.abs() + self.prev_tp.abs()) * SCALED_EPSILON >= diff.abs() {
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
        let mut out = NONE;
        out[0] = if total <= 0.0 {
            0.0
        } else {
            pos / total * 100.0
        };
        (out, next)
    }
}

/// The close `length` candles back, shared by ROC and MOM.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Lagged {
    length: usize,
    count: usize,
    /// Close `i` in slot `i % length`.
    ring: Vec<f64>,
}

impl Lagged {
    fn new(length: usize) -> Self {
        Self {
            length,
            count: 0,
            ring: vec![0.0; length],
        }
    }

    /// The close `length` candles before the next one, once there is one.
    fn prev(&self) -> Option<f64> {
        (self.count >= self.length).then(|| self.ring[self.count % self.length])
    }

    fn push(&mut self, x: f64) {
        self.ring[self.count % self.length] = x;
        self.count += 1;
    }
}

/// Rate of change of the close, in percent: `[ROC_n]` (pandas-ta's name, default 10),
/// TA-Lib `TA_ROC`: `(close / close[n] - 1) * 100`, 0 when `close[n]` is 0.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Roc {
    lag: Lagged,
}

impl Roc {
    pub fn new(length: usize) -> Self {
        assert!(
            (1..=100_000).contains(&length),
            "ROC length must be in 1..=100000"
        );
        Self {
            lag: Lagged::new(length),
        }
    }

    /// TA-Lib's lookback: `length`.
    pub fn lookback(&self) -> usize {
        self.lag.length
    }

    pub fn update(&mut self, c: &Candle) -> Outputs {
        let out = self.step(c);
        self.lag.push(c.close);
        out
    }

    pub fn peek(&self, c: &Candle) -> Outputs {
        self.step(c)
    }

    fn step(&self, c: &Candle) -> Outputs {
        let Some(prev) = self.lag.prev() else {
            return NONE;
        };
        let mut out = NONE;
        out[0] = if prev != 0.0 {
            (c.close / prev - 1.0) * 100.0
        } else {
            0.0
        };
        out
    }
}

/// Momentum of the close: `[MOM_n]` (pandas-ta's name, default 10), TA-Lib `TA_MOM`:
/// `close - close[n]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Mom {
    lag: Lagged,
}

impl Mom {
    pub fn new(length: usize) -> Self {
        assert!(
            (1..=100_000).contains(&length),
            "MOM length must be in 1..=100000"
        );
        Self {
            lag: Lagged::new(length),
        }
    }

    /// TA-Lib's lookback: `length`.
    pub fn lookback(&self) -> usize {
        self.lag.length
    }

    pub fn update(&mut self, c: &Candle) -> Outputs {
        let out = self.step(c);
        self.lag.push(c.close);
        out
    }

    pub fn peek(&self, c: &Candle) -> Outputs {
        self.step(c)
    }

    fn step(&self, c: &Candle) -> Outputs {
        let Some(prev) = self.lag.prev() else {
            return NONE;
        };
        let mut out = NONE;
        out[0] = c.close - prev;
        out
    }
}

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
    /// Bar `i`'s terms in slot `i % periods[2]`.
    bp_ring: Vec<f64>,
    tr_ring: Vec<f64>,
}

/// The scalar state [`Ultosc::step`] moves to.
struct UltoscNext {
    bp: f64,
    tr: f64,
    a: [f64; 3],
    b: [f64; 3],
    null_run: usize,
}

impl Ultosc {
    pub fn new(fast: usize, medium: usize, slow: usize) -> Self {
        for (name, p) in [("fast", fast), ("medium", medium), ("slow", slow)] {
            assert!(
                (1..=100_000).contains(&p),
                "ULTOSC {name} must be in 1..=100000"
            );
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
            bp_ring: vec![0.0; periods[2]],
            tr_ring: vec![0.0; periods[2]],
        }
    }

    /// TA-Lib's lookback: the longest period.
    pub fn lookback(&self) -> usize {
        self.periods[2]
    }

    pub fn update(&mut self, c: &Candle) -> Outputs {
        let (out, next) = self.step(c);
        if self.count > 0 {
            let slot = self.count % self.periods[2];
            self.bp_ring[slot] = next.bp;
            self.tr_ring[slot] = next.tr;
        }
        self.a = next.a;
        self.b = next.b;
        self.null_run = next.null_run;
        self.prev_close = c.close;
        self.count += 1;
        out
    }

    pub fn peek(&self, c: &Candle) -> Outputs {
        self.step(c).0
    }

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
                (self.bp_ring[j % p3], self.tr_ring[j % p3])
            };
            next.a[w] -= bp_j;
            next.b[w] -= tr_j;
        }
        let mut out = NONE;
        out[0] = 100.0 * (osc / 7.0);
        (out, next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candle(high: f64, low: f64, close: f64) -> Candle {
        Candle {
            time: 0,
            open: close,
            high,
            low,
            close,
            volume: 4.0,
        }
    }

    /// The deque's extreme and its most recent index match a brute-force scan.
    #[test]
    fn extreme_matches_a_scan() {
        let xs = [
            3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0, 5.0, 3.0, 5.0, 5.0, 1.0, 1.0,
        ];
        for window in 1..6 {
            for highest in [false, true] {
                let mut e = Extreme::new(window, highest);
                for (t, &x) in xs.iter().enumerate() {
                    let from = (t + 1).saturating_sub(window);
                    let mut want = (from, xs[from]);
                    for (i, &v) in xs.iter().enumerate().take(t + 1).skip(from + 1) {
                        if (highest && v >= want.1) || (!highest && v <= want.1) {
                            want = (i, v);
                        }
                    }
                    assert_eq!(e.peek(t as u64, x), (want.0 as u64, want.1));
                    e.push(t as u64, x);
                }
            }
        }
    }

    /// ULTOSC sorts its periods, as TA-Lib does.
    #[test]
    fn ultosc_sorts_periods() {
        assert_eq!(Ultosc::new(28, 7, 14), Ultosc::new(7, 14, 28));
        assert_eq!(Ultosc::new(28, 7, 14).lookback(), 28);
    }

    /// A flat window has no range: %K and %R are 0 (TA-Lib's zero-range case), not NaN.
    #[test]
    fn flat_range_gives_zero() {
        let mut st = Stoch::new(3, 1, 1);
        let mut wr = Willr::new(3);
        let flat = candle(10.0, 10.0, 10.0);
        for _ in 0..2 {
            assert!(st.update(&flat)[0].is_nan());
            assert!(wr.update(&flat)[0].is_nan());
        }
        assert_eq!(st.peek(&flat)[..2], [0.0, 0.0]);
        assert_eq!(wr.peek(&flat)[0], 0.0);
    }
}
