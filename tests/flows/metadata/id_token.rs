//! ID tokens from the metadata server: `format=full`, the JWT as the
//! body, its expiry read from `exp`.

use oauth2_sansio::jwt::decode_unverified;
use oauth2_sansio::metadata::MetadataIdTokenCredentials;
use oauth2_sansio::{Credentials, Error, InvalidResponse};
use testkit::metadata::{id_token, record, Event, FakeMetadata, Reply, Scripted, EMAIL};
use testkit::world::FakeClock;

use super::{memory, server, DATA};

const AUDIENCE: &str = "https://svc.example";

fn identity_get() -> Event {
    Event::get(&format!(
        "{DATA}instance/service-accounts/default/identity?audience=https%3A%2F%2Fsvc.example&format=full"
    ))
}

#[test]
fn an_id_token_is_asked_in_full_format_and_expires_at_its_exp() {
    let mut fake = memory(FakeMetadata::new(), []);
    let mut clock = FakeClock::new();
    clock.advance(super::secs(30));
    let credentials = MetadataIdTokenCredentials::new(server(), AUDIENCE);
    let run = record(credentials.refresh().unwrap(), &mut fake, &mut clock);
    assert_eq!(run.events, [identity_get(), Event::Done]);
    let refreshed = run.output.unwrap();
    let token = refreshed.token().unwrap();
    assert_eq!(
        token.token().secret(),
        id_token(AUDIENCE, true, FakeClock::at(30))
    );
    assert_eq!(token.expiry(), Some(FakeClock::at(30 + 3600)));
    let claims = decode_unverified(token.token().secret()).unwrap();
    assert_eq!(claims.payload()["aud"], AUDIENCE);
    assert_eq!(claims.payload()["email"], EMAIL, "format=full");
    assert_eq!(refreshed.audience(), AUDIENCE);
}

#[test]
fn retried_like_access_tokens() {
    let mut fake = memory(FakeMetadata::new().unavailable(1), []);
    let credentials = MetadataIdTokenCredentials::new(server(), AUDIENCE);
    let run = record(
        credentials.refresh().unwrap(),
        &mut fake,
        &mut FakeClock::new(),
    );
    assert_eq!(
        run.events,
        [
            identity_get(),
            Event::backoff_until(2),
            identity_get(),
            Event::Done
        ]
    );
    let expiry = run.output.unwrap().token().unwrap().expiry();
    assert_eq!(expiry, Some(FakeClock::at(2 + 3600)));
}

#[test]
fn a_body_that_is_no_jwt_is_refused() {
    for body in ["", "not-a-jwt", "a.b.c"] {
        let answer = Reply::new(200, "application/text", body);
        let mut fake = memory(FakeMetadata::new(), [Scripted::Reply(answer)]);
        let credentials = MetadataIdTokenCredentials::new(server(), AUDIENCE);
        let run = record(
            credentials.refresh().unwrap(),
            &mut fake,
            &mut FakeClock::new(),
        );
        assert_eq!(run.requests(), 1, "{body:?}");
        assert!(
            matches!(
                run.error(),
                Some(Error::InvalidResponse(InvalidResponse::InvalidField {
                    field: "id_token",
                    ..
                }))
            ),
            "{body:?}: {:?}",
            run.events
        );
    }
}
