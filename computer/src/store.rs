//! The computer's Redis side: the commit script (fenced by the lease), leases, and the reads
//! that bootstrap a newly owned symbol.

use crate::candles::N_TF;
use crate::engine::{Commit, tf_index};
use redis::{AsyncCommands, RedisError, RedisResult, Script};
use shared::history::decode_candle;
use shared::indicators::Candle;
use shared::keys;
use shared::redis_conn::Conn;
use shared::timeframe::Timeframe;
use shared::update::{StoredState, decode, encode};
use std::sync::LazyLock;
use std::time::Duration;

/// Applies one [`Commit`] atomically, only while `token` still holds the lease: a computer that
/// lost its lease (paused, partitioned) cannot publish or write anything (fencing).
static COMMIT: LazyLock<Script> = LazyLock::new(|| Script::new(include_str!("lua/commit.lua")));

/// The error code of the commit script's `redis.error_reply('LEASE lost')`.
const LEASE_LOST_CODE: &str = "LEASE";

static ACQUIRE: LazyLock<Script> = LazyLock::new(|| Script::new(include_str!("lua/acquire.lua")));

static RENEW: LazyLock<Script> = LazyLock::new(|| Script::new(include_str!("lua/renew.lua")));

static RELEASE: LazyLock<Script> = LazyLock::new(|| Script::new(include_str!("lua/release.lua")));

#[derive(Debug, PartialEq, Eq)]
pub(crate) enum CommitOutcome {
    Applied,
    LeaseLost,
}

/// How much history the commit keeps.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Caps {
    /// Closed candles per symbol/timeframe.
    pub(crate) candles: usize,
    /// Publications per symbol/timeframe in the history stream.
    pub(crate) updates: usize,
    /// Age of the oldest publication kept, and the stream's TTL.
    pub(crate) updates_age: Duration,
}

/// Whole milliseconds, as the scripts and `PX`/`PEXPIRE` take them.
pub(crate) fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// Whether `e` is the commit script's refusal: `token` no longer holds the lease.
fn is_lease_lost(e: &RedisError) -> bool {
    e.code() == Some(LEASE_LOST_CODE)
}

pub(crate) async fn commit(
    conn: &mut Conn,
    symbol: &str,
    token: &str,
    c: &Commit,
    caps: &Caps,
) -> RedisResult<CommitOutcome> {
    let mut inv = COMMIT.prepare_invoke();
    inv.key(keys::lease(symbol))
        .key(keys::forming(symbol))
        .key(keys::tick_cursor(symbol))
        .key(keys::seq(symbol))
        .key(keys::indicator_state(symbol));
    for (tf, _) in &c.closed {
        inv.key(keys::candles(symbol, *tf));
    }
    for (tf, _, _) in &c.publications {
        inv.key(keys::history(symbol, *tf));
    }
    inv.arg(token)
        .arg(c.cursor.as_deref().unwrap_or(""))
        .arg(caps.candles)
        .arg(caps.updates)
        .arg(millis(caps.updates_age))
        .arg(shared::clock::now_ms())
        .arg(if conn.is_cluster() { "0" } else { "1" });
    inv.arg(c.forming.len());
    for (tf, candle) in &c.forming {
        inv.arg(tf.as_str())
            .arg(candle.as_ref().map(encode).unwrap_or_default());
    }
    inv.arg(c.closed.len());
    for (_, candle) in &c.closed {
        inv.arg(encode(candle));
    }
    inv.arg(c.publications.len());
    for (tf, seq, payload) in &c.publications {
        inv.arg(keys::updates_channel(symbol, *tf))
            .arg(tf.as_str())
            .arg(*seq)
            .arg(payload.as_slice());
    }
    inv.arg(c.states.len());
    for (field, bytes) in &c.states {
        inv.arg(field).arg(bytes.as_slice());
    }
    match inv.invoke_async::<i64>(conn).await {
        Ok(_) if conn.is_cluster() => {
            // A script may not publish to a shard channel of another slot: publish after the
            // commit. A stale owner that wakes up between the two publishes a seq the gateways
            // already have (they drop it) or one history already holds (they replay it).
            let mut pipe = redis::pipe();
            for (tf, _, payload) in &c.publications {
                pipe.cmd("SPUBLISH")
                    .arg(keys::updates_channel(symbol, *tf))
                    .arg(payload.as_slice())
                    .ignore();
            }
            let () = pipe.query_async(conn).await?;
            Ok(CommitOutcome::Applied)
        }
        Ok(_) => Ok(CommitOutcome::Applied),
        Err(e) if is_lease_lost(&e) => Ok(CommitOutcome::LeaseLost),
        Err(e) => Err(e),
    }
}

pub(crate) async fn acquire(
    conn: &mut Conn,
    symbol: &str,
    me: &str,
    ttl: Duration,
) -> RedisResult<Option<String>> {
    ACQUIRE
        .key(keys::lease(symbol))
        .key(keys::lease_epoch(symbol))
        .arg(me)
        .arg(millis(ttl))
        .invoke_async(conn)
        .await
}

pub(crate) async fn renew(
    conn: &mut Conn,
    symbol: &str,
    token: &str,
    ttl: Duration,
) -> RedisResult<bool> {
    let n: i64 = RENEW
        .key(keys::lease(symbol))
        .arg(token)
        .arg(millis(ttl))
        .invoke_async(conn)
        .await?;
    Ok(n == 1)
}

pub(crate) async fn release(conn: &mut Conn, symbol: &str, token: &str) -> RedisResult<()> {
    let _: i64 = RELEASE
        .key(keys::lease(symbol))
        .arg(token)
        .invoke_async(conn)
        .await?;
    Ok(())
}

/// What a computer needs to continue a symbol where its previous owner stopped.
#[derive(Debug, Default)]
pub(crate) struct Bootstrap {
    pub(crate) cursor: Option<String>,
    pub(crate) forming: [Option<Candle>; N_TF],
    pub(crate) last_closed: [Option<i64>; N_TF],
    pub(crate) seq: [u64; N_TF],
}

pub(crate) async fn bootstrap(conn: &mut Conn, symbol: &str) -> RedisResult<Bootstrap> {
    let mut pipe = redis::pipe();
    pipe.get(keys::tick_cursor(symbol))
        .hgetall(keys::forming(symbol))
        .hgetall(keys::seq(symbol));
    for tf in Timeframe::ALL {
        pipe.lindex(keys::candles(symbol, tf), -1);
    }
    #[allow(clippy::type_complexity)]
    let (cursor, forming, seq, last): (
        Option<String>,
        Vec<(String, Vec<u8>)>,
        Vec<(String, u64)>,
        Vec<Option<Vec<u8>>>,
    ) = {
        let mut v: Vec<redis::Value> = pipe.query_async(conn).await?;
        let last = v
            .split_off(3)
            .into_iter()
            .map(redis::from_redis_value)
            .collect::<Result<_, _>>()?;
        let mut it = v.into_iter();
        (
            redis::from_redis_value(it.next().unwrap_or(redis::Value::Nil))?,
            redis::from_redis_value(it.next().unwrap_or(redis::Value::Nil))?,
            redis::from_redis_value(it.next().unwrap_or(redis::Value::Nil))?,
            last,
        )
    };
    let mut b = Bootstrap {
        cursor,
        ..Bootstrap::default()
    };
    for (tf, bytes) in forming {
        if let (Ok(tf), Some(c)) = (Timeframe::parse(&tf), decode_candle(&bytes)) {
            b.forming[tf_index(tf)] = Some(c);
        }
    }
    for (tf, s) in seq {
        if let Ok(tf) = Timeframe::parse(&tf) {
            b.seq[tf_index(tf)] = s;
        }
    }
    for (i, bytes) in last.into_iter().enumerate() {
        b.last_closed[i] = bytes.as_deref().and_then(decode_candle).map(|c| c.time);
    }
    Ok(b)
}

pub(crate) async fn load_state(
    conn: &mut Conn,
    symbol: &str,
    field: &str,
) -> RedisResult<Option<StoredState>> {
    let raw: Option<Vec<u8>> = conn.hget(keys::indicator_state(symbol), field).await?;
    Ok(raw.and_then(|b| decode(&b).ok()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server_error(reply: &[u8]) -> RedisError {
        redis::parse_redis_value(reply)
            .and_then(redis::Value::extract_error)
            .expect_err("an error reply")
    }

    // Shows the commit script's refusal is told apart by its error code, and other errors
    // (even ones that mention a lease) are not.
    #[test]
    fn lease_lost_is_the_lease_error_code() {
        assert!(is_lease_lost(&server_error(b"-LEASE lost\r\n")));
        assert!(!is_lease_lost(&server_error(
            b"-ERR user_script:3: LEASE in a message\r\n"
        )));
        assert!(!is_lease_lost(&server_error(
            b"-NOSCRIPT No matching script\r\n"
        )));
    }

    #[test]
    fn millis_are_whole_milliseconds() {
        assert_eq!(millis(Duration::from_millis(3000)), 3000);
        assert_eq!(millis(Duration::from_micros(1500)), 1);
        assert_eq!(millis(Duration::MAX), u64::MAX);
    }
}
