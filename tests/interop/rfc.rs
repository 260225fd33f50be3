//! End-to-end checks of introspection, revocation, the client credentials
//! grant and discovery against a real authorization server (oidc-provider
//! on 127.0.0.1), through the public API and the real `UreqTransport`.

use std::time::SystemTime;

use oauth2_sansio::discovery::{AuthorizationServerMetadata, DiscoveryRequest, WellKnown};
use oauth2_sansio::io::ureq::UreqTransport;
use oauth2_sansio::{
    Client, ClientAuthMethod, Credentials, Error, ErrorCode, IntrospectedToken,
    IntrospectionResponse, TokenRef, UserCredentials,
};

use testkit::interop::{
    sign_in_and_exchange, userinfo, InteropServer, LOOPBACK_REDIRECT, NATIVE_CONFIDENTIAL,
    NATIVE_PUBLIC, SCOPES, WEB_BASIC, WEB_POST,
};

/// `client_id` as registered, with the server's revocation and
/// introspection endpoints.
fn client(server: &InteropServer, client_id: &str) -> Client {
    server.check(
        server
            .client_builder(client_id)
            .revocation_endpoint(server.revocation_endpoint())
            .introspection_endpoint(server.introspection_endpoint())
            .build(),
        "building the client",
    )
}

fn introspect<'t>(
    server: &InteropServer,
    client: &Client,
    token: impl Into<TokenRef<'t>>,
) -> IntrospectionResponse {
    let introspection = server.check(client.introspect(token), "the introspection request");
    server.check(UreqTransport::new().run(introspection), "introspection")
}

fn revoke<'t>(server: &InteropServer, client: &Client, token: impl Into<TokenRef<'t>>) {
    let revocation = server.check(client.revoke(token), "the revocation request");
    server.check(UreqTransport::new().run(revocation), "revocation");
}

fn active(server: &InteropServer, answer: &IntrospectionResponse) -> IntrospectedToken {
    match answer.active() {
        Some(token) => token.clone(),
        None => server.fail("the token is not active"),
    }
}

fn signed_in(server: &InteropServer, client: &Client) -> UserCredentials {
    let credentials = sign_in_and_exchange(server, client, LOOPBACK_REDIRECT);
    assert!(credentials.refresh_token().is_some(), "no refresh token");
    credentials
}

#[test]
fn introspection_then_revocation_of_the_refresh_token_ends_the_grant() {
    let server = InteropServer::start();
    let client = client(&server, NATIVE_CONFIDENTIAL);
    let credentials = signed_in(&server, &client);
    let access = credentials.token().expect("an access token").token();
    let refresh = credentials.refresh_token().expect("a refresh token");

    let token = active(&server, &introspect(&server, &client, access));
    assert_eq!(token.client_id(), Some(NATIVE_CONFIDENTIAL));
    assert_eq!(token.sub(), Some("user1"));
    assert_eq!(token.iss(), Some(server.issuer()));
    assert_eq!(token.token_type(), Some("Bearer"));
    let scopes = token.scopes().expect("scope");
    for scope in SCOPES {
        assert!(
            scopes.iter().any(|s| s == scope),
            "{scope} not in {scopes:?}"
        );
    }
    let now = SystemTime::now();
    assert!(token.exp().expect("exp") > now);
    assert!(token.iat().expect("iat") <= now);
    assert!(introspect(&server, &client, refresh).is_active());

    revoke(&server, &client, refresh);

    assert_eq!(
        introspect(&server, &client, refresh),
        IntrospectionResponse::Inactive
    );
    // Revoking the refresh token revokes the grant, access tokens included.
    assert_eq!(
        introspect(&server, &client, access),
        IntrospectionResponse::Inactive
    );
    let refused = UreqTransport::new().run(server.check(credentials.refresh(), "refresh"));
    match refused {
        Err(Error::OAuth(e)) if *e.code() == ErrorCode::InvalidGrant => {}
        other => server.fail(format!("refresh after revocation: {other:?}")),
    }
}

#[test]
fn credentials_revoke_their_access_token() {
    let server = InteropServer::start();
    let client = client(&server, NATIVE_CONFIDENTIAL);
    let credentials = signed_in(&server, &client);
    let access = credentials.token().expect("an access token").token();
    let endpoint = client.revocation_endpoint().expect("configured");
    let revocation = credentials
        .revoke_access_token(endpoint)
        .expect("has an access token");
    server.check(UreqTransport::new().run(revocation), "revocation");

    assert_eq!(
        introspect(&server, &client, access),
        IntrospectionResponse::Inactive
    );
    // RFC 7009 §2.1 lets the server revoke the grant's refresh tokens with
    // an access token; oidc-provider does.
    let refresh = credentials.refresh_token().expect("a refresh token");
    assert_eq!(
        introspect(&server, &client, refresh),
        IntrospectionResponse::Inactive
    );
}

#[test]
fn client_credentials_with_basic_and_post_authentication() {
    let server = InteropServer::start();
    for client_id in [WEB_BASIC, WEB_POST] {
        let client = client(&server, client_id);
        let grant = server.check(client.client_credentials().build(), "the grant");
        let credentials = server.check(UreqTransport::new().run(grant), client_id);
        assert!(credentials.token().unwrap().expiry().is_some());
        let token = active(
            &server,
            &introspect(&server, &client, credentials.token().unwrap().token()),
        );
        assert_eq!(token.client_id(), Some(client_id));
        assert_eq!(token.sub(), None, "no user behind a client's own token");

        let again = server.check(
            UreqTransport::new().run(credentials.refresh().unwrap()),
            "again",
        );
        assert_ne!(
            again.token().unwrap().token(),
            credentials.token().unwrap().token()
        );
    }
}

fn discover(server: &InteropServer, document: WellKnown) -> AuthorizationServerMetadata {
    let discovery = server.check(
        DiscoveryRequest::new(server.issuer(), document).build(),
        "the discovery request",
    );
    server.check(UreqTransport::new().run(discovery), "discovery")
}

#[test]
fn both_metadata_documents_name_the_servers_endpoints() {
    let server = InteropServer::start();
    for document in [
        WellKnown::OpenIdConfiguration,
        WellKnown::OAuthAuthorizationServer,
    ] {
        let metadata = discover(&server, document);
        assert_eq!(metadata.issuer(), server.issuer());
        let url = |u: Option<&oauth2_sansio::url::Url>| u.map(|u| u.to_string());
        assert_eq!(
            url(metadata.authorization_endpoint()),
            Some(server.authorization_endpoint())
        );
        assert_eq!(
            url(metadata.token_endpoint()),
            Some(server.token_endpoint())
        );
        assert_eq!(
            url(metadata.revocation_endpoint()),
            Some(server.revocation_endpoint())
        );
        assert_eq!(
            url(metadata.introspection_endpoint()),
            Some(server.introspection_endpoint())
        );
        assert_eq!(
            url(metadata.device_authorization_endpoint()),
            Some(server.device_authorization_endpoint())
        );
        assert_eq!(url(metadata.jwks_uri()), Some(server.jwks_uri()));
        assert!(metadata.authorization_response_iss_parameter_supported());
        assert!(metadata
            .code_challenge_methods_supported()
            .is_some_and(|m| m.iter().any(|m| m == "S256")));
        for method in [
            ClientAuthMethod::ClientSecretBasic,
            ClientAuthMethod::ClientSecretPost,
            ClientAuthMethod::None,
            ClientAuthMethod::PrivateKeyJwt,
        ] {
            assert!(metadata.supports_token_endpoint_auth_method(method));
        }
    }
}

#[test]
fn a_discovered_client_completes_the_code_flow() {
    let server = InteropServer::start();
    let metadata = discover(&server, WellKnown::OpenIdConfiguration);
    let client = server.check(
        metadata.client_builder(NATIVE_PUBLIC).build(),
        "the client from metadata",
    );
    assert_eq!(client.issuer(), Some(server.issuer()));
    let credentials = signed_in(&server, &client);
    assert_eq!(userinfo(&server, &credentials)["sub"], "user1");
    // The discovered revocation endpoint works for the public client too.
    revoke(
        &server,
        &client,
        credentials.refresh_token().expect("a refresh token"),
    );
    let refused = UreqTransport::new().run(server.check(credentials.refresh(), "refresh"));
    assert!(
        matches!(&refused, Err(Error::OAuth(e)) if *e.code() == ErrorCode::InvalidGrant),
        "{refused:?}"
    );
}
