//! The computer's Redis side: the commit script (fenced by the lease), leases, and the reads
//! that bootstrap a newly owned symbol.

use crate::candles::N_TF;
use crate::engine::{Commit, tf_index};
use redis::{AsyncCommands, RedisResult, Script};
use shared::indicators::Candle;
use shared::keys;
use shared::redis_conn::Conn;
use shared::timeframe::Timeframe;
use shared::update::{StoredState, decode, encode};
use std::sync::LazyLock;

/// Applies one [`Commit`] atomically, only while `token` still holds the lease: a computer that
/// lost its lease (paused, partitioned) cannot publish or write anything (fencing).
static COMMIT: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r#"
-- KEYS: 1 lease, 2 forming, 3 cursor, 4 seq, 5 state, 6.. one candle list per closed candle,
--       then one history stream per publication
-- ARGV: token, cursor ('' = keep), candle cap, history cap, history ms, now ms,
--       publish ('1': PUBLISH here; '0': the caller SPUBLISHes after, on a cluster),
--       n_forming, (tf, bytes|'')*, n_closed, (bytes)*, n_pub, (channel, tf, seq, payload)*,
--       n_state, (field, bytes)*
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return redis.error_reply('LEASE lost')
end
local cap = tonumber(ARGV[3])
local hcap = ARGV[4]
local hms = tonumber(ARGV[5])
local cutoff = tonumber(ARGV[6]) - hms
local publish = ARGV[7] == '1'
local i = 8
local n = tonumber(ARGV[i]); i = i + 1
for _ = 1, n do
  if ARGV[i + 1] == '' then redis.call('HDEL', KEYS[2], ARGV[i])
  else redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1]) end
  i = i + 2
end
local closed = tonumber(ARGV[i]); i = i + 1
for k = 1, closed do
  redis.call('RPUSH', KEYS[5 + k], ARGV[i])
  redis.call('LTRIM', KEYS[5 + k], -cap, -1)
  i = i + 1
end
n = tonumber(ARGV[i]); i = i + 1
for k = 1, n do
  local h = KEYS[5 + closed + k]
  -- The entry id is the seq: a gateway reads "everything after seq N" with one XRANGE.
  redis.pcall('XADD', h, 'MAXLEN', hcap, ARGV[i + 2] .. '-0', 'd', ARGV[i + 3], 't', ARGV[6])
  for _ = 1, 8 do
    local first = redis.call('XRANGE', h, '-', '+', 'COUNT', 1)[1]
    if first == nil or tonumber(first[2][4]) >= cutoff then break end
    redis.call('XDEL', h, first[1])
  end
  redis.call('PEXPIRE', h, hms)
  if publish then redis.call('PUBLISH', ARGV[i], ARGV[i + 3]) end
  redis.call('HSET', KEYS[4], ARGV[i + 1], ARGV[i + 2])
  i = i + 4
end
n = tonumber(ARGV[i]); i = i + 1
for _ = 1, n do
  redis.call('HSET', KEYS[5], ARGV[i], ARGV[i + 1])
  i = i + 2
end
if ARGV[2] ~= '' then redis.call('SET', KEYS[3], ARGV[2]) end
return 1
"#,
    )
});

static ACQUIRE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r#"
-- KEYS: lease, epoch; ARGV: computer id, ttl ms. Returns the token or nil when taken.
if redis.call('EXISTS', KEYS[1]) == 1 then return false end
local token = ARGV[1] .. ':' .. redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], token, 'PX', ARGV[2])
return token
"#,
    )
});

static RENEW: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r#"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"#,
    )
});

static RELEASE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r#"
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"#,
    )
});

#[derive(Debug, PartialEq, Eq)]
pub enum CommitOutcome {
    Applied,
    LeaseLost,
}

/// How much history the commit keeps.
pub struct Caps {
    /// Closed candles per symbol/timeframe.
    pub candles: usize,
    /// Publications per symbol/timeframe in the history stream.
    pub updates: usize,
    /// Age of the oldest publication kept, and the stream's TTL (ms).
    pub updates_ms: u64,
}

pub async fn commit(
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
        .arg(caps.updates_ms)
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
        Err(e) if e.to_string().contains("LEASE") => Ok(CommitOutcome::LeaseLost),
        Err(e) => Err(e),
    }
}

pub async fn acquire(
    conn: &mut Conn,
    symbol: &str,
    me: &str,
    ttl_ms: u64,
) -> RedisResult<Option<String>> {
    ACQUIRE
        .key(keys::lease(symbol))
        .key(keys::lease_epoch(symbol))
        .arg(me)
        .arg(ttl_ms)
        .invoke_async(conn)
        .await
}

pub async fn renew(conn: &mut Conn, symbol: &str, token: &str, ttl_ms: u64) -> RedisResult<bool> {
    let n: i64 = RENEW
        .key(keys::lease(symbol))
        .arg(token)
        .arg(ttl_ms)
        .invoke_async(conn)
        .await?;
    Ok(n == 1)
}

pub async fn release(conn: &mut Conn, symbol: &str, token: &str) -> RedisResult<()> {
    let _: i64 = RELEASE
        .key(keys::lease(symbol))
        .arg(token)
        .invoke_async(conn)
        .await?;
    Ok(())
}

/// What a computer needs to continue a symbol where its previous owner stopped.
#[derive(Debug, Default)]
pub struct Bootstrap {
    pub cursor: Option<String>,
    pub forming: [Option<Candle>; N_TF],
    pub last_closed: [Option<i64>; N_TF],
    pub seq: [u64; N_TF],
}

pub async fn bootstrap(conn: &mut Conn, symbol: &str) -> RedisResult<Bootstrap> {
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
        if let (Ok(tf), Ok(c)) = (Timeframe::parse(&tf), decode::<Candle>(&bytes)) {
            b.forming[tf_index(tf)] = Some(c);
        }
    }
    for (tf, s) in seq {
        if let Ok(tf) = Timeframe::parse(&tf) {
            b.seq[tf_index(tf)] = s;
        }
    }
    for (i, bytes) in last.into_iter().enumerate() {
        b.last_closed[i] = bytes
            .and_then(|b| decode::<Candle>(&b).ok())
            .map(|c| c.time);
    }
    Ok(b)
}

pub async fn load_candles(
    conn: &mut Conn,
    symbol: &str,
    tf: Timeframe,
) -> RedisResult<Vec<Candle>> {
    let raw: Vec<Vec<u8>> = conn.lrange(keys::candles(symbol, tf), 0, -1).await?;
    Ok(raw
        .iter()
        .filter_map(|b| decode::<Candle>(b).ok())
        .collect())
}

pub async fn load_state(
    conn: &mut Conn,
    symbol: &str,
    field: &str,
) -> RedisResult<Option<StoredState>> {
    let raw: Option<Vec<u8>> = conn.hget(keys::indicator_state(symbol), field).await?;
    Ok(raw.and_then(|b| decode(&b).ok()))
}
