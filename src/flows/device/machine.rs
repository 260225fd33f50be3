//! Polling the token endpoint until the user approves
//! ([RFC 8628 §3.4, §3.5](https://www.rfc-editor.org/rfc/rfc8628#section-3.4)).

use std::mem;
use std::time::{Duration, SystemTime};

use super::authorization::PollContext;
use super::dialect::DeviceDialect;
use super::response::{DeviceAuthorizationResponse, MAX_POLL_INTERVAL};
use crate::client::auth::Purpose;
use crate::credentials::UserCredentials;
use crate::error::{Error, ErrorCode, Misuse, OAuthError, TransportFailure};
use crate::machine::call::{Call, SentAt};
use crate::machine::step::HttpResponse;
use crate::machine::step::{Machine, Step, WaitReason};
use crate::secret::DeviceCode;
use crate::wire::form_post::form_post;
use crate::wire::token_response::TokenResponse;

/// What `slow_down` adds to the interval, for that poll and every later one.
pub const SLOW_DOWN_STEP: Duration = Duration::from_secs(5);

/// Polls the token endpoint for the device's tokens; made by
/// [`DeviceAuthorization::into_poll`](crate::device::DeviceAuthorization::into_poll).
/// Its output is the user's [`UserCredentials`].
///
/// Every wait is a [`Step::Wait`]; the machine never polls sooner than the
/// current interval after the previous poll was sent (the first poll comes
/// one interval after the device authorization request was sent):
///
/// - `authorization_pending`: the interval stays; wait
///   ([`WaitReason::PollInterval`]);
/// - `slow_down`: the interval grows by [`SLOW_DOWN_STEP`] for this and
///   every later poll;
/// - a transport failure: the interval doubles (up to
///   [`MAX_POLL_INTERVAL`], never lower than it was) for this and every
///   later poll, counted from the failure ([`WaitReason::Backoff`]), as RFC
///   8628 §3.5 recommends for connection timeouts;
/// - tokens: [`Step::Done`];
/// - anything else ends the flow with its error: `access_denied` and
///   `expired_token` as [`Error::OAuth`], like any other OAuth error,
///   [`Error::HttpStatus`] or [`Error::InvalidResponse`];
/// - the codes' expiry: once no poll can be sent before
///   [`expires_at`](Self::expires_at), the flow ends with
///   [`Error::OAuth`] of code [`ErrorCode::ExpiredToken`] and
///   [`status`](OAuthError::status) `None` (decided here, not by the
///   server), without waiting for a poll that cannot be made.
///
/// The HTTP status of an error answer is not consulted: Google's 428 and
/// 403, RFC 8628's 400 and GitHub's 200 mean what their `error` says.
#[derive(Debug)]
#[must_use = "a machine does nothing until driven"]
pub struct DevicePoll {
    device_code: DeviceCode,
    /// Taken when the machine finishes.
    credentials: Option<UserCredentials>,
    dialect: DeviceDialect,
    interval: Duration,
    expires_at: SystemTime,
    state: State,
}

#[derive(Debug)]
// The machine is moved rarely; boxing the call would allocate every poll.
#[allow(clippy::large_enum_variant)]
enum State {
    Waiting {
        next_poll: SystemTime,
        reason: WaitReason,
    },
    /// One poll: sent at `sent_at`, answered or not.
    Polling {
        call: Call<TokenResponse, SentAt>,
        sent_at: SystemTime,
    },
    Finished,
    Failed(Error),
}

impl DevicePoll {
    pub(crate) fn new(
        response: DeviceAuthorizationResponse,
        issued_at: SystemTime,
        expires_at: SystemTime,
        context: PollContext,
    ) -> Self {
        let (device_code, interval) = response.into_poll_parts();
        let mut poll = Self {
            device_code,
            credentials: Some(context.credentials),
            dialect: context.dialect,
            interval,
            expires_at,
            state: State::Finished,
        };
        poll.state = State::Waiting {
            next_poll: poll.after(issued_at),
            reason: WaitReason::PollInterval,
        };
        poll
    }

    /// The current polling interval: the server's (or 5 s), plus
    /// [`SLOW_DOWN_STEP`] per `slow_down`, doubled per transport failure.
    /// It never decreases.
    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// Sends every poll with a DPoP proof signed with `key` (RFC 9449 §5):
    /// the nonce retry and `token_type` rules of
    /// [`Call::with_dpop`](crate::Call::with_dpop), and the credentials
    /// the flow ends with are bound to `key`.
    pub fn with_dpop(mut self, key: &crate::dpop::DpopKey) -> Self {
        if let Some(credentials) = self.credentials.take() {
            self.credentials = Some(credentials.with_dpop(key.clone()));
        }
        self
    }

    /// When the device code expires; no poll is sent at or after it.
    pub fn expires_at(&self) -> SystemTime {
        self.expires_at
    }

    /// One interval after `time` (the expiry if that overflows, which ends
    /// the flow).
    fn after(&self, time: SystemTime) -> SystemTime {
        time.checked_add(self.interval).unwrap_or(self.expires_at)
    }

    /// One poll of the token endpoint (a `private_key_jwt` assertion is
    /// signed when it is sent).
    fn poll_call(&self, credentials: &UserCredentials) -> Call<TokenResponse, SentAt> {
        let client = &credentials.client;
        let request = form_post(
            credentials.token_uri.uri(),
            Some(self.dialect.grant_type()),
            client.in_form(Purpose::Other),
            &[(
                self.dialect.device_code_parameter(),
                self.device_code.secret(),
            )],
        );
        let call = client
            .call(
                Purpose::Other,
                request,
                credentials.response_limit,
                TokenResponse::parse,
            )
            .with_context(SentAt);
        match &credentials.dpop {
            Some(key) => call.with_dpop(key),
            None => call,
        }
    }

    fn wait(&mut self, next_poll: SystemTime, reason: WaitReason) {
        self.state = State::Waiting { next_poll, reason };
    }

    fn fail<V>(&mut self, error: Error) -> Result<V, Error> {
        self.state = State::Failed(error.clone());
        Err(error)
    }

    /// The poll waiting for its answer, and when it was sent.
    fn outstanding(&mut self) -> Result<(&mut Call<TokenResponse, SentAt>, SystemTime), Error> {
        match &self.state {
            State::Polling { .. } => {}
            State::Failed(e) => return Err(e.clone()),
            _ => return self.fail(Misuse::UnexpectedResponse.into()),
        }
        match &mut self.state {
            State::Polling { call, sent_at } => Ok((call, *sent_at)),
            _ => unreachable!("checked above"),
        }
    }
}

/// The codes expired, as decided by the machine's own clock.
fn expired() -> Error {
    Error::OAuth(OAuthError::new(
        ErrorCode::ExpiredToken,
        Some("the device code expired before the user approved; start again"),
        None,
        None,
    ))
}

impl Machine for DevicePoll {
    type Output = UserCredentials;

    fn poll(&mut self, now: SystemTime) -> Result<Step<UserCredentials>, Error> {
        match mem::replace(&mut self.state, State::Finished) {
            State::Waiting { next_poll, reason } => {
                if next_poll >= self.expires_at || now >= self.expires_at {
                    return self.fail(expired());
                }
                if now < next_poll {
                    self.wait(next_poll, reason);
                    return Ok(Step::Wait {
                        until: next_poll,
                        reason,
                    });
                }
                let Some(credentials) = &self.credentials else {
                    return self.fail(Misuse::AlreadyDone.into());
                };
                let mut call = self.poll_call(credentials);
                let sent = call.poll(now);
                self.state = State::Polling { call, sent_at: now };
                match sent {
                    Ok(Step::Send(request)) => Ok(Step::Send(request)),
                    Ok(_) => self.fail(Misuse::UnexpectedResponse.into()),
                    Err(e) => self.fail(e),
                }
            }
            State::Polling { mut call, sent_at } => match call.poll(now) {
                Ok(Step::Done((tokens, sent_at))) => match self.credentials.take() {
                    Some(credentials) => Ok(Step::Done(credentials.updated(tokens, sent_at))),
                    None => self.fail(Misuse::AlreadyDone.into()),
                },
                // The same poll sent again, with the server's DPoP nonce.
                Ok(Step::Send(request)) => {
                    self.state = State::Polling { call, sent_at: now };
                    Ok(Step::Send(request))
                }
                Ok(_) => {
                    self.state = State::Polling { call, sent_at };
                    self.fail(Misuse::ResponsePending.into())
                }
                Err(e) => self.fail(e),
            },
            State::Finished => self.fail(Misuse::AlreadyDone.into()),
            State::Failed(e) => self.fail(e),
        }
    }

    fn handle_response(&mut self, response: HttpResponse, now: SystemTime) -> Result<(), Error> {
        let (call, sent_at) = self.outstanding()?;
        match call.handle_response(response, now) {
            Ok(()) => Ok(()),
            Err(Error::OAuth(e)) if *e.code() == ErrorCode::AuthorizationPending => {
                self.wait(self.after(sent_at), WaitReason::PollInterval);
                Ok(())
            }
            Err(Error::OAuth(e)) if *e.code() == ErrorCode::SlowDown => {
                self.interval = self.interval.saturating_add(SLOW_DOWN_STEP);
                self.wait(self.after(sent_at), WaitReason::PollInterval);
                Ok(())
            }
            Err(e) => self.fail(e),
        }
    }

    fn handle_transport_failure(
        &mut self,
        failure: TransportFailure,
        now: SystemTime,
    ) -> Result<(), Error> {
        let (call, sent_at) = self.outstanding()?;
        if let Err(e @ Error::Misuse(_)) = call.handle_transport_failure(failure, now) {
            return self.fail(e);
        }
        let doubled = self.interval.saturating_mul(2).min(MAX_POLL_INTERVAL);
        self.interval = self.interval.max(doubled);
        self.wait(self.after(sent_at.max(now)), WaitReason::Backoff);
        Ok(())
    }
}
