//! Scratch directories and the files the tests hand the binary.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// A fresh directory, removed when dropped.
pub struct Scratch(PathBuf);

impl Scratch {
    pub fn new() -> Self {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let dir = std::env::temp_dir().join(format!(
            "oauth2-sansio-cli-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    pub fn dir(&self) -> &Path {
        &self.0
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    /// Writes `contents` to `name` and returns its path as a string.
    pub fn write(&self, name: &str, contents: &str) -> String {
        let path = self.path(name);
        fs::write(&path, contents).unwrap();
        path.to_str().unwrap().to_owned()
    }

    /// The names in the directory, sorted: no temporary file may be left.
    pub fn entries(&self) -> Vec<String> {
        let mut names: Vec<_> = fs::read_dir(&self.0)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

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
