//! End-to-end scenarios of the authorization-code flow against a real
//! authorization server: sign-ins with PKCE for native and web clients,
//! refresh and rotation, refused and tampered callbacks, wrong client
//! secrets, and discovery of the harness's endpoints.

use std::time::{Duration, SystemTime};

use oauth2_sansio::io::ureq::UreqTransport;
use oauth2_sansio::rand_core::UnwrapErr;
use oauth2_sansio::{
    CallbackError, ClientAuthMethod, ClientSecret, ClientSecrets, Credentials, Error, ErrorCode,
    Freshness, PendingAuthorization,
};
use rand::rngs::SysRng;

use crate::support::assert_signed_in;
use testkit::interop::{
    exchange_recording, sign_in, sign_in_and_exchange, userinfo, InteropServer, RoundTrip,
    ServerOptions, Stopped, UserAgent, LOOPBACK_REDIRECT, NATIVE_CONFIDENTIAL, NATIVE_PUBLIC,
    SCOPES, WEB_BASIC, WEB_POST, WEB_REDIRECT_URI,
};

#[test]
fn discovery_matches_the_harness_endpoints() {
    let server = InteropServer::start();
    let request = http::Request::get(server.discovery_url())
        .body(Vec::new())
        .expect("a valid request");
    let response = server.check(UreqTransport::new().send(request), "discovery");
    assert_eq!(response.status(), 200);
    let metadata: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
    for (field, expected) in [
        ("issuer", server.issuer().to_owned()),
        ("authorization_endpoint", server.authorization_endpoint()),
        ("token_endpoint", server.token_endpoint()),
        ("revocation_endpoint", server.revocation_endpoint()),
        ("introspection_endpoint", server.introspection_endpoint()),
        (
            "device_authorization_endpoint",
            server.device_authorization_endpoint(),
        ),
        ("userinfo_endpoint", server.userinfo_endpoint()),
        ("jwks_uri", server.jwks_uri()),
    ] {
        assert_eq!(metadata[field], expected.as_str(), "{field}");
    }
    assert_eq!(
        metadata["authorization_response_iss_parameter_supported"],
        true
    );
}

/// The web client `client_id` signs in and exchanges the code; returns its
/// one token request and the answer.
fn web_sign_in(server: &InteropServer, client_id: &str) -> RoundTrip {
    let client = server.client(client_id);
    let (callback, pending) = sign_in(server, &client, WEB_REDIRECT_URI, None);
    assert!(callback
        .query_pairs()
        .any(|(k, v)| k == "iss" && v == server.issuer()));
    let exchange = server.check(pending.complete(&client, callback.as_str()), "the callback");
    let (credentials, mut seen) = exchange_recording(exchange);
    let credentials = server.check(credentials, "the code exchange");
    assert_signed_in(server, &credentials);
    assert_eq!(seen.len(), 1, "one token request");
    seen.remove(0)
}

#[test]
fn web_client_with_client_secret_basic_signs_in_with_pkce() {
    let server = InteropServer::start();
    assert_eq!(
        server.client(WEB_BASIC).auth_method(),
        ClientAuthMethod::ClientSecretBasic
    );
    let exchanged = web_sign_in(&server, WEB_BASIC);
    // The secret has `+`, `/`, `:`, `%`, `&`, `=`, `?` and a space: accepted
    // only if form-urlencoded before base64.
    assert!(exchanged.basic_auth && !exchanged.secret_in_body);
    assert_eq!(exchanged.status, 200);
}

#[test]
fn web_client_with_client_secret_post_signs_in_with_pkce() {
    let server = InteropServer::start();
    assert_eq!(
        server.client(WEB_POST).auth_method(),
        ClientAuthMethod::ClientSecretPost
    );
    let exchanged = web_sign_in(&server, WEB_POST);
    assert!(!exchanged.basic_auth && exchanged.secret_in_body);
    assert_eq!(exchanged.status, 200);
}

#[test]
fn public_native_client_signs_in_with_pkce_and_refreshes() {
    let server = InteropServer::start();
    let client = server.client(NATIVE_PUBLIC);
    assert!(client.secret().is_none());
    let credentials = sign_in_and_exchange(&server, &client, LOOPBACK_REDIRECT);
    assert_signed_in(&server, &credentials);

    let refreshed = server.check(
        UreqTransport::new().run(server.check(credentials.refresh(), "refresh")),
        "the refresh",
    );
    // Compared without printing: tokens never go to the test output.
    assert!(
        refreshed.token().unwrap().token().secret()
            != credentials.token().unwrap().token().secret(),
        "the refresh returned the old access token"
    );
    assert_eq!(userinfo(&server, &refreshed)["sub"], "user1");
}

#[test]
fn refresh_rotates_and_the_rotated_out_token_is_a_typed_invalid_grant() {
    let server = InteropServer::start();
    // Google's way in: a client_secrets.json of an installed app.
    let secrets = server.check(
        ClientSecrets::from_json(server.client_secrets_json(NATIVE_CONFIDENTIAL).as_bytes()),
        "reading client_secrets.json",
    );
    let client = server.check(
        secrets
            .client_builder()
            .issuer(server.issuer())
            .require_issuer_in_callback(true)
            .build(),
        "building the client",
    );
    let credentials = sign_in_and_exchange(&server, &client, LOOPBACK_REDIRECT);
    let transport = UreqTransport::new();

    let refreshed = server.check(
        transport.run(server.check(credentials.refresh(), "refresh")),
        "the first refresh",
    );
    let old = credentials.refresh_token().unwrap().secret();
    let new = refreshed.refresh_token().expect("a rotated refresh token");
    assert!(new.secret() != old, "the refresh token was not rotated");
    assert_eq!(userinfo(&server, &refreshed)["sub"], "user1");

    let reused = transport.run(server.check(credentials.refresh(), "refresh"));
    match reused {
        Err(Error::OAuth(e)) => {
            assert_eq!(e.code(), &ErrorCode::InvalidGrant);
            assert_eq!(e.status(), Some(400));
            assert!(!Error::OAuth(e).is_retryable());
        }
        other => server.fail(format!("reusing the old refresh token gave {other:?}")),
    }
    assert!(server.logged("grant.error", "invalid_grant"));
}

#[test]
fn access_denied_is_a_typed_authorization_error() {
    let server = InteropServer::start();
    let client = server.client(NATIVE_PUBLIC);
    let (callback, pending) = sign_in(&server, &client, LOOPBACK_REDIRECT, Some("deny"));
    match pending.complete(&client, callback.as_str()) {
        Err(error @ CallbackError::Authorization(_)) => {
            assert!(error.is_genuine());
            let CallbackError::Authorization(e) = error else {
                unreachable!()
            };
            assert_eq!(e.code(), &ErrorCode::AccessDenied);
            assert_eq!(e.status(), None);
            assert_eq!(e.description(), Some("the test user denied the request"));
        }
        other => server.fail(format!("a denied sign-in gave {other:?}")),
    }
}

#[test]
fn tampered_state_is_refused_and_the_genuine_callback_still_works() {
    let server = InteropServer::start();
    let client = server.client(NATIVE_PUBLIC);
    let (callback, pending) = sign_in(&server, &client, LOOPBACK_REDIRECT, None);
    let mut tampered = callback.clone();
    let pairs: Vec<(String, String)> = callback
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == "state" {
                format!("{v}x")
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    tampered.query_pairs_mut().clear().extend_pairs(pairs);

    // `complete` consumes the pending authorization, even on a refusal; a
    // web app keeps it serialized, so a copy stands in for the session's.
    let stored = serde_json::to_string(&pending).unwrap();
    let refused = pending.complete(&client, tampered.as_str());
    assert!(
        matches!(refused, Err(CallbackError::StateMismatch)),
        "{refused:?}"
    );
    let pending: PendingAuthorization = serde_json::from_str(&stored).unwrap();
    let exchange = server.check(pending.complete(&client, callback.as_str()), "the callback");
    server.check(UreqTransport::new().run(exchange), "the code exchange");
}

#[test]
fn callback_from_another_issuer_is_refused() {
    let server = InteropServer::start();
    // The client expects another server: the real server's `iss` must not pass.
    let client = server
        .client_builder(NATIVE_PUBLIC)
        .issuer("http://127.0.0.1:1")
        .build()
        .unwrap();
    let (callback, pending) = sign_in(&server, &client, LOOPBACK_REDIRECT, None);
    let refused = pending.complete(&client, callback.as_str());
    assert!(
        matches!(refused, Err(CallbackError::IssuerMismatch)),
        "{refused:?}"
    );
}

#[test]
fn unregistered_redirect_uri_gets_an_error_page_not_a_redirect() {
    let server = InteropServer::start();
    let client = server.client(WEB_BASIC);
    let redirect_uri = "https://elsewhere.example.test/callback";
    let (url, _pending) = client
        .authorization_request(redirect_uri)
        .scopes(SCOPES)
        .build(SystemTime::now(), &mut UnwrapErr(SysRng))
        .unwrap();
    let mut agent = UserAgent::new();
    match agent.authorize(url.url(), redirect_uri) {
        Err(Stopped::Page { path, status, text }) => {
            assert_eq!(path, "/auth");
            assert_eq!(status, 400);
            assert!(text.contains("invalid_redirect_uri"), "{text}");
        }
        other => server.fail(format!(
            "an unregistered redirect URI gave {other:?} after {}",
            agent.trace()
        )),
    }
    assert!(server.logged("authorization.error", "invalid_redirect_uri"));
}

/// Signs in as `client_id` (registered with the real secret), then
/// exchanges the code with a wrong secret; asserts the typed 401
/// `invalid_client` and returns what went over the wire.
fn exchange_with_wrong_secret(server: &InteropServer, client_id: &str) -> RoundTrip {
    let client = server
        .client_builder(client_id)
        .client_secret(ClientSecret::new("not-the-secret"))
        .build()
        .unwrap();
    let (callback, pending) = sign_in(server, &client, WEB_REDIRECT_URI, None);
    let exchange = server.check(pending.complete(&client, callback.as_str()), "the callback");
    let (result, mut seen) = exchange_recording(exchange);
    match result {
        Err(Error::OAuth(e)) => {
            assert_eq!(e.code(), &ErrorCode::InvalidClient);
            assert_eq!(e.status(), Some(401));
        }
        other => server.fail(format!("a wrong secret gave {other:?}")),
    }
    assert!(server.logged("grant.error", "invalid_client"));
    assert_eq!(seen.len(), 1, "one token request");
    seen.remove(0)
}

#[test]
fn wrong_client_secret_is_a_401_invalid_client_with_www_authenticate() {
    let server = InteropServer::start();
    let exchanged = exchange_with_wrong_secret(&server, WEB_BASIC);
    assert!(exchanged.basic_auth);
    assert_eq!(exchanged.status, 401);
    let challenge = exchanged.www_authenticate.unwrap_or_default();
    assert!(
        challenge.starts_with("Basic "),
        "WWW-Authenticate: {challenge:?}"
    );
    assert!(
        challenge.contains("error=\"invalid_client\""),
        "{challenge}"
    );
}

#[test]
fn wrong_client_secret_in_the_body_is_invalid_client_too() {
    let server = InteropServer::start();
    let exchanged = exchange_with_wrong_secret(&server, WEB_POST);
    assert!(exchanged.secret_in_body);
    // RFC 6749 §5.2: the challenge is required only when the client used
    // the Authorization header.
    assert_eq!(exchanged.status, 401);
}

#[test]
fn a_short_access_token_lifetime_makes_fresh_credentials_stale() {
    let server = InteropServer::start_with(
        ServerOptions::default().access_token_ttl(Duration::from_secs(60)),
    );
    let client = server.client(NATIVE_PUBLIC);
    let before = SystemTime::now();
    let credentials = sign_in_and_exchange(&server, &client, LOOPBACK_REDIRECT);
    let expiry = credentials.token().unwrap().expiry().expect("expires_in");
    assert!(expiry <= SystemTime::now() + Duration::from_secs(60));
    assert!(expiry >= before + Duration::from_secs(59));
    // Within the 225 s refresh threshold from the start: stale, not fresh.
    assert_eq!(credentials.freshness(SystemTime::now()), Freshness::Stale);
    let long_lived = InteropServer::start();
    let credentials = sign_in_and_exchange(
        &long_lived,
        &long_lived.client(NATIVE_PUBLIC),
        LOOPBACK_REDIRECT,
    );
    assert_eq!(credentials.freshness(SystemTime::now()), Freshness::Fresh);
}
