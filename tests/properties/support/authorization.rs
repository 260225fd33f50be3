//! The client and pending authorization of the callback and authorization
//! URL properties, and what a code exchange sends.

use std::time::SystemTime;

use oauth2_sansio::url::form_urlencoded;
use oauth2_sansio::{Client, CodeExchange, Machine, PendingAuthorization, Step};

pub const AUTH_URI: &str = "http://127.0.0.1:9000/auth";
pub const TOKEN_URI: &str = "http://127.0.0.1:9000/token";
pub const ISSUER: &str = "http://127.0.0.1:9000";
pub const REDIRECT: &str = "http://127.0.0.1:9001/callback";
pub const ENTROPY: [u8; 64] = [7; 64];

pub fn client(require_issuer: bool) -> Client {
    Client::builder("prop-client")
        .authorization_endpoint(AUTH_URI)
        .token_endpoint(TOKEN_URI)
        .issuer(ISSUER)
        .require_issuer_in_callback(require_issuer)
        .build()
        .expect("loopback endpoints are allowed")
}

pub fn pending(client: &Client) -> PendingAuthorization {
    client
        .authorization_request(REDIRECT)
        .scope("openid")
        .build_with_entropy(SystemTime::UNIX_EPOCH, &ENTROPY)
        .expect("valid request")
        .1
}

/// The pending authorization's state value.
pub fn state() -> String {
    pending(&client(false)).state().secret().to_owned()
}

/// A query string carrying exactly these (decoded) pairs.
pub fn query(pairs: &[(&str, &str)]) -> String {
    let mut serializer = form_urlencoded::Serializer::new(String::new());
    serializer.extend_pairs(pairs);
    serializer.finish()
}

/// The form parameters of the token request a code exchange sends.
pub fn sent_form(mut exchange: CodeExchange) -> Vec<(String, String)> {
    match exchange.poll(SystemTime::UNIX_EPOCH) {
        Ok(Step::Send(request)) => form_urlencoded::parse(request.body())
            .into_owned()
            .collect(),
        other => panic!("a fresh exchange sends its request first, got {other:?}"),
    }
}

pub fn sent(exchange: CodeExchange, name: &str) -> String {
    let form = sent_form(exchange);
    let mut values = form.iter().filter(|(n, _)| n == name);
    let value = values.next().expect("parameter sent").1.clone();
    assert!(values.next().is_none(), "{name} sent twice");
    value
}
