//! The search in google-auth's order, against a world of files, variables
//! and a metadata server that answers or not.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::default::AdcSource;
use super::error::AdcError;
use super::search::{Adc, AdcStep, FileRead};
use super::{AdcEnvironment, DefaultCredentials, GCE_PRODUCT_NAME_FILE};
use crate::credentials::any::AnyCredentials;
use crate::credentials::kind::Credentials;

const USER: &str = r#"{"type":"authorized_user","client_id":"c","client_secret":"s","refresh_token":"r","quota_project_id":"file-quota"}"#;

/// What the IO layer would find, and what the search asked of it.
struct World {
    vars: Vec<(&'static str, &'static str)>,
    files: BTreeMap<PathBuf, &'static str>,
    metadata: bool,
    windows: bool,
    asked: Vec<String>,
}

impl World {
    fn new(vars: &[(&'static str, &'static str)]) -> Self {
        Self {
            vars: vars.to_vec(),
            files: BTreeMap::new(),
            metadata: false,
            windows: false,
            asked: Vec::new(),
        }
    }

    fn file(mut self, path: &str, contents: &'static str) -> Self {
        self.files.insert(PathBuf::from(path), contents);
        self
    }

    fn search(&mut self, adc: impl FnOnce(Adc) -> Adc) -> Result<DefaultCredentials, AdcError> {
        let vars = self.vars.clone();
        let env = AdcEnvironment::new(
            |name| {
                vars.iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| (*v).to_owned())
            },
            Some(PathBuf::from("/home/u")),
            self.windows,
        );
        let mut search = adc(Adc::new(env));
        let mut step = search.step()?;
        loop {
            step = match step {
                AdcStep::ReadFile(path) => {
                    self.asked.push(format!("read {}", path.display()));
                    let read = match self.files.get(&path) {
                        Some(contents) => FileRead::Bytes(contents.as_bytes().to_vec()),
                        None => FileRead::NotFound,
                    };
                    search.file_read(read)?
                }
                AdcStep::Ping(_) => {
                    self.asked.push("ping".to_owned());
                    search.pinged(self.metadata)?
                }
                AdcStep::FetchProject(_) => {
                    self.asked.push("project".to_owned());
                    search.project_fetched(Some("mds-project".to_owned()))?
                }
                AdcStep::Found(found) => return Ok(found),
            };
        }
    }
}

const GCLOUD: &str = "/home/u/.config/gcloud/application_default_credentials.json";

#[test]
fn every_combination_of_the_three_sources_follows_google_auths_order() {
    for explicit in ["unset", "missing", "present"] {
        for gcloud in [false, true] {
            for metadata in [false, true] {
                let mut vars = vec![];
                if explicit != "unset" {
                    vars.push(("GOOGLE_APPLICATION_CREDENTIALS", "/keys/sa.json"));
                }
                let mut world = World::new(&vars);
                if explicit == "present" {
                    world = world.file("/keys/sa.json", USER);
                }
                if gcloud {
                    world = world.file(GCLOUD, USER);
                }
                world.metadata = metadata;
                let result = world.search(|adc| adc);
                let case = format!("{explicit} {gcloud} {metadata}: {:?}", world.asked);
                match (explicit, gcloud, metadata) {
                    ("present", _, _) => {
                        let found = result.expect(&case);
                        assert!(
                            matches!(found.source(), AdcSource::EnvironmentVariable(_)),
                            "{case}"
                        );
                        assert_eq!(world.asked, ["read /keys/sa.json"], "{case}");
                    }
                    ("missing", _, _) => {
                        assert!(
                            matches!(result, Err(AdcError::ExplicitFile { .. })),
                            "{case}"
                        );
                        assert_eq!(
                            world.asked,
                            ["read /keys/sa.json"],
                            "not a fall-through: {case}"
                        );
                    }
                    (_, true, _) => {
                        let found = result.expect(&case);
                        assert!(matches!(found.source(), AdcSource::Gcloud(_)), "{case}");
                        assert_eq!(world.asked, [format!("read {GCLOUD}")], "{case}");
                    }
                    (_, false, true) => {
                        let found = result.expect(&case);
                        assert_eq!(found.source(), &AdcSource::Metadata, "{case}");
                        assert_eq!(found.project_id(), Some("mds-project"), "{case}");
                        assert_eq!(
                            world.asked,
                            [format!("read {GCLOUD}"), "ping".into(), "project".into()],
                            "{case}"
                        );
                    }
                    (_, false, false) => {
                        let Err(AdcError::NotFound { looked }) = result else {
                            panic!("{case}")
                        };
                        assert_eq!(looked.len(), 3, "every place is named: {looked:?}");
                        let message = AdcError::NotFound { looked }.to_string();
                        for place in ["GOOGLE_APPLICATION_CREDENTIALS", GCLOUD, "metadata server"] {
                            assert!(message.contains(place), "{message}");
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn no_gce_check_skips_the_metadata_server() {
    let mut world = World::new(&[("NO_GCE_CHECK", "true")]);
    world.metadata = true;
    let error = world.search(|adc| adc).unwrap_err();
    assert!(error.to_string().contains("NO_GCE_CHECK"), "{error}");
    assert_eq!(world.asked, [format!("read {GCLOUD}")]);
}

#[test]
fn the_quota_project_given_beats_the_environment_which_beats_the_file() {
    let quota = |vars: &[(&'static str, &'static str)], given: Option<&str>| {
        let mut world = World::new(vars).file(GCLOUD, USER);
        let found = world
            .search(|adc| match given {
                Some(given) => adc.with_quota_project(given),
                None => adc,
            })
            .unwrap();
        found.quota_project().map(str::to_owned)
    };
    assert_eq!(quota(&[], None).as_deref(), Some("file-quota"));
    let env = [("GOOGLE_CLOUD_QUOTA_PROJECT", "env-quota")];
    assert_eq!(quota(&env, None).as_deref(), Some("env-quota"));
    assert_eq!(quota(&env, Some("given")).as_deref(), Some("given"));
}

#[test]
fn the_project_comes_from_the_environment_first() {
    let mut world = World::new(&[("GOOGLE_CLOUD_PROJECT", "env-project")]);
    world.metadata = true;
    let found = world.search(|adc| adc).unwrap();
    assert_eq!(found.project_id(), Some("env-project"));
    assert!(
        !world.asked.contains(&"project".to_owned()),
        "{:?}",
        world.asked
    );
}

#[test]
fn types_not_supported_yet_are_named() {
    for kind in ["gdch_service_account", "x\u{202e}y"] {
        let contents: &'static str = Box::leak(format!(r#"{{"type":"{kind}"}}"#).into_boxed_str());
        let mut world = World::new(&[]).file(GCLOUD, contents);
        let error = world.search(|adc| adc).unwrap_err();
        let AdcError::UnsupportedType { kind: named, .. } = &error else {
            panic!("{error:?}")
        };
        assert!(!named.contains('\u{202e}'), "{named:?}");
        assert!(error.to_string().contains("not supported yet"), "{error}");
    }
}

#[test]
fn an_impersonated_service_account_file_is_found_with_the_scopes_asked() {
    let contents = r#"{"type":"impersonated_service_account",
        "service_account_impersonation_url":"https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/t@p.iam.gserviceaccount.com:generateAccessToken",
        "source_credentials":{"type":"authorized_user","client_id":"c","client_secret":"s","refresh_token":"1//r"},
        "quota_project_id":"billed"}"#;
    let mut world = World::new(&[]).file(GCLOUD, contents);
    let found = world
        .search(|adc| adc.with_scopes(["https://www.googleapis.com/auth/devstorage.read_only"]))
        .unwrap();
    let AnyCredentials::Impersonated(credentials) = found.credentials() else {
        panic!("{found:?}")
    };
    assert_eq!(
        credentials.target_principal(),
        "t@p.iam.gserviceaccount.com"
    );
    assert_eq!(
        credentials.scopes(),
        ["https://www.googleapis.com/auth/devstorage.read_only"]
    );
    assert_eq!(found.quota_project(), Some("billed"));
    assert!(matches!(credentials.source(), AnyCredentials::User(_)));
}

#[test]
fn a_file_without_a_type_is_invalid_and_names_the_file() {
    let mut world = World::new(&[]).file(GCLOUD, r#"{"client_id":"c"}"#);
    let error = world.search(|adc| adc).unwrap_err();
    assert!(matches!(error, AdcError::Invalid { .. }), "{error:?}");
    assert!(error.to_string().contains(GCLOUD), "{error}");
}

#[test]
fn scopes_reach_the_metadata_server() {
    let mut world = World::new(&[]);
    world.metadata = true;
    let found = world.search(|adc| adc.with_scopes(["s1", "s2"])).unwrap();
    let AnyCredentials::Metadata(credentials) = found.credentials() else {
        panic!("metadata")
    };
    assert_eq!(credentials.scopes(), ["s1", "s2"]);
}

#[test]
fn a_vm_whose_server_does_not_answer_yet_is_found_by_its_product_name() {
    let mut world = World::new(&[]).file(GCE_PRODUCT_NAME_FILE, "Google Compute Engine\n");
    let found = world.search(|adc| adc).unwrap();
    assert_eq!(found.source(), &AdcSource::Metadata);
    assert_eq!(
        world.asked,
        [
            format!("read {GCLOUD}"),
            "ping".into(),
            format!("read {GCE_PRODUCT_NAME_FILE}"),
            "project".into()
        ]
    );
}

#[test]
fn another_product_name_is_not_google_cloud_and_the_message_says_what_was_read() {
    let mut world = World::new(&[]).file(GCE_PRODUCT_NAME_FILE, "Standard PC (Q35 + ICH9, 2009)");
    let error = world.search(|adc| adc).unwrap_err();
    assert!(matches!(error, AdcError::NotFound { .. }), "{error:?}");
    let message = error.to_string();
    assert!(message.contains("did not answer as one"), "{message}");
    assert!(message.contains(GCE_PRODUCT_NAME_FILE), "{message}");
}

#[test]
fn windows_has_no_product_name_to_read() {
    let mut world = World::new(&[("APPDATA", "C:\\Users\\u\\AppData\\Roaming")])
        .file(GCE_PRODUCT_NAME_FILE, "Google Compute Engine");
    world.windows = true;
    let error = world.search(|adc| adc).unwrap_err();
    assert!(matches!(error, AdcError::NotFound { .. }), "{error:?}");
    assert_eq!(world.asked.last().map(String::as_str), Some("ping"));
}
