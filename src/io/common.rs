//! What the HTTP transports share: default timeouts, failure messages
//! that name the server, never the request, and which destinations no proxy
//! may see.

use std::time::Duration;

use url::{Host, Url};

use crate::error::{TransportFailure, TransportFailureKind};
use crate::wire::endpoint::is_loopback;

/// The default bound on connection setup (DNS, TCP, TLS): 10 s.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The default bound on a whole request, from connecting to the last byte
/// of the response body: 30 s.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// `host[:port]` of the request, for messages; never the path, query or
/// user info.
pub(crate) fn server_name(uri: &http::Uri) -> String {
    match (uri.host(), uri.port_u16()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_owned(),
        (None, _) => "the server".to_owned(),
    }
}

/// The failure for a response body longer than `limit`.
pub(crate) fn too_large(server: &str, limit: usize) -> TransportFailure {
    TransportFailure::new(
        TransportFailureKind::BodyTooLarge,
        format!("{server}: the response body exceeds {limit} bytes"),
    )
}

/// Whether a request to `uri` stays on this machine, so that no proxy may
/// see it: 127.0.0.0/8, `[::1]` and `localhost` (the endpoint rule's
/// loopback), names under `localhost` (RFC 6761 §6.3) and IPv4-mapped
/// `[::ffff:127.x.y.z]`. Decided from the URI alone, never by resolving.
pub(crate) fn is_loopback_destination(uri: &http::Uri) -> bool {
    // As a URL, every spelling of an address that the resolver also accepts
    // (`127.1`, `0x7f.0.0.1`) is an address.
    let Ok(url) = Url::parse(&uri.to_string()) else {
        return false;
    };
    is_loopback(&url)
        || match url.host() {
            Some(Host::Domain(name)) => is_under_localhost(name),
            Some(Host::Ipv6(ip)) => ip.to_ipv4_mapped().is_some_and(|ip| ip.is_loopback()),
            _ => false,
        }
}

/// `localhost` or a name under it, with or without the root's dot.
fn is_under_localhost(name: &str) -> bool {
    const SUFFIX: &[u8] = b".localhost";
    let name = name.strip_suffix('.').unwrap_or(name).as_bytes();
    name.eq_ignore_ascii_case(&SUFFIX[1..])
        || (name.len() > SUFFIX.len()
            && name[name.len() - SUFFIX.len()..].eq_ignore_ascii_case(SUFFIX))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn loopback(uri: &str) -> bool {
        is_loopback_destination(&uri.parse().unwrap())
    }

    #[test]
    fn loopback_destinations() {
        for uri in [
            "http://127.0.0.1:8080/token",
            "http://127.8.9.1/token",
            "https://127.255.255.254/token",
            "http://127.1/token",
            "http://0x7f.0.0.1/token",
            "http://[::1]:9/token",
            "http://[::ffff:127.0.0.1]/token",
            "http://localhost/token",
            "http://LocalHost:80/token",
            "http://localhost./token",
            "https://idp.localhost/token",
            "https://a.b.LOCALHOST./token",
            "http://user:pw@127.0.0.1/token",
        ] {
            assert!(loopback(uri), "{uri}");
        }
    }

    #[test]
    fn other_destinations() {
        for uri in [
            "https://oauth2.googleapis.com/token",
            "http://10.0.0.1/token",
            "http://0.0.0.0/token",
            "http://128.0.0.1/token",
            "http://[::2]/token",
            "http://[::ffff:10.0.0.1]/token",
            "http://localhost.evil.example/token",
            "http://evil-localhost/token",
            "http://xlocalhost/token",
            "http://127.0.0.1.evil.example/token",
            "http://localhost@evil.example/token",
            "/token",
        ] {
            assert!(!loopback(uri), "{uri}");
        }
    }

    proptest! {
        #[test]
        fn any_uri_is_classified_without_panicking(uri in "(https?://)?[ -~]{0,60}") {
            if let Ok(uri) = uri.parse::<http::Uri>() {
                is_loopback_destination(&uri);
            }
        }

        #[test]
        fn every_127_address_is_loopback(
            b in any::<u8>(),
            c in any::<u8>(),
            d in any::<u8>(),
            port in any::<u16>(),
        ) {
            let ipv4 = format!("http://127.{b}.{c}.{d}:{port}/token");
            let mapped = format!("https://[::ffff:127.{b}.{c}.{d}]:{port}/token");
            prop_assert!(loopback(&ipv4), "{}", ipv4);
            prop_assert!(loopback(&mapped), "{}", mapped);
        }

        #[test]
        fn no_other_ipv4_address_is_loopback(ip in any::<u32>()) {
            let ip = core::net::Ipv4Addr::from(ip);
            prop_assume!(ip.octets()[0] != 127);
            let uri = format!("http://{ip}/token");
            prop_assert!(!loopback(&uri), "{}", uri);
        }

        #[test]
        fn names_are_loopback_only_under_localhost(label in "[a-z0-9-]{1,20}") {
            let under = format!("https://{label}.localhost/token");
            prop_assert!(loopback(&under), "{}", under);
            for other in [
                format!("https://localhost.{label}/token"),
                format!("https://{label}localhost.example/token"),
            ] {
                prop_assert!(!loopback(&other), "{}", other);
            }
        }
    }
}
