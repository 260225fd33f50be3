//! Any order of calls on the metadata machines: no panic; a data GET's
//! first error is returned by every later call; the ping, which never
//! fails, answers misuse with a misuse error only.

use std::time::{Duration, SystemTime};

use oauth2_sansio::metadata::{MetadataCredentials, MetadataServer};
use oauth2_sansio::{Credentials, Error, Machine, TransportFailure};
use proptest::prelude::*;
use testkit::world::FakeClock;

use super::{answer, config, Answer, GeneratedTurn};

#[derive(Debug, Clone)]
enum Call {
    /// Poll after this many seconds more.
    Poll(u64),
    Respond(Answer),
}

fn call() -> impl Strategy<Value = Call> {
    prop_oneof![
        3 => (0..20u64).prop_map(Call::Poll),
        2 => answer().prop_map(Call::Respond),
    ]
}

/// Makes `call` at `now`; `Ok` whatever the machine returned, as a
/// result without its output.
fn apply<M: Machine>(machine: &mut M, call: &Call, now: &mut SystemTime) -> Result<(), Error> {
    match call {
        Call::Poll(secs) => {
            *now += Duration::from_secs(*secs);
            machine.poll(*now).map(|_| ())
        }
        Call::Respond(Answer::Fail(kind)) => {
            machine.handle_transport_failure(TransportFailure::new(*kind, "fake"), *now)
        }
        Call::Respond(answer) => {
            let turn = GeneratedTurn {
                answer: answer.clone(),
                delay: Duration::ZERO,
            };
            let testkit::metadata::Scripted::Reply(reply) = turn.to_turn().scripted else {
                unreachable!("an HTTP answer")
            };
            machine.handle_response(reply.to_response(), *now)
        }
    }
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn a_data_gets_first_error_sticks(calls in prop::collection::vec(call(), 0..16)) {
        let credentials = MetadataCredentials::new(MetadataServer::default());
        let mut machine = credentials.refresh().unwrap();
        let mut now = FakeClock::at(0);
        let mut first_error = None;
        for call in &calls {
            let result = apply(&mut machine, call, &mut now);
            match (&first_error, result) {
                (None, Err(error)) => first_error = Some(error),
                (Some(first), result) => prop_assert_eq!(result, Err(first.clone()), "{:?}", call),
                (None, Ok(())) => {}
            }
        }
        prop_assert!(machine.attempts() <= 5);
    }

    #[test]
    fn the_ping_fails_only_when_misused(calls in prop::collection::vec(call(), 0..16)) {
        let mut machine = MetadataServer::default().ping();
        let mut now = FakeClock::at(0);
        for call in &calls {
            if let Err(error) = apply(&mut machine, call, &mut now) {
                prop_assert!(matches!(error, Error::Misuse(_)), "{:?}: {:?}", call, error);
            }
        }
        prop_assert!(machine.attempts() <= 3);
    }
}
