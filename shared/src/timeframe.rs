//! Timeframes and candle alignment: `candle_time = floor(ts / tf) * tf` in UTC epoch ms.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Timeframe {
    #[serde(rename = "1min")]
    M1,
    #[serde(rename = "3min")]
    M3,
    #[serde(rename = "5min")]
    M5,
    #[serde(rename = "10min")]
    M10,
    #[serde(rename = "15min")]
    M15,
    #[serde(rename = "30min")]
    M30,
    #[serde(rename = "1h")]
    H1,
    #[serde(rename = "2h")]
    H2,
    #[serde(rename = "4h")]
    H4,
    #[serde(rename = "1d")]
    D1,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("invalid timeframe {0:?}: use one of 1min 3min 5min 10min 15min 30min 1h 2h 4h 1d")]
pub struct InvalidTimeframe(pub String);

impl Timeframe {
    pub const ALL: [Timeframe; 10] = [
        Timeframe::M1,
        Timeframe::M3,
        Timeframe::M5,
        Timeframe::M10,
        Timeframe::M15,
        Timeframe::M30,
        Timeframe::H1,
        Timeframe::H2,
        Timeframe::H4,
        Timeframe::D1,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Timeframe::M1 => "1min",
            Timeframe::M3 => "3min",
            Timeframe::M5 => "5min",
            Timeframe::M10 => "10min",
            Timeframe::M15 => "15min",
            Timeframe::M30 => "30min",
            Timeframe::H1 => "1h",
            Timeframe::H2 => "2h",
            Timeframe::H4 => "4h",
            Timeframe::D1 => "1d",
        }
    }

    pub fn parse(s: &str) -> Result<Self, InvalidTimeframe> {
        Self::ALL
            .into_iter()
            .find(|tf| tf.as_str() == s)
            .ok_or_else(|| InvalidTimeframe(s.chars().take(20).collect()))
    }

    /// Length in milliseconds.
    pub fn millis(self) -> i64 {
        const MIN: i64 = 60_000;
        match self {
            Timeframe::M1 => MIN,
            Timeframe::M3 => 3 * MIN,
            Timeframe::M5 => 5 * MIN,
            Timeframe::M10 => 10 * MIN,
            Timeframe::M15 => 15 * MIN,
            Timeframe::M30 => 30 * MIN,
            Timeframe::H1 => 60 * MIN,
            Timeframe::H2 => 120 * MIN,
            Timeframe::H4 => 240 * MIN,
            Timeframe::D1 => 1440 * MIN,
        }
    }

    /// Start of the candle holding `ts_ms` (floor division, also right for negative times).
    pub fn align(self, ts_ms: i64) -> i64 {
        ts_ms.div_euclid(self.millis()) * self.millis()
    }
}

impl fmt::Display for Timeframe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Shows names round-trip and alignment floors to the UTC multiple.
    #[test]
    fn parse_and_align() {
        for tf in Timeframe::ALL {
            assert_eq!(Timeframe::parse(tf.as_str()), Ok(tf));
        }
        assert!(Timeframe::parse("7min").is_err());
        assert_eq!(
            Timeframe::M5.align(1_762_257_600_123 + 299_000),
            1_762_257_600_000
        );
        assert_eq!(Timeframe::M5.align(1_762_257_900_000), 1_762_257_900_000);
        assert_eq!(Timeframe::M1.align(-1), -60_000);
    }
}
