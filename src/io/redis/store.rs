//! The fleet machines' store operations executed on one Redis connection,
//! made again after any failure, every operation bounded by a timeout.

use std::time::Duration;

use redis::{Connection, RedisError, Value};

use super::commands::{action, failure, until, Action};
use super::server::Server;
use super::RedisFleetError;
use crate::cache::fleet::{StoreFailure, StoreOp, StoreReply};

/// A Redis server as the fleet's shared store: executes each
/// [`StoreOp`] as one command (`GET`, `SET NX PX`, or a Lua script for the
/// compare-and-delete and the compare-and-swap), over one blocking
/// connection, opened at the first operation and again after a failure.
/// For driving the [`fleet`](crate::cache::fleet) machines by hand;
/// [`RedisFleet`](super::RedisFleet) does it for a cache.
pub struct RedisStore {
    server: Server<Connection>,
}

impl RedisStore {
    /// The server at `url` (`redis://[:password@]host:port/db`); `timeout`
    /// bounds connecting and every command. Connects at the first
    /// operation.
    pub fn new(url: &str, timeout: Duration) -> Result<Self, RedisFleetError> {
        let server = Server::open(url, timeout)?;
        Ok(Self { server })
    }

    pub(super) fn set_timeout(&mut self, timeout: Duration) {
        self.server.timeout = timeout;
    }

    /// Performs `op`: a sleep on this thread, or one command.
    pub fn execute(&self, op: StoreOp) -> Result<StoreReply, StoreFailure> {
        let (command, answer) = match action(&op) {
            Action::Sleep(time) => {
                std::thread::sleep(until(time));
                return Ok(StoreReply::Slept);
            }
            Action::Send(command, answer) => (command, answer),
        };
        let mut slot = self.server.slot();
        let connection = match slot.as_mut() {
            Some(connection) => connection,
            None => slot.insert(self.connect().map_err(failure)?),
        };
        let reply = command
            .query::<Value>(connection)
            .and_then(|value| answer.read(value))
            .map_err(failure);
        if reply.is_err() {
            *slot = None;
        }
        reply
    }

    fn connect(&self) -> Result<Connection, RedisError> {
        let timeout = self.server.timeout;
        let connection = self.server.client.get_connection_with_timeout(timeout)?;
        connection.set_read_timeout(Some(timeout))?;
        connection.set_write_timeout(Some(timeout))?;
        Ok(connection)
    }
}
