//! The AWS source's instance metadata answers: any bytes split into the
//! IMDSv2 session token, the availability zone, the role name and the
//! role's credentials, each answered with status 200, driven through an
//! AWS external account's refresh.
//!
//! Invariants: no panic; STS is reached only after the four answers, and
//! then the refresh ends with its token; error messages are safe to show.
#![no_main]

mod support;

use std::time::{Duration, SystemTime};

use libfuzzer_sys::fuzz_target;
use oauth2_sansio::external::ExternalAccountCredentials;
use oauth2_sansio::{drive, http, Credentials};

const FILE: &str = r#"{"type":"external_account",
 "audience":"//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/aws",
 "subject_token_type":"urn:ietf:params:aws:token-type:aws4_request",
 "credential_source":{"environment_id":"aws1",
  "region_url":"http://127.0.0.1/zone","url":"http://127.0.0.1/role",
  "imdsv2_session_token_url":"http://127.0.0.1/token",
  "regional_cred_verification_url":"https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15"}}"#;

const STS_OK: &[u8] = br#"{"access_token":"ya29.sts","issued_token_type":"urn:ietf:params:oauth:token-type:access_token","token_type":"Bearer","expires_in":3600}"#;

fuzz_target!(|data: &[u8]| {
    let mut answers = data.split(|b| *b == 0xff);
    let credentials = ExternalAccountCredentials::from_json(FILE.as_bytes()).unwrap();
    let mut imds = 0;
    let result = drive(
        credentials.refresh().unwrap(),
        || SystemTime::UNIX_EPOCH + Duration::from_secs(1_600_000_000),
        |request| {
            if request.uri().host() == Some("sts.googleapis.com") {
                assert_eq!(imds, 4);
                return Ok(http::Response::new(STS_OK.to_vec()));
            }
            imds += 1;
            Ok(support::response(200, answers.next().unwrap_or_default()))
        },
        |_| {},
    );
    match result {
        Ok(done) => assert_eq!(done.token().unwrap().token().secret(), "ya29.sts"),
        Err(e) => support::assert_safe_error(&e, &[], data),
    }
});
