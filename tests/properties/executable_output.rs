//! An executable's output against generated JSON: any bytes never panic;
//! a token is read exactly when the answer is version 1 or below, succeeds,
//! names a supported type whose field holds a non-empty string, and has
//! not expired; a failure answer's code and message come back without
//! control characters.

use std::time::{Duration, SystemTime};

use oauth2_sansio::external::{executable_output, SubjectTokenError};
use proptest::prelude::*;
use serde_json::json;

const NOW: u64 = 1_700_000_000;

proptest! {
    #[test]
    fn any_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = executable_output(&bytes, SystemTime::UNIX_EPOCH + Duration::from_secs(NOW));
    }

    #[test]
    fn a_token_is_read_exactly_when_the_answer_follows_the_format(
        version in 0i64..3,
        success in any::<bool>(),
        token_type in prop_oneof![Just("jwt"), Just("id_token"), Just("saml2"), Just("access_token")],
        field in prop_oneof![Just("id_token"), Just("saml_response")],
        token in "[a-zA-Z0-9.]{0,8}",
        expiration in proptest::option::of(NOW - 10..NOW + 10),
        code in "[ -~\\n\\x1b]{0,12}",
    ) {
        let mut answer = json!({
            "version": version, "success": success,
            "token_type": format!("urn:ietf:params:oauth:token-type:{token_type}"),
            field: token, "code": code, "message": code,
        });
        if let Some(at) = expiration {
            answer["expiration_time"] = at.into();
        }
        let read = executable_output(answer.to_string().as_bytes(), SystemTime::UNIX_EPOCH + Duration::from_secs(NOW));
        let right_field = match token_type {
            "jwt" | "id_token" => field == "id_token",
            "saml2" => field == "saml_response",
            _ => false,
        };
        let fresh = expiration.is_none_or(|at| at >= NOW);
        let good = version <= 1 && success && right_field && !token.is_empty() && fresh;
        match read {
            Ok(read) => {
                prop_assert!(good);
                prop_assert_eq!(read.token.secret(), token.as_str());
            }
            Err(SubjectTokenError::ExecutableFailed { code, message }) => {
                prop_assert!(version <= 1 && !success);
                prop_assert!(!code.chars().chain(message.chars()).any(char::is_control));
            }
            Err(error) => {
                prop_assert!(!good, "{}", error);
                prop_assert!(version > 1 || success);
            }
        }
    }
}
