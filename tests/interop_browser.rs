//! The installed-app runner with a real system browser: headless Chromium
//! (tests/headless_chromium/) opens the authorization URL, follows
//! oidc-provider's auto-approving login and consent (tests/interop/) and
//! lands on the runner's loopback listener; the runner exchanges the code
//! over `UreqTransport`. Nobody clicks anything.
//!
//! Setup, once per machine: `bash scripts/interop-setup.sh` (the pinned
//! oidc-provider and Debian's chromium). Every test checks that no Chromium
//! process is left and that its profile directory is gone.

#[path = "headless_chromium/mod.rs"]
mod chromium;
#[path = "interop/mod.rs"]
mod harness;

use std::io::{self, Write};
use std::net::{Ipv6Addr, TcpListener};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use oauth2_sansio::io::installed::{InstalledAppError, InstalledAppFlow, LoopbackHost, PROMPT};
use oauth2_sansio::rand_core::UnwrapErr;
use oauth2_sansio::url::Url;
use oauth2_sansio::{CallbackError, ErrorCode, UserCredentials};
use rand::rngs::SysRng;

use chromium::{chromium_children_of_this_thread, HeadlessChromium};
use harness::{userinfo, InteropServer, NATIVE_CONFIDENTIAL, NATIVE_PUBLIC, SCOPES};

/// The runner's timeout: a flow takes about a second here.
const RUN_TIMEOUT: Duration = Duration::from_secs(60);

/// The runner's prompt output, kept for the test.
#[derive(Clone, Default)]
struct Prompt(Arc<Mutex<Vec<u8>>>);

impl Write for Prompt {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Prompt {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(|e| e.into_inner())).into_owned()
    }
}

/// One run of the runner with Chromium as the browser.
struct BrowserRun {
    result: Result<UserCredentials, InstalledAppError>,
    /// The `redirect_uri` of the authorization URL the runner printed, as
    /// sent.
    redirect_uri: String,
}

/// Runs `flow` (already configured for `client_id`) with a fresh headless
/// Chromium, then makes sure every Chromium process is gone and its
/// profile removed before returning.
fn run_in_chromium(
    server: &InteropServer,
    client_id: &str,
    configure: impl FnOnce(InstalledAppFlow) -> InstalledAppFlow,
) -> BrowserRun {
    let chromium = HeadlessChromium::new();
    let prompt = Prompt::default();
    let flow = InstalledAppFlow::new(server.client(client_id))
        .scopes(SCOPES)
        .browser(chromium.browser())
        .timeout(RUN_TIMEOUT)
        .prompt_to(prompt.clone());
    let flow = configure(flow);
    let started = Instant::now();
    let result = flow.run_with_ureq(&mut UnwrapErr(SysRng));
    let took = started.elapsed();

    let profile = chromium.profile().to_owned();
    let cleanup = chromium.finish();
    eprintln!(
        "{client_id}: browser flow took {took:?}; chromium exited {:?} later",
        cleanup.exit_wait
    );
    // `finish` waited until `pgrep -f user-data-dir=<profile>` found nothing.
    if !cleanup.is_clean() {
        server.fail(format!(
            "chromium did not exit by itself: {cleanup:?}; the flow ended with {:?}",
            result.as_ref().err()
        ));
    }
    assert!(!profile.exists(), "{} is left", profile.display());

    let text = prompt.text();
    assert!(
        !text.contains("Could not open a browser"),
        "the runner could not start chromium: {text}"
    );
    let url = text
        .lines()
        .find_map(|line| line.strip_prefix(PROMPT))
        .unwrap_or_else(|| panic!("no prompt line in {text:?}"));
    let url = Url::parse(url).expect("the prompt holds a URL");
    let redirect_uri = url
        .query_pairs()
        .find(|(name, _)| name == "redirect_uri")
        .map(|(_, value)| value.into_owned())
        .expect("the authorization URL has redirect_uri");
    BrowserRun {
        result,
        redirect_uri,
    }
}

/// Credentials for `user1` with a refresh token and the scopes asked for,
/// whose access token the userinfo endpoint accepts.
fn assert_signed_in(server: &InteropServer, run: BrowserRun) {
    let credentials = server.check(run.result, "the installed-app flow with chromium");
    assert!(credentials.refresh_token().is_some(), "no refresh token");
    assert!(credentials.id_token().is_some(), "no ID token for openid");
    let granted = credentials
        .granted_scopes()
        .expect("the server returns scope");
    for scope in SCOPES {
        assert!(
            granted.iter().any(|g| g == scope),
            "{scope} not granted: {granted:?}"
        );
    }
    let claims = userinfo(server, &credentials);
    assert_eq!(claims["sub"], "user1");
    assert_eq!(claims["email"], "user1@example.test");
}

/// The runner released the redirect URI's port: it can be bound again.
fn assert_released(redirect_uri: &str) {
    let addrs = Url::parse(redirect_uri)
        .expect("a redirect URI")
        .socket_addrs(|| None)
        .expect("a loopback address");
    for addr in addrs {
        if let Err(e) = TcpListener::bind(addr) {
            // `localhost` may resolve to [::1] on a machine without it.
            if !(addr.is_ipv6() && e.kind() == io::ErrorKind::AddrNotAvailable) {
                panic!("the runner still holds {addr}: {e}");
            }
        }
    }
}

fn port_of(redirect_uri: &str) -> u16 {
    Url::parse(redirect_uri)
        .expect("a redirect URI")
        .port()
        .expect("the redirect URI has the port")
}

/// Signs `client_id` in through Chromium with the flow as `configure`
/// leaves it; checks the redirect URI the runner used (`expected` of its
/// port, exactly as sent), the credentials, and that the port is free again.
fn signs_in(
    client_id: &str,
    configure: impl FnOnce(InstalledAppFlow) -> InstalledAppFlow,
    expected: fn(u16) -> String,
) {
    let server = InteropServer::start();
    let run = run_in_chromium(&server, client_id, configure);
    let redirect_uri = run.redirect_uri.clone();
    assert_eq!(redirect_uri, expected(port_of(&redirect_uri)));
    assert_signed_in(&server, run);
    assert_released(&redirect_uri);
}

#[test]
fn public_pkce_client_signs_in_through_headless_chromium() {
    signs_in(
        NATIVE_PUBLIC,
        |flow| flow,
        |port| format!("http://127.0.0.1:{port}/"),
    );
}

#[test]
fn confidential_native_client_signs_in_through_headless_chromium() {
    signs_in(
        NATIVE_CONFIDENTIAL,
        |flow| flow,
        |port| format!("http://127.0.0.1:{port}/"),
    );
}

#[test]
fn localhost_redirect_uri_works_with_chromium() {
    signs_in(
        NATIVE_PUBLIC,
        |flow| flow.host(LoopbackHost::Localhost),
        |port| format!("http://localhost:{port}/"),
    );
}

#[test]
fn ipv6_loopback_redirect_uri_works_with_chromium() {
    match TcpListener::bind((Ipv6Addr::LOCALHOST, 0)) {
        Err(e) if e.kind() == io::ErrorKind::AddrNotAvailable => {
            eprintln!("NOTE: skipped: this machine has no IPv6 loopback ({e})");
            return;
        }
        other => drop(other.expect("binding [::1]")),
    }
    signs_in(
        NATIVE_CONFIDENTIAL,
        |flow| flow.host(LoopbackHost::Ipv6),
        |port| format!("http://[::1]:{port}/"),
    );
}

#[test]
fn redirect_uri_without_trailing_slash_works_with_chromium() {
    // The browser requests `/` for `http://127.0.0.1:PORT?code=..`, while
    // the server compares the registered `http://127.0.0.1` exactly.
    signs_in(
        NATIVE_PUBLIC,
        |flow| flow.trailing_slash(false),
        |port| format!("http://127.0.0.1:{port}"),
    );
}

#[test]
fn access_denied_in_the_browser_is_the_typed_callback_error() {
    let server = InteropServer::start();
    let run = run_in_chromium(&server, NATIVE_PUBLIC, |flow| {
        flow.configure_request(|request| request.login_hint("deny"))
    });
    match &run.result {
        Err(InstalledAppError::Callback(CallbackError::Authorization(e))) => {
            assert_eq!(e.code(), &ErrorCode::AccessDenied);
            assert_eq!(e.description(), Some("the test user denied the request"));
        }
        other => server.fail(format!("a denied sign-in gave {other:?}")),
    }
    assert_released(&run.redirect_uri);
}

#[test]
fn the_runner_reaps_the_browser_it_started() {
    let server = InteropServer::start();
    let run = run_in_chromium(&server, NATIVE_PUBLIC, |flow| flow);
    // Chromium has exited (run_in_chromium waited for every process of its
    // profile); a process that exited is gone only once its parent reaps it,
    // which the runner does on a thread of its own: allow it a moment.
    let zombies = || -> Vec<u32> {
        chromium_children_of_this_thread()
            .into_iter()
            .filter(|&(_, state)| state == 'Z')
            .map(|(pid, _)| pid)
            .collect()
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let mut unreaped = zombies();
    while !unreaped.is_empty() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
        unreaped = zombies();
    }
    assert!(
        unreaped.is_empty(),
        "chromium processes the runner started and never reaped: {unreaped:?}"
    );
    assert_signed_in(&server, run);
}
