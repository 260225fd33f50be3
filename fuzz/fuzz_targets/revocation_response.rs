//! Revocation responses (RFC 7009): a `Revocation` machine, driven through
//! its public API, answered with any status and body.
//!
//! Input: two bytes for the status (mapped into 100..=599), then the body.
//! Invariants: no panic; success exactly on HTTP 200 with a body within the
//! bound; every 3xx is `Error::Redirect`; error messages carry no control,
//! bidi or invisible characters and neither the revoked token nor the
//! client secret.
#![no_main]

mod support;

use std::time::SystemTime;

use libfuzzer_sys::fuzz_target;
use oauth2_sansio::{Client, ClientSecret, Error, Machine, RefreshToken, Step};

/// Small enough for the fuzzer to cross it (its inputs reach 4 KiB).
const LIMIT: usize = 2048;
const REFRESH: &str = "1//refresh-token-secret";
const CLIENT_SECRET: &str = "client-secret-value";

fuzz_target!(|data: &[u8]| {
    let Some((status, body)) = support::status_and_body(data) else {
        return;
    };
    let client = Client::builder("client")
        .client_secret(ClientSecret::new(CLIENT_SECRET))
        .authorization_endpoint("https://as.example/auth")
        .token_endpoint("https://as.example/token")
        .revocation_endpoint("https://as.example/revoke")
        .response_limit(LIMIT)
        .build()
        .expect("a valid client");
    let now = SystemTime::UNIX_EPOCH;
    let mut revocation = client
        .revoke(&RefreshToken::new(REFRESH))
        .expect("a revocation endpoint");
    assert!(matches!(revocation.poll(now), Ok(Step::Send(_))));
    let result = revocation
        .handle_response(support::response(status, body), now)
        .and_then(|()| revocation.poll(now));
    match result {
        Ok(Step::Done(())) => assert!(status == 200 && body.len() <= LIMIT),
        Ok(other) => panic!("an answered revocation must finish, got {other:?}"),
        Err(e) => {
            assert!(status != 200 || body.len() > LIMIT, "{e}");
            support::assert_safe_error(&e, &[REFRESH, CLIENT_SECRET], body);
            if (300..400).contains(&status) {
                assert_eq!(e, Error::Redirect { status });
            }
        }
    }
});
