//! The driving contract shared by every machine.

use std::time::SystemTime;

use crate::error::{Error, TransportFailure};

/// What a machine wants next. Returned by [`Machine::poll`].
#[must_use = "a Step says what the driver must do next"]
#[derive(Debug)]
#[non_exhaustive]
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

/// Why a machine asked to wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WaitReason {
    /// The server's polling interval has not elapsed (device grant).
    PollInterval,
    /// Backing off after a failure.
    Backoff,
}

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
    fn handle_response(
        &mut self,
        response: http::Response<Vec<u8>>,
        now: SystemTime,
    ) -> Result<(), Error>;

    /// The request of the last [`Step::Send`] could not be completed.
    fn handle_transport_failure(
        &mut self,
        failure: TransportFailure,
        now: SystemTime,
    ) -> Result<(), Error>;
}

impl<M: Machine + ?Sized> Machine for &mut M {
    type Output = M::Output;

    fn poll(&mut self, now: SystemTime) -> Result<Step<Self::Output>, Error> {
        (**self).poll(now)
    }

    fn handle_response(
        &mut self,
        response: http::Response<Vec<u8>>,
        now: SystemTime,
    ) -> Result<(), Error> {
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
