//! The steps of benches/instructions.rs: one module each, holding the
//! fixture, one small function per side, and the check that a side's
//! output equals ours.

mod authorization_url;
mod authorized_user;
mod cache_read;
mod callback;
mod code_exchange;
mod refresh_request;
mod token_request;
mod token_response;

mod fixtures;
mod same;

use crate::Allocations;

/// Who does the step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// This crate.
    Ours,
    /// The `oauth2` crate 5.0 (or, for the cache, gcp_auth's cache).
    OAuth2,
    /// The hand-written floor, benches/floor/.
    Floor,
}

impl Side {
    pub fn name(self) -> &'static str {
        match self {
            Side::Ours => "ours",
            Side::OAuth2 => "oauth2",
            Side::Floor => "floor",
        }
    }
}

/// One row of the table.
pub struct Step {
    pub name: &'static str,
    pub sides: &'static [Side],
    /// Checks `side` against ours, then runs it `count` times.
    pub run: fn(Side, usize) -> Allocations,
}

const ALL: &[Side] = &[Side::Ours, Side::OAuth2, Side::Floor];

pub const STEPS: &[Step] = &[
    Step {
        name: "authorization_url",
        sides: ALL,
        run: authorization_url::run,
    },
    Step {
        name: "callback",
        sides: ALL,
        run: callback::run,
    },
    Step {
        name: "token_request",
        sides: ALL,
        run: token_request::run,
    },
    Step {
        name: "token_response",
        sides: ALL,
        run: token_response::run,
    },
    Step {
        name: "refresh_request",
        sides: ALL,
        run: refresh_request::run,
    },
    Step {
        name: "code_exchange",
        sides: ALL,
        run: code_exchange::run,
    },
    Step {
        name: "authorized_user",
        // `oauth2` has no authorized_user file.
        sides: &[Side::Ours, Side::Floor],
        run: authorized_user::run,
    },
    Step {
        name: "cache_read",
        sides: ALL,
        run: cache_read::run,
    },
];
