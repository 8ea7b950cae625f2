//! The computer: reads ticks, builds candles for every timeframe, computes each watched
//! indicator once for the whole cluster, publishes the values on Redis pub/sub.
//!
//! Layout:
//! - [`config`]: flags and environment.
//! - [`candles`]: ticks to candles (pure).
//! - [`engine`]: one owned symbol: candles, watched indicator states, seqs; produces commits.
//! - [`store`]: Redis: the lease-fenced commit script, leases, bootstrap reads.
//! - [`worker`]: the loop: leases and fair share, watch sets, XREAD, commits, idle closes.
//! - [`simulate`]: the built-in market simulator.
//! - [`compute`]: `computer compute`, the same engine offline over a CSV.

pub mod candles;
pub mod compute;
pub mod config;
pub mod engine;
pub mod simulate;
pub mod store;
pub mod worker;

pub use config::Config;
pub use worker::run;
