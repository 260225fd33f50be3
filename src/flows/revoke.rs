//! Token revocation ([RFC 7009](https://www.rfc-editor.org/rfc/rfc7009)).

use std::sync::Arc;

use url::Url;

use crate::client::auth::{ClientIdentity, Purpose};
use crate::client::required_endpoint;
use crate::client::Client;
use crate::credentials::UserCredentials;
use crate::error::config::ConfigError;
use crate::error::{Error, InvalidResponse};
use crate::flows::token_ref::TokenRef;
use crate::google::{GOOGLE_REVOKE_URI, GOOGLE_TOKEN_URI};
use crate::machine::call::Call;
use crate::wire::answer::error_response;
use crate::wire::endpoint::to_uri;
use crate::wire::form_post::form_post;

/// Revokes one token; made by [`Client::revoke`],
/// [`UserCredentials::revoke_refresh_token`] or
/// [`UserCredentials::revoke_access_token`]. Its output is `()`: the server
/// said HTTP 200.
///
/// Sends a POST of `token=…&token_type_hint=access_token|refresh_token`,
/// with the client authenticated as at the token endpoint, and
/// `Accept: application/json`. The answer:
///
/// - HTTP 200: revoked (RFC 7009 §2.2: also for a token the server did not
///   know). The body is ignored, but must fit the response bound.
/// - An RFC 6749 §5.2 error body: [`Error::OAuth`], for instance
///   `unsupported_token_type` ([`ErrorCode::UnsupportedTokenType`](crate::ErrorCode::UnsupportedTokenType))
///   or Google's `invalid_token` for a token that is already invalid.
///   HTTP 503 is retryable ([`Error::is_retryable`]).
/// - 3xx: [`Error::Redirect`] (never followed: the body carries the token).
/// - Anything else: [`Error::HttpStatus`].
///
/// Revoking a refresh token ends the whole grant at Google (and at most
/// servers, RFC 7009 §2.1): its access tokens stop working too.
///
/// ```
/// use oauth2_sansio::{drive, Client, RefreshToken};
///
/// let client = Client::google("my-client-id", None).build()?;
/// let revoke = client.revoke(&RefreshToken::new("1//r"))?;
/// drive(
///     revoke,
///     std::time::SystemTime::now,
///     |request| {
///         assert_eq!(request.uri(), "https://oauth2.googleapis.com/revoke");
///         assert_eq!(request.body(), b"client_id=my-client-id&token=1%2F%2Fr&token_type_hint=refresh_token");
///         Ok(oauth2_sansio::http::Response::new(Vec::new()))
///     },
///     |_| {},
/// )?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub type Revocation = Call<()>;

/// The revocation of `token` at `endpoint`, the client authenticated as
/// for a request for `purpose`.
fn revocation(
    endpoint: &Url,
    client: &Arc<ClientIdentity>,
    purpose: Purpose,
    token: TokenRef<'_>,
    limit: usize,
) -> Revocation {
    let request = form_post(
        to_uri(endpoint),
        None,
        client.in_form(purpose),
        &token.params(),
    );
    client.call(purpose, request, limit, parse)
}

/// HTTP 200 with a body within `limit` is success; anything else is the
/// error it means.
fn parse(status: u16, body: &[u8], limit: usize) -> Result<(), Error> {
    if status != 200 {
        return Err(error_response(status, body, limit));
    }
    if body.len() > limit {
        return Err(InvalidResponse::BodyTooLarge { limit }.into());
    }
    Ok(())
}

impl Client {
    /// A machine that revokes `token` (an [`&AccessToken`](crate::AccessToken)
    /// or a [`&RefreshToken`](crate::RefreshToken)) at the client's
    /// revocation endpoint; see [`Revocation`]. Google clients
    /// ([`Client::google`]) revoke at [`GOOGLE_REVOKE_URI`].
    ///
    /// Fails with [`ConfigError::MissingEndpoint`] when no revocation
    /// endpoint is configured.
    pub fn revoke<'t>(&self, token: impl Into<TokenRef<'t>>) -> Result<Revocation, ConfigError> {
        let endpoint = required_endpoint(&self.revocation_endpoint, "revocation_endpoint")?;
        Ok(revocation(
            endpoint,
            &self.identity,
            Purpose::Other,
            token.into(),
            self.response_limit,
        ))
    }
}

impl UserCredentials {
    /// A machine that revokes the refresh token at `endpoint` (and with it,
    /// at most servers, the whole grant), authenticating the client as
    /// refreshes do. Fails with [`Error::NoRefreshToken`] when there is none.
    ///
    /// `endpoint` is used as given: take it from
    /// [`Client::revocation_endpoint`] or [`revocation_endpoint`](Self::revocation_endpoint),
    /// which apply the https rule.
    pub fn revoke_refresh_token(&self, endpoint: &Url) -> Result<Revocation, Error> {
        let token = self.refresh_token.as_ref().ok_or(Error::NoRefreshToken)?;
        Ok(self.revocation(endpoint, token.into()))
    }

    /// A machine that revokes the current access token at `endpoint`, as
    /// [`revoke_refresh_token`](Self::revoke_refresh_token) does the refresh
    /// token; `None` when there is no access token.
    pub fn revoke_access_token(&self, endpoint: &Url) -> Option<Revocation> {
        let token = self.token.as_ref()?.token();
        Some(self.revocation(endpoint, token.into()))
    }

    /// Where these credentials' tokens are revoked, when it follows from
    /// the token endpoint: Google's [`GOOGLE_REVOKE_URI`] for Google's
    /// [`GOOGLE_TOKEN_URI`], else `None` (an authorized_user file does not
    /// name a revocation endpoint); an `external_account_authorized_user`
    /// file's `revoke_url`.
    pub fn revocation_endpoint(&self) -> Option<Url> {
        if let Some(workforce) = &self.file_extras.workforce {
            return workforce.revoke_url.clone();
        }
        (self.token_uri.as_str() == GOOGLE_TOKEN_URI)
            .then(|| Url::parse(GOOGLE_REVOKE_URI).expect("a valid constant URL"))
    }

    /// Authenticated as refreshes are.
    fn revocation(&self, endpoint: &Url, token: TokenRef<'_>) -> Revocation {
        revocation(
            endpoint,
            &self.client,
            Purpose::Refresh,
            token,
            self.response_limit,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    #[test]
    fn only_200_is_success() {
        assert_eq!(parse(200, b"", 10), Ok(()));
        assert_eq!(parse(200, b"{\"anything\":1}", 100), Ok(()));
        assert_eq!(
            parse(200, b"01234567890", 10),
            Err(InvalidResponse::BodyTooLarge { limit: 10 }.into())
        );
        assert_eq!(parse(204, b"", 10), Err(Error::HttpStatus { status: 204 }));
        assert_eq!(parse(307, b"", 10), Err(Error::Redirect { status: 307 }));
        match parse(400, br#"{"error":"unsupported_token_type"}"#, 100) {
            Err(Error::OAuth(e)) => assert_eq!(*e.code(), ErrorCode::UnsupportedTokenType),
            other => panic!("{other:?}"),
        }
    }
}
