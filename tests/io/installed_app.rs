//! The installed-app runner end to end on 127.0.0.1: the test reads the
//! printed URL and plays the browser with raw sockets; the token endpoint
//! is a closure (or, for `run_with_ureq`, a canned HTTP server).

use std::io::{self, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use oauth2_sansio::io::installed::{
    Browser, BrowserError, InstalledAppError, InstalledAppFlow, LoopbackHost, CONNECTION_TIMEOUT,
    PROMPT,
};
use oauth2_sansio::loopback::SUCCESS_MESSAGE;
use oauth2_sansio::url::Url;
use oauth2_sansio::{
    CallbackError, Client, ClientSecret, ConfigError, Credentials, EntropyFn, ErrorCode,
    TransportFailure, UserCredentials,
};
use rand::rngs::StdRng;
use rand::SeedableRng;
use sha2::{Digest, Sha256};

/// Bounds every wait of the test on the flow, so no test can hang.
const PATIENCE: Duration = Duration::from_secs(20);
const SECRET: &str = "installed-app-secret";
const TOKEN_RESPONSE: &str = r#"{"access_token":"ya29.a","token_type":"Bearer","expires_in":3599,"refresh_token":"1//r","scope":"openid email"}"#;

fn confidential() -> Client {
    Client::builder("installed-app")
        .client_secret(ClientSecret::new(SECRET))
        .authorization_endpoint("https://as.example/auth")
        .token_endpoint("https://as.example/token")
        .build()
        .unwrap()
}

fn public() -> Client {
    Client::builder("public-app")
        .authorization_endpoint("https://as.example/auth")
        .token_endpoint("https://as.example/token")
        .build()
        .unwrap()
}

/// The prompt output, as the flow writes it.
struct PromptWriter(Sender<Vec<u8>>);

impl Write for PromptWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let _ = self.0.send(buf.to_vec());
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

pub(crate) struct PromptReader {
    rx: Receiver<Vec<u8>>,
    text: String,
}

impl PromptReader {
    /// The next whole line the flow printed.
    fn line(&mut self) -> String {
        loop {
            if let Some(end) = self.text.find('\n') {
                let line = self.text[..end].to_owned();
                self.text.drain(..=end);
                return line;
            }
            let chunk = self
                .rx
                .recv_timeout(PATIENCE)
                .expect("the flow printed a line");
            self.text.push_str(std::str::from_utf8(&chunk).unwrap());
        }
    }

    /// The line that says the flow is waiting for the browser.
    fn waiting(&mut self) {
        let line = self.line();
        assert!(
            line.starts_with("Waiting for the sign-in to finish in the browser (up to "),
            "{line}"
        );
    }

    /// The start link from the prompt line.
    fn start_link(&mut self) -> Url {
        let line = self.line();
        let url = line
            .strip_prefix(PROMPT)
            .unwrap_or_else(|| panic!("{line}"));
        Url::parse(url).unwrap()
    }

    /// Opens the printed start link as the browser does.
    pub(crate) fn url(&mut self) -> Authorization {
        open_start_link(&self.start_link())
    }
}

/// Where the start link led: the authorization URL, and the cookie the
/// browser got on the way.
pub(crate) struct Authorization {
    url: Url,
    /// `name=value`.
    cookie: String,
}

impl Authorization {
    pub(crate) fn param(&self, name: &str) -> String {
        let mut values = self.url.query_pairs().filter(|(k, _)| k == name);
        let value = values
            .next()
            .unwrap_or_else(|| panic!("no {name}"))
            .1
            .into_owned();
        assert!(values.next().is_none(), "{name} twice");
        value
    }

    fn redirect(&self) -> Url {
        Url::parse(&self.param("redirect_uri")).unwrap()
    }

    fn port(&self) -> u16 {
        self.redirect().port().unwrap()
    }

    fn state(&self) -> String {
        self.param("state")
    }

    /// GETs `target` from the listener as the browser that opened the start
    /// link: with its cookie.
    fn get(&self, target: &str) -> String {
        let redirect = self.redirect();
        let host = format!("{}:{}", redirect.host_str().unwrap(), self.port());
        browser_get(listener_addr(&redirect), &host, target, Some(&self.cookie))
    }
}

/// The listener's address for a loopback URL (`localhost`: 127.0.0.1).
fn listener_addr(url: &Url) -> SocketAddr {
    let ip = match url.host() {
        Some(url::Host::Ipv6(ip)) => IpAddr::from(ip),
        _ => IpAddr::from(Ipv4Addr::LOCALHOST),
    };
    SocketAddr::new(ip, url.port().unwrap())
}

/// The value of the header `name` in a whole answer.
fn header<'a>(answer: &'a str, name: &str) -> &'a str {
    let head = answer.split("\r\n\r\n").next().unwrap();
    head.lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(": "))
        .unwrap_or_else(|| panic!("no {name} in {answer}"))
}

/// Opens a start link: a redirect to the authorization URL with a cookie.
fn open_start_link(start: &Url) -> Authorization {
    let host = format!("{}:{}", start.host_str().unwrap(), start.port().unwrap());
    let answer = browser_get(listener_addr(start), &host, start.path(), None);
    assert_eq!(status(&answer), 303, "{answer}");
    Authorization {
        url: Url::parse(header(&answer, "Location")).unwrap(),
        cookie: header(&answer, "Set-Cookie")
            .split(';')
            .next()
            .unwrap()
            .to_owned(),
    }
}

/// The token endpoint: records each request and answers `status`, `body`.
#[derive(Clone, Default)]
struct TokenEndpoint(Arc<Mutex<Vec<http::Request<Vec<u8>>>>>);

impl TokenEndpoint {
    fn answer(
        &self,
        status: u16,
        body: &'static str,
    ) -> impl FnMut(http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>, TransportFailure>
    {
        let seen = self.0.clone();
        move |request| {
            seen.lock().unwrap().push(request);
            Ok(http::Response::builder()
                .status(status)
                .header("content-type", "application/json")
                .body(body.as_bytes().to_vec())
                .unwrap())
        }
    }

    fn requests(&self) -> Vec<http::Request<Vec<u8>>> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

pub(crate) type Running = JoinHandle<Result<UserCredentials, InstalledAppError>>;

/// Runs `flow` with `run` on a thread, the prompt captured.
pub(crate) fn spawn_flow<F, T>(
    flow: InstalledAppFlow,
    run: F,
) -> (JoinHandle<Result<T, InstalledAppError>>, PromptReader)
where
    F: FnOnce(InstalledAppFlow) -> Result<T, InstalledAppError> + Send + 'static,
    T: Send + 'static,
{
    let (tx, rx) = mpsc::channel();
    let flow = flow.prompt_to(PromptWriter(tx));
    let running = std::thread::spawn(move || run(flow));
    let prompt = PromptReader {
        rx,
        text: String::new(),
    };
    (running, prompt)
}

/// Starts `flow` with the browser disabled and `endpoint` answering the
/// token request with [`TOKEN_RESPONSE`].
fn start(flow: InstalledAppFlow, endpoint: &TokenEndpoint) -> (Running, PromptReader) {
    let send = endpoint.answer(200, TOKEN_RESPONSE);
    spawn_flow(flow.browser(Browser::Disabled), move |flow| {
        flow.run(&mut StdRng::seed_from_u64(7), send)
    })
}

/// Plays the browser coming back with `code` and the genuine state.
pub(crate) fn genuine_callback(auth: &Authorization, code: &str) -> String {
    auth.get(&format!("/?state={}&code={code}", auth.state()))
}

pub(crate) fn finish(running: Running) -> Result<UserCredentials, InstalledAppError> {
    running.join().expect("the flow thread does not panic")
}

/// Plays the browser: one GET on a fresh connection, with `cookie`
/// (`name=value`) if given; the whole answer back.
fn browser_get(addr: SocketAddr, host: &str, target: &str, cookie: Option<&str>) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    let cookie = cookie.map_or(String::new(), |cookie| format!("Cookie: {cookie}\r\n"));
    write!(
        stream,
        "GET {target} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: test\r\n{cookie}\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
}

fn v4(port: u16) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], port))
}

/// A GET from a client that did not open the start link: no cookie.
fn get(port: u16, target: &str) -> String {
    browser_get(v4(port), &format!("127.0.0.1:{port}"), target, None)
}

pub(crate) fn status(answer: &str) -> u16 {
    answer[9..12].parse().unwrap_or_else(|_| panic!("{answer}"))
}

fn assert_released(port: u16) {
    TcpListener::bind(v4(port)).unwrap_or_else(|e| panic!("port {port} still held: {e}"));
}

fn form(body: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// Asserts the exchange body: this code, a verifier matching the URL's
/// challenge, the redirect URI with the real port; plus `client_id` for a
/// public client.
fn assert_exchange_body(body: &[u8], auth: &Authorization, code: &str, client_id: Option<&str>) {
    let pairs = form(body);
    let names: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
    let mut expected = vec!["grant_type"];
    expected.extend(client_id.map(|_| "client_id"));
    expected.extend(["code_verifier", "code", "redirect_uri"]);
    assert_eq!(names, expected, "{}", String::from_utf8_lossy(body));
    let value = |name: &str| &pairs.iter().find(|(k, _)| k == name).unwrap().1;
    assert_eq!(value("grant_type"), "authorization_code");
    if let Some(id) = client_id {
        assert_eq!(value("client_id"), id);
    }
    assert_eq!(s256(value("code_verifier")), auth.param("code_challenge"));
    assert_eq!(auth.param("code_challenge_method"), "S256");
    assert_eq!(value("code"), code);
    assert_eq!(value("redirect_uri"), &auth.param("redirect_uri"));
}

#[test]
fn confidential_client_signs_in_through_favicon_and_forged_state() {
    let endpoint = TokenEndpoint::default();
    let flow = InstalledAppFlow::new(confidential())
        .scopes(["openid", "email"])
        .configure_request(|r| r.prompt("consent").login_hint("me@example.com"));
    let (running, mut prompt) = start(flow, &endpoint);
    let auth = prompt.url();
    let port = auth.port();
    assert_ne!(port, 0);
    assert_eq!(
        auth.param("redirect_uri"),
        format!("http://127.0.0.1:{port}/")
    );
    assert_eq!(auth.param("scope"), "openid email");
    assert_eq!(auth.param("prompt"), "consent");
    assert_eq!(auth.param("login_hint"), "me@example.com");
    assert_eq!(auth.param("access_type"), "offline");

    let favicon = get(port, "/favicon.ico");
    assert_eq!(status(&favicon), 404, "{favicon}");
    let forged = auth.get("/?state=forged&code=stolen");
    assert_eq!(status(&forged), 400, "{forged}");
    assert!(!running.is_finished());

    let state = auth.state();
    let page = auth.get(&format!("/?state={state}&code=4/0Ab&scope=openid+email"));
    assert!(page.starts_with("HTTP/1.1 200 OK\r\n"), "{page}");
    assert!(
        page.contains("\r\nReferrer-Policy: no-referrer\r\n"),
        "{page}"
    );
    assert!(page.ends_with(SUCCESS_MESSAGE), "{page}");

    let credentials = finish(running).unwrap();
    assert_eq!(credentials.token().unwrap().token().secret(), "ya29.a");
    assert_eq!(credentials.refresh_token().unwrap().secret(), "1//r");
    assert_eq!(credentials.client_secret().unwrap().secret(), SECRET);
    assert_released(port);

    let requests = endpoint.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.method(), "POST");
    assert_eq!(request.uri(), "https://as.example/token");
    let basic = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("installed-app:{SECRET}"))
    );
    assert_eq!(request.headers()["authorization"], basic.as_str());
    assert_exchange_body(request.body(), &auth, "4/0Ab", None);
    // The prompt and the waiting line: nothing else (no browser failure)
    // was printed.
    prompt.waiting();
    assert!(prompt.rx.try_recv().is_err());
}

#[test]
fn public_pkce_client_signs_in_without_a_secret() {
    let endpoint = TokenEndpoint::default();
    let (running, mut prompt) = start(
        InstalledAppFlow::new(public()).scopes(["openid"]),
        &endpoint,
    );
    let auth = prompt.url();
    let page = genuine_callback(&auth, "pub-code");
    assert_eq!(status(&page), 200, "{page}");
    let credentials = finish(running).unwrap();
    assert!(credentials.client_secret().is_none());
    let requests = endpoint.requests();
    assert!(requests[0].headers().get("authorization").is_none());
    assert_exchange_body(requests[0].body(), &auth, "pub-code", Some("public-app"));
}

/// The authorization URL `flow` sends the browser to; the sign-in is then
/// completed.
fn authorization_of(flow: InstalledAppFlow) -> Authorization {
    let endpoint = TokenEndpoint::default();
    let (running, mut prompt) = start(flow, &endpoint);
    let auth = prompt.url();
    assert_eq!(status(&genuine_callback(&auth, "c")), 200);
    finish(running).unwrap();
    auth
}

#[test]
fn by_default_the_request_asks_for_a_refresh_token_with_consent_and_offline_access() {
    let auth = authorization_of(InstalledAppFlow::new(public()).scopes(["openid"]));
    assert_eq!(auth.param("prompt"), "consent");
    assert_eq!(auth.param("access_type"), "offline");
}

#[test]
fn offline_false_sends_neither_and_configure_request_has_the_last_word() {
    let auth = authorization_of(InstalledAppFlow::new(public()).offline(false));
    for absent in ["prompt", "access_type"] {
        assert!(
            auth.url.query_pairs().all(|(name, _)| name != absent),
            "{absent} in {}",
            auth.url
        );
    }
    let auth = authorization_of(
        InstalledAppFlow::new(public()).configure_request(|r| r.prompt("select_account")),
    );
    assert_eq!(auth.param("prompt"), "select_account");
    assert_eq!(auth.param("access_type"), "offline");
}

#[test]
fn no_callback_times_out_and_releases_the_port() {
    let endpoint = TokenEndpoint::default();
    let flow = InstalledAppFlow::new(public()).timeout(Duration::from_secs(1));
    let (running, mut prompt) = start(flow, &endpoint);
    let port = prompt.url().port();
    // A connection still open at the deadline does not keep the port (on a
    // machine slow enough to reach the deadline first, it is refused).
    let _silent = TcpStream::connect(v4(port)).ok();
    let error = finish(running).unwrap_err();
    assert!(
        matches!(error, InstalledAppError::Timeout { waited } if waited == Duration::from_secs(1)),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("run the sign-in again"),
        "{error}"
    );
    assert_released(port);
    assert!(endpoint.requests().is_empty());
}

#[test]
fn a_busy_fixed_port_fails_fast_with_bind() {
    let taken = TcpListener::bind(v4(0)).unwrap();
    let port = taken.local_addr().unwrap().port();
    let (tx, rx) = mpsc::channel();
    let error = InstalledAppFlow::new(public())
        .port(port)
        .timeout(PATIENCE)
        .browser(Browser::Disabled)
        .prompt_to(PromptWriter(tx))
        .run(
            &mut StdRng::seed_from_u64(1),
            TokenEndpoint::default().answer(200, TOKEN_RESPONSE),
        )
        .unwrap_err();
    let InstalledAppError::Bind { addr, source } = &error else {
        panic!("{error:?}")
    };
    assert_eq!(*addr, v4(port));
    assert_eq!(source.kind(), io::ErrorKind::AddrInUse);
    assert!(
        error
            .to_string()
            .contains(&format!("port {port} on 127.0.0.1 is already in use")),
        "{error}"
    );
    assert!(
        rx.try_recv().is_err(),
        "nothing is printed before the listener is bound"
    );
}

#[test]
fn access_denied_ends_the_flow_with_the_typed_error() {
    let endpoint = TokenEndpoint::default();
    let (running, mut prompt) = start(InstalledAppFlow::new(confidential()), &endpoint);
    let auth = prompt.url();
    let page = auth.get(&format!(
        "/?error=access_denied&error_description=The+user+said+no&state={}",
        auth.state()
    ));
    assert_eq!(status(&page), 403, "{page}");
    assert!(page.contains("\r\n\r\nSign-in failed: "), "{page}");
    assert!(page.contains("access_denied"), "{page}");
    let error = finish(running).unwrap_err();
    let InstalledAppError::Callback(CallbackError::Authorization(oauth)) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(oauth.code(), &ErrorCode::AccessDenied);
    assert_eq!(oauth.description(), Some("The user said no"));
    assert!(
        endpoint.requests().is_empty(),
        "no code exchange after a refusal"
    );
    assert_released(auth.port());
}

#[test]
fn silent_connections_do_not_hold_up_the_callback() {
    // Serving connections one at a time would make the genuine callback
    // wait out a silent connection's CONNECTION_TIMEOUT, past this flow's
    // timeout. More silent connections than the runner serves at once.
    let timeout = Duration::from_secs(5);
    assert!(CONNECTION_TIMEOUT > timeout);
    let endpoint = TokenEndpoint::default();
    let (running, mut prompt) = start(InstalledAppFlow::new(public()).timeout(timeout), &endpoint);
    let auth = prompt.url();
    let silent: Vec<TcpStream> = (0..40)
        .map(|_| TcpStream::connect(v4(auth.port())).unwrap())
        .collect();
    let mut half_sent = TcpStream::connect(v4(auth.port())).unwrap();
    half_sent.write_all(b"GET /?state=").unwrap();
    let page = genuine_callback(&auth, "c");
    assert_eq!(status(&page), 200, "{page}");
    assert!(finish(running).is_ok());
    drop(silent);
}

#[test]
fn ipv6_loopback_when_the_machine_has_one() {
    match TcpListener::bind((Ipv6Addr::LOCALHOST, 0)) {
        Err(e) if e.kind() == io::ErrorKind::AddrNotAvailable => {
            eprintln!("NOTE: skipped: this machine has no IPv6 loopback ({e})");
            return;
        }
        other => drop(other.unwrap()),
    }
    let endpoint = TokenEndpoint::default();
    let (running, mut prompt) = start(
        InstalledAppFlow::new(public()).host(LoopbackHost::Ipv6),
        &endpoint,
    );
    let auth = prompt.url();
    let port = auth.port();
    assert_eq!(auth.param("redirect_uri"), format!("http://[::1]:{port}/"));
    let addr = SocketAddr::from((Ipv6Addr::LOCALHOST, port));
    let host = format!("[::1]:{port}");
    assert_eq!(status(&browser_get(addr, &host, "/favicon.ico", None)), 404);
    let page = auth.get(&format!("/?state={}&code=six", auth.state()));
    assert_eq!(status(&page), 200, "{page}");
    finish(running).unwrap();
    assert_exchange_body(
        &endpoint.requests()[0].body().clone(),
        &auth,
        "six",
        Some("public-app"),
    );
    TcpListener::bind(addr).expect("the [::1] port is released");
}

#[test]
fn localhost_listens_on_both_loopbacks() {
    let v6 = TcpListener::bind((Ipv6Addr::LOCALHOST, 0)).is_ok();
    let endpoint = TokenEndpoint::default();
    let (running, mut prompt) = start(
        InstalledAppFlow::new(public()).host(LoopbackHost::Localhost),
        &endpoint,
    );
    let auth = prompt.url();
    let port = auth.port();
    assert_eq!(
        auth.param("redirect_uri"),
        format!("http://localhost:{port}/")
    );
    let host = format!("localhost:{port}");
    assert_eq!(
        status(&browser_get(v4(port), &host, "/favicon.ico", None)),
        404
    );
    let genuine = format!("/?state={}&code=local", auth.state());
    let page = if v6 {
        browser_get(
            SocketAddr::from((Ipv6Addr::LOCALHOST, port)),
            &host,
            &genuine,
            Some(&auth.cookie),
        )
    } else {
        eprintln!("NOTE: no IPv6 loopback here: localhost is served on 127.0.0.1 only");
        auth.get(&genuine)
    };
    assert_eq!(status(&page), 200, "{page}");
    finish(running).unwrap();
    assert_released(port);
}

#[test]
fn path_and_trailing_slash_shape_the_redirect_uri() {
    let endpoint = TokenEndpoint::default();
    let flow = InstalledAppFlow::new(public()).path("/oauth/callback");
    let (running, mut prompt) = start(flow, &endpoint);
    let auth = prompt.url();
    let port = auth.port();
    assert_eq!(
        auth.param("redirect_uri"),
        format!("http://127.0.0.1:{port}/oauth/callback")
    );
    let state = auth.state();
    assert_eq!(status(&get(port, &format!("/?state={state}&code=c"))), 404);
    assert_eq!(
        status(&auth.get(&format!("/oauth/callback?state={state}&code=c"))),
        200
    );
    finish(running).unwrap();

    let (running, mut prompt) = start(
        InstalledAppFlow::new(public()).trailing_slash(false),
        &endpoint,
    );
    let auth = prompt.url();
    let port = auth.port();
    assert_eq!(
        auth.param("redirect_uri"),
        format!("http://127.0.0.1:{port}")
    );
    assert_eq!(status(&genuine_callback(&auth, "bare")), 200);
    finish(running).unwrap();
    let requests = endpoint.requests();
    assert_exchange_body(requests[1].body(), &auth, "bare", Some("public-app"));
}

#[test]
fn a_bad_path_is_a_config_error_before_anything_is_bound() {
    let (tx, rx) = mpsc::channel();
    let error = InstalledAppFlow::new(public())
        .path("/a/../b")
        .prompt_to(PromptWriter(tx))
        .browser(Browser::Disabled)
        .run(
            &mut StdRng::seed_from_u64(1),
            TokenEndpoint::default().answer(200, TOKEN_RESPONSE),
        )
        .unwrap_err();
    assert!(
        matches!(
            error,
            InstalledAppError::Config(ConfigError::InvalidUrl {
                field: "redirect_uri"
            })
        ),
        "{error:?}"
    );
    assert!(rx.try_recv().is_err());
}

#[test]
fn a_failed_token_exchange_is_an_exchange_error() {
    let endpoint = TokenEndpoint::default();
    let send = endpoint.answer(
        400,
        r#"{"error":"invalid_grant","error_description":"Bad code"}"#,
    );
    let flow = InstalledAppFlow::new(confidential()).browser(Browser::Disabled);
    // rand 0.8's generator (rand_core 0.6), through EntropyFn.
    let (running, mut prompt) = spawn_flow(flow, move |flow| {
        use rand08::{RngCore, SeedableRng};
        let mut rng = rand08::rngs::StdRng::seed_from_u64(3);
        flow.run(&mut EntropyFn::new(|bytes| rng.fill_bytes(bytes)), send)
    });
    let auth = prompt.url();
    assert_eq!(status(&genuine_callback(&auth, "c")), 200);
    let error = finish(running).unwrap_err();
    let InstalledAppError::Exchange(oauth2_sansio::Error::OAuth(oauth)) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(oauth.code(), &ErrorCode::InvalidGrant);
    assert!(!error.to_string().contains(SECRET));
    assert_released(auth.port());
}

#[test]
fn a_browser_that_cannot_start_is_reported_and_the_url_still_works() {
    let endpoint = TokenEndpoint::default();
    let send = endpoint.answer(200, TOKEN_RESPONSE);
    let flow = InstalledAppFlow::new(public())
        .browser(Browser::command("/nonexistent/oauth2-sansio-test-browser"));
    let (running, mut prompt) = spawn_flow(flow, move |flow| {
        flow.run(&mut StdRng::seed_from_u64(4), send)
    });
    let auth = prompt.url();
    let report = prompt.line();
    assert!(report.starts_with("Could not open a browser"), "{report}");
    assert!(
        report.contains("/nonexistent/oauth2-sansio-test-browser"),
        "{report}"
    );
    assert_eq!(status(&genuine_callback(&auth, "c")), 200);
    finish(running).unwrap();
}

#[cfg(unix)]
#[test]
fn a_browser_that_dies_at_once_is_reported_and_the_url_still_works() {
    let endpoint = TokenEndpoint::default();
    let send = endpoint.answer(200, TOKEN_RESPONSE);
    // `false` starts fine and exits with status 1, as a browser that cannot
    // open its window does.
    let flow = InstalledAppFlow::new(public()).browser(Browser::command("false"));
    let (running, mut prompt) = spawn_flow(flow, move |flow| {
        flow.run(&mut StdRng::seed_from_u64(5), send)
    });
    let auth = prompt.url();
    prompt.waiting();
    let report = prompt.line();
    assert!(report.starts_with("The browser exited"), "{report}");
    assert!(report.contains("open the URL above yourself"), "{report}");
    assert_eq!(status(&genuine_callback(&auth, "c")), 200);
    finish(running).unwrap();
}

#[test]
fn the_browser_opener_refuses_non_web_urls() {
    for url in [
        "file:///etc/passwd",
        "javascript:alert(1)",
        "data:text/html,x",
        "smb://host/share",
    ] {
        for browser in [
            Browser::System,
            Browser::command("/nonexistent/browser"),
            Browser::Disabled,
        ] {
            assert!(
                matches!(browser.open(url), Err(BrowserError::UnsupportedUrl)),
                "{url} {browser:?}"
            );
        }
    }
}

/// The browser program gets the URL as its one argument, byte for byte,
/// characters a shell would act on included.
#[cfg(unix)]
#[test]
fn the_browser_program_gets_the_url_as_one_argument_without_a_shell() {
    use std::os::unix::fs::PermissionsExt;

    let dir = std::env::temp_dir().join(format!("oauth2-sansio-browser-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let script = dir.join("browser");
    let out = dir.join("args");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$#\" \"$@\" > '{}'\n",
            out.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o700)).unwrap();

    let url = "https://as.example/auth?a=1&b=$(touch%20pwned)&c=`id`;d=|e";
    let browser = Browser::command_with_args(&script, ["--flag"]);
    let mut opened = browser.open(url);
    // Another test thread forking while the script was open for writing
    // makes exec fail with ETXTBSY for a moment.
    for _ in 0..100 {
        match &opened {
            Err(BrowserError::Spawn { source, .. })
                if source.kind() == io::ErrorKind::ExecutableFileBusy =>
            {
                opened = browser.open(url)
            }
            _ => break,
        }
    }
    let mut child = opened.unwrap().expect("a started program");
    assert!(child.wait().unwrap().success());
    let args = std::fs::read_to_string(&out).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(args, format!("2\n--flag\n{}\n", Url::parse(url).unwrap()));
}

#[test]
fn debug_shows_no_secret() {
    let flow = InstalledAppFlow::new(confidential()).scopes(["openid"]);
    let debug = format!("{flow:?}");
    assert!(debug.contains("InstalledAppFlow"), "{debug}");
    assert!(!debug.contains(SECRET), "{debug}");
}

/// `run_with_ureq` against a token endpoint on 127.0.0.1 that answers one
/// request with the canned token response.
#[test]
fn run_with_ureq_exchanges_the_code_over_http() {
    let token_server = TcpListener::bind(v4(0)).unwrap();
    let token_port = token_server.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let (mut stream, _) = token_server.accept().unwrap();
        stream.set_read_timeout(Some(PATIENCE)).unwrap();
        let request = read_http_request(&mut stream);
        write!(
            stream,
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{TOKEN_RESPONSE}",
            TOKEN_RESPONSE.len()
        )
        .unwrap();
        request
    });
    let client = Client::builder("public-app")
        .authorization_endpoint("https://as.example/auth")
        .token_endpoint(format!("http://127.0.0.1:{token_port}/token"))
        .build()
        .unwrap();
    let flow = InstalledAppFlow::new(client).browser(Browser::Disabled);
    let (running, mut prompt) = spawn_flow(flow, |flow| {
        flow.run_with_ureq(&mut StdRng::seed_from_u64(5))
    });
    let auth = prompt.url();
    assert_eq!(status(&genuine_callback(&auth, "wire")), 200);
    let credentials = finish(running).unwrap();
    assert_eq!(credentials.token().unwrap().token().secret(), "ya29.a");
    let (head, body) = server.join().unwrap();
    assert!(head.starts_with("POST /token HTTP/1.1\r\n"), "{head}");
    assert_exchange_body(&body, &auth, "wire", Some("public-app"));
}

/// Reads one request: the head, then `Content-Length` bytes of body.
fn read_http_request(stream: &mut TcpStream) -> (String, Vec<u8>) {
    let mut bytes = Vec::new();
    let mut byte = [0u8; 1];
    while !bytes.ends_with(b"\r\n\r\n") {
        stream.read_exact(&mut byte).unwrap();
        bytes.push(byte[0]);
    }
    let head = String::from_utf8(bytes).unwrap();
    let length: usize = head
        .lines()
        .find_map(|line| {
            line.to_ascii_lowercase()
                .strip_prefix("content-length:")
                .map(|v| v.trim().parse().unwrap())
        })
        .unwrap_or(0);
    let mut body = vec![0; length];
    stream.read_exact(&mut body).unwrap();
    (head, body)
}

/// Local clients hammering the listener: each thread opens connections as
/// fast as it can and holds its most recent ones, in turn silent,
/// half-closed (its write side shut) and half-sent (part of a request head).
struct Flood {
    stop: Arc<AtomicBool>,
    opened: Arc<AtomicUsize>,
    threads: Vec<JoinHandle<()>>,
}

impl Flood {
    /// How many connections each thread keeps open.
    const HELD: usize = 40;

    fn start(port: u16, threads: usize) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let opened = Arc::new(AtomicUsize::new(0));
        let threads = (0..threads)
            .map(|_| {
                let (stop, opened) = (stop.clone(), opened.clone());
                std::thread::spawn(move || {
                    let mut held = std::collections::VecDeque::new();
                    while !stop.load(Ordering::Relaxed) {
                        let Ok(mut stream) =
                            TcpStream::connect_timeout(&v4(port), Duration::from_millis(200))
                        else {
                            continue;
                        };
                        let n = opened.fetch_add(1, Ordering::Relaxed);
                        let _ = match n % 3 {
                            0 => Ok(()),
                            1 => stream.shutdown(std::net::Shutdown::Write),
                            _ => stream.write_all(b"GET /?state="),
                        };
                        held.push_back(stream);
                        if held.len() > Self::HELD {
                            held.pop_front();
                        }
                    }
                })
            })
            .collect();
        Self {
            stop,
            opened,
            threads,
        }
    }

    fn opened(&self) -> usize {
        self.opened.load(Ordering::Relaxed)
    }

    /// Stops the threads (closing their connections); how many they opened.
    fn stop(self) -> usize {
        self.stop.store(true, Ordering::Relaxed);
        for thread in self.threads {
            thread.join().expect("a flood thread does not panic");
        }
        self.opened.load(Ordering::Relaxed)
    }
}

/// The audit's F2: four local threads opening connections while the browser
/// came back made the listener drop the browser's connection in 6 of 8
/// sign-ins. Every sign-in must now succeed, the start link's visit and the
/// callback both made under the flood.
#[test]
fn a_connection_flood_does_not_defeat_the_sign_in() {
    const RUNS: usize = 8;
    const THREADS: usize = 4;
    let began = std::time::Instant::now();
    let mut flooded = Vec::new();
    for run in 0..RUNS {
        let endpoint = TokenEndpoint::default();
        let (running, mut prompt) = start(InstalledAppFlow::new(public()), &endpoint);
        let start_link = prompt.start_link();
        let flood = Flood::start(start_link.port().unwrap(), THREADS);
        // More connections than the listener keeps, before the browser comes.
        let deadline = std::time::Instant::now() + PATIENCE;
        while flood.opened() < 400 {
            assert!(
                std::time::Instant::now() < deadline,
                "the flood never got going"
            );
            std::thread::sleep(Duration::from_millis(1));
        }
        let auth = open_start_link(&start_link);
        let page = genuine_callback(&auth, "flooded");
        let opened = flood.stop();
        assert_eq!(status(&page), 200, "run {run}: {page}");
        let credentials = finish(running).unwrap_or_else(|e| panic!("run {run}: {e}"));
        assert_eq!(credentials.token().unwrap().token().secret(), "ya29.a");
        assert_exchange_body(
            endpoint.requests()[0].body(),
            &auth,
            "flooded",
            Some("public-app"),
        );
        flooded.push(opened);
    }
    eprintln!(
        "{RUNS} sign-ins under a flood of {THREADS} threads succeeded in {:?}; connections opened per run: {flooded:?}",
        began.elapsed()
    );
}

#[test]
fn the_start_link_redirects_once_then_a_second_visit_stops_the_flow() {
    let endpoint = TokenEndpoint::default();
    let (running, mut prompt) = start(InstalledAppFlow::new(public()), &endpoint);
    let link = prompt.start_link();
    let port = link.port().unwrap();
    let token = link.path().strip_prefix("/start/").expect("a start link");
    assert_eq!(
        link.as_str(),
        format!("http://127.0.0.1:{port}/start/{token}")
    );
    assert_eq!(token.len(), 43, "256 bits");
    assert!(token
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));

    let host = format!("127.0.0.1:{port}");
    let first = browser_get(v4(port), &host, link.path(), None);
    assert!(first.starts_with("HTTP/1.1 303 See Other\r\n"), "{first}");
    assert_eq!(header(&first, "Referrer-Policy"), "no-referrer");
    assert_eq!(header(&first, "Cache-Control"), "no-store");
    let auth_url = Url::parse(header(&first, "Location")).unwrap();
    assert_eq!(
        auth_url.as_str().split('?').next(),
        Some("https://as.example/auth")
    );
    let set_cookie = header(&first, "Set-Cookie");
    let (cookie, attributes) = set_cookie.split_once("; ").unwrap();
    assert_eq!(attributes, "Path=/; HttpOnly; SameSite=Lax");
    let (name, value) = cookie.split_once('=').unwrap();
    assert_eq!(name, format!("oauth2-sansio-{port}"));
    assert_eq!(value.len(), 43, "256 bits");
    assert!(!running.is_finished());

    let second = browser_get(v4(port), &host, link.path(), Some(cookie));
    assert_eq!(status(&second), 410, "{second}");
    assert!(!second.contains("Location:"), "{second}");
    let error = finish(running).unwrap_err();
    assert!(
        matches!(
            error,
            InstalledAppError::Callback(CallbackError::StartLinkReused)
        ),
        "{error:?}"
    );
    assert!(error.to_string().contains("opened twice"), "{error}");
    assert!(endpoint.requests().is_empty());
    assert_released(port);
}

#[test]
fn a_callback_without_the_start_links_cookie_does_not_finish_the_flow() {
    let endpoint = TokenEndpoint::default();
    let (running, mut prompt) = start(InstalledAppFlow::new(public()), &endpoint);
    let auth = prompt.url();
    let port = auth.port();
    let host = format!("127.0.0.1:{port}");
    let (name, value) = auth.cookie.split_once('=').unwrap();
    let genuine = format!("/?state={}&code=c", auth.state());
    let denied = format!("/?state={}&error=access_denied", auth.state());
    for cookie in [
        None,
        Some(format!("{name}=")),
        Some(format!("{name}={}", value.to_ascii_lowercase())),
        Some(format!("{name}={}", &value[1..])),
        Some(format!("{name}x={value}")),
        Some(format!("other={value}")),
    ] {
        for target in [&genuine, &denied] {
            let page = browser_get(v4(port), &host, target, cookie.as_deref());
            assert_eq!(status(&page), 400, "{cookie:?}: {page}");
            assert!(page.contains("did not open this sign-in's link"), "{page}");
            assert!(!running.is_finished(), "{cookie:?} {target}");
        }
    }
    let page = auth.get(&genuine);
    assert_eq!(status(&page), 200, "{page}");
    assert_eq!(
        header(&page, "Set-Cookie"),
        format!("{name}=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax")
    );
    finish(running).unwrap();
    assert_eq!(endpoint.requests().len(), 1);
}

#[test]
fn start_links_and_cookies_come_from_the_callers_rng() {
    let links: Vec<(Url, String)> = [1, 2, 1]
        .into_iter()
        .map(|seed| {
            let endpoint = TokenEndpoint::default();
            let send = endpoint.answer(200, TOKEN_RESPONSE);
            let flow = InstalledAppFlow::new(public()).browser(Browser::Disabled);
            let (running, mut prompt) = spawn_flow(flow, move |flow| {
                flow.run(&mut StdRng::seed_from_u64(seed), send)
            });
            let link = prompt.start_link();
            let auth = open_start_link(&link);
            assert_eq!(status(&genuine_callback(&auth, "c")), 200);
            finish(running).unwrap();
            let (_, value) = auth.cookie.split_once('=').unwrap();
            (link, value.to_owned())
        })
        .collect();
    let path = |i: usize| links[i].0.path().to_owned();
    assert_ne!(path(0), path(1));
    assert_ne!(links[0].1, links[1].1);
    assert_eq!(path(0), path(2), "the same seed, the same link");
    assert_eq!(links[0].1, links[2].1);
    assert_ne!(path(0).trim_start_matches("/start/"), links[0].1);
}

/// The browser's command line holds the start link and nothing else: not
/// the authorization URL, `state` or the PKCE challenge.
#[cfg(unix)]
#[test]
fn the_browser_is_started_with_the_start_link_only() {
    let dir =
        std::env::temp_dir().join(format!("oauth2-sansio-browser-args-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("args");
    // A shell reading the URL as its positional parameter, not as code: no
    // script file, so no ETXTBSY from other tests forking meanwhile.
    let browser = Browser::command_with_args(
        "/bin/sh",
        [
            "-c".to_owned(),
            format!("printf '%s\\n' \"$@\" > '{}'", out.display()),
            "browser".to_owned(),
        ],
    );
    let endpoint = TokenEndpoint::default();
    let send = endpoint.answer(200, TOKEN_RESPONSE);
    let flow = InstalledAppFlow::new(confidential()).browser(browser);
    let (running, mut prompt) = spawn_flow(flow, move |flow| {
        flow.run(&mut StdRng::seed_from_u64(6), send)
    });
    let link = prompt.start_link();
    let auth = open_start_link(&link);
    assert_eq!(status(&genuine_callback(&auth, "c")), 200);
    finish(running).unwrap();
    // The flow does not wait for the browser program: wait for its output.
    let deadline = std::time::Instant::now() + PATIENCE;
    let args = loop {
        match std::fs::read_to_string(&out) {
            Ok(args) if args.ends_with('\n') => break args,
            _ => assert!(
                std::time::Instant::now() < deadline,
                "the browser never ran"
            ),
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(args, format!("{link}\n"));
    for secret in [
        auth.state(),
        auth.param("code_challenge"),
        "as.example".to_owned(),
        "state=".to_owned(),
    ] {
        assert!(!args.contains(&secret), "{secret} in {args}");
    }
}

/// The addresses listening on `port`, as the kernel lists them in
/// `/proc/net/tcp` and `/proc/net/tcp6` (state `0A`), in hex as there:
/// `0100007F` is 127.0.0.1, `00000000` is 0.0.0.0.
#[cfg(target_os = "linux")]
fn listening_on(port: u16) -> Vec<String> {
    let port = format!(":{port:04X}");
    ["/proc/net/tcp", "/proc/net/tcp6"]
        .iter()
        .filter_map(|table| std::fs::read_to_string(table).ok())
        .flat_map(|table| {
            table
                .lines()
                .skip(1)
                .filter_map(|line| {
                    let fields: Vec<&str> = line.split_whitespace().collect();
                    let address = fields.get(1)?.strip_suffix(&port)?;
                    (fields.get(3) == Some(&"0A")).then(|| address.to_owned())
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The runner's sockets, seen from outside: loopback addresses only, never
/// all interfaces.
#[cfg(target_os = "linux")]
#[test]
fn the_runner_listens_on_loopback_addresses_only() {
    const V4_LOOPBACK: &str = "0100007F";
    const V6_LOOPBACK: &str = "00000000000000000000000001000000";
    let v6 = TcpListener::bind((Ipv6Addr::LOCALHOST, 0)).is_ok();
    for (host, mut expected) in [
        (LoopbackHost::Ipv4, vec![V4_LOOPBACK]),
        (LoopbackHost::Ipv6, vec![V6_LOOPBACK]),
        (
            LoopbackHost::Localhost,
            if v6 {
                vec![V4_LOOPBACK, V6_LOOPBACK]
            } else {
                vec![V4_LOOPBACK]
            },
        ),
    ] {
        if host == LoopbackHost::Ipv6 && !v6 {
            eprintln!("NOTE: no IPv6 loopback here: [::1] not checked");
            continue;
        }
        let endpoint = TokenEndpoint::default();
        let (running, mut prompt) = start(InstalledAppFlow::new(public()).host(host), &endpoint);
        let auth = prompt.url();
        let mut listening = listening_on(auth.port());
        listening.sort();
        expected.sort();
        assert_eq!(listening, expected, "{host:?}");
        assert_eq!(status(&genuine_callback(&auth, "c")), 200);
        finish(running).unwrap();
    }
}

/// A client as python3 writes it: connects to `argv[1]` port `argv[2]`,
/// sends `argv[3]`, prints its uid and then the whole answer (nothing if
/// the connection was closed or reset unanswered).
#[cfg(target_os = "linux")]
const PYTHON_CLIENT: &str = r#"
import os, socket, sys
sys.stdout.write("uid=%d\n" % os.geteuid())
sock = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=20)
answer = b""
try:
    sock.sendall(sys.argv[3].encode())
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            break
        answer += chunk
except ConnectionError:
    pass
sys.stdout.write(answer.decode("latin-1"))
"#;

/// GETs `target` from `ip` (as python names it) and `port` in a process
/// running as another user; the whole answer. Call once
/// [`testkit::another_user::python_as_nobody`] said the test can run.
#[cfg(target_os = "linux")]
fn get_as_nobody(ip: &str, port: u16, host: &str, target: &str, cookie: Option<&str>) -> String {
    let cookie = cookie.map_or(String::new(), |cookie| format!("Cookie: {cookie}\r\n"));
    let request =
        format!("GET {target} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: test\r\n{cookie}\r\n");
    let output = testkit::another_user::python_as_nobody("", PYTHON_CLIENT)
        .expect("root")
        .args([ip, &port.to_string(), &request])
        .output()
        .expect("python3 runs");
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        output.status.success(),
        "the client failed: {}{stdout}",
        String::from_utf8_lossy(&output.stderr)
    );
    let answer = stdout
        .strip_prefix(&format!("uid={}\n", testkit::another_user::NOBODY))
        .unwrap_or_else(|| panic!("the client did not run as nobody: {stdout}"));
    answer.to_owned()
}

/// F3's residue: another local user who reads the start link (from the
/// browser's command line) or the whole callback. Their connections are
/// closed unanswered and never reach the flow: the start link still works
/// for the browser, a callback with the right state and cookie from them
/// does not end the flow, and the same request from this user does. On
/// each loopback address, and from an IPv6 socket to `::ffff:127.0.0.1`.
#[cfg(target_os = "linux")]
#[test]
fn another_users_connections_are_closed_unanswered_and_never_reach_the_flow() {
    const CASE: &str = "another_users_connections_are_closed_unanswered_and_never_reach_the_flow";
    if testkit::another_user::python_as_nobody(CASE, PYTHON_CLIENT).is_none() {
        return;
    }
    let v6 = TcpListener::bind((Ipv6Addr::LOCALHOST, 0)).is_ok();
    for (host, client_ip) in [
        (LoopbackHost::Ipv4, "127.0.0.1"),
        (LoopbackHost::Ipv4, "::ffff:127.0.0.1"),
        (LoopbackHost::Ipv6, "::1"),
    ] {
        if host == LoopbackHost::Ipv6 && !v6 {
            eprintln!("NOTE: no IPv6 loopback here: [::1] not checked");
            continue;
        }
        let endpoint = TokenEndpoint::default();
        let (running, mut prompt) = start(InstalledAppFlow::new(public()).host(host), &endpoint);
        let link = prompt.start_link();
        let port = link.port().unwrap();
        let authority = format!("{}:{port}", link.host_str().unwrap());
        let visit = get_as_nobody(client_ip, port, &authority, link.path(), None);
        assert_eq!(visit, "", "{client_ip}: the start link was answered");
        prompt.waiting();
        let told = prompt.line();
        assert!(
            told.starts_with("Refused a connection from another user of this machine;"),
            "{told}"
        );

        let auth = open_start_link(&link);
        let callback = format!("/?state={}&code=same", auth.state());
        let forged = get_as_nobody(client_ip, port, &authority, &callback, Some(&auth.cookie));
        assert_eq!(forged, "", "{client_ip}: the callback was answered");
        assert!(!running.is_finished(), "{client_ip}");

        let page = auth.get(&callback);
        assert_eq!(status(&page), 200, "{page}");
        finish(running).unwrap();
        let requests = endpoint.requests();
        assert_eq!(requests.len(), 1);
        assert_exchange_body(requests[0].body(), &auth, "same", Some("public-app"));
        let later: String = prompt
            .rx
            .try_iter()
            .map(|chunk| String::from_utf8(chunk).unwrap())
            .collect();
        assert_eq!(prompt.text + &later, "", "the refusal is told once");
    }
}
