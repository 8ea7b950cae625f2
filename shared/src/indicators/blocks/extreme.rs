//! The rolling lowest/highest of a window (STOCH, STOCHRSI, WILLR, AROON, DONCHIAN).

use serde::{Deserialize, Serialize};

/// The lowest or highest value of a sliding window and the index of its most recent
/// occurrence (TA-Lib's `lowestIdx`/`highestIdx` with `<=`/`>=` ties, as AROON needs).
///
/// A monotonic deque in a ring buffer of `window` slots: entries keep increasing indices
/// and strictly monotonic values, so the front is the window's extreme. Pushing is
/// amortized O(1) (an entry is dropped from the back at most once); reading the extreme
/// of the window ending with a candidate value is O(1) and does not mutate. The owner
/// numbers the values (`t`, one more per push): several deques then share one count.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct Extreme {
    /// `true` for the highest value, `false` for the lowest.
    highest: bool,
    window: usize,
    head: usize,
    len: usize,
    /// Encoded as the `u64`s it used to hold (MessagePack writes both alike).
    index: Vec<usize>,
    value: Vec<f64>,
}

impl Extreme {
    pub(crate) fn new(window: usize, highest: bool) -> Self {
        Self {
            highest,
            window,
            head: 0,
            len: 0,
            index: vec![0; window],
            value: vec![0.0; window],
        }
    }

    pub(crate) fn window(&self) -> usize {
        self.window
    }

    /// Whether `new` replaces `old` as the extreme (ties go to the newer value).
    fn beats(&self, new: f64, old: f64) -> bool {
        if self.highest { new >= old } else { new <= old }
    }

    fn slot(&self, k: usize) -> usize {
        (self.head + k) % self.window
    }

    /// `(index, value)` of the extreme of the window ending at index `t` whose last value
    /// is `x` (earlier values are those pushed before).
    pub(crate) fn peek(&self, t: usize, x: f64) -> (usize, f64) {
        let w = self.window;
        let mut k = 0;
        // At most one entry expires per index step.
        while k < self.len && self.index[self.slot(k)] + w <= t {
            k += 1;
        }
        if k < self.len {
            let s = self.slot(k);
            if !self.beats(x, self.value[s]) {
                return (self.index[s], self.value[s]);
            }
        }
        (t, x)
    }

    /// Appends value `x` at index `t`.
    pub(crate) fn push(&mut self, t: usize, x: f64) {
        let w = self.window;
        while self.len > 0 && self.index[self.head] + w <= t {
            self.head = (self.head + 1) % self.window;
            self.len -= 1;
        }
        while self.len > 0 && self.beats(x, self.value[self.slot(self.len - 1)]) {
            self.len -= 1;
        }
        let s = self.slot(self.len);
        self.index[s] = t;
        self.value[s] = x;
        self.len += 1;
    }
}

/// DONCHIAN's saved form of an [`Extreme`]: DONCHIAN had its own deque, with the same ring
/// layout but its own count and field order, and states saved in Redis still carry it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct LegacyExtreme {
    length: usize,
    max: bool,
    count: usize,
    index: Vec<usize>,
    value: Vec<f64>,
    head: usize,
    len: usize,
}

impl LegacyExtreme {
    pub(crate) fn new(e: Extreme, count: usize) -> Self {
        Self {
            length: e.window,
            max: e.highest,
            count,
            index: e.index,
            value: e.value,
            head: e.head,
            len: e.len,
        }
    }

    /// The deque and its count.
    pub(crate) fn into_parts(self) -> (Extreme, usize) {
        let e = Extreme {
            highest: self.max,
            window: self.length,
            head: self.head,
            len: self.len,
            index: self.index,
            value: self.value,
        };
        (e, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The deque's extreme and its most recent index match a brute-force scan.
    #[test]
    fn extreme_matches_a_scan() {
        let xs = [
            3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0, 5.0, 3.0, 5.0, 5.0, 1.0, 1.0,
        ];
        for window in 1..6 {
            for highest in [false, true] {
                let mut e = Extreme::new(window, highest);
                for (t, &x) in xs.iter().enumerate() {
                    let from = (t + 1).saturating_sub(window);
                    let mut want = (from, xs[from]);
                    for (i, &v) in xs.iter().enumerate().take(t + 1).skip(from + 1) {
                        if (highest && v >= want.1) || (!highest && v <= want.1) {
                            want = (i, v);
                        }
                    }
                    assert_eq!(e.peek(t, x), want);
                    e.push(t, x);
                }
            }
        }
    }
}
