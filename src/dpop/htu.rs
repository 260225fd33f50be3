//! `htu`: the URI a proof is for, without query or fragment
//! ([RFC 9449 §4.2](https://www.rfc-editor.org/rfc/rfc9449#section-4.2)).

use url::Url;

use crate::error::config::ConfigError;

/// The `htu` of a request to `uri`: scheme, host, port (when not the
/// scheme's default) and path, normalized as `url` does (lower-case scheme
/// and host, dot segments resolved), with no query and no fragment.
///
/// ```
/// use oauth2_sansio::dpop::target_uri;
///
/// let uri = "HTTPS://Server.Example:443/a/../token?x=1#f".parse()?;
/// assert_eq!(target_uri(&uri)?, "https://server.example/token");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn target_uri(uri: &http::Uri) -> Result<String, ConfigError> {
    const FIELD: ConfigError = ConfigError::InvalidUrl { field: "DPoP htu" };
    if uri.scheme().is_none() || uri.authority().is_none() {
        return Err(FIELD);
    }
    let mut url = Url::parse(&uri.to_string()).map_err(|_| FIELD)?;
    if url.cannot_be_a_base() {
        return Err(FIELD);
    }
    url.set_query(None);
    url.set_fragment(None);
    Ok(url.into())
}

/// The origin a server's nonce belongs to (`scheme://host:port`), from a
/// `htu`.
pub(crate) fn origin_of(htu: &str) -> &str {
    let after_scheme = htu.find("://").map_or(0, |at| at + 3);
    match htu[after_scheme..].find('/') {
        Some(slash) => &htu[..after_scheme + slash],
        None => htu,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_fragment_and_default_port_are_dropped() {
        let htu = |s: &str| target_uri(&s.parse().unwrap());
        assert_eq!(
            htu("https://as.example/token?a=b").unwrap(),
            "https://as.example/token"
        );
        assert_eq!(
            htu("https://as.example:443/token").unwrap(),
            "https://as.example/token"
        );
        assert_eq!(
            htu("http://127.0.0.1:8080/me").unwrap(),
            "http://127.0.0.1:8080/me"
        );
        assert_eq!(htu("https://as.example").unwrap(), "https://as.example/");
        assert!(htu("/token").is_err());
    }

    #[test]
    fn the_origin_is_scheme_host_and_port() {
        assert_eq!(origin_of("https://as.example/token"), "https://as.example");
        assert_eq!(
            origin_of("http://127.0.0.1:8080/a/b"),
            "http://127.0.0.1:8080"
        );
        assert_eq!(origin_of("https://as.example"), "https://as.example");
    }
}
