//! The keeper a cache has, if any, as its blocking and its async path ask
//! it: a blocking keeper serves both, an async one only the async path.

use std::future;

use super::keep::{DynKeeper, KeepError, KeepErrorKind, KeepFn};
use super::keep_async::{AsyncKeepFn, DynAsyncKeeper, KeepFuture};

pub(super) enum Keeping<C> {
    Nothing,
    Blocking(Box<dyn DynKeeper<C>>),
    Async(Box<dyn DynAsyncKeeper<C>>),
}

/// What a keeper's `prepare` answered, for the async path.
type AsyncPrepared<'k, C> = Result<(AsyncKeepFn<'k, C>, Option<C>), KeepError>;

impl<C> Keeping<C> {
    pub(super) fn is_some(&self) -> bool {
        !matches!(self, Keeping::Nothing)
    }

    /// The keeper for the blocking path; an error with an async keeper,
    /// which it must not block on.
    pub(super) fn blocking(&self) -> Result<Option<&dyn DynKeeper<C>>, KeepError> {
        match self {
            Keeping::Nothing => Ok(None),
            Keeping::Blocking(keeper) => Ok(Some(keeper.as_ref())),
            Keeping::Async(_) => Err(KeepError::new(
                KeepErrorKind::AsyncOnly,
                "this cache keeps its credentials through an async keeper; call token_async or token_async_with (the blocking token methods would block their thread on it)",
            )),
        }
    }

    /// Prepares the keeper for the async path, awaiting an async one and
    /// calling a blocking one on this thread; `None` without a keeper.
    pub(super) async fn prepare_async(&self) -> Option<AsyncPrepared<'_, C>> {
        match self {
            Keeping::Nothing => None,
            Keeping::Blocking(keeper) => Some(
                keeper
                    .prepare()
                    .map(|(keep, stored)| (ready_keep(keep), stored)),
            ),
            Keeping::Async(keeper) => Some(keeper.prepare().await),
        }
    }
}

/// A blocking keep as the async path awaits it: run when called, its
/// future ready.
fn ready_keep<'k, C: 'k>(keep: KeepFn<'k, C>) -> AsyncKeepFn<'k, C> {
    Box::new(move |credentials: &C| -> KeepFuture<'k, ()> {
        Box::pin(future::ready(keep(credentials)))
    })
}
