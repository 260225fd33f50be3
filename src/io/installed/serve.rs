//! The wait for the callback: one thread watches the listener, every open
//! connection and the deadline, so a connection that never sends its
//! request cannot hold up the browser's real one.

use std::ops::ControlFlow;
use std::time::{Duration, Instant};

use super::error::InstalledAppError;
use super::listener::Listener;
use super::pool::{Finished, Pool};
use crate::flows::code::loopback::LoopbackCallback;

/// The pause between rounds in which nothing happened.
const IDLE_PAUSE: Duration = Duration::from_millis(10);

/// The most connections one round accepts, so that the open connections
/// and the deadline are seen to however fast new connections come (and the
/// kernel's tables are read once for all of them).
const ACCEPTS_PER_ROUND: usize = 64;

/// Serves connections until the genuine callback arrives or `timeout`
/// passes, calling `on_idle` in every round in which nothing happened.
pub(super) fn serve(
    listener: &Listener,
    callback: &mut LoopbackCallback,
    timeout: Duration,
    mut on_idle: impl FnMut(),
) -> Result<Finished, InstalledAppError> {
    let deadline = Instant::now().checked_add(timeout);
    let mut pool = Pool::default();
    loop {
        let now = Instant::now();
        if deadline.is_some_and(|deadline| now >= deadline) {
            return Err(InstalledAppError::Timeout { waited: timeout });
        }
        let accepted = listener.accept(pool.room(now).min(ACCEPTS_PER_ROUND));
        let mut busy = accepted.taken > 0;
        for stream in accepted.streams {
            if let ControlFlow::Break(finished) = pool.admit(stream, callback, now) {
                return Ok(finished);
            }
        }
        match pool.poll(callback, now) {
            ControlFlow::Break(finished) => return Ok(finished),
            ControlFlow::Continue(progressed) => busy |= progressed,
        }
        if !busy {
            on_idle();
            let left = deadline.map_or(IDLE_PAUSE, |deadline| {
                deadline.saturating_duration_since(now)
            });
            std::thread::sleep(IDLE_PAUSE.min(left));
        }
    }
}
