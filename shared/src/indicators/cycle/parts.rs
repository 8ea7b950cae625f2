//! The two computations several HT functions repeat after the transform: the dominant cycle
//! phase (HT_DCPHASE, HT_SINE, HT_TRENDMODE) and the instantaneous trendline (HT_TRENDLINE,
//! HT_TRENDMODE), each in TA-Lib 0.8.1's floating-point order (no fused operations: the
//! shipped FMA build fuses none of these, or only products by 2 and 4, which are exact).

use super::hilbert::{Bar, RAD2DEG};
use crate::indicators::blocks::Ring;
use serde::{Deserialize, Serialize};

/// TA-Lib's `smoothPrice` circular buffer and the close window of the trendline: 50 slots
/// (the dominant cycle period is at most 50).
const SLOTS: usize = 50;

/// TA-Lib's `deg2Rad`: `1 / rad2Deg`.
pub(super) const DEG2RAD: f64 = 1.0 / RAD2DEG;

/// TA-Lib's `constDeg2RadBy360`: `8 atan(1)`.
const TWO_PI: f64 = std::f64::consts::FRAC_PI_4 * 8.0;

/// `(int)(smoothPeriod + 0.5)`: the dominant cycle period in bars (0 to 50).
fn cycle_bars(smooth_period: f64) -> usize {
    (smooth_period + 0.5) as usize
}

/// The dominant cycle phase: `DCPhase` and the smoothed prices it is measured on.
///
/// Each bar correlates the last `int(smoothPeriod + 0.5)` smoothed prices (at most 50) with
/// one cycle of sine and cosine: O(period) `sin`/`cos` pairs per update, at most 50, as in C.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(super) struct Phase {
    /// Smoothed price `k` of the transform (`Bar::index`) in slot `k % 50`; zeros before.
    smooth: Ring,
    /// `DCPhase` after the last bar (0 before the first).
    phase: f64,
}

impl Phase {
    pub(super) fn new() -> Self {
        Self {
            smooth: Ring::new(SLOTS),
            phase: 0.0,
        }
    }

    /// `DCPhase` after the last committed bar.
    pub(super) fn phase(&self) -> f64 {
        self.phase
    }

    /// `DCPhase` of `bar`, given the transform's `smoothPeriod` after it.
    pub(super) fn step(&self, bar: &Bar, smooth_period: f64) -> f64 {
        let n = cycle_bars(smooth_period);
        let (mut real, mut imag) = (0.0, 0.0);
        for i in 0..n {
            // `(double)i * constDeg2RadBy360 / (double)DCPeriodInt`, left to right.
            let angle = i as f64 * TWO_PI / n as f64;
            let price = if i == 0 {
                bar.smoothed
            } else {
                // Slot (index - i) mod 50; slots not written yet hold TA-Lib's zeros.
                self.smooth.get(bar.index + SLOTS - i)
            };
            real += angle.sin() * price;
            imag += angle.cos() * price;
        }
        let mut phase = self.phase;
        if imag.abs() > 0.0 {
            phase = (real / imag).atan() * RAD2DEG;
        } else if imag.abs() <= 0.01 {
            if real < 0.0 {
                phase -= 90.0;
            } else if real > 0.0 {
                phase += 90.0;
            }
        }
        phase += 90.0;
        // TA-Lib's compensation of the WMA's one-bar lag.
        phase += 360.0 / smooth_period;
        if imag < 0.0 {
            phase += 180.0;
        }
        if phase > 315.0 {
            phase -= 360.0;
        }
        phase
    }

    pub(super) fn commit(&mut self, bar: &Bar, phase: f64) {
        self.smooth.set(bar.index, bar.smoothed);
        self.phase = phase;
    }
}

/// The instantaneous trendline: the average of the last `int(smoothPeriod + 0.5)` raw closes
/// (TA-Lib 0.8.1 averages the price, not the smoothed price), then
/// `(4 avg + 3 avg[1] + 2 avg[2] + avg[3]) / 10`.
///
/// O(period) additions per update, at most 50, as in C.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(super) struct Trendline {
    /// Close `t` (absolute candle index) in slot `t % 50`.
    closes: Ring,
    /// `iTrend1`, `iTrend2`, `iTrend3`: the last three averages.
    averages: [f64; 3],
}

impl Trendline {
    pub(super) fn new() -> Self {
        Self {
            closes: Ring::new(SLOTS),
            averages: [0.0; 3],
        }
    }

    /// The trendline and the average for close `close` of candle `t`.
    pub(super) fn step(&self, t: usize, close: f64, smooth_period: f64) -> (f64, f64) {
        let n = cycle_bars(smooth_period);
        // `tempReal += inReal[idx--]` from the current candle back.
        let mut sum = 0.0;
        for i in 0..n {
            sum += if i == 0 {
                close
            } else {
                t.checked_sub(i).map_or(0.0, |j| self.closes.get(j))
            };
        }
        let average = if n > 0 { sum / n as f64 } else { sum };
        let [a1, a2, a3] = self.averages;
        ((4.0 * average + 3.0 * a1 + 2.0 * a2 + a3) / 10.0, average)
    }

    /// Stores close `t` (every candle, warm-up included).
    pub(super) fn push_close(&mut self, t: usize, close: f64) {
        self.closes.set(t, close);
    }

    /// Stores the average of a transformed bar.
    pub(super) fn push_average(&mut self, average: f64) {
        let [a1, a2, _] = self.averages;
        self.averages = [average, a1, a2];
    }
}
