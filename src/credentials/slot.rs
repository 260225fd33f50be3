//! Renewal by replacement: kinds whose whole state after a refresh is the
//! new bearer token share one [`Update`] for token responses and one for
//! ID-token grants.

use std::time::SystemTime;

use crate::credentials::bearer::BearerToken;
use crate::credentials::service_account::IdTokenGrant;
use crate::error::Error;
use crate::machine::call::Update;
use crate::wire::token_response::TokenResponse;

/// Credentials whose token lives in one field that a refresh replaces.
/// Public only so that it may bound the public impls below; not reachable
/// from outside the crate, so no other type can implement it.
pub trait TokenSlot {
    /// The field.
    fn token_slot(&mut self) -> &mut Option<BearerToken>;
}

/// The new token replaces the old one; its lifetime counts from when the
/// request was sent.
impl<C: TokenSlot> Update<TokenResponse> for C {
    type Output = C;

    fn update(mut self, response: TokenResponse, sent_at: SystemTime) -> Result<C, Error> {
        let expiry = response.expiry(sent_at);
        *self.token_slot() = Some(BearerToken::new(response.access_token, expiry));
        Ok(self)
    }
}

/// The new ID token replaces the old one; its own `exp` is its expiry.
impl<C: TokenSlot> Update<IdTokenGrant> for C {
    type Output = C;

    fn update(mut self, grant: IdTokenGrant, _sent_at: SystemTime) -> Result<C, Error> {
        *self.token_slot() = Some(BearerToken::new(
            grant.token().clone(),
            Some(grant.expiry()),
        ));
        Ok(self)
    }
}

/// `impl TokenSlot for Kind`s whose field is `token`.
macro_rules! token_slot {
    ($($kind:ty),* $(,)?) => {
        $(
            impl $crate::credentials::slot::TokenSlot for $kind {
                fn token_slot(&mut self) -> &mut Option<$crate::credentials::bearer::BearerToken> {
                    &mut self.token
                }
            }
        )*
    };
}
pub(crate) use token_slot;
