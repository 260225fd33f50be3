//! Property tests of the fleet protocol (lock, waits, compare-and-swap)
//! against an in-memory model: N instances whose steps, kills and clock
//! advances are generated, over the in-memory store and a token server
//! that rotates refresh tokens and refuses an old one (`invalid_grant`).
//!
//! Always: the stored refresh token never goes back to an older one. When
//! no live holder outlived its lock: no `invalid_grant`, exactly one
//! request reaches the server, and every instance ends with the latest
//! refresh token, which the store holds. Also: entries open only with
//! their key and key name, and no bytes make the entry reader panic.

use std::time::{Duration, SystemTime};

use oauth2_sansio::cache::fleet::*;
use oauth2_sansio::{AccessToken, BearerToken, RefreshToken};
use proptest::prelude::*;
use proptest::test_runner::RngSeed;

const TTL: Duration = Duration::from_millis(1000);
const THRESHOLD: Duration = Duration::from_secs(225);
const LIFETIME: Duration = Duration::from_secs(3600);

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        rng_seed: RngSeed::Fixed(0x0f1e_2026),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn fleet_config() -> FleetConfig {
    let key = FleetKey::new("https://idp.test/token", "client", "svc");
    FleetConfig::new(&key, "t:", Sealing::Key(SealingKey::new(&[9; 32]))).with_lock_ttl(TTL)
}

fn start() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000)
}

/// Credentials whose refresh token is `rt-N`, their token `at-N`.
fn state(generation: u32, expiry: SystemTime) -> SharedState {
    let token = BearerToken::new(AccessToken::new(format!("at-{generation}")), Some(expiry));
    SharedState::new(token).with_refresh_token(Some(RefreshToken::new(format!("rt-{generation}"))))
}

fn generation(state: &SharedState) -> u32 {
    let rt = state.refresh_token().expect("user credentials").secret();
    rt.trim_start_matches("rt-").parse().expect("rt-N")
}

/// The token server: rotates on every refresh, refuses a retired token.
#[derive(Debug, Default)]
struct Server {
    latest: u32,
    requests: u32,
    invalid_grants: u32,
}

impl Server {
    fn refresh(&mut self, with: u32) -> Option<u32> {
        self.requests += 1;
        if with != self.latest {
            self.invalid_grants += 1;
            return None;
        }
        self.latest += 1;
        Some(self.latest)
    }
}

enum Phase<'c> {
    Preparing(FleetPrepare<'c>, Option<StoreOp>),
    /// Holds the lock, about to refresh with `with`.
    Refreshing {
        lock: HeldLock,
        with: u32,
    },
    Committing(FleetCommit<'c>, Option<StoreOp>),
    Done,
    Dead,
}

struct Instance<'c> {
    local: SharedState,
    phase: Phase<'c>,
    /// When it last took the lock.
    acquired: SystemTime,
}

struct World<'c> {
    config: &'c FleetConfig,
    store: MemoryStore,
    server: Server,
    now: SystemTime,
    instances: Vec<Instance<'c>>,
    /// The newest refresh token the store has held.
    stored_high: u32,
    /// A live holder outlived its lock before it shared what it renewed:
    /// the one bound the protocol needs (refresh within the lock's life).
    overtime: bool,
    next_owner: u64,
}

impl<'c> World<'c> {
    fn new(config: &'c FleetConfig, n: usize) -> Self {
        let expired = start() - Duration::from_secs(1);
        let instances = (0..n)
            .map(|_| Instance {
                local: state(0, expired),
                phase: Phase::Done,
                acquired: start(),
            })
            .collect();
        let mut world = Self {
            config,
            store: MemoryStore::new(),
            server: Server::default(),
            now: start(),
            instances,
            stored_high: 0,
            overtime: false,
            next_owner: 0,
        };
        for i in 0..n {
            world.begin(i);
        }
        world
    }

    fn begin(&mut self, i: usize) {
        self.next_owner += 1;
        let prepare =
            FleetPrepare::new(self.config, format!("owner-{}", self.next_owner), THRESHOLD);
        self.instances[i].phase = Phase::Preparing(prepare, None);
    }

    fn live(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.instances.len())
            .filter(|&i| !matches!(self.instances[i].phase, Phase::Done | Phase::Dead))
    }

    /// One store operation (or the refresh) of instance `i`.
    fn step(&mut self, i: usize) {
        let now = self.now;
        let phase = std::mem::replace(&mut self.instances[i].phase, Phase::Dead);
        let next = match phase {
            Phase::Preparing(mut machine, pending) => {
                if let Some(op) = pending {
                    let reply = self.store.apply(&op, now);
                    if reply == StoreReply::Acquired(true) {
                        self.instances[i].acquired = now;
                    }
                    machine.handle(Ok(reply), now);
                    Phase::Preparing(machine, None)
                } else {
                    match machine.poll(now) {
                        FleetStep::Op(op) => Phase::Preparing(machine, Some(op)),
                        FleetStep::Done(prepared) => self.prepared(i, prepared),
                    }
                }
            }
            Phase::Refreshing { lock, with } => {
                if now >= self.instances[i].acquired + TTL {
                    self.overtime = true;
                }
                let mut renewed = self.instances[i].local.clone();
                if let Some(generation) = self.server.refresh(with) {
                    renewed = state(generation, now + LIFETIME);
                    self.instances[i].local = renewed.clone();
                }
                Phase::Committing(
                    FleetCommit::locked(self.config, lock, renewed, [3; 12]),
                    None,
                )
            }
            Phase::Committing(mut machine, pending) => {
                if now >= self.instances[i].acquired + TTL {
                    self.overtime = true;
                }
                if let Some(op) = pending {
                    let reply = self.store.apply(&op, now);
                    machine.handle(Ok(reply), now);
                    Phase::Committing(machine, None)
                } else {
                    match machine.poll(now) {
                        FleetStep::Op(op) => Phase::Committing(machine, Some(op)),
                        FleetStep::Done(_) => Phase::Done,
                    }
                }
            }
            other => other,
        };
        self.instances[i].phase = next;
        self.check_store();
    }

    /// What instance `i` does once prepared, as a `SharedToken` with a
    /// fleet keeper does.
    fn prepared(&mut self, i: usize, prepared: Prepared) -> Phase<'c> {
        match prepared {
            Prepared::Fresh(shared) => {
                self.instances[i].local = shared;
                Phase::Done
            }
            Prepared::Held { lock, stored, .. } => {
                let local = &self.instances[i].local;
                let newer = stored.filter(|s| s.token().expiry() > local.token().expiry());
                let with = generation(newer.as_ref().unwrap_or(local));
                Phase::Refreshing { lock, with }
            }
            // A busy lock: the cache tries again at its next call.
            Prepared::Busy { .. } => {
                self.next_owner += 1;
                let owner = format!("owner-{}", self.next_owner);
                Phase::Preparing(FleetPrepare::new(self.config, owner, THRESHOLD), None)
            }
            other => panic!("the in-memory store never fails: {other:?}"),
        }
    }

    fn check_store(&mut self) {
        let Some(value) = self.store.get(self.config.entry_key(), self.now) else {
            return;
        };
        let stored = decode_entry(
            &Sealing::Key(SealingKey::new(&[9; 32])),
            self.config.entry_key(),
            value,
        )
        .expect("only the protocol writes");
        let stored = generation(&stored);
        assert!(
            stored >= self.stored_high,
            "the store went back from rt-{} to rt-{stored}",
            self.stored_high
        );
        self.stored_high = stored;
    }

    /// Kills `i` if it has not reached the server yet (a holder killed
    /// after the server rotated its token loses the grant: the window no
    /// client can close).
    fn kill(&mut self, i: usize) {
        if matches!(
            self.instances[i].phase,
            Phase::Preparing(..) | Phase::Refreshing { .. }
        ) {
            self.instances[i].phase = Phase::Dead;
        }
    }

    /// Runs every live instance to its end, round-robin, the clock moving
    /// 10 ms a round.
    fn drain(&mut self) {
        for _ in 0..100_000 {
            let live: Vec<usize> = self.live().collect();
            if live.is_empty() {
                return;
            }
            for i in live {
                self.step(i);
            }
            self.now += Duration::from_millis(10);
        }
        panic!("the fleet did not settle");
    }
}

#[derive(Debug, Clone)]
enum Action {
    Step(usize),
    Kill(usize),
    Advance(u64),
}

/// Up to 200 actions on instances `0..5`, of which those of instances
/// the fleet does not have are left out; kills only if `kills`.
fn actions(kills: bool) -> impl Strategy<Value = Vec<Action>> {
    let action = prop_oneof![
        12 => (0..5usize).prop_map(Action::Step),
        1 => (0..5usize).prop_map(Action::Kill),
        2 => (0..200u64).prop_map(Action::Advance),
    ];
    prop::collection::vec(action, 0..200).prop_map(move |actions| {
        actions
            .into_iter()
            .filter(|action| kills || !matches!(action, Action::Kill(_)))
            .collect()
    })
}

fn within(n: usize, schedule: Vec<Action>) -> Vec<Action> {
    schedule
        .into_iter()
        .filter(|action| !matches!(action, Action::Step(i) | Action::Kill(i) if *i >= n))
        .collect()
}

fn run(n: usize, schedule: &[Action]) -> (Server, u32, bool, Vec<Option<u32>>, Option<u32>) {
    let config = fleet_config();
    let mut world = World::new(&config, n);
    for action in schedule {
        match *action {
            Action::Step(i) => world.step(i),
            Action::Kill(i) => world.kill(i),
            Action::Advance(ms) => world.now += Duration::from_millis(ms),
        }
    }
    world.drain();
    let ends = world
        .instances
        .iter()
        .map(|instance| match instance.phase {
            Phase::Dead => None,
            _ => Some(generation(&instance.local)),
        })
        .collect();
    let key = Sealing::Key(SealingKey::new(&[9; 32]));
    let stored = world
        .store
        .get(config.entry_key(), world.now)
        .map(|value| generation(&decode_entry(&key, config.entry_key(), value).unwrap()));
    (
        world.server,
        world.stored_high,
        world.overtime,
        ends,
        stored,
    )
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn without_kills_one_request_serves_the_whole_fleet(n in 1..6usize, schedule in actions(false)) {
        let schedule = within(n, schedule);
        let (server, _, overtime, ends, stored) = run(n, &schedule);
        if !overtime {
            prop_assert_eq!(server.invalid_grants, 0);
            prop_assert_eq!(server.requests, 1);
            prop_assert_eq!(stored, Some(1));
            prop_assert!(ends.iter().all(|end| *end == Some(1)), "{:?}", ends);
        }
    }

    #[test]
    fn killed_holders_lose_nothing_and_the_store_never_goes_back(n in 2..6usize, schedule in actions(true)) {
        let schedule = within(n, schedule);
        let (server, high, overtime, ends, stored) = run(n, &schedule);
        let survivors: Vec<u32> = ends.iter().flatten().copied().collect();
        if !overtime && !survivors.is_empty() {
            prop_assert_eq!(server.invalid_grants, 0);
            prop_assert_eq!(server.requests, 1, "killed holders never reached the server");
            prop_assert!(survivors.iter().all(|end| *end == server.latest), "{:?}", ends);
            prop_assert_eq!(stored, Some(server.latest));
        }
        prop_assert!(high <= server.latest);
    }

    #[test]
    fn no_bytes_make_the_entry_reader_panic(value in prop::collection::vec(any::<u8>(), 0..300), digits in "[0-9]{0,22}") {
        let key = Sealing::Key(SealingKey::new(&[9; 32]));
        let mut prefixed = format!("{digits}:s").into_bytes();
        prefixed.extend_from_slice(&value);
        for bytes in [&value, &prefixed] {
            let _ = decode_entry(&key, "k", bytes);
            let _ = decode_entry(&Sealing::plain_by_choice(), "k", bytes);
            let version = version_of(bytes);
            prop_assert!(version.bytes().all(|b| b.is_ascii_digit()));
            prop_assert!(version.is_empty() || bytes[version.len()] == b':');
        }
    }

    #[test]
    fn entries_open_only_under_their_key_name_and_key(generation_ in 0..1000u32, flip in 0..64usize) {
        let config = fleet_config();
        let mut store = MemoryStore::new();
        let now = start();
        let prepare = FleetPrepare::new(&config, "o".into(), THRESHOLD);
        let Prepared::Held { lock, .. } = run_fleet(prepare, || now, |op| Ok(store.apply(&op, now))) else {
            panic!("an empty store");
        };
        let written = state(generation_, now + LIFETIME);
        let commit = FleetCommit::locked(&config, lock, written.clone(), [5; 12]);
        prop_assert_eq!(run_fleet(commit, || now, |op| Ok(store.apply(&op, now))), Committed::Kept);
        let value = store.get(config.entry_key(), now).unwrap().to_vec();
        let key = Sealing::Key(SealingKey::new(&[9; 32]));
        prop_assert_eq!(decode_entry(&key, config.entry_key(), &value), Ok(written));
        let secret = format!("at-{generation_}");
        prop_assert!(!value.windows(secret.len()).any(|w| w == secret.as_bytes()));
        prop_assert_eq!(decode_entry(&key, "t:other:credentials", &value), Err(EntryError::NotOpened));
        prop_assert_eq!(decode_entry(&Sealing::Key(SealingKey::new(&[8; 32])), config.entry_key(), &value), Err(EntryError::NotOpened));
        prop_assert_eq!(decode_entry(&Sealing::plain_by_choice(), config.entry_key(), &value), Err(EntryError::WrongSealing));
        let mut tampered = value.clone();
        let at = 3 + flip % (tampered.len() - 3);
        tampered[at] ^= 1;
        prop_assert!(decode_entry(&key, config.entry_key(), &tampered).is_err());
    }
}
