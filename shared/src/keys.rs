//! Every Redis key and channel name, built in one place.
//!
//! Fixed by SPEC section 5 (other programs rely on them):
//! `indicator_subscribers:<symbol>:<tf>:<id>`, `ws_conn:<ws_conn_id>`,
//! `indicator_updates:<symbol>:<tf>`, `ticks:{<symbol>}`, `symbols`.
//!
//! Ours: every per-symbol key carries the hash tag `{<symbol>}` so that the keys one Lua script
//! touches live in one Redis Cluster slot, the same slot as the symbol's tick stream.

use crate::timeframe::Timeframe;

/// Set of registered symbols (producers `SADD` here).
pub const SYMBOLS: &str = "symbols";

/// Sorted set of live computers: member = computer id, score = last heartbeat (epoch ms).
pub const COMPUTERS: &str = "computers";

pub fn subscribers(symbol: &str, tf: Timeframe, indicator_id: &str) -> String {
    format!("{SUBSCRIBERS_PREFIX}{symbol}:{tf}:{indicator_id}")
}

/// Sorted set of gateways: member = gateway id, score = last heartbeat (epoch ms).
pub const GATEWAYS: &str = "gateways";

/// A gateway's liveness key, refreshed while it runs, with a short TTL.
pub fn gateway_alive(gateway_id: &str) -> String {
    format!("gateway_alive:{gateway_id}")
}

/// Set of the `ws_conn_id`s a gateway holds: what to clean if it dies.
pub fn gateway_conns(gateway_id: &str) -> String {
    format!("gateway_conns:{gateway_id}")
}

/// A user's live connections, cluster-wide: hash of gateway id to how many of the user's
/// connections it holds (for `--max-conns-per-user`).
pub fn user_conns(user_id: &str) -> String {
    format!("user_conns:{user_id}")
}

/// Taken by the one gateway that cleans up after a dead one.
pub fn reap_lock(gateway_id: &str) -> String {
    format!("reap_lock:{gateway_id}")
}

/// Revocations (`gateway revoke`): hash of `jti:<id>` / `session:<id>` / `user:<id>` to
/// `"<revoked_at>:<expires_at>"` (epoch seconds). The three revocation keys share the hash tag
/// `{deny}`, so one script updates them together on a Redis Cluster.
pub const REVOKED: &str = "revoked:{deny}";

/// Sorted set of the [`REVOKED`] fields by expiry (epoch seconds): what to purge.
pub const REVOKED_EXPIRY: &str = "revoked:{deny}:expiry";

/// Stream announcing each revocation to the gateways (`f` = field, `at` = revoked_at),
/// trimmed near 10,000 entries.
pub const REVOKED_LOG: &str = "revoked:{deny}:log";

const SUBSCRIBERS_PREFIX: &str = "indicator_subscribers:";

/// Pattern matching every subscriber set (used by the cluster-wide health figures).
pub const SUBSCRIBERS_PATTERN: &str = "indicator_subscribers:*";

/// The symbol of a [`subscribers`] key (symbols contain no `:`).
pub fn symbol_of_subscribers(key: &str) -> Option<&str> {
    key.strip_prefix(SUBSCRIBERS_PREFIX)?.split(':').next()
}

pub fn ws_conn(ws_conn_id: &str) -> String {
    format!("ws_conn:{ws_conn_id}")
}

pub const WS_CONN_PATTERN: &str = "ws_conn:*";

pub fn updates_channel(symbol: &str, tf: Timeframe) -> String {
    format!("indicator_updates:{symbol}:{tf}")
}

pub fn ticks(symbol: &str) -> String {
    format!("ticks:{{{symbol}}}")
}

/// The symbol of a [`ticks`] key (as named in an `XREAD` reply); `None` for any other key.
pub fn symbol_of_ticks(key: &str) -> Option<&str> {
    key.strip_prefix("ticks:{")?.strip_suffix('}')
}

/// The `(<tf>, <id>)` halves of a [`watch_member`], unvalidated; `None` without a `:`.
pub fn split_watch_member(member: &str) -> Option<(&str, &str)> {
    member.split_once(':')
}

/// Sorted set of the indicators gateways want computed for a symbol: member `<tf>:<id>`,
/// score = expiry (epoch ms). Gateways refresh the entries they hold watchers for; an entry
/// is computed while it has not expired and its subscriber set is not empty.
pub fn watch_index(symbol: &str) -> String {
    format!("indicator_index:{{{symbol}}}")
}

/// Counter bumped by a gateway in the same transaction that adds subscribers of `symbol`. The
/// owning computer reads it after every tick read and before applying the ticks, so any tick
/// written after a subscribe reply is computed with the new indicator (no missed final).
pub fn watch_version(symbol: &str) -> String {
    format!("watch_version:{{{symbol}}}")
}

/// Member of [`watch_index`] and field of [`indicator_state`].
pub fn watch_member(tf: Timeframe, indicator_id: &str) -> String {
    format!("{tf}:{indicator_id}")
}

/// List of closed candles (MessagePack [`crate::indicators::Candle`]), oldest first, capped.
pub fn candles(symbol: &str, tf: Timeframe) -> String {
    format!("candles:{{{symbol}}}:{tf}")
}

/// Hash `<tf>` -> forming candle (MessagePack).
pub fn forming(symbol: &str) -> String {
    format!("candle_forming:{{{symbol}}}")
}

/// Hash `<tf>:<id>` -> indicator state after the last closed candle (MessagePack
/// [`crate::update::StoredState`]): lets a gateway answer `initial_values` with exactly the
/// computer's value, and another computer continue after a failover.
pub fn indicator_state(symbol: &str) -> String {
    format!("indicator_state:{{{symbol}}}")
}

/// Stream of the pair's recent publications, for resume and gap repair: entry id `<seq>-0`,
/// fields `d` (the pub/sub payload) and `t` (epoch ms written). Capped by count and age, and
/// expires once nothing is published (nobody watches).
pub fn history(symbol: &str, tf: Timeframe) -> String {
    format!("indicator_history:{{{symbol}}}:{tf}")
}

/// Sorted set of sessions whose connection ended and that may still be resumed:
/// member `ws_conn_id`, score = when the resume window closes (epoch ms).
pub const DETACHED: &str = "detached_sessions";

/// Hash `<tf>` -> last published seq.
pub fn seq(symbol: &str) -> String {
    format!("seq:{{{symbol}}}")
}

/// Id of the last tick stream entry applied to the symbol's candles.
pub fn tick_cursor(symbol: &str) -> String {
    format!("tick_cursor:{{{symbol}}}")
}

/// Lease: value `<computer_id>:<epoch>`, with a TTL. The owner alone may publish.
pub fn lease(symbol: &str) -> String {
    format!("lease:{{{symbol}}}")
}

/// Counter bumped on every lease acquisition: the fencing epoch.
pub fn lease_epoch(symbol: &str) -> String {
    format!("lease_epoch:{{{symbol}}}")
}

#[cfg(test)]
mod tests {
    use super::*;

    // Shows the fixed SPEC names and that per-symbol keys share the symbol's hash tag.
    #[test]
    fn names() {
        assert_eq!(
            subscribers("NIFTY50", Timeframe::M5, "RSI_14"),
            "indicator_subscribers:NIFTY50:5min:RSI_14"
        );
        assert_eq!(
            symbol_of_subscribers("indicator_subscribers:NIFTY50:5min:RSI_14"),
            Some("NIFTY50")
        );
        assert_eq!(symbol_of_subscribers("ws_conn:x"), None);
        assert_eq!(ws_conn("ws_1"), "ws_conn:ws_1");
        assert_eq!(
            updates_channel("NIFTY50", Timeframe::H1),
            "indicator_updates:NIFTY50:1h"
        );
        assert_eq!(ticks("NIFTY50"), "ticks:{NIFTY50}");
        for k in [
            watch_index("X"),
            watch_version("X"),
            candles("X", Timeframe::M1),
            forming("X"),
            indicator_state("X"),
            seq("X"),
            tick_cursor("X"),
            lease("X"),
            lease_epoch("X"),
            history("X", Timeframe::M1),
        ] {
            assert!(k.contains("{X}"), "{k}");
        }
    }

    // Shows `symbol_of_ticks` inverts `ticks` and refuses every other key.
    #[test]
    fn symbol_of_ticks_inverts_ticks() {
        for s in ["NIFTY50", "M&M", "X", "A.B-C_D^E"] {
            assert_eq!(symbol_of_ticks(&ticks(s)), Some(s));
        }
        for k in [
            "ticks:NIFTY50",
            "ticks:{NIFTY50",
            "tick_cursor:{NIFTY50}",
            "candles:{X}:1min",
            "",
        ] {
            assert_eq!(symbol_of_ticks(k), None, "{k}");
        }
    }

    // Shows `split_watch_member` inverts `watch_member` (ids never hold a `:`).
    #[test]
    fn split_watch_member_inverts_watch_member() {
        let m = watch_member(Timeframe::M5, "BBANDS_20_2.0");
        assert_eq!(split_watch_member(&m), Some(("5min", "BBANDS_20_2.0")));
        assert_eq!(split_watch_member("5min"), None);
    }
}
