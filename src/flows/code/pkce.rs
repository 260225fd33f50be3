//! PKCE ([RFC 7636](https://www.rfc-editor.org/rfc/rfc7636)), S256 only.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

use crate::secret::PkceVerifier;

/// The only challenge method the crate sends; `plain` offers no protection
/// against an attacker who sees the authorization request.
pub const CHALLENGE_METHOD: &str = "S256";

impl PkceVerifier {
    /// A verifier made from 32 random bytes: 43 characters of base64url,
    /// 256 bits of entropy (RFC 7636 §4.1).
    pub fn from_entropy(bytes: &[u8; 32]) -> Self {
        PkceVerifier::new(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// Whether this is a valid verifier: 43 to 128 characters of
    /// `[A-Za-z0-9-._~]` (RFC 7636 §4.1).
    pub fn is_well_formed(&self) -> bool {
        let v = self.secret().as_bytes();
        (43..=128).contains(&v.len())
            && v.iter()
                .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(b))
    }

    /// The S256 code challenge: `BASE64URL(SHA256(verifier))`.
    pub fn s256_challenge(&self) -> String {
        URL_SAFE_NO_PAD.encode(Sha256::digest(self.secret().as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7636_appendix_b_vector() {
        let verifier = PkceVerifier::new("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
        assert!(verifier.is_well_formed());
        assert_eq!(
            verifier.s256_challenge(),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn rfc7636_appendix_b_octets_give_the_verifier() {
        let octets = [
            116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212,
            37, 77, 105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121,
        ];
        let verifier = PkceVerifier::from_entropy(&octets);
        assert_eq!(
            verifier.secret(),
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
        );
    }

    #[test]
    fn well_formedness_bounds() {
        assert!(!PkceVerifier::new("a".repeat(42)).is_well_formed());
        assert!(PkceVerifier::new("a".repeat(128)).is_well_formed());
        assert!(!PkceVerifier::new("a".repeat(129)).is_well_formed());
        assert!(!PkceVerifier::new(format!("{}+", "a".repeat(43))).is_well_formed());
    }
}
