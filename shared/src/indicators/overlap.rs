//! Overlap studies: WMA, DEMA, TEMA, TRIMA, KAMA (bit-identical to TA-Lib 0.8.1 `TA_WMA`,
//! `TA_DEMA`, `TA_TEMA`, `TA_TRIMA`, `TA_KAMA`), and RMA, HMA, which TA-Lib's Python
//! package lacks and which follow pandas-ta's definitions.
//!
//! The arithmetic was read from the shipped library (the `ta-lib==0.8.2` wheel bundles TA-Lib
//! C 0.8.1), not only from the C sources on GitHub, which move fast:
//! - `TA_DEMA`, `TA_TEMA` and `TA_KAMA` are dispatched at load time to a build with fused
//!   multiply-add on CPUs that have it (all x86-64 servers we run on): every EMA-style step
//!   `prev + (x - prev) * k` is one correctly-rounded `fma`, which `f64::mul_add` is too.
//! - `TA_WMA` and `TA_TRIMA` have no FMA build: plain multiply then add. 0.8.1's WMA also
//!   re-sums its window from scratch every `8n` outputs (older sources never do).
//! - 0.8.1's KAMA differs from every older source: it counts consecutive unchanged closes and,
//!   once the whole window is flat, resets its running sum of |changes| to exactly 0; its
//!   zero test is exact (`0 >= sum`) and the efficiency ratio is clamped to at most 1.

use super::{Candle, NONE, Outputs};
use serde::{Deserialize, Serialize};

fn check_length(name: &str, length: usize, min: usize) {
    assert!(
        (min..=100_000).contains(&length),
        "{name} length must be in [{min}, 100000]"
    );
}

/// TA-Lib's weighted moving average core over any input series, including TA-Lib's period 1
/// (a copy of the input), which HMA needs for `int(sqrt(length)) == 1`.
///
/// TA-Lib keeps two running sums: `periodSub` (plain sum of the window) and `periodSum`
/// (the weighted sum), seeded by `periodSum += x * i` for `i = 1..n-1`, then per bar
/// `periodSub += x - trailing` (as two operations), `periodSum += x * n`, output
/// `periodSum / (n(n+1)/2)`, and `periodSum -= periodSub`. TA-Lib 0.8.1 (not the older
/// sources) also re-sums the window from scratch at every `8n`-th output (outputs
/// `8n-1, 16n-1, ...` counted from 0), O(n) once per `8n` bars.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct WmaCore {
    length: usize,
    /// `n (n + 1) / 2` as a float.
    divider: f64,
    count: usize,
    period_sum: f64,
    period_sub: f64,
    /// The last `length` inputs; input `i` lives at `i % length`.
    ring: Vec<f64>,
}

/// The scalar state [`WmaCore::step`] moves to.
struct WmaNext {
    period_sum: f64,
    period_sub: f64,
}

impl WmaCore {
    fn new(length: usize) -> Self {
        Self {
            length,
            divider: ((length as u64 * (length as u64 + 1)) >> 1) as f64,
            count: 0,
            period_sum: 0.0,
            period_sub: 0.0,
            ring: vec![0.0; length],
        }
    }

    /// The WMA for input `x` at index `self.count` (NaN while warming up).
    fn step(&self, x: f64) -> (f64, WmaNext) {
        let n = self.length;
        let mut next = WmaNext {
            period_sum: self.period_sum,
            period_sub: self.period_sub,
        };
        if n == 1 {
            return (x, next);
        }
        let i = self.count;
        if i < n - 1 {
            next.period_sub += x;
            next.period_sum += x * (i + 1) as f64;
            return (f64::NAN, next);
        }
        if (i + 2 - n).is_multiple_of(8 * n) {
            // Every 8n-th output TA-Lib 0.8.1 re-sums the window from scratch (in order,
            // weights 1..=n), which stops the running sums from drifting.
            let (mut sub, mut sum) = (0.0, 0.0);
            for k in 0..n {
                let v = if k == n - 1 {
                    x
                } else {
                    self.ring[(i + 1 + k) % n]
                };
                sub += v;
                sum += (k + 1) as f64 * v;
            }
            next.period_sub = sub;
            next.period_sum = sum - sub;
            return (sum / self.divider, next);
        }
        // The input leaving the window: index i - n (none at the first output).
        let trailing = if i == n - 1 { 0.0 } else { self.ring[i % n] };
        next.period_sub += x;
        next.period_sub -= trailing;
        next.period_sum += x * n as f64;
        let out = next.period_sum / self.divider;
        next.period_sum -= next.period_sub;
        (out, next)
    }

    fn commit(&mut self, x: f64, next: WmaNext) {
        self.period_sum = next.period_sum;
        self.period_sub = next.period_sub;
        let n = self.length;
        self.ring[self.count % n] = x;
        self.count += 1;
    }
}

/// Weighted moving average of the close: `[WMA_n]` (TA-Lib `WMA`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Wma {
    core: WmaCore,
}

impl Wma {
    pub fn new(length: usize) -> Self {
        check_length("WMA", length, 2);
        Self {
            core: WmaCore::new(length),
        }
    }

    /// TA-Lib's lookback: `length - 1`.
    pub fn lookback(&self) -> usize {
        self.core.length - 1
    }

    pub fn update(&mut self, c: &Candle) -> Outputs {
        let (value, next) = self.core.step(c.close);
        self.core.commit(c.close, next);
        one(value)
    }

    pub fn peek(&self, c: &Candle) -> Outputs {
        one(self.core.step(c.close).0)
    }
}

/// Outputs with one column (`NaN` stays null).
fn one(value: f64) -> Outputs {
    let mut out = NONE;
    out[0] = value;
    out
}

/// Double exponential moving average of the close: `[DEMA_n]` (TA-Lib `DEMA`),
/// `2 * EMA1 - EMA2` with `EMA2 = EMA(EMA1)`.
///
/// As TA-Lib: EMA1 is seeded at bar `n-1` with the in-order mean of the first `n` closes;
/// EMA2 is seeded at bar `2(n-1)` with the in-order mean of the first `n` EMA1 values
/// (a sum started from `0.0`); both then advance as `fma(x - prev, k, prev)`,
/// `k = 2/(n+1)`. The output `2 * e1 - e2` is not fused.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Dema {
    length: usize,
    k: f64,
    count: usize,
    /// While seeding: the running sum of the closes; then EMA1.
    ema1: f64,
    /// While seeding: the running sum of the EMA1 values; then EMA2.
    ema2: f64,
}

impl Dema {
    pub fn new(length: usize) -> Self {
        check_length("DEMA", length, 2);
        Self {
            length,
            k: 2.0 / (length + 1) as f64,
            count: 0,
            ema1: 0.0,
            ema2: 0.0,
        }
    }

    /// TA-Lib's lookback: `2 (length - 1)`.
    pub fn lookback(&self) -> usize {
        2 * (self.length - 1)
    }

    pub fn update(&mut self, c: &Candle) -> Outputs {
        let (out, ema1, ema2) = self.step(c.close);
        self.ema1 = ema1;
        self.ema2 = ema2;
        self.count += 1;
        out
    }

    pub fn peek(&self, c: &Candle) -> Outputs {
        self.step(c.close).0
    }

    fn step(&self, x: f64) -> (Outputs, f64, f64) {
        let (n, i, k) = (self.length, self.count, self.k);
        let nf = n as f64;
        if i < n - 1 {
            return (NONE, self.ema1 + x, self.ema2);
        }
        if i == n - 1 {
            let e1 = (self.ema1 + x) / nf;
            return (NONE, e1, 0.0 + e1);
        }
        let e1 = (x - self.ema1).mul_add(k, self.ema1);
        let lookback = 2 * (n - 1);
        if i < lookback {
            return (NONE, e1, self.ema2 + e1);
        }
        let e2 = if i == lookback {
            (self.ema2 + e1) / nf
        } else {
            (e1 - self.ema2).mul_add(k, self.ema2)
        };
        (one(2.0 * e1 - e2), e1, e2)
    }
}

/// Triple exponential moving average of the close: `[TEMA_n]` (TA-Lib `TEMA`),
/// `3 * EMA1 - 3 * EMA2 + EMA3`.
///
/// Seeding as [`Dema`], one level deeper: EMA3 is seeded at bar `3(n-1)` with the in-order
/// mean of the first `n` EMA2 values. The output is `(3 * e1 - 3 * e2) + e3`, unfused.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Tema {
    length: usize,
    k: f64,
    count: usize,
    /// Each: the running seed sum while seeding, then the EMA.
    ema1: f64,
    ema2: f64,
    ema3: f64,
}

impl Tema {
    pub fn new(length: usize) -> Self {
        check_length("TEMA", length, 2);
        Self {
            length,
            k: 2.0 / (length + 1) as f64,
            count: 0,
            ema1: 0.0,
            ema2: 0.0,
            ema3: 0.0,
        }
    }

    /// TA-Lib's lookback: `3 (length - 1)`.
    pub fn lookback(&self) -> usize {
        3 * (self.length - 1)
    }

    pub fn update(&mut self, c: &Candle) -> Outputs {
        let (out, e) = self.step(c.close);
        [self.ema1, self.ema2, self.ema3] = e;
        self.count += 1;
        out
    }

    pub fn peek(&self, c: &Candle) -> Outputs {
        self.step(c.close).0
    }

    fn step(&self, x: f64) -> (Outputs, [f64; 3]) {
        let (n, i, k) = (self.length, self.count, self.k);
        let nf = n as f64;
        let (s1, s2, s3) = (self.ema1, self.ema2, self.ema3);
        let m = n - 1;
        if i < m {
            return (NONE, [s1 + x, s2, s3]);
        }
        if i == m {
            let e1 = (s1 + x) / nf;
            return (NONE, [e1, 0.0 + e1, s3]);
        }
        let e1 = (x - s1).mul_add(k, s1);
        if i < 2 * m {
            return (NONE, [e1, s2 + e1, s3]);
        }
        if i == 2 * m {
            let e2 = (s2 + e1) / nf;
            return (NONE, [e1, e2, 0.0 + e2]);
        }
        let e2 = (e1 - s2).mul_add(k, s2);
        if i < 3 * m {
            return (NONE, [e1, e2, s3 + e2]);
        }
        let e3 = if i == 3 * m {
            (s3 + e2) / nf
        } else {
            (e2 - s3).mul_add(k, s3)
        };
        (one(3.0 * e1 - 3.0 * e2 + e3), [e1, e2, e3])
    }
}

/// Triangular moving average of the close: `[TRIMA_n]` (TA-Lib `TRIMA`).
///
/// TA-Lib does not compute SMA(SMA): it keeps a numerator (the triangular-weighted sum) and
/// two half sums. The first output builds them over the window in TA-Lib's order (the
/// older half from the middle backwards, O(n) once); then each bar adjusts them with the
/// closes leaving the window, crossing the middle and entering, and outputs
/// `numerator * (1 / sum of weights)`. Odd and even lengths update the second half sum in
/// a different order, as in C.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Trima {
    length: usize,
    /// `1 / sum of weights`: `1/((h+1)^2)` for odd lengths, `1/(h(h+1))` for even, `h = n/2`.
    factor: f64,
    count: usize,
    numerator: f64,
    sub: f64,
    add: f64,
    /// The last `length` closes; close `i` lives at `i % length`.
    ring: Vec<f64>,
}

/// The scalar state [`Trima::step`] moves to.
struct TrimaNext {
    numerator: f64,
    sub: f64,
    add: f64,
}

impl Trima {
    pub fn new(length: usize) -> Self {
        check_length("TRIMA", length, 2);
        let h = (length >> 1) as u64;
        let weights = if length % 2 == 1 {
            (h + 1) * (h + 1)
        } else {
            h * (h + 1)
        };
        Self {
            length,
            factor: 1.0 / weights as f64,
            count: 0,
            numerator: 0.0,
            sub: 0.0,
            add: 0.0,
            ring: vec![0.0; length],
        }
    }

    /// TA-Lib's lookback: `length - 1`.
    pub fn lookback(&self) -> usize {
        self.length - 1
    }

    pub fn update(&mut self, c: &Candle) -> Outputs {
        let (out, next) = self.step(c.close);
        self.numerator = next.numerator;
        self.sub = next.sub;
        self.add = next.add;
        self.ring[self.count % self.length] = c.close;
        self.count += 1;
        out
    }

    pub fn peek(&self, c: &Candle) -> Outputs {
        self.step(c.close).0
    }

    fn step(&self, x: f64) -> (Outputs, TrimaNext) {
        let (n, i) = (self.length, self.count);
        let h = n >> 1;
        let odd = n % 2 == 1;
        let mut next = TrimaNext {
            numerator: self.numerator,
            sub: self.sub,
            add: self.add,
        };
        if i < n - 1 {
            return (NONE, next);
        }
        if i == n - 1 {
            // The first window: close k of it is `at(k)` (0 = oldest).
            let at = |k: usize| {
                if k == n - 1 { x } else { self.ring[k] }
            };
            let middle = if odd { h } else { h - 1 };
            let (mut numerator, mut sub, mut add) = (0.0, 0.0, 0.0);
            for k in (0..=middle).rev() {
                sub += at(k);
                numerator += sub;
            }
            for k in middle + 1..n {
                add += at(k);
                numerator += add;
            }
            next = TrimaNext {
                numerator,
                sub,
                add,
            };
        } else {
            let trailing = self.ring[i % n]; // close i - n
            let middle = self.ring[(i - h) % n]; // close i - h
            next.numerator -= next.sub;
            next.sub -= trailing;
            next.sub += middle;
            if odd {
                next.numerator += next.add;
                next.add -= middle;
            } else {
                next.add -= middle;
                next.numerator += next.add;
            }
            next.add += x;
            next.numerator += x;
        }
        (one(next.numerator * self.factor), next)
    }
}

/// Kaufman's adaptive moving average of the close: `[KAMA_n_fast_slow]` (TA-Lib `KAMA`).
///
/// TA-Lib fixes `fast = 2` and `slow = 30` (pandas-ta's defaults) and only takes the length;
/// other `fast`/`slow` use the same arithmetic with `2/(slow+1)` and `2/(fast+1)` in place
/// of TA-Lib's constants. Not pandas-ta's own KAMA, which seeds with an SMA and computes
/// the ratio differently: with TA-Lib installed pandas-ta still uses its own code here.
///
/// TA-Lib 0.8.1 per bar `t` (first output at `t = n`, seeded with `prev = close[n-1]`):
/// - `sum` = running sum of `|close[j] - close[j-1]|` over the window's `n` changes,
///   updated as `|new| + (sum - |leaving|)`; a counter of consecutive zero changes resets
///   `sum` to exactly 0 once all `n` changes in the window are 0;
/// - `er = 1` if `0 >= sum` or `close[t] - close[t-n] >= sum`, else
///   `min(1, |(close[t] - close[t-n]) / sum|)`;
/// - `sc = fma(er, 2/(fast+1) - 2/(slow+1), 2/(slow+1))^2`, `kama = fma(sc, x - prev, prev)`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Kama {
    length: usize,
    /// `2/(slow+1)` (TA-Lib's `constMax`) and `2/(fast+1) - 2/(slow+1)` (`constDiff`).
    sc_min: f64,
    sc_diff: f64,
    count: usize,
    sum: f64,
    /// Consecutive zero changes, at most `length`.
    zero_run: usize,
    prev: f64,
    /// The last `length + 1` closes; close `i` lives at `i % (length + 1)`.
    ring: Vec<f64>,
}

/// The scalar state [`Kama::step`] moves to.
struct KamaNext {
    sum: f64,
    zero_run: usize,
    prev: f64,
}

impl Kama {
    pub fn new(length: usize, fast: usize, slow: usize) -> Self {
        check_length("KAMA", length, 2);
        assert!(
            (1..=100_000).contains(&fast) && (1..=100_000).contains(&slow),
            "KAMA fast and slow must be in [1, 100000]"
        );
        let sc_min = 2.0 / (slow as f64 + 1.0);
        Self {
            length,
            sc_min,
            sc_diff: 2.0 / (fast as f64 + 1.0) - sc_min,
            count: 0,
            sum: 0.0,
            zero_run: 0,
            prev: 0.0,
            ring: vec![0.0; length + 1],
        }
    }

    /// TA-Lib's lookback (unstable period 0): `length`.
    pub fn lookback(&self) -> usize {
        self.length
    }

    pub fn update(&mut self, c: &Candle) -> Outputs {
        let (out, next) = self.step(c.close);
        self.sum = next.sum;
        self.zero_run = next.zero_run;
        self.prev = next.prev;
        let m = self.length + 1;
        self.ring[self.count % m] = c.close;
        self.count += 1;
        out
    }

    pub fn peek(&self, c: &Candle) -> Outputs {
        self.step(c.close).0
    }

    fn step(&self, x: f64) -> (Outputs, KamaNext) {
        let (n, i) = (self.length, self.count);
        let m = n + 1;
        let mut next = KamaNext {
            sum: self.sum,
            zero_run: self.zero_run,
            prev: self.prev,
        };
        if i == 0 {
            return (NONE, next);
        }
        let last = self.ring[(i - 1) % m];
        let change = x - last;
        let er;
        if i <= n {
            // Seeding: the first n changes, summed in order.
            next.sum += (last - x).abs();
            next.zero_run = if last - x == 0.0 {
                next.zero_run + 1
            } else {
                0
            };
            if i < n {
                return (NONE, next);
            }
            next.prev = last;
            let first = self.ring[0];
            er = self.ratio(next.sum, x - first);
        } else {
            let leaving = self.ring[(i + 1) % m]; // close i - n
            let flat = if change == 0.0 {
                next.zero_run += 1;
                next.zero_run >= n
            } else {
                next.zero_run = 0;
                false
            };
            if flat {
                next.zero_run = n;
                next.sum = 0.0;
                er = 1.0;
            } else {
                let before = self.ring[i % m]; // close i - n - 1
                next.sum = change.abs() + (next.sum - (before - leaving).abs());
                er = self.ratio(next.sum, x - leaving);
            }
        }
        let sc = er.mul_add(self.sc_diff, self.sc_min);
        let sc = sc * sc;
        next.prev = sc.mul_add(x - next.prev, next.prev);
        (one(next.prev), next)
    }

    /// The efficiency ratio from the sum of |changes| and the change over the window.
    fn ratio(&self, sum: f64, period_change: f64) -> f64 {
        if 0.0 >= sum || period_change >= sum {
            return 1.0;
        }
        let r = (period_change / sum).abs();
        if 1.0 < r { 1.0 } else { r }
    }
}

/// Wilder's moving average of the close as pandas-ta defines it: `[RMA_n]` (no TA-Lib
/// function; pandas-ta `rma` = `close.ewm(alpha=1/n, adjust=False).mean()`).
///
/// Seeded with the first close (so no warm-up: lookback 0), then pandas' `ewm` arithmetic
/// exactly: pandas turns `alpha` into a center of mass and back
/// (`alpha' = 1/(1 + (1-alpha)/alpha)`), and updates
/// `rma = ((1-alpha') * rma + alpha' * x) / ((1-alpha') + alpha')`, skipping the update
/// when `rma == x` (its guard for constant series). Older pandas-ta (0.3.x) used
/// `adjust=True` with `min_periods=n`, a different series.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Rma {
    length: usize,
    /// pandas' `alpha'` and `1 - alpha'`.
    alpha: f64,
    decay: f64,
    count: usize,
    value: f64,
}

impl Rma {
    pub fn new(length: usize) -> Self {
        check_length("RMA", length, 1);
        let a = 1.0 / length as f64;
        let com = (1.0 - a) / a;
        let alpha = 1.0 / (1.0 + com);
        Self {
            length,
            alpha,
            decay: 1.0 - alpha,
            count: 0,
            value: 0.0,
        }
    }

    /// pandas-ta's RMA has no warm-up: 0.
    pub fn lookback(&self) -> usize {
        0
    }

    pub fn update(&mut self, c: &Candle) -> Outputs {
        self.value = self.step(c.close);
        self.count += 1;
        one(self.value)
    }

    pub fn peek(&self, c: &Candle) -> Outputs {
        one(self.step(c.close))
    }

    fn step(&self, x: f64) -> f64 {
        if self.count == 0 || self.value == x {
            return x;
        }
        (self.decay * self.value + self.alpha * x) / (self.decay + self.alpha)
    }
}

/// Hull moving average of the close as pandas-ta defines it: `[HMA_n]` (no TA-Lib function).
///
/// `HMA = WMA(2 * WMA(close, n/2) - WMA(close, n), int(sqrt(n)))` with integer division and
/// TA-Lib's WMA for each (pandas-ta uses `talib.WMA` when TA-Lib is installed); the inner
/// difference is `(2 * a) - b`, unfused, and starts at bar `n - 1`. Lookback
/// `(n - 1) + (int(sqrt(n)) - 1)`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Hma {
    length: usize,
    half: WmaCore,
    full: WmaCore,
    smooth: WmaCore,
}

impl Hma {
    pub fn new(length: usize) -> Self {
        check_length("HMA", length, 2);
        Self {
            length,
            half: WmaCore::new(length / 2),
            full: WmaCore::new(length),
            smooth: WmaCore::new(isqrt(length)),
        }
    }

    pub fn lookback(&self) -> usize {
        (self.length - 1) + (self.smooth.length - 1)
    }

    pub fn update(&mut self, c: &Candle) -> Outputs {
        let x = c.close;
        let (a, half) = self.half.step(x);
        let (b, full) = self.full.step(x);
        self.half.commit(x, half);
        self.full.commit(x, full);
        if b.is_nan() {
            return NONE;
        }
        let d = 2.0 * a - b;
        let (value, smooth) = self.smooth.step(d);
        self.smooth.commit(d, smooth);
        one(value)
    }

    pub fn peek(&self, c: &Candle) -> Outputs {
        let x = c.close;
        let a = self.half.step(x).0;
        let b = self.full.step(x).0;
        if b.is_nan() {
            return NONE;
        }
        one(self.smooth.step(2.0 * a - b).0)
    }
}

/// `int(sqrt(n))` for the lengths we accept (exact: no float rounding at perfect squares).
fn isqrt(n: usize) -> usize {
    let mut r = (n as f64).sqrt() as usize;
    while r * r > n {
        r -= 1;
    }
    while (r + 1) * (r + 1) <= n {
        r += 1;
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candle(close: f64) -> Candle {
        Candle {
            time: 0,
            open: close,
            high: close,
            low: close,
            close,
            volume: 4.0,
        }
    }

    /// `int(sqrt(n))` is exact at and around perfect squares.
    #[test]
    fn isqrt_is_floor_of_sqrt() {
        for n in 1..2000usize {
            let r = isqrt(n);
            assert!(r * r <= n && (r + 1) * (r + 1) > n, "{n}");
        }
    }

    /// A flat series keeps KAMA on the level and RMA never moves (pandas' constant guard).
    #[test]
    fn flat_series_stay_flat() {
        let mut kama = Kama::new(3, 2, 30);
        let mut rma = Rma::new(7);
        for t in 0..20 {
            let k = kama.update(&candle(101.25))[0];
            assert_eq!(k.is_nan(), t < 3);
            if t >= 3 {
                assert_eq!(k, 101.25);
            }
            assert_eq!(rma.update(&candle(101.25))[0], 101.25);
        }
    }
}
