//! Every frame the server sends, built here and nowhere else (SPEC section 3), and the close
//! codes it ends a connection with. Each builder returns the JSON text; the caller decides where
//! it goes.

use super::ProtocolError;
use crate::pair::Pair;
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Why the server closes a connection: one row per reason, with the SPEC's code.
macro_rules! close_reasons {
    ($($(#[$doc:meta])* $name:ident = $code:literal, $reason:literal;)*) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum CloseReason {
            $($(#[$doc])* $name,)*
        }

        impl CloseReason {
            /// The WebSocket close code.
            pub fn code(self) -> u16 {
                match self { $(CloseReason::$name => $code,)* }
            }

            /// The close frame's reason text.
            pub fn reason(self) -> &'static str {
                match self { $(CloseReason::$name => $reason,)* }
            }
        }
    };
}

close_reasons! {
    /// No frame (not even a pong) for `--stale-secs`.
    Idle = 1000, "idle timeout";
    /// Another connection resumed this session.
    ResumedElsewhere = 1000, "session resumed on another connection";
    /// SIGTERM: the client reconnects to another gateway and resumes.
    Draining = 1001, "gateway draining: reconnect and resume";
    /// The token's `exp` passed.
    TokenExpired = 1008, "token expired";
    /// `gateway revoke` denied the token.
    TokenRevoked = 1008, "token revoked";
    /// A client frame over `--max-message-bytes`.
    TooBig = 1009, "message too big";
    /// Redis failed while the session was being set up.
    Internal = 1011, "internal error";
    /// Redis failed during a resume: the session stays resumable.
    ResumeInterrupted = 1011, "internal error: reconnect and resume";
    /// The send queue stayed behind (see the gateway's outbox).
    TooSlow = 4009, "too slow to keep up";
}

fn with_id(mut v: Value, id: Option<&Value>) -> String {
    if let (Some(id), Value::Object(o)) = (id, &mut v) {
        o.insert("id".to_owned(), id.clone());
    }
    v.to_string()
}

pub fn connected(ws_conn_id: &str, resume_token: &str, heartbeat_secs: u64) -> String {
    json!({"type": "connected", "ws_conn_id": ws_conn_id, "resume_token": resume_token, "heartbeat_interval": heartbeat_secs})
        .to_string()
}

pub fn success(message: &str, data: Value, id: Option<&Value>) -> String {
    let mut reply = json!({"type": "success", "message": message});
    // Moved in, not copied by `json!`: `data` can be a whole snapshot of values.
    reply["data"] = data;
    with_id(reply, id)
}

pub fn error(err: &ProtocolError, id: Option<&Value>) -> String {
    with_id(
        json!({"type": "error", "code": err.code.as_str(), "message": err.message}),
        id,
    )
}

pub fn pong(timestamp: &str, id: Option<&Value>) -> String {
    with_id(json!({"type": "pong", "timestamp": timestamp}), id)
}

/// The reply to a `subscribe`: every id asked for, with its current value.
pub fn subscribed(
    pair: &Pair,
    ids: &[String],
    initial_values: &BTreeMap<String, Value>,
    seq: u64,
    id: Option<&Value>,
) -> String {
    success(
        &format!("Subscribed to {} indicators", ids.len()),
        json!({
            "symbol": pair.symbol(),
            "timeframe": pair.timeframe.as_str(),
            "indicators": ids,
            "initial_values": initial_values,
            "seq": seq,
        }),
        id,
    )
}

/// The reply to an `unsubscribe`: the ids actually removed.
pub fn unsubscribed(ids: &[&str], id: Option<&Value>) -> String {
    success(
        &format!("Unsubscribed from {} indicators", ids.len()),
        json!({ "indicators": ids }),
        id,
    )
}

/// Current values after updates may have been missed, for one pair of one connection.
pub fn resync(pair: &Pair, initial_values: &serde_json::Map<String, Value>, seq: u64) -> String {
    json!({
        "type": "resync",
        "symbol": pair.symbol(),
        "timeframe": pair.timeframe.as_str(),
        "recovered": false,
        "initial_values": initial_values,
        "seq": seq,
    })
    .to_string()
}

/// What a resume did for one pair of the session.
#[derive(Debug)]
pub struct ResumedPair<'a> {
    pub pair: &'a Pair,
    pub ids: &'a [String],
    /// Every update the client missed follows from history.
    pub recovered: bool,
    pub replayed: usize,
    /// Fresh values and their seq when not recovered.
    pub initial: Option<(&'a BTreeMap<String, Value>, u64)>,
}

/// The reply to a successful `resume`.
pub fn resumed(
    ws_conn_id: &str,
    resume_token: &str,
    pairs: &[ResumedPair<'_>],
    id: Option<&Value>,
) -> String {
    let mut subscriptions = serde_json::Map::new();
    for p in pairs {
        let mut entry = json!({
            "indicators": p.ids,
            "recovered": p.recovered,
            "replayed": p.replayed,
        });
        if let Some((values, seq)) = p.initial {
            entry["initial_values"] = json!(values);
            entry["seq"] = json!(seq);
        }
        subscriptions.insert(p.pair.to_string(), entry);
    }
    success(
        &format!("Resumed {ws_conn_id}"),
        json!({
            "ws_conn_id": ws_conn_id,
            "resume_token": resume_token,
            "recovered": pairs.iter().all(|p| p.recovered),
            "subscriptions": subscriptions,
        }),
        id,
    )
}

/// `indicator_update`, serialized once per publication and indicator and shared by every
/// receiver.
#[derive(Debug, Serialize)]
pub struct IndicatorUpdate<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    pub symbol: &'a str,
    pub timeframe: &'a str,
    pub indicator_id: &'a str,
    pub value: &'a Value,
    pub timestamp: &'a str,
    pub candle_time: &'a str,
    pub seq: u64,
    #[serde(rename = "final")]
    pub is_final: bool,
}

impl<'a> IndicatorUpdate<'a> {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        symbol: &'a str,
        timeframe: &'a str,
        indicator_id: &'a str,
        value: &'a Value,
        timestamp: &'a str,
        candle_time: &'a str,
        seq: u64,
        is_final: bool,
    ) -> Self {
        IndicatorUpdate {
            kind: "indicator_update",
            symbol,
            timeframe,
            indicator_id,
            value,
            timestamp,
            candle_time,
            seq,
            is_final,
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("plain struct serializes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::symbol::Symbol;
    use crate::timeframe::Timeframe;

    // Shows the SPEC's close codes, and that reasons fit a close frame (at most 123 bytes).
    #[test]
    fn close_codes() {
        assert_eq!(CloseReason::Draining.code(), 1001);
        assert_eq!(CloseReason::TokenExpired.code(), 1008);
        assert_eq!(CloseReason::TooBig.code(), 1009);
        assert_eq!(CloseReason::Internal.code(), 1011);
        assert_eq!(CloseReason::TooSlow.code(), 4009);
        for r in [
            CloseReason::Idle,
            CloseReason::ResumedElsewhere,
            CloseReason::ResumeInterrupted,
        ] {
            assert!(r.reason().len() <= 123);
        }
    }

    // Shows the shapes clients parse: the id echoed, a resume's per-pair entries by `S:tf`.
    #[test]
    fn frame_shapes() {
        let pair = Pair::new(Symbol::parse("X").unwrap(), Timeframe::M1);
        let v: Value = serde_json::from_str(&pong("t", Some(&json!("r1")))).unwrap();
        assert_eq!(v, json!({"type": "pong", "timestamp": "t", "id": "r1"}));
        let values = BTreeMap::from([("RSI_14".to_owned(), json!(50.0))]);
        let ids = ["RSI_14".to_owned()];
        let text = resumed(
            "ws_1",
            "tok",
            &[ResumedPair {
                pair: &pair,
                ids: &ids,
                recovered: false,
                replayed: 0,
                initial: Some((&values, 9)),
            }],
            None,
        );
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["data"]["recovered"], json!(false));
        assert_eq!(v["data"]["subscriptions"]["X:1min"]["seq"], json!(9));
        let value = json!(1.5);
        let u: Value = serde_json::from_str(
            &IndicatorUpdate::new("X", "1min", "RSI_14", &value, "t", "c", 3, true).to_json(),
        )
        .unwrap();
        assert_eq!(u["type"], "indicator_update");
        assert_eq!(u["final"], true);
    }
}
