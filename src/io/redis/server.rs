//! A Redis server as both stores reach it: its client, the timeout that
//! bounds connecting and every command, and the one connection (blocking
//! or multiplexed) open to it, if any.

use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use redis::Client;

use super::RedisFleetError;

pub(super) struct Server<T> {
    pub(super) client: Client,
    pub(super) timeout: Duration,
    connection: Mutex<Option<T>>,
}

impl<T> Server<T> {
    /// The server at `url`, not connected yet.
    pub(super) fn open(url: &str, timeout: Duration) -> Result<Self, RedisFleetError> {
        Ok(Self {
            client: Client::open(url).map_err(|_| RedisFleetError::InvalidUrl)?,
            timeout,
            connection: Mutex::new(None),
        })
    }

    /// The connection, if one is open; emptied after a failure, so that
    /// the next operation connects again (Redis restarted, say).
    pub(super) fn slot(&self) -> MutexGuard<'_, Option<T>> {
        self.connection
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}
