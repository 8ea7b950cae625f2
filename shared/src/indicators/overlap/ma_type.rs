//! TA-Lib's `TA_MA`: a moving average of any series chosen by `matype` ([`MaType`]), the
//! block of MA, APO, PPO, MACDEXT, STOCHF, KDJ, PVO and the `matype` params of BBANDS, STOCH,
//! STOCHRSI.
//!
//! Each type is the candle indicator of its own row fed a candle whose prices all equal the
//! value, so it is bit-identical to it, as `TA_MA` calls the same functions:
//! `talib.MA(x, n, t)` equals `talib.SMA/EMA/WMA/DEMA/TEMA/TRIMA/KAMA/T3/HMA/ZLEMA/RMA(x, n)`
//! (KAMA with TA-Lib's fixed 2/30, T3 with vfactor 0.7), `talib.MAMA(x, 0.5, 0.05)`'s MAMA
//! line for 7 (whatever the period), and the input itself for period 1 (every type).

use crate::indicators::cycle::Mama;
use crate::indicators::overlap::{Dema, Ema, Hma, Kama, Rma, Sma, T3, Tema, Trima, Wma, Zlema};
use crate::indicators::{Candle, Indicator};
use serde::{Deserialize, Serialize};

/// A candle whose prices all equal `x` (what the close-only averages read).
fn candle(x: f64) -> Candle {
    Candle {
        time: 0,
        open: x,
        high: x,
        low: x,
        close: x,
        volume: 0.0,
    }
}

macro_rules! ma_types {
    ($($variant:ident($ty:ty)),*) => {
        /// A moving average of one value per step, by TA-Lib `matype` (see the module doc).
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
        #[allow(clippy::large_enum_variant)]
        pub enum MaType {
            /// Period 1: the input itself.
            Identity,
            $($variant($ty)),*
        }

        /// The state change of one value of a [`MaType`].
        #[derive(Debug)]
        #[allow(clippy::large_enum_variant)]
        pub enum MaNext {
            Identity,
            $($variant(<$variant as Indicator>::Next)),*
        }

        impl MaType {
            /// The average if `x` came now, and the change taking it makes; changes nothing.
            pub fn step(&self, x: f64) -> (f64, MaNext) {
                match self {
                    MaType::Identity => (x, MaNext::Identity),
                    $(MaType::$variant(m) => {
                        let (out, next) = m.step(&candle(x));
                        (out[0], MaNext::$variant(next))
                    }),*
                }
            }

            /// Commits value `x` with the change `step(x)` returned.
            pub fn advance(&mut self, x: f64, next: MaNext) {
                match (self, next) {
                    (MaType::Identity, MaNext::Identity) => {}
                    $((MaType::$variant(m), MaNext::$variant(next)) => m.advance(&candle(x), next),)*
                    _ => unreachable!("a MaType advanced with another type's step"),
                }
            }

            /// Leading values without an average: TA-Lib's lookback of `TA_MA`.
            pub fn lookback(&self) -> usize {
                match self {
                    MaType::Identity => 0,
                    $(MaType::$variant(m) => m.lookback()),*
                }
            }
        }
    };
}

// MAMA's Hilbert state is 512 bytes, the others at most 200: boxed (allocated once, at
// construction) so every average is not as wide as MAMA. The box is transparent to serde.
ma_types!(
    Sma(Sma),
    Ema(Ema),
    Wma(Wma),
    Dema(Dema),
    Tema(Tema),
    Trima(Trima),
    Kama(Kama),
    Mama(Box<Mama>),
    T3(T3),
    Hma(Hma),
    Zlema(Zlema),
    Rma(Rma)
);

impl MaType {
    /// TA-Lib's `TA_MA(period, matype)`; `matype` is one of `catalogue::MA_TYPES` (checked by
    /// the catalogue), `period >= 1`.
    pub fn new(period: usize, matype: usize) -> Self {
        assert!(period >= 1, "MA period must be at least 1");
        if period == 1 {
            return MaType::Identity;
        }
        match matype {
            0 => MaType::Sma(Sma::new(period)),
            1 => MaType::Ema(Ema::new(period)),
            2 => MaType::Wma(Wma::new(period)),
            3 => MaType::Dema(Dema::new(period)),
            4 => MaType::Tema(Tema::new(period)),
            5 => MaType::Trima(Trima::new(period)),
            6 => MaType::Kama(Kama::new(period, 2, 30)),
            7 => MaType::Mama(Box::new(Mama::new(0.5, 0.05))),
            8 => MaType::T3(T3::new(period, 0.7)),
            9 => MaType::Hma(Hma::new(period)),
            12 => MaType::Zlema(Zlema::new(period)),
            13 => MaType::Rma(Rma::new(period)),
            _ => panic!("unsupported matype {matype}"),
        }
    }

    /// Commits `x`; returns the average.
    pub fn update(&mut self, x: f64) -> f64 {
        let (out, next) = self.step(x);
        self.advance(x, next);
        out
    }
}

/// TA-Lib `MA`: `[MA_{timeperiod}_{matype}]`, the [`MaType`] of the close. O(1) per update
/// (as its type).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Ma {
    ma: MaType,
}

impl Ma {
    pub fn new(timeperiod: usize, matype: usize) -> Self {
        Self {
            ma: MaType::new(timeperiod, matype),
        }
    }
}

impl Indicator for Ma {
    type Next = MaNext;

    fn step(&self, c: &Candle) -> (crate::indicators::Outputs, MaNext) {
        let (v, next) = self.ma.step(c.close);
        (crate::indicators::blocks::one(v), next)
    }

    fn advance(&mut self, c: &Candle, next: MaNext) {
        self.ma.advance(c.close, next);
    }

    /// TA-Lib's lookback: the type's own (0 for period 1, 32 for MAMA).
    fn lookback(&self) -> usize {
        self.ma.lookback()
    }
}
