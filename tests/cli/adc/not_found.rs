//! When ADC find nothing, the message names each place looked at and says
//! what to do; a file GOOGLE_APPLICATION_CREDENTIALS names must exist.

use super::*;
use crate::support::Running;
use testkit::metadata::unused_host;

/// The run failed with exit code 3 and one line, which it returns.
fn failure(finished: &Finished) -> String {
    assert_eq!(finished.code(), 3, "{finished:?}");
    assert_eq!(finished.stdout, "");
    let [line] = &finished.stderr[..] else {
        panic!("one line: {finished:?}")
    };
    line.clone()
}

#[test]
fn nothing_found_lists_the_three_places() {
    let dir = Scratch::new();
    let gcloud = dir.path("home/.config/gcloud/application_default_credentials.json");
    let line = failure(&Running::run(&mut token_command(&dir, &[])));
    for place in [
        "GOOGLE_APPLICATION_CREDENTIALS (not set)".to_owned(),
        format!("{} (does not exist)", gcloud.display()),
        "the metadata server (not tried: NO_GCE_CHECK=true)".to_owned(),
        "gcloud auth application-default login".to_owned(),
        "oauth2-sansio login --adc".to_owned(),
    ] {
        assert!(line.contains(&place), "{line} lacks {place}");
    }
}

#[test]
fn a_metadata_server_that_does_not_answer_is_named() {
    let dir = Scratch::new();
    let host = unused_host();
    let mut command = token_command(&dir, &[]);
    command
        .env_remove("NO_GCE_CHECK")
        .env("GCE_METADATA_HOST", &host)
        .env("GCE_METADATA_IP", &host);
    let line = failure(&Running::run(&mut command));
    let place = format!("the metadata server at http://{host}/ (did not answer as one");
    assert!(line.contains(&place), "{line} lacks {place}");
}

#[test]
fn a_missing_explicit_file_stops_the_search() {
    let dir = Scratch::new();
    let missing = dir.path("missing.json");
    let mut command = token_command(&dir, &[]);
    command.env("GOOGLE_APPLICATION_CREDENTIALS", &missing);
    let line = failure(&Running::run(&mut command));
    assert!(
        line.contains(&format!(
            "GOOGLE_APPLICATION_CREDENTIALS names {}, which cannot be read",
            missing.display()
        )),
        "{line}"
    );
}
