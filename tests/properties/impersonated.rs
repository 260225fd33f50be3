//! Impersonation against generated behaviour: IAM's answers (any status,
//! any body) never panic and are accepted only as the wire facts say; the
//! file's URL is accepted exactly when it is Google's or loopback; and the
//! machine sends the source's refresh only when the source is not fresh.

use std::time::Duration;

use oauth2_sansio::impersonated::{GeneratedAccessToken, ImpersonatedCredentials};
use oauth2_sansio::{Credentials, Error, UserCredentials};
use proptest::prelude::*;
use testkit::iam::{record, rfc3339, Event, FakeIam, Scripted};
use testkit::world::FakeClock;

fn file_with_url(url: &str) -> String {
    format!(
        r#"{{"type":"impersonated_service_account","service_account_impersonation_url":"{url}",
            "source_credentials":{{"type":"authorized_user","client_id":"c","client_secret":"s","refresh_token":"1//r"}}}}"#
    )
}

fn host() -> impl Strategy<Value = (String, bool)> {
    prop_oneof![
        Just(("https://iamcredentials.googleapis.com".to_owned(), true)),
        "[a-z]{1,8}(-[a-z0-9]{1,4})?".prop_map(|h| (format!("https://{h}.googleapis.com"), true)),
        "[a-z]{1,8}".prop_map(|h| (format!("https://{h}.p.googleapis.com"), true)),
        Just(("http://127.0.0.1:8080".to_owned(), true)),
        Just(("http://localhost:9".to_owned(), true)),
        Just(("http://iamcredentials.googleapis.com".to_owned(), false)),
        "[a-z]{1,8}".prop_map(|h| (format!("https://{h}googleapis.com"), false)),
        "[a-z]{1,8}".prop_map(|h| (
            format!("https://iamcredentials.googleapis.com.{h}.example"),
            false
        )),
        "[a-z]{1,8}\\.(com|net|dev)".prop_map(|h| (format!("https://{h}"), false)),
    ]
}

fn user_source(token_expires_in: Option<u64>) -> UserCredentials {
    let token = token_expires_in.map_or(String::new(), |secs| {
        format!(
            r#","token":"ya29.source","expiry":"{}""#,
            rfc3339(FakeClock::at(secs))
        )
    });
    let json = format!(
        r#"{{"type":"authorized_user","client_id":"c","client_secret":"s","refresh_token":"1//r"{token}}}"#
    );
    UserCredentials::from_authorized_user_json(json.as_bytes()).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_answer_is_parsed_without_panic_and_accepted_only_on_200(
        status in prop::sample::select(vec![200u16, 201, 302, 400, 401, 403, 404, 429, 500, 503]),
        body in prop_oneof![
            prop::collection::vec(any::<u8>(), 0..256),
            r#"\{("(accessToken|expireTime|error|code|status|message)":("[ -~]{0,24}"|[0-9]{1,3}|null|\{\}),?){0,4}\}"#
                .prop_map(String::into_bytes),
        ],
    ) {
        match GeneratedAccessToken::parse(status, &body, 4096) {
            Ok(token) => {
                prop_assert_eq!(status, 200);
                prop_assert!(!token.access_token.secret().is_empty());
            }
            Err(e) => prop_assert!(!e.to_string().chars().any(char::is_control)),
        }
    }

    #[test]
    fn a_generated_answer_reads_back_as_sent(
        token in "[A-Za-z0-9._-]{1,64}",
        secs in 0u64..4_000_000_000,
    ) {
        let expire = std::time::SystemTime::UNIX_EPOCH + Duration::from_secs(secs);
        let body = format!(r#"{{"accessToken":"{token}","expireTime":"{}"}}"#, rfc3339(expire));
        let parsed = GeneratedAccessToken::parse(200, body.as_bytes(), 4096).unwrap();
        prop_assert_eq!(parsed.access_token.secret(), token.as_str());
        prop_assert_eq!(parsed.expire_time, expire);
    }

    #[test]
    fn the_files_url_is_accepted_exactly_when_google_or_loopback(
        (host, trusted) in host(),
        principal in "[a-z][a-z0-9-]{0,10}@[a-z]{1,8}\\.iam\\.gserviceaccount\\.com",
    ) {
        let url = format!("{host}/v1/projects/-/serviceAccounts/{principal}:generateAccessToken");
        let read = ImpersonatedCredentials::from_json(file_with_url(&url).as_bytes());
        prop_assert_eq!(read.is_ok(), trusted, "{}: {:?}", url, read.as_ref().err());
        if let Ok(credentials) = read {
            prop_assert_eq!(credentials.target_principal(), principal.as_str());
            prop_assert_eq!(credentials.impersonation_url().as_str(), url.as_str());
        }
    }

    #[test]
    fn the_source_is_renewed_exactly_when_not_fresh_and_iam_decides_the_end(
        source_expires_in in prop::option::of(0u64..7200),
        iam_status in prop::sample::select(vec![200u16, 400, 403, 404, 429, 500, 503]),
    ) {
        let credentials = ImpersonatedCredentials::new(user_source(source_expires_in), "t@p.iam.gserviceaccount.com");
        let script = match iam_status {
            200 => vec![],
            status => vec![Scripted::Answer(status, format!(r#"{{"error":{{"code":{status},"status":"X"}}}}"#))],
        };
        // The scripted answer must reach IAM, not the source's refresh.
        let fresh = source_expires_in.is_some_and(|secs| secs > 225);
        let mut script = script;
        if !fresh && !script.is_empty() {
            script.insert(0, Scripted::Answer(200, r#"{"access_token":"ya29.s","expires_in":3600,"token_type":"Bearer"}"#.to_owned()));
        }
        let run = record(credentials.refresh().unwrap(), &mut FakeIam::scripted(script), &mut FakeClock::new());
        let posts = run.events.iter().filter(|e| matches!(e, Event::Post { .. })).count();
        prop_assert_eq!(posts, if fresh { 1 } else { 2 }, "{:?}", run.events);
        match (iam_status, run.events.last()) {
            (200, Some(Event::Done)) => {
                let token = run.output.unwrap();
                prop_assert!(token.token().unwrap().token().secret().starts_with("ya29.impersonated-"));
            }
            (status, Some(Event::Error(Error::GoogleApi(e)))) => {
                prop_assert_eq!(e.http_status(), status);
                prop_assert_eq!(e.is_retryable(), matches!(status, 429 | 500 | 503));
            }
            (_, other) => prop_assert!(false, "{:?}", other),
        }
    }
}
