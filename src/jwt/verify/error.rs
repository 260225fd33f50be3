//! Why an ID token was refused.

use std::fmt;

use super::jwks::JwksError;
use crate::jwt::DecodeError;

/// An ID token that must not be trusted, and why. Server-controlled text in
/// it (an `iss`, a `kid`) is cleaned of control, invisible and bidi
/// characters.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum IdTokenError {
    /// Not a well-formed compact JWS (or `alg` is `none` or a MAC).
    Malformed(DecodeError),
    /// The key set could not be read.
    Keys(JwksError),
    /// The token's `alg` is not one the verifier allows.
    AlgorithmNotAllowed {
        /// The `alg`.
        alg: String,
    },
    /// No key of the set has the token's `kid` (or, without a `kid`, no
    /// single key fits): the issuer may have rotated its keys, so fetch
    /// the set again (once) and retry.
    UnknownKey {
        /// The token's `kid`, if it has one.
        kid: Option<String>,
    },
    /// The key's type, curve or `alg` does not fit the token's `alg`.
    KeyMismatch,
    /// The signature does not verify.
    BadSignature,
    /// `exp` has passed (beyond the leeway).
    Expired,
    /// `nbf` or `iat` is in the future (beyond the leeway).
    NotYetValid,
    /// `iss` is not one of the issuers expected.
    WrongIssuer {
        /// The `iss` found.
        issuer: String,
    },
    /// `aud` does not contain the audience expected.
    WrongAudience,
    /// With several audiences, `azp` is not the audience expected.
    WrongAuthorizedParty,
    /// `nonce` is missing or not the one sent.
    WrongNonce,
    /// `email_verified` is not true.
    EmailNotVerified,
    /// `hd` is not the Workspace domain expected.
    WrongHostedDomain,
    /// A claim is missing or of the wrong type.
    InvalidClaim {
        /// The claim's name.
        claim: &'static str,
    },
    /// A sign-in that asked for `openid` got no ID token back.
    Missing,
}

impl fmt::Display for IdTokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the ID token is refused: ")?;
        match self {
            Self::Malformed(e) => write!(f, "{e}"),
            Self::Keys(e) => write!(f, "{e}"),
            Self::AlgorithmNotAllowed { alg } => {
                write!(f, "its alg {alg:?} is not one this verifier allows")
            }
            Self::UnknownKey { kid: Some(kid) } => write!(
                f,
                "no key has its kid {kid:?}; fetch the issuer's keys again (they may have rotated)"
            ),
            Self::UnknownKey { kid: None } => {
                f.write_str("it has no kid and no single key fits it")
            }
            Self::KeyMismatch => f.write_str("the key named by its kid is not for its alg"),
            Self::BadSignature => f.write_str("its signature does not verify"),
            Self::Expired => f.write_str("it has expired"),
            Self::NotYetValid => {
                f.write_str("it is not valid yet (nbf or iat in the future); check the clock")
            }
            Self::WrongIssuer { issuer } => {
                write!(f, "its issuer {issuer:?} is not the one expected")
            }
            Self::WrongAudience => f.write_str("it is not for this audience"),
            Self::WrongAuthorizedParty => f.write_str("its azp is not this client"),
            Self::WrongNonce => f.write_str("its nonce is not the one sent with the request"),
            Self::EmailNotVerified => f.write_str("its email is not verified"),
            Self::WrongHostedDomain => {
                f.write_str("it is not from the expected Workspace domain (hd)")
            }
            Self::InvalidClaim { claim } => write!(f, "its `{claim}` claim is missing or invalid"),
            Self::Missing => {
                f.write_str("the sign-in asked for openid but the token response has no id_token")
            }
        }
    }
}

impl std::error::Error for IdTokenError {}
