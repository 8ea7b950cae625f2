//! Gateway configuration: one struct from flags and environment (clap), validated once. The
//! flag and variable names are the external contract (docs/configuration.md); inside, times are
//! `Duration`s and optional values `Option`s.

use clap::{Args, Parser, Subcommand};
use shared::auth::keys::KeySource;
use shared::auth::{Algorithm, Policy};
use std::net::SocketAddr;
use std::path::PathBuf;
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
    /// Deny tokens cluster-wide: one token (`--jti`), or a session's or a user's tokens issued
    /// until now; live connections close with 1008 within a second. `--list` prints the
    /// revocations in force.
    Revoke(RevokeArgs),
}

#[derive(Args, Debug, Clone)]
#[command(group = clap::ArgGroup::new("target").required(true).multiple(false))]
pub struct RevokeArgs {
    /// The token's `jti`.
    #[arg(long, group = "target")]
    pub jti: Option<String>,
    /// The `session_id` claim: that session's tokens issued until now.
    #[arg(long, group = "target")]
    pub session: Option<String>,
    /// The user id (`email`, else `sub`): that user's tokens issued until now.
    #[arg(long, group = "target")]
    pub user: Option<String>,
    /// Print one line per revocation in force.
    #[arg(long, group = "target")]
    pub list: bool,
    /// How long the revocation holds; default `--max-token-lifetime-secs`.
    #[arg(long = "ttl-secs")]
    pub ttl_secs: Option<u64>,
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
    /// A PEM public key (RSA, EC P-256 or Ed25519) tokens are signed with, instead of a secret.
    #[arg(long = "jwt-public-key", env = "JWT_PUBLIC_KEY")]
    pub jwt_public_key: Option<PathBuf>,
    /// A JWKS file (several keys told apart by `kid`, for rotation), instead of a secret.
    #[arg(long = "jwt-jwks", env = "JWT_JWKS")]
    pub jwt_jwks: Option<PathBuf>,
    /// The one algorithm of `--jwt-secret` (HS256, HS384, HS512; default HS256) or of
    /// `--jwt-public-key` (RS256..512, PS256..512, ES256, ES384, EdDSA; default RS256).
    #[arg(long = "jwt-algorithm", env = "JWT_ALGORITHM", value_parser = algorithm)]
    pub jwt_algorithm: Option<Algorithm>,
    /// How far ahead of this gateway's clock a token's `nbf` and `iat` may be.
    #[arg(
        long = "jwt-leeway-secs",
        env = "JWT_LEEWAY_SECS",
        default_value_t = 30
    )]
    pub jwt_leeway_secs: u64,
    /// The `iss` every token must carry (not checked when unset).
    #[arg(long = "jwt-issuer", env = "JWT_ISSUER")]
    pub jwt_issuer: Option<String>,
    /// A value every token's `aud` must hold (not checked when unset).
    #[arg(long = "jwt-audience", env = "JWT_AUDIENCE")]
    pub jwt_audience: Option<String>,
    /// The longest a token this service accepts lives: how long `gateway revoke` denies by
    /// default (a token issued before the revocation has expired by then).
    #[arg(
        long = "max-token-lifetime-secs",
        env = "MAX_TOKEN_LIFETIME_SECS",
        default_value_t = 86_400,
        global = true
    )]
    pub max_token_lifetime_secs: u64,
    /// Longer tokens are refused (401 `token_too_large`) without being parsed.
    #[arg(
        long = "max-token-bytes",
        env = "MAX_TOKEN_BYTES",
        default_value_t = 8192
    )]
    pub max_token_bytes: usize,
    /// This gateway's id in `ws_conn` hashes; a random `gw_<uuid>` when not given (or empty,
    /// as an unset variable in an environment file gives it): see [`Config::gateway_id`].
    #[arg(long = "gateway-id", env = "GATEWAY_ID")]
    pub gateway_id: Option<String>,
    /// Seconds between WebSocket pings (also announced in `connected`).
    #[arg(long = "heartbeat-secs", env = "HEARTBEAT_SECS", default_value = "30", value_parser = secs)]
    pub heartbeat: Duration,
    /// A connection silent (no frame, not even a pong) for longer is closed and cleaned up (s).
    #[arg(long = "stale-secs", env = "STALE_SECS", default_value = "300", value_parser = secs)]
    pub stale: Duration,
    /// Frames a connection may have waiting before it counts as behind: live values conflate,
    /// so this is mostly finals and replies. Behind for longer than `--slow-client-secs`, or at
    /// `--send-queue-max` frames, it is closed with 4009.
    #[arg(long, env = "SEND_QUEUE", default_value_t = 1024)]
    pub send_queue: usize,
    /// Hard bound on waiting frames per connection (memory bound); reaching it closes with 4009.
    #[arg(long, env = "SEND_QUEUE_MAX", default_value_t = 8192)]
    pub send_queue_max: usize,
    /// How long a connection may stay behind (more than `--send-queue` frames waiting) (s).
    #[arg(long = "slow-client-secs", env = "SLOW_CLIENT_SECS", default_value = "5", value_parser = secs)]
    pub slow_client: Duration,
    /// Indicator subscriptions one connection may hold, across all its pairs.
    #[arg(long, env = "MAX_INDICATORS_PER_CONN", default_value_t = 200)]
    pub max_indicators_per_conn: usize,
    /// Live connections one user may hold across the whole cluster (0: no limit); more get
    /// HTTP 429 `too_many_connections` before the upgrade.
    #[arg(
        long = "max-conns-per-user",
        env = "MAX_CONNS_PER_USER",
        default_value_t = 20
    )]
    pub max_conns_per_user: u64,
    /// Connections at most that may be sending their request head at once; more are closed
    /// at accept.
    #[arg(
        long = "max-pending-handshakes",
        env = "MAX_PENDING_HANDSHAKES",
        default_value_t = 1024
    )]
    pub max_pending_handshakes: usize,
    /// How long a connection may take to send its whole request head (s); then it is closed.
    #[arg(long = "handshake-timeout-secs", env = "HANDSHAKE_TIMEOUT_SECS", default_value = "10", value_parser = secs)]
    pub handshake_timeout: Duration,
    /// Connections per second one client address may open (burst 2x); 0: no limit (behind a
    /// load balancer every client may share its address: see `--trusted-proxies`).
    #[arg(
        long = "max-conn-rate-per-ip",
        env = "MAX_CONN_RATE_PER_IP",
        default_value_t = 0
    )]
    pub max_conn_rate_per_ip: u32,
    /// Proxies (IP addresses, comma-separated) whose `X-Forwarded-For` names the client.
    #[arg(
        long = "trusted-proxies",
        env = "TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Browser origins allowed to open a WebSocket (comma-separated, e.g.
    /// `https://charts.example.com`); a request with another `Origin` gets 403. Empty: any
    /// origin (development). Requests without `Origin` (non-browser clients) always pass.
    #[arg(
        long = "allowed-origins",
        env = "ALLOWED_ORIGINS",
        value_delimiter = ','
    )]
    pub allowed_origins: Vec<String>,
    /// Symbol/timeframe pairs one connection may watch (0: no limit).
    #[arg(long, env = "MAX_PAIRS_PER_CONN", default_value_t = 50)]
    pub max_pairs_per_conn: usize,
    /// Client messages per second per connection (token bucket; burst = 2x).
    #[arg(long, env = "RATE_LIMIT_PER_SEC", default_value_t = 20)]
    pub rate_limit_per_sec: u32,
    /// Client messages per second per user, across all of the user's connections on this
    /// gateway (token bucket; burst = 2x; 0: no limit, the default: load tests and shared
    /// service accounts open many connections of one user).
    #[arg(long, env = "RATE_LIMIT_PER_USER_PER_SEC", default_value_t = 0)]
    pub rate_limit_per_user_per_sec: u32,
    /// Largest client frame accepted; bigger ones close the connection with 1009.
    #[arg(long, env = "MAX_MESSAGE_BYTES", default_value_t = 65_536)]
    pub max_message_bytes: usize,
    /// On SIGTERM, how long sessions get to close before the process exits anyway (s).
    #[arg(long = "drain-secs", env = "DRAIN_SECS", default_value = "10", value_parser = secs)]
    pub drain: Duration,
    /// On SIGTERM, sessions close with 1001 at random moments spread over this long (ms), so
    /// their clients resume elsewhere without a reconnect storm. Below `--drain-secs`.
    #[arg(long = "drain-spread-ms", env = "DRAIN_SPREAD_MS", default_value = "5000", value_parser = millis)]
    pub drain_spread: Duration,
    /// After the last local watcher of a channel leaves, wait this long before unsubscribing
    /// (absorbs reconnect churn) (ms).
    #[arg(long = "unsubscribe-delay-ms", env = "UNSUBSCRIBE_DELAY_MS", default_value = "5000", value_parser = millis)]
    pub unsubscribe_delay: Duration,
    /// Lifetime of a watch-index entry; refreshed every third of it while watched (s).
    #[arg(long = "watch-ttl-secs", env = "WATCH_TTL_SECS", default_value = "30", value_parser = secs)]
    pub watch_ttl: Duration,
    /// How long a session outlives its connection for a client to come back (resume), and so
    /// how long after a gateway's death its sessions' Redis entries stay before another gateway
    /// removes them (s).
    #[arg(long = "resume-window-secs", env = "RESUME_WINDOW_SECS", default_value = "60", value_parser = secs)]
    pub resume_window: Duration,
    /// TTL of this gateway's liveness key, refreshed every third of it (s).
    #[arg(long = "liveness-secs", env = "LIVENESS_SECS", default_value = "10", value_parser = secs)]
    pub liveness: Duration,
}

fn secs(s: &str) -> Result<Duration, String> {
    s.parse()
        .map(Duration::from_secs)
        .map_err(|e| format!("{e}: a whole number of seconds"))
}

fn algorithm(s: &str) -> Result<Algorithm, String> {
    s.parse()
        .map_err(|_| format!("{s:?}: not a JWT algorithm (HS256, RS256, PS256, ES256, EdDSA, ...)"))
}

fn millis(s: &str) -> Result<Duration, String> {
    s.parse()
        .map(Duration::from_millis)
        .map_err(|e| format!("{e}: a whole number of milliseconds"))
}

/// Everything wrong with a configuration, reported at once.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .problems.join("; "))]
pub struct ConfigError {
    pub problems: Vec<String>,
}

impl Config {
    /// The configured gateway id, if one was given and is not blank.
    pub fn gateway_id(&self) -> Option<&str> {
        self.gateway_id
            .as_deref()
            .filter(|id| !id.trim().is_empty())
    }

    /// Where the JWT keys come from (after [`Config::validate`]).
    pub fn key_source(&self) -> KeySource {
        if let Some(path) = &self.jwt_jwks {
            KeySource::Jwks { path: path.clone() }
        } else if let Some(path) = &self.jwt_public_key {
            KeySource::Pem {
                path: path.clone(),
                alg: self.jwt_algorithm.unwrap_or(Algorithm::RS256),
            }
        } else {
            KeySource::Secret {
                secret: self.jwt_secret.as_bytes().to_vec(),
                alg: self.jwt_algorithm.unwrap_or(Algorithm::HS256),
            }
        }
    }

    /// The claim rules tokens must meet.
    pub fn jwt_policy(&self) -> Policy {
        Policy {
            leeway_secs: self.jwt_leeway_secs,
            issuer: self.jwt_issuer.clone(),
            audience: self.jwt_audience.clone(),
            max_token_bytes: self.max_token_bytes,
        }
    }

    /// Checks everything and reports every problem at once.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let mut problems = Vec::new();
        let mut check = |ok: bool, problem: &str| {
            if !ok {
                problems.push(problem.to_owned());
            }
        };
        let sources = usize::from(!self.jwt_secret.is_empty())
            + usize::from(self.jwt_public_key.is_some())
            + usize::from(self.jwt_jwks.is_some());
        check(
            sources == 1,
            "give exactly one JWT key: --jwt-secret, --jwt-public-key or --jwt-jwks (JWT_SECRET, JWT_PUBLIC_KEY, JWT_JWKS)",
        );
        if !self.jwt_secret.is_empty() {
            check(
                self.jwt_secret.len() >= 16,
                "the JWT key must be at least 16 bytes",
            );
        }
        check(
            self.jwt_jwks.is_none() || self.jwt_algorithm.is_none(),
            "--jwt-algorithm does not apply to --jwt-jwks: each JWKS key names its own alg",
        );
        check(
            self.max_token_bytes >= 256,
            "--max-token-bytes must be at least 256",
        );
        check(
            self.max_pending_handshakes > 0 && !self.handshake_timeout.is_zero(),
            "--max-pending-handshakes and --handshake-timeout-secs must be > 0",
        );
        if let Err(e) = shared::redis_conn::Target::parse(&self.redis_url) {
            check(false, &format!("--redis-url: {e}"));
        }
        check(
            !self.heartbeat.is_zero() && self.stale > self.heartbeat,
            "--heartbeat-secs must be > 0 and below --stale-secs",
        );
        check(
            self.send_queue >= 16 && self.send_queue_max >= self.send_queue,
            "--send-queue must be at least 16 and --send-queue-max at least --send-queue",
        );
        check(
            self.max_indicators_per_conn > 0 && self.rate_limit_per_sec > 0,
            "--max-indicators-per-conn and --rate-limit-per-sec must be > 0",
        );
        check(
            self.max_message_bytes >= 1024,
            "--max-message-bytes must be at least 1024",
        );
        check(
            self.drain_spread < self.drain,
            "--drain-spread-ms must be below --drain-secs",
        );
        check(
            !self.liveness.is_zero() && self.resume_window >= self.liveness,
            "--liveness-secs must be > 0 and at most --resume-window-secs",
        );
        check(
            self.watch_ttl >= Duration::from_secs(3),
            "--watch-ttl-secs must be at least 3",
        );
        if problems.is_empty() {
            Ok(())
        } else {
            Err(ConfigError { problems })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Config {
        let mut all = vec!["gateway"];
        all.extend_from_slice(args);
        Cli::try_parse_from(all).expect("flags parse").config
    }

    // Shows the defaults with a key are valid, and flags in seconds and ms become Durations.
    #[test]
    fn defaults_and_units() {
        let c = parse(&[
            "--jwt-secret",
            "0123456789abcdef",
            "--drain-spread-ms",
            "250",
        ]);
        assert_eq!(c.validate(), Ok(()));
        assert_eq!(c.heartbeat, Duration::from_secs(30));
        assert_eq!(c.drain_spread, Duration::from_millis(250));
        assert_eq!(c.gateway_id(), None);
        assert_eq!(
            parse(&["--gateway-id", ""]).gateway_id(),
            None,
            "blank: random"
        );
        assert_eq!(parse(&["--gateway-id", "gw_a"]).gateway_id(), Some("gw_a"));
        assert!(Cli::try_parse_from(["gateway", "--heartbeat-secs", "1.5"]).is_err());
    }

    // Shows every problem is reported at once, each naming its flag.
    #[test]
    fn every_problem_at_once() {
        let c = parse(&[
            "--redis-url",
            "http://x",
            "--heartbeat-secs",
            "400",
            "--send-queue",
            "4",
            "--drain-secs",
            "1",
            "--watch-ttl-secs",
            "1",
        ]);
        let e = c.validate().unwrap_err();
        let flags = [
            "JWT key",
            "--redis-url",
            "--heartbeat-secs",
            "--send-queue",
            "--drain-spread-ms",
            "--watch-ttl-secs",
        ];
        assert_eq!(e.problems.len(), flags.len(), "{e}");
        for (problem, flag) in e.problems.iter().zip(flags) {
            assert!(problem.contains(flag), "{problem} names {flag}");
        }
        let short = parse(&["--jwt-secret", "short"]).validate().unwrap_err();
        assert_eq!(short.problems, ["the JWT key must be at least 16 bytes"]);
    }
}
