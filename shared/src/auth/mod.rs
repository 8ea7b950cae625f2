//! JWT verification (RFC 8725) and development tokens.
//!
//! Keys ([`keys`]): an HMAC secret (HS256/384/512), a PEM public key (RS*, PS*, ES256/384,
//! EdDSA) or a JWKS file with several keys told apart by `kid` (rotation); each key accepts
//! exactly one algorithm, so the token's `alg` never chooses how it is checked. File keys are
//! read again by [`Verifier::reload`]; tokens already accepted are not checked again.
//!
//! Claims: `exp` is required and strict (never accepted at or past it by this clock); `nbf`
//! and `iat` may be up to [`Policy::leeway_secs`] ahead (clock skew), no further; `iss` and
//! `aud` must match when configured (a token without them is then refused). Identity: user id
//! from `email`, falling back to `sub`; session id from `session_id`, falling back to
//! `"unknown"`. Every refusal has its own code; errors never carry the token itself, so they
//! are safe to log.

pub mod keys;

pub use jsonwebtoken::Algorithm;

use jsonwebtoken::{EncodingKey, Header, Validation, errors::ErrorKind};
use keys::{Key, KeyError, KeySource};
use serde::{Deserialize, Serialize};
use std::sync::{Arc, RwLock};

/// The claims [`issue`] signs (tests sign other shapes with [`sign`]).
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aud: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
}

/// The claims as a token may carry them (any of them missing, `aud` a string or a list).
#[derive(Deserialize)]
struct Received {
    email: Option<String>,
    sub: Option<String>,
    session_id: Option<String>,
    exp: Option<u64>,
    iat: Option<u64>,
    nbf: Option<u64>,
    iss: Option<String>,
    #[serde(default)]
    aud: Audience,
    jti: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(untagged)]
enum Audience {
    #[default]
    None,
    One(String),
    Many(Vec<String>),
}

impl Audience {
    fn contains(&self, want: &str) -> bool {
        match self {
            Audience::None => false,
            Audience::One(a) => a == want,
            Audience::Many(all) => all.iter().any(|a| a == want),
        }
    }
}

/// Who a verified token speaks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub user_id: String,
    pub session_id: String,
    /// Expiry, epoch seconds: the gateway closes the connection (1008) when it passes.
    pub expires_at: u64,
    /// `iat`, epoch seconds, if the token has one.
    pub issued_at: Option<u64>,
    pub jti: Option<String>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AuthError {
    #[error("no token: pass ?token=<JWT> or an Authorization: Bearer header")]
    Missing,
    #[error("token longer than {0} bytes")]
    TooLarge(usize),
    #[error("token is malformed")]
    Malformed,
    #[error("token names a key (kid) this gateway does not have")]
    UnknownKid,
    #[error("token's algorithm is not the one of the key")]
    WrongAlgorithm,
    #[error("token signature is invalid")]
    BadSignature,
    #[error("token has no exp claim")]
    NoExpiry,
    #[error("token expired")]
    Expired,
    #[error("token not valid yet (nbf)")]
    NotYetValid,
    #[error("token issued in the future (iat)")]
    IssuedInFuture,
    #[error("token's issuer (iss) is not the configured one")]
    BadIssuer,
    #[error("token's audience (aud) does not include this service")]
    BadAudience,
    #[error("token has no user: it needs an email or sub claim")]
    NoUser,
}

impl AuthError {
    /// Stable machine-readable code for the 401 body.
    pub fn code(&self) -> &'static str {
        match self {
            AuthError::Missing => "missing_token",
            AuthError::TooLarge(_) => "token_too_large",
            AuthError::Malformed => "invalid_token",
            AuthError::UnknownKid => "unknown_kid",
            AuthError::WrongAlgorithm => "invalid_algorithm",
            AuthError::BadSignature => "invalid_signature",
            AuthError::NoExpiry => "missing_exp",
            AuthError::Expired => "token_expired",
            AuthError::NotYetValid => "token_not_yet_valid",
            AuthError::IssuedInFuture => "token_issued_in_future",
            AuthError::BadIssuer => "invalid_issuer",
            AuthError::BadAudience => "invalid_audience",
            AuthError::NoUser => "invalid_claims",
        }
    }
}

/// What a token must satisfy beyond its signature.
#[derive(Debug, Clone)]
pub struct Policy {
    /// How far ahead of this clock `nbf` and `iat` may be (issuer clock skew).
    pub leeway_secs: u64,
    /// Required `iss`, when set.
    pub issuer: Option<String>,
    /// Required member of `aud`, when set.
    pub audience: Option<String>,
    /// Longer tokens are refused unread.
    pub max_token_bytes: usize,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            leeway_secs: 30,
            issuer: None,
            audience: None,
            max_token_bytes: 8192,
        }
    }
}

/// Checks tokens against the configured keys. Cheap to clone (clones share the keys, so a
/// reload reaches every clone); `Debug` shows nothing of the keys.
#[derive(Clone)]
pub struct Verifier {
    source: KeySource,
    keys: Arc<RwLock<Arc<Vec<Key>>>>,
    policy: Arc<Policy>,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

impl Verifier {
    /// HS256 with `secret` and the default policy.
    pub fn new(secret: &[u8]) -> Self {
        let source = KeySource::Secret {
            secret: secret.to_vec(),
            alg: Algorithm::HS256,
        };
        Self::with(source, Policy::default()).expect("an HS256 secret always loads")
    }

    /// Loads the keys of `source` now.
    pub fn with(source: KeySource, policy: Policy) -> Result<Self, KeyError> {
        let keys = source.load()?;
        Ok(Verifier {
            source,
            keys: Arc::new(RwLock::new(Arc::new(keys))),
            policy: Arc::new(policy),
        })
    }

    /// Reads the key file again; on an error the keys in use stay. Returns how many keys.
    pub fn reload(&self) -> Result<usize, KeyError> {
        let keys = self.source.load()?;
        let n = keys.len();
        *self
            .keys
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(keys);
        Ok(n)
    }

    pub fn source(&self) -> &KeySource {
        &self.source
    }

    pub fn verify(&self, token: &str) -> Result<Identity, AuthError> {
        self.verify_at(token, now_secs())
    }

    /// [`Self::verify`] with the clock given (epoch seconds).
    pub fn verify_at(&self, token: &str, now: u64) -> Result<Identity, AuthError> {
        if token.is_empty() {
            return Err(AuthError::Missing);
        }
        if token.len() > self.policy.max_token_bytes {
            return Err(AuthError::TooLarge(self.policy.max_token_bytes));
        }
        let header = jsonwebtoken::decode_header(token).map_err(|_| AuthError::Malformed)?;
        let keys = self
            .keys
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        let named: Vec<&Key> = keys
            .iter()
            .filter(|k| header.kid.is_none() || k.kid == header.kid)
            .collect();
        if named.is_empty() {
            return Err(AuthError::UnknownKid);
        }
        let mut result = Err(AuthError::WrongAlgorithm);
        for key in named.into_iter().filter(|k| k.alg == header.alg) {
            let mut validation = Validation::new(key.alg);
            validation.required_spec_claims.clear();
            validation.validate_exp = false;
            validation.validate_nbf = false;
            validation.validate_aud = false;
            result = jsonwebtoken::decode::<Received>(token, &key.key, &validation)
                .map(|data| data.claims)
                .map_err(|e| match e.kind() {
                    ErrorKind::InvalidSignature => AuthError::BadSignature,
                    _ => AuthError::Malformed,
                });
            if !matches!(result, Err(AuthError::BadSignature)) {
                break;
            }
        }
        self.accept(result?, now)
    }

    /// The claim checks, after the signature.
    fn accept(&self, c: Received, now: u64) -> Result<Identity, AuthError> {
        let p = &*self.policy;
        let exp = c.exp.ok_or(AuthError::NoExpiry)?;
        if now >= exp {
            return Err(AuthError::Expired);
        }
        if c.nbf.is_some_and(|nbf| nbf > now + p.leeway_secs) {
            return Err(AuthError::NotYetValid);
        }
        if c.iat.is_some_and(|iat| iat > now + p.leeway_secs) {
            return Err(AuthError::IssuedInFuture);
        }
        if let Some(want) = &p.issuer
            && c.iss.as_deref() != Some(want)
        {
            return Err(AuthError::BadIssuer);
        }
        if let Some(want) = &p.audience
            && !c.aud.contains(want)
        {
            return Err(AuthError::BadAudience);
        }
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
            expires_at: exp,
            issued_at: c.iat,
            jti: c.jti,
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
        ..Claims::default()
    };
    sign(secret, &claims)
}

/// Signs arbitrary claims with HS256 (tests use it for expired and `sub`-only tokens).
pub fn sign(secret: &[u8], claims: &impl Serialize) -> String {
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
mod tests;
