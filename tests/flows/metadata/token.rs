//! Access tokens from the metadata server: the request google-auth sends,
//! the retries with their waits, the error after five failures, and the
//! answers that are refused.

use oauth2_sansio::metadata::MetadataCredentials;
use oauth2_sansio::TransportFailureKind::Timeout;
use oauth2_sansio::{Credentials, Error, InvalidResponse, TransportFailureKind};
use testkit::metadata::{record, Event, FakeMetadata, Scripted, TOKEN_LIFETIME};
use testkit::world::FakeClock;

use super::{memory, server, DATA, SCOPES, SCOPES_QUERY};

fn token_get() -> Event {
    Event::get(&format!(
        "{DATA}instance/service-accounts/default/token?{SCOPES_QUERY}"
    ))
}

fn credentials() -> MetadataCredentials {
    MetadataCredentials::new(server()).with_scopes(SCOPES)
}

#[test]
fn a_refresh_is_one_flavored_get_with_the_scopes() {
    let mut fake = memory(FakeMetadata::new(), []);
    let run = record(
        credentials().refresh().unwrap(),
        &mut fake,
        &mut FakeClock::new(),
    );
    assert_eq!(run.events, [token_get(), Event::Done]);
    let refreshed = run.output.unwrap();
    let token = refreshed.token().unwrap();
    assert_eq!(token.token().secret(), "ya29.mds-1");
    assert_eq!(
        token.expiry(),
        Some(FakeClock::at(TOKEN_LIFETIME)),
        "counted from when the request was sent"
    );
    assert_eq!(refreshed.scopes(), SCOPES);
}

#[test]
fn without_scopes_there_is_no_query() {
    let mut fake = memory(FakeMetadata::new(), []);
    let credentials = MetadataCredentials::new(server());
    let run = record(
        credentials.refresh().unwrap(),
        &mut fake,
        &mut FakeClock::new(),
    );
    assert_eq!(
        run.events,
        [
            Event::get(&format!("{DATA}instance/service-accounts/default/token")),
            Event::Done
        ]
    );
}

#[test]
fn two_503s_wait_1_then_2_seconds_and_the_third_answer_counts() {
    let mut fake = memory(FakeMetadata::new().unavailable(2), []);
    let run = record(
        credentials().refresh().unwrap(),
        &mut fake,
        &mut FakeClock::new(),
    );
    assert_eq!(
        run.events,
        [
            token_get(),
            Event::backoff_until(2),
            token_get(),
            Event::backoff_until(5),
            token_get(),
            Event::Done,
        ]
    );
    let token = run.output.unwrap().token().unwrap().clone();
    assert_eq!(token.token().secret(), "ya29.mds-1");
    assert_eq!(token.expiry(), Some(FakeClock::at(5 + TOKEN_LIFETIME)));
}

#[test]
fn five_failures_wait_1_2_4_8_seconds_then_fail_with_the_last() {
    let five_timeouts = memory(FakeMetadata::new(), vec![Scripted::Fail(Timeout); 5]);
    let five_503s = memory(FakeMetadata::new().unavailable(5), []);
    for (mut fake, last) in [
        (five_timeouts, None),
        (five_503s, Some(Error::HttpStatus { status: 503 })),
    ] {
        let run = record(
            credentials().refresh().unwrap(),
            &mut fake,
            &mut FakeClock::new(),
        );
        let (events, error) = run.events.split_at(run.events.len() - 1);
        assert_eq!(
            events,
            [
                token_get(),
                Event::backoff_until(2),
                token_get(),
                Event::backoff_until(5),
                token_get(),
                Event::backoff_until(10),
                token_get(),
                Event::backoff_until(19),
                token_get(),
            ]
        );
        let Event::Error(error) = &error[0] else {
            panic!("{error:?}")
        };
        match last {
            Some(last) => assert_eq!(error, &last),
            None => assert!(
                matches!(error, Error::Transport(f) if f.kind() == TransportFailureKind::Timeout),
                "{error:?}"
            ),
        }
        assert!(error.is_retryable(), "a later refresh may succeed");
        assert_eq!(fake.unused_turns(), 0);
    }
}

#[test]
fn a_200_without_the_flavor_header_is_refused_at_once() {
    let mut fake = memory(FakeMetadata::new().without_flavor(), []);
    let run = record(
        credentials().refresh().unwrap(),
        &mut fake,
        &mut FakeClock::new(),
    );
    assert_eq!(
        run.events,
        [
            token_get(),
            Event::Error(Error::InvalidResponse(InvalidResponse::MissingHeader {
                header: "Metadata-Flavor: Google"
            })),
        ]
    );
    assert!(run.output.is_none());
}

#[test]
fn a_second_refresh_gets_the_next_token() {
    let mut fake = memory(FakeMetadata::new(), []);
    let mut clock = FakeClock::new();
    let first = record(credentials().refresh().unwrap(), &mut fake, &mut clock)
        .output
        .unwrap();
    clock.advance(super::secs(3400));
    let second = record(first.refresh().unwrap(), &mut fake, &mut clock)
        .output
        .unwrap();
    let token = second.token().unwrap();
    assert_eq!(token.token().secret(), "ya29.mds-2");
    assert_eq!(token.expiry(), Some(FakeClock::at(3401 + TOKEN_LIFETIME)));
}
