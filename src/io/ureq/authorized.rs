//! Authorized API calls over ureq: the blocking twin of the tower layer.

use std::sync::Arc;
use std::time::SystemTime;

use http::{Request, Response};

use super::UreqTransport;
use crate::cache::{CachedToken, SharedToken};
use crate::credentials::kind::Credentials;
use crate::error::TransportFailure;
use crate::io::authorized::{after_first_answer, AuthorizedError, Resend};

/// Sends API requests authorized from a [`SharedToken`], blocking: what
/// [`io::tower::AuthLayer`](crate::io) does for async clients (feature
/// `tower`), for ureq users.
///
/// - The token comes from the cache (one refresh for all threads, run
///   through the same transport); `Authorization` and `x-goog-user-project`
///   are set by [`CachedToken::authorize`] (`Authorization: DPoP` and a
///   proof for a DPoP-bound token).
/// - A `401` that refuses the token ([`CachedToken::read_answer`]) retires
///   it from the cache, and the request is sent once more with a new one;
///   a `401` asking for a DPoP nonce is sent once more with a proof that
///   carries it. At most one refresh and one resend per request (bodies
///   are bytes, so every request can be sent again).
/// - The transport's rules hold: no redirect followed, the response body
///   bounded by [`UreqTransport::with_response_limit`] (1 MiB by default:
///   raise it for large API answers).
///
/// ```no_run
/// use std::sync::Arc;
/// use oauth2_sansio::cache::SharedToken;
/// use oauth2_sansio::io::ureq::{AuthorizedAgent, UreqTransport};
/// use oauth2_sansio::{http, UserCredentials};
///
/// # fn call(credentials: UserCredentials) -> Result<(), Box<dyn std::error::Error>> {
/// let agent = AuthorizedAgent::new(UreqTransport::new(), Arc::new(SharedToken::new(credentials)));
/// let request = http::Request::get("https://www.googleapis.com/drive/v3/files").body(Vec::new())?;
/// let response = agent.send(request)?;
/// println!("{}", response.status());
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct AuthorizedAgent<C: Credentials> {
    transport: UreqTransport,
    shared: Arc<SharedToken<C>>,
}

impl<C: Credentials> AuthorizedAgent<C> {
    /// Sends through `transport`, authorized from `shared` (which may be
    /// shared with other agents and code: one refresh serves them all).
    pub fn new(transport: UreqTransport, shared: Arc<SharedToken<C>>) -> Self {
        Self { transport, shared }
    }

    /// The token cache.
    pub fn shared(&self) -> &Arc<SharedToken<C>> {
        &self.shared
    }

    /// Sends `request` authorized, and once more after a `401` that a new
    /// token or a DPoP nonce may cure; returns the last answer, whatever
    /// its status.
    pub fn send(
        &self,
        request: Request<Vec<u8>>,
    ) -> Result<Response<Vec<u8>>, AuthorizedError<TransportFailure>> {
        let (parts, body) = request.into_parts();
        let again = (parts.clone(), body.clone());
        let token = self.token()?;
        let first = self.send_with(&token, Request::from_parts(parts, body))?;
        let token = match after_first_answer(&self.shared, &token, &again.0.uri, &first, true) {
            Resend::No => return Ok(first),
            Resend::WithNewToken => self.token()?,
            Resend::WithSameToken => token,
        };
        self.send_with(&token, Request::from_parts(again.0, again.1))
    }

    fn token(&self) -> Result<CachedToken<C>, AuthorizedError<TransportFailure>> {
        self.shared
            .token_with(SystemTime::now, |machine| self.transport.run(machine))
            .map_err(AuthorizedError::Token)
    }

    fn send_with(
        &self,
        token: &CachedToken<C>,
        mut request: Request<Vec<u8>>,
    ) -> Result<Response<Vec<u8>>, AuthorizedError<TransportFailure>> {
        token
            .authorize(&mut request, SystemTime::now())
            .map_err(AuthorizedError::Authorize)?;
        self.transport.send(request).map_err(AuthorizedError::Send)
    }
}
