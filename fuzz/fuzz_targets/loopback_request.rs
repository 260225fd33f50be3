//! Loopback request bytes: `LoopbackRequestParser::feed` in any split, then
//! `LoopbackCallback::handle` with a start link.
//!
//! Input: one byte choosing the chunk size (1..=64), then the bytes the
//! browser sends. Invariants: no panic; the answer does not depend on how
//! the bytes are split; an accepted request has an origin-form, printable
//! target and cookie values without `;`; every answer is a complete
//! HTTP/1.1 message; a request finishes the flow only with the start link's
//! cookie (its value is fixed here: see the `start-link-*` seeds).
#![no_main]

use std::time::SystemTime;

use libfuzzer_sys::fuzz_target;
use oauth2_sansio::loopback::{
    LoopbackCallback, LoopbackRequest, LoopbackRequestParser, Outcome, Parsed, Rejection,
    LOOPBACK_REQUEST_LIMIT,
};
use oauth2_sansio::{CallbackError, Client};

/// The start link's random bytes: its path is `/start/` and the base64url
/// of 32 bytes of 1, its cookie the base64url of 32 bytes of 2.
const START_ENTROPY: [u8; 64] = {
    let mut bytes = [1u8; 64];
    let mut i = 32;
    while i < 64 {
        bytes[i] = 2;
        i += 1;
    }
    bytes
};
const COOKIE_NAME: &str = "oauth2-sansio-53682";
const COOKIE_VALUE: &str = "AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI";

/// Feeds `bytes` in chunks of `size` until the parser answers.
fn feed_in_chunks(bytes: &[u8], size: usize) -> Parsed {
    let mut parser = LoopbackRequestParser::new();
    let mut last = Parsed::NeedMore;
    for chunk in bytes.chunks(size) {
        last = parser.feed(chunk);
        if last != Parsed::NeedMore {
            break;
        }
    }
    last
}

/// A complete HTTP/1.1 answer with the right `Content-Length`.
fn assert_complete(response: Vec<u8>) {
    let text = String::from_utf8(response).expect("answers are UTF-8");
    let (head, body) = text.split_once("\r\n\r\n").expect("a complete head");
    assert!(head.starts_with("HTTP/1.1 "));
    assert!(head.contains(&format!("\r\nContent-Length: {}\r\n", body.len())));
}

/// A session for `http://127.0.0.1:53682/` (state: the base64url of 32
/// bytes of 8) whose start link the browser has opened.
fn session() -> LoopbackCallback {
    let client = Client::builder("public-app")
        .authorization_endpoint("http://127.0.0.1:9000/auth")
        .token_endpoint("http://127.0.0.1:9000/token")
        .build()
        .expect("a valid client");
    let (url, pending) = client
        .authorization_request("http://127.0.0.1:53682/")
        .build_with_entropy(SystemTime::UNIX_EPOCH, &[8; 64])
        .expect("a valid request");
    let mut session = LoopbackCallback::new(pending, client)
        .expect("a loopback redirect URI")
        .with_start_link_from_entropy(&url, &START_ENTROPY);
    let path = session.start_path().expect("a start link").to_owned();
    let head = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1:53682\r\n\r\n");
    let Parsed::Request(visit) = LoopbackRequestParser::new().feed(head.as_bytes()) else {
        panic!("the start link's request is valid");
    };
    let answer = session.handle(&visit);
    assert!(answer.response.starts_with(b"HTTP/1.1 303 "));
    session
}

fn check_request(request: &LoopbackRequest) {
    assert!(request.target().starts_with('/'));
    assert!(request.target().bytes().all(|b| b.is_ascii_graphic()));
    assert!(request.path().len() + request.query().len() < request.target().len() + 1);
    assert!(request
        .cookies(COOKIE_NAME)
        .all(|value| !value.contains(';')));

    let mut session = session();
    let answer = session.handle(request);
    let has_cookie = request
        .cookies(COOKIE_NAME)
        .any(|value| value == COOKIE_VALUE);
    match &answer.outcome {
        Outcome::Finished(Err(CallbackError::StartLinkReused)) => {
            assert!(request.path().starts_with("/start/"));
        }
        Outcome::Finished(_) => assert!(has_cookie, "finished without the cookie"),
        _ => {}
    }
    assert_eq!(
        session.is_finished(),
        matches!(answer.outcome, Outcome::Finished(_))
    );
    assert_complete(answer.response);
}

fuzz_target!(|data: &[u8]| {
    let Some((&size, bytes)) = data.split_first() else {
        return;
    };
    let chunked = feed_in_chunks(bytes, usize::from(size % 64) + 1);
    let whole = LoopbackRequestParser::new().feed(bytes);
    match (&whole, &chunked) {
        // Bytes after a good head are seen when they arrive with it, and not
        // when a chunk ends exactly at the end of the head.
        (Parsed::Rejected(Rejection::UnexpectedBody), Parsed::Request(_)) => {}
        _ => assert_eq!(whole, chunked, "the split changed the answer"),
    }
    match whole {
        Parsed::Request(request) => check_request(&request),
        Parsed::Rejected(rejection) => {
            let response = rejection.response();
            assert!(response.starts_with(b"HTTP/1.1 4"));
            assert_complete(response);
        }
        Parsed::NeedMore => assert!(bytes.len() <= LOOPBACK_REQUEST_LIMIT),
        _ => {}
    }
});
