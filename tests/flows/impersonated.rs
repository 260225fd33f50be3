//! Impersonated service accounts: the source renewed only when it must,
//! then one `generateAccessToken` POST exactly as google-auth sends it;
//! IAM's errors typed; the renewed source kept.

use oauth2_sansio::impersonated::ImpersonatedCredentials;
use oauth2_sansio::{
    AnyCredentials, Credentials, Error, ErrorCode, Machine, Misuse, TransportFailure,
    TransportFailureKind, UserCredentials,
};
use serde_json::{json, Value};
use testkit::iam::{record, rfc3339, Event, FakeIam, Scripted, TOKEN_URI};
use testkit::world::FakeClock;

const TARGET: &str = "target@p.iam.gserviceaccount.com";
const IAM_URI: &str = "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/target@p.iam.gserviceaccount.com:generateAccessToken";
const CLOUD_PLATFORM: &str = "https://www.googleapis.com/auth/cloud-platform";
const SOURCE_SECRET: &str = "source-client-secret";
const SOURCE_REFRESH: &str = "1//source-refresh";

/// A user source whose token (`ya29.source`) expires `expires_in` seconds
/// after the fake clock's start; no token with `None`.
fn user_source(token_expires_in: Option<u64>) -> UserCredentials {
    let token = match token_expires_in {
        Some(secs) => format!(
            r#","token":"ya29.source","expiry":"{}""#,
            rfc3339(FakeClock::at(secs))
        ),
        None => String::new(),
    };
    let json = format!(
        r#"{{"type":"authorized_user","client_id":"source-client","client_secret":"{SOURCE_SECRET}",
            "refresh_token":"{SOURCE_REFRESH}","quota_project_id":"source-billing"{token}}}"#
    );
    UserCredentials::from_authorized_user_json(json.as_bytes()).unwrap()
}

fn iam_post(authorization: &str, body: Value) -> Event {
    Event::Post {
        uri: IAM_URI.to_owned(),
        authorization: Some(format!("Bearer {authorization}")),
        quota_project: Some("source-billing".to_owned()),
        content_type: Some("application/json".to_owned()),
        body,
    }
}

fn default_body() -> Value {
    json!({"scope": [CLOUD_PLATFORM], "lifetime": "3600s"})
}

#[test]
fn a_fresh_source_means_one_iam_call_with_the_sources_token_and_quota_project() {
    let credentials = ImpersonatedCredentials::new(user_source(Some(3600)), TARGET);
    let run = record(
        credentials.refresh().unwrap(),
        &mut FakeIam::new(),
        &mut FakeClock::new(),
    );
    assert_eq!(
        run.events,
        [iam_post("ya29.source", default_body()), Event::Done]
    );
    let refreshed = run.output.unwrap();
    let token = refreshed.token().unwrap();
    assert_eq!(token.token().secret(), "ya29.impersonated-1");
    assert_eq!(
        token.expiry(),
        Some(FakeClock::at(3600)),
        "expireTime as IAM sent it"
    );
}

#[test]
fn a_stale_or_missing_source_token_is_renewed_first_and_kept() {
    // 100 s left is under the 225 s threshold: stale, as google-auth has it.
    for source in [user_source(None), user_source(Some(100))] {
        let credentials = ImpersonatedCredentials::new(source, TARGET);
        let mut fake = FakeIam::new();
        let mut clock = FakeClock::new();
        let run = record(credentials.refresh().unwrap(), &mut fake, &mut clock);
        let [Event::Post { uri, body, .. }, iam, Event::Done] = &run.events[..] else {
            panic!("{:?}", run.events)
        };
        assert_eq!(uri, TOKEN_URI);
        let form = body.as_str().unwrap();
        assert!(form.contains("grant_type=refresh_token"), "{form}");
        assert_eq!(iam, &iam_post("ya29.user-1", default_body()));
        let refreshed = run.output.unwrap();
        let AnyCredentials::User(source) = refreshed.source() else {
            panic!("the source stays a user")
        };
        assert_eq!(source.token().unwrap().token().secret(), "ya29.user-1");

        // The renewed source is fresh: the next refresh only asks IAM.
        let again = record(refreshed.refresh().unwrap(), &mut fake, &mut clock);
        assert_eq!(
            again.events,
            [iam_post("ya29.user-1", default_body()), Event::Done]
        );
    }
}

#[test]
fn scopes_delegates_and_lifetime_are_sent_as_the_api_documents() {
    let credentials = ImpersonatedCredentials::new(user_source(Some(3600)), TARGET)
        .with_scopes(["https://www.googleapis.com/auth/devstorage.read_only"])
        .with_delegates([
            "d1@p.iam.gserviceaccount.com",
            "projects/-/serviceAccounts/d2@p.iam.gserviceaccount.com",
        ])
        .with_lifetime(std::time::Duration::from_secs(600));
    let run = record(
        credentials.refresh().unwrap(),
        &mut FakeIam::new(),
        &mut FakeClock::new(),
    );
    let body = json!({
        "delegates": [
            "projects/-/serviceAccounts/d1@p.iam.gserviceaccount.com",
            "projects/-/serviceAccounts/d2@p.iam.gserviceaccount.com",
        ],
        "scope": ["https://www.googleapis.com/auth/devstorage.read_only"],
        "lifetime": "600s",
    });
    assert_eq!(run.events, [iam_post("ya29.source", body), Event::Done]);
    assert_eq!(
        run.output.unwrap().token().unwrap().expiry(),
        Some(FakeClock::at(600))
    );
}

#[test]
fn iam_refusals_are_typed_sanitised_and_sticky() {
    let denied = r#"{"error":{"code":403,"message":"Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).\u001b[31m","status":"PERMISSION_DENIED"}}"#;
    let credentials = ImpersonatedCredentials::new(user_source(Some(3600)), TARGET);
    let mut fake = FakeIam::scripted([Scripted::Answer(403, denied.to_owned())]);
    let mut refresh = credentials.refresh().unwrap();
    let run = record(&mut refresh, &mut fake, &mut FakeClock::new());
    let Some(Event::Error(Error::GoogleApi(error))) = run.events.last() else {
        panic!("{:?}", run.events)
    };
    assert_eq!(error.status(), Some("PERMISSION_DENIED"));
    assert_eq!(error.http_status(), 403);
    let message = error.message().unwrap();
    assert!(message.starts_with("Permission 'iam.serviceAccounts.getAccessToken' denied"));
    assert!(!message.contains('\u{1b}'), "{message:?}");
    let shown = Error::GoogleApi(error.clone()).to_string();
    assert!(shown.contains("serviceAccountTokenCreator"), "{shown}");
    for secret in ["ya29.source", SOURCE_SECRET, SOURCE_REFRESH] {
        assert!(!shown.contains(secret) && !format!("{error:?}").contains(secret));
    }
    assert!(!Error::GoogleApi(error.clone()).is_retryable());
    assert_eq!(
        refresh.poll(FakeClock::at(10)).unwrap_err(),
        Error::GoogleApi(error.clone()),
        "errors are sticky"
    );
}

#[test]
fn a_source_that_cannot_renew_stops_before_iam() {
    let refused =
        r#"{"error":"invalid_grant","error_description":"Token has been expired or revoked."}"#;
    let credentials = ImpersonatedCredentials::new(user_source(None), TARGET);
    let mut fake = FakeIam::scripted([Scripted::Answer(400, refused.to_owned())]);
    let run = record(
        credentials.refresh().unwrap(),
        &mut fake,
        &mut FakeClock::new(),
    );
    assert_eq!(run.events.len(), 2, "{:?}", run.events);
    let Some(Event::Error(Error::OAuth(error))) = run.events.last() else {
        panic!("{:?}", run.events)
    };
    assert_eq!(*error.code(), ErrorCode::InvalidGrant);
}

#[test]
fn a_lost_iam_answer_is_a_retryable_transport_error_and_a_busy_iam_a_retryable_status() {
    let lost = TransportFailure::new(TransportFailureKind::Timeout, "timed out");
    let busy = r#"{"error":{"code":503,"message":"The service is currently unavailable.","status":"UNAVAILABLE"}}"#;
    for (scripted, check) in [
        (
            Scripted::Transport(lost),
            (|e: &Error| matches!(e, Error::Transport(_))) as fn(&Error) -> bool,
        ),
        (
            Scripted::Answer(503, busy.to_owned()),
            |e: &Error| matches!(e, Error::GoogleApi(g) if g.status() == Some("UNAVAILABLE")),
        ),
        (Scripted::Answer(502, "<html>".to_owned()), |e: &Error| {
            *e == Error::HttpStatus { status: 502 }
        }),
    ] {
        let credentials = ImpersonatedCredentials::new(user_source(Some(3600)), TARGET);
        let run = record(
            credentials.refresh().unwrap(),
            &mut FakeIam::scripted([scripted]),
            &mut FakeClock::new(),
        );
        let Some(Event::Error(error)) = run.events.last() else {
            panic!("{:?}", run.events)
        };
        assert!(check(error), "{error:?}");
        assert!(error.is_retryable(), "{error:?}");
    }
}

#[test]
fn an_answer_before_the_request_is_misuse() {
    let credentials = ImpersonatedCredentials::new(user_source(Some(3600)), TARGET);
    let mut refresh = credentials.refresh().unwrap();
    let early = http::Response::new(b"{}".to_vec());
    assert_eq!(
        refresh.handle_response(early, FakeClock::at(0)),
        Err(Error::Misuse(Misuse::UnexpectedResponse))
    );
}

#[test]
fn as_any_credentials_a_refresh_ends_impersonated() {
    let any = AnyCredentials::from(ImpersonatedCredentials::new(
        user_source(Some(3600)),
        TARGET,
    ));
    let run = record(
        any.refresh().unwrap(),
        &mut FakeIam::new(),
        &mut FakeClock::new(),
    );
    let Some(AnyCredentials::Impersonated(refreshed)) = run.output else {
        panic!("{:?}", run.events)
    };
    assert_eq!(refreshed.target_principal(), TARGET);
    assert_eq!(
        refreshed.token().unwrap().token().secret(),
        "ya29.impersonated-1"
    );
}

const ID_TOKEN_URI: &str = "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/target@p.iam.gserviceaccount.com:generateIdToken";

#[test]
fn id_tokens_come_from_generate_id_token_with_the_audience_and_expire_at_their_exp() {
    let id_tokens = ImpersonatedCredentials::new(user_source(Some(3600)), TARGET)
        .with_delegates(["d1@p.iam.gserviceaccount.com"])
        .id_token_credentials("https://service.example")
        .with_include_email(true);
    let run = record(
        id_tokens.refresh().unwrap(),
        &mut FakeIam::new(),
        &mut FakeClock::new(),
    );
    let body = json!({
        "audience": "https://service.example",
        "includeEmail": true,
        "delegates": ["projects/-/serviceAccounts/d1@p.iam.gserviceaccount.com"],
    });
    let Event::Post { uri, .. } = &run.events[0] else {
        panic!("{:?}", run.events)
    };
    assert_eq!(uri, ID_TOKEN_URI);
    let mut expected = iam_post("ya29.source", body);
    if let Event::Post { uri, .. } = &mut expected {
        *uri = ID_TOKEN_URI.to_owned();
    }
    assert_eq!(run.events, [expected, Event::Done]);
    let refreshed = run.output.unwrap();
    let token = refreshed.token().unwrap();
    assert_eq!(
        token.token().secret(),
        testkit::metadata::id_token("https://service.example", true, FakeClock::at(0))
    );
    assert_eq!(
        token.expiry(),
        Some(testkit::metadata::id_token_expiry(FakeClock::at(0))),
        "the JWT's exp"
    );
}

#[test]
fn an_id_token_answer_without_a_jwt_is_refused() {
    for body in [r#"{}"#, r#"{"token":"not a jwt"}"#, r#"{"token":5}"#] {
        let id_tokens = ImpersonatedCredentials::new(user_source(Some(3600)), TARGET)
            .id_token_credentials("aud");
        let run = record(
            id_tokens.refresh().unwrap(),
            &mut FakeIam::scripted([Scripted::Answer(200, body.to_owned())]),
            &mut FakeClock::new(),
        );
        assert!(
            matches!(
                run.events.last(),
                Some(Event::Error(Error::InvalidResponse(_)))
            ),
            "{body}: {:?}",
            run.events
        );
    }
}

#[test]
fn sign_blob_sends_the_payload_in_standard_base64_and_returns_the_signature_and_the_source() {
    let payload = b"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0\xff";
    let credentials = ImpersonatedCredentials::new(user_source(None), TARGET)
        .with_delegates(["d1@p.iam.gserviceaccount.com"]);
    let run = record(
        credentials.sign_blob(payload),
        &mut FakeIam::new(),
        &mut FakeClock::new(),
    );
    let [Event::Post { uri: refresh, .. }, Event::Post {
        uri,
        authorization,
        body,
        ..
    }, Event::Done] = &run.events[..]
    else {
        panic!("{:?}", run.events)
    };
    assert_eq!(refresh, TOKEN_URI, "the source had no token: renewed first");
    assert_eq!(
        uri,
        "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/target@p.iam.gserviceaccount.com:signBlob"
    );
    assert_eq!(authorization.as_deref(), Some("Bearer ya29.user-1"));
    assert_eq!(
        body,
        &json!({
            "payload": "ZXlKaGJHY2lPaUpTVXpJMU5pSjkuZXlKemRXSWlPaUo0SW4w/w==",
            "delegates": ["projects/-/serviceAccounts/d1@p.iam.gserviceaccount.com"],
        })
    );
    let (signed, source) = run.output.unwrap();
    assert_eq!(signed.key_id, "fake-key-1");
    assert_eq!(signed.signature, testkit::iam::fake_signature(payload));
    assert_eq!(
        source.token().unwrap().token().secret(),
        "ya29.user-1",
        "the renewed source comes back"
    );
}

#[test]
fn a_refused_sign_blob_is_a_typed_error() {
    let denied = r#"{"error":{"code":403,"message":"Permission 'iam.serviceAccounts.signBlob' denied","status":"PERMISSION_DENIED"}}"#;
    let credentials = ImpersonatedCredentials::new(user_source(Some(3600)), TARGET);
    let run = record(
        credentials.sign_blob(b"x"),
        &mut FakeIam::scripted([Scripted::Answer(403, denied.to_owned())]),
        &mut FakeClock::new(),
    );
    assert!(
        matches!(run.events.last(), Some(Event::Error(Error::GoogleApi(e))) if e.status() == Some("PERMISSION_DENIED")),
        "{:?}",
        run.events
    );
}
