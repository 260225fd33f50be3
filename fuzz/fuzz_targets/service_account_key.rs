//! Service-account keys: the key JSON (`ServiceAccountCredentials::from_json`)
//! and the PEM private key inside it (`RingSigner::from_pem`), on any bytes.
//!
//! Invariants: no panic; a key accepted from JSON or PEM is RSA of 2048 to
//! 4096 bits and signs; an accepted file has an email and an https (or
//! loopback http) token URI; error messages carry no control characters.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oauth2_sansio::jwt::{RingSigner, Signer};
use oauth2_sansio::service_account::ServiceAccountCredentials;
use oauth2_sansio::url::{Host, Url};

fn secure(url: &Url) -> bool {
    let loopback = match url.host() {
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    };
    url.scheme() == "https" || (url.scheme() == "http" && loopback)
}

fn check_signer(signer: &dyn Signer, modulus_bits: usize) {
    assert!((2048..=4096).contains(&modulus_bits), "{modulus_bits}");
    let signature = signer
        .sign(b"header.payload")
        .expect("an accepted key signs");
    assert_eq!(signature.len(), modulus_bits.div_ceil(8));
}

fuzz_target!(|data: &[u8]| {
    match ServiceAccountCredentials::from_json(data) {
        Ok(creds) => {
            assert!(!creds.email().is_empty());
            assert!(secure(creds.token_uri()));
            assert!(creds.signer().sign(b"x").is_ok());
        }
        Err(e) => {
            let message = e.to_string();
            assert!(!message.chars().any(char::is_control), "{message}");
        }
    }
    if let Ok(text) = std::str::from_utf8(data) {
        match RingSigner::from_pem(text, None) {
            Ok(signer) => check_signer(&signer, signer.modulus_bits()),
            Err(e) => assert!(!e.to_string().chars().any(char::is_control), "{e}"),
        }
    }
});
