//! The verifier's refusals, keys and claim rules.

use super::keys::KeySource;
use super::*;
use jsonwebtoken::jwk::{Jwk, JwkSet};
use std::path::PathBuf;

const KEY: &[u8] = b"test-secret";

// Shows identity extraction with its fallbacks, and each refusal kind.
#[test]
fn verify_identity_and_refusals() {
    let v = Verifier::new(KEY);
    let now = now_secs();
    let id = v.verify(&issue(KEY, "a@b.c", "s1", now, 60)).unwrap();
    assert_eq!(
        (id.user_id.as_str(), id.session_id.as_str()),
        ("a@b.c", "s1")
    );

    let sub_only = sign(
        KEY,
        &Claims {
            sub: Some("u9".into()),
            exp: now + 60,
            ..Default::default()
        },
    );
    let id = v.verify(&sub_only).unwrap();
    assert_eq!(
        (id.user_id.as_str(), id.session_id.as_str()),
        ("u9", "unknown")
    );

    let expired = issue(KEY, "a@b.c", "s1", now - 3600, 60);
    assert_eq!(v.verify(&expired), Err(AuthError::Expired));
    let forged = issue(b"other-key", "a@b.c", "s1", now, 60);
    assert_eq!(v.verify(&forged), Err(AuthError::BadSignature));
    assert_eq!(v.verify("not.a.jwt"), Err(AuthError::Malformed));
    assert_eq!(v.verify(""), Err(AuthError::Missing));
    let nobody = sign(
        KEY,
        &Claims {
            exp: now + 60,
            ..Default::default()
        },
    );
    assert_eq!(v.verify(&nobody), Err(AuthError::NoUser));
}

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/jwt");

fn pem(name: &str) -> Vec<u8> {
    std::fs::read(format!("{FIXTURES}/{name}.pem")).unwrap()
}

fn path(name: &str) -> PathBuf {
    PathBuf::from(format!("{FIXTURES}/{name}.pem"))
}

/// The signing key of a test key pair for `alg`.
fn private(name: &str, alg: Algorithm) -> EncodingKey {
    let p = pem(&format!("{name}_private"));
    match alg {
        Algorithm::ES256 => EncodingKey::from_ec_pem(&p),
        Algorithm::EdDSA => EncodingKey::from_ed_pem(&p),
        _ => EncodingKey::from_rsa_pem(&p),
    }
    .unwrap()
}

fn signed(alg: Algorithm, kid: Option<&str>, key: &EncodingKey, claims: &impl Serialize) -> String {
    let mut header = Header::new(alg);
    header.kid = kid.map(str::to_owned);
    jsonwebtoken::encode(&header, claims, key).unwrap()
}

fn claims(now: u64) -> Claims {
    Claims {
        email: Some("a@b.c".into()),
        exp: now + 60,
        iat: Some(now),
        ..Default::default()
    }
}

// Shows every supported algorithm verifies with its key, and that the key, not the token,
// picks the algorithm (key confusion, `none`, a same-family other algorithm are refused).
#[test]
fn algorithms_are_the_keys() {
    let now = now_secs();
    for (name, alg) in [
        ("rsa", Algorithm::RS256),
        ("rsa", Algorithm::PS256),
        ("ec", Algorithm::ES256),
        ("ed", Algorithm::EdDSA),
    ] {
        let source = KeySource::Pem {
            path: path(&format!("{name}_public")),
            alg,
        };
        let v = Verifier::with(source, Policy::default()).unwrap();
        let token = signed(alg, None, &private(name, alg), &claims(now));
        assert_eq!(v.verify(&token).unwrap().user_id, "a@b.c", "{alg:?}");
    }
    for alg in [Algorithm::HS384, Algorithm::HS512] {
        let source = KeySource::Secret {
            secret: KEY.to_vec(),
            alg,
        };
        let v = Verifier::with(source, Policy::default()).unwrap();
        let token = signed(alg, None, &EncodingKey::from_secret(KEY), &claims(now));
        assert!(v.verify(&token).is_ok(), "{alg:?}");
        // The same secret with another HMAC algorithm is not this key's.
        let other = signed(
            Algorithm::HS256,
            None,
            &EncodingKey::from_secret(KEY),
            &claims(now),
        );
        assert_eq!(v.verify(&other), Err(AuthError::WrongAlgorithm));
    }
    let rsa = Verifier::with(
        KeySource::Pem {
            path: path("rsa_public"),
            alg: Algorithm::RS256,
        },
        Policy::default(),
    )
    .unwrap();
    // Key confusion: HS256 "signed" with the RSA public key as the secret.
    let confused = signed(
        Algorithm::HS256,
        None,
        &EncodingKey::from_secret(&pem("rsa_public")),
        &claims(now),
    );
    assert_eq!(rsa.verify(&confused), Err(AuthError::WrongAlgorithm));
    let ps = signed(
        Algorithm::PS256,
        None,
        &private("rsa", Algorithm::PS256),
        &claims(now),
    );
    assert_eq!(rsa.verify(&ps), Err(AuthError::WrongAlgorithm));
    // alg none: header {"alg":"none"}, no signature.
    // {"alg":"none","typ":"JWT"}.{"email":"a@b.c","exp":4102444800}. (no signature)
    let none =
        "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJlbWFpbCI6ImFAYi5jIiwiZXhwIjo0MTAyNDQ0ODAwfQ.";
    assert_eq!(rsa.verify(none), Err(AuthError::Malformed));
    let forged = signed(
        Algorithm::RS256,
        None,
        &private("rsa2", Algorithm::RS256),
        &claims(now),
    );
    assert_eq!(rsa.verify(&forged), Err(AuthError::BadSignature));
}

/// A JWKS file of the public halves of `keys` (name, alg, kid).
fn write_jwks(file: &std::path::Path, keys: &[(&str, Algorithm, &str)]) {
    let keys = keys
        .iter()
        .map(|&(name, alg, kid)| {
            let mut jwk = Jwk::from_encoding_key(&private(name, alg), alg).unwrap();
            jwk.common.key_id = Some(kid.to_owned());
            jwk
        })
        .collect();
    std::fs::write(file, serde_json::to_vec(&JwkSet { keys }).unwrap()).unwrap();
}

// Shows a JWKS serves several keys by kid, refuses unknown kids, and a reload rotates keys.
#[test]
fn jwks_kids_and_rotation() {
    let now = now_secs();
    let dir = std::env::temp_dir().join(format!("jwks-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("jwks.json");
    write_jwks(
        &file,
        &[
            ("rsa", Algorithm::RS256, "k1"),
            ("ec", Algorithm::ES256, "k2"),
        ],
    );
    let v = Verifier::with(KeySource::Jwks { path: file.clone() }, Policy::default()).unwrap();
    let k1 = signed(
        Algorithm::RS256,
        Some("k1"),
        &private("rsa", Algorithm::RS256),
        &claims(now),
    );
    let k2 = signed(
        Algorithm::ES256,
        Some("k2"),
        &private("ec", Algorithm::ES256),
        &claims(now),
    );
    let k3 = signed(
        Algorithm::RS256,
        Some("k3"),
        &private("rsa2", Algorithm::RS256),
        &claims(now),
    );
    assert!(v.verify(&k1).is_ok());
    assert!(v.verify(&k2).is_ok());
    assert_eq!(v.verify(&k3), Err(AuthError::UnknownKid));
    // k1's key under k2's kid: k2 is an ES256 key.
    let swapped = signed(
        Algorithm::RS256,
        Some("k2"),
        &private("rsa", Algorithm::RS256),
        &claims(now),
    );
    assert_eq!(v.verify(&swapped), Err(AuthError::WrongAlgorithm));

    write_jwks(
        &file,
        &[
            ("ec", Algorithm::ES256, "k2"),
            ("rsa2", Algorithm::RS256, "k3"),
        ],
    );
    let clone = v.clone();
    assert_eq!(v.reload().unwrap(), 2);
    assert_eq!(
        clone.verify(&k1),
        Err(AuthError::UnknownKid),
        "the clone shares the reload"
    );
    assert!(clone.verify(&k2).is_ok());
    assert!(clone.verify(&k3).is_ok());
    // A broken file keeps the keys in use.
    std::fs::write(&file, b"{not json").unwrap();
    assert!(v.reload().is_err());
    assert!(v.verify(&k3).is_ok());
    std::fs::remove_dir_all(&dir).unwrap();
}

// Shows exp is strict, nbf and iat pass within the leeway only, iss and aud are enforced when
// configured, and an oversized token is refused unread.
#[test]
fn claim_rules() {
    let now = 1_800_000_000;
    let policy = Policy {
        issuer: Some("https://auth.example".into()),
        audience: Some("indicators".into()),
        ..Policy::default()
    };
    let v = Verifier::with(
        KeySource::Secret {
            secret: KEY.to_vec(),
            alg: Algorithm::HS256,
        },
        policy,
    )
    .unwrap();
    let good = || Claims {
        iss: Some("https://auth.example".into()),
        aud: Some("indicators".into()),
        ..claims(now)
    };
    let check = |c: &Claims| v.verify_at(&sign(KEY, c), now);
    assert!(check(&good()).is_ok());
    assert_eq!(
        check(&Claims { exp: now, ..good() }),
        Err(AuthError::Expired)
    );
    assert!(
        check(&Claims {
            exp: now + 1,
            ..good()
        })
        .is_ok()
    );
    assert!(
        check(&Claims {
            nbf: Some(now + 30),
            ..good()
        })
        .is_ok()
    );
    assert_eq!(
        check(&Claims {
            nbf: Some(now + 31),
            ..good()
        }),
        Err(AuthError::NotYetValid)
    );
    assert!(
        check(&Claims {
            iat: Some(now + 30),
            ..good()
        })
        .is_ok()
    );
    assert_eq!(
        check(&Claims {
            iat: Some(now + 86_400),
            ..good()
        }),
        Err(AuthError::IssuedInFuture)
    );
    assert_eq!(
        check(&Claims {
            iss: None,
            ..good()
        }),
        Err(AuthError::BadIssuer)
    );
    assert_eq!(
        check(&Claims {
            iss: Some("https://evil.example".into()),
            ..good()
        }),
        Err(AuthError::BadIssuer)
    );
    assert_eq!(
        check(&Claims {
            aud: None,
            ..good()
        }),
        Err(AuthError::BadAudience)
    );
    let listed = serde_json::json!({
        "email": "a@b.c", "exp": now + 60, "iss": "https://auth.example",
        "aud": ["other", "indicators"],
    });
    assert!(v.verify_at(&sign(KEY, &listed), now).is_ok());
    let no_exp =
        serde_json::json!({"email": "a@b.c", "iss": "https://auth.example", "aud": "indicators"});
    assert_eq!(
        v.verify_at(&sign(KEY, &no_exp), now),
        Err(AuthError::NoExpiry)
    );
    let big = Claims {
        sub: Some("x".repeat(10_000)),
        ..good()
    };
    assert_eq!(check(&big), Err(AuthError::TooLarge(8192)));
    let mut codes: Vec<&str> = [
        AuthError::Missing,
        AuthError::TooLarge(1),
        AuthError::Malformed,
        AuthError::UnknownKid,
        AuthError::WrongAlgorithm,
        AuthError::BadSignature,
        AuthError::NoExpiry,
        AuthError::Expired,
        AuthError::NotYetValid,
        AuthError::IssuedInFuture,
        AuthError::BadIssuer,
        AuthError::BadAudience,
        AuthError::NoUser,
    ]
    .iter()
    .map(AuthError::code)
    .collect();
    let n = codes.len();
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), n, "every refusal has its own code");
}
