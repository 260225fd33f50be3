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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::config::ConfigError;
    use crate::jwt::decode_unverified;
    use crate::secret::AccessToken;
    use crate::testing::at;
    use ring::signature::{UnparsedPublicKey, ECDSA_P256_SHA256_FIXED};

    /// Whether `proof` verifies with `key`'s public JWK.
    fn verifies(key: &DpopKey, proof: &str) -> bool {
        let jwk = key.public_jwk();
        let coordinate = |name: &str| URL_SAFE_NO_PAD.decode(jwk[name].as_str().unwrap()).unwrap();
        let public = [vec![4u8], coordinate("x"), coordinate("y")].concat();
        let (input, signature) = proof.rsplit_once('.').unwrap();
        UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, public)
            .verify(
                input.as_bytes(),
                &URL_SAFE_NO_PAD.decode(signature).unwrap(),
            )
            .is_ok()
    }

    #[test]
    fn a_proof_is_a_signed_dpop_jwt_for_the_request() {
        let key = DpopKey::generate().unwrap();
        let uri = "https://rs.example/api/me?x=1".parse().unwrap();
        let token = AccessToken::new("Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU");
        let proof = key
            .proof(&http::Method::GET, &uri, Some(&token), at(1_700_000_000))
            .unwrap();
        assert!(proof.is_sensitive());
        let proof = proof.to_str().unwrap();
        assert!(verifies(&key, proof));
        let jwt = decode_unverified(proof).unwrap();
        assert_eq!(jwt.header()["typ"], "dpop+jwt");
        assert_eq!(jwt.header()["alg"], "ES256");
        assert_eq!(jwt.header()["jwk"], key.public_jwk());
        let claims = jwt.payload();
        assert_eq!(claims["htm"], "GET");
        assert_eq!(claims["htu"], "https://rs.example/api/me");
        assert_eq!(claims["iat"], 1_700_000_000);
        assert_eq!(claims["ath"], "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo");
        assert_eq!(claims["jti"].as_str().unwrap().len(), 22);
        assert!(claims.get("nonce").is_none());
    }

    #[test]
    fn the_private_jwk_and_pkcs8_give_back_the_same_key() {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
        let key = DpopKey::from_pkcs8(pkcs8.as_ref()).unwrap();
        let jwk = key.private_jwk().unwrap();
        let back = DpopKey::from_private_jwk(&jwk).unwrap();
        assert_eq!(back, key);
        assert_eq!(back.thumbprint(), key.thumbprint());
        let proof = back
            .proof(
                &http::Method::POST,
                &"https://as.example/token".parse().unwrap(),
                None,
                at(0),
            )
            .unwrap();
        assert!(
            verifies(&key, proof.to_str().unwrap()),
            "the same key signs"
        );
        assert_ne!(DpopKey::generate().unwrap(), key);
    }

    #[test]
    fn debug_shows_the_thumbprint_and_never_the_private_key() {
        let key = DpopKey::generate().unwrap();
        let jwk: serde_json::Value = serde_json::from_str(&key.private_jwk().unwrap()).unwrap();
        let debug = format!("{key:?}");
        assert!(debug.contains(key.thumbprint()), "{debug}");
        assert!(!debug.contains(jwk["d"].as_str().unwrap()), "{debug}");
    }

    #[test]
    fn keys_that_are_not_p256_private_keys_are_refused() {
        let key = DpopKey::generate().unwrap();
        let jwk: serde_json::Value = serde_json::from_str(&key.private_jwk().unwrap()).unwrap();
        let with = |name: &str, value: &str| {
            let mut changed = jwk.clone();
            changed[name] = value.into();
            DpopKey::from_private_jwk(&changed.to_string()).map(|_| ())
        };
        let other_d = URL_SAFE_NO_PAD.encode([7u8; 32]);
        for (name, value) in [
            ("kty", "RSA"),
            ("crv", "P-384"),
            ("d", "not base64!"),
            ("d", "AAAA"),
            ("x", "AAAA"),
            ("d", other_d.as_str()),
        ] {
            assert_eq!(
                with(name, value),
                Err(KeyError::InvalidEc),
                "{name}={value}"
            );
        }
        assert_eq!(
            DpopKey::from_private_jwk("{").map(|_| ()),
            Err(KeyError::InvalidEc)
        );
        let huge = format!(r#"{{"pad":"{}"}}"#, "a".repeat(MAX_JWK_LEN));
        assert_eq!(
            DpopKey::from_private_jwk(&huge).map(|_| ()),
            Err(KeyError::TooLarge)
        );
        assert_eq!(
            DpopKey::from_pkcs8(b"\x30\x03\x02\x01\x00").map(|_| ()),
            Err(KeyError::InvalidEc)
        );
        assert!(KeyError::InvalidEc.to_string().contains("P-256"));
    }

    #[test]
    fn a_signer_that_is_not_es256_is_refused() {
        let rsa = crate::jwt::RingSigner::from_pem(
            include_str!("../../tests/fixtures/service_account/rsa2048_pkcs8.pem"),
            None,
        )
        .unwrap();
        let refused = DpopKey::from_signer(Arc::new(rsa), &[1; 32], &[2; 32], [3; 32]);
        assert_eq!(refused.map(|_| ()), Err(ConfigError::DpopAlgorithm));
    }
}
