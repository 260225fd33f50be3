//! Device-poll answers (RFC 8628 §3.4, §3.5): a `DevicePoll` machine,
//! driven through its public API, answered with a sequence of responses
//! and transport failures.
//!
//! Input: answers, one after another, each two bytes for the status
//! (mapped into 100..=599; a value that maps to 100 is a transport failure
//! instead), two bytes for the body length, then the body. The driver
//! sleeps until each wait ends and stops when the input does.
//! Invariants: no panic; the interval never shrinks; no poll is sent
//! before the previous one plus the interval, nor at or after the codes'
//! expiry; tokens only after an HTTP 200; errors are sticky; error messages
//! carry no control, bidi or invisible characters and neither the device
//! code nor the client secret.
#![no_main]

mod support;

use std::time::{Duration, SystemTime};

use libfuzzer_sys::fuzz_target;
use oauth2_sansio::device::DevicePoll;
use oauth2_sansio::{
    Client, ClientSecret, Credentials, Machine, Step, TransportFailure, TransportFailureKind,
};

/// Small enough for the fuzzer to cross it (its inputs reach 4 KiB).
const LIMIT: usize = 2048;
const DEVICE_CODE: &str = "device-code-secret";
const CLIENT_SECRET: &str = "client-secret-value";
const START: Duration = Duration::from_secs(1_700_000_000);

fn device_poll(now: SystemTime) -> DevicePoll {
    let client = Client::builder("client")
        .client_secret(ClientSecret::new(CLIENT_SECRET))
        .authorization_endpoint("https://as.example/auth")
        .token_endpoint("https://as.example/token")
        .device_authorization_endpoint("https://as.example/device")
        .response_limit(LIMIT)
        .build()
        .expect("a valid client");
    let mut call = client
        .device_authorization()
        .scope("openid")
        .build()
        .expect("a valid request");
    assert!(matches!(call.poll(now), Ok(Step::Send(_))));
    let body = format!(
        r#"{{"device_code":"{DEVICE_CODE}","user_code":"ABCD-EFGH","verification_uri":"https://as.example/activate","expires_in":1800,"interval":5}}"#
    );
    call.handle_response(support::response(200, body.as_bytes()), now)
        .expect("a valid device authorization");
    match call.poll(now) {
        Ok(Step::Done(authorization)) => authorization.into_poll(),
        other => panic!("{other:?}"),
    }
}

/// The next answer of the input: the status (`None`: a transport failure)
/// and the body.
fn next_answer<'a>(input: &mut &'a [u8]) -> Option<(Option<u16>, &'a [u8])> {
    let (head, rest) = input.split_first_chunk::<4>()?;
    let status = 100 + u16::from_be_bytes([head[0], head[1]]) % 500;
    let length = usize::from(u16::from_be_bytes([head[2], head[3]])).min(rest.len());
    let (body, rest) = rest.split_at(length);
    *input = rest;
    Some(((status != 100).then_some(status), body))
}

fuzz_target!(|data: &[u8]| {
    let mut input = data;
    let mut now = SystemTime::UNIX_EPOCH + START;
    let mut poll = device_poll(now);
    let expires_at = poll.expires_at();
    let mut interval = poll.interval();
    let mut last_sent: Option<SystemTime> = None;
    let mut last_status = None;
    loop {
        match poll.poll(now) {
            Ok(Step::Wait { until, .. }) => {
                assert!(until > now, "a wait must end later");
                now = until;
            }
            Ok(Step::Send(_)) => {
                assert!(now < expires_at, "a poll at or after the expiry");
                if let Some(sent) = last_sent {
                    assert!(now >= sent + interval, "a poll sooner than the interval");
                }
                last_sent = Some(now);
                let Some((status, body)) = next_answer(&mut input) else {
                    return;
                };
                last_status = status;
                let answered = match status {
                    Some(status) => poll.handle_response(support::response(status, body), now),
                    None => poll.handle_transport_failure(
                        TransportFailure::new(TransportFailureKind::Timeout, "no answer"),
                        now,
                    ),
                };
                if let Err(e) = answered {
                    support::assert_safe_error(&e, &[DEVICE_CODE, CLIENT_SECRET], body);
                    assert_eq!(poll.poll(now).unwrap_err(), e, "errors are sticky");
                    return;
                }
                assert!(poll.interval() >= interval, "the interval shrank");
                interval = poll.interval();
            }
            Ok(Step::Done(credentials)) => {
                assert_eq!(last_status, Some(200));
                assert!(credentials.token().is_some());
                return;
            }
            Ok(other) => panic!("unexpected step {other:?}"),
            Err(e) => {
                support::assert_safe_error(&e, &[DEVICE_CODE, CLIENT_SECRET], &[]);
                assert_eq!(poll.poll(now).unwrap_err(), e, "errors are sticky");
                return;
            }
        }
    }
});
