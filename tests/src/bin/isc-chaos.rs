//! `isc-chaos`: a soak under fault injection (`scripts/chaos.sh` runs it).
//!
//! Starts a private Redis, the simulator (accelerated clock: a 1min candle closes every second),
//! several gateways and computers as real processes, and a few hundred sessions that subscribe,
//! and resume after every disconnect. Every few seconds it SIGKILLs a random gateway or computer
//! and starts it again. At the end it checks, per session, every final update it should have
//! received (every 1min candle that closed while it lived, from Redis) against what it
//! received and what the server reported as not recovered (`recovered: false`), and the Redis
//! keys against the baseline. Exits 1 on any silent gap or leaked key.

use anyhow::{Context, Result, bail};
use clap::Parser;
use futures::{SinkExt, StreamExt};
use integration::{Redis, SECRET, bin, eventually, http_get, token};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::net::SocketAddr;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::process::{Child, Command};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;
use tokio_util::sync::CancellationToken;

#[derive(Parser, Debug)]
#[command(
    name = "isc-chaos",
    about = "Soak the cluster while killing its processes"
)]
struct Args {
    /// How long processes are killed (then the run settles and is checked).
    #[arg(long, default_value_t = 180)]
    secs: u64,
    #[arg(long, default_value_t = 300)]
    sessions: usize,
    #[arg(long, default_value_t = 2)]
    gateways: usize,
    #[arg(long, default_value_t = 2)]
    computers: usize,
    #[arg(long, default_value_t = 4)]
    symbols: usize,
    /// Mean time between kills (ms); each kill is followed by a restart 1 s later.
    #[arg(long, default_value_t = 4000)]
    kill_every_ms: u64,
    #[arg(long, default_value_t = 10)]
    resume_window_secs: u64,
    /// Print every session's line (otherwise only those with a gap).
    #[arg(long)]
    verbose: bool,
    /// Run on a private 3-node Redis Cluster instead of one server.
    #[arg(long)]
    cluster: bool,
}

const IDS: [&str; 2] = ["SMA_5", "EMA_10"];
const TF: &str = "1min";

#[derive(Default)]
struct Stats {
    symbol: String,
    /// (indicator, seq) seen: duplicates (allowed by SPEC 3) are dropped by these.
    seen: HashSet<(String, u64)>,
    /// Distinct finals received: indicator -> candle times.
    finals: BTreeMap<String, BTreeSet<String>>,
    /// Candle times after which the server said it could not recover (the next final received
    /// closes the reported span).
    reported_open: bool,
    reported: Vec<(Option<String>, Option<String>)>,
    last_final: Option<String>,
    resumes: u32,
    resumes_lost: u32,
    /// When each update arrived (for the time back to streaming after a kill).
    arrivals: Vec<Instant>,
    per_seq: BTreeMap<u64, usize>,
}

impl Stats {
    fn last_seq(&self) -> Option<u64> {
        self.per_seq
            .iter()
            .rev()
            .find(|(_, n)| **n == IDS.len())
            .map(|(s, _)| *s)
    }

    fn report_gap(&mut self) {
        if !self.reported_open {
            self.reported_open = true;
            self.reported.push((self.last_final.clone(), None));
        }
    }
}

fn free_addr() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], integration::free_port()))
}

struct Procs {
    redis_url: String,
    window: u64,
    gateways: Vec<(SocketAddr, Option<Child>)>,
    computers: Vec<Option<Child>>,
}

impl Procs {
    fn gateway(&self, addr: SocketAddr) -> Result<Child> {
        let window = self.window.to_string();
        Ok(Command::new(bin("gateway"))
            .args([
                "--listen",
                &addr.to_string(),
                "--redis-url",
                &self.redis_url,
            ])
            .args(["--resume-window-secs", &window, "--liveness-secs", "2"])
            .env("JWT_SECRET", SECRET)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()?)
    }

    fn computer(&self) -> Result<Child> {
        Ok(Command::new(bin("computer"))
            .args(["--redis-url", &self.redis_url])
            .args(["--lease-ttl-ms", "2000", "--maintenance-ms", "500"])
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()?)
    }
}

fn kill(child: &Child) {
    if let Some(pid) = child.id() {
        let _ = std::process::Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status();
    }
}

fn random(n: usize) -> usize {
    (uuid_like() % n as u128) as usize
}

fn uuid_like() -> u128 {
    // Hash of a fresh RandomState: std's per-process random keys, no extra crate.
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(0);
    u128::from(h.finish())
}

async fn session(
    i: usize,
    addrs: Arc<Vec<SocketAddr>>,
    stats: Arc<Mutex<Stats>>,
    stop: CancellationToken,
) {
    let user = format!("chaos{i}@x.com");
    let symbol = stats.lock().unwrap().symbol.clone();
    let pair = format!("{symbol}:{TF}");
    let mut held: Option<(String, String)> = None;
    while !stop.is_cancelled() {
        let addr = addrs[random(addrs.len())];
        let url = format!(
            "ws://{addr}/indicators/v2/stream?token={}",
            token(&user, "chaos")
        );
        let Ok(Ok((mut ws, _))) = tokio::time::timeout(
            Duration::from_secs(2),
            tokio_tungstenite::connect_async(url),
        )
        .await
        else {
            tokio::time::sleep(Duration::from_millis(100 + random(200) as u64)).await;
            continue;
        };
        let request = match &held {
            Some((id, tok)) => {
                let last = stats.lock().unwrap().last_seq();
                json!({"action": "resume", "id": "r", "ws_conn_id": id, "resume_token": tok,
                       "last_seq": last.map(|l| json!({ &pair: l })).unwrap_or(json!({}))})
            }
            None => json!({"action": "subscribe", "id": "s", "symbol": symbol, "timeframe": TF,
                           "indicators": IDS}),
        };
        let mut sent = false;
        loop {
            let frame = tokio::select! {
                _ = stop.cancelled() => {
                    let _ = ws.close(None).await;
                    return;
                }
                f = ws.next() => f,
            };
            let Some(Ok(Message::Text(text))) = frame else {
                if matches!(frame, Some(Ok(_))) {
                    continue;
                }
                break;
            };
            let m: Value = serde_json::from_str(text.as_str()).unwrap_or(Value::Null);
            if m["type"] == "connected" && !sent {
                if held.is_none() {
                    held = Some((
                        m["ws_conn_id"].as_str().unwrap_or("").to_owned(),
                        m["resume_token"].as_str().unwrap_or("").to_owned(),
                    ));
                }
                if ws.send(Message::text(request.to_string())).await.is_err() {
                    break;
                }
                sent = true;
                continue;
            }
            if m["type"] == "error" && m["id"] == "r" {
                // The session is gone: start a new one, and say the gap was reported.
                {
                    let mut st = stats.lock().unwrap();
                    st.resumes_lost += 1;
                    st.report_gap();
                }
                held = None;
                let _ = ws.close(None).await;
                break;
            }
            let mut st = stats.lock().unwrap();
            match m["type"].as_str().unwrap_or("") {
                "success" if m["id"] == "r" => {
                    st.resumes += 1;
                    if m["data"]["recovered"] != true {
                        st.resumes_lost += 1;
                        st.report_gap();
                    }
                }
                "resync" if m["recovered"] == false => st.report_gap(),
                "indicator_update" => {
                    st.arrivals.push(Instant::now());
                    let id = m["indicator_id"].as_str().unwrap_or("").to_owned();
                    let seq = m["seq"].as_u64().unwrap_or(0);
                    if !st.seen.insert((id.clone(), seq)) {
                        continue;
                    }
                    *st.per_seq.entry(seq).or_default() += 1;
                    if st.per_seq.len() > 64 {
                        let first = *st.per_seq.keys().next().unwrap();
                        st.per_seq.remove(&first);
                    }
                    if m["final"] == true {
                        let t = m["candle_time"].as_str().unwrap_or("").to_owned();
                        if st.reported_open {
                            st.reported_open = false;
                            if let Some(span) = st.reported.last_mut() {
                                span.1 = Some(t.clone());
                            }
                        }
                        st.last_final = Some(t.clone());
                        st.finals.entry(id).or_default().insert(t);
                    }
                }
                _ => {}
            }
        }
        tokio::time::sleep(Duration::from_millis(50 + random(250) as u64)).await;
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> Result<()> {
    let args = Args::parse();
    let redis = if args.cluster {
        Redis::start_cluster().await?
    } else {
        Redis::start().await?
    };
    let symbols: Vec<String> = (0..args.symbols).map(|i| format!("CHAOS{i}")).collect();
    let mut procs = Procs {
        redis_url: redis.url.clone(),
        window: args.resume_window_secs,
        gateways: Vec::new(),
        computers: Vec::new(),
    };
    let simulator = Command::new(bin("computer"))
        .args([
            "--redis-url",
            &redis.url,
            "simulate",
            "--symbols",
            &symbols.join(","),
        ])
        .args(["--tick-rate", "20", "--time-scale", "60"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .context("starting the simulator")?;
    for _ in 0..args.computers {
        let c = procs.computer()?;
        procs.computers.push(Some(c));
    }
    for _ in 0..args.gateways {
        let addr = free_addr();
        let g = procs.gateway(addr)?;
        procs.gateways.push((addr, Some(g)));
    }
    for (addr, _) in &procs.gateways {
        let addr = *addr;
        let up = eventually(Duration::from_secs(20), || async move {
            http_get(addr, "/readyz")
                .await
                .map(|r| r.0 == 200)
                .unwrap_or(false)
        })
        .await;
        if !up {
            bail!("gateway {addr} did not become ready");
        }
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mut r = redis.any_conn().await?;
    let baseline: BTreeSet<String> = redis::cmd("KEYS").arg("*").query_async(&mut r).await?;

    let addrs = Arc::new(procs.gateways.iter().map(|g| g.0).collect::<Vec<_>>());
    let stop = CancellationToken::new();
    let mut all = Vec::new();
    let mut tasks = Vec::new();
    for i in 0..args.sessions {
        let stats = Arc::new(Mutex::new(Stats {
            symbol: symbols[i % symbols.len()].clone(),
            ..Stats::default()
        }));
        all.push(stats.clone());
        tasks.push(tokio::spawn(session(i, addrs.clone(), stats, stop.clone())));
    }
    println!(
        "chaos: {} sessions on {} gateways, {} computers, {} symbols, {}; killing for {} s",
        args.sessions,
        args.gateways,
        args.computers,
        args.symbols,
        if args.cluster {
            "3-node Redis Cluster"
        } else {
            "one Redis"
        },
        args.secs
    );

    // Kill a random gateway or computer every few seconds, restart it a second later.
    let started = Instant::now();
    let mut kills: Vec<(Instant, String)> = Vec::new();
    while started.elapsed() < Duration::from_secs(args.secs) {
        let jitter = args.kill_every_ms / 2 + random(args.kill_every_ms as usize) as u64;
        tokio::time::sleep(Duration::from_millis(jitter)).await;
        let n = procs.gateways.len() + procs.computers.len();
        let pick = random(n);
        let what = if pick < procs.gateways.len() {
            let (addr, child) = &mut procs.gateways[pick];
            if let Some(c) = child.take() {
                kill(&c);
            }
            kills.push((Instant::now(), format!("gateway {addr}")));
            tokio::time::sleep(Duration::from_secs(1)).await;
            let addr = *addr;
            procs.gateways[pick].1 = Some(procs.gateway(addr)?);
            format!("gateway {addr}")
        } else {
            let k = pick - procs.gateways.len();
            if let Some(c) = procs.computers[k].take() {
                kill(&c);
            }
            kills.push((Instant::now(), format!("computer {k}")));
            tokio::time::sleep(Duration::from_secs(1)).await;
            procs.computers[k] = Some(procs.computer()?);
            format!("computer {k}")
        };
        println!(
            "  {:>6.1} s  killed {what}",
            started.elapsed().as_secs_f64()
        );
    }

    // Settle: everything delivered, then no candle closes any more.
    tokio::time::sleep(Duration::from_secs(4)).await;
    drop(simulator);
    tokio::time::sleep(Duration::from_secs(3)).await;
    let mut closed: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for s in &symbols {
        let raw: Vec<Vec<u8>> = redis::cmd("LRANGE")
            .arg(format!("candles:{{{s}}}:{TF}"))
            .arg(0)
            .arg(-1)
            .query_async(&mut r)
            .await?;
        let times = raw
            .iter()
            .filter_map(|b| shared::update::decode::<shared::indicators::Candle>(b).ok())
            .map(|c| shared::clock::rfc3339_millis(c.time))
            .collect();
        closed.insert(s.clone(), times);
    }
    stop.cancel();
    for t in tasks {
        let _ = t.await;
    }

    // Per session: expected finals (every candle that closed from its first final on) against
    // received and reported-as-not-recovered ones.
    let (mut expected_total, mut received_total, mut reported_total, mut silent_total) =
        (0usize, 0usize, 0usize, 0usize);
    let mut updates_total = 0usize;
    let mut resumes_total = 0u32;
    let mut lines = Vec::new();
    for (i, st) in all.iter().enumerate() {
        let st = st.lock().unwrap();
        updates_total += st.seen.len();
        resumes_total += st.resumes;
        let candles = &closed[&st.symbol];
        let first = st
            .finals
            .values()
            .filter_map(|f| f.iter().next())
            .min()
            .cloned();
        let (mut expected, mut received, mut reported, mut silent) = (0, 0, 0, 0);
        if let Some(first) = first {
            for id in IDS {
                let got = st.finals.get(id);
                for t in candles.iter().filter(|t| **t >= first) {
                    expected += 1;
                    if got.is_some_and(|g| g.contains(t)) {
                        received += 1;
                    } else if st.reported.iter().any(|(from, to)| {
                        from.as_ref().is_none_or(|f| t > f) && to.as_ref().is_none_or(|u| t < u)
                    }) {
                        reported += 1;
                    } else {
                        silent += 1;
                    }
                }
            }
        } else {
            silent += 1; // a session that never got a final at all
        }
        expected_total += expected;
        received_total += received;
        reported_total += reported;
        silent_total += silent;
        if args.verbose || silent > 0 {
            lines.push(format!(
                "  session {i:>3} {:<8} expected {expected:>4} received {received:>4} not recovered {reported:>3} silent {silent:>3} resumes {} (lost {})",
                st.symbol, st.resumes, st.resumes_lost
            ));
        }
    }
    for l in &lines {
        println!("{l}");
    }

    // Time back to streaming: per kill, until every session got an update again.
    let mut back = Vec::new();
    for (at, _) in &kills {
        let mut worst = Duration::ZERO;
        for st in &all {
            let st = st.lock().unwrap();
            if let Some(t) = st.arrivals.iter().find(|t| *t > at) {
                worst = worst.max(*t - *at);
            }
        }
        back.push(worst);
    }
    back.sort();

    // Keys: after the window, nothing of the sessions remains.
    tokio::time::sleep(Duration::from_secs(args.resume_window_secs + 4)).await;
    let keys: Vec<String> = redis::cmd("KEYS").arg("*").query_async(&mut r).await?;
    let leaked: Vec<&String> = keys
        .iter()
        .filter(|k| {
            ["ws_conn:", "indicator_subscribers:", "detached_sessions"]
                .iter()
                .any(|p| k.starts_with(p))
        })
        .collect();
    let gateway_conns: usize = keys
        .iter()
        .filter(|k| k.starts_with("gateway_conns:"))
        .count();
    // New keys by kind: those with a TTL go by themselves; of the others, only the per-symbol
    // state (seq continuity, initial values, capped candle lists: bounded by the symbol count)
    // may stay.
    let mut new_keys: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut persistent_unexpected = Vec::new();
    for k in keys.iter().filter(|k| !baseline.contains(*k)) {
        let ttl: i64 = redis::cmd("PTTL").arg(k).query_async(&mut r).await?;
        let kind = k.split([':', '{']).next().unwrap_or("").to_owned();
        let e = new_keys.entry(kind.clone()).or_default();
        if ttl >= 0 {
            e.1 += 1;
        } else {
            e.0 += 1;
            if ![
                "seq",
                "indicator_state",
                "candles",
                "candle_forming",
                "gateways",
                "computers",
            ]
            .contains(&kind.as_str())
            {
                persistent_unexpected.push(k.clone());
            }
        }
    }

    println!(
        "chaos: {} kills survived; {} sessions; {} updates delivered; finals expected {}, received {}, reported not recovered {}, silent gaps {}; {} resumes",
        kills.len(),
        args.sessions,
        updates_total,
        expected_total,
        received_total,
        reported_total,
        silent_total,
        resumes_total
    );
    println!(
        "chaos: back to streaming after a kill: p50 {:?}, max {:?}",
        percentile(&back, 0.5),
        back.last().copied().unwrap_or_default()
    );
    println!(
        "chaos: Redis keys {} (baseline {}), session keys left {}, gateway_conns left {}",
        keys.len(),
        baseline.len(),
        leaked.len(),
        gateway_conns
    );
    for (kind, (persistent, expiring)) in &new_keys {
        println!("  new since baseline: {kind:<24} {persistent} without TTL, {expiring} expiring");
    }
    if !persistent_unexpected.is_empty() {
        println!("leaked (no TTL): {persistent_unexpected:?}");
    }
    if silent_total > 0
        || !leaked.is_empty()
        || gateway_conns > 0
        || !persistent_unexpected.is_empty()
    {
        if !leaked.is_empty() {
            println!("leaked: {:?}", &leaked[..leaked.len().min(20)]);
        }
        println!("chaos: FAILED");
        // exit() skips destructors: stop every process (and Redis) first.
        drop(procs);
        drop(redis);
        std::process::exit(1);
    }
    println!("chaos: OK");
    Ok(())
}
