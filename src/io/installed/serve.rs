//! The wait for the callback: one thread watches the listener, every open
//! connection and the deadline, so a connection that never sends its
//! request cannot hold up the browser's real one.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use super::connection::{Connection, Progress};
use super::error::InstalledAppError;
use super::listener::Listener;
use crate::flows::code::callback::CallbackError;
use crate::flows::code::exchange::CodeExchange;
use crate::flows::code::loopback::LoopbackCallback;

/// How many connections are served at once; a new one beyond that closes
/// the oldest.
pub(super) const MAX_CONNECTIONS: usize = 32;

/// The pause between rounds in which nothing happened.
const IDLE_PAUSE: Duration = Duration::from_millis(10);

/// Serves connections until the genuine callback arrives or `timeout`
/// passes, calling `on_idle` in every round in which nothing happened.
pub(super) fn serve(
    listener: &Listener,
    callback: &mut LoopbackCallback,
    timeout: Duration,
    mut on_idle: impl FnMut(),
) -> Result<Result<CodeExchange, CallbackError>, InstalledAppError> {
    let deadline = Instant::now().checked_add(timeout);
    let mut connections = VecDeque::new();
    loop {
        let now = Instant::now();
        if deadline.is_some_and(|deadline| now >= deadline) {
            return Err(InstalledAppError::Timeout { waited: timeout });
        }
        let mut busy = false;
        listener.accept_waiting(|stream| {
            if let Ok(connection) = Connection::new(stream, now) {
                if connections.len() == MAX_CONNECTIONS {
                    connections.pop_front();
                }
                connections.push_back(connection);
                busy = true;
            }
        });
        let mut finished = None;
        connections.retain_mut(|connection| {
            if finished.is_some() {
                return true;
            }
            match connection.poll(callback, now) {
                Progress::Waiting => true,
                Progress::Closed => {
                    busy = true;
                    false
                }
                Progress::Finished(result) => {
                    finished = Some(result);
                    false
                }
            }
        });
        if let Some(result) = finished {
            return Ok(result);
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
