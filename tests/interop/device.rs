//! The device authorization grant (RFC 8628) against the real oidc-provider:
//! the codes from its `/device/auth`, the user's approval (or refusal)
//! through its `/device` HTML pages by a cookie-keeping user agent, the
//! polling machine over the real `UreqTransport` with real sleeps, and the
//! tokens used at the userinfo endpoint. `oauth2-sansio login --device`
//! does the same as a subprocess in tests/cli/.
//!
//! The provider sends no `interval` (so clients wait 5 s); the device
//! endpoint URL here carries `?interop_interval=1`, which interop/server.mjs
//! answers with `"interval": 1`, so the polls come every second.

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, SystemTime};

use oauth2_sansio::device::{DeviceAuthorization, DEFAULT_POLL_INTERVAL};
use oauth2_sansio::io::ureq::UreqTransport;
use oauth2_sansio::{drive, Client, Error, ErrorCode, UserCredentials};
use testkit::interop::{
    fast_device_endpoint, userinfo, Choice, DeviceUser, InteropServer, NATIVE_CONFIDENTIAL,
    NATIVE_PUBLIC, SCOPES,
};

fn device_client(server: &InteropServer, client_id: &str) -> Client {
    server
        .client_builder(client_id)
        .device_authorization_endpoint(fast_device_endpoint(server))
        .build()
        .unwrap_or_else(|e| server.fail(format!("client {client_id}: {e}")))
}

/// One poll: when the machine sent it (the time it was given), and the
/// answer's status.
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
        // A poll is sent at the time the machine was given when it asked
        // to send it: the interval is counted from there, whatever the
        // driver does (building a first request takes longer) before the
        // bytes leave.
        let polled_at = Cell::new(SystemTime::UNIX_EPOCH);
        let result = drive(
            authorization.into_poll(),
            || {
                polled_at.set(SystemTime::now());
                polled_at.get()
            },
            |request| {
                if user_failed.load(Ordering::Relaxed) {
                    // Ends the machine at once instead of polling until the
                    // code expires; the caller reports the user's failure.
                    return Ok(http::Response::builder()
                        .status(400)
                        .body(br#"{"error":"test_user_failed"}"#.to_vec())
                        .expect("a valid response"));
                }
                let sent_at = polled_at.get();
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
