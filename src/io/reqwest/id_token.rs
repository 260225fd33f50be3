//! Verifying ID tokens with the issuer's key set fetched over the async
//! transport: one fetch at a time, shared by every task.

use std::fmt;
use std::time::SystemTime;

use super::ReqwestTransport;
use crate::jwt::verify::{
    IdTokenVerifier, KeySetCache, Verification, VerifiedIdToken, VerifyFailure, VerifyStep,
};

/// An issuer's key set behind an async lock, fetched through `transport`
/// when [`KeySetCache`] says so; tasks verifying at once wait for one
/// fetch. The async twin of the blocking `io::ureq::KeySetClient`: what a
/// service behind Cloud Run or IAP verifies its callers' tokens with.
///
/// ```no_run
/// # async fn example(token: &str) -> Result<(), Box<dyn std::error::Error>> {
/// use oauth2_sansio::io::reqwest::{KeySetClient, ReqwestTransport};
/// use oauth2_sansio::jwt::verify::{IdTokenVerifier, KeySetCache, IAP_JWKS_URI};
///
/// // One per issuer, shared by every request handler.
/// let keys = KeySetClient::new(ReqwestTransport::new(), KeySetCache::new(IAP_JWKS_URI)?);
/// let verifier = IdTokenVerifier::iap("/projects/123/global/backendServices/456");
/// let verified = keys.verify(&verifier, token).await?; // the x-goog-iap-jwt-assertion header
/// println!("caller: {:?}", verified.email());
/// # Ok(()) }
/// ```
pub struct KeySetClient {
    transport: ReqwestTransport,
    cache: tokio::sync::Mutex<KeySetCache>,
}

impl KeySetClient {
    /// Keys from `cache` (not fetched yet, usually), fetched with
    /// `transport`.
    pub fn new(transport: ReqwestTransport, cache: KeySetCache) -> Self {
        Self {
            transport,
            cache: tokio::sync::Mutex::new(cache),
        }
    }

    /// Verifies `token` with `verifier`, fetching the key set when it is
    /// missing, expired, or (once per cool-down) lacks the token's key.
    pub async fn verify(
        &self,
        verifier: &IdTokenVerifier,
        token: &str,
    ) -> Result<VerifiedIdToken, VerifyFailure> {
        let mut cache = self.cache.lock().await;
        let mut verification = Verification::new(&mut cache, verifier, token);
        loop {
            match verification.next(SystemTime::now()) {
                VerifyStep::Fetch(fetch) => {
                    // A key-set fetch never asks to wait.
                    let fetched = self.transport.run(fetch, |_| std::future::ready(())).await;
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
