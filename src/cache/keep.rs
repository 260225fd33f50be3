//! Where a cache keeps the credentials it renews, so that a refresh token
//! the server rotates outlives the process: the store is made ready before
//! the refresh is sent, and written before the new token is served.

use std::fmt;
use std::time::SystemTime;

use crate::credentials::freshness::Freshness;
use crate::credentials::kind::Credentials;
use crate::error::Error;

/// Where a [`SharedToken`](super::SharedToken) keeps the credentials it
/// renews: a file ([`CredentialsFile`](crate::io::file_store), feature
/// `file-store`), a keychain, a database row. Attach one with
/// [`SharedToken::with_keeper`](super::SharedToken::with_keeper).
///
/// A server that rotates refresh tokens retires the old one the moment it
/// answers, so for every refresh the cache:
///
/// 1. calls [`prepare`](Self::prepare) before anything is sent. If it
///    fails, nothing is sent: the cached token is served while valid, and
///    the failure is reported like a failed refresh ([`Error::Store`], with
///    backoff), while the stored refresh token still works.
/// 2. looks at the credentials `prepare` read from the store: if their token
///    expires later than the cached one (another process renewed them), it
///    takes them instead of refreshing; if that token has expired too, it
///    refreshes with *their* refresh token, never the cached one, which the
///    server may have retired.
/// 3. runs the refresh, then calls [`keep`](Self::keep) with the new
///    credentials before their token is served. A failure does not discard
///    them: the cache serves the new token and reports the failure through
///    [`SharedToken::keep_failure`](super::SharedToken::keep_failure),
///    which says where the credentials are ([`KeepError::kept`]).
///
/// When the refresh fails, or its caller is cancelled, the prepared value
/// is dropped without `keep`: release what it holds in its `Drop`.
///
/// Both methods are called on the caller's thread, also from
/// [`token_async`](super::SharedToken::token_async): keep them short (the
/// file store waits for its lock at most its lock timeout), or make the
/// keeper an [`AsyncKeeper`](super::AsyncKeeper), which async callers await.
pub trait Keeper<C> {
    /// What `prepare` holds until `keep`: a lock, a reserved file.
    type Prepared;

    /// Makes the store ready to take new credentials (a lock taken, space
    /// reserved) and reads the credentials it holds now: `None` if it holds
    /// none, or does not read them back.
    fn prepare(&self) -> Result<(Self::Prepared, Option<C>), KeepError>;

    /// Writes `credentials`, which a refresh has just returned, into the
    /// store `prepared` made ready. On failure, keep them somewhere if at
    /// all possible and say where ([`KeepError::kept_in`]).
    fn keep(&self, prepared: Self::Prepared, credentials: &C) -> Result<(), KeepError>;
}

/// Why a [`Keeper`] could not make its store ready, or could not keep the
/// renewed credentials in it. It holds a message and never a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeepError {
    kind: KeepErrorKind,
    message: String,
    kept: Option<String>,
}

/// The broad kind of a [`KeepError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeepErrorKind {
    /// Another holder kept the store locked too long; it may pass by itself.
    Busy,
    /// Reading or writing the store failed: a missing or read-only
    /// directory, a full disk.
    Io,
    /// The store holds something that cannot be used, or refused to open
    /// it (a file that is not credentials, a symbolic link): someone must
    /// fix or replace it.
    Invalid,
    /// The cache keeps its credentials through an
    /// [`AsyncKeeper`](super::AsyncKeeper), and a blocking method was
    /// called, which would block its thread on it: call
    /// [`token_async`](super::SharedToken::token_async) or
    /// [`token_async_with`](super::SharedToken::token_async_with).
    AsyncOnly,
}

impl KeepError {
    /// A failure of `kind`. `message` says what went wrong and what to do,
    /// and must not contain a secret.
    pub fn new(kind: KeepErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            kept: None,
        }
    }

    /// Records where the new credentials are kept instead (a private file
    /// beside the one that could not be replaced, say). The message should
    /// say it too, with what to do.
    pub fn kept_in(mut self, place: impl Into<String>) -> Self {
        self.kept = Some(place.into());
        self
    }

    /// The kind of failure.
    pub fn kind(&self) -> KeepErrorKind {
        self.kind
    }

    /// What went wrong and what to do.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Where the new credentials are kept, as the keeper names it (for the
    /// file store, a file's path); `None` when nowhere but in memory, or
    /// when nothing was refreshed.
    pub fn kept(&self) -> Option<&str> {
        self.kept.as_deref()
    }

    /// Whether the failure may pass without anyone fixing the store: a busy
    /// lock, a failed read or write. Trying again costs no request.
    pub fn is_retryable(&self) -> bool {
        matches!(self.kind, KeepErrorKind::Busy | KeepErrorKind::Io)
    }
}

impl fmt::Display for KeepError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for KeepError {}

/// Writes the credentials into a store made ready: a keeper's `keep` with
/// its prepared value, the types erased.
pub(super) type KeepFn<'k, C> = Box<dyn FnOnce(&C) -> Result<(), KeepError> + Send + 'k>;

/// A [`Keeper`] with its prepared type erased, so that a cache's type does
/// not name its keeper.
pub(super) trait DynKeeper<C>: Send + Sync {
    fn prepare(&self) -> Result<(KeepFn<'_, C>, Option<C>), KeepError>;
}

impl<C, K> DynKeeper<C> for K
where
    K: Keeper<C> + Send + Sync,
    K::Prepared: Send + 'static,
{
    fn prepare(&self) -> Result<(KeepFn<'_, C>, Option<C>), KeepError> {
        let (prepared, stored) = Keeper::prepare(self)?;
        let keep = move |credentials: &C| self.keep(prepared, credentials);
        Ok((Box::new(keep), stored))
    }
}

/// What a cache does with a refresh job once its keeper (if any) was asked;
/// `K` keeps the result: a [`KeepFn`], or its async twin.
pub(super) enum Plan<C: Credentials, K> {
    /// Send nothing and serve these, which the store holds: they were
    /// renewed after the cached ones and their token is valid.
    Adopt(C),
    /// Send nothing: the refresh cannot be made safely.
    Fail(Error),
    /// Run this machine, then keep what it returns with this.
    Run(C::Refresh, Option<K>),
}

/// Decides what to do with the refresh `machine` would send for `cached`,
/// at `now`, from what the keeper's `prepare` answered (`None`: the cache
/// has no keeper). The blocking and the async path both decide here.
pub(super) fn plan<C: Credentials, K>(
    prepared: Option<Result<(K, Option<C>), KeepError>>,
    machine: C::Refresh,
    cached: &C,
    now: SystemTime,
) -> Plan<C, K> {
    let Some(prepared) = prepared else {
        return Plan::Run(machine, None);
    };
    let (keep, stored) = match prepared {
        Ok(prepared) => prepared,
        Err(error) => return Plan::Fail(Error::Store(error)),
    };
    let Some(stored) = stored.filter(|stored| renewed_later(stored, cached)) else {
        return Plan::Run(machine, Some(keep));
    };
    if stored.freshness(now) != Freshness::Invalid {
        return Plan::Adopt(stored);
    }
    match stored.refresh() {
        Ok(theirs) => Plan::Run(theirs, Some(keep)),
        Err(error) => Plan::Fail(error),
    }
}

/// Starts keeping a successful `outcome` with `keep`: what `keep` returns
/// (the result, or a future of it); `None` when nothing is kept (no
/// keeper, or the refresh failed and its prepared store is dropped).
pub(super) fn keep_outcome<C, K, R>(keep: Option<K>, outcome: &Result<C, Error>) -> Option<R>
where
    K: FnOnce(&C) -> R,
{
    match (keep, outcome) {
        (Some(keep), Ok(credentials)) => Some(keep(credentials)),
        _ => None,
    }
}

/// Whether `stored` was renewed after `cached`: its token expires later (a
/// token without expiry counts as the latest, no token as the earliest).
/// Credentials the cache wrote itself, or older ones a failed save left,
/// are not later; nor are ones without a token, so a store written without
/// one (a fresh sign-in by another tool) is not taken over the cache's.
fn renewed_later<C: Credentials>(stored: &C, cached: &C) -> bool {
    let Some(theirs) = stored.token() else {
        return false;
    };
    let Some(ours) = cached.token() else {
        return true;
    };
    match (theirs.expiry(), ours.expiry()) {
        (_, None) => false,
        (None, Some(_)) => true,
        (Some(theirs), Some(ours)) => theirs > ours,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_busy_or_failing_store_is_retryable() {
        let error = |kind| KeepError::new(kind, "m");
        assert!(error(KeepErrorKind::Busy).is_retryable());
        assert!(error(KeepErrorKind::Io).is_retryable());
        assert!(!error(KeepErrorKind::Invalid).is_retryable());
        assert!(!error(KeepErrorKind::AsyncOnly).is_retryable());
        assert!(Error::Store(error(KeepErrorKind::Busy)).is_retryable());
        assert!(!Error::Store(error(KeepErrorKind::Invalid)).is_retryable());
    }

    #[test]
    fn the_message_is_the_display_and_the_place_is_apart() {
        let error = KeepError::new(KeepErrorKind::Io, "disk full; free space").kept_in("/x/.c.tmp");
        assert_eq!(error.to_string(), "disk full; free space");
        assert_eq!(error.kept(), Some("/x/.c.tmp"));
        assert_eq!(error.message(), "disk full; free space");
    }
}
