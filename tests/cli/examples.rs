//! The examples as subprocesses, run against loopback fakes: the installed
//! app signing in through the browser (played by the test), saving its
//! credentials, renewing them when stale and reusing them while fresh; the
//! async Application Default Credentials source sharing one
//! service-account token among many tasks.

use std::fs;
use std::process::Command;

use oauth2_sansio::{Credentials, UserCredentials};
use testkit::canned_http::{canned, Answer, CannedServer};

#[cfg(unix)]
use crate::support::mode;
use crate::support::{example, Authorization, Running, Scratch, PAST};

const SIGNED_IN: &str = r#"{"access_token":"ya29.first","token_type":"Bearer","expires_in":3599,"refresh_token":"1//first","scope":"openid email"}"#;
const RENEWED: &str = r#"{"access_token":"ya29.renewed","token_type":"Bearer","expires_in":3599,"refresh_token":"1//rotated"}"#;

/// The saved credentials.
fn stored(path: &std::path::Path) -> UserCredentials {
    UserCredentials::from_authorized_user_json(&fs::read(path).unwrap()).unwrap()
}

/// The form body's value of `name`.
fn form_value(body: &[u8], name: &str) -> String {
    oauth2_sansio::url::form_urlencoded::parse(body)
        .find(|(key, _)| key == name)
        .unwrap_or_else(|| panic!("no {name}"))
        .1
        .into_owned()
}

#[test]
fn installed_app_signs_in_once_then_renews_and_reuses_its_saved_credentials() {
    let server = CannedServer::start(vec![
        Answer::Bytes(canned(200, SIGNED_IN)),
        Answer::Bytes(canned(200, RENEWED)),
    ]);
    let dir = Scratch::new();
    let secrets = serde_json::json!({"installed": {
        "client_id": "desktop-client",
        "client_secret": "desktop-secret",
        "auth_uri": server.url("/auth"),
        "token_uri": server.url("/token"),
    }});
    let secrets = dir.write("client_secrets.json", &secrets.to_string());
    let saved = dir.path("credentials.json");
    let saved_str = saved.to_str().unwrap();
    let installed_app = || {
        let mut command = example("installed_app", &[&secrets, saved_str]);
        command.env("BROWSER", "/nonexistent/oauth2-sansio-test-browser");
        command
    };

    // First run: the user signs in in the browser; the file is written.
    let mut running = Running::start(&mut installed_app());
    let auth = Authorization::from_prompt(&running.stderr_line());
    assert_eq!(auth.param("scope"), "openid email");
    assert_eq!(auth.param("prompt"), "consent");
    assert_eq!(auth.param("access_type"), "offline");
    let page = auth
        .browser()
        .come_back(&format!("state={}&code=4/0Ab", auth.param("state")));
    assert!(page.starts_with("HTTP/1.1 200 "), "{page}");
    let first = running.finish();
    assert_eq!(first.code(), 0, "{first:?}");
    let lines: Vec<&str> = first.stdout.lines().collect();
    assert_eq!(lines[0], format!("signed in; saved to {saved_str}"));
    assert!(
        lines[1].starts_with("access token valid until 20"),
        "{lines:?}"
    );
    assert_eq!(lines.len(), 2, "{lines:?}");
    #[cfg(unix)]
    assert_eq!(mode(&saved), 0o600);
    assert_eq!(stored(&saved).refresh_token().unwrap().secret(), "1//first");

    // The saved access token expires: the next run renews it and saves the
    // rotated refresh token.
    let mut json: serde_json::Value = serde_json::from_slice(&fs::read(&saved).unwrap()).unwrap();
    json["expiry"] = PAST.into();
    fs::write(&saved, json.to_string()).unwrap();
    let second = Running::run(&mut installed_app());
    assert_eq!(second.code(), 0, "{second:?}");
    let lines: Vec<&str> = second.stdout.lines().collect();
    assert_eq!(lines[0], format!("loaded {saved_str}"));
    assert_eq!(
        lines[1],
        format!("renewed the access token; saved to {saved_str}")
    );
    assert!(
        lines[2].starts_with("access token valid until 20"),
        "{lines:?}"
    );
    let renewed = stored(&saved);
    assert_eq!(renewed.refresh_token().unwrap().secret(), "1//rotated");
    assert_eq!(renewed.token().unwrap().secret(), "ya29.renewed");

    // Fresh now: the third run sends nothing.
    let third = Running::run(&mut installed_app());
    assert_eq!(third.code(), 0, "{third:?}");
    let lines: Vec<&str> = third.stdout.lines().collect();
    assert_eq!(lines[0], format!("loaded {saved_str}"));
    assert!(
        lines[1].starts_with("access token valid until 20"),
        "{lines:?}"
    );
    assert_eq!(lines.len(), 2, "{lines:?}");

    let requests = server.requests();
    assert_eq!(requests.len(), 2, "the code exchange and one refresh");
    assert_eq!(
        form_value(&requests[0].body, "grant_type"),
        "authorization_code"
    );
    assert_eq!(form_value(&requests[1].body, "grant_type"), "refresh_token");
    assert_eq!(form_value(&requests[1].body, "refresh_token"), "1//first");
    for run in [&first, &second, &third] {
        let printed = format!("{}{}", run.stdout, run.stderr.join("\n"));
        for secret in ["ya29.", "1//", "desktop-secret"] {
            assert!(!printed.contains(secret), "{secret} in {printed}");
        }
    }
}

#[cfg(feature = "reqwest")]
#[test]
fn adc_token_async_shares_one_service_account_token_among_its_tasks() {
    let server = CannedServer::start(vec![Answer::Bytes(canned(
        200,
        r#"{"access_token":"ya29.sa-shared","expires_in":3599,"token_type":"Bearer"}"#,
    ))]);
    let dir = Scratch::new();
    let mut key: serde_json::Value = serde_json::from_slice(testkit::jwt::KEY_JSON).unwrap();
    key["token_uri"] = server.url("/token").into();
    let key_path = dir.write("key.json", &key.to_string());
    let mut command: Command = example("adc_token_async", &["16"]);
    command
        .env("GOOGLE_APPLICATION_CREDENTIALS", &key_path)
        .env("HOME", dir.mkdir("home"));

    let finished = Running::run(&mut command);
    assert_eq!(finished.code(), 0, "{finished:?}");
    let lines: Vec<&str> = finished.stdout.lines().collect();
    assert!(
        lines[0].starts_with("credentials: ") && lines[0].contains(&key_path),
        "{lines:?}"
    );
    assert_eq!(
        lines[1],
        "16 tasks got a token of 14 characters; 16 of them the same one"
    );
    let requests = server.requests();
    assert_eq!(requests.len(), 1, "one refresh for all the tasks");
    assert_eq!(
        form_value(&requests[0].body, "grant_type"),
        "urn:ietf:params:oauth:grant-type:jwt-bearer"
    );
}
