//! `token` from each source: GOOGLE_APPLICATION_CREDENTIALS naming a
//! service-account key or an authorized_user file, gcloud's file (found
//! through CLOUDSDK_CONFIG) and the metadata server, each refreshed at a
//! loopback fake.

use std::fs;
use std::time::SystemTime;

use super::*;
use crate::support::Running;
use testkit::canned_http::{canned, Answer, CannedServer};
use testkit::metadata::{FakeMetadata, TOKEN_LIFETIME};

/// The form `body` as pairs.
fn form(body: &[u8]) -> Vec<(String, String)> {
    oauth2_sansio::url::form_urlencoded::parse(body)
        .into_owned()
        .collect()
}

#[cfg(feature = "ring")]
#[test]
fn a_service_account_key_named_by_google_application_credentials() {
    use testkit::jwt::{verify, KEY_JSON};

    let server = CannedServer::start(vec![Answer::Bytes(canned(
        200,
        &token_response("ya29.sa-cli"),
    ))]);
    let dir = Scratch::new();
    let mut key: serde_json::Value = serde_json::from_slice(KEY_JSON).unwrap();
    key["token_uri"] = server.url("/token").into();
    let key_path = dir.write("key.json", &key.to_string());
    let mut command = token_command(&dir, &["--format", "json"]);
    command.env("GOOGLE_APPLICATION_CREDENTIALS", &key_path);

    let before = SystemTime::now();
    let finished = Running::run(&mut command);
    let json = printed_json(
        &finished,
        "access_token",
        "GOOGLE_APPLICATION_CREDENTIALS",
        "token --format json, GOOGLE_APPLICATION_CREDENTIALS=service-account key",
    );
    assert_expires(&json, 3599, before, SystemTime::now());
    assert_eq!(json["access_token"], "ya29.sa-cli");

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].line, "POST /token HTTP/1.1");
    let pairs = form(&requests[0].body);
    assert_eq!(pairs[1].1, "urn:ietf:params:oauth:grant-type:jwt-bearer");
    let claims = verify(&pairs[0].1);
    assert_eq!(claims.payload()["scope"], CLOUD_PLATFORM);
    assert_eq!(claims.payload()["aud"], server.url("/token").as_str());
}

#[test]
fn an_authorized_user_file_named_by_google_application_credentials() {
    let server = CannedServer::start(vec![Answer::Bytes(canned(
        200,
        &token_response("ya29.user-cli"),
    ))]);
    let dir = Scratch::new();
    let contents = user_file(&server.url("/token"));
    let path = dir.write("user.json", &contents);
    let mut command = token_command(&dir, &["--format", "json"]);
    command.env("GOOGLE_APPLICATION_CREDENTIALS", &path);

    let before = SystemTime::now();
    let finished = Running::run(&mut command);
    let json = printed_json(
        &finished,
        "access_token",
        "GOOGLE_APPLICATION_CREDENTIALS",
        "token --format json, GOOGLE_APPLICATION_CREDENTIALS=authorized_user file",
    );
    assert_expires(&json, 3599, before, SystemTime::now());
    assert_eq!(json["access_token"], "ya29.user-cli");

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let pairs = form(&requests[0].body);
    assert!(
        pairs.contains(&("grant_type".into(), "refresh_token".into())),
        "{pairs:?}"
    );
    assert!(
        pairs.contains(&("refresh_token".into(), "1//adc-refresh".into())),
        "{pairs:?}"
    );
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        contents,
        "ADC's files are read, never written"
    );
}

#[test]
fn gcloud_file_found_through_cloudsdk_config() {
    let server = CannedServer::start(vec![Answer::Bytes(canned(
        200,
        &token_response("ya29.gcloud-cli"),
    ))]);
    let dir = Scratch::new();
    dir.write(
        "sdk/application_default_credentials.json",
        &user_file(&server.url("/token")),
    );
    let mut command = token_command(&dir, &["--format", "json"]);
    command.env("CLOUDSDK_CONFIG", dir.path("sdk"));

    let before = SystemTime::now();
    let finished = Running::run(&mut command);
    let json = printed_json(
        &finished,
        "access_token",
        "gcloud",
        "token --format json, gcloud's file via CLOUDSDK_CONFIG",
    );
    assert_expires(&json, 3599, before, SystemTime::now());
    assert_eq!(json["access_token"], "ya29.gcloud-cli");
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn the_metadata_server_when_there_is_no_file() {
    let fake = LoopbackMetadata::start(FakeMetadata::new());
    let dir = Scratch::new();
    let mut command = token_command(&dir, &["--format", "json"]);
    with_metadata(&mut command, &fake);

    let before = SystemTime::now();
    let finished = Running::run(&mut command);
    let json = printed_json(
        &finished,
        "access_token",
        "metadata",
        "token --format json, metadata server",
    );
    assert_expires(&json, TOKEN_LIFETIME, before, SystemTime::now());
    assert_eq!(json["access_token"], "ya29.mds-1");
    assert_eq!(
        fake.seen(),
        [
            "GET / flavor=Google",
            "GET /computeMetadata/v1/project/project-id flavor=Google",
            "GET /computeMetadata/v1/instance/service-accounts/default/token?scopes=https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fcloud-platform flavor=Google",
        ]
    );
}

#[test]
fn scopes_and_plain_text_from_the_metadata_server() {
    let fake = LoopbackMetadata::start(FakeMetadata::new());
    let dir = Scratch::new();
    let mut command = token_command(
        &dir,
        &[
            "--scope",
            "https://www.googleapis.com/auth/pubsub",
            "--scope",
            "email",
        ],
    );
    with_metadata(&mut command, &fake);

    let finished = Running::run(&mut command);
    assert_eq!(finished.code(), 0, "{finished:?}");
    assert_eq!(
        finished.stdout, "ya29.mds-1\n",
        "the token and nothing else"
    );
    assert!(finished.stderr.is_empty(), "{finished:?}");
    assert_eq!(
        fake.seen().last().unwrap(),
        "GET /computeMetadata/v1/instance/service-accounts/default/token?scopes=https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fpubsub%2Cemail flavor=Google"
    );
}

#[test]
fn the_first_source_in_google_auths_order_wins_and_the_rest_are_not_asked() {
    let server = CannedServer::start(vec![
        Answer::Bytes(canned(200, &token_response("ya29.explicit"))),
        Answer::Bytes(canned(200, &token_response("ya29.gcloud"))),
    ]);
    let fake = LoopbackMetadata::start(FakeMetadata::new());
    let dir = Scratch::new();
    let explicit = dir.write("user.json", &user_file(&server.url("/token")));
    dir.write(
        "sdk/application_default_credentials.json",
        &user_file(&server.url("/token")),
    );
    let run = |explicit: Option<&str>| {
        let mut command = token_command(&dir, &["--format", "json"]);
        with_metadata(&mut command, &fake);
        command.env("CLOUDSDK_CONFIG", dir.path("sdk"));
        if let Some(path) = explicit {
            command.env("GOOGLE_APPLICATION_CREDENTIALS", path);
        }
        let finished = Running::run(&mut command);
        assert_eq!(finished.code(), 0, "{finished:?}");
        let json: serde_json::Value = serde_json::from_str(&finished.stdout).unwrap();
        (json["source"].clone(), json["access_token"].clone())
    };

    assert_eq!(
        run(Some(&explicit)),
        (
            "GOOGLE_APPLICATION_CREDENTIALS".into(),
            "ya29.explicit".into()
        )
    );
    assert_eq!(run(None), ("gcloud".into(), "ya29.gcloud".into()));
    assert_eq!(server.requests().len(), 2);
    assert!(fake.seen().is_empty(), "{:?}", fake.seen());
}

#[test]
fn an_external_account_authorized_user_file_named_by_google_application_credentials() {
    let server = CannedServer::start(vec![Answer::Bytes(canned(
        200,
        &token_response("ya29.workforce-cli"),
    ))]);
    let dir = Scratch::new();
    let contents = serde_json::json!({
        "type": "external_account_authorized_user",
        "audience": "//iam.googleapis.com/locations/global/workforcePools/pool1/providers/prov1",
        "refresh_token": "workforce-refresh",
        "token_url": server.url("/v1/oauth/token"),
        "client_id": "workforce-client",
        "client_secret": "workforce-secret",
    })
    .to_string();
    let path = dir.write("workforce.json", &contents);
    let mut command = token_command(&dir, &["--format", "json"]);
    command.env("GOOGLE_APPLICATION_CREDENTIALS", &path);

    let finished = Running::run(&mut command);
    let json = printed_json(
        &finished,
        "access_token",
        "GOOGLE_APPLICATION_CREDENTIALS",
        "token --format json, GOOGLE_APPLICATION_CREDENTIALS=external_account_authorized_user file",
    );
    assert_eq!(json["access_token"], "ya29.workforce-cli");
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].line, "POST /v1/oauth/token HTTP/1.1");
    assert_eq!(
        form(&requests[0].body),
        [
            ("grant_type".to_owned(), "refresh_token".to_owned()),
            ("refresh_token".to_owned(), "workforce-refresh".to_owned()),
        ]
    );
    let headers = requests[0].sorted_headers();
    assert!(
        headers.contains(&(
            "authorization".into(),
            "Basic d29ya2ZvcmNlLWNsaWVudDp3b3JrZm9yY2Utc2VjcmV0".into()
        )),
        "{headers:?}"
    );
    assert_eq!(fs::read_to_string(&path).unwrap(), contents);
}
