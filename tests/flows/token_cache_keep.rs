//! The token cache with a keeper: the store is made ready before a refresh
//! is sent (or nothing is sent), credentials another process renewed are
//! taken from it, and renewed credentials are kept before their token is
//! served, and never dropped when keeping fails. Against an in-memory store
//! that records what it is asked; the file store's own tests are in
//! `tests/io/file_store.rs`.

use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::{Duration, SystemTime};

use oauth2_sansio::cache::{
    AsyncKeeper, Backoff, KeepError, KeepErrorKind, KeepFuture, Keeper, SharedToken, TokenManager,
};
use oauth2_sansio::{
    drive, Client, ClientSecret, Credentials, Error, RefreshToken, UserCredentials,
};
use proptest::prelude::*;
use proptest::test_runner::RngSeed;
use testkit::token_cache::*;
use testkit::world::{installed_client, FakeServer, INSTALLED_ID};

type Cache = SharedToken<UserCredentials>;

/// Credentials kept in memory, with what they were asked, in order.
#[derive(Default)]
struct Store {
    stored: Mutex<Option<UserCredentials>>,
    prepare_fails: Mutex<Option<KeepError>>,
    keep_fails: Mutex<Option<KeepError>>,
    log: Mutex<Vec<String>>,
    /// The cache keeping here, to see what it holds while keeping.
    cache: OnceLock<Weak<Cache>>,
}

impl Store {
    fn holding(credentials: Option<UserCredentials>) -> Arc<Self> {
        let store = Self::default();
        *store.stored.lock().unwrap() = credentials;
        Arc::new(store)
    }

    fn record(&self, event: String) {
        self.log.lock().unwrap().push(event);
    }

    fn log(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    fn stored(&self) -> Option<UserCredentials> {
        self.stored.lock().unwrap().clone()
    }
}

/// One handle on a shared [`Store`], as a keeper.
struct Handle(Arc<Store>);

/// What a prepared store holds; says so when released.
struct Prepared(Arc<Store>);

impl Drop for Prepared {
    fn drop(&mut self) {
        self.0.record("released".into());
    }
}

impl Keeper<UserCredentials> for Handle {
    type Prepared = Prepared;

    fn prepare(&self) -> Result<(Prepared, Option<UserCredentials>), KeepError> {
        self.0.record("prepare".into());
        if let Some(error) = self.0.prepare_fails.lock().unwrap().clone() {
            return Err(error);
        }
        Ok((Prepared(Arc::clone(&self.0)), self.0.stored()))
    }

    fn keep(&self, prepared: Prepared, credentials: &UserCredentials) -> Result<(), KeepError> {
        let holding = self
            .0
            .cache
            .get()
            .and_then(Weak::upgrade)
            .map_or("?".to_owned(), |cache| {
                refresh_token(&cache.credentials()).to_owned()
            });
        self.0.record(format!(
            "keep {} while the cache holds {holding}",
            refresh_token(credentials)
        ));
        let result = match self.0.keep_fails.lock().unwrap().clone() {
            Some(error) => Err(error),
            None => {
                *self.0.stored.lock().unwrap() = Some(credentials.clone());
                Ok(())
            }
        };
        drop(prepared);
        result
    }
}

/// The same store kept through the async path, its answers ready at once.
struct AsyncHandle(Handle);

impl AsyncKeeper<UserCredentials> for AsyncHandle {
    type Prepared = Prepared;

    fn prepare(&self) -> KeepFuture<'_, (Prepared, Option<UserCredentials>)> {
        Box::pin(std::future::ready(self.0.prepare()))
    }

    fn keep(&self, prepared: Prepared, credentials: &UserCredentials) -> KeepFuture<'_, ()> {
        Box::pin(std::future::ready(self.0.keep(prepared, credentials)))
    }
}

fn refresh_token(credentials: &UserCredentials) -> &str {
    credentials
        .refresh_token()
        .expect("user credentials")
        .secret()
}

/// The refresh token a refresh request sends.
fn sent_refresh_token(request: &http::Request<Vec<u8>>) -> String {
    oauth2_sansio::url::form_urlencoded::parse(request.body())
        .find(|(name, _)| name == "refresh_token")
        .map(|(_, value)| value.into_owned())
        .expect("a refresh request")
}

/// A cache over `credentials` that keeps in `store`, which sees it.
fn keeping(credentials: UserCredentials, store: &Arc<Store>, backoff: Backoff) -> Arc<Cache> {
    let manager = TokenManager::new(credentials).with_backoff(backoff);
    let cache = Arc::new(SharedToken::from_manager(manager).with_keeper(Handle(Arc::clone(store))));
    let _ = store.cache.set(Arc::downgrade(&cache));
    cache
}

/// [`keeping`] through an async keeper.
fn keeping_async(credentials: UserCredentials, store: &Arc<Store>) -> Arc<Cache> {
    let keeper = AsyncHandle(Handle(Arc::clone(store)));
    let cache = Arc::new(SharedToken::new(credentials).with_async_keeper(keeper));
    let _ = store.cache.set(Arc::downgrade(&cache));
    cache
}

/// Credentials with refresh token `refresh`, holding `access` obtained at
/// `now` and living `expires_in`.
fn their_credentials(
    refresh: &str,
    access: &str,
    expires_in: u64,
    now: SystemTime,
) -> UserCredentials {
    let client = Client::google("cache-test-client", Some(ClientSecret::new("cache-secret")))
        .build()
        .unwrap();
    let signed_in =
        UserCredentials::from_refresh_token(&client, RefreshToken::new(refresh), vec![]);
    drive(
        signed_in.refresh().unwrap(),
        || now,
        |_| Ok(granted(access, expires_in)),
        |_| {},
    )
    .unwrap()
}

const BACKOFF: Backoff = Backoff::DEFAULT;

/// What the store sees of a refresh that rotates `1//refresh`, in order.
const PREPARED_SENT_KEPT_RELEASED: [&str; 4] = [
    "prepare",
    "send 1//refresh",
    "keep 1//rotated while the cache holds 1//refresh",
    "released",
];

#[test]
fn the_store_is_prepared_before_the_request_and_kept_before_the_token_is_served() {
    let store = Store::holding(None);
    let cache = keeping(holding("ya29.old", 3600, at(0)), &store, BACKOFF);
    let token = cache
        .token(
            || at(3375),
            |request| {
                store.record(format!("send {}", sent_refresh_token(&request)));
                Ok(granted_rotating("ya29.new", 3600, "1//rotated"))
            },
        )
        .unwrap();
    assert_eq!(secret(&token), "ya29.new");
    assert_eq!(store.log(), PREPARED_SENT_KEPT_RELEASED);
    assert_eq!(refresh_token(&store.stored().unwrap()), "1//rotated");
    assert!(cache.keep_failure().is_none());
    assert!(cache.last_failure().is_none());
}

#[test]
fn a_store_that_cannot_be_prepared_stops_the_refresh_and_backs_off() {
    let store = Store::holding(None);
    *store.prepare_fails.lock().unwrap() = Some(KeepError::new(
        KeepErrorKind::Io,
        "/srv/creds is read-only; make it writable",
    ));
    let backoff = Backoff::new(Duration::from_secs(1), Duration::from_secs(8));
    let cache = keeping(holding("ya29.old", 3600, at(0)), &store, backoff);
    let endpoint = Endpoint::default();
    let get = |secs| {
        cache.token(
            || at(secs),
            |request| {
                endpoint.hit(&request);
                Ok(granted_rotating("ya29.new", 3600, "1//rotated"))
            },
        )
    };

    // Stale: the old token is served, nothing is sent, the failure is typed.
    let old = get(3375).unwrap();
    assert_eq!(secret(&old), "ya29.old");
    let failure = cache
        .last_failure()
        .expect("reported like a failed refresh");
    let Error::Store(error) = failure.error() else {
        panic!("{failure:?}")
    };
    assert_eq!(error.kind(), KeepErrorKind::Io);
    assert!(failure.is_retryable());
    assert_eq!(failure.retry_at(), at(3376));
    // Backing off: no new attempt before the retry time, then doubling.
    assert!(get(3375).unwrap().same_as(&old));
    assert!(get(3376).unwrap().same_as(&old));
    assert_eq!(cache.last_failure().unwrap().retry_at(), at(3378));
    assert_eq!(store.log(), ["prepare", "prepare"]);

    // Expired: the typed error reaches the caller, and says nothing was sent.
    let error = get(3600).unwrap_err();
    assert!(matches!(error.error(), Error::Store(e) if e.kind() == KeepErrorKind::Io));
    let text = error.to_string();
    assert!(text.contains("no refresh was sent"), "{text}");
    assert!(text.contains("make it writable"), "{text}");
    assert_eq!(endpoint.requests(), 0);
    assert!(cache.credentials().refresh_token().unwrap().secret() == "1//refresh");

    // Fixed, the next attempt refreshes and keeps.
    *store.prepare_fails.lock().unwrap() = None;
    let retry_at = cache.last_failure().unwrap().retry_at();
    let token = cache
        .token(
            || retry_at,
            |request| {
                endpoint.hit(&request);
                Ok(granted_rotating("ya29.new", 3600, "1//rotated"))
            },
        )
        .unwrap();
    assert_eq!(secret(&token), "ya29.new");
    assert_eq!(endpoint.requests(), 1);
    assert_eq!(refresh_token(&store.stored().unwrap()), "1//rotated");
    assert!(cache.last_failure().is_none());
}

#[test]
fn a_store_that_holds_something_broken_waits_the_whole_cap() {
    let store = Store::holding(None);
    *store.prepare_fails.lock().unwrap() = Some(KeepError::new(
        KeepErrorKind::Invalid,
        "/srv/creds.json is not authorized_user JSON; sign in again",
    ));
    let cache = keeping(signed_in(), &store, BACKOFF);
    let error = cache
        .token(|| at(0), |_| panic!("nothing may be sent"))
        .unwrap_err();
    assert!(!error.is_retryable());
    assert_eq!(error.retry_at(), at(60));
}

#[test]
fn a_store_that_cannot_keep_still_serves_the_rotated_credentials_and_says_where_they_are() {
    let store = Store::holding(Some(holding("ya29.old", 3600, at(0))));
    *store.keep_fails.lock().unwrap() = Some(
        KeepError::new(
            KeepErrorKind::Io,
            "the new credentials could not replace /srv/creds.json; they are kept in \
             /srv/.creds.json.tmp-1",
        )
        .kept_in("/srv/.creds.json.tmp-1"),
    );
    let cache = keeping(holding("ya29.old", 3600, at(0)), &store, BACKOFF);
    let token = cache
        .token(
            || at(3375),
            |_| Ok(granted_rotating("ya29.new", 3600, "1//rotated")),
        )
        .unwrap();

    assert_eq!(secret(&token), "ya29.new");
    assert_eq!(refresh_token(&cache.credentials()), "1//rotated");
    let unkept = cache.keep_failure().expect("reported");
    assert_eq!(unkept.kept(), Some("/srv/.creds.json.tmp-1"));
    assert!(unkept.to_string().contains("/srv/.creds.json.tmp-1"));
    assert!(
        cache.last_failure().is_none(),
        "the refresh itself succeeded"
    );
    assert_eq!(refresh_token(&store.stored().unwrap()), "1//refresh");

    // The store works again: the next refresh sends the rotated token (not
    // the store's older one) and keeps its result.
    *store.keep_fails.lock().unwrap() = None;
    let next = cache
        .token(
            || at(3375 + 3375),
            |request| {
                assert_eq!(sent_refresh_token(&request), "1//rotated");
                Ok(granted_rotating("ya29.next", 3600, "1//rotated-again"))
            },
        )
        .unwrap();
    assert_eq!(secret(&next), "ya29.next");
    assert!(cache.keep_failure().is_none());
    assert_eq!(refresh_token(&store.stored().unwrap()), "1//rotated-again");
}

#[test]
fn newer_credentials_in_the_store_are_served_without_a_request() {
    let theirs = their_credentials("1//theirs", "ya29.theirs", 3600, at(3000));
    let store = Store::holding(Some(theirs.clone()));
    let cache = keeping(holding("ya29.old", 3600, at(0)), &store, BACKOFF);
    let token = cache
        .token(|| at(3375), |_| panic!("another process renewed them"))
        .unwrap();
    assert_eq!(secret(&token), "ya29.theirs");
    assert_eq!(*cache.credentials(), theirs);
    assert_eq!(store.log(), ["prepare", "released"]);
    // Fresh, they are served without asking the store again.
    cache.token(|| at(3376), |_| unreachable!()).unwrap();
    assert_eq!(store.log().len(), 2);
}

#[test]
fn expired_newer_credentials_in_the_store_are_renewed_with_their_own_refresh_token() {
    let theirs = their_credentials("1//theirs", "ya29.theirs", 1000, at(3000));
    let store = Store::holding(Some(theirs));
    let cache = keeping(holding("ya29.old", 3600, at(0)), &store, BACKOFF);
    let token = cache
        .token(
            || at(5000),
            |request| {
                assert_eq!(sent_refresh_token(&request), "1//theirs");
                Ok(granted_rotating("ya29.new", 3600, "1//theirs-rotated"))
            },
        )
        .unwrap();
    assert_eq!(secret(&token), "ya29.new");
    assert_eq!(refresh_token(&store.stored().unwrap()), "1//theirs-rotated");
}

#[test]
fn older_credentials_in_the_store_are_not_taken() {
    // What a save that failed left: the store is behind the cache.
    let store = Store::holding(Some(holding("ya29.older", 3600, at(0))));
    let cache = keeping(holding("ya29.ours", 3600, at(100)), &store, BACKOFF);
    let token = cache
        .token(
            || at(3475),
            |request| {
                assert_eq!(sent_refresh_token(&request), "1//refresh");
                Ok(granted("ya29.new", 3600))
            },
        )
        .unwrap();
    assert_eq!(secret(&token), "ya29.new");
}

#[test]
fn a_failed_refresh_keeps_nothing_and_releases_the_store() {
    let store = Store::holding(Some(signed_in()));
    let cache = keeping(signed_in(), &store, BACKOFF);
    let error = cache.token(|| at(0), |_| Ok(unavailable())).unwrap_err();
    assert_eq!(error.error(), &Error::HttpStatus { status: 503 });
    assert_eq!(store.log(), ["prepare", "released"]);
    assert_eq!(store.stored(), Some(signed_in()));
}

#[tokio::test]
async fn the_async_paths_prepare_and_keep_too() {
    let store = Store::holding(None);
    let cache = keeping(signed_in(), &store, BACKOFF);
    let token = cache
        .token_async(
            || at(0),
            |_| std::future::ready(Ok(granted_rotating("ya29.a", 3600, "1//a"))),
        )
        .await
        .unwrap();
    assert_eq!(secret(&token), "ya29.a");
    let token = cache
        .token_async_with(
            || at(3375),
            |machine| {
                std::future::ready(drive(
                    machine,
                    || at(3375),
                    |_| Ok(granted_rotating("ya29.b", 3600, "1//b")),
                    |_| {},
                ))
            },
        )
        .await
        .unwrap();
    assert_eq!(secret(&token), "ya29.b");
    assert_eq!(refresh_token(&store.stored().unwrap()), "1//b");
    assert_eq!(store.log().iter().filter(|e| *e == "prepare").count(), 2);
}

#[test]
fn a_keeping_cache_is_send_and_sync_and_its_futures_are_send() {
    fn check<T: Send + Sync>(_: &T) {}
    fn check_send<T: Send>(_: T) {}
    let store = Store::holding(None);
    for cache in [
        keeping(signed_in(), &store, BACKOFF),
        keeping_async(signed_in(), &store),
    ] {
        check(&*cache);
        check_send(cache.token_async(|| at(0), |_| std::future::ready(Ok(granted("a", 1)))));
    }
}

// --- An async keeper: the same rules, awaited -----------------------------

#[tokio::test]
async fn an_async_store_is_prepared_before_the_request_and_kept_before_the_token_is_served() {
    let store = Store::holding(None);
    let cache = keeping_async(holding("ya29.old", 3600, at(0)), &store);
    let token = cache
        .token_async(
            || at(3375),
            |request| {
                store.record(format!("send {}", sent_refresh_token(&request)));
                std::future::ready(Ok(granted_rotating("ya29.new", 3600, "1//rotated")))
            },
        )
        .await
        .unwrap();
    assert_eq!(secret(&token), "ya29.new");
    assert_eq!(store.log(), PREPARED_SENT_KEPT_RELEASED);
    assert_eq!(refresh_token(&store.stored().unwrap()), "1//rotated");
}

#[tokio::test]
async fn newer_credentials_in_an_async_store_are_served_without_a_request() {
    let theirs = their_credentials("1//theirs", "ya29.theirs", 3600, at(3000));
    let store = Store::holding(Some(theirs.clone()));
    let cache = keeping_async(holding("ya29.old", 3600, at(0)), &store);
    let token = cache
        .token_async(|| at(3375), |_| async { panic!("renewed elsewhere") })
        .await
        .unwrap();
    assert_eq!(secret(&token), "ya29.theirs");
    assert_eq!(*cache.credentials(), theirs);
    assert_eq!(store.log(), ["prepare", "released"]);
}

#[tokio::test]
async fn an_async_store_that_cannot_be_prepared_stops_the_refresh() {
    let store = Store::holding(None);
    *store.prepare_fails.lock().unwrap() = Some(KeepError::new(KeepErrorKind::Io, "read-only"));
    let cache = keeping_async(signed_in(), &store);
    let error = cache
        .token_async(|| at(0), |_| async { panic!("nothing may be sent") })
        .await
        .unwrap_err();
    assert!(matches!(error.error(), Error::Store(e) if e.kind() == KeepErrorKind::Io));
    assert_eq!(store.log(), ["prepare"]);
}

#[tokio::test]
async fn a_failed_refresh_keeps_nothing_in_an_async_store_and_releases_it() {
    let store = Store::holding(Some(signed_in()));
    let cache = keeping_async(signed_in(), &store);
    let error = cache
        .token_async(|| at(0), |_| std::future::ready(Ok(unavailable())))
        .await
        .unwrap_err();
    assert_eq!(error.error(), &Error::HttpStatus { status: 503 });
    assert_eq!(store.log(), ["prepare", "released"]);
    assert_eq!(store.stored(), Some(signed_in()));
}

#[tokio::test]
async fn the_blocking_methods_refuse_an_async_keeper_and_leave_the_cache_as_it_was() {
    let store = Store::holding(None);
    let cache = keeping_async(holding("ya29.valid", 3600, at(0)), &store);
    let refused = cache
        .token(|| at(10), |_| panic!("nothing may be sent"))
        .unwrap_err();
    let Error::Store(error) = refused.error() else {
        panic!("{refused:?}")
    };
    assert_eq!(error.kind(), KeepErrorKind::AsyncOnly);
    assert!(!refused.is_retryable());
    let text = refused.to_string();
    assert!(text.contains("call token_async"), "{text}");
    assert!(
        !text.contains("next attempt"),
        "no refresh was tried: {text}"
    );
    assert!(cache.last_failure().is_none());
    assert!(store.log().is_empty(), "the keeper was not asked");
    // The async path serves the valid token as before.
    let token = cache
        .token_async(|| at(10), |_| async { panic!("valid") })
        .await
        .unwrap();
    assert_eq!(secret(&token), "ya29.valid");
}

// --- Several processes on one store, a server that rotates ---------------

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        rng_seed: RngSeed::Fixed(0x6b65_6570),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// One caller's turn: which cache it asks, how far the clock moved, and
/// whether the store can be prepared then.
#[derive(Debug, Clone)]
struct Turn {
    cache: usize,
    advance: u64,
    store_broken: bool,
}

fn turn_strategy() -> impl Strategy<Value = Turn> {
    (
        0..3usize,
        prop_oneof![0..5u64, 0..400u64, 3000..8000u64],
        prop::bool::weighted(0.2),
    )
        .prop_map(|(cache, advance, store_broken)| Turn {
            cache,
            advance,
            store_broken,
        })
}

proptest! {
    #![proptest_config(config(64))]

    /// Caches in three "processes" that keep in one store, in any order and
    /// at any times, with the store sometimes unusable: no refresh token is
    /// ever sent twice (the server would revoke the grant), every token
    /// served works at the server, and every error is the store's.
    #[test]
    fn caches_sharing_a_store_never_send_a_retired_refresh_token(
        turns in prop::collection::vec(turn_strategy(), 1..40),
    ) {
        let mut server = FakeServer::default();
        server.rotate_refresh_tokens = true;
        let start = at(0);
        let scopes = ["openid"];
        let refresh = server.issue_refresh_token(INSTALLED_ID, &scopes);
        let signed_in = UserCredentials::from_refresh_token(
            &installed_client(),
            RefreshToken::new(refresh),
            scopes.iter().map(|s| (*s).to_owned()).collect(),
        );
        let credentials = drive(
            signed_in.refresh().unwrap(),
            || start,
            |request| server.deliver(&request, start),
            |_| {},
        )
        .unwrap();
        let store = Store::holding(Some(credentials.clone()));
        let caches: Vec<Arc<Cache>> = (0..3)
            .map(|_| {
                Arc::new(
                    SharedToken::new(credentials.clone()).with_keeper(Handle(Arc::clone(&store))),
                )
            })
            .collect();
        let mut now = start;
        for turn in turns {
            now += Duration::from_secs(turn.advance);
            *store.prepare_fails.lock().unwrap() = turn
                .store_broken
                .then(|| KeepError::new(KeepErrorKind::Io, "read-only"));
            let result = caches[turn.cache].token(|| now, |request| server.deliver(&request, now));
            match result {
                Ok(token) => {
                    let mut call = http::Request::new(());
                    token.authorize(&mut call, now).unwrap();
                    prop_assert_eq!(server.api_status(&call, now), 200, "{:?}", token);
                }
                Err(error) => prop_assert!(
                    matches!(error.error(), Error::Store(_)),
                    "{}",
                    error
                ),
            }
        }
    }
}
