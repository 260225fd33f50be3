//! The fleet protocol as a cache's keeper: prepare runs
//! [`FleetPrepare`], keep runs [`FleetCommit`].

use std::sync::Arc;
use std::time::SystemTime;

use super::{FleetWarning, Inner, RedisFleet};
use crate::cache::fleet::{
    run_fleet, Committed, FleetCommit, FleetCredentials, FleetPrepare, HeldLock, Prepared, StoreOp,
    SEAL_NONCE_LEN,
};
use crate::cache::{KeepError, KeepErrorKind, Keeper};

/// A refresh made ready by a [`RedisFleet`]: the fleet's lock, when this
/// instance holds it (released when dropped without a keep), or nothing
/// when Redis failed and the instance refreshes on its own.
pub struct RedisPrepared {
    inner: Arc<Inner>,
    lock: Option<HeldLock>,
}

impl Drop for RedisPrepared {
    fn drop(&mut self) {
        if let Some(lock) = self.lock.take() {
            let release = StoreOp::Release {
                key: self.inner.config.lock_key().to_owned(),
                owner: lock.owner().to_owned(),
            };
            // On failure the lock expires after its lifetime.
            let _ = self.inner.store.execute(release);
        }
    }
}

impl std::fmt::Debug for RedisPrepared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisPrepared")
            .field("holds_lock", &self.lock.is_some())
            .finish()
    }
}

/// Before each refresh the fleet's shared token is read (and taken when
/// fresh), the refresh lock taken or waited for, and the newest shared
/// credentials read under it; after it, the new ones are shared by
/// compare-and-swap and the lock released.
impl<C> Keeper<C> for RedisFleet<C>
where
    C: FleetCredentials + Send + Sync,
{
    type Prepared = RedisPrepared;

    fn prepare(&self) -> Result<(RedisPrepared, Option<C>), KeepError> {
        let inner = &self.inner;
        let owner = inner.random_hex();
        let threshold = self.credentials.refresh_threshold();
        let machine = FleetPrepare::new(&inner.config, owner, threshold);
        let outcome = run_fleet(machine, SystemTime::now, |op| inner.store.execute(op));
        let prepared = |lock| RedisPrepared {
            inner: Arc::clone(inner),
            lock,
        };
        match outcome {
            Prepared::Fresh(state) => {
                Ok((prepared(None), Some(self.credentials.with_shared_state(&state))))
            }
            Prepared::Held {
                lock,
                stored,
                ignored,
            } => {
                if let Some(error) = ignored {
                    (inner.warn)(&FleetWarning::EntryIgnored(error));
                }
                let stored = stored.map(|state| self.credentials.with_shared_state(&state));
                Ok((prepared(Some(lock)), stored))
            }
            Prepared::Busy { waited } => Err(KeepError::new(
                KeepErrorKind::Busy,
                format!(
                    "another instance held the fleet's refresh lock for the whole wait ({} ms); nothing was sent, the next call tries again (raise the wait limit if refreshes take longer)",
                    waited.as_millis()
                ),
            )),
            Prepared::Unavailable(failure) => {
                (inner.warn)(&FleetWarning::RefreshingAlone(failure));
                Ok((prepared(None), None))
            }
        }
    }

    fn keep(&self, mut prepared: RedisPrepared, credentials: &C) -> Result<(), KeepError> {
        let Some(state) = credentials.shared_state() else {
            return Ok(());
        };
        let inner = &self.inner;
        let nonce = inner.random_nonce();
        let machine = match prepared.lock.take() {
            Some(lock) => FleetCommit::locked(&inner.config, lock, state, nonce),
            None => FleetCommit::unlocked(&inner.config, state, nonce),
        };
        match run_fleet(machine, SystemTime::now, |op| inner.store.execute(op)) {
            Committed::Kept => Ok(()),
            Committed::Superseded => Err(KeepError::new(
                KeepErrorKind::Busy,
                "another instance shared newer credentials first; this instance serves its own token, and takes the shared credentials at its next refresh",
            )),
            Committed::Unavailable(failure) => {
                let message = format!(
                    "the credentials were renewed but not shared ({failure}); this process keeps them and shares them at its next refresh once Redis is back"
                );
                (inner.warn)(&FleetWarning::NotShared(failure));
                Err(KeepError::new(KeepErrorKind::Io, message))
            }
        }
    }
}

impl Inner {
    /// A lock owner value: 128 random bits, hex.
    fn random_hex(&self) -> String {
        let mut bits = [0u8; 16];
        self.fill(&mut bits);
        bits.iter().map(|b| format!("{b:02x}")).collect()
    }

    fn random_nonce(&self) -> [u8; SEAL_NONCE_LEN] {
        let mut nonce = [0; SEAL_NONCE_LEN];
        self.fill(&mut nonce);
        nonce
    }

    fn fill(&self, bytes: &mut [u8]) {
        self.entropy
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .fill_entropy(bytes);
    }
}
