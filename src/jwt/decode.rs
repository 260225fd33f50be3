//! Reading a JWT's header and claims WITHOUT checking its signature: what
//! the crate needs to learn an ID token's expiry (google-auth decodes it the
//! same way, `verify=False`). Never base an authorization decision on it.

use std::fmt;
use std::time::{Duration, SystemTime};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{Map, Value};

use super::Claims;
use crate::wire::json::parse_object;
use crate::wire::token_response::MAX_EXPIRES_IN;

/// The longest JWT [`decode_unverified`] reads: 16 KiB (Google's ID tokens
/// are about 1 KiB).
pub const MAX_UNVERIFIED_JWT_LEN: usize = 16 * 1024;

/// The `alg` values accepted: signature algorithms only, never `none` or a
/// MAC.
const ALLOWED_ALGORITHMS: [&str; 10] = [
    "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA",
];

/// The longest signature accepted, in bytes (RSA-16384).
const MAX_SIGNATURE_LEN: usize = 2048;

/// A JWT's header and claims, read without checking the signature.
///
/// Its content is only as trustworthy as the channel it came over (an ID
/// token from the token endpoint, over TLS). It proves nothing by itself.
#[derive(Debug, Clone, PartialEq)]
pub struct UnverifiedJwt {
    header: Map<String, Value>,
    payload: Map<String, Value>,
}

/// Decodes a compact JWS without verifying it: exactly three base64url
/// segments (no padding), at most [`MAX_UNVERIFIED_JWT_LEN`] bytes, a header
/// and a payload that are JSON objects without duplicate keys, a signature
/// algorithm from an allowlist (RS, PS and ES with SHA-2, EdDSA; never
/// `none`, never HMAC) and a non-empty signature.
///
/// ```
/// use oauth2_sansio::jwt::{decode_unverified, DecodeError};
///
/// // {"alg":"none"}.{"exp":1}.  — an unsigned token is refused
/// let err = decode_unverified("eyJhbGciOiJub25lIn0.eyJleHAiOjF9.").unwrap_err();
/// assert!(matches!(err, DecodeError::AlgorithmNotAllowed { .. }));
/// ```
pub fn decode_unverified(token: &str) -> Result<UnverifiedJwt, DecodeError> {
    if token.len() > MAX_UNVERIFIED_JWT_LEN {
        return Err(DecodeError::TooLarge {
            limit: MAX_UNVERIFIED_JWT_LEN,
        });
    }
    let mut segments = token.split('.');
    let (Some(header), Some(payload), Some(signature), None) = (
        segments.next(),
        segments.next(),
        segments.next(),
        segments.next(),
    ) else {
        return Err(DecodeError::NotThreeSegments);
    };
    let header = object(header, Segment::Header)?;
    match header.get("alg") {
        Some(Value::String(alg)) if ALLOWED_ALGORITHMS.contains(&alg.as_str()) => {}
        Some(Value::String(alg)) => {
            return Err(DecodeError::AlgorithmNotAllowed {
                alg: crate::error::sanitize(alg),
            })
        }
        _ => return Err(DecodeError::AlgorithmNotAllowed { alg: String::new() }),
    }
    let payload = object(payload, Segment::Payload)?;
    let signature = bytes(signature, Segment::Signature)?;
    if signature.is_empty() || signature.len() > MAX_SIGNATURE_LEN {
        return Err(DecodeError::InvalidSegment {
            segment: Segment::Signature,
        });
    }
    Ok(UnverifiedJwt { header, payload })
}

fn bytes(segment: &str, which: Segment) -> Result<Vec<u8>, DecodeError> {
    URL_SAFE_NO_PAD
        .decode(segment)
        .map_err(|_| DecodeError::InvalidSegment { segment: which })
}

fn object(segment: &str, which: Segment) -> Result<Map<String, Value>, DecodeError> {
    let json = bytes(segment, which)?;
    parse_object(&json, MAX_UNVERIFIED_JWT_LEN)
        .map_err(|_| DecodeError::InvalidSegment { segment: which })
}

impl UnverifiedJwt {
    /// The header's `alg` (one of the allowed algorithms).
    pub fn algorithm(&self) -> &str {
        self.header["alg"].as_str().unwrap_or_default()
    }

    /// The header's `kid`, if it is a string.
    pub fn key_id(&self) -> Option<&str> {
        self.header.get("kid").and_then(Value::as_str)
    }

    /// The whole header.
    pub fn header(&self) -> &Map<String, Value> {
        &self.header
    }

    /// The whole payload (the claims).
    pub fn payload(&self) -> &Map<String, Value> {
        &self.payload
    }

    /// The `exp` claim as a time: required, a whole number of seconds, at
    /// most `u32::MAX` (year 2106).
    pub fn expiry(&self) -> Result<SystemTime, DecodeError> {
        let invalid = DecodeError::InvalidClaim {
            claim: "exp",
            reason: "must be a whole number of seconds since 1970, before 2106",
        };
        let secs = self
            .payload
            .get("exp")
            .and_then(Value::as_u64)
            .filter(|secs| *secs <= MAX_EXPIRES_IN)
            .ok_or(invalid)?;
        Ok(SystemTime::UNIX_EPOCH + Duration::from_secs(secs))
    }

    /// The payload as [`Claims`] of the shape the crate signs (`iss`, `iat`
    /// and `exp` required; `exp` at most an hour after `iat`; `aud`,
    /// `scope`, `sub` strings): reads back what [`encode`](super::encode)
    /// wrote.
    pub fn claims(&self) -> Result<Claims, DecodeError> {
        Claims::from_payload(&self.payload)
            .map_err(|(claim, reason)| DecodeError::InvalidClaim { claim, reason })
    }
}

/// One of the three parts of a compact JWS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Segment {
    /// The JOSE header.
    Header,
    /// The claims.
    Payload,
    /// The signature.
    Signature,
}

impl fmt::Display for Segment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Segment::Header => "header",
            Segment::Payload => "payload",
            Segment::Signature => "signature",
        })
    }
}

/// Why [`decode_unverified`] refused a token.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecodeError {
    /// Longer than [`MAX_UNVERIFIED_JWT_LEN`].
    TooLarge {
        /// The bound, in bytes.
        limit: usize,
    },
    /// Not exactly three dot-separated segments.
    NotThreeSegments,
    /// A segment is not unpadded base64url, or (header, payload) not a JSON
    /// object with unique keys, or (signature) empty or overlong.
    InvalidSegment {
        /// Which segment.
        segment: Segment,
    },
    /// `alg` is missing, `none`, a MAC or unknown.
    AlgorithmNotAllowed {
        /// The `alg` found (control, invisible and bidi characters removed;
        /// empty if missing).
        alg: String,
    },
    /// A claim is missing or unusable.
    InvalidClaim {
        /// The claim's name.
        claim: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
}

impl DecodeError {
    /// A short reason, for errors that name the token's field
    /// ([`InvalidResponse::InvalidField`](crate::InvalidResponse::InvalidField)).
    pub(crate) fn reason(&self) -> &'static str {
        match self {
            Self::TooLarge { .. } => "is longer than 16 KiB",
            Self::NotThreeSegments => "is not a JWT (three dot-separated segments)",
            Self::InvalidSegment { .. } => "has a segment that is not valid base64url JSON",
            Self::AlgorithmNotAllowed { .. } => "has a missing, `none` or unsupported alg",
            Self::InvalidClaim { claim: "exp", .. } => "has no valid `exp` claim",
            Self::InvalidClaim { .. } => "has an invalid claim",
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("cannot read the JWT: ")?;
        match self {
            Self::TooLarge { limit } => write!(f, "it is longer than {limit} bytes"),
            Self::NotThreeSegments => f.write_str("it is not three dot-separated segments"),
            Self::InvalidSegment { segment } => write!(f, "its {segment} is not valid"),
            Self::AlgorithmNotAllowed { alg } if alg.is_empty() => f.write_str("it has no alg"),
            Self::AlgorithmNotAllowed { alg } => write!(f, "its alg {alg:?} is not allowed"),
            Self::InvalidClaim { claim, reason } => write!(f, "the claim `{claim}` {reason}"),
        }
    }
}

impl std::error::Error for DecodeError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(json: &str) -> String {
        URL_SAFE_NO_PAD.encode(json)
    }

    fn token(header: &str, payload: &str, signature: &str) -> String {
        format!("{}.{}.{signature}", b64(header), b64(payload))
    }

    #[test]
    fn reads_header_and_expiry() {
        let jwt = decode_unverified(&token(
            r#"{"alg":"RS256","kid":"k1","typ":"JWT"}"#,
            r#"{"exp":1767229200,"aud":"x"}"#,
            "c2ln",
        ))
        .unwrap();
        assert_eq!(jwt.algorithm(), "RS256");
        assert_eq!(jwt.key_id(), Some("k1"));
        assert_eq!(
            jwt.expiry().unwrap(),
            SystemTime::UNIX_EPOCH + Duration::from_secs(1_767_229_200)
        );
    }

    #[test]
    fn refuses_none_mac_and_missing_alg() {
        for header in [
            r#"{"alg":"none"}"#,
            r#"{"alg":"None"}"#,
            r#"{"alg":"HS256"}"#,
            r#"{"typ":"JWT"}"#,
            r#"{"alg":null}"#,
        ] {
            assert!(
                matches!(
                    decode_unverified(&token(header, "{}", "c2ln")),
                    Err(DecodeError::AlgorithmNotAllowed { .. })
                ),
                "{header}"
            );
        }
    }

    #[test]
    fn refuses_malformed_shapes() {
        let good = token(r#"{"alg":"RS256"}"#, "{}", "c2ln");
        assert!(decode_unverified(&good).is_ok());
        for bad in [
            String::new(),
            "a.b".to_owned(),
            format!("{good}.d"),
            format!("{good}="),
            token(r#"{"alg":"RS256"}"#, "{}", ""),
            token(r#"{"alg":"RS256"}"#, "[]", "c2ln"),
            token(r#"{"alg":"RS256","alg":"RS256"}"#, "{}", "c2ln"),
            token(r#"{"alg":"RS256"}"#, "{}", "c2ln+"),
        ] {
            assert!(decode_unverified(&bad).is_err(), "{bad}");
        }
        let huge = "a".repeat(MAX_UNVERIFIED_JWT_LEN + 1);
        assert_eq!(
            decode_unverified(&huge).unwrap_err(),
            DecodeError::TooLarge {
                limit: MAX_UNVERIFIED_JWT_LEN
            }
        );
    }

    #[test]
    fn expiry_must_be_a_whole_number_in_range() {
        for exp in ["-1", "1.5", "\"3600\"", "4294967296", "null"] {
            let jwt = decode_unverified(&token(
                r#"{"alg":"RS256"}"#,
                &format!(r#"{{"exp":{exp}}}"#),
                "c2ln",
            ))
            .unwrap();
            assert!(jwt.expiry().is_err(), "{exp}");
        }
    }
}
