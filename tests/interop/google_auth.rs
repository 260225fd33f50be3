//! google-auth (PyPI, 2.62.2, in interop/.venv) is the reference for the
//! metadata server: it and this crate run against the same loopback fake
//! (`testkit::metadata`), each with an empty HOME and the fake as
//! GCE_METADATA_HOST and GCE_METADATA_IP, and find credentials, get an
//! access token and an ID token. Their request sequences (method, path,
//! query, flavor header) must be the same, except that google-auth reads
//! the account's info (`?recursive=true`) before its first token, which
//! the crate has no use for.

use std::process::{Command, Stdio};

use oauth2_sansio::adc::{Adc, AdcEnvironment, AdcSource};
use oauth2_sansio::io::ureq::UreqTransport;
use oauth2_sansio::metadata::MetadataIdTokenCredentials;
use oauth2_sansio::{AnyCredentials, Credentials};
use testkit::metadata::{FakeMetadata, LoopbackMetadata, PROJECT};
use testkit::scratch::Scratch;

/// The virtual environment's Python, with google-auth.
const PYTHON: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/interop/.venv/bin/python");
const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/interop/google_auth_mds.py");

const SCOPES: [&str; 2] = [
    "https://www.googleapis.com/auth/devstorage.read_only",
    "https://www.googleapis.com/auth/pubsub",
];
const AUDIENCE: &str = "https://svc.example";

/// The request google-auth makes and the crate does not.
const ACCOUNT_INFO: &str =
    "GET /computeMetadata/v1/instance/service-accounts/default/?recursive=true flavor=Google";

/// Runs google_auth_mds.py against `fake` with an empty `home`; returns
/// what it printed.
fn google_auth(fake: &LoopbackMetadata, home: &std::path::Path) -> serde_json::Value {
    assert!(
        std::path::Path::new(PYTHON).exists(),
        "{PYTHON} is missing: run `bash scripts/interop-setup.sh` (it installs google-auth)"
    );
    let mut command = Command::new(PYTHON);
    command
        .arg(SCRIPT)
        .arg(AUDIENCE)
        .args(SCOPES)
        .env_clear()
        .env("HOME", home)
        .env("GCE_METADATA_HOST", fake.host())
        .env("GCE_METADATA_IP", fake.host())
        .stdin(Stdio::null());
    let output = command.output().expect("python runs");
    assert!(
        output.status.success(),
        "google_auth_mds.py failed ({}): {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("one JSON object")
}

/// The crate's ADC, access token and ID token against `fake`, through
/// ureq, with an empty `home`.
fn this_crate(fake: &LoopbackMetadata, home: &std::path::Path) {
    let host = fake.host();
    let env = AdcEnvironment::new(
        |name| match name {
            "GCE_METADATA_HOST" | "GCE_METADATA_IP" => Some(host.clone()),
            _ => None,
        },
        Some(home.to_owned()),
        false,
    );
    let transport = UreqTransport::new();
    let found = transport
        .find_default_credentials(Adc::new(env).with_scopes(SCOPES))
        .unwrap();
    assert_eq!(found.source(), &AdcSource::Metadata);
    assert_eq!(found.project_id(), Some(PROJECT));
    let refreshed = transport.run(found.refresh().unwrap()).unwrap();
    assert_eq!(refreshed.token().unwrap().token().secret(), "ya29.mds-2");
    let AnyCredentials::Metadata(metadata) = refreshed.credentials() else {
        panic!("{:?}", refreshed.credentials())
    };
    let id_token = MetadataIdTokenCredentials::new(metadata.server().clone(), AUDIENCE);
    let id_token = transport.run(id_token.refresh().unwrap()).unwrap();
    assert!(id_token.token().is_some());
}

#[test]
fn google_auth_and_the_crate_ask_the_metadata_server_the_same() {
    let fake = LoopbackMetadata::start(FakeMetadata::new());
    let dir = Scratch::new();
    let home = dir.mkdir("home");

    let printed = google_auth(&fake, &home);
    assert_eq!(
        printed["credentials"],
        "google.auth.compute_engine.credentials"
    );
    assert_eq!(printed["project"], PROJECT);
    assert_eq!(printed["token_length"], "ya29.mds-1".len());
    assert!(printed["id_token_length"].as_u64() > Some(0), "{printed}");
    let python = fake.seen();
    this_crate(&fake, &home);
    let rust = fake.seen().split_off(python.len());
    println!("google-auth: {python:#?}\noauth2-sansio: {rust:#?}");

    assert_eq!(
        python,
        [
            "GET / flavor=Google",
            "GET /computeMetadata/v1/project/project-id flavor=Google",
            ACCOUNT_INFO,
            "GET /computeMetadata/v1/instance/service-accounts/default/token?scopes=https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fdevstorage.read_only%2Chttps%3A%2F%2Fwww.googleapis.com%2Fauth%2Fpubsub flavor=Google",
            "GET /computeMetadata/v1/instance/service-accounts/default/identity?audience=https%3A%2F%2Fsvc.example&format=full flavor=Google",
        ],
        "google-auth's sequence, as recorded with 2.62.2"
    );
    let without_account_info: Vec<&String> =
        python.iter().filter(|seen| *seen != ACCOUNT_INFO).collect();
    assert_eq!(rust.iter().collect::<Vec<_>>(), without_account_info);
}
