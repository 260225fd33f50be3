//! What instances share about one set of credentials: the parts a refresh
//! changes (the access token, its expiry and type, a rotated refresh
//! token), never the client's secret or keys, which stay with each
//! instance's own credentials.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::entry::EntryError;
use crate::credentials::BearerToken;
use crate::secret::{AccessToken, RefreshToken};
use crate::wire::printable::is_printable;

/// The longest an entry is kept, whatever its token's expiry says.
const MAX_LIFETIME: Duration = Duration::from_secs(400 * 24 * 3600);

/// The shared part of a set of credentials. `Debug` shows no secret: the
/// token and refresh token types redact themselves.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct SharedState {
    token: BearerToken,
    dpop: bool,
    refresh_token: Option<RefreshToken>,
}

impl SharedState {
    /// A bearer `token` (not DPoP-bound), without a refresh token.
    pub fn new(token: BearerToken) -> Self {
        Self {
            token,
            dpop: false,
            refresh_token: None,
        }
    }

    /// Marks the token as DPoP-bound (`token_type` `DPoP`).
    pub fn with_dpop(mut self, dpop: bool) -> Self {
        self.dpop = dpop;
        self
    }

    /// Adds the refresh token the credentials hold now.
    pub fn with_refresh_token(mut self, refresh_token: Option<RefreshToken>) -> Self {
        self.refresh_token = refresh_token;
        self
    }

    /// The access token and its expiry.
    pub fn token(&self) -> &BearerToken {
        &self.token
    }

    /// Whether the token is DPoP-bound.
    pub fn is_dpop(&self) -> bool {
        self.dpop
    }

    /// The refresh token, if the credentials have one.
    pub fn refresh_token(&self) -> Option<&RefreshToken> {
        self.refresh_token.as_ref()
    }

    /// How long the store keeps it: until its token expires, or
    /// `retention` from `now` when it carries a refresh token (which
    /// outlives the access token) or its token has no expiry. At least a
    /// second, at most 400 days.
    pub(super) fn lifetime(&self, now: SystemTime, retention: Duration) -> Duration {
        let until_expiry = self
            .token
            .expiry()
            .map(|expiry| expiry.duration_since(now).unwrap_or_default());
        let lifetime = match (until_expiry, &self.refresh_token) {
            (Some(left), None) => left,
            (Some(left), Some(_)) => left.max(retention),
            (None, _) => retention,
        };
        lifetime.clamp(Duration::from_secs(1), MAX_LIFETIME)
    }

    /// The JSON form (wiped on drop).
    pub(super) fn to_json(&self) -> Zeroizing<Vec<u8>> {
        let wire = WireOut {
            access_token: self.token.token().secret(),
            expires_at_ms: self.token.expiry().map(millis_since_epoch),
            dpop: self.dpop,
            refresh_token: self.refresh_token.as_ref().map(RefreshToken::secret),
        };
        Zeroizing::new(serde_json::to_vec(&wire).expect("strings and numbers serialize"))
    }

    /// Reads the JSON form; `bytes` are bounded by the caller.
    pub(super) fn from_json(bytes: &[u8]) -> Result<Self, EntryError> {
        let wire: WireIn = serde_json::from_slice(bytes).map_err(|_| EntryError::Malformed)?;
        // Moved into secret types at once, which wipe them when dropped.
        let access_token = AccessToken::new(wire.access_token);
        let refresh_token = wire.refresh_token.map(RefreshToken::new);
        let printable = |text: &str| !text.is_empty() && is_printable(text);
        let refresh_ok = refresh_token.as_ref().is_none_or(|t| printable(t.secret()));
        if !printable(access_token.secret()) || !refresh_ok {
            return Err(EntryError::Malformed);
        }
        let expiry = match wire.expires_at_ms {
            None => None,
            Some(ms) => Some(
                UNIX_EPOCH
                    .checked_add(Duration::from_millis(ms))
                    .ok_or(EntryError::Malformed)?,
            ),
        };
        Ok(Self {
            token: BearerToken::new(access_token, expiry),
            dpop: wire.dpop,
            refresh_token,
        })
    }
}

/// The JSON written into the (sealed) entry.
#[derive(Serialize)]
struct WireOut<'a> {
    access_token: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    expires_at_ms: Option<u64>,
    dpop: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_token: Option<&'a str>,
}

/// The JSON read from an entry.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WireIn {
    access_token: String,
    #[serde(default)]
    expires_at_ms: Option<u64>,
    #[serde(default)]
    dpop: bool,
    #[serde(default)]
    refresh_token: Option<String>,
}

fn millis_since_epoch(time: SystemTime) -> u64 {
    let since = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    u64::try_from(since.as_millis()).unwrap_or(u64::MAX)
}
