//! The computer: reads ticks, builds candles for every timeframe, computes each watched
//! indicator once for the whole cluster, publishes the values on Redis pub/sub.
//!
//! Public surface: the command line ([`Cli`], [`Command`], [`Config`], also under [`config`]),
//! [`run`] (the computer), [`compute()`] and [`simulate()`] (the subcommands), and their errors.
//!
//! Layout (private modules but `config`):
//! - [`config`]: flags and environment.
//! - `candles`: ticks to candles (pure).
//! - `engine`: one owned symbol: candles, watched indicator states, seqs; produces commits.
//! - `store`: Redis: the lease-fenced commit script (`lua/`), leases, bootstrap reads.
//! - `worker`: the loop: leases and fair share, watch sets, XREAD, commits, idle closes.
//! - `simulate`: the built-in market simulator.
//! - `compute`: `computer compute`, the same engine offline over a CSV.

mod candles;
mod compute;
pub mod config;
mod engine;
mod simulate;
mod store;
mod worker;

pub use compute::{ComputeError, ComputeRunError, run as compute};
pub use config::{CatalogueArgs, Cli, Command, ComputeArgs, Config, ConfigError, SimulateArgs};
pub use simulate::{SimulateError, run as simulate};
pub use worker::{RunError, run};
