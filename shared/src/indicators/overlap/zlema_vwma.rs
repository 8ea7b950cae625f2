//! ZLEMA and VWMA (bit-identical to TA-Lib 0.8.1 `TA_ZLEMA`, `TA_VWMA`).

use crate::indicators::blocks::{Ring, RollingSma, check_period, ema, one};
use crate::indicators::{Candle, Indicator, NONE, Outputs};
use serde::{Deserialize, Serialize};

/// Zero-lag EMA of the close: `[ZLEMA_n]` (TA-Lib `ZLEMA`).
///
/// An EMA (`k = 2 / (n + 1)`) of the de-lagged close `2 * close - close[lag]`,
/// `lag = (n - 1) / 2`, which exists from bar `lag` on: seeded with the in-order sum (from
/// `0.0`) of its first `n` values divided by `n` at bar `lag + n - 1` (the lookback), then
/// the fused [`ema`] step, `fma(v - prev, k, prev)`. A period of 1 is a copy of the close
/// (lookback 0).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Zlema {
    length: usize,
    lag: usize,
    k: f64,
    count: usize,
    /// While seeding: the in-order sum of the de-lagged closes; then the last ZLEMA.
    value: f64,
    /// The last `lag` closes (one slot when `lag` is 0, unused).
    closes: Ring,
}

impl Zlema {
    pub fn new(timeperiod: usize) -> Self {
        check_period("ZLEMA timeperiod", timeperiod, 1);
        let lag = (timeperiod - 1) / 2;
        Self {
            length: timeperiod,
            lag,
            k: 2.0 / (timeperiod + 1) as f64,
            count: 0,
            value: 0.0,
            closes: Ring::new(lag.max(1)),
        }
    }
}

impl Indicator for Zlema {
    /// The new `value`.
    type Next = f64;

    fn step(&self, c: &Candle) -> (Outputs, f64) {
        let (n, lag, i, x) = (self.length, self.lag, self.count, c.close);
        if n == 1 {
            return (one(x), self.value);
        }
        if i < lag {
            return (NONE, self.value);
        }
        let trailing = if lag == 0 {
            x
        } else {
            self.closes.get(i - lag)
        };
        let delagged = 2.0 * x - trailing;
        let lookback = lag + n - 1;
        if i < lookback {
            return (NONE, self.value + delagged);
        }
        let value = if i == lookback {
            (self.value + delagged) / n as f64
        } else {
            ema(self.value, delagged, self.k)
        };
        (one(value), value)
    }

    fn advance(&mut self, c: &Candle, value: f64) {
        self.value = value;
        if self.lag > 0 {
            self.closes.set(self.count, c.close);
        }
        self.count += 1;
    }

    /// TA-Lib's lookback (EMA's unstable period 0): `(n - 1) / 2 + n - 1`, 0 for `n = 1`.
    fn lookback(&self) -> usize {
        if self.length == 1 {
            0
        } else {
            self.lag + self.length - 1
        }
    }
}

/// Volume-weighted moving average of the close: `[VWMA_n]` (TA-Lib `VWMA`, on close and
/// volume).
///
/// `SMA(close * volume, n) / SMA(volume, n)`, each `TA_SMA`'s running total
/// ([`RollingSma`]: add the new value, divide by `n`, subtract the leaving one), so the
/// output is `(sum_pv / n) / (sum_v / n)`; null (0/0) where the window's volume is 0, as
/// TA-Lib gives NaN there. A period of 1 is a copy of the close (even at volume 0).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Vwma {
    price_volume: RollingSma,
    volume: RollingSma,
}

impl Vwma {
    pub fn new(timeperiod: usize) -> Self {
        check_period("VWMA timeperiod", timeperiod, 1);
        Self {
            price_volume: RollingSma::new(timeperiod),
            volume: RollingSma::new(timeperiod),
        }
    }
}

impl Indicator for Vwma {
    /// The two running totals.
    type Next = (f64, f64);

    fn step(&self, c: &Candle) -> (Outputs, (f64, f64)) {
        let (pv, pv_total) = self.price_volume.step(c.close * c.volume);
        let (v, v_total) = self.volume.step(c.volume);
        let value = if self.volume.length() == 1 {
            c.close
        } else {
            pv / v
        };
        (one(value), (pv_total, v_total))
    }

    fn advance(&mut self, c: &Candle, (pv_total, v_total): (f64, f64)) {
        self.price_volume.commit(c.close * c.volume, pv_total);
        self.volume.commit(c.volume, v_total);
    }

    /// TA-Lib's lookback: `timeperiod - 1`.
    fn lookback(&self) -> usize {
        self.volume.length() - 1
    }
}
