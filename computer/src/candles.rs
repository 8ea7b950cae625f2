//! Ticks to candles for every timeframe of one symbol (SPEC section 2). Pure and clock-free:
//! callers pass the wall clock in, so the idle rule is unit-testable.

use shared::indicators::Candle;
use shared::timeframe::Timeframe;

pub(crate) const N_TF: usize = Timeframe::ALL.len();

/// A validated tick.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Tick {
    pub(crate) ts: i64,
    pub(crate) price: f64,
    pub(crate) volume: f64,
}

/// What one tick did to one timeframe.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Step {
    /// The tick extended (or opened) the forming candle.
    Forming,
    /// The tick closed `closed` and opened a new forming candle.
    Closed(Candle),
    /// The tick is older than the forming (or last closed) candle: ignored for this timeframe.
    Late,
}

/// Forming candles of every timeframe of one symbol.
#[derive(Clone, Debug, Default)]
pub(crate) struct CandleSet {
    pub(crate) forming: [Option<Candle>; N_TF],
    /// Start of the last closed candle per timeframe, to spot late ticks after an idle close.
    pub(crate) last_closed: [Option<i64>; N_TF],
}

impl CandleSet {
    /// Applies one tick to timeframe `i`.
    pub(crate) fn apply(&mut self, i: usize, tick: &Tick) -> Step {
        let tf = Timeframe::ALL[i];
        let start = tf.align(tick.ts);
        let fresh = Candle {
            time: start,
            open: tick.price,
            high: tick.price,
            low: tick.price,
            close: tick.price,
            volume: tick.volume,
        };
        match &mut self.forming[i] {
            Some(c) if c.time == start => {
                c.high = c.high.max(tick.price);
                c.low = c.low.min(tick.price);
                c.close = tick.price;
                c.volume += tick.volume;
                Step::Forming
            }
            Some(c) if c.time < start => {
                let closed = *c;
                *c = fresh;
                self.last_closed[i] = Some(closed.time);
                Step::Closed(closed)
            }
            Some(_) => Step::Late,
            None if self.last_closed[i].is_some_and(|t| start <= t) => Step::Late,
            None => {
                self.forming[i] = Some(fresh);
                Step::Forming
            }
        }
    }

    /// Idle rule: closes timeframe `i`'s forming candle if the wall clock is past its end.
    pub(crate) fn close_if_over(&mut self, i: usize, now_ms: i64) -> Option<Candle> {
        let tf = Timeframe::ALL[i];
        let c = self.forming[i].filter(|c| now_ms >= c.time + tf.millis())?;
        self.forming[i] = None;
        self.last_closed[i] = Some(c.time);
        Some(c)
    }
}

/// Parses one stream entry's fields. `Err` names what is wrong (for the one-time log line).
pub(crate) fn parse_tick(fields: &[(String, Vec<u8>)]) -> Result<Tick, String> {
    let get = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_slice())
    };
    let text = |name: &str| -> Result<Option<&str>, String> {
        get(name)
            .map(|v| std::str::from_utf8(v).map_err(|_| format!("{name} is not UTF-8")))
            .transpose()
    };
    let ts = text("ts")?
        .ok_or("missing ts")?
        .trim()
        .parse::<i64>()
        .map_err(|_| "ts is not an integer (epoch ms)".to_owned())?;
    if ts <= 0 {
        return Err("ts must be positive epoch ms".to_owned());
    }
    let price = text("price")?
        .ok_or("missing price")?
        .trim()
        .parse::<f64>()
        .map_err(|_| "price is not a decimal".to_owned())?;
    if !(price.is_finite() && price > 0.0) {
        return Err("price must be a finite decimal > 0".to_owned());
    }
    let volume = match text("volume")? {
        None => 0.0,
        Some(v) => v
            .trim()
            .parse::<f64>()
            .map_err(|_| "volume is not a decimal".to_owned())?,
    };
    if !(volume.is_finite() && volume >= 0.0) {
        return Err("volume must be a finite decimal >= 0".to_owned());
    }
    Ok(Tick { ts, price, volume })
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_762_257_600_000; // a multiple of one day
    fn tick(ts: i64, price: f64) -> Tick {
        Tick {
            ts,
            price,
            volume: 2.0,
        }
    }

    // Shows OHLCV accumulation, close on the next period's tick, and late ticks ignored.
    #[test]
    fn builds_and_closes_on_next_period() {
        let mut s = CandleSet::default();
        assert_eq!(s.apply(0, &tick(T0 + 1, 10.0)), Step::Forming);
        assert_eq!(s.apply(0, &tick(T0 + 2, 12.0)), Step::Forming);
        assert_eq!(s.apply(0, &tick(T0 + 3, 9.0)), Step::Forming);
        assert_eq!(s.apply(0, &tick(T0 + 59_999, 11.0)), Step::Forming);
        let Step::Closed(c) = s.apply(0, &tick(T0 + 60_000, 20.0)) else {
            panic!()
        };
        assert_eq!(
            (c.time, c.open, c.high, c.low, c.close, c.volume),
            (T0, 10.0, 12.0, 9.0, 11.0, 8.0)
        );
        assert_eq!(s.apply(0, &tick(T0 + 5, 1.0)), Step::Late);
        assert_eq!(s.forming[0].unwrap().close, 20.0);
    }

    // Shows the idle rule closes only once the wall clock is past the candle's end, and a tick
    // for the closed period is then late.
    #[test]
    fn idle_close() {
        let mut s = CandleSet::default();
        s.apply(0, &tick(T0 + 10, 10.0));
        assert_eq!(s.close_if_over(0, T0 + 59_999), None);
        assert_eq!(s.close_if_over(0, T0 + 60_000).map(|c| c.time), Some(T0));
        assert_eq!(s.apply(0, &tick(T0 + 20, 10.0)), Step::Late);
        assert_eq!(s.apply(0, &tick(T0 + 60_001, 10.0)), Step::Forming);
    }

    // Shows malformed entries are refused with a reason and volume defaults to 0.
    #[test]
    fn parse_ticks() {
        let f = |pairs: &[(&str, &str)]| -> Vec<(String, Vec<u8>)> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec()))
                .collect()
        };
        let t = parse_tick(&f(&[("ts", "1762257600123"), ("price", "23450.25")])).unwrap();
        assert_eq!(
            (t.ts, t.price, t.volume),
            (1_762_257_600_123, 23450.25, 0.0)
        );
        for bad in [
            f(&[("price", "1")]),
            f(&[("ts", "x"), ("price", "1")]),
            f(&[("ts", "1"), ("price", "-1")]),
            f(&[("ts", "1"), ("price", "NaN")]),
            f(&[("ts", "1"), ("price", "inf")]),
            f(&[("ts", "1"), ("price", "1"), ("volume", "-2")]),
        ] {
            assert!(parse_tick(&bad).is_err(), "{bad:?}");
        }
    }
}
