//! [`ReqwestTransport`], written once for every reqwest version the crate
//! supports: each version's module (`io::reqwest`, `io::reqwest_012`)
//! includes this file, with `super::backend` naming its reqwest and
//! `super::shim` what differs between versions.

use std::future::Future;
use std::io;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use super::backend::redirect::Policy;
use super::backend::{Client, ClientBuilder};
use super::shim;
use http::{Request, Response};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};

use crate::client::DEFAULT_RESPONSE_LIMIT;
use crate::error::{Error, TransportFailure, TransportFailureKind};
use crate::io::common::{is_loopback_destination, server_name, too_large};
use crate::machine::drive::drive_async;
use crate::machine::step::Machine;
use crate::macros::setters;
use crate::RequestTimeout;

pub use crate::io::common::{DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT};

/// An async HTTP transport for the crate's machines, over a reqwest
/// [`Client`].
///
/// It sends each request as the machine built it and hands back whatever
/// the server answered:
///
/// - redirects are never followed: a 3xx comes back as a response (which
///   the machines turn into [`Error::Redirect`]), since token requests
///   carry secrets;
/// - 4xx and 5xx come back as responses too, so the machines can read the
///   OAuth error in the body;
/// - the request's own headers win; reqwest adds only `Host` and
///   `Content-Length` (for a body), and `Accept: */*` to a request that has
///   no `Accept` (every request the crate's machines build has one); no
///   `User-Agent` or `Accept-Encoding`, and no response body is decoded;
/// - the response body is read chunk by chunk up to
///   [`response_limit`](Self::response_limit) bytes; a longer body (by its
///   `Content-Length`, or once the bytes read pass the limit) is a
///   [`TransportFailureKind::BodyTooLarge`] failure, without reading the
///   rest;
/// - connection setup and the whole request are bounded in time.
///
/// TLS is rustls with the *ring* provider, set on this transport's client
/// only (no process-wide default provider is installed), verifying servers
/// against the system's root certificates.
///
/// Proxies named in the usual environment variables (`ALL_PROXY`,
/// `HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`, in upper or lower case, read when
/// the client is built) are used as reqwest does by default, except for
/// loopback destinations (127.0.0.0/8, `[::1]`, `localhost` and names under
/// it): those go over a second client without any proxy, so that no proxy
/// sees the secrets sent to a loopback token endpoint, which is often plain
/// http.
#[derive(Debug, Clone)]
pub struct ReqwestTransport {
    client: Client,
    /// For loopback destinations: no proxy at all (reqwest decides on
    /// proxies per client, not per request).
    direct: Client,
    connect_timeout: Option<Duration>,
    timeout: Duration,
    response_limit: usize,
}

impl Default for ReqwestTransport {
    fn default() -> Self {
        Self::new()
    }
}

impl ReqwestTransport {
    /// A transport with the default timeouts ([`DEFAULT_CONNECT_TIMEOUT`],
    /// [`DEFAULT_TIMEOUT`]) and response bound
    /// ([`DEFAULT_RESPONSE_LIMIT`]).
    pub fn new() -> Self {
        let (client, direct) = clients(DEFAULT_CONNECT_TIMEOUT);
        Self {
            client,
            direct,
            connect_timeout: Some(DEFAULT_CONNECT_TIMEOUT),
            timeout: DEFAULT_TIMEOUT,
            response_limit: DEFAULT_RESPONSE_LIMIT,
        }
    }

    /// A transport over the caller's own client (shared connection pool,
    /// custom TLS roots, proxies, a `User-Agent`).
    ///
    /// **The client must not follow redirects**: build it with
    /// `.redirect(reqwest::redirect::Policy::none())`, or start from
    /// [`client_builder`](Self::client_builder), which does. reqwest follows
    /// up to ten by default, which would send a token request, secrets
    /// included, wherever a `Location` header points.
    ///
    /// The client's own connect timeout, TLS, proxy and default-header
    /// settings apply; this transport still bounds each whole request
    /// ([`with_timeout`](Self::with_timeout)) and each response body.
    /// [`with_connect_timeout`](Self::with_connect_timeout) replaces the
    /// client with one the transport builds.
    ///
    /// Requests to loopback hosts never go through this client, whatever its
    /// proxies: the transport sends them directly, over a client of its own
    /// built from [`client_builder`](Self::client_builder) (so the system's
    /// roots verify an https loopback server, and this client's default
    /// headers are not sent there). The [module docs](super) show it.
    pub fn with_client(client: Client) -> Self {
        Self {
            client,
            direct: direct_client(tls_config(), DEFAULT_CONNECT_TIMEOUT),
            connect_timeout: None,
            timeout: DEFAULT_TIMEOUT,
            response_limit: DEFAULT_RESPONSE_LIMIT,
        }
    }

    /// The builder behind [`new`](Self::new), to customize and pass to
    /// [`with_client`](Self::with_client): rustls with the *ring* provider
    /// and the system's roots, no redirects, [`DEFAULT_CONNECT_TIMEOUT`].
    ///
    /// Start from this rather than reqwest's `Client::builder()`: besides
    /// following redirects, a plain builder has no TLS crypto provider when
    /// reqwest's only features are this crate's (it would panic in `build`
    /// unless the application installed a process-wide rustls provider).
    ///
    /// A client built from it uses the proxies the environment names for
    /// every host, loopback ones included; the transport sends loopback
    /// requests over a direct client of its own.
    pub fn client_builder() -> ClientBuilder {
        builder(tls_config())
    }

    /// Bounds connection setup (DNS, TCP, TLS). This builds a new client,
    /// replacing any given to [`with_client`](Self::with_client).
    pub fn with_connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        (self.client, self.direct) = clients(timeout);
        self
    }

    setters! {
        /// Bounds a whole request, from connecting to the end of the response.
        pub fn with_timeout(timeout: Duration) => timeout = timeout;

        /// Bounds response bodies, in bytes.
        pub fn with_response_limit(bytes: usize) => response_limit = bytes;
    }

    /// The bound on connection setup; `None` when a client given to
    /// [`with_client`](Self::with_client) decides.
    pub fn connect_timeout(&self) -> Option<Duration> {
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
    pub async fn send(
        &self,
        request: Request<Vec<u8>>,
    ) -> Result<Response<Vec<u8>>, TransportFailure> {
        let server = server_name(request.uri());
        let timeout = request
            .extensions()
            .get::<RequestTimeout>()
            .map_or(self.timeout, |RequestTimeout(timeout)| *timeout);
        let client = if is_loopback_destination(request.uri()) {
            &self.direct
        } else {
            &self.client
        };
        let mut outgoing = super::backend::Request::try_from(request).map_err(|_| {
            TransportFailure::new(
                TransportFailureKind::Other,
                format!("{server}: the request cannot be sent over HTTP/1.1"),
            )
        })?;
        *outgoing.timeout_mut() = Some(timeout);

        let mut answer = client
            .execute(outgoing)
            .await
            .map_err(|e| failure(&e, &server))?;
        let limit = self.response_limit;
        if answer
            .content_length()
            .is_some_and(|length| length > limit as u64)
        {
            return Err(too_large(&server, limit));
        }
        let mut response = Response::new(Vec::new());
        *response.status_mut() = answer.status();
        *response.version_mut() = answer.version();
        *response.headers_mut() = std::mem::take(answer.headers_mut());
        let body = response.body_mut();
        while let Some(chunk) = answer.chunk().await.map_err(|e| failure(&e, &server))? {
            if chunk.len() > limit - body.len() {
                return Err(too_large(&server, limit));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(response)
    }

    /// Runs `machine` to completion: [`send`](Self::send) for each request,
    /// the system clock for `now`, and `sleep_until` for each wait.
    ///
    /// `sleep_until` returns a future that completes at the given wall-clock
    /// time (or soon after); with tokio:
    /// `|until| tokio::time::sleep(until.duration_since(SystemTime::now()).unwrap_or_default())`.
    pub async fn run<M, F>(
        &self,
        machine: M,
        sleep_until: impl FnMut(SystemTime) -> F,
    ) -> Result<M::Output, Error>
    where
        M: Machine,
        F: Future<Output = ()>,
    {
        drive_async(
            machine,
            SystemTime::now,
            |request| self.send(request),
            sleep_until,
        )
        .await
    }
}

fn builder(tls: rustls::ClientConfig) -> ClientBuilder {
    shim::preconfigured_tls(Client::builder(), tls)
        .redirect(Policy::none())
        .connect_timeout(DEFAULT_CONNECT_TIMEOUT)
}

/// The client for every host but loopback ones, with the environment's
/// proxies, and the direct client for loopback ones; one TLS configuration
/// (and one load of the system's roots) for both.
fn clients(connect_timeout: Duration) -> (Client, Client) {
    let tls = tls_config();
    let client = build(builder(tls.clone()).connect_timeout(connect_timeout));
    (client, direct_client(tls, connect_timeout))
}

fn direct_client(tls: rustls::ClientConfig, connect_timeout: Duration) -> Client {
    build(builder(tls).connect_timeout(connect_timeout).no_proxy())
}

fn build(builder: ClientBuilder) -> Client {
    builder
        .build()
        // Building fails only for a TLS backend or resolver that cannot
        // start; the TLS configuration is built above and the resolver is
        // the system's.
        .expect("reqwest builds a client with a preconfigured TLS backend")
}

/// rustls with the ring provider and the system's root certificates. Where
/// the system has none, every TLS handshake fails with that reason (plain
/// HTTP, on loopback say, still works).
fn tls_config() -> rustls::ClientConfig {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier: Arc<dyn ServerCertVerifier> =
        match rustls_platform_verifier::Verifier::new(provider.clone()) {
            Ok(verifier) => Arc::new(verifier),
            Err(problem) => Arc::new(NoTrustedRoots {
                problem,
                provider: provider.clone(),
            }),
        };
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("the ring provider supports TLS 1.2 and 1.3")
        .dangerous() // a verifier of our choosing, not a disabled one
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    config
}

/// Rejects every server certificate, because the system's root certificates
/// could not be loaded.
#[derive(Debug)]
struct NoTrustedRoots {
    problem: rustls::Error,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for NoTrustedRoots {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Err(self.problem.clone())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let algorithms = &self.provider.signature_verification_algorithms;
        verify_tls12_signature(message, cert, dss, algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let algorithms = &self.provider.signature_verification_algorithms;
        verify_tls13_signature(message, cert, dss, algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// Maps a reqwest error to a failure whose message is written here:
/// reqwest's own messages name the URL, and nothing of the request may
/// leak into a failure.
fn failure(error: &super::backend::Error, server: &str) -> TransportFailure {
    use TransportFailureKind::{Connect, Other, Timeout};
    let cause = cause(error);
    let (kind, what) = if error.is_timeout() {
        (Timeout, "no answer within the timeout".to_owned())
    } else if error.is_connect() {
        let what = match cause {
            _ if shim::is_dns(error) => "host not found".to_owned(),
            Cause::Tls(reason) => format!("TLS: {reason}"),
            Cause::Io(kind) => kind.to_string(),
            Cause::Unknown => "connection failed".to_owned(),
        };
        (Connect, what)
    } else if error.is_body() || error.is_decode() {
        (Other, with_cause("the response body broke off", &cause))
    } else if error.is_builder() {
        (Other, "the request cannot be sent over HTTP/1.1".to_owned())
    } else {
        (Other, with_cause("the HTTP exchange failed", &cause))
    };
    TransportFailure::new(kind, format!("{server}: {what}"))
}

/// What lies under a reqwest error, as far as it can be named without
/// quoting reqwest's or hyper's messages.
enum Cause {
    Tls(rustls::Error),
    Io(io::ErrorKind),
    Unknown,
}

fn cause(error: &super::backend::Error) -> Cause {
    cause_below(std::error::Error::source(error))
}

/// Walks down from `first`: the TLS error if there is one, else the
/// innermost I/O error's kind.
fn cause_below(first: Option<&(dyn std::error::Error + 'static)>) -> Cause {
    let mut found = Cause::Unknown;
    let mut next = first;
    while let Some(err) = next {
        if let Some(tls) = err.downcast_ref::<rustls::Error>() {
            return Cause::Tls(tls.clone());
        }
        next = err.source();
        if let Some(io) = err.downcast_ref::<io::Error>() {
            found = Cause::Io(io.kind());
            // tokio-rustls and hyper wrap errors in io::Errors, whose
            // `source` skips the wrapped error itself.
            if let Some(inner) = io.get_ref() {
                next = Some(inner);
            }
        }
    }
    found
}

fn with_cause(what: &str, cause: &Cause) -> String {
    match cause {
        Cause::Tls(reason) => format!("{what}: TLS: {reason}"),
        Cause::Io(kind) => format!("{what}: {kind}"),
        Cause::Unknown => what.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_system_roots_every_certificate_is_rejected_with_the_reason() {
        let problem = rustls::Error::General("no CA certificates".to_owned());
        let verifier = NoTrustedRoots {
            problem: problem.clone(),
            provider: Arc::new(rustls::crypto::ring::default_provider()),
        };
        let result = verifier.verify_server_cert(
            &CertificateDer::from(vec![0x30, 0x00]),
            &[],
            &ServerName::try_from("example.com").unwrap(),
            &[],
            UnixTime::now(),
        );
        assert_eq!(result.unwrap_err(), problem);
        assert!(!verifier.supported_verify_schemes().is_empty());
    }

    #[test]
    fn a_tls_error_is_found_inside_nested_io_errors() {
        let tls = rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer);
        let inner = io::Error::new(io::ErrorKind::InvalidData, tls.clone());
        let outer = io::Error::other(inner);
        match cause_below(Some(&outer)) {
            Cause::Tls(found) => assert_eq!(found, tls),
            _ => panic!("the TLS error was not found"),
        }
    }

    #[test]
    fn the_innermost_io_kind_is_the_cause() {
        let inner = io::Error::from(io::ErrorKind::ConnectionReset);
        let outer = io::Error::other(inner);
        assert!(matches!(
            cause_below(Some(&outer)),
            Cause::Io(io::ErrorKind::ConnectionReset)
        ));
        assert!(matches!(cause_below(None), Cause::Unknown));
    }

    #[test]
    fn tls_offers_only_http_1_1() {
        assert_eq!(tls_config().alpn_protocols, vec![b"http/1.1".to_vec()]);
    }
}
