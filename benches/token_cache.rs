//! Reading a fresh token from the cache, alone and from 1, 2, 4 and 8
//! threads at once, beside the `RwLock<HashMap<scopes, Arc<Token>>>` that
//! gcp_auth reads (the scopes key built per call, a read lock, an `Arc`
//! clone, an expiry check), and beside the cache's own read without its
//! per-thread replicas (one `RwLock` over one token). Figures:
//! benches/RESULTS-cache.md.

mod common;

use std::hint::black_box;
use std::sync::{Arc, Barrier, RwLock};
use std::thread;
use std::time::{Duration, Instant, SystemTime};

use common::gcp_auth_cache::GcpAuthLike;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use oauth2_sansio::cache::{CachedToken, Lookup, SharedToken, TokenManager};
use oauth2_sansio::{drive, Client, Credentials, RefreshToken, UserCredentials};

const SCOPES: &[&str] = &["https://www.googleapis.com/auth/cloud-platform"];

fn now() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_767_225_600)
}

fn credentials() -> UserCredentials {
    let client = Client::google("bench", None).build().unwrap();
    let scopes = SCOPES.iter().map(|s| s.to_string()).collect();
    let signed_in = UserCredentials::from_refresh_token(&client, RefreshToken::new("1//r"), scopes);
    let body = br#"{"access_token":"ya29.bench","token_type":"Bearer","expires_in":3599}"#;
    drive(
        signed_in.refresh().unwrap(),
        now,
        |_| Ok(http::Response::new(body.to_vec())),
        |_| {},
    )
    .unwrap()
}

fn no_transport(
    _: http::Request<Vec<u8>>,
) -> Result<http::Response<Vec<u8>>, oauth2_sansio::TransportFailure> {
    unreachable!("the token is fresh")
}

/// The same read without replicas: one `RwLock` over one cached token.
fn one_rwlock() -> RwLock<CachedToken<UserCredentials>> {
    match TokenManager::new(credentials()).lookup(now()) {
        Ok(Lookup::Ready(token)) => RwLock::new(token),
        _ => unreachable!("fresh"),
    }
}

fn read_one(
    lock: &RwLock<CachedToken<UserCredentials>>,
    now: SystemTime,
) -> CachedToken<UserCredentials> {
    let token = lock.read().unwrap().clone();
    assert!(token.bearer().expiry() > Some(now));
    token
}

fn uncontended(c: &mut Criterion) {
    let shared = SharedToken::new(credentials());
    let single = one_rwlock();
    let mut manager = TokenManager::new(credentials());
    let baseline = GcpAuthLike::new(SCOPES, "ya29.bench", now() + Duration::from_secs(3599));
    let mut group = c.benchmark_group("cache_read_uncontended");
    group.bench_function("shared_token_cached", |b| {
        b.iter(|| shared.cached(black_box(now())).unwrap())
    });
    group.bench_function("shared_token_token", |b| {
        b.iter(|| shared.token(now, no_transport).unwrap())
    });
    group.bench_function("manager_lookup_sans_io", |b| {
        b.iter(|| manager.lookup(black_box(now())).unwrap())
    });
    group.bench_function("one_rwlock_no_replicas", |b| {
        b.iter(|| read_one(&single, black_box(now())))
    });
    group.bench_function("gcp_auth_rwlock_hashmap", |b| {
        b.iter(|| {
            let token = baseline.token(black_box(SCOPES), black_box(now())).unwrap();
            black_box(token.access_token.len());
            token
        })
    });
    group.finish();
}

/// Wall time for `threads` threads to each call `read` `iters` times,
/// started together.
fn concurrently(threads: usize, iters: u64, read: &(dyn Fn() + Sync)) -> Duration {
    let start_line = Barrier::new(threads + 1);
    let started = thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                start_line.wait();
                for _ in 0..iters {
                    read();
                }
            });
        }
        start_line.wait();
        Instant::now()
    });
    started.elapsed()
}

fn contended(c: &mut Criterion) {
    let shared = SharedToken::new(credentials());
    let single = one_rwlock();
    let baseline = GcpAuthLike::new(SCOPES, "ya29.bench", now() + Duration::from_secs(3599));
    // The ceiling: each thread clones an `Arc` no other thread touches.
    // It shows how much parallelism the machine offered during the run.
    thread_local! {
        static OWN: Arc<u64> = Arc::new(0);
    }
    let control = || {
        black_box(OWN.with(Arc::clone));
    };
    let no_replicas = || {
        black_box(read_one(&single, now()));
    };
    let ours = || {
        black_box(shared.token(now, no_transport).unwrap());
    };
    let gcp_auth = || {
        black_box(baseline.token(black_box(SCOPES), now()).unwrap());
    };
    let mut group = c.benchmark_group("cache_read_threads");
    for threads in [1, 2, 4, 8] {
        // One iteration = one read on each thread: criterion's
        // elements per second is the total read rate.
        group.throughput(Throughput::Elements(threads as u64));
        let readers: [(&str, &(dyn Fn() + Sync)); 4] = [
            ("shared_token", &ours),
            ("control_thread_local_arc", &control),
            ("one_rwlock_no_replicas", &no_replicas),
            ("gcp_auth_rwlock_hashmap", &gcp_auth),
        ];
        for (name, read) in readers {
            group.bench_with_input(BenchmarkId::new(name, threads), &threads, |b, &n| {
                b.iter_custom(|iters| concurrently(n, iters, read))
            });
        }
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = uncontended, contended
}
criterion_main!(benches);
