//! Property tests of the device grant (RFC 8628 §3.2, §3.5):
//!
//! - for any sequence of server answers (pending, `slow_down`, transport
//!   failures, tokens, refusals, junk, in any HTTP status), any round-trip
//!   times and a driver that sometimes wakes early, the polling machine
//!   terminates, never polls sooner than its current interval after the
//!   previous poll, never lowers the interval, adds exactly 5 s per
//!   `slow_down`, never sends or waits at or past the codes' expiry, and
//!   ends with what the server said (or with the expiry);
//! - the device authorization response parser agrees with an oracle written
//!   from the documented rules, on generated fields good and bad.

use std::time::{Duration, SystemTime};

use oauth2_sansio::device::{
    DeviceAuthorizationResponse, DevicePoll, DEFAULT_POLL_INTERVAL, SLOW_DOWN_STEP,
};
use oauth2_sansio::limits::{MAX_EXPIRES_IN, MAX_POLL_INTERVAL, MAX_USER_CODE_CHARS};
use oauth2_sansio::url::{Host, Url};
use oauth2_sansio::{
    Client, Credentials, Error, ErrorCode, InvalidResponse, Machine, Step, TransportFailure,
    TransportFailureKind, WaitReason,
};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

const TOKEN_URI: &str = "http://127.0.0.1:9000/token";
const DEVICE_URI: &str = "http://127.0.0.1:9000/device";
const LIMIT: usize = 1 << 20;

fn start() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_767_225_600)
}

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

/// What the fake server (or network) does with one poll.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Answer {
    Pending(u16),
    SlowDown(u16),
    Fail,
    Approved,
    Denied(u16),
    Expired,
    InvalidGrant,
    Unavailable,
    Garbage,
}

impl Answer {
    fn response(self) -> http::Response<Vec<u8>> {
        let (status, body) = match self {
            Answer::Pending(status) => (status, r#"{"error":"authorization_pending"}"#),
            Answer::SlowDown(status) => (status, r#"{"error":"slow_down"}"#),
            Answer::Approved => (
                200,
                r#"{"access_token":"ya29.ok","token_type":"Bearer","expires_in":3599,"refresh_token":"1//r"}"#,
            ),
            Answer::Denied(status) => (status, r#"{"error":"access_denied"}"#),
            Answer::Expired => (400, r#"{"error":"expired_token"}"#),
            Answer::InvalidGrant => (400, r#"{"error":"invalid_grant"}"#),
            Answer::Unavailable => (503, "<html>Service Unavailable</html>"),
            Answer::Garbage => (200, "{\"access_token\":"),
            Answer::Fail => unreachable!("a transport failure has no response"),
        };
        http::Response::builder()
            .status(status)
            .body(body.as_bytes().to_vec())
            .unwrap()
    }

    /// Whether the error `e` is what this (terminal) answer means.
    fn explains(self, e: &Error) -> bool {
        let oauth = |code: ErrorCode| matches!(e, Error::OAuth(o) if *o.code() == code && o.status().is_some());
        match self {
            Answer::Denied(_) => oauth(ErrorCode::AccessDenied),
            Answer::Expired => oauth(ErrorCode::ExpiredToken),
            Answer::InvalidGrant => oauth(ErrorCode::InvalidGrant),
            Answer::Unavailable => *e == Error::HttpStatus { status: 503 },
            Answer::Garbage => matches!(e, Error::InvalidResponse(_)),
            _ => false,
        }
    }
}

fn answer() -> impl Strategy<Value = Answer> {
    let status = |statuses: Vec<u16>| prop::sample::select(statuses);
    prop_oneof![
        8 => status(vec![400, 428, 200, 403]).prop_map(Answer::Pending),
        4 => status(vec![400, 403, 200]).prop_map(Answer::SlowDown),
        4 => Just(Answer::Fail),
        1 => Just(Answer::Approved),
        1 => status(vec![400, 403]).prop_map(Answer::Denied),
        1 => Just(Answer::Expired),
        1 => Just(Answer::InvalidGrant),
        1 => Just(Answer::Unavailable),
        1 => Just(Answer::Garbage),
    ]
}

/// The poll machine for a device authorization sent at [`start`] and
/// answered one second later.
fn device_poll(expires_in: u64, interval: Option<u64>) -> DevicePoll {
    let client = Client::builder("prop-device")
        .authorization_endpoint("http://127.0.0.1:9000/auth")
        .token_endpoint(TOKEN_URI)
        .device_authorization_endpoint(DEVICE_URI)
        .build()
        .unwrap();
    let mut body = json!({
        "device_code": "dc", "user_code": "ABCD-EFGH",
        "verification_uri": "https://example.com/device", "expires_in": expires_in,
    });
    if let Some(interval) = interval {
        body["interval"] = interval.into();
    }
    let mut call = client
        .device_authorization()
        .scope("openid")
        .build()
        .unwrap();
    assert!(matches!(call.poll(start()), Ok(Step::Send(_))));
    let response = http::Response::new(body.to_string().into_bytes());
    call.handle_response(response, start() + secs(1)).unwrap();
    match call.poll(start() + secs(1)) {
        Ok(Step::Done(authorization)) => authorization.into_poll(),
        other => panic!("{other:?}"),
    }
}

/// How one scripted run ended.
#[derive(Debug)]
enum End {
    Approved,
    Refused(Answer),
    Expired,
}

/// Drives the machine with `script` (answer, round-trip seconds, whether
/// the driver wakes early from the wait before the next poll), then with
/// `authorization_pending` forever; checks every property on the way.
fn run(
    expires_in: u64,
    interval: Option<u64>,
    script: &[(Answer, u64, bool)],
) -> Result<End, TestCaseError> {
    let mut poll = device_poll(expires_in, interval);
    let expires_at = start() + secs(expires_in);
    prop_assert_eq!(poll.expires_at(), expires_at);
    let advertised = interval.map_or(DEFAULT_POLL_INTERVAL, secs);
    prop_assert_eq!(poll.interval(), advertised);
    // The lower bound RFC 8628 sets: the advertised interval plus 5 s per
    // slow_down so far.
    let mut floor = advertised;
    // The poll may not be sent before `anchor` + the current interval: the
    // previous poll's send time, or the failure's time after a failure.
    let mut anchor = start();
    let mut after_failure = false;
    let mut now = start() + secs(1);
    let mut answers = script.iter().copied();
    let mut early_wake = false;
    for _ in 0..20_000 {
        match poll.poll(now) {
            Ok(Step::Send(request)) => {
                prop_assert_eq!(request.uri(), TOKEN_URI);
                prop_assert!(now < expires_at, "a poll at or after the expiry");
                prop_assert!(
                    now >= anchor + poll.interval(),
                    "polled {:?} after the anchor, interval {:?}",
                    now.duration_since(anchor).unwrap(),
                    poll.interval()
                );
                let (answer, rtt, early) =
                    answers.next().unwrap_or((Answer::Pending(400), 1, false));
                early_wake = early;
                let sent_at = now;
                now += secs(rtt);
                let before = poll.interval();
                after_failure = answer == Answer::Fail;
                let handled = if after_failure {
                    let failure = TransportFailure::new(TransportFailureKind::Timeout, "timed out");
                    poll.handle_transport_failure(failure, now)
                } else {
                    poll.handle_response(answer.response(), now)
                };
                let after = poll.interval();
                prop_assert!(
                    after >= before,
                    "the interval went down: {before:?} -> {after:?}"
                );
                match answer {
                    Answer::Pending(_) => prop_assert_eq!(after, before),
                    Answer::SlowDown(_) => {
                        prop_assert_eq!(after, before + SLOW_DOWN_STEP);
                        floor += SLOW_DOWN_STEP;
                    }
                    Answer::Fail => prop_assert!(
                        after > before || before >= MAX_POLL_INTERVAL,
                        "no backoff after a failure"
                    ),
                    _ => {}
                }
                prop_assert!(after >= floor, "{after:?} is below the RFC's {floor:?}");
                anchor = if after_failure {
                    sent_at.max(now)
                } else {
                    sent_at
                };
                match (answer, handled) {
                    (Answer::Approved, Ok(())) => match poll.poll(now) {
                        Ok(Step::Done(credentials)) => {
                            prop_assert_eq!(
                                credentials.token().unwrap().token().secret(),
                                "ya29.ok"
                            );
                            return Ok(End::Approved);
                        }
                        other => return Err(TestCaseError::fail(format!("{other:?}"))),
                    },
                    (Answer::Pending(_) | Answer::SlowDown(_) | Answer::Fail, Ok(())) => {}
                    (terminal, Err(e)) => {
                        prop_assert!(terminal.explains(&e), "{terminal:?} ended as {e:?}");
                        prop_assert_eq!(poll.poll(now).err(), Some(e), "errors are sticky");
                        return Ok(End::Refused(terminal));
                    }
                    (answer, result) => {
                        return Err(TestCaseError::fail(format!(
                            "{answer:?} handled as {result:?}"
                        )))
                    }
                }
            }
            Ok(Step::Wait { until, reason }) => {
                prop_assert!(until > now, "a Wait in the past");
                prop_assert!(until < expires_at, "a Wait for a poll that cannot come");
                let expected = if after_failure {
                    WaitReason::Backoff
                } else {
                    WaitReason::PollInterval
                };
                prop_assert_eq!(reason, expected);
                let left = until.duration_since(now).unwrap();
                if early_wake && left > secs(1) {
                    early_wake = false;
                    now += left / 2;
                } else {
                    now = until;
                }
            }
            Ok(Step::Done(_)) => return Err(TestCaseError::fail("Done without an approval")),
            Err(e) => {
                prop_assert!(
                    matches!(&e, Error::OAuth(o) if *o.code() == ErrorCode::ExpiredToken && o.status().is_none()),
                    "{e:?}"
                );
                prop_assert!(
                    now >= expires_at || anchor + poll.interval() >= expires_at,
                    "gave up at {now:?} though a poll was possible before {expires_at:?}"
                );
                prop_assert_eq!(poll.poll(now).err(), Some(e), "errors are sticky");
                return Ok(End::Expired);
            }
        }
    }
    Err(TestCaseError::fail("the machine never finished"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn polling_terminates_and_obeys_rfc8628(
        expires_in in 1u64..=900,
        interval in prop::option::of(1u64..=30),
        script in prop::collection::vec((answer(), 0u64..=20, any::<bool>()), 0..40),
    ) {
        let end = run(expires_in, interval, &script)?;
        // The flow ends with the first terminal answer it received, or at
        // the expiry when none came in time.
        match end {
            End::Approved => prop_assert!(script.iter().any(|(a, ..)| *a == Answer::Approved)),
            End::Refused(answer) => prop_assert!(script.iter().any(|(a, ..)| *a == answer)),
            End::Expired => {}
        }
    }

    #[test]
    fn huge_intervals_and_lifetimes_terminate(
        expires_in in prop::sample::select(vec![1, 599, 600, 601, 86_400, u64::from(u32::MAX)]),
        interval in prop::option::of(prop::sample::select(vec![1, 599, 600])),
        failures in 0usize..12,
    ) {
        // Enough failures to reach the backoff cap, then tokens.
        let mut script = vec![(Answer::Fail, 1, false); failures];
        script.push((Answer::Approved, 1, false));
        let end = run(expires_in, interval, &script)?;
        prop_assert!(matches!(end, End::Approved | End::Expired));
    }
}

// ------------------------------------------------------------ the parser

/// A JSON value of every kind a field could hold, mostly wrong.
fn junk() -> impl Strategy<Value = Value> {
    prop::sample::select(vec![
        Value::Null,
        json!(true),
        json!(0),
        json!(-1),
        json!(5.0),
        json!(2.5),
        json!("5"),
        json!(""),
        json!([]),
        json!({"a": 1}),
    ])
}

fn code_text() -> impl Strategy<Value = Value> {
    prop_oneof![
        6 => "[A-Za-z0-9/_-]{1,12}",
        1 => prop::sample::select(vec![
            String::new(), "a\nb".into(), "\u{1b}[31m".into(), "tab\there".into(), "x".repeat(65),
            "\u{e9}".repeat(64), "WDJB MJHT".into(),
        ]),
    ]
    .prop_map(Value::String)
}

fn uri_text() -> impl Strategy<Value = Value> {
    prop::sample::select(vec![
        "https://example.com/device",
        "https://www.google.com/device",
        "HTTPS://EXAMPLE.COM/device",
        "https://example.com/device?user_code=WDJB-MJHT",
        "http://127.0.0.1:8080/device",
        "http://[::1]/device",
        "http://localhost/device",
        "http://example.com/device",
        "http://10.0.0.1/device",
        "javascript:alert(1)",
        "file:///etc/passwd",
        "data:text/html,hi",
        "https://user:pass@example.com/device",
        "https://accounts.google.com@evil.example/device",
        "ftp://example.com/device",
        "/device",
        "https://",
        "",
    ])
    .prop_map(Value::from)
}

fn seconds_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => (1u64..=2000).prop_map(Value::from),
        1 => prop::sample::select(vec![
            0, 1, 5, 600, 601, u64::from(u32::MAX), u64::from(u32::MAX) + 1, u64::MAX,
        ])
        .prop_map(Value::from),
    ]
}

/// A field: absent, plausible, or junk.
fn field<S: Strategy<Value = Value> + 'static>(
    absent: u32,
    value: S,
) -> BoxedStrategy<Option<Value>> {
    prop_oneof![
        absent => Just(None),
        10 => value.prop_map(Some),
        1 => junk().prop_map(Some),
    ]
    .boxed()
}

const PARSED_FIELDS: [&str; 7] = [
    "device_code",
    "user_code",
    "verification_uri",
    "verification_url",
    "verification_uri_complete",
    "expires_in",
    "interval",
];

fn device_object() -> impl Strategy<Value = Map<String, Value>> {
    (
        field(1, code_text()),
        field(1, code_text()),
        field(3, uri_text()),
        field(6, uri_text()),
        field(6, uri_text()),
        field(1, seconds_value()),
        field(4, seconds_value()),
        prop::option::of("[a-z ]{0,10}"),
    )
        .prop_map(|(a, b, c, d, e, f, g, message)| {
            let mut map: Map<String, Value> = PARSED_FIELDS
                .iter()
                .zip([a, b, c, d, e, f, g])
                .filter_map(|(name, value)| Some(((*name).to_owned(), value?)))
                .collect();
            if let Some(message) = message {
                map.insert("message".into(), message.into());
            }
            map
        })
}

/// The documented rules, as an oracle: `Some(expected)` when the response
/// must parse, `None` when it must be refused.
struct Expected {
    user_code: String,
    verification_uri: String,
    complete: Option<String>,
    expires_in: Duration,
    interval: Duration,
}

/// A string field: `Ok(None)` when absent, null or empty, `Err` when not a string.
fn text(map: &Map<String, Value>, name: &str) -> Result<Option<String>, ()> {
    match map.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(()),
    }
}

fn shown_url(text: &str) -> Option<String> {
    let url = Url::parse(text).ok()?;
    let loopback = match url.host() {
        Some(Host::Domain(d)) => d == "localhost",
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    let allowed =
        (url.scheme() == "https" && url.host().is_some()) || (url.scheme() == "http" && loopback);
    (allowed && url.username().is_empty() && url.password().is_none()).then(|| url.to_string())
}

fn whole_seconds(value: &Value, max: u64) -> Option<Duration> {
    value.as_u64().filter(|s| (1..=max).contains(s)).map(secs)
}

fn oracle(map: &Map<String, Value>) -> Option<Expected> {
    text(map, "device_code").ok()??;
    let user_code = text(map, "user_code").ok()??;
    if user_code.chars().count() > MAX_USER_CODE_CHARS || user_code.chars().any(char::is_control) {
        return None;
    }
    let uri = text(map, "verification_uri").ok()?;
    let url = text(map, "verification_url").ok()?;
    let chosen = match (uri, url) {
        (Some(a), Some(b)) if a != b => return None,
        (Some(a), _) | (None, Some(a)) => a,
        (None, None) => return None,
    };
    let verification_uri = shown_url(&chosen)?;
    let complete = match text(map, "verification_uri_complete").ok()? {
        Some(c) => Some(shown_url(&c)?),
        None => None,
    };
    let expires_in = whole_seconds(map.get("expires_in")?, MAX_EXPIRES_IN)?;
    let interval = match map.get("interval") {
        None => DEFAULT_POLL_INTERVAL,
        Some(v) => whole_seconds(v, MAX_POLL_INTERVAL.as_secs())?,
    };
    Some(Expected {
        user_code,
        verification_uri,
        complete,
        expires_in,
        interval,
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    #[test]
    fn the_parser_follows_the_documented_rules(map in device_object()) {
        let body = serde_json::to_vec(&map).unwrap();
        let parsed = DeviceAuthorizationResponse::parse(200, &body, LIMIT);
        match (oracle(&map), parsed) {
            (Some(expected), Ok(parsed)) => {
                prop_assert_eq!(parsed.user_code(), expected.user_code.as_str());
                prop_assert_eq!(parsed.verification_uri().as_str(), expected.verification_uri.as_str());
                prop_assert_eq!(parsed.verification_uri_complete().map(Url::as_str), expected.complete.as_deref());
                prop_assert_eq!(parsed.expires_in(), expected.expires_in);
                prop_assert_eq!(parsed.interval(), expected.interval);
                prop_assert_eq!(parsed.extra().get("message"), map.get("message"));
            }
            (None, Err(Error::InvalidResponse(
                InvalidResponse::MissingField { .. } | InvalidResponse::InvalidField { .. },
            ))) => {}
            (expected, parsed) => prop_assert!(
                false,
                "oracle says {}, parser says {:?}",
                if expected.is_some() { "accept" } else { "refuse" },
                parsed
            ),
        }
    }
}
