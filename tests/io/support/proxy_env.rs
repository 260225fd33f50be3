//! Proxy variables are process-global, so the proxy tests set them only in
//! child processes. Each transport's module has an ignored test, its
//! [`ProxyChild`]; a proxy test starts this same binary, running that test
//! alone, with one proxy variable pointing at a logging proxy. The child
//! runs a code exchange against the token endpoint it is given and prints
//! what happened; the parent, which owns the proxy and the endpoint, checks
//! who saw what.

use std::process::Command;

use oauth2_sansio::{Client, ClientSecret, Error};

use super::proxy::LoggingProxy;
use super::tls_sink::TlsSink;
use super::TOKENS;
use testkit::canned_http::{canned, Answer, CannedServer};

/// The full name of the ignored test a transport's proxy tests run as the
/// child (`ureq_transport::proxy_child`). The binary holds one for each
/// transport; a name that matches none makes the parent fail, as the child
/// then reports no outcome.
#[derive(Clone, Copy)]
pub struct ProxyChild(pub &'static str);

/// Every variable that names a proxy for ureq or reqwest.
pub const PROXY_VARIABLES: [&str; 6] = [
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
];

/// Also removed from the child's environment: `NO_PROXY` (set again only
/// where a case asks), and `REQUEST_METHOD`, under which reqwest ignores
/// proxy variables (a CGI guard).
const OTHER_PROXY_SETTINGS: [&str; 3] = ["NO_PROXY", "no_proxy", "REQUEST_METHOD"];

const TOKEN_URL_VARIABLE: &str = "OAUTH2_SANSIO_TEST_CHILD_TOKEN_URL";
const OUTCOME_PREFIX: &str = "child outcome: ";

/// What the child reported, and what the proxy saw meanwhile.
pub struct Observed {
    /// `tokens`, `HTTP <status>`, `transport failure <kind>` or
    /// `error: <message>`.
    pub outcome: String,
    /// The request lines the proxy received.
    pub proxy_saw: Vec<String>,
}

/// Runs a code exchange against `token_url` in a child process whose only
/// proxy settings are `variable`, pointing at a fresh [`LoggingProxy`], and
/// `NO_PROXY` if given.
pub fn exchange_in_child(
    child: ProxyChild,
    variable: &str,
    no_proxy: Option<&str>,
    token_url: &str,
) -> Observed {
    let proxy = LoggingProxy::start();
    let mut command = Command::new(std::env::current_exe().unwrap());
    command.args([child.0, "--exact", "--ignored", "--nocapture"]);
    for name in PROXY_VARIABLES.iter().chain(&OTHER_PROXY_SETTINGS) {
        command.env_remove(name);
    }
    command
        .env(variable, proxy.url())
        .env(TOKEN_URL_VARIABLE, token_url);
    if let Some(no_proxy) = no_proxy {
        command.env("NO_PROXY", no_proxy);
    }
    let output = command.output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let case = format!("{variable} set, NO_PROXY {no_proxy:?}, token endpoint {token_url}");
    assert!(
        output.status.success(),
        "{case}: the child failed\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let outcome = stdout
        .lines()
        .find_map(|line| line.strip_prefix(OUTCOME_PREFIX))
        .unwrap_or_else(|| panic!("{case}: the child reported no outcome\n{stdout}"))
        .to_owned();
    Observed {
        outcome,
        proxy_saw: proxy.request_lines(),
    }
}

/// In a child started by [`exchange_in_child`]: the token endpoint to use;
/// `None` in any other process.
pub fn child_token_url() -> Option<String> {
    std::env::var(TOKEN_URL_VARIABLE).ok()
}

/// The child's client. http is allowed on any host, so that a request to
/// `http://example.invalid` can show where it goes.
pub fn child_client(token_url: &str) -> Client {
    Client::builder("installed-app")
        .client_secret(ClientSecret::new("installed-app-secret"))
        .authorization_endpoint("https://as.example/auth")
        .token_endpoint(token_url)
        .allow_insecure_endpoints(true)
        .build()
        .unwrap()
}

/// Prints the child's outcome for the parent.
pub fn report<T>(result: Result<T, Error>) {
    let outcome = match result {
        Ok(_) => "tokens".to_owned(),
        Err(Error::HttpStatus { status }) => format!("HTTP {status}"),
        Err(Error::Transport(failure)) => format!("transport failure {:?}", failure.kind()),
        Err(other) => format!("error: {other}"),
    };
    println!("{OUTCOME_PREFIX}{outcome}");
}

/// The token endpoint the non-loopback cases use: a host that must not
/// resolve, with the scheme `variable` applies to.
pub fn unreachable_token_url(variable: &str) -> &'static str {
    if variable.eq_ignore_ascii_case("HTTPS_PROXY") {
        "https://example.invalid/token"
    } else {
        "http://example.invalid/token"
    }
}

/// With any proxy variable set (with or without `NO_PROXY`), a code
/// exchange with an http token endpoint on 127.0.0.1 or `localhost` goes
/// straight to it and succeeds; the proxy sees nothing.
pub fn assert_http_loopback_is_never_proxied(child: ProxyChild) {
    let cases = PROXY_VARIABLES
        .iter()
        .map(|variable| (*variable, "127.0.0.1", None))
        .chain([
            ("ALL_PROXY", "localhost", None),
            ("http_proxy", "LocalHost", None),
            ("HTTP_PROXY", "127.0.0.1", Some("example.com")),
        ]);
    for (variable, host, no_proxy) in cases {
        let endpoint = CannedServer::start(vec![Answer::Bytes(canned(200, TOKENS))]);
        let token_url = format!("http://{host}:{}/token", endpoint.addr.port());
        let seen = exchange_in_child(child, variable, no_proxy, &token_url);
        let case = format!("{variable} set, NO_PROXY {no_proxy:?}, {token_url}");
        assert_eq!(
            seen.proxy_saw,
            Vec::<String>::new(),
            "{case}: the proxy saw the token request"
        );
        assert_eq!(seen.outcome, "tokens", "{case}");
        let received = endpoint.requests();
        assert_eq!(received.len(), 1, "{case}");
        assert_eq!(received[0].line, "POST /token HTTP/1.1", "{case}");
    }
}

/// With any proxy variable set, the TLS handshake for an https token
/// endpoint on 127.0.0.1 goes straight to it (which hangs up, so the
/// exchange fails); the proxy sees nothing, not even a `CONNECT`.
pub fn assert_https_loopback_is_never_proxied(child: ProxyChild) {
    for variable in PROXY_VARIABLES {
        let endpoint = TlsSink::start();
        let token_url = format!("https://127.0.0.1:{}/token", endpoint.addr.port());
        let seen = exchange_in_child(child, variable, None, &token_url);
        let case = format!("{variable} set, {token_url}");
        assert_eq!(
            seen.proxy_saw,
            Vec::<String>::new(),
            "{case}: the proxy saw the connection"
        );
        assert!(
            seen.outcome.starts_with("transport failure"),
            "{case}: {}",
            seen.outcome
        );
        assert_eq!(endpoint.client_hellos(), 1, "{case}");
    }
}
