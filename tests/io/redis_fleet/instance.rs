//! One instance of the fleet, as a child process: this test binary run
//! with only the ignored test [`fleet_instance`], its settings in the
//! environment. It reads a token from M threads through a `SharedToken`
//! kept by a `RedisFleet`, then prints one line per thread for the parent.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use oauth2_sansio::cache::fleet::{FleetConfig, FleetCredentials, Sealing, SealingKey};
use oauth2_sansio::cache::SharedToken;
use oauth2_sansio::io::redis::RedisFleet;
use oauth2_sansio::io::ureq::UreqTransport;
use oauth2_sansio::rand_core::UnwrapErr;
use oauth2_sansio::{Client, ClientSecret, RefreshToken, UserCredentials};
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
                let line = match outcome.and_then(|()| read()) {
                    Ok(token) => {
                        let credentials = cache.credentials();
                        let refresh = credentials.refresh_token().unwrap().secret();
                        format!("ok {} {refresh}", token.bearer().token().secret())
                    }
                    Err(error) => format!("error {error}"),
                };
                println!("{OUTCOME}{line}");
            });
        }
    });
}
