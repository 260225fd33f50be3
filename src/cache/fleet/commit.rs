//! After a refresh: write the new credentials by compare-and-swap on the
//! version read before, so that credentials from an older refresh token
//! never replace newer ones, then give the lock back.

use std::time::SystemTime;

use super::config::FleetConfig;
use super::entry::{decode_entry, encode_entry, version_number, version_of};
use super::ops::{
    after_the_end, out_of_turn, FleetMachine, FleetStep, StoreFailure, StoreOp, StoreReply,
};
use super::prepare::HeldLock;
use super::seal::SEAL_NONCE_LEN;
use super::state::SharedState;

/// How a [`FleetCommit`] ended.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Committed {
    /// The store holds the new credentials.
    Kept,
    /// The entry changed since it was read (another instance wrote newer
    /// credentials, or took over after this one's lock expired): it was
    /// left as it is.
    Superseded,
    /// The store failed; the new credentials are only in this instance.
    Unavailable(StoreFailure),
}

/// The machine run after a refresh of shared credentials.
#[derive(Debug)]
pub struct FleetCommit<'c> {
    config: &'c FleetConfig,
    state: SharedState,
    nonce: [u8; SEAL_NONCE_LEN],
    owner: Option<String>,
    expected: String,
    phase: Phase,
    outcome: Option<Committed>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Without the lock: read the version, and whether the entry is newer.
    Look,
    Swap,
    Release,
    Finished,
}

impl<'c> FleetCommit<'c> {
    /// Writes `state` under `lock`, taken by [`FleetPrepare`](super::FleetPrepare);
    /// `nonce` is fresh random bytes from the caller's RNG.
    pub fn locked(
        config: &'c FleetConfig,
        lock: HeldLock,
        state: SharedState,
        nonce: [u8; SEAL_NONCE_LEN],
    ) -> Self {
        let mut commit = Self::unlocked(config, state, nonce);
        commit.owner = Some(lock.owner);
        commit.expected = lock.version;
        commit.phase = Phase::Swap;
        commit
    }

    /// Writes `state`, refreshed without the lock (the store was down
    /// before the refresh), unless the store holds a token that expires
    /// later.
    pub fn unlocked(
        config: &'c FleetConfig,
        state: SharedState,
        nonce: [u8; SEAL_NONCE_LEN],
    ) -> Self {
        Self {
            config,
            state,
            nonce,
            owner: None,
            expected: String::new(),
            phase: Phase::Look,
            outcome: None,
        }
    }

    /// Records the outcome, then releases the lock if this commit holds it.
    fn settle(&mut self, outcome: Committed) {
        self.outcome = Some(outcome);
        self.phase = match self.owner {
            Some(_) => Phase::Release,
            None => Phase::Finished,
        };
    }
}

impl FleetMachine for FleetCommit<'_> {
    type Output = Committed;

    fn poll(&mut self, now: SystemTime) -> FleetStep<Committed> {
        let config = self.config;
        let op = match self.phase {
            Phase::Look => StoreOp::Get {
                key: config.entry_key.clone(),
            },
            Phase::Swap => {
                let version = version_number(&self.expected).saturating_add(1);
                let value = encode_entry(
                    &config.sealing,
                    &config.entry_key,
                    version,
                    &self.state,
                    self.nonce,
                );
                StoreOp::Swap {
                    key: config.entry_key.clone(),
                    expected: self.expected.clone(),
                    value,
                    ttl: self.state.lifetime(now, config.retention),
                }
            }
            Phase::Release => StoreOp::Release {
                key: config.lock_key.clone(),
                owner: self.owner.clone().unwrap_or_default(),
            },
            Phase::Finished => {
                return FleetStep::Done(after_the_end(self.outcome.take(), Committed::Unavailable))
            }
        };
        FleetStep::Op(op)
    }

    fn handle(&mut self, reply: Result<StoreReply, StoreFailure>, _now: SystemTime) {
        let reply = match reply {
            Ok(reply) => reply,
            Err(failure) => {
                // A failed release leaves the lock to expire by itself.
                if self.phase != Phase::Release {
                    self.outcome = Some(Committed::Unavailable(failure));
                }
                self.phase = Phase::Finished;
                return;
            }
        };
        match (self.phase, reply) {
            (Phase::Look, StoreReply::Value(value)) => {
                let value = value.unwrap_or_default();
                let stored = decode_entry(&self.config.sealing, &self.config.entry_key, &value);
                let ours = self.state.token().expiry();
                let newer =
                    stored
                        .ok()
                        .is_some_and(|stored| match (stored.token().expiry(), ours) {
                            (None, _) => true,
                            (Some(_), None) => false,
                            (Some(theirs), Some(ours)) => theirs > ours,
                        });
                if newer {
                    self.settle(Committed::Superseded);
                } else {
                    self.expected = version_of(&value).to_owned();
                    self.phase = Phase::Swap;
                }
            }
            (Phase::Swap, StoreReply::Swapped(true)) => self.settle(Committed::Kept),
            (Phase::Swap, StoreReply::Swapped(false)) => self.settle(Committed::Superseded),
            (Phase::Release, StoreReply::Released(_)) => self.phase = Phase::Finished,
            (_, reply) => {
                self.outcome = Some(Committed::Unavailable(out_of_turn(&reply)));
                self.phase = Phase::Finished;
            }
        }
    }
}
