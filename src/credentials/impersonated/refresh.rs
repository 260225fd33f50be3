//! [`ImpersonatedRefresh`]: renew the source if it needs it, then ask IAM.

use std::time::SystemTime;

use http::header::CONTENT_TYPE;

use super::credentials::ImpersonatedCredentials;
use super::iam::{generate_access_token_body, GeneratedAccessToken};
use crate::credentials::any::AnyCredentials;
use crate::credentials::bearer::BearerToken;
use crate::credentials::kind::Credentials;
use crate::credentials::renewed::Renewed;
use crate::error::{Error, InvalidResponse};
use crate::machine::call::{Call, Update};
use crate::machine::then::Then;
use crate::wire::endpoint::to_uri;

/// Renews [`ImpersonatedCredentials`]: the source's own refresh first when
/// its token is not fresh at the first poll, then one `generateAccessToken`
/// call. Ends with the credentials holding the new token and the renewed
/// source.
pub type ImpersonatedRefresh =
    Then<Renewed<AnyCredentials>, Call<GeneratedAccessToken, ImpersonatedCredentials>>;

impl ImpersonatedCredentials {
    pub(super) fn renew(&self) -> ImpersonatedRefresh {
        let mut target = self.clone();
        Then::new(
            Renewed::new((*self.source).clone()),
            Box::new(move |source, now| {
                *target.source = source;
                target.generate_access_token(now)
            }),
        )
    }

    /// The `generateAccessToken` call, authorized by the source's token.
    fn generate_access_token(
        self,
        now: SystemTime,
    ) -> Result<Call<GeneratedAccessToken, Self>, Error> {
        let body = generate_access_token_body(&self.scopes, &self.delegates, self.lifetime);
        let mut request = http::Request::post(to_uri(&self.endpoint))
            .header(CONTENT_TYPE, "application/json")
            .body(body)
            .expect("a valid request");
        if self.source.authorize(&mut request, now).is_err() {
            return Err(InvalidResponse::InvalidField {
                field: "access_token",
                reason: "of the renewed source credentials has already expired",
            }
            .into());
        }
        let limit = self.response_limit;
        Ok(Call::with_parser(request, limit, GeneratedAccessToken::parse).with_context(self))
    }
}

/// The new token replaces the old one; its expiry is IAM's `expireTime`.
impl Update<GeneratedAccessToken> for ImpersonatedCredentials {
    type Output = Self;

    fn update(mut self, answer: GeneratedAccessToken, _sent_at: SystemTime) -> Result<Self, Error> {
        self.token = Some(BearerToken::new(
            answer.access_token,
            Some(answer.expire_time),
        ));
        Ok(self)
    }
}
