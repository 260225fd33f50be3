//! What the one-request machine tests (revocation, introspection, client
//! credentials, discovery, token exchange) share: a driver that records
//! the exact requests ([`Sent`], from [`world`](crate::world)) on the fake
//! clock and answers with canned responses.

use std::time::SystemTime;

use oauth2_sansio::{Error, Machine, Step, TransportFailure, TransportFailureKind};

use crate::world::FakeClock;
pub use crate::world::{Sent, ROUND_TRIP};

pub const JSON: &str = "application/json";

/// `secs` after the fake clock's start.
pub fn at(secs: u64) -> SystemTime {
    FakeClock::at(secs)
}

impl Sent {
    /// A form POST to `uri` accepting JSON, with `authorization` if given.
    pub fn form(uri: &str, authorization: Option<&str>, body: &str) -> Self {
        Self::token_request(uri, authorization, body)
    }

    /// A GET of `uri` accepting JSON, without a body.
    pub fn get_json(uri: &str) -> Self {
        Self {
            method: "GET".to_owned(),
            uri: uri.to_owned(),
            headers: vec![("accept".to_owned(), JSON.to_owned())],
            body: String::new(),
        }
    }
}

/// What the fake network does with a request.
#[derive(Debug, Clone)]
pub enum Answer {
    /// An HTTP response.
    Http(u16, Vec<u8>),
    /// An HTTP response with these headers.
    Headed(u16, Vec<(&'static str, String)>, Vec<u8>),
    /// The transport failed.
    Fail,
}

impl Answer {
    pub fn ok(body: &str) -> Self {
        Answer::Http(200, body.as_bytes().to_vec())
    }

    pub fn status(status: u16, body: &str) -> Self {
        Answer::Http(status, body.as_bytes().to_vec())
    }

    /// An answer carrying the server's DPoP nonce (`DPoP-Nonce`).
    pub fn with_dpop_nonce(status: u16, body: &str, nonce: &str) -> Self {
        Answer::Headed(
            status,
            vec![("dpop-nonce", nonce.to_owned())],
            body.as_bytes().to_vec(),
        )
    }
}

/// A recorded run: the requests sent, in order, and how it ended.
#[derive(Debug)]
pub struct Run<T> {
    pub sent: Vec<Sent>,
    pub result: Result<T, Error>,
    /// The fake clock when the run ended.
    pub ended: SystemTime,
}

/// Drives `machine` from [`at(0)`](at), answering each request with the
/// next of `answers` one [`ROUND_TRIP`] later. These machines never wait.
/// After an error, `poll` must return the same error again (sticky).
pub fn run<M: Machine>(mut machine: M, answers: Vec<Answer>) -> Run<M::Output> {
    let mut answers = answers.into_iter();
    let mut now = at(0);
    let mut sent = Vec::new();
    let result = loop {
        let step = match machine.poll(now) {
            Ok(step) => step,
            Err(e) => break Err(e),
        };
        let handled = match step {
            Step::Send(request) => {
                sent.push(Sent::of(&request));
                now += ROUND_TRIP;
                match answers.next().expect("a canned answer for every request") {
                    Answer::Http(status, body) => {
                        let response = http::Response::builder().status(status).body(body).unwrap();
                        machine.handle_response(response, now)
                    }
                    Answer::Headed(status, headers, body) => {
                        let mut response = http::Response::builder().status(status);
                        for (name, value) in headers {
                            response = response.header(name, value);
                        }
                        machine.handle_response(response.body(body).unwrap(), now)
                    }
                    Answer::Fail => machine.handle_transport_failure(
                        TransportFailure::new(TransportFailureKind::Connect, "refused"),
                        now,
                    ),
                }
            }
            Step::Done(output) => break Ok(output),
            Step::Wait { .. } => panic!("a one-request machine never waits"),
        };
        if let Err(e) = handled {
            break Err(e);
        }
    };
    if let Err(e) = &result {
        assert_eq!(
            machine.poll(now).err().as_ref(),
            Some(e),
            "errors are sticky"
        );
    }
    assert!(answers.next().is_none(), "unused canned answers");
    Run {
        sent,
        result,
        ended: now,
    }
}

/// The one request a machine sends first.
pub fn first_request<M: Machine>(machine: &mut M) -> Sent {
    match machine.poll(at(0)) {
        Ok(Step::Send(request)) => Sent::of(&request),
        other => panic!("expected a request, got {:?}", other.map(|_| ())),
    }
}

/// `Basic base64(urlencode(id):urlencode(secret))`.
pub fn basic(id: &str, secret: &str) -> String {
    use base64::Engine;
    let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", enc(id), enc(secret)))
    )
}
