//! Volume-weighted price moves and volume ratios: EFI, MARKETFI, NVI, PVI, PVT and RVOL,
//! bit-identical to TA-Lib 0.8.1 `TA_EFI`, `TA_MARKETFI`, `TA_NVI`, `TA_PVI`, `TA_PVT` and
//! `TA_RVOL` (checked against the shipped library: EFI's EMA is fused, the running
//! products and sums of NVI, PVI and PVT are not).

use crate::indicators::blocks::{Ring, check_period, ema, one, typical_price};
use crate::indicators::{Candle, Indicator, NONE, Outputs};
use serde::{Deserialize, Serialize};

/// Elder's force index: `[EFI_n]` (TA-Lib `EFI`, inputs close and volume): the EMA of
/// `(close - prev_close) * volume`.
///
/// As TA-Lib: the EMA is seeded with the in-order mean of the first `n` forces (bars
/// `1..=n`) and then runs as [`ema`], `fma(force - prev, 2 / (n + 1), prev)`; a period of 1
/// outputs the raw force (TA-Lib special-cases it rather than run the EMA with `k = 1`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Efi {
    length: usize,
    k: f64,
    count: usize,
    prev_close: f64,
    /// While warming up: the in-order sum of the forces; then the EMA.
    value: f64,
}

impl Efi {
    pub fn new(length: usize) -> Self {
        check_period("EFI timeperiod", length, 1);
        Self {
            length,
            k: 2.0 / (length + 1) as f64,
            count: 0,
            prev_close: 0.0,
            value: 0.0,
        }
    }
}

impl Indicator for Efi {
    /// The new sum or EMA.
    type Next = f64;

    fn step(&self, c: &Candle) -> (Outputs, f64) {
        let (n, i) = (self.length, self.count);
        if i == 0 {
            return (NONE, self.value);
        }
        let force = (c.close - self.prev_close) * c.volume;
        if n == 1 {
            return (one(force), self.value);
        }
        if i < n {
            return (NONE, self.value + force);
        }
        let value = if i == n {
            (self.value + force) / n as f64
        } else {
            ema(self.value, force, self.k)
        };
        (one(value), value)
    }

    fn advance(&mut self, c: &Candle, value: f64) {
        self.value = value;
        self.prev_close = c.close;
        self.count += 1;
    }

    /// TA-Lib's lookback (EMA unstable period 0): `timeperiod`.
    fn lookback(&self) -> usize {
        self.length
    }
}

/// Market facilitation index: `[MARKETFI]` (TA-Lib `MARKETFI`, inputs high, low and
/// volume): `(high - low) / volume`, 0 when the volume is 0.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Marketfi {}

impl Marketfi {
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        Self {}
    }
}

impl Indicator for Marketfi {
    type Next = ();

    fn step(&self, c: &Candle) -> (Outputs, ()) {
        let value = if c.volume != 0.0 {
            (c.high - c.low) / c.volume
        } else {
            0.0
        };
        (one(value), ())
    }

    fn advance(&mut self, _: &Candle, (): ()) {}

    /// No warm-up: 0.
    fn lookback(&self) -> usize {
        0
    }
}

/// The running index NVI and PVI share: seeded at 1000, and on the candles `moves` selects
/// (by volume against the previous candle's) multiplied by `1 + close change / prev close`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct VolumeIndex {
    count: usize,
    prev_close: f64,
    prev_volume: f64,
    value: f64,
}

impl VolumeIndex {
    const SEED: f64 = 1000.0;

    fn new() -> Self {
        Self {
            count: 0,
            prev_close: 0.0,
            prev_volume: 0.0,
            value: Self::SEED,
        }
    }

    /// The index after `c`. TA-Lib writes `idx += (close - prev) / prev * idx` (no FMA),
    /// skips a zero previous close, and keeps the last value when the product overflows.
    fn step(&self, c: &Candle, moves: fn(f64, f64) -> bool) -> f64 {
        if self.count == 0 || !moves(c.volume, self.prev_volume) || self.prev_close == 0.0 {
            return self.value;
        }
        let next = self.value + (c.close - self.prev_close) / self.prev_close * self.value;
        if next.is_finite() { next } else { self.value }
    }

    fn advance(&mut self, c: &Candle, value: f64) {
        self.value = value;
        self.prev_close = c.close;
        self.prev_volume = c.volume;
        self.count += 1;
    }
}

/// Negative volume index: `[NVI]` (TA-Lib `NVI`, inputs close and volume): moves with the
/// close only on candles whose volume fell; 1000 on the first candle.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Nvi {
    index: VolumeIndex,
}

impl Nvi {
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        Self {
            index: VolumeIndex::new(),
        }
    }
}

impl Indicator for Nvi {
    /// The new index.
    type Next = f64;

    fn step(&self, c: &Candle) -> (Outputs, f64) {
        let value = self.index.step(c, |v, prev| v < prev);
        (one(value), value)
    }

    fn advance(&mut self, c: &Candle, value: f64) {
        self.index.advance(c, value);
    }

    /// No warm-up: 0.
    fn lookback(&self) -> usize {
        0
    }
}

/// Positive volume index: `[PVI]` (TA-Lib `PVI`, inputs close and volume): moves with the
/// close only on candles whose volume rose; 1000 on the first candle.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Pvi {
    index: VolumeIndex,
}

impl Pvi {
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        Self {
            index: VolumeIndex::new(),
        }
    }
}

impl Indicator for Pvi {
    /// The new index.
    type Next = f64;

    fn step(&self, c: &Candle) -> (Outputs, f64) {
        let value = self.index.step(c, |v, prev| v > prev);
        (one(value), value)
    }

    fn advance(&mut self, c: &Candle, value: f64) {
        self.index.advance(c, value);
    }

    /// No warm-up: 0.
    fn lookback(&self) -> usize {
        0
    }
}

/// Price volume trend: `[PVT]` (TA-Lib `PVT`, inputs close and volume): the running sum of
/// `(close - prev_close) / prev_close * volume` (no FMA), 0 on the first candle, candles
/// after a zero close adding nothing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Pvt {
    count: usize,
    prev_close: f64,
    value: f64,
}

impl Pvt {
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        Self {
            count: 0,
            prev_close: 0.0,
            value: 0.0,
        }
    }
}

impl Indicator for Pvt {
    /// The new sum.
    type Next = f64;

    fn step(&self, c: &Candle) -> (Outputs, f64) {
        let mut value = self.value;
        if self.count > 0 && self.prev_close != 0.0 {
            value += (c.close - self.prev_close) / self.prev_close * c.volume;
        }
        (one(value), value)
    }

    fn advance(&mut self, c: &Candle, value: f64) {
        self.value = value;
        self.prev_close = c.close;
        self.count += 1;
    }

    /// No warm-up: 0.
    fn lookback(&self) -> usize {
        0
    }
}

/// Relative volume: `[RVOL_n]` (TA-Lib `RVOL`, input volume): the volume over the mean
/// volume of the `n` candles before it.
///
/// TA-Lib's running total: the mean is taken before the total drops the oldest volume and
/// adds the new one, and the total is reset to exactly 0 once `n` zero volumes in a row fill
/// the window. A zero mean gives TA-Lib's `0 / 0 = NaN` (null) or `v / 0 = inf`, which is
/// null here too: JSON, the protocol and the fixtures have no infinity.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Rvol {
    length: usize,
    count: usize,
    /// The sum of the last `length` volumes.
    total: f64,
    /// Consecutive zero volumes, capped at `length`.
    zero_run: usize,
    ring: Ring,
}

impl Rvol {
    pub fn new(length: usize) -> Self {
        check_period("RVOL timeperiod", length, 1);
        Self {
            length,
            count: 0,
            total: 0.0,
            zero_run: 0,
            ring: Ring::new(length),
        }
    }
}

impl Indicator for Rvol {
    /// The new `(total, zero_run)`.
    type Next = (f64, usize);

    fn step(&self, c: &Candle) -> (Outputs, (f64, usize)) {
        let n = self.length;
        let v = c.volume;
        let mut zero_run = if v == 0.0 { self.zero_run + 1 } else { 0 };
        if self.count < n {
            return (NONE, (self.total + v, zero_run));
        }
        let baseline = self.total / n as f64;
        let mut total = self.total - self.ring.get(self.count - n);
        total += v;
        if zero_run >= n {
            zero_run = n;
            total = 0.0;
        }
        // A volume over a zero mean is TA-Lib's infinity; 0 over 0 its NaN (null).
        (one(v / baseline), (total, zero_run))
    }

    fn advance(&mut self, c: &Candle, (total, zero_run): (f64, usize)) {
        self.ring.set(self.count, c.volume);
        self.total = total;
        self.zero_run = zero_run;
        self.count += 1;
    }

    /// TA-Lib's lookback: `timeperiod` (the candle's own volume is not in its mean).
    fn lookback(&self) -> usize {
        self.length
    }
}

/// TA-Lib's VWAP: `[VWAP]`, the volume-weighted typical price `(high + low + close) / 3`
/// accumulated from the first candle the state sees (no anchor: the daily-anchored one is
/// `VWAP_D`), 0 while no volume has traded (as TA-Lib).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CumulativeVwap {
    price_volume: f64,
    volume: f64,
}

impl CumulativeVwap {
    pub fn new() -> Self {
        Self::default()
    }
}

impl Indicator for CumulativeVwap {
    /// `[price_volume, volume]` after the candle.
    type Next = [f64; 2];

    fn step(&self, c: &Candle) -> (Outputs, [f64; 2]) {
        let price_volume = self.price_volume + typical_price(c) * c.volume;
        let volume = self.volume + c.volume;
        let vwap = if volume == 0.0 {
            0.0
        } else {
            price_volume / volume
        };
        (one(vwap), [price_volume, volume])
    }

    fn advance(&mut self, _c: &Candle, [price_volume, volume]: [f64; 2]) {
        self.price_volume = price_volume;
        self.volume = volume;
    }

    /// No warm-up: 0.
    fn lookback(&self) -> usize {
        0
    }
}
