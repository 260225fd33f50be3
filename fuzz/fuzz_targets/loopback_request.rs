//! Loopback request bytes: `LoopbackRequestParser::feed` in any split.
//!
//! Input: one byte choosing the chunk size (1..=64), then the bytes the
//! browser sends. Invariants: no panic; the answer does not depend on how
//! the bytes are split; an accepted request has an origin-form, printable
//! target; every rejection's response is a complete HTTP/1.1 message.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oauth2_sansio::loopback::{LoopbackRequestParser, Parsed, Rejection, LOOPBACK_REQUEST_LIMIT};

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
        Parsed::Request(request) => {
            assert!(request.target().starts_with('/'));
            assert!(request.target().bytes().all(|b| b.is_ascii_graphic()));
            assert!(request.path().len() + request.query().len() < request.target().len() + 1);
        }
        Parsed::Rejected(rejection) => {
            let response = rejection.response();
            let text = String::from_utf8(response).expect("answers are UTF-8");
            let (head, body) = text.split_once("\r\n\r\n").expect("a complete head");
            assert!(head.starts_with("HTTP/1.1 4"));
            assert!(head.contains(&format!("\r\nContent-Length: {}\r\n", body.len())));
        }
        Parsed::NeedMore => assert!(bytes.len() <= LOOPBACK_REQUEST_LIMIT),
        _ => {}
    }
});
