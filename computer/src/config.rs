//! Computer configuration: flags with environment fallbacks; every default runs on one machine.

use clap::{Args, Parser, Subcommand};

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
}

#[derive(Args, Debug, Clone)]
pub struct ComputeArgs {
    /// CSV with the header `time,open,high,low,close,volume`; time as epoch ms or RFC 3339.
    #[arg(long)]
    pub input: std::path::PathBuf,
    /// Indicator ids, comma-separated (`RSI_14,MACD_12_26_9,BBANDS_20_2.0`).
    #[arg(long, value_delimiter = ',', required = true)]
    pub indicators: Vec<String>,
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
    /// This computer's id in leases and the `computers` set; a random `c_<uuid>` when empty.
    #[arg(long, env = "COMPUTER_ID", default_value = "")]
    pub computer_id: String,
    /// Closed candles kept per symbol/timeframe in Redis: enough to warm any indicator.
    #[arg(long, env = "HISTORY_CANDLES", default_value_t = 1000)]
    pub history_candles: usize,
    /// Publications kept per symbol/timeframe in its history stream, for resume and gap repair.
    #[arg(long, env = "UPDATE_HISTORY_LEN", default_value_t = 1000)]
    pub update_history_len: usize,
    /// Publications older than this (seconds) leave the history stream, which also expires
    /// this long after its last publication. At least the gateways' resume window.
    #[arg(long, env = "UPDATE_HISTORY_SECS", default_value_t = 120)]
    pub update_history_secs: u64,
    /// A forming candle closes after this long without a tick once the clock is past its end (ms).
    #[arg(long, env = "IDLE_CLOSE_MS", default_value_t = 2000)]
    pub idle_close_ms: u64,
    /// Lease time to live (ms): a dead computer's symbols move after at most this long.
    #[arg(long, env = "LEASE_TTL_MS", default_value_t = 3000)]
    pub lease_ttl_ms: u64,
    /// How often leases are renewed and rebalanced and watch sets re-read (ms).
    #[arg(long, env = "MAINTENANCE_MS", default_value_t = 1000)]
    pub maintenance_ms: u64,
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
    /// Every problem at once, for a clear start-up error.
    pub fn validate(&self) -> Result<(), String> {
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
        if self.update_history_secs == 0 {
            errors.push("--update-history-secs must be > 0".to_owned());
        }
        if self.lease_ttl_ms < 2 * self.maintenance_ms {
            errors.push("--lease-ttl-ms must be at least twice --maintenance-ms".to_owned());
        }
        if self.maintenance_ms == 0 {
            errors.push("--maintenance-ms must be > 0".to_owned());
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors.join("; "))
        }
    }
}
