//! Property tests for every parser of untrusted input (DESIGN.md rule 6):
//! the authorization callback, token responses, `client_secrets.json` and
//! `authorized_user` JSON, plus the authorization URL they pair with. The
//! explicit cases at the end are SECURITY.md's callback bad-input catalogue.
//!
//! Each structured property carries its own oracle, written from the
//! documented rules rather than from the parser's code, and checks that the
//! parser agrees with it.

use std::time::{Duration, SystemTime};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use oauth2_sansio::limits::{CALLBACK_LIMIT, DEFAULT_RESPONSE_LIMIT, MAX_EXPIRES_IN};
use oauth2_sansio::url::{form_urlencoded, Url};
use oauth2_sansio::{
    AccessType, CallbackError, Client, ClientKind, ClientSecrets, CodeExchange, Credentials, Error,
    ErrorCode, InvalidResponse, Machine, PendingAuthorization, PkceVerifier, Step, TokenResponse,
    UserCredentials,
};
use proptest::prelude::*;
use sha2::{Digest, Sha256};

const AUTH_URI: &str = "http://127.0.0.1:9000/auth";
const TOKEN_URI: &str = "http://127.0.0.1:9000/token";
const ISSUER: &str = "http://127.0.0.1:9000";
const REDIRECT: &str = "http://127.0.0.1:9001/callback";
const ENTROPY: [u8; 64] = [7; 64];

fn client(require_issuer: bool) -> Client {
    Client::builder("prop-client")
        .authorization_endpoint(AUTH_URI)
        .token_endpoint(TOKEN_URI)
        .issuer(ISSUER)
        .require_issuer_in_callback(require_issuer)
        .build()
        .expect("loopback endpoints are allowed")
}

fn pending(client: &Client) -> PendingAuthorization {
    client
        .authorization_request(REDIRECT)
        .scope("openid")
        .build_with_entropy(SystemTime::UNIX_EPOCH, &ENTROPY)
        .expect("valid request")
        .1
}

/// The pending authorization's state value.
fn state() -> String {
    pending(&client(false)).state().secret().to_owned()
}

/// A query string carrying exactly these (decoded) pairs.
fn query(pairs: &[(&str, &str)]) -> String {
    let mut serializer = form_urlencoded::Serializer::new(String::new());
    serializer.extend_pairs(pairs);
    serializer.finish()
}

/// The form parameters of the token request a code exchange sends.
fn sent_form(mut exchange: CodeExchange) -> Vec<(String, String)> {
    match exchange.poll(SystemTime::UNIX_EPOCH) {
        Ok(Step::Send(request)) => form_urlencoded::parse(request.body())
            .into_owned()
            .collect(),
        other => panic!("a fresh exchange sends its request first, got {other:?}"),
    }
}

fn sent(exchange: CodeExchange, name: &str) -> String {
    let form = sent_form(exchange);
    let mut values = form.iter().filter(|(n, _)| n == name);
    let value = values.next().expect("parameter sent").1.clone();
    assert!(values.next().is_none(), "{name} sent twice");
    value
}

fn has_no_control(text: &str) -> bool {
    !text.chars().any(char::is_control)
}

/// A string with no control characters and no U+FFFD (which the callback
/// reads as a sign of invalid UTF-8).
fn clean_text(max: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("\\PC{{1,{max}}}"))
        .expect("valid regex")
        .prop_filter("no U+FFFD", |s| !s.contains('\u{FFFD}'))
}

/// A JSON value of any type, for the "random types" generators. Raw values
/// are written as text so that forms a strict reader refuses (`1e309`, a
/// lone surrogate) appear.
#[derive(Clone, Debug)]
enum J {
    Null,
    Bool(bool),
    UInt(u64),
    Raw(&'static str),
    Str(String),
    Array,
    List(Vec<String>),
    Object(Vec<(String, J)>),
    /// Nested deeper than any JSON reader should follow.
    Deep,
}

/// Raw values a strict JSON reader refuses.
const UNREADABLE: [&str; 2] = ["1e309", r#""\ud800""#];

const RAW_VALUES: [&str; 8] = [
    r#""\ud800""#,
    "-1",
    "1.5",
    "3600.0",
    "1e3",
    "1e309",
    "-9223372036854775809",
    "18446744073709551616",
];

impl J {
    fn render(&self) -> String {
        match self {
            J::Null => "null".into(),
            J::Bool(b) => b.to_string(),
            J::UInt(n) => n.to_string(),
            J::Raw(text) => (*text).into(),
            J::Str(s) => serde_json::to_string(s).expect("strings serialize"),
            J::Array => r#"[1,"a",null]"#.into(),
            J::List(items) => serde_json::to_string(items).expect("strings serialize"),
            J::Object(entries) => render_object(entries),
            J::Deep => format!("{}{}", "[".repeat(300), "]".repeat(300)),
        }
    }

    /// Whether a strict JSON reader accepts the value.
    fn parses(&self) -> bool {
        match self {
            J::Raw(text) => !UNREADABLE.contains(text),
            J::Deep => false,
            J::Object(entries) => entries.iter().all(|(_, v)| v.parses()),
            _ => true,
        }
    }

    /// `Some(text)` for a string, `None` for null (absent is handled by the caller).
    fn as_opt_str(&self) -> Result<Option<&str>, ()> {
        match self {
            J::Null => Ok(None),
            J::Str(s) if s.is_empty() => Ok(None),
            J::Str(s) => Ok(Some(s)),
            _ => Err(()),
        }
    }
}

/// One of these strings.
fn one_of(values: &[&'static str]) -> BoxedStrategy<J> {
    prop::sample::select(values.to_vec())
        .prop_map(|s| J::Str(s.into()))
        .boxed()
}

fn render_object(entries: &[(String, J)]) -> String {
    let fields: Vec<String> = entries
        .iter()
        .map(|(k, v)| format!("{}:{}", J::Str(k.clone()).render(), v.render()))
        .collect();
    format!("{{{}}}", fields.join(","))
}

fn any_json() -> BoxedStrategy<J> {
    prop_oneof![
        Just(J::Null),
        any::<bool>().prop_map(J::Bool),
        any::<u64>().prop_map(J::UInt),
        prop::sample::select(&RAW_VALUES[..]).prop_map(J::Raw),
        ".{0,12}".prop_map(J::Str),
        Just(J::Array),
        Just(J::Object(vec![("k".into(), J::Array)])),
        Just(J::Deep),
    ]
    .boxed()
}

/// `field` present with probability `p` (1.0: always), its value from `value`.
fn maybe(
    field: &'static str,
    p: f64,
    value: impl Strategy<Value = J> + 'static,
) -> BoxedStrategy<Option<(String, J)>> {
    let entry = value.prop_map(move |v| (field.to_owned(), v));
    if p >= 1.0 {
        entry.prop_map(Some).boxed()
    } else {
        prop::option::weighted(p, entry).boxed()
    }
}

fn lookup<'a>(entries: &'a [(String, J)], name: &str) -> Option<&'a J> {
    entries.iter().find(|(k, _)| k == name).map(|(_, v)| v)
}

fn has_duplicate_key(entries: &[(String, J)]) -> bool {
    entries
        .iter()
        .enumerate()
        .any(|(i, (k, _))| entries[..i].iter().any(|(other, _)| other == k))
}

mod callback {
    use super::*;

    /// Whether `input` may carry `state`: percent-decoded as it is, or after
    /// dropping the tabs and newlines a URL parser ignores.
    fn could_carry_state(input: &str, state: &str) -> bool {
        let decoded = |text: &str| {
            form_urlencoded::parse(text.as_bytes())
                .flat_map(|(k, v)| [k.into_owned(), v.into_owned()])
                .collect::<Vec<_>>()
                .join("&")
        };
        let stripped: String = input
            .chars()
            .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
            .collect();
        decoded(input).contains(state) || decoded(&stripped).contains(state)
    }

    fn check_arbitrary(input: &str) -> Result<(), TestCaseError> {
        let state = state();
        for require_issuer in [false, true] {
            let client = client(require_issuer);
            // The same pending authorization twice (fixed entropy): it is
            // single-use.
            let completed = pending(&client).complete(&client, input);
            match &completed {
                Ok(_) => prop_assert!(could_carry_state(input, &state)),
                Err(e) => prop_assert!(has_no_control(&e.to_string()), "{e}"),
            }
            let trimmed = input.trim();
            let bare_code = !trimmed.contains(['=', '?', '#', '&']) && !trimmed.contains("://");
            let pasted = pending(&client).complete_pasted(&client, input);
            if let Err(e) = &pasted {
                prop_assert!(has_no_control(&e.to_string()), "{e}");
            }
            if !bare_code {
                prop_assert_eq!(pasted.err(), completed.err());
            }
        }
        Ok(())
    }

    proptest! {
        #[test]
        fn arbitrary_text_never_panics(input in ".{0,200}") {
            check_arbitrary(&input)?;
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
            check_arbitrary(&String::from_utf8_lossy(&bytes))?;
        }

        #[test]
        fn query_shaped_noise_never_panics(
            pairs in prop::collection::vec(
                (prop::sample::select(vec!["code", "state", "iss", "error", "error_description", "x"]),
                 "[ -~]{0,12}"),
                0..8),
            prefix in prop::sample::select(vec!["", "?", "http://127.0.0.1:9001/callback?", "http://h/#"]),
        ) {
            let raw: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
            check_arbitrary(&format!("{prefix}{}", raw.join("&")))?;
        }
    }

    #[derive(Clone, Debug)]
    enum Tamper {
        Replace(usize, char),
        Insert(usize, char),
        Delete(usize),
        Truncate(usize),
        Remove,
        Empty,
        Duplicate(Option<String>),
    }

    fn tamper() -> impl Strategy<Value = Tamper> {
        let ch = any::<char>().prop_filter("clean", |c| !c.is_control() && *c != '\u{FFFD}');
        prop_oneof![
            (0..43usize, ch.clone()).prop_map(|(i, c)| Tamper::Replace(i, c)),
            (0..=43usize, ch).prop_map(|(i, c)| Tamper::Insert(i, c)),
            (0..43usize).prop_map(Tamper::Delete),
            (1..43usize).prop_map(Tamper::Truncate),
            Just(Tamper::Remove),
            Just(Tamper::Empty),
            prop::option::of(".{0,10}").prop_map(Tamper::Duplicate),
        ]
    }

    /// The `state` pairs after tampering, and the error that must follow.
    fn tampered(state: &str, how: &Tamper) -> (Vec<String>, CallbackError) {
        let mut chars: Vec<char> = state.chars().collect();
        let mismatch = CallbackError::StateMismatch;
        match how {
            Tamper::Replace(i, c) => {
                chars[*i] = if chars[*i] == *c { '~' } else { *c };
                (vec![chars.into_iter().collect()], mismatch)
            }
            Tamper::Insert(i, c) => {
                chars.insert(*i, *c);
                (vec![chars.into_iter().collect()], mismatch)
            }
            Tamper::Delete(i) => {
                chars.remove(*i);
                (vec![chars.into_iter().collect()], mismatch)
            }
            Tamper::Truncate(n) => (vec![chars[..*n].iter().collect()], mismatch),
            Tamper::Remove => (vec![], CallbackError::MissingState),
            Tamper::Empty => (vec![String::new()], CallbackError::MissingState),
            Tamper::Duplicate(other) => (
                vec![
                    state.to_owned(),
                    other.clone().unwrap_or_else(|| state.to_owned()),
                ],
                CallbackError::DuplicateParameter("state"),
            ),
        }
    }

    proptest! {
        #[test]
        fn tampered_or_missing_state_is_rejected(
            how in tamper(),
            with_error in any::<bool>(),
            with_iss in any::<bool>(),
            require_issuer in any::<bool>(),
            as_url in any::<bool>(),
            pasted in any::<bool>(),
            order in any::<prop::sample::Index>(),
        ) {
            let client = client(require_issuer);
            let pending = pending(&client);
            let (states, expected) = tampered(pending.state().secret(), &how);
            let mut pairs: Vec<(&str, &str)> = states.iter().map(|s| ("state", s.as_str())).collect();
            pairs.insert(order.index(pairs.len() + 1), if with_error {
                ("error", "access_denied")
            } else {
                ("code", "4/0AbCd")
            });
            if with_iss || require_issuer {
                pairs.push(("iss", ISSUER));
            }
            let q = query(&pairs);
            let input = if as_url { format!("{REDIRECT}?{q}") } else { q };
            let result = if pasted {
                pending.complete_pasted(&client, &input)
            } else {
                pending.complete(&client, &input)
            };
            prop_assert_eq!(result.err(), Some(expected));
        }

        #[test]
        fn genuine_callback_yields_the_code_it_carries(
            code in clean_text(40),
            extras in prop::collection::vec(("x_[a-z]{1,5}", ".{0,10}"), 0..3),
            with_iss in any::<bool>(),
            require_issuer in any::<bool>(),
            form in 0..3u8,
            pasted in any::<bool>(),
        ) {
            let client = client(require_issuer);
            let pending = pending(&client);
            let state = pending.state().secret().to_owned();
            let mut pairs = vec![("code", code.as_str()), ("state", state.as_str())];
            pairs.extend(extras.iter().map(|(k, v)| (k.as_str(), v.as_str())));
            if with_iss || require_issuer {
                pairs.push(("iss", ISSUER));
            }
            let q = query(&pairs);
            let input = match form {
                0 => format!("{REDIRECT}?{q}"),
                1 => format!("?{q}"),
                _ => q,
            };
            let result = if pasted {
                pending.complete_pasted(&client, &input)
            } else {
                pending.complete(&client, &input)
            };
            let exchange = result.map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
            prop_assert_eq!(sent(exchange, "code"), code);
        }

        #[test]
        fn wrong_issuer_is_rejected_before_state_or_error(
            iss in clean_text(30).prop_filter("not the issuer", |s| s != ISSUER),
            good_state in any::<bool>(),
            with_error in any::<bool>(),
        ) {
            let client = client(false);
            let pending = pending(&client);
            let state = if good_state { pending.state().secret().to_owned() } else { "forged".into() };
            let result = if with_error { "error" } else { "code" };
            let q = query(&[(result, "x"), ("state", &state), ("iss", &iss)]);
            prop_assert_eq!(pending.complete(&client, &q).err(), Some(CallbackError::IssuerMismatch));
        }
    }
}

mod token_response {
    use super::*;

    const LIMIT: usize = DEFAULT_RESPONSE_LIMIT;

    fn check_arbitrary(status: u16, body: &[u8]) -> Result<(), TestCaseError> {
        match TokenResponse::parse(status, body, LIMIT) {
            Ok(response) => {
                prop_assert_eq!(status, 200);
                prop_assert!(!response.access_token().secret().is_empty());
                prop_assert!(response.expires_in().is_none_or(|s| s <= MAX_EXPIRES_IN));
            }
            Err(e) => {
                prop_assert!(has_no_control(&e.to_string()), "{e}");
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
                    if has_no_control(code) {
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
                prop_assert!(has_no_control(&e.to_string()), "{e}");
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
}

mod client_secrets {
    use super::*;

    fn check_arbitrary(bytes: &[u8]) -> Result<(), TestCaseError> {
        match ClientSecrets::from_json(bytes) {
            Ok(secrets) => {
                prop_assert!(!secrets.client_id().is_empty());
                if let Ok(client) = secrets.client_builder().build() {
                    prop_assert_eq!(client.id(), secrets.client_id());
                }
            }
            Err(e) => prop_assert!(has_no_control(&e.to_string()), "{e}"),
        }
        Ok(())
    }

    /// URIs and whether a client may use them as endpoints.
    const URIS: [(&str, bool); 8] = [
        ("https://accounts.google.com/o/oauth2/auth", true),
        ("https://oauth2.googleapis.com/token", true),
        ("http://127.0.0.1:9/t", true),
        ("http://localhost/t", true),
        ("http://evil.example/token", false),
        ("not a url", false),
        ("https://as.example/token#fragment", false),
        ("", false),
    ];

    fn uri() -> BoxedStrategy<J> {
        prop_oneof![
            4 => one_of(&URIS.map(|(u, _)| u)),
            1 => any_json(),
        ]
        .boxed()
    }

    fn section() -> BoxedStrategy<J> {
        let fields = (
            maybe(
                "client_id",
                0.9,
                prop_oneof![4 => ".{0,12}".prop_map(J::Str), 1 => any_json()],
            ),
            maybe(
                "client_secret",
                0.7,
                prop_oneof![4 => ".{0,12}".prop_map(J::Str), 1 => any_json()],
            ),
            maybe("auth_uri", 0.9, uri()),
            maybe("token_uri", 0.9, uri()),
            maybe(
                "redirect_uris",
                0.6,
                prop_oneof![
                    2 => prop::collection::vec(".{0,8}", 0..3).prop_map(J::List),
                    1 => "[a-z ]{0,12}".prop_map(J::Str),
                    1 => any_json(),
                ],
            ),
            maybe(
                "project_id",
                0.5,
                prop_oneof![4 => ".{0,12}".prop_map(J::Str), 1 => any_json()],
            ),
        );
        prop_oneof![
            6 => fields.prop_map(|(a, b, c, d, e, f)| {
                J::Object([a, b, c, d, e, f].into_iter().flatten().collect())
            }),
            1 => any_json(),
        ]
        .boxed()
    }

    /// Ok iff exactly one section, an object, with the required strings.
    fn oracle(root: &[(String, J)]) -> Option<(ClientKind, &[(String, J)])> {
        let (kind, section) = match (lookup(root, "installed"), lookup(root, "web")) {
            (Some(s), None) => (ClientKind::Installed, s),
            (None, Some(s)) => (ClientKind::Web, s),
            _ => return None,
        };
        let J::Object(fields) = section else {
            return None;
        };
        let required = |f| matches!(lookup(fields, f), Some(J::Str(s)) if !s.is_empty());
        let optional = |f| lookup(fields, f).is_none_or(|v| v.as_opt_str().is_ok());
        let uris_ok = matches!(
            lookup(fields, "redirect_uris"),
            None | Some(J::Null | J::Str(_) | J::List(_))
        );
        let all = ["client_id", "auth_uri", "token_uri"]
            .into_iter()
            .all(required)
            && ["client_secret", "project_id"].into_iter().all(optional)
            && uris_ok
            && root.iter().all(|(_, v)| v.parses());
        all.then_some((kind, fields.as_slice()))
    }

    fn endpoint_ok(value: Option<&J>) -> bool {
        matches!(value, Some(J::Str(s)) if URIS.iter().any(|(u, ok)| u == s && *ok))
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
            check_arbitrary(&bytes)?;
        }

        #[test]
        fn arbitrary_text_never_panics(text in ".{0,200}") {
            check_arbitrary(text.as_bytes())?;
        }

        #[test]
        fn parser_agrees_with_the_oracle(
            installed in prop::option::weighted(0.6, section()),
            web in prop::option::weighted(0.5, section()),
            other in prop::option::weighted(0.2, any_json()),
        ) {
            let root: Vec<(String, J)> = [("installed", installed), ("web", web), ("x_other", other)]
                .into_iter()
                .filter_map(|(k, v)| v.map(|v| (k.to_owned(), v)))
                .collect();
            let body = render_object(&root);
            let parsed = ClientSecrets::from_json(body.as_bytes());
            match (oracle(&root), parsed) {
                (Some((kind, fields)), Ok(secrets)) => {
                    let text = |f| lookup(fields, f).and_then(|v| v.as_opt_str().ok().flatten());
                    prop_assert_eq!(secrets.kind(), kind);
                    prop_assert_eq!(Some(secrets.client_id()), text("client_id"));
                    prop_assert_eq!(secrets.client_secret().map(|s| s.secret()), text("client_secret"));
                    prop_assert_eq!(secrets.project_id(), text("project_id"));
                    let built = secrets.client_builder().build();
                    let endpoints_ok = endpoint_ok(lookup(fields, "auth_uri"))
                        && endpoint_ok(lookup(fields, "token_uri"));
                    prop_assert_eq!(built.is_ok(), endpoints_ok, "{}", body);
                }
                (None, Err(e)) => prop_assert!(has_no_control(&e.to_string())),
                (expected, parsed) => prop_assert!(
                    false,
                    "{}: oracle ok {}, parser {:?}", body, expected.is_some(), parsed.map(|s| s.kind())
                ),
            }
        }
    }
}

mod authorized_user {
    use super::*;

    /// Parse, write, parse again: the two reads are equal and the two
    /// writes identical.
    fn check_round_trip(creds: &UserCredentials) -> Result<(), TestCaseError> {
        let written = creds.to_authorized_user_json();
        let again = UserCredentials::from_authorized_user_json(written.as_bytes())
            .map_err(|e| TestCaseError::fail(format!("written file does not read back: {e}")))?;
        prop_assert_eq!(&again, creds);
        prop_assert_eq!(again.to_authorized_user_json(), written);
        Ok(())
    }

    fn check_arbitrary(bytes: &[u8]) -> Result<(), TestCaseError> {
        match UserCredentials::from_authorized_user_json(bytes) {
            Ok(creds) => check_round_trip(&creds)?,
            Err(e) => prop_assert!(has_no_control(&e.to_string()), "{e}"),
        }
        Ok(())
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
    /// `days_from_civil`).
    fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    fn days_in_month(y: i64, m: i64) -> usize {
        let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
        match m {
            2 if leap => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        }
    }

    /// An RFC 3339 expiry in the forms google-auth and gcloud write, and its
    /// Unix time in whole seconds.
    fn expiry() -> impl Strategy<Value = (String, i64)> {
        (
            // Up to 9998: a 9999-12-31 local time west of UTC is the core bug
            // that `expiry_past_year_9999_utc_survives_a_round_trip` shows.
            prop_oneof![1969..=1971i64, 1971..=9998i64, Just(9998i64)],
            1..=12i64,
            any::<prop::sample::Index>(),
            (0..24i64, 0..60i64, 0..60i64),
            prop::option::of("[0-9]{1,9}"),
            prop_oneof![
                Just(None),
                Just(Some(0i64)),
                (-(23 * 60 + 59)..=(23 * 60 + 59i64)).prop_map(Some)
            ],
        )
            .prop_map(|(y, mo, day, (h, mi, s), fraction, offset)| {
                let d = 1 + day.index(days_in_month(y, mo)) as i64;
                let mut text = format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}");
                if let Some(f) = fraction {
                    text.push('.');
                    text.push_str(&f);
                }
                let offset_minutes = offset.unwrap_or(0);
                match offset {
                    None => {}
                    Some(0) => text.push('Z'),
                    Some(m) => {
                        let sign = if m < 0 { '-' } else { '+' };
                        text.push_str(&format!("{sign}{:02}:{:02}", m.abs() / 60, m.abs() % 60));
                    }
                }
                let local = days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s;
                (text, local - offset_minutes * 60)
            })
    }

    const TOKEN_URIS: [&str; 5] = [
        "https://oauth2.googleapis.com/token",
        "http://127.0.0.1:9/t",
        "http://[::1]:8080/token?x=1",
        "HTTPS://AS.EXAMPLE:443/a/../token",
        "http://localhost/%7Etoken",
    ];

    /// A well-typed authorized_user file with a random mix of fields, and
    /// the Unix time of its expiry, if any.
    fn valid_file() -> impl Strategy<Value = (Vec<(String, J)>, Option<i64>)> {
        let s = |max: usize| {
            proptest::string::string_regex(&format!("\\PC{{0,{max}}}")).expect("valid regex")
        };
        let text =
            move |field: &'static str, p: f64, max: usize| maybe(field, p, s(max).prop_map(J::Str));
        (
            (
                maybe("type", 0.5, Just(J::Str("authorized_user".into()))),
                maybe("client_id", 1.0, clean_text(20).prop_map(J::Str)),
                text("client_secret", 0.8, 20),
                maybe("refresh_token", 1.0, clean_text(30).prop_map(J::Str)),
                maybe("token", 0.7, "[!-~]{0,30}".prop_map(J::Str)),
                maybe("token_uri", 0.5, one_of(&TOKEN_URIS)),
            ),
            (
                maybe(
                    "scopes",
                    0.7,
                    prop_oneof![
                        prop::collection::vec(s(10), 0..4).prop_map(J::List),
                        s(30).prop_map(J::Str),
                    ],
                ),
                text("quota_project_id", 0.3, 12),
                text("rapt_token", 0.3, 12),
                text("universe_domain", 0.3, 12),
                text("account", 0.3, 12),
                prop::option::weighted(
                    0.2,
                    ("x_[a-z]{1,6}", any_json().prop_filter("parses", J::parses)),
                ),
            ),
            prop::option::weighted(0.8, expiry()),
        )
            .prop_map(|((a, b, c, d, e, f), (g, h, i, j, k, extra), expiry)| {
                let mut entries: Vec<(String, J)> = [a, b, c, d, e, f, g, h, i, j, k, extra]
                    .into_iter()
                    .flatten()
                    .collect();
                let unix = expiry.map(|(text, unix)| {
                    entries.push(("expiry".into(), J::Str(text)));
                    unix
                });
                (entries, unix)
            })
    }

    fn random_typed_file() -> impl Strategy<Value = Vec<(String, J)>> {
        let field = |name: &'static str| {
            maybe(
                name,
                0.6,
                prop_oneof![2 => ".{0,12}".prop_map(J::Str), 1 => any_json()],
            )
        };
        (
            (
                field("type"),
                field("client_id"),
                field("client_secret"),
                field("refresh_token"),
            ),
            (
                field("token"),
                field("expiry"),
                field("token_uri"),
                field("scopes"),
                field("account"),
            ),
        )
            .prop_map(|((a, b, c, d), (e, f, g, h, i))| {
                [a, b, c, d, e, f, g, h, i].into_iter().flatten().collect()
            })
    }

    #[test]
    fn expiry_past_year_9999_utc_survives_a_round_trip() {
        let file = br#"{"client_id":"i","refresh_token":"r","token":"t",
            "expiry":"9999-12-31T23:59:59-01:00"}"#;
        match UserCredentials::from_authorized_user_json(file) {
            Ok(creds) => check_round_trip(&creds).expect("round trip"),
            Err(e) => assert!(has_no_control(&e.to_string())),
        }
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
            check_arbitrary(&bytes)?;
        }

        #[test]
        fn random_types_never_panic_and_round_trip_when_read(entries in random_typed_file()) {
            check_arbitrary(render_object(&entries).as_bytes())?;
        }

        #[test]
        fn generated_credentials_round_trip((entries, expiry) in valid_file()) {
            let body = render_object(&entries);
            let parsed = UserCredentials::from_authorized_user_json(body.as_bytes());
            if expiry.is_some_and(|unix| unix < 0) {
                prop_assert!(parsed.is_err(), "an expiry before 1970 is refused: {}", body);
                return Ok(());
            }
            let creds = parsed.map_err(|e| TestCaseError::fail(format!("{body}: {e}")))?;
            let text = |f| lookup(&entries, f).and_then(|v| v.as_opt_str().ok().flatten());
            prop_assert_eq!(Some(creds.client_id()), text("client_id"));
            prop_assert_eq!(creds.refresh_token().map(|t| t.secret()), text("refresh_token"));
            prop_assert_eq!(creds.client_secret().map(|t| t.secret()), text("client_secret"));
            prop_assert_eq!(creds.quota_project(), text("quota_project_id"));
            let token = match (text("token"), expiry) {
                (Some(token), Some(unix)) => {
                    Some((token, SystemTime::UNIX_EPOCH + Duration::from_secs(unix as u64)))
                }
                _ => None,
            };
            let read = creds
                .token()
                .map(|t| (t.token().secret(), t.expiry().expect("read with expiry")));
            prop_assert_eq!(read, token);
            check_round_trip(&creds)?;
        }
    }
}

mod authorization_url {
    use super::*;

    const RESERVED: [&str; 12] = [
        "response_type",
        "client_id",
        "redirect_uri",
        "scope",
        "state",
        "code_challenge",
        "code_challenge_method",
        "access_type",
        "prompt",
        "login_hint",
        "include_granted_scopes",
        "code_verifier",
    ];

    #[derive(Debug, Clone)]
    struct Config {
        client_id: String,
        endpoint: &'static str,
        redirect_uri: &'static str,
        scopes: Vec<String>,
        login_hint: Option<String>,
        prompt: Option<String>,
        include_granted_scopes: bool,
        extra: Vec<(String, String)>,
        access_type: Option<AccessType>,
        entropy: Vec<u8>,
    }

    fn config() -> impl Strategy<Value = Config> {
        (
            (
                any::<String>(),
                prop::sample::select(vec![
                    "https://as.example/auth",
                    "https://accounts.google.com/o/oauth2/auth",
                    "http://127.0.0.1:9000/auth?hd=example.com",
                    "https://as.example/auth?a=1&a=2&b",
                ]),
                prop::sample::select(vec![
                    "http://127.0.0.1:53682/",
                    "http://localhost:8080/cb?x=1&y=%20",
                    "https://app.example/callback",
                    "com.example.app:/oauth2redirect",
                    "http://[::1]:9/",
                ]),
                prop::collection::vec("[!#-\\[\\]-~]{1,12}", 0..5),
            ),
            (
                prop::option::of(any::<String>()),
                prop::option::of(any::<String>()),
                any::<bool>(),
                prop::collection::vec(
                    (
                        any::<String>()
                            .prop_filter("not reserved", |n| !RESERVED.contains(&n.as_str())),
                        any::<String>(),
                    ),
                    0..4,
                ),
                prop::sample::select(vec![
                    None,
                    Some(AccessType::Offline),
                    Some(AccessType::Online),
                ]),
                prop::collection::vec(any::<u8>(), 64),
            ),
        )
            .prop_map(
                |(
                    (client_id, endpoint, redirect_uri, scopes),
                    (login_hint, prompt, include_granted_scopes, extra, access_type, entropy),
                )| Config {
                    client_id,
                    endpoint,
                    redirect_uri,
                    scopes,
                    login_hint,
                    prompt,
                    include_granted_scopes,
                    extra,
                    access_type,
                    entropy,
                },
            )
    }

    fn s256(verifier: &str) -> String {
        URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        #[test]
        fn url_carries_exactly_the_configured_parameters(config in config()) {
            let client = Client::builder(config.client_id.clone())
                .authorization_endpoint(config.endpoint)
                .token_endpoint("https://as.example/token")
                .build()
                .expect("valid endpoints");
            let mut request = client
                .authorization_request(config.redirect_uri)
                .scopes(config.scopes.clone())
                .include_granted_scopes(config.include_granted_scopes)
                .access_type(config.access_type);
            if let Some(hint) = &config.login_hint {
                request = request.login_hint(hint.clone());
            }
            if let Some(prompt) = &config.prompt {
                request = request.prompt(prompt.clone());
            }
            for (name, value) in &config.extra {
                request = request.param(name.clone(), value.clone());
            }
            let entropy: [u8; 64] = config.entropy.clone().try_into().expect("64 bytes");
            let (url, pending) = request
                .build_with_entropy(SystemTime::UNIX_EPOCH, &entropy)
                .map_err(|e| TestCaseError::fail(e.to_string()))?;

            let state = pending.state().secret().to_owned();
            prop_assert!(state.len() >= 22, "state carries at least 128 bits");
            let callback = query(&[("code", "c"), ("state", &state)]);
            let exchange = pending.complete(&client, &callback).expect("genuine callback");
            let verifier = sent(exchange, "code_verifier");
            prop_assert!(PkceVerifier::new(verifier.clone()).is_well_formed());

            let endpoint = Url::parse(config.endpoint).expect("valid endpoint");
            let mut expected: Vec<(String, String)> = endpoint.query_pairs().into_owned().collect();
            let mut push = |k: &str, v: &str| expected.push((k.to_owned(), v.to_owned()));
            push("response_type", "code");
            push("client_id", &config.client_id);
            push("redirect_uri", config.redirect_uri);
            if !config.scopes.is_empty() {
                push("scope", &config.scopes.join(" "));
            }
            push("state", &state);
            push("code_challenge", &s256(&verifier));
            push("code_challenge_method", "S256");
            if let Some(hint) = &config.login_hint {
                push("login_hint", hint);
            }
            if let Some(prompt) = &config.prompt {
                push("prompt", prompt);
            }
            if config.include_granted_scopes {
                push("include_granted_scopes", "true");
            }
            for (name, value) in &config.extra {
                push(name, value);
            }
            match config.access_type {
                Some(AccessType::Offline) => push("access_type", "offline"),
                Some(AccessType::Online) => push("access_type", "online"),
                _ => {}
            }
            let mut actual: Vec<(String, String)> = url.query_pairs().into_owned().collect();
            expected.sort();
            actual.sort();
            prop_assert_eq!(actual, expected);
            let (mut bare_url, mut bare_endpoint) = (url.clone(), endpoint);
            bare_url.set_query(None);
            bare_endpoint.set_query(None);
            prop_assert_eq!(bare_url, bare_endpoint);
        }

        #[test]
        fn reserved_parameters_are_refused(
            name in prop::sample::select(RESERVED.to_vec()),
            value in ".{0,8}",
        ) {
            let client = client(false);
            let built = client
                .authorization_request(REDIRECT)
                .param(name, value)
                .build_with_entropy(SystemTime::UNIX_EPOCH, &ENTROPY);
            prop_assert_eq!(
                built.map(|_| ()),
                Err(oauth2_sansio::ConfigError::ReservedParameter { name: name.to_owned() })
            );
        }
    }
}

/// SECURITY.md's callback bad-input catalogue, case by case.
mod callback_catalogue {
    use super::*;

    fn complete(input: &str) -> Result<CodeExchange, CallbackError> {
        let client = client(false);
        pending(&client).complete(&client, input)
    }

    fn code_of(input: &str) -> String {
        sent(complete(input).expect("accepted"), "code")
    }

    /// Each input is refused with `error` naming its parameter.
    fn assert_refused<const N: usize>(
        error: fn(&'static str) -> CallbackError,
        cases: [(String, &'static str); N],
    ) {
        for (input, name) in cases {
            assert_eq!(complete(&input).err(), Some(error(name)), "{input}");
        }
    }

    #[test]
    fn duplicate_parameters_are_refused_even_when_equal() {
        let s = state();
        assert_refused(
            CallbackError::DuplicateParameter,
            [
                (format!("code=a&code=a&state={s}"), "code"),
                (format!("code=a&state={s}&state={s}"), "state"),
                (format!("code=a&state={s}&iss=x&iss=x"), "iss"),
                (format!("error=x&error=y&state={s}"), "error"),
                (format!("code=a&state=&state={s}"), "state"),
            ],
        );
    }

    #[test]
    fn empty_values_count_as_absent() {
        let s = state();
        assert_eq!(
            complete("code=a&state=").err(),
            Some(CallbackError::MissingState)
        );
        assert_eq!(
            complete(&format!("code=&state={s}")).err(),
            Some(CallbackError::MissingCode)
        );
        assert_eq!(
            complete(&format!("error=&state={s}")).err(),
            Some(CallbackError::MissingCode)
        );
        let strict = client(true);
        assert_eq!(
            pending(&strict)
                .complete(&strict, &format!("code=a&state={s}&iss="))
                .err(),
            Some(CallbackError::MissingIssuer)
        );
    }

    #[test]
    fn plus_and_percent_20_both_mean_space_and_percent_2b_means_plus() {
        let s = state();
        assert_eq!(code_of(&format!("code=4/0A+b&state={s}")), "4/0A b");
        assert_eq!(code_of(&format!("code=4/0A%20b&state={s}")), "4/0A b");
        assert_eq!(code_of(&format!("code=4/0A%2Bb&state={s}")), "4/0A+b");
        assert_eq!(code_of(&format!("code=4%2F0Ab&state={s}")), "4/0Ab");
    }

    #[test]
    fn nul_and_control_characters_are_refused_in_checked_parameters() {
        let s = state();
        assert_refused(
            CallbackError::InvalidParameter,
            [
                (format!("code=a%00b&state={s}"), "code"),
                (format!("code=a&state={s}%00"), "state"),
                (format!("code=a%0D%0Ab&state={s}"), "code"),
                (format!("error=access_denied%1B&state={s}"), "error"),
                (format!("code=a&state={s}&iss=x%7F"), "iss"),
            ],
        );
    }

    #[test]
    fn invalid_utf8_percent_escapes_are_refused() {
        let s = state();
        assert_refused(
            CallbackError::InvalidParameter,
            [
                (format!("code=%FF%FE&state={s}"), "code"),
                (format!("code=a%C3&state={s}"), "code"),
                (format!("code=a&state={s}%80"), "state"),
                (format!("code=a&state=%ED%A0%80{s}"), "state"),
            ],
        );
    }

    #[test]
    fn unencoded_url_in_a_redirect_url_query_is_read() {
        let s = state();
        let strict = client(true);
        let input = format!("{REDIRECT}?code=a&state={s}&iss={ISSUER}");
        let exchange = pending(&strict).complete(&strict, &input).expect("valid");
        assert_eq!(sent(exchange, "code"), "a");
    }

    #[test]
    fn unencoded_url_in_a_bare_query_is_read() {
        let s = state();
        let strict = client(true);
        let input = format!("code=a&state={s}&iss={ISSUER}");
        let exchange = pending(&strict).complete(&strict, &input).expect("valid");
        assert_eq!(sent(exchange, "code"), "a");
    }

    #[test]
    fn code_and_error_together_are_refused() {
        let s = state();
        assert_eq!(
            complete(&format!("code=a&error=access_denied&state={s}")).err(),
            Some(CallbackError::CodeAndError)
        );
    }

    #[test]
    fn result_only_in_the_fragment_is_refused() {
        let s = state();
        for input in [
            format!("{REDIRECT}#code=a&state={s}"),
            format!("{REDIRECT}?state={s}#code=a"),
            format!("#error=access_denied&state={s}"),
        ] {
            assert_eq!(
                complete(&input).err(),
                Some(CallbackError::ResponseInFragment),
                "{input}"
            );
        }
        // A fragment beside a complete query is ignored.
        assert_eq!(code_of(&format!("{REDIRECT}?code=a&state={s}#x")), "a");
    }

    #[test]
    fn huge_query_is_refused_at_the_limit() {
        let s = state();
        let head = format!("{REDIRECT}?code=a&state={s}&pad=");
        let at_limit = format!("{head}{}", "p".repeat(CALLBACK_LIMIT - head.len()));
        assert_eq!(at_limit.len(), CALLBACK_LIMIT);
        assert_eq!(code_of(&at_limit), "a");
        let over = format!("{at_limit}p");
        assert_eq!(complete(&over).err(), Some(CallbackError::TooLong));
        let client = client(false);
        assert_eq!(
            pending(&client).complete_pasted(&client, &over).err(),
            Some(CallbackError::TooLong)
        );
    }

    #[test]
    fn control_characters_are_stripped_from_error_description() {
        let s = state();
        let input = format!(
            "error=access_denied&error_description=denied%0D%0A%5BERROR%5D+forged%1B%5B31m%00x\
             &error_uri=https%3A%2F%2Fas.example%2Fe%07&state={s}"
        );
        match complete(&input) {
            Err(CallbackError::Authorization(e)) => {
                assert_eq!(*e.code(), ErrorCode::AccessDenied);
                assert_eq!(e.description(), Some("denied[ERROR] forged[31mx"));
                assert_eq!(e.uri(), Some("https://as.example/e"));
                assert!(has_no_control(&e.to_string()));
                assert!(has_no_control(
                    &CallbackError::Authorization(e.clone()).to_string()
                ));
            }
            other => panic!("expected an authorization error, got {other:?}"),
        }
    }

    #[test]
    fn pasted_bare_code_skips_state_but_must_be_printable() {
        let client = client(false);
        let exchange = pending(&client)
            .complete_pasted(&client, "  4/0AbCd-e_f\n")
            .expect("bare code");
        assert_eq!(sent(exchange, "code"), "4/0AbCd-e_f");
        assert_eq!(
            pending(&client)
                .complete_pasted(&client, "4/0A\u{7f}b")
                .err(),
            Some(CallbackError::InvalidParameter("code"))
        );
        assert_eq!(
            pending(&client).complete_pasted(&client, " \t ").err(),
            Some(CallbackError::Empty)
        );
    }
}
