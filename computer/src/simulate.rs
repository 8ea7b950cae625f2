//! `computer simulate`: a random-walk market that writes ticks exactly as a real feed would
//! (SPEC section 2): `SADD symbols S` once, then `XADD ticks:{S} MAXLEN ~ 100000 * ts .. price .. volume ..`.

use crate::config::SimulateArgs;
use redis::RedisError;
use shared::symbol::{InvalidSymbol, Symbol};
use shared::{clock, keys};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Why `computer simulate` failed.
#[derive(Debug, thiserror::Error)]
pub enum SimulateError {
    #[error("--symbols")]
    Symbol(#[source] InvalidSymbol),
    #[error("--symbols is empty")]
    NoSymbols,
    #[error("--time-scale must be in [1, 100000]")]
    TimeScale,
    #[error("--tick-rate must be in (0, 10000]")]
    TickRate,
    #[error("--redis-url: {0}")]
    RedisUrl(#[from] shared::redis_conn::InvalidTarget),
    #[error("connecting to Redis")]
    Connect(#[source] RedisError),
    #[error(transparent)]
    Redis(#[from] RedisError),
}

/// xorshift64*: tiny, deterministic, good enough for a demo walk.
struct Rng(u64);

impl Rng {
    fn next_f64(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// `computer simulate`: writes ticks until `shutdown` (or `--duration-secs`).
pub async fn run(
    args: SimulateArgs,
    redis_url: &str,
    shutdown: CancellationToken,
) -> Result<(), SimulateError> {
    let symbols: Vec<Symbol> = args
        .symbols
        .iter()
        .map(|s| Symbol::parse(s.trim()))
        .collect::<Result<_, _>>()
        .map_err(SimulateError::Symbol)?;
    if symbols.is_empty() {
        return Err(SimulateError::NoSymbols);
    }
    if !(1..=100_000).contains(&args.time_scale) {
        return Err(SimulateError::TimeScale);
    }
    let start = clock::now_ms();
    let scale = i64::from(args.time_scale);
    if !(args.tick_rate > 0.0 && args.tick_rate <= 10_000.0) {
        return Err(SimulateError::TickRate);
    }
    let target = shared::redis_conn::Target::parse(redis_url).map_err(SimulateError::RedisUrl)?;
    let mut conn = target.connect().await.map_err(SimulateError::Connect)?;
    let mut rng = Rng(args.seed.max(1));
    let mut prices: Vec<f64> = symbols
        .iter()
        .map(|s| 100.0 + (s.as_str().bytes().map(u64::from).sum::<u64>() % 200) as f64 * 100.0)
        .collect();
    let mut pipe = redis::pipe();
    for s in &symbols {
        pipe.sadd(keys::SYMBOLS, s.as_str()).ignore();
    }
    let () = pipe.query_async(&mut conn).await?;
    tracing::info!(
        symbols = symbols.len(),
        tick_rate = args.tick_rate,
        "simulating"
    );
    let mut interval = tokio::time::interval(Duration::from_secs_f64(1.0 / args.tick_rate));
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let deadline = (args.duration_secs > 0)
        .then(|| tokio::time::Instant::now() + Duration::from_secs(args.duration_secs));
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return Ok(()),
            _ = interval.tick() => {}
        }
        if deadline.is_some_and(|d| tokio::time::Instant::now() >= d) {
            return Ok(());
        }
        let ts = start + (clock::now_ms() - start) * scale;
        let mut pipe = redis::pipe();
        for (s, p) in symbols.iter().zip(prices.iter_mut()) {
            // ~0.05% steps, kept positive; prices have two decimals like a real feed.
            *p = (*p * (1.0 + (rng.next_f64() - 0.5) * 0.001)).max(0.05);
            let price = (*p * 100.0).round() / 100.0;
            let volume = 1 + (rng.next_f64() * 100.0) as u64;
            pipe.cmd("XADD")
                .arg(keys::ticks(s.as_str()))
                .arg("MAXLEN")
                .arg("~")
                .arg(100_000)
                .arg("*")
                .arg("ts")
                .arg(ts)
                .arg("price")
                .arg(format!("{price:.2}"))
                .arg("volume")
                .arg(volume)
                .ignore();
        }
        if let Err(e) = pipe.query_async::<()>(&mut conn).await {
            tracing::warn!(cause = %e, "writing ticks failed; retrying on the next tick");
        }
    }
}
