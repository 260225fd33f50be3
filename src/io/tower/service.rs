//! The service: each request authorized, and sent once more after a `401`
//! that a new token or a DPoP nonce may cure.

use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::SystemTime;

use http::{Request, Response};
use tower_service::Service;

use super::layer::Refresher;
use super::replay::Replay;
use crate::cache::{CachedToken, SharedToken};
use crate::credentials::kind::Credentials;
use crate::io::authorized::{after_first_answer, AuthorizedError, Resend};

/// A service that authorizes every request before its inner service
/// sends it; made by [`AuthLayer`](super::AuthLayer). See the
/// [module docs](super).
pub struct AuthService<S, C: Credentials, R> {
    inner: S,
    shared: Arc<SharedToken<C>>,
    refresher: R,
}

impl<S, C: Credentials, R> AuthService<S, C, R> {
    /// `inner`, authorized from `shared`, refreshing with `refresher`.
    pub fn new(inner: S, shared: Arc<SharedToken<C>>, refresher: R) -> Self {
        Self {
            inner,
            shared,
            refresher,
        }
    }

    /// The token cache.
    pub fn shared(&self) -> &Arc<SharedToken<C>> {
        &self.shared
    }
}

impl<S: Clone, C: Credentials, R: Clone> Clone for AuthService<S, C, R> {
    fn clone(&self) -> Self {
        Self::new(
            self.inner.clone(),
            Arc::clone(&self.shared),
            self.refresher.clone(),
        )
    }
}

impl<S: std::fmt::Debug, C: Credentials, R> std::fmt::Debug for AuthService<S, C, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthService")
            .field("inner", &self.inner)
            .field("shared", &self.shared)
            .finish_non_exhaustive()
    }
}

/// The future of [`AuthService::call`].
type Call<T, E> = Pin<Box<dyn Future<Output = Result<T, AuthorizedError<E>>> + Send>>;

impl<S, C, R, B, RB> Service<Request<B>> for AuthService<S, C, R>
where
    S: Service<Request<B>, Response = Response<RB>> + Clone + Send + 'static,
    S::Future: Send,
    S::Error: Send + 'static,
    C: Credentials + Send + Sync + 'static,
    C::Refresh: Send,
    R: Refresher<C>,
    B: Send + 'static,
    RB: Send + 'static,
{
    type Response = Response<RB>;
    type Error = AuthorizedError<S::Error>;
    type Future = Call<Response<RB>, S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx).map_err(AuthorizedError::Send)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        // The service made ready by poll_ready sends the first attempt.
        let fresh = self.inner.clone();
        let inner = std::mem::replace(&mut self.inner, fresh);
        Box::pin(authorized_call(
            inner,
            Arc::clone(&self.shared),
            self.refresher.clone(),
            request,
        ))
    }
}

async fn authorized_call<S, C, R, B, RB>(
    mut inner: S,
    shared: Arc<SharedToken<C>>,
    refresher: R,
    request: Request<B>,
) -> Result<Response<RB>, AuthorizedError<S::Error>>
where
    S: Service<Request<B>, Response = Response<RB>>,
    C: Credentials,
    R: Refresher<C>,
    B: 'static,
{
    let (mut parts, body) = request.into_parts();
    let again = parts
        .extensions
        .remove::<Replay<B>>()
        .map(|replay| (parts.clone(), replay));
    let uri = parts.uri.clone();

    let token = valid_token(&shared, &refresher).await?;
    let first = send(&mut inner, &token, Request::from_parts(parts, body)).await?;
    let token = match after_first_answer(&shared, &token, &uri, &first, again.is_some()) {
        Resend::No => return Ok(first),
        Resend::WithNewToken => valid_token(&shared, &refresher).await?,
        Resend::WithSameToken => token,
    };
    let Some((parts, replay)) = again else {
        return Ok(first);
    };
    drop(first);
    poll_fn(|cx| inner.poll_ready(cx))
        .await
        .map_err(AuthorizedError::Send)?;
    send(
        &mut inner,
        &token,
        Request::from_parts(parts, replay.body()),
    )
    .await
}

/// A valid token from the cache, refreshed through `refresher` if needed.
async fn valid_token<C: Credentials, R: Refresher<C>, E>(
    shared: &SharedToken<C>,
    refresher: &R,
) -> Result<CachedToken<C>, AuthorizedError<E>> {
    shared
        .token_async_with(SystemTime::now, |machine| refresher.refresh(machine))
        .await
        .map_err(AuthorizedError::Token)
}

/// Authorizes `request` with `token` and sends it through the ready `inner`.
async fn send<S, C, B, RB>(
    inner: &mut S,
    token: &CachedToken<C>,
    mut request: Request<B>,
) -> Result<Response<RB>, AuthorizedError<S::Error>>
where
    S: Service<Request<B>, Response = Response<RB>>,
    C: Credentials,
{
    token
        .authorize(&mut request, SystemTime::now())
        .map_err(AuthorizedError::Authorize)?;
    inner.call(request).await.map_err(AuthorizedError::Send)
}
