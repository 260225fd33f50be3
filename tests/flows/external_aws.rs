//! The AWS source: the subject token byte for byte as google-auth makes
//! it (Appendix B's vector: environment credentials and region, a fixed
//! clock), and transcripts against an in-memory instance metadata service
//! (IMDSv2 session token, zone, role, role credentials) and STS: which
//! requests are sent, with which headers, in which order, and the typed
//! errors when IMDS answers badly. Every IMDS URL is a loopback one.

use std::time::{Duration, SystemTime};

use oauth2_sansio::external::{
    AwsEnvironment, ExternalAccountCredentials, SubjectTokenError, AWS_SUBJECT_TOKEN_TYPE,
};
use oauth2_sansio::{drive, Credentials, Error};
use serde_json::{json, Value};

const AUDIENCE: &str =
    "//iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/pool/providers/aws";
const STS_OK: &str = r#"{"access_token":"ya29.sts","issued_token_type":"urn:ietf:params:oauth:token-type:access_token","token_type":"Bearer","expires_in":3600}"#;
const IMDS: &str = "http://127.0.0.1:9";
/// 2020-08-11T06:55:22Z.
const SIGNED_AT: u64 = 1_597_128_922;

/// google-auth 2.62.2's subject token for these inputs (before the form
/// encodes it).
const GOOGLE_AUTH_TOKEN: &str = "%7B%22headers%22%3A%5B%7B%22key%22%3A%22Authorization%22%2C%22value%22%3A%22AWS4-HMAC-SHA256%20Credential%3DAKIAIOSFODNN7EXAMPLE/20200811/us-east-2/sts/aws4_request%2C%20SignedHeaders%3Dhost%3Bx-amz-date%3Bx-amz-security-token%2C%20Signature%3D34dd3ad09061e74f2549895e17e42b49f1a6607a4cb95aaaf8a928cb5c154fd8%22%7D%2C%7B%22key%22%3A%22host%22%2C%22value%22%3A%22sts.us-east-2.amazonaws.com%22%7D%2C%7B%22key%22%3A%22x-amz-date%22%2C%22value%22%3A%2220200811T065522Z%22%7D%2C%7B%22key%22%3A%22x-amz-security-token%22%2C%22value%22%3A%22sessiontoken%22%7D%2C%7B%22key%22%3A%22x-goog-cloud-target-resource%22%2C%22value%22%3A%22//iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/pool/providers/aws%22%7D%5D%2C%22method%22%3A%22POST%22%2C%22url%22%3A%22https%3A//sts.us-east-2.amazonaws.com%3FAction%3DGetCallerIdentity%26Version%3D2011-06-15%22%7D";

fn aws_file(source: Value) -> ExternalAccountCredentials {
    let mut credential_source = json!({
        "environment_id": "aws1",
        "regional_cred_verification_url": "https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15",
    });
    for (key, value) in source.as_object().unwrap() {
        credential_source[key] = value.clone();
    }
    let file = json!({
        "type": "external_account",
        "audience": AUDIENCE,
        "subject_token_type": AWS_SUBJECT_TOKEN_TYPE,
        "token_url": "https://sts.googleapis.com/v1/token",
        "credential_source": credential_source,
    });
    ExternalAccountCredentials::from_json(file.to_string().as_bytes()).unwrap()
}

fn imds_urls(imdsv2: bool) -> Value {
    let mut urls = json!({
        "region_url": format!("{IMDS}/latest/meta-data/placement/availability-zone"),
        "url": format!("{IMDS}/latest/meta-data/iam/security-credentials"),
    });
    if imdsv2 {
        urls["imdsv2_session_token_url"] = format!("{IMDS}/latest/api/token").into();
    }
    urls
}

fn env(pairs: &[(&str, &str)]) -> AwsEnvironment {
    AwsEnvironment::new(|name| {
        pairs
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| (*v).to_owned())
    })
}

const ENV_KEYS: [(&str, &str); 3] = [
    ("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE"),
    (
        "AWS_SECRET_ACCESS_KEY",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    ),
    ("AWS_SESSION_TOKEN", "sessiontoken"),
];

/// A request as sent: `METHOD path`, and the IMDS headers.
#[derive(Debug, PartialEq)]
struct Sent {
    line: String,
    ttl: Option<String>,
    token: Option<String>,
    body: String,
}

/// Drives a refresh: the in-memory IMDS answers by path (`answer`), STS
/// issues a token.
fn run(
    credentials: &ExternalAccountCredentials,
    answer: impl Fn(&str) -> (u16, String),
) -> (Result<ExternalAccountCredentials, Error>, Vec<Sent>) {
    let mut sent = Vec::new();
    let result = credentials.refresh().and_then(|refresh| {
        drive(
            refresh,
            || SystemTime::UNIX_EPOCH + Duration::from_secs(SIGNED_AT),
            |request| {
                let header = |name: &str| {
                    request
                        .headers()
                        .get(name)
                        .map(|v| v.to_str().unwrap().to_owned())
                };
                let sts = request.uri().host() == Some("sts.googleapis.com");
                let path = request.uri().path().to_owned();
                sent.push(Sent {
                    line: format!("{} {}", request.method(), if sts { "STS" } else { &path }),
                    ttl: header("x-aws-ec2-metadata-token-ttl-seconds"),
                    token: header("x-aws-ec2-metadata-token"),
                    body: String::from_utf8(request.body().clone()).unwrap(),
                });
                let (status, body) = if sts {
                    (200, STS_OK.to_owned())
                } else {
                    answer(&path)
                };
                let mut response = http::Response::new(body.into_bytes());
                *response.status_mut() = http::StatusCode::from_u16(status).unwrap();
                Ok(response)
            },
            |_| {},
        )
    });
    (result, sent)
}

/// The STS request's `subject_token`, form-decoded.
fn subject_token(sts: &Sent) -> String {
    url::form_urlencoded::parse(sts.body.as_bytes())
        .find(|(k, _)| k == "subject_token")
        .unwrap()
        .1
        .into_owned()
}

/// The subject token's JSON, decoded (Python's `unquote`).
fn decoded(token: &str) -> Value {
    let json = percent_encoding::percent_decode_str(token)
        .decode_utf8()
        .unwrap();
    serde_json::from_str(&json).unwrap()
}

fn header<'a>(request: &'a Value, key: &str) -> Option<&'a str> {
    request["headers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["key"] == key)
        .map(|h| h["value"].as_str().unwrap())
}

fn good_imds(path: &str) -> (u16, String) {
    match path {
        "/latest/api/token" => (200, "imds-session".into()),
        "/latest/meta-data/placement/availability-zone" => (200, "eu-west-3b".into()),
        "/latest/meta-data/iam/security-credentials" => (200, "gcp-role".into()),
        "/latest/meta-data/iam/security-credentials/gcp-role" => (
            200,
            r#"{"Code":"Success","AccessKeyId":"ASIAIMDS","SecretAccessKey":"imds-secret","Token":"imds-token"}"#.into(),
        ),
        _ => (404, String::new()),
    }
}

#[test]
fn environment_credentials_make_google_auths_subject_token_byte_for_byte() {
    let credentials = aws_file(imds_urls(true)).with_aws_environment(env(&[
        ENV_KEYS[0],
        ENV_KEYS[1],
        ENV_KEYS[2],
        ("AWS_REGION", "us-east-2"),
    ]));
    let (result, sent) = run(&credentials, good_imds);
    assert_eq!(
        result.unwrap().token().unwrap().token().secret(),
        "ya29.sts"
    );
    // Everything in the environment: IMDS is never asked, not even for an
    // IMDSv2 session token.
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(subject_token(&sent[0]), GOOGLE_AUTH_TOKEN);
    assert!(sent[0]
        .body
        .contains("subject_token_type=urn%3Aietf%3Aparams%3Aaws%3Atoken-type%3Aaws4_request"));
}

#[test]
fn imdsv2_gives_a_session_token_then_the_zone_role_and_credentials() {
    let credentials = aws_file(imds_urls(true));
    let (result, sent) = run(&credentials, good_imds);
    assert!(result.is_ok(), "{result:?}");
    let lines: Vec<_> = sent.iter().map(|s| s.line.as_str()).collect();
    assert_eq!(
        lines,
        [
            "PUT /latest/api/token",
            "GET /latest/meta-data/placement/availability-zone",
            "GET /latest/meta-data/iam/security-credentials",
            "GET /latest/meta-data/iam/security-credentials/gcp-role",
            "POST STS",
        ]
    );
    assert_eq!(sent[0].ttl.as_deref(), Some("300"));
    assert_eq!(sent[0].token, None);
    for get in &sent[1..4] {
        assert_eq!(get.token.as_deref(), Some("imds-session"), "{get:?}");
        assert_eq!(get.ttl, None);
    }
    assert_eq!(sent[4].token, None, "the IMDS token stays with IMDS");
    let request = decoded(&subject_token(&sent[4]));
    assert_eq!(
        request["url"],
        "https://sts.eu-west-3.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15"
    );
    assert_eq!(request["method"], "POST");
    assert_eq!(
        header(&request, "host"),
        Some("sts.eu-west-3.amazonaws.com")
    );
    assert_eq!(header(&request, "x-amz-security-token"), Some("imds-token"));
    assert_eq!(
        header(&request, "x-goog-cloud-target-resource"),
        Some(AUDIENCE)
    );
    let authorization = header(&request, "Authorization").unwrap();
    assert!(
        authorization.starts_with(
            "AWS4-HMAC-SHA256 Credential=ASIAIMDS/20200811/eu-west-3/sts/aws4_request, \
             SignedHeaders=host;x-amz-date;x-amz-security-token, Signature="
        ),
        "{authorization}"
    );
}

#[test]
fn without_imdsv2_the_environment_region_and_imds_credentials_are_used() {
    let credentials = aws_file(imds_urls(false))
        .with_aws_environment(env(&[("AWS_DEFAULT_REGION", "ap-south-1")]));
    let (result, sent) = run(&credentials, good_imds);
    assert!(result.is_ok(), "{result:?}");
    let lines: Vec<_> = sent.iter().map(|s| s.line.as_str()).collect();
    assert_eq!(
        lines,
        [
            "GET /latest/meta-data/iam/security-credentials",
            "GET /latest/meta-data/iam/security-credentials/gcp-role",
            "POST STS",
        ]
    );
    assert!(sent.iter().all(|s| s.token.is_none()));
    let request = decoded(&subject_token(&sent[2]));
    assert_eq!(
        header(&request, "host"),
        Some("sts.ap-south-1.amazonaws.com")
    );
}

#[test]
fn aws_region_wins_over_aws_default_region_and_environment_keys_skip_imds_credentials() {
    let credentials = aws_file(imds_urls(true)).with_aws_environment(env(&[
        ("AWS_REGION", "us-west-1"),
        ("AWS_DEFAULT_REGION", "ap-south-1"),
        ("AWS_ACCESS_KEY_ID", "AKIAENV"),
        ("AWS_SECRET_ACCESS_KEY", "env-secret"),
    ]));
    let (result, sent) = run(&credentials, good_imds);
    assert!(result.is_ok(), "{result:?}");
    assert_eq!(sent.len(), 1);
    let request = decoded(&subject_token(&sent[0]));
    assert_eq!(
        header(&request, "host"),
        Some("sts.us-west-1.amazonaws.com")
    );
    assert_eq!(header(&request, "x-amz-security-token"), None);
    let names: Vec<_> = request["headers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["key"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "Authorization",
            "host",
            "x-amz-date",
            "x-goog-cloud-target-resource"
        ]
    );
}

fn aws_error(result: Result<ExternalAccountCredentials, Error>) -> String {
    match result {
        Err(Error::SubjectToken(e @ SubjectTokenError::Aws { .. })) => e.to_string(),
        other => panic!("an AWS source error, not {other:?}"),
    }
}

#[test]
fn a_missing_region_or_credentials_source_is_a_typed_error_naming_the_fix() {
    let (result, sent) = run(&aws_file(json!({})), good_imds);
    assert!(aws_error(result).contains("AWS_REGION"));
    assert!(sent.is_empty());
    let credentials = aws_file(json!({})).with_aws_environment(env(&[("AWS_REGION", "us-east-1")]));
    let (result, sent) = run(&credentials, good_imds);
    assert!(aws_error(result).contains("AWS_ACCESS_KEY_ID"));
    assert!(sent.is_empty());
    let credentials =
        aws_file(json!({})).with_aws_environment(env(&[("AWS_REGION", "us-east-1/x")]));
    assert!(matches!(
        credentials.refresh(),
        Err(Error::SubjectToken(SubjectTokenError::Aws { .. }))
    ));
}

#[test]
fn bad_imds_answers_stop_the_refresh_before_sts() {
    let cases: [(&str, (u16, &str)); 4] = [
        ("/latest/api/token", (403, "")),
        ("/latest/meta-data/placement/availability-zone", (200, "")),
        (
            "/latest/meta-data/iam/security-credentials",
            (200, "../../../user-data"),
        ),
        (
            "/latest/meta-data/iam/security-credentials/gcp-role",
            (200, r#"{"AccessKeyId":"A"}"#),
        ),
    ];
    for (bad_path, (status, body)) in cases {
        let (result, sent) = run(&aws_file(imds_urls(true)), |path| {
            if path == bad_path {
                (status, body.to_owned())
            } else {
                good_imds(path)
            }
        });
        match result {
            Err(Error::HttpStatus { status: 403 }) => assert_eq!(status, 403),
            other => {
                aws_error(other);
            }
        }
        assert!(
            sent.iter().all(|s| s.line != "POST STS"),
            "{bad_path}: {sent:?}"
        );
    }
}

#[test]
fn the_environment_shows_no_keys() {
    let shown = format!("{:?}", env(&ENV_KEYS));
    assert!(
        !shown.contains("wJalr") && !shown.contains("sessiontoken"),
        "{shown}"
    );
}
