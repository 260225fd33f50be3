//! ID-token grant responses: `IdTokenCredentials::refresh`, driven through
//! its public API with a stand-in signer, answered with any status and body.
//!
//! Input: two bytes for the status (mapped into 100..=599), then the body.
//! Invariants: no panic; success only on HTTP 200 with a body within the
//! bound, and then the credentials hold a non-empty token with an expiry;
//! every 3xx is `Error::Redirect`; error messages carry no control, bidi or
//! invisible characters and not the signed assertion that was sent.
#![no_main]

mod support;

use std::sync::Arc;
use std::time::SystemTime;

use libfuzzer_sys::fuzz_target;
use oauth2_sansio::jwt::{Algorithm, SignError, Signer};
use oauth2_sansio::service_account::ServiceAccountCredentials;
use oauth2_sansio::url::form_urlencoded;
use oauth2_sansio::{Credentials, Error, Machine, Step};

/// Small enough for the fuzzer to cross it (its inputs reach 4 KiB).
const LIMIT: usize = 2048;

/// Signs with a constant: the response, not the assertion, is under test.
struct FixedSigner;

impl Signer for FixedSigner {
    fn algorithm(&self) -> Algorithm {
        Algorithm::Rs256
    }

    fn key_id(&self) -> Option<&str> {
        Some("key-1")
    }

    fn sign(&self, _message: &[u8]) -> Result<Vec<u8>, SignError> {
        Ok(b"signature-secret".to_vec())
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((status, body)) = support::status_and_body(data) else {
        return;
    };
    let credentials = ServiceAccountCredentials::new(
        Arc::new(FixedSigner),
        "sa@project.iam.gserviceaccount.com",
        "https://oauth2.example/token",
    )
    .expect("valid credentials")
    .with_response_limit(LIMIT)
    .id_token_credentials("https://service.example");
    let now = SystemTime::UNIX_EPOCH;
    let Ok(mut refresh) = credentials.refresh() else {
        return;
    };
    let assertion = match refresh.poll(now) {
        Ok(Step::Send(request)) => form_urlencoded::parse(request.body())
            .find(|(name, _)| name == "assertion")
            .map(|(_, value)| value.into_owned())
            .expect("the grant sends an assertion"),
        other => panic!("a fresh refresh must send its request, got {other:?}"),
    };
    let result = refresh
        .handle_response(support::response(status, body), now)
        .and_then(|()| refresh.poll(now));
    match result {
        Ok(Step::Done(updated)) => {
            assert_eq!(status, 200);
            assert!(body.len() <= LIMIT);
            let token = updated.token().expect("a refreshed token");
            assert!(!token.token().secret().is_empty());
            assert!(token.expiry().is_some());
        }
        Ok(other) => panic!("an answered refresh must finish, got {other:?}"),
        Err(e) => {
            support::assert_safe_error(&e, &[&assertion], body);
            if (300..400).contains(&status) {
                assert_eq!(e, Error::Redirect { status });
            }
        }
    }
});
