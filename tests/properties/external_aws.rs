//! The AWS source against generated instance metadata answers (any
//! status, any body, for the session token, the zone, the role and its
//! credentials): the refresh never panics, reaches STS only when every
//! IMDS answer was usable, and then sends a subject token signed with the
//! region and key IMDS gave; an unusable answer is a typed error that
//! shows none of the secrets.

use std::time::{Duration, SystemTime};

use oauth2_sansio::external::{ExternalAccountCredentials, AWS_SUBJECT_TOKEN_TYPE};
use oauth2_sansio::{drive, Credentials, Error};
use proptest::prelude::*;
use serde_json::json;

const STS_OK: &str = r#"{"access_token":"ya29.sts","issued_token_type":"urn:ietf:params:oauth:token-type:access_token","token_type":"Bearer","expires_in":3600}"#;

fn credentials() -> ExternalAccountCredentials {
    let imds = "http://127.0.0.1:9/latest";
    let file = json!({
        "type": "external_account",
        "audience": "//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/aws",
        "subject_token_type": AWS_SUBJECT_TOKEN_TYPE,
        "credential_source": {
            "environment_id": "aws1",
            "region_url": format!("{imds}/meta-data/placement/availability-zone"),
            "url": format!("{imds}/meta-data/iam/security-credentials"),
            "imdsv2_session_token_url": format!("{imds}/api/token"),
            "regional_cred_verification_url": "https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15",
        },
    });
    ExternalAccountCredentials::from_json(file.to_string().as_bytes()).unwrap()
}

/// A good answer, or a generated status and body (flagged bad: the
/// generated ones may still happen to be usable, so "bad" means "may fail").
fn answer(good: &'static str) -> impl Strategy<Value = (u16, Vec<u8>, bool)> {
    prop_oneof![
        3 => Just((200, good.as_bytes().to_vec(), true)),
        1 => (prop_oneof![Just(200u16), 100u16..600], proptest::collection::vec(any::<u8>(), 0..80))
            .prop_map(|(s, b)| (s, b, false)),
        1 => "\\{(\"(AccessKeyId|SecretAccessKey|Token|Code)\":(1|\"[a-z/.]{0,6}\"|null),?){0,4}\\}"
            .prop_map(|b| (200, b.into_bytes(), false)),
    ]
}

proptest! {
    #[test]
    fn sts_is_reached_only_with_usable_imds_answers(
        session in answer("AQAEAexample=="),
        zone in answer("eu-west-3b"),
        role in answer("gcp-role"),
        keys in answer(r#"{"AccessKeyId":"ASIAGOOD","SecretAccessKey":"s3cr3t-key","Token":"s3ss10n"}"#),
    ) {
        let mut sts_body = None;
        let mut imds_calls = 0;
        let result = drive(
            credentials().refresh().unwrap(),
            || SystemTime::UNIX_EPOCH + Duration::from_secs(1_600_000_000),
            |request| {
                let path = request.uri().path().to_owned();
                let (status, body) = if request.uri().host() == Some("sts.googleapis.com") {
                    sts_body = Some(String::from_utf8(request.body().clone()).unwrap());
                    (200, STS_OK.as_bytes().to_vec())
                } else {
                    imds_calls += 1;
                    let (status, body, _) = if path.ends_with("/api/token") {
                        session.clone()
                    } else if path.ends_with("/availability-zone") {
                        zone.clone()
                    } else if path.ends_with("/security-credentials") {
                        role.clone()
                    } else {
                        keys.clone()
                    };
                    (status, body)
                };
                let mut response = http::Response::new(body);
                *response.status_mut() = http::StatusCode::from_u16(status).unwrap();
                Ok(response)
            },
            |_| {},
        );
        prop_assert!(imds_calls <= 4);
        match (&result, &sts_body) {
            (Ok(done), Some(body)) => {
                prop_assert_eq!(done.token().unwrap().token().secret(), "ya29.sts");
                prop_assert_eq!(imds_calls, 4);
                prop_assert!(body.contains("subject_token=%257B%2522headers%2522"), "{}", body);
            }
            (Err(error), None) => {
                prop_assert!(!(session.2 && zone.2 && role.2 && keys.2));
                let shown = error.to_string();
                prop_assert!(!shown.contains("s3cr3t") && !shown.contains("s3ss10n"), "{}", shown);
                prop_assert!(!shown.chars().any(char::is_control), "{}", shown);
                prop_assert!(matches!(error, Error::SubjectToken(_) | Error::HttpStatus { .. } | Error::Redirect { .. } | Error::GoogleApi(_)), "{:?}", error);
            }
            (result, body) => prop_assert!(false, "{:?} after STS {:?}", result, body),
        }
        if session.2 && zone.2 && role.2 && keys.2 {
            prop_assert!(result.is_ok());
            let body = sts_body.unwrap();
            prop_assert!(body.contains("Credential%253DASIAGOOD%2F"), "{}", body);
            prop_assert!(body.contains("eu-west-3"), "{}", body);
        }
    }
}
