//! JWT verification (HS256, `exp` required) and development tokens.
//!
//! Identity: user id from `email`, falling back to `sub`; session id from `session_id`, falling
//! back to `"unknown"`. Errors never carry the token itself, so they are safe to log.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, errors::ErrorKind};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct Claims {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
    pub exp: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<u64>,
}

/// Who a verified token speaks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub user_id: String,
    pub session_id: String,
    /// Expiry, epoch seconds: the gateway closes the connection (1008) when it passes.
    pub expires_at: u64,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AuthError {
    #[error("no token: pass ?token=<JWT> or an Authorization: Bearer header")]
    Missing,
    #[error("token expired")]
    Expired,
    #[error("token signature is invalid")]
    BadSignature,
    #[error("token has no user: it needs an email or sub claim")]
    NoUser,
    #[error("token is malformed or uses another algorithm")]
    Malformed,
}

impl AuthError {
    /// Stable machine-readable code for the 401 body.
    pub fn code(&self) -> &'static str {
        match self {
            AuthError::Missing => "missing_token",
            AuthError::Expired => "token_expired",
            AuthError::BadSignature => "invalid_signature",
            AuthError::NoUser => "invalid_claims",
            AuthError::Malformed => "invalid_token",
        }
    }
}

/// Verifies tokens with one HMAC key. Cheap to clone.
#[derive(Clone)]
pub struct Verifier {
    key: DecodingKey,
    validation: Validation,
}

impl std::fmt::Debug for Verifier {
    // Never the key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier").finish_non_exhaustive()
    }
}

impl Verifier {
    pub fn new(secret: &[u8]) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_required_spec_claims(&["exp"]);
        // Clock skew between issuer and gateway; small, so an expired token is refused promptly.
        validation.leeway = 5;
        Verifier {
            key: DecodingKey::from_secret(secret),
            validation,
        }
    }

    pub fn verify(&self, token: &str) -> Result<Identity, AuthError> {
        if token.is_empty() {
            return Err(AuthError::Missing);
        }
        let data = jsonwebtoken::decode::<Claims>(token, &self.key, &self.validation).map_err(
            |e| match e.kind() {
                ErrorKind::ExpiredSignature => AuthError::Expired,
                ErrorKind::InvalidSignature => AuthError::BadSignature,
                _ => AuthError::Malformed,
            },
        )?;
        let c = data.claims;
        let user_id = c
            .email
            .filter(|s| !s.is_empty())
            .or(c.sub.filter(|s| !s.is_empty()))
            .ok_or(AuthError::NoUser)?;
        Ok(Identity {
            user_id,
            session_id: c
                .session_id
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| "unknown".to_owned()),
            expires_at: c.exp,
        })
    }
}

/// Signs a development token valid for `ttl_secs` from `now_secs`.
pub fn issue(secret: &[u8], email: &str, session: &str, now_secs: u64, ttl_secs: u64) -> String {
    let claims = Claims {
        email: Some(email.to_owned()),
        sub: None,
        session_id: Some(session.to_owned()),
        exp: now_secs + ttl_secs,
        iat: Some(now_secs),
    };
    sign(secret, &claims)
}

/// Signs arbitrary claims (tests use it for expired and `sub`-only tokens).
pub fn sign(secret: &[u8], claims: &Claims) -> String {
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret),
    )
    .expect("HS256 signing of a plain struct cannot fail")
}

/// What Redis keeps of a resume token: its SHA-256 (hex), so a read of `ws_conn:<id>` alone
/// cannot take over a session.
pub fn resume_token_hash(token: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub fn now_secs() -> u64 {
    jsonwebtoken::get_current_timestamp()
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
