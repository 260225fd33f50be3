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
//!
//! With a start link ([`LoopbackCallback::with_start_link`]) the browser is
//! opened on `http://127.0.0.1:PORT/start/<random>` instead of the
//! authorization URL, which then never appears on a command line (other
//! local users can read those). The link's first visit redirects to the
//! authorization URL and sets a random cookie; a callback without that
//! cookie does not count, however right its `state`. A second visit of the
//! link ends the flow with [`CallbackError::StartLinkReused`]: someone else
//! may have taken the cookie.
//!
//! ```
//! use std::time::SystemTime;
//! use oauth2_sansio::loopback::{LoopbackCallback, LoopbackRequestParser, Outcome, Parsed};
//! use oauth2_sansio::Client;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let client = Client::builder("app")
//!     .authorization_endpoint("https://as.example/auth")
//!     .token_endpoint("https://as.example/token")
//!     .build()?;
//! let (url, pending) = client
//!     .authorization_request("http://127.0.0.1:53682/")
//!     .build(SystemTime::now(), &mut rand::rng())?;
//! let mut callback = LoopbackCallback::new(pending, client)?.with_start_link(&url, &mut rand::rng());
//! // Open the browser on this, never on `url`:
//! let start = format!("http://127.0.0.1:53682{}", callback.start_path().unwrap());
//! # let _ = start;
//! // For each request the listener reads:
//! let head = format!("GET {} HTTP/1.1\r\nHost: 127.0.0.1:53682\r\n\r\n", callback.start_path().unwrap());
//! if let Parsed::Request(request) = LoopbackRequestParser::new().feed(head.as_bytes()) {
//!     let answer = callback.handle(&request);
//!     assert!(answer.response.starts_with(b"HTTP/1.1 303 "));
//!     assert!(matches!(answer.outcome, Outcome::KeepWaiting));
//! }
//! # Ok(()) }
//! ```

mod request;
mod response;
mod start;

pub use request::{
    LoopbackRequest, LoopbackRequestParser, Parsed, Rejection, LOOPBACK_REQUEST_LIMIT,
};

use url::Url;

use crate::flows::code::authorization_url::AuthorizationUrl;
use zeroize::Zeroizing;

use self::start::{StartLink, Visit};
use crate::client::Client;
use crate::error::config::ConfigError;
use crate::flows::code::authorize::PendingAuthorization;
use crate::flows::code::callback::CallbackError;
use crate::flows::code::exchange::{code_exchange, CodeExchange};
use crate::secret::entropy::Entropy;

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
    port: u16,
    start: Option<StartLink>,
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
    ///
    /// Whoever has the authorization URL can complete the flow with their
    /// own account; when the browser is started with the URL as an
    /// argument, use [`with_start_link`](Self::with_start_link).
    pub fn new(pending: PendingAuthorization, client: Client) -> Result<Self, ConfigError> {
        let redirect = Url::parse(pending.redirect_uri()).map_err(|_| ConfigError::InvalidUrl {
            field: "redirect_uri",
        })?;
        Ok(Self {
            path: redirect.path().to_owned(),
            port: redirect.port_or_known_default().unwrap_or_default(),
            pending: Some(pending),
            client,
            start: None,
        })
    }

    /// Adds a one-time start link (see the [module docs](self)) for
    /// `authorization_url`, its path and cookie drawn from `rng` (256 bits
    /// each). Open the browser on `http://HOST:PORT` followed by
    /// [`start_path`](Self::start_path), with the redirect URI's host and
    /// port, so that the cookie comes back with the callback.
    pub fn with_start_link<R: Entropy + ?Sized>(
        self,
        authorization_url: &AuthorizationUrl,
        rng: &mut R,
    ) -> Self {
        let mut entropy = Zeroizing::new([0u8; 64]);
        rng.fill_entropy(&mut *entropy);
        self.with_start_link_from_entropy(authorization_url, &entropy)
    }

    /// [`with_start_link`](Self::with_start_link) from 64 caller-supplied
    /// random bytes (the first 32 make the path, the last 32 the cookie);
    /// they must come from a CSPRNG.
    pub fn with_start_link_from_entropy(
        mut self,
        authorization_url: &AuthorizationUrl,
        entropy: &[u8; 64],
    ) -> Self {
        self.start = Some(StartLink::new(authorization_url, self.port, entropy));
        self
    }

    /// The start link's path, `/start/` and 43 random characters, if there
    /// is a start link. It is a secret until its first visit: show it only
    /// to the user.
    pub fn start_path(&self) -> Option<&str> {
        self.start.as_ref().map(StartLink::path)
    }

    /// Whether the genuine callback has arrived.
    pub fn is_finished(&self) -> bool {
        self.pending.is_none()
    }

    /// Answers one parsed request.
    pub fn handle(&mut self, request: &LoopbackRequest) -> Answer {
        let start = self.start.as_ref().is_some_and(|s| s.is_at(request.path()));
        if !start && request.path() != self.path {
            return keep_waiting(404, "Not found.\n");
        }
        let Some(pending) = &self.pending else {
            return keep_waiting(
                410,
                "This sign-in has already completed. You may close this window.\n",
            );
        };
        if let Some(link) = &mut self.start {
            if start {
                return match link.visit(request) {
                    Visit::First(response) | Visit::Speculative(response) => Answer {
                        response,
                        outcome: Outcome::KeepWaiting,
                    },
                    Visit::Again(response) => {
                        self.pending = None;
                        Answer {
                            response,
                            outcome: Outcome::Finished(Err(CallbackError::StartLinkReused)),
                        }
                    }
                };
            }
            if !link.admits(request) {
                return keep_waiting(
                    400,
                    "This browser did not open this sign-in's link, so it cannot complete it: \
                     open the link the program printed, in this browser. The sign-in is still waiting.\n",
                );
            }
        }
        match pending.validate(&self.client, request.query()) {
            Ok(code) => {
                let pending = self.pending.take().expect("checked above");
                let exchange = code_exchange(pending, &self.client, code);
                Answer {
                    response: self.final_page(200, SUCCESS_MESSAGE),
                    outcome: Outcome::Finished(Ok(exchange)),
                }
            }
            Err(error) if error.is_genuine() => {
                self.pending = None;
                Answer {
                    response: self.final_page(403, &format!("Sign-in failed: {error}. You may close this window.\n")),
                    outcome: Outcome::Finished(Err(error)),
                }
            }
            Err(error) => keep_waiting(
                400,
                &format!("This request is not the sign-in in progress: {error}. The sign-in is still waiting.\n"),
            ),
        }
    }

    /// The page that ends the flow; it removes the start link's cookie.
    fn final_page(&self, status: u16, body: &str) -> Vec<u8> {
        match &self.start {
            Some(link) => response::response(status, &[&link.clear_cookie()], body),
            None => response::page(status, body),
        }
    }
}

fn keep_waiting(status: u16, body: &str) -> Answer {
    Answer {
        response: response::page(status, body),
        outcome: Outcome::KeepWaiting,
    }
}
