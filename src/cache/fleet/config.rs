//! Where and how one set of credentials is shared: its store keys, how its
//! entry is sealed, and the lock's timing.

use std::time::Duration;

use super::key::FleetKey;
use super::seal::Sealing;

/// The lock's lifetime by default: longer than a refresh takes through a
/// transport with the crate's default timeouts.
pub const DEFAULT_LOCK_TTL: Duration = Duration::from_secs(30);

/// How long an entry holding a refresh token is kept after its last write,
/// by default (the access token's entry expires with the token).
pub const DEFAULT_RETENTION: Duration = Duration::from_secs(30 * 24 * 3600);

/// The first pause of a waiter between two looks at the lock; it doubles
/// up to [`MAX_PAUSE`].
const FIRST_PAUSE: Duration = Duration::from_millis(10);
const MAX_PAUSE: Duration = Duration::from_millis(250);

/// The settings of the fleet machines for one set of credentials.
#[derive(Debug)]
pub struct FleetConfig {
    pub(super) entry_key: String,
    pub(super) lock_key: String,
    pub(super) sealing: Sealing,
    pub(super) lock_ttl: Duration,
    pub(super) wait_limit: Option<Duration>,
    pub(super) retention: Duration,
    shared_dpop_key: bool,
}

impl FleetConfig {
    /// Shares the credentials of `key` under the store keys starting with
    /// `prefix`, sealed as `sealing` says.
    pub fn new(key: &FleetKey, prefix: &str, sealing: Sealing) -> Self {
        Self {
            entry_key: key.entry_key(prefix),
            lock_key: key.lock_key(prefix),
            sealing,
            lock_ttl: DEFAULT_LOCK_TTL,
            wait_limit: None,
            retention: DEFAULT_RETENTION,
            shared_dpop_key: false,
        }
    }

    /// The refresh lock's lifetime (default [`DEFAULT_LOCK_TTL`]): a holder
    /// that dies loses it after this long, so it must be longer than a
    /// refresh may take (the transport's timeout). At least 1 ms.
    pub fn with_lock_ttl(mut self, ttl: Duration) -> Self {
        self.lock_ttl = ttl.max(Duration::from_millis(1));
        self
    }

    /// How long an instance waits for another one's refresh before it
    /// gives up with a busy error (default: twice the lock's lifetime, so
    /// that a dead holder's lock expires while waiters still wait).
    pub fn with_wait_limit(mut self, limit: Duration) -> Self {
        self.wait_limit = Some(limit);
        self
    }

    /// How long an entry with a refresh token is kept after its last write
    /// (default [`DEFAULT_RETENTION`]).
    pub fn with_retention(mut self, retention: Duration) -> Self {
        self.retention = retention;
        self
    }

    /// Says that every instance holds the DPoP key the shared tokens are
    /// bound to, so DPoP-bound credentials may be shared (they are refused
    /// otherwise: a bound token is useless without its key).
    pub fn with_shared_dpop_key(mut self) -> Self {
        self.shared_dpop_key = true;
        self
    }

    /// Whether [`with_shared_dpop_key`](Self::with_shared_dpop_key) was set.
    pub fn shares_dpop_key(&self) -> bool {
        self.shared_dpop_key
    }

    /// The store key of the credentials entry.
    pub fn entry_key(&self) -> &str {
        &self.entry_key
    }

    /// The store key of the refresh lock.
    pub fn lock_key(&self) -> &str {
        &self.lock_key
    }

    /// The lock's lifetime.
    pub fn lock_ttl(&self) -> Duration {
        self.lock_ttl
    }

    pub(super) fn wait_limit(&self) -> Duration {
        self.wait_limit.unwrap_or(self.lock_ttl * 2)
    }

    pub(super) fn first_pause() -> Duration {
        FIRST_PAUSE
    }

    pub(super) fn next_pause(pause: Duration) -> Duration {
        (pause * 2).min(MAX_PAUSE)
    }
}
