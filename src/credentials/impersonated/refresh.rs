//! Renewing impersonated credentials: the source first if it needs it,
//! then one IAM call authorized by the source's token.

use std::time::SystemTime;

use http::header::CONTENT_TYPE;

use super::credentials::ImpersonatedCredentials;
use super::iam::{generate_access_token_body, GeneratedAccessToken};
use crate::credentials::any::AnyCredentials;
use crate::credentials::bearer::BearerToken;
use crate::credentials::kind::Credentials;
use crate::credentials::renewed::Renewed;
use crate::error::{Error, InvalidResponse};
use crate::machine::call::{Call, Parser, Update};
use crate::machine::then::Then;

/// Renews [`ImpersonatedCredentials`]: the source's own refresh first when
/// its token is not fresh at the first poll, then one `generateAccessToken`
/// call. Ends with the credentials holding the new token and the renewed
/// source.
pub type ImpersonatedRefresh =
    Then<Renewed<AnyCredentials>, Call<GeneratedAccessToken, ImpersonatedCredentials>>;

/// What an IAM call needs of the credentials that make it.
pub(super) trait IamCall: Sized + Send + Sync + 'static {
    /// What IAM answers.
    type Answer;

    /// The credentials whose token authorizes the call.
    fn source_mut(&mut self) -> &mut AnyCredentials;

    /// The URL, the JSON body, the answer's bound and its parser.
    fn iam_request(&self) -> (http::Uri, Vec<u8>, usize, Parser<Self::Answer>);
}

/// Renews `target`'s source when it is not fresh, then calls IAM with it;
/// ends with what `target` makes of the answer.
#[allow(clippy::type_complexity)]
pub(super) fn renew_then_call<C>(
    target: &C,
    source: &AnyCredentials,
) -> Then<Renewed<AnyCredentials>, Call<C::Answer, C>>
where
    C: IamCall + Clone + Update<<C as IamCall>::Answer>,
{
    let mut target = target.clone();
    Then::new(
        Renewed::new(source.clone()),
        Box::new(move |renewed, now| {
            *target.source_mut() = renewed;
            call_iam(target, now)
        }),
    )
}

/// The IAM call, authorized by the (renewed) source's token.
fn call_iam<C>(mut target: C, now: SystemTime) -> Result<Call<C::Answer, C>, Error>
where
    C: IamCall + Update<<C as IamCall>::Answer>,
{
    let (uri, body, limit, parse) = target.iam_request();
    let mut request = http::Request::post(uri)
        .header(CONTENT_TYPE, "application/json")
        .body(body)
        .expect("a valid request");
    if target.source_mut().authorize(&mut request, now).is_err() {
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

    fn source_mut(&mut self) -> &mut AnyCredentials {
        &mut self.source
    }

    fn iam_request(&self) -> (http::Uri, Vec<u8>, usize, Parser<GeneratedAccessToken>) {
        let body = generate_access_token_body(&self.scopes, &self.delegates, self.lifetime);
        let uri = crate::wire::endpoint::to_uri(&self.endpoint);
        (uri, body, self.response_limit, GeneratedAccessToken::parse)
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
