//! A `PendingAuthorization` read back from storage: a stored value reads
//! back as itself, a field of the wrong type, missing or twice is refused,
//! a value `build` would never make is refused, and no bytes make it panic.

use super::*;

/// The JSON a web app stores: any values `build` could have made (a
/// non-empty state and client id, an RFC 7636 verifier, an absolute
/// redirect URI without a fragment).
fn stored() -> impl Strategy<Value = Value> {
    (
        "[A-Za-z0-9_-]{1,43}",
        "[A-Za-z0-9._~-]{43,128}",
        "(https?|com\\.example\\.app):[a-z0-9/.:]{1,20}",
        "\\PC{1,10}",
        prop::option::of("\\PC{0,20}"),
        any::<bool>(),
        prop::collection::vec("[a-z.:/]{1,12}", 0..4),
        0u64..=253_402_300_799,
    )
        .prop_map(
            |(state, verifier, redirect, id, issuer, require, scopes, created)| {
                json!({
                    "state": state, "code_verifier": verifier, "redirect_uri": redirect,
                    "client_id": id, "token_endpoint": "https://as.example/token",
                    "issuer": issuer, "require_issuer": require, "scopes": scopes,
                    "created_at": created,
                })
            },
        )
}

/// A value of another JSON type than `value`.
fn retyped(value: &Value) -> Value {
    match value {
        Value::String(_) => json!(5),
        _ => json!("text"),
    }
}

proptest! {
    #[test]
    fn a_stored_value_reads_back_as_itself(stored in stored()) {
        let pending: PendingAuthorization = serde_json::from_value(stored.clone()).unwrap();
        prop_assert_eq!(serde_json::to_value(&pending).unwrap(), stored.clone());
        prop_assert_eq!(pending.redirect_uri(), stored["redirect_uri"].as_str().unwrap());
        let created = stored["created_at"].as_u64().unwrap();
        prop_assert_eq!(
            pending.created_at(),
            SystemTime::UNIX_EPOCH + Duration::from_secs(created)
        );
    }

    #[test]
    fn a_value_build_would_never_make_is_refused(
        stored in stored(),
        (field, value) in prop_oneof![
            Just(("state", String::new())),
            Just(("client_id", String::new())),
            "[A-Za-z0-9._~-]{0,42}".prop_map(|v| ("code_verifier", v)),
            "[A-Za-z0-9._~-]{129,160}".prop_map(|v| ("code_verifier", v)),
            "[A-Za-z0-9._~-]{20,60}[ +/=%][A-Za-z0-9]{0,40}".prop_map(|v| ("code_verifier", v)),
            "[a-z/.]{0,20}".prop_map(|v| ("redirect_uri", v)),
            "https://[a-z.]{1,12}/#[a-z]{0,5}".prop_map(|v| ("redirect_uri", v)),
        ],
    ) {
        let mut changed = stored;
        changed[field] = Value::from(value.clone());
        let refused = serde_json::from_value::<PendingAuthorization>(changed);
        prop_assert!(refused.is_err(), "{}={:?} was read", field, value);
        prop_assert!(refused.unwrap_err().to_string().contains(field));
    }

    #[test]
    fn a_field_of_the_wrong_type_missing_or_twice_is_refused(
        stored in stored(),
        field in prop::sample::select(vec![
            "state", "code_verifier", "redirect_uri", "client_id", "token_endpoint",
            "require_issuer", "scopes", "created_at",
        ]),
        how in 0..3u8,
    ) {
        let text = match how {
            0 => {
                let mut changed = stored.clone();
                changed[field] = retyped(&stored[field]);
                changed.to_string()
            }
            1 => {
                let mut changed = stored.clone();
                changed.as_object_mut().unwrap().remove(field);
                changed.to_string()
            }
            _ => {
                let text = stored.to_string();
                format!("{{\"{field}\":{},{}", stored[field], &text[1..])
            }
        };
        prop_assert!(serde_json::from_str::<PendingAuthorization>(&text).is_err(), "{}", text);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        if let Ok(pending) = serde_json::from_slice::<PendingAuthorization>(&bytes) {
            let _ = (pending.created_at(), pending.scopes(), pending.issuer());
        }
    }
}
