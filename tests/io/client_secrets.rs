//! `io::read_client_secrets`: a file on disk, its path in every error and
//! never its content.

use oauth2_sansio::io::{read_client_secrets, ClientSecretsFileError};
use oauth2_sansio::{ClientKind, FileProblem};
use testkit::scratch::Scratch;

const INSTALLED: &str = r#"{"installed":{"client_id":"id.apps.googleusercontent.com","client_secret":"GOCSPX-s3cret","auth_uri":"https://accounts.google.com/o/oauth2/auth","token_uri":"https://oauth2.googleapis.com/token"}}"#;

#[test]
fn a_valid_file_is_read() {
    let scratch = Scratch::new();
    let path = scratch.write("client_secrets.json", INSTALLED);
    let secrets = read_client_secrets(&path).unwrap();
    assert_eq!(secrets.kind(), ClientKind::Installed);
    assert_eq!(secrets.client_id(), "id.apps.googleusercontent.com");
}

#[test]
fn broken_json_names_the_path_line_and_column_never_the_content() {
    let scratch = Scratch::new();
    let broken = INSTALLED.replace(r#""client_secret""#, r#"client_secret"#);
    let path = scratch.write("client_secrets.json", &broken);
    let err = read_client_secrets(&path).unwrap_err();
    let ClientSecretsFileError::Invalid { source, .. } = &err else {
        panic!("{err:?}");
    };
    assert!(matches!(
        source.problem(),
        FileProblem::NotJson { line: 1, .. }
    ));
    let shown = err.to_string();
    assert!(shown.starts_with(&format!("{path}: ")), "{shown}");
    assert!(shown.contains("not valid JSON (line 1, column"), "{shown}");
    assert!(!shown.contains("GOCSPX"), "{shown}");
    assert_eq!(err.path().to_str(), Some(path.as_str()));
}

#[test]
fn a_missing_file_names_the_path_and_what_to_do() {
    let scratch = Scratch::new();
    let path = scratch.path("absent.json");
    let err = read_client_secrets(&path).unwrap_err();
    assert!(
        matches!(err, ClientSecretsFileError::Unreadable { .. }),
        "{err:?}"
    );
    let shown = err.to_string();
    assert!(shown.contains(&path.display().to_string()), "{shown}");
    assert!(
        shown.contains("download the OAuth client's JSON"),
        "{shown}"
    );
}

#[test]
fn a_file_past_the_bound_is_refused_as_too_large() {
    let scratch = Scratch::new();
    let padded = format!(
        "{INSTALLED}{}",
        " ".repeat(oauth2_sansio::limits::CLIENT_SECRETS_LIMIT)
    );
    let path = scratch.write("client_secrets.json", &padded);
    let err = read_client_secrets(&path).unwrap_err();
    let too_large = match &err {
        ClientSecretsFileError::Invalid { source, .. } => source.problem(),
        other => panic!("{other:?}"),
    };
    assert!(matches!(too_large, FileProblem::TooLarge { .. }), "{err}");
}
