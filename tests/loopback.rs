//! The loopback callback session: which requests end the flow and what the
//! browser is shown.

use std::time::SystemTime;

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
