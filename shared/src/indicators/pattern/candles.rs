//! The machinery every candle pattern shares: TA-Lib's candle settings
//! (`TA_CandleDefaultSettings`), its per-candle measures (`ta_utility.h`: `TA_REALBODY`,
//! `TA_UPPERSHADOW`, ...), the last candles, and the running totals behind
//! `TA_CANDLEAVERAGE`, kept exactly as the C loops add and subtract them.

use crate::indicators::{Candle, Outputs};
use serde::{Deserialize, Serialize};

/// One candle's prices.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Bar {
    pub(crate) o: f64,
    pub(crate) h: f64,
    pub(crate) l: f64,
    pub(crate) c: f64,
}

impl Bar {
    pub(crate) fn of(c: &Candle) -> Self {
        Self {
            o: c.open,
            h: c.high,
            l: c.low,
            c: c.close,
        }
    }

    /// `TA_REALBODY`: `|close - open|`.
    pub(crate) fn body(self) -> f64 {
        (self.c - self.o).abs()
    }

    /// `TA_UPPERSHADOW`: high minus the body's top (close when `close >= open`).
    pub(crate) fn upper(self) -> f64 {
        self.h - if self.c >= self.o { self.c } else { self.o }
    }

    /// `TA_LOWERSHADOW`: the body's bottom minus low.
    pub(crate) fn lower(self) -> f64 {
        (if self.c >= self.o { self.o } else { self.c }) - self.l
    }

    /// `TA_HIGHLOWRANGE`: `high - low`.
    pub(crate) fn range(self) -> f64 {
        self.h - self.l
    }

    /// `TA_CANDLECOLOR`: 1 white (`close >= open`), -1 black.
    pub(crate) fn color(self) -> i32 {
        if self.c >= self.o { 1 } else { -1 }
    }

    pub(crate) fn white(self) -> bool {
        self.color() == 1
    }

    pub(crate) fn black(self) -> bool {
        self.color() == -1
    }

    /// The body's top, `max(open, close)`.
    pub(crate) fn top(self) -> f64 {
        self.o.max(self.c)
    }

    /// The body's bottom, `min(open, close)`.
    pub(crate) fn bottom(self) -> f64 {
        self.o.min(self.c)
    }
}

/// `TA_REALBODYGAPUP(a, b)`: `a`'s body entirely above `b`'s.
pub(crate) fn body_gap_up(a: Bar, b: Bar) -> bool {
    a.bottom() > b.top()
}

/// `TA_REALBODYGAPDOWN(a, b)`: `a`'s body entirely below `b`'s.
pub(crate) fn body_gap_down(a: Bar, b: Bar) -> bool {
    a.top() < b.bottom()
}

/// `TA_CANDLEGAPUP(a, b)`: `a.low > b.high`.
pub(crate) fn gap_up(a: Bar, b: Bar) -> bool {
    a.l > b.h
}

/// `TA_CANDLEGAPDOWN(a, b)`: `a.high < b.low`.
pub(crate) fn gap_down(a: Bar, b: Bar) -> bool {
    a.h < b.l
}

/// TA-Lib's candle settings with their default range type, period and factor
/// (`BodyVeryLong`, which no pattern reads, is left out).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Setting {
    BodyLong,
    BodyShort,
    BodyDoji,
    ShadowLong,
    ShadowVeryLong,
    ShadowShort,
    ShadowVeryShort,
    Near,
    Far,
    Equal,
}

/// What a setting measures (`TA_RangeType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RangeType {
    RealBody,
    HighLow,
    Shadows,
}

impl Setting {
    /// `TA_CandleDefaultSettings`: (range type, average period, factor).
    fn spec(self) -> (RangeType, usize, f64) {
        use RangeType::{HighLow, RealBody, Shadows};
        match self {
            Setting::BodyLong => (RealBody, 10, 1.0),
            Setting::BodyShort => (RealBody, 10, 1.0),
            Setting::BodyDoji => (HighLow, 10, 0.1),
            Setting::ShadowLong => (RealBody, 0, 1.0),
            Setting::ShadowVeryLong => (RealBody, 0, 2.0),
            Setting::ShadowShort => (Shadows, 10, 1.0),
            Setting::ShadowVeryShort => (HighLow, 10, 0.1),
            Setting::Near => (HighLow, 5, 0.2),
            Setting::Far => (HighLow, 5, 0.6),
            Setting::Equal => (HighLow, 5, 0.05),
        }
    }

    pub(crate) fn period(self) -> usize {
        self.spec().1
    }

    /// `TA_CANDLERANGE(SET, bar)`.
    fn range(self, b: Bar) -> f64 {
        match self.spec().0 {
            RangeType::RealBody => b.body(),
            RangeType::HighLow => b.range(),
            RangeType::Shadows => b.upper() + b.lower(),
        }
    }

    /// `TA_CANDLEAVERAGE(SET, total, bar)`: `factor * (total / period) / divisor`, the
    /// bar's own range when the period is 0, halved for the shadows range type.
    fn average(self, total: f64, b: Bar) -> f64 {
        let (kind, period, factor) = self.spec();
        let base = if period != 0 {
            total / period as f64
        } else {
            self.range(b)
        };
        let divisor = if kind == RangeType::Shadows { 2.0 } else { 1.0 };
        factor * base / divisor
    }
}

/// One running total of a pattern: `setting` averaged over the `period` candles before the
/// candle `offset` back from the current one (TA-Lib's `<Setting>PeriodTotal[offset]`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Slot {
    pub(crate) setting: Setting,
    pub(crate) offset: usize,
}

pub(crate) const fn slot(setting: Setting, offset: usize) -> Slot {
    Slot { setting, offset }
}

/// Most running totals a pattern keeps.
pub(crate) const MAX_SLOTS: usize = 12;

/// The running totals, in the pattern's slot order.
pub(crate) type Totals = [f64; MAX_SLOTS];

/// Past candles kept: enough for the longest average (10) behind the oldest candle a
/// pattern reads (4 back).
const KEPT: usize = 16;

/// The shared state of a candle pattern: the last `KEPT` candles (candle `i` in slot
/// `i % KEPT`), how many candles were seen, the running totals and the pattern's
/// parameter (TA-Lib's `optInPenetration`, 0 for patterns without one).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct Core {
    bars: [Bar; KEPT],
    count: usize,
    totals: Totals,
    param: f64,
}

/// What a pattern rule sees: the current candle, the ones before it and the averages.
#[derive(Debug)]
pub(crate) struct Window<'a> {
    core: &'a Core,
    current: Bar,
    slots: &'a [Slot],
}

impl Window<'_> {
    /// The candle `back` candles before the current one (0: the current one).
    pub(crate) fn bar(&self, back: usize) -> Bar {
        if back == 0 {
            self.current
        } else {
            self.core.bars[(self.core.count - back) % KEPT]
        }
    }

    /// `TA_CANDLEAVERAGE` of slot `k` at its candle.
    pub(crate) fn avg(&self, k: usize) -> f64 {
        let s = self.slots[k];
        s.setting.average(self.core.totals[k], self.bar(s.offset))
    }

    /// The pattern's parameter (penetration).
    pub(crate) fn param(&self) -> f64 {
        self.core.param
    }
}

impl Core {
    pub(crate) fn new(param: f64) -> Self {
        Self {
            bars: [Bar::default(); KEPT],
            count: 0,
            totals: [0.0; MAX_SLOTS],
            param,
        }
    }

    /// The pattern's value for `c` (0 during the `lookback` warm-up, as TA-Lib) and the
    /// totals after it.
    pub(crate) fn step(
        &self,
        c: &Candle,
        slots: &[Slot],
        lookback: usize,
        rule: fn(&Window<'_>) -> i32,
    ) -> (Outputs, Totals) {
        let w = self.window(c, slots);
        let value = if self.count >= lookback { rule(&w) } else { 0 };
        (
            crate::indicators::blocks::one(f64::from(value)),
            self.totals_after(&w, lookback),
        )
    }

    /// The rule's view of `c` and the candles before it.
    pub(crate) fn window<'a>(&'a self, c: &Candle, slots: &'a [Slot]) -> Window<'a> {
        Window {
            core: self,
            current: Bar::of(c),
            slots,
        }
    }

    /// Candles seen before the current one (its index).
    pub(crate) fn count(&self) -> usize {
        self.count
    }

    /// The totals after the window's candle, whose averages are first read at candle
    /// `start`. Before it TA-Lib sums each slot's initial window from 0 in candle order;
    /// from then on it adds the range entering the window minus the one leaving it, as one
    /// difference (`total += r(i) - r(trailing)`).
    pub(crate) fn totals_after(&self, w: &Window<'_>, start: usize) -> Totals {
        let n = self.count;
        let mut totals = self.totals;
        for (total, s) in totals.iter_mut().zip(w.slots) {
            let period = s.setting.period();
            if n < start {
                if n + period >= start {
                    *total += s.setting.range(w.bar(s.offset));
                }
            } else {
                *total +=
                    s.setting.range(w.bar(s.offset)) - s.setting.range(w.bar(s.offset + period));
            }
        }
        totals
    }

    pub(crate) fn advance(&mut self, c: &Candle, totals: Totals) {
        self.bars[self.count % KEPT] = Bar::of(c);
        self.count += 1;
        self.totals = totals;
    }
}

/// Declares one candle pattern: its state (a [`Core`]), constructor and [`Indicator`]
/// impl, from its TA-Lib lookback, its slots and its rule.
///
/// [`Indicator`]: crate::indicators::Indicator
macro_rules! pattern {
    ($(#[$doc:meta])* $name:ident, $lookback:expr, [$($slot:expr),* $(,)?], $rule:expr $(,)?) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
        pub struct $name {
            core: $crate::indicators::pattern::candles::Core,
        }

        impl $name {
            pub fn new() -> Self {
                Self { core: $crate::indicators::pattern::candles::Core::new(0.0) }
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        $crate::indicators::pattern::candles::pattern_impl!($name, $lookback, [$($slot),*], $rule);
    };
    ($(#[$doc:meta])* $name:ident(penetration), $lookback:expr, [$($slot:expr),* $(,)?], $rule:expr $(,)?) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
        pub struct $name {
            core: $crate::indicators::pattern::candles::Core,
        }

        impl $name {
            pub fn new(penetration: f64) -> Self {
                Self { core: $crate::indicators::pattern::candles::Core::new(penetration) }
            }
        }

        $crate::indicators::pattern::candles::pattern_impl!($name, $lookback, [$($slot),*], $rule);
    };
}

/// The [`Indicator`](crate::indicators::Indicator) impl of [`pattern!`].
macro_rules! pattern_impl {
    ($name:ident, $lookback:expr, [$($slot:expr),*], $rule:expr) => {
        impl $crate::indicators::Indicator for $name {
            /// The running totals after the candle.
            type Next = $crate::indicators::pattern::candles::Totals;

            fn step(
                &self,
                c: &$crate::indicators::Candle,
            ) -> ($crate::indicators::Outputs, Self::Next) {
                #[allow(unused_imports)]
                use $crate::indicators::pattern::candles::{Setting::*, slot};
                const SLOTS: &[$crate::indicators::pattern::candles::Slot] = &[$($slot),*];
                self.core.step(c, SLOTS, $lookback, $rule)
            }

            fn advance(&mut self, c: &$crate::indicators::Candle, next: Self::Next) {
                self.core.advance(c, next);
            }

            /// TA-Lib's lookback; the pattern is 0 (not null) before it.
            fn lookback(&self) -> usize {
                $lookback
            }
        }
    };
}

pub(crate) use {pattern, pattern_impl};
