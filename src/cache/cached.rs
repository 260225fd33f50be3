//! What a token manager hands to callers: a shared token, or why there is
//! none.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::SystemTime;

use super::keep::KeepErrorKind;
use crate::credentials::authorize::{authorize, AuthorizeError};
use crate::credentials::freshness::Freshness;
use crate::credentials::kind::Credentials;
use crate::credentials::BearerToken;
use crate::error::Error;
use crate::wire::time::format_utc_seconds;

/// A valid bearer token and the credentials it came from, shared: cloning
/// it clones one `Arc`.
///
/// Its `Debug` shows the expiry, never the token.
pub struct CachedToken<C> {
    inner: Arc<Issued<C>>,
}

/// Aligned so that replicas of one token (see `replica`) never share a
/// cache line: their reference counts are written by different threads.
#[repr(align(128))]
struct Issued<C> {
    bearer: BearerToken,
    credentials: Arc<C>,
    /// Which refresh issued the token; replicas share it.
    issue: u64,
}

fn next_issue() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

impl<C: Credentials> CachedToken<C> {
    /// The credentials' token, if they have one.
    pub(crate) fn of(credentials: &Arc<C>) -> Option<Self> {
        let bearer = credentials.token()?.clone();
        Some(Self {
            inner: Arc::new(Issued {
                bearer,
                credentials: Arc::clone(credentials),
                issue: next_issue(),
            }),
        })
    }

    /// Adds `Authorization: Bearer <token>` (and `x-goog-user-project` when
    /// the credentials name a quota project) to `request`, unless the token
    /// has expired at `now`; a DPoP-bound token goes with a proof (see
    /// [`Credentials::authorize`]).
    pub fn authorize<B>(
        &self,
        request: &mut http::Request<B>,
        now: SystemTime,
    ) -> Result<Freshness, AuthorizeError> {
        let credentials = &self.inner.credentials;
        authorize(
            &self.inner.bearer,
            credentials.dpop_key(),
            request,
            credentials.quota_project(),
            now,
            credentials.refresh_threshold(),
        )
    }
}

impl<C> CachedToken<C> {
    /// The bearer token.
    pub fn bearer(&self) -> &BearerToken {
        &self.inner.bearer
    }

    /// The access token's text, for a header of your own (`authorize`
    /// writes `Authorization` itself): `token.secret()` is
    /// `token.bearer().token().secret()`. Never log it.
    pub fn secret(&self) -> &str {
        self.inner.bearer.secret()
    }

    /// The credentials the token belongs to.
    pub fn credentials(&self) -> &C {
        &self.inner.credentials
    }

    /// Whether `self` and `other` are the same issued token (one refresh),
    /// not merely equal strings.
    pub fn same_as(&self, other: &Self) -> bool {
        self.inner.issue == other.inner.issue
    }

    /// The same token in an allocation of its own, so that threads reading
    /// different replicas never write to the same reference count.
    pub(crate) fn replica(&self) -> Self {
        Self {
            inner: Arc::new(Issued {
                bearer: self.inner.bearer.clone(),
                credentials: Arc::clone(&self.inner.credentials),
                issue: self.inner.issue,
            }),
        }
    }
}

impl<C> Clone for CachedToken<C> {
    fn clone(&self) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<C> fmt::Debug for CachedToken<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CachedToken")
            .field("expiry", &self.inner.bearer.expiry())
            .finish_non_exhaustive()
    }
}

/// There is no valid token: the last refresh failed, and the manager will
/// not try again before [`retry_at`](Self::retry_at).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenError {
    error: Error,
    retry_at: SystemTime,
}

impl TokenError {
    pub(crate) fn new(error: Error, retry_at: SystemTime) -> Self {
        Self { error, retry_at }
    }

    /// Why the last refresh failed.
    pub fn error(&self) -> &Error {
        &self.error
    }

    /// When the manager will next try to refresh.
    pub fn retry_at(&self) -> SystemTime {
        self.retry_at
    }

    /// Whether the failure may pass by itself (a network error, an HTTP
    /// 503). When not (`invalid_grant`: the refresh token was revoked), the
    /// manager still retries, at the backoff cap, but the credentials
    /// probably need replacing.
    pub fn is_retryable(&self) -> bool {
        self.error.is_retryable()
    }
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Error::Store(error) = &self.error {
            if error.kind() == KeepErrorKind::AsyncOnly {
                // Not a failed refresh: no attempt is planned.
                return write!(f, "no access token from a blocking method: {error}");
            }
        }
        let when = format_utc_seconds(self.retry_at).unwrap_or_else(|| "later".to_owned());
        write!(
            f,
            "no valid access token: refreshing it failed ({}); the next attempt is at {when}",
            self.error
        )
    }
}

impl std::error::Error for TokenError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::testing::at;

    #[test]
    fn the_next_attempt_is_shown_to_the_second() {
        let error = TokenError::new(
            Error::HttpStatus { status: 503 },
            at(60) + Duration::from_nanos(5),
        );
        let shown = error.to_string();
        assert!(
            shown.ends_with("the next attempt is at 1970-01-01T00:01:00Z"),
            "{shown}"
        );
    }
}
