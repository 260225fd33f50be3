//! A DPoP key: the ES256 key proofs are signed with, its public JWK and
//! thumbprint, the `jti` source and the nonces servers gave it.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use http::HeaderMap;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::dpop::htu::origin_of;
use crate::dpop::nonce::{nonce_in, NonceBook};
use crate::dpop::thumbprint::ec_p256_thumbprint;
use crate::error::config::ConfigError;
use crate::jwt::{Algorithm, Signer};

/// The key a client proves possession of with DPoP
/// ([RFC 9449](https://www.rfc-editor.org/rfc/rfc9449)): an ES256 (P-256)
/// key pair, with what proofs need besides it.
///
/// A clone shares everything: the key, the `jti` counter (no two proofs of
/// one key, or of its clones, carry the same `jti`) and the nonces servers
/// gave (the latest per origin, from any answer, success or error). Keep
/// one `DpopKey` for all the requests of one set of credentials.
///
/// Make one with [`generate`](Self::generate),
/// [`from_pkcs8`](Self::from_pkcs8) or
/// [`from_private_jwk`](Self::from_private_jwk) (feature `ring`), or over
/// any ES256 [`Signer`] (an HSM, a KMS) with [`from_signer`](Self::from_signer).
/// `Debug` shows the thumbprint only.
#[derive(Clone)]
pub struct DpopKey(Arc<KeyInner>);

struct KeyInner {
    signer: Arc<dyn Signer>,
    x: String,
    y: String,
    thumbprint: String,
    /// base64url of the proofs' JOSE header, the same for every proof.
    header: String,
    jti: JtiSource,
    nonces: Mutex<NonceBook>,
    /// The private scalar, for [`DpopKey::private_jwk`], when the crate
    /// holds the key.
    private: Option<Zeroizing<[u8; 32]>>,
}

/// `jti`s that never repeat for one key: SHA-256 of a secret seed and a
/// counter, so they are unguessable too.
struct JtiSource {
    seed: Zeroizing<[u8; 32]>,
    counter: AtomicU64,
}

impl JtiSource {
    /// The next `jti`: 128 bits, base64url (22 characters).
    fn next(&self) -> String {
        let count = self.counter.fetch_add(1, Ordering::Relaxed);
        let digest = Sha256::new()
            .chain_update(b"oauth2-sansio dpop jti")
            .chain_update(self.seed.as_slice())
            .chain_update(count.to_be_bytes())
            .finalize();
        URL_SAFE_NO_PAD.encode(&digest[..16])
    }
}

impl DpopKey {
    /// A key over `signer`, which must sign ES256 (64-byte `r || s`
    /// signatures) with the P-256 key whose public point is (`x`, `y`).
    /// `jti_seed` (32 bytes from a CSPRNG) makes the proofs' `jti`s
    /// unguessable; draw a new one each time the key is loaded.
    pub fn from_signer(
        signer: Arc<dyn Signer>,
        x: &[u8; 32],
        y: &[u8; 32],
        jti_seed: [u8; 32],
    ) -> Result<Self, ConfigError> {
        if signer.algorithm() != Algorithm::Es256 {
            return Err(ConfigError::DpopAlgorithm);
        }
        Ok(Self::new(signer, x, y, Zeroizing::new(jti_seed), None))
    }

    pub(crate) fn new(
        signer: Arc<dyn Signer>,
        x: &[u8; 32],
        y: &[u8; 32],
        jti_seed: Zeroizing<[u8; 32]>,
        private: Option<Zeroizing<[u8; 32]>>,
    ) -> Self {
        let x = URL_SAFE_NO_PAD.encode(x);
        let y = URL_SAFE_NO_PAD.encode(y);
        let thumbprint = ec_p256_thumbprint(&x, &y);
        let header = json!({
            "typ": "dpop+jwt",
            "alg": "ES256",
            "jwk": {"crv": "P-256", "kty": "EC", "x": x, "y": y},
        });
        let header = URL_SAFE_NO_PAD.encode(header.to_string());
        Self(Arc::new(KeyInner {
            signer,
            x,
            y,
            thumbprint,
            header,
            jti: JtiSource {
                seed: jti_seed,
                counter: AtomicU64::new(0),
            },
            nonces: Mutex::default(),
            private,
        }))
    }

    /// The RFC 7638 thumbprint of the public key: the `jkt` a server binds
    /// tokens to, sent as `dpop_jkt` to bind an authorization code.
    pub fn thumbprint(&self) -> &str {
        &self.0.thumbprint
    }

    /// The public key as a JWK: `{"crv":"P-256","kty":"EC","x":…,"y":…}`.
    pub fn public_jwk(&self) -> Value {
        json!({"crv": "P-256", "kty": "EC", "x": self.0.x, "y": self.0.y})
    }

    /// The private key as a JWK (`kty`, `crv`, `x`, `y`, `d`), to keep it
    /// with the credentials it is bound to; `None` for a key over a
    /// [`Signer`] the crate does not hold. Store it like a refresh token.
    pub fn private_jwk(&self) -> Option<Zeroizing<String>> {
        let d = self.0.private.as_ref()?;
        let d = Zeroizing::new(URL_SAFE_NO_PAD.encode(d.as_slice()));
        Some(Zeroizing::new(format!(
            r#"{{"kty":"EC","crv":"P-256","x":"{}","y":"{}","d":"{}"}}"#,
            self.0.x,
            self.0.y,
            d.as_str()
        )))
    }

    /// Keeps the nonce in `headers` (`DPoP-Nonce`), if any, as the one for
    /// the origin of `htu`. Every answer from a server that uses nonces
    /// goes through here, success or error.
    pub(crate) fn remember_nonce(&self, htu: &str, headers: &HeaderMap) {
        if let Some(nonce) = nonce_in(headers) {
            self.nonces().set(origin_of(htu), nonce);
        }
    }

    /// The nonce last given by the origin of `htu`.
    pub(crate) fn nonce_for(&self, htu: &str) -> Option<String> {
        self.nonces().get(origin_of(htu)).map(str::to_owned)
    }

    fn nonces(&self) -> std::sync::MutexGuard<'_, NonceBook> {
        self.0.nonces.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn signer(&self) -> &dyn Signer {
        &*self.0.signer
    }

    pub(crate) fn encoded_header(&self) -> &str {
        &self.0.header
    }

    pub(crate) fn next_jti(&self) -> String {
        self.0.jti.next()
    }
}

impl fmt::Debug for DpopKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DpopKey")
            .field("thumbprint", &self.0.thumbprint)
            .finish_non_exhaustive()
    }
}

/// Two keys are equal when their public keys are.
impl PartialEq for DpopKey {
    fn eq(&self, other: &Self) -> bool {
        self.0.thumbprint == other.0.thumbprint
    }
}

impl Eq for DpopKey {}
