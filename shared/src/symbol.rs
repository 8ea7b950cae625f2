//! Symbols: 1 to 32 characters of `A-Z a-z 0-9 . _ - & ^` (SPEC section 2). Anything else would
//! break key names (`:`), hash tags (`{`) or patterns (`*`), so it is rejected everywhere.

use std::fmt;

/// A validated symbol name.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Symbol(String);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("invalid symbol {0:?}: use 1 to 32 characters of A-Z a-z 0-9 . _ - & ^")]
pub struct InvalidSymbol(pub String);

impl Symbol {
    pub fn parse(s: &str) -> Result<Self, InvalidSymbol> {
        let ok = (1..=32).contains(&s.len())
            && s.bytes().all(|b| {
                b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'&' | b'^')
            });
        if ok {
            Ok(Symbol(s.to_owned()))
        } else {
            // Cap what we echo back so a hostile name cannot bloat an error reply.
            Err(InvalidSymbol(s.chars().take(40).collect()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Symbol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Shows the allowed alphabet and length limits, and that key-breaking characters are refused.
    #[test]
    fn accepts_the_spec_alphabet_only() {
        for ok in ["NIFTY50", "BRK.B", "M&M", "^NSEI", "a-b_c", &"X".repeat(32)] {
            assert!(Symbol::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["", "A:B", "A*", "{A}", "A B", "A\n", &"X".repeat(33), "ÄB"] {
            assert!(Symbol::parse(bad).is_err(), "{bad:?}");
        }
    }
}
