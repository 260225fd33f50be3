//! The fleet machines' store operations as Redis commands, and Redis's
//! answers as the machines' replies: the same for the blocking and the
//! async store.

use std::time::{Duration, SystemTime};

use redis::{Cmd, RedisError, Value};

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

/// What a store does for one operation.
pub(super) enum Action {
    /// Wait until then, by the store's own timer, and answer `Slept`.
    Sleep(SystemTime),
    /// Send this command, and read its answer so.
    Send(Cmd, Answer),
}

/// How a command's answer reads as a [`StoreReply`].
pub(super) enum Answer {
    Value,
    Acquired,
    Released,
    Swapped,
}

/// One command (`GET`, `SET NX PX`, or a Lua script for the
/// compare-and-delete and the compare-and-swap) for `op`, or its sleep.
pub(super) fn action(op: &StoreOp) -> Action {
    let (command, answer) = match op {
        StoreOp::Sleep { until } => return Action::Sleep(*until),
        StoreOp::Get { key } => {
            let mut get = redis::cmd("GET");
            get.arg(key);
            (get, Answer::Value)
        }
        StoreOp::Acquire { key, owner, ttl } => {
            let mut set = redis::cmd("SET");
            set.arg(key)
                .arg(owner)
                .arg("NX")
                .arg("PX")
                .arg(millis(*ttl));
            (set, Answer::Acquired)
        }
        StoreOp::Release { key, owner } => {
            let mut eval = redis::cmd("EVAL");
            eval.arg(RELEASE).arg(1).arg(key).arg(owner);
            (eval, Answer::Released)
        }
        StoreOp::Swap {
            key,
            expected,
            value,
            ttl,
        } => {
            let mut eval = redis::cmd("EVAL");
            eval.arg(SWAP).arg(1).arg(key).arg(expected);
            eval.arg(value.as_slice()).arg(millis(*ttl));
            (eval, Answer::Swapped)
        }
    };
    Action::Send(command, answer)
}

impl Answer {
    pub(super) fn read(self, value: Value) -> Result<StoreReply, RedisError> {
        use redis::from_redis_value as parse;
        Ok(match self {
            Answer::Value => StoreReply::Value(parse(value)?),
            Answer::Acquired => StoreReply::Acquired(parse::<Option<String>>(value)?.is_some()),
            Answer::Released => StoreReply::Released(parse::<i64>(value)? == 1),
            Answer::Swapped => StoreReply::Swapped(parse::<i64>(value)? == 1),
        })
    }
}

/// At least 1 ms: `PX 0` is an error in Redis.
fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis())
        .unwrap_or(u64::MAX)
        .max(1)
}

/// The failure as the machines see it. Redis errors name the failure and
/// the server's message, never the URL (which may hold a password).
pub(super) fn failure(error: RedisError) -> StoreFailure {
    StoreFailure(format!("Redis failed: {error}"))
}

/// How long until `until`, by the system clock (zero once past).
pub(super) fn until(until: SystemTime) -> Duration {
    until.duration_since(SystemTime::now()).unwrap_or_default()
}
