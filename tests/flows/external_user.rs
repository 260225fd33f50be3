//! `external_account_authorized_user` files (workforce identity federation
//! sign-ins): read, refreshed at their `token_url` with HTTP Basic and no
//! scope as google-auth's STS client does, a rotated refresh token kept,
//! revoked at their `revoke_url`, written back in the same form.

use std::time::{Duration, SystemTime};

use oauth2_sansio::{drive, AnyCredentials, Credentials, FileProblem, UserCredentials};
use serde_json::{json, Value};

const AUDIENCE: &str = "//iam.googleapis.com/locations/global/workforcePools/pool1/providers/prov1";

fn file() -> Value {
    json!({
        "type": "external_account_authorized_user",
        "audience": AUDIENCE,
        "refresh_token": "workforce-refresh",
        "token_url": "https://sts.googleapis.com/v1/oauth/token",
        "token_info_url": "https://sts.googleapis.com/v1/introspect",
        "client_id": "workforce-client",
        "client_secret": "workforce-secret",
        "revoke_url": "https://sts.googleapis.com/v1/oauthtoken:revoke",
        "quota_project_id": "billed",
    })
}

fn read(file: &Value) -> UserCredentials {
    UserCredentials::from_authorized_user_json(file.to_string().as_bytes()).unwrap()
}

/// `Basic base64(workforce-client:workforce-secret)`.
const BASIC: &str = "Basic d29ya2ZvcmNlLWNsaWVudDp3b3JrZm9yY2Utc2VjcmV0";

#[test]
fn a_refresh_is_basic_auth_and_the_refresh_token_only_and_keeps_a_rotated_one() {
    let credentials = read(&file());
    assert_eq!(credentials.quota_project(), Some("billed"));
    let mut sent = Vec::new();
    // Whole seconds: the file keeps the expiry to the second.
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
    let refreshed = drive(
        credentials.refresh().unwrap(),
        || now,
        |request| {
            sent.push((
                request.uri().to_string(),
                request.headers()["authorization"].to_str().unwrap().to_owned(),
                String::from_utf8(request.body().clone()).unwrap(),
            ));
            let body = br#"{"access_token":"ya29.workforce","expires_in":3600,"token_type":"Bearer","refresh_token":"workforce-refresh-2"}"#;
            Ok(http::Response::new(body.to_vec()))
        },
        |_| {},
    )
    .unwrap();
    assert_eq!(
        sent,
        [(
            "https://sts.googleapis.com/v1/oauth/token".to_owned(),
            BASIC.to_owned(),
            "grant_type=refresh_token&refresh_token=workforce-refresh".to_owned(),
        )]
    );
    assert_eq!(
        refreshed.token().unwrap().token().secret(),
        "ya29.workforce"
    );
    assert_eq!(
        refreshed.refresh_token().unwrap().secret(),
        "workforce-refresh-2"
    );

    // Written back in its own form, with the rotated token and the new access token.
    let written: Value = serde_json::from_str(&refreshed.to_authorized_user_json()).unwrap();
    let mut expected = file();
    expected["refresh_token"] = "workforce-refresh-2".into();
    expected["token"] = "ya29.workforce".into();
    expected["expiry"] = written["expiry"].clone();
    assert_eq!(written, expected);
    assert_eq!(read(&written), refreshed, "reads back as itself");
}

#[test]
fn revocation_goes_to_the_files_revoke_url_with_basic_auth() {
    let credentials = read(&file());
    let endpoint = credentials.revocation_endpoint().unwrap();
    assert_eq!(
        endpoint.as_str(),
        "https://sts.googleapis.com/v1/oauthtoken:revoke"
    );
    let mut sent = Vec::new();
    drive(
        credentials.revoke_refresh_token(&endpoint).unwrap(),
        SystemTime::now,
        |request| {
            sent.push((
                request.headers()["authorization"]
                    .to_str()
                    .unwrap()
                    .to_owned(),
                String::from_utf8(request.body().clone()).unwrap(),
            ));
            Ok(http::Response::new(Vec::new()))
        },
        |_| {},
    )
    .unwrap();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].0, BASIC);
    assert!(
        sent[0].1.starts_with("token=workforce-refresh"),
        "{}",
        sent[0].1
    );
}

#[test]
fn every_field_a_refresh_needs_is_required_and_named() {
    for field in [
        "audience",
        "refresh_token",
        "token_url",
        "client_id",
        "client_secret",
    ] {
        let mut incomplete = file();
        incomplete.as_object_mut().unwrap().remove(field);
        let error = UserCredentials::from_authorized_user_json(incomplete.to_string().as_bytes())
            .unwrap_err();
        assert!(
            matches!(error.problem(), FileProblem::MissingField { field: named } if named == field),
            "{field}: {error}"
        );
        for secret in ["workforce-refresh", "workforce-secret"] {
            assert!(!error.to_string().contains(secret), "{error}");
        }
    }
    let mut insecure = file();
    insecure["token_url"] = "http://sts.example/token".into();
    assert!(UserCredentials::from_authorized_user_json(insecure.to_string().as_bytes()).is_err());
}

#[test]
fn adc_takes_the_file_as_a_users_credentials() {
    use oauth2_sansio::adc::{Adc, AdcEnvironment};
    let found = Adc::new(AdcEnvironment::new(|_| None, None, false))
        .credentials_in(
            std::path::Path::new("/adc.json"),
            file().to_string().as_bytes(),
        )
        .unwrap();
    assert!(matches!(found.credentials(), AnyCredentials::User(_)));
    assert_eq!(found.quota_project(), Some("billed"));
}

#[test]
fn serde_keeps_the_workforce_form() {
    let credentials = read(&file());
    let written = serde_json::to_value(&credentials).unwrap();
    assert_eq!(written, file());
    let again: UserCredentials = serde_json::from_value(written).unwrap();
    assert_eq!(again, credentials);
    assert_eq!(
        again.to_authorized_user_json(),
        credentials.to_authorized_user_json()
    );
}
