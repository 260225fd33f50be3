//! Property tests of the sans-IO token manager over generated clocks,
//! callers and server answers, checked against a small model: never two
//! refresh jobs out, never an expired token handed out, never an error
//! while a valid token exists, no refresh before the stale window, the
//! steady (lock-free) view agrees with `lookup`, and backoff delays stay
//! between their floor and cap.

use std::time::{Duration, SystemTime};

use oauth2_sansio::cache::{Backoff, Lookup, RefreshJob, TokenManager};
use oauth2_sansio::{drive, TransportFailure, TransportFailureKind, UserCredentials};
use proptest::prelude::*;
use proptest::test_runner::RngSeed;
use testkit::token_cache::*;

const THRESHOLD: u64 = 225;

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        rng_seed: RngSeed::Fixed(0x0c0c_2026),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

#[derive(Debug, Clone)]
enum Answer {
    Token { expires_in: u64 },
    Unavailable,
    InvalidGrant,
    TransportDown,
    NotJson,
}

#[derive(Debug, Clone)]
enum Event {
    Advance(u64),
    Lookup,
    Answer(Answer),
    Abandon,
}

fn answer_strategy() -> impl Strategy<Value = Answer> {
    prop_oneof![
        4 => prop_oneof![0..300u64, 200..4000u64].prop_map(|expires_in| Answer::Token { expires_in }),
        2 => Just(Answer::Unavailable),
        1 => Just(Answer::InvalidGrant),
        2 => Just(Answer::TransportDown),
        1 => Just(Answer::NotJson),
    ]
}

fn event_strategy() -> impl Strategy<Value = Event> {
    prop_oneof![
        3 => prop_oneof![0..5u64, 0..400u64, 0..5000u64].prop_map(Event::Advance),
        5 => Just(Event::Lookup),
        2 => answer_strategy().prop_map(Event::Answer),
        1 => Just(Event::Abandon),
    ]
}

fn backoff_strategy() -> impl Strategy<Value = Backoff> {
    (1..30u64, 0..600u64)
        .prop_map(|(floor, cap)| Backoff::new(Duration::from_secs(floor), Duration::from_secs(cap)))
}

/// What the manager should be serving: the newest token a refresh
/// produced that was valid when it arrived.
#[derive(Debug, Clone, PartialEq)]
struct ModelToken {
    access: String,
    expiry: SystemTime,
}

struct Run {
    manager: TokenManager<UserCredentials>,
    backoff: Backoff,
    now: u64,
    out: Option<RefreshJob<UserCredentials>>,
    model: Option<ModelToken>,
    failures: u32,
    last_delay: Option<Duration>,
    issued: u32,
}

impl Run {
    fn new(initial_lifetime: Option<u64>, backoff: Backoff) -> Self {
        let (credentials, model) = match initial_lifetime {
            Some(lifetime) => (
                holding("ya29.initial", lifetime, at(0)),
                Some(ModelToken {
                    access: "ya29.initial".into(),
                    expiry: at(lifetime),
                }),
            ),
            None => (signed_in(), None),
        };
        Self {
            manager: TokenManager::new(credentials).with_backoff(backoff),
            backoff,
            now: 0,
            out: None,
            model,
            failures: 0,
            last_delay: None,
            issued: 0,
        }
    }

    fn valid_model(&self) -> Option<&ModelToken> {
        self.model.as_ref().filter(|m| at(self.now) < m.expiry)
    }

    fn lookup(&mut self) -> Result<(), TestCaseError> {
        let now = at(self.now);
        let steady = self.manager.steady().and_then(|s| s.token_at(now).cloned());
        let valid = self.valid_model().cloned();
        let lookup = self.manager.lookup(now);
        let (token, job) = match lookup {
            Ok(Lookup::Ready(token)) => (Some(token), None),
            Ok(Lookup::ReadyAndRefresh(token, job)) => (Some(token), Some(job)),
            Ok(Lookup::Refresh(job)) => (None, Some(job)),
            Ok(Lookup::Pending) => {
                prop_assert!(self.out.is_some(), "Pending with no job out");
                (None, None)
            }
            Err(error) => {
                prop_assert!(self.out.is_none(), "an error while a job is out");
                prop_assert!(error.retry_at() > now, "an error past its retry time");
                (None, None)
            }
            Ok(other) => return Err(TestCaseError::fail(format!("unknown {other:?}"))),
        };
        if let Some(steady) = &steady {
            let served = token.as_ref().filter(|t| t.same_as(steady));
            prop_assert!(
                served.is_some() && job.is_none(),
                "steady view disagrees with lookup at {}",
                self.now
            );
        }
        match (&token, &valid) {
            (Some(token), Some(model)) => {
                prop_assert_eq!(secret(token), model.access.as_str());
                prop_assert_eq!(token.bearer().expiry(), Some(model.expiry));
            }
            (Some(token), None) => {
                return Err(TestCaseError::fail(format!(
                    "handed out {:?} at {} with no valid token",
                    token.bearer().expiry(),
                    self.now
                )))
            }
            (None, Some(_)) => {
                return Err(TestCaseError::fail(format!(
                    "no token at {} while a valid one exists",
                    self.now
                )))
            }
            (None, None) => {}
        }
        if let Some(job) = job {
            prop_assert!(self.out.is_none(), "two refresh jobs out at once");
            if let Some(model) = &valid {
                let stale_from = model.expiry - Duration::from_secs(THRESHOLD);
                prop_assert!(now >= stale_from, "a refresh before the stale window");
            }
            self.out = Some(job);
        }
        Ok(())
    }

    fn answer(&mut self, answer: Answer) -> Result<(), TestCaseError> {
        let Some(job) = self.out.take() else {
            return Ok(());
        };
        let now = at(self.now);
        self.issued += 1;
        let access = format!("ya29.n{}", self.issued);
        let reply = match &answer {
            Answer::Token { expires_in } => Ok(granted(&access, *expires_in)),
            Answer::Unavailable => Ok(unavailable()),
            Answer::InvalidGrant => Ok(invalid_grant()),
            Answer::TransportDown => Err(TransportFailure::new(
                TransportFailureKind::Connect,
                "connection refused",
            )),
            Answer::NotJson => Ok(http::Response::new(b"<html>".to_vec())),
        };
        let (ticket, machine) = job.into_parts();
        let mut reply = Some(reply);
        let outcome = drive(machine, || now, |_| reply.take().unwrap(), |_| {});
        prop_assert!(self.manager.finish(ticket, outcome, now));

        let retryable = match answer {
            Answer::Token { expires_in } if expires_in > 0 => {
                self.model = Some(ModelToken {
                    access,
                    expiry: at(self.now + expires_in),
                });
                self.failures = 0;
                self.last_delay = None;
                prop_assert!(self.manager.last_failure().is_none());
                return Ok(());
            }
            Answer::Unavailable | Answer::TransportDown => true,
            Answer::Token { .. } | Answer::InvalidGrant | Answer::NotJson => false,
        };
        self.failures = if retryable {
            self.failures.saturating_add(1)
        } else {
            u32::MAX
        };
        let failure = self.manager.last_failure().expect("a failure recorded");
        prop_assert_eq!(failure.is_retryable(), retryable);
        let delay = failure.retry_at().duration_since(now).unwrap();
        prop_assert!(delay >= self.backoff.floor(), "below the floor: {delay:?}");
        prop_assert!(delay <= self.backoff.cap(), "above the cap: {delay:?}");
        prop_assert_eq!(delay, self.backoff.delay(self.failures));
        if !retryable {
            prop_assert_eq!(delay, self.backoff.cap());
        }
        if let Some(last) = self.last_delay {
            prop_assert!(delay >= last, "a delay shrank between consecutive failures");
        }
        self.last_delay = Some(delay);
        Ok(())
    }

    fn abandon(&mut self) -> Result<(), TestCaseError> {
        if let Some(job) = self.out.take() {
            let (ticket, _machine) = job.into_parts();
            prop_assert!(self.manager.abandon(ticket));
        }
        Ok(())
    }
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn manager_keeps_its_promises(
        initial in proptest::option::of(1..5000u64),
        backoff in backoff_strategy(),
        events in proptest::collection::vec(event_strategy(), 1..120),
    ) {
        let mut run = Run::new(initial, backoff);
        for event in events {
            match event {
                Event::Advance(secs) => run.now += secs,
                Event::Lookup => run.lookup()?,
                Event::Answer(answer) => run.answer(answer)?,
                Event::Abandon => run.abandon()?,
            }
            prop_assert_eq!(run.manager.is_refreshing(), run.out.is_some());
        }
    }

    #[test]
    fn backoff_stays_between_floor_and_cap_and_never_shrinks(
        floor_ms in 0..100_000u64,
        cap_ms in 0..1_000_000u64,
        failures in proptest::collection::vec(0..200u32, 1..20),
    ) {
        let backoff = Backoff::new(Duration::from_millis(floor_ms), Duration::from_millis(cap_ms));
        prop_assert!(backoff.floor() >= Backoff::MIN_FLOOR);
        prop_assert!(backoff.cap() >= backoff.floor());
        let mut sorted = failures;
        sorted.sort_unstable();
        let mut last = Duration::ZERO;
        for n in sorted {
            let delay = backoff.delay(n);
            prop_assert!(delay >= backoff.floor() && delay <= backoff.cap());
            prop_assert!(delay >= last);
            last = delay;
        }
    }
}
