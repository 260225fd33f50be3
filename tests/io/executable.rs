//! The `executable` source, run for real: small shell scripts written to a
//! scratch directory (run as `/bin/sh script`, so no file is executed
//! while it may still be open) print the pluggable-auth JSON. What the
//! child sees in its environment, the allow rule, the timeout, a non-zero
//! exit, a failure answer, an expired token, and `output_file` used as a
//! cache.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use oauth2_sansio::external::{ExternalAccountCredentials, SubjectTokenError};
use oauth2_sansio::io::executable::ExecutableSubjectTokens;
use oauth2_sansio::{drive, Credentials, Error};
use serde_json::{json, Value};
use testkit::scratch::Scratch;

const WORKFORCE: &str = "//iam.googleapis.com/locations/global/workforcePools/pool/providers/oidc";
const ID_TOKEN: &str = "urn:ietf:params:oauth:token-type:id_token";
const STS_OK: &str = r#"{"access_token":"ya29.sts","issued_token_type":"urn:ietf:params:oauth:token-type:access_token","token_type":"Bearer","expires_in":3600}"#;
const IAM_URL: &str = "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/sa@p.iam.gserviceaccount.com:generateAccessToken";

fn in_an_hour() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 3600
}

fn success(token: &str, expiration: Option<u64>) -> String {
    let mut answer =
        json!({"version": 1, "success": true, "token_type": ID_TOKEN, "id_token": token});
    if let Some(at) = expiration {
        answer["expiration_time"] = at.into();
    }
    answer.to_string()
}

/// A script that records that it ran (and what `GOOGLE_EXTERNAL_ACCOUNT_*`
/// variables it saw), then runs `body`.
fn script(scratch: &Scratch, body: &str) -> String {
    let ran = scratch.path("ran");
    scratch.write(
        "source.sh",
        &format!(
            "env | grep '^GOOGLE_EXTERNAL_ACCOUNT_' | sort > '{}'\n{body}\n",
            ran.display()
        ),
    )
}

/// The credentials of an executable source running `body`, with the
/// runner attached (`allowed` or not).
fn credentials(
    scratch: &Scratch,
    body: &str,
    executable: Value,
    extra: Value,
    allowed: bool,
) -> ExternalAccountCredentials {
    let mut executable = executable;
    executable["command"] = format!("/bin/sh {}", script(scratch, body)).into();
    let mut file = json!({
        "type": "external_account",
        "audience": WORKFORCE,
        "subject_token_type": ID_TOKEN,
        "credential_source": {"executable": executable},
    });
    for (key, value) in extra.as_object().unwrap() {
        file[key] = value.clone();
    }
    let credentials = ExternalAccountCredentials::from_json(file.to_string().as_bytes()).unwrap();
    let runner = ExecutableSubjectTokens::for_source(&credentials, allowed).unwrap();
    credentials.with_supplier(Arc::new(runner))
}

/// The subject token the refresh sends STS (answered in memory).
fn subject_token(credentials: &ExternalAccountCredentials) -> Result<String, Error> {
    let mut subject = None;
    drive(
        credentials.refresh()?,
        SystemTime::now,
        |request| {
            let body = String::from_utf8(request.body().clone()).unwrap();
            if let Some((_, token)) =
                url::form_urlencoded::parse(body.as_bytes()).find(|(k, _)| k == "subject_token")
            {
                subject = Some(token.into_owned());
            }
            let answer = if request.uri().path().ends_with(":generateAccessToken") {
                r#"{"accessToken":"ya29.sa","expireTime":"2099-01-01T00:00:00Z"}"#
            } else {
                STS_OK
            };
            Ok(http::Response::new(answer.as_bytes().to_vec()))
        },
        |_| {},
    )?;
    Ok(subject.unwrap())
}

fn subject_error(credentials: &ExternalAccountCredentials) -> SubjectTokenError {
    match subject_token(credentials) {
        Err(Error::SubjectToken(e)) => e,
        other => panic!("a subject token error, not {other:?}"),
    }
}

fn seen(scratch: &Scratch) -> Option<String> {
    std::fs::read_to_string(scratch.path("ran")).ok()
}

#[test]
fn the_child_sees_the_documented_variables_and_its_token_is_exchanged() {
    let scratch = Scratch::new();
    let output = scratch.path("out.json");
    let credentials = credentials(
        &scratch,
        &format!("echo '{}'", success("eyJ.from.exe", Some(in_an_hour()))),
        json!({"output_file": output}),
        json!({"service_account_impersonation_url": IAM_URL}),
        true,
    );
    assert_eq!(subject_token(&credentials).unwrap(), "eyJ.from.exe");
    let expected = format!(
        "GOOGLE_EXTERNAL_ACCOUNT_AUDIENCE={WORKFORCE}\n\
         GOOGLE_EXTERNAL_ACCOUNT_ID=sa@p.iam.gserviceaccount.com\n\
         GOOGLE_EXTERNAL_ACCOUNT_IMPERSONATED_EMAIL=sa@p.iam.gserviceaccount.com\n\
         GOOGLE_EXTERNAL_ACCOUNT_INTERACTIVE=0\n\
         GOOGLE_EXTERNAL_ACCOUNT_OUTPUT_FILE={}\n\
         GOOGLE_EXTERNAL_ACCOUNT_REVOKE=0\n\
         GOOGLE_EXTERNAL_ACCOUNT_TOKEN_TYPE={ID_TOKEN}\n",
        output.display()
    );
    assert_eq!(seen(&scratch).unwrap(), expected);
}

#[test]
fn nothing_runs_unless_executables_are_allowed() {
    let scratch = Scratch::new();
    let credentials = credentials(
        &scratch,
        &format!("echo '{}'", success("t", None)),
        json!({}),
        json!({}),
        false,
    );
    assert_eq!(
        subject_error(&credentials),
        SubjectTokenError::ExecutablesNotAllowed
    );
    assert_eq!(seen(&scratch), None);
}

#[test]
fn a_command_past_its_timeout_is_stopped() {
    let scratch = Scratch::new();
    let credentials = credentials(
        &scratch,
        "sleep 30",
        json!({"timeout_millis": 5000}),
        json!({}),
        true,
    );
    let started = Instant::now();
    let error = subject_error(&credentials);
    assert!(
        started.elapsed() < Duration::from_secs(25),
        "not stopped at its timeout"
    );
    assert!(error.is_retryable(), "{error:?}");
    assert!(error.to_string().contains("timeout (5000 ms)"), "{error}");
}

#[test]
fn a_non_zero_exit_is_an_error_that_shows_no_output() {
    let scratch = Scratch::new();
    let body = format!("echo '{}'; exit 3", success("eyJ.secret", None));
    let error = subject_error(&credentials(&scratch, &body, json!({}), json!({}), true));
    let shown = error.to_string();
    assert!(shown.contains("exit status: 3"), "{shown}");
    assert!(!shown.contains("eyJ.secret"), "{shown}");
}

#[test]
fn failure_answers_and_expired_tokens_are_typed_errors() {
    let scratch = Scratch::new();
    let failure =
        r#"echo '{"version":1,"success":false,"code":"401","message":"Caller not authorized."}'"#;
    assert_eq!(
        subject_error(&credentials(&scratch, failure, json!({}), json!({}), true)),
        SubjectTokenError::ExecutableFailed {
            code: "401".into(),
            message: "Caller not authorized.".into()
        }
    );
    let expired = format!("echo '{}'", success("t", Some(1_000)));
    assert!(matches!(
        subject_error(&credentials(&scratch, &expired, json!({}), json!({}), true)),
        SubjectTokenError::Executable { reason } if reason.contains("expired")
    ));
}

#[test]
fn a_valid_output_file_is_used_without_running_the_command() {
    let scratch = Scratch::new();
    let output = scratch.write("out.json", &success("eyJ.cached", Some(in_an_hour())));
    let body = format!("echo '{}'", success("eyJ.fresh", None));
    let cached = credentials(
        &scratch,
        &body,
        json!({"output_file": output}),
        json!({}),
        true,
    );
    assert_eq!(subject_token(&cached).unwrap(), "eyJ.cached");
    assert_eq!(seen(&scratch), None);

    // Expired, or without expiration_time: the command runs.
    for stale in [success("eyJ.old", Some(1_000)), success("eyJ.old", None)] {
        std::fs::write(&output, stale).unwrap();
        assert_eq!(subject_token(&cached).unwrap(), "eyJ.fresh");
        assert!(seen(&scratch).is_some());
        std::fs::remove_file(scratch.path("ran")).unwrap();
    }
}

#[test]
fn an_empty_stdout_reads_the_output_file_the_command_wrote() {
    let scratch = Scratch::new();
    let output = scratch.path("out.json");
    let body = format!(
        "echo '{}' > \"$GOOGLE_EXTERNAL_ACCOUNT_OUTPUT_FILE\"",
        success("eyJ.written", None)
    );
    let credentials = credentials(
        &scratch,
        &body,
        json!({"output_file": output}),
        json!({}),
        true,
    );
    assert_eq!(subject_token(&credentials).unwrap(), "eyJ.written");
}
