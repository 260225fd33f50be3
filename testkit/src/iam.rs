//! An in-memory Google for impersonation: the token endpoint a user
//! source refreshes at and the IAM Service Account Credentials API's
//! `generateAccessToken`, `generateIdToken` and `signBlob`, as their wire facts say (JSON in and out,
//! `expireTime` in RFC 3339, errors in Google's `{"error": {...}}` form).
//! Runs machines on the fake clock and records what they send.

use std::collections::VecDeque;
use std::time::{Duration, SystemTime};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use oauth2_sansio::{Error, Machine, Step, TransportFailure};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::world::{FakeClock, ROUND_TRIP};

/// The token endpoint a user source refreshes at.
pub const TOKEN_URI: &str = "https://oauth2.googleapis.com/token";
/// The IAM host.
pub const IAM_HOST: &str = "iamcredentials.googleapis.com";

/// What the fake does with the next request, instead of answering it.
#[derive(Debug, Clone)]
pub enum Scripted {
    /// Answer with this status and body.
    Answer(u16, String),
    /// Fail in transport.
    Transport(TransportFailure),
}

/// The fake: counts the tokens it issues, records requests, and replays
/// scripted answers first.
#[derive(Debug, Default)]
pub struct FakeIam {
    issued_user: u32,
    issued_iam: u32,
    script: VecDeque<Scripted>,
}

/// One request the machine sent, as the fake saw it.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A POST: its URI, its `authorization` and `x-goog-user-project`
    /// headers, its content type, and its body (JSON parsed; a form as a
    /// string).
    Post {
        uri: String,
        authorization: Option<String>,
        quota_project: Option<String>,
        content_type: Option<String>,
        body: Value,
    },
    Wait(SystemTime),
    Done,
    Error(Error),
}

impl FakeIam {
    /// A fake that answers every request as Google would.
    pub fn new() -> Self {
        Self::default()
    }

    /// Replays `script` for the next requests, in order.
    pub fn scripted(script: impl IntoIterator<Item = Scripted>) -> Self {
        Self {
            script: script.into_iter().collect(),
            ..Self::default()
        }
    }

    fn answer(
        &mut self,
        request: &http::Request<Vec<u8>>,
        now: SystemTime,
    ) -> Result<http::Response<Vec<u8>>, TransportFailure> {
        if let Some(scripted) = self.script.pop_front() {
            return match scripted {
                Scripted::Answer(status, body) => Ok(response(status, body)),
                Scripted::Transport(failure) => Err(failure),
            };
        }
        if *request.uri() == TOKEN_URI {
            self.issued_user += 1;
            let body = json!({
                "access_token": format!("ya29.user-{}", self.issued_user),
                "expires_in": 3600,
                "token_type": "Bearer",
            });
            return Ok(response(200, body.to_string()));
        }
        let body: Value = serde_json::from_slice(request.body()).unwrap_or(Value::Null);
        if request.uri().path().ends_with(":signBlob") {
            let payload = body["payload"].as_str().unwrap_or_default();
            let payload = STANDARD.decode(payload).unwrap_or_default();
            let body = json!({"keyId": "fake-key-1", "signedBlob": STANDARD.encode(fake_signature(&payload))});
            return Ok(response(200, body.to_string()));
        }
        if request.uri().path().ends_with(":generateIdToken") {
            self.issued_iam += 1;
            let audience = body["audience"].as_str().unwrap_or_default();
            let full = body["includeEmail"].as_bool().unwrap_or(false);
            let body = json!({"token": crate::metadata::id_token(audience, full, now)});
            return Ok(response(200, body.to_string()));
        }
        let lifetime = body["lifetime"]
            .as_str()
            .and_then(|l| l.strip_suffix('s'))
            .and_then(|l| l.parse::<u64>().ok())
            .unwrap_or(3600);
        self.issued_iam += 1;
        let body = json!({
            "accessToken": format!("ya29.impersonated-{}", self.issued_iam),
            "expireTime": rfc3339(now + Duration::from_secs(lifetime)),
        });
        Ok(response(200, body.to_string()))
    }
}

/// The fake's "signature" of `payload`: its SHA-256, so a test can tell
/// which bytes were signed.
pub fn fake_signature(payload: &[u8]) -> Vec<u8> {
    Sha256::digest(payload).to_vec()
}

fn response(status: u16, body: String) -> http::Response<Vec<u8>> {
    http::Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(body.into_bytes())
        .expect("a valid response")
}

/// `time` as `2026-01-01T01:00:00Z`.
pub fn rfc3339(time: SystemTime) -> String {
    let secs = time
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (year, month, day) = civil_from_days(days as i64);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// Howard Hinnant's days-to-civil algorithm.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// A recorded run.
#[derive(Debug)]
pub struct Run<T> {
    pub events: Vec<Event>,
    pub output: Option<T>,
}

/// Drives `machine` against `fake` on `clock` (each request takes
/// [`ROUND_TRIP`]) and records what it does.
pub fn record<M: Machine>(
    mut machine: M,
    fake: &mut FakeIam,
    clock: &mut FakeClock,
) -> Run<M::Output> {
    let mut events = Vec::new();
    for _ in 0..100 {
        match machine.poll(clock.now()) {
            Ok(Step::Send(request)) => {
                events.push(event(&request));
                let answer = fake.answer(&request, clock.now());
                clock.advance(ROUND_TRIP);
                let handled = match answer {
                    Ok(response) => machine.handle_response(response, clock.now()),
                    Err(failure) => machine.handle_transport_failure(failure, clock.now()),
                };
                if let Err(error) = handled {
                    events.push(Event::Error(error));
                    return Run {
                        events,
                        output: None,
                    };
                }
            }
            Ok(Step::Wait { until, .. }) => {
                events.push(Event::Wait(until));
                clock.advance_to(until);
            }
            Ok(Step::Done(output)) => {
                events.push(Event::Done);
                return Run {
                    events,
                    output: Some(output),
                };
            }
            Err(error) => {
                events.push(Event::Error(error));
                return Run {
                    events,
                    output: None,
                };
            }
        }
    }
    panic!("the machine did not finish in 100 steps");
}

fn event(request: &http::Request<Vec<u8>>) -> Event {
    assert_eq!(
        request.method(),
        http::Method::POST,
        "IAM and token calls are POSTs"
    );
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .map(|v| v.to_str().expect("an ASCII header").to_owned())
    };
    let body = serde_json::from_slice(request.body())
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(request.body()).into_owned()));
    Event::Post {
        uri: request.uri().to_string(),
        authorization: header("authorization"),
        quota_project: header("x-goog-user-project"),
        content_type: header("content-type"),
        body,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_written_as_google_writes_them() {
        assert_eq!(rfc3339(FakeClock::at(0)), "2026-01-01T00:00:00Z");
        assert_eq!(rfc3339(FakeClock::at(3600 + 61)), "2026-01-01T01:01:01Z");
        assert_eq!(rfc3339(SystemTime::UNIX_EPOCH), "1970-01-01T00:00:00Z");
        assert_eq!(
            rfc3339(SystemTime::UNIX_EPOCH + Duration::from_secs(951_782_400)),
            "2000-02-29T00:00:00Z"
        );
    }
}
