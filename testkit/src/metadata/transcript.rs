//! Runs a metadata machine against the in-memory server on the fake clock
//! and records what it does: each GET, each wait with its deadline, and
//! how it ended.

use std::time::{Duration, SystemTime};

use oauth2_sansio::{Error, Machine, RequestTimeout, Step, WaitReason};

use super::memory::MemoryMetadata;
use crate::world::{FakeClock, ROUND_TRIP};

/// One thing a metadata machine did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A GET without body: its URI, every header (sorted by name), and
    /// the timeout it asks of the transport.
    Get {
        uri: String,
        headers: Vec<(String, String)>,
        timeout: Option<Duration>,
    },
    Wait {
        until: SystemTime,
        reason: WaitReason,
    },
    Done,
    Error(Error),
}

impl Event {
    /// The GET of a data endpoint: `Metadata-Flavor: Google`, bounded by
    /// google-auth's default timeout (3 s).
    pub fn get(uri: &str) -> Self {
        Self::ping(uri, oauth2_sansio::metadata::DEFAULT_TIMEOUT)
    }

    /// A GET of `uri` (the detection ping or a data request) bounded by
    /// `timeout`.
    pub fn ping(uri: &str, timeout: Duration) -> Self {
        Self::Get {
            uri: uri.to_owned(),
            headers: vec![("metadata-flavor".to_owned(), "Google".to_owned())],
            timeout: Some(timeout),
        }
    }

    /// A backoff wait until `secs` after the fake clock's start.
    pub fn backoff_until(secs: u64) -> Self {
        Self::Wait {
            until: FakeClock::at(secs),
            reason: WaitReason::Backoff,
        }
    }
}

/// A recorded run.
#[derive(Debug)]
pub struct Run<T> {
    pub events: Vec<Event>,
    pub output: Option<T>,
    /// When each request was sent, in order.
    pub sent_at: Vec<SystemTime>,
    /// When each answer (or transport failure) arrived, in order.
    pub answered_at: Vec<SystemTime>,
}

impl<T> Run<T> {
    /// How many requests were sent.
    pub fn requests(&self) -> usize {
        self.events
            .iter()
            .filter(|e| matches!(e, Event::Get { .. }))
            .count()
    }

    /// The error the run ended with, if it did.
    pub fn error(&self) -> Option<&Error> {
        match self.events.last() {
            Some(Event::Error(error)) => Some(error),
            _ => None,
        }
    }
}

/// More events than any metadata machine needs: it is looping.
const MAX_EVENTS: usize = 32;

/// Drives `machine` until it is done or fails. Each request reaches
/// `server` and takes [`ROUND_TRIP`] of `clock` time plus the turn's
/// delay; a wait moves the clock to its deadline. After an error the
/// machine is polled once more and must return the same error.
pub fn record<M: Machine>(
    mut machine: M,
    server: &mut MemoryMetadata,
    clock: &mut FakeClock,
) -> Run<M::Output> {
    let mut events = Vec::new();
    let mut sent_at = Vec::new();
    let mut answered_at = Vec::new();
    let mut output = None;
    while events.len() < MAX_EVENTS {
        let result = match machine.poll(clock.now()) {
            Ok(Step::Send(request)) => {
                events.push(get_event(&request));
                sent_at.push(clock.now());
                let delivery = server.deliver(&request, clock.now());
                clock.advance(ROUND_TRIP + delivery.delay);
                answered_at.push(clock.now());
                match delivery.result {
                    Ok(response) => machine.handle_response(response, clock.now()),
                    Err(failure) => machine.handle_transport_failure(failure, clock.now()),
                }
            }
            Ok(Step::Wait { until, reason }) => {
                events.push(Event::Wait { until, reason });
                clock.advance_to(until);
                Ok(())
            }
            Ok(Step::Done(done)) => {
                events.push(Event::Done);
                output = Some(done);
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
    Run {
        events,
        output,
        sent_at,
        answered_at,
    }
}

fn get_event(request: &http::Request<Vec<u8>>) -> Event {
    assert_eq!(
        request.method(),
        http::Method::GET,
        "metadata requests are GETs"
    );
    assert!(request.body().is_empty(), "a GET has no body");
    let mut headers: Vec<(String, String)> = request
        .headers()
        .iter()
        .map(|(name, value)| {
            let value = value.to_str().expect("the crate sends ASCII headers");
            (name.as_str().to_owned(), value.to_owned())
        })
        .collect();
    headers.sort();
    Event::Get {
        uri: request.uri().to_string(),
        headers,
        timeout: request
            .extensions()
            .get::<RequestTimeout>()
            .map(|RequestTimeout(timeout)| *timeout),
    }
}
