//! Oscillators of each bar's own prices and of windows of highs and lows: BOP, AROONOSC and
//! FRACTAL, bit-identical to TA-Lib 0.8.1 `TA_BOP`, `TA_AROONOSC` and `TA_FRACTAL`.

use super::Aroon;
use crate::indicators::blocks::{Ring, check_period, one};
use crate::indicators::{Candle, Indicator, NONE, Outputs};
use serde::{Deserialize, Serialize};

/// Balance of power, `[BOP]`, TA-Lib `TA_BOP` (open, high, low, close):
/// `(close - open) / (high - low)`, 0 when `high - low <= 0` (an exact test in the shipped
/// library: a range of 1e-20 still divides).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Bop {}

impl Bop {
    pub fn new() -> Self {
        Self {}
    }
}

impl Default for Bop {
    fn default() -> Self {
        Self::new()
    }
}

impl Indicator for Bop {
    type Next = ();

    fn step(&self, c: &Candle) -> (Outputs, ()) {
        let range = c.high - c.low;
        let bop = if range > 0.0 {
            (c.close - c.open) / range
        } else {
            0.0
        };
        (one(bop), ())
    }

    fn advance(&mut self, _: &Candle, (): ()) {}

    /// TA-Lib's lookback: 0.
    fn lookback(&self) -> usize {
        0
    }
}

/// The Aroon oscillator alone, `[AROONOSC_n]`, TA-Lib `TA_AROONOSC` (high, low, default
/// 14): [`Aroon`]'s third column, `(100/n) * (index of highest - index of lowest)`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Aroonosc {
    aroon: Aroon,
}

impl Aroonosc {
    pub fn new(timeperiod: usize) -> Self {
        Self {
            aroon: Aroon::new(timeperiod),
        }
    }
}

impl Indicator for Aroonosc {
    type Next = ();

    fn step(&self, c: &Candle) -> (Outputs, ()) {
        let (out, ()) = self.aroon.step(c);
        (one(out[2]), ())
    }

    fn advance(&mut self, c: &Candle, (): ()) {
        self.aroon.advance(c, ());
    }

    /// TA-Lib's lookback: `timeperiod`.
    fn lookback(&self) -> usize {
        self.aroon.lookback()
    }
}

/// Williams' fractals, `[FRACTALswinghigh_left_right, FRACTALswinglow_left_right]`
/// (TA-Lib's outputs `swinghigh`, `swinglow`), TA-Lib `TA_FRACTAL` (high, low; defaults
/// 2, 2): 100 when the bar `rightbars` back has a high strictly above (a low strictly
/// below) every other bar of the `leftbars + rightbars + 1` window, else 0. As TA-Lib's
/// integer outputs, the warm-up is 0, not null (`lookback` is still TA-Lib's,
/// `leftbars + rightbars`).
///
/// Not O(1): TA-Lib rescans the window every bar, O(leftbars + rightbars) per update.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Fractal {
    left: usize,
    right: usize,
    count: usize,
    highs: Ring,
    lows: Ring,
}

impl Fractal {
    pub fn new(leftbars: usize, rightbars: usize) -> Self {
        check_period("FRACTAL leftbars", leftbars, 1);
        check_period("FRACTAL rightbars", rightbars, 1);
        let window = leftbars + rightbars + 1;
        Self {
            left: leftbars,
            right: rightbars,
            count: 0,
            highs: Ring::new(window),
            lows: Ring::new(window),
        }
    }
}

impl Indicator for Fractal {
    type Next = ();

    fn step(&self, c: &Candle) -> (Outputs, ()) {
        let mut out = NONE;
        (out[0], out[1]) = (0.0, 0.0);
        let (t, span) = (self.count, self.left + self.right);
        if t < span {
            return (out, ());
        }
        let bar = |i: usize| {
            if i == t {
                (c.high, c.low)
            } else {
                (self.highs.get(i), self.lows.get(i))
            }
        };
        let (pivot_high, pivot_low) = bar(t - self.right);
        let (mut other_high, mut other_low) = bar(t - span);
        for i in t + 1 - span..=t {
            if i == t - self.right {
                continue;
            }
            let (high, low) = bar(i);
            if high > other_high {
                other_high = high;
            }
            if low < other_low {
                other_low = low;
            }
        }
        if pivot_high > other_high {
            out[0] = 100.0;
        }
        if pivot_low < other_low {
            out[1] = 100.0;
        }
        (out, ())
    }

    fn advance(&mut self, c: &Candle, (): ()) {
        self.highs.set(self.count, c.high);
        self.lows.set(self.count, c.low);
        self.count += 1;
    }

    /// TA-Lib's lookback: `leftbars + rightbars` (the warm-up outputs are 0).
    fn lookback(&self) -> usize {
        self.left + self.right
    }
}
