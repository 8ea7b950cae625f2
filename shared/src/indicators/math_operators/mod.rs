//! The math_operators family, TA-Lib's "Math Operators" group: arithmetic of two inputs
//! (ADD, SUB, MULT, DIV of high and low, TA-Lib's default inputs), the running and rolling
//! sums of the close (CUMSUM, SUM) and the rolling extremes of the close and their indexes
//! (MAX, MIN, MINMAX and their INDEX forms, in [`extreme`]).
//!
//! Its catalogue rows are the `math_operators_rows` group below (see `super::registry`).

mod extreme;

pub use extreme::{Max, Maxindex, Min, Minindex, Minmax, Minmaxindex};

use super::blocks::{Ring, check_period, one};
use super::registry::row_group;
use super::{Candle, Indicator, Outputs};
use serde::{Deserialize, Serialize};

/// One stateless indicator per TA-Lib operator: `high $op low` (TA-Lib's default inputs
/// `price0 = high`, `price1 = low`), one IEEE operation as in C, so bit-identical.
macro_rules! operator {
    ($($kind:ident: $op:tt, $doc:literal;)*) => {$(
        #[doc = $doc]
        #[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
        pub struct $kind {}

        impl $kind {
            pub fn new() -> Self {
                Self {}
            }
        }

        impl Indicator for $kind {
            type Next = ();

            fn step(&self, c: &Candle) -> (Outputs, ()) {
                (one(c.high $op c.low), ())
            }

            fn advance(&mut self, _c: &Candle, (): ()) {}

            fn lookback(&self) -> usize {
                0
            }
        }
    )*};
}

operator! {
    Add: +, "`high + low`: TA-Lib `TA_ADD`.";
    Sub: -, "`high - low`: TA-Lib `TA_SUB`.";
    Mult: *, "`high * low`: TA-Lib `TA_MULT`.";
    Div: /, "`high / low`: TA-Lib `TA_DIV` (`+-inf` where low is 0 and high is not, NaN for 0 / 0).";
}

/// The running total of the close since the state was created: TA-Lib `TA_CUMSUM` (one
/// `double`, `total += close`, no compensation), no warm-up.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Cumsum {
    total: f64,
}

impl Cumsum {
    pub fn new() -> Self {
        Self { total: 0.0 }
    }
}

impl Indicator for Cumsum {
    /// The new total.
    type Next = f64;

    fn step(&self, c: &Candle) -> (Outputs, f64) {
        let total = self.total + c.close;
        (one(total), total)
    }

    fn advance(&mut self, _c: &Candle, total: f64) {
        self.total = total;
    }

    fn lookback(&self) -> usize {
        0
    }
}

/// The sum of the last `timeperiod` closes: TA-Lib `TA_SUM`, ONE running total for the whole
/// series, never re-summed: add the new close, output, subtract the close leaving the window
/// (so the rounding of every earlier step carries on, as in C).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sum {
    length: usize,
    /// Closes seen so far.
    count: usize,
    /// TA-Lib's `periodTotal`: the sum of the last `length - 1` closes.
    total: f64,
    ring: Ring,
}

impl Sum {
    pub fn new(length: usize) -> Self {
        check_period("SUM timeperiod", length, 2);
        Self {
            length,
            count: 0,
            total: 0.0,
            ring: Ring::new(length),
        }
    }
}

impl Indicator for Sum {
    /// The running total after this close.
    type Next = f64;

    fn step(&self, c: &Candle) -> (Outputs, f64) {
        let n = self.length;
        let total = self.total + c.close;
        if self.count + 1 < n {
            return (one(f64::NAN), total);
        }
        // The close leaving the window: index count + 1 - n.
        let trailing = self.ring.get(self.count + 1 - n);
        (one(total), total - trailing)
    }

    fn advance(&mut self, c: &Candle, total: f64) {
        self.total = total;
        self.ring.set(self.count, c.close);
        self.count += 1;
    }

    /// TA-Lib's lookback: `timeperiod - 1`.
    fn lookback(&self) -> usize {
        self.length - 1
    }
}

row_group! { $ math_operators_rows:
    Add { name: "ADD", family: math_operators, params: [], talib: "ADD", new: |_p| Add::new() },
    Cumsum { name: "CUMSUM", family: math_operators, params: [], talib: "CUMSUM", new: |_p| Cumsum::new() },
    Div { name: "DIV", family: math_operators, params: [], talib: "DIV", new: |_p| Div::new() },
    Max {
        name: "MAX",
        family: math_operators,
        params: [len("timeperiod", 30.0, 2.0)],
        talib: "MAX",
        new: |p| Max::new(p.int(0)),
    },
    Maxindex {
        name: "MAXINDEX",
        family: math_operators,
        params: [len("timeperiod", 30.0, 2.0)],
        talib: "MAXINDEX",
        new: |p| Maxindex::new(p.int(0)),
    },
    Min {
        name: "MIN",
        family: math_operators,
        params: [len("timeperiod", 30.0, 2.0)],
        talib: "MIN",
        new: |p| Min::new(p.int(0)),
    },
    Minindex {
        name: "MININDEX",
        family: math_operators,
        params: [len("timeperiod", 30.0, 2.0)],
        talib: "MININDEX",
        new: |p| Minindex::new(p.int(0)),
    },
    Minmax {
        name: "MINMAX",
        family: math_operators,
        params: [len("timeperiod", 30.0, 2.0)],
        columns: ["MINMAXmin", "MINMAXmax"],
        talib: "MINMAX",
        new: |p| Minmax::new(p.int(0)),
    },
    Minmaxindex {
        name: "MINMAXINDEX",
        family: math_operators,
        params: [len("timeperiod", 30.0, 2.0)],
        columns: ["MINMAXINDEXminidx", "MINMAXINDEXmaxidx"],
        talib: "MINMAXINDEX",
        new: |p| Minmaxindex::new(p.int(0)),
    },
    Mult { name: "MULT", family: math_operators, params: [], talib: "MULT", new: |_p| Mult::new() },
    Sub { name: "SUB", family: math_operators, params: [], talib: "SUB", new: |_p| Sub::new() },
    Sum {
        name: "SUM",
        family: math_operators,
        params: [len("timeperiod", 30.0, 2.0)],
        talib: "SUM",
        new: |p| Sum::new(p.int(0)),
    },
}
