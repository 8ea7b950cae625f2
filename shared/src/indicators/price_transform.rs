//! The price_transform family, TA-Lib's "Price Transform" group: one price from a candle's OHLC
//! (AVGPRICE, MEDPRICE, TYPPRICE, WCLPRICE), the close's mean absolute deviation (AVGDEV) and
//! Heikin-Ashi candles (HA), bit-identical to TA-Lib 0.8.1.
//!
//! The per-candle formulas keep TA-Lib's summation order: AVGPRICE sums `((h + l) + c) + o`
//! while HA sums `((o + h) + l) + c` (TA-Lib documents the two as different doubles on some
//! bars and keeps them apart).
//!
//! Its catalogue rows are the `price_transform_rows` group below (see `super::registry`).

use super::blocks::{Ring, check_period, one};
use super::registry::row_group;
use super::{Candle, Indicator, NONE, Outputs};
use serde::{Deserialize, Serialize};

/// Defines a stateless one-candle price transform.
macro_rules! candle_price {
    ($(#[$doc:meta])* $kind:ident, |$c:ident| $formula:expr) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
        pub struct $kind {}

        impl $kind {
            #[allow(clippy::new_without_default)]
            pub fn new() -> Self {
                Self {}
            }
        }

        impl Indicator for $kind {
            type Next = ();

            fn step(&self, $c: &Candle) -> (Outputs, ()) {
                (one($formula), ())
            }

            fn advance(&mut self, _c: &Candle, (): ()) {}

            /// TA-Lib's lookback: 0.
            fn lookback(&self) -> usize {
                0
            }
        }
    };
}

candle_price!(
    /// Average price `(((high + low) + close) + open) / 4` (TA-Lib `AVGPRICE`, on open, high,
    /// low and close, summed in TA-Lib's order).
    Avgprice,
    |c| (c.high + c.low + c.close + c.open) / 4.0
);

candle_price!(
    /// Median price `(high + low) / 2` (TA-Lib `MEDPRICE`, on high and low).
    Medprice,
    |c| (c.high + c.low) / 2.0
);

candle_price!(
    /// Typical price `((high + low) + close) / 3` (TA-Lib `TYPPRICE`, on high, low and close).
    Typprice,
    |c| (c.high + c.low + c.close) / 3.0
);

candle_price!(
    /// Weighted close price `((high + low) + close * 2) / 4` (TA-Lib `WCLPRICE`, on high, low
    /// and close).
    Wclprice,
    |c| (c.high + c.low + c.close * 2.0) / 4.0
);

/// Mean absolute deviation of the close over `timeperiod` candles (TA-Lib `AVGDEV`).
///
/// TA-Lib re-sums each window newest-first (`sum`), then adds `|x - sum / n|` newest-first and
/// divides by `n`. Both passes need the whole window, so each update is O(timeperiod), as in
/// C: a running sum would round differently from TA-Lib's fresh one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Avgdev {
    length: usize,
    count: usize,
    /// The last `length` closes.
    ring: Ring,
}

impl Avgdev {
    pub fn new(length: usize) -> Self {
        check_period("AVGDEV timeperiod", length, 2);
        Self {
            length,
            count: 0,
            ring: Ring::new(length),
        }
    }

    /// The close `k` candles before the one at index `self.count` (whose close is `x`).
    fn back(&self, k: usize, x: f64) -> f64 {
        if k == 0 {
            x
        } else {
            self.ring.get(self.count - k)
        }
    }
}

impl Indicator for Avgdev {
    type Next = ();

    fn step(&self, c: &Candle) -> (Outputs, ()) {
        let n = self.length;
        if self.count + 1 < n {
            return (NONE, ());
        }
        let x = c.close;
        let nf = n as f64;
        let mut sum = 0.0;
        for k in 0..n {
            sum += self.back(k, x);
        }
        let mut dev = 0.0;
        for k in 0..n {
            dev += (self.back(k, x) - sum / nf).abs();
        }
        (one(dev / nf), ())
    }

    fn advance(&mut self, c: &Candle, (): ()) {
        self.ring.set(self.count, c.close);
        self.count += 1;
    }

    /// TA-Lib's lookback: `timeperiod - 1`.
    fn lookback(&self) -> usize {
        self.length - 1
    }
}

/// Heikin-Ashi candles: `[HAhaopen, HAhahigh, HAhalow, HAhaclose]` (TA-Lib `HA`, on open,
/// high, low and close; its output names `haopen`, `hahigh`, `halow`, `haclose`).
///
/// `haclose = (((o + h) + l) + c) / 4`; `haopen = (haopen[1] + haclose[1]) / 2`, seeded on the
/// first candle with `(o + c) / 2`; `hahigh`/`halow` the extreme of the high/low, `haopen` and
/// `haclose`, by plain comparisons in that order as in C (ties keep the earlier operand).
/// TA-Lib 0.8.1's unstable period for HA is 0 by default, so it has values from the first
/// candle.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Ha {
    count: usize,
    /// The previous candle's Heikin-Ashi open and close.
    open: f64,
    close: f64,
}

impl Ha {
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        Self {
            count: 0,
            open: 0.0,
            close: 0.0,
        }
    }
}

impl Indicator for Ha {
    /// This candle's Heikin-Ashi open and close.
    type Next = (f64, f64);

    fn step(&self, c: &Candle) -> (Outputs, (f64, f64)) {
        let open = if self.count == 0 {
            (c.open + c.close) / 2.0
        } else {
            (self.open + self.close) / 2.0
        };
        let close = (c.open + c.high + c.low + c.close) / 4.0;
        let mut high = c.high;
        if open > high {
            high = open;
        }
        if close > high {
            high = close;
        }
        let mut low = c.low;
        if open < low {
            low = open;
        }
        if close < low {
            low = close;
        }
        let mut out = NONE;
        out[..4].copy_from_slice(&[open, high, low, close]);
        (out, (open, close))
    }

    fn advance(&mut self, _c: &Candle, (open, close): (f64, f64)) {
        self.open = open;
        self.close = close;
        self.count += 1;
    }

    /// TA-Lib's lookback (unstable period 0): 0.
    fn lookback(&self) -> usize {
        0
    }
}

row_group! { $ price_transform_rows:
    Avgprice { name: "AVGPRICE", family: price_transform, params: [], talib: "AVGPRICE",
        new: |_p| Avgprice::new() },
    Medprice { name: "MEDPRICE", family: price_transform, params: [], talib: "MEDPRICE",
        new: |_p| Medprice::new() },
    Typprice { name: "TYPPRICE", family: price_transform, params: [], talib: "TYPPRICE",
        new: |_p| Typprice::new() },
    Wclprice { name: "WCLPRICE", family: price_transform, params: [], talib: "WCLPRICE",
        new: |_p| Wclprice::new() },
    Avgdev { name: "AVGDEV", family: price_transform, params: [len("timeperiod", 14.0, 2.0)],
        talib: "AVGDEV", new: |p| Avgdev::new(p.int(0)) },
    Ha { name: "HA", family: price_transform, params: [],
        columns: ["HAhaopen", "HAhahigh", "HAhalow", "HAhaclose"], talib: "HA",
        new: |_p| Ha::new() },
}
