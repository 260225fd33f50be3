//! The fleet machines' store operations executed on one Redis connection,
//! made again after any failure, every operation bounded by a timeout.

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use redis::{Client, Connection, RedisError};

use super::RedisFleetError;
use crate::cache::fleet::{StoreFailure, StoreOp, StoreReply};

/// Deletes the lock only if it still holds this owner's value.
const RELEASE: &str = r#"if redis.call("get",KEYS[1])==ARGV[1] then return redis.call("del",KEYS[1]) else return 0 end"#;

/// Replaces the entry only if its version (the digits before its first
/// `:`, empty when none) is still ARGV[1]; the same rule as
/// `fleet::version_of`.
const SWAP: &str = r#"local current = redis.call("get", KEYS[1])
local version = ""
if current then version = string.match(current, "^(%d+):") or "" end
if version ~= ARGV[1] then return 0 end
redis.call("set", KEYS[1], ARGV[2], "PX", ARGV[3])
return 1"#;

/// A Redis server as the fleet's shared store: executes each
/// [`StoreOp`] as one command (`GET`, `SET NX PX`, or a Lua script for the
/// compare-and-delete and the compare-and-swap), over one blocking
/// connection, opened at the first operation and again after a failure.
/// For driving the [`fleet`](crate::cache::fleet) machines by hand;
/// [`RedisFleet`](super::RedisFleet) does it for a cache.
pub struct RedisStore {
    client: Client,
    connection: Mutex<Option<Connection>>,
    timeout: Duration,
}

impl RedisStore {
    /// The server at `url` (`redis://[:password@]host:port/db`); `timeout`
    /// bounds connecting and every command. Connects at the first
    /// operation.
    pub fn new(url: &str, timeout: Duration) -> Result<Self, RedisFleetError> {
        let client = Client::open(url).map_err(|_| RedisFleetError::InvalidUrl)?;
        Ok(Self {
            client,
            connection: Mutex::new(None),
            timeout,
        })
    }

    pub(super) fn set_timeout(&mut self, timeout: Duration) {
        self.timeout = timeout;
    }

    /// Performs `op`: a sleep on this thread, or one command.
    pub fn execute(&self, op: StoreOp) -> Result<StoreReply, StoreFailure> {
        if let StoreOp::Sleep { until } = op {
            if let Ok(wait) = until.duration_since(SystemTime::now()) {
                std::thread::sleep(wait);
            }
            return Ok(StoreReply::Slept);
        }
        let mut slot = self
            .connection
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let connection = match slot.as_mut() {
            Some(connection) => connection,
            None => slot.insert(self.connect().map_err(failure)?),
        };
        let reply = command(connection, &op).map_err(failure);
        if reply.is_err() {
            // The next operation connects again (Redis restarted, say).
            *slot = None;
        }
        reply
    }

    fn connect(&self) -> Result<Connection, RedisError> {
        let connection = self.client.get_connection_with_timeout(self.timeout)?;
        connection.set_read_timeout(Some(self.timeout))?;
        connection.set_write_timeout(Some(self.timeout))?;
        Ok(connection)
    }
}

fn command(connection: &mut Connection, op: &StoreOp) -> Result<StoreReply, RedisError> {
    let reply = match op {
        StoreOp::Get { key } => StoreReply::Value(redis::cmd("GET").arg(key).query(connection)?),
        StoreOp::Acquire { key, owner, ttl } => {
            let set: Option<String> = redis::cmd("SET")
                .arg(key)
                .arg(owner)
                .arg("NX")
                .arg("PX")
                .arg(millis(*ttl))
                .query(connection)?;
            StoreReply::Acquired(set.is_some())
        }
        StoreOp::Release { key, owner } => {
            let deleted: i64 = redis::cmd("EVAL")
                .arg(RELEASE)
                .arg(1)
                .arg(key)
                .arg(owner)
                .query(connection)?;
            StoreReply::Released(deleted == 1)
        }
        StoreOp::Swap {
            key,
            expected,
            value,
            ttl,
        } => {
            let swapped: i64 = redis::cmd("EVAL")
                .arg(SWAP)
                .arg(1)
                .arg(key)
                .arg(expected)
                .arg(value.as_slice())
                .arg(millis(*ttl))
                .query(connection)?;
            StoreReply::Swapped(swapped == 1)
        }
        StoreOp::Sleep { .. } => StoreReply::Slept,
    };
    Ok(reply)
}

/// At least 1 ms: `PX 0` is an error in Redis.
fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis())
        .unwrap_or(u64::MAX)
        .max(1)
}

/// The failure as the machines see it. Redis errors name the failure and
/// the server's message, never the URL (which may hold a password).
fn failure(error: RedisError) -> StoreFailure {
    StoreFailure(format!("Redis failed: {error}"))
}
