//! The keys tokens are checked against, each with the one algorithm it accepts (RFC 8725: the
//! algorithm is the key's, never the token's), loaded from an HMAC secret, a PEM public key
//! or a JWKS file. A JWKS may hold several keys at once (rotation), told apart by `kid`.

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey};
use std::path::{Path, PathBuf};

/// Where the keys come from; files are read again by [`KeySource::load`] (on SIGHUP or when
/// they change), a secret is fixed.
#[derive(Clone)]
pub enum KeySource {
    /// An HMAC secret with HS256, HS384 or HS512.
    Secret { secret: Vec<u8>, alg: Algorithm },
    /// One PEM public key (RSA, EC P-256 or Ed25519) with the algorithm it is used with.
    Pem { path: PathBuf, alg: Algorithm },
    /// A JWKS file (`{"keys": [...]}`); each key's `alg` is taken from it or from its curve.
    Jwks { path: PathBuf },
}

impl std::fmt::Debug for KeySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeySource::Secret { alg, .. } => write!(f, "Secret({alg:?})"),
            KeySource::Pem { path, alg } => write!(f, "Pem({}, {alg:?})", path.display()),
            KeySource::Jwks { path } => write!(f, "Jwks({})", path.display()),
        }
    }
}

/// One verification key.
#[derive(Clone)]
pub struct Key {
    pub kid: Option<String>,
    pub alg: Algorithm,
    pub(crate) key: DecodingKey,
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Key")
            .field("kid", &self.kid)
            .field("alg", &self.alg)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct KeyError(String);

impl KeySource {
    /// The source's file, if it has one (watched for changes).
    pub fn path(&self) -> Option<&Path> {
        match self {
            KeySource::Secret { .. } => None,
            KeySource::Pem { path, .. } | KeySource::Jwks { path } => Some(path),
        }
    }

    /// Reads the keys now; an error names the file and what is wrong, never key material.
    pub fn load(&self) -> Result<Vec<Key>, KeyError> {
        match self {
            KeySource::Secret { secret, alg } => {
                if !matches!(alg, Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512) {
                    return Err(KeyError(format!(
                        "a secret is used with HS256, HS384 or HS512, not {alg:?}"
                    )));
                }
                Ok(vec![Key {
                    kid: None,
                    alg: *alg,
                    key: DecodingKey::from_secret(secret),
                }])
            }
            KeySource::Pem { path, alg } => {
                let pem = read(path)?;
                let key = match alg {
                    Algorithm::RS256
                    | Algorithm::RS384
                    | Algorithm::RS512
                    | Algorithm::PS256
                    | Algorithm::PS384
                    | Algorithm::PS512 => DecodingKey::from_rsa_pem(&pem),
                    Algorithm::ES256 | Algorithm::ES384 => DecodingKey::from_ec_pem(&pem),
                    Algorithm::EdDSA => DecodingKey::from_ed_pem(&pem),
                    _ => {
                        return Err(KeyError(format!(
                            "{}: a PEM key is used with RS*, PS*, ES256/384 or EdDSA, not {alg:?}",
                            path.display()
                        )));
                    }
                }
                .map_err(|e| {
                    KeyError(format!("{}: not a {alg:?} public key: {e}", path.display()))
                })?;
                Ok(vec![Key {
                    kid: None,
                    alg: *alg,
                    key,
                }])
            }
            KeySource::Jwks { path } => {
                let text = read(path)?;
                let set: JwkSet = serde_json::from_slice(&text)
                    .map_err(|e| KeyError(format!("{}: not a JWKS: {e}", path.display())))?;
                let mut keys = Vec::with_capacity(set.keys.len());
                for (i, jwk) in set.keys.iter().enumerate() {
                    let what = || format!("{} key {i}", path.display());
                    let alg = match jwk.common.key_algorithm {
                        Some(a) => Algorithm::try_from(a)
                            .map_err(|_| KeyError(format!("{}: unusable alg {a}", what())))?,
                        None => implied_alg(&jwk.algorithm).ok_or_else(|| {
                            KeyError(format!(
                                "{}: no \"alg\" (an RSA key needs one: RS256 or PS256 ...)",
                                what()
                            ))
                        })?,
                    };
                    let key = DecodingKey::from_jwk(jwk)
                        .map_err(|e| KeyError(format!("{}: {e}", what())))?;
                    keys.push(Key {
                        kid: jwk.common.key_id.clone(),
                        alg,
                        key,
                    });
                }
                if keys.is_empty() {
                    return Err(KeyError(format!("{}: the JWKS has no key", path.display())));
                }
                Ok(keys)
            }
        }
    }
}

/// The only algorithm a curve allows, for JWKS entries without `alg`.
fn implied_alg(params: &AlgorithmParameters) -> Option<Algorithm> {
    match params {
        AlgorithmParameters::EllipticCurve(ec) => match ec.curve {
            EllipticCurve::P256 => Some(Algorithm::ES256),
            EllipticCurve::P384 => Some(Algorithm::ES384),
            _ => None,
        },
        AlgorithmParameters::OctetKeyPair(_) => Some(Algorithm::EdDSA),
        _ => None,
    }
}

fn read(path: &Path) -> Result<Vec<u8>, KeyError> {
    std::fs::read(path).map_err(|e| KeyError(format!("{}: {e}", path.display())))
}
