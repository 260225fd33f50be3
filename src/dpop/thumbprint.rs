//! The two hashes DPoP names things by: a public key's JWK thumbprint
//! ([RFC 7638](https://www.rfc-editor.org/rfc/rfc7638)) and an access
//! token's `ath` ([RFC 9449 §4.2](https://www.rfc-editor.org/rfc/rfc9449#section-4.2)).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

/// The RFC 7638 SHA-256 thumbprint of a P-256 public key given by its
/// base64url `x` and `y`: the hash of `{"crv":"P-256","kty":"EC","x":…,"y":…}`
/// (members in lexicographic order, no whitespace), base64url. It is the
/// `jkt` a server binds tokens to (`cnf.jkt`, `dpop_jkt`).
///
/// ```
/// use oauth2_sansio::dpop::ec_p256_thumbprint;
///
/// // RFC 9449's example key
/// assert_eq!(
///     ec_p256_thumbprint(
///         "l8tFrhx-34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBFs",
///         "9VE4jf_Ok_o64zbTTlcuNJajHmt6v9TDVrU0CdvGRDA",
///     ),
///     "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"
/// );
/// ```
pub fn ec_p256_thumbprint(x: &str, y: &str) -> String {
    let digest = Sha256::new()
        .chain_update(br#"{"crv":"P-256","kty":"EC","x":""#)
        .chain_update(x)
        .chain_update(br#"","y":""#)
        .chain_update(y)
        .chain_update(br#""}"#)
        .finalize();
    URL_SAFE_NO_PAD.encode(digest)
}

/// `ath`: base64url(SHA-256(the access token's ASCII)), which a proof sent
/// with an access token carries.
///
/// ```
/// use oauth2_sansio::dpop::access_token_hash;
///
/// // RFC 9449's example token
/// assert_eq!(
///     access_token_hash("Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"),
///     "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo"
/// );
/// ```
pub fn access_token_hash(access_token: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(access_token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_thumbprint_hashes_the_canonical_member_order() {
        let (x, y) = (
            "l8tFrhx-34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBFs",
            "9VE4jf_Ok_o64zbTTlcuNJajHmt6v9TDVrU0CdvGRDA",
        );
        let canonical = format!(r#"{{"crv":"P-256","kty":"EC","x":"{x}","y":"{y}"}}"#);
        assert_eq!(
            ec_p256_thumbprint(x, y),
            URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()))
        );
        assert_ne!(ec_p256_thumbprint(y, x), ec_p256_thumbprint(x, y));
    }
}
