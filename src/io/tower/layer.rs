//! The layer, and how it runs a refresh.

use std::future::Future;
use std::sync::Arc;

use super::service::AuthService;
use crate::cache::SharedToken;
use crate::credentials::kind::Credentials;
use crate::error::Error;

/// Runs a refresh machine to its end through a transport: what
/// [`AuthLayer`] calls when the cache asks for a new token.
///
/// Any `Fn(C::Refresh) -> impl Future<Output = Result<C, Error>>` that is
/// `Clone + Send + Sync` is one, such as
/// `move |machine| { let t = transport.clone(); async move { t.run(machine, sleep).await } }`
/// with the reqwest transport, or [`drive_async`](crate::drive_async) over
/// a tower client of your own.
pub trait Refresher<C: Credentials>: Clone + Send + Sync + 'static {
    /// The running refresh.
    type Future: Future<Output = Result<C, Error>> + Send + 'static;

    /// Starts running `machine`.
    fn refresh(&self, machine: C::Refresh) -> Self::Future;
}

impl<C, R, F> Refresher<C> for R
where
    C: Credentials,
    R: Fn(C::Refresh) -> F + Clone + Send + Sync + 'static,
    F: Future<Output = Result<C, Error>> + Send + 'static,
{
    type Future = F;

    fn refresh(&self, machine: C::Refresh) -> F {
        self(machine)
    }
}

/// A tower [`Layer`](tower_layer::Layer) that authorizes every request of
/// the service it wraps from a [`SharedToken`]; see the
/// [module docs](super).
pub struct AuthLayer<C: Credentials, R> {
    shared: Arc<SharedToken<C>>,
    refresher: R,
}

impl<C: Credentials, R> AuthLayer<C, R> {
    /// Authorizes from `shared`, refreshing with `refresher`. Share the
    /// same cache between layers and with other code: one refresh serves
    /// them all.
    pub fn new(shared: Arc<SharedToken<C>>, refresher: R) -> Self {
        Self { shared, refresher }
    }
}

impl<C: Credentials, R: Clone> Clone for AuthLayer<C, R> {
    fn clone(&self) -> Self {
        Self {
            shared: Arc::clone(&self.shared),
            refresher: self.refresher.clone(),
        }
    }
}

impl<C: Credentials, R> std::fmt::Debug for AuthLayer<C, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthLayer")
            .field("shared", &self.shared)
            .finish_non_exhaustive()
    }
}

impl<S, C: Credentials, R: Clone> tower_layer::Layer<S> for AuthLayer<C, R> {
    type Service = AuthService<S, C, R>;

    fn layer(&self, inner: S) -> Self::Service {
        AuthService::new(inner, Arc::clone(&self.shared), self.refresher.clone())
    }
}
