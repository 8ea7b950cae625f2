//! A symbol and a timeframe: the unit a computer publishes on, a gateway subscribes to, and a
//! client watches indicators of.

use crate::symbol::Symbol;
use crate::timeframe::Timeframe;
use std::fmt;

/// `NIFTY50:5min`: one pub/sub channel, one seq sequence, one history stream.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Pair {
    pub symbol: Symbol,
    pub timeframe: Timeframe,
}

impl Pair {
    pub fn new(symbol: Symbol, timeframe: Timeframe) -> Self {
        Pair { symbol, timeframe }
    }

    /// Parses the `SYMBOL:tf` form ([`Pair`]'s `Display`), as used in `last_seq` maps and in
    /// the subscriptions a session record holds. The symbol is validated: a name that could
    /// not have been subscribed to gives `None`.
    pub fn parse(s: &str) -> Option<Pair> {
        let (symbol, tf) = s.rsplit_once(':')?;
        Some(Pair {
            symbol: Symbol::parse(symbol).ok()?,
            timeframe: Timeframe::parse(tf).ok()?,
        })
    }

    pub fn symbol(&self) -> &str {
        self.symbol.as_str()
    }
}

impl fmt::Display for Pair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.symbol, self.timeframe)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Shows `Display` and `parse` are inverse, and what cannot be a pair is refused.
    #[test]
    fn display_and_parse() {
        let p = Pair::new(Symbol::parse("NIFTY50").unwrap(), Timeframe::M5);
        assert_eq!(p.to_string(), "NIFTY50:5min");
        assert_eq!(Pair::parse("NIFTY50:5min"), Some(p));
        assert_eq!(Pair::parse("NIFTY50"), None);
        assert_eq!(Pair::parse("NIFTY50:7min"), None);
        assert_eq!(Pair::parse("A B:5min"), None);
    }
}
