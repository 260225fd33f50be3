//! A server's DPoP headers: `WWW-Authenticate` challenges and `DPoP-Nonce`
//! values from any bytes, through `dpop_challenge` and `nonce_in`.
//!
//! Invariants: no panic; a challenge's fields carry no control
//! characters; a nonce is 1 to MAX_NONCE_LEN visible ASCII characters
//! other than `"` and `\`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oauth2_sansio::dpop::{dpop_challenge, nonce_in, DPOP_NONCE, MAX_NONCE_LEN};
use oauth2_sansio::http::header::WWW_AUTHENTICATE;
use oauth2_sansio::http::{HeaderMap, HeaderValue};

fuzz_target!(|data: &[u8]| {
    let mut headers = HeaderMap::new();
    for line in data.split(|&b| b == b'\n') {
        if let Ok(value) = HeaderValue::from_bytes(line) {
            headers.append(WWW_AUTHENTICATE, value.clone());
            headers.append(DPOP_NONCE, value);
        }
    }
    if let Some(challenge) = dpop_challenge(&headers) {
        for text in challenge
            .error
            .iter()
            .chain(challenge.error_description.iter())
            .chain(challenge.algs.iter())
        {
            assert!(!text.chars().any(char::is_control), "{text:?}");
        }
    }
    if let Some(nonce) = nonce_in(&headers) {
        assert!(!nonce.is_empty() && nonce.len() <= MAX_NONCE_LEN);
        assert!(nonce
            .bytes()
            .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\'));
    }
});
