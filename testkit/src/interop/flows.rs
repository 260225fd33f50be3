//! Building blocks of the scenarios: a sign-in through the [`UserAgent`],
//! the code exchange over the real `UreqTransport` (optionally recording
//! what went over the wire), and a check of the tokens at the userinfo
//! endpoint.

use std::time::SystemTime;

use http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use oauth2_sansio::io::ureq::UreqTransport;
use oauth2_sansio::rand_core::UnwrapErr;
use oauth2_sansio::url::{form_urlencoded, Url};
use oauth2_sansio::{
    drive, AccessType, Client, CodeExchange, Credentials, Error, PendingAuthorization,
    UserCredentials,
};
use rand::rngs::SysRng;

use super::{InteropServer, UserAgent};

/// The scopes the scenarios ask for.
pub const SCOPES: [&str; 2] = ["openid", "email"];

/// A loopback redirect URI on a port nothing listens on: the user agent
/// stops at the redirect, and native clients match loopback on any port.
pub const LOOPBACK_REDIRECT: &str = "http://127.0.0.1:8765/";

/// Builds the authorization URL for [`SCOPES`] and lets a fresh user agent
/// sign in (as `login_hint`, default `user1`); returns the callback URL
/// and what to complete it with.
pub fn sign_in(
    server: &InteropServer,
    client: &Client,
    redirect_uri: &str,
    login_hint: Option<&str>,
) -> (Url, PendingAuthorization) {
    let mut request = client
        .authorization_request(redirect_uri)
        .scopes(SCOPES)
        .access_type(None::<AccessType>);
    if let Some(hint) = login_hint {
        request = request.login_hint(hint);
    }
    let (url, pending) = server.check(
        request.build(SystemTime::now(), &mut UnwrapErr(SysRng)),
        "building the authorization URL",
    );
    let mut agent = UserAgent::new();
    let callback = server.check(agent.authorize(url.url(), redirect_uri), "the sign-in");
    (callback, pending)
}

/// The whole code flow: sign in, check the callback, exchange the code.
pub fn sign_in_and_exchange(
    server: &InteropServer,
    client: &Client,
    redirect_uri: &str,
) -> UserCredentials {
    let (callback, pending) = sign_in(server, client, redirect_uri, None);
    let exchange = server.check(pending.complete(client, callback.as_str()), "the callback");
    server.check(UreqTransport::new().run(exchange), "the code exchange")
}

/// One token request and the server's answer, without any secret.
#[derive(Debug)]
pub struct RoundTrip {
    /// The client authenticated with `Authorization: Basic`.
    pub basic_auth: bool,
    /// The form body carried `client_secret`.
    pub secret_in_body: bool,
    pub status: u16,
    pub www_authenticate: Option<String>,
}

/// Runs `exchange` over the real transport, recording each round trip.
pub fn exchange_recording(
    exchange: CodeExchange,
) -> (Result<UserCredentials, Error>, Vec<RoundTrip>) {
    let transport = UreqTransport::new();
    let mut seen = Vec::new();
    let result = drive(
        exchange,
        SystemTime::now,
        |request| {
            let basic_auth = request
                .headers()
                .get(AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("Basic "));
            let secret_in_body =
                form_urlencoded::parse(request.body()).any(|(name, _)| name == "client_secret");
            let response = transport.send(request)?;
            seen.push(RoundTrip {
                basic_auth,
                secret_in_body,
                status: response.status().as_u16(),
                www_authenticate: response
                    .headers()
                    .get(WWW_AUTHENTICATE)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned),
            });
            Ok(response)
        },
        |_| panic!("a code exchange never waits"),
    );
    (result, seen)
}

/// The userinfo endpoint's claims for the credentials' bearer token
/// (proves the access token is one the server issued and still honours).
pub fn userinfo(server: &InteropServer, credentials: &UserCredentials) -> serde_json::Value {
    let mut request = http::Request::get(server.userinfo_endpoint())
        .body(Vec::new())
        .expect("a valid request");
    server.check(
        credentials
            .authorize(&mut request, SystemTime::now())
            .map_err(|_| "the access token is not valid"),
        "authorizing the userinfo request",
    );
    let response = server.check(UreqTransport::new().send(request), "the userinfo request");
    if response.status() != 200 {
        server.fail(format!("userinfo answered HTTP {}", response.status()));
    }
    server.check(
        serde_json::from_slice(response.body()),
        "parsing the userinfo answer",
    )
}
