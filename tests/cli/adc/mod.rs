//! `token` without `--credentials`: Application Default Credentials as
//! the binary finds them, from real files and a loopback metadata fake
//! (`testkit::metadata`), with an empty HOME and no variable of the
//! developer's (the support's `oauth2_sansio` clears them all). Each
//! source's `--format json` output is printed with the token replaced by
//! its length (`cargo test --test cli adc -- --nocapture` shows them).

mod external;
#[cfg(unix)]
mod external_sources;
mod id_token;
mod impersonated;
mod login_adc;
mod not_found;
mod sources;

use std::process::Command;
use std::time::{Duration, SystemTime};

use crate::support::{oauth2_sansio, Finished, Scratch};
use testkit::metadata::LoopbackMetadata;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// The scope `token` asks for by default.
const CLOUD_PLATFORM: &str = "https://www.googleapis.com/auth/cloud-platform";

/// `token` with `args` in a scratch directory whose `home/` is HOME.
fn token_command(dir: &Scratch, args: &[&str]) -> Command {
    let mut all = vec!["token"];
    all.extend(args);
    let mut command = oauth2_sansio(&all);
    command.env("HOME", dir.mkdir("home"));
    command
}

/// `command` finds the metadata server at `fake`.
fn with_metadata(command: &mut Command, fake: &LoopbackMetadata) {
    command
        .env_remove("NO_GCE_CHECK")
        .env("GCE_METADATA_HOST", fake.host())
        .env("GCE_METADATA_IP", fake.host());
}

/// An authorized_user file without an access token, refreshed at
/// `token_uri`.
fn user_file(token_uri: &str) -> String {
    serde_json::json!({
        "type": "authorized_user",
        "client_id": "adc-client",
        "client_secret": "adc-client-secret",
        "refresh_token": "1//adc-refresh",
        "token_uri": token_uri,
    })
    .to_string()
}

/// A token response for `token`.
fn token_response(token: &str) -> String {
    serde_json::json!({"access_token": token, "expires_in": 3599, "token_type": "Bearer"})
        .to_string()
}

/// The one JSON object `token --format json` printed, with exactly the
/// four keys: the token under `token_key`, `token_type` Bearer, `expiry`
/// (RFC 3339, UTC, whole seconds) and `source`. Returns it and prints it,
/// labelled `what`, with the token replaced by its length.
fn printed_json(
    finished: &Finished,
    token_key: &str,
    source: &str,
    what: &str,
) -> serde_json::Value {
    assert_eq!(finished.code(), 0, "{finished:?}");
    assert!(finished.stderr.is_empty(), "{finished:?}");
    assert_eq!(finished.stdout.lines().count(), 1, "one line");
    let json: serde_json::Value = serde_json::from_str(&finished.stdout).unwrap();
    let mut keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    let mut expected = vec![token_key, "expiry", "source", "token_type"];
    expected.sort_unstable();
    assert_eq!(keys, expected);
    assert_eq!(json["token_type"], "Bearer");
    assert_eq!(json["source"], source);
    let expiry = json["expiry"].as_str().unwrap();
    assert!(expiry.ends_with('Z') && !expiry.contains('.'), "{expiry}");
    let mut shown = json.clone();
    let length = json[token_key].as_str().unwrap().len();
    shown[token_key] = format!("<{length} characters>").into();
    println!("{what}: {shown}");
    json
}

/// The printed expiry.
fn expiry(json: &serde_json::Value) -> SystemTime {
    OffsetDateTime::parse(json["expiry"].as_str().unwrap(), &Rfc3339)
        .unwrap()
        .into()
}

/// `expiry` is `lifetime` after a moment between `before` and `after`
/// (whole seconds: RFC 3339 without fractions).
fn assert_expires(json: &serde_json::Value, lifetime: u64, before: SystemTime, after: SystemTime) {
    let issued = expiry(json) - Duration::from_secs(lifetime);
    assert!(
        issued + Duration::from_secs(1) > before && issued <= after,
        "{json}: issued at {issued:?}, not between {before:?} and {after:?}"
    );
}
