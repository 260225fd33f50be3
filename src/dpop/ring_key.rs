//! DPoP keys held by the crate, over ring's ECDSA P-256 (feature `ring`).

use std::sync::Arc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
use serde::Deserialize;
use zeroize::Zeroizing;

use crate::dpop::key::DpopKey;
use crate::jwt::der::sequence;
use crate::jwt::{Algorithm, KeyError, SignError, Signer};

/// The longest private JWK read.
const MAX_JWK_LEN: usize = 4096;

/// ES256 over ring. ECDSA needs a fresh random secret per signature, which
/// ring draws from the operating system (its random source cannot be
/// replaced), so this signer is the one place a DPoP key reads randomness
/// the caller did not give.
struct RingEs256 {
    pair: EcdsaKeyPair,
    rng: SystemRandom,
}

impl Signer for RingEs256 {
    fn algorithm(&self) -> Algorithm {
        Algorithm::Es256
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError> {
        self.pair
            .sign(&self.rng, message)
            .map(|signature| signature.as_ref().to_vec())
            .map_err(|_| SignError::retryable("the system random source failed while signing"))
    }
}

impl DpopKey {
    /// A new ES256 key, from the operating system's random source through
    /// ring (whose ECDSA takes no other). Keep it with the credentials it
    /// binds ([`private_jwk`](Self::private_jwk)).
    pub fn generate() -> Result<Self, KeyError> {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
            .map_err(|_| KeyError::InvalidEc)?;
        Self::from_pkcs8(pkcs8.as_ref())
    }

    /// Reads a DER PKCS#8 P-256 private key (`openssl genpkey -algorithm
    /// EC -pkeyopt ec_paramgen_curve:P-256 -outform DER`), which must
    /// include its public key.
    pub fn from_pkcs8(der: &[u8]) -> Result<Self, KeyError> {
        let rng = SystemRandom::new();
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, der, &rng)
            .map_err(|_| KeyError::InvalidEc)?;
        let d = private_scalar(der).ok_or(KeyError::InvalidEc)?;
        Self::from_pair(pair, d, &rng)
    }

    /// Reads a private JWK: `{"kty":"EC","crv":"P-256","x":…,"y":…,"d":…}`
    /// (other members ignored), as [`private_jwk`](Self::private_jwk)
    /// writes it.
    pub fn from_private_jwk(jwk: &str) -> Result<Self, KeyError> {
        #[derive(Deserialize)]
        struct PrivateJwk {
            kty: String,
            crv: String,
            x: String,
            y: String,
            #[serde(deserialize_with = "zeroizing_string")]
            d: Zeroizing<String>,
        }
        if jwk.len() > MAX_JWK_LEN {
            return Err(KeyError::TooLarge);
        }
        let jwk: PrivateJwk = serde_json::from_str(jwk).map_err(|_| KeyError::InvalidEc)?;
        if jwk.kty != "EC" || jwk.crv != "P-256" {
            return Err(KeyError::InvalidEc);
        }
        let coordinate = |text: &str| -> Result<[u8; 32], KeyError> {
            let bytes = Zeroizing::new(
                URL_SAFE_NO_PAD
                    .decode(text)
                    .map_err(|_| KeyError::InvalidEc)?,
            );
            bytes.as_slice().try_into().map_err(|_| KeyError::InvalidEc)
        };
        let d = Zeroizing::new(coordinate(&jwk.d)?);
        let mut public = [4u8; 65];
        public[1..33].copy_from_slice(&coordinate(&jwk.x)?);
        public[33..].copy_from_slice(&coordinate(&jwk.y)?);
        let rng = SystemRandom::new();
        let pair = EcdsaKeyPair::from_private_key_and_public_key(
            &ECDSA_P256_SHA256_FIXED_SIGNING,
            d.as_slice(),
            &public,
            &rng,
        )
        .map_err(|_| KeyError::InvalidEc)?;
        Self::from_pair(pair, d, &rng)
    }

    fn from_pair(
        pair: EcdsaKeyPair,
        d: Zeroizing<[u8; 32]>,
        rng: &SystemRandom,
    ) -> Result<Self, KeyError> {
        let public = pair.public_key().as_ref();
        let (Ok(x), Ok(y)) = (public[1..33].try_into(), public[33..65].try_into()) else {
            return Err(KeyError::InvalidEc);
        };
        let mut seed = Zeroizing::new([0u8; 32]);
        rng.fill(seed.as_mut_slice())
            .map_err(|_| KeyError::InvalidEc)?;
        let signer = Arc::new(RingEs256 {
            pair,
            rng: rng.clone(),
        });
        Ok(DpopKey::new(signer, &x, &y, seed, Some(d)))
    }
}

fn zeroizing_string<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Zeroizing<String>, D::Error> {
    String::deserialize(deserializer).map(Zeroizing::new)
}

/// The 32-byte private scalar of a PKCS#8 P-256 key:
/// `PrivateKeyInfo { version, algorithm, OCTET STRING { ECPrivateKey { 1, OCTET STRING d, .. } } }`.
fn private_scalar(der: &[u8]) -> Option<Zeroizing<[u8; 32]>> {
    let outer = sequence(der)?;
    let [(0x02, _), (0x30, _), (0x04, inner), ..] = outer.as_slice() else {
        return None;
    };
    let ec_private_key = sequence(inner)?;
    let [(0x02, [1]), (0x04, d), ..] = ec_private_key.as_slice() else {
        return None;
    };
    Some(Zeroizing::new((*d).try_into().ok()?))
}
