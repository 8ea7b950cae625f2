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

// HT_DCPERIOD, HT_DCPHASE, HT_PHASOR, HT_SINE, HT_TRENDMODE and HT_TRENDLINE have no rows
// yet: `Spec::from_id` splits an id on '_', so a name holding one does not parse. Their
// types are checked against TA-Lib by `tests` below (`tests/fixtures/pending_cycle_ht.json`);
// their rows will be, with the variant names `HtDcperiod`, `HtDcphase`, `HtPhasor`,
// `HtSine`, `HtTrendmode` (columns `HT_PHASORinphase`, `HT_PHASORquadrature`, `HT_SINEsine`,
// `HT_SINEleadsine`) and `HtTrendline`, all without params.
row_group! { $ cycle_rows:
    Mama {
        name: "MAMA",
        family: cycle,
        params: [float("fastlimit", 0.5, 0.01, 0.99), float("slowlimit", 0.05, 0.01, 0.99)],
        columns: ["MAMAmama", "MAMAfama"],
        talib: "MAMA",
        new: |p| Mama::new(p.num(0), p.num(1)),
    },
}

#[cfg(test)]
mod tests;
