//! A blocking transport over [ureq](https://docs.rs/ureq) 3 (feature `ureq`).
//!
//! Requests to loopback hosts (127.0.0.0/8, `[::1]`, `localhost` and names
//! under it) are never sent through a proxy, whatever the proxy variables
//! say; other hosts use the proxy the environment names.
//!
//! ```no_run
//! use oauth2_sansio::io::ureq::UreqTransport;
//! use oauth2_sansio::{Credentials, UserCredentials};
//!
//! # fn refresh(credentials: &UserCredentials) -> Result<UserCredentials, oauth2_sansio::Error> {
//! let transport = UreqTransport::new();
//! let refreshed = transport.run(credentials.refresh()?)?;
//! # Ok(refreshed)
//! # }
//! ```

mod adc;
mod authorized;
mod iam_signer;
#[cfg(feature = "ring")]
mod id_token;

#[cfg(feature = "ring")]
pub use crate::jwt::verify::VerifyFailure;
pub use adc::{default_credentials, default_token_source, TokenSource};
pub use authorized::AuthorizedAgent;
pub use iam_signer::IamSigner;
pub use id_token::KeySetClient;

use std::io;
use std::time::{Duration, SystemTime};

use http::header::{CONTENT_ENCODING, CONTENT_LENGTH};
use http::{Method, Request, Response};
use ureq::config::AutoHeaderValue;
use ureq::{Agent, AsSendBody, Body};

use super::common::{is_loopback_destination, server_name, too_large};
use crate::client::DEFAULT_RESPONSE_LIMIT;
use crate::error::{Error, TransportFailure, TransportFailureKind};
use crate::io::sleep_until;
use crate::machine::drive::drive;
use crate::machine::step::Machine;
use crate::RequestTimeout;

pub use super::common::{DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT};

/// A blocking HTTP transport for the crate's machines, over a ureq 3
/// [`Agent`].
///
/// It sends each request as the machine built it and hands back whatever
/// the server answered:
///
/// - redirects are never followed: a 3xx comes back as a response (which
///   the machines turn into [`Error::Redirect`]), since token requests
///   carry secrets;
/// - 4xx and 5xx come back as responses too, so the machines can read the
///   OAuth error in the body;
/// - no `Accept`, `Accept-Encoding` or `User-Agent` is added: only `Host`
///   and `Content-Length`, which HTTP/1.1 needs, join the request's own
///   headers;
/// - the response body is read up to
///   [`response_limit`](Self::response_limit) bytes; a longer body is a
///   [`TransportFailureKind::BodyTooLarge`] failure, detected without
///   reading the rest;
/// - connection setup and the whole request are bounded in time.
///
/// Proxies named in the usual environment variables (`ALL_PROXY`,
/// `HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`, in upper or lower case, read when
/// the transport is built) are used as ureq does by default, except for
/// loopback destinations (127.0.0.0/8, `[::1]`, `localhost` and names under
/// it): those are always connected to directly, so that no proxy sees the
/// secrets sent to a loopback token endpoint, which is often plain http.
#[derive(Debug, Clone)]
pub struct UreqTransport {
    agent: Agent,
    connect_timeout: Duration,
    timeout: Duration,
    response_limit: usize,
}

impl Default for UreqTransport {
    fn default() -> Self {
        Self::new()
    }
}

impl UreqTransport {
    /// A transport with the default timeouts ([`DEFAULT_CONNECT_TIMEOUT`],
    /// [`DEFAULT_TIMEOUT`]) and response bound
    /// ([`DEFAULT_RESPONSE_LIMIT`]).
    pub fn new() -> Self {
        Self {
            agent: agent(DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT),
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            response_limit: DEFAULT_RESPONSE_LIMIT,
        }
    }

    /// Bounds connection setup (DNS, TCP, TLS).
    pub fn with_connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self.agent = agent(self.connect_timeout, self.timeout);
        self
    }

    /// Bounds a whole request, from connecting to the end of the response.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self.agent = agent(self.connect_timeout, self.timeout);
        self
    }

    /// Bounds response bodies, in bytes.
    pub fn with_response_limit(mut self, bytes: usize) -> Self {
        self.response_limit = bytes;
        self
    }

    /// The bound on connection setup.
    pub fn connect_timeout(&self) -> Duration {
        self.connect_timeout
    }

    /// The bound on a whole request.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The bound on response bodies, in bytes.
    pub fn response_limit(&self) -> usize {
        self.response_limit
    }

    /// Sends one request and reads the whole (bounded) response.
    ///
    /// Failure messages name the server's host and port and the kind of
    /// failure; they never contain the request's headers or body.
    pub fn send(&self, request: Request<Vec<u8>>) -> Result<Response<Vec<u8>>, TransportFailure> {
        let server = server_name(request.uri());
        let (parts, body) = request.into_parts();
        let sent = if body.is_empty() && !carries_body(&parts.method) {
            // An empty Vec would still make ureq send `Content-Length: 0`.
            execute(&self.agent, Request::from_parts(parts, ()))
        } else {
            execute(&self.agent, Request::from_parts(parts, body))
        };
        let (parts, body) = sent.map_err(|e| failure(&e, &server))?.into_parts();
        let limit = self.response_limit;
        if declared_length(&parts.headers).is_some_and(|length| length > limit as u64) {
            return Err(too_large(&server, limit));
        }
        let body = body
            .into_with_config()
            .limit(limit as u64)
            .read_to_vec()
            .map_err(|e| failure(&e, &server))?;
        Ok(Response::from_parts(parts, body))
    }

    /// Runs `machine` to completion: [`send`](Self::send) for each request,
    /// the system clock for `now`, and a thread sleep for each wait.
    pub fn run<M: Machine>(&self, machine: M) -> Result<M::Output, Error> {
        drive(
            machine,
            SystemTime::now,
            |request| self.send(request),
            sleep_until,
        )
    }
}

fn agent(connect_timeout: Duration, timeout: Duration) -> Agent {
    Agent::config_builder()
        .max_redirects(0)
        .http_status_as_error(false)
        .accept(AutoHeaderValue::None)
        .accept_encoding(AutoHeaderValue::None)
        .user_agent(AutoHeaderValue::None)
        .timeout_connect(Some(connect_timeout))
        .timeout_global(Some(timeout))
        .build()
        .new_agent()
}

/// Sends `request` on `agent`; to a loopback destination, without the
/// agent's proxy (ureq decides on proxies per request, from its
/// configuration); within the request's own [`RequestTimeout`] when it has
/// one.
fn execute<S: AsSendBody>(
    agent: &Agent,
    request: Request<S>,
) -> Result<Response<Body>, ureq::Error> {
    let loopback = is_loopback_destination(request.uri());
    let timeout = request.extensions().get::<RequestTimeout>().copied();
    if !loopback && timeout.is_none() {
        return agent.run(request);
    }
    let mut configured = agent.configure_request(request);
    if loopback {
        configured = configured.proxy(None);
    }
    if let Some(RequestTimeout(timeout)) = timeout {
        configured = configured.timeout_global(Some(timeout));
    }
    agent.run(configured.build())
}

fn carries_body(method: &Method) -> bool {
    matches!(*method, Method::POST | Method::PUT | Method::PATCH)
}

/// The body length the server declared, when it is the length of what ureq
/// hands back (not a compressed length ureq will decode).
fn declared_length(headers: &http::HeaderMap) -> Option<u64> {
    if headers.contains_key(CONTENT_ENCODING) {
        return None;
    }
    headers.get(CONTENT_LENGTH)?.to_str().ok()?.parse().ok()
}

/// Maps a ureq error to a failure whose message is written here, so that
/// nothing of the request (URI query, headers, body) can leak into it.
fn failure(error: &ureq::Error, server: &str) -> TransportFailure {
    use TransportFailureKind::{BodyTooLarge, Connect, Other, Timeout};
    let (kind, what) = match error {
        ureq::Error::Timeout(which) => (Timeout, format!("no answer within the {which} timeout")),
        ureq::Error::Io(e) => io_failure(e),
        ureq::Error::HostNotFound => (Connect, "host not found".to_owned()),
        ureq::Error::ConnectionFailed => (Connect, "connection failed".to_owned()),
        ureq::Error::Tls(reason) => (Connect, format!("TLS: {reason}")),
        ureq::Error::Rustls(e) => (Connect, format!("TLS: {e}")),
        ureq::Error::ConnectProxyFailed(_) | ureq::Error::InvalidProxyUrl => {
            (Connect, "the configured proxy failed".to_owned())
        }
        ureq::Error::BodyExceedsLimit(limit) => (
            BodyTooLarge,
            format!("the response body exceeds {limit} bytes"),
        ),
        ureq::Error::LargeResponseHeader(_, limit) => {
            (Other, format!("the response headers exceed {limit} bytes"))
        }
        ureq::Error::Protocol(_) => (Other, "the answer is not valid HTTP/1.1".to_owned()),
        ureq::Error::BadUri(_) | ureq::Error::Http(_) => {
            (Other, "the request cannot be sent over HTTP/1.1".to_owned())
        }
        _ => (Other, "the HTTP client failed".to_owned()),
    };
    TransportFailure::new(kind, format!("{server}: {what}"))
}

/// What an IO error means: a name the resolver could not find (std says
/// "failed to lookup address information", of no stable kind) is a
/// connection failure naming the host; the rest by their kind, with the
/// system's words.
fn io_failure(error: &io::Error) -> (TransportFailureKind, String) {
    let text = error.to_string();
    if text.contains("failed to lookup address") {
        (
            TransportFailureKind::Connect,
            format!("host not found ({text})"),
        )
    } else {
        (io_kind(error), text)
    }
}

fn io_kind(error: &io::Error) -> TransportFailureKind {
    match error.kind() {
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => TransportFailureKind::Timeout,
        io::ErrorKind::ConnectionRefused
        | io::ErrorKind::HostUnreachable
        | io::ErrorKind::NetworkUnreachable
        | io::ErrorKind::AddrNotAvailable => TransportFailureKind::Connect,
        _ => TransportFailureKind::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compressed_length_is_not_the_body_length() {
        let mut headers = http::HeaderMap::new();
        headers.insert(CONTENT_LENGTH, "10".parse().unwrap());
        assert_eq!(declared_length(&headers), Some(10));
        headers.insert(CONTENT_ENCODING, "gzip".parse().unwrap());
        assert_eq!(declared_length(&headers), None);
    }

    #[test]
    fn io_errors_map_to_kinds() {
        let kind = |k| failure(&ureq::Error::Io(io::Error::from(k)), "h").kind();
        assert_eq!(
            kind(io::ErrorKind::ConnectionRefused),
            TransportFailureKind::Connect
        );
        assert_eq!(kind(io::ErrorKind::TimedOut), TransportFailureKind::Timeout);
        assert_eq!(
            kind(io::ErrorKind::UnexpectedEof),
            TransportFailureKind::Other
        );
    }
}
