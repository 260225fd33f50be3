//! `private_key_jwt` client authentication (RFC 7523 §2.2) end to end:
//! oidc-provider on 127.0.0.1 knows the client by the public key in its
//! registered `jwks` and checks every assertion (signature, `iss`, `sub`,
//! `aud`, `exp`, and that no `jti` is used twice). Through the public API
//! and the real `UreqTransport`.

use std::time::SystemTime;

use oauth2_sansio::io::ureq::UreqTransport;
use oauth2_sansio::jwt::RingSigner;
use oauth2_sansio::url::form_urlencoded;
use oauth2_sansio::{
    drive, AssertionAudience, Client, ClientAuthMethod, Credentials, Error, ErrorCode,
    IntrospectionResponse, CLIENT_ASSERTION_TYPE,
};

use testkit::interop::{
    client_key, sign_in_and_exchange, userinfo, InteropServer, CLIENT_KEY_ID, CLIENT_KEY_PEM,
    LOOPBACK_REDIRECT, NATIVE_PRIVATE_KEY_JWT,
};

/// The registered client, with the server's revocation and introspection
/// endpoints.
fn client(server: &InteropServer) -> Client {
    server.check(
        server
            .client_builder(NATIVE_PRIVATE_KEY_JWT)
            .revocation_endpoint(server.revocation_endpoint())
            .introspection_endpoint(server.introspection_endpoint())
            .build(),
        "building the client",
    )
}

/// The provider's reason (`error_detail`) for refusing a client's
/// authentication, from its event log.
fn refusal_details(server: &InteropServer) -> Vec<String> {
    server
        .events()
        .iter()
        .filter(|e| e["error"] == "invalid_client")
        .filter_map(|e| e["error_detail"].as_str().map(str::to_owned))
        .collect()
}

fn assert_invalid_client(server: &InteropServer, result: Result<impl std::fmt::Debug, Error>) {
    match result {
        Err(Error::OAuth(e)) if *e.code() == ErrorCode::InvalidClient => {
            assert_eq!(e.status(), Some(401), "{e:?}");
        }
        other => server.fail(format!("expected invalid_client, got {other:?}")),
    }
}

#[test]
fn the_registered_jwks_is_the_public_half_of_the_test_key() {
    let server = InteropServer::start();
    let registration = server.registration(NATIVE_PRIVATE_KEY_JWT);
    let signer = RingSigner::from_pem(CLIENT_KEY_PEM, Some(CLIENT_KEY_ID.into())).unwrap();
    let jwks = registration.jwks.as_ref().expect("a jwks");
    assert_eq!(jwks["keys"][0], signer.public_jwk());
    assert_eq!(registration.auth_method(), ClientAuthMethod::PrivateKeyJwt);
}

#[test]
fn client_credentials_with_a_fresh_assertion_per_request() {
    let server = InteropServer::start();
    let client = client(&server);
    let first = server.check(
        UreqTransport::new().run(server.check(client.client_credentials().build(), "the grant")),
        "the first client credentials grant",
    );
    // The provider refuses a reused `jti`: a second grant passes only
    // because its assertion is new.
    let second = server.check(
        UreqTransport::new().run(first.refresh().unwrap()),
        "the second client credentials grant",
    );
    assert_ne!(
        first.token().unwrap().token().secret(),
        second.token().unwrap().token().secret()
    );
    // Introspection authenticates the client the same way.
    let introspection = server.check(
        client.introspect(second.token().unwrap().token()),
        "the introspection request",
    );
    let answer = server.check(UreqTransport::new().run(introspection), "introspection");
    let token = answer.active().expect("the token is active");
    assert_eq!(token.client_id(), Some(NATIVE_PRIVATE_KEY_JWT));
    assert!(refusal_details(&server).is_empty());
}

#[test]
fn a_replayed_request_is_refused_for_its_used_assertion() {
    let server = InteropServer::start();
    let client = client(&server);
    let transport = UreqTransport::new();
    let mut sent = None;
    let grant = server.check(client.client_credentials().build(), "the grant");
    drive(
        grant,
        SystemTime::now,
        |request| {
            let assertion_type = form_urlencoded::parse(request.body())
                .find(|(name, _)| name == "client_assertion_type")
                .map(|(_, value)| value.into_owned());
            assert_eq!(assertion_type.as_deref(), Some(CLIENT_ASSERTION_TYPE));
            assert!(!request.headers().contains_key("authorization"));
            sent = Some(request.clone());
            transport.send(request)
        },
        |_| unreachable!("a grant never waits"),
    )
    .unwrap_or_else(|e| server.fail(format!("the grant: {e}")));

    let replay = sent.expect("one request was sent");
    let answer = server.check(transport.send(replay), "sending the replay");
    assert_eq!(answer.status(), 401);
    let details = refusal_details(&server);
    assert!(
        details.iter().any(|d| d.contains("only be used once")),
        "{details:?}"
    );
}

#[test]
fn code_flow_refresh_and_revocation_authenticate_with_the_key() {
    let server = InteropServer::start();
    let client = client(&server);
    let credentials = sign_in_and_exchange(&server, &client, LOOPBACK_REDIRECT);
    assert_eq!(credentials.refresh_auth(), ClientAuthMethod::PrivateKeyJwt);
    assert_eq!(userinfo(&server, &credentials)["sub"], "user1");

    let refreshed = server.check(
        UreqTransport::new().run(server.check(credentials.refresh(), "refresh")),
        "the refresh",
    );
    assert_eq!(userinfo(&server, &refreshed)["sub"], "user1");

    let refresh_token = refreshed.refresh_token().expect("a rotated refresh token");
    let revocation = server.check(client.revoke(refresh_token), "the revocation request");
    server.check(UreqTransport::new().run(revocation), "the revocation");
    let introspection = server.check(client.introspect(refresh_token), "introspection");
    assert_eq!(
        server.check(UreqTransport::new().run(introspection), "introspection"),
        IntrospectionResponse::Inactive
    );
    match UreqTransport::new().run(server.check(refreshed.refresh(), "refresh")) {
        Err(Error::OAuth(e)) if *e.code() == ErrorCode::InvalidGrant => {}
        other => server.fail(format!("refresh after revocation: {other:?}")),
    }
    assert!(refusal_details(&server).is_empty());
}

#[test]
fn the_token_endpoint_is_the_audience_without_an_issuer() {
    let server = InteropServer::start();
    let client = server.check(
        Client::builder(NATIVE_PRIVATE_KEY_JWT)
            .authorization_endpoint(server.authorization_endpoint())
            .token_endpoint(server.token_endpoint())
            .private_key_jwt(client_key(CLIENT_KEY_PEM))
            .build(),
        "building the client",
    );
    assert_eq!(
        client.assertion_audience(),
        Some(server.token_endpoint().as_str())
    );
    server.check(
        UreqTransport::new().run(server.check(client.client_credentials().build(), "the grant")),
        "the grant",
    );
}

#[test]
fn each_endpoint_as_the_audience_is_accepted() {
    let server = InteropServer::start();
    let client = server.check(
        server
            .client_builder(NATIVE_PRIVATE_KEY_JWT)
            .revocation_endpoint(server.revocation_endpoint())
            .introspection_endpoint(server.introspection_endpoint())
            .assertion_audience(AssertionAudience::Endpoint)
            .build(),
        "building the client",
    );
    let credentials = server.check(
        UreqTransport::new().run(server.check(client.client_credentials().build(), "the grant")),
        "the grant",
    );
    let token = credentials.token().unwrap().token();
    let introspection = server.check(client.introspect(token), "the introspection request");
    let answer = server.check(UreqTransport::new().run(introspection), "introspection");
    assert!(answer.is_active());
    let revocation = server.check(client.revoke(token), "the revocation request");
    server.check(UreqTransport::new().run(revocation), "the revocation");
    let introspection = server.check(client.introspect(token), "the introspection request");
    assert_eq!(
        server.check(UreqTransport::new().run(introspection), "introspection"),
        IntrospectionResponse::Inactive
    );
    assert!(refusal_details(&server).is_empty());
}

#[test]
fn another_audience_is_refused() {
    let server = InteropServer::start();
    let client = server.check(
        server
            .client_builder(NATIVE_PRIVATE_KEY_JWT)
            .assertion_audience(AssertionAudience::Custom(
                "https://elsewhere.example".into(),
            ))
            .build(),
        "building the client",
    );
    let grant = server.check(client.client_credentials().build(), "the grant");
    assert_invalid_client(&server, UreqTransport::new().run(grant));
    let details = refusal_details(&server);
    assert!(
        details.iter().any(|d| d.contains("audience")),
        "{details:?}"
    );
}

#[test]
fn an_unregistered_key_is_refused() {
    let server = InteropServer::start();
    let other_key = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/service_account/rsa2048_pkcs8.pem"
    ))
    .unwrap();
    let client = server.check(
        server
            .client_builder(NATIVE_PRIVATE_KEY_JWT)
            .private_key_jwt(client_key(&other_key))
            .build(),
        "building the client",
    );
    let grant = server.check(client.client_credentials().build(), "the grant");
    assert_invalid_client(&server, UreqTransport::new().run(grant));
}
