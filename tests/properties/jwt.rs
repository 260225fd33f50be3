//! Properties of the JWTs the crate signs and of the unverified decoder:
//! any claims round-trip through encode/decode and verify with the public
//! key; `exp - iat` never exceeds 3600; `sub` is present iff a subject is
//! set; the decoder refuses what is not a three-segment signed JWT and never
//! panics.

use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use oauth2_sansio::jwt::{decode_unverified, encode, Claims, RingSigner, MAX_JWT_LIFETIME};
use oauth2_sansio::service_account::ServiceAccountCredentials;
use oauth2_sansio::{Credentials, Machine, Step};
use proptest::prelude::*;
use serde_json::Value;

use testkit::jwt::{form, verify, EMAIL, KEY_JSON, PKCS8};

fn signer() -> &'static RingSigner {
    static SIGNER: OnceLock<RingSigner> = OnceLock::new();
    SIGNER.get_or_init(|| RingSigner::from_pem(PKCS8, Some("prop-key".into())).unwrap())
}

fn time(secs: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
}

const RESERVED: [&str; 6] = ["iss", "sub", "aud", "scope", "iat", "exp"];

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<String>().prop_map(Value::from),
    ];
    leaf.prop_recursive(2, 8, 4, |inner| {
        prop::collection::vec(inner, 0..4).prop_map(Value::Array)
    })
}

prop_compose! {
    fn claims()(
        iss in any::<String>(),
        now in 0u64..=u64::from(u32::MAX) * 4,
        lifetime in any::<u64>(),
        aud in proptest::option::of(any::<String>()),
        scopes in prop::collection::vec("[!-~]{1,20}", 0..4),
        sub in proptest::option::of(any::<String>()),
        extra in prop::collection::btree_map("[a-z_]{1,10}", json_value(), 0..4),
    ) -> Claims {
        let mut claims = Claims::new(iss, time(now))
            .with_lifetime(Duration::from_secs(lifetime))
            .with_scopes(scopes);
        if let Some(aud) = aud {
            claims = claims.with_audience(aud);
        }
        if let Some(sub) = sub {
            claims = claims.with_subject(sub);
        }
        for (name, value) in extra {
            if !RESERVED.contains(&name.as_str()) {
                claims = claims.with_claim(name, value).unwrap();
            }
        }
        claims
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_claims_round_trip_and_verify(claims in claims()) {
        let jwt = encode(signer(), &claims).unwrap();
        let decoded = verify(jwt.secret());
        prop_assert_eq!(decoded.key_id(), Some("prop-key"));
        prop_assert_eq!(decoded.claims().unwrap(), claims.clone());
        prop_assert!(claims.exp() - claims.iat() <= MAX_JWT_LIFETIME.as_secs());
        prop_assert!(!jwt.secret().contains('='));
    }

    #[test]
    fn assertions_carry_sub_iff_a_subject_is_set(
        scopes in prop::collection::vec("[a-z:/.]{1,30}", 0..4),
        subject in proptest::option::of("[a-z]{1,10}@example\\.com"),
        now in 0u64..=u64::from(u32::MAX),
    ) {
        let mut creds = ServiceAccountCredentials::from_json(KEY_JSON)
            .unwrap()
            .with_scopes(scopes.clone());
        if let Some(subject) = &subject {
            creds = creds.with_subject(subject.clone());
        }
        let Step::Send(request) = creds.refresh().unwrap().poll(time(now)).unwrap() else {
            panic!("expected Send")
        };
        let claims = verify(&form(request.body())[0].1).claims().unwrap();
        prop_assert_eq!(claims.subject(), subject.as_deref());
        prop_assert_eq!(claims.iat(), now);
        prop_assert_eq!(claims.exp() - claims.iat(), 3600);
        prop_assert_eq!(claims.issuer(), EMAIL);
        prop_assert_eq!(claims.audience(), Some(creds.token_uri().as_str()));
        let joined = scopes.join(" ");
        prop_assert_eq!(claims.scope(), (!joined.is_empty()).then_some(joined.as_str()));
    }

    #[test]
    fn the_lifetime_is_capped(now in any::<u32>(), lifetime in any::<u64>(), nanos in 0u32..1_000_000_000) {
        let claims = Claims::new("i", time(now.into()))
            .with_lifetime(Duration::new(lifetime, nanos));
        prop_assert_eq!(claims.exp() - claims.iat(), lifetime.min(3600));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn the_decoder_never_panics(text in "[A-Za-z0-9_.=+/-]{0,200}|\\PC{0,200}") {
        let _ = decode_unverified(&text);
    }

    #[test]
    fn the_decoder_needs_exactly_three_segments(
        segments in prop::collection::vec("[A-Za-z0-9_-]{0,20}", 0..6),
    ) {
        let token = segments.join(".");
        if segments.len() != 3 {
            prop_assert!(decode_unverified(&token).is_err());
        }
    }
}

/// A signed token with one byte changed: refused by the decoder, or read
/// but no longer verifying (the decoder alone proves nothing).
#[test]
fn tampering_is_caught_by_the_decoder_or_the_signature() {
    let claims = Claims::new(EMAIL, time(1_767_225_600)).with_audience("https://a.example/");
    let jwt = encode(signer(), &claims).unwrap().secret().to_owned();
    let public = ring::signature::UnparsedPublicKey::new(
        &ring::signature::RSA_PKCS1_2048_8192_SHA256,
        testkit::jwt::PUBLIC_DER,
    );
    for index in (0..jwt.len()).step_by(7) {
        let mut bytes = jwt.clone().into_bytes();
        bytes[index] = if bytes[index] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(bytes).unwrap();
        if decode_unverified(&tampered).is_err() {
            continue;
        }
        let (input, signature) = tampered.rsplit_once('.').unwrap();
        let signature =
            base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, signature);
        let verified = signature
            .map(|s| public.verify(input.as_bytes(), &s).is_ok())
            .unwrap_or(false);
        assert!(!verified, "byte {index} changed and it still verifies");
    }
}
