//! Transcript tests of the device authorization grant (RFC 8628) on the
//! fake clock: the device authorization request, then the exact sequence of
//! `Wait`s and polls for pending, `slow_down`, denial, expiry (the server's
//! and the machine's own) and transport failures. Every request takes
//! [`ROUND_TRIP`] (1 s) of fake time; a `Wait` moves the clock to its
//! deadline.

use std::collections::VecDeque;
use std::time::{Duration, SystemTime};

use oauth2_sansio::device::{
    DeviceAuthorization, DeviceDialect, DevicePoll, DEFAULT_POLL_INTERVAL, SLOW_DOWN_STEP,
};
use oauth2_sansio::{
    Client, ClientAuthMethod, ClientSecret, Error, ErrorCode, InvalidResponse, Machine, Misuse,
    OAuthError, Step, TransportFailure, TransportFailureKind, UserCredentials, WaitReason,
};
use testkit::world::{
    Event, FakeClock, Sent, Summary, INSTALLED_ID, INSTALLED_SECRET, PUBLIC_ID, ROUND_TRIP,
    TOKEN_URI,
};

const DEVICE_URI: &str = "http://127.0.0.1:9000/device/code";
/// `installed-app:installed-app-secret`, form-urlencoded, then base64.
const BASIC: &str = "Basic aW5zdGFsbGVkLWFwcDppbnN0YWxsZWQtYXBwLXNlY3JldA==";
const DEVICE_CODE: &str = "AH-1Ng2/devicecode";
const RFC_GRANT: &str = "urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code";
const TOKENS: &str = r#"{"access_token":"ya29.device","token_type":"Bearer","expires_in":3599,"refresh_token":"1//device","scope":"openid email"}"#;

/// One answer of the fake network to one request.
enum Answer {
    /// The server answers with this status and body.
    Http(u16, &'static str),
    /// The same, with a `DPoP-Nonce` header.
    WithNonce(u16, &'static str, &'static str),
    /// The request fails in transport.
    Fail,
}

use Answer::{Fail, Http, WithNonce};

const PENDING: Answer = Http(400, r#"{"error":"authorization_pending"}"#);
const SLOW_DOWN: Answer = Http(400, r#"{"error":"slow_down"}"#);
const APPROVED: Answer = Http(200, TOKENS);

fn client(id: &str, secret: Option<&str>) -> Client {
    let mut builder = Client::builder(id)
        .authorization_endpoint("http://127.0.0.1:9000/auth")
        .token_endpoint(TOKEN_URI)
        .device_authorization_endpoint(DEVICE_URI);
    if let Some(secret) = secret {
        builder = builder.client_secret(ClientSecret::new(secret));
    }
    builder.build().expect("a valid client")
}

/// `installed-app`, HTTP Basic (the default with a secret).
fn installed() -> Client {
    client(INSTALLED_ID, Some(INSTALLED_SECRET))
}

/// A device authorization response with `expires_in` and `interval` (the
/// JSON text of a number, or `None` to leave it out).
fn device_response(expires_in: u64, interval: Option<&str>) -> String {
    let interval = interval.map_or(String::new(), |i| format!(r#","interval":{i}"#));
    format!(
        r#"{{"device_code":"{DEVICE_CODE}","user_code":"WDJB-MJHT","verification_uri":"https://example.com/device","verification_uri_complete":"https://example.com/device?user_code=WDJB-MJHT","expires_in":{expires_in}{interval}}}"#
    )
}

fn response(status: u16, body: &str) -> http::Response<Vec<u8>> {
    http::Response::builder()
        .status(status)
        .body(body.as_bytes().to_vec())
        .unwrap()
}

fn failure() -> TransportFailure {
    TransportFailure::new(TransportFailureKind::Timeout, "127.0.0.1:9000 timed out")
}

/// Drives the device authorization call for `client` at the clock's time,
/// answered with `body`; checks the one request and returns the result.
fn authorize(client: &Client, body: &str, clock: &mut FakeClock) -> DeviceAuthorization {
    let mut call = client
        .device_authorization()
        .scopes(["openid", "email"])
        .build()
        .expect("the client has a device endpoint");
    let Ok(Step::Send(request)) = call.poll(clock.now()) else {
        panic!("the call must send first");
    };
    assert_eq!(request.uri(), DEVICE_URI);
    clock.advance(ROUND_TRIP);
    call.handle_response(response(200, body), clock.now())
        .expect("a valid device authorization response");
    match call.poll(clock.now()) {
        Ok(Step::Done(authorization)) => authorization,
        other => panic!("{other:?}"),
    }
}

/// Drives `poll` with `answers`, one per request, recording every step.
/// After an error the machine is polled once more and must repeat it.
fn record(poll: &mut DevicePoll, answers: Vec<Answer>, clock: &mut FakeClock) -> Vec<Event> {
    let mut answers = VecDeque::from(answers);
    let mut events = Vec::new();
    loop {
        assert!(events.len() < 64, "the machine never finished: {events:?}");
        let result = match poll.poll(clock.now()) {
            Ok(Step::Send(request)) => {
                events.push(Event::Send(Sent::of(&request)));
                let answer = answers
                    .pop_front()
                    .unwrap_or_else(|| panic!("one poll too many: {events:?}"));
                clock.advance(ROUND_TRIP);
                match answer {
                    Http(status, body) => poll.handle_response(response(status, body), clock.now()),
                    WithNonce(status, body, nonce) => {
                        let mut answer = response(status, body);
                        answer
                            .headers_mut()
                            .insert("dpop-nonce", nonce.parse().unwrap());
                        poll.handle_response(answer, clock.now())
                    }
                    Fail => poll.handle_transport_failure(failure(), clock.now()),
                }
            }
            Ok(Step::Wait { until, reason }) => {
                assert!(until > clock.now(), "a Wait deadline is never in the past");
                events.push(Event::Wait { until, reason });
                clock.advance_to(until);
                Ok(())
            }
            Ok(Step::Done(credentials)) => {
                events.push(Event::Done(Summary::of(&credentials)));
                break;
            }
            Err(error) => Err(error),
        };
        if let Err(error) = result {
            assert_eq!(
                poll.poll(clock.now()).err(),
                Some(error.clone()),
                "errors are sticky"
            );
            events.push(Event::Error(error));
            break;
        }
    }
    assert!(answers.is_empty(), "{} answers left over", answers.len());
    events
}

/// The RFC 8628 §3.4 poll of `installed-app` (HTTP Basic).
fn poll_request() -> Event {
    Event::Send(Sent::token_request(
        TOKEN_URI,
        Some(BASIC),
        &format!("grant_type={RFC_GRANT}&device_code=AH-1Ng2%2Fdevicecode"),
    ))
}

fn wait(secs: u64) -> Event {
    Event::Wait {
        until: FakeClock::at(secs),
        reason: WaitReason::PollInterval,
    }
}

fn backoff(secs: u64) -> Event {
    Event::Wait {
        until: FakeClock::at(secs),
        reason: WaitReason::Backoff,
    }
}

/// The credentials of [`TOKENS`], for a poll sent at `sent_at` seconds.
fn approved(sent_at: u64) -> Event {
    Event::Done(Summary {
        access_token: Some("ya29.device".into()),
        expiry: Some(FakeClock::at(sent_at + 3599)),
        refresh_token: Some("1//device".into()),
        id_token: None,
        granted_scopes: Some(vec!["openid".into(), "email".into()]),
        missing_scopes: vec![],
    })
}

fn oauth_error(code: ErrorCode, status: Option<u16>) -> impl Fn(&Event) -> bool {
    move |event| matches!(event, Event::Error(Error::OAuth(e)) if *e.code() == code && e.status() == status)
}

/// The device authorization of [`installed`], sent at 0 s, with this
/// `expires_in` and `interval`; the clock is then at 1 s.
fn started(expires_in: u64, interval: Option<&str>) -> (DevicePoll, FakeClock) {
    let mut clock = FakeClock::new();
    let authorization = authorize(
        &installed(),
        &device_response(expires_in, interval),
        &mut clock,
    );
    (authorization.into_poll(), clock)
}

#[test]
fn the_device_authorization_request_and_what_to_show() {
    let mut clock = FakeClock::new();
    let mut call = installed()
        .device_authorization()
        .scopes(["openid", "email"])
        .build()
        .unwrap();
    let Ok(Step::Send(request)) = call.poll(clock.now()) else {
        panic!("the call must send first");
    };
    assert_eq!(
        Sent::of(&request),
        Sent::token_request(
            DEVICE_URI,
            Some(BASIC),
            "client_id=installed-app&scope=openid+email"
        )
    );
    assert!(request.headers()["authorization"].is_sensitive());

    let authorization = authorize(&installed(), &device_response(1800, Some("5")), &mut clock);
    assert_eq!(authorization.user_code(), "WDJB-MJHT");
    assert_eq!(
        authorization.verification_uri().as_str(),
        "https://example.com/device"
    );
    assert_eq!(
        authorization.verification_uri_complete().unwrap().as_str(),
        "https://example.com/device?user_code=WDJB-MJHT"
    );
    // Sent at 0 s, answered at 1 s: the codes' lifetime counts from the send.
    assert_eq!(authorization.issued_at(), FakeClock::at(0));
    assert_eq!(authorization.expires_at(), FakeClock::at(1800));
    assert_eq!(authorization.response().device_code().secret(), DEVICE_CODE);
    let shown_authorization = format!("{authorization:?}");
    let shown = format!("{shown_authorization} {:?}", authorization.into_poll());
    for secret in [DEVICE_CODE, INSTALLED_SECRET] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
}

#[test]
fn the_public_client_sends_its_id_in_every_body() {
    let mut clock = FakeClock::new();
    let public = client(PUBLIC_ID, None);
    let mut call = public
        .device_authorization()
        .scope("openid")
        .build()
        .unwrap();
    let Ok(Step::Send(request)) = call.poll(clock.now()) else {
        panic!("the call must send first");
    };
    assert_eq!(
        Sent::of(&request),
        Sent::token_request(DEVICE_URI, None, "client_id=public-app&scope=openid")
    );
    let mut poll = authorize(&public, &device_response(1800, None), &mut clock).into_poll();
    let events = record(&mut poll, vec![APPROVED], &mut clock);
    assert_eq!(
        events[1],
        Event::Send(Sent::token_request(
            TOKEN_URI,
            None,
            &format!(
                "grant_type={RFC_GRANT}&client_id=public-app&device_code=AH-1Ng2%2Fdevicecode"
            )
        ))
    );
}

#[test]
fn pending_keeps_the_default_interval_until_approved() {
    let (mut poll, mut clock) = started(1800, None);
    assert_eq!(poll.interval(), DEFAULT_POLL_INTERVAL);
    let events = record(&mut poll, vec![PENDING, PENDING, APPROVED], &mut clock);
    assert_eq!(
        events,
        [
            wait(5),
            poll_request(),
            wait(10),
            poll_request(),
            wait(15),
            poll_request(),
            approved(15),
        ]
    );
    assert_eq!(poll.interval(), Duration::from_secs(5));
}

#[test]
fn the_server_interval_is_used_and_the_credentials_are_complete() {
    let mut clock = FakeClock::new();
    let authorization = authorize(&installed(), &device_response(1800, Some("2")), &mut clock);
    let mut poll = authorization.into_poll();
    assert_eq!(
        record(&mut poll, vec![PENDING, APPROVED], &mut clock),
        [
            wait(2),
            poll_request(),
            wait(4),
            poll_request(),
            approved(4)
        ]
    );

    let mut clock = FakeClock::new();
    let mut poll =
        authorize(&installed(), &device_response(1800, Some("2")), &mut clock).into_poll();
    clock.advance_to(FakeClock::at(2));
    assert!(matches!(poll.poll(clock.now()), Ok(Step::Send(_))));
    clock.advance(ROUND_TRIP);
    poll.handle_response(response(200, TOKENS), clock.now())
        .unwrap();
    let Ok(Step::Done(credentials)) = poll.poll(clock.now()) else {
        panic!("approved");
    };
    let credentials: UserCredentials = credentials;
    assert_eq!(credentials.scopes(), ["openid", "email"]);
    assert_eq!(credentials.token_uri().as_str(), TOKEN_URI);
    assert_eq!(credentials.client_id(), INSTALLED_ID);
    assert_eq!(
        credentials.client_secret().unwrap().secret(),
        INSTALLED_SECRET
    );
    let saved = UserCredentials::from_authorized_user_json(
        credentials.to_authorized_user_json().as_bytes(),
    )
    .expect("device credentials save as authorized_user JSON");
    assert_eq!(saved.refresh_token().unwrap().secret(), "1//device");
}

#[test]
fn slow_down_adds_five_seconds_for_this_and_every_later_poll() {
    let (mut poll, mut clock) = started(1800, Some("5"));
    let events = record(
        &mut poll,
        vec![SLOW_DOWN, PENDING, SLOW_DOWN, PENDING, APPROVED],
        &mut clock,
    );
    assert_eq!(
        events,
        [
            wait(5),
            poll_request(),
            wait(15), // 5 + 10
            poll_request(),
            wait(25), // still 10
            poll_request(),
            wait(40), // 25 + 15
            poll_request(),
            wait(55),
            poll_request(),
            approved(55),
        ]
    );
    assert_eq!(poll.interval(), DEFAULT_POLL_INTERVAL + 2 * SLOW_DOWN_STEP);
}

#[test]
fn denial_and_the_servers_expiry_end_the_flow() {
    let (mut poll, mut clock) = started(1800, Some("5"));
    let events = record(
        &mut poll,
        vec![
            PENDING,
            Http(
                403,
                r#"{"error":"access_denied","error_description":"The user denied"}"#,
            ),
        ],
        &mut clock,
    );
    assert_eq!(
        events[..4],
        [wait(5), poll_request(), wait(10), poll_request()]
    );
    assert_eq!(events.len(), 5);
    assert!(
        oauth_error(ErrorCode::AccessDenied, Some(403))(&events[4]),
        "{events:?}"
    );

    let (mut poll, mut clock) = started(1800, None);
    let events = record(
        &mut poll,
        vec![Http(400, r#"{"error":"expired_token"}"#)],
        &mut clock,
    );
    assert_eq!(events[..2], [wait(5), poll_request()]);
    assert!(
        oauth_error(ErrorCode::ExpiredToken, Some(400))(&events[2]),
        "{events:?}"
    );
}

#[test]
fn the_codes_expiry_stops_polling_without_waiting_for_a_poll_that_cannot_come() {
    // Valid until 12 s: polls at 5 and 10; the next would be at 15.
    let (mut poll, mut clock) = started(12, Some("5"));
    assert_eq!(poll.expires_at(), FakeClock::at(12));
    let events = record(&mut poll, vec![PENDING, PENDING], &mut clock);
    assert_eq!(
        events[..4],
        [wait(5), poll_request(), wait(10), poll_request()]
    );
    assert!(
        oauth_error(ErrorCode::ExpiredToken, None)(&events[4]),
        "{events:?}"
    );
    assert_eq!(events.len(), 5);
    assert_eq!(
        clock.now(),
        FakeClock::at(11),
        "ends when the last answer comes"
    );

    // Shorter than one interval: no poll at all.
    let (mut poll, mut clock) = started(4, Some("5"));
    let events = record(&mut poll, vec![], &mut clock);
    assert_eq!(events.len(), 1);
    assert!(
        oauth_error(ErrorCode::ExpiredToken, None)(&events[0]),
        "{events:?}"
    );

    // A driver that comes back late (a suspended laptop) finds it expired.
    let (mut poll, mut clock) = started(1800, Some("5"));
    clock.advance_to(FakeClock::at(1800));
    assert!(matches!(
        poll.poll(clock.now()),
        Err(Error::OAuth(e)) if *e.code() == ErrorCode::ExpiredToken && e.status().is_none()
    ));
}

#[test]
fn transport_failures_back_off_and_never_lower_the_interval() {
    let (mut poll, mut clock) = started(1800, Some("5"));
    let events = record(
        &mut poll,
        vec![Fail, Fail, PENDING, SLOW_DOWN, APPROVED],
        &mut clock,
    );
    assert_eq!(
        events,
        [
            wait(5),
            poll_request(),
            backoff(16), // failed at 6: 6 + 10
            poll_request(),
            backoff(37), // failed at 17: 17 + 20
            poll_request(),
            wait(57), // pending: 37 + 20, the doubled interval stays
            poll_request(),
            wait(82), // slow_down: 57 + 25
            poll_request(),
            approved(82),
        ]
    );
    assert_eq!(poll.interval(), Duration::from_secs(25));
}

#[test]
fn backing_off_stops_doubling_at_the_maximum_interval() {
    let (mut poll, mut clock) = started(4000, Some("400"));
    let events = record(&mut poll, vec![Fail, Fail, APPROVED], &mut clock);
    assert_eq!(
        events,
        [
            wait(400),
            poll_request(),
            backoff(1001), // min(800, 600) after the failure at 401
            poll_request(),
            backoff(1602), // stays 600
            poll_request(),
            approved(1602),
        ]
    );
}

#[test]
fn error_codes_count_whatever_the_status_google_and_github_use() {
    // Google: 428 for pending, 403 for slow_down; GitHub: 200 for both.
    let (mut poll, mut clock) = started(1800, Some("5"));
    let events = record(
        &mut poll,
        vec![
            Http(
                428,
                r#"{"error":"authorization_pending","error_description":"Precondition Required"}"#,
            ),
            Http(
                403,
                r#"{"error":"slow_down","error_description":"Forbidden"}"#,
            ),
            Http(200, r#"{"error":"authorization_pending"}"#),
            Http(200, r#"{"error":"slow_down"}"#),
            APPROVED,
        ],
        &mut clock,
    );
    assert_eq!(
        events,
        [
            wait(5),
            poll_request(),
            wait(10),
            poll_request(),
            wait(20),
            poll_request(),
            wait(30),
            poll_request(),
            wait(45),
            poll_request(),
            approved(45),
        ]
    );
}

#[test]
fn googles_legacy_dialect() {
    let mut clock = FakeClock::new();
    let google = Client::google(INSTALLED_ID, Some(ClientSecret::new(INSTALLED_SECRET)))
        .auth_method(ClientAuthMethod::ClientSecretPost)
        .build()
        .unwrap();
    let mut call = google
        .device_authorization()
        .scope("email")
        .dialect(DeviceDialect::GoogleLegacy)
        .build()
        .unwrap();
    let Ok(Step::Send(request)) = call.poll(clock.now()) else {
        panic!("the call must send first");
    };
    assert_eq!(request.uri(), "https://oauth2.googleapis.com/device/code");
    clock.advance(ROUND_TRIP);
    let google_answer = r#"{"device_code":"AH-1Ng2/devicecode","user_code":"GQVQ-JKEC","verification_url":"https://www.google.com/device","expires_in":1800,"interval":5}"#;
    call.handle_response(response(200, google_answer), clock.now())
        .unwrap();
    let Ok(Step::Done(authorization)) = call.poll(clock.now()) else {
        panic!("done");
    };
    assert_eq!(
        authorization.verification_uri().as_str(),
        "https://www.google.com/device"
    );
    let mut poll = authorization.into_poll();
    let events = record(&mut poll, vec![APPROVED], &mut clock);
    assert_eq!(
        events[1],
        Event::Send(Sent::token_request(
            "https://oauth2.googleapis.com/token",
            None,
            "grant_type=http%3A%2F%2Foauth.net%2Fgrant_type%2Fdevice%2F1.0\
             &client_id=installed-app&client_secret=installed-app-secret&code=AH-1Ng2%2Fdevicecode"
        ))
    );
}

#[test]
fn any_other_answer_ends_the_flow_with_its_error() {
    type Expected = fn(&Error) -> bool;
    let cases: [(Answer, Expected); 6] = [
        (
            Http(400, r#"{"error":"invalid_grant"}"#),
            |e| matches!(e, Error::OAuth(o) if *o.code() == ErrorCode::InvalidGrant),
        ),
        (
            Http(401, r#"{"error":"invalid_client"}"#),
            |e| matches!(e, Error::OAuth(o) if *o.code() == ErrorCode::InvalidClient),
        ),
        (Http(503, "<html>busy</html>"), |e| {
            *e == Error::HttpStatus { status: 503 }
        }),
        (Http(302, ""), |e| *e == Error::Redirect { status: 302 }),
        (Http(200, "[]"), |e| {
            *e == Error::InvalidResponse(InvalidResponse::NotJsonObject { status: 200 })
        }),
        (
            Http(200, r#"{"access_token":"a","token_type":"mac"}"#),
            |e| {
                matches!(
                    e,
                    Error::InvalidResponse(InvalidResponse::UnsupportedTokenType { .. })
                )
            },
        ),
    ];
    for (answer, expected) in cases {
        let (mut poll, mut clock) = started(1800, None);
        let events = record(&mut poll, vec![answer], &mut clock);
        assert_eq!(events[..2], [wait(5), poll_request()]);
        match &events[2] {
            Event::Error(e) => assert!(expected(e), "{e:?}"),
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn an_early_wake_up_waits_again_and_never_polls_early() {
    let (mut poll, _) = started(1800, Some("5"));
    for secs in [1, 3, 4] {
        assert!(matches!(
            poll.poll(FakeClock::at(secs)),
            Ok(Step::Wait { until, reason: WaitReason::PollInterval }) if until == FakeClock::at(5)
        ));
    }
    let late = FakeClock::at(7);
    assert!(matches!(poll.poll(late), Ok(Step::Send(_))));
    poll.handle_response(
        response(400, r#"{"error":"authorization_pending"}"#),
        FakeClock::at(8),
    )
    .unwrap();
    // Counted from when the poll was sent (7 s), not from when it was due.
    assert!(matches!(
        poll.poll(FakeClock::at(8)),
        Ok(Step::Wait { until, .. }) if until == FakeClock::at(12)
    ));
}

#[test]
fn driving_out_of_order_is_misuse_and_sticky() {
    let (mut poll, _) = started(1800, Some("5"));
    let at = FakeClock::at;
    assert_eq!(
        poll.handle_response(response(200, TOKENS), at(2)),
        Err(Error::Misuse(Misuse::UnexpectedResponse))
    );
    assert_eq!(
        poll.poll(at(5)).err(),
        Some(Error::Misuse(Misuse::UnexpectedResponse))
    );

    let (mut poll, _) = started(1800, Some("5"));
    assert!(matches!(poll.poll(at(5)), Ok(Step::Send(_))));
    assert_eq!(
        poll.poll(at(6)).err(),
        Some(Error::Misuse(Misuse::ResponsePending))
    );
    assert_eq!(
        poll.handle_response(response(200, TOKENS), at(6)),
        Err(Error::Misuse(Misuse::ResponsePending))
    );

    let (mut poll, _) = started(1800, Some("5"));
    assert!(matches!(poll.poll(at(5)), Ok(Step::Send(_))));
    poll.handle_response(response(200, TOKENS), at(6)).unwrap();
    assert!(matches!(poll.poll(at(6)), Ok(Step::Done(_))));
    assert_eq!(
        poll.poll(at(7)).err(),
        Some(Error::Misuse(Misuse::AlreadyDone))
    );
    assert_eq!(
        poll.handle_transport_failure(failure(), at(7)),
        Err(Error::Misuse(Misuse::AlreadyDone))
    );
}

#[test]
fn the_device_authorization_call_reports_what_went_wrong() {
    let call = || {
        installed()
            .device_authorization()
            .scope("openid")
            .build()
            .unwrap()
    };
    let answer = |status: u16, body: &str| {
        let mut call = call();
        let now = SystemTime::UNIX_EPOCH;
        assert!(matches!(call.poll(now), Ok(Step::Send(_))));
        call.handle_response(response(status, body), now)
            .and_then(|()| call.poll(now).map(|_| ()))
            .unwrap_err()
    };
    assert!(matches!(
        answer(401, r#"{"error":"invalid_client"}"#),
        Error::OAuth(e) if *e.code() == ErrorCode::InvalidClient && e.status() == Some(401)
    ));
    assert!(matches!(
        answer(
            200,
            r#"{"device_code":"d","user_code":"u","verification_uri":"javascript:alert(1)","expires_in":600}"#
        ),
        Error::InvalidResponse(InvalidResponse::InvalidField {
            field: "verification_uri",
            ..
        })
    ));
    let mut failed = call();
    assert!(matches!(
        failed.poll(SystemTime::UNIX_EPOCH),
        Ok(Step::Send(_))
    ));
    assert_eq!(
        failed.handle_transport_failure(failure(), SystemTime::UNIX_EPOCH),
        Err(Error::Transport(failure()))
    );
    assert!(Error::Transport(failure()).is_retryable());
}

#[test]
fn expiry_is_an_oauth_error_the_caller_can_match() {
    let (mut poll, mut clock) = started(3, None);
    let error = record(&mut poll, vec![], &mut clock);
    let Event::Error(Error::OAuth(e)) = &error[0] else {
        panic!("{error:?}");
    };
    let expected = OAuthError::new(
        ErrorCode::ExpiredToken,
        Some("the device code expired before the user approved; start again"),
        None,
        None,
    );
    assert_eq!(*e, expected);
    assert!(!Error::OAuth(e.clone()).is_retryable());
}

#[test]
fn the_machines_can_move_to_another_thread() {
    fn send_and_sync<T: Send + Sync>() {}
    send_and_sync::<oauth2_sansio::device::DeviceAuthorizationCall>();
    send_and_sync::<DeviceAuthorization>();
    send_and_sync::<DevicePoll>();
}

#[cfg(feature = "ring")]
#[test]
fn dpop_polls_carry_proofs_and_a_nonce_demand_is_met_within_the_same_poll() {
    use oauth2_sansio::dpop::DpopKey;
    use oauth2_sansio::jwt::decode_unverified;

    let mut clock = FakeClock::new();
    let authorization = authorize(&installed(), &device_response(1800, Some("5")), &mut clock);
    let key = DpopKey::generate().unwrap();
    let mut poll = authorization.into_poll().with_dpop(&key);
    const DPOP_TOKENS: &str = r#"{"access_token":"at-dpop","token_type":"DPoP","expires_in":3599,"refresh_token":"1//device","scope":"openid email"}"#;
    let events = record(
        &mut poll,
        vec![
            WithNonce(400, r#"{"error":"use_dpop_nonce"}"#, "n-1"),
            Http(400, r#"{"error":"authorization_pending"}"#),
            WithNonce(200, DPOP_TOKENS, "n-2"),
        ],
        &mut clock,
    );
    let proofs: Vec<(Option<String>, String)> = events
        .iter()
        .filter_map(|event| match event {
            Event::Send(sent) => sent
                .headers
                .iter()
                .find(|(n, _)| n == "dpop")
                .map(|(_, v)| {
                    let claims = decode_unverified(v).unwrap().payload().clone();
                    assert_eq!(claims["htu"], TOKEN_URI);
                    (
                        claims
                            .get("nonce")
                            .and_then(|n| n.as_str())
                            .map(str::to_owned),
                        claims["jti"].as_str().unwrap().to_owned(),
                    )
                }),
            _ => None,
        })
        .collect();
    // The first poll: refused for a nonce, sent again at once with it;
    // pending; then the next poll after the interval, with the nonce.
    let nonces: Vec<_> = proofs.iter().map(|(nonce, _)| nonce.as_deref()).collect();
    assert_eq!(nonces, [None, Some("n-1"), Some("n-1")]);
    assert!(
        matches!(
            events[..],
            [
                Event::Wait { .. },
                Event::Send(_),
                Event::Send(_),
                Event::Wait { .. },
                Event::Send(_),
                Event::Done(_)
            ]
        ),
        "{events:?}"
    );
    let jtis: std::collections::HashSet<_> = proofs.iter().map(|(_, jti)| jti).collect();
    assert_eq!(jtis.len(), 3);
}
