//! The web-server flow end to end: examples/web_server.rs (axum) in front
//! of oidc-provider. A user signs in in headless Chromium and the page
//! shows who they are, from userinfo; then, with a plain HTTP client
//! playing browsers, a replayed callback, a callback taken to another
//! session, a callback after sign-out and a sign-out without the session's
//! CSRF token are all refused.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use oauth2_sansio::io::ureq::UreqTransport;
use oauth2_sansio::url::Url;
use testkit::chromium::HeadlessChromium;
use testkit::interop::{InteropServer, ServerOptions, UserAgent};
use testkit::scratch::Scratch;

/// The example's client, registered in interop/clients.json.
const CLIENT_ID: &str = "web-loopback";
const CLIENT_SECRET: &str = "web-loopback secret";

/// How long the example may take to start, and Chromium to sign in.
const PATIENCE: Duration = Duration::from_secs(60);

/// The example app, running; killed by PID when dropped.
struct WebApp {
    child: Child,
    base: String,
    _dir: Scratch,
}

impl WebApp {
    /// Starts examples/web_server (built by `cargo test`, beside this test
    /// binary) for `server`, on a free loopback port.
    fn start(server: &InteropServer) -> Self {
        let dir = Scratch::new();
        let secrets = dir.write(
            "client_secrets.json",
            &serde_json::json!({"web": {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}})
                .to_string(),
        );
        let mut child = Command::new(example("web_server"))
            .args([secrets.as_str(), server.issuer(), "127.0.0.1:0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start the web_server example: {e}"));
        let stdout = child.stdout.take().expect("piped");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(base) = line.strip_prefix("LISTENING ") {
                    let _ = tx.send(base.to_owned());
                }
            }
        });
        let base = match rx.recv_timeout(PATIENCE) {
            Ok(base) => base,
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("the web_server example did not start within {PATIENCE:?}");
            }
        };
        Self {
            child,
            base,
            _dir: dir,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

impl Drop for WebApp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An example beside the test binary: target/<profile>/examples/<name>.
fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    let profile = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target/<profile>/deps");
    let path = profile.join("examples").join(name);
    assert!(
        path.is_file(),
        "{} is missing: run the tests with `cargo test --all-features` (it builds the examples)",
        path.display()
    );
    path
}

/// One answer of the app: status, `Location`, the session cookie it set
/// (`name=value`), and the page.
struct Answer {
    status: u16,
    location: Option<String>,
    cookie: Option<String>,
    body: String,
}

/// A request to the app as a browser with `cookie` makes it, redirects not
/// followed.
fn request(method: &str, url: &str, cookie: Option<&str>, form: Option<&str>) -> Answer {
    let mut request = http::Request::builder().method(method).uri(url);
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    if form.is_some() {
        request = request.header("content-type", "application/x-www-form-urlencoded");
    }
    let request = request
        .body(form.unwrap_or("").as_bytes().to_vec())
        .expect("a valid request");
    let response = UreqTransport::new().send(request).expect("the app answers");
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned)
    };
    Answer {
        status: response.status().as_u16(),
        location: header("location"),
        cookie: header("set-cookie").and_then(|c| c.split(';').next().map(str::to_owned)),
        body: String::from_utf8_lossy(response.body()).into_owned(),
    }
}

/// A browser session: `/login` (the session cookie it sets), then the
/// provider's sign-in, up to the callback URL, not yet opened.
fn start_sign_in(app: &WebApp, cookie: Option<&str>) -> (String, Url) {
    let login = request("GET", &app.url("/login"), cookie, None);
    assert_eq!(login.status, 303, "{}", login.body);
    let session = login.cookie.expect("/login sets the session cookie");
    let authorization = Url::parse(&login.location.expect("to the provider")).unwrap();
    let callback = UserAgent::new()
        .authorize(&authorization, &app.url("/callback"))
        .expect("the provider signs user1 in");
    (session, callback)
}

#[test]
fn a_user_signs_in_in_a_real_browser_and_sees_who_they_are() {
    let server = InteropServer::start();
    let app = WebApp::start(&server);
    let chromium = HeadlessChromium::new();

    let page = chromium.dump_dom(&app.url("/login"), PATIENCE);
    assert!(
        page.contains("Signed in as <b>user1</b> (user1@example.test)"),
        "the last page: {page}"
    );
    // The session lives in the browser's cookie, nowhere else: the same
    // browser, later, is still signed in.
    let again = chromium.dump_dom(&app.url("/me"), PATIENCE);
    assert!(again.contains("Signed in as <b>user1</b>"), "{again}");
    assert!(
        !again.contains("access_token") && !again.contains("refresh_token"),
        "no token reaches the browser"
    );
    let cleanup = chromium.finish();
    assert!(cleanup.is_clean(), "{cleanup:?}");
}

#[test]
fn replayed_crossed_and_late_callbacks_and_forged_sign_outs_are_refused() {
    let server = InteropServer::start();
    let app = WebApp::start(&server);

    // A genuine callback signs the session in, once.
    let (session, callback) = start_sign_in(&app, None);
    let back = request("GET", callback.as_str(), Some(&session), None);
    assert_eq!(
        (back.status, back.location.as_deref()),
        (303, Some("/me")),
        "{}",
        back.body
    );
    let me = request("GET", &app.url("/me"), Some(&session), None);
    assert!(me.body.contains("Signed in as <b>user1</b>"), "{}", me.body);
    let replayed = request("GET", callback.as_str(), Some(&session), None);
    assert_eq!(
        replayed.status, 400,
        "a replayed callback: {}",
        replayed.body
    );

    // A callback taken to another session: refused (its state is not that
    // session's), and that session's own sign-in is spent.
    let (_, stolen) = start_sign_in(&app, None);
    let (other, _) = start_sign_in(&app, None);
    let crossed = request("GET", stolen.as_str(), Some(&other), None);
    assert_eq!(
        crossed.status, 400,
        "another session's callback: {}",
        crossed.body
    );
    assert!(crossed.body.contains("Sign-in refused"), "{}", crossed.body);

    // Sign-out needs the session's CSRF token.
    let forged = request(
        "POST",
        &app.url("/logout"),
        Some(&session),
        Some("csrf=guess"),
    );
    assert_eq!(forged.status, 403, "{}", forged.body);
    let csrf = me
        .body
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the sign-out form's token")
        .to_owned();

    // A sign-in started, then the session signed out: its callback finds
    // nothing.
    let login = request("GET", &app.url("/login"), Some(&session), None);
    let authorization = Url::parse(&login.location.unwrap()).unwrap();
    let late = UserAgent::new()
        .authorize(&authorization, &app.url("/callback"))
        .unwrap();
    let signed_out = request(
        "POST",
        &app.url("/logout"),
        Some(&session),
        Some(&format!("csrf={csrf}")),
    );
    assert_eq!(
        (signed_out.status, signed_out.location.as_deref()),
        (303, Some("/"))
    );
    assert_eq!(
        signed_out.cookie.as_deref(),
        Some("session="),
        "the cookie is cleared"
    );
    let after = request("GET", late.as_str(), Some(&session), None);
    assert_eq!(
        after.status, 400,
        "a callback after sign-out: {}",
        after.body
    );
    let me = request("GET", &app.url("/me"), Some(&session), None);
    assert_eq!(me.location.as_deref(), Some("/"), "signed out");
    let events = server.events();
    assert!(
        !events.iter().any(|e| e["event"] == "revocation.error"),
        "the refresh token was revoked without error: {events:?}"
    );
}

#[test]
fn once_the_access_token_expires_concurrent_pages_share_one_refresh() {
    let server = InteropServer::start_with(
        ServerOptions::default().access_token_ttl(Duration::from_secs(2)),
    );
    let app = WebApp::start(&server);
    let (session, callback) = start_sign_in(&app, None);
    let back = request("GET", callback.as_str(), Some(&session), None);
    assert_eq!(back.status, 303, "{}", back.body);
    let grants = || {
        server
            .events()
            .iter()
            .filter(|e| e["event"] == "grant.success")
            .count()
    };
    assert_eq!(grants(), 1, "the code exchange");

    std::thread::sleep(Duration::from_secs(3));
    let me = app.url("/me");
    let pages: Vec<_> = (0..10)
        .map(|_| {
            let (me, session) = (me.clone(), session.clone());
            std::thread::spawn(move || request("GET", &me, Some(&session), None))
        })
        .collect();
    for page in pages {
        let page = page.join().unwrap();
        assert!(
            page.body.contains("Signed in as <b>user1</b>"),
            "{}",
            page.body
        );
    }
    assert_eq!(grants(), 2, "one refresh for the ten pages");
    let events = server.events();
    assert!(
        !events.iter().any(|e| e["event"] == "grant.error"),
        "no refresh token was used twice: {events:?}"
    );
}
