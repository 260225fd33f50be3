//! The token cache of gcp_auth (the way `oauth2` users cache tokens): tokens
//! by scopes in a `RwLock<HashMap<Vec<String>, Arc<Token>>>`, the key built
//! on every read.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::SystemTime;

pub struct GcpAuthLike {
    tokens: RwLock<HashMap<Vec<String>, Arc<Token>>>,
}

pub struct Token {
    pub access_token: String,
    pub expires_at: SystemTime,
}

impl GcpAuthLike {
    /// A cache holding one token for `scopes`.
    pub fn new(scopes: &[&str], access_token: &str, expires_at: SystemTime) -> Self {
        let key = scopes.iter().map(|s| s.to_string()).collect();
        let token = Arc::new(Token {
            access_token: access_token.into(),
            expires_at,
        });
        Self {
            tokens: RwLock::new(HashMap::from([(key, token)])),
        }
    }

    /// The token for `scopes` if it is valid at `now`.
    pub fn token(&self, scopes: &[&str], now: SystemTime) -> Option<Arc<Token>> {
        let key: Vec<String> = scopes.iter().map(|s| s.to_string()).collect();
        let token = self.tokens.read().unwrap().get(&key).cloned()?;
        (token.expires_at > now).then_some(token)
    }
}
