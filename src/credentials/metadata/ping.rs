//! Whether the program runs where a metadata server answers: google-auth's
//! detection ping.

use std::mem;
use std::time::{Duration, SystemTime};

use super::get::has_google_flavor;
use super::server::MetadataServer;
use crate::error::{Error, Misuse, TransportFailure};
use crate::machine::step::HttpResponse;
use crate::machine::step::{Machine, Step, WaitReason};

/// The pause before the second ping; it doubles for each later one.
const FIRST_PING_DELAY: Duration = Duration::from_secs(1);

/// Pings the metadata server: `GET http://169.254.169.254/` (or
/// `GCE_METADATA_IP`) with `Metadata-Flavor: Google` and a 3 s timeout
/// ([`RequestTimeout`](crate::RequestTimeout)). Its output is `true` only
/// for HTTP 200 carrying `Metadata-Flavor: Google`; any other answer is
/// `false` at once; a transport failure (nothing there, a timeout) is tried
/// again, up to three attempts with 1 s and 2 s between them, then
/// `false`. With no attempts allowed (`GCE_METADATA_DETECT_RETRIES=0`) it
/// sends nothing and answers `false`. It never fails: not being on Google
/// Cloud is an answer.
#[derive(Debug)]
#[must_use = "a machine does nothing until driven"]
pub struct MetadataPing {
    request: http::Request<Vec<u8>>,
    max_attempts: u32,
    attempts: u32,
    state: State,
}

#[derive(Debug)]
enum State {
    Ready,
    Waiting { until: SystemTime },
    Awaiting,
    Decided(bool),
    Finished,
}

impl MetadataServer {
    /// The detection ping of this server.
    pub fn ping(&self) -> MetadataPing {
        let max_attempts = self.ping_attempts();
        MetadataPing {
            request: self.ping_request(),
            max_attempts,
            attempts: 0,
            state: if max_attempts == 0 {
                State::Decided(false)
            } else {
                State::Ready
            },
        }
    }
}

impl MetadataPing {
    /// How many pings were sent.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    fn send(&mut self) -> Step<bool> {
        self.attempts += 1;
        self.state = State::Awaiting;
        let mut request = http::Request::new(Vec::new());
        *request.uri_mut() = self.request.uri().clone();
        *request.headers_mut() = self.request.headers().clone();
        *request.extensions_mut() = self.request.extensions().clone();
        Step::Send(request)
    }

    fn expect_answer(&mut self) -> Result<(), Error> {
        match self.state {
            State::Awaiting => Ok(()),
            _ => {
                self.state = State::Finished;
                Err(Misuse::UnexpectedResponse.into())
            }
        }
    }
}

impl Machine for MetadataPing {
    type Output = bool;

    fn poll(&mut self, now: SystemTime) -> Result<Step<bool>, Error> {
        match mem::replace(&mut self.state, State::Finished) {
            State::Ready => Ok(self.send()),
            State::Waiting { until } if now < until => {
                self.state = State::Waiting { until };
                Ok(Step::Wait {
                    until,
                    reason: WaitReason::Backoff,
                })
            }
            State::Waiting { .. } => Ok(self.send()),
            State::Awaiting => {
                self.state = State::Awaiting;
                Err(Misuse::ResponsePending.into())
            }
            State::Decided(found) => Ok(Step::Done(found)),
            State::Finished => Err(Misuse::AlreadyDone.into()),
        }
    }

    fn handle_response(&mut self, response: HttpResponse, _now: SystemTime) -> Result<(), Error> {
        self.expect_answer()?;
        let found = response.status() == http::StatusCode::OK && has_google_flavor(&response);
        self.state = State::Decided(found);
        Ok(())
    }

    fn handle_transport_failure(
        &mut self,
        _failure: TransportFailure,
        now: SystemTime,
    ) -> Result<(), Error> {
        self.expect_answer()?;
        self.state = if self.attempts >= self.max_attempts {
            State::Decided(false)
        } else {
            let delay = FIRST_PING_DELAY.saturating_mul(1 << (self.attempts - 1).min(16));
            State::Waiting {
                until: now.checked_add(delay).unwrap_or(now),
            }
        };
        Ok(())
    }
}
