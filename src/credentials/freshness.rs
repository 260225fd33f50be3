//! Token lifetime: the one place that decides whether a token may still be used.

use std::time::{Duration, SystemTime};

/// google-auth's `REFRESH_THRESHOLD`: a token is refreshed this long before it
/// expires, so that a request made with it does not arrive at the API after
/// the expiry.
pub const DEFAULT_REFRESH_THRESHOLD: Duration = Duration::from_secs(225);

/// How usable a token is at a given moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Freshness {
    /// Usable, and not yet within the refresh threshold of its expiry.
    Fresh,
    /// Still valid, but within the refresh threshold: use it, and refresh soon.
    Stale,
    /// Expired, or there is no token: refresh before use.
    Invalid,
}

/// Classifies a token that expires at `expiry` (`None`: no known expiry, never
/// expires) at time `now`, refreshing `threshold` before the expiry.
///
/// FRESH while `now < expiry - threshold`, STALE until `expiry`, INVALID from
/// `expiry` on — google-auth's rule.
pub fn freshness(expiry: Option<SystemTime>, now: SystemTime, threshold: Duration) -> Freshness {
    let Some(expiry) = expiry else {
        return Freshness::Fresh;
    };
    if now >= expiry {
        return Freshness::Invalid;
    }
    match expiry.checked_sub(threshold) {
        Some(refresh_at) if now < refresh_at => Freshness::Fresh,
        _ => Freshness::Stale,
    }
}

/// Whole seconds since the Unix epoch, or `None` before 1970.
pub(crate) fn unix_seconds(time: SystemTime) -> Option<u64> {
    time.duration_since(SystemTime::UNIX_EPOCH)
        .ok()
        .map(|d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::at;

    #[test]
    fn google_auth_threshold_boundaries() {
        let expiry = Some(at(10_000));
        let t = DEFAULT_REFRESH_THRESHOLD;
        assert_eq!(freshness(expiry, at(10_000 - 226), t), Freshness::Fresh);
        assert_eq!(freshness(expiry, at(10_000 - 225), t), Freshness::Stale);
        assert_eq!(freshness(expiry, at(9_999), t), Freshness::Stale);
        assert_eq!(freshness(expiry, at(10_000), t), Freshness::Invalid);
        assert_eq!(freshness(None, at(u32::MAX as u64), t), Freshness::Fresh);
    }

    #[test]
    fn threshold_longer_than_epoch_is_stale_not_panic() {
        let f = freshness(Some(at(10)), at(5), Duration::from_secs(u64::MAX));
        assert_eq!(f, Freshness::Stale);
    }
}
