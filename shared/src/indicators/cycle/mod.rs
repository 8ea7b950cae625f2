//! The cycle family: TA-Lib's "Cycle Indicators" (HT_DCPERIOD, HT_DCPHASE, HT_PHASOR,
//! HT_SINE, HT_TRENDMODE), and the two studies TA-Lib lists under "Overlap Studies" that are
//! built on the same Hilbert transform (HT_TRENDLINE, MAMA), kept here for the shared code.
//!
//! TA-Lib repeats the transform inline in each `ta_HT_*.c` / `ta_MAMA.c`; here it is one
//! streaming block ([`hilbert`]) that every function runs from the first candle on, as
//! TA-Lib does from index 0 of its input (the bar parity of the odd/even buffers is the
//! candle's index parity). All take the close (TA-Lib's default input `price = close`).
//!
//! Its catalogue rows are the `cycle_rows` group below (see `super::registry`).

mod dominant;
mod hilbert;
mod parts;
mod trend;

pub use dominant::{HtDcperiod, HtDcphase, HtPhasor, HtSine, PhaseNext};
pub use hilbert::Hilbert;
pub use trend::{HtTrendline, HtTrendmode, Mama, MamaNext, ModeBar, TrendlineNext, TrendmodeNext};

use super::registry::row_group;

row_group! { $ cycle_rows:
    HtDcperiod { name: "HT_DCPERIOD", family: cycle, params: [], talib: "HT_DCPERIOD",
        new: |_p| HtDcperiod::new() },
    HtDcphase { name: "HT_DCPHASE", family: cycle, params: [], talib: "HT_DCPHASE",
        new: |_p| HtDcphase::new() },
    HtPhasor { name: "HT_PHASOR", family: cycle, params: [],
        columns: ["HT_PHASORinphase", "HT_PHASORquadrature"], talib: "HT_PHASOR",
        new: |_p| HtPhasor::new() },
    HtSine { name: "HT_SINE", family: cycle, params: [],
        columns: ["HT_SINEsine", "HT_SINEleadsine"], talib: "HT_SINE",
        new: |_p| HtSine::new() },
    HtTrendmode { name: "HT_TRENDMODE", family: cycle, params: [], talib: "HT_TRENDMODE",
        new: |_p| HtTrendmode::new() },
    HtTrendline { name: "HT_TRENDLINE", family: cycle, params: [],
        talib: "HT_TRENDLINE (TA-Lib lists it under Overlap Studies)",
        new: |_p| HtTrendline::new() },
    Mama {
        name: "MAMA",
        family: cycle,
        params: [float("fastlimit", 0.5, 0.01, 0.99), float("slowlimit", 0.05, 0.01, 0.99)],
        columns: ["MAMAmama", "MAMAfama"],
        talib: "MAMA",
        new: |p| Mama::new(p.num(0), p.num(1)),
    },
}
