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

mod device_poll;
mod id_token_grant;
mod pending_authorization;
mod revocation;
mod token_exchange;
