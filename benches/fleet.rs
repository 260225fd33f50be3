//! Reading a fresh token that another process shared through Redis (a
//! throwaway `redis-server` on 127.0.0.1, the fleet's entry written
//! beforehand) beside reading it from the process's own cache:
//!
//! - `local_cache_read`: `SharedToken::token` with a fresh cached token;
//! - `redis_fresh_read`: what an instance without the token pays to take
//!   the fleet's, `RedisFleet`'s `Keeper::prepare`: one `GET` over a kept
//!   connection, AES-256-GCM open, JSON read, the credentials rebuilt;
//! - `redis_fresh_read_plain`: the same, the entry stored in clear;
//! - `decode_sealed_entry`, `decode_plain_entry`: reading the entry alone,
//!   without Redis (what sealing costs).
//!
//! Figures: README ("Many instances").

use std::hint::black_box;
use std::time::{Duration, SystemTime};

use criterion::{criterion_group, criterion_main, Criterion};
use oauth2_sansio::cache::fleet::{
    decode_entry, run_fleet, FleetCommit, FleetConfig, FleetCredentials, FleetPrepare, MemoryStore,
    Prepared, Sealing, SealingKey,
};
use oauth2_sansio::cache::{Keeper, SharedToken};
use oauth2_sansio::io::redis::{RedisFleet, RedisStore};
use oauth2_sansio::rand_core::UnwrapErr;
use oauth2_sansio::{drive, Client, Credentials, RefreshToken, TransportFailure, UserCredentials};
use rand::rngs::SysRng;
use testkit::redis_server::RedisServer;

fn fresh_credentials() -> UserCredentials {
    let client = Client::google("bench", None).build().unwrap();
    let signed_in =
        UserCredentials::from_refresh_token(&client, RefreshToken::new("1//r"), vec!["api".into()]);
    let body = br#"{"access_token":"ya29.bench","token_type":"Bearer","expires_in":3599,"refresh_token":"1//r2"}"#;
    drive(
        signed_in.refresh().unwrap(),
        SystemTime::now,
        |_| Ok(http::Response::new(body.to_vec())),
        |_| {},
    )
    .unwrap()
}

fn no_transport(_: http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>, TransportFailure> {
    unreachable!("the token is fresh")
}

/// A fleet over `redis` whose entry holds `credentials`' fresh token,
/// written by another instance's commit.
fn shared_fleet(
    redis: &RedisServer,
    credentials: &UserCredentials,
    sealing: fn() -> Sealing,
) -> RedisFleet<UserCredentials> {
    let config = || FleetConfig::new(&credentials.fleet_key("bench"), "bench:", sealing());
    let writer = config();
    let store = RedisStore::new(&redis.url(), Duration::from_secs(2)).unwrap();
    let prepared = run_fleet(
        FleetPrepare::new(&writer, "writer".into(), Duration::ZERO),
        SystemTime::now,
        |op| store.execute(op),
    );
    let Prepared::Held { lock, .. } = prepared else {
        panic!("an empty store: {prepared:?}")
    };
    let state = credentials.shared_state().unwrap();
    let commit = FleetCommit::locked(&writer, lock, state, [9; 12]);
    run_fleet(commit, SystemTime::now, |op| store.execute(op));
    RedisFleet::new(&redis.url(), config(), credentials, UnwrapErr(SysRng)).unwrap()
}

fn sealed() -> Sealing {
    Sealing::Key(SealingKey::new(&[3; 32]))
}

fn bench(c: &mut Criterion) {
    let redis = RedisServer::start();
    let credentials = fresh_credentials();

    let cache = SharedToken::new(credentials.clone());
    c.bench_function("local_cache_read", |b| {
        b.iter(|| black_box(cache.token(SystemTime::now, no_transport).unwrap()))
    });

    for (name, sealing) in [
        ("decode_sealed_entry", sealed as fn() -> Sealing),
        ("decode_plain_entry", Sealing::plain_by_choice),
    ] {
        let config = FleetConfig::new(&credentials.fleet_key("bench"), "bench:", sealing());
        let mut store = MemoryStore::new();
        let now = SystemTime::now();
        let prepared = run_fleet(
            FleetPrepare::new(&config, "w".into(), Duration::ZERO),
            || now,
            |op| Ok(store.apply(&op, now)),
        );
        let Prepared::Held { lock, .. } = prepared else {
            panic!("{prepared:?}")
        };
        let commit =
            FleetCommit::locked(&config, lock, credentials.shared_state().unwrap(), [9; 12]);
        run_fleet(commit, || now, |op| Ok(store.apply(&op, now)));
        let value = store.get(config.entry_key(), now).unwrap().to_vec();
        let reading = sealing();
        c.bench_function(name, |b| {
            b.iter(|| {
                black_box(decode_entry(&reading, config.entry_key(), black_box(&value)).unwrap())
            })
        });
    }

    for (name, sealing) in [
        ("redis_fresh_read", sealed as fn() -> Sealing),
        ("redis_fresh_read_plain", Sealing::plain_by_choice),
    ] {
        let fleet = shared_fleet(&redis, &credentials, sealing);
        c.bench_function(name, |b| {
            b.iter(|| {
                let (_prepared, taken) = fleet.prepare().unwrap();
                let taken = taken.expect("the shared token is fresh");
                assert_eq!(taken.token().unwrap().token().secret(), "ya29.bench");
                black_box(taken)
            })
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
