//! Random sources of every rand version where the crate draws secrets:
//! rand 0.8's generators (rand_core 0.6, what most of the ecosystem has)
//! through `EntropyFn` and `RandCore06`, a rand_core 0.9 generator through
//! `RandCore09`. Each draws exactly the bytes its `…_entropy` twin is
//! given (`ClientAssertionKey::new`: in `private_key_jwt`).

use std::time::{Duration, SystemTime};

use oauth2_sansio::{Client, EntropyFn, PendingAuthorization};
use rand08::rngs::StdRng;
use rand08::{RngCore, SeedableRng};

const REDIRECT: &str = "http://127.0.0.1:8080/";

fn now() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000)
}

fn client() -> Client {
    Client::google("id", None).build().unwrap()
}

/// The first `N` bytes of rand 0.8's `StdRng` seeded with `seed`.
pub fn drawn<const N: usize>(seed: u64) -> [u8; N] {
    let mut bytes = [0; N];
    StdRng::seed_from_u64(seed).fill_bytes(&mut bytes);
    bytes
}

/// The authorization the same 64 bytes make through `build_with_entropy`.
fn expected(seed: u64) -> (String, PendingAuthorization) {
    let (url, pending) = client()
        .authorization_request(REDIRECT)
        .build_with_entropy(now(), &drawn(seed))
        .unwrap();
    (url.to_string(), pending)
}

#[test]
fn an_authorization_url_from_a_rand_08_rng_through_entropy_fn() {
    let mut rng = StdRng::seed_from_u64(17);
    let (url, pending) = client()
        .authorization_request(REDIRECT)
        .build(now(), &mut EntropyFn::new(|bytes| rng.fill_bytes(bytes)))
        .unwrap();
    let (expected_url, expected) = expected(17);
    assert_eq!(url.as_str(), expected_url);
    assert_eq!(pending.state().secret(), expected.state().secret());
}

#[test]
fn rand_08s_thread_rng_draws_a_fresh_state_each_time() {
    let mut rng = rand08::thread_rng();
    let mut entropy = EntropyFn::new(|bytes| rng.fill_bytes(bytes));
    let build = |entropy: &mut _| {
        client()
            .authorization_request(REDIRECT)
            .build(now(), entropy)
            .unwrap()
            .1
    };
    let (first, second) = (build(&mut entropy), build(&mut entropy));
    assert_eq!(first.state().secret().len(), 43);
    assert_ne!(first.state().secret(), second.state().secret());
}

#[test]
fn a_start_link_from_a_rand_08_rng() {
    use oauth2_sansio::loopback::LoopbackCallback;
    let callback = || {
        let (url, pending) = expected(29);
        let url = oauth2_sansio::url::Url::parse(&url).unwrap().into();
        (LoopbackCallback::new(pending, client()).unwrap(), url)
    };
    let mut rng = StdRng::seed_from_u64(31);
    let (first, url) = callback();
    let linked = first.with_start_link(&url, &mut EntropyFn::new(|bytes| rng.fill_bytes(bytes)));
    let (second, url) = callback();
    let twin = second.with_start_link_from_entropy(&url, &drawn(31));
    assert_eq!(linked.start_path(), twin.start_path());
}

#[cfg(feature = "rand_core_06")]
#[test]
fn rand_08_rngs_go_in_wrapped_in_rand_core_06() {
    use oauth2_sansio::RandCore06;
    let (url, _) = client()
        .authorization_request(REDIRECT)
        .build(now(), &mut RandCore06(StdRng::seed_from_u64(37)))
        .unwrap();
    assert_eq!(url.to_string(), expected(37).0);
    // A borrowed generator, too: rand 0.8's ChaCha from the system's entropy.
    let mut chacha = rand08::rngs::StdRng::from_entropy();
    let (first, _) = client()
        .authorization_request(REDIRECT)
        .build(now(), &mut RandCore06(&mut chacha))
        .unwrap();
    assert_eq!(
        first
            .url()
            .query_pairs()
            .filter(|(k, _)| k == "state")
            .count(),
        1
    );
}

#[cfg(feature = "rand_core_09")]
#[test]
fn rand_core_09_rngs_go_in_wrapped_in_rand_core_09() {
    use oauth2_sansio::RandCore09;

    /// rand 0.9's `StdRng` stand-in: the bytes of rand 0.8's, seeded alike.
    struct Rng09(StdRng);
    impl rand_core_09::RngCore for Rng09 {
        fn next_u32(&mut self) -> u32 {
            self.0.next_u32()
        }
        fn next_u64(&mut self) -> u64 {
            self.0.next_u64()
        }
        fn fill_bytes(&mut self, bytes: &mut [u8]) {
            self.0.fill_bytes(bytes);
        }
    }
    impl rand_core_09::CryptoRng for Rng09 {}

    let (url, _) = client()
        .authorization_request(REDIRECT)
        .build(now(), &mut RandCore09(Rng09(StdRng::seed_from_u64(41))))
        .unwrap();
    assert_eq!(url.to_string(), expected(41).0);
}
