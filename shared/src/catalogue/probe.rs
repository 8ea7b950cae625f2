//! Which candle fields an indicator reads, found by running it, not by reading its row: each
//! default spec is fed fixed random walks, then the same walks with one field changed on every
//! candle (the candles staying valid: `low <= min(open, close)`, `max(open, close) <= high`);
//! a field is an input when any output of any candle changes.

use super::{Spec, State};
use crate::indicators::{Candle, Outputs};

/// A candle field, in the order the documentation lists them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Open,
    High,
    Low,
    Close,
    Volume,
    Time,
}

impl Field {
    pub const ALL: [Field; 6] = [
        Field::Open,
        Field::High,
        Field::Low,
        Field::Close,
        Field::Volume,
        Field::Time,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Field::Open => "open",
            Field::High => "high",
            Field::Low => "low",
            Field::Close => "close",
            Field::Volume => "volume",
            Field::Time => "time",
        }
    }

    /// `c` with this field changed by the uniform draw `u` in [0, 1), still a valid candle.
    fn perturb(self, c: &Candle, u: f64) -> Candle {
        let mut p = *c;
        let inside = c.low + (0.1 + 0.8 * u) * (c.high - c.low);
        match self {
            Field::Open => p.open = inside,
            Field::Close => p.close = inside,
            Field::High => p.high = c.high + (c.high - c.low) * (0.5 + u) + c.high * 1e-4,
            Field::Low => {
                p.low = c.low - ((c.high - c.low) * (0.5 + u) + c.low * 1e-4).min(c.low * 0.5);
            }
            Field::Volume => p.volume = c.volume * (1.5 + u) + 10.0,
            // Half a day: hourly candles change UTC day elsewhere (VWAP_D's anchor).
            Field::Time => p.time = c.time + 12 * 3_600_000,
        }
        p
    }
}

/// Xorshift64: the same numbers on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Hourly candles around `base` with the shapes candle patterns look for: gaps, dojis, long
/// bodies, shaven heads and bottoms, and a few zero volumes.
fn walk(seed: u64, n: usize, base: f64) -> Vec<Candle> {
    let mut rng = Rng(seed);
    let mut price = base;
    (0..n)
        .map(|i| {
            let (r0, r1, r2, r3, r4) = (rng.next(), rng.next(), rng.next(), rng.next(), rng.next());
            let gap = if r0 < 0.15 { (r0 - 0.075) * 0.2 } else { 0.0 };
            let open = price * (1.0 + gap);
            let body = match (r1 * 8.0) as u32 {
                0 => 0.0,
                1 => (r2 - 0.5) * 1e-5,
                2 => (r2 - 0.5) * 0.06,
                _ => (r2 - 0.5) * 0.02,
            };
            let close = open * (1.0 + body);
            let shadow = |r: f64| if r < 0.2 { 0.0 } else { (r - 0.2) * 0.01 };
            let high = open.max(close) * (1.0 + shadow(r3));
            let low = open.min(close) * (1.0 - shadow(r4));
            price = close;
            Candle {
                time: 1_700_000_000_000 + i as i64 * 3_600_000,
                open,
                high,
                low,
                close,
                volume: if r4 < 0.05 { 0.0 } else { 100.0 + r3 * 1000.0 },
            }
        })
        .collect()
}

/// The walks every probe runs: pattern-rich prices of a few thousand, and prices inside
/// (0, 1) so that ACOS, ASIN, EXP, COSH and SINH give finite values.
fn walks() -> [Vec<Candle>; 3] {
    [
        walk(0x9E37_79B9_7F4A_7C15, 2000, 23_450.0),
        walk(0xD1B5_4A32_D192_ED03, 1000, 80.0),
        walk(0x2545_F491_4F6C_DD1D, 300, 0.5),
    ]
}

fn same(a: &Outputs, b: &Outputs) -> bool {
    a.iter()
        .zip(b)
        .all(|(x, y)| x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()))
}

/// Every candle's outputs, then the saved state after the last one.
fn run(spec: &Spec, candles: &[Candle]) -> (Vec<Outputs>, Vec<u8>) {
    let mut state: State = spec.new_state();
    let outputs = candles.iter().map(|c| state.update(c)).collect();
    (
        outputs,
        rmp_serde::to_vec(&state).expect("a state serializes"),
    )
}

/// The fields whose change changes some output of `spec` or its saved state after the walk
/// (the state catches what a rare event would show: a candle pattern that never fires on the
/// walks still stores the prices it compares), in [`Field::ALL`] order.
pub fn inputs(spec: &Spec) -> Vec<Field> {
    inputs_by(spec, true)
}

/// [`inputs`], by outputs alone when `state` is false.
pub fn inputs_by(spec: &Spec, state: bool) -> Vec<Field> {
    let walks = walks();
    let base: Vec<_> = walks.iter().map(|w| run(spec, w)).collect();
    Field::ALL
        .into_iter()
        .filter(|field| {
            walks.iter().zip(&base).enumerate().any(|(k, (w, out))| {
                let mut rng = Rng(0x5851_F42D_4C95_7F2D ^ (k as u64 + 1));
                let changed: Vec<Candle> = w.iter().map(|c| field.perturb(c, rng.next())).collect();
                let (outputs, saved) = run(spec, &changed);
                !outputs.iter().zip(&out.0).all(|(a, b)| same(a, b)) || (state && saved != out.1)
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    // Shows the perturbed walks stay valid candles and the probe finds known inputs.
    #[test]
    fn perturbations_keep_candles_valid_and_find_inputs() {
        for w in walks() {
            let mut rng = Rng(7);
            for c in &w {
                for field in Field::ALL {
                    let p = field.perturb(c, rng.next());
                    assert!(p.low <= p.open.min(p.close) && p.open.max(p.close) <= p.high);
                    assert!(p.low > 0.0 && p.volume >= 0.0);
                }
            }
        }
        let names = |id: &str| -> Vec<&str> {
            inputs(&Spec::from_id(id).unwrap())
                .into_iter()
                .map(Field::name)
                .collect()
        };
        assert_eq!(names("SMA_10"), ["close"]);
        assert_eq!(names("ATR_14"), ["high", "low", "close"]);
        assert_eq!(names("VWAP_D"), ["high", "low", "close", "volume", "time"]);
    }
}
