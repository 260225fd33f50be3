//! The floor: a plain hand-written implementation of each per-request step
//! that does the same security work as the crate (64 bytes of entropy from
//! the caller's ChaCha RNG, SHA-256, base64url, form encoding at run time;
//! duplicate-parameter, `iss` and constant-time `state` checks; borrowed
//! serde_json parsing with the same field validation; every secret
//! zeroized) and nothing else: no builders, no state machines, no owned
//! copies it can avoid, the Basic header and token URI computed once per
//! client. What it costs is what the work costs.
//!
//! Errors are a reason only: the floor is measured on valid input.

mod authorize;
mod authorized_user;
mod cache;
mod callback;
mod form;
mod json;
mod token_request;
mod token_response;

use std::borrow::Cow;

use zeroize::{Zeroize, Zeroizing};

pub use authorized_user::authorized_user_round_trip;
pub use cache::{CachedToken, TokenCache};
pub use token_request::{ClientAuth, FloorClient};
pub use token_response::{parse_token_response, TokenFields};

/// Why the floor refused its input.
pub type Refused = &'static str;

/// What is kept between the authorization URL and the callback; used once,
/// by the step that consumes it (and zeroizes its secrets on drop).
#[derive(Clone)]
pub struct Pending {
    pub state: Zeroizing<String>,
    pub verifier: Zeroizing<String>,
    pub redirect_uri: String,
}

/// A secret borrowed from the input, or decoded into a string that is
/// zeroized when dropped.
pub struct SecretCow<'a>(Cow<'a, str>);

impl SecretCow<'_> {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Drop for SecretCow<'_> {
    fn drop(&mut self) {
        if let Cow::Owned(text) = &mut self.0 {
            text.zeroize();
        }
    }
}
