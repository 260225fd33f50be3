//! The `external_account` file: `ExternalAccountCredentials::from_json`
//! on any bytes, and a subject token read from any bytes by each format.
//!
//! Invariants: no panic; what is read exchanges at an https or loopback
//! token URL; a workforce pool user project only with a workforce
//! audience; error messages carry no control characters.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oauth2_sansio::external::{subject_token_from, ExternalAccountCredentials, SubjectTokenFormat};

fuzz_target!(|data: &[u8]| {
    match ExternalAccountCredentials::from_json(data) {
        Ok(credentials) => {
            let url = credentials.token_url();
            let host = url.host_str().unwrap_or_default();
            let loopback = matches!(host, "127.0.0.1" | "[::1]" | "localhost")
                || host.starts_with("127.");
            assert!(url.scheme() == "https" || loopback, "{url}");
            if credentials.workforce_pool_user_project().is_some() {
                assert!(credentials.is_workforce_pool());
            }
        }
        Err(e) => assert!(!e.to_string().chars().any(char::is_control), "{e}"),
    }
    for format in [
        SubjectTokenFormat::Text,
        SubjectTokenFormat::Json { field: "id_token".into() },
    ] {
        if let Ok(token) = subject_token_from(data, &format) {
            assert!(!token.secret().is_empty());
        }
    }
});
