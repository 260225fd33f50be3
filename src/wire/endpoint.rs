//! Endpoint URLs: the https rule (http only on loopback) and the form
//! requests carry them in.

use core::net::IpAddr;
use std::sync::{Arc, OnceLock};

use url::{Host, Url};

use crate::error::config::ConfigError;

/// Parses an endpoint URL as every builder of the crate does: an absolute
/// URL without a fragment, `https`, or `http` only on a loopback host
/// (`127.0.0.0/8`, `[::1]`, `localhost`) unless `allow_insecure` (for
/// tests only). `name` is what an error calls the field.
///
/// ```
/// use oauth2_sansio::{parse_endpoint, ConfigError};
///
/// assert!(parse_endpoint("https://as.example/revoke", "revocation_endpoint", false).is_ok());
/// assert!(parse_endpoint("http://127.0.0.1:8080/revoke", "revocation_endpoint", false).is_ok());
/// assert_eq!(
///     parse_endpoint("http://as.example/revoke", "revocation_endpoint", false),
///     Err(ConfigError::InsecureEndpoint { endpoint: "revocation_endpoint" }),
/// );
/// ```
pub fn parse_endpoint(
    value: &str,
    name: &'static str,
    allow_insecure: bool,
) -> Result<Url, ConfigError> {
    let url = Url::parse(value).map_err(|_| ConfigError::InvalidUrl { field: name })?;
    // Requests carry the endpoint as an http::Uri, which is stricter (length).
    if url.fragment().is_some()
        || url.cannot_be_a_base()
        || url.host().is_none()
        || url.as_str().parse::<http::Uri>().is_err()
    {
        return Err(ConfigError::InvalidUrl { field: name });
    }
    match url.scheme() {
        "https" => Ok(url),
        "http" if allow_insecure || is_loopback(&url) => Ok(url),
        _ => Err(ConfigError::InsecureEndpoint { endpoint: name }),
    }
}

/// An endpoint as configured and as requests carry it, converted once and
/// shared by the client, the credentials it yields and their machines:
/// cloning one costs no allocation. Reads as the [`Url`].
#[derive(Clone)]
pub(crate) struct Endpoint(Arc<EndpointForms>);

/// The forms of an endpoint: as configured, then each made at its first use.
struct EndpointForms {
    url: Url,
    uri: OnceLock<http::Uri>,
    text: OnceLock<Arc<str>>,
}

impl Endpoint {
    /// `url`, which [`parse_endpoint`] accepted.
    pub(crate) fn new(url: Url) -> Self {
        Self(Arc::new(EndpointForms {
            url,
            uri: OnceLock::new(),
            text: OnceLock::new(),
        }))
    }

    /// The endpoint as requests carry it, converted at the first request.
    pub(crate) fn uri(&self) -> http::Uri {
        self.0.uri.get_or_init(|| to_uri(&self.0.url)).clone()
    }

    /// The endpoint's text, shared rather than copied.
    pub(crate) fn shared_text(&self) -> Arc<str> {
        Arc::clone(self.0.text.get_or_init(|| self.0.url.as_str().into()))
    }
}

impl PartialEq for Endpoint {
    fn eq(&self, other: &Self) -> bool {
        self.0.url == other.0.url
    }
}

impl Eq for Endpoint {}

impl std::ops::Deref for Endpoint {
    type Target = Url;

    fn deref(&self) -> &Url {
        &self.0.url
    }
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&self.0.url, f)
    }
}

/// An endpoint made by [`parse_endpoint`] as an `http::Uri`.
pub(crate) fn to_uri(endpoint: &Url) -> http::Uri {
    endpoint
        .as_str()
        .parse()
        .expect("parse_endpoint checked that it converts")
}

/// Whether the URL's host is a loopback address or `localhost`.
pub(crate) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}
