//! FOSC (over a rolling linear regression) and COPPOCK (a WMA of two rates of change),
//! bit-identical to TA-Lib 0.8.1 `TA_FOSC` and `TA_COPPOCK`, both with TA-Lib 0.8's
//! periodic re-summing of their running sums.

use crate::indicators::blocks::{Ring, check_period, one};
use crate::indicators::{Candle, Indicator, NONE, Outputs};
use serde::{Deserialize, Serialize};

/// Forecast oscillator, `[FOSC_n]`, TA-Lib `TA_FOSC` (close, default 5):
/// `100 * (close - TSF) / close` (0 for a zero close), TSF the time series forecast
/// `fma(m, n, b)` of the regression over the `n` closes BEFORE this one.
///
/// As TA-Lib: the regression sums (`sum y`, `sum x*y` with weight 0 for the newest close,
/// `sum |y|`) move by O(1) recurrences and are re-summed from the window (O(n)) every `32n`
/// bars or when the close leaving weighs more than `100 * sum |y|`; amortized O(1).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Fosc {
    length: usize,
    count: usize,
    sum_x: f64,
    divisor: f64,
    sum_y: f64,
    sum_xy: f64,
    sum_abs: f64,
    until_reseed: i64,
    /// The last `n + 1` closes.
    closes: Ring,
}

/// The sums [`Fosc`]'s step moves to.
#[derive(Clone, Copy, Debug)]
pub struct FoscNext {
    sum_y: f64,
    sum_xy: f64,
    sum_abs: f64,
    until_reseed: i64,
}

impl Fosc {
    pub fn new(timeperiod: usize) -> Self {
        check_period("FOSC timeperiod", timeperiod, 2);
        let n = timeperiod;
        let sum_x = n as f64 * (n - 1) as f64 * 0.5;
        let sum_xx = n as f64 * (n - 1) as f64 * (2 * n - 1) as f64 / 6.0;
        Self {
            length: n,
            count: 0,
            sum_x,
            divisor: sum_x * sum_x - n as f64 * sum_xx,
            sum_y: 0.0,
            sum_xy: 0.0,
            sum_abs: 0.0,
            until_reseed: 0,
            closes: Ring::new(n + 1),
        }
    }
}

impl Indicator for Fosc {
    type Next = FoscNext;

    fn step(&self, c: &Candle) -> (Outputs, FoscNext) {
        let (n, t, x) = (self.length, self.count, c.close);
        let nf = n as f64;
        let mut next = FoscNext {
            sum_y: self.sum_y,
            sum_xy: self.sum_xy,
            sum_abs: self.sum_abs,
            until_reseed: self.until_reseed,
        };
        if t < n {
            // Priming, in TA-Lib's order: close j weighs n - 1 - j.
            next.sum_y += x;
            next.sum_xy += (n - 1 - t) as f64 * x;
            next.sum_abs += x.abs();
            return (NONE, next);
        }
        if t == n {
            next.until_reseed = 32 * n as i64;
        } else {
            let trailing = self.closes.get(t - 1 - n);
            let newest = self.closes.get(t - 1);
            let weighted = nf * trailing;
            next.sum_xy = next.sum_xy + next.sum_y - weighted;
            next.sum_y = next.sum_y - trailing + newest;
            next.sum_abs = next.sum_abs - trailing.abs() + newest.abs();
            next.until_reseed -= 1;
            if next.until_reseed <= 0 || weighted.abs() > 100.0 * next.sum_abs {
                next.until_reseed = 32 * n as i64;
                let (mut sum_y, mut sum_xy, mut sum_abs) = (0.0, 0.0, 0.0);
                let mut w = (n - 1) as f64;
                for j in t - n..t {
                    let v = self.closes.get(j);
                    sum_y += v;
                    sum_xy += w * v;
                    sum_abs += v.abs();
                    w -= 1.0;
                }
                (next.sum_y, next.sum_xy, next.sum_abs) = (sum_y, sum_xy, sum_abs);
            }
        }
        let m = (nf * next.sum_xy - self.sum_x * next.sum_y) / self.divisor;
        let b = (next.sum_y - m * self.sum_x) / nf;
        let fosc = if x != 0.0 {
            100.0 * (x - m.mul_add(nf, b)) / x
        } else {
            0.0
        };
        (one(fosc), next)
    }

    fn advance(&mut self, c: &Candle, next: FoscNext) {
        self.sum_y = next.sum_y;
        self.sum_xy = next.sum_xy;
        self.sum_abs = next.sum_abs;
        self.until_reseed = next.until_reseed;
        self.closes.set(self.count, c.close);
        self.count += 1;
    }

    /// TA-Lib's lookback: `timeperiod`.
    fn lookback(&self) -> usize {
        self.length
    }
}

/// Coppock curve, `[COPPOCK_wma_roc1_roc2]`, TA-Lib `TA_COPPOCK` (close; defaults 10, 11,
/// 14): `WMA(ROC(roc1period) + ROC(roc2period), wmaperiod)`, each ROC TA-Lib's
/// `(close / close[p] - 1) * 100` (0 for a zero base), the WMA TA-Lib's running weighted
/// sum, re-summed from its window every `8 * wmaperiod` outputs (O(w), amortized O(1)); a
/// WMA period of 1 is the sum itself.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Coppock {
    wma: usize,
    roc1: usize,
    roc2: usize,
    divider: f64,
    count: usize,
    period_sum: f64,
    period_sub: f64,
    until_reseed: i64,
    /// The last `max(roc1, roc2) + 1` closes.
    closes: Ring,
    /// The last `wmaperiod` ROC sums.
    sums: Ring,
}

/// The WMA state [`Coppock`]'s step moves to, and this bar's ROC sum.
#[derive(Clone, Copy, Debug)]
pub struct CoppockNext {
    period_sum: f64,
    period_sub: f64,
    until_reseed: i64,
    s: f64,
}

impl Coppock {
    pub fn new(wmaperiod: usize, roc1period: usize, roc2period: usize) -> Self {
        check_period("COPPOCK wmaperiod", wmaperiod, 1);
        check_period("COPPOCK roc1period", roc1period, 1);
        check_period("COPPOCK roc2period", roc2period, 1);
        let lag = roc1period.max(roc2period);
        Self {
            wma: wmaperiod,
            roc1: roc1period,
            roc2: roc2period,
            divider: wmaperiod as f64 * (wmaperiod + 1) as f64 / 2.0,
            count: 0,
            period_sum: 0.0,
            period_sub: 0.0,
            until_reseed: 0,
            closes: Ring::new(lag + 1),
            sums: Ring::new(wmaperiod),
        }
    }

    /// The longer ROC period: the first ROC sum is at that bar.
    fn lag(&self) -> usize {
        self.roc1.max(self.roc2)
    }
}

impl Indicator for Coppock {
    type Next = CoppockNext;

    fn step(&self, c: &Candle) -> (Outputs, CoppockNext) {
        let (w, t, x) = (self.wma, self.count, c.close);
        let mut next = CoppockNext {
            period_sum: self.period_sum,
            period_sub: self.period_sub,
            until_reseed: self.until_reseed,
            s: 0.0,
        };
        let start = self.lag();
        if t < start {
            return (NONE, next);
        }
        let roc = |p: usize| {
            let base = self.closes.get(t - p);
            if base != 0.0 {
                (x / base - 1.0) * 100.0
            } else {
                0.0
            }
        };
        let s = roc(self.roc1) + roc(self.roc2);
        next.s = s;
        let first = start + w - 1;
        if t < first {
            next.period_sub += s;
            next.period_sum += s * (t - start + 1) as f64;
            return (NONE, next);
        }
        if t == first {
            next.until_reseed = 8 * w as i64;
        }
        let wf = w as f64;
        // The sum leaving the window: bar t - w (none at the first output).
        let trailing = if t == first {
            0.0
        } else {
            self.sums.get(t - w)
        };
        next.period_sub += s;
        next.period_sub -= trailing;
        next.period_sum += s * wf;
        next.until_reseed -= 1;
        if next.until_reseed <= 0 {
            next.until_reseed = 8 * w as i64;
            let (mut sub, mut sum) = (0.0, 0.0);
            if w == 1 {
                // TA-Lib's one-slot ring then holds the previous sum.
                let v = self.sums.get(t - 1);
                sub += v;
                sum += v;
            } else {
                for (k, j) in (t + 1 - w..t).enumerate() {
                    let v = self.sums.get(j);
                    sub += v;
                    sum += v * (k + 1) as f64;
                }
            }
            next.period_sub = sub + s;
            next.period_sum = sum + s * wf;
        }
        let out = if w == 1 {
            s
        } else {
            next.period_sum / self.divider
        };
        next.period_sum -= next.period_sub;
        (one(out), next)
    }

    fn advance(&mut self, c: &Candle, next: CoppockNext) {
        self.period_sum = next.period_sum;
        self.period_sub = next.period_sub;
        self.until_reseed = next.until_reseed;
        if self.count >= self.lag() {
            self.sums.set(self.count, next.s);
        }
        self.closes.set(self.count, c.close);
        self.count += 1;
    }

    /// TA-Lib's lookback: `max(roc1, roc2) + wmaperiod - 1`.
    fn lookback(&self) -> usize {
        self.lag() + self.wma - 1
    }
}
