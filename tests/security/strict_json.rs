//! Property tests: every JSON the crate reads (token, device, introspection
//! and discovery responses, client_secrets.json, authorized_user and
//! service-account files, JWT segments) is refused when any object in it,
//! at any depth, has a key twice; the error names the key by its path and
//! never shows a value. Without the duplicate, the same document is never
//! refused for one.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use oauth2_sansio::device::DeviceAuthorizationResponse;
use oauth2_sansio::discovery::AuthorizationServerMetadata;
use oauth2_sansio::jwt::{decode_unverified, DecodeError, Segment};
use oauth2_sansio::service_account::ServiceAccountKey;
use oauth2_sansio::{
    ClientSecrets, Error, FileError, FileProblem, IntrospectionResponse, InvalidResponse,
    TokenResponse, UserCredentials,
};
use proptest::prelude::*;

const LIMIT: usize = 1 << 20;
const ISSUER: &str = "https://as.example";

/// A JSON value whose objects hold their keys in order, as they are written.
#[derive(Debug, Clone)]
enum J {
    Null,
    Bool(bool),
    Int(i64),
    Text(String),
    List(Vec<J>),
    Object(Vec<(String, J)>),
}

impl J {
    fn render(&self) -> String {
        match self {
            J::Null => "null".to_owned(),
            J::Bool(b) => b.to_string(),
            J::Int(n) => n.to_string(),
            J::Text(s) => serde_json::to_string(s).unwrap(),
            J::List(items) => {
                let items: Vec<String> = items.iter().map(J::render).collect();
                format!("[{}]", items.join(","))
            }
            J::Object(entries) => {
                let entries: Vec<String> = entries
                    .iter()
                    .map(|(k, v)| format!("{}:{}", serde_json::to_string(k).unwrap(), v.render()))
                    .collect();
                format!("{{{}}}", entries.join(","))
            }
        }
    }

    /// The paths of the objects in this value, in document order, each with
    /// how many keys it has.
    fn objects(&self, path: &str, found: &mut Vec<(String, usize)>) {
        match self {
            J::List(items) => {
                for (i, item) in items.iter().enumerate() {
                    item.objects(&format!("{path}[{i}]"), found);
                }
            }
            J::Object(entries) => {
                found.push((path.to_owned(), entries.len()));
                for (k, v) in entries {
                    v.objects(&member(path, k), found);
                }
            }
            _ => {}
        }
    }

    /// The object at `path` (as `objects` names it), mutably.
    fn object_at(&mut self, path: &str, target: &str) -> Option<&mut Vec<(String, J)>> {
        match self {
            J::List(items) => items
                .iter_mut()
                .enumerate()
                .find_map(|(i, item)| item.object_at(&format!("{path}[{i}]"), target)),
            J::Object(entries) => {
                if path == target {
                    return Some(entries);
                }
                entries
                    .iter_mut()
                    .find_map(|(k, v)| v.object_at(&member(path, k), target))
            }
            _ => None,
        }
    }
}

/// The path of member `key` of the object at `path`: `key` at the top,
/// `outer.key` below, `list[0].key` in a list.
fn member(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// Keys: short words, and sometimes characters a key may well hold.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![4 => "[a-z_]{1,8}", 1 => "[a-zé中 -]{1,6}"]
}

fn leaf() -> impl Strategy<Value = J> {
    prop_oneof![
        Just(J::Null),
        any::<bool>().prop_map(J::Bool),
        any::<i64>().prop_map(J::Int),
        "v-[a-z0-9]{4,10}".prop_map(J::Text),
    ]
}

/// Any value whose objects have unique keys, up to four levels deep.
fn value() -> impl Strategy<Value = J> {
    leaf().prop_recursive(4, 48, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(J::List),
            prop::collection::btree_map(key(), inner, 0..5)
                .prop_map(|map| J::Object(map.into_iter().collect())),
        ]
    })
}

/// A top-level object with unique keys.
fn document() -> impl Strategy<Value = Vec<(String, J)>> {
    prop::collection::btree_map(key(), value(), 0..6).prop_map(|map| map.into_iter().collect())
}

/// `document` with one key repeated in one of its objects (chosen by
/// `which`), the copy with `value` and placed `after` entries after the
/// original; and the path the error must name.
fn with_duplicate(
    document: &[(String, J)],
    which: usize,
    after: usize,
    value: J,
) -> (String, String) {
    let mut root = J::Object(document.to_vec());
    let mut objects = Vec::new();
    root.objects("", &mut objects);
    let (path, _) = objects[which % objects.len()].clone();
    let entries = root.object_at("", &path).expect("the object exists");
    let key = match entries.len() {
        0 => {
            entries.push(("dup".to_owned(), J::Null));
            entries.push(("dup".to_owned(), value));
            "dup".to_owned()
        }
        n => {
            let original = after % n;
            let key = entries[original].0.clone();
            let at = original + 1 + after % (n - original);
            entries.insert(at, (key.clone(), value));
            key
        }
    };
    (root.render(), member(&path, &key))
}

/// What each reader of the crate makes of `body`: `Some(path)` when it
/// refused a duplicate key and named it, `None` when it refused for any
/// other reason or accepted.
fn duplicates_found(body: &str) -> Vec<(&'static str, Option<String>)> {
    let bytes = body.as_bytes();
    let response = |result: Result<(), Error>| match result {
        Err(Error::InvalidResponse(InvalidResponse::DuplicateKey { key })) => Some(key),
        _ => None,
    };
    let file = |result: Result<(), FileError>| match result {
        Err(e) => match e.problem() {
            FileProblem::DuplicateKey { key } => Some(key.clone()),
            _ => None,
        },
        Ok(()) => None,
    };
    vec![
        (
            "token response",
            response(TokenResponse::parse(200, bytes, LIMIT).map(drop)),
        ),
        (
            "device authorization response",
            response(DeviceAuthorizationResponse::parse(200, bytes, LIMIT).map(drop)),
        ),
        (
            "introspection response",
            response(IntrospectionResponse::parse(200, bytes, LIMIT).map(drop)),
        ),
        (
            "discovery document",
            response(AuthorizationServerMetadata::parse(ISSUER, 200, bytes, LIMIT).map(drop)),
        ),
        (
            "client_secrets.json",
            file(ClientSecrets::from_json(bytes).map(drop)),
        ),
        (
            "authorized_user",
            file(UserCredentials::from_authorized_user_json(bytes).map(drop)),
        ),
        (
            "service-account key",
            file(ServiceAccountKey::from_json(bytes).map(drop)),
        ),
    ]
}

/// A JWT with `payload` as its claims; refused as a whole segment.
fn jwt_with(payload: &str) -> String {
    let part = |json: &str| URL_SAFE_NO_PAD.encode(json);
    format!(
        "{}.{}.c2ln",
        part(r#"{"alg":"RS256","typ":"JWT"}"#),
        part(payload)
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn a_duplicate_key_at_any_depth_is_refused_by_every_reader(
        document in document(),
        which in any::<usize>(),
        after in any::<usize>(),
        copy in value(),
    ) {
        let (body, path) = with_duplicate(&document, which, after, copy);
        for (reader, found) in duplicates_found(&body) {
            prop_assert_eq!(found.as_deref(), Some(path.as_str()), "{}: {}", reader, body);
        }
        prop_assert!(
            matches!(
                decode_unverified(&jwt_with(&body)),
                Err(DecodeError::InvalidSegment { segment: Segment::Payload })
            ),
            "JWT payload: {}", body
        );
    }

    #[test]
    fn without_the_duplicate_no_reader_reports_one(document in document()) {
        let body = J::Object(document).render();
        for (reader, found) in duplicates_found(&body) {
            prop_assert_eq!(found, None, "{}: {}", reader, body);
        }
    }

    #[test]
    fn a_field_twice_in_a_client_section_is_refused_naming_it_not_its_values(
        section in prop::sample::select(vec!["installed", "web"]),
        field in prop::sample::select(vec![
            "client_id", "client_secret", "auth_uri", "token_uri", "project_id", "redirect_uris",
        ]),
        first in "first-[a-z0-9]{8}",
        second in "second-[a-z0-9]{8}",
    ) {
        let value = |v: &str| if field == "redirect_uris" {
            format!(r#"["https://{v}.example/"]"#)
        } else {
            format!("{v:?}")
        };
        let body = format!(
            r#"{{"{section}":{{"client_id":"id","auth_uri":"https://a.example/","token_uri":"https://t.example/","{field}":{},"{field}":{}}}}}"#,
            value(&first),
            value(&second)
        );
        let error = ClientSecrets::from_json(body.as_bytes()).unwrap_err();
        prop_assert_eq!(
            error.problem(),
            &FileProblem::DuplicateKey { key: format!("{section}.{field}") }
        );
        let shown = format!("{error} {error:?}");
        prop_assert!(!shown.contains(&first) && !shown.contains(&second), "{}", shown);
    }
}
