//! The parts of ADX on their own: +DM, -DM, +DI, -DI and DX, bit-identical to TA-Lib 0.8.1
//! `TA_PLUS_DM`, `TA_MINUS_DM`, `TA_PLUS_DI`, `TA_MINUS_DI` and `TA_DX`, and ADXR over
//! [`Adx`], `TA_ADXR`. All share ADX's bar arithmetic ([`directional_step`]).

use super::Adx;
use super::directional::{Di, DmSums, Prev, directional_step};
use crate::indicators::blocks::{Lagged, check_period, one, true_range};
use crate::indicators::{Candle, Indicator, NONE, Outputs};
use serde::{Deserialize, Serialize};

/// Which output of the directional movement a [`Directional`] gives.
const PLUS_DM: u8 = 0;
const MINUS_DM: u8 = 1;
const PLUS_DI: u8 = 2;
const MINUS_DI: u8 = 3;
const DX: u8 = 4;

/// One output of Wilder's directional movement over `n` bars (high, low, close), `OUT` one
/// of `PLUS_DM`, `MINUS_DM` (high, low; from bar `n - 1`), `PLUS_DI`, `MINUS_DI`, `DX`
/// (from bar `n`), with ADX's arithmetic (see [`Adx`]).
///
/// TA-Lib quirks kept: a period of 1 gives the raw one-bar +DM/-DM (lookback 1) and the
/// one-bar `DM / TR` for +DI/-DI, NOT multiplied by 100 (0 when `TR <= 0`); a bar without
/// DX (zero range or DI sum) repeats the previous DX (0 before the first one).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Directional<const OUT: u8> {
    length: usize,
    count: usize,
    prev_high: f64,
    prev_low: f64,
    prev_close: f64,
    plus_dm: f64,
    minus_dm: f64,
    tr: f64,
    /// The last DX (DX only).
    dx: f64,
}

/// `[PLUS_DM_n]`, TA-Lib `TA_PLUS_DM` (high, low).
pub type PlusDm = Directional<PLUS_DM>;
/// `[MINUS_DM_n]`, TA-Lib `TA_MINUS_DM` (high, low).
pub type MinusDm = Directional<MINUS_DM>;
/// `[PLUS_DI_n]`, TA-Lib `TA_PLUS_DI` (high, low, close).
pub type PlusDi = Directional<PLUS_DI>;
/// `[MINUS_DI_n]`, TA-Lib `TA_MINUS_DI` (high, low, close).
pub type MinusDi = Directional<MINUS_DI>;
/// `[DX_n]`, TA-Lib `TA_DX` (high, low, close).
pub type Dx = Directional<DX>;

/// The sums and the DX [`Directional`]'s step moves to.
#[derive(Debug)]
pub struct DirectionalNext {
    sums: DmSums,
    dx: f64,
}

impl<const OUT: u8> Directional<OUT> {
    pub fn new(timeperiod: usize) -> Self {
        let min = if OUT == DX { 2 } else { 1 };
        check_period("directional movement timeperiod", timeperiod, min);
        Self {
            length: timeperiod,
            count: 0,
            prev_high: 0.0,
            prev_low: 0.0,
            prev_close: 0.0,
            plus_dm: 0.0,
            minus_dm: 0.0,
            tr: 0.0,
            dx: 0.0,
        }
    }

    /// TA-Lib's period-1 +DI/-DI: the one-bar `DM / TR` (no percentage).
    fn one_bar_di(&self, c: &Candle) -> f64 {
        let diff_p = c.high - self.prev_high;
        let diff_m = self.prev_low - c.low;
        let tr = true_range(c, self.prev_close);
        let dm = if OUT == PLUS_DI {
            if diff_p > 0.0 && diff_p > diff_m {
                diff_p
            } else {
                0.0
            }
        } else if diff_m > 0.0 && diff_p < diff_m {
            diff_m
        } else {
            0.0
        };
        if tr > 0.0 { dm / tr } else { 0.0 }
    }
}

impl<const OUT: u8> Indicator for Directional<OUT> {
    type Next = DirectionalNext;

    fn step(&self, c: &Candle) -> (Outputs, DirectionalNext) {
        let (n, t) = (self.length, self.count);
        let prev = Prev {
            high: self.prev_high,
            low: self.prev_low,
            close: self.prev_close,
        };
        let sums = DmSums {
            plus: self.plus_dm,
            minus: self.minus_dm,
            tr: self.tr,
        };
        let (sums, di) = directional_step(n, t, &prev, sums, c);
        let mut next = DirectionalNext { sums, dx: self.dx };
        if t == 0 {
            return (NONE, next);
        }
        let out = match OUT {
            PLUS_DM | MINUS_DM => {
                if t + 1 < n {
                    return (NONE, next);
                }
                if OUT == PLUS_DM {
                    sums.plus
                } else {
                    sums.minus
                }
            }
            _ if n == 1 => self.one_bar_di(c),
            _ => {
                let Some(Di { plus, minus, dx }) = di else {
                    return (NONE, next);
                };
                match OUT {
                    PLUS_DI => plus,
                    MINUS_DI => minus,
                    _ => {
                        if let Some(dx) = dx {
                            next.dx = dx;
                        }
                        next.dx
                    }
                }
            }
        };
        (one(out), next)
    }

    fn advance(&mut self, c: &Candle, next: DirectionalNext) {
        self.plus_dm = next.sums.plus;
        self.minus_dm = next.sums.minus;
        self.tr = next.sums.tr;
        self.dx = next.dx;
        self.prev_high = c.high;
        self.prev_low = c.low;
        self.prev_close = c.close;
        self.count += 1;
    }

    /// TA-Lib's lookback: `n - 1` for +DM/-DM, `n` for the others (1 for a period of 1).
    fn lookback(&self) -> usize {
        match OUT {
            PLUS_DM | MINUS_DM => (self.length - 1).max(1),
            _ => self.length,
        }
    }
}

/// The average directional movement rating `[ADXR_n]`, TA-Lib `TA_ADXR` (high, low,
/// close): `(ADX + ADX n - 1 bars back) / 2`, from bar `3n - 2` on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Adxr {
    adx: Adx,
    /// The ADX values, from the first one on.
    past: Lagged,
}

impl Adxr {
    pub fn new(timeperiod: usize) -> Self {
        check_period("ADXR timeperiod", timeperiod, 2);
        Self {
            adx: Adx::new(timeperiod),
            past: Lagged::new(timeperiod - 1),
        }
    }
}

impl Indicator for Adxr {
    type Next = (<Adx as Indicator>::Next, f64);

    fn step(&self, c: &Candle) -> (Outputs, Self::Next) {
        let (adx, next) = self.adx.step(c);
        let adx = adx[0];
        let out = match self.past.prev() {
            Some(old) if !adx.is_nan() => one((adx + old) / 2.0),
            _ => NONE,
        };
        (out, (next, adx))
    }

    fn advance(&mut self, c: &Candle, (next, adx): Self::Next) {
        self.adx.advance(c, next);
        if !adx.is_nan() {
            self.past.push(adx);
        }
    }

    /// TA-Lib's lookback: ADX's `2n - 1` plus `n - 1`.
    fn lookback(&self) -> usize {
        self.adx.lookback() + self.past.length()
    }
}
