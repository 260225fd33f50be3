//! Introspection responses: `IntrospectionResponse::parse` on any status
//! and body.
//!
//! Input: two bytes for the status (mapped into 100..=599), then the body.
//! Invariants: no panic; success only on HTTP 200 with a body within the
//! bound that holds the JSON literal the result's `active` stands for; an
//! active token's scopes are single words;
//! every 3xx is `Error::Redirect`; error messages carry no control
//! characters.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oauth2_sansio::{Error, IntrospectionResponse};

/// Small enough for the fuzzer to cross it (its inputs reach 4 KiB).
const LIMIT: usize = 2048;

fuzz_target!(|data: &[u8]| {
    let Some((status, body)) = data.split_first_chunk::<2>() else {
        return;
    };
    let status = 100 + u16::from_be_bytes(*status) % 500;
    match IntrospectionResponse::parse(status, body, LIMIT) {
        Ok(answer) => {
            assert_eq!(status, 200);
            assert!(body.len() <= LIMIT);
            // `active` is a JSON boolean: its literal is in the body.
            let literal: &[u8] = if answer.is_active() {
                b"true"
            } else {
                b"false"
            };
            assert!(body.windows(literal.len()).any(|w| w == literal));
            if let Some(token) = answer.active() {
                for scope in token.scopes().unwrap_or_default() {
                    assert!(!scope.is_empty() && !scope.contains(char::is_whitespace));
                }
            }
        }
        Err(e) => {
            assert!(!e.to_string().chars().any(char::is_control), "{e}");
            if (300..400).contains(&status) {
                assert_eq!(e, Error::Redirect { status });
            }
        }
    }
});
