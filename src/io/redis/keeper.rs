//! The fleet protocol as a cache's blocking keeper: prepare runs
//! [`FleetPrepare`](crate::cache::fleet::FleetPrepare), keep runs
//! [`FleetCommit`](crate::cache::fleet::FleetCommit), each on the caller's
//! thread.

use std::sync::Arc;
use std::time::SystemTime;

use super::common::{debug_prepared, Inner};
use super::{RedisFleet, RedisStore};
use crate::cache::fleet::{run_fleet, FleetCredentials, HeldLock};
use crate::cache::{KeepError, Keeper};

/// A refresh made ready by a [`RedisFleet`]: the fleet's lock, when this
/// instance holds it (released when dropped without a keep), or nothing
/// when Redis failed and the instance refreshes on its own.
pub struct RedisPrepared {
    inner: Arc<Inner<RedisStore>>,
    lock: Option<HeldLock>,
}

impl Drop for RedisPrepared {
    fn drop(&mut self) {
        if let Some(lock) = self.lock.take() {
            // On failure the lock expires after its lifetime.
            let _ = self.inner.store.execute(self.inner.release(&lock));
        }
    }
}

impl std::fmt::Debug for RedisPrepared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        debug_prepared(f, "RedisPrepared", &self.lock)
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
        let store = &self.core.inner.store;
        let outcome = run_fleet(self.core.prepare_machine(), SystemTime::now, |op| {
            store.execute(op)
        });
        let (lock, stored) = self.core.prepared(outcome)?;
        let inner = Arc::clone(&self.core.inner);
        Ok((RedisPrepared { inner, lock }, stored))
    }

    fn keep(&self, mut prepared: RedisPrepared, credentials: &C) -> Result<(), KeepError> {
        let Some(machine) = self.core.commit_machine(&mut prepared.lock, credentials) else {
            return Ok(());
        };
        let store = &self.core.inner.store;
        self.core
            .committed(run_fleet(machine, SystemTime::now, |op| store.execute(op)))
    }
}
