//! DPoP: sender-constrained tokens ([RFC 9449](https://www.rfc-editor.org/rfc/rfc9449)).
//!
//! A token bound to a [`DpopKey`] is useless to whoever steals it without
//! the key: every request that uses it carries a fresh proof, a JWT signed
//! with the key that names the request's method and URI (and the token's
//! hash). The crate makes the proofs, keeps the nonces servers hand out,
//! and retries once when a server asks for a nonce:
//!
//! - at the token endpoint, a token call made with
//!   [`Call::with_dpop`](crate::Call::with_dpop) sends a proof, retries a
//!   `use_dpop_nonce` refusal once with the server's nonce, and requires
//!   `token_type: DPoP` in the answer;
//! - at a resource server, [`DpopKey::authorize`] sets
//!   `Authorization: DPoP <token>` and the proof, and
//!   [`DpopKey::read_resource_answer`] says when to authorize again with a
//!   new nonce.
//!
//! Keys are ES256 (P-256), the algorithm every DPoP server accepts
//! (oidc-provider takes ES256 and EdDSA, not RS256).

mod challenge;
mod htu;
mod key;
mod nonce;
mod proof;
mod resource;
#[cfg(feature = "ring")]
mod ring_key;
pub(crate) mod sending;
mod thumbprint;

pub(crate) use challenge::bearer_error;
pub use challenge::{dpop_challenge, DpopChallenge, MAX_CHALLENGE_LEN};
pub use htu::target_uri;
pub use key::DpopKey;
pub use nonce::{nonce_in, DPOP_NONCE, MAX_NONCE_LEN};
pub use proof::DPOP;
pub use resource::ResourceAnswer;
pub use thumbprint::{access_token_hash, ec_p256_thumbprint};
