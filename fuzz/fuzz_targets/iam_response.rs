//! The IAM Credentials API's `generateAccessToken` answer (and Google's
//! JSON error form): `GeneratedAccessToken::parse` on any bytes and status.
//!
//! Invariants: no panic; an accepted answer came with HTTP 200 and holds a
//! non-empty token; errors carry no control characters.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oauth2_sansio::impersonated::GeneratedAccessToken;

fuzz_target!(|data: &[u8]| {
    let Some((&status, body)) = data.split_first() else {
        return;
    };
    let status = [200, 400, 401, 403, 404, 429, 500, 503, 302][usize::from(status) % 9];
    match GeneratedAccessToken::parse(status, body, 64 * 1024) {
        Ok(token) => {
            assert_eq!(status, 200);
            assert!(!token.access_token.secret().is_empty());
        }
        Err(e) => assert!(!e.to_string().chars().any(char::is_control), "{e}"),
    }
});
