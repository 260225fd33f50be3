//! A JSON Web Key Set (RFC 7517 §5): the public keys an issuer signs with,
//! read strictly from untrusted bytes.

use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{Map, Value};

use crate::error::sanitize;
use crate::wire::json::{parse_object, JsonProblem};

/// The largest key set read: 256 KiB (Google's is about 2 KiB).
pub const MAX_JWKS_LEN: usize = 256 * 1024;

/// The most keys kept from one set.
pub const MAX_JWKS_KEYS: usize = 64;

/// A signature key of a set: RSA (`n`, `e`) or P-256 (`x`, `y`).
#[derive(Clone, PartialEq, Eq)]
pub struct Jwk {
    kid: Option<String>,
    alg: Option<String>,
    material: KeyMaterial,
}

/// The public key itself.
#[derive(Clone, PartialEq, Eq)]
pub(crate) enum KeyMaterial {
    /// Big-endian modulus and exponent.
    Rsa { n: Vec<u8>, e: Vec<u8> },
    /// The uncompressed point `0x04 || x || y`.
    P256 { point: Vec<u8> },
}

/// The keys of a set that can verify signatures; keys of other types,
/// curves or uses (`"use": "enc"`) are left out, as RFC 7517 §5 allows.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct JwkSet {
    keys: Vec<Jwk>,
}

/// Why a key set cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum JwksError {
    /// Larger than [`MAX_JWKS_LEN`].
    TooLarge,
    /// Not a JSON object, or a key appears twice in one object.
    NotJsonObject,
    /// No `keys` array.
    NoKeys,
    /// A key of a supported type is malformed.
    InvalidKey {
        /// Its position in `keys`.
        index: usize,
        /// What is wrong.
        reason: &'static str,
    },
}

impl fmt::Display for JwksError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the key set (JWKS) is invalid: ")?;
        match self {
            Self::TooLarge => write!(f, "it is larger than {MAX_JWKS_LEN} bytes"),
            Self::NotJsonObject => f.write_str("it is not a JSON object with unique keys"),
            Self::NoKeys => f.write_str("it has no `keys` array"),
            Self::InvalidKey { index, reason } => write!(f, "key {index} {reason}"),
        }
    }
}

impl std::error::Error for JwksError {}

impl JwkSet {
    /// Reads a key set: a JSON object with a `keys` array, at most
    /// [`MAX_JWKS_LEN`] bytes; the first [`MAX_JWKS_KEYS`] signature keys
    /// of type RSA (`n`, `e`) or EC P-256 (`x`, `y`, 32 bytes each) are
    /// kept. A key of those types with a missing or malformed member is an
    /// error; keys of other types are skipped.
    pub fn parse(bytes: &[u8]) -> Result<Self, JwksError> {
        let map = parse_object(bytes, MAX_JWKS_LEN).map_err(|problem| match problem {
            JsonProblem::TooLarge { .. } => JwksError::TooLarge,
            _ => JwksError::NotJsonObject,
        })?;
        let Some(Value::Array(keys)) = map.get("keys") else {
            return Err(JwksError::NoKeys);
        };
        let mut set = Vec::new();
        for (index, key) in keys.iter().enumerate() {
            let invalid = |reason| JwksError::InvalidKey { index, reason };
            let Value::Object(key) = key else {
                return Err(invalid("is not an object"));
            };
            if let Some(jwk) = Jwk::from_object(key).map_err(invalid)? {
                if set.len() < MAX_JWKS_KEYS {
                    set.push(jwk);
                }
            }
        }
        Ok(Self { keys: set })
    }

    /// The keys kept.
    pub fn keys(&self) -> &[Jwk] {
        &self.keys
    }

    /// The key with id `kid`, if any.
    pub fn find(&self, kid: &str) -> Option<&Jwk> {
        self.keys.iter().find(|key| key.kid.as_deref() == Some(kid))
    }
}

impl Jwk {
    /// A signature key, `None` for a key of another type or use.
    fn from_object(key: &Map<String, Value>) -> Result<Option<Self>, &'static str> {
        let text = |name: &str| match key.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.as_str())),
            Some(_) => Err("has a member that is not a string"),
        };
        if text("use")?.is_some_and(|usage| usage != "sig") {
            return Ok(None);
        }
        let bytes = |name: &str| -> Result<Vec<u8>, &'static str> {
            let value = text(name)?.ok_or("lacks a member its type requires")?;
            let decoded = URL_SAFE_NO_PAD
                .decode(value)
                .map_err(|_| "has a member that is not base64url")?;
            if decoded.is_empty() {
                return Err("has an empty member");
            }
            Ok(decoded)
        };
        let material = match (text("kty")?, text("crv")?) {
            (Some("RSA"), _) => KeyMaterial::Rsa {
                n: bytes("n")?,
                e: bytes("e")?,
            },
            (Some("EC"), Some("P-256")) => {
                let (x, y) = (bytes("x")?, bytes("y")?);
                if x.len() != 32 || y.len() != 32 {
                    return Err("has a P-256 coordinate that is not 32 bytes");
                }
                KeyMaterial::P256 {
                    point: [&[4u8][..], &x, &y].concat(),
                }
            }
            _ => return Ok(None),
        };
        Ok(Some(Self {
            kid: text("kid")?.map(str::to_owned),
            alg: text("alg")?.map(str::to_owned),
            material,
        }))
    }

    /// `kid`, if the key has one.
    pub fn key_id(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// `alg`, if the key names the one algorithm it is for.
    pub fn algorithm(&self) -> Option<&str> {
        self.alg.as_deref()
    }

    #[cfg(feature = "ring")]
    pub(crate) fn material(&self) -> &KeyMaterial {
        &self.material
    }
}

impl fmt::Debug for Jwk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kty = match self.material {
            KeyMaterial::Rsa { .. } => "RSA",
            KeyMaterial::P256 { .. } => "EC P-256",
        };
        f.debug_struct("Jwk")
            .field("kid", &self.kid.as_deref().map(sanitize))
            .field("alg", &self.alg)
            .field("kty", &kty)
            .finish()
    }
}

impl fmt::Debug for JwkSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(&self.keys).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_keys_are_kept_and_others_skipped() {
        let x = URL_SAFE_NO_PAD.encode([1u8; 32]);
        let set = JwkSet::parse(
            format!(
                r#"{{"keys":[
                {{"kty":"RSA","kid":"r1","alg":"RS256","use":"sig","n":"AQAB","e":"AQAB"}},
                {{"kty":"EC","crv":"P-256","kid":"e1","x":"{x}","y":"{x}"}},
                {{"kty":"RSA","use":"enc","n":"AQAB","e":"AQAB"}},
                {{"kty":"oct","k":"c2VjcmV0"}},
                {{"kty":"EC","crv":"P-384","x":"{x}","y":"{x}"}}]}}"#
            )
            .as_bytes(),
        )
        .unwrap();
        assert_eq!(set.keys().len(), 2);
        assert_eq!(set.find("r1").unwrap().algorithm(), Some("RS256"));
        assert!(set.find("e1").is_some());
        assert!(set.find("missing").is_none());
    }

    #[test]
    fn malformed_keys_are_errors_naming_the_key() {
        for (json, index) in [
            (r#"{"keys":[{"kty":"RSA","e":"AQAB"}]}"#, 0),
            (
                r#"{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB"},{"kty":"RSA","n":"!!","e":"AQAB"}]}"#,
                1,
            ),
            (
                r#"{"keys":[{"kty":"EC","crv":"P-256","x":"AQAB","y":"AQAB"}]}"#,
                0,
            ),
            (r#"{"keys":[{"kty":"RSA","n":"","e":"AQAB"}]}"#, 0),
            (r#"{"keys":[5]}"#, 0),
        ] {
            assert!(
                matches!(JwkSet::parse(json.as_bytes()), Err(JwksError::InvalidKey { index: i, .. }) if i == index),
                "{json}"
            );
        }
        assert_eq!(JwkSet::parse(b"{}"), Err(JwksError::NoKeys));
        assert_eq!(JwkSet::parse(b"[]"), Err(JwksError::NotJsonObject));
        assert_eq!(
            JwkSet::parse(br#"{"keys":[],"keys":[]}"#),
            Err(JwksError::NotJsonObject)
        );
        assert_eq!(
            JwkSet::parse(&vec![b' '; MAX_JWKS_LEN + 1]),
            Err(JwksError::TooLarge)
        );
    }
}
