//! The async form: caches kept by `AsyncRedisFleet`, read by tokio tasks.
//! It shares one refresh with blocking instances, its waiters leave their
//! thread to other tasks, it outlives a Redis outage, gives the lock back
//! when a refresh fails, and its cache refuses the blocking methods.

use std::process::Child;
use std::time::{Duration, Instant, SystemTime};

use oauth2_sansio::cache::{CachedToken, KeepErrorKind, SharedToken, TokenError};
use oauth2_sansio::io::ureq::UreqTransport;
use oauth2_sansio::{Error, TransportFailure, TransportFailureKind, UserCredentials};
use testkit::redis_server::RedisServer;

use super::instance::{current_thread, multi_thread, refresh_off_thread, FORM};
use super::token_server::TokenServer;
use super::{
    all_read_the_first_refresh, cache_in_process, read_token, spawn, survives_an_outage, Form,
};

/// A token from `cache`, refreshing over ureq off the task's thread.
async fn read(
    cache: &SharedToken<UserCredentials>,
    transport: &UreqTransport,
) -> Result<CachedToken<UserCredentials>, TokenError> {
    cache
        .token_async_with(SystemTime::now, |refresh| {
            refresh_off_thread(transport, refresh)
        })
        .await
}

#[test]
fn two_async_processes_and_a_blocking_one_of_eight_tasks_each_send_one_request() {
    let redis = RedisServer::start();
    let server = TokenServer::start(3600, false);
    let lock_ttl = Duration::from_secs(5);
    let asynchronous = [(FORM, "async".to_owned())];
    let children: Vec<Child> = vec![
        spawn(&redis, &server, 8, lock_ttl, &asynchronous),
        spawn(&redis, &server, 8, lock_ttl, &[]),
        spawn(&redis, &server, 8, lock_ttl, &asynchronous),
    ];
    all_read_the_first_refresh(children, 24);
    server.assert_requests(1);
}

/// Two instances on one thread: the second starts once the first holds
/// the lock and its refresh (slow to answer) is out, and waits on timers
/// and async commands while that refresh goes on. A waiter that blocked
/// the thread (a blocking keeper) would hold up the refresh it waits for,
/// and give up busy after the wait limit.
#[test]
fn a_waiting_task_leaves_its_thread_to_the_refresh_it_waits_for() {
    let redis = RedisServer::start();
    let server = TokenServer::start(3600, false);
    server.delay_answers(Duration::from_millis(400));
    let timeout = Duration::from_secs(1);
    let (first, first_warnings, _) = cache_in_process(&redis, &server, timeout, Form::Async);
    let (second, second_warnings, _) = cache_in_process(&redis, &server, timeout, Form::Async);
    let transport = UreqTransport::new();
    let second_once_the_first_refreshes = async {
        while server.counts().requests == 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        read(&second, &transport).await
    };
    let (a, b) = current_thread().block_on(async {
        tokio::join!(read(&first, &transport), second_once_the_first_refreshes)
    });
    assert_eq!((a.unwrap().secret(), b.unwrap().secret()), ("at-1", "at-1"));
    server.assert_requests(1);
    assert!(first_warnings.lock().unwrap().is_empty());
    assert!(second_warnings.lock().unwrap().is_empty());
}

#[test]
fn with_redis_down_an_async_instance_refreshes_alone_and_shares_again_once_it_is_back() {
    let redis = RedisServer::start();
    let server = TokenServer::start(1, false);
    let (cache, warnings, config) =
        cache_in_process(&redis, &server, Duration::from_millis(500), Form::Async);
    let transport = UreqTransport::new();
    // A runtime across the outage: its multiplexed connection breaks, and
    // the store connects again.
    let runtime = multi_thread();
    let token = || {
        let token = runtime.block_on(read(&cache, &transport));
        token.unwrap().secret().to_owned()
    };
    survives_an_outage(redis, &server, &cache, &warnings, &config, token);
}

#[test]
fn a_failed_async_refresh_gives_the_fleet_lock_back_at_once() {
    let redis = RedisServer::start();
    let server = TokenServer::start(3600, false);
    let (cache, _, config) = cache_in_process(&redis, &server, Duration::from_secs(1), Form::Async);
    let runtime = current_thread();
    let refused = runtime.block_on(cache.token_async_with(SystemTime::now, |_refresh| async {
        let failure = TransportFailure::new(TransportFailureKind::Connect, "refused");
        Err(Error::Transport(failure))
    }));
    assert!(refused.is_err());
    // The lock lives 5 s; the release runs in a task spawned on the runtime.
    let deadline = Instant::now() + Duration::from_secs(2);
    runtime.block_on(async {
        while redis.get(config.lock_key()).is_some() {
            assert!(Instant::now() < deadline, "the lock was not released");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    });
}

#[test]
fn the_blocking_methods_of_a_cache_with_an_async_keeper_refuse_with_a_typed_error() {
    let redis = RedisServer::start();
    let server = TokenServer::start(3600, false);
    let (cache, _, _) = cache_in_process(&redis, &server, Duration::from_secs(1), Form::Async);
    let transport = UreqTransport::new();
    let blocking = || read_token(&cache, &transport).unwrap_err();
    let refused = blocking();
    let Error::Store(error) = refused.error() else {
        panic!("not a store error: {refused}");
    };
    assert_eq!(error.kind(), KeepErrorKind::AsyncOnly);
    assert!(!refused.is_retryable());
    assert!(
        refused.to_string().contains("call token_async"),
        "{refused}"
    );
    server.assert_requests(0); // nothing was sent
    assert!(cache.last_failure().is_none(), "not a failed refresh");

    // The async path serves; the blocking one still refuses, token cached.
    let token = current_thread().block_on(read(&cache, &transport)).unwrap();
    assert_eq!(token.secret(), "at-1");
    assert_eq!(blocking().error(), refused.error());
}
