//! ID-token credentials: the `target_audience` assertion, Google's
//! `{"id_token": …}` answer, and the expiry read from the token.

use std::time::SystemTime;

use oauth2_sansio::google::GOOGLE_TOKEN_URI;
use oauth2_sansio::service_account::{IdTokenCredentials, ServiceAccountCredentials};
use oauth2_sansio::{drive, Credentials, Error, Freshness, InvalidResponse};
use serde_json::{json, Value};

use testkit::jwt::endpoint::respond;
use testkit::jwt::{at, verify, FakeTokenEndpoint, EMAIL, KEY_JSON, START};

const AUDIENCE: &str = "https://my-service-abc123-uc.a.run.app";

fn credentials() -> IdTokenCredentials {
    ServiceAccountCredentials::from_json(KEY_JSON)
        .unwrap()
        .with_scopes(["not-sent"])
        .id_token_credentials(AUDIENCE)
}

fn answer(body: Value, now: SystemTime) -> Result<IdTokenCredentials, Error> {
    drive(
        credentials().refresh().unwrap(),
        || now,
        |_| Ok(respond(200, &body)),
        |_| {},
    )
}

#[test]
fn obtains_an_id_token_and_uses_it_as_the_bearer_token() {
    let mut endpoint = FakeTokenEndpoint::new(GOOGLE_TOKEN_URI);
    let creds = credentials();
    assert_eq!(creds.target_audience(), AUDIENCE);
    assert_eq!(creds.freshness(at(10)), Freshness::Invalid);
    let now = at(10);
    let creds = drive(
        creds.refresh().unwrap(),
        || now,
        |r| Ok(endpoint.handle(&r, now)),
        |_| {},
    )
    .unwrap();

    let assertion = &endpoint.assertions[0];
    assert_eq!(assertion["target_audience"], AUDIENCE);
    assert_eq!(assertion["aud"], GOOGLE_TOKEN_URI);
    assert_eq!(assertion["iss"], EMAIL);
    assert!(
        !assertion.contains_key("scope"),
        "target_audience replaces scope"
    );

    let token = creds.token().unwrap();
    assert_eq!(token.token().secret(), endpoint.id_token(AUDIENCE, now));
    assert_eq!(
        token.expiry(),
        Some(FakeTokenEndpoint::id_token_expiry(now))
    );
    assert_eq!(verify(token.token().secret()).payload()["aud"], AUDIENCE);

    let mut request = http::Request::new(());
    assert_eq!(creds.authorize(&mut request, at(20)), Ok(Freshness::Fresh));
    assert_eq!(
        request.headers()["authorization"],
        format!("Bearer {}", token.token().secret()).as_str()
    );
    assert_eq!(creds.freshness(at(10 + 3600 - 225)), Freshness::Stale);
}

#[test]
fn the_expiry_is_the_token_exp_not_expires_in() {
    let endpoint = FakeTokenEndpoint::new(GOOGLE_TOKEN_URI);
    let id_token = endpoint.id_token(AUDIENCE, at(50));
    let creds = answer(
        json!({"access_token": "ya29.x", "token_type": "Bearer", "expires_in": 60, "id_token": id_token}),
        at(0),
    )
    .unwrap();
    assert_eq!(creds.token().unwrap().expiry(), Some(at(50 + 3600)));
    assert_eq!(creds.token().unwrap().token().secret(), id_token);
}

#[test]
fn a_response_without_a_usable_id_token_is_refused() {
    assert_eq!(
        answer(
            json!({"access_token": "ya29.x", "token_type": "Bearer"}),
            at(0)
        )
        .unwrap_err(),
        Error::InvalidResponse(InvalidResponse::MissingField { field: "id_token" })
    );
    let none_alg = "eyJhbGciOiJub25lIn0.eyJleHAiOjF9.";
    for bad in [
        json!("a.b"),
        json!(none_alg),
        json!(7),
        json!(format!("{none_alg}c2ln")),
    ] {
        assert!(
            matches!(
                answer(json!({ "id_token": bad }), at(0)),
                Err(Error::InvalidResponse(InvalidResponse::InvalidField {
                    field: "id_token",
                    ..
                }))
            ),
            "{bad}"
        );
    }
}

#[test]
fn another_audience_starts_without_a_token() {
    let endpoint = FakeTokenEndpoint::new(GOOGLE_TOKEN_URI);
    let creds = answer(
        json!({"id_token": endpoint.id_token(AUDIENCE, at(0))}),
        at(0),
    )
    .unwrap();
    let other = creds.with_target_audience("https://other.example");
    assert!(other.token().is_none());
    assert_eq!(
        other.assertion_claims(at(0)).extra()["target_audience"],
        "https://other.example"
    );
    assert_eq!(other.assertion_claims(at(0)).iat(), START);
}
