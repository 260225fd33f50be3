//! `token` from an `external_account` file named by
//! GOOGLE_APPLICATION_CREDENTIALS: a `url` source with impersonation and a
//! `file` source, each against the loopback federation fake
//! (`testkit::sts`: subject token URL, STS, IAM).

use std::time::SystemTime;

use super::*;
use crate::support::Running;
use testkit::sts::federation;

const AUDIENCE: &str =
    "//iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/pool/providers/oidc";

fn form(body: &[u8]) -> Vec<(String, String)> {
    oauth2_sansio::url::form_urlencoded::parse(body)
        .into_owned()
        .collect()
}

fn external_file(source: serde_json::Value, token_url: &str) -> serde_json::Value {
    serde_json::json!({
        "type": "external_account",
        "audience": AUDIENCE,
        "subject_token_type": "urn:ietf:params:oauth:token-type:jwt",
        "token_url": token_url,
        "credential_source": source,
    })
}

#[test]
fn a_url_sourced_file_with_impersonation() {
    let server = federation(Some("eyJ.url.subject"), "ya29.sts-cli", Some("ya29.sa-cli"));
    let dir = Scratch::new();
    let mut file = external_file(
        serde_json::json!({"url": server.url("/subject")}),
        &server.url("/v1/token"),
    );
    file["service_account_impersonation_url"] = server
        .url("/v1/projects/-/serviceAccounts/sa@p.iam.gserviceaccount.com:generateAccessToken")
        .into();
    let path = dir.write("wif.json", &file.to_string());
    let mut command = token_command(&dir, &["--format", "json"]);
    command.env("GOOGLE_APPLICATION_CREDENTIALS", &path);

    let finished = Running::run(&mut command);
    let json = printed_json(
        &finished,
        "access_token",
        "GOOGLE_APPLICATION_CREDENTIALS",
        "token --format json, external_account (url source, impersonation)",
    );
    assert_eq!(json["access_token"], "ya29.sa-cli");
    let requests = server.requests();
    let lines: Vec<&str> = requests.iter().map(|r| r.line.as_str()).collect();
    assert_eq!(
        lines,
        [
            "GET /subject HTTP/1.1",
            "POST /v1/token HTTP/1.1",
            "POST /v1/projects/-/serviceAccounts/sa@p.iam.gserviceaccount.com:generateAccessToken HTTP/1.1",
        ]
    );
    let sts = form(&requests[1].body);
    assert!(
        sts.contains(&("subject_token".into(), "eyJ.url.subject".into())),
        "{sts:?}"
    );
    assert!(
        sts.contains(&("scope".into(), "https://www.googleapis.com/auth/iam".into())),
        "{sts:?}"
    );
    let iam: serde_json::Value = serde_json::from_slice(&requests[2].body).unwrap();
    assert_eq!(iam["scope"], serde_json::json!([CLOUD_PLATFORM]));
}

/// Through GOOGLE_APPLICATION_CREDENTIALS (the io runner attaches the
/// file reader) and through `--credentials` (the CLI attaches it).
#[test]
fn a_file_sourced_file_read_by_the_io_layer() {
    for named in [false, true] {
        let server = federation(None, "ya29.sts-file", None);
        let dir = Scratch::new();
        let token_path = dir.write("subject.json", r#"{"id_token":"eyJ.file.subject"}"#);
        let file = external_file(
            serde_json::json!({
                "file": token_path,
                "format": {"type": "json", "subject_token_field_name": "id_token"},
            }),
            &server.url("/v1/token"),
        );
        let path = dir.write("wif.json", &file.to_string());
        let mut command = if named {
            token_command(&dir, &["--format", "json", "--credentials", &path])
        } else {
            let mut command = token_command(&dir, &["--format", "json"]);
            command.env("GOOGLE_APPLICATION_CREDENTIALS", &path);
            command
        };
        let before = SystemTime::now();
        let finished = Running::run(&mut command);
        assert_eq!(finished.code(), 0, "{finished:?}");
        let json: serde_json::Value = serde_json::from_str(&finished.stdout).unwrap();
        assert_expires(&json, 3600, before, SystemTime::now());
        assert_eq!(json["access_token"], "ya29.sts-file");
        let requests = server.requests();
        assert_eq!(requests.len(), 1);
        let sts = form(&requests[0].body);
        assert!(
            sts.contains(&("subject_token".into(), "eyJ.file.subject".into())),
            "{sts:?}"
        );
        assert!(
            sts.contains(&("scope".into(), CLOUD_PLATFORM.into())),
            "{sts:?}"
        );
    }
}

/// `--id-token` with an impersonating file: the subject token, STS (scope
/// `iam`), then IAM's generateIdToken for the audience.
#[test]
fn an_id_token_through_federation_and_impersonation() {
    use testkit::canned_http::{canned, Answer, CannedServer};

    let id_token = testkit::metadata::id_token("https://svc.example", false, SystemTime::now());
    let server = CannedServer::start(vec![
        Answer::Bytes(canned(200, "eyJ.url.subject")),
        Answer::Bytes(canned(200, &testkit::sts::sts_answer("ya29.sts-cli"))),
        Answer::Bytes(canned(
            200,
            &serde_json::json!({"token": id_token}).to_string(),
        )),
    ]);
    let dir = Scratch::new();
    let mut file = external_file(
        serde_json::json!({"url": server.url("/subject")}),
        &server.url("/v1/token"),
    );
    file["service_account_impersonation_url"] = server
        .url("/v1/projects/-/serviceAccounts/sa@p.iam.gserviceaccount.com:generateAccessToken")
        .into();
    let path = dir.write("wif.json", &file.to_string());
    let mut command = token_command(
        &dir,
        &[
            "--id-token",
            "--audience",
            "https://svc.example",
            "--format",
            "json",
        ],
    );
    command.env("GOOGLE_APPLICATION_CREDENTIALS", &path);

    let finished = Running::run(&mut command);
    let json = printed_json(
        &finished,
        "id_token",
        "GOOGLE_APPLICATION_CREDENTIALS",
        "token --id-token --format json, external_account (url source, impersonation)",
    );
    assert_eq!(json["id_token"], id_token.as_str());
    let requests = server.requests();
    assert_eq!(
        requests[2].line,
        "POST /v1/projects/-/serviceAccounts/sa@p.iam.gserviceaccount.com:generateIdToken HTTP/1.1"
    );
    let body: serde_json::Value = serde_json::from_slice(&requests[2].body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"audience": "https://svc.example", "includeEmail": false})
    );
    let headers = requests[2].sorted_headers();
    assert!(
        headers.contains(&("authorization".into(), "Bearer ya29.sts-cli".into())),
        "{headers:?}"
    );
}
