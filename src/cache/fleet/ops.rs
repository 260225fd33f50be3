//! What the fleet machines ask a shared store to do, and its answers: the
//! adapter (Redis in `io/redis/`, [`MemoryStore`](super::MemoryStore) in
//! tests) executes each operation atomically.

use std::fmt;
use std::future::{self, Future};
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, SystemTime};

/// One operation on the shared store. Each is atomic in the store.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StoreOp {
    /// Read the value at `key` (`GET`).
    Get {
        /// The key.
        key: String,
    },
    /// Take the lock at `key` for `owner` unless someone holds it, for at
    /// most `ttl` (`SET key owner NX PX ttl`).
    Acquire {
        /// The lock's key.
        key: String,
        /// This attempt's random owner value.
        owner: String,
        /// The lock's lifetime.
        ttl: Duration,
    },
    /// Delete the lock at `key` if `owner` still holds it (compare and
    /// delete, in one script).
    Release {
        /// The lock's key.
        key: String,
        /// The owner value it was taken with.
        owner: String,
    },
    /// Replace the value at `key` with `value`, to expire after `ttl`,
    /// only if its version is still `expected` (the digits before the
    /// first `:` of the value, empty when there is no value or no such
    /// digits); see [`version_of`](super::version_of).
    Swap {
        /// The entry's key.
        key: String,
        /// The version read before, as its digits.
        expected: String,
        /// The new value, which carries the next version.
        value: Vec<u8>,
        /// How long the store keeps it.
        ttl: Duration,
    },
    /// Wait until `until` (by the adapter's clock), then answer
    /// [`StoreReply::Slept`].
    Sleep {
        /// When to go on.
        until: SystemTime,
    },
}

impl fmt::Debug for StoreOp {
    // Values are sealed credentials and owners are lock secrets: neither is
    // printed.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreOp::Get { key } => f.debug_struct("Get").field("key", key).finish(),
            StoreOp::Acquire { key, ttl, .. } => f
                .debug_struct("Acquire")
                .field("key", key)
                .field("ttl", ttl)
                .finish_non_exhaustive(),
            StoreOp::Release { key, .. } => f
                .debug_struct("Release")
                .field("key", key)
                .finish_non_exhaustive(),
            StoreOp::Swap {
                key, expected, ttl, ..
            } => f
                .debug_struct("Swap")
                .field("key", key)
                .field("expected", expected)
                .field("ttl", ttl)
                .finish_non_exhaustive(),
            StoreOp::Sleep { until } => f.debug_struct("Sleep").field("until", until).finish(),
        }
    }
}

/// The store's answer to a [`StoreOp`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StoreReply {
    /// To `Get`: the value, `None` when there is none.
    Value(Option<Vec<u8>>),
    /// To `Acquire`: whether this owner holds the lock now.
    Acquired(bool),
    /// To `Release`: whether the lock was this owner's and is gone.
    Released(bool),
    /// To `Swap`: whether the value was replaced.
    Swapped(bool),
    /// To `Sleep`.
    Slept,
}

/// The store could not be reached or did not answer in time: the adapter's
/// description, which must hold no secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreFailure(pub String);

/// A fleet machine's outcome, or, polled again after it finished, the
/// failure that says so.
pub(crate) fn after_the_end<T>(outcome: Option<T>, unavailable: fn(StoreFailure) -> T) -> T {
    outcome.unwrap_or_else(|| {
        unavailable(StoreFailure(
            "the fleet machine was polled after it finished; this is a bug in its driver".into(),
        ))
    })
}

impl fmt::Display for StoreFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for StoreFailure {}

/// What a fleet machine wants next.
#[derive(Debug)]
pub enum FleetStep<T> {
    /// Execute this operation and hand its answer to `handle`.
    Op(StoreOp),
    /// Finished with this.
    Done(T),
}

/// A sans-IO machine over the shared store: [`poll`](Self::poll) for the
/// next operation, [`handle`](Self::handle) its answer.
pub trait FleetMachine {
    /// What it ends with.
    type Output;

    /// The next operation at `now`, or the result.
    fn poll(&mut self, now: SystemTime) -> FleetStep<Self::Output>;

    /// The answer to the operation `poll` returned last.
    fn handle(&mut self, reply: Result<StoreReply, StoreFailure>, now: SystemTime);
}

/// Runs `machine` to its end: `execute` performs each operation (sleeps
/// included) and `clock` tells the time.
pub fn run_fleet<M, K, E>(machine: M, clock: K, mut execute: E) -> M::Output
where
    M: FleetMachine,
    K: Fn() -> SystemTime,
    E: FnMut(StoreOp) -> Result<StoreReply, StoreFailure>,
{
    // The async driver over answers that are ready: it ends in one poll.
    let run = run_fleet_async(machine, clock, |op| future::ready(execute(op)));
    match pin!(run).poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(output) => output,
        Poll::Pending => unreachable!("every answer is ready"),
    }
}

/// Runs `machine` to its end with asynchronous IO, on any runtime:
/// `execute` returns a future of each operation's answer (sleeps
/// included), `clock` tells the time.
pub async fn run_fleet_async<M, K, E, F>(mut machine: M, clock: K, mut execute: E) -> M::Output
where
    M: FleetMachine,
    K: Fn() -> SystemTime,
    E: FnMut(StoreOp) -> F,
    F: Future<Output = Result<StoreReply, StoreFailure>>,
{
    loop {
        match machine.poll(clock()) {
            FleetStep::Done(output) => return output,
            FleetStep::Op(op) => {
                let reply = execute(op).await;
                machine.handle(reply, clock());
            }
        }
    }
}

/// The failure a machine reports for an answer to another operation than
/// the one it asked for (an adapter's bug); names the answer, not its value.
pub(super) fn out_of_turn(reply: &StoreReply) -> StoreFailure {
    let name = match reply {
        StoreReply::Value(_) => "a value",
        StoreReply::Acquired(_) => "a lock result",
        StoreReply::Released(_) => "a release result",
        StoreReply::Swapped(_) => "a swap result",
        StoreReply::Slept => "a wake-up",
    };
    StoreFailure(format!(
        "the store adapter answered with {name} out of turn; this is a bug in the adapter"
    ))
}
