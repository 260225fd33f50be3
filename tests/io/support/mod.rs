//! What the transport tests (ureq, reqwest) share: the client, flow and
//! secrets they use with the canned server (`testkit::canned_http`); the
//! logging proxy and the child processes of the proxy tests.

pub mod proxy;
pub mod proxy_env;
mod tls_sink;

use std::net::SocketAddr;
use std::time::SystemTime;

use oauth2_sansio::{Client, ClientSecret, CodeExchange, TransportFailure, TransportFailureKind};

pub use testkit::canned_http::{canned, canned_with, Answer, CannedServer, SOCKET_TIMEOUT};

pub const REDIRECT_URI: &str = "http://127.0.0.1:53682/";
pub const BASIC: &str = "Basic aW5zdGFsbGVkLWFwcDppbnN0YWxsZWQtYXBwLXNlY3JldA==";

pub const TOKENS: &str =
    r#"{"access_token":"ya29.a","token_type":"Bearer","expires_in":3599,"refresh_token":"1//r"}"#;

pub fn client(server: &CannedServer) -> Client {
    client_at(server.addr)
}

pub fn client_at(addr: SocketAddr) -> Client {
    Client::builder("installed-app")
        .client_secret(ClientSecret::new("installed-app-secret"))
        .authorization_endpoint(format!("http://{addr}/auth"))
        .token_endpoint(format!("http://{addr}/token"))
        .build()
        .unwrap()
}

pub fn code_exchange(client: &Client) -> CodeExchange {
    let (_url, pending) = client
        .authorization_request(REDIRECT_URI)
        .scopes(["openid", "read"])
        .build_with_entropy(SystemTime::now(), &[7; 64])
        .unwrap();
    let state = pending.state().secret().to_owned();
    pending
        .complete(client, &format!("{REDIRECT_URI}?state={state}&code=4/0Ab"))
        .unwrap()
}

pub fn small_post(server: &CannedServer) -> http::Request<Vec<u8>> {
    http::Request::post(server.url("/token"))
        .body(b"grant_type=x".to_vec())
        .unwrap()
}

pub fn failure_kind(
    result: Result<http::Response<Vec<u8>>, TransportFailure>,
) -> TransportFailureKind {
    match result {
        Err(failure) => failure.kind(),
        Ok(response) => panic!(
            "expected a transport failure, got HTTP {}",
            response.status()
        ),
    }
}

/// Nothing of the request (secret, Basic credentials, code, body) appears.
pub fn assert_no_secrets(message: &str) {
    for secret in [
        "installed-app-secret",
        BASIC,
        "aW5zdGFs",
        "4/0Ab",
        "4%2F0Ab",
        "grant_type",
    ] {
        assert!(!message.contains(secret), "{message:?} contains {secret:?}");
    }
}
