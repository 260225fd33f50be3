//! External accounts against generated behaviour: any bytes as a file or
//! as a subject token never panic; a workforce user project is accepted
//! exactly with a workforce audience; and whatever the subject token URL,
//! STS and IAM answer (any status, any body), the refresh ends with the
//! token only when every step answered 200 as the wire facts say, and
//! never sends STS a request without a subject token.

use std::time::{Duration, SystemTime};

use oauth2_sansio::external::{subject_token_from, ExternalAccountCredentials, SubjectTokenFormat};
use oauth2_sansio::{drive, Credentials};
use proptest::prelude::*;
use serde_json::json;

const IAM_URL: &str = "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/sa@p.iam.gserviceaccount.com:generateAccessToken";

fn credentials(impersonate: bool) -> ExternalAccountCredentials {
    let mut file = json!({
        "type": "external_account",
        "audience": "//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/q",
        "subject_token_type": "urn:ietf:params:oauth:token-type:jwt",
        "credential_source": {"url": "https://subject.example/token", "format": {"type": "json", "subject_token_field_name": "t"}},
    });
    if impersonate {
        file["service_account_impersonation_url"] = IAM_URL.into();
    }
    ExternalAccountCredentials::from_json(file.to_string().as_bytes()).unwrap()
}

/// An answer: a good one, or a generated status and body.
fn answer(good: &'static str) -> impl Strategy<Value = (u16, String, bool)> {
    prop_oneof![
        3 => Just((200, good.to_owned(), true)),
        1 => (100u16..600, ".{0,40}").prop_map(|(s, b)| (s, b, false)),
        1 => (prop_oneof![Just(200u16), Just(400), Just(503)], "\\{\"[a-z_]{1,12}\":(1|\"x\"|null)\\}")
            .prop_map(|(s, b)| (s, b, false)),
    ]
}

proptest! {
    #[test]
    fn any_bytes_as_a_file_or_a_token_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = ExternalAccountCredentials::from_json(&bytes);
        let _ = subject_token_from(&bytes, &SubjectTokenFormat::Text);
        let _ = subject_token_from(&bytes, &SubjectTokenFormat::Json { field: "t".into() });
    }

    #[test]
    fn the_user_project_goes_with_workforce_audiences_only(
        location in "[a-z0-9-]{0,8}",
        kind in prop_oneof![Just("workforcePools"), Just("workloadIdentityPools"), Just("WorkforcePools")],
    ) {
        let audience = format!("//iam.googleapis.com/locations/{location}/{kind}/p/providers/q");
        let file = json!({
            "type": "external_account", "audience": audience,
            "subject_token_type": "urn:ietf:params:oauth:token-type:id_token",
            "credential_source": {"file": "/t"}, "workforce_pool_user_project": "123",
        });
        let read = ExternalAccountCredentials::from_json(file.to_string().as_bytes());
        prop_assert_eq!(read.is_ok(), !location.is_empty() && kind == "workforcePools");
    }

    #[test]
    fn the_token_comes_only_from_answers_that_follow_the_facts(
        impersonate in any::<bool>(),
        subject in answer(r#"{"t":"eyJ.s"}"#),
        sts in answer(r#"{"access_token":"ya29.sts","issued_token_type":"urn:ietf:params:oauth:token-type:access_token","token_type":"Bearer","expires_in":3600}"#),
        iam in answer(r#"{"accessToken":"ya29.sa","expireTime":"2099-01-01T00:00:00Z"}"#),
    ) {
        let credentials = credentials(impersonate);
        let mut hosts = Vec::new();
        let result = drive(
            credentials.refresh().unwrap(),
            || SystemTime::UNIX_EPOCH + Duration::from_secs(1_000),
            |request| {
                let host = request.uri().host().unwrap_or_default().to_owned();
                let (status, body, _) = match host.as_str() {
                    "subject.example" => subject.clone(),
                    "sts.googleapis.com" => {
                        let body = String::from_utf8(request.body().clone()).unwrap();
                        assert!(body.contains("&subject_token="), "{body}");
                        sts.clone()
                    }
                    _ => iam.clone(),
                };
                hosts.push(host);
                let mut response = http::Response::new(body.into_bytes());
                *response.status_mut() = http::StatusCode::from_u16(status).unwrap();
                Ok(response)
            },
            |_| {},
        );
        let all_good = subject.2 && sts.2 && (!impersonate || iam.2);
        if all_good {
            let done = result.unwrap();
            let expected = if impersonate { "ya29.sa" } else { "ya29.sts" };
            prop_assert_eq!(done.token().unwrap().token().secret(), expected);
        } else if let Err(error) = result {
            prop_assert!(!error.to_string().contains("ya29."), "{}", error);
        }
        let most = if impersonate { 3 } else { 2 };
        prop_assert!(hosts.len() <= most);
    }
}
