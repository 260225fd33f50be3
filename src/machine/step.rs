//! The driving contract shared by every machine.

use std::fmt;
use std::time::SystemTime;

use crate::error::{Error, TransportFailure};

/// What a machine wants next. Returned by [`Machine::poll`].
///
/// Its `Debug` shows a request's method, URI and body length, never the body
/// or header values: they carry secrets.
#[must_use = "a Step says what the driver must do next"]
// Exhaustive on purpose: these three are the driving contract, and a
// driver loop must handle each; a fourth would break every driver anyway.
// A Step is moved once per request; boxing the request would add an
// allocation to every send for no gain.
#[allow(clippy::large_enum_variant)]
pub enum Step<T> {
    /// Send this request and hand its response to
    /// [`Machine::handle_response`] (or a failure to
    /// [`Machine::handle_transport_failure`]). The transport must not follow
    /// redirects.
    Send(http::Request<Vec<u8>>),
    /// Nothing to do before `until` (wall-clock time); poll again then. An
    /// early poll is harmless.
    Wait {
        /// When to poll again.
        until: SystemTime,
        /// Why the machine waits.
        reason: WaitReason,
    },
    /// The flow finished with this result.
    Done(T),
}

impl<T> Step<T> {
    /// The same step, with `f` applied to the output of a `Done`.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Step<U> {
        match self {
            Step::Send(request) => Step::Send(request),
            Step::Wait { until, reason } => Step::Wait { until, reason },
            Step::Done(output) => Step::Done(f(output)),
        }
    }
}

impl<T> Step<T> {
    /// A step that is not `Done`, as a step of another output; `Err` with
    /// the output of a `Done`. For machines that run another inside.
    pub(crate) fn pending<U>(self) -> Result<Step<U>, T> {
        match self {
            Step::Send(request) => Ok(Step::Send(request)),
            Step::Wait { until, reason } => Ok(Step::Wait { until, reason }),
            Step::Done(output) => Err(output),
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for Step<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Step::Send(request) => f
                .debug_tuple("Send")
                .field(&RequestSummary(request))
                .finish(),
            Step::Wait { until, reason } => f
                .debug_struct("Wait")
                .field("until", until)
                .field("reason", reason)
                .finish(),
            Step::Done(output) => f.debug_tuple("Done").field(output).finish(),
        }
    }
}

/// Formats a request without its body or header values.
pub(crate) struct RequestSummary<'a>(pub &'a http::Request<Vec<u8>>);

impl fmt::Debug for RequestSummary<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let request = self.0;
        f.debug_struct("Request")
            .field("method", request.method())
            .field("uri", request.uri())
            .field("headers", &request.headers().keys().collect::<Vec<_>>())
            .field("body_len", &request.body().len())
            .finish()
    }
}

/// Why a machine asked to wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WaitReason {
    /// The server's polling interval has not elapsed (device grant).
    PollInterval,
    /// Backing off after a failure.
    Backoff,
}

/// How long the transport should wait for the answer to one request, when
/// a machine says (a request extension). The crate's transports apply it in
/// place of their own timeout; the metadata server's detection ping sets
/// one, since a machine off Google Cloud must give up quickly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestTimeout(pub std::time::Duration);

/// The response a transport hands to a machine: status, headers and the
/// whole body.
pub type HttpResponse = http::Response<Vec<u8>>;

/// A sans-IO flow: it produces requests and deadlines, consumes responses and
/// the current time, and never performs IO itself.
///
/// Drive it with [`drive`](crate::drive) or [`drive_async`](crate::drive_async),
/// or by hand:
///
/// ```text
/// loop {
///     match machine.poll(now)? {
///         Step::Send(request)      => machine.handle_response(send(request)?, now)?,
///         Step::Wait { until, .. } => sleep_until(until),
///         Step::Done(output)       => break output,
///     }
/// }
/// ```
///
/// Errors are terminal and sticky: once any method has returned an error,
/// `poll` returns the same error forever.
pub trait Machine {
    /// The result of the flow.
    type Output;

    /// What to do next, at time `now`.
    fn poll(&mut self, now: SystemTime) -> Result<Step<Self::Output>, Error>;

    /// The response to the request of the last [`Step::Send`].
    fn handle_response(&mut self, response: HttpResponse, now: SystemTime) -> Result<(), Error>;

    /// The request of the last [`Step::Send`] could not be completed.
    fn handle_transport_failure(
        &mut self,
        failure: TransportFailure,
        now: SystemTime,
    ) -> Result<(), Error>;
}

/// What came back for a request: its response, or why there was none.
pub(crate) enum Answer {
    Response(http::Response<Vec<u8>>),
    Failure(TransportFailure),
}

impl Answer {
    /// Hands the answer to `machine`.
    pub(crate) fn deliver<M: Machine + ?Sized>(
        self,
        machine: &mut M,
        now: SystemTime,
    ) -> Result<(), Error> {
        match self {
            Answer::Response(response) => machine.handle_response(response, now),
            Answer::Failure(failure) => machine.handle_transport_failure(failure, now),
        }
    }
}

impl<M: Machine + ?Sized> Machine for &mut M {
    type Output = M::Output;

    fn poll(&mut self, now: SystemTime) -> Result<Step<Self::Output>, Error> {
        (**self).poll(now)
    }

    fn handle_response(&mut self, response: HttpResponse, now: SystemTime) -> Result<(), Error> {
        (**self).handle_response(response, now)
    }

    fn handle_transport_failure(
        &mut self,
        failure: TransportFailure,
        now: SystemTime,
    ) -> Result<(), Error> {
        (**self).handle_transport_failure(failure, now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_body_or_header_values() {
        let request = http::Request::builder()
            .method("POST")
            .uri("https://as.example/token")
            .header("authorization", "Basic c2VjcmV0")
            .body(b"code=secret-code&client_secret=hunter2".to_vec())
            .unwrap();
        let shown = format!("{:?}", Step::<()>::Send(request));
        assert!(shown.contains("https://as.example/token"), "{shown}");
        assert!(shown.contains("authorization"), "{shown}");
        for secret in ["secret-code", "hunter2", "c2VjcmV0"] {
            assert!(!shown.contains(secret), "{shown}");
        }
    }
}
