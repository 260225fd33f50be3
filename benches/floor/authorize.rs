//! The authorization URL: `state` and the PKCE verifier from 64 bytes of
//! the caller's RNG, the S256 challenge, the query encoded at run time.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use oauth2_sansio::rand_core::CryptoRng;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::form::{append_pair, encode_into};
use super::{FloorClient, Pending};

impl FloorClient {
    /// The URL to open, with `access_type=offline`, and what to keep until
    /// the callback.
    pub fn authorization_url<R: CryptoRng + ?Sized>(
        &self,
        redirect_uri: &str,
        scopes: &[&str],
        rng: &mut R,
    ) -> (String, Pending) {
        let mut entropy = Zeroizing::new([0u8; 64]);
        rng.fill_bytes(&mut *entropy);
        let state = Zeroizing::new(URL_SAFE_NO_PAD.encode(&entropy[..32]));
        let verifier = Zeroizing::new(URL_SAFE_NO_PAD.encode(&entropy[32..]));
        let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));

        // Every escapable byte escaped, and room for the names, `state` and
        // the challenge: the URL is written without growing.
        let scope_len: usize = scopes.iter().map(|s| s.len() + 1).sum();
        let escapable = self.client_id.len() + redirect_uri.len() + scope_len;
        let mut url = Vec::with_capacity(self.authorization_endpoint.len() + 3 * escapable + 256);
        url.extend_from_slice(self.authorization_endpoint.as_bytes());
        url.extend_from_slice(b"?response_type=code");
        append_pair(&mut url, "client_id", &self.client_id);
        append_pair(&mut url, "redirect_uri", redirect_uri);
        if let Some((first, rest)) = scopes.split_first() {
            append_pair(&mut url, "scope", first);
            for scope in rest {
                url.push(b'+');
                encode_into(&mut url, scope.as_bytes());
            }
        }
        append_pair(&mut url, "state", &state);
        append_pair(&mut url, "code_challenge", &challenge);
        url.extend_from_slice(b"&code_challenge_method=S256&access_type=offline");
        let url = String::from_utf8(url).expect("form encoding is ASCII");
        let pending = Pending {
            state,
            verifier,
            redirect_uri: redirect_uri.to_owned(),
        };
        (url, pending)
    }
}
