//! The trend functions over the Hilbert transform: HT_TRENDMODE (TA-Lib "Cycle
//! Indicators"), HT_TRENDLINE and MAMA (TA-Lib lists these two under "Overlap Studies"),
//! bit-identical to TA-Lib 0.8.1 over the close.

use super::dominant::{LOOKBACK_LONG, LOOKBACK_SHORT};
use super::hilbert::{Bar, Hilbert, RAD2DEG, WARMUP_LONG, WARMUP_SHORT};
use super::parts::{DEG2RAD, Phase, Trendline};
use crate::indicators::blocks::one;
use crate::indicators::{Candle, Indicator, NONE, Outputs};
use serde::{Deserialize, Serialize};

/// Hilbert transform instantaneous trendline: `[HT_TRENDLINE]`, TA-Lib `TA_HT_TRENDLINE`.
///
/// Not O(1): each update averages the last `int(smoothPeriod + 0.5)` closes (at most 50),
/// as TA-Lib does.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HtTrendline {
    core: Hilbert,
    trend: Trendline,
}

/// The state change of [`HtTrendline`]: the transform and, on a transformed bar, the
/// average of the closes.
#[derive(Clone, Copy, Debug)]
pub struct TrendlineNext {
    core: Hilbert,
    average: Option<f64>,
}

impl HtTrendline {
    pub fn new() -> Self {
        Self {
            core: Hilbert::new(WARMUP_LONG),
            trend: Trendline::new(),
        }
    }
}

impl Default for HtTrendline {
    fn default() -> Self {
        Self::new()
    }
}

impl Indicator for HtTrendline {
    type Next = TrendlineNext;

    fn step(&self, c: &Candle) -> (Outputs, TrendlineNext) {
        let t = self.core.count();
        let mut core = self.core;
        let mut out = NONE;
        let mut average = None;
        if core.push(c.close).is_some() {
            let (line, avg) = self.trend.step(t, c.close, core.smooth_period());
            if t >= LOOKBACK_LONG {
                out = one(line);
            }
            average = Some(avg);
        }
        (out, TrendlineNext { core, average })
    }

    fn advance(&mut self, c: &Candle, next: TrendlineNext) {
        self.trend.push_close(self.core.count(), c.close);
        self.core = next.core;
        if let Some(avg) = next.average {
            self.trend.push_average(avg);
        }
    }

    /// TA-Lib's lookback: 63.
    fn lookback(&self) -> usize {
        LOOKBACK_LONG
    }
}

/// Trend vs cycle mode: `[HT_TRENDMODE]`, TA-Lib `TA_HT_TRENDMODE`: 1 in a trend, 0 in a
/// cycle. Like TA-Lib (whose output is an integer array), the warm-up gives 0, not null;
/// `lookback()` is still TA-Lib's 63.
///
/// Not O(1): the phase (up to 50 `sin`/`cos` pairs, see `HtDcphase`) and the trendline (up
/// to 50 additions) per update, as TA-Lib does.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HtTrendmode {
    core: Hilbert,
    phase: Phase,
    trend: Trendline,
    /// `daysInTrend`.
    days: u64,
    /// `sine` and `leadSine` of the last transformed bar (0 before).
    sine: f64,
    lead_sine: f64,
}

/// What [`HtTrendmode`] computes on a transformed bar.
#[derive(Clone, Copy, Debug)]
pub struct ModeBar {
    bar: Bar,
    phase: f64,
    average: f64,
    days: u64,
    sine: f64,
    lead_sine: f64,
}

/// The state change of [`HtTrendmode`].
#[derive(Clone, Copy, Debug)]
pub struct TrendmodeNext {
    core: Hilbert,
    bar: Option<ModeBar>,
}

impl HtTrendmode {
    pub fn new() -> Self {
        Self {
            core: Hilbert::new(WARMUP_LONG),
            phase: Phase::new(),
            trend: Trendline::new(),
            days: 0,
            sine: 0.0,
            lead_sine: 0.0,
        }
    }

    /// TA-Lib's trend mode of one transformed bar (`t` its candle index), in C order.
    fn mode(&self, t: usize, close: f64, bar: Bar, smooth_period: f64) -> (f64, ModeBar) {
        let prev_phase = self.phase.phase();
        let phase = self.phase.step(&bar, smooth_period);
        let (prev_sine, prev_lead) = (self.sine, self.lead_sine);
        let sine = (phase * DEG2RAD).sin();
        let lead_sine = ((phase + 45.0) * DEG2RAD).sin();
        let (line, average) = self.trend.step(t, close, smooth_period);
        let mut trend = 1.0;
        let mut days = self.days;
        // Days in trend count from the last crossing of the sine and lead sine.
        if (sine > lead_sine && prev_sine <= prev_lead)
            || (sine < lead_sine && prev_sine >= prev_lead)
        {
            days = 0;
            trend = 0.0;
        }
        days += 1;
        if (days as f64) < 0.5 * smooth_period {
            trend = 0.0;
        }
        let change = phase - prev_phase;
        if smooth_period != 0.0
            && change > 0.67 * 360.0 / smooth_period
            && change < 1.5 * 360.0 / smooth_period
        {
            trend = 0.0;
        }
        if line != 0.0 && ((bar.smoothed - line) / line).abs() >= 0.015 {
            trend = 1.0;
        }
        let mode = ModeBar {
            bar,
            phase,
            average,
            days,
            sine,
            lead_sine,
        };
        (trend, mode)
    }
}

impl Default for HtTrendmode {
    fn default() -> Self {
        Self::new()
    }
}

impl Indicator for HtTrendmode {
    type Next = TrendmodeNext;

    fn step(&self, c: &Candle) -> (Outputs, TrendmodeNext) {
        let t = self.core.count();
        let mut core = self.core;
        let mut trend = 0.0;
        let mut mode = None;
        if let Some(bar) = core.push(c.close) {
            let (value, m) = self.mode(t, c.close, bar, core.smooth_period());
            if t >= LOOKBACK_LONG {
                trend = value;
            }
            mode = Some(m);
        }
        (one(trend), TrendmodeNext { core, bar: mode })
    }

    fn advance(&mut self, c: &Candle, next: TrendmodeNext) {
        self.trend.push_close(self.core.count(), c.close);
        self.core = next.core;
        if let Some(m) = next.bar {
            self.phase.commit(&m.bar, m.phase);
            self.trend.push_average(m.average);
            self.days = m.days;
            self.sine = m.sine;
            self.lead_sine = m.lead_sine;
        }
    }

    /// TA-Lib's lookback: 63 (the warm-up outputs are 0, as in TA-Lib).
    fn lookback(&self) -> usize {
        LOOKBACK_LONG
    }
}

/// MESA adaptive moving average: `[MAMAmama, MAMAfama]`, TA-Lib `TA_MAMA` (`fastlimit`,
/// `slowlimit` in `[0.01, 0.99]`). The phase is `atan(Q1 / I1)` in degrees (0 when `I1` is
/// 0), `alpha = max(fastlimit / max(delta phase, 1), slowlimit)` (`fastlimit` when the delta
/// is at most 1), and the two averages are the FMA build's
/// `fma(1 - alpha, mama, alpha * close)` and `fma(1 - alpha/2, fama, alpha/2 * mama)`.
/// O(1) per update.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Mama {
    core: Hilbert,
    fast: f64,
    slow: f64,
    mama: f64,
    fama: f64,
    /// `prevPhase`.
    phase: f64,
}

/// The state change of [`Mama`].
#[derive(Clone, Copy, Debug)]
pub struct MamaNext {
    core: Hilbert,
    mama: f64,
    fama: f64,
    phase: f64,
}

impl Mama {
    pub fn new(fast: f64, slow: f64) -> Self {
        assert!(
            (0.01..=0.99).contains(&fast) && (0.01..=0.99).contains(&slow),
            "MAMA limits must be in [0.01, 0.99]"
        );
        Self {
            core: Hilbert::new(WARMUP_SHORT),
            fast,
            slow,
            mama: 0.0,
            fama: 0.0,
            phase: 0.0,
        }
    }
}

impl Indicator for Mama {
    type Next = MamaNext;

    fn step(&self, c: &Candle) -> (Outputs, MamaNext) {
        let t = self.core.count();
        let mut core = self.core;
        let mut next = MamaNext {
            core,
            mama: self.mama,
            fama: self.fama,
            phase: self.phase,
        };
        let Some(bar) = core.push(c.close) else {
            next.core = core;
            return (NONE, next);
        };
        let phase = if bar.i1 != 0.0 {
            (bar.q1 / bar.i1).atan() * RAD2DEG
        } else {
            0.0
        };
        let mut delta = self.phase - phase;
        if delta < 1.0 {
            delta = 1.0;
        }
        let mut alpha = if delta > 1.0 {
            let a = self.fast / delta;
            if a < self.slow { self.slow } else { a }
        } else {
            self.fast
        };
        let mama = (1.0 - alpha).mul_add(self.mama, alpha * c.close);
        alpha *= 0.5;
        let fama = (1.0 - alpha).mul_add(self.fama, alpha * mama);
        let mut out = NONE;
        if t >= LOOKBACK_SHORT {
            out[0] = mama;
            out[1] = fama;
        }
        (
            out,
            MamaNext {
                core,
                mama,
                fama,
                phase,
            },
        )
    }

    fn advance(&mut self, _c: &Candle, next: MamaNext) {
        self.core = next.core;
        self.mama = next.mama;
        self.fama = next.fama;
        self.phase = next.phase;
    }

    /// TA-Lib's lookback: 32.
    fn lookback(&self) -> usize {
        LOOKBACK_SHORT
    }
}
