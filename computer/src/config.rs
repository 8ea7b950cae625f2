//! Computer configuration: flags with environment fallbacks; every default runs on one machine.
//! Flag names, environment names and defaults are the contract of docs/configuration.md.

use clap::{Args, Parser, Subcommand};
use std::num::ParseIntError;
use std::time::Duration;

#[derive(Parser, Debug)]
#[command(
    name = "computer",
    about = "Turns ticks into candles and candles into indicator values"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub config: Config,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the built-in market simulator: a random walk written as a real feed would.
    Simulate(SimulateArgs),
    /// Compute indicators offline over a CSV of candles, with the engine the cluster runs.
    Compute(ComputeArgs),
    /// Print the indicator catalogue (docs/indicators.md's reference), as Markdown or JSON.
    Catalogue(CatalogueArgs),
}

#[derive(Args, Debug, Clone)]
pub struct CatalogueArgs {
    /// JSON (one object per indicator) instead of Markdown.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug, Clone)]
pub struct ComputeArgs {
    /// CSV with the header `time,open,high,low,close,volume`; time as epoch ms or RFC 3339.
    #[arg(long)]
    pub input: std::path::PathBuf,
    /// Indicator ids, comma-separated (`RSI_14,MACD_12_26_9,BBANDS_20_2.0`).
    #[arg(long, value_delimiter = ',', required_unless_present = "spec")]
    pub indicators: Vec<String>,
    /// Indicators as a JSON array, exactly as a client's `subscribe` lists them: ids or
    /// `{"name": ..., "params": {...}}` objects (`'[{"name":"RSI","params":{"length":7}}]'`).
    /// Computed after those of `--indicators`.
    #[arg(long)]
    pub spec: Option<String>,
    /// Output CSV (standard output when absent).
    #[arg(long)]
    pub output: Option<std::path::PathBuf>,
}

#[derive(Args, Debug, Clone)]
pub struct Config {
    /// Redis URL.
    #[arg(
        long,
        env = "REDIS_URL",
        default_value = "redis://127.0.0.1:6379",
        global = true
    )]
    pub redis_url: String,
    /// This computer's id in leases and the `computers` set; a random `c_<uuid>` when absent
    /// or empty (see [`Config::computer_id`]).
    #[arg(long, env = "COMPUTER_ID")]
    pub computer_id: Option<String>,
    /// Closed candles kept per symbol/timeframe in Redis: enough to warm any indicator.
    #[arg(long, env = "HISTORY_CANDLES", default_value_t = 1000)]
    pub history_candles: usize,
    /// Publications kept per symbol/timeframe in its history stream, for resume and gap repair.
    #[arg(long, env = "UPDATE_HISTORY_LEN", default_value_t = 1000)]
    pub update_history_len: usize,
    /// Publications older than this (seconds) leave the history stream, which also expires
    /// this long after its last publication. At least the gateways' resume window.
    #[arg(
        long = "update-history-secs",
        env = "UPDATE_HISTORY_SECS",
        value_name = "UPDATE_HISTORY_SECS",
        default_value = "120",
        value_parser = secs
    )]
    pub update_history: Duration,
    /// A forming candle closes after this long without a tick once the clock is past its end (ms).
    #[arg(
        long = "idle-close-ms",
        env = "IDLE_CLOSE_MS",
        value_name = "IDLE_CLOSE_MS",
        default_value = "2000",
        value_parser = millis
    )]
    pub idle_close: Duration,
    /// Lease time to live (ms): a dead computer's symbols move after at most this long.
    #[arg(
        long = "lease-ttl-ms",
        env = "LEASE_TTL_MS",
        value_name = "LEASE_TTL_MS",
        default_value = "3000",
        value_parser = millis
    )]
    pub lease_ttl: Duration,
    /// How often leases are renewed and rebalanced and watch sets re-read (ms).
    #[arg(
        long = "maintenance-ms",
        env = "MAINTENANCE_MS",
        value_name = "MAINTENANCE_MS",
        default_value = "1000",
        value_parser = millis
    )]
    pub maintenance: Duration,
}

/// A whole number of seconds.
fn secs(s: &str) -> Result<Duration, ParseIntError> {
    s.parse().map(Duration::from_secs)
}

/// A whole number of milliseconds.
fn millis(s: &str) -> Result<Duration, ParseIntError> {
    s.parse().map(Duration::from_millis)
}

/// Every problem of a [`Config`], reported at once; displayed joined by `; `.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", problems.join("; "))]
pub struct ConfigError {
    pub problems: Vec<String>,
}

#[derive(Args, Debug, Clone)]
pub struct SimulateArgs {
    /// Symbols to simulate, comma-separated.
    #[arg(
        long,
        env = "SIM_SYMBOLS",
        value_delimiter = ',',
        default_value = "NIFTY50,BANKNIFTY,RELIANCE,TCS,INFY"
    )]
    pub symbols: Vec<String>,
    /// Ticks per second per symbol.
    #[arg(long, env = "SIM_TICK_RATE", default_value_t = 2.0)]
    pub tick_rate: f64,
    /// Simulated milliseconds per real millisecond: at 60, a 1min candle closes every second
    /// (soak tests, demos). Tick times start at the real clock.
    #[arg(long, env = "SIM_TIME_SCALE", default_value_t = 1)]
    pub time_scale: u32,
    /// Random seed (the walk is reproducible for a given seed).
    #[arg(long, env = "SIM_SEED", default_value_t = 42)]
    pub seed: u64,
    /// Stop after this many seconds (0 = run until stopped).
    #[arg(long, env = "SIM_DURATION_SECS", default_value_t = 0)]
    pub duration_secs: u64,
}

impl Config {
    /// The configured computer id; `None` (a random one is drawn) when absent or empty.
    pub fn computer_id(&self) -> Option<&str> {
        self.computer_id.as_deref().filter(|id| !id.is_empty())
    }

    /// Every problem at once, for a clear start-up error.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let mut errors = Vec::new();
        if let Err(e) = shared::redis_conn::Target::parse(&self.redis_url) {
            errors.push(format!("--redis-url: {e}"));
        }
        // The longest warm-up in the catalogue (MACD 499/500/500: 998 candles) must fit.
        if !(1000..=100_000).contains(&self.history_candles) {
            errors.push("--history-candles must be in [1000, 100000]".to_owned());
        }
        if !(1..=1_000_000).contains(&self.update_history_len) {
            errors.push("--update-history-len must be in [1, 1000000]".to_owned());
        }
        if self.update_history.is_zero() {
            errors.push("--update-history-secs must be > 0".to_owned());
        }
        if self.lease_ttl < self.maintenance * 2 {
            errors.push("--lease-ttl-ms must be at least twice --maintenance-ms".to_owned());
        }
        if self.maintenance.is_zero() {
            errors.push("--maintenance-ms must be > 0".to_owned());
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ConfigError { problems: errors })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Config {
        let mut argv = vec!["computer"];
        argv.extend_from_slice(args);
        Cli::try_parse_from(argv).unwrap().config
    }

    // Shows the defaults of docs/configuration.md, parsed into durations, are valid.
    #[test]
    fn defaults_are_valid() {
        let c = parse(&["--redis-url", "redis://127.0.0.1:6379"]);
        assert_eq!(c.validate(), Ok(()));
        assert_eq!(c.computer_id(), None);
        assert_eq!(c.history_candles, 1000);
        assert_eq!(c.update_history_len, 1000);
        assert_eq!(c.update_history, Duration::from_secs(120));
        assert_eq!(c.idle_close, Duration::from_millis(2000));
        assert_eq!(c.lease_ttl, Duration::from_millis(3000));
        assert_eq!(c.maintenance, Duration::from_millis(1000));
    }

    // Shows the flags keep their names and units, and an empty id means none.
    #[test]
    fn flags_parse_into_durations_and_ids() {
        let c = parse(&[
            "--computer-id",
            "comp-1",
            "--update-history-secs",
            "7",
            "--idle-close-ms",
            "2500",
            "--lease-ttl-ms",
            "1000",
            "--maintenance-ms",
            "200",
        ]);
        assert_eq!(c.computer_id(), Some("comp-1"));
        assert_eq!(c.update_history, Duration::from_secs(7));
        assert_eq!(c.idle_close, Duration::from_millis(2500));
        assert_eq!(c.lease_ttl, Duration::from_millis(1000));
        assert_eq!(c.maintenance, Duration::from_millis(200));
        assert_eq!(parse(&["--computer-id", ""]).computer_id(), None);
        let argv = ["computer", "--idle-close-ms", "-1"];
        assert!(Cli::try_parse_from(argv).is_err());
    }

    // Shows every problem is reported at once, joined in the message.
    #[test]
    fn every_problem_is_reported() {
        let c = parse(&[
            "--redis-url",
            "http://x",
            "--history-candles",
            "999",
            "--update-history-len",
            "0",
            "--update-history-secs",
            "0",
            "--maintenance-ms",
            "0",
        ]);
        let e = c.validate().unwrap_err();
        let flags: Vec<&str> = e
            .problems
            .iter()
            .map(|p| p.split(' ').next().unwrap().trim_end_matches(':'))
            .collect();
        assert_eq!(
            flags,
            [
                "--redis-url",
                "--history-candles",
                "--update-history-len",
                "--update-history-secs",
                "--maintenance-ms"
            ]
        );
        assert_eq!(e.to_string(), e.problems.join("; "));
        let c = parse(&["--lease-ttl-ms", "1999", "--maintenance-ms", "1000"]);
        assert_eq!(
            c.validate().unwrap_err().problems,
            ["--lease-ttl-ms must be at least twice --maintenance-ms"]
        );
    }
}
