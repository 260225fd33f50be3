//! Authorization server metadata: `AuthorizationServerMetadata::parse` on
//! any body, for a fixed issuer, and a client built from what was read.
//!
//! Invariants: no panic; success only on HTTP 200 with a body within the
//! bound, an `issuer` byte-identical to the one asked for, and endpoints
//! that are https or http on a loopback host; a client built from the
//! metadata has the same issuer; error messages carry no control
//! characters.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oauth2_sansio::discovery::AuthorizationServerMetadata;
use oauth2_sansio::url::{Host, Url};

const ISSUER: &str = "https://as.example/tenant";
/// Small enough for the fuzzer to cross it (its inputs reach 4 KiB).
const LIMIT: usize = 2048;

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
    let metadata = match AuthorizationServerMetadata::parse(ISSUER, 200, data, LIMIT) {
        Ok(metadata) => metadata,
        Err(e) => {
            assert!(!e.to_string().chars().any(char::is_control), "{e}");
            return;
        }
    };
    assert!(data.len() <= LIMIT);
    assert_eq!(metadata.issuer(), ISSUER);
    for url in [
        metadata.authorization_endpoint(),
        metadata.token_endpoint(),
        metadata.revocation_endpoint(),
        metadata.introspection_endpoint(),
        metadata.device_authorization_endpoint(),
        metadata.userinfo_endpoint(),
        metadata.jwks_uri(),
        metadata.registration_endpoint(),
    ]
    .into_iter()
    .flatten()
    {
        assert!(secure(url), "{url}");
    }
    if let Ok(client) = metadata.client_builder("fuzz").build() {
        assert_eq!(client.issuer(), Some(ISSUER));
        assert!(secure(client.token_endpoint()));
    }
});
