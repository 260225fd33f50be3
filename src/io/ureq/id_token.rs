//! Verifying ID tokens with the issuer's key set fetched over the blocking
//! transport: one fetch at a time, shared by every thread.

use std::fmt;
use std::sync::Mutex;
use std::time::SystemTime;

use super::UreqTransport;
use crate::jwt::verify::{
    IdTokenVerifier, KeySetCache, Verification, VerifiedIdToken, VerifyFailure, VerifyStep,
};

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
        let mut verification = Verification::new(&mut cache, verifier, token);
        loop {
            match verification.next(SystemTime::now()) {
                VerifyStep::Fetch(fetch) => {
                    let fetched = self.transport.run(fetch);
                    verification.fetched(fetched, SystemTime::now());
                }
                VerifyStep::Done(answer) => return answer,
            }
        }
    }
}

impl fmt::Debug for KeySetClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeySetClient").finish_non_exhaustive()
    }
}
