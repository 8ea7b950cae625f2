//! The real binaries: the token command, start-up refusal without a key, SIGTERM drain, and the
//! computer with its built-in simulator.

use integration::*;
use redis::AsyncCommands;
use serde_json::json;
use std::time::Duration;

// `gateway token` prints a token the gateway accepts, for the given user and session.
#[test]
fn token_command_prints_a_valid_token() {
    let out = std::process::Command::new(bin("gateway"))
        .args([
            "token",
            "--email",
            "dev@x.com",
            "--session",
            "tab7",
            "--ttl",
            "60",
        ])
        .env("JWT_SECRET", SECRET)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8(out.stdout).unwrap();
    let who = shared::auth::Verifier::new(SECRET.as_bytes())
        .verify(token.trim())
        .unwrap();
    assert_eq!(
        (who.user_id.as_str(), who.session_id.as_str()),
        ("dev@x.com", "tab7")
    );
}

// Without a JWT key the gateway refuses to start and says why (and every other problem too).
#[test]
fn gateway_refuses_to_start_without_a_key() {
    let out = std::process::Command::new(bin("gateway"))
        .args(["--listen", "127.0.0.1:0", "--heartbeat-secs", "0"])
        .env_remove("JWT_SECRET")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("JWT") && err.contains("heartbeat"), "{err}");
}

// Shows `computer compute` takes a subscribe's JSON list, writes TA-Lib's columns, and refuses a
// bad name with one line naming it and exit code 2.
#[test]
fn compute_takes_a_spec_and_refuses_bad_names_with_exit_2() {
    let dir = std::env::temp_dir().join(format!("isc-compute-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("candles.csv");
    let mut csv = String::from("time,open,high,low,close,volume\n");
    for i in 0..30 {
        let close = 100.0 + f64::from(i % 7);
        csv.push_str(&format!(
            "{},{close},{},{},{close},10\n",
            1_762_257_600_000i64 + i64::from(i) * 60_000,
            close + 1.0,
            close - 1.0
        ));
    }
    std::fs::write(&input, csv).unwrap();
    let run = |spec: &str| {
        std::process::Command::new(bin("computer"))
            .args(["compute", "--input"])
            .arg(&input)
            .args(["--spec", spec])
            .output()
            .expect("computer runs")
    };
    let ok = run(r#"[{"name": "RSI", "params": {"length": 5}}, "SMA_3"]"#);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let out = String::from_utf8(ok.stdout).unwrap();
    assert_eq!(out.lines().next(), Some("time,RSI_5,SMA_3"));
    assert_eq!(out.lines().count(), 31);
    let bad = run(r#"[{"name": "NOPE"}]"#);
    assert_eq!(bad.status.code(), Some(2));
    let err = String::from_utf8(bad.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("NOPE"), "{err}");
    // A bad row: one line naming the file and the row, exit 2.
    let broken = dir.join("broken.csv");
    std::fs::write(
        &broken,
        "time,open,high,low,close,volume\n1,2,3,1,2,5\n2,2,x,1,2,5\n",
    )
    .unwrap();
    let bad = std::process::Command::new(bin("computer"))
        .args(["compute", "--input"])
        .arg(&broken)
        .args(["--indicators", "SMA_3"])
        .output()
        .expect("computer runs");
    assert_eq!(bad.status.code(), Some(2));
    let err = String::from_utf8(bad.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("broken.csv") && err.contains("line 3"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

// SIGTERM: the gateway closes its sessions with 1001, removes their Redis entries and exits 0.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_drains_and_exits() {
    let redis = Redis::start().await.unwrap();
    let (mut child, addr) = spawn_gateway(&redis, &["--drain-spread-ms", "500"])
        .await
        .unwrap();
    let mut c = Client::connect_addr(addr, &token("a@x.com", "s"))
        .await
        .unwrap();
    c.subscribe_ok("NIFTY50", "5min", json!(["RSI_14"])).await;
    assert_eq!(redis.keys("ws_conn:*").await.unwrap().len(), 1);
    signal(&child, "TERM");
    assert_eq!(c.until_closed(Duration::from_secs(5)).await, Some(1001));
    let status = tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success(), "{status}");
    // The session outlives the drained connection for the resume window, and nothing else of
    // the gateway does.
    let conns = redis.keys("ws_conn:*").await.unwrap();
    assert_eq!(conns.len(), 1);
    let mut r = redis.conn().await.unwrap();
    let state: String = r.hget(&conns[0], "state").await.unwrap();
    assert_eq!(state, "detached");
    let detached: Vec<String> = r.zrange("detached_sessions", 0, -1).await.unwrap();
    assert_eq!(detached, [conns[0].trim_start_matches("ws_conn:")]);
    assert!(redis.keys("gateway_*").await.unwrap().is_empty());
    let gateways: Vec<String> = r.zrange("gateways", 0, -1).await.unwrap();
    assert!(gateways.is_empty());
}

// `computer simulate` writes ticks as a feed would, and the `computer` binary turns them into
// candles.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simulator_feeds_the_computer() {
    let redis = Redis::start().await.unwrap();
    let spawn = |args: &[&str]| spawn_computer(&redis, args).unwrap();
    let mut sim = spawn(&[
        "simulate",
        "--symbols",
        "SIMA,SIMB",
        "--tick-rate",
        "20",
        "--duration-secs",
        "2",
    ]);
    let _computer = spawn(&[]);
    assert!(
        tokio::time::timeout(Duration::from_secs(10), sim.wait())
            .await
            .unwrap()
            .unwrap()
            .success()
    );
    let mut c = redis.conn().await.unwrap();
    let symbols: Vec<String> = redis::cmd("SMEMBERS")
        .arg("symbols")
        .query_async(&mut c)
        .await
        .unwrap();
    assert_eq!(symbols.len(), 2);
    let len: u64 = redis::cmd("XLEN")
        .arg("ticks:{SIMA}")
        .query_async(&mut c)
        .await
        .unwrap();
    assert!(len >= 20, "only {len} ticks");
    let built = eventually(Duration::from_secs(10), || async {
        let mut c = redis.conn().await.unwrap();
        let n: u64 = redis::cmd("HLEN")
            .arg("candle_forming:{SIMB}")
            .query_async(&mut c)
            .await
            .unwrap();
        n == 10
    })
    .await;
    assert!(
        built,
        "the computer built no candles from the simulated ticks"
    );
}

// A gateway killed with SIGKILL leaves its sessions in Redis; another gateway removes them
// once the resume window has passed, not before, and not while the first one is alive.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dead_gateway_sessions_are_reaped_after_the_window() {
    let redis = Redis::start().await.unwrap();
    let timing = ["--resume-window-secs", "3", "--liveness-secs", "1"];
    let (mut victim, addr) = spawn_gateway(&redis, &timing).await.unwrap();
    let _survivor = Gateway::start(&redis, &timing).await.unwrap();
    let mut c = Client::connect_addr(addr, &token("a@x.com", "s"))
        .await
        .unwrap();
    c.subscribe_ok("NIFTY50", "5min", json!(["RSI_14", "SMA_20"]))
        .await;
    let session_keys = || async { redis.session_keys().await.len() };
    // Alive for longer than the window: nothing is touched.
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(session_keys().await, 3);
    victim.kill().await.unwrap();
    let killed = tokio::time::Instant::now();
    drop(c);
    // Within the window after the death: still there (the client could come back).
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        session_keys().await,
        3,
        "removed before the resume window passed"
    );
    let gone = eventually(Duration::from_secs(10), || async {
        session_keys().await == 0
    })
    .await;
    assert!(gone, "the dead gateway's sessions were never removed");
    assert!(killed.elapsed() >= Duration::from_secs(3));
    assert!(redis.keys("gateway_conns:*").await.unwrap().is_empty());
}

// A computer paused (SIGSTOP) loses its symbol to another computer; when it wakes up (SIGCONT)
// the fencing check refuses its writes: clients never see a seq twice or going back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paused_computer_is_fenced_after_it_wakes_up() {
    let redis = Redis::start().await.unwrap();
    let spawn = |id: &str| {
        spawn_computer(&redis, &[&["--computer-id", id], FAST_COMPUTER].concat()).unwrap()
    };
    let owner = || redis.lease_owner("PAUSE");
    let ticks = Ticks::start(&redis, &["PAUSE"], Duration::from_millis(20));
    let first = spawn("first");
    assert!(
        eventually(Duration::from_secs(10), || async {
            owner().await.as_deref() == Some("first")
        })
        .await
    );
    let _second = spawn("second");
    let gw = Gateway::start(&redis, &[]).await.unwrap();
    let mut c = Client::connect(&gw, &token("a@x.com", "s")).await.unwrap();
    c.subscribe_ok("PAUSE", "1min", json!(["SMA_5"])).await;
    c.expect_update(Duration::from_secs(10)).await;

    signal(&first, "STOP");
    assert!(
        eventually(Duration::from_secs(10), || async {
            owner().await.as_deref() == Some("second")
        })
        .await
    );
    c.drain_for(Duration::from_secs(1)).await;
    signal(&first, "CONT");
    c.drain_for(Duration::from_secs(3)).await;
    ticks.stop();
    let seqs: Vec<u64> = c.updates().map(|u| u["seq"].as_u64().unwrap()).collect();
    assert!(seqs.len() > 50, "too few updates: {}", seqs.len());
    assert!(
        strictly_increasing(&seqs),
        "a seq repeated or went back: {seqs:?}"
    );
    assert_eq!(
        owner().await.as_deref(),
        Some("second"),
        "the woken computer took the symbol back"
    );
}
