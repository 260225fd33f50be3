//! The `oauth2-sansio` command-line tool against the real oidc-provider
//! (`testkit::interop`), with headless Chromium as the user's browser through
//! `interop/headless-browser.sh` (`BROWSER` names one program, so the flags
//! live in that wrapper): `login --save`, `token` with a fresh token (no
//! network needed), `token` with a stale one (refreshed, the rotated
//! refresh token saved) and `token` again (the rotated token works), and a
//! denied sign-in.
//!
//! Every process is stopped: the server by PID when dropped, the CLI by
//! `support`; the wrapper and Chromium must exit by themselves after
//! `login` (they are found by an environment marker, and killed by PID if
//! they outlive [`BROWSER_EXIT`]). Linux only (Debian's chromium, /proc).
//! Setup, once per machine: `bash scripts/interop-setup.sh`.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::support::marked_processes::Marker;
use crate::support::{mode, oauth2_sansio, Finished, Running, Scratch};
use oauth2_sansio::io::installed::PROMPT;
use oauth2_sansio::{Credentials, Freshness, UserCredentials};
use testkit::interop::{
    userinfo, InteropServer, ServerOptions, NATIVE_CONFIDENTIAL, NATIVE_PUBLIC,
};

/// The browser: headless Chromium with a fresh profile, as one program.
const WRAPPER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/interop/headless-browser.sh");

/// What `login` asks for; `offline_access` is what OpenID Connect servers
/// want before they issue a refresh token (the CLI sends `prompt=consent`,
/// without which oidc-provider drops it).
const SCOPES: [&str; 3] = ["openid", "email", "offline_access"];

/// Shorter than the CLI's 225-second refresh threshold: access tokens are
/// stale as soon as they are issued, so `token` refreshes without waiting.
const STALE_TTL: Duration = Duration::from_secs(200);

/// The CLI's own wait for the browser (within `crate::support::PATIENCE`, so
/// its timeout message is what a hung browser shows).
const LOGIN_TIMEOUT: &str = "25";

/// How long the wrapper and Chromium may take to exit after `login` did.
const BROWSER_EXIT: Duration = Duration::from_secs(20);

/// A scratch directory with a client_secrets.json for one client of the
/// server, and a `tmp/` the browser wrapper's profile goes in.
struct Workspace {
    dir: Scratch,
    secrets: String,
}

impl Workspace {
    fn new(server: &InteropServer, client_id: &str) -> Self {
        let dir = Scratch::new();
        let secrets = dir.write(
            "client_secrets.json",
            &server.client_secrets_json(client_id),
        );
        fs::create_dir(dir.path("tmp")).unwrap();
        Self { dir, secrets }
    }

    fn credentials(&self) -> PathBuf {
        self.dir.path("credentials.json")
    }

    /// `login --save` with headless Chromium as the browser and `extra`
    /// options; returns once the CLI, the wrapper and Chromium have all
    /// exited and the wrapper removed its profile.
    fn login(&self, server: &InteropServer, extra: &[&str]) -> Finished {
        let save = self.credentials();
        let mut args = vec![
            "login",
            "--client-secrets",
            &self.secrets,
            "--timeout",
            LOGIN_TIMEOUT,
            "--save",
            save.to_str().unwrap(),
        ];
        for scope in SCOPES {
            args.extend(["--scope", scope]);
        }
        args.extend(extra);
        let marker = Marker::new();
        let mut command = oauth2_sansio(&args);
        command
            .env("BROWSER", WRAPPER)
            .env("TMPDIR", self.dir.path("tmp"));
        let finished = Running::run(marker.mark(&mut command));
        let killed = marker.wait_all_exited(BROWSER_EXIT);
        if !killed.is_empty() {
            server.fail(format!(
                "still running {BROWSER_EXIT:?} after login ({}), killed: {killed:?}",
                outcome(&finished)
            ));
        }
        let left = fs::read_dir(self.dir.path("tmp")).unwrap().count();
        if left != 0 {
            server.fail(format!(
                "the browser wrapper left {left} entries in its TMPDIR"
            ));
        }
        finished
    }

    fn token(&self) -> Finished {
        let path = self.credentials();
        Running::run(&mut oauth2_sansio(&[
            "token",
            "--credentials",
            path.to_str().unwrap(),
        ]))
    }

    /// The saved file, which must be owner-only and valid.
    fn saved(&self, server: &InteropServer) -> (Vec<u8>, UserCredentials) {
        let path = self.credentials();
        let bytes = server.check(fs::read(&path), "reading the saved credentials");
        assert_eq!(mode(&path), 0o600, "{}", path.display());
        let credentials = server.check(
            UserCredentials::from_authorized_user_json(&bytes),
            "parsing the saved credentials",
        );
        (bytes, credentials)
    }
}

/// The exit status and stderr, never stdout (where `token` prints the
/// token).
fn outcome(finished: &Finished) -> String {
    format!("{}, stderr: {:?}", finished.status, finished.stderr)
}

/// Fails, with the server's diagnostics, unless the run exited with `code`.
fn expect_exit(server: &InteropServer, finished: &Finished, code: i32, what: &str) {
    if finished.status.code() != Some(code) {
        server.fail(format!(
            "{what}: expected exit {code}, got {}",
            outcome(finished)
        ));
    }
}

fn access_token(credentials: &UserCredentials) -> &str {
    credentials
        .token()
        .expect("an access token")
        .token()
        .secret()
}

fn refresh_token(credentials: &UserCredentials) -> &str {
    credentials
        .refresh_token()
        .expect("a refresh token")
        .secret()
}

/// What `token` printed: one line, the token.
fn printed_token(finished: &Finished) -> &str {
    let token = finished
        .stdout
        .strip_suffix('\n')
        .expect("the token ends with a newline");
    assert!(
        !token.is_empty() && !token.contains(char::is_whitespace),
        "token printed something other than one token"
    );
    token
}

/// The stderr lines are the sign-in prompt, the waiting line, then `last`,
/// and name neither
/// token of `saved`.
fn assert_login_stderr(finished: &Finished, last: &str, saved: Option<&UserCredentials>) {
    let lines = &finished.stderr;
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert!(lines[0].starts_with(PROMPT), "{lines:?}");
    assert!(
        lines[1].starts_with("Waiting for the sign-in to finish in the browser"),
        "{lines:?}"
    );
    assert!(lines[2].starts_with(last), "{lines:?}");
    if let Some(saved) = saved {
        for secret in [access_token(saved), refresh_token(saved)] {
            assert!(
                !lines.iter().any(|line| line.contains(secret)),
                "login printed a token on stderr"
            );
        }
    }
}

fn saved_to(path: &Path) -> String {
    format!(
        "oauth2-sansio: signed in; credentials saved to {}",
        path.display()
    )
}

#[test]
fn login_saves_private_credentials_and_a_fresh_token_needs_no_network() {
    let server = InteropServer::start();
    let work = Workspace::new(&server, NATIVE_PUBLIC);

    let login = work.login(&server, &[]);
    expect_exit(&server, &login, 0, "login");
    assert!(login.stdout.is_empty(), "login --save printed on stdout");
    let (bytes, saved) = work.saved(&server);
    assert_login_stderr(&login, &saved_to(&work.credentials()), Some(&saved));
    assert_eq!(saved.client_id(), NATIVE_PUBLIC);
    assert!(saved.client_secret().is_none());
    assert_eq!(saved.token_uri().as_str(), server.token_endpoint());
    assert_eq!(saved.scopes(), SCOPES);
    assert_eq!(saved.freshness(SystemTime::now()), Freshness::Fresh);
    let claims = userinfo(&server, &saved);
    assert_eq!(claims["sub"], "user1");
    assert_eq!(claims["email"], "user1@example.test");

    let token = work.token();
    expect_exit(&server, &token, 0, "token");
    assert!(token.stderr.is_empty(), "{:?}", token.stderr);
    assert!(
        printed_token(&token) == access_token(&saved),
        "token did not print the saved access token"
    );
    assert!(
        fs::read(work.credentials()).unwrap() == bytes,
        "token changed a fresh file"
    );

    // With the server gone, a fresh token is still printed: no network.
    drop(server);
    let offline = work.token();
    assert_eq!(offline.status.code(), Some(0), "{}", outcome(&offline));
    assert!(
        printed_token(&offline) == access_token(&saved),
        "token did not print the saved access token"
    );
}

#[test]
fn stale_tokens_are_refreshed_and_each_rotated_refresh_token_saved() {
    let server = InteropServer::start_with(ServerOptions::default().access_token_ttl(STALE_TTL));
    let work = Workspace::new(&server, NATIVE_CONFIDENTIAL);

    let login = work.login(&server, &[]);
    expect_exit(&server, &login, 0, "login");
    let (_, mut before) = work.saved(&server);
    assert_login_stderr(&login, &saved_to(&work.credentials()), Some(&before));
    assert_eq!(before.freshness(SystemTime::now()), Freshness::Stale);

    for round in ["first", "second"] {
        let token = work.token();
        expect_exit(&server, &token, 0, &format!("the {round} refreshing token"));
        assert!(token.stderr.is_empty(), "{:?}", token.stderr);
        let (_, after) = work.saved(&server);
        let printed = printed_token(&token);
        assert!(
            printed == access_token(&after),
            "{round}: the printed token is not the saved one"
        );
        assert!(
            printed != access_token(&before),
            "{round}: the access token was not refreshed"
        );
        assert!(
            refresh_token(&after) != refresh_token(&before),
            "{round}: the rotated refresh token was not saved"
        );
        assert_eq!(after.client_id(), NATIVE_CONFIDENTIAL);
        assert!(
            after.client_secret().map(|s| s.secret()) == before.client_secret().map(|s| s.secret()),
            "{round}: the client secret changed"
        );
        assert_eq!(after.scopes(), SCOPES);
        // `printed` is the saved token, so this checks the printed one.
        assert_eq!(userinfo(&server, &after)["sub"], "user1");
        // Still within the threshold: the next `token` refreshes again,
        // with the refresh token just saved.
        assert_eq!(after.freshness(SystemTime::now()), Freshness::Stale);
        before = after;
    }
    // Reusing a rotated-out refresh token fails with invalid_grant and
    // revokes the grant: neither happened.
    let events = server.events();
    assert!(
        !events
            .iter()
            .any(|e| e["event"] == "grant.error" || e["event"] == "grant.revoked"),
        "{events:?}"
    );
}

#[test]
fn concurrent_token_runs_on_a_stale_file_keep_the_grant() {
    let server = InteropServer::start_with(ServerOptions::default().access_token_ttl(STALE_TTL));
    let work = Workspace::new(&server, NATIVE_PUBLIC);
    let login = work.login(&server, &[]);
    expect_exit(&server, &login, 0, "login");

    let path = work.credentials();
    let args = ["token", "--credentials", path.to_str().unwrap()];
    let first = Running::start(&mut oauth2_sansio(&args));
    let second = Running::start(&mut oauth2_sansio(&args));
    for (run, what) in [(first.finish(), "first"), (second.finish(), "second")] {
        expect_exit(
            &server,
            &run,
            0,
            &format!("the {what} of two concurrent tokens"),
        );
        printed_token(&run);
    }
    let after = work.token();
    expect_exit(&server, &after, 0, "token after the concurrent ones");
    assert_eq!(userinfo(&server, &work.saved(&server).1)["sub"], "user1");
}

#[test]
fn a_denied_login_exits_4_with_one_line_and_saves_nothing() {
    let server = InteropServer::start();
    let work = Workspace::new(&server, NATIVE_PUBLIC);

    let denied = work.login(&server, &["--login-hint", "deny"]);
    expect_exit(&server, &denied, 4, "a denied login");
    assert!(denied.stdout.is_empty(), "a denied login printed on stdout");
    assert_login_stderr(&denied, "oauth2-sansio: ", None);
    let message = &denied.stderr[2];
    assert!(message.contains("access_denied"), "{message}");
    assert!(
        message.contains("the test user denied the request"),
        "{message}"
    );
    assert!(!work.credentials().exists());
    assert_eq!(work.dir.entries(), ["client_secrets.json", "tmp"]);
    assert!(server.logged("authorization.error", "access_denied"));
}

#[test]
fn login_from_discovery_pushed_and_dpop_bound_then_token_and_revoke_use_the_key() {
    let server = InteropServer::start_with(ServerOptions::default().access_token_ttl(STALE_TTL));
    let work = Workspace::new(&server, NATIVE_PUBLIC);
    // With --issuer the file names only the client.
    fs::write(
        &work.secrets,
        format!(r#"{{"installed":{{"client_id":"{NATIVE_PUBLIC}"}}}}"#),
    )
    .unwrap();

    let login = work.login(&server, &["--issuer", server.issuer(), "--par", "--dpop"]);
    expect_exit(&server, &login, 0, "login --issuer --par --dpop");
    let (bytes, saved) = work.saved(&server);
    assert_login_stderr(&login, &saved_to(&work.credentials()), Some(&saved));
    let file: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(file["token_type"], "DPoP");
    assert_eq!(file["dpop_key"]["crv"], "P-256");
    let key = saved
        .dpop_key()
        .expect("the saved credentials are DPoP-bound");
    let saw = |event: &str| server.events().iter().any(|e| e["event"] == event);
    assert!(!saw("pushed_authorization_request.error"));

    // A stale token: refreshed with the saved key (a new process, so one
    // nonce retry), printed as a DPoP token, the file replaced.
    let path = work.credentials();
    let token = Running::run(&mut oauth2_sansio(&[
        "token",
        "--credentials",
        path.to_str().unwrap(),
        "--format",
        "json",
    ]));
    expect_exit(&server, &token, 0, "token --format json");
    let printed: serde_json::Value = serde_json::from_str(&token.stdout).unwrap();
    assert_eq!(printed["token_type"], "DPoP");
    let (_, after) = work.saved(&server);
    assert_eq!(printed["access_token"], access_token(&after));
    assert_ne!(access_token(&after), access_token(&saved), "refreshed");
    assert_eq!(
        after.dpop_key().map(|k| k.thumbprint()),
        Some(key.thumbprint())
    );
    assert!(!saw("grant.revoked"));

    let revoked = Running::run(&mut oauth2_sansio(&[
        "revoke",
        "--credentials",
        path.to_str().unwrap(),
        "--revocation-endpoint",
        &server.revocation_endpoint(),
    ]));
    expect_exit(&server, &revoked, 0, "revoke");
    assert!(!path.exists(), "revoke removes the file");
}
