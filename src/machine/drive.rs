//! Generic drivers: run any [`Machine`] over caller-supplied IO.
//!
//! The crate reads no clock and opens no socket, so the drivers take the
//! clock, the transport and the sleep as closures. Real transports (the
//! `ureq` and `reqwest` features) are thin layers over these two functions.

use std::future::Future;
use std::time::SystemTime;

use crate::error::{Error, TransportFailure};
use crate::machine::step::{Machine, Step};

/// Runs `machine` to completion with blocking IO.
///
/// - `clock` returns the current wall-clock time (`SystemTime::now` in
///   production, a fake clock in tests);
/// - `send` performs one HTTP request without following redirects;
/// - `sleep_until` blocks until the given time (it may return early).
///
/// ```
/// use std::time::SystemTime;
/// use oauth2_sansio::{drive, Error, Machine, Step, TransportFailure};
///
/// // A machine that asks for one request and returns the response status.
/// struct Ping(Option<u16>);
/// impl Machine for Ping {
///     type Output = u16;
///     fn poll(&mut self, _now: SystemTime) -> Result<Step<u16>, Error> {
///         Ok(match self.0 {
///             None => Step::Send(oauth2_sansio::http::Request::new(Vec::new())),
///             Some(status) => Step::Done(status),
///         })
///     }
///     fn handle_response(&mut self, r: oauth2_sansio::http::Response<Vec<u8>>, _: SystemTime) -> Result<(), Error> {
///         self.0 = Some(r.status().as_u16());
///         Ok(())
///     }
///     fn handle_transport_failure(&mut self, f: TransportFailure, _: SystemTime) -> Result<(), Error> {
///         Err(f.into())
///     }
/// }
///
/// let status = drive(
///     Ping(None),
///     || SystemTime::UNIX_EPOCH,
///     |_request| Ok(oauth2_sansio::http::Response::builder().status(204).body(Vec::new()).unwrap()),
///     |_until| {},
/// )?;
/// assert_eq!(status, 204);
/// # Ok::<(), Error>(())
/// ```
pub fn drive<M, C, S, W>(
    mut machine: M,
    mut clock: C,
    mut send: S,
    mut sleep_until: W,
) -> Result<M::Output, Error>
where
    M: Machine,
    C: FnMut() -> SystemTime,
    S: FnMut(http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>, TransportFailure>,
    W: FnMut(SystemTime),
{
    loop {
        match machine.poll(clock())? {
            Step::Send(request) => match send(request) {
                Ok(response) => machine.handle_response(response, clock())?,
                Err(failure) => machine.handle_transport_failure(failure, clock())?,
            },
            Step::Wait { until, .. } => sleep_until(until),
            Step::Done(output) => return Ok(output),
        }
    }
}

/// Runs `machine` to completion with asynchronous IO, on any runtime.
///
/// The same as [`drive`], with `send` and `sleep_until` returning futures.
/// No runtime is assumed: the sleep is yours, for instance on tokio
/// `|until| tokio::time::sleep(until.duration_since(SystemTime::now()).unwrap_or_default())`,
/// an async-std timer, or a WASM `setTimeout` wrapper.
pub async fn drive_async<M, C, S, SF, W, WF>(
    mut machine: M,
    mut clock: C,
    mut send: S,
    mut sleep_until: W,
) -> Result<M::Output, Error>
where
    M: Machine,
    C: FnMut() -> SystemTime,
    S: FnMut(http::Request<Vec<u8>>) -> SF,
    SF: Future<Output = Result<http::Response<Vec<u8>>, TransportFailure>>,
    W: FnMut(SystemTime) -> WF,
    WF: Future<Output = ()>,
{
    loop {
        match machine.poll(clock())? {
            Step::Send(request) => match send(request).await {
                Ok(response) => machine.handle_response(response, clock())?,
                Err(failure) => machine.handle_transport_failure(failure, clock())?,
            },
            Step::Wait { until, .. } => sleep_until(until).await,
            Step::Done(output) => return Ok(output),
        }
    }
}
