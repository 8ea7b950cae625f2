//! Revocation (`gateway revoke`): live connections of a revoked token close with 1008 on every
//! gateway within a second, the token is refused at connect (401 `token_revoked`), in
//! `refresh` and after a gateway restart; a later login gets in; `--list` shows what is in
//! force.

use integration::*;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

fn token(claims: &Value) -> String {
    shared::auth::sign(SECRET.as_bytes(), claims)
}

fn claims(email: &str, session: &str, jti: &str, iat: u64) -> Value {
    json!({"email": email, "session_id": session, "jti": jti, "iat": iat, "exp": iat + 600})
}

/// Runs `gateway revoke ARGS` against `redis`; its output.
async fn revoke(redis: &Redis, args: &[&str]) -> String {
    use clap::Parser;
    let mut argv = vec!["gateway", "--redis-url", &redis.url, "revoke"];
    argv.extend_from_slice(args);
    let cli = gateway::Cli::try_parse_from(argv).unwrap();
    let Some(gateway::Command::Revoke(args)) = &cli.command else {
        panic!("not a revoke command")
    };
    gateway::revoke(&cli.config, args).await.unwrap()
}

// A user's, a session's and a jti's revocation close exactly the matching live connections on
// both gateways within about a second, and refuse those tokens from then on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revocations_close_and_refuse_across_gateways() {
    let s = Stack::start(&[]).await;
    let gw2 = Gateway::start(&s.redis, &[]).await.unwrap();
    let now = shared::auth::now_secs();
    let a1 = token(&claims("a@x.com", "s1", "ja1", now));
    let a2 = token(&claims("a@x.com", "s2", "ja2", now));
    let b = token(&claims("b@x.com", "s3", "jb", now));
    let c1 = token(&claims("c@x.com", "s4", "jc1", now));
    let c2 = token(&claims("c@x.com", "s4", "jc2", now));
    let mut on1 = Client::connect(&s.gw, &a1).await.unwrap();
    let mut on2 = Client::connect(&gw2, &a2).await.unwrap();
    let mut other = Client::connect(&s.gw, &b).await.unwrap();
    let mut jc1 = Client::connect(&gw2, &c1).await.unwrap();
    let mut jc2 = Client::connect(&s.gw, &c2).await.unwrap();

    let out = revoke(&s.redis, &["--user", "a@x.com"]).await;
    assert!(out.starts_with("revoked user:a@x.com until "), "{out}");
    let t = Instant::now();
    assert_eq!(on1.until_closed(Duration::from_secs(3)).await, Some(1008));
    assert_eq!(on2.until_closed(Duration::from_secs(3)).await, Some(1008));
    let took = t.elapsed();
    assert!(took < Duration::from_millis(1500), "closed after {took:?}");
    for gw in [&s.gw, &gw2] {
        let (status, body) = upgrade_reply(gw, &a1).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (401, Some("token_revoked"))
        );
    }
    // Signing in again afterwards gets in.
    let later = token(&claims("a@x.com", "s1", "ja3", now + 1));
    let mut again = Client::connect(&s.gw, &later).await.unwrap();
    // Refreshing to a revoked token is refused; the connection keeps going.
    again
        .expect_error(json!({"action": "refresh", "token": a2}), "invalid_token")
        .await;

    revoke(&s.redis, &["--jti", "jc1", "--ttl-secs", "60"]).await;
    assert_eq!(jc1.until_closed(Duration::from_secs(3)).await, Some(1008));
    revoke(&s.redis, &["--session", "s3"]).await;
    assert_eq!(other.until_closed(Duration::from_secs(3)).await, Some(1008));
    jc2.assert_alive().await;
    again.assert_alive().await;

    let list = revoke(&s.redis, &["--list"]).await;
    let fields: Vec<&str> = list.lines().map(|l| l.split(' ').next().unwrap()).collect();
    assert_eq!(fields, ["jti:jc1", "session:s3", "user:a@x.com"], "{list}");

    // A gateway started afterwards refuses them too: the entries are in Redis.
    let gw3 = Gateway::start(&s.redis, &[]).await.unwrap();
    assert_eq!(upgrade_reply(&gw3, &c1).await.0, 401);
    assert!(Client::connect(&gw3, &c2).await.is_ok());
}
