//! The volume family: OBV, AD and ADOSC bit-identical to TA-Lib 0.8.1 (`TA_OBV`, `TA_AD`,
//! `TA_ADOSC`, `TA_CMF`), VWAP anchored to the UTC
//! day, which TA-Lib lacks, following pandas-ta's documented formula (its golden reference is
//! computed with plain numpy), and in [`flow`] EFI, MARKETFI, NVI, PVI, PVT and RVOL.

mod flow;

/// PVO's state: [`Po`](crate::indicators::momentum::Po) of the volume.
pub use crate::indicators::momentum::Po as Pvo;
pub use flow::{CumulativeVwap, Efi, Marketfi, Nvi, Pvi, Pvt, Rvol};

use super::blocks::{Ring, check_period, one, typical_price};
use super::{Candle, Indicator, NONE, Outputs};
use serde::{Deserialize, Serialize};

/// One candle's accumulation/distribution money flow as TA-Lib computes it:
/// `((close - low) - (high - close)) / (high - low) * volume`, none when `high <= low`.
fn ad_flow(c: &Candle) -> Option<f64> {
    let range = c.high - c.low;
    (range > 0.0).then(|| ((c.close - c.low) - (c.high - c.close)) / range * c.volume)
}

/// On-balance volume: `[OBV]` (pandas-ta's name), TA-Lib `TA_OBV`: starts at the first
/// candle's volume, then adds the volume on a higher close and subtracts it on a lower one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Obv {
    count: usize,
    prev_close: f64,
    obv: f64,
}

impl Obv {
    pub fn new() -> Self {
        Self {
            count: 0,
            prev_close: 0.0,
            obv: 0.0,
        }
    }
}

impl Default for Obv {
    fn default() -> Self {
        Self::new()
    }
}

impl Indicator for Obv {
    /// The new OBV.
    type Next = f64;

    fn step(&self, c: &Candle) -> (Outputs, f64) {
        let obv = if self.count == 0 {
            c.volume
        } else if c.close > self.prev_close {
            self.obv + c.volume
        } else if c.close < self.prev_close {
            self.obv - c.volume
        } else {
            self.obv
        };
        (one(obv), obv)
    }

    fn advance(&mut self, c: &Candle, obv: f64) {
        self.obv = obv;
        self.prev_close = c.close;
        self.count += 1;
    }

    /// No warm-up: 0.
    fn lookback(&self) -> usize {
        0
    }
}

/// Accumulation/distribution line: `[AD]` (pandas-ta's name), TA-Lib `TA_AD`: the running
/// sum of `((close - low) - (high - close)) / (high - low) * volume`, candles with
/// `high == low` adding nothing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Ad {
    ad: f64,
}

impl Ad {
    pub fn new() -> Self {
        Self { ad: 0.0 }
    }
}

impl Default for Ad {
    fn default() -> Self {
        Self::new()
    }
}

/// The AD line after `c`, from the line before it.
fn ad_after(ad: f64, c: &Candle) -> f64 {
    match ad_flow(c) {
        Some(flow) => ad + flow,
        None => ad,
    }
}

impl Indicator for Ad {
    /// The new AD line.
    type Next = f64;

    fn step(&self, c: &Candle) -> (Outputs, f64) {
        let ad = ad_after(self.ad, c);
        (one(ad), ad)
    }

    fn advance(&mut self, _: &Candle, ad: f64) {
        self.ad = ad;
    }

    /// No warm-up: 0.
    fn lookback(&self) -> usize {
        0
    }
}

/// Chaikin A/D oscillator: `[ADOSC_{fast}_{slow}]` (pandas-ta's name and defaults 3, 10),
/// TA-Lib `TA_ADOSC`: EMA(fast) - EMA(slow) of the AD line.
///
/// Unlike TA-Lib's EMA function, both EMAs are seeded with the first AD value (not an SMA)
/// and run from the first candle; `fast` and `slow` are not swapped. TA-Lib 0.8.1 picks
/// its FMA build at run time on CPUs that have it (every x86-64 machine we run on):
/// `ema = fma(ema, 1 - k, k * ad)` with `k = 2 / (period + 1)`, which `f64::mul_add`
/// reproduces exactly.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Adosc {
    fast: usize,
    slow: usize,
    k_fast: f64,
    k_slow: f64,
    count: usize,
    ad: f64,
    fast_ema: f64,
    slow_ema: f64,
}

impl Adosc {
    pub fn new(fast: usize, slow: usize) -> Self {
        check_period("ADOSC fast", fast, 2);
        check_period("ADOSC slow", slow, 2);
        Self {
            fast,
            slow,
            k_fast: 2.0 / (fast as f64 + 1.0),
            k_slow: 2.0 / (slow as f64 + 1.0),
            count: 0,
            ad: 0.0,
            fast_ema: 0.0,
            slow_ema: 0.0,
        }
    }
}

impl Indicator for Adosc {
    /// The new `[ad, fast_ema, slow_ema]`.
    type Next = [f64; 3];

    fn step(&self, c: &Candle) -> (Outputs, [f64; 3]) {
        let ad = ad_after(self.ad, c);
        let (fast_ema, slow_ema) = if self.count == 0 {
            (ad, ad)
        } else {
            (
                self.fast_ema.mul_add(1.0 - self.k_fast, self.k_fast * ad),
                self.slow_ema.mul_add(1.0 - self.k_slow, self.k_slow * ad),
            )
        };
        let mut out = NONE;
        if self.count >= self.lookback() {
            out[0] = fast_ema - slow_ema;
        }
        (out, [ad, fast_ema, slow_ema])
    }

    fn advance(&mut self, _: &Candle, [ad, fast_ema, slow_ema]: [f64; 3]) {
        self.ad = ad;
        self.fast_ema = fast_ema;
        self.slow_ema = slow_ema;
        self.count += 1;
    }

    /// TA-Lib's lookback: the EMA lookback of the slower period, `max(fast, slow) - 1`.
    fn lookback(&self) -> usize {
        self.fast.max(self.slow) - 1
    }
}

/// Chaikin money flow: `[CMF_n]` (TA-Lib `CMF`, inputs high, low, close and volume),
/// bit-identical to `TA_CMF`: `sum(mfv, n) / sum(volume, n)` with the money flow volume
/// `mfv = ((close - low) - (high - close)) / (high - low) * volume` (0 when `high == low`),
/// and 0, not null, when the window's volume is not positive (`TA_CMF`'s `sumVol > 0` test).
///
/// Both sums are TA-Lib's plain running totals over the whole series: each candle first
/// subtracts the values leaving the window, then adds its own.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cmf {
    length: usize,
    count: usize,
    flow_sum: f64,
    volume_sum: f64,
    /// The last `length` candles' money-flow volumes and volumes.
    flows: Ring,
    volumes: Ring,
}

impl Cmf {
    pub fn new(length: usize) -> Self {
        check_period("CMF length", length, 2);
        Self {
            length,
            count: 0,
            flow_sum: 0.0,
            volume_sum: 0.0,
            flows: Ring::new(length),
            volumes: Ring::new(length),
        }
    }
}

impl Indicator for Cmf {
    /// The candle's money-flow volume and the new `[flow_sum, volume_sum]`.
    type Next = (f64, [f64; 2]);

    fn step(&self, c: &Candle) -> (Outputs, (f64, [f64; 2])) {
        let n = self.length;
        let flow = ad_flow(c).unwrap_or(0.0);
        let (mut flow_sum, mut volume_sum) = (self.flow_sum, self.volume_sum);
        if self.count >= n {
            flow_sum -= self.flows.get(self.count - n);
            volume_sum -= self.volumes.get(self.count - n);
        }
        flow_sum += flow;
        volume_sum += c.volume;
        let next = (flow, [flow_sum, volume_sum]);
        if self.count + 1 < n {
            return (NONE, next);
        }
        let cmf = if volume_sum > 0.0 {
            flow_sum / volume_sum
        } else {
            0.0
        };
        (one(cmf), next)
    }

    fn advance(&mut self, c: &Candle, (flow, [flow_sum, volume_sum]): (f64, [f64; 2])) {
        self.flows.set(self.count, flow);
        self.volumes.set(self.count, c.volume);
        self.flow_sum = flow_sum;
        self.volume_sum = volume_sum;
        self.count += 1;
    }

    /// TA-Lib's lookback: `length - 1`.
    fn lookback(&self) -> usize {
        self.length - 1
    }
}

/// Milliseconds in a UTC day.
const DAY_MS: i64 = 86_400_000;

/// Volume-weighted average price, reset at each UTC midnight: `[VWAP_D]` (pandas-ta's
/// `vwap(anchor="D")` name). TA-Lib's `VWAP` is not anchored ([`CumulativeVwap`] has it);
/// this is pandas-ta's formula:
/// `tp = (high + low + close) / 3`, `VWAP = cumsum(tp * volume) / cumsum(volume)` within
/// the UTC day of the candle's start time, summed in order (as pandas' grouped `cumsum`),
/// null while the day's volume is 0 (0/0).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Vwap {
    count: usize,
    /// Day number (`time / DAY_MS`, floored) of the last candle.
    day: i64,
    price_volume: f64,
    volume: f64,
}

impl Vwap {
    pub fn new() -> Self {
        Self {
            count: 0,
            day: 0,
            price_volume: 0.0,
            volume: 0.0,
        }
    }
}

impl Default for Vwap {
    fn default() -> Self {
        Self::new()
    }
}

impl Indicator for Vwap {
    /// The day's `[price_volume, volume]` after the candle.
    type Next = [f64; 2];

    fn step(&self, c: &Candle) -> (Outputs, [f64; 2]) {
        let tp = typical_price(c);
        let (mut price_volume, mut volume) = (0.0, 0.0);
        if self.count > 0 && c.time.div_euclid(DAY_MS) == self.day {
            (price_volume, volume) = (self.price_volume, self.volume);
        }
        price_volume += tp * c.volume;
        volume += c.volume;
        let mut out = NONE;
        if volume != 0.0 {
            out[0] = price_volume / volume;
        }
        (out, [price_volume, volume])
    }

    fn advance(&mut self, c: &Candle, [price_volume, volume]: [f64; 2]) {
        self.day = c.time.div_euclid(DAY_MS);
        self.price_volume = price_volume;
        self.volume = volume;
        self.count += 1;
    }

    /// No warm-up: 0.
    fn lookback(&self) -> usize {
        0
    }
}

// Catalogue rows of the TA-Lib volume functions beyond the first catalogue (the first ones are in `crate::catalogue`'s own table).
super::registry::row_group! { $ volume_rows:
    Efi { name: "EFI", family: volume, params: [len("timeperiod", 13.0, 1.0)], talib: "EFI",
        new: |p| Efi::new(p.int(0)) },
    Marketfi { name: "MARKETFI", family: volume, params: [], talib: "MARKETFI",
        new: |_p| Marketfi::new() },
    Nvi { name: "NVI", family: volume, params: [], talib: "NVI", new: |_p| Nvi::new() },
    Pvi { name: "PVI", family: volume, params: [], talib: "PVI", new: |_p| Pvi::new() },
    Pvt { name: "PVT", family: volume, params: [], talib: "PVT", new: |_p| Pvt::new() },
    Rvol { name: "RVOL", family: volume, params: [len("timeperiod", 20.0, 1.0)],
        talib: "RVOL (a volume over a zero-volume window is +inf, as TA-Lib)",
        new: |p| Rvol::new(p.int(0)) },
    Pvo { name: "PVO", family: volume,
        params: [len("fastperiod", 12.0, 2.0), len("slowperiod", 26.0, 2.0), matype("matype", 1.0)],
        talib: "PVO (volume; fast and slow swapped when fast > slow, as TA-Lib does)",
        new: |p| Pvo::new(p.int(0), p.int(1), p.int(2), true, true) },
    CumulativeVwap { name: "VWAP", family: volume, params: [],
        talib: "VWAP (from the first candle; the daily-anchored one is VWAP_D)",
        new: |_p| CumulativeVwap::new() },
}
