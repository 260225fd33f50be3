//! What the HTTP transports share: default timeouts and failure messages
//! that name the server, never the request.

use std::time::Duration;

use crate::error::{TransportFailure, TransportFailureKind};

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_name_drops_user_info_path_and_query() {
        let uri: http::Uri = "https://user:pw@example.com:8443/token?code=secret"
            .parse()
            .unwrap();
        assert_eq!(server_name(&uri), "example.com:8443");
    }
}
