//! What the authorizing clients (`tower::AuthService`, `ureq::AuthorizedAgent`)
//! share: their error, and what to do after each answer.

use std::fmt;

use crate::cache::{ApiAnswer, CachedToken, SharedToken, TokenError};
use crate::credentials::kind::Credentials;
use crate::AuthorizeError;

/// Why an authorized request got no response. It never shows a token.
#[derive(Debug)]
#[non_exhaustive]
pub enum AuthorizedError<E> {
    /// No valid token could be had: refreshing it failed (the request was
    /// not sent, or its `401` was not retried). See
    /// [`TokenError::is_retryable`] and [`TokenError::retry_at`].
    Token(TokenError),
    /// The request could not be authorized: a DPoP-bound token needs an
    /// absolute URI for its proof, or the key's signer failed.
    Authorize(AuthorizeError),
    /// The HTTP client failed to send the request or read its answer.
    Send(E),
}

impl<E: fmt::Display> fmt::Display for AuthorizedError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Token(e) => write!(f, "the request was not authorized: {e}"),
            Self::Authorize(e @ AuthorizeError::Proof(_)) => write!(
                f,
                "the request was not authorized: {e}; a DPoP proof needs the request's absolute URI and a working key"
            ),
            Self::Authorize(e) => write!(
                f,
                "the request was not authorized: {e}; send it again"
            ),
            Self::Send(e) => write!(f, "the authorized request failed: {e}"),
        }
    }
}

impl<E: std::error::Error + 'static> std::error::Error for AuthorizedError<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Token(e) => Some(e),
            Self::Authorize(e) => Some(e),
            Self::Send(e) => Some(e),
        }
    }
}

/// What to do after the first answer to a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Resend {
    /// Hand the answer to the caller.
    No,
    /// Send the request again, authorized with the token the cache gives
    /// now (the refused one was retired).
    WithNewToken,
    /// Send it again with the same token: its DPoP key now holds the
    /// server's nonce.
    WithSameToken,
}

/// Reads the first answer to a request to `uri` sent with `token`. A
/// refused token is retired from `shared` even when the request cannot be
/// sent again (`replayable` false), so the next request gets a new one.
pub(crate) fn after_first_answer<C: Credentials, B>(
    shared: &SharedToken<C>,
    token: &CachedToken<C>,
    uri: &http::Uri,
    response: &http::Response<B>,
    replayable: bool,
) -> Resend {
    match token.read_answer(uri, response) {
        ApiAnswer::TokenRefused => {
            shared.reject(token);
            if replayable {
                Resend::WithNewToken
            } else {
                Resend::No
            }
        }
        ApiAnswer::RetryWithNonce if replayable => Resend::WithSameToken,
        _ => Resend::No,
    }
}
