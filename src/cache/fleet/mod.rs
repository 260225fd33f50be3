//! Sharing one set of credentials between the processes of a fleet: the
//! sans-IO protocol, whose store operations an adapter executes (Redis:
//! `io::redis`, feature `redis`; [`MemoryStore`] in tests).
//!
//! Inside one process a [`SharedToken`](super::SharedToken) already makes
//! many callers share one refresh. Across processes:
//!
//! 1. Before refreshing, an instance runs [`FleetPrepare`]: it reads the
//!    shared entry, and takes its token if it is fresh. Otherwise it takes
//!    the fleet's refresh lock (`SET NX PX` with a random owner), or waits
//!    for its holder, polling with backoff within a limit, and takes the
//!    holder's token once it is shared. A holder that dies loses the lock
//!    after its lifetime, and a waiter takes over.
//! 2. The holder reads the entry again under the lock: a refresh token
//!    stored there by a newer refresh is used instead of its own.
//! 3. After refreshing, [`FleetCommit`] writes the new state by
//!    compare-and-swap on the version read under the lock (a holder whose
//!    lock expired cannot overwrite what the next one wrote), then
//!    releases the lock by compare-and-delete.
//!
//! The entry holds only what a refresh changes ([`SharedState`]), sealed
//! with AES-256-GCM under the caller's [`SealingKey`] (key name and version
//! as associated data), and expires with the token, or after a retention
//! period when it holds a refresh token. Its key is a hash of everything
//! that changes the token ([`FleetKey`]). An entry that does not open or
//! parse is ignored and overwritten by the next refresh.
//!
//! The machines read no clock and draw no randomness: the lock's owner
//! value and the seal's nonce come from the caller.
//!
//! Which credentials are shared: those that are [`FleetCredentials`]
//! (user credentials and the client credentials grant). Metadata-server
//! tokens need no sharing (each instance asks its own server, which caches
//! them). DPoP-bound tokens are useless without their key: their key
//! includes its thumbprint, and the Redis adapter refuses them unless the
//! configuration says every instance holds that key.
//!
//! ```
//! use std::time::{Duration, SystemTime};
//! use oauth2_sansio::cache::fleet::*;
//! use oauth2_sansio::{BearerToken, AccessToken};
//!
//! let key = FleetKey::new("https://idp.example/token", "client", "svc");
//! let config = FleetConfig::new(&key, "oauth2:", Sealing::Key(SealingKey::new(&[7; 32])));
//! let mut store = MemoryStore::new();
//! let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
//! let mut execute = |op: StoreOp| Ok(store.apply(&op, now));
//!
//! let prepare = FleetPrepare::new(&config, "owner-a".into(), Duration::from_secs(225));
//! let Prepared::Held { lock, stored: None, .. } = run_fleet(prepare, || now, &mut execute) else {
//!     unreachable!("an empty store: this instance refreshes")
//! };
//! // ... refresh through the token endpoint, then share the result:
//! let token = BearerToken::new(AccessToken::new("at-1"), Some(now + Duration::from_secs(3600)));
//! let commit = FleetCommit::locked(&config, lock, SharedState::new(token), [1; SEAL_NONCE_LEN]);
//! assert_eq!(run_fleet(commit, || now, &mut execute), Committed::Kept);
//!
//! // Another instance takes the shared token without refreshing.
//! let prepare = FleetPrepare::new(&config, "owner-b".into(), Duration::from_secs(225));
//! let Prepared::Fresh(state) = run_fleet(prepare, || now, &mut execute) else { unreachable!() };
//! assert_eq!(state.token().token().secret(), "at-1");
//! ```

mod commit;
mod config;
mod credentials;
mod entry;
mod key;
mod memory;
mod ops;
mod prepare;
mod seal;
mod state;

pub use commit::{Committed, FleetCommit};
pub use config::{FleetConfig, DEFAULT_LOCK_TTL, DEFAULT_RETENTION};
pub use credentials::FleetCredentials;
pub use entry::{decode_entry, version_of, EntryError, FLEET_ENTRY_LIMIT};
pub use key::FleetKey;
pub use memory::MemoryStore;
pub use ops::{
    run_fleet, run_fleet_async, FleetMachine, FleetStep, StoreFailure, StoreOp, StoreReply,
};
pub use prepare::{FleetPrepare, HeldLock, Prepared};
pub use seal::{Sealing, SealingKey, SEAL_NONCE_LEN};
pub use state::SharedState;

#[cfg(test)]
mod tests;
