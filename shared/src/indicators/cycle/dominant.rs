//! The dominant-cycle functions of TA-Lib's "Cycle Indicators": HT_DCPERIOD, HT_PHASOR,
//! HT_DCPHASE and HT_SINE, bit-identical to TA-Lib 0.8.1 over the close.

use super::hilbert::{Bar, Hilbert, WARMUP_LONG, WARMUP_SHORT};
use super::parts::{DEG2RAD, Phase};
use crate::indicators::blocks::one;
use crate::indicators::{Candle, Indicator, NONE, Outputs};
use serde::{Deserialize, Serialize};

/// TA-Lib's lookback of HT_DCPERIOD, HT_PHASOR and MAMA.
pub(super) const LOOKBACK_SHORT: usize = 32;
/// TA-Lib's lookback of HT_DCPHASE, HT_SINE, HT_TRENDLINE and HT_TRENDMODE.
pub(super) const LOOKBACK_LONG: usize = 63;

/// Dominant cycle period: `[HT_DCPERIOD]`, TA-Lib `TA_HT_DCPERIOD` (the transform's
/// `smoothPeriod`). O(1) per update.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HtDcperiod {
    core: Hilbert,
}

impl HtDcperiod {
    pub fn new() -> Self {
        Self {
            core: Hilbert::new(WARMUP_SHORT),
        }
    }
}

impl Default for HtDcperiod {
    fn default() -> Self {
        Self::new()
    }
}

impl Indicator for HtDcperiod {
    type Next = Hilbert;

    fn step(&self, c: &Candle) -> (Outputs, Hilbert) {
        let t = self.core.count();
        let mut core = self.core;
        core.push(c.close);
        let out = if t >= LOOKBACK_SHORT {
            one(core.smooth_period())
        } else {
            NONE
        };
        (out, core)
    }

    fn advance(&mut self, _c: &Candle, next: Hilbert) {
        self.core = next;
    }

    /// TA-Lib's lookback: 32.
    fn lookback(&self) -> usize {
        LOOKBACK_SHORT
    }
}

/// Phasor components: `[HT_PHASORinphase, HT_PHASORquadrature]`, TA-Lib `TA_HT_PHASOR`
/// (the transform's `I1` and `Q1`). O(1) per update.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HtPhasor {
    core: Hilbert,
}

impl HtPhasor {
    pub fn new() -> Self {
        Self {
            core: Hilbert::new(WARMUP_SHORT),
        }
    }
}

impl Default for HtPhasor {
    fn default() -> Self {
        Self::new()
    }
}

impl Indicator for HtPhasor {
    type Next = Hilbert;

    fn step(&self, c: &Candle) -> (Outputs, Hilbert) {
        let t = self.core.count();
        let mut core = self.core;
        let bar = core.push(c.close);
        let mut out = NONE;
        if let Some(bar) = bar.filter(|_| t >= LOOKBACK_SHORT) {
            out[0] = bar.i1;
            out[1] = bar.q1;
        }
        (out, core)
    }

    fn advance(&mut self, _c: &Candle, next: Hilbert) {
        self.core = next;
    }

    /// TA-Lib's lookback: 32.
    fn lookback(&self) -> usize {
        LOOKBACK_SHORT
    }
}

/// The state change of the phase-based functions: the transform and, on a transformed bar,
/// the bar and its `DCPhase`.
#[derive(Clone, Copy, Debug)]
pub struct PhaseNext {
    core: Hilbert,
    bar: Option<(Bar, f64)>,
}

/// The transform and the dominant cycle phase over it (HT_DCPHASE, HT_SINE).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct PhaseCore {
    core: Hilbert,
    phase: Phase,
}

impl PhaseCore {
    fn new() -> Self {
        Self {
            core: Hilbert::new(WARMUP_LONG),
            phase: Phase::new(),
        }
    }

    /// The phase of `close` once past the lookback, and the change.
    fn step(&self, close: f64) -> (Option<f64>, PhaseNext) {
        let t = self.core.count();
        let mut core = self.core;
        let bar = core
            .push(close)
            .map(|bar| (bar, self.phase.step(&bar, core.smooth_period())));
        let phase = bar.filter(|_| t >= LOOKBACK_LONG).map(|(_, p)| p);
        (phase, PhaseNext { core, bar })
    }

    fn advance(&mut self, next: PhaseNext) {
        self.core = next.core;
        if let Some((bar, phase)) = next.bar {
            self.phase.commit(&bar, phase);
        }
    }
}

/// Dominant cycle phase, in degrees: `[HT_DCPHASE]`, TA-Lib `TA_HT_DCPHASE`.
///
/// Not O(1): each update correlates the last `int(smoothPeriod + 0.5)` smoothed prices (at
/// most 50) with a sine and a cosine, as TA-Lib does: up to 50 `sin`/`cos` pairs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HtDcphase {
    inner: PhaseCore,
}

impl HtDcphase {
    pub fn new() -> Self {
        Self {
            inner: PhaseCore::new(),
        }
    }
}

impl Default for HtDcphase {
    fn default() -> Self {
        Self::new()
    }
}

impl Indicator for HtDcphase {
    type Next = PhaseNext;

    fn step(&self, c: &Candle) -> (Outputs, PhaseNext) {
        let (phase, next) = self.inner.step(c.close);
        (phase.map_or(NONE, one), next)
    }

    fn advance(&mut self, _c: &Candle, next: PhaseNext) {
        self.inner.advance(next);
    }

    /// TA-Lib's lookback: 63.
    fn lookback(&self) -> usize {
        LOOKBACK_LONG
    }
}

/// Sine wave of the dominant cycle phase: `[HT_SINEsine, HT_SINEleadsine]`, TA-Lib
/// `TA_HT_SINE`: `sin(DCPhase * deg2Rad)` and `sin((DCPhase + 45) * deg2Rad)`.
///
/// Not O(1): the phase costs up to 50 `sin`/`cos` pairs per update (see [`HtDcphase`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HtSine {
    inner: PhaseCore,
}

impl HtSine {
    pub fn new() -> Self {
        Self {
            inner: PhaseCore::new(),
        }
    }
}

impl Default for HtSine {
    fn default() -> Self {
        Self::new()
    }
}

impl Indicator for HtSine {
    type Next = PhaseNext;

    fn step(&self, c: &Candle) -> (Outputs, PhaseNext) {
        let (phase, next) = self.inner.step(c.close);
        let mut out = NONE;
        if let Some(phase) = phase {
            out[0] = (phase * DEG2RAD).sin();
            out[1] = ((phase + 45.0) * DEG2RAD).sin();
        }
        (out, next)
    }

    fn advance(&mut self, _c: &Candle, next: PhaseNext) {
        self.inner.advance(next);
    }

    /// TA-Lib's lookback: 63.
    fn lookback(&self) -> usize {
        LOOKBACK_LONG
    }
}
