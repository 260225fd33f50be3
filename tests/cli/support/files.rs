//! Scratch directories and the files the tests hand the binary.

use std::fs;
use std::path::Path;
use std::time::Duration;

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

pub use testkit::scratch::Scratch;

/// An `expiry` long gone.
pub const PAST: &str = "2020-01-01T00:00:00Z";

/// The `expiry` `seconds` from now (RFC 3339).
pub fn expiry_in(seconds: u64) -> String {
    (OffsetDateTime::now_utc() + Duration::from_secs(seconds))
        .format(&Rfc3339)
        .unwrap()
}

/// authorized_user JSON with an access token that expires at `expiry`
/// (RFC 3339).
pub fn credentials_json(token_uri: &str, token: &str, expiry: &str) -> String {
    serde_json::json!({
        "type": "authorized_user",
        "client_id": "cli-client",
        "client_secret": "cli-client-secret",
        "refresh_token": "1//old-refresh",
        "token": token,
        "expiry": expiry,
        "token_uri": token_uri,
        "scopes": ["openid", "email"],
        "account": "me@example.com",
    })
    .to_string()
}

/// The file's permission bits.
#[cfg(unix)]
pub fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}
