//! The hikkake patterns, the only ones with a memory beyond their window: the last
//! hikkake's candle, value and its inside bar's high and low, for the confirmation that may
//! follow within 3 candles.

use super::candles::{Core, Setting, Slot, Totals, Window, slot};
use crate::indicators::blocks::one;
use crate::indicators::{Candle, Indicator, Outputs};
use serde::{Deserialize, Serialize};

/// TA-Lib's `patternIdx` / `patternResult` and the high and low of the candle before
/// `patternIdx` (read at confirmation as `inHigh[patternIdx - 1]`, `inLow[patternIdx - 1]`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct HikkakeMemory {
    index: usize,
    result: i32,
    high: f64,
    low: f64,
}

impl HikkakeMemory {
    /// The value at candle `n` and the memory after it, given whether (and which way, by the
    /// current high against the previous one) a hikkake completes at `n`. TA-Lib evaluates
    /// from `lookback - 3` on (a hikkake there may be confirmed at the first output) and
    /// reports a new hikkake rather than the confirmation of the previous one.
    fn step(self, w: &Window<'_>, n: usize, found: bool) -> (i32, HikkakeMemory) {
        let (c, b) = (w.bar(0), w.bar(1));
        if found {
            let result = if c.h < b.h { 100 } else { -100 };
            let next = HikkakeMemory {
                index: n,
                result,
                high: b.h,
                low: b.l,
            };
            (result, next)
        } else if n <= self.index + 3
            && ((self.result > 0 && c.c > self.high) || (self.result < 0 && c.c < self.low))
        {
            let value = self.result + if self.result > 0 { 100 } else { -100 };
            (value, HikkakeMemory { index: 0, ..self })
        } else {
            (0, self)
        }
    }
}

/// Declares a hikkake pattern from its lookback, slots and inside-bar test.
macro_rules! hikkake {
    ($(#[$doc:meta])* $name:ident, $lookback:expr, $slots:expr, $found:expr $(,)?) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
        pub struct $name {
            core: Core,
            memory: HikkakeMemory,
        }

        impl $name {
            const SLOTS: &'static [Slot] = $slots;

            pub fn new() -> Self {
                Self { core: Core::new(0.0), memory: HikkakeMemory::default() }
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl Indicator for $name {
            /// The running totals and the memory after the candle.
            type Next = (Totals, HikkakeMemory);

            fn step(&self, c: &Candle) -> (Outputs, Self::Next) {
                let n = self.core.count();
                let start = $lookback - 3;
                let w = self.core.window(c, Self::SLOTS);
                let (value, memory) = if n >= start {
                    let found: fn(&Window<'_>) -> bool = $found;
                    self.memory.step(&w, n, found(&w))
                } else {
                    (0, self.memory)
                };
                let value = if n >= $lookback { value } else { 0 };
                (one(f64::from(value)), (self.core.totals_after(&w, start), memory))
            }

            fn advance(&mut self, c: &Candle, (totals, memory): Self::Next) {
                self.core.advance(c, totals);
                self.memory = memory;
            }

            /// TA-Lib's lookback; the pattern is 0 (not null) before it.
            fn lookback(&self) -> usize {
                $lookback
            }
        }
    };
}

hikkake! {
    /// `CDLHIKKAKE`: an inside bar, then a candle breaking out of it (lower high and low:
    /// 100, higher: -100); a close beyond the inside bar's high (low) within 3 candles
    /// confirms it: 200 (-200).
    CdlHikkake, 5, &[],
    |w| {
        let (a, b, c) = (w.bar(2), w.bar(1), w.bar(0));
        b.h < a.h && b.l > a.l && ((c.h < b.h && c.l < b.l) || (c.h > b.h && c.l > b.l))
    },
}

hikkake! {
    /// `CDLHIKKAKEMOD`: as `CDLHIKKAKE` with two nested inside bars, the first closing
    /// within Near of its low (bullish) or high (bearish).
    CdlHikkakeMod, 10, &[slot(Setting::Near, 2)],
    |w| {
        let (z, a, b, c) = (w.bar(3), w.bar(2), w.bar(1), w.bar(0));
        a.h < z.h
            && a.l > z.l
            && b.h < a.h
            && b.l > a.l
            && ((c.h < b.h && c.l < b.l && a.c <= a.l + w.avg(0))
                || (c.h > b.h && c.l > b.l && a.c >= a.h - w.avg(0)))
    },
}
