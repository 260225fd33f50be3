//! The `impersonated_service_account` file: `ImpersonatedCredentials::from_json`
//! on any bytes (its nested source read by its own type's rules).
//!
//! Invariants: no panic; what is read names a principal and calls an
//! https URL on googleapis.com or a loopback URL (a file never sends the
//! source's token elsewhere); error messages carry no control characters.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oauth2_sansio::impersonated::ImpersonatedCredentials;

fuzz_target!(|data: &[u8]| {
    match ImpersonatedCredentials::from_json(data) {
        Ok(credentials) => {
            assert!(!credentials.target_principal().is_empty());
            let url = credentials.impersonation_url();
            let host = url.host_str().unwrap_or_default();
            let google = host.ends_with(".googleapis.com") && url.scheme() == "https";
            let loopback = matches!(host, "127.0.0.1" | "[::1]" | "localhost");
            // A universe_domain in the file widens the allow-list to it.
            let universe = serde_json::from_slice::<serde_json::Value>(data)
                .ok()
                .and_then(|v| v["universe_domain"].as_str().map(str::to_owned))
                .is_some_and(|u| host.ends_with(&format!(".{u}")));
            assert!(google || loopback || universe, "{url}");
        }
        Err(e) => assert!(!e.to_string().chars().any(char::is_control), "{e}"),
    }
});
