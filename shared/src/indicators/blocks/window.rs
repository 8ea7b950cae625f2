//! Fixed-size windows over a series: the ring every windowed indicator keeps, TA-Lib's
//! running-total SMA and the lagged value of ROC/MOM.

use serde::{Deserialize, Serialize};

/// The last `size` values of a series, value `i` (absolute index, from 0) in slot
/// `i % size`. Serialized as the bare `Vec<f64>` every indicator kept before this type
/// existed, so saved states keep their encoding.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub(crate) struct Ring(Vec<f64>);

impl Ring {
    pub(crate) fn new(size: usize) -> Self {
        Self(vec![0.0; size])
    }

    /// Value `i` of the series; valid for the last `size` values set.
    pub(crate) fn get(&self, i: usize) -> f64 {
        self.0[i % self.0.len()]
    }

    /// Stores value `i` of the series (overwriting value `i - size`).
    pub(crate) fn set(&mut self, i: usize, x: f64) {
        let n = self.0.len();
        self.0[i % n] = x;
    }

    /// The raw slot `j`: CCI sums in slot order, as TA-Lib's circular buffer does.
    pub(crate) fn slot(&self, j: usize) -> f64 {
        self.0[j]
    }
}

/// TA-Lib's simple moving average (`TA_SMA`, `TA_MA` with `TA_MAType_SMA`) over any series:
/// ONE running total for the whole series (never re-summed): add the new value, divide by
/// `n`, subtract the value leaving the window. A period of 1 is a plain copy.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct RollingSma {
    length: usize,
    /// Values seen so far.
    count: usize,
    /// TA-Lib's `periodTotal`: the sum of the last `length - 1` values.
    total: f64,
    ring: Ring,
}

impl RollingSma {
    pub(crate) fn new(length: usize) -> Self {
        Self {
            length,
            count: 0,
            total: 0.0,
            ring: Ring::new(length),
        }
    }

    pub(crate) fn length(&self) -> usize {
        self.length
    }

    /// The average with `x` as the next value (NaN while warming up) and the running total
    /// to [`commit`](Self::commit) with it.
    pub(crate) fn step(&self, x: f64) -> (f64, f64) {
        let n = self.length;
        if n == 1 {
            return (x, 0.0);
        }
        let total = self.total + x;
        if self.count < n - 1 {
            return (f64::NAN, total);
        }
        // The value leaving the window: index count - (n - 1).
        let trailing = self.ring.get(self.count + 1 - n);
        (total / n as f64, total - trailing)
    }

    pub(crate) fn commit(&mut self, x: f64, total: f64) {
        self.total = total;
        self.ring.set(self.count, x);
        self.count += 1;
    }
}

/// The value `length` steps back (ROC, MOM).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct Lagged {
    length: usize,
    count: usize,
    ring: Ring,
}

impl Lagged {
    pub(crate) fn new(length: usize) -> Self {
        Self {
            length,
            count: 0,
            ring: Ring::new(length),
        }
    }

    pub(crate) fn length(&self) -> usize {
        self.length
    }

    /// The value `length` before the next one, once there is one.
    pub(crate) fn prev(&self) -> Option<f64> {
        (self.count >= self.length).then(|| self.ring.get(self.count - self.length))
    }

    pub(crate) fn push(&mut self, x: f64) {
        self.ring.set(self.count, x);
        self.count += 1;
    }
}
