//! Before a refresh: take a fresh token another instance shared, or the
//! fleet's refresh lock (waiting for its holder, within a limit), and read
//! the newest credentials under it.

use std::time::{Duration, SystemTime};

use super::config::FleetConfig;
use super::entry::{decode_entry, version_of, EntryError};
use super::ops::{
    after_the_end, out_of_turn, FleetMachine, FleetStep, StoreFailure, StoreOp, StoreReply,
};
use super::state::SharedState;
use crate::credentials::freshness::Freshness;

/// How a [`FleetPrepare`] ended.
#[derive(Debug)]
#[non_exhaustive]
pub enum Prepared {
    /// Another instance shared a fresh token: use it, send nothing.
    Fresh(SharedState),
    /// This instance holds the lock: refresh (with the stored refresh token
    /// if the stored state is newer than the local one), then commit with
    /// [`FleetCommit::locked`](super::FleetCommit::locked).
    Held {
        /// The lock, and the version the entry had under it.
        lock: HeldLock,
        /// What the store holds, if usable.
        stored: Option<SharedState>,
        /// Why the stored entry, if any, was ignored.
        ignored: Option<EntryError>,
    },
    /// Another instance held the lock for the whole wait limit.
    Busy {
        /// How long this instance waited.
        waited: Duration,
    },
    /// The store failed: refresh locally.
    Unavailable(StoreFailure),
}

/// The fleet's refresh lock, held; its entry's version when read under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldLock {
    pub(super) owner: String,
    pub(super) version: String,
}

impl HeldLock {
    /// The random owner value it was taken with (to release it).
    pub fn owner(&self) -> &str {
        &self.owner
    }
}

/// The machine run before every refresh of shared credentials.
#[derive(Debug)]
pub struct FleetPrepare<'c> {
    config: &'c FleetConfig,
    owner: String,
    threshold: Duration,
    phase: Phase,
    started: Option<SystemTime>,
    pause: Duration,
    outcome: Option<Prepared>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Read the entry: take a fresh token, or go for the lock.
    Look,
    Acquire,
    Pause(SystemTime),
    /// Read the entry under the lock.
    LookHeld,
    /// A fresh token appeared before the lock was taken: give it back.
    ReleaseFresh,
    Finished,
}

impl<'c> FleetPrepare<'c> {
    /// Prepares a refresh of the credentials `config` shares: `owner` is
    /// a random value this attempt takes the lock with (at least 128 bits
    /// from the caller's RNG), and a shared token is taken when it is fresh
    /// by `threshold` (the credentials' refresh threshold).
    pub fn new(config: &'c FleetConfig, owner: String, threshold: Duration) -> Self {
        Self {
            config,
            owner,
            threshold,
            phase: Phase::Look,
            started: None,
            pause: FleetConfig::first_pause(),
            outcome: None,
        }
    }

    fn finish(&mut self, outcome: Prepared) {
        self.outcome = Some(outcome);
        self.phase = Phase::Finished;
    }

    fn read(&self, value: Option<&[u8]>) -> (String, Result<Option<SharedState>, EntryError>) {
        let Some(value) = value else {
            return (String::new(), Ok(None));
        };
        let version = version_of(value).to_owned();
        let state = decode_entry(&self.config.sealing, &self.config.entry_key, value);
        (version, state.map(Some))
    }

    fn is_fresh(&self, state: &SharedState, now: SystemTime) -> bool {
        state.token().freshness(now, self.threshold) == Freshness::Fresh
    }
}

impl FleetMachine for FleetPrepare<'_> {
    type Output = Prepared;

    fn poll(&mut self, now: SystemTime) -> FleetStep<Prepared> {
        self.started.get_or_insert(now);
        let config = self.config;
        let op = match self.phase {
            Phase::Look | Phase::LookHeld => StoreOp::Get {
                key: config.entry_key.clone(),
            },
            Phase::Acquire => StoreOp::Acquire {
                key: config.lock_key.clone(),
                owner: self.owner.clone(),
                ttl: config.lock_ttl,
            },
            Phase::Pause(until) => StoreOp::Sleep { until },
            Phase::ReleaseFresh => StoreOp::Release {
                key: config.lock_key.clone(),
                owner: self.owner.clone(),
            },
            Phase::Finished => {
                return FleetStep::Done(after_the_end(self.outcome.take(), Prepared::Unavailable))
            }
        };
        FleetStep::Op(op)
    }

    fn handle(&mut self, reply: Result<StoreReply, StoreFailure>, now: SystemTime) {
        let reply = match reply {
            Ok(reply) => reply,
            // The fresh token stands; the lock expires by itself.
            Err(_) if self.phase == Phase::ReleaseFresh => {
                self.phase = Phase::Finished;
                return;
            }
            Err(failure) => return self.finish(Prepared::Unavailable(failure)),
        };
        let started = self.started.unwrap_or(now);
        match (self.phase, reply) {
            (Phase::Look, StoreReply::Value(value)) => match self.read(value.as_deref()).1 {
                Ok(Some(state)) if self.is_fresh(&state, now) => {
                    self.finish(Prepared::Fresh(state))
                }
                _ => self.phase = Phase::Acquire,
            },
            (Phase::Acquire, StoreReply::Acquired(true)) => self.phase = Phase::LookHeld,
            (Phase::Acquire, StoreReply::Acquired(false)) => {
                let waited = now.duration_since(started).unwrap_or_default();
                let limit = self.config.wait_limit();
                if waited >= limit {
                    return self.finish(Prepared::Busy { waited });
                }
                let pause = self.pause.min(limit - waited);
                self.pause = FleetConfig::next_pause(self.pause);
                self.phase = Phase::Pause(now + pause);
            }
            (Phase::Pause(_), StoreReply::Slept) => self.phase = Phase::Look,
            (Phase::LookHeld, StoreReply::Value(value)) => {
                let (version, state) = self.read(value.as_deref());
                let (stored, ignored) = match state {
                    Ok(stored) => (stored, None),
                    Err(error) => (None, Some(error)),
                };
                let lock = HeldLock {
                    owner: self.owner.clone(),
                    version,
                };
                match stored {
                    Some(state) if self.is_fresh(&state, now) => {
                        self.outcome = Some(Prepared::Fresh(state));
                        self.phase = Phase::ReleaseFresh;
                    }
                    stored => self.finish(Prepared::Held {
                        lock,
                        stored,
                        ignored,
                    }),
                }
            }
            (Phase::ReleaseFresh, _) => self.phase = Phase::Finished,
            (_, reply) => self.finish(Prepared::Unavailable(out_of_turn(&reply))),
        }
    }
}
