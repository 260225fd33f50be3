//! A JSON Web Key Set from an issuer: `JwkSet::parse` on any bytes.
//!
//! Invariants: no panic; at most MAX_JWKS_KEYS keys kept; an accepted set
//! finds each of its keys by its own kid; errors carry no control
//! characters.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oauth2_sansio::jwt::verify::{JwkSet, MAX_JWKS_KEYS};

fuzz_target!(|data: &[u8]| {
    match JwkSet::parse(data) {
        Ok(set) => {
            assert!(set.keys().len() <= MAX_JWKS_KEYS);
            for key in set.keys() {
                if let Some(kid) = key.key_id() {
                    assert!(set.find(kid).is_some());
                }
            }
        }
        Err(e) => assert!(!e.to_string().chars().any(char::is_control), "{e}"),
    }
});
