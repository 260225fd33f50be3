//! The fleet machines against the in-memory store on a fake clock: the
//! paths the model-based property tests reach rarely or never.

use std::cell::Cell;
use std::time::{Duration, SystemTime};

use super::*;
use crate::credentials::BearerToken;
use crate::secret::{AccessToken, RefreshToken};

fn config() -> FleetConfig {
    let key = FleetKey::new("https://idp/token", "client", "svc");
    FleetConfig::new(&key, "t:", Sealing::Key(SealingKey::new(&[1; 32])))
        .with_lock_ttl(Duration::from_secs(1))
}

fn start() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000)
}

fn state(n: u32, expiry: SystemTime) -> SharedState {
    let token = BearerToken::new(AccessToken::new(format!("at-{n}")), Some(expiry));
    SharedState::new(token).with_refresh_token(Some(RefreshToken::new(format!("rt-{n}"))))
}

/// Runs `machine` on `store`, the clock moving to the end of each sleep.
fn run<M: FleetMachine>(
    machine: M,
    store: &mut MemoryStore,
    clock: &Cell<SystemTime>,
) -> M::Output {
    run_fleet(
        machine,
        || clock.get(),
        |op| {
            if let StoreOp::Sleep { until } = op {
                clock.set(until);
            }
            Ok(store.apply(&op, clock.get()))
        },
    )
}

fn take_lock(config: &FleetConfig, store: &mut MemoryStore, clock: &Cell<SystemTime>) -> HeldLock {
    match run(
        FleetPrepare::new(config, "a".into(), Duration::ZERO),
        store,
        clock,
    ) {
        Prepared::Held { lock, .. } => lock,
        other => panic!("{other:?}"),
    }
}

/// Instance `b` prepares a refresh.
fn prepare_as_b(
    config: &FleetConfig,
    store: &mut MemoryStore,
    clock: &Cell<SystemTime>,
) -> Prepared {
    run(
        FleetPrepare::new(config, "b".into(), Duration::ZERO),
        store,
        clock,
    )
}

#[test]
fn a_waiter_gives_up_busy_after_its_wait_limit() {
    let config = config().with_wait_limit(Duration::from_millis(300));
    let (mut store, clock) = (MemoryStore::new(), Cell::new(start()));
    let _held = take_lock(&config, &mut store, &clock);
    let outcome = prepare_as_b(&config, &mut store, &clock);
    let Prepared::Busy { waited } = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(waited, Duration::from_millis(300));
}

#[test]
fn a_dead_holders_lock_passes_to_a_waiter_after_its_lifetime() {
    let config = config();
    let (mut store, clock) = (MemoryStore::new(), Cell::new(start()));
    let _dead = take_lock(&config, &mut store, &clock);
    let outcome = prepare_as_b(&config, &mut store, &clock);
    assert!(
        matches!(outcome, Prepared::Held { ref lock, .. } if lock.owner() == "b"),
        "{outcome:?}"
    );
    assert!(clock.get() >= start() + Duration::from_secs(1));
}

#[test]
fn a_waiter_takes_the_token_the_holder_shares() {
    let config = config();
    let (mut store, clock) = (MemoryStore::new(), Cell::new(start()));
    let lock = take_lock(&config, &mut store, &clock);
    let commit = FleetCommit::locked(
        &config,
        lock,
        state(1, start() + Duration::from_secs(60)),
        [0; 12],
    );
    assert_eq!(run(commit, &mut store, &clock), Committed::Kept);
    assert_eq!(store.get(config.lock_key(), clock.get()), None, "released");
    let outcome = prepare_as_b(&config, &mut store, &clock);
    assert!(
        matches!(outcome, Prepared::Fresh(ref s) if *s == state(1, start() + Duration::from_secs(60)))
    );
}

#[test]
fn a_store_failure_ends_in_unavailable() {
    let config = config();
    let failure = StoreFailure("down".into());
    let outcome = run_fleet(
        FleetPrepare::new(&config, "a".into(), Duration::ZERO),
        start,
        |_| Err(failure.clone()),
    );
    assert!(matches!(outcome, Prepared::Unavailable(ref f) if *f == failure));
}

#[test]
fn a_holder_whose_lock_expired_cannot_overwrite_the_next_holders_write() {
    let config = config();
    let (mut store, clock) = (MemoryStore::new(), Cell::new(start()));
    let slow = take_lock(&config, &mut store, &clock);
    clock.set(start() + Duration::from_secs(2));
    let next = take_lock(&config, &mut store, &clock);
    let later = start() + Duration::from_secs(3600);
    let commit = FleetCommit::locked(&config, next, state(2, later), [0; 12]);
    assert_eq!(run(commit, &mut store, &clock), Committed::Kept);
    let commit = FleetCommit::locked(&config, slow, state(1, later), [0; 12]);
    assert_eq!(run(commit, &mut store, &clock), Committed::Superseded);
    let value = store.get(config.entry_key(), clock.get()).unwrap();
    assert_eq!(
        decode_entry(&config.sealing, config.entry_key(), value),
        Ok(state(2, later))
    );
    assert_eq!(version_of(value), "1");
}

#[test]
fn an_unlocked_write_keeps_a_newer_entry_and_replaces_an_older_one() {
    let config = config();
    let (mut store, clock) = (MemoryStore::new(), Cell::new(start()));
    let (early, late) = (
        start() + Duration::from_secs(60),
        start() + Duration::from_secs(120),
    );
    let commit = FleetCommit::unlocked(&config, state(2, late), [0; 12]);
    assert_eq!(run(commit, &mut store, &clock), Committed::Kept);
    let commit = FleetCommit::unlocked(&config, state(1, early), [0; 12]);
    assert_eq!(run(commit, &mut store, &clock), Committed::Superseded);
    let commit = FleetCommit::unlocked(&config, state(3, late + Duration::from_secs(1)), [0; 12]);
    assert_eq!(run(commit, &mut store, &clock), Committed::Kept);
    assert_eq!(
        version_of(store.get(config.entry_key(), clock.get()).unwrap()),
        "2"
    );
}

#[test]
fn entries_without_a_refresh_token_expire_with_their_token() {
    let config = config();
    let (mut store, clock) = (MemoryStore::new(), Cell::new(start()));
    let expiry = start() + Duration::from_secs(60);
    let token = SharedState::new(BearerToken::new(AccessToken::new("at"), Some(expiry)));
    let commit = FleetCommit::unlocked(&config, token, [0; 12]);
    assert_eq!(run(commit, &mut store, &clock), Committed::Kept);
    assert!(store
        .get(config.entry_key(), expiry - Duration::from_millis(1))
        .is_some());
    assert!(store.get(config.entry_key(), expiry).is_none());
    let with_refresh = FleetCommit::unlocked(&config, state(1, expiry), [0; 12]);
    assert_eq!(run(with_refresh, &mut store, &clock), Committed::Kept);
    assert!(store
        .get(
            config.entry_key(),
            start() + DEFAULT_RETENTION - Duration::from_secs(1)
        )
        .is_some());
}

#[test]
fn plain_entries_only_by_choice_and_never_mixed_with_sealed_ones() {
    let key = FleetKey::new("https://idp/token", "client", "svc");
    let plain = FleetConfig::new(&key, "t:", Sealing::plain_by_choice());
    let (mut store, clock) = (MemoryStore::new(), Cell::new(start()));
    let written = state(1, start() + Duration::from_secs(60));
    assert_eq!(
        run(
            FleetCommit::unlocked(&plain, written.clone(), [0; 12]),
            &mut store,
            &clock
        ),
        Committed::Kept
    );
    let value = store.get(plain.entry_key(), clock.get()).unwrap();
    assert_eq!(
        decode_entry(&Sealing::Plain, plain.entry_key(), value),
        Ok(written)
    );
    let sealed = Sealing::Key(SealingKey::new(&[1; 32]));
    assert_eq!(
        decode_entry(&sealed, plain.entry_key(), value),
        Err(EntryError::WrongSealing)
    );
}

#[test]
fn nothing_secret_is_printed() {
    let written = state(1, start());
    let op = StoreOp::Acquire {
        key: "k".into(),
        owner: "owner-secret".into(),
        ttl: Duration::from_secs(1),
    };
    let printed = format!("{written:?} {op:?} {:?}", SealingKey::new(&[1; 32]));
    for secret in ["at-1", "rt-1", "owner-secret"] {
        assert!(!printed.contains(secret), "{printed}");
    }
}

#[test]
fn a_failed_release_does_not_lose_a_fresh_token_found_under_the_lock() {
    let config = config();
    let (mut store, now) = (MemoryStore::new(), start());
    let fresh = state(1, now + Duration::from_secs(60));
    let machine = FleetPrepare::new(&config, "a".into(), Duration::ZERO);
    // The first look finds nothing; the entry appears before the lock is taken.
    let mut ops = 0;
    let outcome = run_fleet(
        machine,
        || now,
        |op| {
            ops += 1;
            match op {
                StoreOp::Get { .. } if ops == 1 => Ok(StoreReply::Value(None)),
                StoreOp::Get { .. } => {
                    let lock = HeldLock {
                        owner: "w".into(),
                        version: String::new(),
                    };
                    let commit = FleetCommit::locked(&config, lock, fresh.clone(), [0; 12]);
                    run_fleet(commit, || now, |op| Ok(store.apply(&op, now)));
                    Ok(store.apply(&op, now))
                }
                StoreOp::Release { .. } => Err(StoreFailure("down".into())),
                op => Ok(store.apply(&op, now)),
            }
        },
    );
    assert!(
        matches!(outcome, Prepared::Fresh(ref s) if *s == fresh),
        "{outcome:?}"
    );
}
