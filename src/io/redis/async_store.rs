//! The fleet machines' store operations executed on tokio, over one
//! multiplexed Redis connection shared by every task, made again after any
//! failure, every operation bounded by a timeout.

use std::time::Duration;

use redis::aio::MultiplexedConnection;
use redis::{AsyncConnectionConfig, RedisError, Value};

use super::commands::{action, failure, until, Action};
use super::server::Server;
use super::RedisFleetError;
use crate::cache::fleet::{StoreFailure, StoreOp, StoreReply};

/// A Redis server as the fleet's shared store, reached from tokio tasks:
/// the commands of [`RedisStore`](super::RedisStore), sent over one
/// [`MultiplexedConnection`] that concurrent tasks share, opened at the
/// first operation and again after a failure (a multiplexed connection
/// does not reconnect by itself once Redis restarts). Sleeps are tokio
/// timers: a task waiting for another instance's refresh leaves its
/// thread to other tasks. For driving the [`fleet`](crate::cache::fleet)
/// machines by hand ([`run_fleet_async`](crate::cache::fleet::run_fleet_async));
/// [`AsyncRedisFleet`](super::AsyncRedisFleet) does it for a cache.
///
/// Use it from within a tokio runtime with timers and IO enabled: the
/// connection's driver is a task spawned there.
pub struct AsyncRedisStore {
    server: Server<MultiplexedConnection>,
}

impl AsyncRedisStore {
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

    /// Performs `op`: a tokio sleep, or one command.
    pub async fn execute(&self, op: StoreOp) -> Result<StoreReply, StoreFailure> {
        let (command, answer) = match action(&op) {
            Action::Sleep(time) => {
                tokio::time::sleep(until(time)).await;
                return Ok(StoreReply::Slept);
            }
            Action::Send(command, answer) => (command, answer),
        };
        let mut connection = self.connection().await.map_err(failure)?;
        let reply = command
            .query_async::<Value>(&mut connection)
            .await
            .and_then(|value| answer.read(value))
            .map_err(failure);
        if reply.is_err() {
            self.server.slot().take();
        }
        reply
    }

    /// The shared connection, opened if there is none.
    async fn connection(&self) -> Result<MultiplexedConnection, RedisError> {
        if let Some(connection) = self.server.slot().as_ref() {
            return Ok(connection.clone());
        }
        let timeout = Some(self.server.timeout);
        let config = AsyncConnectionConfig::new()
            .set_connection_timeout(timeout)
            .set_response_timeout(timeout);
        let connection = self
            .server
            .client
            .get_multiplexed_async_connection_with_config(&config)
            .await?;
        // Tasks that connected at once keep one connection; the others
        // close when their command is answered.
        Ok(self.server.slot().get_or_insert(connection).clone())
    }
}
