//! The loopback callback session: which requests end the flow and what the
//! browser is shown.

use std::time::SystemTime;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use oauth2_sansio::loopback::{
    LoopbackCallback, LoopbackRequestParser, Outcome, Parsed, SUCCESS_MESSAGE,
};
use oauth2_sansio::{CallbackError, Client, ErrorCode, Machine, Step};

const REDIRECT: &str = "http://127.0.0.1:53682/callback";

fn session() -> (LoopbackCallback, String) {
    let client = Client::builder("public-app")
        .authorization_endpoint("http://127.0.0.1:9000/auth")
        .token_endpoint("http://127.0.0.1:9000/token")
        .build()
        .unwrap();
    let (_, pending) = client
        .authorization_request(REDIRECT)
        .scope("openid")
        .build_with_entropy(SystemTime::UNIX_EPOCH, &[8; 64])
        .unwrap();
    let state = pending.state().secret().to_owned();
    (LoopbackCallback::new(pending, client).unwrap(), state)
}

fn get(target: &str) -> oauth2_sansio::loopback::LoopbackRequest {
    let raw = format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1:53682\r\n\r\n");
    match LoopbackRequestParser::new().feed(raw.as_bytes()) {
        Parsed::Request(request) => request,
        other => panic!("{other:?}"),
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

#[test]
fn genuine_callback_finishes_with_the_exchange() {
    let (mut session, state) = session();
    let answer = session.handle(&get(&format!("/callback?state={state}&code=abc")));
    let page = text(&answer.response);
    assert!(page.starts_with("HTTP/1.1 200 OK\r\n"), "{page}");
    assert!(page.contains("\r\nReferrer-Policy: no-referrer\r\n"));
    assert!(page.ends_with(SUCCESS_MESSAGE));
    assert!(!page.contains(&state) && !page.contains("abc"));
    let Outcome::Finished(Ok(mut exchange)) = answer.outcome else {
        panic!("{:?}", answer.outcome)
    };
    let Step::Send(request) = exchange.poll(SystemTime::UNIX_EPOCH).unwrap() else {
        panic!()
    };
    let body = text(request.body());
    assert!(body.contains("code=abc"), "{body}");
    assert!(body.contains("redirect_uri=http%3A%2F%2F127.0.0.1%3A53682%2Fcallback"));
    assert!(session.is_finished());
}

#[test]
fn other_paths_and_forged_callbacks_keep_waiting() {
    let (mut session, state) = session();
    for target in [
        "/favicon.ico".to_owned(),
        "/callback/".to_owned(),
        format!("/other?state={state}&code=abc"),
    ] {
        let answer = session.handle(&get(&target));
        assert!(
            text(&answer.response).starts_with("HTTP/1.1 404 "),
            "{target}"
        );
        assert!(matches!(answer.outcome, Outcome::KeepWaiting), "{target}");
    }
    for target in [
        "/callback?state=forged&code=abc",
        "/callback?code=abc",
        "/callback?error=access_denied",
    ] {
        let answer = session.handle(&get(target));
        let page = text(&answer.response);
        assert!(page.starts_with("HTTP/1.1 400 "), "{target}: {page}");
        assert!(matches!(answer.outcome, Outcome::KeepWaiting), "{target}");
    }
    assert!(!session.is_finished());
    let answer = session.handle(&get(&format!("/callback?state={state}&code=abc")));
    assert!(matches!(answer.outcome, Outcome::Finished(Ok(_))));
}

#[test]
fn denial_with_valid_state_finishes_with_a_typed_error() {
    let (mut session, state) = session();
    let answer = session.handle(&get(&format!(
        "/callback?error=access_denied&error_description=The+user+said+no&state={state}"
    )));
    let page = text(&answer.response);
    assert!(page.starts_with("HTTP/1.1 403 "), "{page}");
    assert!(page.contains("access_denied"), "{page}");
    assert!(!page.contains(&state));
    let Outcome::Finished(Err(CallbackError::Authorization(e))) = answer.outcome else {
        panic!("{:?}", answer.outcome)
    };
    assert_eq!(*e.code(), ErrorCode::AccessDenied);
    assert_eq!(e.description(), Some("The user said no"));
    let again = session.handle(&get(&format!("/callback?state={state}&code=abc")));
    assert!(text(&again.response).starts_with("HTTP/1.1 410 "));
    assert!(matches!(again.outcome, Outcome::KeepWaiting));
}

/// Random bytes for the start link: the first 32 make its path, the last
/// 32 its cookie.
const START_ENTROPY: [u8; 64] = {
    let mut bytes = [0u8; 64];
    let mut i = 0;
    while i < 64 {
        bytes[i] = i as u8;
        i += 1;
    }
    bytes
};

/// A session whose browser is opened on a start link for `AUTH_URL`.
const AUTH_URL: &str = "http://127.0.0.1:9000/auth?state=s";

fn with_start_link() -> (LoopbackCallback, String, String) {
    let (session, state) = session();
    let url = oauth2_sansio::url::Url::parse(AUTH_URL).unwrap();
    let session = session.with_start_link_from_entropy(&url.into(), &START_ENTROPY);
    let path = session.start_path().unwrap().to_owned();
    (session, state, path)
}

fn get_with(target: &str, headers: &str) -> oauth2_sansio::loopback::LoopbackRequest {
    let raw = format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1:53682\r\n{headers}\r\n");
    match LoopbackRequestParser::new().feed(raw.as_bytes()) {
        Parsed::Request(request) => request,
        other => panic!("{other:?}"),
    }
}

/// The `Set-Cookie` line of a response, without the header name.
fn set_cookie(page: &str) -> &str {
    page.lines()
        .find_map(|line| line.strip_prefix("Set-Cookie: "))
        .unwrap_or_else(|| panic!("no Set-Cookie in {page}"))
}

#[test]
fn start_link_redirects_once_with_a_private_cookie() {
    let (mut session, _, path) = with_start_link();
    let token = path.strip_prefix("/start/").unwrap();
    assert_eq!(token, URL_SAFE_NO_PAD.encode(&START_ENTROPY[..32]));

    let answer = session.handle(&get(&path));
    assert!(matches!(answer.outcome, Outcome::KeepWaiting));
    let page = text(&answer.response);
    assert!(page.starts_with("HTTP/1.1 303 See Other\r\n"), "{page}");
    assert!(
        page.contains(&format!("\r\nLocation: {AUTH_URL}\r\n")),
        "{page}"
    );
    assert!(page.contains("\r\nCache-Control: no-store\r\n"), "{page}");
    assert!(
        page.contains("\r\nReferrer-Policy: no-referrer\r\n"),
        "{page}"
    );
    let cookie_value = URL_SAFE_NO_PAD.encode(&START_ENTROPY[32..]);
    assert_eq!(
        set_cookie(&page),
        format!("oauth2-sansio-53682={cookie_value}; Path=/; HttpOnly; SameSite=Lax")
    );
    assert!(!session.is_finished());
}

#[test]
fn a_second_visit_of_the_start_link_stops_the_flow() {
    let (mut session, state, path) = with_start_link();
    let _ = session.handle(&get(&path));
    let again = session.handle(&get(&path));
    let page = text(&again.response);
    assert!(page.starts_with("HTTP/1.1 410 "), "{page}");
    assert!(
        !page.contains("Location:") && !page.contains("Set-Cookie:"),
        "{page}"
    );
    assert!(
        matches!(
            again.outcome,
            Outcome::Finished(Err(CallbackError::StartLinkReused))
        ),
        "{:?}",
        again.outcome
    );
    assert!(session.is_finished());
    // Nothing completes it afterwards, not even the genuine callback.
    let cookie = format!(
        "Cookie: oauth2-sansio-53682={}\r\n",
        URL_SAFE_NO_PAD.encode(&START_ENTROPY[32..])
    );
    let late = session.handle(&get_with(
        &format!("/callback?state={state}&code=abc"),
        &cookie,
    ));
    assert!(text(&late.response).starts_with("HTTP/1.1 410 "));
    assert!(matches!(late.outcome, Outcome::KeepWaiting));
}

#[test]
fn a_prefetch_does_not_use_up_the_start_link() {
    let (mut session, _, path) = with_start_link();
    let prefetch = session.handle(&get_with(&path, "Sec-Purpose: prefetch;prerender\r\n"));
    assert!(text(&prefetch.response).starts_with("HTTP/1.1 503 "));
    assert!(matches!(prefetch.outcome, Outcome::KeepWaiting));
    let visit = session.handle(&get(&path));
    assert!(text(&visit.response).starts_with("HTTP/1.1 303 "));
}

#[test]
fn only_a_callback_with_the_start_links_cookie_finishes() {
    let (mut session, state, path) = with_start_link();
    let visit = session.handle(&get(&path));
    let cookie = set_cookie(&text(&visit.response))
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let (name, value) = cookie.split_once('=').unwrap();
    let genuine = format!("/callback?state={state}&code=abc");
    let denied = format!("/callback?state={state}&error=access_denied");
    let mut wrong_value = value.to_owned();
    wrong_value.replace_range(..1, if value.starts_with('A') { "B" } else { "A" });
    for headers in [
        String::new(),
        format!("Cookie: {name}={wrong_value}\r\n"),
        format!("Cookie: {name}=\r\n"),
        format!("Cookie: {name}={value}x\r\n"),
        format!("Cookie: other={value}\r\n"),
        format!("Cookie: oauth2-sansio-53683={value}\r\n"),
    ] {
        for target in [&genuine, &denied] {
            let answer = session.handle(&get_with(target, &headers));
            let page = text(&answer.response);
            assert!(page.starts_with("HTTP/1.1 400 "), "{headers:?}: {page}");
            assert!(page.contains("did not open this sign-in's link"), "{page}");
            assert!(!page.contains(value), "{page}");
            assert!(
                matches!(answer.outcome, Outcome::KeepWaiting),
                "{headers:?}"
            );
        }
    }
    assert!(!session.is_finished());
    // Among other cookies, and after an older one of the same name.
    let headers = format!("Cookie: a=1; {name}=stale\r\nCookie: {cookie}; b=2\r\n");
    let answer = session.handle(&get_with(&genuine, &headers));
    let page = text(&answer.response);
    assert!(page.starts_with("HTTP/1.1 200 "), "{page}");
    assert_eq!(
        set_cookie(&page),
        format!("{name}=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax"),
        "the final page removes the cookie"
    );
    assert!(matches!(answer.outcome, Outcome::Finished(Ok(_))));
}

#[test]
fn debug_shows_neither_the_start_link_nor_the_cookie() {
    let (session, _, path) = with_start_link();
    let debug = format!("{session:?}");
    let token = path.strip_prefix("/start/").unwrap();
    assert!(!debug.contains(token), "{debug}");
    assert!(
        !debug.contains(&URL_SAFE_NO_PAD.encode(&START_ENTROPY[32..])),
        "{debug}"
    );
    assert!(!debug.contains("state=s"), "{debug}");
}
