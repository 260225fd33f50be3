//! The loopback redirect of installed apps
//! ([RFC 8252 §7.3](https://www.rfc-editor.org/rfc/rfc8252#section-7.3)),
//! sans-IO: bytes in, an answer and an outcome out.
//!
//! A listener on `127.0.0.1` accepts connections; for each one it feeds the
//! bytes it reads to a [`LoopbackRequestParser`] until it has a request,
//! hands the request to [`LoopbackCallback::handle`], writes the answer's
//! bytes back and closes the connection. Only a genuine callback (the right
//! path, this authorization's `state`) ends the flow: `/favicon.ico`, a
//! forged callback or a malformed request gets its answer and the listener
//! keeps waiting.

mod request;
mod response;

pub use request::{
    LoopbackRequest, LoopbackRequestParser, Parsed, Rejection, LOOPBACK_REQUEST_LIMIT,
};

use url::Url;

use crate::client::Client;
use crate::error::config::ConfigError;
use crate::flows::code::authorize::PendingAuthorization;
use crate::flows::code::callback::CallbackError;
use crate::flows::code::exchange::{code_exchange, CodeExchange};

/// The page shown when the sign-in succeeded (google-auth-oauthlib's text).
pub const SUCCESS_MESSAGE: &str =
    "The authentication flow has completed. You may close this window.\n";

/// Checks the requests that reach the loopback redirect URI, and yields the
/// code exchange for the genuine one.
#[derive(Debug)]
pub struct LoopbackCallback {
    pending: Option<PendingAuthorization>,
    client: Client,
    path: String,
}

/// The answer to one request.
#[derive(Debug)]
#[must_use = "write the response, then act on the outcome"]
pub struct Answer {
    /// The exact bytes to write back before closing the connection.
    pub response: Vec<u8>,
    /// Whether the flow ended with this request.
    pub outcome: Outcome,
}

/// What a request meant for the flow.
#[derive(Debug)]
#[non_exhaustive]
// Made once per connection; boxing the exchange would only add an allocation.
#[allow(clippy::large_enum_variant)]
pub enum Outcome {
    /// Not the callback (another path, a forged or stray callback): keep
    /// listening.
    KeepWaiting,
    /// The genuine callback: exchange the code, or report why the server
    /// refused (`access_denied`, ...). Stop listening.
    Finished(Result<CodeExchange, CallbackError>),
}

impl LoopbackCallback {
    /// Watches for the callback of `pending`, made by `client`. The callback
    /// path is the path of the pending authorization's redirect URI.
    pub fn new(pending: PendingAuthorization, client: Client) -> Result<Self, ConfigError> {
        let redirect = Url::parse(pending.redirect_uri()).map_err(|_| ConfigError::InvalidUrl {
            field: "redirect_uri",
        })?;
        Ok(Self {
            path: redirect.path().to_owned(),
            pending: Some(pending),
            client,
        })
    }

    /// Whether the genuine callback has arrived.
    pub fn is_finished(&self) -> bool {
        self.pending.is_none()
    }

    /// Answers one parsed request.
    pub fn handle(&mut self, request: &LoopbackRequest) -> Answer {
        if request.path() != self.path {
            return keep_waiting(404, "Not found.\n");
        }
        let Some(pending) = &self.pending else {
            return keep_waiting(
                410,
                "This sign-in has already completed. You may close this window.\n",
            );
        };
        match pending.validate(&self.client, request.query()) {
            Ok(code) => {
                let pending = self.pending.take().expect("checked above");
                let exchange = code_exchange(pending, &self.client, code);
                Answer {
                    response: response::page(200, SUCCESS_MESSAGE),
                    outcome: Outcome::Finished(Ok(exchange)),
                }
            }
            Err(error) if error.is_genuine() => {
                self.pending = None;
                Answer {
                    response: response::page(403, &format!("Sign-in failed: {error}. You may close this window.\n")),
                    outcome: Outcome::Finished(Err(error)),
                }
            }
            Err(error) => keep_waiting(
                400,
                &format!("This request is not the sign-in in progress: {error}. The sign-in is still waiting.\n"),
            ),
        }
    }
}

fn keep_waiting(status: u16, body: &str) -> Answer {
    Answer {
        response: response::page(status, body),
        outcome: Outcome::KeepWaiting,
    }
}
