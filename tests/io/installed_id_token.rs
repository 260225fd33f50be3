//! The installed-app runner with a client that knows its issuer's key set
//! (`jwks_uri`, as discovery gives it): an `openid` sign-in sends a nonce,
//! and the credentials are handed over only when the exchange's ID token
//! verifies (signature by the issuer's key, issuer, audience, that nonce).

use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use oauth2_sansio::io::installed::{Browser, InstalledAppError, InstalledAppFlow};
use oauth2_sansio::jwt::verify::IdTokenError;
use oauth2_sansio::jwt::{encode, Claims, RingSigner};
use oauth2_sansio::ConfigError;
use oauth2_sansio::{Client, ClientSecret, TransportFailure};
use rand::rngs::StdRng;
use rand::SeedableRng;
use serde_json::json;
use testkit::jwt::{jwk_json, PKCS8};

use crate::installed_app::{finish, genuine_callback, spawn_flow, status, Running};

const ISSUER: &str = "https://as.example";
const JWKS_URI: &str = "https://as.example/jwks";
const CLIENT_ID: &str = "installed-app";

fn discovered() -> Client {
    Client::builder(CLIENT_ID)
        .client_secret(ClientSecret::new("installed-app-secret"))
        .authorization_endpoint("https://as.example/auth")
        .token_endpoint("https://as.example/token")
        .issuer(ISSUER)
        .jwks_uri(JWKS_URI)
        .build()
        .unwrap()
}

/// An ID token signed with the test key (`kid` `k1`), for `nonce`.
fn id_token(nonce: Option<&str>, audience: &str) -> String {
    let signer = RingSigner::from_pem(PKCS8, Some("k1".into())).unwrap();
    let mut claims = Claims::new(ISSUER, SystemTime::now())
        .with_audience(audience)
        .with_subject("user-7");
    if let Some(nonce) = nonce {
        claims = claims.with_claim("nonce", nonce).unwrap();
    }
    encode(&signer, &claims).unwrap().secret().to_owned()
}

/// What the token endpoint answers, given the nonce the URL carried.
type Tokens = fn(Option<&str>) -> String;

/// The token endpoint answers with `tokens(nonce)` (the nonce the
/// authorization URL carried), the key set endpoint with the test key.
fn server(
    nonce: Arc<Mutex<Option<String>>>,
    tokens: Tokens,
) -> impl FnMut(http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>, TransportFailure> {
    move |request| {
        let body = if request.uri() == JWKS_URI {
            jwk_json("k1")
        } else {
            tokens(nonce.lock().unwrap().as_deref())
        };
        Ok(http::Response::new(body.into_bytes()))
    }
}

/// Runs an `openid` sign-in answered by `tokens`; returns its outcome and
/// the nonce the authorization URL carried.
fn sign_in(
    tokens: Tokens,
) -> (
    Result<oauth2_sansio::UserCredentials, InstalledAppError>,
    Option<String>,
) {
    let nonce = Arc::new(Mutex::new(None));
    let send = server(nonce.clone(), tokens);
    let flow = InstalledAppFlow::new(discovered())
        .scopes(["openid", "email"])
        .browser(Browser::Disabled);
    let (running, mut prompt): (Running, _) = spawn_flow(flow, move |flow| {
        flow.run(&mut StdRng::seed_from_u64(9), send)
    });
    let auth = prompt.url();
    let sent = auth.param("nonce");
    *nonce.lock().unwrap() = Some(sent.clone());
    let page = genuine_callback(&auth, "code-1");
    assert_eq!(status(&page), 200, "{page}");
    (finish(running), Some(sent))
}

fn tokens_with(id_token: String) -> String {
    json!({"access_token": "ya29.a", "token_type": "Bearer", "expires_in": 3599,
           "refresh_token": "1//r", "scope": "openid email", "id_token": id_token})
    .to_string()
}

#[test]
fn a_verified_id_token_hands_the_credentials_over() {
    let (result, nonce) = sign_in(|nonce| tokens_with(id_token(nonce, CLIENT_ID)));
    assert_eq!(nonce.unwrap().len(), 43, "a nonce was sent");
    let credentials = result.unwrap();
    assert!(credentials.id_token().is_some());
}

#[test]
fn an_id_token_for_another_nonce_or_audience_or_none_refuses_the_sign_in() {
    let cases: [(Tokens, IdTokenError); 3] = [
        (
            |_| tokens_with(id_token(Some("not the one sent"), CLIENT_ID)),
            IdTokenError::WrongNonce,
        ),
        (
            |nonce| tokens_with(id_token(nonce, "another-client")),
            IdTokenError::WrongAudience,
        ),
        (
            |_| {
                r#"{"access_token":"ya29.a","token_type":"Bearer","refresh_token":"1//r"}"#
                    .to_owned()
            },
            IdTokenError::Missing,
        ),
    ];
    for (tokens, expected) in cases {
        let (result, _) = sign_in(tokens);
        match result {
            Err(InstalledAppError::IdToken(refused)) => assert_eq!(refused, expected),
            other => panic!("expected {expected:?}, got {:?}", other.map(|_| ())),
        }
    }
}

#[test]
fn an_openid_sign_in_gives_the_verified_claims_and_needs_the_key_set() {
    let nonce = Arc::new(Mutex::new(None));
    let send = server(nonce.clone(), |nonce| {
        tokens_with(id_token(nonce, CLIENT_ID))
    });
    // No openid in the scopes: run_openid adds it, and sends the nonce.
    let flow = InstalledAppFlow::new(discovered())
        .scopes(["email"])
        .browser(Browser::Disabled);
    let (running, mut prompt) = spawn_flow(flow, move |flow| {
        flow.run_openid(&mut StdRng::seed_from_u64(9), send)
    });
    let auth = prompt.url();
    assert_eq!(auth.param("scope"), "email openid");
    *nonce.lock().unwrap() = Some(auth.param("nonce"));
    assert_eq!(status(&genuine_callback(&auth, "code-2")), 200);
    let signed_in = running.join().unwrap().unwrap();
    assert_eq!(signed_in.id_token().subject(), Some("user-7"));
    assert!(signed_in.credentials().refresh_token().is_some());

    let without_keys = Client::builder(CLIENT_ID)
        .authorization_endpoint("https://as.example/auth")
        .token_endpoint("https://as.example/token")
        .issuer(ISSUER)
        .build()
        .unwrap();
    let refused = InstalledAppFlow::new(without_keys)
        .browser(Browser::Disabled)
        .run_openid(&mut StdRng::seed_from_u64(1), |_| panic!("nothing is sent"));
    assert!(
        matches!(
            refused,
            Err(InstalledAppError::Config(ConfigError::MissingEndpoint {
                endpoint: "jwks_uri"
            }))
        ),
        "{refused:?}"
    );
}
