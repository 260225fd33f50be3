//! Properties of the token response parser: no status or body makes it
//! panic, it agrees with an oracle written from the documented rules on
//! generated fields good and bad, and a body over the limit is refused.

use oauth2_sansio::limits::{DEFAULT_RESPONSE_LIMIT, MAX_EXPIRES_IN};
use oauth2_sansio::{Error, InvalidResponse, TokenResponse};
use proptest::prelude::*;

use crate::support::json::*;
use crate::support::text::*;

const LIMIT: usize = DEFAULT_RESPONSE_LIMIT;

fn check_arbitrary(status: u16, body: &[u8]) -> Result<(), TestCaseError> {
    match TokenResponse::parse(status, body, LIMIT) {
        Ok(response) => {
            prop_assert_eq!(status, 200);
            prop_assert!(!response.access_token().secret().is_empty());
            prop_assert!(response.expires_in().is_none_or(|s| s <= MAX_EXPIRES_IN));
        }
        Err(e) => {
            prop_assert!(shows_safely(&e.to_string()), "{e}");
            if (300..400).contains(&status) {
                prop_assert_eq!(e, Error::Redirect { status });
            }
        }
    }
    Ok(())
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(
        status in 100..600u16,
        body in prop::collection::vec(any::<u8>(), 0..300),
    ) {
        check_arbitrary(status, &body)?;
    }

    #[test]
    fn arbitrary_text_never_panics(status in 100..600u16, body in ".{0,200}") {
        check_arbitrary(status, body.as_bytes())?;
    }
}

/// What the response must turn into, by the documented rules.
#[derive(Debug, PartialEq)]
enum Expect {
    Ok,
    Redirect,
    HttpStatus,
    OAuth(String),
    Invalid,
}

fn valid_expires_in(value: Option<&J>) -> bool {
    match value {
        None | Some(J::Null) => true,
        Some(J::UInt(n)) => *n <= MAX_EXPIRES_IN,
        Some(J::Str(s)) => {
            !s.is_empty()
                && s.bytes().all(|b| b.is_ascii_digit())
                && s.parse::<u128>()
                    .is_ok_and(|n| n <= u128::from(MAX_EXPIRES_IN))
        }
        _ => false,
    }
}

fn oracle(status: u16, entries: &[(String, J)]) -> Expect {
    if (300..400).contains(&status) {
        return Expect::Redirect;
    }
    let json_ok = entries.iter().all(|(_, v)| v.parses()) && !has_duplicate_key(entries);
    let failure = if status == 200 {
        Expect::Invalid
    } else {
        Expect::HttpStatus
    };
    if !json_ok {
        return failure;
    }
    match lookup(entries, "error") {
        None | Some(J::Null) => {}
        Some(J::Str(code)) if !code.is_empty() => return Expect::OAuth(code.clone()),
        Some(_) => return failure,
    }
    if status != 200 {
        return Expect::HttpStatus;
    }
    let access_ok = matches!(lookup(entries, "access_token"),
        Some(J::Str(s)) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_graphic()));
    let bearer = matches!(lookup(entries, "token_type"),
        Some(J::Str(s)) if s.eq_ignore_ascii_case("bearer"));
    let strings_ok = ["refresh_token", "id_token", "scope"]
        .iter()
        .all(|f| lookup(entries, f).is_none_or(|v| v.as_opt_str().is_ok()));
    if access_ok && bearer && strings_ok && valid_expires_in(lookup(entries, "expires_in")) {
        Expect::Ok
    } else {
        Expect::Invalid
    }
}

fn bearer_any_case() -> impl Strategy<Value = J> {
    prop::collection::vec(any::<bool>(), 6).prop_map(|upper| {
        J::Str(
            "bearer"
                .chars()
                .zip(upper)
                .map(|(c, u)| if u { c.to_ascii_uppercase() } else { c })
                .collect(),
        )
    })
}

fn token_fields() -> impl Strategy<Value = Vec<(String, J)>> {
    let fields = (
        maybe(
            "access_token",
            0.9,
            prop_oneof![3 => "[!-~]{1,30}".prop_map(J::Str), 1 => any_json()],
        ),
        maybe(
            "token_type",
            0.9,
            prop_oneof![
                3 => bearer_any_case(),
                1 => one_of(&["mac", "Bearer ", "bearer\u{0}", "", "DPoP"]),
                1 => any_json(),
            ],
        ),
        maybe(
            "expires_in",
            0.8,
            prop_oneof![
                2 => (0..=MAX_EXPIRES_IN).prop_map(J::UInt),
                1 => prop::sample::select(vec![MAX_EXPIRES_IN, MAX_EXPIRES_IN + 1, u64::MAX])
                    .prop_map(J::UInt),
                1 => "[0-9]{1,20}".prop_map(J::Str),
                1 => any_json(),
            ],
        ),
        maybe(
            "error",
            0.2,
            prop_oneof![
                one_of(&[
                    "invalid_grant",
                    "server_error",
                    "internal_failure",
                    "x\u{1b}[31m"
                ]),
                any_json(),
            ],
        ),
        maybe(
            "refresh_token",
            0.5,
            prop_oneof![3 => ".{0,20}".prop_map(J::Str), 1 => any_json()],
        ),
        maybe(
            "id_token",
            0.3,
            prop_oneof![3 => ".{0,20}".prop_map(J::Str), 1 => any_json()],
        ),
        maybe(
            "scope",
            0.5,
            prop_oneof![3 => "[a-z ]{0,20}".prop_map(J::Str), 1 => any_json()],
        ),
        prop::option::weighted(0.3, ("x_[a-z]{1,6}", any_json())),
    );
    (
        fields,
        prop::option::weighted(0.1, any::<prop::sample::Index>()),
        any::<prop::sample::Index>(),
    )
        .prop_map(|((a, b, c, d, e, f, g, extra), duplicate, shuffle)| {
            let mut entries: Vec<(String, J)> =
                [a, b, c, d, e, f, g, extra].into_iter().flatten().collect();
            if let (Some(i), false) = (duplicate, entries.is_empty()) {
                let (key, _) = entries[i.index(entries.len())].clone();
                entries.push((key, J::Str("again".into())));
            }
            if !entries.is_empty() {
                let first = shuffle.index(entries.len());
                entries.swap(0, first);
            }
            entries
        })
}

proptest! {
    #[test]
    fn parser_agrees_with_the_oracle(
        status in prop_oneof![4 => Just(200u16), 1 => 100..600u16],
        entries in token_fields(),
        bom in prop::bool::weighted(0.1),
    ) {
        let body = format!("{}{}", if bom { "\u{FEFF}" } else { "" }, render_object(&entries));
        let parsed = TokenResponse::parse(status, body.as_bytes(), LIMIT);
        let expected = oracle(status, &entries);
        match (&expected, &parsed) {
            (Expect::Ok, Ok(response)) => {
                let text = |f| lookup(&entries, f).and_then(|v| v.as_opt_str().ok().flatten());
                prop_assert_eq!(Some(response.access_token().secret()), text("access_token"));
                prop_assert_eq!(response.refresh_token().map(|t| t.secret()), text("refresh_token"));
                prop_assert_eq!(response.id_token().map(|t| t.secret()), text("id_token"));
                let scopes: Option<Vec<&str>> = text("scope").map(|s| s.split_whitespace().collect());
                let read: Option<Vec<&str>> =
                    response.scopes().map(|s| s.iter().map(String::as_str).collect());
                prop_assert_eq!(read, scopes);
                let expires = match lookup(&entries, "expires_in") {
                    Some(J::UInt(n)) => Some(*n),
                    Some(J::Str(s)) => Some(s.parse::<u64>().expect("oracle checked")),
                    _ => None,
                };
                prop_assert_eq!(response.expires_in(), expires);
                for (key, _) in entries.iter().filter(|(k, _)| k.starts_with("x_")) {
                    prop_assert!(response.extra().contains_key(key));
                }
            }
            (Expect::Redirect, Err(Error::Redirect { status: s })) => prop_assert_eq!(*s, status),
            (Expect::HttpStatus, Err(Error::HttpStatus { status: s })) => prop_assert_eq!(*s, status),
            (Expect::OAuth(code), Err(Error::OAuth(e))) => {
                prop_assert_eq!(e.status(), Some(status));
                if shows_safely(code) {
                    prop_assert_eq!(e.code().as_str(), code.as_str());
                }
            }
            (Expect::Invalid, Err(Error::InvalidResponse(_))) => {}
            _ => prop_assert!(
                false,
                "status {} body {}: oracle {:?}, parser {:?}", status, body, expected, parsed
            ),
        }
        if let Err(e) = &parsed {
            prop_assert!(shows_safely(&e.to_string()), "{e}");
        }
    }

    #[test]
    fn body_over_the_limit_is_refused(
        status in prop_oneof![Just(200u16), 400..600u16],
        limit in 0..40usize,
    ) {
        let body = br#"{"access_token":"ya29.a","token_type":"Bearer","expires_in":3599}"#;
        prop_assert_eq!(
            TokenResponse::parse(status, body, limit).unwrap_err(),
            Error::InvalidResponse(InvalidResponse::BodyTooLarge { limit })
        );
    }
}
