//! Token endpoint responses: `TokenResponse::parse` on any status and body.
//!
//! Input: two bytes for the status (mapped into 100..=599), then the body.
//! Invariants: no panic; success only on HTTP 200 with a non-empty,
//! printable access token and a bounded `expires_in`; every 3xx is
//! `Error::Redirect`; error messages carry no control characters.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oauth2_sansio::limits::MAX_EXPIRES_IN;
use oauth2_sansio::{Error, TokenResponse};

/// Small enough for the fuzzer to cross it (its inputs reach 4 KiB).
const LIMIT: usize = 2048;

fuzz_target!(|data: &[u8]| {
    let Some((status, body)) = data.split_first_chunk::<2>() else {
        return;
    };
    let status = 100 + u16::from_be_bytes(*status) % 500;
    match TokenResponse::parse(status, body, LIMIT) {
        Ok(response) => {
            assert_eq!(status, 200);
            let token = response.access_token().secret();
            assert!(!token.is_empty() && token.bytes().all(|b| b.is_ascii_graphic()));
            assert!(response.expires_in().is_none_or(|s| s <= MAX_EXPIRES_IN));
            assert!(body.len() <= LIMIT);
        }
        Err(e) => {
            assert!(!e.to_string().chars().any(char::is_control), "{e}");
            if (300..400).contains(&status) {
                assert_eq!(e, Error::Redirect { status });
            }
        }
    }
});
