//! Credentials shared by a fleet of processes through Redis (feature
//! `redis`): [`RedisFleet`] and [`AsyncRedisFleet`] run the
//! [`fleet`](crate::cache::fleet) protocol against a Redis server, the
//! first as a [`Keeper`](crate::cache::Keeper) over the `redis` crate's
//! blocking connections, the second as an
//! [`AsyncKeeper`](crate::cache::AsyncKeeper) over its tokio multiplexed
//! connection. Both send the same commands and read the same entries:
//! instances of either form share one fleet.
//!
//! Attach one to each instance's [`SharedToken`](crate::cache::SharedToken):
//! within the process the cache makes one caller refresh; across the fleet
//! the lock makes one instance refresh, and the others take its token.
//!
//! Blocking, for threads:
//!
//! ```no_run
//! use std::time::SystemTime;
//! use oauth2_sansio::cache::fleet::{FleetConfig, FleetCredentials, Sealing, SealingKey};
//! use oauth2_sansio::cache::SharedToken;
//! use oauth2_sansio::io::redis::RedisFleet;
//! use oauth2_sansio::rand_core::UnwrapErr;
//! use rand::rngs::SysRng;
//! # let credentials: oauth2_sansio::UserCredentials = unimplemented!();
//! # let key_bytes = [0u8; 32];
//!
//! // The same 32-byte key on every instance, from a secret manager.
//! let sealing = Sealing::Key(SealingKey::new(&key_bytes));
//! let config = FleetConfig::new(&credentials.fleet_key("reports@example.com"), "myapp:", sealing);
//! let fleet = RedisFleet::new("redis://127.0.0.1:6379/", config, &credentials, UnwrapErr(SysRng))?
//!     .with_warnings(|warning| eprintln!("warning: {warning}"));
//! let cache = SharedToken::new(credentials).with_keeper(fleet);
//! // cache.token_with(SystemTime::now, |refresh| transport.run(refresh))
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Its work is blocking, on the thread of the caller that refreshes: a
//! waiter may wait up to the wait limit (by default twice the lock's
//! lifetime) for another instance's refresh. From async code that would
//! block an executor thread meanwhile: use the async form there.
//!
//! On tokio, for tasks:
//!
//! ```no_run
//! use std::time::SystemTime;
//! use oauth2_sansio::cache::fleet::{FleetConfig, FleetCredentials, Sealing, SealingKey};
//! use oauth2_sansio::cache::SharedToken;
//! use oauth2_sansio::io::redis::AsyncRedisFleet;
//! use oauth2_sansio::rand_core::UnwrapErr;
//! use rand::rngs::SysRng;
//! # async fn run(credentials: oauth2_sansio::UserCredentials, key_bytes: [u8; 32]) -> Result<(), Box<dyn std::error::Error>> {
//!
//! let sealing = Sealing::Key(SealingKey::new(&key_bytes));
//! let config = FleetConfig::new(&credentials.fleet_key("reports@example.com"), "myapp:", sealing);
//! let fleet = AsyncRedisFleet::new("redis://127.0.0.1:6379/", config, &credentials, UnwrapErr(SysRng))?
//!     .with_warnings(|warning| eprintln!("warning: {warning}"));
//! let cache = SharedToken::new(credentials).with_async_keeper(fleet);
//! let token = cache
//!     .token_async(SystemTime::now, |request| async move {
//!         // One POST to the token endpoint through your async client.
//!         # drop(request);
//!         # Ok(oauth2_sansio::http::Response::new(Vec::new()))
//!     })
//!     .await?;
//! # drop(token);
//! # Ok(())
//! # }
//! ```
//!
//! Its waits are tokio timers, its commands go over one multiplexed
//! connection that the instance's tasks share: a waiter leaves its thread
//! to other tasks. Only `token_async` and `token_async_with` serve such a
//! cache; its blocking methods refuse
//! ([`KeepErrorKind::AsyncOnly`](crate::cache::KeepErrorKind::AsyncOnly)).
//! A refresh that fails, or whose caller is cancelled, gives the lock back
//! in a task spawned on the current runtime (a `Drop` cannot await); a
//! caller cancelled while it takes the lock, or a value dropped outside any
//! runtime, leaves the lock to expire after its lifetime.
//!
//! When Redis is down or slow (each command is bounded by
//! [`with_timeout`](RedisFleet::with_timeout)), each instance refreshes on
//! its own, as a single process would, and says so through the warning
//! hook; once Redis answers again (the next command connects again),
//! refreshes are shared again. What an outage costs with a server that
//! rotates refresh tokens: two instances that refresh on their own during
//! it send the same refresh token, and the second is refused.

mod async_keeper;
mod async_store;
mod commands;
mod common;
mod keeper;
mod server;
mod store;

use std::fmt;
use std::time::Duration;

use crate::cache::fleet::{EntryError, FleetConfig, FleetCredentials, StoreFailure};
use crate::secret::entropy::Entropy;
use common::FleetCore;

pub use async_keeper::{AsyncRedisFleet, AsyncRedisPrepared};
pub use async_store::AsyncRedisStore;
pub use keeper::RedisPrepared;
pub use store::RedisStore;

/// How long one Redis command (or connecting) may take by default before
/// the instance falls back to refreshing on its own.
pub const DEFAULT_REDIS_TIMEOUT: Duration = Duration::from_secs(2);

/// Shares one set of credentials with the other instances of a fleet
/// through a Redis server, blocking: see the [module documentation](self).
pub struct RedisFleet<C> {
    core: FleetCore<C, RedisStore>,
}

impl<C: FleetCredentials> RedisFleet<C> {
    /// Shares `credentials` (whose client, keys and settings each instance
    /// keeps) as `config` says, through the Redis server at `url`
    /// (`redis://[:password@]host:port/db`). Connects lazily, at the first
    /// refresh.
    ///
    /// DPoP-bound credentials are refused unless `config` says every
    /// instance holds the same DPoP key
    /// ([`FleetConfig::with_shared_dpop_key`]). Lock owner values and the
    /// sealing nonces are drawn from `entropy`, a CSPRNG (the OS's:
    /// `rand_core::UnwrapErr(rand::rngs::SysRng)`).
    pub fn new(
        url: &str,
        config: FleetConfig,
        credentials: &C,
        entropy: impl Entropy + Send + 'static,
    ) -> Result<Self, RedisFleetError> {
        let store = RedisStore::new(url, DEFAULT_REDIS_TIMEOUT)?;
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

impl<C> fmt::Debug for RedisFleet<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisFleet")
            .field("config", &self.core.inner.config)
            .finish_non_exhaustive()
    }
}

/// Why a [`RedisFleet`] cannot be made.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RedisFleetError {
    /// The URL is not a Redis URL (`redis://host:port/db`).
    InvalidUrl,
    /// The credentials are DPoP-bound and the configuration does not say
    /// that every instance holds their key.
    DpopBound,
}

impl fmt::Display for RedisFleetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RedisFleetError::InvalidUrl => {
                "the Redis URL is not valid; write it as redis://[:password@]host:port/db (this build has no TLS: rediss:// is not supported)"
            }
            RedisFleetError::DpopBound => {
                "DPoP-bound tokens are usable only with their key: share the key with every instance and say so with FleetConfig::with_shared_dpop_key, or do not share these credentials"
            }
        })
    }
}

impl std::error::Error for RedisFleetError {}

/// Something the fleet worked around, for the caller's log.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FleetWarning {
    /// Redis failed before a refresh: this instance refreshes on its own.
    RefreshingAlone(StoreFailure),
    /// Redis failed after a refresh: the new credentials are in this
    /// instance only, until a later refresh shares them.
    NotShared(StoreFailure),
    /// The shared entry could not be used, and will be overwritten.
    EntryIgnored(EntryError),
}

impl fmt::Display for FleetWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FleetWarning::RefreshingAlone(failure) => write!(
                f,
                "{failure}; refreshing without the fleet (check that Redis is up and reachable)"
            ),
            FleetWarning::NotShared(failure) => write!(
                f,
                "{failure}; the renewed credentials are kept in this process and shared at its next refresh"
            ),
            FleetWarning::EntryIgnored(error) => write!(f, "{error}; it will be overwritten"),
        }
    }
}
