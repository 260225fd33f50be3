//! Property tests of the pushed authorization request answer: no input
//! panics, and a generated answer is accepted exactly when the RFC 9126
//! rules (checked here independently) allow it.

use oauth2_sansio::{Error, PushedRequest, MAX_PUSH_LIFETIME, MAX_REQUEST_URI_LEN};
use proptest::prelude::*;
use serde_json::json;

proptest! {
    #[test]
    fn any_answer_is_read_without_panic(status in 100u16..600, body in proptest::collection::vec(any::<u8>(), 0..256)) {
        let _ = PushedRequest::parse(status, &body, 1 << 16);
    }

    #[test]
    fn an_answer_is_accepted_exactly_when_the_rules_allow(
        status in prop_oneof![Just(201u16), Just(200), Just(400)],
        request_uri in "[ -~]{0,40}",
        expires_in in prop_oneof![(0u64..700).prop_map(|n| json!(n)), (0u64..100_000).prop_map(|n| json!(n.to_string())), Just(json!(-5)), Just(json!(null))],
    ) {
        let body = json!({"request_uri": request_uri, "expires_in": expires_in}).to_string();
        let lifetime = match &expires_in {
            serde_json::Value::Number(n) => n.as_u64(),
            serde_json::Value::String(s) => s.parse::<u64>().ok(),
            _ => None,
        };
        let allowed = status == 201
            && !request_uri.is_empty()
            && request_uri.len() <= MAX_REQUEST_URI_LEN
            && request_uri.bytes().all(|b| b.is_ascii_graphic())
            && lifetime.is_some_and(|l| (1..=MAX_PUSH_LIFETIME).contains(&l));
        match PushedRequest::parse(status, body.as_bytes(), 1 << 16) {
            Ok(pushed) => {
                prop_assert!(allowed, "{}", body);
                prop_assert_eq!(pushed.request_uri(), request_uri.as_str());
                prop_assert_eq!(Some(pushed.expires_in()), lifetime);
            }
            Err(error) => {
                prop_assert!(!allowed, "{} refused: {}", body, error);
                if status == 200 {
                    prop_assert_eq!(error, Error::HttpStatus { status: 200 });
                }
            }
        }
    }
}
