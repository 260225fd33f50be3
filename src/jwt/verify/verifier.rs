//! [`IdTokenVerifier`]: the signature, then the claims.

use std::time::{Duration, SystemTime};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ring::signature::{
    RsaPublicKeyComponents, UnparsedPublicKey, ECDSA_P256_SHA256_FIXED, RSA_PKCS1_2048_8192_SHA256,
    RSA_PSS_2048_8192_SHA256,
};
use serde_json::{Map, Value};

use super::claims::{check, ClaimRules};
use super::error::IdTokenError;
use super::jwks::{Jwk, JwkSet, KeyMaterial};
use crate::error::sanitize;
use crate::jwt::decode_unverified;
use crate::macros::setters;

/// Google's key set for the ID tokens of accounts, service accounts and
/// the metadata server (RS256).
pub const GOOGLE_JWKS_URI: &str = "https://www.googleapis.com/oauth2/v3/certs";
/// The key set of Identity-Aware Proxy's assertions (ES256).
pub const IAP_JWKS_URI: &str = "https://www.gstatic.com/iap/verify/public_key-jwk";
/// The two spellings of Google's issuer.
pub const GOOGLE_ISSUERS: [&str; 2] = ["https://accounts.google.com", "accounts.google.com"];
/// IAP's issuer.
pub const IAP_ISSUER: &str = "https://cloud.google.com/iap";

/// The clock skew allowed on `exp`, `iat` and `nbf` by default: 30 s.
/// Enough for the drift of NTP-synchronised hosts and the issuer's own
/// rounding of `iat`, small against an ID token's hour; the same as
/// oauth4webapi, between google-cloud-rust's 10 s and jose's 0.
pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(30);

/// A JWS algorithm a verifier may allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum JwsAlgorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256 (Google's, most OpenID providers').
    Rs256,
    /// RSASSA-PSS with SHA-256.
    Ps256,
    /// ECDSA P-256 with SHA-256 (IAP's), the 64-byte `r || s` form.
    Es256,
}

impl JwsAlgorithm {
    /// The `alg` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rs256 => "RS256",
            Self::Ps256 => "PS256",
            Self::Es256 => "ES256",
        }
    }
}

/// Verifies ID tokens for one audience: the signature by a key of the
/// issuer's set with an algorithm this verifier allows, then `iss`, `aud`
/// (and `azp` when there are several audiences), `exp`, `iat` and `nbf`
/// within [`DEFAULT_LEEWAY`], and what else was asked (nonce, verified
/// email, Workspace domain).
///
/// Fetching the key set is the caller's (or the io layer's): the verifier
/// takes a [`JwkSet`]. On [`IdTokenError::UnknownKey`] fetch it once more:
/// the issuer may have rotated its keys.
///
/// ```
/// use oauth2_sansio::jwt::verify::{IdTokenError, IdTokenVerifier, JwkSet};
///
/// let keys = JwkSet::parse(br#"{"keys":[]}"#)?;
/// let verifier = IdTokenVerifier::google("my-client-id.apps.googleusercontent.com")
///     .require_email_verified(true);
/// # let token = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiIxIn0.c2ln";
/// let refused = verifier.verify(token, &keys, std::time::SystemTime::now());
/// assert!(matches!(refused, Err(IdTokenError::UnknownKey { .. })));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdTokenVerifier {
    algorithms: Vec<JwsAlgorithm>,
    rules: ClaimRules,
}

impl IdTokenVerifier {
    /// Tokens of `issuer` (exactly, as discovery gives it) for `audience`,
    /// signed with RS256.
    pub fn new(issuer: impl Into<String>, audience: impl Into<String>) -> Self {
        Self {
            algorithms: vec![JwsAlgorithm::Rs256],
            rules: ClaimRules {
                issuers: vec![issuer.into()],
                audience: audience.into(),
                leeway: DEFAULT_LEEWAY,
                nonce: None,
                require_email_verified: false,
                hosted_domain: None,
            },
        }
    }

    /// Google's ID tokens for `audience` (a client id, or the URL a
    /// service-account or metadata-server token was made for): RS256,
    /// either issuer spelling; keys at [`GOOGLE_JWKS_URI`].
    pub fn google(audience: impl Into<String>) -> Self {
        let mut verifier = Self::new(GOOGLE_ISSUERS[0], audience);
        verifier.rules.issuers.push(GOOGLE_ISSUERS[1].to_owned());
        verifier
    }

    /// Identity-Aware Proxy's assertions (header `x-goog-iap-jwt-assertion`)
    /// for `audience` (`/projects/NUMBER/apps/ID` or
    /// `/projects/NUMBER/global/backendServices/ID`): ES256, issuer
    /// [`IAP_ISSUER`]; keys at [`IAP_JWKS_URI`].
    pub fn iap(audience: impl Into<String>) -> Self {
        Self::new(IAP_ISSUER, audience).with_algorithms([JwsAlgorithm::Es256])
    }

    /// Allows these algorithms instead (the token's `alg` must be one).
    pub fn with_algorithms(mut self, algorithms: impl IntoIterator<Item = JwsAlgorithm>) -> Self {
        self.algorithms = algorithms.into_iter().collect();
        self
    }

    setters! {
        /// The clock skew allowed (default [`DEFAULT_LEEWAY`]).
        pub fn with_leeway(leeway: Duration) => rules.leeway = leeway;

        /// Requires `nonce` to be this (the one sent in the authorization
        /// request).
        pub fn with_nonce(nonce: impl Into<String>) => rules.nonce = Some(nonce.into());

        /// Requires an `email` with `email_verified` true.
        pub fn require_email_verified(required: bool) => rules.require_email_verified = required;

        /// Requires `hd` (a Google Workspace account of this domain).
        pub fn with_hosted_domain(domain: impl Into<String>) => rules.hosted_domain = Some(domain.into());
    }

    /// Verifies `token` with `keys` at `now`.
    pub fn verify(
        &self,
        token: &str,
        keys: &JwkSet,
        now: SystemTime,
    ) -> Result<VerifiedIdToken, IdTokenError> {
        let decoded = decode_unverified(token).map_err(IdTokenError::Malformed)?;
        let alg = self
            .algorithms
            .iter()
            .copied()
            .find(|allowed| allowed.as_str() == decoded.algorithm())
            .ok_or_else(|| IdTokenError::AlgorithmNotAllowed {
                alg: sanitize(decoded.algorithm()),
            })?;
        let key = key_for(keys, decoded.key_id(), alg)?;
        let (signing_input, signature) =
            token.rsplit_once('.').ok_or(IdTokenError::BadSignature)?;
        let signature = URL_SAFE_NO_PAD
            .decode(signature)
            .map_err(|_| IdTokenError::BadSignature)?;
        verify_signature(key, alg, signing_input.as_bytes(), &signature)?;
        check(decoded.payload(), &self.rules, now)?;
        Ok(VerifiedIdToken {
            claims: decoded.payload().clone(),
        })
    }
}

/// The key `kid` names, or without a `kid` the one key that fits `alg`.
fn key_for<'k>(
    keys: &'k JwkSet,
    kid: Option<&str>,
    alg: JwsAlgorithm,
) -> Result<&'k Jwk, IdTokenError> {
    let key = match kid {
        Some(kid) => keys.find(kid),
        None => {
            let mut fitting = keys.keys().iter().filter(|key| fits(key, alg));
            match (fitting.next(), fitting.next()) {
                (Some(key), None) => Some(key),
                _ => None,
            }
        }
    };
    let key = key.ok_or_else(|| IdTokenError::UnknownKey {
        kid: kid.map(sanitize),
    })?;
    if fits(key, alg) {
        Ok(key)
    } else {
        Err(IdTokenError::KeyMismatch)
    }
}

fn fits(key: &Jwk, alg: JwsAlgorithm) -> bool {
    let kind = matches!(
        (key.material(), alg),
        (
            KeyMaterial::Rsa { .. },
            JwsAlgorithm::Rs256 | JwsAlgorithm::Ps256
        ) | (KeyMaterial::P256 { .. }, JwsAlgorithm::Es256)
    );
    kind && key.algorithm().is_none_or(|named| named == alg.as_str())
}

fn verify_signature(
    key: &Jwk,
    alg: JwsAlgorithm,
    message: &[u8],
    signature: &[u8],
) -> Result<(), IdTokenError> {
    let verified =
        match (key.material(), alg) {
            (KeyMaterial::Rsa { n, e }, JwsAlgorithm::Rs256) => RsaPublicKeyComponents { n, e }
                .verify(&RSA_PKCS1_2048_8192_SHA256, message, signature),
            (KeyMaterial::Rsa { n, e }, JwsAlgorithm::Ps256) => RsaPublicKeyComponents { n, e }
                .verify(&RSA_PSS_2048_8192_SHA256, message, signature),
            (KeyMaterial::P256 { point }, JwsAlgorithm::Es256) => {
                UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, point).verify(message, signature)
            }
            _ => return Err(IdTokenError::KeyMismatch),
        };
    verified.map_err(|_| IdTokenError::BadSignature)
}

/// An ID token whose signature and claims were checked.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedIdToken {
    claims: Map<String, Value>,
}

impl VerifiedIdToken {
    /// Every claim.
    pub fn claims(&self) -> &Map<String, Value> {
        &self.claims
    }

    fn text(&self, claim: &str) -> Option<&str> {
        self.claims.get(claim).and_then(Value::as_str)
    }

    /// `sub`: the account's stable id (never the email: it can change).
    pub fn subject(&self) -> Option<&str> {
        self.text("sub")
    }

    /// `iss`.
    pub fn issuer(&self) -> Option<&str> {
        self.text("iss")
    }

    /// `email`, if present.
    pub fn email(&self) -> Option<&str> {
        self.text("email")
    }

    /// `hd`: the Google Workspace domain, if present.
    pub fn hosted_domain(&self) -> Option<&str> {
        self.text("hd")
    }
}
