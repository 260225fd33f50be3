//! Property tests for the answers read beside the token endpoint's own:
//! token exchange, revocation, device polling, the service account's
//! ID-token grant, and a `PendingAuthorization` read back from storage.
//!
//! Each is driven through its public machine. Where the reader builds on
//! `TokenResponse::parse` (itself checked against an oracle in
//! token_response.rs), the property is that it adds exactly its documented
//! rule and otherwise agrees; every reader is also fed arbitrary bytes. No
//! error message may carry a secret the client sent or a control character.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use oauth2_sansio::device::{DevicePoll, SLOW_DOWN_STEP};
use oauth2_sansio::jwt::{Algorithm, SignError, Signer};
use oauth2_sansio::service_account::ServiceAccountCredentials;
use oauth2_sansio::token_exchange::{
    token_types, ExchangeTokenType, TokenExchange, TokenExchangeRequest,
};
use oauth2_sansio::{
    Client, ClientSecret, Credentials, Error, InvalidResponse, Machine, PendingAuthorization,
    RefreshToken, SecurityToken, Step, TokenResponse,
};
use proptest::prelude::*;
use serde_json::{json, Value};
use testkit::one_request::{run, Answer};

const LIMIT: usize = 4096;
const SUBJECT: &str = "subject-token-secret";
const REFRESH: &str = "refresh-token-secret";
const CLIENT_SECRET: &str = "client-secret-value";
const DEVICE_CODE: &str = "device-code-secret";

/// Fails unless `error` reads as one line and shows none of `secrets`.
fn check_error(error: &Error, secrets: &[&str]) -> Result<(), TestCaseError> {
    let shown = format!("{error} {error:?}");
    prop_assert!(
        !error.to_string().chars().any(char::is_control),
        "{}",
        shown
    );
    for secret in secrets {
        prop_assert!(!shown.contains(secret), "{} in {}", secret, shown);
    }
    Ok(())
}

/// A token-endpoint-like JSON object: each member absent or one of a few
/// values, good and bad.
fn token_like() -> impl Strategy<Value = Vec<(&'static str, &'static str)>> {
    let member = |name: &'static str, values: Vec<&'static str>| {
        prop::option::of(prop::sample::select(values)).prop_map(move |v| v.map(|v| (name, v)))
    };
    (
        member(
            "access_token",
            vec![r#""ya29.a""#, r#""""#, "null", "5", r#""a b""#],
        ),
        member(
            "token_type",
            vec![
                r#""Bearer""#,
                r#""bearer""#,
                r#""N_A""#,
                r#""n_a""#,
                r#""MAC""#,
                "5",
                "null",
            ],
        ),
        member(
            "issued_token_type",
            vec![
                r#""urn:ietf:params:oauth:token-type:access_token""#,
                r#""""#,
                "null",
                "[]",
            ],
        ),
        member(
            "expires_in",
            vec!["3599", r#""60""#, "-1", "1.5", "null", "4294967296"],
        ),
        member(
            "error",
            vec![
                r#""authorization_pending""#,
                r#""slow_down""#,
                r#""access_denied""#,
                r#""invalid_grant""#,
                "5",
                "null",
            ],
        ),
        member("refresh_token", vec![r#""1//r""#, "7"]),
        member("scope", vec![r#""a b""#, "[]"]),
    )
        .prop_map(|(a, b, c, d, e, f, g)| [a, b, c, d, e, f, g].into_iter().flatten().collect())
}

fn render(members: &[(&str, &str)]) -> String {
    let members: Vec<String> = members
        .iter()
        .map(|(k, v)| format!("\"{k}\":{v}"))
        .collect();
    format!("{{{}}}", members.join(","))
}

/// A status a token endpoint may answer with.
fn status() -> impl Strategy<Value = u16> {
    prop_oneof![4 => Just(200), 2 => Just(400), 1 => 100u16..=599]
}

mod token_exchange {
    use super::*;

    fn exchange() -> TokenExchange {
        TokenExchangeRequest::new(
            "https://sts.example/token",
            SecurityToken::new(SUBJECT),
            token_types::JWT,
        )
        .response_limit(LIMIT)
        .build()
        .unwrap()
    }

    /// What the exchange must make of `members` at `status`: what
    /// `TokenResponse::parse` makes of them (of them with `token_type`
    /// `Bearer`, when it is `N_A` in any case), plus a required non-empty
    /// string `issued_token_type`.
    fn oracle(status: u16, members: &[(&str, &str)]) -> Result<(ExchangeTokenType, String), Error> {
        let body = render(members);
        let parsed = match TokenResponse::parse(status, body.as_bytes(), LIMIT) {
            Err(Error::InvalidResponse(InvalidResponse::UnsupportedTokenType { .. }))
                if members
                    .iter()
                    .any(|(k, v)| *k == "token_type" && v.eq_ignore_ascii_case(r#""N_A""#)) =>
            {
                let bearer: Vec<(&str, &str)> = members
                    .iter()
                    .map(|(k, v)| {
                        if *k == "token_type" {
                            (*k, r#""Bearer""#)
                        } else {
                            (*k, *v)
                        }
                    })
                    .collect();
                TokenResponse::parse(200, render(&bearer).as_bytes(), LIMIT)
                    .map(|r| (r, ExchangeTokenType::NotApplicable))
            }
            other => other.map(|r| (r, ExchangeTokenType::Bearer)),
        };
        let (response, token_type) = parsed?;
        match response.extra().get("issued_token_type") {
            Some(Value::String(t)) if !t.is_empty() => Ok((token_type, t.clone())),
            None | Some(Value::Null) | Some(Value::String(_)) => {
                Err(InvalidResponse::MissingField {
                    field: "issued_token_type",
                }
                .into())
            }
            Some(_) => Err(InvalidResponse::InvalidField {
                field: "issued_token_type",
                reason: "must be a string",
            }
            .into()),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn the_exchange_reads_a_token_response_plus_its_own_rule(
            status in status(),
            members in token_like(),
        ) {
            let body = render(&members);
            let result = run(exchange(), vec![Answer::status(status, &body)]).result;
            match (oracle(status, &members), result) {
                (Ok((token_type, issued)), Ok(token)) => {
                    prop_assert_eq!(token.token_type(), token_type);
                    prop_assert_eq!(token.issued_token_type(), issued.as_str());
                }
                (Err(expected), Err(e)) => {
                    prop_assert_eq!(&e, &expected);
                    check_error(&e, &[SUBJECT])?;
                }
                (expected, got) => prop_assert!(false, "{:?} vs {:?} for {}", expected, got.map(|_| ()), body),
            }
        }

        #[test]
        fn arbitrary_answers_never_panic(
            status in 100u16..=599,
            body in prop::collection::vec(any::<u8>(), 0..300),
        ) {
            match run(exchange(), vec![Answer::Http(status, body)]).result {
                Ok(_) => prop_assert_eq!(status, 200),
                Err(e) => check_error(&e, &[SUBJECT])?,
            }
        }
    }
}

mod revocation {
    use super::*;

    fn client() -> Client {
        Client::builder("client")
            .client_secret(ClientSecret::new(CLIENT_SECRET))
            .authorization_endpoint("https://as.example/auth")
            .token_endpoint("https://as.example/token")
            .revocation_endpoint("https://as.example/revoke")
            .response_limit(LIMIT)
            .build()
            .unwrap()
    }

    proptest! {
        #[test]
        fn revoked_exactly_on_200_within_the_bound(
            status in prop_oneof![Just(200u16), 100u16..=599],
            length in prop_oneof![0..64usize, LIMIT - 2..LIMIT + 3],
            byte in any::<u8>(),
        ) {
            let body = vec![byte; length];
            let revoke = client().revoke(&RefreshToken::new(REFRESH)).unwrap();
            match run(revoke, vec![Answer::Http(status, body)]).result {
                Ok(()) => prop_assert!(status == 200 && length <= LIMIT),
                Err(e) => {
                    prop_assert!(status != 200 || length > LIMIT, "{}", e);
                    if (300..400).contains(&status) {
                        prop_assert_eq!(&e, &Error::Redirect { status });
                    }
                    check_error(&e, &[REFRESH, CLIENT_SECRET])?;
                }
            }
        }
    }
}

mod device_poll {
    use super::*;

    fn start() -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000)
    }

    /// A poll machine whose codes last 1800 s, polling every 5 s, and the
    /// time of its first poll.
    fn device_poll() -> (DevicePoll, SystemTime) {
        let client = Client::builder("client")
            .client_secret(ClientSecret::new(CLIENT_SECRET))
            .authorization_endpoint("https://as.example/auth")
            .token_endpoint("https://as.example/token")
            .device_authorization_endpoint("https://as.example/device")
            .response_limit(LIMIT)
            .build()
            .unwrap();
        let mut call = client.device_authorization().build().unwrap();
        assert!(matches!(call.poll(start()), Ok(Step::Send(_))));
        let body = json!({
            "device_code": DEVICE_CODE, "user_code": "ABCD-EFGH",
            "verification_uri": "https://as.example/activate", "expires_in": 1800, "interval": 5,
        });
        let response = http::Response::new(body.to_string().into_bytes());
        call.handle_response(response, start()).unwrap();
        let mut poll = match call.poll(start()) {
            Ok(Step::Done(authorization)) => authorization.into_poll(),
            other => panic!("{:?}", other.map(|_| ())),
        };
        let first = match poll.poll(start()) {
            Ok(Step::Wait { until, .. }) => until,
            other => panic!("{:?}", other.map(|_| ())),
        };
        (poll, first)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// One answer to a poll: tokens when the token endpoint's reading
        /// has them; another poll one interval later for
        /// `authorization_pending`, five seconds more for `slow_down`; any
        /// other reading ends the flow with that error.
        #[test]
        fn a_poll_answer_means_what_the_token_response_says(
            status in prop_oneof![Just(200u16), Just(400), Just(428), Just(403), 100u16..=599],
            body in prop_oneof![
                token_like().prop_map(|m| render(&m).into_bytes()),
                prop::collection::vec(any::<u8>(), 0..100),
            ],
        ) {
            let (mut poll, first) = device_poll();
            prop_assert!(matches!(poll.poll(first), Ok(Step::Send(_))));
            let response = http::Response::builder().status(status).body(body.clone()).unwrap();
            let handled = poll.handle_response(response, first);
            let next = handled.and_then(|()| poll.poll(first));
            let interval = Duration::from_secs(5);
            match TokenResponse::parse(status, &body, LIMIT) {
                Ok(_) => prop_assert!(matches!(next, Ok(Step::Done(_)))),
                Err(Error::OAuth(e)) if e.code().as_str() == "authorization_pending" => {
                    let waits = matches!(next, Ok(Step::Wait { until, .. }) if until == first + interval);
                    prop_assert!(waits, "{:?}", next.map(|_| ()));
                }
                Err(Error::OAuth(e)) if e.code().as_str() == "slow_down" => {
                    let slower = interval + SLOW_DOWN_STEP;
                    let waits = matches!(next, Ok(Step::Wait { until, .. }) if until == first + slower);
                    prop_assert!(waits, "{:?}", next.map(|_| ()));
                    prop_assert_eq!(poll.interval(), slower);
                }
                Err(expected) => match next {
                    Err(e) => {
                        prop_assert_eq!(&e, &expected);
                        check_error(&e, &[DEVICE_CODE, CLIENT_SECRET])?;
                    }
                    other => prop_assert!(false, "{:?}", other.map(|_| ())),
                },
            }
        }
    }
}

mod id_token_grant {
    use super::*;

    /// Signs with a constant: the response, not the assertion, is under test.
    struct FixedSigner;

    impl Signer for FixedSigner {
        fn algorithm(&self) -> Algorithm {
            Algorithm::Rs256
        }

        fn key_id(&self) -> Option<&str> {
            None
        }

        fn sign(&self, _message: &[u8]) -> Result<Vec<u8>, SignError> {
            Ok(b"signature".to_vec())
        }
    }

    fn refresh_answered(status: u16, body: Vec<u8>) -> Result<Option<SystemTime>, Error> {
        let credentials = ServiceAccountCredentials::new(
            Arc::new(FixedSigner),
            "sa@project.iam.gserviceaccount.com",
            "https://oauth2.example/token",
        )
        .unwrap()
        .with_response_limit(LIMIT)
        .id_token_credentials("https://service.example");
        run(
            credentials.refresh().unwrap(),
            vec![Answer::Http(status, body)],
        )
        .result
        .map(|updated| updated.token().and_then(|t| t.expiry()))
    }

    fn jwt(exp: u64) -> String {
        let part = |json: &str| URL_SAFE_NO_PAD.encode(json);
        format!(
            "{}.{}.c2ln",
            part(r#"{"alg":"RS256","typ":"JWT"}"#),
            part(&format!(
                r#"{{"aud":"https://service.example","exp":{exp}}}"#
            ))
        )
    }

    proptest! {
        #[test]
        fn the_id_token_and_its_exp_are_read_with_or_without_an_access_token(
            exp in prop_oneof![1u64..=u64::from(u32::MAX), u64::from(u32::MAX) + 1..=u64::MAX],
            with_access_token in any::<bool>(),
        ) {
            let mut body = json!({ "id_token": jwt(exp) });
            if with_access_token {
                body["access_token"] = "ya29.a".into();
                body["token_type"] = "Bearer".into();
                body["expires_in"] = 3599.into();
            }
            let answered = refresh_answered(200, body.to_string().into_bytes());
            if exp <= u64::from(u32::MAX) {
                // The documented bound on `exp`: year 2106.
                let expiry = Some(SystemTime::UNIX_EPOCH + Duration::from_secs(exp));
                prop_assert_eq!(answered, Ok(expiry));
            } else {
                let refused = matches!(
                    answered,
                    Err(Error::InvalidResponse(InvalidResponse::InvalidField { field: "id_token", .. }))
                );
                prop_assert!(refused, "{:?}", answered);
            }
        }

        #[test]
        fn without_a_usable_id_token_the_grant_fails(members in token_like()) {
            let body = render(&members).into_bytes();
            match refresh_answered(200, body.clone()) {
                Ok(_) => prop_assert!(false, "no id_token was sent: {:?}", String::from_utf8(body)),
                Err(e) => check_error(&e, &[])?,
            }
        }

        #[test]
        fn arbitrary_answers_never_panic(
            status in status(),
            body in prop::collection::vec(any::<u8>(), 0..300),
        ) {
            match refresh_answered(status, body) {
                Ok(expiry) => {
                    prop_assert_eq!(status, 200);
                    prop_assert!(expiry.is_some());
                }
                Err(e) => check_error(&e, &[])?,
            }
        }
    }
}

mod pending_authorization {
    use super::*;

    /// The JSON a web app stores, with any values of the right types.
    fn stored() -> impl Strategy<Value = Value> {
        (
            "\\PC{0,43}",
            "\\PC{0,43}",
            "\\PC{0,30}",
            "\\PC{0,10}",
            prop::option::of("\\PC{0,20}"),
            any::<bool>(),
            prop::collection::vec("[a-z.:/]{1,12}", 0..4),
            0u64..=253_402_300_799,
        )
            .prop_map(
                |(state, verifier, redirect, id, issuer, require, scopes, created)| {
                    json!({
                        "state": state, "code_verifier": verifier, "redirect_uri": redirect,
                        "client_id": id, "token_endpoint": "https://as.example/token",
                        "issuer": issuer, "require_issuer": require, "scopes": scopes,
                        "created_at": created,
                    })
                },
            )
    }

    /// A value of another JSON type than `value`.
    fn retyped(value: &Value) -> Value {
        match value {
            Value::String(_) => json!(5),
            _ => json!("text"),
        }
    }

    proptest! {
        #[test]
        fn a_stored_value_reads_back_as_itself(stored in stored()) {
            let pending: PendingAuthorization = serde_json::from_value(stored.clone()).unwrap();
            prop_assert_eq!(serde_json::to_value(&pending).unwrap(), stored.clone());
            prop_assert_eq!(pending.redirect_uri(), stored["redirect_uri"].as_str().unwrap());
            let created = stored["created_at"].as_u64().unwrap();
            prop_assert_eq!(
                pending.created_at(),
                SystemTime::UNIX_EPOCH + Duration::from_secs(created)
            );
        }

        #[test]
        fn a_field_of_the_wrong_type_missing_or_twice_is_refused(
            stored in stored(),
            field in prop::sample::select(vec![
                "state", "code_verifier", "redirect_uri", "client_id", "token_endpoint",
                "require_issuer", "scopes", "created_at",
            ]),
            how in 0..3u8,
        ) {
            let text = match how {
                0 => {
                    let mut changed = stored.clone();
                    changed[field] = retyped(&stored[field]);
                    changed.to_string()
                }
                1 => {
                    let mut changed = stored.clone();
                    changed.as_object_mut().unwrap().remove(field);
                    changed.to_string()
                }
                _ => {
                    let text = stored.to_string();
                    format!("{{\"{field}\":{},{}", stored[field], &text[1..])
                }
            };
            prop_assert!(serde_json::from_str::<PendingAuthorization>(&text).is_err(), "{}", text);
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
            if let Ok(pending) = serde_json::from_slice::<PendingAuthorization>(&bytes) {
                let _ = (pending.created_at(), pending.scopes(), pending.issuer());
            }
        }
    }
}
