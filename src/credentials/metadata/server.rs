//! Where the metadata server is, and what every request to it carries.
//!
//! The metadata server of Compute Engine, GKE, Cloud Run and App Engine
//! answers on a link-local address (`169.254.169.254`, named
//! `metadata.google.internal`) that never leaves the machine, so its
//! requests are plain `http`: the one place in the crate where `http` to a
//! non-loopback host is right. Everywhere else endpoints must be `https`.

use std::time::Duration;

use http::header::HeaderName;
use http::{HeaderValue, Method, Request};
use url::Url;

use crate::error::config::ConfigError;
use crate::machine::step::RequestTimeout;

/// The request header every metadata request carries, and the response
/// header that proves the answer came from a metadata server.
pub const METADATA_FLAVOR: HeaderName = HeaderName::from_static("metadata-flavor");
/// The value of [`METADATA_FLAVOR`] both ways.
pub const GOOGLE_FLAVOR: &str = "Google";

/// The host of the data endpoints by default.
pub const DEFAULT_METADATA_HOST: &str = "metadata.google.internal";
/// The address the detection ping goes to by default.
pub const DEFAULT_METADATA_IP: &str = "169.254.169.254";

/// How long a request (the detection ping or a data request) waits for an
/// answer by default (google-auth's `GCE_METADATA_TIMEOUT`).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(3);
/// How many times the detection ping tries by default (google-auth's
/// `GCE_METADATA_DETECT_RETRIES`).
pub const DEFAULT_PING_ATTEMPTS: u32 = 3;

/// The metadata server's two roots: `http://HOST/computeMetadata/v1/` for
/// data, `http://IP/` for the detection ping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetadataServer {
    data_root: Url,
    ping_root: Url,
    timeout: Duration,
    ping_attempts: u32,
}

impl Default for MetadataServer {
    fn default() -> Self {
        Self::with_hosts(DEFAULT_METADATA_HOST, DEFAULT_METADATA_IP)
            .expect("the default hosts are valid")
    }
}

impl MetadataServer {
    /// The metadata server as google-auth finds it from the environment:
    /// `GCE_METADATA_HOST` (else `GCE_METADATA_ROOT`, else
    /// `metadata.google.internal`) for data, `GCE_METADATA_IP` (else
    /// `169.254.169.254`) for the ping, `GCE_METADATA_TIMEOUT` (seconds) for
    /// every request, and `GCE_METADATA_DETECT_RETRIES` for the ping (`0`:
    /// no ping, the server counts as absent). `var` reads one variable
    /// (`std::env::var(..).ok()` in a program; this crate reads none
    /// itself). A host must be `HOST` or `HOST:PORT`.
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let host = var("GCE_METADATA_HOST")
            .or_else(|| var("GCE_METADATA_ROOT"))
            .unwrap_or_else(|| DEFAULT_METADATA_HOST.to_owned());
        let ip = var("GCE_METADATA_IP").unwrap_or_else(|| DEFAULT_METADATA_IP.to_owned());
        let mut server = Self::with_hosts(&host, &ip)?;
        if let Some(seconds) = var("GCE_METADATA_TIMEOUT").and_then(|s| s.trim().parse().ok()) {
            server.timeout = Duration::from_secs(seconds);
        }
        if let Some(attempts) =
            var("GCE_METADATA_DETECT_RETRIES").and_then(|s| s.trim().parse().ok())
        {
            server.ping_attempts = attempts;
        }
        Ok(server)
    }

    /// The metadata server at `host` for data and `ip` for the ping, each
    /// `HOST` or `HOST:PORT`.
    pub fn with_hosts(host: &str, ip: &str) -> Result<Self, ConfigError> {
        Ok(Self {
            data_root: root(host, "GCE_METADATA_HOST", "/computeMetadata/v1/")?,
            ping_root: root(ip, "GCE_METADATA_IP", "/")?,
            timeout: DEFAULT_TIMEOUT,
            ping_attempts: DEFAULT_PING_ATTEMPTS,
        })
    }

    /// The root of the data endpoints, `http://HOST/computeMetadata/v1/`.
    pub fn data_root(&self) -> &Url {
        &self.data_root
    }

    /// The URL the detection ping gets.
    pub fn ping_root(&self) -> &Url {
        &self.ping_root
    }

    /// How long one request waits for an answer, the ping's and the data
    /// requests' alike: the transport is asked to give up then
    /// ([`RequestTimeout`]), and a data request is tried again.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// How many times the ping tries.
    pub fn ping_attempts(&self) -> u32 {
        self.ping_attempts
    }

    /// A GET of `path` (with `query` pairs) under the data root, with
    /// `Metadata-Flavor: Google` and the timeout.
    pub(crate) fn data_request(&self, path: &str, query: &[(&str, &str)]) -> Request<Vec<u8>> {
        let mut url = self
            .data_root
            .join(path)
            .unwrap_or_else(|_| self.data_root.clone());
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        get(&url, self.timeout)
    }

    /// The detection ping's request, with its timeout.
    pub(crate) fn ping_request(&self) -> Request<Vec<u8>> {
        get(&self.ping_root, self.timeout)
    }
}

/// `http://{host}{path}`, where `host` must be `HOST` or `HOST:PORT`.
fn root(host: &str, name: &'static str, path: &str) -> Result<Url, ConfigError> {
    let invalid = ConfigError::InvalidUrl { field: name };
    let url = Url::parse(&format!("http://{host}{path}")).map_err(|_| invalid.clone())?;
    let only_a_host = url.host_str().is_some()
        && url.username().is_empty()
        && url.password().is_none()
        && url.path() == path
        && url.query().is_none()
        && url.fragment().is_none()
        && !host.contains(['/', '?', '#', '@']);
    if !only_a_host || url.as_str().parse::<http::Uri>().is_err() {
        return Err(invalid);
    }
    Ok(url)
}

fn get(url: &Url, timeout: Duration) -> Request<Vec<u8>> {
    let mut request = Request::new(Vec::new());
    *request.method_mut() = Method::GET;
    *request.uri_mut() = url
        .as_str()
        .parse()
        .expect("metadata URLs are checked to convert");
    request
        .headers_mut()
        .insert(METADATA_FLAVOR, HeaderValue::from_static(GOOGLE_FLAVOR));
    request.extensions_mut().insert(RequestTimeout(timeout));
    request
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            pairs
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn google_auths_defaults_and_overrides() {
        let default = MetadataServer::from_env(env(&[])).unwrap();
        assert_eq!(
            default.data_root().as_str(),
            "http://metadata.google.internal/computeMetadata/v1/"
        );
        assert_eq!(default.ping_root().as_str(), "http://169.254.169.254/");
        assert_eq!(default.timeout(), Duration::from_secs(3));
        assert_eq!(default.ping_attempts(), 3);

        let local = MetadataServer::from_env(env(&[
            ("GCE_METADATA_HOST", "127.0.0.1:8989"),
            ("GCE_METADATA_IP", "127.0.0.1:8990"),
            ("GCE_METADATA_TIMEOUT", "1"),
            ("GCE_METADATA_DETECT_RETRIES", "5"),
        ]))
        .unwrap();
        assert_eq!(
            local.data_root().as_str(),
            "http://127.0.0.1:8989/computeMetadata/v1/"
        );
        assert_eq!(local.ping_root().as_str(), "http://127.0.0.1:8990/");
        assert_eq!(local.timeout(), Duration::from_secs(1));
        assert_eq!(local.ping_attempts(), 5);

        let root = MetadataServer::from_env(env(&[("GCE_METADATA_ROOT", "mds.example")])).unwrap();
        assert_eq!(root.data_root().host_str(), Some("mds.example"));
    }

    #[test]
    fn a_host_must_be_only_a_host() {
        for bad in [
            "",
            "a/b",
            "user@host",
            "host?x",
            "host#y",
            "http://host",
            "a b",
        ] {
            assert_eq!(
                MetadataServer::with_hosts(bad, "127.0.0.1"),
                Err(ConfigError::InvalidUrl {
                    field: "GCE_METADATA_HOST"
                }),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn requests_carry_the_flavor_and_encode_the_query() {
        let server = MetadataServer::default();
        let request = server.data_request(
            "instance/service-accounts/default/token",
            &[("scopes", "https://a/x,https://a/y")],
        );
        assert_eq!(request.method(), Method::GET);
        assert_eq!(
            request.uri(),
            "http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/token?scopes=https%3A%2F%2Fa%2Fx%2Chttps%3A%2F%2Fa%2Fy"
        );
        assert_eq!(request.headers()[METADATA_FLAVOR], "Google");
        assert_eq!(
            request.extensions().get::<RequestTimeout>(),
            Some(&RequestTimeout(Duration::from_secs(3)))
        );
        let ping = server.ping_request();
        assert_eq!(ping.uri(), "http://169.254.169.254/");
        assert_eq!(
            ping.extensions().get::<RequestTimeout>(),
            Some(&RequestTimeout(Duration::from_secs(3)))
        );
    }
}
