//! A [`Call`] whose request is made at the machine's first poll, from the
//! time of that poll: for requests that carry a signed JWT (a JWT-bearer
//! assertion, a `private_key_jwt` client assertion), whose `iat` and `exp`
//! must count from when the request is sent, not from when the machine was
//! made.
//!
//! It has the same `poll_with` and [`Machine`] surface as [`Call`], so
//! `call_machine!` drives a `{ call: LazyCall<_>, context }` struct exactly
//! like a `{ call: Call<_>, context }` one.

use std::time::SystemTime;
use std::{fmt, mem};

use crate::error::{Error, Misuse, TransportFailure};
use crate::machine::call::{Call, Parser};
use crate::machine::step::{Machine, Step};

/// Makes the request at the time it is sent; an error (a signer failure)
/// ends the machine.
pub(crate) type BuildRequest =
    Box<dyn FnOnce(SystemTime) -> Result<http::Request<Vec<u8>>, Error> + Send + Sync>;

pub(crate) struct LazyCall<T> {
    state: State<T>,
}

enum State<T> {
    Unbuilt {
        build: BuildRequest,
        limit: usize,
        parse: Parser<T>,
    },
    Built(Call<T>),
    Failed(Error),
}

impl<T> LazyCall<T> {
    /// A call whose request `build` makes at the first poll, answered
    /// through `parse` with the body bounded at `limit` bytes.
    pub(crate) fn with_parser(build: BuildRequest, limit: usize, parse: Parser<T>) -> Self {
        Self {
            state: State::Unbuilt {
                build,
                limit,
                parse,
            },
        }
    }

    /// A call whose request is already made.
    pub(crate) fn ready(call: Call<T>) -> Self {
        Self {
            state: State::Built(call),
        }
    }

    /// A call that fails with `error` when first polled or answered.
    pub(crate) fn failed(error: Error) -> Self {
        Self {
            state: State::Failed(error),
        }
    }

    /// [`Call::poll_with`], building the request first if this is the first
    /// poll.
    pub(crate) fn poll_with<U>(
        &mut self,
        now: SystemTime,
        finish: impl FnOnce(T, SystemTime) -> Result<U, Error>,
    ) -> Result<Step<U>, Error> {
        self.built(Some(now))?.poll_with(now, finish)
    }

    /// The call, built now if `build_at` is a time and it is not built yet.
    /// Without a time (an answer before the first poll) an unbuilt call
    /// fails with [`Misuse::UnexpectedResponse`]. Failures are sticky.
    fn built(&mut self, build_at: Option<SystemTime>) -> Result<&mut Call<T>, Error> {
        if matches!(self.state, State::Unbuilt { .. }) {
            let placeholder = State::Failed(Misuse::UnexpectedResponse.into());
            let State::Unbuilt {
                build,
                limit,
                parse,
            } = mem::replace(&mut self.state, placeholder)
            else {
                unreachable!("checked above")
            };
            if let Some(now) = build_at {
                self.state = match build(now) {
                    Ok(request) => State::Built(Call::with_parser(request, limit, parse)),
                    Err(e) => State::Failed(e),
                };
            }
        }
        match &mut self.state {
            State::Built(call) => Ok(call),
            State::Failed(e) => Err(e.clone()),
            State::Unbuilt { .. } => unreachable!("built or failed above"),
        }
    }
}

impl<T> Machine for LazyCall<T> {
    type Output = T;

    fn poll(&mut self, now: SystemTime) -> Result<Step<T>, Error> {
        self.poll_with(now, |response, _| Ok(response))
    }

    fn handle_response(
        &mut self,
        response: http::Response<Vec<u8>>,
        now: SystemTime,
    ) -> Result<(), Error> {
        self.built(None)?.handle_response(response, now)
    }

    fn handle_transport_failure(
        &mut self,
        failure: TransportFailure,
        now: SystemTime,
    ) -> Result<(), Error> {
        self.built(None)?.handle_transport_failure(failure, now)
    }
}

impl<T: fmt::Debug> fmt::Debug for LazyCall<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.state {
            State::Unbuilt { limit, .. } => f
                .debug_struct("LazyCall")
                .field("state", &"Unbuilt")
                .field("limit", limit)
                .finish_non_exhaustive(),
            State::Built(call) => f.debug_tuple("LazyCall").field(call).finish(),
            State::Failed(e) => f.debug_tuple("LazyCall::Failed").field(e).finish(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::error::{InvalidResponse, TransportFailureKind};
    use crate::wire::token_response::TokenResponse;

    fn at(secs: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
    }

    /// A call whose request carries the time it was built in its URI.
    fn timed() -> LazyCall<TokenResponse> {
        LazyCall::with_parser(
            Box::new(|now| {
                let secs = now
                    .duration_since(SystemTime::UNIX_EPOCH)
                    .unwrap()
                    .as_secs();
                Ok(
                    http::Request::post(format!("https://as.example/token?t={secs}"))
                        .body(Vec::new())
                        .unwrap(),
                )
            }),
            1024,
            TokenResponse::parse,
        )
    }

    #[test]
    fn builds_at_the_first_poll_and_delegates() {
        let mut call = timed();
        let Ok(Step::Send(request)) = call.poll(at(42)) else {
            panic!("expected Send")
        };
        assert_eq!(request.uri(), "https://as.example/token?t=42");
        let body = br#"{"access_token":"a","token_type":"Bearer"}"#.to_vec();
        call.handle_response(http::Response::new(body), at(44))
            .unwrap();
        assert!(matches!(call.poll(at(44)), Ok(Step::Done(_))));
        assert_eq!(
            call.poll(at(45)).unwrap_err(),
            Error::Misuse(Misuse::AlreadyDone)
        );
    }

    #[test]
    fn an_answer_before_the_first_poll_is_misuse_and_sticky() {
        let mut call = timed();
        let failure = TransportFailure::new(TransportFailureKind::Timeout, "t");
        let misuse = Error::Misuse(Misuse::UnexpectedResponse);
        assert_eq!(
            call.handle_transport_failure(failure, at(0)).unwrap_err(),
            misuse
        );
        assert_eq!(call.poll(at(1)).unwrap_err(), misuse);
    }

    #[test]
    fn a_build_error_is_sticky() {
        let error = Error::InvalidResponse(InvalidResponse::MissingField { field: "x" });
        let returned = error.clone();
        let mut call =
            LazyCall::with_parser(Box::new(move |_| Err(returned)), 1024, TokenResponse::parse);
        assert_eq!(call.poll(at(0)).unwrap_err(), error);
        assert_eq!(call.poll(at(1)).unwrap_err(), error);
        let response = http::Response::new(Vec::new());
        assert_eq!(call.handle_response(response, at(2)).unwrap_err(), error);
    }
}
