//! Times as Google writes them in JSON: RFC 3339.

use std::time::{Duration, SystemTime};

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// The latest time the crate reads or writes: 9999-12-31T23:59:59Z, the
/// last that RFC 3339 (four-digit years) can write in UTC.
pub(crate) const LATEST_TIME: u64 = 253_402_300_799;

/// An RFC 3339 date-time from 1970 to [`LATEST_TIME`], with any offset and
/// optional fractional seconds (dropped); a time without an offset is UTC
/// (google-auth's `authorized_user` writer strips the `Z`, so such files
/// exist).
pub(crate) fn parse_utc_time(text: &str) -> Option<SystemTime> {
    let has_offset = text
        .rsplit_once('T')
        .is_some_and(|(_, time)| time.ends_with(['Z', 'z']) || time.contains(['+', '-']));
    let parsed = if has_offset {
        OffsetDateTime::parse(text, &Rfc3339)
    } else {
        OffsetDateTime::parse(&format!("{text}Z"), &Rfc3339)
    }
    .ok()?;
    let secs = u64::try_from(parsed.unix_timestamp())
        .ok()
        .filter(|&secs| secs <= LATEST_TIME)?;
    Some(SystemTime::UNIX_EPOCH + Duration::from_secs(secs))
}

/// `2026-11-25T23:40:54Z`: whole seconds, UTC, as google-auth writes
/// times; `None` before 1970 or after [`LATEST_TIME`].
pub(crate) fn format_utc_seconds(time: SystemTime) -> Option<String> {
    let secs = time.duration_since(SystemTime::UNIX_EPOCH).ok()?.as_secs();
    if secs > LATEST_TIME {
        return None;
    }
    OffsetDateTime::from_unix_timestamp(i64::try_from(secs).ok()?)
        .ok()?
        .format(&Rfc3339)
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::at;

    #[test]
    fn times_are_written_to_the_second() {
        let time = at(3600) + Duration::from_nanos(123_456_789);
        assert_eq!(
            format_utc_seconds(time).as_deref(),
            Some("1970-01-01T01:00:00Z")
        );
        assert_eq!(format_utc_seconds(at(LATEST_TIME + 1)), None);
    }

    #[test]
    fn offsets_fractions_and_missing_zones() {
        assert_eq!(parse_utc_time("1970-01-01T01:00:00Z"), Some(at(3600)));
        assert_eq!(parse_utc_time("1970-01-01T01:00:00.9Z"), Some(at(3600)));
        assert_eq!(parse_utc_time("1970-01-01T02:00:00+01:00"), Some(at(3600)));
        assert_eq!(parse_utc_time("1970-01-01T01:00:00"), Some(at(3600)));
        assert_eq!(
            parse_utc_time("9999-12-31T23:59:59Z"),
            Some(at(LATEST_TIME))
        );
        for bad in [
            "",
            "tomorrow",
            "9999-12-31T23:59:59-01:00",
            "1969-12-31T23:59:59Z",
            "1970-01-01 01:00:00Z",
            "1970-13-01T00:00:00Z",
        ] {
            assert_eq!(parse_utc_time(bad), None, "{bad}");
        }
    }
}
