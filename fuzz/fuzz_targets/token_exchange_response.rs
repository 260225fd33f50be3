//! Token exchange responses (RFC 8693): a `TokenExchange` machine, driven
//! through its public API, answered with any status and body.
//!
//! Input: two bytes for the status (mapped into 100..=599), then the body.
//! Invariants: no panic; success only on HTTP 200 with a body within the
//! bound, a non-empty printable token, a non-empty `issued_token_type` and
//! a bounded expiry; every 3xx is `Error::Redirect`; error messages carry
//! no control, bidi or invisible characters and neither the subject token,
//! the actor token nor the client secret.
#![no_main]

mod support;

use std::time::{Duration, SystemTime};

use libfuzzer_sys::fuzz_target;
use oauth2_sansio::limits::MAX_EXPIRES_IN;
use oauth2_sansio::token_exchange::{token_types, TokenExchangeRequest};
use oauth2_sansio::{ClientAuthMethod, ClientSecret, Error, Machine, SecurityToken, Step};

/// Small enough for the fuzzer to cross it (its inputs reach 4 KiB).
const LIMIT: usize = 2048;
const SUBJECT: &str = "subject-token-secret";
const ACTOR: &str = "actor-token-secret";
const CLIENT_SECRET: &str = "client-secret-value";

fuzz_target!(|data: &[u8]| {
    let Some((status, body)) = support::status_and_body(data) else {
        return;
    };
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let mut exchange = TokenExchangeRequest::new(
        "https://sts.example/token",
        SecurityToken::new(SUBJECT),
        token_types::JWT,
    )
    .actor_token(SecurityToken::new(ACTOR), token_types::ID_TOKEN)
    .client_authentication(
        ClientAuthMethod::ClientSecretBasic,
        "client",
        Some(ClientSecret::new(CLIENT_SECRET)),
    )
    .response_limit(LIMIT)
    .build()
    .expect("a valid exchange");
    assert!(matches!(exchange.poll(now), Ok(Step::Send(_))));
    let result = exchange
        .handle_response(support::response(status, body), now)
        .and_then(|()| exchange.poll(now));
    match result {
        Ok(Step::Done(token)) => {
            assert_eq!(status, 200);
            assert!(body.len() <= LIMIT);
            let secret = token.token().secret();
            assert!(!secret.is_empty() && secret.bytes().all(|b| b.is_ascii_graphic()));
            assert!(!token.issued_token_type().is_empty());
            assert!(token
                .expiry()
                .is_none_or(|at| at <= now + Duration::from_secs(MAX_EXPIRES_IN)));
        }
        Ok(other) => panic!("an answered exchange must finish, got {other:?}"),
        Err(e) => {
            support::assert_safe_error(&e, &[SUBJECT, ACTOR, CLIENT_SECRET], body);
            if (300..400).contains(&status) {
                assert_eq!(e, Error::Redirect { status });
            }
        }
    }
});
