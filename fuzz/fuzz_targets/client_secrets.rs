//! `client_secrets.json`: `ClientSecrets::from_json` on any bytes.
//!
//! Invariants: no panic, in parsing or in building a client from what was
//! read; a built client keeps the file's id and only has https or loopback
//! endpoints; error messages carry no control characters.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oauth2_sansio::url::{Host, Url};
use oauth2_sansio::ClientSecrets;

fn secure(url: &Url) -> bool {
    let loopback = match url.host() {
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    };
    url.scheme() == "https" || (url.scheme() == "http" && loopback)
}

fuzz_target!(|data: &[u8]| {
    let secrets = match ClientSecrets::from_json(data) {
        Ok(secrets) => secrets,
        Err(e) => {
            assert!(!e.to_string().chars().any(char::is_control), "{e}");
            return;
        }
    };
    assert!(!secrets.client_id().is_empty());
    match secrets.client_builder().build() {
        Ok(client) => {
            assert_eq!(client.id(), secrets.client_id());
            assert!(secure(client.authorization_endpoint()));
            assert!(secure(client.token_endpoint()));
        }
        Err(e) => assert!(!e.to_string().chars().any(char::is_control), "{e}"),
    }
});
