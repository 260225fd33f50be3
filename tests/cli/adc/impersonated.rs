//! `token` with an `impersonated_service_account` file (what `gcloud auth
//! application-default login --impersonate-service-account` writes): the
//! user source refreshed at a loopback fake, then IAM's generateAccessToken
//! (or generateIdToken) at the URL the file names.

use std::time::SystemTime;

use super::*;
use testkit::canned_http::{canned, Answer, CannedServer};

const TARGET: &str = "target@p.iam.gserviceaccount.com";

/// The file gcloud writes, pointing at `server`.
fn impersonated_file(server: &CannedServer) -> String {
    serde_json::json!({
        "type": "impersonated_service_account",
        "service_account_impersonation_url":
            server.url(&format!("/v1/projects/-/serviceAccounts/{TARGET}:generateAccessToken")),
        "source_credentials": serde_json::from_str::<serde_json::Value>(&user_file(&server.url("/token"))).unwrap(),
        "delegates": ["d1@p.iam.gserviceaccount.com"],
        "quota_project_id": "billed-project",
    })
    .to_string()
}

#[test]
fn an_impersonated_file_named_by_google_application_credentials() {
    let server = CannedServer::start(vec![
        Answer::Bytes(canned(200, &token_response("ya29.user-cli"))),
        Answer::Bytes(canned(
            200,
            r#"{"accessToken":"ya29.impersonated-cli","expireTime":"2099-01-01T00:00:00Z"}"#,
        )),
    ]);
    let dir = Scratch::new();
    let path = dir.write("impersonated.json", &impersonated_file(&server));
    let mut command = token_command(&dir, &["--format", "json"]);
    command.env("GOOGLE_APPLICATION_CREDENTIALS", &path);

    let finished = crate::support::Running::run(&mut command);
    let json = printed_json(
        &finished,
        "access_token",
        "GOOGLE_APPLICATION_CREDENTIALS",
        "token --format json, GOOGLE_APPLICATION_CREDENTIALS=impersonated_service_account",
    );
    assert_eq!(json["access_token"], "ya29.impersonated-cli");
    assert_eq!(json["expiry"], "2099-01-01T00:00:00Z", "IAM's expireTime");

    let requests = server.requests();
    assert_eq!(requests.len(), 2, "{requests:?}");
    assert_eq!(requests[0].line, "POST /token HTTP/1.1");
    assert_eq!(
        requests[1].line,
        format!("POST /v1/projects/-/serviceAccounts/{TARGET}:generateAccessToken HTTP/1.1")
    );
    let headers = requests[1].sorted_headers();
    assert!(
        headers.contains(&("authorization".into(), "Bearer ya29.user-cli".into())),
        "{headers:?}"
    );
    let body: serde_json::Value = serde_json::from_str(requests[1].body()).unwrap();
    assert_eq!(
        body,
        serde_json::json!({
            "scope": [CLOUD_PLATFORM],
            "lifetime": "3600s",
            "delegates": ["projects/-/serviceAccounts/d1@p.iam.gserviceaccount.com"],
        })
    );
}

#[test]
fn an_id_token_through_impersonation() {
    let id_token = testkit::metadata::id_token("https://service.example", false, SystemTime::now());
    let server = CannedServer::start(vec![
        Answer::Bytes(canned(200, &token_response("ya29.user-cli"))),
        Answer::Bytes(canned(
            200,
            &serde_json::json!({"token": id_token}).to_string(),
        )),
    ]);
    let dir = Scratch::new();
    let path = dir.write("impersonated.json", &impersonated_file(&server));
    let mut command = token_command(
        &dir,
        &[
            "--id-token",
            "--audience",
            "https://service.example",
            "--format",
            "json",
        ],
    );
    command.env("GOOGLE_APPLICATION_CREDENTIALS", &path);

    let finished = crate::support::Running::run(&mut command);
    let json = printed_json(
        &finished,
        "id_token",
        "GOOGLE_APPLICATION_CREDENTIALS",
        "token --id-token --format json, impersonated_service_account",
    );
    assert_eq!(json["id_token"], id_token.as_str());
    let requests = server.requests();
    assert_eq!(
        requests[1].line,
        format!("POST /v1/projects/-/serviceAccounts/{TARGET}:generateIdToken HTTP/1.1")
    );
    let body: serde_json::Value = serde_json::from_str(requests[1].body()).unwrap();
    assert_eq!(
        body,
        serde_json::json!({
            "audience": "https://service.example",
            "includeEmail": false,
            "delegates": ["projects/-/serviceAccounts/d1@p.iam.gserviceaccount.com"],
        })
    );
}
