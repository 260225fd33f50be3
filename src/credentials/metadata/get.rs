//! One GET of a metadata endpoint, retried as google-auth retries it.

use std::time::{Duration, SystemTime};
use std::{fmt, mem};

use super::server::{GOOGLE_FLAVOR, METADATA_FLAVOR};
use crate::error::{Error, InvalidResponse, Misuse, TransportFailure};
use crate::machine::call::{Call, Parser, Update};
use crate::machine::step::HttpResponse;
use crate::machine::step::{Machine, RequestSummary, RequestTimeout, Step, WaitReason};

/// How many times a data request is sent at most (google-auth: 5).
pub const METADATA_ATTEMPTS: u32 = 5;

/// The pause before the second attempt; it doubles for each later one
/// (google-auth: 1, 2, 4, 8 s; without its ±10 % jitter, so that the waits
/// are the same on every run).
pub const FIRST_RETRY_DELAY: Duration = Duration::from_secs(1);

/// HTTP statuses after which google-auth tries a data request again (502
/// is not among them).
const RETRIED_STATUSES: [u16; 5] = [500, 503, 504, 408, 429];

/// A GET of a metadata endpoint: sent again after a transport failure or
/// HTTP 500, 503, 504, 408 or 429, up to [`METADATA_ATTEMPTS`] times, with
/// a [`Step::Wait`] of 1, 2, 4, 8 s between attempts. Any other answer is
/// final: a 200 must carry `Metadata-Flavor: Google` (an answer without it
/// did not come from a metadata server), a 3xx is [`Error::Redirect`]
/// (never followed), the rest is the parser's to judge. Like [`Call`](crate::Call),
/// its output is what its context makes of the parsed answer.
#[must_use = "a machine does nothing until driven"]
pub struct MetadataGet<T, C = ()> {
    request: http::Request<Vec<u8>>,
    parse: Parser<T>,
    limit: usize,
    attempts: u32,
    state: State<T, C>,
}

/// Each attempt is a [`Call`] holding the context; a retry takes it back.
enum State<T, C> {
    Waiting { until: SystemTime, context: C },
    Calling(Call<T, C>),
    Failed(Error),
}

impl<T> MetadataGet<T> {
    /// A GET of `request` (a metadata request without body), its answer
    /// parsed by `parse` with the body bounded at `limit` bytes.
    pub(crate) fn new(request: http::Request<Vec<u8>>, limit: usize, parse: Parser<T>) -> Self {
        Self {
            request,
            parse,
            limit,
            attempts: 0,
            state: State::Waiting {
                until: SystemTime::UNIX_EPOCH,
                context: (),
            },
        }
    }

    /// The same request, ending with what `context` makes of the answer.
    pub(crate) fn with_context<C: Update<T>>(self, context: C) -> MetadataGet<T, C> {
        MetadataGet {
            request: self.request,
            parse: self.parse,
            limit: self.limit,
            attempts: self.attempts,
            state: State::Waiting {
                until: SystemTime::UNIX_EPOCH,
                context,
            },
        }
    }
}

impl<T, C: Update<T>> MetadataGet<T, C> {
    /// How many times the request has been sent.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    fn fail<V>(&mut self, error: Error) -> Result<V, Error> {
        self.state = State::Failed(error.clone());
        Err(error)
    }

    /// Tries again after `error` if attempts are left, else fails with it.
    fn retry_or_fail(&mut self, error: Error, now: SystemTime) -> Result<(), Error> {
        let context = match &mut self.state {
            State::Calling(call) => call.take_context(),
            _ => None,
        };
        let Some(context) = context.filter(|_| self.attempts < METADATA_ATTEMPTS) else {
            return self.fail(error);
        };
        let delay = FIRST_RETRY_DELAY.saturating_mul(1 << (self.attempts - 1).min(16));
        self.state = State::Waiting {
            until: now.checked_add(delay).unwrap_or(now),
            context,
        };
        Ok(())
    }

    /// The attempt waiting for its answer.
    fn calling(&mut self) -> Result<&mut Call<T, C>, Error> {
        match &self.state {
            State::Calling(_) => {}
            State::Failed(e) => return Err(e.clone()),
            State::Waiting { .. } => return self.fail(Misuse::UnexpectedResponse.into()),
        }
        match &mut self.state {
            State::Calling(call) => Ok(call),
            _ => unreachable!("checked above"),
        }
    }
}

/// A copy of a GET without body (method, URI, headers, the timeout).
fn clone_request(request: &http::Request<Vec<u8>>) -> http::Request<Vec<u8>> {
    let mut copy = http::Request::new(Vec::new());
    *copy.method_mut() = request.method().clone();
    *copy.uri_mut() = request.uri().clone();
    *copy.headers_mut() = request.headers().clone();
    if let Some(timeout) = request.extensions().get::<RequestTimeout>() {
        copy.extensions_mut().insert(*timeout);
    }
    copy
}

/// Whether `response` says it comes from a metadata server: the header's
/// value is exactly `Google`, as google-auth requires.
pub(super) fn has_google_flavor(response: &http::Response<Vec<u8>>) -> bool {
    response
        .headers()
        .get(METADATA_FLAVOR)
        .is_some_and(|value| value.as_bytes() == GOOGLE_FLAVOR.as_bytes())
}

impl<T, C: Update<T>> Machine for MetadataGet<T, C> {
    type Output = C::Output;

    fn poll(&mut self, now: SystemTime) -> Result<Step<C::Output>, Error> {
        let state = mem::replace(&mut self.state, State::Failed(Misuse::AlreadyDone.into()));
        let mut call = match state {
            State::Waiting { until, context } if now < until => {
                self.state = State::Waiting { until, context };
                return Ok(Step::Wait {
                    until,
                    reason: WaitReason::Backoff,
                });
            }
            State::Waiting { context, .. } => {
                self.attempts += 1;
                let request = clone_request(&self.request);
                Call::with_parser(request, self.limit, self.parse).with_context(context)
            }
            State::Calling(call) => call,
            State::Failed(e) => return self.fail(e),
        };
        let step = call.poll(now);
        self.state = State::Calling(call);
        step.or_else(|e| self.fail(e))
    }

    fn handle_response(&mut self, response: HttpResponse, now: SystemTime) -> Result<(), Error> {
        self.calling()?;
        let status = response.status().as_u16();
        if RETRIED_STATUSES.contains(&status) {
            return self.retry_or_fail(Error::HttpStatus { status }, now);
        }
        if response.status().is_redirection() {
            return self.fail(Error::Redirect { status });
        }
        if status == 200 && !has_google_flavor(&response) {
            let missing = InvalidResponse::MissingHeader {
                header: "Metadata-Flavor: Google",
            };
            return self.fail(missing.into());
        }
        let answered = self.calling()?.handle_response(response, now);
        answered.or_else(|e| self.fail(e))
    }

    fn handle_transport_failure(
        &mut self,
        failure: TransportFailure,
        now: SystemTime,
    ) -> Result<(), Error> {
        self.calling()?;
        self.retry_or_fail(failure.into(), now)
    }
}

impl<T: fmt::Debug, C: fmt::Debug> fmt::Debug for MetadataGet<T, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state: &dyn fmt::Debug = match &self.state {
            State::Waiting { until, .. } => until,
            State::Calling(call) => call,
            State::Failed(e) => e,
        };
        f.debug_struct("MetadataGet")
            .field("request", &RequestSummary(&self.request))
            .field("attempts", &self.attempts)
            .field("state", state)
            .finish_non_exhaustive()
    }
}

/// The body of a 200 as text (surrounding whitespace removed), bounded at
/// `limit` bytes; any other status is [`Error::HttpStatus`].
pub(crate) fn text(status: u16, body: &[u8], limit: usize) -> Result<String, Error> {
    if status != 200 {
        return Err(Error::HttpStatus { status });
    }
    if body.len() > limit {
        return Err(InvalidResponse::BodyTooLarge { limit }.into());
    }
    let text = std::str::from_utf8(body).map_err(|_| InvalidResponse::InvalidField {
        field: "body",
        reason: "is not UTF-8 text",
    })?;
    Ok(text.trim().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::TransportFailureKind;
    use crate::testing::at;

    fn get() -> MetadataGet<String> {
        let request = http::Request::get("http://mds/computeMetadata/v1/project/project-id")
            .body(Vec::new())
            .unwrap();
        MetadataGet::new(request, 1024, text)
    }

    fn answer(status: u16, flavor: bool, body: &str) -> http::Response<Vec<u8>> {
        let mut response = http::Response::builder().status(status);
        if flavor {
            response = response.header("Metadata-Flavor", "Google");
        }
        response.body(body.as_bytes().to_vec()).unwrap()
    }

    #[test]
    fn retried_statuses_and_failures_wait_1_2_4_8_seconds_then_give_up() {
        let mut machine = get();
        let mut now = at(100);
        let mut waits = Vec::new();
        for attempt in 1..=5 {
            assert!(matches!(machine.poll(now), Ok(Step::Send(_))), "{attempt}");
            if attempt % 2 == 0 {
                let failure = TransportFailure::new(TransportFailureKind::Timeout, "t");
                machine.handle_transport_failure(failure, now).unwrap_or(());
            } else {
                let _ = machine.handle_response(answer(503, true, ""), now);
            }
            if let Ok(Step::Wait { until, reason }) = machine.poll(now) {
                assert_eq!(reason, WaitReason::Backoff);
                waits.push(until.duration_since(now).unwrap().as_secs());
                now = until;
            }
        }
        assert_eq!(waits, [1, 2, 4, 8]);
        assert_eq!(machine.attempts(), 5);
        assert_eq!(
            machine.poll(now).unwrap_err(),
            Error::HttpStatus { status: 503 }
        );
    }

    #[test]
    fn a_200_without_the_flavor_header_is_refused() {
        let mut machine = get();
        assert!(matches!(machine.poll(at(0)), Ok(Step::Send(_))));
        let error = machine
            .handle_response(answer(200, false, "p"), at(0))
            .unwrap_err();
        assert!(matches!(
            error,
            Error::InvalidResponse(InvalidResponse::MissingHeader { .. })
        ));
        assert_eq!(machine.poll(at(1)).unwrap_err(), error);
    }

    #[test]
    fn redirects_and_other_statuses_are_final() {
        for (status, expected) in [
            (302, Error::Redirect { status: 302 }),
            (404, Error::HttpStatus { status: 404 }),
            (502, Error::HttpStatus { status: 502 }),
        ] {
            let mut machine = get();
            assert!(matches!(machine.poll(at(0)), Ok(Step::Send(_))));
            let _ = machine.handle_response(answer(status, true, ""), at(0));
            assert_eq!(machine.poll(at(0)).unwrap_err(), expected);
            assert_eq!(machine.attempts(), 1);
        }
    }

    #[test]
    fn a_flavored_200_is_parsed() {
        let mut machine = get();
        let Ok(Step::Send(request)) = machine.poll(at(0)) else {
            panic!("send")
        };
        assert_eq!(request.method(), http::Method::GET);
        machine
            .handle_response(answer(200, true, " my-project\n"), at(0))
            .unwrap();
        assert!(matches!(machine.poll(at(0)), Ok(Step::Done(p)) if p == "my-project"));
    }
}
