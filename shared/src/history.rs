//! The closed-candle history of a symbol/timeframe ([`keys::candles`]), read the same way by
//! computers (to warm a newly watched indicator) and gateways.

use crate::indicators::Candle;
use crate::keys;
use crate::timeframe::Timeframe;
use crate::update::decode;

/// Every closed candle of `symbol`/`tf`, oldest first; undecodable entries are skipped.
pub async fn closed_candles(
    conn: &mut (impl redis::aio::ConnectionLike + Send),
    symbol: &str,
    tf: Timeframe,
) -> redis::RedisResult<Vec<Candle>> {
    let raw: Vec<Vec<u8>> = redis::cmd("LRANGE")
        .arg(keys::candles(symbol, tf))
        .arg(0)
        .arg(-1)
        .query_async(conn)
        .await?;
    Ok(decode_candles(&raw))
}

/// Decodes candle-list entries (as read by `LRANGE`), skipping undecodable ones.
pub fn decode_candles(raw: &[Vec<u8>]) -> Vec<Candle> {
    raw.iter()
        .map(Vec::as_slice)
        .filter_map(decode_candle)
        .collect()
}

/// One stored candle (a candle-list entry or a forming candle); `None` when undecodable.
pub fn decode_candle(bytes: &[u8]) -> Option<Candle> {
    decode(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::update::encode;

    fn candle(time: i64) -> Candle {
        Candle {
            time,
            open: 1.0,
            high: 2.0,
            low: 0.5,
            close: 1.5,
            volume: 10.0,
        }
    }

    // Shows entries decode in order and an undecodable one is skipped, not an error.
    #[test]
    fn decodes_in_order_skipping_garbage() {
        let raw = vec![
            encode(&candle(1)),
            b"not msgpack".to_vec(),
            encode(&candle(2)),
        ];
        let times: Vec<i64> = decode_candles(&raw).iter().map(|c| c.time).collect();
        assert_eq!(times, [1, 2]);
        assert_eq!(decode_candle(&raw[1]), None);
        assert_eq!(decode_candle(&raw[2]), Some(candle(2)));
    }
}
