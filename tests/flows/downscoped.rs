//! Downscoped credentials: the source renewed only when it must, then the
//! STS exchange byte for byte as google-auth 2.62.2 sends it (the body
//! below is what its `downscoped.Credentials.refresh` posts for this
//! boundary and source token), the expiry rules and the boundary's checks.

use std::time::{Duration, SystemTime};

use oauth2_sansio::downscoped::{
    AccessBoundaryRule, AvailabilityCondition, CredentialAccessBoundary, DownscopedCredentials,
};
use oauth2_sansio::{drive, AnyCredentials, ConfigError, Credentials, UserCredentials};

const GOOGLE_AUTH_BODY: &str = "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange&requested_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aaccess_token&subject_token=ya29.source&subject_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aaccess_token&options=%257B%2522accessBoundary%2522%253A%2520%257B%2522accessBoundaryRules%2522%253A%2520%255B%257B%2522availablePermissions%2522%253A%2520%255B%2522inRole%253Aroles%2Fstorage.objectViewer%2522%255D%252C%2520%2522availableResource%2522%253A%2520%2522%2F%2Fstorage.googleapis.com%2Fprojects%2F_%2Fbuckets%2Freports%2522%252C%2520%2522availabilityCondition%2522%253A%2520%257B%2522expression%2522%253A%2520%2522resource.name.startsWith%2528%2527projects%2F_%2Fbuckets%2Freports%2Fobjects%2F2026%2527%2529%2522%252C%2520%2522title%2522%253A%2520%25222026%2520only%2522%257D%257D%255D%257D%257D";

const NOW: u64 = 1_800_000_000;

fn at(secs: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
}

fn boundary() -> CredentialAccessBoundary {
    CredentialAccessBoundary::new([AccessBoundaryRule::new(
        "//storage.googleapis.com/projects/_/buckets/reports",
        ["inRole:roles/storage.objectViewer"],
    )
    .with_condition(
        AvailabilityCondition::new(
            "resource.name.startsWith('projects/_/buckets/reports/objects/2026')",
        )
        .with_title("2026 only"),
    )])
    .unwrap()
}

/// A user source whose token `ya29.source` expires at `expiry`, or none.
fn source(expiry: Option<u64>) -> UserCredentials {
    let token = expiry.map_or(String::new(), |secs| {
        let expiry = time::OffsetDateTime::from_unix_timestamp(secs as i64)
            .unwrap()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap();
        format!(r#","token":"ya29.source","expiry":"{expiry}""#)
    });
    let json = format!(
        r#"{{"type":"authorized_user","client_id":"c","client_secret":"s","refresh_token":"1//r"{token}}}"#
    );
    UserCredentials::from_authorized_user_json(json.as_bytes()).unwrap()
}

/// Runs a refresh at NOW, answering the token endpoint with `ya29.source`
/// and STS with `sts_answer`; returns what was sent (URI, body) and the result.
fn run(
    credentials: &DownscopedCredentials,
    sts_answer: &str,
) -> (Vec<(String, String)>, DownscopedCredentials) {
    let mut sent = Vec::new();
    let refreshed = drive(
        credentials.refresh().unwrap(),
        || at(NOW),
        |request| {
            let uri = request.uri().to_string();
            sent.push((
                uri.clone(),
                String::from_utf8(request.body().clone()).unwrap(),
            ));
            let body = if uri == "https://oauth2.googleapis.com/token" {
                r#"{"access_token":"ya29.source","expires_in":3600,"token_type":"Bearer"}"#
            } else {
                sts_answer
            };
            Ok(http::Response::new(body.as_bytes().to_vec()))
        },
        |_| {},
    )
    .unwrap();
    (sent, refreshed)
}

const STS_ANSWER: &str = r#"{"access_token":"ya29.narrow","issued_token_type":"urn:ietf:params:oauth:token-type:access_token","token_type":"Bearer","expires_in":1800}"#;

#[test]
fn a_fresh_source_is_exchanged_exactly_as_google_auth_does() {
    let credentials = DownscopedCredentials::new(source(Some(NOW + 3600)), boundary());
    let (sent, refreshed) = run(&credentials, STS_ANSWER);
    assert_eq!(
        sent,
        [(
            "https://sts.googleapis.com/v1/token".to_owned(),
            GOOGLE_AUTH_BODY.to_owned()
        )]
    );
    let token = refreshed.token().unwrap();
    assert_eq!(token.token().secret(), "ya29.narrow");
    assert_eq!(
        token.expiry(),
        Some(at(NOW + 1800)),
        "expires_in from when it was sent"
    );
}

#[test]
fn a_stale_source_is_renewed_first() {
    let credentials = DownscopedCredentials::new(source(None), boundary());
    let (sent, refreshed) = run(&credentials, STS_ANSWER);
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].0, "https://oauth2.googleapis.com/token");
    assert_eq!(sent[1].1, GOOGLE_AUTH_BODY);
    assert!(matches!(refreshed.source(), AnyCredentials::User(u) if u.token().is_some()));
}

#[test]
fn without_expires_in_the_token_expires_with_the_source() {
    let credentials = DownscopedCredentials::new(source(Some(NOW + 3000)), boundary());
    let answer = r#"{"access_token":"ya29.narrow","issued_token_type":"urn:ietf:params:oauth:token-type:access_token","token_type":"Bearer"}"#;
    let (_, refreshed) = run(&credentials, answer);
    assert_eq!(refreshed.token().unwrap().expiry(), Some(at(NOW + 3000)));
}

#[test]
fn boundaries_sts_would_refuse_are_refused_here() {
    let rule = |resource: &str, permissions: &[&str]| {
        AccessBoundaryRule::new(resource, permissions.iter().copied())
    };
    let ok = rule(
        "//storage.googleapis.com/projects/_/buckets/b",
        &["inRole:roles/storage.objectViewer"],
    );
    for (rules, why) in [
        (vec![], "no rule"),
        (vec![ok.clone(); 11], "more than 10"),
        (vec![rule("", &["inRole:roles/x"])], "without a resource"),
        (vec![rule("//r", &[])], "without permissions"),
        (vec![rule("//r", &["roles/storage.objectViewer"])], "inRole"),
        (
            vec![ok.clone().with_condition(AvailabilityCondition::new(""))],
            "without an expression",
        ),
    ] {
        let error = CredentialAccessBoundary::new(rules).unwrap_err();
        assert!(
            matches!(error, ConfigError::InvalidAccessBoundary { .. }),
            "{error:?}"
        );
        assert!(error.to_string().contains(why), "{why}: {error}");
    }
    assert_eq!(
        CredentialAccessBoundary::new(vec![ok; 10])
            .unwrap()
            .rules()
            .len(),
        10
    );
}
