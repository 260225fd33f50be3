//! What the library's errors mean for the person at the terminal: an exit
//! code and a line that says what to do. The library's messages carry no
//! secrets, and nothing here adds one.

use oauth2_sansio::io::installed::InstalledAppError;
use oauth2_sansio::{CallbackError, Error, ErrorCode};

use crate::exit::{Failure, INTERNAL, LOCAL, SERVER, SIGN_IN, TEMPORARY};

/// The exit code for a failed token request.
pub fn code_of(error: &Error) -> u8 {
    match error {
        Error::Misuse(_) => INTERNAL,
        Error::NoRefreshToken | Error::Config(_) => LOCAL,
        e if e.is_retryable() => TEMPORARY,
        _ => SERVER,
    }
}

/// `doing: error`, and `on_invalid_grant` after it when the server said
/// `invalid_grant` (the code or refresh token is no good: sign in again).
pub fn token_request_failed(doing: &str, error: &Error, on_invalid_grant: &str) -> Failure {
    let mut message = format!("{doing}: {error}");
    if matches!(error, Error::OAuth(e) if *e.code() == ErrorCode::InvalidGrant) {
        message.push_str(on_invalid_grant);
    }
    Failure::new(code_of(error), message)
}

/// Why `login` stopped, from the installed-app runner's error.
pub fn sign_in_failed(error: &InstalledAppError) -> Failure {
    match error {
        InstalledAppError::Exchange(e) => token_request_failed(
            "exchanging the authorization code failed",
            e,
            " with `oauth2-sansio login`",
        ),
        InstalledAppError::Push(e) => {
            token_request_failed("pushing the authorization request failed", e, "")
        }
        InstalledAppError::Callback(CallbackError::StartLinkReused) => {
            Failure::new(SIGN_IN, format!("{error}: `oauth2-sansio login --device`"))
        }
        InstalledAppError::Timeout { .. } | InstalledAppError::Callback(_) => {
            Failure::new(SIGN_IN, error.to_string())
        }
        InstalledAppError::Bind { .. }
        | InstalledAppError::Config(_)
        | InstalledAppError::Io { .. } => Failure::new(LOCAL, error.to_string()),
        _ => Failure::new(INTERNAL, error.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oauth2_sansio::{OAuthError, TransportFailure, TransportFailureKind};
    use std::time::Duration;

    fn oauth(code: &str, status: u16) -> Error {
        Error::OAuth(OAuthError::new(
            ErrorCode::parse(code),
            None,
            None,
            Some(status),
        ))
    }

    #[test]
    fn token_errors_map_to_codes() {
        assert_eq!(code_of(&oauth("invalid_grant", 400)), SERVER);
        assert_eq!(code_of(&oauth("invalid_client", 401)), SERVER);
        assert_eq!(code_of(&oauth("temporarily_unavailable", 503)), TEMPORARY);
        assert_eq!(code_of(&Error::HttpStatus { status: 502 }), TEMPORARY);
        assert_eq!(code_of(&Error::HttpStatus { status: 404 }), SERVER);
        assert_eq!(code_of(&Error::Redirect { status: 302 }), SERVER);
        let network = TransportFailure::new(TransportFailureKind::Connect, "127.0.0.1:9");
        assert_eq!(code_of(&Error::Transport(network)), TEMPORARY);
        assert_eq!(code_of(&Error::NoRefreshToken), LOCAL);
    }

    #[test]
    fn only_invalid_grant_gets_the_sign_in_hint() {
        let hint = " HINT";
        let grant = token_request_failed("refreshing", &oauth("invalid_grant", 400), hint);
        assert!(grant.to_string().ends_with(" HINT"), "{grant}");
        assert!(grant.to_string().starts_with("oauth2-sansio: refreshing: "));
        let client = token_request_failed("refreshing", &oauth("invalid_client", 401), hint);
        assert!(!client.to_string().contains("HINT"), "{client}");
    }

    #[test]
    fn sign_in_errors_map_to_codes() {
        let denied = CallbackError::Authorization(OAuthError::new(
            ErrorCode::AccessDenied,
            None,
            None,
            None,
        ));
        assert_eq!(
            sign_in_failed(&InstalledAppError::Callback(denied)).code(),
            SIGN_IN
        );
        let timeout = InstalledAppError::Timeout {
            waited: Duration::from_secs(1),
        };
        assert_eq!(sign_in_failed(&timeout).code(), SIGN_IN);
        let reused = sign_in_failed(&InstalledAppError::Callback(CallbackError::StartLinkReused));
        assert_eq!(reused.code(), SIGN_IN);
        assert!(
            reused.to_string().ends_with(
                "(on a machine shared with other users, prefer the device flow): `oauth2-sansio login --device`"
            ),
            "{reused}"
        );
        let exchange = InstalledAppError::Exchange(oauth("invalid_grant", 400));
        assert_eq!(sign_in_failed(&exchange).code(), SERVER);
        let io = InstalledAppError::Io {
            during: "writing the sign-in prompt",
            source: std::io::ErrorKind::BrokenPipe.into(),
        };
        assert_eq!(sign_in_failed(&io).code(), LOCAL);
    }
}
