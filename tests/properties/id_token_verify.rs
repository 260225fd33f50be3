//! Verified ID tokens against generated tampering: whatever byte of a valid
//! token changes, it is refused; no key-set bytes make the reader panic.

use std::time::{Duration, SystemTime};

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use oauth2_sansio::jwt::verify::{IdTokenVerifier, JwkSet};
use proptest::prelude::*;
use ring::rand::SystemRandom;
use ring::signature::{RsaKeyPair, RSA_PKCS1_SHA256};
use serde_json::json;
use testkit::jwt::PKCS8;

const NOW: u64 = 1_800_000_000;

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A valid RS256 token for `client-1` and the key set that verifies it.
fn token_and_keys() -> (String, JwkSet) {
    let body: String = PKCS8.lines().filter(|l| !l.starts_with("-----")).collect();
    let rsa = RsaKeyPair::from_pkcs8(&STANDARD.decode(body).unwrap()).unwrap();
    let keys = testkit::jwt::jwk_json("k");
    let header = json!({"alg": "RS256", "kid": "k"});
    let claims = json!({"iss": "https://accounts.google.com", "aud": "client-1", "sub": "1", "iat": NOW, "exp": NOW + 3600});
    let input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    let mut signature = vec![0; rsa.public().modulus_len()];
    rsa.sign(
        &RSA_PKCS1_SHA256,
        &SystemRandom::new(),
        input.as_bytes(),
        &mut signature,
    )
    .unwrap();
    let token = format!("{input}.{}", b64(&signature));
    (token, JwkSet::parse(keys.as_bytes()).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_changed_byte_is_refused(
        position in any::<prop::sample::Index>(),
        replacement in prop::sample::select(b"ABCXYZabcxyz0189-_.=+/ ".to_vec()),
    ) {
        let (token, keys) = token_and_keys();
        let verifier = IdTokenVerifier::google("client-1");
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(NOW);
        let original = verifier.verify(&token, &keys, now).unwrap();
        let mut bytes = token.into_bytes();
        let i = position.index(bytes.len());
        prop_assume!(bytes[i] != replacement);
        bytes[i] = replacement;
        let changed = String::from_utf8(bytes).unwrap();
        // Non-canonical base64url (changed unused bits) is refused too.
        prop_assert!(verifier.verify(&changed, &keys, now).is_err(), "{} accepted", changed);
        prop_assert_eq!(original.subject(), Some("1"));
    }

    #[test]
    fn no_key_set_bytes_make_it_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = JwkSet::parse(&bytes);
    }
}
