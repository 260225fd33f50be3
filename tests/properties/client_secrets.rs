//! Properties of the `client_secrets.json` parser: no input makes it panic,
//! and it agrees with an oracle written from the documented rules.

use oauth2_sansio::{ClientKind, ClientSecrets};
use proptest::prelude::*;

use crate::support::json::*;
use crate::support::text::*;

fn check_arbitrary(bytes: &[u8]) -> Result<(), TestCaseError> {
    match ClientSecrets::from_json(bytes) {
        Ok(secrets) => {
            prop_assert!(!secrets.client_id().is_empty());
            if let Ok(client) = secrets.client_builder().build() {
                prop_assert_eq!(client.id(), secrets.client_id());
            }
        }
        Err(e) => prop_assert!(shows_safely(&e.to_string()), "{e}"),
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
            (None, Err(e)) => prop_assert!(shows_safely(&e.to_string())),
            (expected, parsed) => prop_assert!(
                false,
                "{}: oracle ok {}, parser {:?}", body, expected.is_some(), parsed.map(|s| s.kind())
            ),
        }
    }
}
