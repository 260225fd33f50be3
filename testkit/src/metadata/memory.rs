//! The metadata server in memory, for machine transcripts on the fake
//! clock: each request gets the next scripted answer, else the fake's own.

use std::collections::VecDeque;
use std::time::{Duration, SystemTime};

use oauth2_sansio::{TransportFailure, TransportFailureKind};

use super::fake::{FakeMetadata, Reply};

/// What the network does with one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scripted {
    /// The fake answers as its routes say.
    Routed,
    /// This answer, whatever was asked.
    Reply(Reply),
    /// No answer: the transport fails with this kind.
    Fail(TransportFailureKind),
}

/// One scripted answer and how long it takes beyond the round trip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Turn {
    pub scripted: Scripted,
    pub delay: Duration,
}

impl From<Scripted> for Turn {
    fn from(scripted: Scripted) -> Self {
        Self {
            scripted,
            delay: Duration::ZERO,
        }
    }
}

/// What delivering one request gave, and how long it took beyond the
/// round trip.
pub struct Delivery {
    pub result: Result<http::Response<Vec<u8>>, TransportFailure>,
    pub delay: Duration,
}

/// The in-memory metadata server: the scripted turns first, in order,
/// then the fake's routes.
#[derive(Debug, Default)]
pub struct MemoryMetadata {
    pub fake: FakeMetadata,
    script: VecDeque<Turn>,
}

impl MemoryMetadata {
    /// A server that answers every request as the fake's routes say.
    pub fn new(fake: FakeMetadata) -> Self {
        Self {
            fake,
            script: VecDeque::new(),
        }
    }

    /// The next requests get these turns, in order.
    pub fn script<T: Into<Turn>>(mut self, turns: impl IntoIterator<Item = T>) -> Self {
        self.script.extend(turns.into_iter().map(Into::into));
        self
    }

    /// How many scripted turns no request used.
    pub fn unused_turns(&self) -> usize {
        self.script.len()
    }

    /// Answers `request`, received at `now`.
    pub fn deliver(&mut self, request: &http::Request<Vec<u8>>, now: SystemTime) -> Delivery {
        let turn = self.script.pop_front().unwrap_or(Turn {
            scripted: Scripted::Routed,
            delay: self.fake.delay,
        });
        let result = match turn.scripted {
            Scripted::Routed => {
                let target = request.uri().path_and_query().map_or("/", |p| p.as_str());
                let flavored = request
                    .headers()
                    .get("metadata-flavor")
                    .is_some_and(|v| v == "Google");
                let reply = self
                    .fake
                    .answer(request.method().as_str(), target, flavored, now);
                Ok(reply.to_response())
            }
            Scripted::Reply(reply) => Ok(reply.to_response()),
            Scripted::Fail(kind) => Err(TransportFailure::new(kind, "the fake network failed")),
        };
        Delivery {
            result,
            delay: turn.delay,
        }
    }
}
