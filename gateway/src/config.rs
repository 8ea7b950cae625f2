//! Gateway configuration: one struct from flags and environment (clap), validated once.

use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::time::Duration;

#[derive(Parser, Debug)]
#[command(
    name = "gateway",
    about = "WebSocket gateway of the indicator stream cluster"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub config: Config,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Print a development token signed with the configured key.
    Token {
        /// The user (the token's `email` claim).
        #[arg(long, env = "TOKEN_EMAIL")]
        email: String,
        /// The session (the token's `session_id` claim).
        #[arg(long, env = "TOKEN_SESSION", default_value = "dev")]
        session: String,
        /// Lifetime in seconds.
        #[arg(long, env = "TOKEN_TTL", default_value_t = 3600)]
        ttl: u64,
    },
}

#[derive(Args, Debug, Clone)]
pub struct Config {
    /// Address to listen on.
    #[arg(
        long = "listen",
        env = "LISTEN_ADDR",
        default_value = "127.0.0.1:8081",
        global = true
    )]
    pub listen: SocketAddr,
    /// Redis URL.
    #[arg(
        long,
        env = "REDIS_URL",
        default_value = "redis://127.0.0.1:6379",
        global = true
    )]
    pub redis_url: String,
    /// HMAC key for HS256 tokens. Required: the gateway refuses to start without one.
    #[arg(
        long,
        env = "JWT_SECRET",
        hide_env_values = true,
        default_value = "",
        global = true
    )]
    pub jwt_secret: String,
    /// This gateway's id in `ws_conn` hashes; a random `gw_<uuid>` when empty.
    #[arg(long, env = "GATEWAY_ID", default_value = "")]
    pub gateway_id: String,
    /// Seconds between WebSocket pings (also announced in `connected`).
    #[arg(long, env = "HEARTBEAT_SECS", default_value_t = 30)]
    pub heartbeat_secs: u64,
    /// A connection silent (no frame, not even a pong) for longer is closed and cleaned up.
    #[arg(long, env = "STALE_SECS", default_value_t = 300)]
    pub stale_secs: u64,
    /// Frames a connection may have waiting before it counts as behind: live values conflate,
    /// so this is mostly finals and replies. Behind for longer than `--slow-client-secs`, or at
    /// `--send-queue-max` frames, it is closed with 4009.
    #[arg(long, env = "SEND_QUEUE", default_value_t = 1024)]
    pub send_queue: usize,
    /// Hard bound on waiting frames per connection (memory bound); reaching it closes with 4009.
    #[arg(long, env = "SEND_QUEUE_MAX", default_value_t = 8192)]
    pub send_queue_max: usize,
    /// How long a connection may stay behind (more than `--send-queue` frames waiting).
    #[arg(long, env = "SLOW_CLIENT_SECS", default_value_t = 5)]
    pub slow_client_secs: u64,
    /// Indicator subscriptions one connection may hold, across all its pairs.
    #[arg(long, env = "MAX_INDICATORS_PER_CONN", default_value_t = 200)]
    pub max_indicators_per_conn: usize,
    /// Client messages per second per connection (token bucket; burst = 2x).
    #[arg(long, env = "RATE_LIMIT_PER_SEC", default_value_t = 20)]
    pub rate_limit_per_sec: u32,
    /// Largest client frame accepted; bigger ones close the connection with 1009.
    #[arg(long, env = "MAX_MESSAGE_BYTES", default_value_t = 65_536)]
    pub max_message_bytes: usize,
    /// On SIGTERM, how long sessions get to close before the process exits anyway.
    #[arg(long, env = "DRAIN_SECS", default_value_t = 10)]
    pub drain_secs: u64,
    /// On SIGTERM, sessions close with 1001 at random moments spread over this long (ms), so
    /// their clients resume elsewhere without a reconnect storm. Below `--drain-secs`.
    #[arg(long, env = "DRAIN_SPREAD_MS", default_value_t = 5000)]
    pub drain_spread_ms: u64,
    /// After the last local watcher of a channel leaves, wait this long before unsubscribing
    /// (absorbs reconnect churn) (ms).
    #[arg(long, env = "UNSUBSCRIBE_DELAY_MS", default_value_t = 5000)]
    pub unsubscribe_delay_ms: u64,
    /// Lifetime of a watch-index entry; refreshed every third of it while watched (s).
    #[arg(long, env = "WATCH_TTL_SECS", default_value_t = 30)]
    pub watch_ttl_secs: u64,
    /// How long a session outlives its connection for a client to come back (resume), and so
    /// how long after a gateway's death its sessions' Redis entries stay before another gateway
    /// removes them (s).
    #[arg(long, env = "RESUME_WINDOW_SECS", default_value_t = 60)]
    pub resume_window_secs: u64,
    /// TTL of this gateway's liveness key, refreshed every third of it (s).
    #[arg(long, env = "LIVENESS_SECS", default_value_t = 10)]
    pub liveness_secs: u64,
}

impl Config {
    /// Checks everything and reports every problem at once.
    pub fn validate(&self) -> Result<(), String> {
        let mut errors = Vec::new();
        if self.jwt_secret.is_empty() {
            errors.push("no JWT key: set --jwt-secret or JWT_SECRET".to_owned());
        } else if self.jwt_secret.len() < 16 {
            errors.push("the JWT key must be at least 16 bytes".to_owned());
        }
        if let Err(e) = shared::redis_conn::Target::parse(&self.redis_url) {
            errors.push(format!("--redis-url: {e}"));
        }
        if self.heartbeat_secs == 0 || self.stale_secs <= self.heartbeat_secs {
            errors.push("--heartbeat-secs must be > 0 and below --stale-secs".to_owned());
        }
        if self.send_queue < 16 || self.send_queue_max < self.send_queue {
            errors.push(
                "--send-queue must be at least 16 and --send-queue-max at least --send-queue"
                    .to_owned(),
            );
        }
        if self.max_indicators_per_conn == 0 || self.rate_limit_per_sec == 0 {
            errors
                .push("--max-indicators-per-conn and --rate-limit-per-sec must be > 0".to_owned());
        }
        if self.max_message_bytes < 1024 {
            errors.push("--max-message-bytes must be at least 1024".to_owned());
        }
        if self.drain_spread_ms >= self.drain_secs * 1000 {
            errors.push("--drain-spread-ms must be below --drain-secs".to_owned());
        }
        if self.liveness_secs == 0 || self.resume_window_secs < self.liveness_secs {
            errors.push("--liveness-secs must be > 0 and at most --resume-window-secs".to_owned());
        }
        if self.watch_ttl_secs < 3 {
            errors.push("--watch-ttl-secs must be at least 3".to_owned());
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors.join("; "))
        }
    }

    pub fn drain_spread(&self) -> Duration {
        Duration::from_millis(self.drain_spread_ms)
    }

    pub fn heartbeat(&self) -> Duration {
        Duration::from_secs(self.heartbeat_secs)
    }

    pub fn stale(&self) -> Duration {
        Duration::from_secs(self.stale_secs)
    }
}
