//! `private_key_jwt` client authentication (RFC 7523 §2.2, §3) against the
//! in-memory server, which checks every assertion as oidc-provider does
//! (signature, `iss` = `sub` = client id, `aud`, validity now, unused
//! `jti`): the exact requests of a sign-in and a refresh, assertions signed
//! when sent rather than when the machine was made, every other endpoint
//! that authenticates the client, and configuration mistakes.

use std::sync::Arc;
use std::time::Duration;

use oauth2_sansio::jwt::{Algorithm, RingSigner, SignError, Signer};
use oauth2_sansio::{
    AssertionAudience, Client, ClientAssertionKey, ClientAuthMethod, ConfigError, Credentials,
    Error, Machine, RefreshToken, Step, TokenRef, CLIENT_ASSERTION_TYPE,
};
use serde_json::Value;
use testkit::world::clock::START_UNIX;
use testkit::world::*;

const SCOPES: &[&str] = &["openid", "read"];
/// The `jti` seed of [`key`]: fixed, so every run signs the same bytes.
const SEED: [u8; 32] = [7; 32];

fn key() -> ClientAssertionKey {
    let signer = RingSigner::from_pem(JWT_CLIENT_KEY_PEM, Some("jwt-key-1".into())).unwrap();
    ClientAssertionKey::with_seed(Arc::new(signer), SEED)
}

fn builder() -> oauth2_sansio::ClientBuilder {
    Client::builder(JWT_ID)
        .authorization_endpoint(AUTH_URI)
        .token_endpoint(TOKEN_URI)
        .issuer(ISSUER)
        .require_issuer_in_callback(true)
        .revocation_endpoint(format!("{ISSUER}/revoke"))
        .introspection_endpoint(format!("{ISSUER}/introspect"))
        .device_authorization_endpoint(format!("{ISSUER}/device"))
}

fn jwt_client() -> Client {
    builder().private_key_jwt(key()).build().unwrap()
}

/// Takes the `client_assertion` out of a recorded request, leaving
/// `<assertion>` in its place, and returns its verified claims.
fn take_assertion(sent: &mut Sent) -> serde_json::Map<String, Value> {
    let pairs = testkit::jwt::form(sent.body.as_bytes());
    let assertion = pairs
        .iter()
        .find(|(name, _)| name == "client_assertion")
        .map(|(_, value)| value.clone())
        .expect("a client_assertion");
    sent.body = sent.body.replace(&assertion, "<assertion>");
    let jwt = testkit::jwt::verify(&assertion);
    assert_eq!(jwt.header()["kid"], "jwt-key-1");
    jwt.payload().clone()
}

/// The claims every assertion of [`JWT_ID`] has, sent at `secs` after the
/// start; `jti` is checked apart.
fn assert_claims(claims: &serde_json::Map<String, Value>, secs: u64) {
    let iat = START_UNIX + secs;
    assert_eq!(claims["iss"], JWT_ID);
    assert_eq!(claims["sub"], JWT_ID);
    assert_eq!(claims["aud"], ISSUER);
    assert_eq!(claims["iat"], iat);
    assert_eq!(claims["exp"], iat + 60);
    let names: Vec<&str> = claims.keys().map(String::as_str).collect();
    assert_eq!(names.len(), 6, "{names:?}");
}

const ASSERTION_SUFFIX: &str =
    "&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer\
     &client_assertion=<assertion>";

#[test]
fn sign_in_and_refresh_sign_a_new_assertion_when_each_request_is_sent() {
    let mut server = FakeServer::default();
    let mut clock = FakeClock::new();
    let client = jwt_client();
    let mut exchange = approved_exchange(&mut server, &client, SCOPES, &clock);
    // Made now, sent 30 s later: the assertion counts from the sending.
    clock.advance(Duration::from_secs(30));
    let transcript = Transcript::record(&mut exchange, &mut server, &mut clock);
    let mut events = transcript.events;
    let Event::Send(sent) = &mut events[0] else {
        panic!("{events:?}")
    };
    let first = take_assertion(sent);
    assert_claims(&first, 30);
    assert_eq!(
        events,
        [
            Event::Send(Sent::token_request(
                TOKEN_URI,
                None,
                &format!(
                    "grant_type=authorization_code&client_id=jwt-app\
                     &code_verifier={VERIFIER}&code=code-1\
                     &redirect_uri=http%3A%2F%2F127.0.0.1%3A53682%2F{ASSERTION_SUFFIX}"
                ),
            )),
            Event::Done(Summary {
                access_token: Some("at-1".into()),
                expiry: Some(FakeClock::at(30 + 3599)),
                refresh_token: Some("rt-1".into()),
                id_token: Some("idt-1".into()),
                granted_scopes: Some(vec!["openid".into(), "read".into()]),
                missing_scopes: vec![],
            }),
        ]
    );

    let credentials = transcript.output.unwrap();
    assert_eq!(credentials.refresh_auth(), ClientAuthMethod::PrivateKeyJwt);
    assert_eq!(credentials.client_assertion_key(), client.assertion_key());
    let mut refresh = credentials.refresh().unwrap();
    clock.advance(Duration::from_secs(100));
    let mut events = Transcript::record(&mut refresh, &mut server, &mut clock).events;
    let Event::Send(sent) = &mut events[0] else {
        panic!("{events:?}")
    };
    let second = take_assertion(sent);
    assert_claims(&second, 131);
    assert_ne!(first["jti"], second["jti"]);
    assert_eq!(
        events[0],
        Event::Send(Sent::token_request(
            TOKEN_URI,
            None,
            &format!(
                "grant_type=refresh_token&client_id=jwt-app&refresh_token=rt-1\
                 &scope=openid+read{ASSERTION_SUFFIX}"
            ),
        ))
    );
    assert!(matches!(events[1], Event::Done(_)), "{events:?}");
}

/// RS256 is deterministic and the `jti` comes from the seed: a fixed key,
/// seed, client and time sign exactly these bytes.
#[test]
fn the_first_assertion_of_a_seeded_key_is_pinned() {
    let assertion = key()
        .sign(JWT_ID, ISSUER, FakeClock::at(0))
        .unwrap()
        .secret()
        .to_owned();
    let (signing_input, _) = assertion.rsplit_once('.').unwrap();
    let (header, payload) = signing_input.split_once('.').unwrap();
    use base64::Engine;
    let decode = |part| {
        String::from_utf8(
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(part)
                .unwrap(),
        )
        .unwrap()
    };
    assert_eq!(
        decode(header),
        r#"{"typ":"JWT","alg":"RS256","kid":"jwt-key-1"}"#
    );
    assert_eq!(
        decode(payload),
        format!(
            r#"{{"iat":{START_UNIX},"exp":{},"iss":"jwt-app","aud":"{ISSUER}","sub":"jwt-app","jti":"{}"}}"#,
            START_UNIX + 60,
            first_jti(),
        )
    );
    testkit::jwt::verify(&assertion);
    let again = key().sign(JWT_ID, ISSUER, FakeClock::at(0)).unwrap();
    assert_eq!(again.secret(), assertion);
}

/// base64url(SHA-256(seed || 0u64 big-endian)), computed here apart from
/// the crate.
fn first_jti() -> String {
    use base64::Engine;
    use sha2::{Digest, Sha256};
    let mut input = SEED.to_vec();
    input.extend_from_slice(&0u64.to_be_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(&input))
}

#[test]
fn a_replayed_request_is_refused_by_the_server() {
    let mut server = FakeServer::default();
    let mut clock = FakeClock::new();
    let client = jwt_client();
    let refresh_token = server.issue_refresh_token(JWT_ID, SCOPES);
    let credentials = oauth2_sansio::UserCredentials::from_refresh_token(
        &client,
        RefreshToken::new(refresh_token),
        vec![],
    );
    let mut refresh = credentials.refresh().unwrap();
    let Ok(Step::Send(request)) = refresh.poll(clock.now()) else {
        panic!("expected Send")
    };
    assert_eq!(server.handle(&request, clock.now()).status(), 200);
    clock.advance(Duration::from_secs(1));
    let replayed = server.handle(&request, clock.now());
    assert_eq!(replayed.status(), 401);
    let body: Value = serde_json::from_slice(replayed.body()).unwrap();
    assert_eq!(body["error"], "invalid_client");
}

/// A machine's first request, polled at `secs` after the start.
fn first_request<M: Machine<Output: std::fmt::Debug>>(
    mut machine: M,
    secs: u64,
) -> http::Request<Vec<u8>> {
    match machine.poll(FakeClock::at(secs)) {
        Ok(Step::Send(request)) => request,
        other => panic!("expected Send, got {other:?}"),
    }
}

#[test]
fn every_endpoint_that_authenticates_the_client_carries_an_assertion() {
    let client = jwt_client();
    let refresh_token = RefreshToken::new("rt");
    let requests = [
        (
            "client credentials",
            first_request(client.client_credentials().build().unwrap(), 1),
        ),
        (
            "revocation",
            first_request(client.revoke(&refresh_token).unwrap(), 2),
        ),
        (
            "introspection",
            first_request(
                client.introspect(TokenRef::from(&refresh_token)).unwrap(),
                3,
            ),
        ),
        (
            "device authorization",
            first_request(client.device_authorization().build().unwrap(), 4),
        ),
        (
            "token exchange",
            first_request(
                client
                    .token_exchange(
                        oauth2_sansio::SecurityToken::new("subject"),
                        oauth2_sansio::token_exchange::token_types::ACCESS_TOKEN,
                    )
                    .build()
                    .unwrap(),
                5,
            ),
        ),
    ];
    let mut jtis = std::collections::HashSet::new();
    for (secs, (what, request)) in (1..).zip(requests) {
        assert!(
            !request.headers().contains_key("authorization"),
            "{what}: no Basic credentials"
        );
        let pairs = testkit::jwt::form(request.body());
        let value = |name: &str| {
            pairs
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(value("client_id"), Some(JWT_ID), "{what}");
        assert_eq!(value("client_secret"), None, "{what}");
        assert_eq!(
            value("client_assertion_type"),
            Some(CLIENT_ASSERTION_TYPE),
            "{what}"
        );
        let mut sent = Sent::of(&request);
        let claims = take_assertion(&mut sent);
        assert_claims(&claims, secs);
        assert!(jtis.insert(claims["jti"].clone()), "{what}: jti reused");
    }
}

#[test]
fn the_endpoint_audience_follows_each_request() {
    let client = builder()
        .private_key_jwt(key())
        .assertion_audience(AssertionAudience::Endpoint)
        .build()
        .unwrap();
    let refresh_token = RefreshToken::new("rt");
    for (request, endpoint) in [
        (
            first_request(client.client_credentials().build().unwrap(), 0),
            TOKEN_URI.to_owned(),
        ),
        (
            first_request(client.revoke(&refresh_token).unwrap(), 0),
            format!("{ISSUER}/revoke"),
        ),
        (
            first_request(
                client.introspect(TokenRef::from(&refresh_token)).unwrap(),
                0,
            ),
            format!("{ISSUER}/introspect"),
        ),
    ] {
        let claims = take_assertion(&mut Sent::of(&request));
        assert_eq!(claims["aud"], endpoint.as_str());
    }
}

#[test]
fn device_polls_sign_each_poll_when_it_is_sent() {
    let client = jwt_client();
    let mut start = client.device_authorization().build().unwrap();
    let Ok(Step::Send(_)) = start.poll(FakeClock::at(0)) else {
        panic!("expected Send")
    };
    let answer = br#"{"device_code":"dc","user_code":"UC","verification_uri":"https://as.example/device","expires_in":600,"interval":5}"#;
    start
        .handle_response(http::Response::new(answer.to_vec()), FakeClock::at(1))
        .unwrap();
    let Ok(Step::Done(authorization)) = start.poll(FakeClock::at(1)) else {
        panic!("expected Done")
    };
    let mut poll = authorization.into_poll();
    let mut jtis = Vec::new();
    let mut now = FakeClock::at(1);
    for _ in 0..2 {
        let request = loop {
            match poll.poll(now).unwrap() {
                Step::Wait { until, .. } => now = until,
                Step::Send(request) => break request,
                other => panic!("{other:?}"),
            }
        };
        let mut sent = Sent::of(&request);
        let claims = take_assertion(&mut sent);
        let secs = now.duration_since(FakeClock::at(0)).unwrap().as_secs();
        assert_claims(&claims, secs);
        jtis.push(claims["jti"].clone());
        let pending = br#"{"error":"authorization_pending"}"#.to_vec();
        let mut response = http::Response::new(pending);
        *response.status_mut() = http::StatusCode::BAD_REQUEST;
        poll.handle_response(response, now).unwrap();
    }
    assert_ne!(jtis[0], jtis[1]);
}

#[test]
fn private_key_jwt_without_a_key_is_a_configuration_error() {
    assert_eq!(
        builder()
            .auth_method(ClientAuthMethod::PrivateKeyJwt)
            .build()
            .map(|_| ()),
        Err(ConfigError::AssertionKeyRequired)
    );
    // Credentials read from a file have no key until they are given one.
    let credentials = oauth2_sansio::UserCredentials::from_refresh_token(
        &client(JWT_ID, None, None),
        RefreshToken::new("rt"),
        vec![],
    )
    .with_refresh_auth(ClientAuthMethod::PrivateKeyJwt);
    let mut refresh = credentials.refresh().unwrap();
    let error = Error::Config(ConfigError::AssertionKeyRequired);
    assert_eq!(refresh.poll(FakeClock::at(0)).unwrap_err(), error);
    assert_eq!(refresh.poll(FakeClock::at(1)).unwrap_err(), error);
    assert!(!error.is_retryable());
    assert!(
        error.to_string().contains("with_private_key_jwt"),
        "{error}"
    );

    let keyed = credentials.with_private_key_jwt(key(), ISSUER);
    let request = first_request(keyed.refresh().unwrap(), 0);
    assert_claims(&take_assertion(&mut Sent::of(&request)), 0);
}

#[test]
fn a_token_exchange_without_a_client_key_cannot_use_private_key_jwt() {
    let built = oauth2_sansio::token_exchange::TokenExchangeRequest::new(
        TOKEN_URI,
        oauth2_sansio::SecurityToken::new("subject"),
        oauth2_sansio::token_exchange::token_types::ACCESS_TOKEN,
    )
    .client_authentication(ClientAuthMethod::PrivateKeyJwt, JWT_ID, None)
    .build();
    assert_eq!(built.map(|_| ()), Err(ConfigError::AssertionKeyRequired));
}

#[test]
fn extra_parameters_cannot_carry_client_authentication() {
    for name in ["client_assertion", "client_assertion_type", "client_id"] {
        let built = jwt_client().client_credentials().param(name, "x").build();
        assert_eq!(
            built.map(|_| ()),
            Err(ConfigError::ReservedParameter { name: name.into() })
        );
    }
}

/// A signer that fails (a KMS that is down).
struct Unavailable;

impl Signer for Unavailable {
    fn algorithm(&self) -> Algorithm {
        Algorithm::Rs256
    }
    fn key_id(&self) -> Option<&str> {
        None
    }
    fn sign(&self, _: &[u8]) -> Result<Vec<u8>, SignError> {
        Err(SignError::retryable("the KMS is unavailable"))
    }
}

#[test]
fn a_signer_failure_ends_the_machine_with_a_retryable_error_before_sending() {
    let client = builder()
        .private_key_jwt(ClientAssertionKey::with_seed(Arc::new(Unavailable), SEED))
        .build()
        .unwrap();
    let mut grant = client.client_credentials().build().unwrap();
    let error = grant.poll(FakeClock::at(0)).unwrap_err();
    assert!(
        matches!(&error, Error::Signing(e) if e.is_retryable()),
        "{error:?}"
    );
    assert!(error.is_retryable());
    assert_eq!(grant.poll(FakeClock::at(1)).unwrap_err(), error);
}

#[test]
fn debug_output_shows_neither_the_assertion_nor_the_key() {
    let client = jwt_client();
    let mut grant = client.client_credentials().build().unwrap();
    let Ok(Step::Send(request)) = grant.poll(FakeClock::at(0)) else {
        panic!("expected Send")
    };
    let mut sent = Sent::of(&request);
    take_assertion(&mut sent);
    let assertion = testkit::jwt::form(request.body())
        .into_iter()
        .find(|(n, _)| n == "client_assertion")
        .unwrap()
        .1;
    let signature = assertion.rsplit_once('.').unwrap().1.to_owned();
    for shown in [
        format!("{client:?}"),
        format!("{grant:?}"),
        format!("{:?}", Step::<()>::Send(request)),
    ] {
        assert!(!shown.contains(&signature), "{shown}");
        assert!(!shown.contains("PRIVATE KEY"), "{shown}");
    }
}

#[test]
fn a_key_seeded_from_a_rand_08_rng_draws_what_with_seed_is_given() {
    use rand08::{RngCore, SeedableRng};
    let jti = |key: &ClientAssertionKey| {
        let claims = key.claims(
            "client",
            "https://as.example",
            std::time::SystemTime::UNIX_EPOCH,
        );
        claims.extra()["jti"].as_str().unwrap().to_owned()
    };
    let mut rng = rand08::rngs::StdRng::seed_from_u64(23);
    let key = ClientAssertionKey::new(
        Arc::new(Unavailable),
        &mut oauth2_sansio::EntropyFn::new(|bytes| rng.fill_bytes(bytes)),
    );
    let twin = ClientAssertionKey::with_seed(Arc::new(Unavailable), crate::rng::drawn(23));
    assert_eq!(jti(&key), jti(&twin));
}
