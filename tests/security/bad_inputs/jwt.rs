//! Unverified JWTs (ID token payloads): `decode_unverified` and the
//! token's expiry, as an ID token is read. The payload's JSON is edited
//! field by field and re-encoded; the token's text is truncated and
//! mutated as a whole.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use oauth2_sansio::jwt::{decode_unverified, MAX_UNVERIFIED_JWT_LEN};
use serde_json::json;

use super::derive::{json_cases, mutations, JsonRules};
use super::json::J;
use super::tally::{outcome, Case, Tally};

pub const NONCE: &str = "NObadinput-Rt5Yu6Io7";
/// The signature segment's bytes; never checked by the decoder.
const SIGNATURE: &[u8] = b"SIGbadinput-Mn8Bv7Cx6-padding-to-look-like-rsa";

/// The claims of the seed ID token.
pub fn payload() -> J {
    let iat = super::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs();
    J::from(&json!({
        "iss": "https://accounts.google.com", "aud": "client.apps.example",
        "sub": "100000000000000000042", "email": "user@example.com",
        "iat": iat, "exp": iat + 3600, "nonce": NONCE,
    }))
}

/// A token with `payload` (bytes, possibly not JSON) as its claims.
pub fn token_with(payload: &[u8]) -> String {
    let header = br#"{"alg":"RS256","kid":"k-1","typ":"JWT"}"#;
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(payload),
        URL_SAFE_NO_PAD.encode(SIGNATURE)
    )
}

/// The seed ID token.
pub fn id_token() -> String {
    token_with(&payload().render())
}

/// The secrets an ID token holds: its signature segment and the nonce.
pub fn secrets() -> [String; 2] {
    [URL_SAFE_NO_PAD.encode(SIGNATURE), NONCE.to_owned()]
}

/// Bad tokens: the payload's edits re-encoded (a payload over the token's
/// bound makes a token over it), the token truncated (refused up to and
/// including its last dot) and over its bound, and byte mutations.
pub fn cases(rng_seed: u64) -> Vec<Case> {
    let rules = JsonRules {
        required: &["exp"],
        bound: Some(MAX_UNVERIFIED_JWT_LEN),
        strict_duplicates: true,
        empty_refused: true,
    };
    let mut cases: Vec<Case> = json_cases(&payload(), &rules, rng_seed)
        .into_iter()
        .map(|case| {
            Case::new(
                format!("payload {}", case.label),
                token_with(&case.bytes).into_bytes(),
                case.must_refuse,
            )
        })
        .collect();
    let token = id_token();
    let last_dot = token.rfind('.').expect("three segments");
    for len in 0..token.len() {
        let must_refuse =
            (len <= last_dot + 1).then_some("fewer than three segments or no signature");
        cases.push(Case::new(
            format!("token truncated to {len}"),
            token[..len].into(),
            must_refuse,
        ));
    }
    let mut long = token.clone().into_bytes();
    long.resize(MAX_UNVERIFIED_JWT_LEN + 1, b'A');
    cases.push(Case::new(
        "token over the bound",
        long,
        Some("over the size bound"),
    ));
    cases.extend(mutations(
        token.as_bytes(),
        rng_seed + 1,
        super::derive::MUTATIONS,
    ));
    cases
}

pub fn tallies() -> Vec<Tally> {
    let mut tally = Tally::new("unverified JWT (ID token)");
    let secrets = secrets();
    let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
    tally.run(&secrets, cases(1100), |bytes| {
        let text = String::from_utf8_lossy(bytes);
        outcome(decode_unverified(&text).and_then(|jwt| jwt.expiry()))
    });
    vec![tally]
}
