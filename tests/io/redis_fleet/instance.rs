//! One instance of the fleet, as a child process: this test binary run
//! with only the ignored test [`fleet_instance`], its settings in the
//! environment. It reads a token from M threads through a `SharedToken`
//! kept by a `RedisFleet` (or from M tokio tasks, through one kept by an
//! `AsyncRedisFleet`), then prints one line per thread for the parent.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::runtime::Runtime;

use oauth2_sansio::cache::fleet::{FleetConfig, FleetCredentials, Sealing, SealingKey};
use oauth2_sansio::cache::{CachedToken, SharedToken, TokenError};
use oauth2_sansio::io::redis::{AsyncRedisFleet, RedisFleet};
use oauth2_sansio::io::ureq::UreqTransport;
use oauth2_sansio::rand_core::UnwrapErr;
use oauth2_sansio::{Client, ClientSecret, Credentials, Error, RefreshToken, UserCredentials};
use rand::rngs::SysRng;

/// The fleet's sealing key in these tests.
pub const SEALING_KEY: [u8; 32] = [0x5e; 32];
/// What each thread prints: `ok at-N rt-N` or `error <message>`.
pub const OUTCOME: &str = "fleet outcome: ";

pub const REDIS: &str = "OAUTH2_SANSIO_FLEET_REDIS";
pub const TOKEN_URL: &str = "OAUTH2_SANSIO_FLEET_TOKEN_URL";
pub const TASKS: &str = "OAUTH2_SANSIO_FLEET_TASKS";
pub const LOCK_TTL_MS: &str = "OAUTH2_SANSIO_FLEET_LOCK_TTL_MS";
/// Unix ms: keep reading until then (tokens that live a second make the
/// fleet refresh again and again), then once more at `FINAL_AT`.
pub const LOOP_UNTIL: &str = "OAUTH2_SANSIO_FLEET_LOOP_UNTIL";
pub const FINAL_AT: &str = "OAUTH2_SANSIO_FLEET_FINAL_AT";
/// `async`: tokio tasks on a multi-thread runtime read through an
/// `AsyncRedisFleet`, once each; else threads through a `RedisFleet`.
pub const FORM: &str = "OAUTH2_SANSIO_FLEET_FORM";

/// The credentials every instance starts with: refresh token `rt-0`, no
/// access token yet, renewed only once expired.
pub fn credentials(token_url: &str) -> UserCredentials {
    credentials_with(token_url, "rt-0")
}

/// The same credentials with the refresh token `refresh_token`.
pub fn credentials_with(token_url: &str, refresh_token: &str) -> UserCredentials {
    let client = Client::builder("fleet-client")
        .client_secret(ClientSecret::new("fleet-secret"))
        .authorization_endpoint("http://127.0.0.1/auth")
        .token_endpoint(token_url)
        .allow_insecure_endpoints(true)
        .build()
        .unwrap();
    UserCredentials::from_refresh_token(
        &client,
        RefreshToken::new(refresh_token),
        vec!["api".into()],
    )
    .with_refresh_threshold(Duration::ZERO)
}

pub fn fleet_config(credentials: &UserCredentials, lock_ttl: Duration) -> FleetConfig {
    let sealing = Sealing::Key(SealingKey::new(&SEALING_KEY));
    FleetConfig::new(&credentials.fleet_key("svc"), "test:", sealing).with_lock_ttl(lock_ttl)
}

fn env_u64(name: &str) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// Runs `refresh` over ureq on tokio's blocking pool: an async transport
/// for these tests, which leaves the task's thread to other tasks while the
/// token server answers.
pub async fn refresh_off_thread(
    transport: &UreqTransport,
    refresh: <UserCredentials as Credentials>::Refresh,
) -> Result<UserCredentials, Error> {
    let transport = transport.clone();
    tokio::task::spawn_blocking(move || transport.run(refresh))
        .await
        .expect("the refresh did not panic")
}

/// What a reader prints: `ok at-N rt-N` (the token and the cache's refresh
/// token), or the error.
fn outcome_line(
    cache: &SharedToken<UserCredentials>,
    outcome: Result<CachedToken<UserCredentials>, TokenError>,
) -> String {
    match outcome {
        Ok(token) => {
            let credentials = cache.credentials();
            let refresh = credentials.refresh_token().unwrap().secret();
            format!("ok {} {refresh}", token.bearer().token().secret())
        }
        Err(error) => format!("error {error}"),
    }
}

/// A tokio runtime of two worker threads, timers and IO on.
pub fn multi_thread() -> Runtime {
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    builder.worker_threads(2).enable_all().build().unwrap()
}

/// A tokio runtime on the calling thread alone, timers and IO on.
pub fn current_thread() -> Runtime {
    let mut builder = tokio::runtime::Builder::new_current_thread();
    builder.enable_all().build().unwrap()
}

pub fn unix_ms(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH).unwrap().as_millis() as u64
}

fn sleep_until_ms(ms: u64) {
    let now = unix_ms(SystemTime::now());
    if ms > now {
        std::thread::sleep(Duration::from_millis(ms - now));
    }
}

#[test]
#[ignore = "a child process of the redis_fleet tests, run by them"]
fn fleet_instance() {
    let (Ok(redis), Ok(token_url)) = (std::env::var(REDIS), std::env::var(TOKEN_URL)) else {
        panic!("run by the redis_fleet tests, which set {REDIS} and {TOKEN_URL}");
    };
    let credentials = credentials(&token_url);
    let config = fleet_config(&credentials, Duration::from_millis(env_u64(LOCK_TTL_MS)));
    if std::env::var(FORM).as_deref() == Ok("async") {
        return async_instance(&redis, credentials, config);
    }
    let fleet = RedisFleet::new(&redis, config, &credentials, UnwrapErr(SysRng))
        .unwrap()
        .with_timeout(Duration::from_secs(1))
        .with_warnings(|warning| println!("fleet warning: {warning}"));
    let cache = SharedToken::new(credentials).with_keeper(fleet);
    let transport = UreqTransport::new();
    let (loop_until, final_at) = (env_u64(LOOP_UNTIL), env_u64(FINAL_AT));
    std::thread::scope(|scope| {
        for _ in 0..env_u64(TASKS).max(1) {
            scope.spawn(|| {
                let read = || cache.token_with(SystemTime::now, |refresh| transport.run(refresh));
                let mut outcome = read().map(drop);
                while outcome.is_ok() && unix_ms(SystemTime::now()) < loop_until {
                    outcome = read().map(drop);
                    std::thread::sleep(Duration::from_millis(5));
                }
                sleep_until_ms(final_at);
                let line = outcome_line(&cache, outcome.and_then(|()| read()));
                println!("{OUTCOME}{line}");
            });
        }
    });
}

/// The async instance: M tasks on a multi-thread runtime read once each.
fn async_instance(redis: &str, credentials: UserCredentials, config: FleetConfig) {
    let fleet = AsyncRedisFleet::new(redis, config, &credentials, UnwrapErr(SysRng))
        .unwrap()
        .with_timeout(Duration::from_secs(1))
        .with_warnings(|warning| println!("fleet warning: {warning}"));
    let cache = Arc::new(SharedToken::new(credentials).with_async_keeper(fleet));
    let transport = UreqTransport::new();
    multi_thread().block_on(async {
        let tasks: Vec<_> = (0..env_u64(TASKS).max(1))
            .map(|_| {
                let (cache, transport) = (Arc::clone(&cache), transport.clone());
                tokio::spawn(async move {
                    let outcome = cache
                        .token_async_with(SystemTime::now, |refresh| {
                            refresh_off_thread(&transport, refresh)
                        })
                        .await;
                    outcome_line(&cache, outcome)
                })
            })
            .collect();
        for task in tasks {
            println!("{OUTCOME}{}", task.await.unwrap());
        }
    });
}
