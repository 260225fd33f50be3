//! The device grant's answers: the device authorization response, and the
//! answers to a poll (a token, `authorization_pending`, `slow_down`, a
//! refusal).

use oauth2_sansio::device::{DeviceAuthorizationResponse, DevicePoll};
use oauth2_sansio::{Client, ClientSecret, Machine, Step};
use serde_json::json;

use super::derive::{json_cases, JsonRules};
use super::json::J;
use super::tally::{outcome, refused, Outcome, Tally};
use super::{now, status, RESPONSE_LIMIT};
use super::{ACCESS_TOKEN, CLIENT_SECRET, DEVICE_CODE, ROTATED_REFRESH_TOKEN};

fn authorization_seed() -> J {
    J::from(&json!({
        "device_code": DEVICE_CODE, "user_code": "WDJB-MJHT",
        "verification_uri": "https://as.example/device",
        "verification_uri_complete": "https://as.example/device?user_code=WDJB-MJHT",
        "expires_in": 1800, "interval": 5,
    }))
}

pub fn tallies() -> Vec<Tally> {
    vec![authorization(), poll()]
}

fn authorization() -> Tally {
    let mut tally = Tally::new("device authorization response");
    let rules = JsonRules {
        required: &["device_code", "user_code", "verification_uri", "expires_in"],
        bound: Some(RESPONSE_LIMIT),
        strict_duplicates: true,
        empty_refused: true,
    };
    tally.run(
        &[DEVICE_CODE],
        json_cases(&authorization_seed(), &rules, 800),
        |body| {
            outcome(DeviceAuthorizationResponse::parse(
                200,
                body,
                RESPONSE_LIMIT,
            ))
        },
    );
    tally
}

/// A poll whose device authorization has just been granted.
fn fresh_poll() -> DevicePoll {
    let client = Client::builder("client.apps.example")
        .client_secret(ClientSecret::new(CLIENT_SECRET))
        .authorization_endpoint("https://as.example/auth")
        .token_endpoint("https://as.example/token")
        .device_authorization_endpoint("https://as.example/device")
        .response_limit(RESPONSE_LIMIT)
        .build()
        .expect("a valid client");
    let call = client
        .device_authorization()
        .scope("openid")
        .build()
        .expect("a valid request");
    let body = authorization_seed().render();
    match super::answered(call, status(200), &body) {
        Ok(Step::Done(authorization)) => authorization.into_poll(),
        other => panic!("the seed authorizes, got {:?}", other.map(|_| ())),
    }
}

/// An answer to one poll: accepted when the poll goes on (pending, slow
/// down) or finishes with a token.
fn answer(status_code: u16, body: &[u8]) -> Outcome {
    let mut poll = fresh_poll();
    let mut at = now();
    loop {
        match poll.poll(at) {
            Ok(Step::Wait { until, .. }) => at = until,
            Ok(Step::Send(_)) => break,
            other => panic!(
                "a fresh poll sends after its wait, got {:?}",
                other.map(|_| ())
            ),
        }
    }
    let response = status(status_code)
        .body(body.to_vec())
        .expect("a valid response");
    match poll
        .handle_response(response, at)
        .and_then(|()| poll.poll(at))
    {
        Ok(_) => Outcome::Accepted,
        Err(e) => refused(e),
    }
}

fn poll() -> Tally {
    let mut tally = Tally::new("device poll answer");
    let secrets = [
        DEVICE_CODE,
        CLIENT_SECRET,
        ACCESS_TOKEN,
        ROTATED_REFRESH_TOKEN,
    ];
    let token_rules = JsonRules {
        required: &["access_token", "token_type"],
        bound: Some(RESPONSE_LIMIT),
        strict_duplicates: true,
        empty_refused: true,
    };
    let token = J::from(&json!({
        "access_token": ACCESS_TOKEN, "token_type": "Bearer", "expires_in": 3599,
        "refresh_token": ROTATED_REFRESH_TOKEN, "scope": "openid",
    }));
    let open = JsonRules {
        required: &[],
        ..token_rules
    };
    let mut answers: Vec<(u16, super::tally::Case)> = json_cases(&token, &token_rules, 900)
        .into_iter()
        .map(|c| (200, c))
        .collect();
    for (n, error) in ["authorization_pending", "slow_down", "access_denied"]
        .into_iter()
        .enumerate()
    {
        let seed =
            J::from(&json!({ "error": error, "error_description": "Waiting for the user." }));
        answers.extend(
            json_cases(&seed, &open, 901 + n as u64)
                .into_iter()
                .map(|c| (400, c)),
        );
    }
    let cases = answers.into_iter().map(|(code, mut case)| {
        let mut bytes = code.to_be_bytes().to_vec();
        bytes.append(&mut case.bytes);
        case.bytes = bytes;
        case
    });
    tally.run(&secrets, cases, |bytes| {
        answer(u16::from_be_bytes([bytes[0], bytes[1]]), &bytes[2..])
    });
    tally
}
