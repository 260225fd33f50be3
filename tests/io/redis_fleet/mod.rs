//! Credentials shared through a real Redis (a throwaway `redis-server` on
//! 127.0.0.1) by several processes (this binary, run again as
//! `instance::fleet_instance`) and threads: one refresh per fleet, rotation
//! under contention without loss, a lock holder killed mid-refresh, Redis
//! stopped and started again, a foreign entry overwritten. The async form
//! (tokio tasks over `AsyncRedisFleet`) in `async_fleet`.

mod agreement;
mod async_fleet;
mod instance;
mod token_server;

use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use oauth2_sansio::cache::fleet::{decode_entry, FleetConfig, Sealing, SealingKey, SharedState};
use oauth2_sansio::cache::{CachedToken, KeepErrorKind, SharedToken, TokenError};
use oauth2_sansio::io::redis::{AsyncRedisFleet, FleetWarning, RedisFleet, RedisFleetError};
use oauth2_sansio::io::ureq::UreqTransport;
use oauth2_sansio::rand_core::UnwrapErr;
use oauth2_sansio::UserCredentials;
use rand::rngs::SysRng;
use testkit::redis_server::RedisServer;

use instance::*;
use token_server::TokenServer;

/// Starts one instance: `tasks` threads, the lock living `lock_ttl`, and
/// `extra` settings (`(FORM, "async")`: tokio tasks instead of threads).
fn spawn(
    redis: &RedisServer,
    server: &TokenServer,
    tasks: u32,
    lock_ttl: Duration,
    extra: &[(&str, String)],
) -> Child {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .args([
            "redis_fleet::instance::fleet_instance",
            "--exact",
            "--ignored",
            "--nocapture",
        ])
        .env(REDIS, redis.url())
        .env(TOKEN_URL, server.url())
        .env(TASKS, tasks.to_string())
        .env(LOCK_TTL_MS, lock_ttl.as_millis().to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (name, value) in extra {
        command.env(name, value);
    }
    command.spawn().unwrap()
}

/// The outcome lines of a finished instance (one per thread).
fn outcomes(child: Child) -> Vec<String> {
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the instance failed\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
        .lines()
        .filter_map(|line| line.strip_prefix(OUTCOME))
        .map(str::to_owned)
        .collect()
}

/// Each of the `readers` of `children` read the token of the first
/// refresh.
fn all_read_the_first_refresh(children: Vec<Child>, readers: usize) {
    let lines: Vec<String> = children.into_iter().flat_map(outcomes).collect();
    assert_eq!(lines.len(), readers, "{lines:?}");
    assert!(lines.iter().all(|line| line == "ok at-1 rt-1"), "{lines:?}");
}

/// What the fleet's entry in Redis holds.
fn stored(redis: &RedisServer, config: &FleetConfig) -> Option<SharedState> {
    let value = redis.get(config.entry_key())?;
    let sealing = Sealing::Key(SealingKey::new(&SEALING_KEY));
    Some(decode_entry(&sealing, config.entry_key(), &value).expect("a valid entry"))
}

#[test]
fn one_request_reaches_the_token_endpoint_for_four_processes_of_eight_threads() {
    let redis = RedisServer::start();
    let server = TokenServer::start(3600, false);
    let children: Vec<Child> = (0..4)
        .map(|_| spawn(&redis, &server, 8, Duration::from_secs(5), &[]))
        .collect();
    all_read_the_first_refresh(children, 32);
    server.assert_requests(1);
    // A Redis dump holds no usable token.
    let credentials = credentials(&server.url());
    let config = fleet_config(&credentials, Duration::from_secs(5));
    let raw = redis.get(config.entry_key()).unwrap();
    for secret in ["at-1", "rt-1", "svc", "fleet-client"] {
        assert!(
            !raw.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "{secret} in clear"
        );
        assert!(redis.keys().iter().all(|key| !key.contains(secret)));
    }
    assert_eq!(
        stored(&redis, &config)
            .unwrap()
            .refresh_token()
            .unwrap()
            .secret(),
        "rt-1"
    );
}

#[test]
fn a_rotating_server_under_contention_leaves_every_instance_with_the_latest_refresh_token() {
    let redis = RedisServer::start();
    // Tokens that live a second: the fleet refreshes again and again.
    let server = TokenServer::start(1, false);
    let start = instance::unix_ms(SystemTime::now());
    let timing = [
        (LOOP_UNTIL, (start + 3_000).to_string()),
        (FINAL_AT, (start + 4_500).to_string()),
    ];
    let children: Vec<Child> = (0..3)
        .map(|_| spawn(&redis, &server, 4, Duration::from_secs(5), &timing))
        .collect();
    let lines: Vec<String> = children.into_iter().flat_map(outcomes).collect();
    let counts = server.counts();
    assert_eq!(counts.invalid_grants, 0, "{counts:?} {lines:?}");
    assert_eq!(counts.requests, counts.latest, "{counts:?}");
    assert!(
        counts.latest >= 3,
        "tokens were renewed several times: {counts:?}"
    );
    let latest = format!("ok at-{0} rt-{0}", counts.latest);
    assert_eq!(lines.len(), 12, "{lines:?}");
    assert!(
        lines.iter().all(|line| *line == latest),
        "{latest}: {lines:?}"
    );
}

#[test]
fn a_holder_killed_mid_refresh_loses_the_lock_and_another_instance_refreshes() {
    let redis = RedisServer::start();
    let server = TokenServer::start(3600, true);
    let lock_ttl = Duration::from_millis(1500);
    let mut holder = spawn(&redis, &server, 1, lock_ttl, &[]);
    let deadline = Instant::now() + Duration::from_secs(10);
    while server.counts().requests == 0 {
        assert!(
            Instant::now() < deadline,
            "the holder never reached the server"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let credentials = credentials(&server.url());
    let config = fleet_config(&credentials, lock_ttl);
    assert!(
        redis.get(config.lock_key()).is_some(),
        "the holder holds the lock"
    );
    holder.kill().unwrap(); // SIGKILL
    holder.wait().unwrap();

    let started = Instant::now();
    let lines = outcomes(spawn(&redis, &server, 2, lock_ttl, &[]));
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(lines, ["ok at-1 rt-1", "ok at-1 rt-1"]);
    server.assert_requests(2);
    assert_eq!(
        stored(&redis, &config)
            .unwrap()
            .refresh_token()
            .unwrap()
            .secret(),
        "rt-1"
    );
    assert!(
        redis.get(config.lock_key()).is_none(),
        "the lock was released"
    );
}

/// Which keeper a cache in this process has.
#[derive(Clone, Copy)]
enum Form {
    Blocking,
    Async,
}

/// A cache in this process over `redis`, in `form`, each Redis command
/// bounded by `timeout`, its warnings collected.
fn cache_in_process(
    redis: &RedisServer,
    server: &TokenServer,
    timeout: Duration,
    form: Form,
) -> (
    SharedToken<oauth2_sansio::UserCredentials>,
    Arc<Mutex<Vec<String>>>,
    FleetConfig,
) {
    let credentials = credentials(&server.url());
    let warnings = Arc::new(Mutex::new(Vec::new()));
    let warn = {
        let warnings = Arc::clone(&warnings);
        move |warning: &FleetWarning| warnings.lock().unwrap().push(format!("{warning}"))
    };
    let config = || fleet_config(&credentials, Duration::from_secs(5));
    let cache = SharedToken::new(credentials.clone());
    let cache = match form {
        Form::Blocking => cache.with_keeper(
            RedisFleet::new(&redis.url(), config(), &credentials, UnwrapErr(SysRng))
                .unwrap()
                .with_timeout(timeout)
                .with_warnings(warn),
        ),
        Form::Async => cache.with_async_keeper(
            AsyncRedisFleet::new(&redis.url(), config(), &credentials, UnwrapErr(SysRng))
                .unwrap()
                .with_timeout(timeout)
                .with_warnings(warn),
        ),
    };
    (cache, warnings, config())
}

/// Reads a token through `cache` as a blocking instance does.
fn read_token(
    cache: &SharedToken<UserCredentials>,
    transport: &UreqTransport,
) -> Result<CachedToken<UserCredentials>, TokenError> {
    cache.token_with(SystemTime::now, |refresh| transport.run(refresh))
}

/// The access token [`read_token`] gets.
fn blocking_token(cache: &SharedToken<UserCredentials>, transport: &UreqTransport) -> String {
    let token = read_token(cache, transport).unwrap();
    token.bearer().token().secret().to_owned()
}

#[test]
fn with_redis_down_an_instance_refreshes_alone_and_shares_again_once_it_is_back() {
    let redis = RedisServer::start();
    let server = TokenServer::start(1, false);
    let (cache, warnings, config) =
        cache_in_process(&redis, &server, Duration::from_millis(500), Form::Blocking);
    let transport = UreqTransport::new();
    let token = || blocking_token(&cache, &transport);
    survives_an_outage(redis, &server, &cache, &warnings, &config, token);
}

/// Reads `token` through `cache` with Redis up (shared), stopped (alone,
/// with warnings, no error), and started again (shared again, silent).
fn survives_an_outage(
    mut redis: RedisServer,
    server: &TokenServer,
    cache: &SharedToken<UserCredentials>,
    warnings: &Mutex<Vec<String>>,
    config: &FleetConfig,
    token: impl Fn() -> String,
) {
    let expire = || std::thread::sleep(Duration::from_millis(1100));

    assert_eq!(token(), "at-1");
    assert!(warnings.lock().unwrap().is_empty());
    assert_eq!(
        stored(&redis, config).unwrap().token().token().secret(),
        "at-1"
    );

    redis.stop();
    expire();
    assert_eq!(token(), "at-2", "refreshed alone, no panic, no error");
    let seen = warnings.lock().unwrap().clone();
    assert!(
        seen.iter()
            .any(|w| w.contains("refreshing without the fleet")),
        "{seen:?}"
    );
    assert!(
        seen.iter()
            .any(|w| w.contains("shared at its next refresh")),
        "{seen:?}"
    );
    assert_eq!(
        cache.keep_failure().map(|f| f.kind()),
        Some(KeepErrorKind::Io)
    );

    redis.start_again();
    expire();
    warnings.lock().unwrap().clear();
    assert_eq!(token(), "at-3");
    assert!(
        warnings.lock().unwrap().is_empty(),
        "{:?}",
        warnings.lock().unwrap()
    );
    assert!(cache.keep_failure().is_none());
    assert_eq!(
        stored(&redis, config)
            .unwrap()
            .refresh_token()
            .unwrap()
            .secret(),
        "rt-3"
    );
    server.assert_requests(3);
}

#[test]
fn with_redis_frozen_an_instance_refreshes_alone_within_the_timeouts_and_shares_again_after() {
    let redis = RedisServer::start();
    // Tokens that live 2 s, well above the time two timed-out commands
    // take (else each refreshed token expires before it is served).
    let server = TokenServer::start(2, false);
    let (cache, warnings, config) =
        cache_in_process(&redis, &server, Duration::from_millis(200), Form::Blocking);
    let transport = UreqTransport::new();
    let token = || blocking_token(&cache, &transport);
    assert_eq!(token(), "at-1");

    redis.freeze();
    std::thread::sleep(Duration::from_millis(2100));
    assert_eq!(token(), "at-2");
    redis.resume();
    let seen = warnings.lock().unwrap().clone();
    assert!(
        seen.iter()
            .any(|w| w.contains("refreshing without the fleet")),
        "{seen:?}"
    );

    std::thread::sleep(Duration::from_millis(2100));
    warnings.lock().unwrap().clear();
    assert_eq!(token(), "at-3");
    assert!(
        warnings.lock().unwrap().is_empty(),
        "{:?}",
        warnings.lock().unwrap()
    );
    assert_eq!(
        stored(&redis, &config)
            .unwrap()
            .refresh_token()
            .unwrap()
            .secret(),
        "rt-3"
    );
    assert_eq!(server.counts().invalid_grants, 0);
}

#[test]
fn a_foreign_or_damaged_entry_is_ignored_and_overwritten() {
    let redis = RedisServer::start();
    let server = TokenServer::start(3600, false);
    let (cache, warnings, config) =
        cache_in_process(&redis, &server, Duration::from_millis(500), Form::Blocking);
    let transport = UreqTransport::new();
    for (value, warning) in [
        (
            "7:s-not-sealed-by-this-key",
            "does not open with this sealing key",
        ),
        ("{\"foreign\":true}", "not written by this crate"),
    ] {
        redis.command(&["SET", config.entry_key(), value]).unwrap();
        warnings.lock().unwrap().clear();
        let latest = format!("rt-{}", server.counts().latest);
        cache.replace(credentials_with(&server.url(), &latest));
        assert!(blocking_token(&cache, &transport).starts_with("at-"));
        let seen = warnings.lock().unwrap().clone();
        assert!(seen.iter().any(|w| w.contains(warning)), "{seen:?}");
        assert!(
            stored(&redis, &config).is_some(),
            "overwritten with a valid entry"
        );
    }
    assert_eq!(server.counts().invalid_grants, 0);
}

#[test]
fn dpop_bound_credentials_are_shared_only_when_every_instance_holds_the_key() {
    let redis = RedisServer::start();
    let key = oauth2_sansio::dpop::DpopKey::generate().unwrap();
    let bound = credentials("http://127.0.0.1:1/token").with_dpop(key.clone());
    let config = || fleet_config(&bound, Duration::from_secs(5));
    let refused = RedisFleet::new(&redis.url(), config(), &bound, UnwrapErr(SysRng)).unwrap_err();
    assert_eq!(refused, RedisFleetError::DpopBound);
    assert!(refused.to_string().contains("with_shared_dpop_key"));
    assert!(RedisFleet::new(
        &redis.url(),
        config().with_shared_dpop_key(),
        &bound,
        UnwrapErr(SysRng),
    )
    .is_ok());
    // A key bound to another DPoP key, or to none, is another entry.
    let unbound = fleet_config(
        &credentials("http://127.0.0.1:1/token"),
        Duration::from_secs(5),
    );
    assert_ne!(config().entry_key(), unbound.entry_key());
    let other = credentials("http://127.0.0.1:1/token")
        .with_dpop(oauth2_sansio::dpop::DpopKey::generate().unwrap());
    assert_ne!(
        config().entry_key(),
        fleet_config(&other, Duration::from_secs(5)).entry_key()
    );
}
