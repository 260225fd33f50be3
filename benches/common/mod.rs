//! What the benchmarks beside the `oauth2` crate share: deterministic token
//! text, an `oauth2` HTTP client that never sends, and the check that both
//! sides build the same request before anything is measured.
#![allow(dead_code)]

pub mod code_flow;
pub mod gcp_auth_cache;

use std::cell::RefCell;
use std::error::Error as StdError;
use std::fmt;
use std::hint::black_box;

use oauth2::{HttpRequest, HttpResponse};

/// The Google-style client id every bench uses.
pub const CLIENT_ID: &str =
    "1234567890-abcdefghijklmnopqrstuvwxyz012345.apps.googleusercontent.com";
/// Its secret.
pub const CLIENT_SECRET: &str = "GOCSPX-AbCdEfGhIjKlMnOpQrStUvWxYz12";

/// `len` deterministic characters of the base64url alphabet.
pub fn token_chars(len: usize, seed: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    (0..len)
        .map(|i| char::from(ALPHABET[(i * 7 + seed * 13) % ALPHABET.len()]))
        .collect()
}

/// The error of an `oauth2` HTTP client that never sends.
#[derive(Debug)]
pub struct NotSent;

impl fmt::Display for NotSent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not sent")
    }
}

impl StdError for NotSent {}

/// An `oauth2` `SyncHttpClient` that drops the request: only the build is measured.
pub fn refuse(request: HttpRequest) -> Result<HttpResponse, NotSent> {
    drop(black_box(request));
    Err(NotSent)
}

/// The form parameters of a request body, sorted.
pub fn sorted_form(body: &[u8]) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = url::form_urlencoded::parse(body)
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect();
    pairs.sort();
    pairs
}

/// The request an `oauth2` call builds, captured instead of sent.
pub fn oauth2_request<T>(
    call: impl FnOnce(&dyn Fn(HttpRequest) -> Result<HttpResponse, NotSent>) -> T,
) -> HttpRequest {
    let captured = RefCell::new(None);
    call(&|request| {
        *captured.borrow_mut() = Some(request);
        Err(NotSent)
    });
    captured.into_inner().expect("oauth2 built a request")
}

/// Both sides must build the same request, or the comparison is meaningless.
pub fn assert_same_request(ours: &http::Request<Vec<u8>>, theirs: &HttpRequest) {
    assert_eq!(ours.method(), theirs.method());
    assert_eq!(ours.uri(), theirs.uri());
    assert_eq!(ours.headers(), theirs.headers());
    assert_eq!(sorted_form(ours.body()), sorted_form(theirs.body()));
}
