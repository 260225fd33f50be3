//! JSON Web Tokens: the ones the crate signs (service-account assertions,
//! self-signed JWTs, ID-token requests) and the little it reads of others
//! (an ID token's `exp`).
//!
//! - [`Claims`] and [`encode`]: a compact JWS ([RFC 7515 §7.1](https://www.rfc-editor.org/rfc/rfc7515#section-7.1)),
//!   base64url without padding, with google-auth's header.
//! - [`Signer`]: whoever holds the key (a local key, an HSM, a KMS); the
//!   crate never needs the private key itself.
//! - `RingSigner` (feature `ring`, on by default): RS256 with a PKCS#8 or
//!   PKCS#1 PEM key, over ring.
//! - [`decode_unverified`]: a bounded, unverified read of a JWT's header and
//!   claims.
//! - [`verify`]: ID tokens of Google, IAP or any OpenID provider verified
//!   against the issuer's key set.
//!
//! ```
//! # #[cfg(feature = "ring")] {
//! use std::time::{Duration, SystemTime};
//! use oauth2_sansio::jwt::{decode_unverified, encode, Claims, RingSigner};
//!
//! # let pem = include_str!("../../tests/fixtures/service_account/rsa2048_pkcs8.pem");
//! let signer = RingSigner::from_pem(pem, Some("key-1".into()))?;
//! let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_767_225_600);
//! let claims = Claims::new("sa@project.iam.gserviceaccount.com", now)
//!     .with_audience("https://oauth2.googleapis.com/token");
//! let assertion = encode(&signer, &claims)?;
//!
//! let read = decode_unverified(assertion.secret())?;
//! assert_eq!(read.header()["kid"], "key-1");
//! assert_eq!(read.claims()?, claims);
//! # }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod claims;
mod decode;
mod signer;
pub mod verify;

#[cfg(feature = "ring")]
pub(crate) mod der;
#[cfg(feature = "ring")]
mod key_error;
#[cfg(feature = "ring")]
mod pem;
#[cfg(feature = "ring")]
mod ring_signer;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Serialize;

pub(crate) use claims::insert_claim;
pub use claims::{Claims, ReservedClaim, MAX_JWT_LIFETIME};
pub use decode::{decode_unverified, DecodeError, Segment, UnverifiedJwt, MAX_UNVERIFIED_JWT_LEN};
#[cfg(feature = "ring")]
pub use key_error::KeyError;
#[cfg(feature = "ring")]
pub use ring_signer::{RingSigner, MIN_RSA_BITS};
pub use signer::{SignError, Signer};

use crate::secret::Assertion;

/// A JWS signature algorithm ([RFC 7518 §3.1](https://www.rfc-editor.org/rfc/rfc7518#section-3.1)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Algorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256: Google's algorithm for service
    /// accounts.
    Rs256,
    /// ECDSA over P-256 with SHA-256, the signature `r || s` (64 bytes):
    /// DPoP proofs ([`DpopKey`](crate::dpop::DpopKey)).
    Es256,
}

impl Algorithm {
    /// The `alg` header value.
    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::Rs256 => "RS256",
            Algorithm::Es256 => "ES256",
        }
    }
}

/// The JOSE header, in google-auth's field order.
#[derive(Serialize)]
struct Header<'a> {
    typ: &'static str,
    alg: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    kid: Option<&'a str>,
}

/// Signs `claims` with `signer` as a compact JWS:
/// `base64url(header) "." base64url(claims) "." base64url(signature)`,
/// without padding.
///
/// The header is `{"typ":"JWT","alg":…,"kid":…}` with the signer's
/// algorithm and key id (no `kid` when it has none): google-auth's fields
/// and order, as compact JSON (Python's `json.dumps` adds spaces after `:`
/// and `,`; servers parse both the same). The claims are
/// [`Claims::to_json`].
pub fn encode(signer: &dyn Signer, claims: &Claims) -> Result<Assertion, SignError> {
    let header = Header {
        typ: "JWT",
        alg: signer.algorithm().as_str(),
        kid: signer.key_id(),
    };
    let header = serde_json::to_vec(&header).expect("strings always serialize");
    let payload = claims.to_json();
    let mut jws = String::with_capacity((header.len() + payload.len()) * 4 / 3 + 360);
    URL_SAFE_NO_PAD.encode_string(&header, &mut jws);
    jws.push('.');
    URL_SAFE_NO_PAD.encode_string(payload, &mut jws);
    let signature = signer.sign(jws.as_bytes())?;
    if signature.is_empty() {
        return Err(SignError::new("the signer returned an empty signature"));
    }
    jws.push('.');
    URL_SAFE_NO_PAD.encode_string(&signature, &mut jws);
    Ok(Assertion::new(jws))
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::testing::at;

    /// Signs with a fixed "signature" so the encoding can be checked by eye.
    struct Fixed(Option<&'static str>, &'static [u8]);

    impl Signer for Fixed {
        fn algorithm(&self) -> Algorithm {
            Algorithm::Rs256
        }
        fn key_id(&self) -> Option<&str> {
            self.0
        }
        fn sign(&self, _: &[u8]) -> Result<Vec<u8>, SignError> {
            Ok(self.1.to_vec())
        }
    }

    #[test]
    fn header_order_and_unpadded_segments() {
        let claims = Claims::new("i", at(0));
        let jws = encode(&Fixed(Some("k"), &[0xfb, 0xff]), &claims).unwrap();
        let parts: Vec<&str> = jws.secret().split('.').collect();
        assert_eq!(
            URL_SAFE_NO_PAD.decode(parts[0]).unwrap(),
            br#"{"typ":"JWT","alg":"RS256","kid":"k"}"#
        );
        assert_eq!(
            URL_SAFE_NO_PAD.decode(parts[1]).unwrap(),
            br#"{"iat":0,"exp":3600,"iss":"i"}"#
        );
        assert_eq!(parts[2], "-_8");
        assert!(!jws.secret().contains('='));

        let no_kid = encode(&Fixed(None, &[1]), &claims).unwrap();
        let header = no_kid.secret().split('.').next().unwrap();
        assert_eq!(
            URL_SAFE_NO_PAD.decode(header).unwrap(),
            br#"{"typ":"JWT","alg":"RS256"}"#
        );
    }

    #[test]
    fn empty_signature_is_an_error() {
        assert!(encode(&Fixed(None, &[]), &Claims::new("i", at(0))).is_err());
    }
}
