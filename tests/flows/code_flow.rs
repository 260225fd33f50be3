//! Transcript tests of the authorization-code flow against the in-memory
//! server: the exact request, every way the token endpoint can answer, and
//! the driving contract.

use std::time::Duration;

use oauth2_sansio::{
    CallbackError, ClientAuthMethod, CodeExchange, Credentials, Error, ErrorCode, InvalidResponse,
    Machine, Misuse, OAuthError, PendingAuthorization, Step, TransportFailure,
    TransportFailureKind,
};
use testkit::world::*;

const SCOPES: &[&str] = &["openid", "read"];
const JSON: &str = "application/json";
const FORM: &str = "application/x-www-form-urlencoded";
/// google-auth-oauthlib's header for installed-app, as captured from it.
const INSTALLED_BASIC: &str = "Basic aW5zdGFsbGVkLWFwcDppbnN0YWxsZWQtYXBwLXNlY3JldA==";
/// google-auth-oauthlib's body, as captured, with the RFC 7636 verifier.
const EXCHANGE_BODY: &str = "grant_type=authorization_code\
    &code_verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk\
    &code=code-1&redirect_uri=http%3A%2F%2F127.0.0.1%3A53682%2F";

/// The code exchange `installed-app` sends with HTTP Basic.
fn basic_exchange() -> Sent {
    Sent::post(
        TOKEN_URI,
        &[
            ("accept", JSON),
            ("authorization", INSTALLED_BASIC),
            ("content-type", FORM),
        ],
        EXCHANGE_BODY,
    )
}

/// What a first sign-in for [`SCOPES`] yields: the request was sent at the
/// start and the token lives 3599 s from then (the round trip does not
/// extend it).
fn first_tokens() -> Summary {
    Summary {
        access_token: Some("at-1".into()),
        expiry: Some(FakeClock::at(3599)),
        refresh_token: Some("rt-1".into()),
        id_token: Some("idt-1".into()),
        granted_scopes: Some(vec!["openid".into(), "read".into()]),
        missing_scopes: vec![],
    }
}

/// An approved exchange by `installed-app`, the server misbehaving once.
fn exchange_events(misbehaviour: Misbehaviour) -> Vec<Event> {
    let mut server = FakeServer::default();
    let mut clock = FakeClock::new();
    server.misbehave(misbehaviour);
    let mut exchange = approved_exchange(&mut server, &installed_client(), SCOPES, &clock);
    Transcript::record(&mut exchange, &mut server, &mut clock).events
}

fn oauth(code: ErrorCode, description: &str, status: u16) -> Error {
    Error::OAuth(OAuthError::new(code, Some(description), None, Some(status)))
}

#[test]
fn confidential_client_sends_google_auth_oauthlib_request() {
    let mut server = FakeServer::default();
    let mut clock = FakeClock::new();
    let client = installed_client();
    let (url, pending) = start(&client, LOOPBACK_REDIRECT, SCOPES, clock.now());
    assert_eq!(
        url.as_str(),
        format!(
            "{AUTH_URI}?response_type=code&client_id=installed-app\
             &redirect_uri=http%3A%2F%2F127.0.0.1%3A53682%2F&scope=openid+read&state={STATE}\
             &code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM\
             &code_challenge_method=S256&access_type=offline"
        )
    );
    let redirect = server.authorize(&url, Decision::Approve);
    assert_eq!(
        redirect,
        format!("{LOOPBACK_REDIRECT}?code=code-1&state={STATE}&iss=http%3A%2F%2F127.0.0.1%3A9000")
    );
    let mut exchange = pending.complete(&client, &redirect).unwrap();

    let run = Transcript::record(&mut exchange, &mut server, &mut clock);

    assert_eq!(
        run.events,
        [Event::Send(basic_exchange()), Event::Done(first_tokens())]
    );
    let mut api_call = http::Request::new(());
    run.output
        .unwrap()
        .authorize(&mut api_call, clock.now())
        .unwrap();
    assert_eq!(server.api_status(&api_call, clock.now()), 200);
}

#[test]
fn client_secret_post_sends_the_credentials_in_the_body() {
    let mut server = FakeServer::default();
    let mut clock = FakeClock::new();
    let client = client(
        INSTALLED_ID,
        Some(INSTALLED_SECRET),
        Some(ClientAuthMethod::ClientSecretPost),
    );
    let mut exchange = approved_exchange(&mut server, &client, SCOPES, &clock);

    let run = Transcript::record(&mut exchange, &mut server, &mut clock);

    let body = "grant_type=authorization_code&client_id=installed-app\
        &client_secret=installed-app-secret\
        &code_verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk\
        &code=code-1&redirect_uri=http%3A%2F%2F127.0.0.1%3A53682%2F";
    let sent = Sent::token_request(TOKEN_URI, None, body);
    assert_eq!(run.events, [Event::Send(sent), Event::Done(first_tokens())]);
}

#[test]
fn public_client_sends_its_id_and_verifier_without_authorization() {
    let mut server = FakeServer::default();
    let mut clock = FakeClock::new();
    let mut exchange = approved_exchange(&mut server, &public_client(), SCOPES, &clock);

    let run = Transcript::record(&mut exchange, &mut server, &mut clock);

    let body = "grant_type=authorization_code&client_id=public-app\
        &code_verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk\
        &code=code-1&redirect_uri=http%3A%2F%2F127.0.0.1%3A53682%2F";
    let sent = Sent::token_request(TOKEN_URI, None, body);
    assert_eq!(run.events, [Event::Send(sent), Event::Done(first_tokens())]);
}

/// A web server keeps the pending authorization in the user's session
/// between the redirect and the callback, which arrives in another request.
/// The client's id and secret need RFC 6749 §2.3.1 encoding in Basic.
#[test]
fn web_server_round_trips_the_pending_authorization_through_json() {
    let mut server = FakeServer::default();
    let mut clock = FakeClock::new();
    let client = client(WEB_ID, Some(WEB_SECRET), None);
    // First request: send the user to the server, keep the JSON only.
    let (url, pending) = start(&client, WEB_REDIRECT, &["email"], clock.now());
    let session = serde_json::to_string(&pending).unwrap();
    drop(pending);
    let redirect = server.authorize(&url, Decision::Approve);
    clock.advance(Duration::from_secs(30));

    // Second request: the callback.
    let pending: PendingAuthorization = serde_json::from_str(&session).unwrap();
    assert_eq!(pending.created_at(), FakeClock::at(0));
    let mut exchange = pending.complete(&client, &redirect).unwrap();
    let run = Transcript::record(&mut exchange, &mut server, &mut clock);

    // base64("web+app:p%40ss+w%2Brd%3A%2F%25")
    let basic = "Basic d2ViK2FwcDpwJTQwc3MrdyUyQnJkJTNBJTJGJTI1";
    let sent = Sent::token_request(
        TOKEN_URI,
        Some(basic),
        "grant_type=authorization_code\
         &code_verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk\
         &code=code-1&redirect_uri=https%3A%2F%2Fapp.example%2Foauth%2Fcallback",
    );
    let tokens = Summary {
        access_token: Some("at-1".into()),
        expiry: Some(FakeClock::at(30 + 3599)),
        refresh_token: Some("rt-1".into()),
        id_token: None,
        granted_scopes: Some(vec!["email".into()]),
        missing_scopes: vec![],
    };
    assert_eq!(run.events, [Event::Send(sent), Event::Done(tokens)]);
}

#[test]
fn fewer_scopes_granted_are_reported_not_fatal() {
    let mut server = FakeServer::default();
    let mut clock = FakeClock::new();
    let client = installed_client();
    let (url, pending) = start(&client, LOOPBACK_REDIRECT, SCOPES, clock.now());
    let redirect = server.authorize(&url, Decision::ApproveScopes(&["openid"]));
    let mut exchange = pending.complete(&client, &redirect).unwrap();

    let run = Transcript::record(&mut exchange, &mut server, &mut clock);

    let tokens = Summary {
        granted_scopes: Some(vec!["openid".into()]),
        missing_scopes: vec!["read".into()],
        ..first_tokens()
    };
    assert_eq!(
        run.events,
        [Event::Send(basic_exchange()), Event::Done(tokens)]
    );
}

#[test]
fn access_denied_ends_the_flow_at_the_callback() {
    let mut server = FakeServer::default();
    let client = installed_client();
    let (url, pending) = start(&client, LOOPBACK_REDIRECT, SCOPES, FakeClock::at(0));
    let redirect = server.authorize(&url, Decision::Deny);

    let refused = pending.complete(&client, &redirect).unwrap_err();

    assert_eq!(
        refused,
        CallbackError::Authorization(OAuthError::new(
            ErrorCode::AccessDenied,
            Some("The user denied access"),
            None,
            None,
        ))
    );
    assert_eq!(server.token_requests(), 0);
}

#[test]
fn replayed_code_is_invalid_grant_and_revokes_what_it_issued() {
    let mut server = FakeServer::default();
    let mut clock = FakeClock::new();
    let client = installed_client();
    let (url, pending) = start(&client, LOOPBACK_REDIRECT, SCOPES, clock.now());
    let redirect = server.authorize(&url, Decision::Approve);
    // A PendingAuthorization completes once; a stored copy (a web
    // session's) is what a replay would complete again.
    let stored = serde_json::to_string(&pending).unwrap();
    let mut first = pending.complete(&client, &redirect).unwrap();
    let copy: PendingAuthorization = serde_json::from_str(&stored).unwrap();
    let mut replay = copy.complete(&client, &redirect).unwrap();

    let first = Transcript::record(&mut first, &mut server, &mut clock);
    let replay = Transcript::record(&mut replay, &mut server, &mut clock);

    assert_eq!(
        first.events,
        [Event::Send(basic_exchange()), Event::Done(first_tokens())]
    );
    let invalid_grant = oauth(ErrorCode::InvalidGrant, "code already used", 400);
    assert!(!invalid_grant.is_retryable());
    assert_eq!(
        replay.events,
        [
            Event::Send(basic_exchange()),
            Event::Error(invalid_grant.clone())
        ]
    );
    let mut refresh = first.output.unwrap().refresh().unwrap();
    let refresh = Transcript::record(&mut refresh, &mut server, &mut clock);
    assert_eq!(
        refresh.events.last(),
        Some(&Event::Error(oauth(
            ErrorCode::InvalidGrant,
            "grant revoked",
            400
        )))
    );
}

#[test]
fn wrong_secret_is_invalid_client_and_not_retryable() {
    let mut server = FakeServer::default();
    let mut clock = FakeClock::new();
    let client = client(INSTALLED_ID, Some("not-the-secret"), None);
    let mut exchange = approved_exchange(&mut server, &client, SCOPES, &clock);

    let run = Transcript::record(&mut exchange, &mut server, &mut clock);

    let invalid_client = oauth(
        ErrorCode::InvalidClient,
        "client authentication failed",
        401,
    );
    assert!(!invalid_client.is_retryable());
    assert_eq!(run.events.last(), Some(&Event::Error(invalid_client)));
}

/// The fake answers a failed Basic authentication as RFC 6749 §5.2 says;
/// the test above relies on it.
#[test]
fn fake_server_answers_wrong_secret_with_401_and_www_authenticate() {
    let mut server = FakeServer::default();
    let clock = FakeClock::new();
    let client = client(INSTALLED_ID, Some("not-the-secret"), None);
    let mut exchange = approved_exchange(&mut server, &client, SCOPES, &clock);
    let Ok(Step::Send(request)) = exchange.poll(clock.now()) else {
        panic!("the exchange starts with a request");
    };

    let response = server.handle(&request, clock.now());

    assert_eq!(response.status(), 401);
    assert_eq!(
        response.headers()["www-authenticate"],
        "Basic realm=\"fake\""
    );
}

#[test]
fn server_errors_with_html_are_http_statuses_retryable_when_transient() {
    for (status, retryable) in [
        (500, true),
        (502, true),
        (503, true),
        (504, true),
        (501, false),
    ] {
        let events = exchange_events(Misbehaviour::HtmlError(status));

        let error = Error::HttpStatus { status };
        assert_eq!(error.is_retryable(), retryable, "{status}");
        assert_eq!(events, [Event::Send(basic_exchange()), Event::Error(error)]);
    }
}

#[test]
fn redirect_is_an_error_and_is_not_followed() {
    for status in [301, 302, 307, 308] {
        let events = exchange_events(Misbehaviour::Redirect(status));

        let error = Error::Redirect { status };
        assert!(!error.is_retryable());
        assert_eq!(events, [Event::Send(basic_exchange()), Event::Error(error)]);
    }
}

#[test]
fn error_json_is_an_oauth_error_with_its_status() {
    let cases = [
        (400, "invalid_request", ErrorCode::InvalidRequest, false),
        (
            503,
            "temporarily_unavailable",
            ErrorCode::TemporarilyUnavailable,
            true,
        ),
        (
            500,
            "internal_failure",
            ErrorCode::Extension("internal_failure".into()),
            true,
        ),
    ];
    for (status, error, code, retryable) in cases {
        let events = exchange_events(Misbehaviour::ErrorJson { status, error });

        let expected = oauth(code, "injected by the test", status);
        assert_eq!(expected.is_retryable(), retryable, "{error}");
        assert_eq!(
            events,
            [Event::Send(basic_exchange()), Event::Error(expected)]
        );
    }
}

/// CVE-2021-41580: a 200 that carries `error` is not a success, even with tokens.
#[test]
fn ok_status_with_error_is_a_failure() {
    let events = exchange_events(Misbehaviour::OkWithError("invalid_grant"));

    let error = Error::OAuth(OAuthError::new(
        ErrorCode::InvalidGrant,
        None,
        None,
        Some(200),
    ));
    assert_eq!(events, [Event::Send(basic_exchange()), Event::Error(error)]);
}

#[test]
fn malformed_token_responses_are_invalid_responses() {
    let cases = [
        (
            Misbehaviour::MissingAccessToken,
            InvalidResponse::MissingField {
                field: "access_token",
            },
        ),
        (
            Misbehaviour::TokenType("mac"),
            InvalidResponse::UnsupportedTokenType {
                token_type: "mac".into(),
            },
        ),
    ];
    for (misbehaviour, invalid) in cases {
        let events = exchange_events(misbehaviour);

        let error = Error::InvalidResponse(invalid);
        assert!(!error.is_retryable());
        assert_eq!(events, [Event::Send(basic_exchange()), Event::Error(error)]);
    }
}

#[test]
fn tolerated_quirks_still_sign_in() {
    let cases = [
        (Misbehaviour::TokenType("bEaReR"), first_tokens()),
        (Misbehaviour::ExpiresInAsString, first_tokens()),
        (
            Misbehaviour::NoExpiresIn,
            Summary {
                expiry: None,
                ..first_tokens()
            },
        ),
        (
            Misbehaviour::NoRefreshToken,
            Summary {
                refresh_token: None,
                ..first_tokens()
            },
        ),
        (
            Misbehaviour::FewerScopes,
            Summary {
                granted_scopes: Some(vec!["openid".into()]),
                missing_scopes: vec!["read".into()],
                ..first_tokens()
            },
        ),
    ];
    for (misbehaviour, tokens) in cases {
        let events = exchange_events(misbehaviour.clone());

        assert_eq!(
            events,
            [Event::Send(basic_exchange()), Event::Done(tokens)],
            "{misbehaviour:?}"
        );
    }
}

#[test]
fn transport_failure_is_retryable_and_ends_the_exchange() {
    let events = exchange_events(Misbehaviour::Unreachable);

    let error = Error::Transport(TransportFailure::new(
        TransportFailureKind::Connect,
        "connection refused",
    ));
    assert!(error.is_retryable());
    assert_eq!(events, [Event::Send(basic_exchange()), Event::Error(error)]);
}

/// A machine driven by hand, past the start of its exchange.
fn awaiting_response(
    server: &mut FakeServer,
    clock: &FakeClock,
) -> (CodeExchange, http::Request<Vec<u8>>) {
    let mut exchange = approved_exchange(server, &installed_client(), SCOPES, clock);
    let Ok(Step::Send(request)) = exchange.poll(clock.now()) else {
        panic!("the exchange starts with a request");
    };
    (exchange, request)
}

/// After an error every call returns it again.
fn assert_sticky(machine: &mut impl Machine, error: &Error, response: http::Response<Vec<u8>>) {
    let now = FakeClock::at(10);
    assert_eq!(machine.poll(now).err().as_ref(), Some(error));
    assert_eq!(machine.handle_response(response, now).as_ref(), Err(error));
    let failure = TransportFailure::new(TransportFailureKind::Timeout, "late");
    assert_eq!(
        machine.handle_transport_failure(failure, now).as_ref(),
        Err(error)
    );
    assert_eq!(machine.poll(now).err().as_ref(), Some(error));
}

#[test]
fn poll_while_a_response_is_pending_is_misuse_and_sticky() {
    let mut server = FakeServer::default();
    let clock = FakeClock::new();
    let (mut exchange, request) = awaiting_response(&mut server, &clock);

    let error = exchange.poll(clock.now()).err();

    let misuse = Error::Misuse(Misuse::ResponsePending);
    assert_eq!(error.as_ref(), Some(&misuse));
    assert!(!misuse.is_retryable());
    let late_answer = server.handle(&request, clock.now());
    assert_eq!(late_answer.status(), 200);
    assert_sticky(&mut exchange, &misuse, late_answer);
}

#[test]
fn response_without_request_is_misuse_and_sticky() {
    let mut server = FakeServer::default();
    let clock = FakeClock::new();
    let mut exchange = approved_exchange(&mut server, &installed_client(), SCOPES, &clock);
    let unasked = http::Response::new(br#"{"access_token":"a","token_type":"Bearer"}"#.to_vec());

    let error = exchange.handle_response(unasked.clone(), clock.now());

    let misuse = Error::Misuse(Misuse::UnexpectedResponse);
    assert_eq!(error.as_ref(), Err(&misuse));
    assert_sticky(&mut exchange, &misuse, unasked);
    assert_eq!(server.token_requests(), 0);
}

#[test]
fn transport_failure_without_request_is_misuse() {
    let mut server = FakeServer::default();
    let clock = FakeClock::new();
    let mut exchange = approved_exchange(&mut server, &installed_client(), SCOPES, &clock);
    let failure = TransportFailure::new(TransportFailureKind::Other, "spurious");

    let error = exchange.handle_transport_failure(failure, clock.now());

    assert_eq!(error, Err(Error::Misuse(Misuse::UnexpectedResponse)));
}

#[test]
fn poll_after_done_is_misuse_and_sticky() {
    let mut server = FakeServer::default();
    let clock = FakeClock::new();
    let (mut exchange, request) = awaiting_response(&mut server, &clock);
    let response = server.handle(&request, clock.now());
    exchange
        .handle_response(response.clone(), clock.now())
        .unwrap();
    let Ok(Step::Done(credentials)) = exchange.poll(clock.now()) else {
        panic!("the answered exchange is done");
    };
    assert_eq!(credentials.token().unwrap().token().secret(), "at-1");

    let error = exchange.poll(clock.now()).err();

    let misuse = Error::Misuse(Misuse::AlreadyDone);
    assert_eq!(error.as_ref(), Some(&misuse));
    assert_sticky(&mut exchange, &misuse, response);
}

#[test]
fn second_response_is_misuse_and_sticky() {
    let mut server = FakeServer::default();
    let clock = FakeClock::new();
    let (mut exchange, request) = awaiting_response(&mut server, &clock);
    let response = server.handle(&request, clock.now());
    exchange
        .handle_response(response.clone(), clock.now())
        .unwrap();

    let error = exchange.handle_response(response.clone(), clock.now());

    let misuse = Error::Misuse(Misuse::UnexpectedResponse);
    assert_eq!(error.as_ref(), Err(&misuse));
    assert_sticky(&mut exchange, &misuse, response);
}

#[test]
fn server_error_is_sticky() {
    let mut server = FakeServer::default();
    let clock = FakeClock::new();
    server.misbehave(Misbehaviour::HtmlError(503));
    let (mut exchange, request) = awaiting_response(&mut server, &clock);
    let unavailable = server.handle(&request, clock.now());

    let error = exchange.handle_response(unavailable, clock.now());

    let expected = Error::HttpStatus { status: 503 };
    assert_eq!(error.as_ref(), Err(&expected));
    let good = server.handle(&request, clock.now());
    assert_eq!(good.status(), 200, "the proxy's 503 left the code unused");
    assert_sticky(&mut exchange, &expected, good);
}
