//! Times as Google writes them in JSON: RFC 3339.

use std::time::{Duration, SystemTime};

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// An RFC 3339 date-time from 1970 on, with any offset and optional
/// fractional seconds (dropped); a time without an offset is UTC
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
    let secs = u64::try_from(parsed.unix_timestamp()).ok()?;
    Some(SystemTime::UNIX_EPOCH + Duration::from_secs(secs))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::at;

    #[test]
    fn offsets_fractions_and_missing_zones() {
        assert_eq!(parse_utc_time("1970-01-01T01:00:00Z"), Some(at(3600)));
        assert_eq!(parse_utc_time("1970-01-01T01:00:00.9Z"), Some(at(3600)));
        assert_eq!(parse_utc_time("1970-01-01T02:00:00+01:00"), Some(at(3600)));
        assert_eq!(parse_utc_time("1970-01-01T01:00:00"), Some(at(3600)));
        for bad in [
            "",
            "tomorrow",
            "1969-12-31T23:59:59Z",
            "1970-01-01 01:00:00Z",
            "1970-13-01T00:00:00Z",
        ] {
            assert_eq!(parse_utc_time(bad), None, "{bad}");
        }
    }
}
