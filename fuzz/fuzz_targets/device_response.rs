//! Device authorization responses: `DeviceAuthorizationResponse::parse` on
//! any status and body.
//!
//! Input: two bytes for the status (mapped into 100..=599), then the body.
//! Invariants: no panic; success only on HTTP 200 with non-empty codes, a
//! displayable user code (no control, bidi or invisible character),
//! verification URIs that are https (or http on a loopback host) without
//! credentials, `expires_in` from 1 s to `MAX_EXPIRES_IN` and `interval`
//! from 1 s to `MAX_POLL_INTERVAL`; every 3xx is `Error::Redirect`; error
//! messages carry no control characters.
#![no_main]

mod support;

use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use oauth2_sansio::device::DeviceAuthorizationResponse;
use oauth2_sansio::limits::{MAX_EXPIRES_IN, MAX_POLL_INTERVAL, MAX_USER_CODE_CHARS};
use oauth2_sansio::url::{Host, Url};
use oauth2_sansio::Error;

/// Small enough for the fuzzer to cross it (its inputs reach 4 KiB).
const LIMIT: usize = 2048;

fn shown_safely(url: &Url) -> bool {
    let loopback = match url.host() {
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    let scheme_ok =
        (url.scheme() == "https" && url.host().is_some()) || (url.scheme() == "http" && loopback);
    scheme_ok && url.username().is_empty() && url.password().is_none()
}

fuzz_target!(|data: &[u8]| {
    let Some((status, body)) = data.split_first_chunk::<2>() else {
        return;
    };
    let status = 100 + u16::from_be_bytes(*status) % 500;
    match DeviceAuthorizationResponse::parse(status, body, LIMIT) {
        Ok(response) => {
            assert_eq!(status, 200);
            assert!(body.len() <= LIMIT);
            assert!(!response.device_code().secret().is_empty());
            let user_code = response.user_code();
            assert!(!user_code.is_empty() && user_code.chars().count() <= MAX_USER_CODE_CHARS);
            assert!(!user_code.chars().any(support::is_unsafe), "{user_code:?}");
            assert!(
                shown_safely(response.verification_uri()),
                "{}",
                response.verification_uri()
            );
            assert!(response
                .verification_uri_complete()
                .is_none_or(shown_safely));
            let expires_in = response.expires_in();
            assert!(expires_in >= Duration::from_secs(1));
            assert!(expires_in <= Duration::from_secs(MAX_EXPIRES_IN));
            let interval = response.interval();
            assert!(interval >= Duration::from_secs(1) && interval <= MAX_POLL_INTERVAL);
        }
        Err(e) => {
            assert!(!e.to_string().chars().any(char::is_control), "{e}");
            if (300..400).contains(&status) {
                assert_eq!(e, Error::Redirect { status });
            }
        }
    }
});
