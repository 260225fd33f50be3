//! A deterministic world for end-to-end tests: an in-memory authorization
//! server, a fake clock, and a driver that records transcripts.

pub mod clock;
pub mod fixtures;
pub mod server;
pub mod transcript;

pub use clock::{FakeClock, ROUND_TRIP};
pub use fixtures::*;
pub use server::{
    Decision, FakeServer, Misbehaviour, AUTH_URI, ISSUER, PAR_URI, PUSH_LIFETIME, TOKEN_URI,
};
pub use transcript::{Event, Sent, Summary, Transcript};
