//! The `oauth2-sansio` binary, run as a subprocess: `--help`, `token`
//! (fresh, refreshed, failing refreshes that must leave the file intact),
//! and `login` end to end with the test playing the browser. Token
//! endpoints are canned HTTP servers on 127.0.0.1.

use std::fs;
use std::net::TcpListener;
use std::time::SystemTime;

use crate::support::*;
use oauth2_sansio::{Credentials, Freshness, UserCredentials};
use testkit::canned_http::{canned, Answer, CannedServer};

const FAR_FUTURE: &str = "2099-01-01T00:00:00Z";
const REFRESHED: &str = r#"{"access_token":"ya29.new","token_type":"Bearer","expires_in":3599,"refresh_token":"1//rotated"}"#;
/// What no message may contain: the secrets in the files and responses.
const SECRETS: [&str; 7] = [
    "cli-client-secret",
    "1//old-refresh",
    "1%2F%2Fold-refresh",
    "ya29.old",
    "1//rotated",
    "ya29.new",
    "4/0Ab",
];

/// A port nothing listens on.
fn closed_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The run failed with `code`: nothing on stdout, one clean line on stderr.
fn assert_failed(finished: &Finished, code: i32) -> String {
    assert_eq!(finished.code(), code, "{finished:?}");
    assert_eq!(finished.stdout, "", "{finished:?}");
    let line = finished
        .stderr
        .last()
        .unwrap_or_else(|| panic!("no message: {finished:?}"));
    assert!(line.starts_with("oauth2-sansio: "), "{line}");
    for secret in SECRETS {
        assert!(
            !finished.stderr.iter().any(|l| l.contains(secret)),
            "{secret:?} in {:?}",
            finished.stderr
        );
    }
    line.clone()
}

fn token(path: &str) -> Finished {
    Running::run(&mut oauth2_sansio(&["token", "--credentials", path]))
}

/// The form-encoded `body` has each of `pairs`.
fn assert_form_has(body: &[u8], pairs: &[(&str, &str)]) {
    let form: Vec<(String, String)> = oauth2_sansio::url::form_urlencoded::parse(body)
        .into_owned()
        .collect();
    for (name, value) in pairs {
        assert!(
            form.contains(&((*name).to_owned(), (*value).to_owned())),
            "{name}={value} not in {form:?}"
        );
    }
}

// --- help and usage ---

#[test]
fn help_on_every_command() {
    for (args, expected) in [
        (
            &["--help"][..],
            &[
                "login",
                "token",
                "Desktop app",
                "token_uri",
                "Exit codes:",
                "  6  temporary",
            ][..],
        ),
        (
            &["login", "--help"],
            &[
                "--client-secrets <FILE>",
                "--scope <SCOPE>",
                "--no-browser",
                "--port <N>",
                "--save [<PATH>]",
                "--timeout <SECS>",
                "--login-hint <H>",
                "BROWSER",
                "Exit codes:",
            ],
        ),
        (
            &["token", "--help"],
            &["--credentials <PATH>", "refreshed", "Exit codes:"],
        ),
        (&["help", "token"], &["--credentials <PATH>"]),
    ] {
        let finished = Running::run(&mut oauth2_sansio(args));
        assert_eq!(finished.code(), 0, "{args:?}: {finished:?}");
        for text in expected {
            assert!(
                finished.stdout.contains(text),
                "{args:?} lacks {text:?}:\n{}",
                finished.stdout
            );
        }
    }
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &[][..],
        &["token", "--audience", "https://svc.example"],
        &["login", "--client-secrets", "c.json"],
        &[
            "login",
            "--client-secrets",
            "c.json",
            "--scope",
            "openid",
            "--port",
            "http",
        ],
        &["frobnicate"],
    ] {
        let finished = Running::run(&mut oauth2_sansio(args));
        assert_eq!(finished.code(), 2, "{args:?}: {finished:?}");
        assert_eq!(finished.stdout, "", "{args:?}");
    }
}

// --- token ---

/// A credentials file whose access token `ya29.old` expires at `expiry`,
/// refreshed at `token_uri`.
struct SavedCredentials {
    dir: Scratch,
    path: String,
    json: String,
}

impl SavedCredentials {
    fn new(token_uri: &str, expiry: &str) -> Self {
        let dir = Scratch::new();
        let json = credentials_json(token_uri, "ya29.old", expiry);
        let path = dir.write("creds.json", &json);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        }
        Self { dir, path, json }
    }

    fn token(&self) -> Finished {
        token(&self.path)
    }

    /// The file is byte-identical, and no temporary file is left beside it
    /// (the refresh lock file may be: it is meant to stay).
    fn assert_intact(&self) {
        assert_eq!(fs::read_to_string(&self.path).unwrap(), self.json);
        assert_eq!(without_lock(self.dir.entries()), ["creds.json"]);
    }
}

#[test]
fn a_fresh_token_is_printed_without_the_network() {
    let server = CannedServer::start(vec![]);
    let saved = SavedCredentials::new(&server.url("/token"), FAR_FUTURE);

    let finished = saved.token();
    assert_eq!(finished.code(), 0, "{finished:?}");
    assert_eq!(finished.stdout, "ya29.old\n");
    assert!(finished.stderr.is_empty(), "{finished:?}");
    assert!(server.requests().is_empty());
    saved.assert_intact();
}

#[test]
fn an_expired_token_is_refreshed_saved_and_printed() {
    let server = CannedServer::start(vec![Answer::Bytes(canned(200, REFRESHED))]);
    let saved = SavedCredentials::new(&server.url("/token"), PAST);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&saved.path, fs::Permissions::from_mode(0o644)).unwrap();
    }

    let finished = saved.token();
    assert_eq!(finished.code(), 0, "{finished:?}");
    assert_eq!(finished.stdout, "ya29.new\n", "only the token on stdout");
    #[cfg(unix)]
    {
        let [warning] = &finished.stderr[..] else {
            panic!("one warning: {finished:?}")
        };
        assert!(warning.contains("mode 0644"), "{warning}");
        assert!(warning.contains("chmod 600"), "{warning}");
    }
    #[cfg(not(unix))]
    assert!(finished.stderr.is_empty(), "{finished:?}");

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].line, "POST /token HTTP/1.1");
    assert_form_has(
        &requests[0].body,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", "1//old-refresh"),
            ("client_id", "cli-client"),
            ("client_secret", "cli-client-secret"),
            ("scope", "openid email"),
        ],
    );

    let bytes = fs::read(&saved.path).unwrap();
    let refreshed = UserCredentials::from_authorized_user_json(&bytes).unwrap();
    assert_eq!(refreshed.token().unwrap().token().secret(), "ya29.new");
    assert_eq!(refreshed.refresh_token().unwrap().secret(), "1//rotated");
    assert_eq!(refreshed.client_id(), "cli-client");
    assert_eq!(refreshed.scopes(), ["openid", "email"]);
    assert_eq!(refreshed.freshness(SystemTime::now()), Freshness::Fresh);
    let json: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(json["account"], "me@example.com", "unused fields are kept");
    #[cfg(unix)]
    assert_eq!(mode(&saved.dir.path("creds.json")), 0o600);
    assert_eq!(
        saved.dir.entries(),
        [".creds.json.lock", "creds.json"],
        "no temporary file is left; the refresh lock stays"
    );

    // The saved token is fresh: the next run needs no server.
    drop(server);
    let again = saved.token();
    assert_eq!(again.code(), 0, "{again:?}");
    assert_eq!(again.stdout, "ya29.new\n");
}

#[test]
fn a_token_about_to_expire_is_refreshed() {
    let server = CannedServer::start(vec![Answer::Bytes(canned(200, REFRESHED))]);
    let saved = SavedCredentials::new(&server.url("/token"), &expiry_in(60));

    let finished = saved.token();
    assert_eq!(finished.code(), 0, "{finished:?}");
    assert_eq!(finished.stdout, "ya29.new\n");
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn invalid_grant_leaves_the_file_and_says_sign_in_again() {
    let refused =
        r#"{"error":"invalid_grant","error_description":"Token has been expired or revoked."}"#;
    let server = CannedServer::start(vec![Answer::Bytes(canned(400, refused))]);
    let saved = SavedCredentials::new(&server.url("/token"), PAST);

    let finished = saved.token();
    let line = assert_failed(&finished, 5);
    assert_eq!(finished.stderr.len(), 1, "one line: {:?}", finished.stderr);
    assert!(line.contains("invalid_grant"), "{line}");
    assert!(line.contains("oauth2-sansio login"), "{line}");
    saved.assert_intact();
}

#[test]
fn a_broken_token_response_leaves_the_file_intact() {
    for (status, body) in [
        (200, "<html>upstream error</html>"),
        (200, r#"{"access_token":"ya29.new","token_type":"#),
        (200, r#"{"token_type":"Bearer","expires_in":3599}"#),
        (200, r#"{"access_token":"ya29.new","token_type":"MAC"}"#),
        (302, ""),
    ] {
        let server = CannedServer::start(vec![Answer::Bytes(canned(status, body))]);
        let saved = SavedCredentials::new(&server.url("/token"), PAST);

        assert_failed(&saved.token(), 5);
        saved.assert_intact();
    }
}

#[test]
fn network_and_overload_failures_exit_6() {
    let unavailable = CannedServer::start(vec![Answer::Bytes(canned(503, "<html>busy</html>"))]);
    for token_uri in [
        format!("http://127.0.0.1:{}/token", closed_port()),
        unavailable.url("/token"),
    ] {
        let saved = SavedCredentials::new(&token_uri, PAST);

        let line = assert_failed(&saved.token(), 6);
        assert!(line.contains("try again"), "{line}");
        saved.assert_intact();
    }
}

#[test]
fn a_missing_or_invalid_credentials_file_exits_3() {
    let dir = Scratch::new();
    let missing = dir.path("missing.json");
    let line = assert_failed(&token(missing.to_str().unwrap()), 3);
    assert!(
        line.contains("does not exist") && line.contains("oauth2-sansio login"),
        "{line}"
    );

    for contents in [
        r#"{"refresh_token": "1//old-refresh", "client_secret": "cli-client-secret""#,
        r#"{"type":"service_account","client_id":"c","refresh_token":"1//old-refresh"}"#,
        r#"{"type":"authorized_user","client_id":"c","client_secret":"cli-client-secret"}"#,
        r#"{"type":"authorized_user","client_id":"c","refresh_token":"1//old-refresh","token_uri":"http://as.example/token"}"#,
        "",
    ] {
        let path = dir.write("bad.json", contents);
        let line = assert_failed(&token(&path), 3);
        assert!(line.contains("bad.json"), "{line}");
        assert_eq!(fs::read_to_string(&path).unwrap(), contents);
    }
    assert_failed(&token(dir.path("").to_str().unwrap()), 3);
}

// --- login ---

const TOKENS: &str = r#"{"access_token":"ya29.new","token_type":"Bearer","expires_in":3599,"refresh_token":"1//rotated","scope":"openid email"}"#;

/// A client_secrets.json for the canned server.
fn client_secrets(dir: &Scratch, server: &CannedServer) -> String {
    let json = serde_json::json!({"installed": {
        "client_id": "cli-client",
        "client_secret": "cli-client-secret",
        "auth_uri": server.url("/auth"),
        "token_uri": server.url("/token"),
        "redirect_uris": ["http://127.0.0.1"],
    }});
    dir.write("client_secrets.json", &json.to_string())
}

fn login(secrets: &str, extra: &[&str]) -> std::process::Command {
    let mut args = vec![
        "login",
        "--client-secrets",
        secrets,
        "--scope",
        "openid",
        "--scope",
        "email",
    ];
    args.extend_from_slice(extra);
    oauth2_sansio(&args)
}

#[test]
fn login_without_a_browser_prints_credentials() {
    let server = CannedServer::start(vec![Answer::Bytes(canned(200, TOKENS))]);
    let dir = Scratch::new();
    let secrets = client_secrets(&dir, &server);
    let mut command = login(&secrets, &["--no-browser", "--timeout", "60"]);
    command.env("BROWSER", "/nonexistent/oauth2-sansio-test-browser");
    let mut running = Running::start(&mut command);

    let auth = Authorization::from_prompt(&running.stderr_line());
    assert_eq!(
        auth.0.as_str().split('?').next(),
        Some(server.url("/auth").as_str())
    );
    assert_eq!(auth.param("client_id"), "cli-client");
    assert_eq!(auth.param("scope"), "openid email");
    assert_eq!(auth.param("prompt"), "consent");
    assert_eq!(auth.param("access_type"), "offline");
    assert_eq!(auth.param("code_challenge_method"), "S256");
    let browser = auth.browser();
    assert_eq!(browser.0.host_str(), Some("127.0.0.1"));
    let answer = browser.come_back(&format!(
        "state={}&code=4/0Ab&scope=openid+email",
        auth.param("state")
    ));
    assert!(answer.starts_with("HTTP/1.1 200 "), "{answer}");

    let finished = running.finish();
    assert_eq!(finished.code(), 0, "{finished:?}");
    assert_eq!(
        finished.stderr.len(),
        2,
        "the prompt and the waiting line only, no browser was started: {:?}",
        finished.stderr
    );
    assert_eq!(
        finished.stderr[1],
        "Waiting for the sign-in to finish in the browser (up to 1 min; Ctrl-C stops)..."
    );
    let json: serde_json::Value = serde_json::from_str(&finished.stdout).unwrap();
    assert_eq!(finished.stdout.lines().count(), 1);
    assert_eq!(json["type"], "authorized_user");
    assert_eq!(json["client_id"], "cli-client");
    assert_eq!(json["client_secret"], "cli-client-secret");
    assert_eq!(json["refresh_token"], "1//rotated");
    assert_eq!(json["token"], "ya29.new");
    assert_eq!(json["token_uri"], server.url("/token"));

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_form_has(
        &requests[0].body,
        &[
            ("grant_type", "authorization_code"),
            ("code", "4/0Ab"),
            ("redirect_uri", browser.0.as_str()),
        ],
    );
}

#[test]
fn login_saves_a_private_file_that_token_reads() {
    let granted_less = TOKENS.replace("openid email", "openid");
    let server = CannedServer::start(vec![Answer::Bytes(canned(200, &granted_less))]);
    let dir = Scratch::new();
    let secrets = client_secrets(&dir, &server);
    let saved = dir.path("creds.json");
    let saved_str = saved.to_str().unwrap();
    let mut running = Running::start(&mut login(
        &secrets,
        &[
            "--no-browser",
            "--save",
            saved_str,
            "--login-hint",
            "me@example.com",
        ],
    ));

    let auth = Authorization::from_prompt(&running.stderr_line());
    assert_eq!(auth.param("login_hint"), "me@example.com");
    auth.browser()
        .come_back(&format!("state={}&code=4/0Ab", auth.param("state")));

    let finished = running.finish();
    assert_eq!(finished.code(), 0, "{finished:?}");
    assert_eq!(finished.stdout, "", "the credentials go to the file only");
    let notes = finished.stderr[1..].join("\n");
    assert!(notes.contains("did not grant the scopes email"), "{notes}");
    assert!(notes.contains("saved to"), "{notes}");
    for secret in SECRETS {
        assert!(!notes.contains(secret), "{secret} in {notes}");
    }
    #[cfg(unix)]
    assert_eq!(mode(&saved), 0o600);
    let credentials =
        UserCredentials::from_authorized_user_json(&fs::read(&saved).unwrap()).unwrap();
    assert_eq!(credentials.refresh_token().unwrap().secret(), "1//rotated");

    drop(server);
    let printed = token(saved_str);
    assert_eq!(printed.code(), 0, "{printed:?}");
    assert_eq!(printed.stdout, "ya29.new\n");
}

#[test]
fn login_without_a_refresh_token_writes_nothing_and_exits_5() {
    let no_refresh = r#"{"access_token":"ya29.new","token_type":"Bearer","expires_in":3599}"#;
    let server = CannedServer::start(vec![Answer::Bytes(canned(200, no_refresh))]);
    let dir = Scratch::new();
    let secrets = client_secrets(&dir, &server);
    let save = dir.path("creds.json");
    let mut running = Running::start(&mut login(
        &secrets,
        &["--no-browser", "--save", save.to_str().unwrap()],
    ));

    let auth = Authorization::from_prompt(&running.stderr_line());
    auth.browser()
        .come_back(&format!("state={}&code=4/0Ab", auth.param("state")));

    let line = assert_failed(&running.finish(), 5);
    assert!(
        line.contains("no refresh token") && line.contains("offline_access"),
        "{line}"
    );
    assert!(
        !save.exists(),
        "credentials that cannot be refreshed are not saved"
    );
}

#[test]
fn login_refused_by_the_user_exits_4_and_uses_the_browser_variable() {
    let server = CannedServer::start(vec![]);
    let dir = Scratch::new();
    let secrets = client_secrets(&dir, &server);
    let save = dir.path("creds.json");
    let mut command = login(&secrets, &["--save", save.to_str().unwrap()]);
    command.env("BROWSER", "/nonexistent/oauth2-sansio-test-browser");
    let mut running = Running::start(&mut command);

    let auth = Authorization::from_prompt(&running.stderr_line());
    let no_browser = running.stderr_line();
    assert!(
        no_browser.contains("/nonexistent/oauth2-sansio-test-browser"),
        "{no_browser}"
    );
    auth.browser().come_back(&format!(
        "state={}&error=access_denied",
        auth.param("state")
    ));

    let line = assert_failed(&running.finish(), 4);
    assert!(line.contains("access_denied"), "{line}");
    assert!(server.requests().is_empty());
    assert!(!save.exists());
}

#[test]
fn login_that_nobody_completes_times_out_with_4() {
    let server = CannedServer::start(vec![]);
    let dir = Scratch::new();
    let secrets = client_secrets(&dir, &server);
    let finished = Running::run(&mut login(&secrets, &["--no-browser", "--timeout", "1"]));
    let line = assert_failed(&finished, 4);
    assert!(line.contains("did not come back"), "{line}");
}

#[test]
fn login_on_a_busy_port_exits_3() {
    let server = CannedServer::start(vec![]);
    let dir = Scratch::new();
    let secrets = client_secrets(&dir, &server);
    let busy = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port().to_string();
    let finished = Running::run(&mut login(&secrets, &["--no-browser", "--port", &port]));
    let line = assert_failed(&finished, 3);
    assert!(line.contains("already in use"), "{line}");
}

#[test]
fn login_with_unusable_client_secrets_exits_3() {
    let dir = Scratch::new();
    let missing = dir.path("missing.json");
    let line = assert_failed(
        &Running::run(&mut login(missing.to_str().unwrap(), &["--no-browser"])),
        3,
    );
    assert!(
        line.contains("missing.json") && line.contains("Desktop app"),
        "{line}"
    );

    for (contents, problem) in [
        (
            r#"{"installed": {"client_id": "c", "client_secret": "cli-client-secret""#,
            "not valid JSON",
        ),
        (r#"{"other": {"client_id": "c"}}"#, "neither"),
        (
            r#"{"installed": {"client_id": "c", "auth_uri": "https://as.example/auth"}}"#,
            "installed.token_uri",
        ),
        (
            r#"{"installed": {"client_id": "c", "client_secret": "cli-client-secret",
                "auth_uri": "http://as.example/auth", "token_uri": "http://as.example/token"}}"#,
            "auth_uri and token_uri must use https",
        ),
    ] {
        let secrets = dir.write("client_secrets.json", contents);
        let line = assert_failed(&Running::run(&mut login(&secrets, &["--no-browser"])), 3);
        assert!(line.contains("client_secrets.json: "), "{line}");
        assert!(line.contains(problem), "{line} lacks {problem:?}");
    }
}

/// Directory entries without the refresh lock file `token` takes.
fn without_lock(entries: Vec<String>) -> Vec<String> {
    entries
        .into_iter()
        .filter(|name| name != ".creds.json.lock")
        .collect()
}
