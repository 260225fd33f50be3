//! How long a token manager waits before trying a failed refresh again.

use std::time::Duration;

/// The delay before the next refresh attempt after consecutive failures:
/// `floor`, then doubling after each further failure, never above `cap`.
/// A non-retryable failure waits the whole `cap`, and so does every retry
/// after it until a refresh succeeds.
///
/// There is no jitter: the manager is deterministic. One refresh per
/// credential is in flight at a time, so a process does not stampede; spread
/// many processes by giving them different floors if that matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    floor: Duration,
    cap: Duration,
}

impl Backoff {
    /// The default: 1 s, doubling up to 60 s.
    pub const DEFAULT: Backoff = Backoff {
        floor: Duration::from_secs(1),
        cap: Duration::from_secs(60),
    };

    /// The smallest floor accepted: a zero floor would retry at once.
    pub const MIN_FLOOR: Duration = Duration::from_millis(1);

    /// Waits `floor` after the first failure, doubling up to `cap`. A floor
    /// below [`MIN_FLOOR`](Self::MIN_FLOOR) is raised to it; a cap below the
    /// floor is raised to the floor.
    pub fn new(floor: Duration, cap: Duration) -> Self {
        let floor = floor.max(Self::MIN_FLOOR);
        Self {
            floor,
            cap: cap.max(floor),
        }
    }

    /// The delay after the first failure.
    pub fn floor(&self) -> Duration {
        self.floor
    }

    /// The longest delay.
    pub fn cap(&self) -> Duration {
        self.cap
    }

    /// The delay after `failures` consecutive failures (0 is treated as 1):
    /// `floor * 2^(failures - 1)`, at most `cap`.
    pub fn delay(&self, failures: u32) -> Duration {
        let doublings = failures.saturating_sub(1).min(63);
        self.floor
            .checked_mul(1u32.checked_shl(doublings).unwrap_or(u32::MAX))
            .map_or(self.cap, |delay| delay.min(self.cap))
    }
}

impl Default for Backoff {
    fn default() -> Self {
        Self::DEFAULT
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_from_floor_to_cap() {
        let b = Backoff::new(Duration::from_secs(1), Duration::from_secs(10));
        let delays: Vec<u64> = (0..7).map(|n| b.delay(n).as_secs()).collect();
        assert_eq!(delays, [1, 1, 2, 4, 8, 10, 10]);
        assert_eq!(b.delay(u32::MAX), Duration::from_secs(10));
    }

    #[test]
    fn degenerate_settings_are_raised() {
        let b = Backoff::new(Duration::ZERO, Duration::ZERO);
        assert_eq!(b.floor(), Backoff::MIN_FLOOR);
        assert_eq!(b.cap(), Backoff::MIN_FLOOR);
        let b = Backoff::new(Duration::from_secs(5), Duration::from_secs(1));
        assert_eq!(
            (b.floor(), b.cap()),
            (Duration::from_secs(5), Duration::from_secs(5))
        );
    }
}
