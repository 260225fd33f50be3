//! A pushed authorization request endpoint's answer: `PushedRequest::parse`
//! on any status and bytes.
//!
//! Invariants: no panic; an accepted answer has a request_uri of 1 to
//! MAX_REQUEST_URI_LEN visible ASCII bytes and an expires_in from 1 to
//! MAX_PUSH_LIFETIME; errors carry no control characters.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oauth2_sansio::{PushedRequest, MAX_PUSH_LIFETIME, MAX_REQUEST_URI_LEN};

fuzz_target!(|data: &[u8]| {
    let (status, body) = match data.split_first() {
        Some((&selector, body)) => (if selector % 4 == 0 { 400 } else { 201 }, body),
        None => (201, data),
    };
    match PushedRequest::parse(status, body, 1 << 16) {
        Ok(pushed) => {
            let uri = pushed.request_uri();
            assert!(!uri.is_empty() && uri.len() <= MAX_REQUEST_URI_LEN);
            assert!(uri.bytes().all(|b| b.is_ascii_graphic()));
            assert!((1..=MAX_PUSH_LIFETIME).contains(&pushed.expires_in()));
        }
        Err(e) => assert!(!e.to_string().chars().any(char::is_control), "{e}"),
    }
});
