//! What the device authorization call yields: the codes to show, and the
//! way to the polling machine.

use std::time::SystemTime;

use url::Url;

use super::dialect::DeviceDialect;
use super::machine::DevicePoll;
use super::response::DeviceAuthorizationResponse;
use crate::credentials::UserCredentials;
use crate::error::Error;
use crate::machine::call::Update;

/// What polling needs besides the response: where and as whom to poll, and
/// the credentials the tokens will fill.
#[derive(Debug)]
pub(crate) struct PollContext {
    /// Empty credentials of the client (token endpoint, id, secret,
    /// requested scopes, response bound).
    pub credentials: UserCredentials,
    pub dialect: DeviceDialect,
}

/// The server's answer makes the device authorization.
impl Update<DeviceAuthorizationResponse> for PollContext {
    type Output = DeviceAuthorization;

    fn update(
        self,
        response: DeviceAuthorizationResponse,
        sent_at: SystemTime,
    ) -> Result<DeviceAuthorization, Error> {
        Ok(DeviceAuthorization::new(response, sent_at, self))
    }
}

/// A device authorization in progress: show the user
/// [`verification_uri`](Self::verification_uri) and
/// [`user_code`](Self::user_code), then drive
/// [`into_poll`](Self::into_poll) until the user has approved.
///
/// Made by [`DeviceAuthorizationCall`](crate::device::DeviceAuthorizationCall).
/// The codes are valid until [`expires_at`](Self::expires_at), counted from
/// the time the request was sent.
#[derive(Debug)]
pub struct DeviceAuthorization {
    response: DeviceAuthorizationResponse,
    issued_at: SystemTime,
    context: PollContext,
}

impl DeviceAuthorization {
    pub(crate) fn new(
        response: DeviceAuthorizationResponse,
        issued_at: SystemTime,
        context: PollContext,
    ) -> Self {
        Self {
            response,
            issued_at,
            context,
        }
    }

    /// The code the user enters. Not a secret: it is meant to be shown.
    pub fn user_code(&self) -> &str {
        self.response.user_code()
    }

    /// Where the user enters the code; always `https` (or `http` on a
    /// loopback host).
    pub fn verification_uri(&self) -> &Url {
        self.response.verification_uri()
    }

    /// A URI with the code in it (for a QR code or a link), if the server
    /// sent one.
    pub fn verification_uri_complete(&self) -> Option<&Url> {
        self.response.verification_uri_complete()
    }

    /// When the device authorization request was sent.
    pub fn issued_at(&self) -> SystemTime {
        self.issued_at
    }

    /// When the codes expire: [`issued_at`](Self::issued_at) plus
    /// `expires_in`. Polling stops there.
    pub fn expires_at(&self) -> SystemTime {
        self.issued_at
            .checked_add(self.response.expires_in())
            .unwrap_or(self.issued_at)
    }

    /// The server's answer, as parsed (device code, interval, other fields).
    pub fn response(&self) -> &DeviceAuthorizationResponse {
        &self.response
    }

    /// The machine that polls the token endpoint until the user approves
    /// (its output: [`UserCredentials`]), refuses, or the codes expire.
    /// Consumes the authorization: one device code, one poller.
    pub fn into_poll(self) -> DevicePoll {
        let expires_at = self.expires_at();
        DevicePoll::new(self.response, self.issued_at, expires_at, self.context)
    }
}
