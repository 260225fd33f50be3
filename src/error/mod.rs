//! Errors a machine stops with.
//!
//! Every machine error is an [`Error`]; match on its variant to learn whose
//! fault it was: the caller's driving loop ([`Error::Misuse`]), the network
//! ([`Error::Transport`]), the server ([`Error::OAuth`], [`Error::GoogleApi`],
//! [`Error::HttpStatus`], [`Error::Redirect`], [`Error::InvalidResponse`]),
//! or the store a token cache keeps credentials in ([`Error::Store`]).
//! [`Error::is_retryable`] says whether sending the same request again later
//! can help. Errors are sticky: once a machine has failed, every later call
//! returns the same error. No error message contains a secret.

pub mod config;
pub mod google_api;
pub mod safe_text;

use std::fmt;

use crate::macros::from_variants;

/// Why a machine stopped without a result.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The caller drove the machine out of order: a bug in the driving loop.
    Misuse(Misuse),
    /// The transport could not deliver the request or read the response.
    Transport(TransportFailure),
    /// The server answered with an OAuth error
    /// ([RFC 6749 §5.2](https://www.rfc-editor.org/rfc/rfc6749#section-5.2)).
    OAuth(OAuthError),
    /// The server answered with an unexpected HTTP status and no OAuth error
    /// in the body (an HTML error page from a proxy, say).
    HttpStatus {
        /// The HTTP status code.
        status: u16,
    },
    /// The server answered with a redirect. Token, revocation and similar
    /// endpoints must not redirect; the crate never follows one, because the
    /// request body carries secrets.
    Redirect {
        /// The HTTP status code (3xx).
        status: u16,
    },
    /// The response could not be understood.
    InvalidResponse(InvalidResponse),
    /// A refresh was asked of credentials without a refresh token.
    NoRefreshToken,
    /// The [`Signer`](crate::jwt::Signer) could not sign a JWT the request
    /// needed (a service-account assertion, a client assertion).
    Signing(crate::jwt::SignError),
    /// The machine was made from a configuration that cannot work (a
    /// `private_key_jwt` client without a key); fix the configuration.
    Config(crate::ConfigError),
    /// The store a token cache keeps renewed credentials in could not be
    /// made ready, so no refresh was sent and the stored refresh token
    /// still works; see [`Keeper`](crate::cache::Keeper).
    Store(crate::cache::KeepError),
    /// A Google JSON API (IAM Credentials, STS) refused the request with
    /// its own error body.
    GoogleApi(google_api::GoogleApiError),
    /// An external account had no subject token to exchange (its source
    /// is not supported yet, needs a supplier, or gave unusable bytes).
    SubjectToken(crate::credentials::external::SubjectTokenError),
}

impl Error {
    /// Whether the same request, sent again later, may succeed: transport
    /// failures, HTTP 408, 429, 500, 502, 503, 504, and the OAuth errors
    /// `server_error`, `temporarily_unavailable` and Google's `internal_failure`;
    /// and a store that was busy or failed to read or write
    /// ([`KeepError::is_retryable`](crate::cache::KeepError::is_retryable)).
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Transport(_) => true,
            Error::HttpStatus { status } => retryable_status(*status),
            Error::OAuth(e) => e.is_retryable(),
            Error::Signing(e) => e.is_retryable(),
            Error::Store(e) => e.is_retryable(),
            Error::GoogleApi(e) => e.is_retryable(),
            Error::SubjectToken(e) => e.is_retryable(),
            Error::Misuse(_)
            | Error::Redirect { .. }
            | Error::InvalidResponse(_)
            | Error::NoRefreshToken
            | Error::Config(_) => false,
        }
    }
}

pub(crate) fn retryable_status(status: u16) -> bool {
    matches!(status, 408 | 429 | 500 | 502 | 503 | 504)
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Misuse(m) => write!(f, "machine driven out of order: {m}"),
            Error::Transport(t) => write!(f, "{t}"),
            Error::OAuth(e) => write!(f, "{e}"),
            Error::HttpStatus { status } => write!(
                f,
                "the server answered HTTP {status} without an OAuth error{}",
                if retryable_status(*status) {
                    "; try again later"
                } else {
                    "; check the endpoint URL"
                }
            ),
            Error::Redirect { status } => write!(
                f,
                "the server answered with a redirect (HTTP {status}); redirects are not followed \
                 because the request carries secrets: configure the final endpoint URL"
            ),
            Error::InvalidResponse(e) => write!(f, "{e}"),
            Error::NoRefreshToken => f.write_str(
                "these credentials have no refresh token; sign in again (with access_type=offline for Google)",
            ),
            Error::Signing(e) => write!(f, "{e}"),
            Error::Config(e) => write!(f, "{e}"),
            Error::GoogleApi(e) => write!(f, "{e}"),
            Error::SubjectToken(e) => write!(f, "{e}"),
            Error::Store(e) => write!(
                f,
                "the store for refreshed credentials is not ready, so no refresh was sent \
                 and the stored refresh token still works: {e}"
            ),
        }
    }
}

impl std::error::Error for Error {}

from_variants!(Error {
    crate::jwt::SignError => Signing,
    crate::ConfigError => Config,
    Misuse => Misuse,
    TransportFailure => Transport,
    OAuthError => OAuth,
    InvalidResponse => InvalidResponse,
    google_api::GoogleApiError => GoogleApi,
    crate::credentials::external::SubjectTokenError => SubjectToken,
});

/// A call the machine did not expect in its current state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Misuse {
    /// A response (or transport failure) arrived while no request was
    /// outstanding: `poll` has not returned `Send`, or its answer was already
    /// handed in.
    UnexpectedResponse,
    /// `poll` was called while a request is outstanding: hand in its response
    /// or transport failure first.
    ResponsePending,
    /// The machine already returned `Done`; its result cannot be taken twice.
    AlreadyDone,
}

impl fmt::Display for Misuse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Misuse::UnexpectedResponse => {
                "a response was handed in but no request was outstanding; hand in one answer per Send"
            }
            Misuse::ResponsePending => {
                "poll was called while a request is outstanding; hand in its response or transport failure first"
            }
            Misuse::AlreadyDone => "the machine already finished; its result was returned once",
        })
    }
}

/// What went wrong in the transport, as the caller reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransportFailure {
    kind: TransportFailureKind,
    message: String,
}

/// The broad kind of a [`TransportFailure`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransportFailureKind {
    /// The connection could not be made (DNS, refused, TLS).
    Connect,
    /// The request or response timed out.
    Timeout,
    /// The response body exceeded the transport's size bound.
    BodyTooLarge,
    /// Anything else.
    Other,
}

impl TransportFailure {
    /// A failure of `kind`, described by `message` (which must not contain
    /// secrets: transports should describe the failure, not the request).
    pub fn new(kind: TransportFailureKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }

    /// The kind of failure.
    pub fn kind(&self) -> TransportFailureKind {
        self.kind
    }

    /// The transport's description.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for TransportFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            TransportFailureKind::Connect => "could not connect to the server",
            TransportFailureKind::Timeout => "the request timed out",
            TransportFailureKind::BodyTooLarge => "the response body was too large",
            TransportFailureKind::Other => "the transport failed",
        };
        write!(
            f,
            "{what}: {}; check the network and try again",
            self.message
        )
    }
}

impl std::error::Error for TransportFailure {}

/// An OAuth error code: RFC 6749 §4.1.2.1 and §5.2, RFC 8628 §3.5, RFC 7009 §2.2.1, and any
/// other string as [`ErrorCode::Extension`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// `invalid_request`
    InvalidRequest,
    /// `invalid_client`
    InvalidClient,
    /// `invalid_grant`: the code, refresh token or assertion is invalid,
    /// expired or revoked. For a refresh token: sign in again.
    InvalidGrant,
    /// `unauthorized_client`
    UnauthorizedClient,
    /// `unsupported_grant_type`
    UnsupportedGrantType,
    /// `invalid_scope`
    InvalidScope,
    /// `access_denied`: the user or server refused.
    AccessDenied,
    /// `unsupported_response_type`
    UnsupportedResponseType,
    /// `server_error`
    ServerError,
    /// `temporarily_unavailable`
    TemporarilyUnavailable,
    /// `authorization_pending` (device grant)
    AuthorizationPending,
    /// `slow_down` (device grant)
    SlowDown,
    /// `expired_token` (device grant)
    ExpiredToken,
    /// `unsupported_token_type` (revocation, [RFC 7009 §2.2.1](https://www.rfc-editor.org/rfc/rfc7009#section-2.2.1))
    UnsupportedTokenType,
    /// `use_dpop_nonce` ([RFC 9449 §8](https://www.rfc-editor.org/rfc/rfc9449#section-8)):
    /// the server wants its nonce in the DPoP proof. The crate retries once
    /// with it; seen here, the server asked twice in a row.
    UseDpopNonce,
    /// `invalid_dpop_proof` ([RFC 9449 §5](https://www.rfc-editor.org/rfc/rfc9449#section-5)).
    InvalidDpopProof,
    /// `invalid_request_uri` ([RFC 9101 §6.2](https://www.rfc-editor.org/rfc/rfc9101#section-6.2)):
    /// a pushed request's `request_uri` expired or was already used.
    InvalidRequestUri,
    /// Any other code, as sent (control, invisible and bidi characters removed).
    Extension(String),
}

impl ErrorCode {
    /// Parses a code as sent by a server.
    pub fn parse(code: &str) -> Self {
        match code {
            "invalid_request" => Self::InvalidRequest,
            "invalid_client" => Self::InvalidClient,
            "invalid_grant" => Self::InvalidGrant,
            "unauthorized_client" => Self::UnauthorizedClient,
            "unsupported_grant_type" => Self::UnsupportedGrantType,
            "invalid_scope" => Self::InvalidScope,
            "access_denied" => Self::AccessDenied,
            "unsupported_response_type" => Self::UnsupportedResponseType,
            "server_error" => Self::ServerError,
            "temporarily_unavailable" => Self::TemporarilyUnavailable,
            "authorization_pending" => Self::AuthorizationPending,
            "slow_down" => Self::SlowDown,
            "expired_token" => Self::ExpiredToken,
            "unsupported_token_type" => Self::UnsupportedTokenType,
            "use_dpop_nonce" => Self::UseDpopNonce,
            "invalid_dpop_proof" => Self::InvalidDpopProof,
            "invalid_request_uri" => Self::InvalidRequestUri,
            other => Self::Extension(sanitize(other)),
        }
    }

    /// The code as it appears on the wire.
    pub fn as_str(&self) -> &str {
        match self {
            Self::InvalidRequest => "invalid_request",
            Self::InvalidClient => "invalid_client",
            Self::InvalidGrant => "invalid_grant",
            Self::UnauthorizedClient => "unauthorized_client",
            Self::UnsupportedGrantType => "unsupported_grant_type",
            Self::InvalidScope => "invalid_scope",
            Self::AccessDenied => "access_denied",
            Self::UnsupportedResponseType => "unsupported_response_type",
            Self::ServerError => "server_error",
            Self::TemporarilyUnavailable => "temporarily_unavailable",
            Self::AuthorizationPending => "authorization_pending",
            Self::SlowDown => "slow_down",
            Self::ExpiredToken => "expired_token",
            Self::UnsupportedTokenType => "unsupported_token_type",
            Self::UseDpopNonce => "use_dpop_nonce",
            Self::InvalidDpopProof => "invalid_dpop_proof",
            Self::InvalidRequestUri => "invalid_request_uri",
            Self::Extension(s) => s,
        }
    }

    fn hint(&self) -> &'static str {
        match self {
            Self::InvalidGrant => "the code or token is invalid, expired or revoked: sign in again",
            Self::InvalidClient => "check the client id and its secret or key",
            Self::AccessDenied => {
                "the user or the server declined; sign in again and approve the request"
            }
            Self::InvalidScope => {
                "check the requested scopes; a refresh re-sends the sign-in's scopes, so if the \
                 server granted fewer, refresh with the granted ones or none \
                 (UserCredentials::with_scopes)"
            }
            Self::ServerError | Self::TemporarilyUnavailable => "try again later",
            Self::UseDpopNonce => {
                "the server asked for a new DPoP nonce twice in a row; try again, and check the \
                 clocks if it persists"
            }
            Self::InvalidRequestUri => {
                "the pushed authorization request expired or was already used; start the \
                 sign-in again (push a new request)"
            }
            Self::InvalidDpopProof => {
                "the server refused the DPoP proof; check that it accepts ES256 proofs and that \
                 the request URI is the one it expects"
            }
            Self::Extension(s) if s == "internal_failure" => "try again later",
            _ => "check the request",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error a server reported in OAuth form: from a token endpoint's JSON
/// body, or from the authorization redirect's query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthError {
    code: ErrorCode,
    description: Option<String>,
    uri: Option<String>,
    status: Option<u16>,
}

impl OAuthError {
    /// Builds an error; `description` and `uri` are cleaned of control,
    /// invisible and bidi characters and shortened, since they come from
    /// the server.
    pub fn new(
        code: ErrorCode,
        description: Option<&str>,
        uri: Option<&str>,
        status: Option<u16>,
    ) -> Self {
        Self {
            code,
            description: description.map(sanitize).filter(|s| !s.is_empty()),
            uri: uri.map(sanitize).filter(|s| !s.is_empty()),
            status,
        }
    }

    /// The error code.
    pub fn code(&self) -> &ErrorCode {
        &self.code
    }

    /// `error_description`, control, invisible and bidi characters removed.
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// `error_uri`, control, invisible and bidi characters removed.
    pub fn uri(&self) -> Option<&str> {
        self.uri.as_deref()
    }

    /// The HTTP status of the response that carried it; `None` when it came
    /// from no HTTP response (the authorization redirect, or a device code
    /// the machine found expired).
    pub fn status(&self) -> Option<u16> {
        self.status
    }

    /// Whether trying again later may help.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.code,
            ErrorCode::ServerError | ErrorCode::TemporarilyUnavailable
        ) || matches!(&self.code, ErrorCode::Extension(s) if s == "internal_failure")
            || self.status.is_some_and(retryable_status)
    }
}

impl fmt::Display for OAuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.status {
            Some(_) => write!(f, "the server refused: {}", self.code)?,
            // From the authorization redirect: the user may have declined.
            None => write!(f, "the authorization server answered {}", self.code)?,
        }
        if let Some(d) = &self.description {
            write!(f, " ({d})")?;
        }
        if let Some(status) = self.status {
            write!(f, " [HTTP {status}]")?;
        }
        write!(f, "; {}", self.code.hint())
    }
}

impl std::error::Error for OAuthError {}

/// A response that is not what the protocol allows.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum InvalidResponse {
    /// The body is larger than the configured bound.
    BodyTooLarge {
        /// The bound, in bytes.
        limit: usize,
    },
    /// The body is not a JSON object (or not JSON at all).
    NotJsonObject {
        /// HTTP status of the response.
        status: u16,
    },
    /// An object in the JSON, at any depth, has the same key twice.
    DuplicateKey {
        /// The key, with its path when it is in a nested object
        /// (`outer.key`, `list[2].key`); control, invisible and bidi
        /// characters removed. Never a value.
        key: String,
    },
    /// A required field is missing, null or empty.
    MissingField {
        /// The field's name.
        field: &'static str,
    },
    /// A field has a value of the wrong type or out of range.
    InvalidField {
        /// The field's name.
        field: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A header the answer must carry is missing (a metadata server's
    /// `Metadata-Flavor: Google`: without it, something else answered).
    MissingHeader {
        /// The header and its value.
        header: &'static str,
    },
    /// `token_type` is not the one the request asked for: `Bearer`, or
    /// `DPoP` for a request that carried a DPoP proof.
    UnsupportedTokenType {
        /// The token type as sent (control, invisible and bidi characters removed).
        token_type: String,
    },
}

impl fmt::Display for InvalidResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the server's response is invalid: ")?;
        match self {
            Self::BodyTooLarge { limit } => write!(f, "the body exceeds {limit} bytes"),
            Self::NotJsonObject { status } => {
                write!(
                    f,
                    "HTTP {status} with a body that is not a JSON object; check the endpoint URL"
                )
            }
            Self::DuplicateKey { key } => write!(f, "the JSON object has the key {key:?} twice"),
            Self::MissingField { field } => write!(f, "the field `{field}` is missing or empty"),
            Self::InvalidField { field, reason } => write!(f, "the field `{field}` {reason}"),
            Self::MissingHeader { header } => write!(
                f,
                "the answer lacks the header `{header}`, so it did not come from the server \
                 asked; check where the host points"
            ),
            Self::UnsupportedTokenType { token_type } => {
                write!(
                    f,
                    "token_type {token_type:?} is not the one the request asked for (Bearer, or \
                     DPoP for a request with a DPoP proof; Call::allow_bearer_downgrade takes \
                     Bearer there too)"
                )
            }
        }
    }
}

impl std::error::Error for InvalidResponse {}

pub(crate) use safe_text::sanitize;

/// The [`InvalidResponse`] inside `result`; panics (in tests) on anything else.
#[cfg(test)]
pub(crate) fn expect_invalid<T: fmt::Debug>(result: Result<T, Error>) -> InvalidResponse {
    match result {
        Err(Error::InvalidResponse(invalid)) => invalid,
        other => panic!("expected InvalidResponse, got {other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn description_is_stripped_of_control_characters() {
        let e = OAuthError::new(
            ErrorCode::InvalidGrant,
            Some("bad\r\n[ERROR] forged\u{1b}[31m"),
            None,
            Some(400),
        );
        assert_eq!(e.description(), Some("bad[ERROR] forged[31m"));
        assert!(!e.to_string().contains('\n'));
    }

    #[test]
    fn retryable_codes_and_statuses() {
        let e = |code: &str, status| {
            Error::OAuth(OAuthError::new(ErrorCode::parse(code), None, None, status))
        };
        assert!(e("server_error", Some(400)).is_retryable());
        assert!(e("temporarily_unavailable", None).is_retryable());
        assert!(e("internal_failure", Some(400)).is_retryable());
        assert!(e("invalid_request", Some(503)).is_retryable());
        assert!(!e("invalid_grant", Some(400)).is_retryable());
        assert!(Error::HttpStatus { status: 429 }.is_retryable());
        assert!(!Error::HttpStatus { status: 404 }.is_retryable());
        assert!(!Error::Redirect { status: 302 }.is_retryable());
    }

    #[test]
    fn codes_round_trip() {
        for code in [
            "invalid_grant",
            "slow_down",
            "unsupported_token_type",
            "access_denied",
            "custom_thing",
        ] {
            assert_eq!(ErrorCode::parse(code).as_str(), code);
        }
    }
}
