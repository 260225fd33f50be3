//! RS256 with a local RSA key, over ring (feature `ring`, on by default).
//!
//! ring's RSA is constant-time; the `rsa` crate is not used for signing
//! because of RUSTSEC-2023-0071 (the Marvin timing attack).

use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ring::rand::SystemRandom;
use ring::signature::{RsaKeyPair, RSA_PKCS1_SHA256};
use serde_json::{json, Value};

use super::der::{sequence, without_leading_zeros};
use super::pem::{private_key_der, KeyFormat};
use super::{Algorithm, KeyError, SignError, Signer};

/// The smallest RSA modulus accepted, in bits. (ring alone would take a
/// 2041-bit modulus, as it rounds to whole bytes.)
pub const MIN_RSA_BITS: usize = 2048;

/// An RS256 [`Signer`] holding an RSA private key of 2048 to 4096 bits.
///
/// RSASSA-PKCS1-v1_5 is deterministic: the same key and message always give
/// the same signature. ring's signing call takes a random source (for PSS
/// padding); with PKCS#1 v1.5 it draws nothing from it, so signing reads no
/// randomness. ring keeps the key in its own memory, which is not zeroized
/// on drop; the PEM text and the DER the crate decodes are.
pub struct RingSigner {
    key: RsaKeyPair,
    key_id: Option<String>,
    modulus_bits: usize,
    rng: SystemRandom,
}

impl RingSigner {
    /// Reads a PEM private key: PKCS#8 (`BEGIN PRIVATE KEY`, Google's key
    /// files) or PKCS#1 (`BEGIN RSA PRIVATE KEY`), exactly one block, LF or
    /// CRLF line ends. Encrypted, non-RSA and sub-2048-bit keys are refused
    /// with a typed [`KeyError`]. `key_id` becomes the JWT header's `kid`.
    pub fn from_pem(pem: &str, key_id: Option<String>) -> Result<Self, KeyError> {
        let (format, der) = private_key_der(pem)?;
        match format {
            KeyFormat::Pkcs8 => Self::from_pkcs8_der(&der, key_id),
            KeyFormat::Pkcs1 => Self::from_pkcs1_der(&der, key_id),
        }
    }

    /// Reads a DER PKCS#8 `PrivateKeyInfo` holding an RSA key.
    pub fn from_pkcs8_der(der: &[u8], key_id: Option<String>) -> Result<Self, KeyError> {
        // PrivateKeyInfo ::= SEQUENCE { version, algorithm, privateKey OCTET STRING, .. }
        let rsa_private_key = match sequence(der).as_deref() {
            Some([(0x02, _), (0x30, _), (0x04, key), ..]) => Some(*key),
            _ => None,
        };
        rsa_private_key.map_or(Ok(()), refuse_small_modulus)?;
        Self::new(RsaKeyPair::from_pkcs8(der).map_err(rejected)?, key_id)
    }

    /// Reads a DER PKCS#1 `RSAPrivateKey`.
    pub fn from_pkcs1_der(der: &[u8], key_id: Option<String>) -> Result<Self, KeyError> {
        refuse_small_modulus(der)?;
        Self::new(RsaKeyPair::from_der(der).map_err(rejected)?, key_id)
    }

    /// The signer for a key ring accepted, refused under [`MIN_RSA_BITS`]
    /// (ring alone takes a 2041- to 2047-bit modulus: it rounds to bytes),
    /// or if it cannot sign: ring checks each signature it makes, and some
    /// inconsistent keys load but fail that check. Signing is deterministic,
    /// so a key that signs once always signs.
    fn new(key: RsaKeyPair, key_id: Option<String>) -> Result<Self, KeyError> {
        let (n, _) = public_components(key.public().as_ref()).ok_or(KeyError::Invalid)?;
        let modulus_bits = bit_length(n);
        if modulus_bits < MIN_RSA_BITS {
            return Err(KeyError::TooSmall);
        }
        let signer = Self {
            key,
            key_id,
            modulus_bits,
            rng: SystemRandom::new(),
        };
        signer
            .sign(b"oauth2-sansio: can this key sign?")
            .map_err(|_| KeyError::Invalid)?;
        Ok(signer)
    }

    /// The modulus length in bits.
    pub fn modulus_bits(&self) -> usize {
        self.modulus_bits
    }

    /// The public key as a DER PKCS#1 `RSAPublicKey`: what ring's
    /// `UnparsedPublicKey` with `RSA_PKCS1_2048_8192_SHA256` verifies with.
    pub fn public_key_der(&self) -> &[u8] {
        self.key.public().as_ref()
    }

    /// The public key as a JWK ([RFC 7517](https://www.rfc-editor.org/rfc/rfc7517),
    /// [RFC 7518 §6.3.1](https://www.rfc-editor.org/rfc/rfc7518#section-6.3.1)):
    /// `{"kty":"RSA","use":"sig","alg":"RS256","kid":…,"n":…,"e":…}`, for
    /// registering the key with a server that takes a `jwks`.
    pub fn public_jwk(&self) -> Value {
        let (n, e) =
            public_components(self.public_key_der()).expect("checked when the signer was made");
        let mut jwk = json!({
            "kty": "RSA",
            "use": "sig",
            "alg": Algorithm::Rs256.as_str(),
            "n": URL_SAFE_NO_PAD.encode(n),
            "e": URL_SAFE_NO_PAD.encode(e),
        });
        if let Some(kid) = &self.key_id {
            jwk["kid"] = Value::String(kid.clone());
        }
        jwk
    }
}

impl Signer for RingSigner {
    fn algorithm(&self) -> Algorithm {
        Algorithm::Rs256
    }

    fn key_id(&self) -> Option<&str> {
        self.key_id.as_deref()
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError> {
        let mut signature = vec![0; self.key.public().modulus_len()];
        self.key
            .sign(&RSA_PKCS1_SHA256, &self.rng, message, &mut signature)
            .map_err(|_| SignError::new("ring could not sign with the RSA key"))?;
        Ok(signature)
    }
}

impl fmt::Debug for RingSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RingSigner")
            .field("algorithm", &Algorithm::Rs256)
            .field("key_id", &self.key_id)
            .field("modulus_bits", &self.modulus_bits)
            .finish_non_exhaustive()
    }
}

/// ring's rejection, typed. ring names its reasons only in `Display`.
fn rejected(error: ring::error::KeyRejected) -> KeyError {
    match error.to_string().as_str() {
        "WrongAlgorithm" => KeyError::NotRsa,
        "TooSmall" => KeyError::TooSmall,
        "TooLarge" => KeyError::TooLarge,
        _ => KeyError::Invalid,
    }
}

/// Refuses a DER PKCS#1 `RSAPrivateKey` (`SEQUENCE { version, n, .. }`)
/// whose modulus is under [`MIN_RSA_BITS`] before ring reads it, so every
/// small key gets [`KeyError::TooSmall`] (ring refuses some with other
/// reasons). DER this cannot walk is left for ring to judge.
fn refuse_small_modulus(rsa_private_key: &[u8]) -> Result<(), KeyError> {
    match sequence(rsa_private_key).as_deref() {
        Some([(0x02, _), (0x02, n), ..]) if bit_length(without_leading_zeros(n)) < MIN_RSA_BITS => {
            Err(KeyError::TooSmall)
        }
        _ => Ok(()),
    }
}

/// `n` and `e` (without leading zero bytes) of a DER `RSAPublicKey`
/// (`SEQUENCE { INTEGER n, INTEGER e }`).
fn public_components(der: &[u8]) -> Option<(&[u8], &[u8])> {
    match sequence(der)?.as_slice() {
        [(0x02, n), (0x02, e)] => Some((without_leading_zeros(n), without_leading_zeros(e))),
        _ => None,
    }
}

/// The bit length of a big-endian unsigned integer without leading zeros.
fn bit_length(int: &[u8]) -> usize {
    match int.first() {
        None => 0,
        Some(first) => int.len() * 8 - first.leading_zeros() as usize,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jwt::der::tlv;

    #[test]
    fn der_lengths_and_bit_length() {
        assert_eq!(
            tlv(&[0x02, 0x01, 0x05, 0xff]),
            Some((0x02, &[5][..], &[0xff][..]))
        );
        assert_eq!(
            tlv(&[0x02, 0x81, 0x01, 0x05]),
            Some((0x02, &[5][..], &[][..]))
        );
        assert_eq!(
            tlv(&[0x02, 0x82, 0x00, 0x01, 0x05]),
            Some((0x02, &[5][..], &[][..]))
        );
        assert_eq!(tlv(&[0x02, 0x02, 0x05]), None);
        assert_eq!(tlv(&[0x02, 0x83, 0, 0, 1, 5]), None);
        assert_eq!(bit_length(&[0x01, 0x00]), 9);
        assert_eq!(bit_length(&[0x80; 256]), 2048);
        assert_eq!(bit_length(&[0x7f; 256]), 2047);
        assert_eq!(
            public_components(&[0x30, 0x07, 0x02, 0x02, 0x00, 0x81, 0x02, 0x01, 0x03]),
            Some((&[0x81][..], &[0x03][..]))
        );
        assert_eq!(public_components(&[0x30, 0x03, 0x02, 0x01, 0x05]), None);
    }
}
