//! The authorization callback: `complete` and `complete_pasted` on any text.
//!
//! Input: one byte (its low bit sets `require_issuer_in_callback`), then the
//! callback text (lossy UTF-8). Invariants: no panic; `complete` succeeds
//! only if the input carries the exact state (and, when required, the
//! issuer); `complete_pasted` agrees with `complete` on anything that is not
//! a bare code; error messages carry no control characters; an accepted
//! callback redeems its code at the client's own token endpoint.
#![no_main]

use std::time::SystemTime;

use libfuzzer_sys::fuzz_target;
use oauth2_sansio::url::form_urlencoded;
use oauth2_sansio::{Client, CodeExchange, Machine, Step};

const ISSUER: &str = "http://127.0.0.1:9000";
const TOKEN_URI: &str = "http://127.0.0.1:9000/token";

fn client(require_issuer: bool) -> Client {
    Client::builder("fuzz-client")
        .authorization_endpoint("http://127.0.0.1:9000/auth")
        .token_endpoint(TOKEN_URI)
        .issuer(ISSUER)
        .require_issuer_in_callback(require_issuer)
        .build()
        .expect("loopback endpoints are allowed")
}

/// Whether `input` may carry `needle`: percent-decoded as it is, or after
/// dropping the tabs and newlines a URL parser ignores.
fn could_carry(input: &str, needle: &str) -> bool {
    let decoded = |text: &str| {
        form_urlencoded::parse(text.as_bytes())
            .flat_map(|(k, v)| [k.into_owned(), v.into_owned()])
            .collect::<Vec<_>>()
            .join("&")
    };
    let stripped: String = input
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    decoded(input).contains(needle) || decoded(&stripped).contains(needle)
}

fn assert_redeemed_at_own_endpoint(mut exchange: CodeExchange) {
    match exchange.poll(SystemTime::UNIX_EPOCH) {
        Ok(Step::Send(request)) => assert_eq!(request.uri(), TOKEN_URI),
        other => panic!("a fresh exchange must send its request, got {other:?}"),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let require_issuer = flags & 1 == 1;
    let client = client(require_issuer);
    // The same pending authorization each call (fixed entropy): it is
    // single-use, so `complete` and `complete_pasted` each get one.
    let pending = || {
        client
            .authorization_request("http://127.0.0.1:9001/callback")
            .scope("openid")
            .build_with_entropy(SystemTime::UNIX_EPOCH, &[7; 64])
            .expect("valid request")
            .1
    };
    let input = String::from_utf8_lossy(rest);
    let state = pending().state().secret().to_owned();

    let completed = pending().complete(&client, &input);
    match &completed {
        Ok(_) => {
            assert!(could_carry(&input, &state), "accepted without the state");
            assert!(
                !require_issuer || could_carry(&input, ISSUER),
                "accepted without the required issuer"
            );
        }
        Err(e) => assert!(!e.to_string().chars().any(char::is_control), "{e}"),
    }

    let trimmed = input.trim();
    // A URL starts with `scheme://`; `://` elsewhere does not make one.
    let is_url = trimmed.split_once("://").is_some_and(|(scheme, _)| {
        scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
    });
    let bare_code = !trimmed.contains(['=', '?', '#', '&']) && !is_url;
    let pasted = pending().complete_pasted(&client, &input);
    match pasted {
        Ok(exchange) => {
            assert!(
                bare_code || could_carry(&input, &state),
                "pasted without the state"
            );
            assert_redeemed_at_own_endpoint(exchange);
        }
        Err(e) => {
            assert!(!e.to_string().chars().any(char::is_control), "{e}");
            if !bare_code {
                assert_eq!(completed.as_ref().err(), Some(&e));
            }
        }
    }
    if let Ok(exchange) = completed {
        assert_redeemed_at_own_endpoint(exchange);
    }
});
