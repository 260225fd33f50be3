//! External accounts: the `url` source fetched with its headers, the STS
//! exchange byte for byte as google-auth sends it (a captured request is
//! the fixture), Basic client authentication, the workforce `options`,
//! impersonation through IAM with the STS token (scope `iam`) and the
//! file's lifetime, and the typed errors of each step.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use oauth2_sansio::external::{
    ExternalAccountCredentials, SubjectTokenContext, SubjectTokenError, SubjectTokenSupplier,
};
use oauth2_sansio::{drive, Credentials, Error, ErrorCode, SecurityToken};
use serde_json::{json, Value};

const WORKFORCE: &str =
    "//iam.googleapis.com/locations/global/workforcePools/pool1/providers/prov1";
const WORKLOAD: &str =
    "//iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/pool/providers/oidc";
const ID_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:id_token";
const IAM_URL: &str = "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/sa@p.iam.gserviceaccount.com:generateAccessToken";
const STS_OK: &str = r#"{"access_token":"ya29.sts","issued_token_type":"urn:ietf:params:oauth:token-type:access_token","token_type":"Bearer","expires_in":3600}"#;

/// One request as sent: method, URI, the headers that matter, the body.
#[derive(Debug, PartialEq)]
struct Sent {
    line: String,
    headers: Vec<(String, String)>,
    body: String,
}

fn file(extra: Value) -> ExternalAccountCredentials {
    let mut file = json!({
        "type": "external_account",
        "audience": WORKFORCE,
        "subject_token_type": ID_TOKEN_TYPE,
        "token_url": "https://sts.googleapis.com/v1/token",
        "credential_source": {
            "url": "http://127.0.0.1:5000/token",
            "headers": {"Metadata-Flavor": "Google"},
            "format": {"type": "json", "subject_token_field_name": "id_token"},
        },
    });
    for (key, value) in extra.as_object().unwrap() {
        file[key] = value.clone();
    }
    ExternalAccountCredentials::from_json(file.to_string().as_bytes()).unwrap()
}

/// Drives a refresh against answers by host; returns what was sent.
fn run(
    credentials: &ExternalAccountCredentials,
    answer: impl Fn(&http::Request<Vec<u8>>) -> (u16, String),
) -> (Result<ExternalAccountCredentials, Error>, Vec<Sent>) {
    let mut sent = Vec::new();
    let result = credentials.refresh().and_then(|refresh| {
        drive(
            refresh,
            || SystemTime::UNIX_EPOCH + Duration::from_secs(1_000),
            |request| {
                let headers = [
                    "authorization",
                    "content-type",
                    "metadata-flavor",
                    "x-goog-user-project",
                ]
                .iter()
                .filter_map(|name| {
                    request
                        .headers()
                        .get(*name)
                        .map(|v| ((*name).to_owned(), v.to_str().unwrap().to_owned()))
                })
                .collect();
                sent.push(Sent {
                    line: format!("{} {}", request.method(), request.uri()),
                    headers,
                    body: String::from_utf8(request.body().clone()).unwrap(),
                });
                let (status, body) = answer(&request);
                let mut response = http::Response::new(body.into_bytes());
                *response.status_mut() = http::StatusCode::from_u16(status).unwrap();
                Ok(response)
            },
            |_| {},
        )
    });
    (result, sent)
}

/// The subject token URL, STS and IAM as Google answers them.
fn google(request: &http::Request<Vec<u8>>) -> (u16, String) {
    match request.uri().host() {
        Some("127.0.0.1") => (200, r#"{"id_token":"eyJ.subject.token"}"#.to_owned()),
        Some("sts.googleapis.com") => (200, STS_OK.to_owned()),
        _ => (
            200,
            r#"{"accessToken":"ya29.sa","expireTime":"1970-01-01T01:00:00Z"}"#.to_owned(),
        ),
    }
}

/// The captured google-auth request (workforce pool, no client id): the
/// same bytes, `options` encoded twice as google-auth encodes it.
const CAPTURED_STS_BODY: &str = "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange&audience=%2F%2Fiam.googleapis.com%2Flocations%2Fglobal%2FworkforcePools%2Fpool1%2Fproviders%2Fprov1&scope=https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fcloud-platform&requested_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aaccess_token&subject_token=eyJ.subject.token&subject_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aid_token&options=%257B%2522userProject%2522%253A%2520%2522123456%2522%257D";

#[test]
fn url_source_then_sts_exactly_as_google_auth_sends_it() {
    let credentials = file(json!({"workforce_pool_user_project": "123456"}));
    let (result, sent) = run(&credentials, google);
    let credentials = result.unwrap();
    assert_eq!(credentials.token().unwrap().token().secret(), "ya29.sts");
    assert_eq!(
        credentials.token().unwrap().expiry(),
        Some(SystemTime::UNIX_EPOCH + Duration::from_secs(4_600))
    );
    assert_eq!(
        sent,
        [
            Sent {
                line: "GET http://127.0.0.1:5000/token".into(),
                headers: vec![("metadata-flavor".into(), "Google".into())],
                body: String::new(),
            },
            Sent {
                line: "POST https://sts.googleapis.com/v1/token".into(),
                headers: vec![(
                    "content-type".into(),
                    "application/x-www-form-urlencoded".into()
                )],
                body: CAPTURED_STS_BODY.into(),
            },
        ]
    );
}

#[test]
fn a_client_id_authenticates_with_basic_and_drops_options() {
    let credentials = file(json!({
        "workforce_pool_user_project": "123456",
        "client_id": "client",
        "client_secret": "secret",
    }));
    let (result, sent) = run(&credentials, google);
    result.unwrap();
    // base64("client:secret"), standard alphabet with padding.
    assert!(sent[1]
        .headers
        .contains(&("authorization".into(), "Basic Y2xpZW50OnNlY3JldA==".into())));
    assert!(!sent[1].body.contains("options"), "{}", sent[1].body);
    assert!(!sent[1].body.contains("client"), "{}", sent[1].body);
}

#[test]
fn impersonation_asks_sts_for_iam_then_iam_with_the_lifetime() {
    let credentials = file(json!({
        "audience": WORKLOAD,
        "service_account_impersonation_url": IAM_URL,
        "service_account_impersonation": {"token_lifetime_seconds": 2800},
        "quota_project_id": "billed",
    }));
    assert_eq!(
        credentials.service_account_email(),
        Some("sa@p.iam.gserviceaccount.com")
    );
    let (result, sent) = run(&credentials, google);
    let credentials = result.unwrap();
    assert_eq!(credentials.token().unwrap().token().secret(), "ya29.sa");
    assert_eq!(credentials.quota_project(), Some("billed"));
    let lines: Vec<&str> = sent.iter().map(|s| s.line.as_str()).collect();
    assert_eq!(
        lines,
        [
            "GET http://127.0.0.1:5000/token",
            "POST https://sts.googleapis.com/v1/token",
            &format!("POST {IAM_URL}"),
        ]
    );
    assert!(sent[1]
        .body
        .contains("&scope=https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fiam&"));
    let iam: Value = serde_json::from_str(&sent[2].body).unwrap();
    assert_eq!(
        iam,
        json!({"scope": ["https://www.googleapis.com/auth/cloud-platform"], "lifetime": "2800s"})
    );
    assert!(sent[2]
        .headers
        .contains(&("authorization".into(), "Bearer ya29.sts".into())));
    assert!(sent[2]
        .headers
        .contains(&("x-goog-user-project".into(), "billed".into())));

    // The STS token is kept while fresh: the next refresh calls IAM only.
    let (again, sent) = run(&credentials, google);
    again.unwrap();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].line, format!("POST {IAM_URL}"));
}

#[test]
fn each_step_fails_with_its_own_typed_error() {
    let credentials = file(json!({}));
    let (result, sent) = run(&credentials, |_| (404, "no".into()));
    assert_eq!(result.unwrap_err(), Error::HttpStatus { status: 404 });
    assert_eq!(sent.len(), 1, "no exchange without a subject token");

    let (result, _) = run(&credentials, |r| match r.uri().host() {
        Some("127.0.0.1") => (200, r#"{"other":"x"}"#.into()),
        _ => unreachable!("no exchange"),
    });
    assert!(matches!(
        result,
        Err(Error::SubjectToken(SubjectTokenError::Invalid { .. }))
    ));

    let (result, _) = run(&credentials, |r| match r.uri().host() {
        Some("127.0.0.1") => (200, r#"{"id_token":"t"}"#.into()),
        _ => (
            400,
            r#"{"error":"invalid_grant","error_description":"The audience is wrong"}"#.into(),
        ),
    });
    let Err(Error::OAuth(error)) = result else {
        panic!("an OAuth error")
    };
    assert_eq!(error.code(), &ErrorCode::InvalidGrant);
}

#[derive(Debug)]
struct InMemory;

impl SubjectTokenSupplier for InMemory {
    fn subject_token(
        &self,
        context: &SubjectTokenContext<'_>,
    ) -> Result<SecurityToken, SubjectTokenError> {
        assert_eq!(context.audience(), WORKLOAD);
        assert_eq!(context.subject_token_type(), ID_TOKEN_TYPE);
        Ok(SecurityToken::new("from-memory"))
    }
}

#[test]
fn a_supplier_replaces_the_fetch_and_unsupported_sources_say_so() {
    let credentials = ExternalAccountCredentials::new(WORKLOAD, ID_TOKEN_TYPE, Arc::new(InMemory));
    let (result, sent) = run(&credentials, google);
    result.unwrap();
    assert_eq!(sent.len(), 1);
    assert!(sent[0].body.contains("&subject_token=from-memory&"));

    let file_source = file(json!({"credential_source": {"file": "/run/token"}}));
    assert_eq!(
        file_source.refresh().err(),
        Some(Error::SubjectToken(SubjectTokenError::NoSupplier))
    );
    // The core runs no commands: the io layer's supplier does.
    let executable = file(json!({"credential_source": {"executable": {"command": "/bin/true"}}}));
    assert_eq!(
        executable.refresh().err(),
        Some(Error::SubjectToken(SubjectTokenError::NoSupplier))
    );
    let certificate = file(
        json!({"credential_source": {"certificate": {"use_default_certificate_config": true}}}),
    );
    assert_eq!(
        certificate.refresh().err(),
        Some(Error::SubjectToken(SubjectTokenError::UnsupportedSource {
            source: "certificate"
        }))
    );
}
