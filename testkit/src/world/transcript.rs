//! Runs a machine against the fake server on the fake clock and records
//! what it does, so that a test can pin the whole run with one `assert_eq!`.

use std::time::SystemTime;

use oauth2_sansio::{Credentials, Error, Machine, Step, UserCredentials, WaitReason};

use super::clock::{FakeClock, ROUND_TRIP};
use super::server::FakeServer;

/// A request as the machine built it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    pub method: String,
    pub uri: String,
    /// Every header, sorted by name.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Sent {
    pub fn of(request: &http::Request<Vec<u8>>) -> Self {
        let mut headers: Vec<(String, String)> = request
            .headers()
            .iter()
            .map(|(name, value)| {
                let value = value.to_str().expect("headers the crate sends are ASCII");
                (name.as_str().to_owned(), value.to_owned())
            })
            .collect();
        headers.sort();
        Self {
            method: request.method().as_str().to_owned(),
            uri: request.uri().to_string(),
            headers,
            body: String::from_utf8(request.body().clone()).expect("form bodies are ASCII"),
        }
    }

    /// The expected token request: a form POST to `uri` that accepts JSON,
    /// with `authorization` if given.
    pub fn token_request(uri: &str, authorization: Option<&str>, body: &str) -> Self {
        let mut headers = vec![("accept", "application/json")];
        headers.extend(authorization.map(|value| ("authorization", value)));
        headers.push(("content-type", "application/x-www-form-urlencoded"));
        Self::post(uri, &headers, body)
    }

    /// The expected POST of a form to `uri`, with `headers` in name order.
    pub fn post(uri: &str, headers: &[(&str, &str)], body: &str) -> Self {
        Self {
            method: "POST".to_owned(),
            uri: uri.to_owned(),
            headers: headers
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect(),
            body: body.to_owned(),
        }
    }
}

/// What credentials hold, in comparable form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub access_token: Option<String>,
    pub expiry: Option<SystemTime>,
    pub refresh_token: Option<String>,
    pub id_token: Option<String>,
    pub granted_scopes: Option<Vec<String>>,
    pub missing_scopes: Vec<String>,
}

impl Summary {
    pub fn of(credentials: &UserCredentials) -> Self {
        let owned = |s: &[String]| s.to_vec();
        Self {
            access_token: credentials.token().map(|t| t.token().secret().to_owned()),
            expiry: credentials.token().and_then(|t| t.expiry()),
            refresh_token: credentials.refresh_token().map(|t| t.secret().to_owned()),
            id_token: credentials.id_token().map(|t| t.secret().to_owned()),
            granted_scopes: credentials.granted_scopes().map(owned),
            missing_scopes: credentials
                .missing_scopes()
                .into_iter()
                .map(str::to_owned)
                .collect(),
        }
    }
}

/// One thing a machine did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Send(Sent),
    Wait {
        until: SystemTime,
        reason: WaitReason,
    },
    Done(Summary),
    Error(Error),
}

/// A recorded run.
#[derive(Debug)]
pub struct Transcript {
    pub events: Vec<Event>,
    /// The machine's output, if it finished.
    pub output: Option<UserCredentials>,
}

/// More events than any flow needs: the machine is looping.
const MAX_EVENTS: usize = 64;

impl Transcript {
    /// Drives `machine` until it is done or fails. Each request reaches
    /// `server` through [`FakeServer::deliver`] and takes [`ROUND_TRIP`] of
    /// `clock` time; a `Wait` moves the clock to its deadline. After an
    /// error the machine is polled once more and must return the same
    /// error (errors are sticky).
    pub fn record<M>(machine: &mut M, server: &mut FakeServer, clock: &mut FakeClock) -> Self
    where
        M: Machine<Output = UserCredentials>,
    {
        let mut events = Vec::new();
        let mut output = None;
        while events.len() < MAX_EVENTS {
            let result = match machine.poll(clock.now()) {
                Ok(Step::Send(request)) => {
                    events.push(Event::Send(Sent::of(&request)));
                    let delivered = server.deliver(&request, clock.now());
                    clock.advance(ROUND_TRIP);
                    match delivered {
                        Ok(response) => machine.handle_response(response, clock.now()),
                        Err(failure) => machine.handle_transport_failure(failure, clock.now()),
                    }
                }
                Ok(Step::Wait { until, reason }) => {
                    events.push(Event::Wait { until, reason });
                    clock.advance_to(until);
                    Ok(())
                }
                Ok(Step::Done(credentials)) => {
                    events.push(Event::Done(Summary::of(&credentials)));
                    output = Some(credentials);
                    break;
                }
                Err(error) => Err(error),
            };
            if let Err(error) = result {
                assert_eq!(
                    machine.poll(clock.now()).err(),
                    Some(error.clone()),
                    "errors are sticky"
                );
                events.push(Event::Error(error));
                break;
            }
        }
        assert!(
            events.len() < MAX_EVENTS,
            "the machine never finished: {events:?}"
        );
        Self { events, output }
    }
}
