//! A cached token behind one `RwLock<Arc<_>>`: what an ArcSwap load costs,
//! without a new dependency.

use std::sync::{Arc, PoisonError, RwLock};
use std::time::SystemTime;

use zeroize::Zeroizing;

pub struct CachedToken {
    pub access_token: Zeroizing<String>,
    /// When a refresh is due: the token is handed out before then.
    pub fresh_until: SystemTime,
}

pub struct TokenCache(RwLock<Arc<CachedToken>>);

impl TokenCache {
    pub fn new(token: CachedToken) -> Self {
        Self(RwLock::new(Arc::new(token)))
    }

    /// The token, if it is fresh at `now`.
    pub fn read(&self, now: SystemTime) -> Option<Arc<CachedToken>> {
        let token = self.0.read().unwrap_or_else(PoisonError::into_inner);
        (now < token.fresh_until).then(|| Arc::clone(&token))
    }
}
