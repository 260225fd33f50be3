//! The fleet protocol as a cache's async keeper, on tokio: the machines of
//! the blocking [`RedisFleet`](super::RedisFleet), their operations
//! awaited on [`AsyncRedisStore`].

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use super::common::{debug_prepared, FleetCore, Inner};
use super::{AsyncRedisStore, FleetWarning, RedisFleetError, DEFAULT_REDIS_TIMEOUT};
use crate::cache::fleet::{run_fleet_async, FleetConfig, FleetCredentials, HeldLock};
use crate::cache::{AsyncKeeper, KeepFuture};
use crate::secret::entropy::Entropy;

/// Shares one set of credentials with the other instances of a fleet
/// through a Redis server, from tokio tasks: the async form of
/// [`RedisFleet`](super::RedisFleet), for
/// [`SharedToken::with_async_keeper`](crate::cache::SharedToken::with_async_keeper).
/// See the [module documentation](super).
pub struct AsyncRedisFleet<C> {
    core: FleetCore<C, AsyncRedisStore>,
}

impl<C: FleetCredentials> AsyncRedisFleet<C> {
    /// Shares `credentials` as `config` says through the Redis server at
    /// `url`, as [`RedisFleet::new`](super::RedisFleet::new) does. Connects
    /// lazily, at the first refresh, which must run within a tokio runtime
    /// with timers and IO enabled.
    pub fn new(
        url: &str,
        config: FleetConfig,
        credentials: &C,
        entropy: impl Entropy + Send + 'static,
    ) -> Result<Self, RedisFleetError> {
        let store = AsyncRedisStore::new(url, DEFAULT_REDIS_TIMEOUT)?;
        let core = FleetCore::new(store, config, credentials, entropy)?;
        Ok(Self { core })
    }

    /// Bounds connecting and every command (default
    /// [`DEFAULT_REDIS_TIMEOUT`]).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.core.inner_mut().store.set_timeout(timeout);
        self
    }

    /// Calls `warn` for each [`FleetWarning`] (default: none is reported).
    pub fn with_warnings(mut self, warn: impl Fn(&FleetWarning) + Send + Sync + 'static) -> Self {
        self.core.set_warnings(warn);
        self
    }
}

impl<C> fmt::Debug for AsyncRedisFleet<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncRedisFleet")
            .field("config", &self.core.inner.config)
            .finish_non_exhaustive()
    }
}

/// A refresh made ready by an [`AsyncRedisFleet`]: the fleet's lock, when
/// this instance holds it, or nothing.
///
/// Dropped without a keep (the refresh failed, or its caller was
/// cancelled), it releases the lock in a task spawned on the tokio runtime
/// it is dropped in, since a `Drop` cannot await. Dropped outside any
/// runtime, it leaves the lock to expire after its lifetime, and the other
/// instances wait until then.
pub struct AsyncRedisPrepared {
    inner: Arc<Inner<AsyncRedisStore>>,
    lock: Option<HeldLock>,
}

impl Drop for AsyncRedisPrepared {
    fn drop(&mut self) {
        let Some(lock) = self.lock.take() else { return };
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let inner = Arc::clone(&self.inner);
            let release = inner.release(&lock);
            runtime.spawn(async move {
                // On failure the lock expires after its lifetime.
                let _ = inner.store.execute(release).await;
            });
        }
    }
}

impl fmt::Debug for AsyncRedisPrepared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        debug_prepared(f, "AsyncRedisPrepared", &self.lock)
    }
}

/// The same steps as the blocking keeper's, awaited: a waiter for another
/// instance's refresh sleeps on a tokio timer, not on its thread.
impl<C> AsyncKeeper<C> for AsyncRedisFleet<C>
where
    C: FleetCredentials + Send + Sync,
{
    type Prepared = AsyncRedisPrepared;

    fn prepare(&self) -> KeepFuture<'_, (AsyncRedisPrepared, Option<C>)> {
        Box::pin(async move {
            let store = &self.core.inner.store;
            let machine = self.core.prepare_machine();
            let outcome = run_fleet_async(machine, SystemTime::now, |op| store.execute(op)).await;
            let (lock, stored) = self.core.prepared(outcome)?;
            let inner = Arc::clone(&self.core.inner);
            Ok((AsyncRedisPrepared { inner, lock }, stored))
        })
    }

    fn keep(&self, mut prepared: AsyncRedisPrepared, credentials: &C) -> KeepFuture<'_, ()> {
        let machine = self.core.commit_machine(&mut prepared.lock, credentials);
        Box::pin(async move {
            let Some(machine) = machine else {
                return Ok(());
            };
            let store = &self.core.inner.store;
            let outcome = run_fleet_async(machine, SystemTime::now, |op| store.execute(op)).await;
            self.core.committed(outcome)
        })
    }
}
