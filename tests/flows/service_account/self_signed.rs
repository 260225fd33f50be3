//! Self-signed JWTs: the claims, the signature, and the cache.

use oauth2_sansio::service_account::{JwtAccess, ServiceAccountCredentials};
use oauth2_sansio::{AuthorizeError, ConfigError, Credentials, Freshness};

use testkit::jwt::{at, verify, EMAIL, KEY_JSON, KID, START};

fn credentials() -> ServiceAccountCredentials {
    ServiceAccountCredentials::from_json(KEY_JSON)
        .unwrap()
        .with_subject("ignored@example.com")
}

#[test]
fn audience_jwt_claims_and_signature() {
    let mut jwt =
        credentials().self_signed_jwt(JwtAccess::service("pubsub.googleapis.com").unwrap());
    assert_eq!(jwt.freshness(at(0)), Freshness::Invalid);
    assert_eq!(
        jwt.authorize(&mut http::Request::new(()), at(0)),
        Err(AuthorizeError::NeedsRefresh)
    );

    assert!(jwt.sign_if_stale(at(0)).unwrap());
    let token = jwt.token().unwrap().token().secret().to_owned();
    let decoded = verify(&token);
    assert_eq!(decoded.key_id(), Some(KID));
    let claims = decoded.claims().unwrap();
    assert_eq!(claims.issuer(), EMAIL);
    assert_eq!(
        claims.subject(),
        Some(EMAIL),
        "sub is the account itself, never the delegated user"
    );
    assert_eq!(claims.audience(), Some("https://pubsub.googleapis.com/"));
    assert_eq!(claims.scope(), None);
    assert_eq!((claims.iat(), claims.exp()), (START, START + 3600));
    assert!(claims.extra().is_empty());
    assert_eq!(jwt.token().unwrap().expiry(), Some(at(3600)));

    let mut request = http::Request::new(());
    assert_eq!(jwt.authorize(&mut request, at(1)), Ok(Freshness::Fresh));
    assert_eq!(
        request.headers()["authorization"],
        format!("Bearer {token}").as_str()
    );
}

#[test]
fn scoped_jwt_has_a_scope_claim_instead_of_aud() {
    let mut jwt = credentials().self_signed_jwt(JwtAccess::Scopes(vec!["a".into(), "b".into()]));
    jwt.sign(at(7)).unwrap();
    let claims = verify(jwt.token().unwrap().token().secret())
        .claims()
        .unwrap();
    assert_eq!(claims.scope(), Some("a b"));
    assert_eq!(claims.audience(), None);
    assert_eq!(claims.iat(), START + 7);
}

#[test]
fn the_jwt_is_cached_until_stale() {
    let mut jwt = credentials()
        .self_signed_jwt(JwtAccess::Audience("https://api.example/".into()))
        .with_quota_project(Some("q".into()));
    assert!(jwt.sign_if_stale(at(0)).unwrap());
    let first = jwt.token().unwrap().clone();
    assert!(!jwt.sign_if_stale(at(100)).unwrap());
    assert!(!jwt.sign_if_stale(at(3600 - 226)).unwrap());
    assert_eq!(jwt.token(), Some(&first));
    assert_eq!(jwt.freshness(at(3600 - 225)), Freshness::Stale);
    assert!(jwt.sign_if_stale(at(3600 - 225)).unwrap());
    let second = jwt.token().unwrap();
    assert_ne!(second, &first);
    assert_eq!(second.expiry(), Some(at(2 * 3600 - 225)));

    let mut request = http::Request::new(());
    jwt.authorize(&mut request, at(3600)).unwrap();
    assert_eq!(request.headers()["x-goog-user-project"], "q");
}

#[test]
fn service_audience_must_be_a_bare_host() {
    assert_eq!(
        JwtAccess::service("storage.googleapis.com").unwrap(),
        JwtAccess::Audience("https://storage.googleapis.com/".into())
    );
    for bad in [
        "",
        "a/b",
        "user@host",
        "host:443",
        "host?x",
        "host#f",
        "two words",
    ] {
        assert_eq!(
            JwtAccess::service(bad).unwrap_err(),
            ConfigError::InvalidUrl { field: "audience" },
            "{bad:?}"
        );
    }
}
