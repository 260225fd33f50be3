//! google-auth's `authorized_user` JSON: `from_authorized_user_json`, and
//! `UserCredentials`' serde `Deserialize`, on any bytes.
//!
//! Invariants: no panic; whatever is read writes back to a file that reads
//! as equal credentials and writes identically again; error messages carry
//! no control characters; what serde reads, the reader reads the same.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oauth2_sansio::{FileProblem, UserCredentials};

fuzz_target!(|data: &[u8]| {
    let through_serde = serde_json::from_slice::<UserCredentials>(data);
    let creds = match UserCredentials::from_authorized_user_json(data) {
        Ok(creds) => creds,
        Err(e) => {
            assert!(!e.to_string().chars().any(char::is_control), "{e}");
            // serde has no size bound; it refuses all else the reader does.
            let too_large = matches!(e.problem(), FileProblem::TooLarge { .. });
            assert!(
                too_large || through_serde.is_err(),
                "serde read what the reader refuses: {e}"
            );
            return;
        }
    };
    if let Ok(same) = through_serde {
        assert_eq!(same, creds, "serde and the reader disagree");
    }
    let written = creds.to_authorized_user_json();
    let again = UserCredentials::from_authorized_user_json(written.as_bytes())
        .expect("a written file reads back");
    assert_eq!(again, creds, "the written file reads back different");
    assert_eq!(again.to_authorized_user_json(), written);
});
