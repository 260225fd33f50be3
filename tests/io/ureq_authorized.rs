//! `AuthorizedAgent` against a canned server on 127.0.0.1 that is both
//! the token endpoint and the API: the token sent, one refresh and one
//! resend after a refused token, the second 401 handed back.

use std::sync::Arc;
use std::time::Duration;

use crate::support::*;
use oauth2_sansio::cache::SharedToken;
use oauth2_sansio::io::ureq::{AuthorizedAgent, UreqTransport};
use oauth2_sansio::io::AuthorizedError;
use oauth2_sansio::{RefreshToken, UserCredentials};

const INVALID_TOKEN: (&str, &str) = (
    "WWW-Authenticate",
    r#"Bearer realm="https://accounts.google.com/", error="invalid_token""#,
);

fn grant(access: &str) -> Answer {
    Answer::Bytes(canned(
        200,
        &format!(r#"{{"access_token":"{access}","token_type":"Bearer","expires_in":3599}}"#),
    ))
}

fn agent(server: &CannedServer) -> AuthorizedAgent<UserCredentials> {
    let credentials = UserCredentials::from_refresh_token(
        &client(server),
        RefreshToken::new("1//agent-refresh"),
        vec![],
    )
    .with_quota_project(Some("billed".into()));
    let transport = UreqTransport::new()
        .with_connect_timeout(SOCKET_TIMEOUT)
        .with_timeout(Duration::from_secs(10));
    AuthorizedAgent::new(transport, Arc::new(SharedToken::new(credentials)))
}

fn api_request(server: &CannedServer) -> http::Request<Vec<u8>> {
    http::Request::post(server.url("/v1/things"))
        .body(b"{\"n\":1}".to_vec())
        .unwrap()
}

fn header<'a>(request: &'a testkit::canned_http::Received, name: &str) -> Option<&'a str> {
    request
        .headers
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

#[test]
fn a_refused_token_is_refreshed_and_the_request_sent_again() {
    let server = CannedServer::start(vec![
        grant("ya29.first"),
        Answer::Bytes(canned_with(401, &[INVALID_TOKEN], "{}")),
        grant("ya29.second"),
        Answer::Bytes(canned(200, r#"{"ok":true}"#)),
    ]);
    let agent = agent(&server);

    let response = agent.send(api_request(&server)).unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.body(), br#"{"ok":true}"#);
    let requests = server.requests();
    let lines: Vec<_> = requests.iter().map(|r| r.line.as_str()).collect();
    assert_eq!(
        lines,
        [
            "POST /token HTTP/1.1",
            "POST /v1/things HTTP/1.1",
            "POST /token HTTP/1.1",
            "POST /v1/things HTTP/1.1"
        ]
    );
    assert_eq!(
        header(&requests[1], "authorization"),
        Some("Bearer ya29.first")
    );
    assert_eq!(
        header(&requests[3], "authorization"),
        Some("Bearer ya29.second")
    );
    assert_eq!(header(&requests[3], "x-goog-user-project"), Some("billed"));
    assert_eq!(requests[3].body(), "{\"n\":1}");
}

#[test]
fn a_second_401_is_handed_back_after_one_refresh() {
    let server = CannedServer::start(vec![
        grant("ya29.first"),
        Answer::Bytes(canned_with(401, &[INVALID_TOKEN], "{}")),
        grant("ya29.second"),
        Answer::Bytes(canned_with(401, &[INVALID_TOKEN], "{}")),
    ]);
    let response = agent(&server).send(api_request(&server)).unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(server.requests().len(), 4, "one refresh and one resend");
}

#[test]
fn a_failing_token_endpoint_is_a_token_error_without_secrets() {
    let server = CannedServer::start(vec![Answer::Bytes(canned(
        400,
        r#"{"error":"invalid_grant"}"#,
    ))]);
    let error = agent(&server).send(api_request(&server)).unwrap_err();
    assert!(matches!(error, AuthorizedError::Token(_)), "{error:?}");
    let shown = format!("{error} {error:?}");
    assert!(shown.contains("invalid_grant"), "{shown}");
    assert!(!shown.contains("1//agent-refresh"), "{shown}");
    assert_eq!(server.requests().len(), 1, "the API was not called");
}
