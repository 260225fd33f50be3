//! What an API's answer to a request authorized with a cached token asks
//! of the caller: nothing, a new token, or a new DPoP proof.

use http::StatusCode;

use super::cached::CachedToken;
use crate::credentials::kind::Credentials;
use crate::dpop::{bearer_error, ResourceAnswer};

/// What an API's answer to a request authorized with a [`CachedToken`]
/// means for the caller ([`CachedToken::read_answer`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ApiAnswer {
    /// Use the response as it is (a success, or a refusal a new token
    /// would not change).
    Usable,
    /// `401`: the server says the token is invalid (revoked, or expired
    /// earlier than announced). [`SharedToken::reject`](super::SharedToken::reject)
    /// it, get a token again, and send the request once more if its body
    /// can be sent again.
    TokenRefused,
    /// `401` asking for a DPoP proof with the server's nonce, which the
    /// token's key now holds: authorize the request again with the same
    /// token and send it once more.
    RetryWithNonce,
}

impl<C: Credentials> CachedToken<C> {
    /// Reads an API's answer to a request to `uri` authorized with this
    /// token (and keeps the `DPoP-Nonce` it carries, for a DPoP-bound
    /// token).
    ///
    /// A `401` refuses the token when its `WWW-Authenticate` holds a
    /// `Bearer` (or, for a DPoP-bound token, `DPoP`) challenge whose
    /// `error` is `invalid_token` or absent: RFC 6750 §3.1 gives no error
    /// code to a request that lacks a usable token. A `401` without such a
    /// challenge (none at all, `invalid_request`, a malformed or oversized
    /// header) is [`ApiAnswer::Usable`]: the server did not say a new
    /// token would help.
    ///
    /// ```
    /// use oauth2_sansio::cache::{ApiAnswer, SharedToken};
    /// use oauth2_sansio::{http, Client, RefreshToken, UserCredentials};
    ///
    /// # let client = Client::google("id", None).build()?;
    /// # let credentials = UserCredentials::from_refresh_token(&client, RefreshToken::new("1//r"), vec![]);
    /// let cache = SharedToken::new(credentials);
    /// # let token = cache.token(std::time::SystemTime::now, |_| Ok(http::Response::new(br#"{"access_token":"ya29.a","token_type":"Bearer","expires_in":3599}"#.to_vec())))?;
    /// let uri: http::Uri = "https://www.googleapis.com/drive/v3/files".parse()?;
    /// let answer = http::Response::builder()
    ///     .status(401)
    ///     .header("www-authenticate", r#"Bearer realm="https://accounts.google.com/", error="invalid_token""#)
    ///     .body(())?;
    /// assert_eq!(token.read_answer(&uri, &answer), ApiAnswer::TokenRefused);
    /// cache.reject(&token); // the next caller refreshes
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn read_answer<B>(&self, uri: &http::Uri, response: &http::Response<B>) -> ApiAnswer {
        if let Some(key) = self.credentials().dpop_key() {
            match key.read_resource_answer(uri, response) {
                ResourceAnswer::RetryWithNonce => return ApiAnswer::RetryWithNonce,
                ResourceAnswer::Refused(challenge) if refuses_token(challenge.error.as_deref()) => {
                    return ApiAnswer::TokenRefused
                }
                _ => {}
            }
        }
        if response.status() != StatusCode::UNAUTHORIZED {
            return ApiAnswer::Usable;
        }
        match bearer_error(response.headers()) {
            Some(error) if refuses_token(error.as_deref()) => ApiAnswer::TokenRefused,
            _ => ApiAnswer::Usable,
        }
    }
}

/// Whether a challenge's `error` says the token itself is refused.
fn refuses_token(error: Option<&str>) -> bool {
    matches!(error, None | Some("invalid_token"))
}
