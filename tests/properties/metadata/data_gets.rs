//! The data GETs (access token, ID token, project, universe) over
//! generated answers: at most five requests, waits of exactly 1, 2, 4, 8 s
//! after retried answers only, and a result iff a flavored 200 with a
//! valid body came last, else the typed error the last answer calls for.

use std::time::Duration;

use oauth2_sansio::metadata::{MetadataCredentials, MetadataIdTokenCredentials, MetadataServer};
use oauth2_sansio::{Credentials, WaitReason};
use proptest::prelude::*;
use testkit::metadata::{record, Event, FakeMetadata, MemoryMetadata, Run};
use testkit::world::FakeClock;

use super::oracle::{model, Model, Outcome, Subject};
use super::{config, turns, GeneratedTurn, ACCESS_TOKEN, AUDIENCE, EXPIRES_IN};

fn subject() -> impl Strategy<Value = Subject> {
    prop_oneof![
        Just(Subject::Token),
        Just(Subject::IdToken),
        Just(Subject::ProjectId),
        Just(Subject::Universe),
    ]
}

/// The run against the generated turns, on the fake clock.
fn run<T, M: oauth2_sansio::Machine<Output = T>>(machine: M, turns: &[GeneratedTurn]) -> Run<T> {
    let mut server =
        MemoryMetadata::new(FakeMetadata::new()).script(turns.iter().map(GeneratedTurn::to_turn));
    record(machine, &mut server, &mut FakeClock::new())
}

/// `run` did what `model` says; `outcome` says what its output is.
fn check<T>(
    run: &Run<T>,
    model: &Model,
    outcome: impl Fn(&T, &Run<T>) -> Outcome,
) -> Result<(), TestCaseError> {
    prop_assert!(run.requests() <= 5, "{:?}", run.events);
    prop_assert_eq!(run.requests(), model.requests, "{:?}", run.events);
    let mut waits = Vec::new();
    for (k, event) in run.events.iter().enumerate() {
        let last = k + 1 == run.events.len();
        match event {
            Event::Get { .. } => prop_assert_eq!(k % 2, 0, "{:?}", run.events),
            Event::Wait { until, reason } => {
                prop_assert_eq!(*reason, WaitReason::Backoff);
                let answered = run.answered_at[k / 2];
                waits.push(until.duration_since(answered).unwrap_or(Duration::MAX));
            }
            Event::Done | Event::Error(_) => prop_assert!(last, "{:?}", run.events),
        }
    }
    prop_assert_eq!(&waits, &model.waits, "{:?}", run.events);
    let actual = match (run.events.last(), &run.output) {
        (Some(Event::Done), Some(output)) => outcome(output, run),
        (Some(Event::Error(error)), None) => {
            let Outcome::Error(expected) = &model.outcome else {
                return Err(TestCaseError::fail(format!(
                    "{error:?}, expected {:?}",
                    model.outcome
                )));
            };
            prop_assert!(expected.matches(error), "{error:?}, expected {expected:?}");
            return Ok(());
        }
        _ => return Err(TestCaseError::fail(format!("ended as {:?}", run.events))),
    };
    prop_assert_eq!(actual, model.outcome.clone());
    Ok(())
}

/// `Outcome::Token` if `token` is the generated one with its expiry
/// counted from the last send, else what it is.
fn token_outcome<C: Credentials>(credentials: &C, run: &Run<C>) -> Outcome {
    let token = credentials
        .token()
        .expect("refreshed credentials hold a token");
    let sent = *run.sent_at.last().unwrap();
    if token.token().secret() == ACCESS_TOKEN
        && token.expiry() == Some(sent + Duration::from_secs(EXPIRES_IN))
    {
        Outcome::Token
    } else {
        Outcome::Text(format!("{token:?}"))
    }
}

/// `Outcome::IdToken` if `token` expires at the generated JWT's `exp`.
fn id_token_outcome<C: Credentials>(credentials: &C, _: &Run<C>) -> Outcome {
    let token = credentials
        .token()
        .expect("refreshed credentials hold a token");
    if token.expiry() == Some(FakeClock::at(3600)) {
        Outcome::IdToken
    } else {
        Outcome::Text(format!("{token:?}"))
    }
}

proptest! {
    #![proptest_config(config(1024))]

    #[test]
    fn data_gets_retry_wait_and_end_as_google_auth_says(
        subject in subject(),
        turns in turns(),
    ) {
        let model = model(subject, &turns);
        let server = MetadataServer::default();
        let text = |text: &String, _: &Run<String>| Outcome::Text(text.clone());
        match subject {
            Subject::Token => {
                let credentials = MetadataCredentials::new(server).with_scopes(["s"]);
                check(&run(credentials.refresh().unwrap(), &turns), &model, token_outcome)?;
            }
            Subject::IdToken => {
                let credentials = MetadataIdTokenCredentials::new(server, AUDIENCE);
                check(&run(credentials.refresh().unwrap(), &turns), &model, id_token_outcome)?;
            }
            Subject::ProjectId => check(&run(server.project_id(), &turns), &model, text)?,
            Subject::Universe => check(&run(server.universe_domain(), &turns), &model, text)?,
        }
    }
}
