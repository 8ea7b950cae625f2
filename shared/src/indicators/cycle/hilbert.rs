//! The streaming Hilbert-transform block every `ta_HT_*.c` and `ta_MAMA.c` of TA-Lib 0.8.1
//! repeats inline: a 4-bar WMA of the price, the detrender / Q1 / jI / jQ filters with their
//! odd/even circular buffers, the homodyne discriminator (Re, Im) and the period smoothing.
//!
//! The floating-point order is the one of the shipped library's FMA build (the
//! `target_clones("fma")` variant x86-64 CPUs with FMA run; read from its machine code):
//! the four filters are plain multiply/add in C order; `adjustedPrevPeriod`, `Q2`, `I2`,
//! `I2 * prevI2 + Q2 * prevQ2`, the new `period` and `smoothPeriod` are fused as written in
//! [`Hilbert::push`]; `I2 * prevQ2 - Q2 * prevI2` is not fused.

use serde::{Deserialize, Serialize};

/// `a` of TA-Lib's Hilbert filters.
const A: f64 = 0.0962;
/// `b` of TA-Lib's Hilbert filters.
const B: f64 = 0.5769;
/// TA-Lib's `rad2Deg`: `45 / atan(1)` (equal to `180 / (4 atan(1))`, the other spelling).
pub(super) const RAD2DEG: f64 = 45.0 / std::f64::consts::FRAC_PI_4;

/// Bars of WMA warm-up after the three seeding bars before the transform starts: 9 for the
/// lookback-32 functions (HT_DCPERIOD, HT_PHASOR, MAMA), 34 for the lookback-63 ones.
pub(super) const WARMUP_SHORT: usize = 9;
pub(super) const WARMUP_LONG: usize = 34;

/// One of the four Hilbert filters (detrender, Q1, jI, jQ): TA-Lib's `X_Odd[3]`/`X_Even[3]`
/// circular buffers, `prev_X_Odd/Even` and `prev_X_input_Odd/Even`, indexed by parity
/// (0 = even bar, 1 = odd bar).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
struct Filter {
    buf: [[f64; 3]; 2],
    prev: [f64; 2],
    prev_input: [f64; 2],
}

impl Filter {
    /// TA-Lib's `DO_HILBERT_*` for `input` on a bar of parity `p` at circular index `idx`,
    /// operation by operation (`0 - buf`, `+= a x`, `-= prev`, `prev = b prevInput`,
    /// `+= prev`, `*= adjustedPrevPeriod`).
    fn apply(&mut self, p: usize, idx: usize, input: f64, adjusted: f64) -> f64 {
        let h = A * input;
        let mut v = 0.0 - self.buf[p][idx];
        self.buf[p][idx] = h;
        v += h;
        v -= self.prev[p];
        self.prev[p] = B * self.prev_input[p];
        v += self.prev[p];
        self.prev_input[p] = input;
        v * adjusted
    }
}

/// What one bar of the transform gives the functions built on it.
#[derive(Clone, Copy, Debug)]
pub(super) struct Bar {
    /// The bar's index in the transformed series (0 at the first transformed bar): the
    /// position of `smoothed` in TA-Lib's 50-slot `smoothPrice` buffer is `index % 50`.
    pub(super) index: usize,
    /// The WMA-smoothed price (`smoothedValue`).
    pub(super) smoothed: f64,
    /// `Q1` (HT_PHASOR's quadrature).
    pub(super) q1: f64,
    /// `I1` of the bar, the detrender 3 bars back (HT_PHASOR's in-phase).
    pub(super) i1: f64,
}

/// TA-Lib's Hilbert transform over the close, from the first candle on. Plain scalars and
/// fixed arrays (`Copy`): a step works on a copy, which `advance` stores.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Hilbert {
    /// The first bar of the transform: `3 + WARMUP_*`.
    start: usize,
    /// Candles seen.
    count: usize,
    wma_sub: f64,
    wma_sum: f64,
    /// `trailingWMAValue`: the close 3 bars before the current one (0 before).
    trailing: f64,
    /// The last 3 closes, close `t` in slot `t % 3`.
    last: [f64; 3],
    /// `hilbertIdx`, advanced on even bars only.
    idx: usize,
    detrender: Filter,
    q1: Filter,
    ji: Filter,
    jq: Filter,
    /// `I1For{Even,Odd}Prev2` / `Prev3`, indexed by the parity that reads them.
    i1_prev2: [f64; 2],
    i1_prev3: [f64; 2],
    prev_q2: f64,
    prev_i2: f64,
    re: f64,
    im: f64,
    period: f64,
    smooth_period: f64,
}

impl Hilbert {
    pub(super) fn new(warmup: usize) -> Self {
        Self {
            start: 3 + warmup,
            count: 0,
            wma_sub: 0.0,
            wma_sum: 0.0,
            trailing: 0.0,
            last: [0.0; 3],
            idx: 0,
            detrender: Filter::default(),
            q1: Filter::default(),
            ji: Filter::default(),
            jq: Filter::default(),
            i1_prev2: [0.0; 2],
            i1_prev3: [0.0; 2],
            prev_q2: 0.0,
            prev_i2: 0.0,
            re: 0.0,
            im: 0.0,
            period: 0.0,
            smooth_period: 0.0,
        }
    }

    /// Candles seen (the index of the next one).
    pub(super) fn count(&self) -> usize {
        self.count
    }

    /// `smoothPeriod` after the last bar.
    pub(super) fn smooth_period(&self) -> f64 {
        self.smooth_period
    }

    /// Feeds close `x`; the transform's bar once the warm-up is over.
    pub(super) fn push(&mut self, x: f64) -> Option<Bar> {
        let t = self.count;
        self.count += 1;
        let slot = t % 3;
        let three_back = self.last[slot];
        self.last[slot] = x;
        // TA-Lib's unrolled WMA seed: the first three closes weighted 1, 2, 3.
        if t < 3 {
            self.wma_sub += x;
            self.wma_sum += x * (t + 1) as f64;
            return None;
        }
        let adjusted = self.period.mul_add(0.075, 0.54);
        self.wma_sub += x;
        self.wma_sub -= self.trailing;
        self.wma_sum += x * 4.0;
        self.trailing = three_back;
        let smoothed = self.wma_sum * 0.1;
        self.wma_sum -= self.wma_sub;
        if t < self.start {
            return None;
        }
        // The bar's parity is its absolute index's (TA-Lib starts at index 0 of the input).
        let p = t % 2;
        let idx = self.idx;
        let i1 = self.i1_prev3[p];
        let detrender = self.detrender.apply(p, idx, smoothed, adjusted);
        let q1 = self.q1.apply(p, idx, detrender, adjusted);
        let ji = self.ji.apply(p, idx, i1, adjusted);
        let jq = self.jq.apply(p, idx, q1, adjusted);
        if p == 0 {
            self.idx = (idx + 1) % 3;
        }
        let q2 = (q1 + ji).mul_add(0.2, 0.8 * self.prev_q2);
        let i2 = (i1 - jq).mul_add(0.2, 0.8 * self.prev_i2);
        // The detrender is I1 three bars later, for the other parity.
        let other = 1 - p;
        self.i1_prev3[other] = self.i1_prev2[other];
        self.i1_prev2[other] = detrender;
        let re = 0.2 * i2.mul_add(self.prev_i2, q2 * self.prev_q2);
        let im = 0.2 * (i2 * self.prev_q2 - q2 * self.prev_i2);
        self.re = self.re.mul_add(0.8, re);
        self.im = self.im.mul_add(0.8, im);
        self.prev_q2 = q2;
        self.prev_i2 = i2;
        let old = self.period;
        let mut period = old;
        if self.im != 0.0 && self.re != 0.0 {
            period = 360.0 / ((self.im / self.re).atan() * RAD2DEG);
        }
        if period > 1.5 * old {
            period = 1.5 * old;
        }
        if period < 0.67 * old {
            period = 0.67 * old;
        }
        // TA-Lib's `if (period < 6) 6 else if (period > 50) 50` (NaN stays NaN, as here).
        let period = period.clamp(6.0, 50.0);
        self.period = period.mul_add(0.2, 0.8 * old);
        self.smooth_period = self.smooth_period.mul_add(0.67, 0.33 * self.period);
        Some(Bar {
            index: t - self.start,
            smoothed,
            q1,
            i1,
        })
    }
}
