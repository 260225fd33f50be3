//! The token cache: the sans-IO manager's decisions on a fake clock, and
//! the shared wrapper under many threads and many async tasks, counting
//! the requests a fake token endpoint gets.

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Condvar, Mutex};
use std::task::{Context, Poll, Waker};
use std::thread;
use std::time::{Duration, SystemTime};

use oauth2_sansio::cache::{
    Backoff, CachedToken, Lookup, RefreshJob, SharedToken, TokenError, TokenManager,
};
use oauth2_sansio::{
    AccessToken, BearerToken, Credentials, Error, ErrorCode, InvalidResponse, Machine, Step,
    TransportFailure, UserCredentials,
};
use testkit::token_cache::*;

type Manager = TokenManager<UserCredentials>;
type Job = RefreshJob<UserCredentials>;

fn ready(lookup: Result<Lookup<UserCredentials>, TokenError>) -> CachedToken<UserCredentials> {
    match lookup {
        Ok(Lookup::Ready(token)) => token,
        other => panic!("expected Ready, got {other:?}"),
    }
}

fn refresh(lookup: Result<Lookup<UserCredentials>, TokenError>) -> Job {
    match lookup {
        Ok(Lookup::Refresh(job)) => job,
        other => panic!("expected Refresh, got {other:?}"),
    }
}

fn ready_and_refresh(
    lookup: Result<Lookup<UserCredentials>, TokenError>,
) -> (CachedToken<UserCredentials>, Job) {
    match lookup {
        Ok(Lookup::ReadyAndRefresh(token, job)) => (token, job),
        other => panic!("expected ReadyAndRefresh, got {other:?}"),
    }
}

fn failed(lookup: Result<Lookup<UserCredentials>, TokenError>) -> TokenError {
    match lookup {
        Err(error) => error,
        other => panic!("expected an error, got {other:?}"),
    }
}

/// Runs `job` against `response` at `now` and reports it to `manager`.
fn settle(manager: &mut Manager, job: Job, response: http::Response<Vec<u8>>, now: SystemTime) {
    let (ticket, outcome) = answer(job, response, now);
    assert!(manager.finish(ticket, outcome, now), "the job out");
}

// --- The sans-IO manager -------------------------------------------------

#[test]
fn without_a_token_one_caller_refreshes_and_the_others_wait() {
    let mut manager = Manager::new(signed_in());
    let job = refresh(manager.lookup(at(0)));
    assert!(manager.is_refreshing());
    for _ in 0..3 {
        assert!(matches!(manager.lookup(at(0)), Ok(Lookup::Pending)));
    }
    settle(&mut manager, job, granted("ya29.first", 3600), at(1));
    assert!(!manager.is_refreshing());
    let token = ready(manager.lookup(at(1)));
    assert_eq!(secret(&token), "ya29.first");
    assert_eq!(token.bearer().expiry(), Some(at(3601)));
}

#[test]
fn the_stale_window_starts_one_refresh_and_keeps_serving_the_old_token() {
    let mut manager = Manager::new(holding("ya29.old", 3600, at(0)));
    let before = ready(manager.lookup(at(3600 - 226)));
    assert_eq!(manager.steady().unwrap().until(), Some(at(3600 - 225)));

    let (old, job) = ready_and_refresh(manager.lookup(at(3600 - 225)));
    assert!(old.same_as(&before));
    // While the job is out: the old token, and no second job, until it expires.
    for secs in [3600 - 225, 3500, 3599] {
        assert!(ready(manager.lookup(at(secs))).same_as(&old));
    }
    assert_eq!(manager.steady().unwrap().until(), Some(at(3600)));
    assert!(matches!(manager.lookup(at(3600)), Ok(Lookup::Pending)));

    settle(&mut manager, job, granted("ya29.new", 3600), at(3600));
    let new = ready(manager.lookup(at(3600)));
    assert_eq!(secret(&new), "ya29.new");
    assert_eq!(manager.steady().unwrap().until(), Some(at(7200 - 225)));
}

#[test]
fn retryable_failures_back_off_doubling_up_to_the_cap() {
    let backoff = Backoff::new(Duration::from_secs(1), Duration::from_secs(4));
    let mut manager = Manager::new(signed_in()).with_backoff(backoff);
    let mut now = 0;
    for expected_delay in [1, 2, 4, 4] {
        let job = refresh(manager.lookup(at(now)));
        settle(&mut manager, job, unavailable(), at(now));
        let error = failed(manager.lookup(at(now)));
        assert_eq!(error.error(), &Error::HttpStatus { status: 503 });
        assert!(error.is_retryable());
        assert_eq!(error.retry_at(), at(now + expected_delay));
        // Until then: the same error, and no request.
        let again = failed(manager.lookup(at(now + expected_delay - 1)));
        assert_eq!(again, error);
        assert!(!manager.is_refreshing());
        now += expected_delay;
    }
    let job = refresh(manager.lookup(at(now)));
    settle(&mut manager, job, granted("ya29.back", 3600), at(now));
    assert_eq!(secret(&ready(manager.lookup(at(now)))), "ya29.back");
    assert!(manager.last_failure().is_none());
}

#[test]
fn a_failed_refresh_keeps_the_old_token_until_it_expires_then_errors() {
    let backoff = Backoff::new(Duration::from_secs(300), Duration::from_secs(600));
    let mut manager = Manager::new(holding("ya29.old", 3600, at(0))).with_backoff(backoff);
    let (old, job) = ready_and_refresh(manager.lookup(at(3375)));
    settle(&mut manager, job, unavailable(), at(3375));
    assert_eq!(manager.last_failure().unwrap().retry_at(), at(3675));
    for secs in [3375, 3500, 3599] {
        assert!(ready(manager.lookup(at(secs))).same_as(&old));
    }
    let error = failed(manager.lookup(at(3600)));
    assert_eq!(error.error(), &Error::HttpStatus { status: 503 });
    assert_eq!(error.retry_at(), at(3675));
    assert!(manager.steady().unwrap().token_at(at(3600)).is_none());
}

#[test]
fn a_non_retryable_failure_waits_the_whole_cap_and_says_why() {
    let mut manager = Manager::new(signed_in());
    let job = refresh(manager.lookup(at(0)));
    settle(&mut manager, job, invalid_grant(), at(0));
    let error = failed(manager.lookup(at(0)));
    assert!(!error.is_retryable());
    assert!(matches!(error.error(), Error::OAuth(e) if *e.code() == ErrorCode::InvalidGrant));
    assert_eq!(error.retry_at(), at(60));
    failed(manager.lookup(at(59)));
    let _job = refresh(manager.lookup(at(60)));
}

#[test]
fn a_token_shorter_lived_than_the_threshold_is_renewed_after_half_its_life() {
    let mut manager = Manager::new(signed_in());
    let job = refresh(manager.lookup(at(0)));
    settle(&mut manager, job, granted("ya29.short", 100), at(0));
    // Stale from the start (100 s < 225 s), but not renewed on every call.
    for secs in [0, 1, 49] {
        assert_eq!(secret(&ready(manager.lookup(at(secs)))), "ya29.short");
    }
    assert_eq!(manager.steady().unwrap().until(), Some(at(50)));
    let (token, _job) = ready_and_refresh(manager.lookup(at(50)));
    assert_eq!(secret(&token), "ya29.short");
}

#[test]
fn an_already_expired_token_counts_as_a_failure_but_a_rotated_refresh_token_is_kept() {
    let mut manager = Manager::new(holding("ya29.old", 3600, at(0)));
    let (old, job) = ready_and_refresh(manager.lookup(at(3375)));
    settle(
        &mut manager,
        job,
        granted_rotating("ya29.dead", 0, "1//rotated"),
        at(3375),
    );
    assert!(ready(manager.lookup(at(3375))).same_as(&old));
    assert_eq!(
        manager.credentials().refresh_token().unwrap().secret(),
        "1//rotated"
    );
    let failure = manager.last_failure().unwrap();
    assert!(matches!(
        failure.error(),
        Error::InvalidResponse(InvalidResponse::InvalidField {
            field: "expires_in",
            ..
        })
    ));
    assert_eq!(failure.retry_at(), at(3375 + 60));
}

#[test]
fn replace_ignores_the_job_out_and_serves_the_new_credentials() {
    let mut manager = Manager::new(signed_in());
    let job = refresh(manager.lookup(at(0)));
    manager.replace(holding("ya29.replaced", 3600, at(0)));
    assert!(!manager.is_refreshing());
    let (ticket, outcome) = answer(job, granted("ya29.late", 3600), at(1));
    assert!(
        !manager.finish(ticket, outcome, at(1)),
        "a ticket from before replace"
    );
    assert_eq!(secret(&ready(manager.lookup(at(1)))), "ya29.replaced");
}

#[test]
fn an_abandoned_job_lets_the_next_caller_start_again_without_backoff() {
    let mut manager = Manager::new(signed_in());
    let (ticket, _machine) = refresh(manager.lookup(at(0))).into_parts();
    assert!(manager.abandon(ticket));
    assert!(manager.last_failure().is_none());
    let job = refresh(manager.lookup(at(0)));

    let mut other = Manager::new(signed_in());
    let (foreign, _) = refresh(other.lookup(at(0))).into_parts();
    assert!(!manager.abandon(foreign), "a ticket from another manager");
    assert!(manager.is_refreshing());
    settle(&mut manager, job, granted("ya29.b", 3600), at(0));
}

#[test]
fn cached_token_authorizes_with_the_quota_project() {
    let credentials =
        holding("ya29.secret", 3600, at(0)).with_quota_project(Some("billing-proj".into()));
    let mut manager = TokenManager::new(credentials);
    let token = ready(manager.lookup(at(10)));
    let mut request = http::Request::new(());
    token.authorize(&mut request, at(10)).unwrap();
    assert_eq!(request.headers()["authorization"], "Bearer ya29.secret");
    assert!(request.headers()["authorization"].is_sensitive());
    assert_eq!(request.headers()["x-goog-user-project"], "billing-proj");
    assert!(token
        .authorize(&mut http::Request::new(()), at(3600))
        .is_err());
}

#[test]
fn nothing_prints_a_token() {
    let mut manager = Manager::new(holding("ya29.secret", 3600, at(0)));
    let lookup = manager.lookup(at(3375));
    let shared = SharedToken::new(holding("ya29.secret", 3600, at(0)));
    let shown = format!(
        "{lookup:?} {manager:?} {shared:?} {:?}",
        shared.cached(at(0))
    );
    for secret in ["ya29.secret", "1//refresh", "cache-secret"] {
        assert!(!shown.contains(secret), "{shown}");
    }
    assert!(shown.contains("ReadyAndRefresh"), "{shown}");
}

#[test]
fn token_error_names_the_failure_and_the_next_attempt() {
    let mut manager = Manager::new(signed_in());
    let job = refresh(manager.lookup(at(0)));
    settle(&mut manager, job, unavailable(), at(0));
    let text = failed(manager.lookup(at(0))).to_string();
    assert!(text.contains("HTTP 503"), "{text}");
    assert!(text.contains("2026-01-01T00:00:01Z"), "{text}");
    assert!(!text.contains("1//refresh"), "{text}");
}

// --- A kind of credentials defined outside the crate ---------------------

/// Credentials whose token is made locally (like a self-signed JWT), or
/// that cannot be refreshed at all.
#[derive(Debug, Clone)]
struct LocalKind {
    token: Option<BearerToken>,
    can_refresh: bool,
    lifetime: Duration,
}

/// A machine that finishes at its first poll with a token issued then.
struct MintLocally(Option<LocalKind>);

impl Machine for MintLocally {
    type Output = LocalKind;

    fn poll(&mut self, now: SystemTime) -> Result<Step<LocalKind>, Error> {
        let mut next = self.0.take().expect("polled once");
        next.token = Some(BearerToken::new(
            AccessToken::new("local"),
            Some(now + next.lifetime),
        ));
        Ok(Step::Done(next))
    }

    fn handle_response(&mut self, _: http::Response<Vec<u8>>, _: SystemTime) -> Result<(), Error> {
        unreachable!("sends nothing")
    }

    fn handle_transport_failure(
        &mut self,
        _: TransportFailure,
        _: SystemTime,
    ) -> Result<(), Error> {
        unreachable!("sends nothing")
    }
}

impl Credentials for LocalKind {
    type Refresh = MintLocally;

    fn token(&self) -> Option<&BearerToken> {
        self.token.as_ref()
    }

    fn refresh(&self) -> Result<MintLocally, Error> {
        if self.can_refresh {
            Ok(MintLocally(Some(self.clone())))
        } else {
            Err(Error::NoRefreshToken)
        }
    }
}

#[test]
fn a_kind_defined_elsewhere_is_cached_and_refreshed_without_a_request() {
    let kind = LocalKind {
        token: None,
        can_refresh: true,
        lifetime: Duration::from_secs(3600),
    };
    let cache = SharedToken::new(kind);
    let token = cache
        .token(|| at(0), |_| panic!("a local refresh sends nothing"))
        .unwrap();
    assert_eq!(token.bearer().expiry(), Some(at(3600)));
    assert!(cache
        .token(|| at(1), |_| unreachable!())
        .unwrap()
        .same_as(&token));
}

#[test]
fn credentials_that_cannot_refresh_fail_without_a_job() {
    let kind = LocalKind {
        token: Some(BearerToken::new(AccessToken::new("only"), Some(at(100)))),
        can_refresh: false,
        lifetime: Duration::ZERO,
    };
    let mut manager = TokenManager::new(kind);
    // Stale from the start: the refresh fails at once, the token stays in use.
    assert!(matches!(manager.lookup(at(0)), Ok(Lookup::Ready(_))));
    assert!(!manager.is_refreshing());
    let failure = manager.last_failure().unwrap();
    assert_eq!(failure.error(), &Error::NoRefreshToken);
    assert_eq!(failure.retry_at(), at(60));
    // Expired, and the retry fails again: the error reaches the caller.
    let error = match manager.lookup(at(100)) {
        Err(error) => error,
        other => panic!("expected an error, got {other:?}"),
    };
    assert_eq!(error.error(), &Error::NoRefreshToken);
    assert_eq!(error.retry_at(), at(160));
}

// --- Many threads ---------------------------------------------------------

const THREADS: usize = 8;

/// Counts callers that got a token; lets the refresher wait for them.
#[derive(Default)]
struct Tally {
    count: Mutex<usize>,
    changed: Condvar,
}

impl Tally {
    fn bump(&self) {
        *self.count.lock().unwrap() += 1;
        self.changed.notify_all();
    }

    /// Waits until `target` callers have been counted. The timeout only
    /// turns a deadlock (callers blocked behind the refresh) into a failure.
    fn wait_for(&self, target: usize) {
        let guard = self.count.lock().unwrap();
        let (_count, timeout) = self
            .changed
            .wait_timeout_while(guard, Duration::from_secs(60), |n| *n < target)
            .unwrap();
        assert!(
            !timeout.timed_out(),
            "callers were blocked behind the refresh"
        );
    }
}

#[test]
fn threads_at_the_stale_moment_cause_one_request_and_keep_the_old_token() {
    let cache = SharedToken::new(holding("ya29.old", 3600, at(0)));
    let endpoint = Endpoint::default();
    let served_old = Tally::default();
    let start = Barrier::new(THREADS);
    let mut tokens: Vec<String> = thread::scope(|s| {
        let threads: Vec<_> = (0..THREADS)
            .map(|_| {
                s.spawn(|| {
                    start.wait();
                    let token = cache
                        .token(
                            || at(3375),
                            |request| {
                                endpoint.hit(&request);
                                // Answer only once every other caller has
                                // its (old) token: none waits for this one.
                                served_old.wait_for(THREADS - 1);
                                Ok(granted("ya29.new", 3600))
                            },
                        )
                        .unwrap();
                    if secret(&token) == "ya29.old" {
                        served_old.bump();
                    }
                    secret(&token).to_owned()
                })
            })
            .collect();
        threads.into_iter().map(|t| t.join().unwrap()).collect()
    });
    assert_eq!(endpoint.requests(), 1);
    tokens.sort();
    let mut expected = vec!["ya29.new".to_owned()];
    expected.extend(vec!["ya29.old".to_owned(); THREADS - 1]);
    assert_eq!(tokens, expected);
    assert_eq!(secret(&cache.cached(at(3376)).unwrap()), "ya29.new");
}

#[test]
fn threads_after_expiry_wait_for_one_request() {
    let cache = SharedToken::new(holding("ya29.old", 3600, at(0)));
    let endpoint = Endpoint::default();
    let started = AtomicUsize::new(0);
    let start = Barrier::new(THREADS);
    let tokens: Vec<CachedToken<UserCredentials>> = thread::scope(|s| {
        let threads: Vec<_> = (0..THREADS)
            .map(|_| {
                s.spawn(|| {
                    start.wait();
                    started.fetch_add(1, Ordering::SeqCst);
                    cache
                        .token(
                            || at(3600),
                            |request| {
                                endpoint.hit(&request);
                                // Give the others time to arrive and wait.
                                while started.load(Ordering::SeqCst) < THREADS {
                                    thread::yield_now();
                                }
                                thread::sleep(Duration::from_millis(20));
                                Ok(granted("ya29.new", 3600))
                            },
                        )
                        .unwrap()
                })
            })
            .collect();
        threads.into_iter().map(|t| t.join().unwrap()).collect()
    });
    assert_eq!(endpoint.requests(), 1);
    assert!(tokens.iter().all(|t| t.same_as(&tokens[0])));
    assert_eq!(secret(&tokens[0]), "ya29.new");
}

#[test]
fn threads_facing_a_failing_endpoint_cause_one_request_and_get_the_typed_error() {
    let cache = SharedToken::new(holding("ya29.old", 3600, at(0)));
    let endpoint = Endpoint::default();
    let start = Barrier::new(THREADS);
    let results: Vec<Result<CachedToken<UserCredentials>, TokenError>> = thread::scope(|s| {
        let threads: Vec<_> = (0..THREADS)
            .map(|_| {
                s.spawn(|| {
                    start.wait();
                    cache.token(
                        || at(3600),
                        |request| {
                            endpoint.hit(&request);
                            thread::sleep(Duration::from_millis(20));
                            Ok(unavailable())
                        },
                    )
                })
            })
            .collect();
        threads.into_iter().map(|t| t.join().unwrap()).collect()
    });
    assert_eq!(endpoint.requests(), 1);
    for result in results {
        let error = result.unwrap_err();
        assert_eq!(error.error(), &Error::HttpStatus { status: 503 });
        assert_eq!(error.retry_at(), at(3601));
    }
}

#[test]
fn the_shared_cache_backs_off_then_recovers() {
    let manager = TokenManager::new(signed_in())
        .with_backoff(Backoff::new(Duration::from_secs(1), Duration::from_secs(8)));
    let cache = SharedToken::from_manager(manager);
    let clock = SharedClock::starting_at(0);
    let endpoint = Endpoint::default();
    let healthy = AtomicUsize::new(0);
    let get = || {
        cache.token(
            || clock.now(),
            |request| {
                endpoint.hit(&request);
                Ok(if healthy.load(Ordering::SeqCst) == 1 {
                    granted("ya29.back", 3600)
                } else {
                    unavailable()
                })
            },
        )
    };
    assert_eq!(get().unwrap_err().retry_at(), at(1));
    assert_eq!(get().unwrap_err().retry_at(), at(1));
    assert_eq!(endpoint.requests(), 1, "no request during the backoff");
    clock.set(1);
    assert_eq!(get().unwrap_err().retry_at(), at(3));
    assert_eq!(endpoint.requests(), 2);
    healthy.store(1, Ordering::SeqCst);
    clock.set(2);
    assert!(get().is_err());
    clock.set(3);
    assert_eq!(secret(&get().unwrap()), "ya29.back");
    assert_eq!(endpoint.requests(), 3);
    assert!(cache.last_failure().is_none());
}

#[test]
fn a_panicking_refresher_does_not_block_the_others() {
    let cache = SharedToken::new(signed_in());
    thread::scope(|s| {
        let panicked = s
            .spawn(|| cache.token(|| at(0), |_| panic!("transport bug")))
            .join();
        assert!(panicked.is_err());
    });
    assert!(!cache.is_refreshing());
    let token = cache.token(|| at(0), |_| Ok(granted("ya29.after", 3600)));
    assert_eq!(secret(&token.unwrap()), "ya29.after");
}

#[test]
fn shared_token_is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<SharedToken<UserCredentials>>();
    check::<CachedToken<UserCredentials>>();
}

// --- Many async tasks (tokio in tests only) -------------------------------

const TASKS: usize = 8;

#[tokio::test]
async fn tasks_at_the_stale_moment_cause_one_request_and_keep_the_old_token() {
    let cache = Arc::new(SharedToken::new(holding("ya29.old", 3600, at(0))));
    let endpoint = Arc::new(Endpoint::default());
    let served_old = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..TASKS)
        .map(|_| {
            let (cache, endpoint, served_old) =
                (cache.clone(), endpoint.clone(), served_old.clone());
            tokio::spawn(async move {
                let token = cache
                    .token_async(
                        || at(3375),
                        |request| {
                            endpoint.hit(&request);
                            let served_old = served_old.clone();
                            async move {
                                // Answer once every other task has its token.
                                for _ in 0..100_000 {
                                    if served_old.load(Ordering::SeqCst) == TASKS - 1 {
                                        return Ok(granted("ya29.new", 3600));
                                    }
                                    tokio::task::yield_now().await;
                                }
                                panic!("tasks were blocked behind the refresh");
                            }
                        },
                    )
                    .await
                    .unwrap();
                if secret(&token) == "ya29.old" {
                    served_old.fetch_add(1, Ordering::SeqCst);
                }
                secret(&token).to_owned()
            })
        })
        .collect();
    let mut tokens = Vec::new();
    for task in tasks {
        tokens.push(task.await.unwrap());
    }
    assert_eq!(endpoint.requests(), 1);
    tokens.sort();
    assert_eq!(tokens[0], "ya29.new");
    assert!(tokens[1..].iter().all(|t| t == "ya29.old"));
}

#[tokio::test]
async fn tasks_after_expiry_wait_for_one_request() {
    let cache = Arc::new(SharedToken::new(holding("ya29.old", 3600, at(0))));
    let endpoint = Arc::new(Endpoint::default());
    let tasks: Vec<_> = (0..TASKS)
        .map(|_| {
            let (cache, endpoint) = (cache.clone(), endpoint.clone());
            tokio::spawn(async move {
                cache
                    .token_async(
                        || at(3600),
                        |request| {
                            endpoint.hit(&request);
                            async {
                                // Let every other task reach the wait.
                                for _ in 0..100 {
                                    tokio::task::yield_now().await;
                                }
                                Ok(granted("ya29.new", 3600))
                            }
                        },
                    )
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut tokens = Vec::new();
    for task in tasks {
        tokens.push(task.await.unwrap());
    }
    assert_eq!(endpoint.requests(), 1);
    assert!(tokens.iter().all(|t| t.same_as(&tokens[0])));
    assert_eq!(secret(&tokens[0]), "ya29.new");
}

#[test]
fn a_cancelled_async_refresher_hands_over_to_a_waiting_task() {
    let cache = SharedToken::new(signed_in());
    let endpoint = Endpoint::default();
    let mut cx = Context::from_waker(Waker::noop());

    let mut first = Box::pin(cache.token_async(
        || at(0),
        |request| {
            endpoint.hit(&request);
            std::future::pending()
        },
    ));
    assert!(first.as_mut().poll(&mut cx).is_pending());
    assert!(cache.is_refreshing());

    let mut second = Box::pin(cache.token_async(
        || at(0),
        |request| {
            endpoint.hit(&request);
            std::future::ready(Ok(granted("ya29.second", 3600)))
        },
    ));
    assert!(
        second.as_mut().poll(&mut cx).is_pending(),
        "waits for the first"
    );

    drop(first);
    assert!(!cache.is_refreshing());
    match second.as_mut().poll(&mut cx) {
        Poll::Ready(Ok(token)) => assert_eq!(secret(&token), "ya29.second"),
        other => panic!("expected a token, got {other:?}"),
    }
    assert_eq!(endpoint.requests(), 2);
}

#[test]
fn async_lookups_are_send() {
    fn check<T: Send>(_: T) {}
    let cache = SharedToken::new(signed_in());
    check(cache.token_async(|| at(0), |_| std::future::ready(Ok(granted("a", 1)))));
    check(cache.token_async_with(|| at(0), |machine| std::future::ready(drive_now(machine))));
}

fn drive_now(machine: oauth2_sansio::UserRefresh) -> Result<UserCredentials, Error> {
    oauth2_sansio::drive(machine, || at(0), |_| Ok(granted("a", 1)), |_| {})
}

#[cfg(feature = "ring")]
#[test]
fn service_account_tokens_are_shared_with_one_request_for_many_threads() {
    use oauth2_sansio::service_account::ServiceAccountCredentials;

    let credentials = ServiceAccountCredentials::from_json(include_bytes!(
        "../fixtures/service_account/service_account.json"
    ))
    .unwrap()
    .with_scopes(["https://www.googleapis.com/auth/cloud-platform"]);
    let shared = Arc::new(SharedToken::new(credentials));
    let requests = Arc::new(AtomicUsize::new(0));
    let start = Arc::new(Barrier::new(8));
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let (shared, requests, start) = (shared.clone(), requests.clone(), start.clone());
            thread::spawn(move || {
                start.wait();
                shared
                    .token(
                        || at(0),
                        |request| {
                            let body = String::from_utf8(request.body().clone()).unwrap();
                            assert!(body.contains("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer"));
                            requests.fetch_add(1, Ordering::SeqCst);
                            Ok(http::Response::new(
                                br#"{"access_token":"ya29.sa","token_type":"Bearer","expires_in":3599}"#.to_vec(),
                            ))
                        },
                    )
                    .map(|token| token.bearer().token().secret().to_owned())
            })
        })
        .collect();
    for thread in threads {
        assert_eq!(thread.join().unwrap().unwrap(), "ya29.sa");
    }
    assert_eq!(requests.load(Ordering::SeqCst), 1);
}
