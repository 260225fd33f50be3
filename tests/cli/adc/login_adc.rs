//! `login --adc` (or `--save` without a path) writes gcloud's file under
//! HOME, owner-only; `token` then needs no flag at all.

use std::fs;

use super::*;
use crate::support::{Authorization, Running};
use testkit::canned_http::{canned, Answer, CannedServer};

const TOKENS: &str = r#"{"access_token":"ya29.adc-login","token_type":"Bearer","expires_in":3599,"refresh_token":"1//adc-login","scope":"openid email"}"#;

#[test]
fn login_adc_then_token_with_no_flags() {
    login_then_token("--adc");
}

/// google-oauthlib-tool's `--save` without a path means the same.
#[test]
fn login_save_without_a_path_then_token_with_no_flags() {
    login_then_token("--save");
}

fn login_then_token(save_flag: &str) {
    let server = CannedServer::start(vec![Answer::Bytes(canned(200, TOKENS))]);
    let dir = Scratch::new();
    let secrets = serde_json::json!({"installed": {
        "client_id": "adc-client",
        "client_secret": "adc-client-secret",
        "auth_uri": server.url("/auth"),
        "token_uri": server.url("/token"),
    }});
    let secrets = dir.write("client_secrets.json", &secrets.to_string());
    let mut login = oauth2_sansio(&[
        "login",
        "--client-secrets",
        &secrets,
        "--scope",
        "openid",
        "--scope",
        "email",
        "--no-browser",
        save_flag,
    ]);
    login.env("HOME", dir.mkdir("home"));
    let mut running = Running::start(&mut login);
    let auth = Authorization::from_prompt(&running.stderr_line());
    auth.browser()
        .come_back(&format!("state={}&code=4/0Ab", auth.param("state")));
    let finished = running.finish();
    assert_eq!(finished.code(), 0, "{finished:?}");
    assert_eq!(finished.stdout, "", "the credentials go to the file only");

    let gcloud = dir.path("home/.config/gcloud");
    let file = gcloud.join("application_default_credentials.json");
    assert!(
        finished
            .stderr
            .last()
            .unwrap()
            .contains(file.to_str().unwrap()),
        "{finished:?}"
    );
    #[cfg(unix)]
    {
        use crate::support::mode;
        assert_eq!(mode(&file), 0o600);
        assert_eq!(mode(&gcloud), 0o700);
    }
    let saved: serde_json::Value = serde_json::from_slice(&fs::read(&file).unwrap()).unwrap();
    assert_eq!(saved["type"], "authorized_user");
    assert_eq!(saved["refresh_token"], "1//adc-login");
    drop(server);

    let plain = Running::run(&mut token_command(&dir, &[]));
    assert_eq!(plain.code(), 0, "{plain:?}");
    assert_eq!(
        plain.stdout, "ya29.adc-login\n",
        "the saved token, still fresh"
    );
    let json = printed_json(
        &Running::run(&mut token_command(&dir, &["--format", "json"])),
        "access_token",
        "gcloud",
        "token --format json, gcloud's file written by login --adc (HOME)",
    );
    assert_eq!(json["access_token"], "ya29.adc-login");
}
