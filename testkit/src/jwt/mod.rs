//! Shared by the service-account and JWT tests: the committed test keys
//! (tests/fixtures/service_account/, generated for the tests), an
//! independent signature check with ring's verifier, and a fake token
//! endpoint for the JWT-bearer grant.

pub mod endpoint;

use std::time::SystemTime;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use oauth2_sansio::jwt::{decode_unverified, UnverifiedJwt};
use ring::signature::{UnparsedPublicKey, RSA_PKCS1_2048_8192_SHA256};

use crate::world::clock::START_UNIX;
use crate::world::FakeClock;

pub use endpoint::FakeTokenEndpoint;

/// The service-account key file (holds `rsa2048_pkcs8.pem`).
pub const KEY_JSON: &[u8] =
    include_bytes!("../../../tests/fixtures/service_account/service_account.json");
/// Its `client_email`.
pub const EMAIL: &str = "test-sa@oauth2-sansio-tests.iam.gserviceaccount.com";
/// Its `private_key_id`.
pub const KID: &str = "0123456789abcdef0123456789abcdef01234567";
/// The key as PKCS#8 and PKCS#1 PEM.
pub const PKCS8: &str = include_str!("../../../tests/fixtures/service_account/rsa2048_pkcs8.pem");
pub const PKCS1: &str = include_str!("../../../tests/fixtures/service_account/rsa2048_pkcs1.pem");
/// Its public key, DER `RSAPublicKey`, as OpenSSL wrote it.
pub const PUBLIC_DER: &[u8] =
    include_bytes!("../../../tests/fixtures/service_account/rsa2048_public_pkcs1.der");

/// Where every test starts, in Unix seconds: the fake clock's start.
pub const START: u64 = START_UNIX;

/// `secs` after [`START`].
pub fn at(secs: u64) -> SystemTime {
    FakeClock::at(secs)
}

/// A fixture file's text.
pub fn fixture(name: &str) -> String {
    let path = format!(
        "{}/../tests/fixtures/service_account/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Checks `jwt`'s RS256 signature against the test key's public key with
/// ring's verifier, and returns its decoded header and claims.
pub fn verify(jwt: &str) -> UnverifiedJwt {
    let (signing_input, signature) = jwt.rsplit_once('.').expect("three segments");
    let signature = URL_SAFE_NO_PAD
        .decode(signature)
        .expect("base64url signature");
    UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, PUBLIC_DER)
        .verify(signing_input.as_bytes(), &signature)
        .expect("the signature verifies with the test key's public key");
    let decoded = decode_unverified(jwt).expect("a well-formed JWT");
    assert_eq!(decoded.algorithm(), "RS256");
    assert_eq!(decoded.header()["typ"], "JWT");
    decoded
}

/// The pairs of a form body, in order.
pub fn form(body: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

/// The test key's public half as a JSON Web Key Set with key id `kid`.
pub fn jwk_json(kid: &str) -> String {
    use ring::signature::{RsaKeyPair, RsaPublicKeyComponents};
    let body: String = PKCS8.lines().filter(|l| !l.starts_with("-----")).collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(body)
        .expect("PEM base64");
    let pair = RsaKeyPair::from_pkcs8(&der).expect("the test key");
    let components: RsaPublicKeyComponents<Vec<u8>> = pair.public().into();
    serde_json::json!({"keys": [{
        "kty": "RSA", "kid": kid,
        "n": URL_SAFE_NO_PAD.encode(&components.n), "e": URL_SAFE_NO_PAD.encode(&components.e),
    }]})
    .to_string()
}
