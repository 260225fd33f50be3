//! Renewing impersonated credentials: the source first if it needs it,
//! then one IAM call authorized by the source's token.

use std::time::SystemTime;

use http::header::CONTENT_TYPE;
use serde_json::Value;

use super::credentials::ImpersonatedCredentials;
use super::iam::{generate_access_token_body, method_url, with_delegates, GeneratedAccessToken};
use crate::credentials::any::AnyCredentials;
use crate::credentials::bearer::BearerToken;
use crate::credentials::kind::Credentials;
use crate::credentials::renewed::{AfterSource, Renewed};
use crate::error::{Error, InvalidResponse};
use crate::machine::call::{Call, Parser, Update};
use crate::machine::then::Then;
use crate::wire::endpoint::to_uri;

/// Renews [`ImpersonatedCredentials`]: the source's own refresh first when
/// its token is not fresh at the first poll, then one `generateAccessToken`
/// call. Ends with the credentials holding the new token and the renewed
/// source.
pub type ImpersonatedRefresh = AfterSource<GeneratedAccessToken, ImpersonatedCredentials>;

/// An IAM method called for an impersonation (`AsMut`: its source,
/// endpoint, delegates and answer bound).
pub(super) trait IamCall:
    AsMut<ImpersonatedCredentials> + Sized + Send + Sync + 'static
{
    /// What IAM answers.
    type Answer;

    /// The method's name (`generateAccessToken`, ...), its JSON body
    /// without `delegates`, and the parser of its answer.
    fn method(&self) -> (&'static str, Value, Parser<Self::Answer>);
}

/// Renews `target`'s source when it is not fresh, then calls IAM with it;
/// ends with what `target` makes of the answer.
#[allow(clippy::type_complexity)]
pub(super) fn renew_then_call<C>(target: &C, source: &AnyCredentials) -> AfterSource<C::Answer, C>
where
    C: IamCall + Clone + Update<<C as IamCall>::Answer>,
{
    let mut target = target.clone();
    Then::new(
        Renewed::new(source.clone()),
        Box::new(move |renewed, now| {
            target.as_mut().replace_source(renewed);
            call_iam(target, now)
        }),
    )
}

/// The IAM call, authorized by the (renewed) source's token.
fn call_iam<C>(mut target: C, now: SystemTime) -> Result<Call<C::Answer, C>, Error>
where
    C: IamCall + Update<<C as IamCall>::Answer>,
{
    let (name, body, parse) = target.method();
    let impersonated = target.as_mut();
    let url = method_url(&impersonated.endpoint, name);
    let body = with_delegates(body, &impersonated.delegates);
    let limit = impersonated.response_limit;
    let mut request = http::Request::post(to_uri(&url))
        .header(CONTENT_TYPE, "application/json")
        .body(body)
        .expect("a valid request");
    if impersonated.source.authorize(&mut request, now).is_err() {
        return Err(InvalidResponse::InvalidField {
            field: "access_token",
            reason: "of the renewed source credentials has already expired",
        }
        .into());
    }
    Ok(Call::with_parser(request, limit, parse).with_context(target))
}

impl IamCall for ImpersonatedCredentials {
    type Answer = GeneratedAccessToken;

    fn method(&self) -> (&'static str, Value, Parser<GeneratedAccessToken>) {
        let body = generate_access_token_body(&self.scopes, self.lifetime);
        ("generateAccessToken", body, GeneratedAccessToken::parse)
    }
}

impl AsMut<ImpersonatedCredentials> for ImpersonatedCredentials {
    fn as_mut(&mut self) -> &mut ImpersonatedCredentials {
        self
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
