//! The vortex indicator, bit-identical to TA-Lib 0.8.1 `TA_VORTEX`.

use crate::indicators::blocks::{Ring, check_period, true_range};
use crate::indicators::{Candle, Indicator, NONE, Outputs};
use serde::{Deserialize, Serialize};

/// Vortex indicator, `[VORTEXplusvi_n, VORTEXminusvi_n]` (TA-Lib's outputs `plusvi`,
/// `minusvi`), TA-Lib `TA_VORTEX` (high, low, close, default 14): over the last `n` bars,
/// `+VI = sum |high - prev low| / sum TR`, `-VI = sum |low - prev high| / sum TR`, both 0
/// when the TR sum is not positive. Running sums (add the bar, read, subtract the bar
/// leaving); after `n` zero true ranges in a row the TR sum is reset to 0 (TA-Lib's purge
/// of its rounding residue; not checked while priming, as in C).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Vortex {
    length: usize,
    count: usize,
    prev_high: f64,
    prev_low: f64,
    prev_close: f64,
    /// Running sums of TR, `|high - prev low|`, `|low - prev high|`.
    sums: [f64; 3],
    /// Zero true ranges in a row.
    null_run: usize,
    /// Each bar's three terms (bars 1 on), for the one leaving the window.
    tr: Ring,
    plus: Ring,
    minus: Ring,
}

impl Vortex {
    pub fn new(timeperiod: usize) -> Self {
        check_period("VORTEX timeperiod", timeperiod, 1);
        Self {
            length: timeperiod,
            count: 0,
            prev_high: 0.0,
            prev_low: 0.0,
            prev_close: 0.0,
            sums: [0.0; 3],
            null_run: 0,
            tr: Ring::new(timeperiod),
            plus: Ring::new(timeperiod),
            minus: Ring::new(timeperiod),
        }
    }

    /// Bar `c`'s TR, `|high - prev low|`, `|low - prev high|`.
    fn terms(&self, c: &Candle) -> [f64; 3] {
        [
            true_range(c, self.prev_close),
            (c.high - self.prev_low).abs(),
            (c.low - self.prev_high).abs(),
        ]
    }
}

impl Indicator for Vortex {
    /// The new sums, null run and this bar's terms.
    type Next = ([f64; 3], usize, [f64; 3]);

    fn step(&self, c: &Candle) -> (Outputs, Self::Next) {
        let (n, t) = (self.length, self.count);
        let (mut sums, mut null_run) = (self.sums, self.null_run);
        if t == 0 {
            return (NONE, (sums, null_run, [0.0; 3]));
        }
        let terms = self.terms(c);
        for (s, x) in sums.iter_mut().zip(terms) {
            *s += x;
        }
        null_run = if terms[0] == 0.0 { null_run + 1 } else { 0 };
        if t < n {
            return (NONE, (sums, null_run, terms));
        }
        if null_run >= n {
            null_run = n;
            sums[0] = 0.0;
        }
        let [tr, plus, minus] = sums;
        // The bar leaving the window: t - n + 1 (this one when n = 1).
        let old = t + 1 - n;
        let leaving = if old == t {
            terms
        } else {
            [self.tr.get(old), self.plus.get(old), self.minus.get(old)]
        };
        for (s, x) in sums.iter_mut().zip(leaving) {
            *s -= x;
        }
        let mut out = NONE;
        (out[0], out[1]) = if tr > 0.0 {
            (plus / tr, minus / tr)
        } else {
            (0.0, 0.0)
        };
        (out, (sums, null_run, terms))
    }

    fn advance(&mut self, c: &Candle, (sums, null_run, terms): Self::Next) {
        if self.count > 0 {
            let [tr, plus, minus] = terms;
            self.tr.set(self.count, tr);
            self.plus.set(self.count, plus);
            self.minus.set(self.count, minus);
        }
        self.sums = sums;
        self.null_run = null_run;
        self.prev_high = c.high;
        self.prev_low = c.low;
        self.prev_close = c.close;
        self.count += 1;
    }

    /// TA-Lib's lookback: `timeperiod`.
    fn lookback(&self) -> usize {
        self.length
    }
}
