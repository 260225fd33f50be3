//! Every combination of the three sources, through each transport: the
//! file GOOGLE_APPLICATION_CREDENTIALS names (unset, missing, present) ×
//! gcloud's file (absent, present by CLOUDSDK_CONFIG, present in HOME) ×
//! the metadata server (a loopback fake, or a port nothing listens on).
//! Each finds the source google-auth finds, and the fake sees exactly the
//! requests that search needs.

use std::path::PathBuf;

use oauth2_sansio::adc::{Adc, AdcError, AdcSource};
use oauth2_sansio::AnyCredentials;
use testkit::metadata::{unused_host, FakeMetadata, LoopbackMetadata, PROJECT};
use testkit::scratch::Scratch;

use super::{environment, metadata_at, TRANSPORTS};

#[derive(Debug, Clone, Copy, PartialEq)]
enum Explicit {
    Unset,
    Missing,
    Present,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Gcloud {
    Absent,
    ByCloudsdkConfig,
    InHome,
}

/// An authorized_user file whose client id says which file it is.
fn user_file(client_id: &str) -> String {
    serde_json::json!({
        "type": "authorized_user",
        "client_id": client_id,
        "client_secret": "adc-secret",
        "refresh_token": "1//adc-refresh",
    })
    .to_string()
}

const GCLOUD_FILE: &str = "application_default_credentials.json";

#[test]
fn every_combination_finds_google_auths_source_and_asks_only_what_it_needs() {
    for &transport in TRANSPORTS {
        for explicit in [Explicit::Unset, Explicit::Missing, Explicit::Present] {
            for gcloud in [Gcloud::Absent, Gcloud::ByCloudsdkConfig, Gcloud::InHome] {
                for answering in [true, false] {
                    let case =
                        format!("{transport:?} {explicit:?} {gcloud:?} metadata {answering}");
                    check(transport, explicit, gcloud, answering, &case);
                }
            }
        }
    }
}

fn check(
    transport: super::Transport,
    explicit: Explicit,
    gcloud: Gcloud,
    answering: bool,
    case: &str,
) {
    let dir = Scratch::new();
    let home = dir.mkdir("home");
    let fake = LoopbackMetadata::start(FakeMetadata::new());
    let host = if answering {
        fake.host()
    } else {
        unused_host()
    };
    let mut vars = metadata_at(&host).to_vec();
    let key = dir.path("key.json");
    match explicit {
        Explicit::Unset => {}
        Explicit::Missing => vars.push(("GOOGLE_APPLICATION_CREDENTIALS", path(&key))),
        Explicit::Present => {
            dir.write("key.json", &user_file("explicit"));
            vars.push(("GOOGLE_APPLICATION_CREDENTIALS", path(&key)));
        }
    }
    let gcloud_file = match gcloud {
        Gcloud::Absent => home.join(".config/gcloud").join(GCLOUD_FILE),
        Gcloud::ByCloudsdkConfig => {
            vars.push(("CLOUDSDK_CONFIG", path(&dir.mkdir("sdk-config"))));
            PathBuf::from(dir.write(&format!("sdk-config/{GCLOUD_FILE}"), &user_file("gcloud")))
        }
        Gcloud::InHome => PathBuf::from(dir.write(
            &format!("home/.config/gcloud/{GCLOUD_FILE}"),
            &user_file("gcloud"),
        )),
    };

    let found = transport.find(Adc::new(environment(&vars, &home)));

    let client_id = |found: &oauth2_sansio::adc::DefaultCredentials| match found.credentials() {
        AnyCredentials::User(user) => user.client_id().to_owned(),
        other => panic!("{case}: {other:?}"),
    };
    let mut expected_requests: Vec<String> = Vec::new();
    match (explicit, gcloud, answering) {
        (Explicit::Present, _, _) => {
            let found = found.expect(case);
            assert_eq!(
                found.source(),
                &AdcSource::EnvironmentVariable(key),
                "{case}"
            );
            assert_eq!(client_id(&found), "explicit", "{case}");
        }
        (Explicit::Missing, _, _) => {
            let error = found.expect_err(case);
            assert_eq!(
                error,
                AdcError::ExplicitFile {
                    path: key,
                    problem: "no such file".to_owned()
                },
                "{case}: a missing file stops the search"
            );
        }
        (Explicit::Unset, Gcloud::ByCloudsdkConfig | Gcloud::InHome, _) => {
            let found = found.expect(case);
            assert_eq!(found.source(), &AdcSource::Gcloud(gcloud_file), "{case}");
            assert_eq!(client_id(&found), "gcloud", "{case}");
        }
        (Explicit::Unset, Gcloud::Absent, true) => {
            let found = found.expect(case);
            assert_eq!(found.source(), &AdcSource::Metadata, "{case}");
            assert_eq!(found.project_id(), Some(PROJECT), "{case}");
            expected_requests = vec![
                "GET / flavor=Google".to_owned(),
                "GET /computeMetadata/v1/project/project-id flavor=Google".to_owned(),
            ];
        }
        (Explicit::Unset, Gcloud::Absent, false) => {
            let error = found.expect_err(case);
            let AdcError::NotFound { looked } = error else {
                panic!("{case}: {error:?}")
            };
            // The last place also says what this machine's DMI product
            // name is, which the test does not choose.
            let [explicit, gcloud, metadata] = &looked[..] else {
                panic!("{case}: three places, not {looked:?}")
            };
            assert_eq!(
                explicit, "GOOGLE_APPLICATION_CREDENTIALS (not set)",
                "{case}"
            );
            assert_eq!(
                gcloud,
                &format!("{} (does not exist)", gcloud_file.display()),
                "{case}"
            );
            let place =
                format!("the metadata server at http://{host}/ (did not answer as one, and ");
            assert!(metadata.starts_with(&place), "{case}: {metadata}");
        }
    }
    assert_eq!(fake.seen(), expected_requests, "{case}");
}

fn path(path: &std::path::Path) -> String {
    path.to_str().unwrap().to_owned()
}
