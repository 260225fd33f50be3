//! An API's answer to a request authorized with a cached token, through
//! `CachedToken::read_answer`: a status (two bytes) and
//! `WWW-Authenticate` lines from any bytes.
//!
//! Invariants: no panic; only a `401` asks for a new token, and a Bearer
//! token is never asked for a DPoP nonce.
#![no_main]

mod support;

use std::sync::OnceLock;
use std::time::SystemTime;

use libfuzzer_sys::fuzz_target;
use oauth2_sansio::cache::{ApiAnswer, CachedToken, SharedToken};
use oauth2_sansio::http::header::WWW_AUTHENTICATE;
use oauth2_sansio::http::{self, HeaderValue};
use oauth2_sansio::{Client, RefreshToken, UserCredentials};

fn token() -> &'static CachedToken<UserCredentials> {
    static TOKEN: OnceLock<CachedToken<UserCredentials>> = OnceLock::new();
    TOKEN.get_or_init(|| {
        let client = Client::google("id", None).build().expect("a valid client");
        let credentials =
            UserCredentials::from_refresh_token(&client, RefreshToken::new("1//r"), vec![]);
        SharedToken::new(credentials)
            .token(SystemTime::now, |_| {
                Ok(http::Response::new(
                    br#"{"access_token":"ya29.a","token_type":"Bearer","expires_in":3599}"#
                        .to_vec(),
                ))
            })
            .expect("a token")
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((status, lines)) = support::status_and_body(data) else {
        return;
    };
    let mut response = support::response(status, &[]);
    for line in lines.split(|&b| b == b'\n') {
        if let Ok(value) = HeaderValue::from_bytes(line) {
            response.headers_mut().append(WWW_AUTHENTICATE, value);
        }
    }
    let uri = http::Uri::from_static("https://api.example/v1");
    match token().read_answer(&uri, &response) {
        ApiAnswer::Usable => {}
        ApiAnswer::TokenRefused => assert_eq!(status, 401),
        other => panic!("a Bearer token was answered {other:?}"),
    }
});
