//! One request and its parsed answer, as a machine: the building block of
//! every grant, revocation, introspection and discovery.

use std::time::SystemTime;
use std::{fmt, mem};

use crate::error::{Error, Misuse, TransportFailure};
use crate::machine::step::{Machine, RequestSummary, Step};
use crate::secret::wipe::{read_and_wipe, UnsentRequest};
use crate::wire::token_response::TokenResponse;

/// Parses a response (status, body, body bound) into a call's output.
pub type Parser<T> = fn(u16, &[u8], usize) -> Result<T, Error>;

/// A machine that sends one request and parses the answer with its
/// [`Parser`].
///
/// A transport failure ends it with [`Error::Transport`] (retryable): the
/// decision to resend a request that may carry a one-time code belongs to
/// the caller.
pub struct Call<T> {
    state: CallState<T>,
    parse: Parser<T>,
    limit: usize,
}

/// A call to a token endpoint, answered by a [`TokenResponse`]. Use it
/// directly for a grant the crate does not model.
pub type TokenCall = Call<TokenResponse>;

impl<T: fmt::Debug> fmt::Debug for Call<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Call")
            .field("state", &self.state)
            .field("limit", &self.limit)
            .finish_non_exhaustive()
    }
}

enum CallState<T> {
    Ready(UnsentRequest),
    Awaiting { sent_at: SystemTime },
    Answered { response: T, sent_at: SystemTime },
    Finished,
    Failed(Error),
}

impl<T: fmt::Debug> fmt::Debug for CallState<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallState::Ready(request) => f
                .debug_tuple("Ready")
                .field(&RequestSummary(request.get()))
                .finish(),
            CallState::Awaiting { sent_at } => f
                .debug_struct("Awaiting")
                .field("sent_at", sent_at)
                .finish(),
            CallState::Answered { response, sent_at } => f
                .debug_struct("Answered")
                .field("response", response)
                .field("sent_at", sent_at)
                .finish(),
            CallState::Finished => f.write_str("Finished"),
            CallState::Failed(e) => f.debug_tuple("Failed").field(e).finish(),
        }
    }
}

impl TokenCall {
    /// A token call that will send `request` and bound the response body at
    /// `limit` bytes.
    pub fn new(request: http::Request<Vec<u8>>, limit: usize) -> Self {
        Call::with_parser(request, limit, TokenResponse::parse)
    }
}

impl<T> Call<T> {
    /// A call that will send `request` and parse the answer with `parse`,
    /// bounding the body at `limit` bytes.
    pub fn with_parser(request: http::Request<Vec<u8>>, limit: usize, parse: Parser<T>) -> Self {
        Self {
            state: CallState::Ready(UnsentRequest::new(request)),
            parse,
            limit,
        }
    }

    /// `poll` at `now`, turning the token response into the caller's output
    /// with `finish`, which also gets the time the request was sent: token
    /// lifetimes count from then, so time spent on the network never makes
    /// a token look valid for longer than the server meant. An error from
    /// `finish` is sticky like any other.
    pub(crate) fn poll_with<U>(
        &mut self,
        now: SystemTime,
        finish: impl FnOnce(T, SystemTime) -> Result<U, Error>,
    ) -> Result<Step<U>, Error> {
        match mem::replace(&mut self.state, CallState::Finished) {
            CallState::Ready(request) => {
                self.state = CallState::Awaiting { sent_at: now };
                Ok(Step::Send(request.take()))
            }
            CallState::Awaiting { .. } => self.fail(Misuse::ResponsePending.into()),
            CallState::Answered { response, sent_at } => match finish(response, sent_at) {
                Ok(output) => Ok(Step::Done(output)),
                Err(e) => self.fail(e),
            },
            CallState::Finished => self.fail(Misuse::AlreadyDone.into()),
            CallState::Failed(e) => self.fail(e),
        }
    }

    fn fail<V>(&mut self, error: Error) -> Result<V, Error> {
        self.state = CallState::Failed(error.clone());
        Err(error)
    }

    /// The time the outstanding request was sent.
    fn expect_answer(&mut self) -> Result<SystemTime, Error> {
        match &self.state {
            CallState::Awaiting { sent_at } => Ok(*sent_at),
            CallState::Failed(e) => Err(e.clone()),
            _ => self.fail(Misuse::UnexpectedResponse.into()),
        }
    }
}

impl<T> Machine for Call<T> {
    type Output = T;

    fn poll(&mut self, now: SystemTime) -> Result<Step<T>, Error> {
        self.poll_with(now, |response, _| Ok(response))
    }

    fn handle_response(
        &mut self,
        response: http::Response<Vec<u8>>,
        _now: SystemTime,
    ) -> Result<(), Error> {
        let sent_at = self.expect_answer()?;
        let limit = self.limit;
        match read_and_wipe(response, |status, body| (self.parse)(status, body, limit)) {
            Ok(response) => {
                self.state = CallState::Answered { response, sent_at };
                Ok(())
            }
            Err(e) => self.fail(e),
        }
    }

    fn handle_transport_failure(
        &mut self,
        failure: TransportFailure,
        _now: SystemTime,
    ) -> Result<(), Error> {
        self.expect_answer()?;
        self.fail(failure.into())
    }
}

/// Implements [`Machine`] for a struct `{ call: Call<_>, context: C }` by
/// delegating to the call and making the output with `$finish`, an
/// expression over the context, the parsed answer and the time the request
/// was sent.
macro_rules! call_machine {
    // The context is borrowed: `$finish` sees `&C`.
    ($ty:ty => $output:ty, |$context:ident, $response:ident, $sent_at:ident| $finish:expr) => {
        $crate::machine::call::call_machine!(@impl $ty => $output, |this, now| {
            let $context = &this.context;
            this.call.poll_with(now, |$response, $sent_at| $finish)
        });
    };
    // The context (`Option<C>`) is moved into `$finish`, which runs once:
    // no clone of it when the call completes.
    ($ty:ty => $output:ty, |move $context:ident, $response:ident, $sent_at:ident| $finish:expr) => {
        $crate::machine::call::call_machine!(@impl $ty => $output, |this, now| {
            let context = &mut this.context;
            this.call.poll_with(now, |$response, $sent_at| {
                let $context = context
                    .take()
                    .ok_or($crate::error::Error::Misuse($crate::error::Misuse::AlreadyDone))?;
                $finish
            })
        });
    };
    (@impl $ty:ty => $output:ty, |$this:ident, $now:ident| $poll:expr) => {
        impl $crate::machine::step::Machine for $ty {
            type Output = $output;

            fn poll(
                &mut self,
                $now: std::time::SystemTime,
            ) -> Result<$crate::machine::step::Step<$output>, $crate::error::Error> {
                let $this = self;
                $poll
            }

            fn handle_response(
                &mut self,
                response: http::Response<Vec<u8>>,
                now: std::time::SystemTime,
            ) -> Result<(), $crate::error::Error> {
                $crate::machine::step::Machine::handle_response(&mut self.call, response, now)
            }

            fn handle_transport_failure(
                &mut self,
                failure: $crate::error::TransportFailure,
                now: std::time::SystemTime,
            ) -> Result<(), $crate::error::Error> {
                $crate::machine::step::Machine::handle_transport_failure(&mut self.call, failure, now)
            }
        }
    };
}
pub(crate) use call_machine;
