//! Keepers whose store answers asynchronously (Redis on tokio, an async
//! database driver): the async twin of [`Keeper`](super::Keeper), which a
//! cache's async callers await instead of blocking their thread on it.

use std::future::Future;
use std::pin::Pin;

use super::keep::KeepError;

/// What an [`AsyncKeeper`] returns: a boxed `Send` future of the result,
/// so that a cache holds any keeper without naming its type.
pub type KeepFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, KeepError>> + Send + 'a>>;

/// Where a [`SharedToken`](super::SharedToken) keeps the credentials it
/// renews, when the store is reached asynchronously. Attach one with
/// [`SharedToken::with_async_keeper`](super::SharedToken::with_async_keeper);
/// the Redis fleet store is one
/// ([`AsyncRedisFleet`](crate::io::redis::AsyncRedisFleet), feature
/// `redis`).
///
/// The rules are those of [`Keeper`](super::Keeper): `prepare` before
/// anything is sent (on failure nothing is sent), newer credentials it
/// reads are taken instead of refreshing, `keep` before the new token is
/// served, and a prepared value dropped without `keep` (the refresh failed,
/// or its caller was cancelled) releases what it holds in its `Drop`.
/// `Drop` cannot await: start the release on the runtime (a spawned task),
/// or let it expire.
///
/// Only [`token_async`](super::SharedToken::token_async) and
/// [`token_async_with`](super::SharedToken::token_async_with) use it: the
/// blocking methods of a cache with an async keeper refuse with
/// [`KeepErrorKind::AsyncOnly`](super::KeepErrorKind::AsyncOnly) rather
/// than block a thread on a future.
///
/// ```
/// use std::sync::{Arc, Mutex};
/// use std::time::SystemTime;
/// use oauth2_sansio::cache::{AsyncKeeper, KeepFuture, SharedToken};
/// use oauth2_sansio::{Client, RefreshToken, UserCredentials};
///
/// struct Row(Arc<Mutex<Option<UserCredentials>>>);
///
/// impl AsyncKeeper<UserCredentials> for Row {
///     type Prepared = (); // a real store holds its lock or transaction here
///
///     fn prepare(&self) -> KeepFuture<'_, ((), Option<UserCredentials>)> {
///         // A real store awaits its driver here.
///         Box::pin(async move { Ok(((), self.0.lock().unwrap().clone())) })
///     }
///
///     fn keep(&self, (): (), credentials: &UserCredentials) -> KeepFuture<'_, ()> {
///         let credentials = credentials.clone(); // the future borrows only the keeper
///         Box::pin(async move {
///             *self.0.lock().unwrap() = Some(credentials);
///             Ok(())
///         })
///     }
/// }
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let client = Client::google("id", None).build()?;
/// let credentials = UserCredentials::from_refresh_token(&client, RefreshToken::new("1//r"), vec![]);
/// let row = Arc::new(Mutex::new(Some(credentials.clone())));
/// let cache = SharedToken::new(credentials).with_async_keeper(Row(Arc::clone(&row)));
/// let token = cache.token_async(SystemTime::now, |_request| async {
///     Ok(oauth2_sansio::http::Response::new(br#"{"access_token":"ya29.a","token_type":"Bearer","expires_in":3599,"refresh_token":"1//rotated"}"#.to_vec()))
/// }).await?;
/// assert_eq!(token.secret(), "ya29.a");
/// let kept = row.lock().unwrap().clone().unwrap();
/// assert_eq!(kept.refresh_token().unwrap().secret(), "1//rotated");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
pub trait AsyncKeeper<C> {
    /// What `prepare` holds until `keep`: a lock, a transaction.
    type Prepared;

    /// Makes the store ready to take new credentials and reads the ones it
    /// holds now (`None` if it holds none, or does not read them back).
    fn prepare(&self) -> KeepFuture<'_, (Self::Prepared, Option<C>)>;

    /// Writes `credentials`, which a refresh has just returned, into the
    /// store `prepared` made ready. Take what is needed of `credentials`
    /// before returning: the future may borrow only the keeper. On failure,
    /// keep them somewhere if at all possible and say where
    /// ([`KeepError::kept_in`]).
    fn keep(&self, prepared: Self::Prepared, credentials: &C) -> KeepFuture<'_, ()>;
}

/// Writes the credentials into a store made ready: an async keeper's
/// `keep` with its prepared value, the types erased.
pub(super) type AsyncKeepFn<'k, C> = Box<dyn FnOnce(&C) -> KeepFuture<'k, ()> + Send + 'k>;

/// An [`AsyncKeeper`] with its prepared type erased.
pub(super) trait DynAsyncKeeper<C>: Send + Sync {
    fn prepare<'k>(&'k self) -> KeepFuture<'k, (AsyncKeepFn<'k, C>, Option<C>)>
    where
        C: 'k;
}

impl<C, K> DynAsyncKeeper<C> for K
where
    K: AsyncKeeper<C> + Send + Sync,
    K::Prepared: Send + 'static,
{
    fn prepare<'k>(&'k self) -> KeepFuture<'k, (AsyncKeepFn<'k, C>, Option<C>)>
    where
        C: 'k,
    {
        let prepared = AsyncKeeper::prepare(self);
        Box::pin(async move {
            let (prepared, stored) = prepared.await?;
            let keep: AsyncKeepFn<'_, C> =
                Box::new(move |credentials: &C| self.keep(prepared, credentials));
            Ok((keep, stored))
        })
    }
}
