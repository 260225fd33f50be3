//! `token --id-token --audience AUD`: from the metadata server and from a
//! service-account key; refused, with what to do, for a user's
//! credentials.

use oauth2_sansio::jwt::decode_unverified;

use super::*;
use crate::support::Running;
use testkit::canned_http::{canned, Answer, CannedServer};
use testkit::metadata::FakeMetadata;

const AUDIENCE: &str = "https://svc.example";

/// `json`'s expiry is the `exp` of its `id_token`.
fn assert_expires_at_exp(json: &serde_json::Value) {
    let jwt = decode_unverified(json["id_token"].as_str().unwrap()).unwrap();
    assert_eq!(jwt.expiry().unwrap(), expiry(json));
    assert_eq!(jwt.payload()["aud"], AUDIENCE);
}

#[test]
fn an_id_token_from_the_metadata_server() {
    let fake = LoopbackMetadata::start(FakeMetadata::new());
    let dir = Scratch::new();
    let mut command = token_command(
        &dir,
        &["--id-token", "--audience", AUDIENCE, "--format", "json"],
    );
    with_metadata(&mut command, &fake);

    let json = printed_json(
        &Running::run(&mut command),
        "id_token",
        "metadata",
        "token --id-token --format json, metadata server",
    );
    assert_expires_at_exp(&json);
    assert_eq!(
        fake.seen(),
        [
            "GET / flavor=Google",
            "GET /computeMetadata/v1/project/project-id flavor=Google",
            "GET /computeMetadata/v1/instance/service-accounts/default/identity?audience=https%3A%2F%2Fsvc.example&format=full flavor=Google",
        ]
    );
}

#[cfg(feature = "ring")]
#[test]
fn an_id_token_from_a_service_account_key() {
    use testkit::jwt::{form, verify, KEY_JSON};

    let id_token = testkit::metadata::id_token(AUDIENCE, true, std::time::SystemTime::now());
    let answer = serde_json::json!({ "id_token": id_token }).to_string();
    let server = CannedServer::start(vec![Answer::Bytes(canned(200, &answer))]);
    let dir = Scratch::new();
    let mut key: serde_json::Value = serde_json::from_slice(KEY_JSON).unwrap();
    key["token_uri"] = server.url("/token").into();
    let key_path = dir.write("key.json", &key.to_string());
    let mut command = token_command(
        &dir,
        &["--id-token", "--audience", AUDIENCE, "--format", "json"],
    );
    command.env("GOOGLE_APPLICATION_CREDENTIALS", &key_path);

    let json = printed_json(
        &Running::run(&mut command),
        "id_token",
        "GOOGLE_APPLICATION_CREDENTIALS",
        "token --id-token --format json, GOOGLE_APPLICATION_CREDENTIALS=service-account key",
    );
    assert_eq!(json["id_token"], id_token.as_str());
    assert_expires_at_exp(&json);
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let assertion = &form(&requests[0].body)[0].1;
    assert_eq!(
        verify(assertion).payload()["target_audience"],
        AUDIENCE,
        "the assertion asks for an ID token"
    );
}

#[test]
fn a_users_credentials_give_no_id_token() {
    let server = CannedServer::start(vec![]);
    let dir = Scratch::new();
    let path = dir.write("user.json", &user_file(&server.url("/token")));
    let mut command = token_command(&dir, &["--id-token", "--audience", AUDIENCE]);
    command.env("GOOGLE_APPLICATION_CREDENTIALS", &path);

    let finished = Running::run(&mut command);
    assert_eq!(finished.code(), 3, "{finished:?}");
    assert_eq!(finished.stdout, "");
    let [line] = &finished.stderr[..] else {
        panic!("one line: {finished:?}")
    };
    assert!(
        line.contains(
            "ID tokens come from a service account (a key, the metadata server or impersonation)"
        ) && line.contains("are a user's")
            && line.contains("use a service-account key"),
        "{line}"
    );
    assert!(server.requests().is_empty(), "nothing was refreshed");
}
