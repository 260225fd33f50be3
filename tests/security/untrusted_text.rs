//! Property tests: text a server sends never reaches an error message or a
//! displayed value with a character that could forge, reorder or hide what
//! a terminal shows (controls, bidi formatting, invisible characters,
//! U+2028/U+2029), and every other character is kept, in order.
//!
//! The unsafe set is restated here from its sources, not imported: the C0
//! and C1 controls, U+2028 and U+2029, Unicode's Default_Ignorable_Code_Point
//! (which holds the bidi controls and the zero-width and invisible
//! characters) and the interlinear annotation characters U+FFF9–U+FFFB.

use std::time::SystemTime;

use oauth2_sansio::device::DeviceAuthorizationResponse;
use oauth2_sansio::url::form_urlencoded;
use oauth2_sansio::{
    CallbackError, Client, Error, ErrorCode, InvalidResponse, OAuthError, TokenResponse,
};
use proptest::prelude::*;

/// Inclusive code point ranges of the characters that must never be shown.
const UNSAFE: &[(u32, u32)] = &[
    (0x0000, 0x001F),   // C0 controls
    (0x007F, 0x009F),   // DEL, C1 controls (NEL U+0085 included)
    (0x00AD, 0x00AD),   // soft hyphen
    (0x034F, 0x034F),   // combining grapheme joiner
    (0x061C, 0x061C),   // Arabic letter mark
    (0x115F, 0x1160),   // Hangul fillers
    (0x17B4, 0x17B5),   // Khmer inherent vowels
    (0x180B, 0x180F),   // Mongolian variation selectors, U+180E vowel separator
    (0x200B, 0x200F),   // zero-width space, non-joiner, joiner; LRM, RLM
    (0x2028, 0x2029),   // line and paragraph separators
    (0x202A, 0x202E),   // bidi embeddings and overrides
    (0x2060, 0x206F),   // word joiner, invisible operators, bidi isolates
    (0x3164, 0x3164),   // Hangul filler
    (0xFE00, 0xFE0F),   // variation selectors
    (0xFEFF, 0xFEFF),   // zero-width no-break space (BOM)
    (0xFFA0, 0xFFA0),   // halfwidth Hangul filler
    (0xFFF0, 0xFFFB),   // reserved ignorables, interlinear annotations
    (0x1BCA0, 0x1BCA3), // shorthand format controls
    (0x1D173, 0x1D17A), // musical format controls
    (0xE0000, 0xE0FFF), // tags, variation selectors supplement
];

const MAX_KEPT: usize = 512;

fn is_unsafe(c: char) -> bool {
    let c = u32::from(c);
    UNSAFE
        .iter()
        .any(|(first, last)| (*first..=*last).contains(&c))
}

fn has_unsafe(text: &str) -> bool {
    text.chars().any(is_unsafe)
}

/// What may be kept of `text`: every safe character, in order, up to 512.
fn kept(text: &str) -> String {
    text.chars()
        .filter(|c| !is_unsafe(*c))
        .take(MAX_KEPT)
        .collect()
}

/// Text dense in unsafe characters, their safe neighbours and plain ASCII,
/// sometimes longer than what is kept.
fn hostile_text() -> impl Strategy<Value = String> {
    let neighbours: Vec<char> = UNSAFE
        .iter()
        .flat_map(|(first, last)| [first.wrapping_sub(1), last + 1])
        .filter_map(char::from_u32)
        .filter(|c| !is_unsafe(*c))
        .collect();
    // One (kind, number) pair per character: cheaper to generate than a
    // union of strategies, which matters at hundreds of characters a case.
    prop::collection::vec((0u8..12, any::<u32>()), 0..600).prop_map(move |picks| {
        picks
            .into_iter()
            .map(|(kind, n)| match kind {
                0..=2 => {
                    let (first, last) = UNSAFE[n as usize % UNSAFE.len()];
                    let offset = (n >> 8) % (last - first + 1);
                    char::from_u32(first + offset).expect("the ranges hold no surrogates")
                }
                3..=4 => neighbours[n as usize % neighbours.len()],
                5..=7 => char::from_u32(n % 0x11_0000).unwrap_or('\u{FFFD}'),
                _ => char::from(b'a' + (n % 26) as u8),
            })
            .collect()
    })
}

fn json_string(text: &str) -> String {
    serde_json::to_string(text).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn oauth_error_text_is_safe_and_otherwise_intact(
        // An empty `error` is no OAuth error at all (HTTP 400 is then the
        // error).
        code in hostile_text().prop_filter("an error code", |code| !code.is_empty()),
        description in hostile_text(),
        uri in hostile_text(),
    ) {
        let body = format!(
            r#"{{"error":{},"error_description":{},"error_uri":{}}}"#,
            json_string(&code),
            json_string(&description),
            json_string(&uri)
        );
        let error = TokenResponse::parse(400, body.as_bytes(), 1 << 20).unwrap_err();
        let Error::OAuth(oauth) = &error else {
            return Err(TestCaseError::fail(format!("{error:?}")));
        };
        let known = !matches!(ErrorCode::parse(&code), ErrorCode::Extension(_));
        if !known {
            prop_assert_eq!(oauth.code().as_str(), kept(&code));
        }
        let non_empty = |s: String| Some(s).filter(|s| !s.is_empty());
        prop_assert_eq!(oauth.description().map(str::to_owned), non_empty(kept(&description)));
        prop_assert_eq!(oauth.uri().map(str::to_owned), non_empty(kept(&uri)));
        prop_assert!(!has_unsafe(&error.to_string()), "{}", error);
        let debug = format!("{error:?}");
        prop_assert!(!has_unsafe(&debug), "{}", debug);
    }

    #[test]
    fn oauth_error_built_by_hand_is_cleaned_the_same_way(description in hostile_text()) {
        let error = OAuthError::new(ErrorCode::AccessDenied, Some(&description), None, None);
        prop_assert_eq!(
            error.description().unwrap_or(""),
            kept(&description)
        );
        prop_assert!(!has_unsafe(&error.to_string()));
    }

    #[test]
    fn callback_error_text_is_safe_and_otherwise_intact(
        code in hostile_text(),
        description in hostile_text(),
    ) {
        // `error` itself must be free of controls (it is matched, not
        // shown); a code with one is refused as an invalid parameter.
        let client = Client::builder("app")
            .authorization_endpoint("https://as.example/auth")
            .token_endpoint("https://as.example/token")
            .build()
            .unwrap();
        let (_, pending) = client
            .authorization_request("http://127.0.0.1/")
            .build_with_entropy(SystemTime::UNIX_EPOCH, &[1; 64])
            .unwrap();
        let state = pending.state().secret().to_owned();
        let query: String = form_urlencoded::Serializer::new(String::new())
            .append_pair("state", &state)
            .append_pair("error", &code)
            .append_pair("error_description", &description)
            .finish();
        match pending.complete(&client, &format!("?{query}")) {
            Err(CallbackError::Authorization(e)) => {
                prop_assert_eq!(e.description().unwrap_or(""), kept(&description));
                prop_assert!(!has_unsafe(&e.to_string()));
            }
            Err(other) => prop_assert!(!has_unsafe(&other.to_string()), "{}", other),
            Ok(_) => prop_assert!(false, "an error callback was accepted"),
        }
    }

    #[test]
    fn names_the_server_sends_are_safe_in_errors(name in hostile_text()) {
        let unsupported = format!(r#"{{"access_token":"a","token_type":{}}}"#, json_string(&name));
        match TokenResponse::parse(200, unsupported.as_bytes(), 1 << 20) {
            Err(Error::InvalidResponse(InvalidResponse::UnsupportedTokenType { token_type })) => {
                prop_assert_eq!(token_type, kept(&name));
            }
            Err(other) => prop_assert!(!has_unsafe(&other.to_string()), "{}", other),
            Ok(_) => prop_assert!(name.eq_ignore_ascii_case("bearer")),
        }
        let duplicate = format!("{{{k}:1,{k}:2}}", k = json_string(&name));
        match TokenResponse::parse(200, duplicate.as_bytes(), 1 << 20) {
            Err(e @ Error::InvalidResponse(InvalidResponse::DuplicateKey { .. })) => {
                prop_assert_eq!(
                    &e,
                    &Error::InvalidResponse(InvalidResponse::DuplicateKey { key: kept(&name) })
                );
                prop_assert!(!has_unsafe(&e.to_string()), "{}", e);
            }
            other => prop_assert!(false, "{:?}", other),
        }
    }

    #[test]
    fn a_user_code_is_shown_only_if_every_character_is_safe(user_code in hostile_text()) {
        let body = format!(
            r#"{{"device_code":"d","user_code":{},"verification_uri":"https://as.example/device","expires_in":600}}"#,
            json_string(&user_code)
        );
        let displayable = !user_code.is_empty()
            && user_code.chars().count() <= 64
            && !has_unsafe(&user_code);
        match DeviceAuthorizationResponse::parse(200, body.as_bytes(), 1 << 20) {
            Ok(response) => {
                prop_assert!(displayable);
                prop_assert_eq!(response.user_code(), user_code.as_str());
            }
            Err(e) => {
                prop_assert!(!displayable, "{}", e);
                prop_assert!(!has_unsafe(&e.to_string()));
            }
        }
    }
}
