//! The client protocol (SPEC section 3): client messages parsed into typed requests with their
//! error codes (this file), and every frame the server sends ([`frames`]).

pub mod frames;

pub use frames::CloseReason;

use crate::catalogue::{CatalogueError, Spec};
use crate::symbol::Symbol;
use crate::timeframe::Timeframe;
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    InvalidJson,
    UnknownAction,
    InvalidSymbol,
    InvalidTimeframe,
    UnknownIndicator,
    InvalidParams,
    TooManyIndicators,
    TooManyPairs,
    RateLimited,
    ResumeFailed,
    InvalidToken,
    Internal,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidJson => "invalid_json",
            ErrorCode::UnknownAction => "unknown_action",
            ErrorCode::InvalidSymbol => "invalid_symbol",
            ErrorCode::InvalidTimeframe => "invalid_timeframe",
            ErrorCode::UnknownIndicator => "unknown_indicator",
            ErrorCode::InvalidParams => "invalid_params",
            ErrorCode::TooManyIndicators => "too_many_indicators",
            ErrorCode::TooManyPairs => "too_many_pairs",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::ResumeFailed => "resume_failed",
            ErrorCode::InvalidToken => "invalid_token",
            ErrorCode::Internal => "internal",
        }
    }
}

/// A refusal of one client message; the connection stays open.
#[derive(Debug, Clone, PartialEq)]
pub struct ProtocolError {
    pub code: ErrorCode,
    pub message: String,
}

impl ProtocolError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ProtocolError {
            code,
            message: message.into(),
        }
    }
}

impl From<CatalogueError> for ProtocolError {
    fn from(e: CatalogueError) -> Self {
        let code = match e {
            CatalogueError::Unknown(_) => ErrorCode::UnknownIndicator,
            CatalogueError::InvalidParams(_) => ErrorCode::InvalidParams,
        };
        ProtocolError::new(code, e.to_string())
    }
}

/// What an `unsubscribe` names.
#[derive(Debug, Clone, PartialEq)]
pub enum UnsubscribeTarget {
    All,
    Pair {
        symbol: Symbol,
        timeframe: Timeframe,
    },
    Indicators {
        symbol: Symbol,
        timeframe: Timeframe,
        ids: Vec<String>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Subscribe {
        symbol: Symbol,
        timeframe: Timeframe,
        indicators: Vec<Spec>,
    },
    Unsubscribe(UnsubscribeTarget),
    Ping,
    Resume {
        ws_conn_id: String,
        resume_token: String,
        last_seq: BTreeMap<String, u64>,
    },
    /// A new token for the connection (same user).
    Refresh {
        token: Secret,
    },
}

/// A credential from a client message: `Debug` never shows it, so no log line can.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

/// Only the `id` of a message (null when it is not a JSON object or has none), without
/// building the rest: what the reply to a refused message (rate limited) echoes. It costs a
/// scan of the text and no allocation beyond the id itself.
pub fn request_id(text: &str) -> Option<Value> {
    #[derive(serde::Deserialize)]
    struct IdOnly {
        id: Option<Value>,
    }
    // serde would also read a struct from an array (by position): only objects have an id.
    if !text.trim_start().starts_with('{') {
        return None;
    }
    serde_json::from_str::<IdOnly>(text).ok().and_then(|m| m.id)
}

/// Parses one text frame. The `id` is returned in both cases so the reply can echo it.
pub fn parse(text: &str) -> (Option<Value>, Result<Action, ProtocolError>) {
    let mut obj = match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(obj)) => obj,
        Ok(_) => {
            return (
                None,
                Err(ProtocolError::new(
                    ErrorCode::InvalidJson,
                    "a message must be a JSON object",
                )),
            );
        }
        Err(e) => {
            return (
                None,
                Err(ProtocolError::new(
                    ErrorCode::InvalidJson,
                    format!("not valid JSON: {e}"),
                )),
            );
        }
    };
    let id = obj.remove("id");
    (id, parse_action(&obj))
}

fn parse_action(obj: &Map<String, Value>) -> Result<Action, ProtocolError> {
    let action = match obj.get("action") {
        Some(Value::String(a)) => a.as_str(),
        Some(_) => {
            return Err(ProtocolError::new(
                ErrorCode::UnknownAction,
                "\"action\" must be a string",
            ));
        }
        None => {
            return Err(ProtocolError::new(
                ErrorCode::UnknownAction,
                "missing \"action\"",
            ));
        }
    };
    match action {
        "subscribe" => {
            let (symbol, timeframe) = pair(obj)?;
            let list = match obj.get("indicators") {
                Some(Value::Array(list)) if !list.is_empty() => list,
                _ => {
                    return Err(ProtocolError::new(
                        ErrorCode::InvalidParams,
                        "\"indicators\" must be a non-empty array of ids or {\"name\",\"params\"} objects",
                    ));
                }
            };
            let indicators = indicator_list(list)?;
            Ok(Action::Subscribe {
                symbol,
                timeframe,
                indicators,
            })
        }
        "unsubscribe" => {
            if obj.get("symbol").is_none()
                && obj.get("timeframe").is_none()
                && obj.get("indicators").is_none()
            {
                return Ok(Action::Unsubscribe(UnsubscribeTarget::All));
            }
            let (symbol, timeframe) = pair(obj)?;
            match obj.get("indicators") {
                None => Ok(Action::Unsubscribe(UnsubscribeTarget::Pair {
                    symbol,
                    timeframe,
                })),
                Some(Value::Array(list)) => {
                    let ids = list
                        .iter()
                        .map(|i| indicator(i).map(|s| s.id()))
                        .collect::<Result<_, _>>()?;
                    Ok(Action::Unsubscribe(UnsubscribeTarget::Indicators {
                        symbol,
                        timeframe,
                        ids,
                    }))
                }
                Some(_) => Err(ProtocolError::new(
                    ErrorCode::InvalidParams,
                    "\"indicators\" must be an array",
                )),
            }
        }
        "ping" => Ok(Action::Ping),
        "resume" => {
            let text = |k: &str| obj.get(k).and_then(Value::as_str).map(str::to_owned);
            let (Some(ws_conn_id), Some(resume_token)) = (text("ws_conn_id"), text("resume_token"))
            else {
                return Err(ProtocolError::new(
                    ErrorCode::ResumeFailed,
                    "resume needs \"ws_conn_id\" and \"resume_token\"",
                ));
            };
            let mut last_seq = BTreeMap::new();
            if let Some(map) = obj.get("last_seq").and_then(Value::as_object) {
                for (k, v) in map {
                    let seq = v.as_u64().ok_or_else(|| {
                        ProtocolError::new(
                            ErrorCode::ResumeFailed,
                            "\"last_seq\" values must be non-negative integers",
                        )
                    })?;
                    last_seq.insert(k.clone(), seq);
                }
            }
            Ok(Action::Resume {
                ws_conn_id,
                resume_token,
                last_seq,
            })
        }
        "refresh" => match obj.get("token").and_then(Value::as_str) {
            Some(token) if !token.is_empty() => Ok(Action::Refresh {
                token: Secret(token.to_owned()),
            }),
            _ => Err(ProtocolError::new(
                ErrorCode::InvalidToken,
                "refresh needs \"token\": a new JWT of the same user",
            )),
        },
        other => Err(ProtocolError::new(
            ErrorCode::UnknownAction,
            format!(
                "unknown action {:?}: use subscribe, unsubscribe, ping, resume or refresh",
                other.chars().take(40).collect::<String>()
            ),
        )),
    }
}

fn pair(obj: &Map<String, Value>) -> Result<(Symbol, Timeframe), ProtocolError> {
    let symbol = match obj.get("symbol") {
        Some(Value::String(s)) => Symbol::parse(s)
            .map_err(|e| ProtocolError::new(ErrorCode::InvalidSymbol, e.to_string()))?,
        _ => {
            return Err(ProtocolError::new(
                ErrorCode::InvalidSymbol,
                "\"symbol\" must be a string",
            ));
        }
    };
    let timeframe = match obj.get("timeframe") {
        Some(Value::String(s)) => Timeframe::parse(s)
            .map_err(|e| ProtocolError::new(ErrorCode::InvalidTimeframe, e.to_string()))?,
        _ => {
            return Err(ProtocolError::new(
                ErrorCode::InvalidTimeframe,
                "\"timeframe\" must be a string",
            ));
        }
    };
    Ok((symbol, timeframe))
}

/// The `indicators` of a `subscribe`: ids or `{"name", "params"}` objects, deduplicated in
/// order. Also what `computer compute --spec` reads, so the offline engine takes exactly what a
/// client sends.
/// Entries one message's `indicators` may hold: a longer list is refused before any is looked
/// up (each lookup and the de-duplication cost CPU that a refused message should not).
pub const MAX_INDICATORS_PER_MESSAGE: usize = 1000;

pub fn indicator_list(list: &[Value]) -> Result<Vec<Spec>, ProtocolError> {
    if list.len() > MAX_INDICATORS_PER_MESSAGE {
        return Err(ProtocolError::new(
            ErrorCode::TooManyIndicators,
            format!("at most {MAX_INDICATORS_PER_MESSAGE} indicators in one message"),
        ));
    }
    let mut indicators: Vec<Spec> = Vec::with_capacity(list.len());
    for item in list {
        let spec = indicator(item)?;
        if !indicators.contains(&spec) {
            indicators.push(spec);
        }
    }
    Ok(indicators)
}

fn indicator(item: &Value) -> Result<Spec, ProtocolError> {
    match item {
        Value::String(id) => Ok(Spec::from_id(id)?),
        Value::Object(o) => {
            let Some(name) = o.get("name").and_then(Value::as_str) else {
                return Err(ProtocolError::new(
                    ErrorCode::UnknownIndicator,
                    "an indicator object needs a \"name\"",
                ));
            };
            let params = match o.get("params") {
                None | Some(Value::Null) => None,
                Some(Value::Object(p)) => Some(p),
                Some(_) => {
                    return Err(ProtocolError::new(
                        ErrorCode::InvalidParams,
                        "\"params\" must be an object",
                    ));
                }
            };
            Ok(Spec::from_name_params(name, params)?)
        }
        _ => Err(ProtocolError::new(
            ErrorCode::UnknownIndicator,
            "an indicator is an id string or a {\"name\",\"params\"} object",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn code(text: &str) -> ErrorCode {
        parse(text).1.unwrap_err().code
    }

    // Shows each bad input maps to its SPEC error code, and the id survives for the echo.
    #[test]
    fn error_codes() {
        assert_eq!(code("{"), ErrorCode::InvalidJson);
        assert_eq!(code("[1]"), ErrorCode::InvalidJson);
        assert_eq!(code(r#"{"action":"dance"}"#), ErrorCode::UnknownAction);
        assert_eq!(code(r#"{"id":1}"#), ErrorCode::UnknownAction);
        let sub = |s: &str, tf: &str, ind: &str| {
            code(&format!(
                r#"{{"action":"subscribe","symbol":"{s}","timeframe":"{tf}","indicators":{ind}}}"#
            ))
        };
        assert_eq!(sub("A:B", "5min", r#"["RSI"]"#), ErrorCode::InvalidSymbol);
        assert_eq!(sub("A", "7min", r#"["RSI"]"#), ErrorCode::InvalidTimeframe);
        assert_eq!(
            sub("A", "5min", r#"["FOO_3"]"#),
            ErrorCode::UnknownIndicator
        );
        assert_eq!(
            sub("A", "5min", r#"[{"name":"RSI","params":{"length":0}}]"#),
            ErrorCode::InvalidParams
        );
        assert_eq!(sub("A", "5min", "[]"), ErrorCode::InvalidParams);
        assert_eq!(
            request_id(r#"{"action":"x","big":[1,2,{"id":3}],"id":"r9"}"#),
            Some(json!("r9"))
        );
        assert_eq!(request_id(r#"[{"id":1}]"#), None);
        assert_eq!(request_id("{"), None);
        assert_eq!(code(r#"{"action":"refresh"}"#), ErrorCode::InvalidToken);
        let many = vec!["RSI_14"; MAX_INDICATORS_PER_MESSAGE + 1];
        assert_eq!(
            sub("A", "5min", &json!(many).to_string()),
            ErrorCode::TooManyIndicators
        );
        assert_eq!(
            code(r#"{"action":"refresh","token":7}"#),
            ErrorCode::InvalidToken
        );
        let (id, _) = parse(r#"{"action":"dance","id":"x7"}"#);
        assert_eq!(id, Some(json!("x7")));
    }

    // Shows the accepted shapes: ids and objects, deduplicated; the unsubscribe variants.
    #[test]
    fn accepted_shapes() {
        let (_, a) = parse(
            r#"{"action":"subscribe","symbol":"NIFTY50","timeframe":"5min","indicators":["RSI_14",{"name":"RSI","params":{"length":14}},{"name":"SMA"}]}"#,
        );
        let Action::Subscribe { indicators, .. } = a.unwrap() else {
            panic!()
        };
        let ids: Vec<_> = indicators.iter().map(Spec::id).collect();
        assert_eq!(ids, ["RSI_14", "SMA_10"]);
        assert_eq!(
            parse(r#"{"action":"unsubscribe"}"#).1,
            Ok(Action::Unsubscribe(UnsubscribeTarget::All))
        );
        let (_, a) = parse(
            r#"{"action":"unsubscribe","symbol":"X","timeframe":"1h","indicators":["rsi_14"]}"#,
        );
        assert!(
            matches!(a, Ok(Action::Unsubscribe(UnsubscribeTarget::Indicators { ids, .. })) if ids == ["RSI_14"])
        );
        assert_eq!(parse(r#"{"action":"ping"}"#).1, Ok(Action::Ping));
        let (_, a) = parse(r#"{"action":"refresh","token":"eyJ.x.y"}"#);
        let Ok(Action::Refresh { token }) = a else {
            panic!()
        };
        assert_eq!(token.expose(), "eyJ.x.y");
        assert!(
            !format!("{token:?}").contains("eyJ"),
            "Debug hides the token"
        );
    }
}
