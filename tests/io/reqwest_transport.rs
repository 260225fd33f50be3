//! The reqwest transport (of the version the parent module names:
//! `backend`, `ReqwestTransport`, and `PROXY_CHILD`, [`proxy_child`]'s full
//! name) against a canned HTTP/1.1 server on 127.0.0.1: what
//! goes on the wire, redirects, body bounds, timeouts, refused connections,
//! and whole flows through `run` — the guarantees of the ureq transport, on
//! tokio.

use std::future::Future;
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use super::{backend, ReqwestTransport, PROXY_CHILD};
use crate::support::proxy::LoggingProxy;
use crate::support::proxy_env::*;
use crate::support::*;
use oauth2_sansio::limits::DEFAULT_RESPONSE_LIMIT;
use oauth2_sansio::{
    Credentials, Error, ErrorCode, Machine, Step, TransportFailure, TransportFailureKind,
    WaitReason,
};

/// A transport that cannot hang a test, whatever the server does.
fn transport() -> ReqwestTransport {
    ReqwestTransport::new()
        .with_connect_timeout(SOCKET_TIMEOUT)
        .with_timeout(Duration::from_secs(10))
}

/// The sleep a tokio application passes to `run`.
fn tokio_sleep(until: SystemTime) -> impl Future<Output = ()> {
    tokio::time::sleep(until.duration_since(SystemTime::now()).unwrap_or_default())
}

fn header(name: &str, value: &str) -> (String, String) {
    (name.to_owned(), value.to_owned())
}

#[test]
fn defaults() {
    let t = ReqwestTransport::new();
    assert_eq!(t.response_limit(), DEFAULT_RESPONSE_LIMIT);
    assert_eq!(t.timeout(), Duration::from_secs(30));
    assert_eq!(t.connect_timeout(), Some(Duration::from_secs(10)));
}

#[test]
fn send_and_run_can_be_spawned_on_a_multi_threaded_runtime() {
    fn assert_send<T: Send>(_: &T) {}
    let t = ReqwestTransport::new();
    let client = client_at("127.0.0.1:1".parse().unwrap());
    assert_send(&t.send(http::Request::new(Vec::new())));
    assert_send(&t.run(code_exchange(&client), tokio_sleep));
}

#[tokio::test]
async fn code_exchange_goes_on_the_wire_exactly_as_built() {
    let server = CannedServer::start(vec![Answer::Bytes(canned(200, TOKENS))]);
    let client = client(&server);
    let mut exchange = code_exchange(&client);
    let now = SystemTime::now();
    let Step::Send(request) = exchange.poll(now).unwrap() else {
        panic!("a code exchange starts with a request");
    };
    let built_body = request.body().clone();

    let response = transport().send(request).await.unwrap();
    exchange.handle_response(response, now).unwrap();
    let Step::Done(credentials) = exchange.poll(now).unwrap() else {
        panic!("one response finishes the exchange");
    };
    assert_eq!(credentials.refresh_token().unwrap().secret(), "1//r");

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let sent = &requests[0];
    assert_eq!(sent.line, "POST /token HTTP/1.1");
    assert_eq!(
        sent.sorted_headers(),
        vec![
            header("accept", "application/json"),
            header("authorization", BASIC),
            header("content-length", &built_body.len().to_string()),
            header("content-type", "application/x-www-form-urlencoded"),
            header("host", &server.addr.to_string()),
        ],
        "the machine's Accept wins; no Accept-Encoding, User-Agent or other header may be added"
    );
    assert_eq!(sent.body, built_body);
    let body = sent.body();
    assert!(body.starts_with("grant_type=authorization_code&code_verifier="));
    assert!(body.ends_with("&code=4%2F0Ab&redirect_uri=http%3A%2F%2F127.0.0.1%3A53682%2F"));
}

#[tokio::test]
async fn a_get_is_sent_without_body_headers() {
    let server = CannedServer::start(vec![Answer::Bytes(canned(200, "{}"))]);
    let request = http::Request::get(server.url("/.well-known/openid-configuration"))
        .header("accept", "application/json")
        .body(Vec::new())
        .unwrap();
    let response = transport().send(request).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.body(), b"{}");
    let sent = &server.requests()[0];
    assert_eq!(sent.line, "GET /.well-known/openid-configuration HTTP/1.1");
    assert_eq!(
        sent.sorted_headers(),
        vec![
            header("accept", "application/json"),
            header("host", &server.addr.to_string()),
        ]
    );
}

/// reqwest's one addition: `Accept: */*` where the request has no Accept
/// (the crate's machines always set one).
#[tokio::test]
async fn a_request_without_accept_gets_reqwests_accept_any() {
    let server = CannedServer::start(vec![Answer::Bytes(canned(200, "{}"))]);
    let request = http::Request::get(server.url("/x"))
        .body(Vec::new())
        .unwrap();
    transport().send(request).await.unwrap();
    assert_eq!(
        server.requests()[0].sorted_headers(),
        vec![
            header("accept", "*/*"),
            header("host", &server.addr.to_string()),
        ]
    );
}

#[tokio::test]
async fn a_redirect_ends_the_exchange_and_its_location_is_not_fetched() {
    // The Location points at a second server, which records any request.
    let trap = CannedServer::start(vec![Answer::Bytes(canned(200, TOKENS))]);
    let location = trap.url("/token");
    let server = CannedServer::start(vec![
        Answer::Bytes(canned_with(302, &[("Location", &location)], "")),
        Answer::Bytes(canned(200, TOKENS)),
    ]);
    let client = client(&server);

    let result = transport().run(code_exchange(&client), tokio_sleep).await;

    assert_eq!(result.unwrap_err(), Error::Redirect { status: 302 });
    assert_eq!(server.requests().len(), 1);
    assert_eq!(trap.requests().len(), 0);
}

#[tokio::test]
async fn send_returns_a_redirect_with_its_location() {
    let server = CannedServer::start(vec![Answer::Bytes(canned_with(
        307,
        &[("Location", "https://elsewhere.example/token")],
        "",
    ))]);
    let response = transport().send(small_post(&server)).await.unwrap();
    assert_eq!(response.status(), 307);
    assert_eq!(
        response.headers()["location"],
        "https://elsewhere.example/token"
    );
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn an_error_status_reaches_the_machine_as_a_response() {
    let server = CannedServer::start(vec![Answer::Bytes(canned(
        400,
        r#"{"error":"invalid_grant","error_description":"Bad Request"}"#,
    ))]);
    let client = client(&server);
    match transport().run(code_exchange(&client), tokio_sleep).await {
        Err(Error::OAuth(e)) => {
            assert_eq!(e.code(), &ErrorCode::InvalidGrant);
            assert_eq!(e.status(), Some(400));
        }
        other => panic!("expected an OAuth error, got {other:?}"),
    }
}

/// Sends a small POST, with a response bound of `limit`, to a server that
/// gives `answer`.
async fn post_with_limit(
    answer: Answer,
    limit: usize,
) -> Result<http::Response<Vec<u8>>, TransportFailure> {
    let server = CannedServer::start(vec![answer]);
    let result = transport()
        .with_response_limit(limit)
        .send(small_post(&server))
        .await;
    stop(server).await;
    result
}

/// Stops `server` on a blocking thread: its writer may wait for the client
/// to close a connection, which reqwest does on this runtime's thread.
async fn stop(server: CannedServer) {
    tokio::task::spawn_blocking(move || drop(server))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_body_declared_longer_than_the_limit_is_too_large() {
    let answer = Answer::Bytes(canned(200, &"x".repeat(2000)));
    let result = post_with_limit(answer, 1000).await;
    assert_eq!(failure_kind(result), TransportFailureKind::BodyTooLarge);
}

/// A 200 declaring a 2000-byte body of which only 10 bytes come before the
/// connection closes.
fn broken_off_body() -> Answer {
    let mut answer = b"HTTP/1.1 200 OK\r\nContent-Length: 2000\r\n\r\n".to_vec();
    answer.extend_from_slice(b"0123456789");
    Answer::Bytes(answer)
}

#[tokio::test]
async fn a_declared_length_is_refused_before_the_body_is_read() {
    // Reading the body would fail as a broken-off body, not a large one.
    let result = post_with_limit(broken_off_body(), 1000).await;
    assert_eq!(failure_kind(result), TransportFailureKind::BodyTooLarge);
}

#[tokio::test]
async fn a_body_that_breaks_off_is_another_failure() {
    let result = post_with_limit(broken_off_body(), 4000).await;
    assert_eq!(failure_kind(result), TransportFailureKind::Other);
}

#[tokio::test]
async fn an_endless_body_is_cut_off_at_the_limit() {
    let server = CannedServer::start(vec![Answer::EndlessBody]);
    let result = transport()
        .with_response_limit(1024)
        .send(small_post(&server))
        .await;
    assert_eq!(failure_kind(result), TransportFailureKind::BodyTooLarge);
    // The writer stalls once the socket buffers are full: a transport that
    // read on to the end would have taken the whole gibibyte.
    let written = server.endless_bytes_written();
    assert!(written < 64 << 20, "{written} bytes were read");
    stop(server).await;
}

#[tokio::test]
async fn a_body_exactly_at_the_limit_is_read() {
    let body = "y".repeat(1000);
    let response = post_with_limit(Answer::Bytes(canned(200, &body)), 1000)
        .await
        .unwrap();
    assert_eq!(response.body(), body.as_bytes());
}

#[tokio::test]
async fn a_silent_server_times_out() {
    let server = CannedServer::start(vec![Answer::Silence]);
    let client = client(&server);
    let transport = transport().with_timeout(Duration::from_millis(300));
    let run = transport.run(code_exchange(&client), tokio_sleep);
    // A guard, so that a transport without a timeout fails instead of hanging.
    let result = tokio::time::timeout(Duration::from_secs(10), run).await;
    match result.expect("the transport's own timeout ends the request") {
        Err(Error::Transport(failure)) => {
            assert_eq!(failure.kind(), TransportFailureKind::Timeout, "{failure}");
            assert!(failure.message().contains(&server.addr.to_string()));
            assert_no_secrets(&failure.to_string());
        }
        other => panic!("expected a transport failure, got {other:?}"),
    }
}

#[tokio::test]
async fn a_refused_connection_is_a_connect_failure() {
    let addr = closed_port();
    let client = client_at(addr);
    match transport().run(code_exchange(&client), tokio_sleep).await {
        Err(Error::Transport(failure)) => {
            assert_eq!(failure.kind(), TransportFailureKind::Connect, "{failure}");
            assert!(failure.message().contains(&addr.to_string()), "{failure}");
            assert_no_secrets(&failure.to_string());
        }
        other => panic!("expected a transport failure, got {other:?}"),
    }
}

#[tokio::test]
async fn code_exchange_then_refresh_through_run() {
    let server = CannedServer::start(vec![
        Answer::Bytes(canned(200, TOKENS)),
        Answer::Bytes(canned(
            200,
            r#"{"access_token":"ya29.b","token_type":"Bearer","expires_in":3599}"#,
        )),
    ]);
    let client = client(&server);
    let transport = transport();

    let credentials = transport
        .run(code_exchange(&client), tokio_sleep)
        .await
        .unwrap();
    assert_eq!(credentials.token().unwrap().token().secret(), "ya29.a");
    let refresh = credentials.refresh().unwrap();
    let refreshed = transport.run(refresh, tokio_sleep).await.unwrap();

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

/// Waits once until `until`, then sends one GET and returns its status.
struct WaitThenGet {
    until: SystemTime,
    uri: String,
    waited: bool,
    status: Option<u16>,
}

impl Machine for WaitThenGet {
    type Output = u16;

    fn poll(&mut self, now: SystemTime) -> Result<Step<u16>, Error> {
        if let Some(status) = self.status {
            return Ok(Step::Done(status));
        }
        if !self.waited && now < self.until {
            self.waited = true;
            return Ok(Step::Wait {
                until: self.until,
                reason: WaitReason::Backoff,
            });
        }
        let request = http::Request::get(&self.uri)
            .header("accept", "application/json")
            .body(Vec::new())
            .unwrap();
        Ok(Step::Send(request))
    }

    fn handle_response(
        &mut self,
        response: http::Response<Vec<u8>>,
        _now: SystemTime,
    ) -> Result<(), Error> {
        self.status = Some(response.status().as_u16());
        Ok(())
    }

    fn handle_transport_failure(
        &mut self,
        failure: TransportFailure,
        _now: SystemTime,
    ) -> Result<(), Error> {
        Err(failure.into())
    }
}

#[tokio::test]
async fn run_awaits_the_callers_sleep_for_each_wait() {
    let server = CannedServer::start(vec![Answer::Bytes(canned(204, ""))]);
    let until = SystemTime::now() + Duration::from_secs(3600);
    let machine = WaitThenGet {
        until,
        uri: server.url("/poll"),
        waited: false,
        status: None,
    };
    let slept = Arc::new(Mutex::new(Vec::new()));

    let status = transport()
        .run(machine, |until| {
            let slept = slept.clone();
            async move { slept.lock().unwrap().push(until) }
        })
        .await
        .unwrap();

    assert_eq!(status, 204);
    assert_eq!(*slept.lock().unwrap(), vec![until]);
    assert_eq!(server.requests().len(), 1);
}

/// The caller's client carries requests to other hosts, with its own proxy,
/// headers and redirect policy (the proxy here answers with a redirect).
#[tokio::test]
async fn with_client_sends_through_the_callers_client() {
    let trap = CannedServer::start(vec![Answer::Bytes(canned(200, TOKENS))]);
    let proxy = CannedServer::start(vec![Answer::Bytes(canned_with(
        302,
        &[("Location", &trap.url("/token"))],
        "",
    ))]);
    let client = ReqwestTransport::client_builder()
        .proxy(backend::Proxy::all(proxy.url("")).unwrap())
        .user_agent("caller/1.0")
        .build()
        .unwrap();
    let transport = ReqwestTransport::with_client(client);
    assert_eq!(transport.connect_timeout(), None);

    let request = http::Request::post("http://example.invalid/token")
        .body(b"grant_type=x".to_vec())
        .unwrap();
    let response = transport.send(request).await.unwrap();

    assert_eq!(
        response.status(),
        302,
        "the builder does not follow redirects"
    );
    assert_eq!(trap.requests().len(), 0);
    let sent = &proxy.requests()[0];
    assert_eq!(sent.line, "POST http://example.invalid/token HTTP/1.1");
    assert!(sent.headers.contains(&header("user-agent", "caller/1.0")));
    assert_eq!(
        transport
            .with_connect_timeout(SOCKET_TIMEOUT)
            .connect_timeout(),
        Some(SOCKET_TIMEOUT)
    );
}

/// Loopback requests never go through the caller's client, whatever its
/// proxies: the transport sends them directly, over a client of its own.
#[tokio::test]
async fn with_client_never_proxies_loopback_requests() {
    let proxy = LoggingProxy::start();
    let server = CannedServer::start(vec![Answer::Bytes(canned(200, "{}"))]);
    let client = ReqwestTransport::client_builder()
        .proxy(backend::Proxy::all(proxy.url()).unwrap())
        .user_agent("caller/1.0")
        .build()
        .unwrap();

    let response = ReqwestTransport::with_client(client)
        .send(small_post(&server))
        .await
        .unwrap();

    assert_eq!(response.status(), 200);
    assert_eq!(proxy.request_lines(), Vec::<String>::new());
    let sent = &server.requests()[0];
    assert_eq!(sent.line, "POST /token HTTP/1.1");
    assert!(
        !sent.headers.iter().any(|(name, _)| name == "user-agent"),
        "the caller's client sent it"
    );
}

/// reqwest's own messages quote the URL; the transport's never do.
#[tokio::test]
async fn failure_messages_name_only_host_and_port() {
    let refused = closed_port();
    let silent = CannedServer::start(vec![Answer::Silence]);
    for (addr, transport) in [
        (refused, transport()),
        (
            silent.addr,
            transport().with_timeout(Duration::from_millis(300)),
        ),
    ] {
        let request = http::Request::post(format!(
            "http://user:hunter2@{addr}/token/SECRET-PATH?code=SECRET-CODE"
        ))
        .body(b"client_secret=SECRET-BODY".to_vec())
        .unwrap();
        let failure = transport.send(request).await.unwrap_err();
        let message = failure.to_string();
        assert!(message.contains(&addr.to_string()), "{message}");
        for leak in ["hunter2", "SECRET", "/token", "http://"] {
            assert!(!message.contains(leak), "{message:?} contains {leak:?}");
        }
    }
}

/// An address on which nothing listens.
fn closed_port() -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap()
}

/// The child process of the proxy tests (`support::proxy_env`): a code
/// exchange under the proxy variable the parent set. Does nothing when
/// started any other way.
#[tokio::test]
#[ignore = "started as a child process, with a proxy variable set, by the proxy tests"]
async fn proxy_child() {
    let Some(token_url) = child_token_url() else {
        return;
    };
    let client = child_client(&token_url);
    report(transport().run(code_exchange(&client), tokio_sleep).await);
}

#[test]
fn an_http_loopback_token_endpoint_is_never_proxied() {
    assert_http_loopback_is_never_proxied(PROXY_CHILD);
}

#[test]
fn an_https_loopback_token_endpoint_is_never_proxied() {
    assert_https_loopback_is_never_proxied(PROXY_CHILD);
}

/// reqwest sends an http request to the proxy in absolute form (the proxy's
/// 502 reaches the machine) and tunnels https with `CONNECT` (which the
/// logging proxy refuses).
#[test]
fn other_hosts_still_go_through_the_proxy() {
    for variable in PROXY_VARIABLES {
        let token_url = unreachable_token_url(variable);
        let seen = exchange_in_child(PROXY_CHILD, variable, None, token_url);
        let (line, outcome) = if token_url.starts_with("https") {
            (
                "CONNECT example.invalid:443 HTTP/1.1",
                "transport failure Connect",
            )
        } else {
            ("POST http://example.invalid/token HTTP/1.1", "HTTP 502")
        };
        assert_eq!(seen.proxy_saw, vec![line], "{variable} set, {token_url}");
        assert_eq!(seen.outcome, outcome, "{variable}");
    }
}
