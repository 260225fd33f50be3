//! `token` from `external_account` files whose subject token the io layer
//! makes: an `aws` source (AWS variables in the child's environment,
//! instance metadata on a loopback fake) and an `executable` source (a
//! shell script; executables allowed only in the child's environment).

use super::*;
use crate::support::Running;
use testkit::canned_http::{canned, Answer, CannedServer};
use testkit::sts::sts_answer;

const AUDIENCE: &str =
    "//iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/pool/providers/aws";

fn subject_token(body: &[u8]) -> String {
    oauth2_sansio::url::form_urlencoded::parse(body)
        .find(|(k, _)| k == "subject_token")
        .map(|(_, v)| v.into_owned())
        .unwrap()
}

#[test]
fn an_aws_sourced_file_uses_the_environment_then_imdsv2() {
    let server = CannedServer::start(vec![
        Answer::Bytes(canned(200, "imds-session")),
        Answer::Bytes(canned(200, "gcp-role")),
        Answer::Bytes(canned(
            200,
            r#"{"AccessKeyId":"ASIAIMDS","SecretAccessKey":"imds-secret","Token":"imds-token"}"#,
        )),
        Answer::Bytes(canned(200, &sts_answer("ya29.sts-aws"))),
    ]);
    let dir = Scratch::new();
    let file = serde_json::json!({
        "type": "external_account",
        "audience": AUDIENCE,
        "subject_token_type": "urn:ietf:params:aws:token-type:aws4_request",
        "token_url": server.url("/v1/token"),
        "credential_source": {
            "environment_id": "aws1",
            "region_url": server.url("/latest/meta-data/placement/availability-zone"),
            "url": server.url("/latest/meta-data/iam/security-credentials"),
            "imdsv2_session_token_url": server.url("/latest/api/token"),
            "regional_cred_verification_url": "https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15",
        },
    });
    let path = dir.write("aws.json", &file.to_string());
    let mut command = token_command(&dir, &["--format", "json"]);
    command
        .env("GOOGLE_APPLICATION_CREDENTIALS", &path)
        .env("AWS_REGION", "eu-west-3");

    let finished = Running::run(&mut command);
    let json = printed_json(
        &finished,
        "access_token",
        "GOOGLE_APPLICATION_CREDENTIALS",
        "token --format json, external_account (aws source)",
    );
    assert_eq!(json["access_token"], "ya29.sts-aws");
    let requests = server.requests();
    let lines: Vec<&str> = requests.iter().map(|r| r.line.as_str()).collect();
    assert_eq!(
        lines,
        [
            "PUT /latest/api/token HTTP/1.1",
            "GET /latest/meta-data/iam/security-credentials HTTP/1.1",
            "GET /latest/meta-data/iam/security-credentials/gcp-role HTTP/1.1",
            "POST /v1/token HTTP/1.1",
        ]
    );
    let header = |i: usize, name: &str| {
        requests[i]
            .headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    assert_eq!(
        header(0, "x-aws-ec2-metadata-token-ttl-seconds").as_deref(),
        Some("300")
    );
    assert_eq!(
        header(2, "x-aws-ec2-metadata-token").as_deref(),
        Some("imds-session")
    );
    let token = subject_token(&requests[3].body);
    assert!(token.contains("Credential%3DASIAIMDS/"), "{token}");
    assert!(token.contains("sts.eu-west-3.amazonaws.com"), "{token}");
    assert!(!finished.stderr.join("\n").contains("imds-secret"));
}

#[test]
fn an_executable_sourced_file_runs_only_when_the_child_allows_it() {
    for allowed in [false, true] {
        let server = CannedServer::start(vec![Answer::Bytes(canned(
            200,
            &sts_answer("ya29.sts-exe"),
        ))]);
        let dir = Scratch::new();
        let script = dir.write(
            "exe.sh",
            &format!(
                "echo '{}'\n",
                serde_json::json!({
                    "version": 1, "success": true,
                    "token_type": "urn:ietf:params:oauth:token-type:id_token",
                    "id_token": "eyJ.from.exe",
                })
            ),
        );
        let file = serde_json::json!({
            "type": "external_account",
            "audience": AUDIENCE,
            "subject_token_type": "urn:ietf:params:oauth:token-type:id_token",
            "token_url": server.url("/v1/token"),
            "credential_source": {"executable": {"command": format!("/bin/sh {script}")}},
        });
        let path = dir.write("exe.json", &file.to_string());
        let mut command = token_command(&dir, &["--format", "json", "--credentials", &path]);
        if allowed {
            command.env("GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES", "1");
        }
        let finished = Running::run(&mut command);
        if !allowed {
            assert_ne!(finished.code(), 0, "{finished:?}");
            assert!(
                finished
                    .stderr
                    .join("\n")
                    .contains("GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1"),
                "{finished:?}"
            );
            assert!(server.requests().is_empty());
            continue;
        }
        assert_eq!(finished.code(), 0, "{finished:?}");
        let json: serde_json::Value = serde_json::from_str(&finished.stdout).unwrap();
        assert_eq!(json["access_token"], "ya29.sts-exe");
        let requests = server.requests();
        assert_eq!(subject_token(&requests[0].body), "eyJ.from.exe");
    }
}
