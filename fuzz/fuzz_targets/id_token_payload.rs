//! ID tokens: `jwt::decode_unverified` on any text, and the ID-token grant's
//! response handling (`IdTokenRefresh`) on any body.
//!
//! Invariants: no panic; a decoded token is within the size bound, has
//! exactly three segments, a non-empty signature and an allowed `alg`
//! (never `none`, never HMAC); an ID-token grant succeeds only with an
//! `id_token` that decodes and has an `exp`, whose expiry becomes the
//! token's; error messages carry no control characters.
#![no_main]

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use libfuzzer_sys::fuzz_target;
use oauth2_sansio::jwt::{decode_unverified, Algorithm, SignError, Signer, MAX_UNVERIFIED_JWT_LEN};
use oauth2_sansio::service_account::ServiceAccountCredentials;
use oauth2_sansio::{Credentials, Machine, Step};

/// Signs instantly, so the fuzzer spends its time in the parsers.
struct FixedSigner;

impl Signer for FixedSigner {
    fn algorithm(&self) -> Algorithm {
        Algorithm::Rs256
    }
    fn key_id(&self) -> Option<&str> {
        None
    }
    fn sign(&self, _: &[u8]) -> Result<Vec<u8>, SignError> {
        Ok(vec![7; 256])
    }
}

fn check_token(text: &str) {
    match decode_unverified(text) {
        Ok(jwt) => {
            assert!(text.len() <= MAX_UNVERIFIED_JWT_LEN);
            assert_eq!(text.split('.').count(), 3);
            assert!(!text.ends_with('.'));
            let alg = jwt.algorithm();
            assert!(
                !alg.eq_ignore_ascii_case("none") && !alg.starts_with("HS"),
                "{alg}"
            );
            if let Err(e) = jwt.expiry() {
                assert!(!e.to_string().chars().any(char::is_control), "{e}");
            }
            let _ = jwt.claims();
        }
        Err(e) => assert!(!e.to_string().chars().any(char::is_control), "{e}"),
    }
}

fn check_grant(body: &[u8]) {
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_767_225_600);
    let creds = ServiceAccountCredentials::new(
        Arc::new(FixedSigner),
        "sa@example.com",
        "https://oauth2.googleapis.com/token",
    )
    .expect("valid token URI")
    .id_token_credentials("https://service.example");
    let Ok(mut refresh) = creds.refresh() else {
        return;
    };
    assert!(matches!(refresh.poll(now), Ok(Step::Send(_))));
    let result = refresh
        .handle_response(oauth2_sansio::http::Response::new(body.to_vec()), now)
        .and_then(|()| refresh.poll(now));
    match result {
        Ok(Step::Done(creds)) => {
            let token = creds.token().expect("a token");
            let jwt = decode_unverified(token.token().secret()).expect("the id_token decodes");
            assert_eq!(token.expiry(), Some(jwt.expiry().expect("it has an exp")));
        }
        Ok(_) => panic!("a handled response finishes the machine"),
        Err(e) => assert!(!e.to_string().chars().any(char::is_control), "{e}"),
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        check_token(text);
    }
    check_grant(data);
});
