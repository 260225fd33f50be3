//! The device authorization grant (RFC 8628) against the real oidc-provider
//! (tests/interop/): the codes from its `/device/auth`, the user's approval
//! (or refusal) through its `/device` HTML pages by a cookie-keeping user
//! agent, the polling machine over the real `UreqTransport` with real
//! sleeps, and the tokens used at the userinfo endpoint. With the `cli`
//! feature, `oauth2-sansio login --device` does the same as a subprocess.
//!
//! The provider sends no `interval` (so clients wait 5 s); the device
//! endpoint URL here carries `?interop_interval=1`, which interop/server.mjs
//! answers with `"interval": 1`, so the polls come every second.
//! Setup, once per machine: `bash scripts/interop-setup.sh`.

#[path = "interop/mod.rs"]
mod harness;

#[cfg(feature = "cli")]
mod cli_support;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, SystemTime};

use oauth2_sansio::device::{DeviceAuthorization, DEFAULT_POLL_INTERVAL};
use oauth2_sansio::io::ureq::UreqTransport;
use oauth2_sansio::url::Url;
use oauth2_sansio::{drive, Client, Error, ErrorCode, UserCredentials};
use ureq::Agent;

use harness::{userinfo, CookieJar, InteropServer, NATIVE_CONFIDENTIAL, NATIVE_PUBLIC, SCOPES};

/// The device endpoint, asking server.mjs for a one-second interval.
fn fast_device_endpoint(server: &InteropServer) -> String {
    server.url("/device/auth?interop_interval=1")
}

fn device_client(server: &InteropServer, client_id: &str) -> Client {
    server
        .client_builder(client_id)
        .device_authorization_endpoint(fast_device_endpoint(server))
        .build()
        .unwrap_or_else(|e| server.fail(format!("client {client_id}: {e}")))
}

/// The user, in a browser on another device: a cookie jar and the
/// provider's `/device` forms. Redirects are followed by hand, within the
/// provider's origin.
struct DeviceUser {
    agent: Agent,
    jar: CookieJar,
    trace: Vec<String>,
}

/// How the user answers the confirmation page.
#[derive(Clone, Copy)]
enum Choice {
    Approve,
    Refuse,
}

impl DeviceUser {
    fn new() -> Self {
        let agent = Agent::config_builder()
            .max_redirects(0)
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(20)))
            .build()
            .new_agent();
        Self {
            agent,
            jar: CookieJar::new(),
            trace: Vec::new(),
        }
    }

    /// Opens `verification_uri`, enters `user_code`, and approves or
    /// refuses; returns the text of the page the provider ends on.
    fn enter(
        &mut self,
        verification_uri: &Url,
        user_code: &str,
        choice: Choice,
    ) -> Result<String, String> {
        let (_, _, page) = self.request(verification_uri, None)?;
        let xsrf = hidden(&page, "xsrf")?;
        let (_, _, confirm) = self.request(
            verification_uri,
            Some(&[("xsrf", &xsrf), ("user_code", user_code)]),
        )?;
        let xsrf = hidden(&confirm, "xsrf")?;
        let answer = match choice {
            Choice::Approve => ("confirm", "yes"),
            Choice::Refuse => ("abort", "yes"),
        };
        let form = [("xsrf", xsrf.as_str()), ("user_code", user_code), answer];
        let (mut status, mut location, mut body) = self.request(verification_uri, Some(&form))?;
        let mut url = verification_uri.clone();
        for _ in 0..10 {
            let Some(next) = location.take() else {
                return if status == 200 || matches!(choice, Choice::Refuse) {
                    Ok(text(&body))
                } else {
                    Err(format!("HTTP {status}: {}", text(&body)))
                };
            };
            url = url
                .join(&next)
                .map_err(|e| format!("bad Location {next}: {e}"))?;
            if url.origin() != verification_uri.origin() {
                return Err(format!("redirected off the provider to {url}"));
            }
            (status, location, body) = self.request(&url, None)?;
        }
        Err(format!("too many redirects: {:?}", self.trace))
    }

    /// A GET, or a POST of `form`, with the jar's cookies; returns the
    /// status, the `Location` (for a 3xx) and the body.
    fn request(
        &mut self,
        url: &Url,
        form: Option<&[(&str, &str)]>,
    ) -> Result<(u16, Option<String>, String), String> {
        let cookies = self.jar.header();
        let result = match form {
            None => {
                let mut request = self.agent.get(url.as_str());
                if let Some(cookies) = &cookies {
                    request = request.header("Cookie", cookies);
                }
                request.call()
            }
            Some(form) => {
                let mut request = self.agent.post(url.as_str());
                if let Some(cookies) = &cookies {
                    request = request.header("Cookie", cookies);
                }
                request.send_form(form.iter().copied())
            }
        };
        let mut response = result.map_err(|e| {
            format!(
                "{} {}: {e}",
                if form.is_some() { "POST" } else { "GET" },
                url.path()
            )
        })?;
        for set_cookie in response.headers().get_all("set-cookie") {
            if let Ok(value) = set_cookie.to_str() {
                self.jar.store(value, SystemTime::now());
            }
        }
        let status = response.status().as_u16();
        self.trace.push(format!(
            "{} {} -> {status}",
            if form.is_some() { "POST" } else { "GET" },
            url.path()
        ));
        let location = (300..400)
            .contains(&status)
            .then(|| {
                response
                    .headers()
                    .get("location")?
                    .to_str()
                    .ok()
                    .map(str::to_owned)
            })
            .flatten();
        let body = response
            .body_mut()
            .with_config()
            .limit(64 * 1024)
            .read_to_string()
            .map_err(|e| format!("reading {}: {e}", url.path()))?;
        Ok((status, location, body))
    }
}

/// The value of the hidden form input `name` on `page`.
fn hidden(page: &str, name: &str) -> Result<String, String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page
        .find(&marker)
        .map(|i| i + marker.len())
        .ok_or_else(|| format!("no {name} input on the page: {}", text(page)))?;
    let end = page[start..].find('"').ok_or("unterminated value")?;
    Ok(page[start..start + end].to_owned())
}

/// A page's visible words.
fn text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => {
                in_tag = true;
                out.push(' ');
            }
            '>' => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// One poll as the transport saw it.
#[derive(Debug)]
struct Poll {
    sent_at: SystemTime,
    status: u16,
}

/// Drives the device authorization call for `client`.
fn start(server: &InteropServer, client: &Client) -> DeviceAuthorization {
    let call = server.check(
        client.device_authorization().scopes(SCOPES).build(),
        "building the device authorization request",
    );
    server.check(
        UreqTransport::new().run(call),
        "the device authorization request",
    )
}

/// Polls for `authorization` over the real transport with real sleeps; the
/// user answers with `choice` in another thread once the first poll has
/// been answered (so that the server's `authorization_pending` is seen).
fn poll_while_the_user_answers(
    authorization: DeviceAuthorization,
    choice: Choice,
) -> (
    Result<UserCredentials, Error>,
    Vec<Poll>,
    Result<String, String>,
) {
    let verification_uri = authorization.verification_uri().clone();
    let user_code = authorization.user_code().to_owned();
    let transport = UreqTransport::new();
    let (first_answer, answered) = mpsc::channel();
    let mut polls = Vec::new();
    let user_failed = AtomicBool::new(false);
    thread::scope(|scope| {
        let user_failed = &user_failed;
        let user = scope.spawn(move || {
            let page = answered
                .recv_timeout(Duration::from_secs(30))
                .map_err(|_| "no poll was answered".to_owned())
                .and_then(|()| DeviceUser::new().enter(&verification_uri, &user_code, choice));
            user_failed.store(page.is_err(), Ordering::Relaxed);
            page
        });
        let result = drive(
            authorization.into_poll(),
            SystemTime::now,
            |request| {
                if user_failed.load(Ordering::Relaxed) {
                    // Ends the machine at once instead of polling until the
                    // code expires; the caller reports the user's failure.
                    return Ok(http::Response::builder()
                        .status(400)
                        .body(br#"{"error":"test_user_failed"}"#.to_vec())
                        .expect("a valid response"));
                }
                let sent_at = SystemTime::now();
                let response = transport.send(request)?;
                polls.push(Poll {
                    sent_at,
                    status: response.status().as_u16(),
                });
                let _ = first_answer.send(());
                Ok(response)
            },
            |until| {
                if let Ok(wait) = until.duration_since(SystemTime::now()) {
                    thread::sleep(wait);
                }
            },
        );
        let page = user.join().expect("the user thread does not panic");
        (result, std::mem::take(&mut polls), page)
    })
}

/// At least one `authorization_pending`, and never two polls less than the
/// one-second interval apart.
fn assert_polled_politely(server: &InteropServer, polls: &[Poll]) {
    assert!(polls.len() >= 2, "{polls:?}");
    assert_eq!(
        polls[0].status, 400,
        "the first poll must be pending: {polls:?}"
    );
    for pair in polls.windows(2) {
        let gap = pair[1]
            .sent_at
            .duration_since(pair[0].sent_at)
            .unwrap_or_default();
        if gap < Duration::from_secs(1) {
            server.fail(format!("polls {gap:?} apart: {polls:?}"));
        }
    }
}

fn approve_and_check(client_id: &str) {
    let server = InteropServer::start();
    let client = device_client(&server, client_id);
    let authorization = start(&server, &client);
    assert_eq!(authorization.response().interval(), Duration::from_secs(1));
    assert!(authorization
        .verification_uri()
        .as_str()
        .starts_with(&server.url("/device")));
    let (result, polls, page) = poll_while_the_user_answers(authorization, Choice::Approve);
    let page = server.check(page, "the approval on the /device pages");
    assert!(page.contains("Device sign-in complete"), "{page}");
    let credentials = server.check(result, "polling for the device's tokens");
    assert_polled_politely(&server, &polls);
    assert!(credentials.refresh_token().is_some(), "no refresh token");
    assert!(credentials.id_token().is_some(), "no ID token for openid");
    let claims = userinfo(&server, &credentials);
    assert_eq!(claims["sub"], "user1");
    assert_eq!(claims["email"], "user1@example.test");
}

#[test]
fn a_public_client_is_approved_through_the_device_pages() {
    approve_and_check(NATIVE_PUBLIC);
}

#[test]
fn a_confidential_client_with_basic_auth_is_approved() {
    approve_and_check(NATIVE_CONFIDENTIAL);
}

#[test]
fn a_refusal_on_the_device_pages_ends_polling_with_access_denied() {
    let server = InteropServer::start();
    let client = device_client(&server, NATIVE_PUBLIC);
    let authorization = start(&server, &client);
    let (result, polls, page) = poll_while_the_user_answers(authorization, Choice::Refuse);
    server.check(page, "the refusal on the /device pages");
    match result {
        Err(Error::OAuth(e)) if *e.code() == ErrorCode::AccessDenied => {}
        other => server.fail(format!("expected access_denied, got {other:?}")),
    }
    assert_polled_politely(&server, &polls);
}

#[test]
fn without_the_test_switch_the_provider_sends_no_interval_and_five_seconds_apply() {
    let server = InteropServer::start();
    let client = server
        .client_builder(NATIVE_PUBLIC)
        .device_authorization_endpoint(server.device_authorization_endpoint())
        .build()
        .unwrap();
    let authorization = start(&server, &client);
    assert!(!authorization.response().extra().contains_key("interval"));
    assert_eq!(authorization.response().interval(), DEFAULT_POLL_INTERVAL);
    let poll = authorization.into_poll();
    assert_eq!(poll.interval(), Duration::from_secs(5));
}

/// `oauth2-sansio login --device`, as a subprocess, approved (or refused)
/// by the test through the `/device` pages with the code the tool printed.
#[cfg(feature = "cli")]
mod cli {
    use super::*;
    use cli_support::{mode, oauth2_sansio, Finished, Running, Scratch};

    /// Runs `login --device` for the public client with `extra` arguments,
    /// answers on the `/device` pages with `choice` using the URI and code
    /// from the tool's first stderr line, and waits for the tool to exit.
    fn login_device(
        server: &InteropServer,
        scratch: &Scratch,
        extra: &[&str],
        choice: Choice,
    ) -> Finished {
        let secrets = scratch.write(
            "client_secrets.json",
            &server.client_secrets_json(NATIVE_PUBLIC),
        );
        let device_endpoint = fast_device_endpoint(server);
        let mut args = vec![
            "login",
            "--device",
            "--device-endpoint",
            &device_endpoint,
            "--client-secrets",
            &secrets,
            "--scope",
            "openid",
            "--scope",
            "email",
        ];
        args.extend_from_slice(extra);
        let mut running = Running::start(&mut oauth2_sansio(&args));
        let prompt = running.stderr_line();
        let (uri, code) =
            parse_prompt(&prompt).unwrap_or_else(|| panic!("no URI and code in {prompt:?}"));
        let page = server.check(
            DeviceUser::new().enter(&uri, &code, choice),
            "the answer on the /device pages",
        );
        if matches!(choice, Choice::Approve) {
            assert!(page.contains("Device sign-in complete"), "{page}");
        }
        running.finish()
    }

    #[test]
    fn login_device_prints_the_code_waits_and_saves() {
        let server = InteropServer::start();
        let scratch = Scratch::new();
        let saved = scratch.path("credentials.json");
        let finished = login_device(
            &server,
            &scratch,
            &["--save", saved.to_str().unwrap()],
            Choice::Approve,
        );
        assert_eq!(finished.code(), 0, "{finished:?}");
        assert_eq!(finished.stdout, "");
        assert!(
            finished
                .stderr
                .iter()
                .any(|l| l.contains("credentials saved to")),
            "{finished:?}"
        );
        assert_eq!(mode(&saved), 0o600);
        let credentials =
            UserCredentials::from_authorized_user_json(&std::fs::read(&saved).unwrap())
                .expect("the tool saves authorized_user JSON");
        assert!(credentials.refresh_token().is_some());
        assert_eq!(userinfo(&server, &credentials)["sub"], "user1");
    }

    #[test]
    fn login_device_refused_exits_4() {
        let server = InteropServer::start();
        let finished = login_device(&server, &Scratch::new(), &[], Choice::Refuse);
        assert_eq!(finished.code(), 4, "{finished:?}");
        assert_eq!(finished.stdout, "");
        let last = finished.stderr.last().unwrap();
        assert!(
            last.starts_with("oauth2-sansio: ") && last.contains("access_denied"),
            "{last}"
        );
    }

    /// `… visit <URI> and enter the code <CODE>` -> (URI, CODE).
    fn parse_prompt(line: &str) -> Option<(Url, String)> {
        let after_visit = line.split_once("visit ")?.1;
        let (uri, rest) = after_visit.split_once(' ')?;
        let code = rest.rsplit(' ').next()?;
        Some((Url::parse(uri).ok()?, code.to_owned()))
    }
}
