//! The loopback redirect URI: `http://HOST:PORT/PATH`, built once the port
//! is known.

use super::listener::LoopbackHost;
use crate::error::config::ConfigError;

/// `http://HOST:PORT` and `path`: the redirect URI, or the start link (the
/// same host and port, so that its cookie comes back with the callback).
pub(super) fn loopback_url(host: LoopbackHost, port: u16, path: &str) -> String {
    format!("http://{}:{port}{path}", host.uri_host())
}

/// Checks the configured path and applies the trailing-slash choice.
///
/// The path must start with `/` and hold only letters, digits, `-`, `.`,
/// `_`, `~` and `/`, with no empty, `.` or `..` segment, so that the
/// browser requests exactly the path the server sees in the redirect URI.
/// `trailing_slash: Some(false)` on `/` gives the bare `http://HOST:PORT`.
pub(super) fn redirect_path(
    path: &str,
    trailing_slash: Option<bool>,
) -> Result<String, ConfigError> {
    let invalid = ConfigError::InvalidUrl {
        field: "redirect_uri",
    };
    let Some(rest) = path.strip_prefix('/') else {
        return Err(invalid);
    };
    let body = rest.strip_suffix('/').unwrap_or(rest);
    let segments_ok =
        rest.is_empty() || (!body.is_empty() && body.split('/').all(is_plain_segment));
    if !segments_ok {
        return Err(invalid);
    }
    let slash = trailing_slash.unwrap_or(path.ends_with('/'));
    Ok(match (body.is_empty(), slash) {
        (true, true) => "/".to_owned(),
        (true, false) => String::new(),
        (false, true) => format!("/{body}/"),
        (false, false) => format!("/{body}"),
    })
}

fn is_plain_segment(segment: &str) -> bool {
    !matches!(segment, "" | "." | "..")
        && segment
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_root_and_trailing_slash_choices() {
        assert_eq!(redirect_path("/", None).unwrap(), "/");
        assert_eq!(redirect_path("/", Some(true)).unwrap(), "/");
        assert_eq!(redirect_path("/", Some(false)).unwrap(), "");
        assert_eq!(redirect_path("/callback", None).unwrap(), "/callback");
        assert_eq!(
            redirect_path("/callback", Some(true)).unwrap(),
            "/callback/"
        );
        assert_eq!(redirect_path("/a/b/", None).unwrap(), "/a/b/");
        assert_eq!(redirect_path("/a/b/", Some(false)).unwrap(), "/a/b");
    }

    #[test]
    fn uris_for_each_host() {
        assert_eq!(
            loopback_url(LoopbackHost::Ipv4, 53682, "/"),
            "http://127.0.0.1:53682/"
        );
        assert_eq!(loopback_url(LoopbackHost::Ipv6, 9, ""), "http://[::1]:9");
        assert_eq!(
            loopback_url(LoopbackHost::Localhost, 8080, "/cb"),
            "http://localhost:8080/cb"
        );
    }

    #[test]
    fn paths_the_browser_would_rewrite_are_refused() {
        for bad in [
            "", "callback", "//", "/a//b", "/./a", "/a/..", "/a b", "/a?b", "/a#b", "/%41",
            "/a\\b", "/é",
        ] {
            assert!(redirect_path(bad, None).is_err(), "{bad:?}");
        }
    }
}
