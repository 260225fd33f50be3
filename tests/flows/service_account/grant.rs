//! The JWT-bearer grant: the exact request, the token it yields, re-signing
//! on every refresh, domain-wide delegation, remote signers, and response
//! handling shared with the code exchange.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::SystemTime;

use oauth2_sansio::google::GOOGLE_TOKEN_URI;
use oauth2_sansio::jwt::{Algorithm, RingSigner, SignError, Signer};
use oauth2_sansio::service_account::ServiceAccountCredentials;
use oauth2_sansio::{
    drive, AuthorizeError, ConfigError, Credentials, Error, ErrorCode, Freshness, InvalidResponse,
    Machine, Step,
};
use serde_json::json;

use testkit::jwt::endpoint::respond;
use testkit::jwt::{at, fixture, form, verify, FakeTokenEndpoint, EMAIL, KEY_JSON, PKCS8};

const CLOUD_PLATFORM: &str = "https://www.googleapis.com/auth/cloud-platform";

fn credentials() -> ServiceAccountCredentials {
    ServiceAccountCredentials::from_json(KEY_JSON)
        .unwrap()
        .with_scopes([CLOUD_PLATFORM])
}

/// Drives `creds.refresh()` against `endpoint` with the clock at `now`.
fn refresh_at(
    creds: &ServiceAccountCredentials,
    endpoint: &mut FakeTokenEndpoint,
    now: SystemTime,
) -> Result<ServiceAccountCredentials, Error> {
    drive(
        creds.refresh().unwrap(),
        || now,
        |request| Ok(endpoint.handle(&request, now)),
        |_| {},
    )
}

#[test]
fn transcript_pins_the_exact_assertion_bytes() {
    let mut refresh = credentials().refresh().unwrap();
    let Step::Send(request) = refresh.poll(at(0)).unwrap() else {
        panic!("expected Send")
    };
    let pinned = fixture("assertion_1767225600.jwt");
    let pinned = pinned.trim_end();
    assert_eq!(request.method(), http::Method::POST);
    assert_eq!(request.uri(), GOOGLE_TOKEN_URI);
    assert_eq!(request.headers()["accept"], "application/json");
    assert_eq!(
        request.headers()["content-type"],
        "application/x-www-form-urlencoded"
    );
    assert_eq!(
        std::str::from_utf8(request.body()).unwrap(),
        format!(
            "assertion={pinned}&grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer"
        )
    );
    verify(pinned);

    let response = respond(
        200,
        &json!({"access_token": "ya29.c", "token_type": "Bearer", "expires_in": 3599}),
    );
    refresh.handle_response(response, at(2)).unwrap();
    let Step::Done(creds) = refresh.poll(at(2)).unwrap() else {
        panic!("expected Done")
    };
    let token = creds.token().unwrap();
    assert_eq!(token.token().secret(), "ya29.c");
    assert_eq!(
        token.expiry(),
        Some(at(3599)),
        "the lifetime counts from the send"
    );
}

#[test]
fn tokens_authorize_requests_and_every_refresh_signs_anew() {
    let mut endpoint = FakeTokenEndpoint::new(GOOGLE_TOKEN_URI);
    let creds = credentials().with_quota_project(Some("billing-project".into()));
    assert_eq!(creds.freshness(at(0)), Freshness::Invalid);
    assert_eq!(
        creds.authorize(&mut http::Request::new(()), at(0)),
        Err(AuthorizeError::NeedsRefresh)
    );

    let creds = refresh_at(&creds, &mut endpoint, at(100)).unwrap();
    let mut request = http::Request::new(());
    assert_eq!(creds.authorize(&mut request, at(100)), Ok(Freshness::Fresh));
    assert_eq!(request.headers()["authorization"], "Bearer ya29.sa-1");
    assert_eq!(request.headers()["x-goog-user-project"], "billing-project");
    assert_eq!(creds.freshness(at(100 + 3599 - 226)), Freshness::Fresh);
    assert_eq!(creds.freshness(at(100 + 3599 - 225)), Freshness::Stale);
    assert_eq!(creds.freshness(at(100 + 3599)), Freshness::Invalid);

    let creds = refresh_at(&creds, &mut endpoint, at(3500)).unwrap();
    assert_eq!(creds.token().unwrap().token().secret(), "ya29.sa-2");
    let [first, second] = &endpoint.assertions[..] else {
        panic!("two assertions")
    };
    assert_eq!(first["iat"], json!(testkit::jwt::START + 100));
    assert_eq!(second["iat"], json!(testkit::jwt::START + 3500));
    assert_ne!(endpoint.raw_assertions[0], endpoint.raw_assertions[1]);
    assert_eq!(first["scope"], CLOUD_PLATFORM);
    assert_eq!(first["iss"], EMAIL);
}

#[test]
fn the_assertion_is_signed_when_sent_not_when_made() {
    let mut refresh = credentials().refresh().unwrap();
    let Step::Send(request) = refresh.poll(at(500)).unwrap() else {
        panic!("expected Send")
    };
    let assertion = &form(request.body())[0].1;
    let claims = verify(assertion).claims().unwrap();
    assert_eq!(claims.iat(), testkit::jwt::START + 500);
    assert_eq!(claims.exp(), claims.iat() + 3600);
    assert_eq!(claims, credentials().assertion_claims(at(500)));
}

#[test]
fn sub_is_sent_only_for_domain_wide_delegation() {
    let mut endpoint = FakeTokenEndpoint::new(GOOGLE_TOKEN_URI);
    refresh_at(&credentials(), &mut endpoint, at(0)).unwrap();
    let delegated = credentials().with_subject("admin@example.com");
    assert_eq!(delegated.subject(), Some("admin@example.com"));
    refresh_at(&delegated, &mut endpoint, at(0)).unwrap();
    assert!(!endpoint.assertions[0].contains_key("sub"));
    assert_eq!(endpoint.assertions[1]["sub"], "admin@example.com");
}

#[test]
fn extra_claims_are_sent_and_reserved_ones_refused() {
    let mut endpoint = FakeTokenEndpoint::new(GOOGLE_TOKEN_URI);
    let creds = credentials().with_claim("jti", "nonce-1").unwrap();
    refresh_at(&creds, &mut endpoint, at(0)).unwrap();
    assert_eq!(endpoint.assertions[0]["jti"], "nonce-1");
    for reserved in ["exp", "iat", "aud", "iss", "sub", "scope"] {
        assert_eq!(
            credentials().with_claim(reserved, 1).unwrap_err().name(),
            reserved
        );
    }
}

#[test]
fn changing_scopes_or_subject_drops_the_cached_token() {
    let mut endpoint = FakeTokenEndpoint::new(GOOGLE_TOKEN_URI);
    let creds = refresh_at(&credentials(), &mut endpoint, at(0)).unwrap();
    assert!(creds.token().is_some());
    assert!(creds.clone().with_scopes(["openid"]).token().is_none());
    assert!(creds
        .clone()
        .with_subject("u@example.com")
        .token()
        .is_none());
    assert!(creds.with_quota_project(None).token().is_some());
}

/// A signer that keeps its key elsewhere (here: a wrapped RingSigner) and
/// counts its calls, as a KMS client would.
struct Remote {
    inner: RingSigner,
    calls: AtomicUsize,
    fail: Option<SignError>,
}

impl Signer for Remote {
    fn algorithm(&self) -> Algorithm {
        Algorithm::Rs256
    }
    fn key_id(&self) -> Option<&str> {
        Some("kms-key-7")
    }
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        match &self.fail {
            Some(error) => Err(error.clone()),
            None => self.inner.sign(message),
        }
    }
}

fn remote(fail: Option<SignError>) -> Arc<Remote> {
    Arc::new(Remote {
        inner: RingSigner::from_pem(PKCS8, None).unwrap(),
        calls: AtomicUsize::new(0),
        fail,
    })
}

#[test]
fn a_remote_signer_needs_no_private_key() {
    let signer = remote(None);
    let creds =
        ServiceAccountCredentials::new(signer.clone(), EMAIL, "http://127.0.0.1:8089/token")
            .unwrap()
            .with_scopes(["s"]);
    let mut endpoint = FakeTokenEndpoint::new("http://127.0.0.1:8089/token");
    refresh_at(&creds, &mut endpoint, at(0)).unwrap();
    refresh_at(&creds, &mut endpoint, at(60)).unwrap();
    assert_eq!(
        signer.calls.load(Ordering::SeqCst),
        2,
        "one signature per refresh"
    );
    let header = oauth2_sansio::jwt::decode_unverified(&endpoint.raw_assertions[0]).unwrap();
    assert_eq!(header.key_id(), Some("kms-key-7"));

    assert_eq!(
        ServiceAccountCredentials::new(signer, EMAIL, "http://evil.example/token").unwrap_err(),
        ConfigError::InsecureEndpoint {
            endpoint: "token_uri"
        }
    );
}

#[test]
fn a_signer_failure_ends_the_machine_with_a_sticky_signing_error() {
    let signer = remote(Some(SignError::retryable("KMS unavailable")));
    let creds = ServiceAccountCredentials::new(signer.clone(), EMAIL, GOOGLE_TOKEN_URI).unwrap();
    let mut refresh = creds.refresh().unwrap();
    let err = refresh.poll(at(0)).unwrap_err();
    assert_eq!(err, Error::Signing(SignError::retryable("KMS unavailable")));
    assert!(err.is_retryable());
    assert!(err.to_string().contains("KMS unavailable"));
    assert_eq!(refresh.poll(at(1)).unwrap_err(), err);
    assert_eq!(signer.calls.load(Ordering::SeqCst), 1, "not signed again");

    let permanent = ServiceAccountCredentials::new(
        remote(Some(SignError::new("denied"))),
        EMAIL,
        GOOGLE_TOKEN_URI,
    )
    .unwrap();
    assert!(!permanent
        .refresh()
        .unwrap()
        .poll(at(0))
        .unwrap_err()
        .is_retryable());
}

fn answer(body: serde_json::Value, status: u16) -> Result<ServiceAccountCredentials, Error> {
    drive(
        credentials().refresh().unwrap(),
        || at(0),
        |_| Ok(respond(status, &body)),
        |_| {},
    )
}

#[test]
fn responses_are_judged_as_for_the_code_exchange() {
    // An ID-token-only answer is not an access token for this grant.
    assert_eq!(
        answer(json!({"id_token": "a.b.c"}), 200).unwrap_err(),
        Error::InvalidResponse(InvalidResponse::MissingField {
            field: "access_token"
        })
    );
    assert!(matches!(
        answer(json!({"access_token": "a", "token_type": "mac"}), 200),
        Err(Error::InvalidResponse(
            InvalidResponse::UnsupportedTokenType { .. }
        ))
    ));
    match answer(
        json!({"error": "invalid_grant", "error_description": "Invalid JWT Signature."}),
        400,
    ) {
        Err(Error::OAuth(e)) => {
            assert_eq!(*e.code(), ErrorCode::InvalidGrant);
            assert_eq!(e.description(), Some("Invalid JWT Signature."));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        answer(json!({}), 302).unwrap_err(),
        Error::Redirect { status: 302 }
    );
    let creds = answer(json!({"access_token": "a", "token_type": "bearer"}), 200).unwrap();
    assert_eq!(
        creds.token().unwrap().expiry(),
        None,
        "no expires_in: unknown lifetime"
    );
}

#[test]
fn the_machine_and_credentials_print_no_secret() {
    let mut endpoint = FakeTokenEndpoint::new(GOOGLE_TOKEN_URI);
    let creds = refresh_at(&credentials(), &mut endpoint, at(0)).unwrap();
    let mut refresh = creds.refresh().unwrap();
    let _ = refresh.poll(at(1)).unwrap();
    for text in [format!("{creds:?}"), format!("{refresh:?}")] {
        assert!(!text.contains("ya29") && !text.contains("eyJ"), "{text}");
    }
}
