//! `isc-client`: a command-line WebSocket client for the gateway.
//!
//! - print every frame:  `isc-client --url 'ws://127.0.0.1:8081/indicators/v2/stream?token=..' --subscribe NIFTY50:1min:RSI_14,SMA_20`
//! - latency figures:    `... --stats --duration 30` prints compute-to-client latency (now minus the
//!   update's `timestamp`) p50/p99/max over every update received
//! - many idle sockets:  `... --connections 1000 --duration 60 --quiet` (for memory figures)

use clap::Parser;
use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

#[derive(Parser, Debug, Clone)]
#[command(
    name = "isc-client",
    about = "WebSocket client for the indicator stream gateway"
)]
struct Args {
    /// Full stream URL including `?token=`.
    #[arg(long)]
    url: String,
    /// `SYMBOL:TF:ID,ID,...`; repeatable.
    #[arg(long)]
    subscribe: Vec<String>,
    /// Number of connections to open (each makes the same subscriptions).
    #[arg(long, default_value_t = 1)]
    connections: usize,
    /// Stop after this many seconds (0 = until Ctrl-C).
    #[arg(long, default_value_t = 0)]
    duration: u64,
    /// Print latency percentiles instead of frames.
    #[arg(long)]
    stats: bool,
    /// Print nothing per frame.
    #[arg(long)]
    quiet: bool,
}

fn subscribe_messages(specs: &[String]) -> anyhow::Result<Vec<Value>> {
    specs
        .iter()
        .map(|s| {
            let mut parts = s.splitn(3, ':');
            let (Some(symbol), Some(tf), Some(ids)) = (parts.next(), parts.next(), parts.next())
            else {
                anyhow::bail!("--subscribe wants SYMBOL:TF:ID,ID,... (got {s:?})");
            };
            let ids: Vec<&str> = ids.split(',').collect();
            Ok(json!({"action": "subscribe", "symbol": symbol, "timeframe": tf, "indicators": ids}))
        })
        .collect()
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let subs = subscribe_messages(&args.subscribe)?;
    let latencies: Arc<Mutex<Vec<i64>>> = Arc::default();
    let mut tasks = Vec::new();
    for i in 0..args.connections {
        let (mut ws, _) = tokio_tungstenite::connect_async(args.url.as_str()).await?;
        for (k, sub) in subs.iter().enumerate() {
            let mut sub = sub.clone();
            sub["id"] = json!(k);
            ws.send(Message::text(sub.to_string())).await?;
        }
        if (i + 1) % 100 == 0 && args.connections > 1 {
            eprintln!("{} connections open", i + 1);
        }
        let (args, latencies) = (args.clone(), latencies.clone());
        tasks.push(tokio::spawn(async move {
            while let Some(Ok(msg)) = ws.next().await {
                let Message::Text(text) = msg else { continue };
                if args.stats {
                    let v: Value = serde_json::from_str(text.as_str()).unwrap_or_default();
                    if let Some(ts) = v["timestamp"]
                        .as_str()
                        .and_then(shared::clock::parse_rfc3339_micros)
                        && v["type"] == "indicator_update"
                    {
                        latencies
                            .lock()
                            .expect("lock")
                            .push(shared::clock::now_us() - ts);
                    }
                } else if !args.quiet {
                    use std::io::Write;
                    if writeln!(std::io::stdout().lock(), "{text}").is_err() {
                        break; // stdout closed (piped into `head`, ...)
                    }
                }
            }
        }));
    }
    if args.connections > 1 {
        eprintln!("all {} connections open", args.connections);
    }
    let wait = async {
        if args.duration == 0 {
            let _ = tokio::signal::ctrl_c().await;
        } else {
            tokio::time::sleep(Duration::from_secs(args.duration)).await;
        }
    };
    wait.await;
    if args.stats {
        let mut l = latencies.lock().expect("lock").clone();
        l.sort_unstable();
        let pct = |p: f64| {
            l.get(((l.len() as f64 - 1.0) * p).round() as usize)
                .copied()
                .unwrap_or(0) as f64
                / 1000.0
        };
        println!(
            "updates {}  latency ms: p50 {:.3}  p90 {:.3}  p99 {:.3}  max {:.3}",
            l.len(),
            pct(0.5),
            pct(0.9),
            pct(0.99),
            l.last().copied().unwrap_or(0) as f64 / 1000.0
        );
    }
    for t in tasks {
        t.abort();
    }
    Ok(())
}
