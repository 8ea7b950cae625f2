//! JWT rules at the gateway (RFC 8725): claim checks before the upgrade, each with its own
//! 401 code; `refresh` on a live connection; JWKS keys rotated without a restart.

use integration::*;
use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use std::time::Duration;

fn hs256(claims: &Value) -> String {
    shared::auth::sign(SECRET.as_bytes(), claims)
}

// nbf and iat pass within the leeway and are refused beyond it, iss and aud are enforced when
// configured, exp is required, an oversized token is refused unread: each a 401 with its code.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claims_are_checked_before_the_upgrade() {
    let s = Stack::start(&[
        "--jwt-issuer",
        "https://auth.test",
        "--jwt-audience",
        "indicators",
    ])
    .await;
    let now = shared::auth::now_secs();
    let good = json!({"email": "a@x.com", "exp": now + 60, "iat": now,
                      "iss": "https://auth.test", "aud": ["indicators"]});
    let with = |k: &str, v: Value| {
        let mut c = good.clone();
        c[k] = v;
        c
    };
    let without = |k: &str| {
        let mut c = good.clone();
        c.as_object_mut().unwrap().remove(k);
        c
    };
    for claims in [
        good.clone(),
        with("nbf", json!(now + 20)),
        with("iat", json!(now + 20)),
    ] {
        let c = Client::connect(&s.gw, &hs256(&claims)).await;
        assert!(c.is_ok(), "{claims} refused");
    }
    let cases = [
        (with("nbf", json!(now + 120)), "token_not_yet_valid"),
        (with("iat", json!(now + 86_400)), "token_issued_in_future"),
        (with("exp", json!(now - 1)), "token_expired"),
        (without("exp"), "missing_exp"),
        (without("iss"), "invalid_issuer"),
        (with("iss", json!("https://evil.test")), "invalid_issuer"),
        (with("aud", json!("other")), "invalid_audience"),
        (with("sub", json!("x".repeat(20_000))), "token_too_large"),
    ];
    for (claims, code) in cases {
        let (status, body) = upgrade_reply(&s.gw, &hs256(&claims)).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (401, Some(code)),
            "{body}"
        );
        assert!(body["message"].is_string());
    }
    // Refused tokens took nothing down.
    let mut c = Client::connect(&s.gw, &hs256(&good)).await.unwrap();
    c.assert_alive().await;
}

// `refresh` with the same user's new token moves the connection's expiry; another user's or an
// invalid token gets invalid_token and the connection keeps its identity and expiry.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_replaces_the_expiry() {
    let s = Stack::start(&[]).await;
    let now = shared::auth::now_secs();
    let short = |email: &str| hs256(&json!({"email": email, "exp": now + 2, "iat": now}));
    let long = |email: &str| hs256(&json!({"email": email, "exp": now + 600, "iat": now}));
    let mut a = Client::connect(&s.gw, &short("a@x.com")).await.unwrap();
    let mut b = Client::connect(&s.gw, &short("b@x.com")).await.unwrap();

    let r = a
        .request(json!({"action": "refresh", "token": long("a@x.com")}))
        .await
        .unwrap();
    assert_eq!(r["type"], "success", "{r}");
    assert_eq!(
        r["data"]["expires_at"],
        shared::clock::rfc3339_millis((now as i64 + 600) * 1000)
    );
    for token in [long("a@x.com"), "not.a.jwt".to_owned()] {
        b.expect_error(
            json!({"action": "refresh", "token": token}),
            "invalid_token",
        )
        .await;
    }
    // b still expires at its own exp; a outlives it.
    assert_eq!(b.until_closed(Duration::from_secs(5)).await, Some(1008));
    tokio::time::sleep(Duration::from_millis(500)).await;
    a.assert_alive().await;
}

/// Writes the public halves of `keys` (test key file name, kid) as a JWKS.
fn write_jwks(path: &std::path::Path, keys: &[(&str, &str)]) {
    let keys = keys
        .iter()
        .map(|&(name, kid)| {
            let mut jwk = Jwk::from_encoding_key(&private(name), Algorithm::RS256).unwrap();
            jwk.common.key_id = Some(kid.to_owned());
            jwk
        })
        .collect();
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, serde_json::to_vec(&JwkSet { keys }).unwrap()).unwrap();
    std::fs::rename(&tmp, path).unwrap(); // as a deploy swaps the file: never half-written
}

fn private(name: &str) -> EncodingKey {
    let path = format!(
        "{}/fixtures/jwt/{name}_private.pem",
        env!("CARGO_MANIFEST_DIR")
    );
    EncodingKey::from_rsa_pem(&std::fs::read(path).unwrap()).unwrap()
}

fn rs256(key: &str, kid: &str, email: &str) -> String {
    let now = shared::auth::now_secs();
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(kid.to_owned());
    let claims = json!({"email": email, "exp": now + 600, "iat": now});
    jsonwebtoken::encode(&header, &claims, &private(key)).unwrap()
}

// A JWKS gateway accepts each key by kid; replacing the file rotates the keys without a
// restart (the old kid refused, the new one accepted) and leaves open connections alone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jwks_keys_rotate_without_restart() {
    let dir = std::env::temp_dir().join(format!("jwks-gw-{}", free_port()));
    std::fs::create_dir_all(&dir).unwrap();
    let jwks = dir.join("jwks.json");
    write_jwks(&jwks, &[("rsa", "k1")]);
    let s = Stack::start(&["--jwt-jwks", jwks.to_str().unwrap()]).await;
    let mut old = Client::connect(&s.gw, &rs256("rsa", "k1", "a@x.com"))
        .await
        .unwrap();
    let (status, body) = upgrade_reply(&s.gw, &rs256("rsa2", "k2", "a@x.com")).await;
    assert_eq!((status, body["error"].as_str()), (401, Some("unknown_kid")));
    // An HS256 token under a known kid: the key's algorithm, not the token's, decides.
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some("k1".into());
    let now = shared::auth::now_secs();
    let hs = jsonwebtoken::encode(
        &header,
        &json!({"email": "a@x.com", "exp": now + 60}),
        &EncodingKey::from_secret(b"guess"),
    )
    .unwrap();
    let (status, body) = upgrade_reply(&s.gw, &hs).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_algorithm"))
    );

    write_jwks(&jwks, &[("rsa2", "k2")]);
    let rotated = eventually(Duration::from_secs(5), || async {
        upgrade_reply(&s.gw, &rs256("rsa", "k1", "a@x.com")).await.0 == 401
    })
    .await;
    assert!(rotated, "the old key still accepted");
    assert!(
        Client::connect(&s.gw, &rs256("rsa2", "k2", "a@x.com"))
            .await
            .is_ok()
    );
    old.assert_alive().await;
    // A broken file keeps the keys in use.
    std::fs::write(&jwks, b"{broken").unwrap();
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert!(
        Client::connect(&s.gw, &rs256("rsa2", "k2", "a@x.com"))
            .await
            .is_ok()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
