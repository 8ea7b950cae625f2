//! The rolling extremes of the close and their indexes: MAX, MIN, MINMAX, MAXINDEX, MININDEX
//! and MINMAXINDEX, bit-identical to TA-Lib 0.8.1 including which of equal extremes an index
//! names (see [`Tracker`]).

use crate::indicators::blocks::check_period;
use crate::indicators::{Candle, Indicator, NONE, Outputs};
use serde::{Deserialize, Serialize};

/// TA-Lib's running extreme of `TA_MAX`/`TA_MIN` (shared by MINMAX and the INDEX forms) and
/// the index it reports, an ordinal since the state was created (TA-Lib's position in the
/// series it is given, which starts at the first candle).
///
/// TA-Lib keeps one candidate: a new value at least as extreme replaces it (ties go to the
/// NEWER value), and when the candidate leaves the window (or at the first full window) it
/// rescans the window keeping the OLDEST of equal extremes. TA-Lib's rescan is O(window); the
/// rescan's answer here comes in O(1) from a monotonic deque that keeps equal values (its
/// front, once expired entries are skipped, is the oldest extreme of the window), so an update
/// is amortized O(1) (each value leaves the deque at most once). Prices are never NaN; a NaN
/// close would make the deque differ from TA-Lib's comparisons.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct Tracker {
    /// `true` for the highest value, `false` for the lowest.
    highest: bool,
    window: usize,
    /// Values pushed so far: the index of the next one.
    count: usize,
    /// TA-Lib's `highestIdx`/`lowestIdx` and its value, once a window is full.
    best_index: usize,
    best: f64,
    /// The deque, a ring of `window` slots from `head`: increasing indices, values
    /// non-increasing (highest) or non-decreasing (lowest).
    head: usize,
    len: usize,
    index: Vec<usize>,
    value: Vec<f64>,
}

/// The extreme `(index, value)` a candle gives, `None` during the warm-up.
pub(crate) type Best = Option<(usize, f64)>;

impl Tracker {
    pub(crate) fn new(window: usize, highest: bool) -> Self {
        Self {
            highest,
            window,
            count: 0,
            best_index: 0,
            best: 0.0,
            head: 0,
            len: 0,
            index: vec![0; window],
            value: vec![0.0; window],
        }
    }

    pub(crate) fn window(&self) -> usize {
        self.window
    }

    /// Whether `new` is strictly more extreme than `old` (TA-Lib's rescan test).
    fn beats(&self, new: f64, old: f64) -> bool {
        if self.highest { new > old } else { new < old }
    }

    fn slot(&self, k: usize) -> usize {
        (self.head + k) % self.window
    }

    /// The extreme of the window ending with the next value `x`.
    pub(crate) fn peek(&self, x: f64) -> Best {
        let (t, n) = (self.count, self.window);
        if t + 1 < n {
            return None;
        }
        let from = t + 1 - n;
        if t + 1 == n || self.best_index < from {
            // TA-Lib's rescan: the oldest extreme of [from, t].
            let mut k = 0;
            while k < self.len && self.index[self.slot(k)] < from {
                k += 1;
            }
            if k < self.len {
                let s = self.slot(k);
                if !self.beats(x, self.value[s]) {
                    return Some((self.index[s], self.value[s]));
                }
            }
            return Some((t, x));
        }
        // `>=` / `<=`: an equal new value takes over.
        if self.beats(self.best, x) {
            Some((self.best_index, self.best))
        } else {
            Some((t, x))
        }
    }

    /// Appends `x` with the extreme `peek(x)` gave.
    pub(crate) fn push(&mut self, x: f64, best: Best) {
        if let Some((i, v)) = best {
            self.best_index = i;
            self.best = v;
        }
        let (t, n) = (self.count, self.window);
        while self.len > 0 && self.index[self.head] + n <= t {
            self.head = (self.head + 1) % n;
            self.len -= 1;
        }
        while self.len > 0 && self.beats(x, self.value[self.slot(self.len - 1)]) {
            self.len -= 1;
        }
        let s = self.slot(self.len);
        self.index[s] = t;
        self.value[s] = x;
        self.len += 1;
        self.count += 1;
    }
}

/// An index output: the ordinal of the extreme, 0 during the warm-up (TA-Lib's integer
/// output is 0 there, not a missing value).
fn index_of(best: Best) -> f64 {
    best.map_or(0.0, |(i, _)| i as f64)
}

/// A value output: the extreme, NaN during the warm-up.
fn value_of(best: Best) -> f64 {
    best.map_or(f64::NAN, |(_, v)| v)
}

/// One single-output indicator over one [`Tracker`] of the close.
macro_rules! single {
    ($($kind:ident: $highest:literal, $out:ident, $what:literal, $doc:literal;)*) => {$(
        #[doc = $doc]
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
        pub struct $kind {
            track: Tracker,
        }

        impl $kind {
            pub fn new(length: usize) -> Self {
                check_period($what, length, 2);
                Self {
                    track: Tracker::new(length, $highest),
                }
            }
        }

        impl Indicator for $kind {
            type Next = Best;

            fn step(&self, c: &Candle) -> (Outputs, Best) {
                let best = self.track.peek(c.close);
                let mut out = NONE;
                out[0] = $out(best);
                (out, best)
            }

            fn advance(&mut self, c: &Candle, best: Best) {
                self.track.push(c.close, best);
            }

            /// TA-Lib's lookback: `timeperiod - 1`.
            fn lookback(&self) -> usize {
                self.track.window() - 1
            }
        }
    )*};
}

single! {
    Max: true, value_of, "MAX timeperiod",
        "Highest close of the last `timeperiod`: TA-Lib `TA_MAX`.";
    Min: false, value_of, "MIN timeperiod",
        "Lowest close of the last `timeperiod`: TA-Lib `TA_MIN`.";
    Maxindex: true, index_of, "MAXINDEX timeperiod",
        "Index (ordinal since the state was created) of the highest close of the last \
         `timeperiod`: TA-Lib `TA_MAXINDEX`, 0 during the warm-up.";
    Minindex: false, index_of, "MININDEX timeperiod",
        "Index (ordinal since the state was created) of the lowest close of the last \
         `timeperiod`: TA-Lib `TA_MININDEX`, 0 during the warm-up.";
}

/// One two-output indicator over a lowest and a highest [`Tracker`] of the close.
macro_rules! pair {
    ($($kind:ident: $out:ident, $what:literal, $doc:literal;)*) => {$(
        #[doc = $doc]
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
        pub struct $kind {
            lowest: Tracker,
            highest: Tracker,
        }

        impl $kind {
            pub fn new(length: usize) -> Self {
                check_period($what, length, 2);
                Self {
                    lowest: Tracker::new(length, false),
                    highest: Tracker::new(length, true),
                }
            }
        }

        impl Indicator for $kind {
            type Next = (Best, Best);

            fn step(&self, c: &Candle) -> (Outputs, (Best, Best)) {
                let low = self.lowest.peek(c.close);
                let high = self.highest.peek(c.close);
                let mut out = NONE;
                out[0] = $out(low);
                out[1] = $out(high);
                (out, (low, high))
            }

            fn advance(&mut self, c: &Candle, (low, high): (Best, Best)) {
                self.lowest.push(c.close, low);
                self.highest.push(c.close, high);
            }

            /// TA-Lib's lookback: `timeperiod - 1`.
            fn lookback(&self) -> usize {
                self.lowest.window() - 1
            }
        }
    )*};
}

pair! {
    Minmax: value_of, "MINMAX timeperiod",
        "Lowest and highest close of the last `timeperiod`: TA-Lib `TA_MINMAX` \
         (`[MINMAXmin_n, MINMAXmax_n]`).";
    Minmaxindex: index_of, "MINMAXINDEX timeperiod",
        "Indexes of the lowest and highest close of the last `timeperiod`: TA-Lib \
         `TA_MINMAXINDEX` (`[MINMAXINDEXminidx_n, MINMAXINDEXmaxidx_n]`), 0 during the warm-up.";
}

#[cfg(test)]
mod tests {
    use super::*;

    /// TA-Lib's algorithm as written in C: a candidate, `>=` for a new value, a rescan with
    /// `>` when the candidate expires.
    fn rescan(xs: &[f64], n: usize, highest: bool, t: usize) -> (usize, f64) {
        let from = t + 1 - n;
        let mut best = (from, xs[from]);
        for (i, &v) in xs.iter().enumerate().take(t + 1).skip(from + 1) {
            if (highest && v > best.1) || (!highest && v < best.1) {
                best = (i, v);
            }
        }
        best
    }

    // Shows the deque gives TA-Lib's candidate, ties included, on a series full of ties.
    #[test]
    fn tracker_matches_talib_algorithm() {
        let xs = [
            3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0, 5.0, 3.0, 5.0, 5.0, 1.0, 1.0, 1.0, 1.0, 7.0,
            7.0, 2.0, 7.0, 0.0, 0.0,
        ];
        for n in 2..7 {
            for highest in [false, true] {
                let mut track = Tracker::new(n, highest);
                let mut want: Option<(usize, f64)> = None;
                for (t, &x) in xs.iter().enumerate() {
                    if t + 1 >= n {
                        want = Some(match want {
                            Some((i, _)) if i + n > t => {
                                let (i, v) = want.unwrap();
                                let ties = if highest { x >= v } else { x <= v };
                                if ties { (t, x) } else { (i, v) }
                            }
                            _ => rescan(&xs, n, highest, t),
                        });
                    }
                    let got = track.peek(x);
                    assert_eq!(got, want, "n {n} highest {highest} t {t}");
                    track.push(x, got);
                }
            }
        }
    }
}
