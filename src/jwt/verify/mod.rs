//! Verifying JWTs others sign: ID tokens from Google, IAP or any OpenID
//! provider, against the issuer's key set.
//!
//! - [`JwkSet`]: the issuer's public keys (RFC 7517), read strictly.
//! - [`KeySetCache`] (feature `ring`): the key set kept as its
//!   `Cache-Control` says, fetched again once per cool-down on an unknown
//!   `kid`.
//! - [`IdTokenVerifier`] (feature `ring`): the signature with an algorithm
//!   the caller allows (never the token's choice alone), then the claims:
//!   issuer, audience, authorized party, expiry, issue and not-before
//!   times within a leeway, nonce, verified email, Workspace domain.

#[cfg(feature = "ring")]
mod cache;
#[cfg(feature = "ring")]
mod claims;
#[cfg(feature = "ring")]
mod error;
mod jwks;
#[cfg(feature = "ring")]
mod verification;
#[cfg(feature = "ring")]
mod verifier;

#[cfg(feature = "ring")]
pub use cache::{CachePolicy, CacheVerdict, FetchedKeys, JwksFetch, KeySetCache};
#[cfg(feature = "ring")]
pub use error::IdTokenError;
pub use jwks::{Jwk, JwkSet, JwksError, MAX_JWKS_KEYS, MAX_JWKS_LEN};
#[cfg(feature = "ring")]
pub use verification::{Verification, VerifyFailure, VerifyStep};
#[cfg(feature = "ring")]
pub use verifier::{
    IdTokenVerifier, JwsAlgorithm, VerifiedIdToken, DEFAULT_LEEWAY, GOOGLE_ISSUERS,
    GOOGLE_JWKS_URI, IAP_ISSUER, IAP_JWKS_URI,
};
