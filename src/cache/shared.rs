//! A [`TokenManager`] shared by many threads or tasks: valid tokens are read
//! under a shared lock, and one caller at a time refreshes.

use std::future::{self, Future};
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError, RwLock};
use std::task::{Context, Poll};
use std::time::SystemTime;

use super::cached::{CachedToken, TokenError};
use super::keep::{self, DynKeeper, KeepError, Keeper, Plan};
use super::keep_async::AsyncKeeper;
use super::keeping::Keeping;
use super::manager::{Lookup, RefreshTicket, Steady, TokenManager};
use super::signal::Signal;
use crate::credentials::kind::Credentials;
use crate::error::{Error, TransportFailure};
use crate::machine::drive::{drive, drive_async};

/// A token cache for many callers, over any transport and any runtime.
///
/// A valid token is read under a shared lock and costs one `Arc` clone
/// ([`cached`](Self::cached)); readers are spread over a few
/// cache-line-padded replicas of the cached token, so threads reading at
/// once do not write to a shared lock word or reference count.
///
/// When the token needs renewing, exactly one caller runs the refresh,
/// through the transport it passes in; the others keep the old token while
/// it is valid, or wait for that caller (a condition variable for
/// [`token`](Self::token), a waker for [`token_async`](Self::token_async)).
/// They wait as long as the refresh takes, so give the transport a timeout
/// (the crate's transports have one). The clock is passed in as well: this
/// type reads no clock, and does no IO but what its [`Keeper`] does, if
/// it has one ([`with_keeper`](Self::with_keeper), or
/// [`with_async_keeper`](Self::with_async_keeper)).
///
/// Share it by reference (scoped threads) or in an `Arc`.
///
/// ```
/// use std::time::SystemTime;
/// use oauth2_sansio::cache::SharedToken;
/// use oauth2_sansio::{Client, RefreshToken, UserCredentials};
///
/// let client = Client::google("id", None).build()?;
/// let credentials = UserCredentials::from_refresh_token(&client, RefreshToken::new("1//r"), vec![]);
/// let cache = SharedToken::new(credentials);
/// let token = cache.token(SystemTime::now, |_request| {
///     // One POST to the token endpoint, however many threads ask at once.
///     Ok(oauth2_sansio::http::Response::new(br#"{"access_token":"ya29.a","token_type":"Bearer","expires_in":3599}"#.to_vec()))
/// })?;
/// assert_eq!(token.bearer().token().secret(), "ya29.a");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct SharedToken<C: Credentials> {
    replicas: Box<[Replica<C>]>,
    state: Mutex<State<C>>,
    reported: Condvar,
    keeping: Keeping<C>,
}

/// How many copies of the steady view readers spread over.
const REPLICAS: usize = 8;

/// One copy of the steady view, alone on its cache lines: readers on
/// different replicas never write to the same line (neither the lock's
/// reader count nor the token's reference count).
#[repr(align(128))]
struct Replica<C>(RwLock<Option<Steady<C>>>);

/// The replica the calling thread reads: threads are numbered in the
/// order they first read, and spread round-robin.
#[inline]
fn replica_index() -> usize {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    thread_local! {
        static INDEX: usize = NEXT.fetch_add(1, Ordering::Relaxed) % REPLICAS;
    }
    INDEX.with(|index| *index)
}

struct State<C> {
    manager: TokenManager<C>,
    signal: Signal,
    /// Why the credentials of the last refresh are not in the keeper's store.
    unkept: Option<KeepError>,
}

/// What a caller does after asking the manager.
enum Next<'a, C: Credentials> {
    Return(Result<CachedToken<C>, TokenError>),
    /// Run the job: its machine renews these credentials.
    Run(JobGuard<'a, C>, C::Refresh, Arc<C>),
    Wait(u64),
}

impl<C: Credentials> SharedToken<C> {
    /// A cache over `credentials` with the default backoff.
    pub fn new(credentials: C) -> Self {
        Self::from_manager(TokenManager::new(credentials))
    }

    /// A cache over an existing manager (to set its backoff, say).
    pub fn from_manager(manager: TokenManager<C>) -> Self {
        let steady = manager.steady();
        Self {
            replicas: (0..REPLICAS)
                .map(|_| Replica(RwLock::new(steady.as_ref().map(Steady::replica))))
                .collect(),
            state: Mutex::new(State {
                manager,
                signal: Signal::default(),
                unkept: None,
            }),
            reported: Condvar::new(),
            keeping: Keeping::Nothing,
        }
    }

    /// Keeps every set of credentials this cache renews in `keeper`'s store,
    /// by the rules of [`Keeper`]: the store is made ready before a refresh
    /// is sent (or nothing is sent), newer credentials found there are taken
    /// instead of refreshing, and renewed ones are kept before their token
    /// is served. [`replace`](Self::replace) does not keep what it is given.
    pub fn with_keeper<K>(mut self, keeper: K) -> Self
    where
        K: Keeper<C> + Send + Sync + 'static,
        K::Prepared: Send + 'static,
    {
        self.keeping = Keeping::Blocking(Box::new(keeper));
        self
    }

    /// Keeps every set of credentials this cache renews in `keeper`'s
    /// store, by the rules of [`Keeper`], awaiting it: only
    /// [`token_async`](Self::token_async) and
    /// [`token_async_with`](Self::token_async_with) serve tokens then. The
    /// blocking [`token`](Self::token) and [`token_with`](Self::token_with)
    /// refuse at once with
    /// [`KeepErrorKind::AsyncOnly`](super::KeepErrorKind::AsyncOnly),
    /// rather than block their thread on a future (or, when a valid token
    /// is cached, serve it and fail only at the first refresh, an hour
    /// later).
    pub fn with_async_keeper<K>(mut self, keeper: K) -> Self
    where
        K: AsyncKeeper<C> + Send + Sync + 'static,
        K::Prepared: Send + 'static,
    {
        self.keeping = Keeping::Async(Box::new(keeper));
        self
    }

    /// The token, if it can be handed out at `now` without asking the
    /// manager: the read path, which takes only a shared lock on the
    /// calling thread's replica and clones one `Arc`.
    #[inline]
    pub fn cached(&self, now: SystemTime) -> Option<CachedToken<C>> {
        let replica = &self.replicas[replica_index()].0;
        let steady = replica.read().unwrap_or_else(PoisonError::into_inner);
        steady.as_ref()?.token_at(now).cloned()
    }

    /// A valid token, refreshing through `send` if needed (blocking).
    ///
    /// `clock` gives the wall-clock time (`SystemTime::now`); `send`
    /// performs one HTTP request without following redirects. A refresh
    /// machine that asks to wait is polled again at once, so use
    /// [`token_with`](Self::token_with) and a sleeping driver for one that
    /// does (no token-endpoint refresh does).
    ///
    /// Do not call it from an async task that may wait for another task
    /// on the same thread: use [`token_async`](Self::token_async) there.
    /// With an async keeper it fails at once
    /// ([`with_async_keeper`](Self::with_async_keeper)).
    pub fn token<K, S>(&self, clock: K, mut send: S) -> Result<CachedToken<C>, TokenError>
    where
        K: Fn() -> SystemTime,
        S: FnMut(http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>, TransportFailure>,
    {
        self.token_with(&clock, |machine| drive(machine, &clock, &mut send, |_| {}))
    }

    /// A valid token, refreshing with `run` if needed (blocking): `run`
    /// drives the machine to its end, with [`drive`](crate::drive) or a
    /// transport's runner. With an async keeper it fails at once.
    pub fn token_with<K, R>(&self, clock: K, mut run: R) -> Result<CachedToken<C>, TokenError>
    where
        K: Fn() -> SystemTime,
        R: FnMut(C::Refresh) -> Result<C, Error>,
    {
        let keeper = self
            .keeping
            .blocking()
            .map_err(|error| TokenError::new(Error::Store(error), clock()))?;
        loop {
            match self.next(clock()) {
                Next::Return(result) => return result,
                Next::Run(mut job, machine, cached) => {
                    let prepared = keeper.map(DynKeeper::prepare);
                    let plan = keep::plan(prepared, machine, &cached, clock());
                    if let Some((machine, keep)) = job.settle(plan, clock()) {
                        let outcome = run(machine);
                        let kept = keep::keep_outcome(keep, &outcome);
                        job.report(outcome, kept, clock());
                    }
                }
                Next::Wait(seen) => self.wait_blocking(seen),
            }
        }
    }

    /// A valid token, refreshing through `send` if needed: the async twin
    /// of [`token`](Self::token), on any runtime.
    pub async fn token_async<K, S, F>(
        &self,
        clock: K,
        send: S,
    ) -> Result<CachedToken<C>, TokenError>
    where
        K: Fn() -> SystemTime,
        S: FnMut(http::Request<Vec<u8>>) -> F,
        F: Future<Output = Result<http::Response<Vec<u8>>, TransportFailure>>,
    {
        let mut runner = SendRunner {
            clock: &clock,
            send,
        };
        self.get_async(&clock, &mut runner).await
    }

    /// A valid token, refreshing with `run` if needed: the async twin of
    /// [`token_with`](Self::token_with). `run` returns a future that drives
    /// the machine to its end ([`drive_async`](crate::drive_async), a
    /// transport's runner). If the caller running it is cancelled, the
    /// next caller starts the refresh again.
    pub async fn token_async_with<K, R, F>(
        &self,
        clock: K,
        run: R,
    ) -> Result<CachedToken<C>, TokenError>
    where
        K: Fn() -> SystemTime,
        R: FnMut(C::Refresh) -> F,
        F: Future<Output = Result<C, Error>>,
    {
        self.get_async(&clock, &mut ClosureRunner(run)).await
    }

    /// Retires `token`, which a server refused, if it is still the one
    /// served: the next caller refreshes; see [`TokenManager::reject`].
    /// Many callers rejecting the same token cause one refresh.
    pub fn reject(&self, token: &CachedToken<C>) -> bool {
        let mut state = self.lock();
        let retired = state.manager.reject(token);
        if retired {
            self.publish(&state);
        }
        drop(state);
        retired
    }

    /// Starts over with `credentials`; see [`TokenManager::replace`].
    pub fn replace(&self, credentials: C) {
        let mut state = self.lock();
        state.manager.replace(credentials);
        self.publish_and_raise(state);
    }

    /// The latest credentials (the refreshed ones after a refresh).
    pub fn credentials(&self) -> Arc<C> {
        Arc::clone(self.lock().manager.credentials())
    }

    /// The failure of the last refresh, if it failed.
    pub fn last_failure(&self) -> Option<TokenError> {
        self.lock().manager.last_failure().cloned()
    }

    /// Why the credentials of the last refresh are not in the keeper's
    /// store, if keeping them failed: the cache serves their token all the
    /// same, and [`KeepError::kept`] says where they are, if anywhere but
    /// in this cache. Cleared once the store holds the cache's credentials
    /// again (a later refresh kept, or newer ones taken from the store).
    pub fn keep_failure(&self) -> Option<KeepError> {
        self.lock().unkept.clone()
    }

    /// Whether a caller is running a refresh.
    pub fn is_refreshing(&self) -> bool {
        self.lock().manager.is_refreshing()
    }

    async fn get_async<K, R>(&self, clock: &K, runner: &mut R) -> Result<CachedToken<C>, TokenError>
    where
        K: Fn() -> SystemTime,
        R: RunAsync<C>,
    {
        loop {
            match self.next(clock()) {
                Next::Return(result) => return result,
                Next::Run(mut job, machine, cached) => {
                    let prepared = self.keeping.prepare_async().await;
                    let plan = keep::plan(prepared, machine, &cached, clock());
                    if let Some((machine, keep)) = job.settle(plan, clock()) {
                        let outcome = runner.run(machine).await;
                        let kept = match keep::keep_outcome(keep, &outcome) {
                            Some(keeping) => Some(keeping.await),
                            None => None,
                        };
                        job.report(outcome, kept, clock());
                    }
                }
                Next::Wait(seen) => {
                    Reported {
                        shared: self,
                        seen,
                        slot: None,
                    }
                    .await
                }
            }
        }
    }

    /// What to do at `now`: the read path first, then the manager (whose
    /// changes are published).
    fn next(&self, now: SystemTime) -> Next<'_, C> {
        if let Some(token) = self.cached(now) {
            return Next::Return(Ok(token));
        }
        let mut state = self.lock();
        let next = match state.manager.lookup(now) {
            Ok(Lookup::Ready(token)) => Next::Return(Ok(token)),
            Ok(Lookup::ReadyAndRefresh(_, job)) | Ok(Lookup::Refresh(job)) => {
                let (ticket, machine) = job.into_parts();
                let cached = Arc::clone(state.manager.credentials());
                Next::Run(JobGuard::new(self, ticket), machine, cached)
            }
            Ok(Lookup::Pending) => Next::Wait(state.signal.epoch()),
            Err(error) => Next::Return(Err(error)),
        };
        self.publish(&state);
        next
    }

    fn wait_blocking(&self, seen: u64) {
        let mut state = self.lock();
        while state.signal.epoch() == seen {
            state = self
                .reported
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    fn lock(&self) -> MutexGuard<'_, State<C>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn publish(&self, state: &State<C>) {
        let steady = state.manager.steady();
        for replica in self.replicas.iter() {
            let fresh = steady.as_ref().map(Steady::replica);
            *replica.0.write().unwrap_or_else(PoisonError::into_inner) = fresh;
        }
    }

    /// Publishes, then wakes every waiter once the lock is released.
    fn publish_and_raise(&self, mut state: MutexGuard<'_, State<C>>) {
        self.publish(&state);
        let wakers = state.signal.raise();
        drop(state);
        self.reported.notify_all();
        wakers.into_iter().for_each(|waker| waker.wake());
    }
}

impl<C: Credentials> std::fmt::Debug for SharedToken<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = self.lock();
        f.debug_struct("SharedToken")
            .field("manager", &state.manager)
            .field("keeps", &self.keeping.is_some())
            .field("keep_failure", &state.unkept)
            .finish()
    }
}

/// Reports the job's outcome; if dropped first (a panic, a cancelled
/// future), abandons it so that another caller can start again.
struct JobGuard<'a, C: Credentials> {
    shared: &'a SharedToken<C>,
    ticket: Option<RefreshTicket>,
}

impl<'a, C: Credentials> JobGuard<'a, C> {
    fn new(shared: &'a SharedToken<C>, ticket: RefreshTicket) -> Self {
        Self {
            shared,
            ticket: Some(ticket),
        }
    }

    /// Carries out what the keeper's answer decided: the machine to run
    /// and how to keep its result, or `None` when the job was settled
    /// without a request.
    fn settle<K>(&mut self, plan: Plan<C, K>, now: SystemTime) -> Option<(C::Refresh, Option<K>)> {
        match plan {
            Plan::Run(machine, keep) => Some((machine, keep)),
            Plan::Adopt(stored) => {
                self.adopt(stored);
                None
            }
            Plan::Fail(error) => {
                self.report(Err(error), None, now);
                None
            }
        }
    }

    fn report(
        &mut self,
        outcome: Result<C, Error>,
        kept: Option<Result<(), KeepError>>,
        now: SystemTime,
    ) {
        if let Some(ticket) = self.ticket.take() {
            let mut state = self.shared.lock();
            let _ = state.manager.finish(ticket, outcome, now);
            match kept {
                Some(Ok(())) => state.unkept = None,
                Some(Err(error)) => state.unkept = Some(error),
                None => {}
            }
            self.shared.publish_and_raise(state);
        }
    }

    /// Serves `stored`, which the store holds, in place of a refresh;
    /// unless the job was replaced meanwhile.
    fn adopt(&mut self, stored: C) {
        if let Some(ticket) = self.ticket.take() {
            let mut state = self.shared.lock();
            if state.manager.abandon(ticket) {
                state.manager.replace(stored);
                state.unkept = None;
            }
            self.shared.publish_and_raise(state);
        }
    }
}

impl<C: Credentials> Drop for JobGuard<'_, C> {
    fn drop(&mut self) {
        if let Some(ticket) = self.ticket.take() {
            let mut state = self.shared.lock();
            let _ = state.manager.abandon(ticket);
            self.shared.publish_and_raise(state);
        }
    }
}

/// Resolves once the job out has reported back (or was abandoned).
struct Reported<'a, C: Credentials> {
    shared: &'a SharedToken<C>,
    seen: u64,
    slot: Option<u64>,
}

impl<C: Credentials> Future for Reported<'_, C> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        let mut state = this.shared.lock();
        state.signal.poll_changed(this.seen, &mut this.slot, cx)
    }
}

impl<C: Credentials> Drop for Reported<'_, C> {
    fn drop(&mut self) {
        if let Some(slot) = self.slot.take() {
            self.shared.lock().signal.forget(slot);
        }
    }
}

/// Runs a refresh machine to its end, asynchronously.
trait RunAsync<C: Credentials> {
    fn run(&mut self, machine: C::Refresh) -> impl Future<Output = Result<C, Error>>;
}

struct SendRunner<'k, K, S> {
    clock: &'k K,
    send: S,
}

impl<C, K, S, F> RunAsync<C> for SendRunner<'_, K, S>
where
    C: Credentials,
    K: Fn() -> SystemTime,
    S: FnMut(http::Request<Vec<u8>>) -> F,
    F: Future<Output = Result<http::Response<Vec<u8>>, TransportFailure>>,
{
    fn run(&mut self, machine: C::Refresh) -> impl Future<Output = Result<C, Error>> {
        drive_async(machine, self.clock, &mut self.send, |_| future::ready(()))
    }
}

struct ClosureRunner<R>(R);

impl<C, R, F> RunAsync<C> for ClosureRunner<R>
where
    C: Credentials,
    R: FnMut(C::Refresh) -> F,
    F: Future<Output = Result<C, Error>>,
{
    fn run(&mut self, machine: C::Refresh) -> impl Future<Output = Result<C, Error>> {
        (self.0)(machine)
    }
}
