//! What the blocking and the async fleet share: the configuration, the
//! warning hook and the entropy beside their store, and how the fleet
//! machines are made and their outcomes read as a keeper's answers. Only
//! how each runs the machines differs.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use super::{FleetWarning, RedisFleetError};
use crate::cache::fleet::{
    Committed, FleetCommit, FleetConfig, FleetCredentials, FleetPrepare, HeldLock, Prepared,
    StoreOp, SEAL_NONCE_LEN,
};
use crate::cache::{KeepError, KeepErrorKind};
use crate::secret::entropy::Entropy;

/// What a prepared refresh keeps to release the lock when dropped.
pub(super) struct Inner<S> {
    pub(super) store: S,
    pub(super) config: FleetConfig,
    warn: Box<dyn Fn(&FleetWarning) + Send + Sync>,
    /// Lock owner values and the sealing nonces come from here.
    entropy: Mutex<Box<dyn Entropy + Send>>,
}

/// One instance's side of the fleet over the store `S`.
pub(super) struct FleetCore<C, S> {
    pub(super) inner: Arc<Inner<S>>,
    credentials: C,
}

impl<C: FleetCredentials, S> FleetCore<C, S> {
    /// Refuses DPoP-bound credentials unless `config` says every instance
    /// holds their key.
    pub(super) fn new(
        store: S,
        config: FleetConfig,
        credentials: &C,
        entropy: impl Entropy + Send + 'static,
    ) -> Result<Self, RedisFleetError> {
        if credentials.is_dpop_bound() && !config.shares_dpop_key() {
            return Err(RedisFleetError::DpopBound);
        }
        Ok(Self {
            inner: Arc::new(Inner {
                store,
                config,
                warn: Box::new(|_| {}),
                entropy: Mutex::new(Box::new(entropy)),
            }),
            credentials: credentials.clone(),
        })
    }

    pub(super) fn set_warnings(&mut self, warn: impl Fn(&FleetWarning) + Send + Sync + 'static) {
        self.inner_mut().warn = Box::new(warn);
    }

    pub(super) fn inner_mut(&mut self) -> &mut Inner<S> {
        Arc::get_mut(&mut self.inner).expect("configured before any refresh")
    }

    /// The machine run before a refresh.
    pub(super) fn prepare_machine(&self) -> FleetPrepare<'_> {
        let owner = self.inner.random_hex();
        let threshold = self.credentials.refresh_threshold();
        FleetPrepare::new(&self.inner.config, owner, threshold)
    }

    /// What `prepare` answers once the machine ended with `outcome`: the
    /// lock, when this instance holds it (none when another instance's
    /// token was fresh, or Redis failed and this one refreshes alone), and
    /// the shared credentials.
    pub(super) fn prepared(
        &self,
        outcome: Prepared,
    ) -> Result<(Option<HeldLock>, Option<C>), KeepError> {
        let inner = &self.inner;
        match outcome {
            Prepared::Fresh(state) => Ok((None, Some(self.credentials.with_shared_state(&state)))),
            Prepared::Held {
                lock,
                stored,
                ignored,
            } => {
                if let Some(error) = ignored {
                    (inner.warn)(&FleetWarning::EntryIgnored(error));
                }
                let stored = stored.map(|state| self.credentials.with_shared_state(&state));
                Ok((Some(lock), stored))
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
                Ok((None, None))
            }
        }
    }

    /// The machine that shares `credentials`, under `lock` (taken from
    /// there) if this instance holds it; `None` when they hold nothing to
    /// share, and the lock is left to be released.
    pub(super) fn commit_machine(
        &self,
        lock: &mut Option<HeldLock>,
        credentials: &C,
    ) -> Option<FleetCommit<'_>> {
        let state = credentials.shared_state()?;
        let inner = &self.inner;
        let nonce = inner.random_nonce();
        Some(match lock.take() {
            Some(lock) => FleetCommit::locked(&inner.config, lock, state, nonce),
            None => FleetCommit::unlocked(&inner.config, state, nonce),
        })
    }

    /// What `keep` answers once the commit ended with `outcome`.
    pub(super) fn committed(&self, outcome: Committed) -> Result<(), KeepError> {
        match outcome {
            Committed::Kept => Ok(()),
            Committed::Superseded => Err(KeepError::new(
                KeepErrorKind::Busy,
                "another instance shared newer credentials first; this instance serves its own token, and takes the shared credentials at its next refresh",
            )),
            Committed::Unavailable(failure) => {
                let message = format!(
                    "the credentials were renewed but not shared ({failure}); this process keeps them and shares them at its next refresh once Redis is back"
                );
                (self.inner.warn)(&FleetWarning::NotShared(failure));
                Err(KeepError::new(KeepErrorKind::Io, message))
            }
        }
    }
}

/// The `Debug` of a prepared refresh called `name`: whether it holds the
/// lock, never the lock's owner value.
pub(super) fn debug_prepared(
    f: &mut fmt::Formatter<'_>,
    name: &str,
    lock: &Option<HeldLock>,
) -> fmt::Result {
    f.debug_struct(name)
        .field("holds_lock", &lock.is_some())
        .finish()
}

impl<S> Inner<S> {
    /// The operation that gives `lock` back (a refresh that failed, or was
    /// cancelled).
    pub(super) fn release(&self, lock: &HeldLock) -> StoreOp {
        StoreOp::Release {
            key: self.config.lock_key().to_owned(),
            owner: lock.owner().to_owned(),
        }
    }

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
            .unwrap_or_else(PoisonError::into_inner)
            .fill_entropy(bytes);
    }
}
