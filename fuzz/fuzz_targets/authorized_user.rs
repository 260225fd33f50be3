//! google-auth's `authorized_user` JSON: `from_authorized_user_json` on any
//! bytes.
//!
//! Invariants: no panic; whatever is read writes back to a file that reads
//! as equal credentials and writes identically again; error messages carry
//! no control characters.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oauth2_sansio::UserCredentials;

fuzz_target!(|data: &[u8]| {
    let creds = match UserCredentials::from_authorized_user_json(data) {
        Ok(creds) => creds,
        Err(e) => {
            assert!(!e.to_string().chars().any(char::is_control), "{e}");
            return;
        }
    };
    let written = creds.to_authorized_user_json();
    let again = UserCredentials::from_authorized_user_json(written.as_bytes())
        .expect("a written file reads back");
    assert_eq!(again, creds, "the written file reads back different");
    assert_eq!(again.to_authorized_user_json(), written);
});
