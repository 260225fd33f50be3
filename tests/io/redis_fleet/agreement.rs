//! The Redis stores (blocking and async, taking turns on one server) and
//! the in-memory store answer every generated sequence of operations
//! alike: the Lua compare-and-delete and compare-and-swap read versions by
//! the same rule as `fleet::version_of`, on values this crate writes and on
//! foreign ones.

use std::time::{Duration, SystemTime};

use oauth2_sansio::cache::fleet::{MemoryStore, StoreOp};
use oauth2_sansio::io::redis::{AsyncRedisStore, RedisStore};
use proptest::prelude::*;
use proptest::test_runner::RngSeed;
use testkit::redis_server::RedisServer;

const TTL: Duration = Duration::from_secs(60);

fn op() -> impl Strategy<Value = StoreOp> {
    let key = prop_oneof![Just("k1".to_owned()), Just("k2".to_owned())];
    let prefix = prop_oneof![
        Just(""),
        Just("3:"),
        Just("12:"),
        Just("007:"),
        Just("x:"),
        Just(":")
    ];
    let value = (prefix, "[a-z:0-9]{0,6}").prop_map(|(p, body)| format!("{p}{body}").into_bytes());
    let expected = prop_oneof![
        Just(""),
        Just("3"),
        Just("12"),
        Just("007"),
        Just("7"),
        Just("x")
    ];
    let owner = prop_oneof![
        Just("o1".to_owned()),
        Just("o2".to_owned()),
        Just("3:a".to_owned())
    ];
    prop_oneof![
        key.clone().prop_map(|key| StoreOp::Get { key }),
        (key.clone(), owner.clone()).prop_map(|(key, owner)| StoreOp::Acquire {
            key,
            owner,
            ttl: TTL
        }),
        (key.clone(), owner).prop_map(|(key, owner)| StoreOp::Release { key, owner }),
        (key, expected, value).prop_map(|(key, expected, value)| StoreOp::Swap {
            key,
            expected: expected.to_owned(),
            value,
            ttl: TTL,
        }),
    ]
}

#[test]
fn both_redis_stores_answer_every_operation_as_the_in_memory_store_does() {
    let redis = RedisServer::start();
    let blocking = RedisStore::new(&redis.url(), Duration::from_secs(2)).unwrap();
    let asynchronous = AsyncRedisStore::new(&redis.url(), Duration::from_secs(2)).unwrap();
    let runtime = super::instance::current_thread();
    let config = ProptestConfig {
        cases: 64,
        rng_seed: RngSeed::Fixed(0x0ed1_2026),
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    proptest!(config, |(ops in prop::collection::vec(op(), 1..30))| {
        assert_eq!(redis.command(&["FLUSHDB"]).as_deref(), Some("+OK"));
        let mut memory = MemoryStore::new();
        let now = SystemTime::now();
        for (turn, op) in ops.into_iter().enumerate() {
            let expected = memory.apply(&op, now);
            let reply = if turn % 2 == 0 {
                blocking.execute(op.clone())
            } else {
                runtime.block_on(asynchronous.execute(op.clone()))
            };
            prop_assert_eq!(reply, Ok(expected), "{:?}", op);
        }
    });
}
