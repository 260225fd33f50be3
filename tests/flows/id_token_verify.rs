//! Verifying ID tokens: RS256 with the committed RSA key, PS256, ES256 with
//! a P-256 key made by the test; every claim rule and every way a token or
//! key set can be wrong is refused with its own error.

use std::time::{Duration, SystemTime};

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use oauth2_sansio::jwt::verify::{IdTokenError, IdTokenVerifier, JwkSet, JwsAlgorithm, IAP_ISSUER};
use ring::rand::SystemRandom;
use ring::signature::{
    EcdsaKeyPair, KeyPair, RsaKeyPair, RsaPublicKeyComponents, ECDSA_P256_SHA256_FIXED_SIGNING,
    RSA_PKCS1_SHA256, RSA_PSS_SHA256,
};
use serde_json::{json, Value};
use testkit::jwt::PKCS8;

const CLIENT: &str = "client-1.apps.googleusercontent.com";
const NOW: u64 = 1_800_000_000;

fn now() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(NOW)
}

fn rsa() -> RsaKeyPair {
    let body: String = PKCS8.lines().filter(|l| !l.starts_with("-----")).collect();
    RsaKeyPair::from_pkcs8(&STANDARD.decode(body).unwrap()).unwrap()
}

fn es256() -> EcdsaKeyPair {
    let rng = SystemRandom::new();
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
    EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng).unwrap()
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The key set: the RSA key as `rsa-1`, the P-256 key as `ec-1`.
fn jwks(rsa: &RsaKeyPair, ec: &EcdsaKeyPair) -> JwkSet {
    let components: RsaPublicKeyComponents<Vec<u8>> = rsa.public().into();
    let point = ec.public_key().as_ref();
    let set = json!({"keys": [
        {"kty": "RSA", "kid": "rsa-1", "use": "sig", "n": b64(&components.n), "e": b64(&components.e)},
        {"kty": "EC", "crv": "P-256", "kid": "ec-1", "x": b64(&point[1..33]), "y": b64(&point[33..])},
    ]});
    JwkSet::parse(set.to_string().as_bytes()).unwrap()
}

/// Google-shaped claims, issued NOW, valid an hour.
fn claims() -> Value {
    json!({
        "iss": "https://accounts.google.com", "aud": CLIENT, "azp": CLIENT,
        "sub": "1234567890", "email": "a@example.com", "email_verified": true, "hd": "example.com",
        "iat": NOW, "exp": NOW + 3600, "nonce": "n-1",
    })
}

fn sign(
    alg: &str,
    kid: Option<&str>,
    claims: &Value,
    rsa: &RsaKeyPair,
    ec: &EcdsaKeyPair,
) -> String {
    let mut header = json!({"alg": alg, "typ": "JWT"});
    if let Some(kid) = kid {
        header["kid"] = kid.into();
    }
    let input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    let rng = SystemRandom::new();
    let signature = match alg {
        "ES256" => ec.sign(&rng, input.as_bytes()).unwrap().as_ref().to_vec(),
        _ => {
            let padding: &dyn ring::signature::RsaEncoding = if alg == "PS256" {
                &RSA_PSS_SHA256
            } else {
                &RSA_PKCS1_SHA256
            };
            let mut signature = vec![0; rsa.public().modulus_len()];
            rsa.sign(padding, &rng, input.as_bytes(), &mut signature)
                .unwrap();
            signature
        }
    };
    format!("{input}.{}", b64(&signature))
}

#[test]
fn google_rs256_tokens_verify_and_expose_their_claims() {
    let (rsa, ec) = (rsa(), es256());
    let keys = jwks(&rsa, &ec);
    let token = sign("RS256", Some("rsa-1"), &claims(), &rsa, &ec);
    let verified = IdTokenVerifier::google(CLIENT)
        .with_nonce("n-1")
        .require_email_verified(true)
        .with_hosted_domain("example.com")
        .verify(&token, &keys, now())
        .unwrap();
    assert_eq!(verified.subject(), Some("1234567890"));
    assert_eq!(verified.email(), Some("a@example.com"));
    assert_eq!(verified.hosted_domain(), Some("example.com"));
    let mut other_spelling = claims();
    other_spelling["iss"] = "accounts.google.com".into();
    let token = sign("RS256", Some("rsa-1"), &other_spelling, &rsa, &ec);
    assert!(IdTokenVerifier::google(CLIENT)
        .verify(&token, &keys, now())
        .is_ok());
}

#[test]
fn iap_es256_and_ps256_verify_when_allowed_and_only_then() {
    let (rsa, ec) = (rsa(), es256());
    let keys = jwks(&rsa, &ec);
    let mut iap = claims();
    iap["iss"] = IAP_ISSUER.into();
    iap["aud"] = "/projects/1/apps/app".into();
    let token = sign("ES256", Some("ec-1"), &iap, &rsa, &ec);
    assert!(IdTokenVerifier::iap("/projects/1/apps/app")
        .verify(&token, &keys, now())
        .is_ok());
    assert!(matches!(
        IdTokenVerifier::new(IAP_ISSUER, "/projects/1/apps/app").verify(&token, &keys, now()),
        Err(IdTokenError::AlgorithmNotAllowed { .. })
    ));
    let pss = sign("PS256", Some("rsa-1"), &claims(), &rsa, &ec);
    let verifier = IdTokenVerifier::google(CLIENT);
    assert!(matches!(
        verifier.verify(&pss, &keys, now()),
        Err(IdTokenError::AlgorithmNotAllowed { .. })
    ));
    let verifier = verifier.with_algorithms([JwsAlgorithm::Ps256]);
    assert!(verifier.verify(&pss, &keys, now()).is_ok());
}

#[test]
fn keys_signatures_and_algorithms_that_do_not_fit_are_refused() {
    let (rsa, ec) = (rsa(), es256());
    let keys = jwks(&rsa, &ec);
    let verifier =
        IdTokenVerifier::google(CLIENT).with_algorithms([JwsAlgorithm::Rs256, JwsAlgorithm::Es256]);
    let token = sign("RS256", Some("rsa-1"), &claims(), &rsa, &ec);
    // A rotated-away kid: fetch the keys again.
    let rotated = sign("RS256", Some("rsa-2"), &claims(), &rsa, &ec);
    assert_eq!(
        verifier.verify(&rotated, &keys, now()),
        Err(IdTokenError::UnknownKey {
            kid: Some("rsa-2".into())
        })
    );
    // An RS256 token naming the EC key.
    let crossed = sign("RS256", Some("ec-1"), &claims(), &rsa, &ec);
    assert_eq!(
        verifier.verify(&crossed, &keys, now()),
        Err(IdTokenError::KeyMismatch)
    );
    // The signature of another payload.
    let (head, _) = token.rsplit_once('.').unwrap();
    let other = sign("RS256", Some("rsa-1"), &json!({"sub": "x"}), &rsa, &ec);
    let spliced = format!("{head}.{}", other.rsplit_once('.').unwrap().1);
    assert_eq!(
        verifier.verify(&spliced, &keys, now()),
        Err(IdTokenError::BadSignature)
    );
    // Without a kid, the one key of the right type is used.
    let no_kid = sign("RS256", None, &claims(), &rsa, &ec);
    assert!(verifier.verify(&no_kid, &keys, now()).is_ok());
    // `none` and HMAC never get this far.
    for alg in ["none", "HS256"] {
        let header = b64(json!({"alg": alg}).to_string().as_bytes());
        let forged = format!("{header}.{}.c2ln", b64(claims().to_string().as_bytes()));
        assert!(
            matches!(
                verifier.verify(&forged, &keys, now()),
                Err(IdTokenError::Malformed(_))
            ),
            "{alg}"
        );
    }
}

#[test]
fn every_claim_rule_refuses_with_its_own_error() {
    let (rsa, ec) = (rsa(), es256());
    let keys = jwks(&rsa, &ec);
    let verifier = IdTokenVerifier::google(CLIENT)
        .with_nonce("n-1")
        .require_email_verified(true)
        .with_hosted_domain("example.com");
    let with = |name: &str, value: Value| {
        let mut changed = claims();
        if value.is_null() {
            changed.as_object_mut().unwrap().remove(name);
        } else {
            changed[name] = value;
        }
        sign("RS256", Some("rsa-1"), &changed, &rsa, &ec)
    };
    let leeway = 30;
    for (token, expected) in [
        (
            with("iss", "https://evil.example".into()),
            IdTokenError::WrongIssuer {
                issuer: "https://evil.example".into(),
            },
        ),
        (
            with("aud", "someone-else".into()),
            IdTokenError::WrongAudience,
        ),
        (
            with("aud", json!(["someone-else", "other"])),
            IdTokenError::WrongAudience,
        ),
        (
            {
                let mut other_party = claims();
                other_party["aud"] = json!([CLIENT, "other"]);
                other_party["azp"] = "other".into();
                sign("RS256", Some("rsa-1"), &other_party, &rsa, &ec)
            },
            IdTokenError::WrongAuthorizedParty,
        ),
        (with("exp", (NOW - leeway).into()), IdTokenError::Expired),
        (
            with("iat", (NOW + leeway + 1).into()),
            IdTokenError::NotYetValid,
        ),
        (
            with("nbf", (NOW + leeway + 1).into()),
            IdTokenError::NotYetValid,
        ),
        (with("nonce", "n-2".into()), IdTokenError::WrongNonce),
        (with("nonce", Value::Null), IdTokenError::WrongNonce),
        (
            with("email_verified", false.into()),
            IdTokenError::EmailNotVerified,
        ),
        (
            with("hd", "evil.example".into()),
            IdTokenError::WrongHostedDomain,
        ),
        (
            with("exp", Value::Null),
            IdTokenError::InvalidClaim { claim: "exp" },
        ),
        (
            with("iat", "yesterday".into()),
            IdTokenError::InvalidClaim { claim: "iat" },
        ),
    ] {
        assert_eq!(
            verifier.verify(&token, &keys, now()),
            Err(expected.clone()),
            "{expected}"
        );
    }
    // Within the leeway both ways.
    assert!(verifier
        .verify(&with("exp", (NOW - leeway + 1).into()), &keys, now())
        .is_ok());
    assert!(verifier
        .verify(&with("iat", (NOW + leeway).into()), &keys, now())
        .is_ok());
    // Several audiences with azp = this client.
    let mut shared = claims();
    shared["aud"] = json!([CLIENT, "other"]);
    let token = sign("RS256", Some("rsa-1"), &shared, &rsa, &ec);
    assert!(verifier.verify(&token, &keys, now()).is_ok());
}

mod key_set_cache {
    use std::time::{Duration, SystemTime};

    use oauth2_sansio::jwt::verify::{
        CachePolicy, CacheVerdict, IdTokenError, IdTokenVerifier, KeySetCache,
    };
    use oauth2_sansio::{drive, Error};

    use super::*;

    const JWKS_URI: &str = "https://issuer.example/jwks";

    /// The key set `keys` served with `headers`.
    fn fetch(
        cache: &mut KeySetCache,
        at: SystemTime,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Result<(), Error> {
        let mut sent = Vec::new();
        let fetched = drive(
            cache.fetch(at),
            || at,
            |request| {
                sent.push(request.uri().to_string());
                let mut response = http::Response::builder();
                for (name, value) in headers {
                    response = response.header(*name, *value);
                }
                Ok(response.body(body.as_bytes().to_vec()).unwrap())
            },
            |_| {},
        );
        assert_eq!(sent, [JWKS_URI]);
        cache.store(fetched?);
        Ok(())
    }

    fn jwks_json(rsa: &RsaKeyPair, kid: &str) -> String {
        let components: RsaPublicKeyComponents<Vec<u8>> = rsa.public().into();
        json!({"keys": [{"kty": "RSA", "kid": kid, "n": b64(&components.n), "e": b64(&components.e)}]}).to_string()
    }

    fn at(secs: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(NOW + secs)
    }

    #[test]
    fn lifetimes_come_from_max_age_minus_age_clamped() {
        let policy = CachePolicy::default();
        let lifetime = |pairs: &[(&str, &str)]| {
            let mut headers = http::HeaderMap::new();
            for (name, value) in pairs {
                headers.append(
                    http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                    value.parse().unwrap(),
                );
            }
            policy.lifetime(&headers).as_secs()
        };
        assert_eq!(
            lifetime(&[(
                "cache-control",
                "public, max-age=21155, must-revalidate, no-transform"
            )]),
            21155
        );
        assert_eq!(
            lifetime(&[("cache-control", "max-age=21155"), ("age", "155")]),
            21000
        );
        assert_eq!(lifetime(&[]), 600, "the default without max-age");
        assert_eq!(
            lifetime(&[("cache-control", "no-cache")]),
            300,
            "never below the minimum"
        );
        assert_eq!(
            lifetime(&[("cache-control", "max-age=10"), ("age", "99")]),
            300
        );
        assert_eq!(
            lifetime(&[("cache-control", "max-age=999999")]),
            86400,
            "never above a day"
        );
        assert_eq!(lifetime(&[("cache-control", "max-age=oops")]), 600);
    }

    #[test]
    fn a_rotated_key_is_fetched_once_per_cooldown_and_a_failed_fetch_keeps_the_old_keys() {
        let (rsa, ec) = (rsa(), es256());
        let verifier = IdTokenVerifier::google(CLIENT);
        let mut cache = KeySetCache::new(JWKS_URI).unwrap();
        let old = sign("RS256", Some("old"), &claims(), &rsa, &ec);
        assert!(matches!(
            cache.verify(&verifier, &old, at(0)),
            CacheVerdict::FetchKeys
        ));
        fetch(
            &mut cache,
            at(0),
            &[("cache-control", "max-age=3600")],
            &jwks_json(&rsa, "old"),
        )
        .unwrap();
        assert!(matches!(
            cache.verify(&verifier, &old, at(1)),
            CacheVerdict::Verified(_)
        ));

        // The issuer rotates to "new": within the cool-down no fetch...
        let new = sign("RS256", Some("new"), &claims(), &rsa, &ec);
        assert!(matches!(
            cache.verify(&verifier, &new, at(10)),
            CacheVerdict::Refused(IdTokenError::UnknownKey { .. })
        ));
        // ...after it, one.
        assert!(matches!(
            cache.verify(&verifier, &new, at(30)),
            CacheVerdict::FetchKeys
        ));
        // A failed fetch keeps the old keys (and starts a new cool-down).
        let failed = fetch(&mut cache, at(30), &[], "<html>busy</html>");
        assert!(failed.is_err());
        assert!(matches!(
            cache.verify(&verifier, &old, at(31)),
            CacheVerdict::Verified(_)
        ));
        assert!(matches!(
            cache.verify(&verifier, &new, at(40)),
            CacheVerdict::Refused(_)
        ));
        fetch(
            &mut cache,
            at(60),
            &[("cache-control", "max-age=3600")],
            &jwks_json(&rsa, "new"),
        )
        .unwrap();
        assert!(matches!(
            cache.verify(&verifier, &new, at(61)),
            CacheVerdict::Verified(_)
        ));

        // Keys past their lifetime are not used.
        assert!(matches!(
            cache.verify(&verifier, &new, at(60 + 3600)),
            CacheVerdict::FetchKeys
        ));
    }
}

/// The code flow's nonce: a pending authorization that sent one gives the
/// verifier for the ID token the exchange returns.
#[test]
fn a_pending_authorization_verifies_its_id_token_with_its_nonce() {
    use oauth2_sansio::{Client, ClientSecret};

    let (rsa, ec) = (rsa(), es256());
    let keys = jwks(&rsa, &ec);
    let client = Client::google(CLIENT, Some(ClientSecret::new("s")))
        .build()
        .unwrap();
    let (_, pending) = client
        .authorization_request("http://127.0.0.1/")
        .scope("openid")
        .with_nonce(true)
        .build_with_entropy(now(), &[4; 64])
        .unwrap();
    let verifier = pending
        .id_token_verifier()
        .expect("Google's issuer and a nonce");
    let mut sent = claims();
    sent["nonce"] = pending.nonce().unwrap().into();
    let token = sign("RS256", Some("rsa-1"), &sent, &rsa, &ec);
    assert!(verifier.verify(&token, &keys, now()).is_ok());
    let replayed = sign("RS256", Some("rsa-1"), &claims(), &rsa, &ec);
    assert_eq!(
        verifier.verify(&replayed, &keys, now()),
        Err(IdTokenError::WrongNonce)
    );

    let (_, without) = client
        .authorization_request("http://127.0.0.1/")
        .scope("openid")
        .build_with_entropy(now(), &[4; 64])
        .unwrap();
    assert!(without.id_token_verifier().is_none());
}
