//! A credentials file of any type, as Application Default Credentials read
//! it: the type detected, then the kind's own parser.
//!
//! Input: the file's bytes.
//! Invariants: no panic; a result only for `authorized_user` or
//! `service_account`; errors name the file and carry no unsafe characters.
#![no_main]

mod support;

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use oauth2_sansio::adc::{Adc, AdcEnvironment};
use oauth2_sansio::AnyCredentials;

fuzz_target!(|data: &[u8]| {
    let search = Adc::new(AdcEnvironment::new(|_| None, None, false)).with_scopes(["s"]);
    let path = Path::new("/keys/credentials.json");
    match search.credentials_in(path, data) {
        Ok(found) => assert!(matches!(
            found.credentials(),
            AnyCredentials::User(_) | AnyCredentials::ServiceAccount(_)
        )),
        Err(e) => {
            assert!(e.to_string().contains("/keys/credentials.json"), "{e}");
            support::assert_safe_error(&e, &[], data);
        }
    }
});
