//! Verifying ID tokens with the issuer's key set fetched over the blocking
//! transport: one fetch at a time, shared by every thread.

use std::fmt;
use std::sync::Mutex;
use std::time::SystemTime;

use super::UreqTransport;
use crate::jwt::verify::{
    CacheVerdict, IdTokenError, IdTokenVerifier, KeySetCache, VerifiedIdToken,
};
use crate::Error;

/// An issuer's key set behind a lock, fetched through `transport` when
/// [`KeySetCache`] says so; threads verifying at once wait for one fetch.
///
/// ```no_run
/// use oauth2_sansio::io::ureq::{KeySetClient, UreqTransport};
/// use oauth2_sansio::jwt::verify::{IdTokenVerifier, KeySetCache, GOOGLE_JWKS_URI};
///
/// let keys = KeySetClient::new(UreqTransport::new(), KeySetCache::new(GOOGLE_JWKS_URI)?);
/// let verifier = IdTokenVerifier::google("my-client-id.apps.googleusercontent.com");
/// # let token = "";
/// let verified = keys.verify(&verifier, token)?;
/// println!("signed in: {:?}", verified.subject());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct KeySetClient {
    transport: UreqTransport,
    cache: Mutex<KeySetCache>,
}

/// Why a token could not be verified.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum VerifyFailure {
    /// The token is refused.
    Refused(IdTokenError),
    /// No key set could be fetched (and none was held).
    Fetch(Error),
}

impl fmt::Display for VerifyFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Refused(e) => write!(f, "{e}"),
            Self::Fetch(e) => write!(f, "the issuer's key set could not be fetched: {e}"),
        }
    }
}

impl std::error::Error for VerifyFailure {}

impl KeySetClient {
    /// Keys from `cache` (not fetched yet, usually), fetched with
    /// `transport`.
    pub fn new(transport: UreqTransport, cache: KeySetCache) -> Self {
        Self {
            transport,
            cache: Mutex::new(cache),
        }
    }

    /// Verifies `token` with `verifier`, fetching the key set when it is
    /// missing, expired, or (once per cool-down) lacks the token's key.
    pub fn verify(
        &self,
        verifier: &IdTokenVerifier,
        token: &str,
    ) -> Result<VerifiedIdToken, VerifyFailure> {
        let mut cache = match self.cache.lock() {
            Ok(cache) => cache,
            Err(poisoned) => poisoned.into_inner(),
        };
        // A fetch starts a cool-down, so this ends after one fetch at most
        // (two when the keys held had expired and the token is new).
        for _ in 0..3 {
            let now = SystemTime::now();
            match cache.verify(verifier, token, now) {
                CacheVerdict::Verified(verified) => return Ok(verified),
                CacheVerdict::Refused(refused) => return Err(VerifyFailure::Refused(refused)),
                CacheVerdict::FetchKeys => {
                    let fetch = cache.fetch(now);
                    match self.transport.run(fetch) {
                        Ok(fetched) => cache.store(fetched),
                        Err(e) if cache.keys(now).is_none() => return Err(VerifyFailure::Fetch(e)),
                        Err(_) => {}
                    }
                }
            }
        }
        // Fetched as often as allowed, and the token's key is still not
        // there: the held keys' own answer.
        let now = SystemTime::now();
        match cache.keys(now) {
            Some(keys) => verifier
                .verify(token, keys, now)
                .map_err(VerifyFailure::Refused),
            None => Err(VerifyFailure::Refused(IdTokenError::UnknownKey {
                kid: None,
            })),
        }
    }
}

impl fmt::Debug for KeySetClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeySetClient").finish_non_exhaustive()
    }
}
