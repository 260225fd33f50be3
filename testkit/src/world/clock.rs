//! A fake wall clock: starts at a fixed instant and moves only when told.

use std::time::{Duration, SystemTime};

/// 2026-01-01T00:00:00Z in Unix seconds: where every test starts.
pub const START_UNIX: u64 = 1_767_225_600;

/// The time one request takes on the fake network (so that tests can tell
/// "when the request was sent" from "when the response arrived").
pub const ROUND_TRIP: Duration = Duration::from_secs(1);

/// Simulated wall-clock time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeClock {
    now: SystemTime,
}

impl Default for FakeClock {
    fn default() -> Self {
        Self::new()
    }
}

impl FakeClock {
    /// A clock at [`START_UNIX`].
    pub fn new() -> Self {
        Self { now: Self::at(0) }
    }

    /// The current simulated time.
    pub fn now(&self) -> SystemTime {
        self.now
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&mut self, by: Duration) {
        self.now += by;
    }

    /// Moves the clock to `until` (a `Wait` deadline); never moves it back.
    pub fn advance_to(&mut self, until: SystemTime) {
        self.now = self.now.max(until);
    }

    /// `secs` after the start, for writing expected times.
    pub fn at(secs: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(START_UNIX + secs)
    }
}
