//! A bearer access token with its expiry: the part every credentials kind
//! shares (user, service account, ...).

use std::fmt;
use std::time::{Duration, SystemTime};

use http::header::{HeaderName, AUTHORIZATION};
use http::HeaderValue;

use crate::credentials::freshness::{freshness, Freshness};
use crate::secret::AccessToken;

/// The header Google reads the quota project from.
pub const QUOTA_PROJECT_HEADER: HeaderName = HeaderName::from_static("x-goog-user-project");

/// An access token and when it expires (`None`: unknown, treated as never).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BearerToken {
    token: AccessToken,
    expiry: Option<SystemTime>,
}

impl BearerToken {
    /// A token that expires at `expiry`.
    pub fn new(token: AccessToken, expiry: Option<SystemTime>) -> Self {
        Self { token, expiry }
    }

    /// The token.
    pub fn token(&self) -> &AccessToken {
        &self.token
    }

    /// The token's text, for a header of your own: `bearer.secret()` is
    /// `bearer.token().secret()`. Never log it.
    pub fn secret(&self) -> &str {
        self.token.secret()
    }

    /// When it expires, if known.
    pub fn expiry(&self) -> Option<SystemTime> {
        self.expiry
    }

    /// Its freshness at `now`, refreshing `threshold` before expiry.
    pub fn freshness(&self, now: SystemTime, threshold: Duration) -> Freshness {
        freshness(self.expiry, now, threshold)
    }

    /// Adds `Authorization: Bearer <token>` (and `x-goog-user-project` when
    /// `quota_project` is set) to `request`, unless the token has expired at
    /// `now`. Returns the freshness, so a `Stale` answer can trigger a
    /// refresh in the background.
    pub fn authorize<B>(
        &self,
        request: &mut http::Request<B>,
        quota_project: Option<&str>,
        now: SystemTime,
        threshold: Duration,
    ) -> Result<Freshness, NeedsRefresh> {
        let freshness = self.freshness(now, threshold);
        if freshness == Freshness::Invalid {
            return Err(NeedsRefresh);
        }
        let mut value = HeaderValue::try_from(format!("Bearer {}", self.token.secret()))
            .map_err(|_| NeedsRefresh)?;
        value.set_sensitive(true);
        let headers = request.headers_mut();
        headers.insert(AUTHORIZATION, value);
        if let Some(project) = quota_project.and_then(|p| HeaderValue::try_from(p).ok()) {
            headers.insert(QUOTA_PROJECT_HEADER, project);
        }
        Ok(freshness)
    }
}

/// There is no access token that may be used now: refresh first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NeedsRefresh;

impl fmt::Display for NeedsRefresh {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("no valid access token (missing, expired, or not a valid header value); refresh the credentials first")
    }
}

impl std::error::Error for NeedsRefresh {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::at;

    #[test]
    fn authorizes_until_expiry_and_not_after() {
        let token = BearerToken::new(AccessToken::new("ya29.t"), Some(at(1000)));
        let threshold = Duration::from_secs(225);
        let mut request = http::Request::new(());
        assert_eq!(
            token.authorize(&mut request, Some("proj"), at(0), threshold),
            Ok(Freshness::Fresh)
        );
        assert_eq!(request.headers()[AUTHORIZATION], "Bearer ya29.t");
        assert!(request.headers()[AUTHORIZATION].is_sensitive());
        assert_eq!(request.headers()["x-goog-user-project"], "proj");
        assert_eq!(
            token.authorize(&mut http::Request::new(()), None, at(900), threshold),
            Ok(Freshness::Stale)
        );
        let mut late = http::Request::new(());
        assert_eq!(
            token.authorize(&mut late, None, at(1000), threshold),
            Err(NeedsRefresh)
        );
        assert!(late.headers().is_empty());
    }

    #[test]
    fn the_secret_is_the_access_tokens_text() {
        let token = BearerToken::new(AccessToken::new("ya29.t"), None);
        assert_eq!(token.secret(), "ya29.t");
    }

    #[test]
    fn token_with_newline_is_never_sent() {
        let token = BearerToken::new(AccessToken::new("a\r\nX-Evil: 1"), None);
        let mut request = http::Request::new(());
        assert_eq!(
            token.authorize(&mut request, None, at(0), Duration::ZERO),
            Err(NeedsRefresh)
        );
    }
}
