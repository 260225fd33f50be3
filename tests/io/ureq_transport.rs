//! The ureq transport against a canned HTTP/1.1 server on 127.0.0.1: what
//! goes on the wire, redirects, body bounds, timeouts, refused connections,
//! and a whole flow through `run`.

use std::net::TcpListener;
use std::time::{Duration, SystemTime};

use crate::support::proxy_env::*;
use crate::support::*;
use oauth2_sansio::io::ureq::UreqTransport;
use oauth2_sansio::limits::DEFAULT_RESPONSE_LIMIT;
use oauth2_sansio::{
    Credentials, Error, ErrorCode, Machine, Step, TransportFailure, TransportFailureKind,
};

/// A transport that cannot hang a test, whatever the server does.
fn transport() -> UreqTransport {
    UreqTransport::new()
        .with_connect_timeout(SOCKET_TIMEOUT)
        .with_timeout(Duration::from_secs(10))
}

#[test]
fn defaults() {
    let t = UreqTransport::new();
    assert_eq!(t.response_limit(), DEFAULT_RESPONSE_LIMIT);
    assert_eq!(t.timeout(), Duration::from_secs(30));
    assert_eq!(t.connect_timeout(), Duration::from_secs(10));
}

#[test]
fn code_exchange_goes_on_the_wire_exactly_as_built() {
    let server = CannedServer::start(vec![Answer::Bytes(canned(200, TOKENS))]);
    let client = client(&server);
    let mut exchange = code_exchange(&client);
    let now = SystemTime::now();
    let Step::Send(request) = exchange.poll(now).unwrap() else {
        panic!("a code exchange starts with a request");
    };
    let built_body = request.body().clone();

    let response = transport().send(request).unwrap();
    exchange.handle_response(response, now).unwrap();
    let Step::Done(credentials) = exchange.poll(now).unwrap() else {
        panic!("one response finishes the exchange");
    };
    assert_eq!(credentials.refresh_token().unwrap().secret(), "1//r");

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let sent = &requests[0];
    assert_eq!(sent.line, "POST /token HTTP/1.1");
    let header = |name: &str, value: &str| (name.to_owned(), value.to_owned());
    assert_eq!(
        sent.sorted_headers(),
        vec![
            header("accept", "application/json"),
            header("authorization", BASIC),
            header("content-length", &built_body.len().to_string()),
            header("content-type", "application/x-www-form-urlencoded"),
            header("host", &server.addr.to_string()),
        ],
        "no Accept-Encoding, User-Agent or other header may be added"
    );
    assert_eq!(sent.body, built_body);
    let body = sent.body();
    assert!(body.starts_with("grant_type=authorization_code&code_verifier="));
    assert!(body.ends_with("&code=4%2F0Ab&redirect_uri=http%3A%2F%2F127.0.0.1%3A53682%2F"));
}

#[test]
fn a_get_is_sent_without_body_headers() {
    let server = CannedServer::start(vec![Answer::Bytes(canned(200, "{}"))]);
    let request = http::Request::get(server.url("/.well-known/openid-configuration"))
        .header("accept", "application/json")
        .body(Vec::new())
        .unwrap();
    let response = transport().send(request).unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.body(), b"{}");
    let sent = &server.requests()[0];
    assert_eq!(sent.line, "GET /.well-known/openid-configuration HTTP/1.1");
    assert_eq!(
        sent.sorted_headers(),
        vec![
            ("accept".to_owned(), "application/json".to_owned()),
            ("host".to_owned(), server.addr.to_string()),
        ]
    );
}

#[test]
fn a_redirect_ends_the_exchange_and_its_location_is_not_fetched() {
    // The Location points at a second server, which records any request.
    let trap = CannedServer::start(vec![Answer::Bytes(canned(200, TOKENS))]);
    let location = trap.url("/token");
    let server = CannedServer::start(vec![
        Answer::Bytes(canned_with(302, &[("Location", &location)], "")),
        Answer::Bytes(canned(200, TOKENS)),
    ]);
    let client = client(&server);

    let result = transport().run(code_exchange(&client));

    assert_eq!(result.unwrap_err(), Error::Redirect { status: 302 });
    assert_eq!(server.requests().len(), 1);
    assert_eq!(trap.requests().len(), 0);
}

#[test]
fn send_returns_a_redirect_with_its_location() {
    let server = CannedServer::start(vec![Answer::Bytes(canned_with(
        307,
        &[("Location", "https://elsewhere.example/token")],
        "",
    ))]);
    let response = transport().send(small_post(&server)).unwrap();
    assert_eq!(response.status(), 307);
    assert_eq!(
        response.headers()["location"],
        "https://elsewhere.example/token"
    );
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn an_error_status_reaches_the_machine_as_a_response() {
    let server = CannedServer::start(vec![Answer::Bytes(canned(
        400,
        r#"{"error":"invalid_grant","error_description":"Bad Request"}"#,
    ))]);
    let client = client(&server);
    match transport().run(code_exchange(&client)) {
        Err(Error::OAuth(e)) => {
            assert_eq!(e.code(), &ErrorCode::InvalidGrant);
            assert_eq!(e.status(), Some(400));
        }
        other => panic!("expected an OAuth error, got {other:?}"),
    }
}

/// Sends a small POST, with a response bound of `limit`, to a server that
/// gives `answer`.
fn post_with_limit(
    answer: Answer,
    limit: usize,
) -> Result<http::Response<Vec<u8>>, TransportFailure> {
    let server = CannedServer::start(vec![answer]);
    transport()
        .with_response_limit(limit)
        .send(small_post(&server))
}

#[test]
fn a_body_declared_longer_than_the_limit_is_too_large() {
    let answer = Answer::Bytes(canned(200, &"x".repeat(2000)));
    assert_eq!(
        failure_kind(post_with_limit(answer, 1000)),
        TransportFailureKind::BodyTooLarge
    );
}

#[test]
fn an_endless_body_is_cut_off_at_the_limit() {
    let result = post_with_limit(Answer::EndlessBody, 1024);
    assert_eq!(failure_kind(result), TransportFailureKind::BodyTooLarge);
}

#[test]
fn a_body_exactly_at_the_limit_is_read() {
    let body = "y".repeat(1000);
    let response = post_with_limit(Answer::Bytes(canned(200, &body)), 1000).unwrap();
    assert_eq!(response.body(), body.as_bytes());
}

#[test]
fn a_silent_server_times_out() {
    let server = CannedServer::start(vec![Answer::Silence]);
    let client = client(&server);
    let transport = transport().with_timeout(Duration::from_millis(300));
    match transport.run(code_exchange(&client)) {
        Err(Error::Transport(failure)) => {
            assert_eq!(failure.kind(), TransportFailureKind::Timeout, "{failure}");
            assert_no_secrets(&failure.to_string());
        }
        other => panic!("expected a transport failure, got {other:?}"),
    }
}

#[test]
fn a_refused_connection_is_a_connect_failure() {
    let addr = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    }; // the listener is closed: nothing listens on addr now
    let client = client_at(addr);
    match transport().run(code_exchange(&client)) {
        Err(Error::Transport(failure)) => {
            assert_eq!(failure.kind(), TransportFailureKind::Connect, "{failure}");
            assert!(failure.message().contains(&addr.to_string()), "{failure}");
            assert_no_secrets(&failure.to_string());
        }
        other => panic!("expected a transport failure, got {other:?}"),
    }
}

#[test]
fn code_exchange_then_refresh_through_run() {
    let server = CannedServer::start(vec![
        Answer::Bytes(canned(200, TOKENS)),
        Answer::Bytes(canned(
            200,
            r#"{"access_token":"ya29.b","token_type":"Bearer","expires_in":3599}"#,
        )),
    ]);
    let client = client(&server);
    let transport = transport();

    let credentials = transport.run(code_exchange(&client)).unwrap();
    assert_eq!(credentials.token().unwrap().token().secret(), "ya29.a");
    let refreshed = transport.run(credentials.refresh().unwrap()).unwrap();

    assert_eq!(refreshed.token().unwrap().token().secret(), "ya29.b");
    assert_eq!(refreshed.refresh_token().unwrap().secret(), "1//r");
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[1].line, "POST /token HTTP/1.1");
    assert_eq!(
        requests[1].body(),
        "grant_type=refresh_token&client_id=installed-app&client_secret=installed-app-secret\
         &refresh_token=1%2F%2Fr&scope=openid+read"
    );
}

/// [`proxy_child`]'s full name.
const PROXY_CHILD: ProxyChild = ProxyChild("ureq_transport::proxy_child");

/// The child process of the proxy tests (`support::proxy_env`): a code
/// exchange under the proxy variable the parent set. Does nothing when
/// started any other way.
#[test]
#[ignore = "started as a child process, with a proxy variable set, by the proxy tests"]
fn proxy_child() {
    let Some(token_url) = child_token_url() else {
        return;
    };
    report(transport().run(code_exchange(&child_client(&token_url))));
}

#[test]
fn an_http_loopback_token_endpoint_is_never_proxied() {
    assert_http_loopback_is_never_proxied(PROXY_CHILD);
}

#[test]
fn an_https_loopback_token_endpoint_is_never_proxied() {
    assert_https_loopback_is_never_proxied(PROXY_CHILD);
}

/// ureq tunnels through an http proxy with `CONNECT`, for http targets
/// too; the logging proxy refuses the tunnel.
#[test]
fn other_hosts_still_go_through_the_proxy() {
    for variable in PROXY_VARIABLES {
        let token_url = unreachable_token_url(variable);
        let seen = exchange_in_child(PROXY_CHILD, variable, None, token_url);
        let port = if token_url.starts_with("https") {
            443
        } else {
            80
        };
        assert_eq!(
            seen.proxy_saw,
            vec![format!("CONNECT example.invalid:{port} HTTP/1.1")],
            "{variable} set, {token_url}"
        );
        assert_eq!(seen.outcome, "transport failure Connect", "{variable}");
    }
}

#[test]
fn a_name_that_does_not_resolve_is_a_connect_failure_naming_the_host() {
    // `.invalid` never resolves (RFC 6761): the resolver answers at once,
    // with or without a network.
    let request = http::Request::get("http://nonexistent.invalid/")
        .body(Vec::new())
        .unwrap();
    let failure = transport().send(request).unwrap_err();
    assert_eq!(failure.kind(), TransportFailureKind::Connect, "{failure}");
    let shown = failure.to_string();
    assert!(shown.contains("nonexistent.invalid"), "{shown}");
    assert!(shown.contains("host not found"), "{shown}");
}
