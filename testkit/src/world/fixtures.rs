//! The clients the fake server knows, and the first steps of a sign-in.

use std::time::SystemTime;

use oauth2_sansio::{
    AccessType, Client, ClientAuthMethod, ClientSecret, CodeExchange, PendingAuthorization,
    UserCredentials,
};
use url::Url;

use super::clock::FakeClock;
use super::server::{Decision, FakeServer, Registration, AUTH_URI, ISSUER, TOKEN_URI};
use super::transcript::Transcript;

/// The client of the google-auth-oauthlib requests the transcripts were
/// captured from.
pub const INSTALLED_ID: &str = "installed-app";
pub const INSTALLED_SECRET: &str = "installed-app-secret";
/// A public client (no secret, PKCE only).
pub const PUBLIC_ID: &str = "public-app";
/// A web-server client whose secret needs form-urlencoding in Basic auth.
pub const WEB_ID: &str = "web app";
pub const WEB_SECRET: &str = "p@ss w+rd:/%";

/// A client authenticating with `private_key_jwt`, its key the
/// committed test key `rsa2048_pkcs8.pem`.
pub const JWT_ID: &str = "jwt-app";
pub const JWT_CLIENT_KEY_PEM: &str =
    include_str!("../../../tests/fixtures/service_account/rsa2048_pkcs8.pem");
pub const JWT_CLIENT_PUBLIC_DER: &[u8] =
    include_bytes!("../../../tests/fixtures/service_account/rsa2048_public_pkcs1.der");

/// google-auth-oauthlib's loopback redirect in those captures.
pub const LOOPBACK_REDIRECT: &str = "http://127.0.0.1:53682/";
pub const WEB_REDIRECT: &str = "https://app.example/oauth/callback";

/// 32 bytes that make `state`, then the RFC 7636 Appendix B octets that
/// make the PKCE verifier.
pub const ENTROPY: [u8; 64] = {
    let verifier = [
        116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212, 37,
        77, 105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121,
    ];
    let mut entropy = [0u8; 64];
    let mut i = 0;
    while i < 32 {
        entropy[i] = i as u8;
        entropy[32 + i] = verifier[i];
        i += 1;
    }
    entropy
};
/// base64url of bytes 0..32.
pub const STATE: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";
/// RFC 7636 Appendix B.
pub const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

pub fn registrations() -> Vec<Registration> {
    vec![
        Registration {
            id: INSTALLED_ID,
            secret: Some(INSTALLED_SECRET),
            redirect_uris: &[LOOPBACK_REDIRECT],
            public_key: None,
        },
        Registration {
            id: PUBLIC_ID,
            secret: None,
            redirect_uris: &[LOOPBACK_REDIRECT],
            public_key: None,
        },
        Registration {
            id: WEB_ID,
            secret: Some(WEB_SECRET),
            redirect_uris: &[WEB_REDIRECT],
            public_key: None,
        },
        Registration {
            id: JWT_ID,
            secret: None,
            redirect_uris: &[LOOPBACK_REDIRECT],
            public_key: Some(JWT_CLIENT_PUBLIC_DER),
        },
    ]
}

/// A client of the fake server that checks `iss` in the callback.
pub fn client(id: &str, secret: Option<&str>, method: Option<ClientAuthMethod>) -> Client {
    let mut builder = Client::builder(id)
        .authorization_endpoint(AUTH_URI)
        .token_endpoint(TOKEN_URI)
        .issuer(ISSUER)
        .require_issuer_in_callback(true);
    if let Some(secret) = secret {
        builder = builder.client_secret(ClientSecret::new(secret));
    }
    if let Some(method) = method {
        builder = builder.auth_method(method);
    }
    builder.build().expect("fixture clients are valid")
}

/// `installed-app`, authenticating with HTTP Basic (the default).
pub fn installed_client() -> Client {
    client(INSTALLED_ID, Some(INSTALLED_SECRET), None)
}

/// `public-app`, no secret.
pub fn public_client() -> Client {
    client(PUBLIC_ID, None, None)
}

/// The authorization URL and pending state for `scopes`, built at `now`
/// from [`ENTROPY`], with `access_type=offline`.
pub fn start(
    client: &Client,
    redirect_uri: &str,
    scopes: &[&str],
    now: SystemTime,
) -> (Url, PendingAuthorization) {
    start_with_access(client, redirect_uri, scopes, AccessType::Offline, now)
}

/// Like [`start`], choosing `access_type`.
pub fn start_with_access(
    client: &Client,
    redirect_uri: &str,
    scopes: &[&str],
    access_type: AccessType,
    now: SystemTime,
) -> (Url, PendingAuthorization) {
    client
        .authorization_request(redirect_uri)
        .scopes(scopes.iter().copied())
        .access_type(Some(access_type))
        .build_with_entropy(now, &ENTROPY)
        .map(|(url, pending)| (url.into(), pending))
        .expect("fixture requests are valid")
}

/// The user approves on the loopback redirect; returns the code exchange.
pub fn approved_exchange(
    server: &mut FakeServer,
    client: &Client,
    scopes: &[&str],
    clock: &FakeClock,
) -> CodeExchange {
    let (url, pending) = start(client, LOOPBACK_REDIRECT, scopes, clock.now());
    let redirect = server.authorize(&url, Decision::Approve);
    pending
        .complete(client, &redirect)
        .expect("the fake server's redirect is valid")
}

/// A whole sign-in of `installed-app` for `scopes`; panics if it fails.
pub fn signed_in(
    server: &mut FakeServer,
    clock: &mut FakeClock,
    scopes: &[&str],
) -> UserCredentials {
    let mut exchange = approved_exchange(server, &installed_client(), scopes, clock);
    Transcript::record(&mut exchange, server, clock)
        .output
        .expect("the sign-in succeeds")
}
