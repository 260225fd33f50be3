//! Properties of ADC's reading of a credentials file (its `type` decides
//! the kind): generated files get the answer the rules below say, no bytes
//! make it panic, every error names the file and none shows a secret.
//!
//! The rules, from google-auth's `_load_credentials_from_info` and the
//! crate's documented limits: a missing, empty or non-string `type` is
//! invalid;
//! `quota_project_id` and `project_id` must be strings when present;
//! `authorized_user` needs `client_id` and `refresh_token`;
//! `service_account` needs a usable key; any other type is named as not
//! supported yet.

use std::path::Path;

use oauth2_sansio::adc::{Adc, AdcEnvironment, AdcError, DefaultCredentials, ADC_FILE_LIMIT};
use oauth2_sansio::{AnyCredentials, Credentials};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

const PATH: &str = "/keys/adc.json";
const SECRET: &str = "client-secret-1b7e";
const REFRESH: &str = "1//refresh-token-9c4d";

#[derive(Debug, Clone)]
enum Kind {
    Missing,
    NotAString,
    Named(String),
}

#[derive(Debug, Clone)]
enum Field {
    Absent,
    Text(String),
    Number,
}

impl Field {
    fn put(&self, map: &mut Map<String, Value>, name: &str) {
        match self {
            Field::Absent => {
                map.remove(name);
            }
            Field::Text(text) => {
                map.insert(name.to_owned(), json!(text));
            }
            Field::Number => {
                map.insert(name.to_owned(), json!(7));
            }
        }
    }

    fn is_valid(&self) -> bool {
        !matches!(self, Field::Number)
    }

    fn text(&self) -> Option<&str> {
        match self {
            Field::Text(text) => Some(text),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
struct File {
    kind: Kind,
    client_id: bool,
    client_secret: bool,
    refresh_token: bool,
    quota_project: Field,
    project_id: Field,
    extra: bool,
}

impl File {
    /// The file's JSON: a service-account key's fields when the type says
    /// so, a user's otherwise.
    fn render(&self) -> Vec<u8> {
        let mut map = match &self.kind {
            Kind::Named(name) if name == "service_account" => {
                serde_json::from_slice::<Map<String, Value>>(testkit::jwt::KEY_JSON)
                    .expect("the test key is a JSON object")
            }
            _ => Map::new(),
        };
        match &self.kind {
            Kind::Missing => {
                map.remove("type");
            }
            Kind::NotAString => {
                map.insert("type".to_owned(), json!(["authorized_user"]));
            }
            Kind::Named(name) => {
                map.insert("type".to_owned(), json!(name));
            }
        }
        let mut set = |present: bool, name: &str, value: &str| {
            if present {
                map.insert(name.to_owned(), json!(value));
            }
        };
        set(self.client_id, "client_id", "client-id-3a");
        set(self.client_secret, "client_secret", SECRET);
        set(self.refresh_token, "refresh_token", REFRESH);
        set(self.extra, "universe_domain", "googleapis.com");
        self.quota_project.put(&mut map, "quota_project_id");
        self.project_id.put(&mut map, "project_id");
        serde_json::to_vec(&map).expect("a map serializes")
    }
}

#[derive(Debug, PartialEq)]
enum Outcome {
    Invalid,
    Unsupported(String),
    User,
    ServiceAccount,
}

/// What the rules say the file is.
fn expected(file: &File) -> Outcome {
    let name = match &file.kind {
        Kind::Missing | Kind::NotAString => return Outcome::Invalid,
        Kind::Named(name) if name.is_empty() => return Outcome::Invalid,
        Kind::Named(name) => name,
    };
    if !file.quota_project.is_valid() || !file.project_id.is_valid() {
        return Outcome::Invalid;
    }
    match name.as_str() {
        "authorized_user" if file.client_id && file.refresh_token => Outcome::User,
        "authorized_user" => Outcome::Invalid,
        "service_account" => Outcome::ServiceAccount,
        // The generated fields are an authorized_user file's: without
        // service_account_impersonation_url and source_credentials, or
        // audience and credential_source (or token_url).
        "impersonated_service_account"
        | "external_account"
        | "external_account_authorized_user" => Outcome::Invalid,
        other => Outcome::Unsupported(other.to_owned()),
    }
}

fn outcome(result: &Result<DefaultCredentials, AdcError>) -> Outcome {
    match result {
        Ok(found) => match found.credentials() {
            AnyCredentials::User(_) => Outcome::User,
            AnyCredentials::ServiceAccount(_) => Outcome::ServiceAccount,
            other => panic!("a file gave {other:?}"),
        },
        Err(AdcError::Invalid { .. }) => Outcome::Invalid,
        Err(AdcError::UnsupportedType { kind, .. }) => Outcome::Unsupported(kind.clone()),
        Err(other) => panic!("an error a file cannot give: {other:?}"),
    }
}

fn read(bytes: &[u8]) -> Result<DefaultCredentials, AdcError> {
    Adc::new(AdcEnvironment::new(|_| None, None, false))
        .with_scopes(["https://www.googleapis.com/auth/cloud-platform"])
        .credentials_in(Path::new(PATH), bytes)
}

/// An error names the file and shows no secret the file held.
fn check_error(error: &AdcError) -> Result<(), TestCaseError> {
    let message = error.to_string();
    prop_assert!(message.contains(PATH), "{message}");
    for shown in [message, format!("{error:?}")] {
        for secret in [SECRET, REFRESH, "PRIVATE KEY", "MII"] {
            prop_assert!(!shown.contains(secret), "{secret} in {shown}");
        }
    }
    Ok(())
}

fn kind() -> impl Strategy<Value = Kind> {
    prop_oneof![
        1 => Just(Kind::Missing),
        1 => Just(Kind::NotAString),
        4 => Just(Kind::Named("authorized_user".to_owned())),
        4 => Just(Kind::Named("service_account".to_owned())),
        1 => Just(Kind::Named("external_account".to_owned())),
        1 => Just(Kind::Named("impersonated_service_account".to_owned())),
        1 => Just(Kind::Named("external_account_authorized_user".to_owned())),
        2 => "[a-z_]{0,24}".prop_map(Kind::Named),
    ]
}

fn field() -> impl Strategy<Value = Field> {
    prop_oneof![
        3 => Just(Field::Absent),
        3 => "[a-z0-9-]{1,20}".prop_map(Field::Text),
        1 => Just(Field::Number),
    ]
}

fn file() -> impl Strategy<Value = File> {
    (
        kind(),
        prop::bool::weighted(0.9),
        any::<bool>(),
        prop::bool::weighted(0.9),
        field(),
        field(),
        any::<bool>(),
    )
        .prop_map(
            |(kind, client_id, client_secret, refresh_token, quota_project, project_id, extra)| {
                File {
                    kind,
                    client_id,
                    client_secret,
                    refresh_token,
                    quota_project,
                    project_id,
                    extra,
                }
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn the_type_decides_as_the_rules_say(file in file()) {
        let result = read(&file.render());
        prop_assert_eq!(outcome(&result), expected(&file), "{:?}", file);
        match &result {
            Ok(found) => {
                prop_assert_eq!(found.quota_project(), file.quota_project.text());
                prop_assert_eq!(found.project_id(), file.project_id.text());
            }
            Err(error) => check_error(error)?,
        }
    }

    #[test]
    fn no_bytes_make_it_panic_and_every_error_names_the_file(
        bytes in prop_oneof![
            prop::collection::vec(any::<u8>(), 0..512),
            r#"\{("[a-z_]{1,12}":("[ -~]{0,12}"|[0-9]{1,3}|null|\[\]|\{\}),?){0,6}\}"#
                .prop_map(String::into_bytes),
        ]
    ) {
        if let Err(error) = read(&bytes) {
            check_error(&error)?;
        }
    }

    #[test]
    fn a_file_over_the_limit_is_refused_whatever_it_holds(file in file(), padding in 0usize..64) {
        let mut bytes = file.render();
        let over = ADC_FILE_LIMIT + 1 + padding;
        bytes.resize(over.max(bytes.len() + 1), b' ');
        let result = read(&bytes);
        prop_assert_eq!(outcome(&result), Outcome::Invalid);
        if let Err(error) = &result {
            check_error(error)?;
        }
    }
}
