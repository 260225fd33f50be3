//! The name under which the fleet shares one set of credentials: a hash of
//! everything that changes the token, so that two configurations never
//! share an entry, and no account or scope is readable in the store.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

/// What identifies one shared token: the token endpoint, the client, the
/// subject (account) it is for, the scopes (sorted, without duplicates),
/// the audience, the token type and, for a DPoP-bound token, the key's
/// thumbprint. Everything is hashed: the store's keys show none of it.
///
/// Two credentials with the same key must be interchangeable: give every
/// part that tells them apart, above all the subject of user credentials
/// (two users of one client must never share a token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FleetKey {
    token_endpoint: String,
    client_id: String,
    subject: String,
    scopes: Vec<String>,
    audience: String,
    token_type: String,
    dpop_thumbprint: String,
}

impl FleetKey {
    /// The key of tokens from `token_endpoint` for `client_id`, for
    /// `subject` (the account, user or workload the token acts for; the
    /// client itself for the client credentials grant).
    pub fn new(token_endpoint: &str, client_id: &str, subject: &str) -> Self {
        Self {
            token_endpoint: token_endpoint.to_owned(),
            client_id: client_id.to_owned(),
            subject: subject.to_owned(),
            scopes: Vec::new(),
            audience: String::new(),
            token_type: "Bearer".to_owned(),
            dpop_thumbprint: String::new(),
        }
    }

    /// The scopes asked for; order and repeats do not matter.
    pub fn scopes<S: AsRef<str>>(mut self, scopes: impl IntoIterator<Item = S>) -> Self {
        let mut scopes: Vec<String> = scopes.into_iter().map(|s| s.as_ref().to_owned()).collect();
        scopes.sort();
        scopes.dedup();
        self.scopes = scopes;
        self
    }

    /// The audience or resource the token is for.
    pub fn audience(mut self, audience: &str) -> Self {
        self.audience = audience.to_owned();
        self
    }

    /// The token type (default `Bearer`).
    pub fn token_type(mut self, token_type: &str) -> Self {
        self.token_type = token_type.to_owned();
        self
    }

    /// The thumbprint of the DPoP key the token is bound to: only
    /// instances holding that same key can use it.
    pub fn dpop_thumbprint(mut self, thumbprint: &str) -> Self {
        self.dpop_thumbprint = thumbprint.to_owned();
        self.token_type = "DPoP".to_owned();
        self
    }

    /// The SHA-256 of every part, each length-prefixed, in URL-safe base64.
    pub fn digest(&self) -> String {
        let mut hash = Sha256::new();
        hash.update(b"oauth2-sansio fleet key v1");
        let mut part = |text: &str| {
            hash.update((text.len() as u64).to_be_bytes());
            hash.update(text.as_bytes());
        };
        part(&self.token_endpoint);
        part(&self.client_id);
        part(&self.subject);
        part(&self.audience);
        part(&self.token_type);
        part(&self.dpop_thumbprint);
        for scope in &self.scopes {
            part(scope);
        }
        URL_SAFE_NO_PAD.encode(hash.finalize())
    }

    /// The store key of the credentials entry, under `prefix`.
    pub fn entry_key(&self, prefix: &str) -> String {
        format!("{prefix}{}:credentials", self.digest())
    }

    /// The store key of the refresh lock, under `prefix`.
    pub fn lock_key(&self, prefix: &str) -> String {
        format!("{prefix}{}:lock", self.digest())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> FleetKey {
        FleetKey::new("https://idp/token", "client", "alice").scopes(["b", "a"])
    }

    #[test]
    fn scope_order_and_repeats_do_not_change_the_key() {
        assert_eq!(base().digest(), base().scopes(["a", "b", "a"]).digest());
    }

    #[test]
    fn every_part_changes_the_key() {
        let digest = base().digest();
        let variants = [
            FleetKey::new("https://idp/token2", "client", "alice").scopes(["a", "b"]),
            FleetKey::new("https://idp/token", "client2", "alice").scopes(["a", "b"]),
            FleetKey::new("https://idp/token", "client", "bob").scopes(["a", "b"]),
            base().scopes(["a"]),
            base().scopes(["a", "b", "c"]),
            base().audience("api"),
            base().token_type("N_A"),
            base().dpop_thumbprint("jkt"),
        ];
        for variant in variants {
            assert_ne!(variant.digest(), digest, "{variant:?}");
        }
    }

    #[test]
    fn parts_cannot_be_shifted_into_each_other() {
        let one = FleetKey::new("https://idp/token", "ab", "c");
        let two = FleetKey::new("https://idp/token", "a", "bc");
        assert_ne!(one.digest(), two.digest());
    }

    #[test]
    fn store_keys_show_nothing_of_the_parts() {
        let key = FleetKey::new("https://idp/token", "client-id", "alice@example.com");
        let entry = key.entry_key("oauth2:");
        assert!(entry.starts_with("oauth2:") && entry.ends_with(":credentials"));
        for part in ["idp", "client-id", "alice"] {
            assert!(!entry.contains(part) && !key.lock_key("").contains(part));
        }
    }
}
