//! The ureq transport against a canned HTTP/1.1 server on 127.0.0.1: what
//! goes on the wire, redirects, body bounds, timeouts, refused connections,
//! and a whole flow through `run`.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime};

use oauth2_sansio::transport::ureq::UreqTransport;
use oauth2_sansio::{
    Client, ClientSecret, CodeExchange, Error, ErrorCode, Machine, Step, TransportFailure,
    TransportFailureKind, DEFAULT_RESPONSE_LIMIT,
};

/// Bounds every socket operation of the server, so no test can hang.
const SOCKET_TIMEOUT: Duration = Duration::from_secs(5);
const REDIRECT_URI: &str = "http://127.0.0.1:53682/";
const BASIC: &str = "Basic aW5zdGFsbGVkLWFwcDppbnN0YWxsZWQtYXBwLXNlY3JldA==";

/// What the server does with one connection, after reading its request.
enum Answer {
    /// Writes these bytes and closes.
    Bytes(Vec<u8>),
    /// Never answers; keeps the connection open until the server stops.
    Silence,
    /// A 200 without a length, then body bytes until the client goes away.
    EndlessBody,
}

/// A one-thread HTTP server answering each connection with the next
/// canned [`Answer`] (a 404 once they run out), recording every request.
/// Stops when dropped.
struct CannedServer {
    addr: SocketAddr,
    requests: Arc<Mutex<Vec<Received>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl CannedServer {
    fn start(answers: Vec<Answer>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = std::thread::spawn({
            let (requests, stop) = (requests.clone(), stop.clone());
            move || serve(listener, answers, &requests, &stop)
        });
        Self {
            addr,
            requests,
            stop,
            thread: Some(thread),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn requests(&self) -> Vec<Received> {
        self.requests.lock().unwrap().clone()
    }
}

impl Drop for CannedServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the blocking accept; the server sees `stop` and exits.
        let _ = TcpStream::connect_timeout(&self.addr, SOCKET_TIMEOUT);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn serve(
    listener: TcpListener,
    answers: Vec<Answer>,
    requests: &Mutex<Vec<Received>>,
    stop: &AtomicBool,
) {
    let mut answers = answers.into_iter();
    let mut silent = Vec::new();
    for stream in listener.incoming() {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let Ok(mut stream) = stream else { continue };
        let _ = stream.set_read_timeout(Some(SOCKET_TIMEOUT));
        let _ = stream.set_write_timeout(Some(SOCKET_TIMEOUT));
        let Ok(raw) = read_request(&mut stream) else {
            continue;
        };
        requests.lock().unwrap().push(Received::parse(&raw));
        match answers.next() {
            Some(Answer::Bytes(bytes)) => {
                let _ = stream.write_all(&bytes);
            }
            Some(Answer::Silence) => silent.push(stream),
            Some(Answer::EndlessBody) => write_endless_body(&mut stream, stop),
            None => {
                let _ = stream.write_all(&canned(404, ""));
            }
        }
    }
}

/// Reads the head and the `Content-Length` body of one request.
fn read_request(stream: &mut TcpStream) -> io::Result<Vec<u8>> {
    let mut data = Vec::new();
    let mut chunk = [0; 4096];
    loop {
        if let Some(end) = find(&data, b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&data[..end]).to_ascii_lowercase();
            let length: usize = head
                .lines()
                .find_map(|line| line.strip_prefix("content-length:"))
                .map_or(Ok(0), |v| v.trim().parse())
                .map_err(|_| io::Error::from(io::ErrorKind::InvalidData))?;
            let total = end + 4 + length;
            while data.len() < total {
                let n = stream.read(&mut chunk)?;
                if n == 0 {
                    return Err(io::ErrorKind::UnexpectedEof.into());
                }
                data.extend_from_slice(&chunk[..n]);
            }
            data.truncate(total);
            return Ok(data);
        }
        if data.len() > 64 * 1024 {
            return Err(io::ErrorKind::InvalidData.into());
        }
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        data.extend_from_slice(&chunk[..n]);
    }
}

/// Writes a close-delimited body until the client stops reading (or 1 GiB,
/// which a transport that reads everything would hit first).
fn write_endless_body(stream: &mut TcpStream, stop: &AtomicBool) {
    let head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n";
    if stream.write_all(head).is_err() {
        return;
    }
    let chunk = [b' '; 16 * 1024];
    for _ in 0..(1 << 30) / chunk.len() {
        if stop.load(Ordering::SeqCst) || stream.write_all(&chunk).is_err() {
            return;
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// One request as the server read it.
#[derive(Clone, Debug)]
struct Received {
    line: String,
    /// Lower-cased names, in the order sent.
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Received {
    fn parse(raw: &[u8]) -> Self {
        let end = find(raw, b"\r\n\r\n").unwrap();
        let head = std::str::from_utf8(&raw[..end]).unwrap();
        let mut lines = head.split("\r\n");
        let line = lines.next().unwrap().to_owned();
        let headers = lines
            .map(|l| {
                let (name, value) = l.split_once(':').unwrap();
                (name.to_ascii_lowercase(), value.trim().to_owned())
            })
            .collect();
        Self {
            line,
            headers,
            body: raw[end + 4..].to_vec(),
        }
    }

    fn sorted_headers(&self) -> Vec<(String, String)> {
        let mut headers = self.headers.clone();
        headers.sort();
        headers
    }

    fn body(&self) -> &str {
        std::str::from_utf8(&self.body).unwrap()
    }
}

fn canned(status: u16, body: &str) -> Vec<u8> {
    canned_with(status, &[], body)
}

fn canned_with(status: u16, headers: &[(&str, &str)], body: &str) -> Vec<u8> {
    let mut head = format!(
        "HTTP/1.1 {status} Canned\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(body.as_bytes());
    bytes
}

fn client(server: &CannedServer) -> Client {
    client_at(server.addr)
}

fn client_at(addr: SocketAddr) -> Client {
    Client::builder("installed-app")
        .client_secret(ClientSecret::new("installed-app-secret"))
        .authorization_endpoint(format!("http://{addr}/auth"))
        .token_endpoint(format!("http://{addr}/token"))
        .build()
        .unwrap()
}

fn code_exchange(client: &Client) -> CodeExchange {
    let (_url, pending) = client
        .authorization_request(REDIRECT_URI)
        .scopes(["openid", "read"])
        .build_with_entropy(SystemTime::now(), &[7; 64])
        .unwrap();
    let state = pending.state().secret().to_owned();
    pending
        .complete(client, &format!("{REDIRECT_URI}?state={state}&code=4/0Ab"))
        .unwrap()
}

/// A transport that cannot hang a test, whatever the server does.
fn transport() -> UreqTransport {
    UreqTransport::new()
        .with_connect_timeout(SOCKET_TIMEOUT)
        .with_timeout(Duration::from_secs(10))
}

const TOKENS: &str =
    r#"{"access_token":"ya29.a","token_type":"Bearer","expires_in":3599,"refresh_token":"1//r"}"#;

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

fn small_post(server: &CannedServer) -> http::Request<Vec<u8>> {
    http::Request::post(server.url("/token"))
        .body(b"grant_type=x".to_vec())
        .unwrap()
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

fn failure_kind(result: Result<http::Response<Vec<u8>>, TransportFailure>) -> TransportFailureKind {
    match result {
        Err(failure) => failure.kind(),
        Ok(response) => panic!(
            "expected a transport failure, got HTTP {}",
            response.status()
        ),
    }
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

/// Nothing of the request (secret, Basic credentials, code, body) appears.
fn assert_no_secrets(message: &str) {
    for secret in [
        "installed-app-secret",
        BASIC,
        "aW5zdGFs",
        "4/0Ab",
        "4%2F0Ab",
        "grant_type",
    ] {
        assert!(!message.contains(secret), "{message:?} contains {secret:?}");
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
