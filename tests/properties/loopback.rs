//! Properties of the loopback request parser: any split of the bytes gives
//! the same answer, browser-like requests are accepted exactly when their
//! host is loopback and their target is a path, cookies are found by name
//! whatever surrounds them, and no input panics. Of the loopback callback
//! with a start link: no callback finishes the flow without the link's
//! cookie.

use std::time::SystemTime;

use oauth2_sansio::loopback::{
    LoopbackCallback, LoopbackRequest, LoopbackRequestParser, Outcome, Parsed, Rejection,
    LOOPBACK_REQUEST_LIMIT,
};
use oauth2_sansio::Client;
use proptest::prelude::*;

/// Feeds `bytes` cut at `cuts` (positions, in any order) until an answer.
fn feed_split(bytes: &[u8], cuts: &[usize]) -> Parsed {
    let mut points: Vec<usize> = cuts.iter().map(|c| c % (bytes.len() + 1)).collect();
    points.push(0);
    points.push(bytes.len());
    points.sort_unstable();
    points.dedup();
    let mut parser = LoopbackRequestParser::new();
    let mut last = Parsed::NeedMore;
    for pair in points.windows(2) {
        last = parser.feed(&bytes[pair[0]..pair[1]]);
        if last != Parsed::NeedMore {
            break;
        }
    }
    last
}

fn whole(bytes: &[u8]) -> Parsed {
    LoopbackRequestParser::new().feed(bytes)
}

/// The same answer, except that bytes after a good head go unseen when a
/// piece ends exactly at the end of the head.
fn same_answer(whole: &Parsed, split: &Parsed) -> bool {
    whole == split
        || matches!(
            (whole, split),
            (
                Parsed::Rejected(Rejection::UnexpectedBody),
                Parsed::Request(_)
            )
        )
}

fn host() -> impl Strategy<Value = (String, bool)> {
    prop_oneof![
        Just(("127.0.0.1".to_owned(), true)),
        (1u16..).prop_map(|p| (format!("127.0.0.1:{p}"), true)),
        (1u16..).prop_map(|p| (format!("[::1]:{p}"), true)),
        Just(("localhost".to_owned(), true)),
        (1u8..=254, 0u8..=255).prop_map(|(a, b)| (format!("127.{a}.{b}.1"), true)),
        "[a-z]{1,10}\\.example(:[0-9]{1,5})?".prop_map(|h| (h, false)),
        (11u8..=126).prop_map(|a| (format!("{a}.0.0.1"), false)),
    ]
}

/// A request a browser could send to the callback, and whether it must be
/// accepted.
fn browser_request() -> impl Strategy<Value = (Vec<u8>, bool)> {
    (
        "/[A-Za-z0-9/_.-]{0,20}",
        "[A-Za-z0-9%=&._~-]{0,300}",
        host(),
        proptest::collection::vec(("[A-Za-z][A-Za-z0-9-]{0,15}", "[ -~]{0,40}"), 0..8),
    )
        .prop_map(|(path, query, (host, loopback), headers)| {
            let mut head = format!("GET {path}?{query} HTTP/1.1\r\nHost: {host}\r\n");
            let mut acceptable = loopback;
            for (name, value) in headers {
                let lower = name.to_ascii_lowercase();
                if lower == "host" || lower == "transfer-encoding" || lower == "content-length" {
                    acceptable = false;
                }
                head.push_str(&format!("{name}: {value}\r\n"));
            }
            head.push_str("\r\n");
            (head.into_bytes(), acceptable)
        })
}

fn request(head: &str) -> LoopbackRequest {
    match whole(head.as_bytes()) {
        Parsed::Request(request) => request,
        other => panic!("{other:?} for {head:?}"),
    }
}

/// Cookies as a browser sends them: `name=value` pairs, spread over one or
/// more `Cookie` headers.
fn cookie_headers() -> impl Strategy<Value = (Vec<(String, String)>, String)> {
    (
        proptest::collection::vec(("[A-Za-z0-9_-]{1,12}", "[A-Za-z0-9_=/+-]{0,24}"), 0..12),
        proptest::collection::vec(any::<bool>(), 12),
    )
        .prop_map(|(pairs, breaks)| {
            let mut headers = String::new();
            let mut line = String::new();
            for (i, (name, value)) in pairs.iter().enumerate() {
                if !line.is_empty() {
                    if breaks[i] {
                        headers.push_str(&format!("Cookie: {line}\r\n"));
                        line.clear();
                    } else {
                        line.push_str("; ");
                    }
                }
                line.push_str(&format!("{name}={value}"));
            }
            if !line.is_empty() {
                headers.push_str(&format!("Cookie: {line}\r\n"));
            }
            (pairs, headers)
        })
}

/// A session for `http://127.0.0.1:53682/` with a start link; its state,
/// the link's path and the `name=value` of its cookie.
fn session_with_start_link(entropy: &[u8; 64]) -> (LoopbackCallback, String, String, String) {
    let client = Client::builder("public-app")
        .authorization_endpoint("http://127.0.0.1:9000/auth")
        .token_endpoint("http://127.0.0.1:9000/token")
        .build()
        .unwrap();
    let (url, pending) = client
        .authorization_request("http://127.0.0.1:53682/")
        .build_with_entropy(SystemTime::UNIX_EPOCH, &[8; 64])
        .unwrap();
    let state = pending.state().secret().to_owned();
    let mut session = LoopbackCallback::new(pending, client)
        .unwrap()
        .with_start_link_from_entropy(&url, entropy);
    let path = session.start_path().unwrap().to_owned();
    let visit = session.handle(&request(&format!(
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:53682\r\n\r\n"
    )));
    let response = String::from_utf8(visit.response).unwrap();
    let cookie = response
        .lines()
        .find_map(|line| line.strip_prefix("Set-Cookie: "))
        .and_then(|set| set.split(';').next())
        .unwrap()
        .to_owned();
    (session, state, path, cookie)
}

proptest! {
    #[test]
    fn cookies_are_found_by_name_in_any_arrangement((pairs, headers) in cookie_headers()) {
        let request = request(&format!("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}\r\n"));
        for (name, _) in &pairs {
            let expected: Vec<&str> = pairs
                .iter()
                .filter(|(n, _)| n == name)
                .map(|(_, value)| value.as_str())
                .collect();
            prop_assert_eq!(request.cookies(name).collect::<Vec<_>>(), expected);
        }
        prop_assert_eq!(request.cookies("absent-name-").count(), 0);
    }

    #[test]
    fn no_callback_finishes_without_the_start_links_cookie(
        entropy in proptest::collection::vec(any::<u8>(), 64),
        (_, headers) in cookie_headers(),
        decoy in "[A-Za-z0-9_-]{0,44}",
        denied in any::<bool>(),
        with_cookie in any::<bool>(),
    ) {
        let entropy: [u8; 64] = entropy.try_into().unwrap();
        let (mut session, state, _, cookie) = session_with_start_link(&entropy);
        let result = if denied { "error=access_denied" } else { "code=abc" };
        let (name, _) = cookie.split_once('=').unwrap();
        let mut headers = headers;
        headers.push_str(&format!("Cookie: {name}={decoy}\r\n"));
        if with_cookie {
            headers.push_str(&format!("Cookie: {cookie}\r\n"));
        }
        let answer = session.handle(&request(&format!(
            "GET /?state={state}&{result} HTTP/1.1\r\nHost: 127.0.0.1:53682\r\n{headers}\r\n"
        )));
        // Random cookies never hit the 256-bit value by chance.
        prop_assert_eq!(
            matches!(answer.outcome, Outcome::Finished(_)),
            with_cookie,
            "{:?}", answer.outcome
        );
        prop_assert_eq!(session.is_finished(), with_cookie);
    }

    #[test]
    fn any_split_of_any_bytes_gives_the_same_answer(
        bytes in proptest::collection::vec(any::<u8>(), 0..600),
        cuts in proptest::collection::vec(any::<usize>(), 0..20),
    ) {
        let whole = whole(&bytes);
        let split = feed_split(&bytes, &cuts);
        prop_assert!(same_answer(&whole, &split), "{:?} vs {:?}", whole, split);
    }

    #[test]
    fn browser_requests_are_accepted_exactly_when_acceptable(
        (bytes, acceptable) in browser_request(),
        cuts in proptest::collection::vec(any::<usize>(), 0..20),
    ) {
        let parsed = whole(&bytes);
        prop_assert_eq!(matches!(parsed, Parsed::Request(_)), acceptable, "{:?}", parsed);
        prop_assert_eq!(feed_split(&bytes, &cuts), parsed.clone());
        let byte_at_a_time: Vec<usize> = (0..bytes.len()).collect();
        prop_assert_eq!(feed_split(&bytes, &byte_at_a_time), parsed);
    }

    #[test]
    fn accepted_targets_are_what_was_sent(
        path in "/[A-Za-z0-9/_.-]{0,20}",
        query in "[A-Za-z0-9%=&._~-]{0,100}",
    ) {
        let raw = format!("GET {path}?{query} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        let Parsed::Request(request) = whole(raw.as_bytes()) else {
            return Err(TestCaseError::fail("a plain GET was refused"));
        };
        prop_assert_eq!(request.path(), path.as_str());
        prop_assert_eq!(request.query(), query.as_str());
    }

    #[test]
    fn bytes_after_the_head_are_never_accepted(
        (bytes, _) in browser_request(),
        extra in proptest::collection::vec(any::<u8>(), 1..50),
    ) {
        let mut with_body = bytes;
        with_body.extend_from_slice(&extra);
        prop_assert!(!matches!(whole(&with_body), Parsed::Request(_)));
    }
}

#[test]
fn a_head_that_never_ends_is_refused_at_the_bound() {
    let mut parser = LoopbackRequestParser::new();
    let line = b"X-Filler: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n";
    assert_eq!(parser.feed(b"GET / HTTP/1.1\r\n"), Parsed::NeedMore);
    let mut fed = 16;
    loop {
        match parser.feed(line) {
            Parsed::NeedMore => fed += line.len(),
            Parsed::Rejected(Rejection::TooLarge) => break,
            other => panic!("{other:?}"),
        }
    }
    assert!(fed <= LOOPBACK_REQUEST_LIMIT && fed + line.len() > LOOPBACK_REQUEST_LIMIT);
}
