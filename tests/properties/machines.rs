//! Property tests of the token machines over generated server behaviour:
//! every response is either turned into consistent credentials or into the
//! error it calls for (checked against an independent oracle), a refresh
//! token is never lost, and no order of calls makes a machine panic or
//! forget its first error.

use std::time::SystemTime;

use crate::support::oracle::{check_update, expected, Expected, Granted, Prior};
use crate::support::responses::{response, GeneratedResponse};
use oauth2_sansio::{
    Credentials, Error, Machine, Misuse, Step, TransportFailure, TransportFailureKind,
    UserCredentials,
};
use proptest::prelude::*;
use proptest::test_runner::RngSeed;
use testkit::world::*;

const SCOPES: &[&str] = &["openid", "read"];

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        rng_seed: RngSeed::Fixed(0x0a07_2025),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Which machine a case drives.
#[derive(Debug, Clone, Copy)]
enum Subject {
    /// A code exchange: nothing to keep from before.
    Exchange,
    /// A refresh of signed-in credentials (refresh token `rt-1`, ID token
    /// `idt-1`, granted `openid read`).
    Refresh,
}

fn subject() -> impl Strategy<Value = Subject> {
    prop_oneof![Just(Subject::Exchange), Just(Subject::Refresh)]
}

/// The machine, and what its output must update.
fn machine(subject: Subject) -> (Box<dyn Machine<Output = UserCredentials>>, Prior) {
    let mut server = FakeServer::default();
    let mut clock = FakeClock::new();
    match subject {
        Subject::Exchange => {
            let exchange = approved_exchange(&mut server, &installed_client(), SCOPES, &clock);
            let prior = Prior {
                refresh_token: None,
                id_token: None,
                granted_scopes: None,
                scopes: SCOPES.iter().map(|s| (*s).to_owned()).collect(),
                client_id: INSTALLED_ID.to_owned(),
                token_uri: TOKEN_URI.to_owned(),
            };
            (Box::new(exchange), prior)
        }
        Subject::Refresh => {
            let credentials = signed_in(&mut server, &mut clock, SCOPES);
            (
                Box::new(credentials.refresh().unwrap()),
                Prior::of(&credentials),
            )
        }
    }
}

/// When the request is sent; the expiry the oracle expects counts from here.
fn now() -> SystemTime {
    FakeClock::at(7)
}

/// When the answer arrives: later than the send, so a machine that counted
/// the token's lifetime from the answer would be caught.
fn answered_at() -> SystemTime {
    FakeClock::at(7 + 5)
}

/// One request answered with `response`: the machine's result.
fn answer(
    machine: &mut dyn Machine<Output = UserCredentials>,
    response: &GeneratedResponse,
) -> Result<UserCredentials, Error> {
    let Step::Send(_) = machine.poll(now())? else {
        panic!("a token machine starts with a request");
    };
    machine.handle_response(response.to_http(), answered_at())?;
    match machine.poll(answered_at())? {
        Step::Done(credentials) => Ok(credentials),
        other => panic!("an answered token machine is done, not {other:?}"),
    }
}

fn check_outcome(
    outcome: &Result<UserCredentials, Error>,
    prior: &Prior,
    expectation: &Result<Granted, Vec<Expected>>,
) -> Result<(), TestCaseError> {
    match (outcome, expectation) {
        (Ok(after), Ok(granted)) => {
            prop_assert_eq!(check_update(prior, after, granted, now()), Ok(()));
        }
        (Err(error), Err(kinds)) => {
            prop_assert!(
                kinds.iter().any(|k| k.matches(error)),
                "{error:?} is none of {kinds:?}"
            );
        }
        (Ok(_), Err(kinds)) => {
            return Err(TestCaseError::fail(format!(
                "succeeded, expected one of {kinds:?}"
            )))
        }
        (Err(error), Ok(granted)) => {
            return Err(TestCaseError::fail(format!(
                "{error:?}, expected success with {granted:?}"
            )))
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(2048))]

    #[test]
    fn responses_give_consistent_credentials_or_the_error_they_call_for(
        subject in subject(),
        response in response(),
    ) {
        let (mut machine, prior) = machine(subject);

        let outcome = answer(machine.as_mut(), &response);

        check_outcome(&outcome, &prior, &expected(&response))?;
        if let Err(error) = &outcome {
            let again = machine.poll(now()).err();
            prop_assert_eq!(again.as_ref(), Some(error), "sticky");
        }
    }
}

/// One refresh turn of generated server behaviour.
#[derive(Debug, Clone)]
struct Turn {
    rotate: bool,
    misbehaviour: Option<Misbehaviour>,
}

fn turn() -> impl Strategy<Value = Turn> {
    let misbehaviour = prop::sample::select(vec![
        Misbehaviour::Unreachable,
        Misbehaviour::HtmlError(503),
        Misbehaviour::Redirect(302),
        Misbehaviour::ErrorJson {
            status: 400,
            error: "invalid_request",
        },
        Misbehaviour::ErrorJson {
            status: 500,
            error: "server_error",
        },
        Misbehaviour::OkWithError("invalid_grant"),
        Misbehaviour::MissingAccessToken,
        Misbehaviour::TokenType("bEaReR"),
        Misbehaviour::ExpiresInAsString,
        Misbehaviour::FewerScopes,
        Misbehaviour::NoRefreshToken,
        Misbehaviour::NoExpiresIn,
    ]);
    (any::<bool>(), prop::option::weighted(0.5, misbehaviour)).prop_map(|(rotate, misbehaviour)| {
        Turn {
            rotate,
            misbehaviour,
        }
    })
}

/// The `refresh_token` of a token response body, if it has one.
fn sent_refresh_token(response: &http::Response<Vec<u8>>) -> Option<String> {
    let body: serde_json::Value = serde_json::from_slice(response.body()).ok()?;
    Some(body.get("refresh_token")?.as_str()?.to_owned())
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn refresh_never_loses_the_refresh_token(turns in prop::collection::vec(turn(), 1..12)) {
        let mut server = FakeServer::default();
        let mut clock = FakeClock::new();
        let mut credentials = signed_in(&mut server, &mut clock, SCOPES);

        for turn in turns {
            server.rotate_refresh_tokens = turn.rotate;
            if let Some(misbehaviour) = turn.misbehaviour.clone() {
                server.misbehave(misbehaviour);
            }
            let held = credentials.refresh_token().unwrap().secret().to_owned();
            let mut refresh = credentials.refresh().unwrap();
            let Ok(Step::Send(request)) = refresh.poll(clock.now()) else {
                panic!("a refresh starts with a request");
            };
            let (result, sent) = match server.deliver(&request, clock.now()) {
                Ok(response) => {
                    let sent = sent_refresh_token(&response);
                    (refresh.handle_response(response, clock.now()), sent)
                }
                Err(failure) => (refresh.handle_transport_failure(failure, clock.now()), None),
            };
            let renewed = match result.and_then(|()| refresh.poll(clock.now())) {
                Ok(Step::Done(renewed)) => Some(renewed),
                _ => None,
            };
            let expected = match (&renewed, sent) {
                (Some(_), Some(new)) => new,
                _ => held,
            };
            if let Some(renewed) = renewed {
                credentials = renewed;
            }
            let now_held = credentials.refresh_token().map(|t| t.secret().to_owned());
            prop_assert_eq!(now_held, Some(expected), "{:?}", turn);
            clock.advance(ROUND_TRIP);
        }
    }
}

/// One call of the driving contract.
#[derive(Debug, Clone)]
enum Call {
    Poll,
    Respond(GeneratedResponse),
    Fail(TransportFailureKind),
}

fn call() -> impl Strategy<Value = Call> {
    let kind = prop::sample::select(vec![
        TransportFailureKind::Connect,
        TransportFailureKind::Timeout,
        TransportFailureKind::BodyTooLarge,
        TransportFailureKind::Other,
    ]);
    prop_oneof![
        3 => Just(Call::Poll),
        2 => response().prop_map(Call::Respond),
        1 => kind.prop_map(Call::Fail),
    ]
}

/// Where a token machine should be, by the contract.
#[derive(Debug)]
enum Model {
    Ready,
    Awaiting,
    Answered(Result<Granted, Vec<Expected>>),
    Done,
    Failed(Error),
}

/// The error a call that is out of order must give in `model`.
fn misuse_in(model: &Model, poll: bool) -> Option<Error> {
    let misuse = match (model, poll) {
        (Model::Failed(e), _) => return Some(e.clone()),
        (Model::Awaiting, true) => Misuse::ResponsePending,
        (Model::Done, true) => Misuse::AlreadyDone,
        (Model::Ready | Model::Answered(_) | Model::Done, false) => Misuse::UnexpectedResponse,
        _ => return None,
    };
    Some(Error::Misuse(misuse))
}

/// What a call returned, without the request.
#[derive(Debug)]
enum Reply {
    Send,
    Wait,
    Done(Box<UserCredentials>),
    Accepted,
}

fn apply(
    machine: &mut dyn Machine<Output = UserCredentials>,
    prior: &Prior,
    model: Model,
    call: &Call,
) -> Result<Model, TestCaseError> {
    let expected_misuse = misuse_in(&model, matches!(call, Call::Poll));
    let result = match call {
        Call::Poll => machine.poll(now()).map(|step| match step {
            Step::Send(_) => Reply::Send,
            Step::Done(credentials) => Reply::Done(Box::new(credentials)),
            _ => Reply::Wait,
        }),
        Call::Respond(response) => machine
            .handle_response(response.to_http(), now())
            .map(|()| Reply::Accepted),
        Call::Fail(kind) => machine
            .handle_transport_failure(TransportFailure::new(*kind, "fake"), now())
            .map(|()| Reply::Accepted),
    };
    // Out-of-order calls and calls after an error have one right answer.
    if let Some(misuse) = expected_misuse {
        prop_assert_eq!(
            result.as_ref().err(),
            Some(&misuse),
            "{:?} in {:?}",
            call,
            model
        );
        return Ok(Model::Failed(misuse));
    }
    Ok(match (model, call, result) {
        (Model::Ready, Call::Poll, Ok(Reply::Send)) => Model::Awaiting,
        (Model::Awaiting, Call::Respond(response), Ok(Reply::Accepted)) => {
            Model::Answered(expected(response))
        }
        (Model::Awaiting, Call::Respond(response), Err(error)) => {
            check_outcome(&Err(error.clone()), prior, &expected(response))?;
            Model::Failed(error)
        }
        (Model::Awaiting, Call::Fail(kind), Err(error)) => {
            prop_assert_eq!(
                &error,
                &Error::Transport(TransportFailure::new(*kind, "fake"))
            );
            Model::Failed(error)
        }
        (Model::Answered(expectation), Call::Poll, Ok(Reply::Done(after))) => {
            check_outcome(&Ok(*after), prior, &expectation)?;
            Model::Done
        }
        (Model::Answered(expectation), Call::Poll, Err(error)) => {
            check_outcome(&Err(error.clone()), prior, &expectation)?;
            Model::Failed(error)
        }
        (model, call, result) => {
            return Err(TestCaseError::fail(format!(
                "{call:?} in {model:?} gave {result:?}"
            )));
        }
    })
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn any_order_of_calls_follows_the_contract_and_errors_stick(
        subject in subject(),
        calls in prop::collection::vec(call(), 0..12),
    ) {
        let (mut machine, prior) = machine(subject);
        let mut model = Model::Ready;
        for call in &calls {
            model = apply(machine.as_mut(), &prior, model, call)?;
        }
    }
}
