//! What gateways and computers agree on. Both sides link this crate, so a name, a format or a
//! limit changes in one place only.
//!
//! Layout:
//! - [`symbol`], [`timeframe`]: validated market identifiers.
//! - [`keys`]: every Redis key and channel name, built in one place.
//! - [`pair`]: a symbol and a timeframe, the unit of publication and subscription.
//! - [`protocol`]: client messages in with their error codes; [`protocol::frames`]: every
//!   server frame and close code.
//! - [`update`]: the MessagePack payloads computers write and gateways read.
//! - [`catalogue`]: indicator names, params, ids, columns; [`indicators`]: the maths.
//! - [`auth`]: JWT verification and development tokens.
//! - [`clock`]: RFC 3339 formatting without a date-time crate.
//! - [`redis_conn`]: one connection type over a standalone Redis or a Redis Cluster.
//! - [`history`]: the closed-candle history reader both binaries use.
//! - [`runtime`]: process start-up shared by the binaries (logging, shutdown on signals).

pub mod auth;
pub mod catalogue;
pub mod clock;
pub mod history;
pub mod indicators;
pub mod keys;
pub mod pair;
pub mod protocol;
pub mod redis_conn;
pub mod runtime;
pub mod symbol;
pub mod timeframe;
pub mod update;
