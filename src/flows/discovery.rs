//! Authorization server metadata: [RFC 8414](https://www.rfc-editor.org/rfc/rfc8414)
//! and [OpenID Connect Discovery 1.0](https://openid.net/specs/openid-connect-discovery-1_0.html),
//! and a [`Client`] built from it.

use serde_json::{Map, Value};
use url::Url;

use crate::client::{Client, ClientAuthMethod, ClientBuilder, DEFAULT_RESPONSE_LIMIT};
use crate::error::config::ConfigError;
use crate::error::{Error, InvalidResponse};
use crate::flows::code::pkce::CHALLENGE_METHOD;
use crate::machine::call::{Call, Update};
use crate::macros::setters;
use crate::wire::answer::json_object;
use crate::wire::endpoint::parse_endpoint;
use crate::wire::json::{opt_str_list, take_str};

/// Which metadata document to fetch, and where it lives for an issuer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WellKnown {
    /// RFC 8414 §3.1: `/.well-known/oauth-authorization-server`, inserted
    /// between the issuer's host and its path
    /// (`https://as.example/tenant` →
    /// `https://as.example/.well-known/oauth-authorization-server/tenant`).
    OAuthAuthorizationServer,
    /// OpenID Connect Discovery §4: `/.well-known/openid-configuration`,
    /// appended to the issuer's path (`https://as.example/tenant` →
    /// `https://as.example/tenant/.well-known/openid-configuration`).
    OpenIdConfiguration,
}

impl WellKnown {
    /// The document's URL for `issuer`, which must be an https URL (http
    /// only on loopback hosts, or with `allow_insecure`) without query or
    /// fragment (RFC 8414 §2). A terminating `/` of the issuer's path is
    /// removed first, as both specifications say.
    ///
    /// ```
    /// use oauth2_sansio::discovery::WellKnown;
    ///
    /// let rfc8414 = WellKnown::OAuthAuthorizationServer.url("https://as.example/tenant", false)?;
    /// assert_eq!(rfc8414.as_str(), "https://as.example/.well-known/oauth-authorization-server/tenant");
    /// let oidc = WellKnown::OpenIdConfiguration.url("https://accounts.google.com", false)?;
    /// assert_eq!(oidc.as_str(), "https://accounts.google.com/.well-known/openid-configuration");
    /// # Ok::<(), oauth2_sansio::ConfigError>(())
    /// ```
    pub fn url(self, issuer: &str, allow_insecure: bool) -> Result<Url, ConfigError> {
        let mut url = parse_endpoint(issuer, "issuer", allow_insecure)?;
        if issuer.contains('?') {
            return Err(ConfigError::InvalidUrl { field: "issuer" });
        }
        let path = url.path();
        let path = path.strip_suffix('/').unwrap_or(path);
        let path = match self {
            WellKnown::OAuthAuthorizationServer => {
                format!("/.well-known/oauth-authorization-server{path}")
            }
            WellKnown::OpenIdConfiguration => format!("{path}/.well-known/openid-configuration"),
        };
        url.set_path(&path);
        Ok(url)
    }
}

/// Builds a [`Discovery`] of an issuer's metadata document; its
/// [`build`](Self::build) makes the machine, which keeps it to check the
/// answer.
#[derive(Debug, Clone)]
#[must_use = "call build() to get the machine"]
pub struct DiscoveryRequest {
    issuer: String,
    document: WellKnown,
    allow_insecure: bool,
    response_limit: usize,
}

impl DiscoveryRequest {
    /// The discovery of `issuer`'s `document`.
    pub fn new(issuer: impl Into<String>, document: WellKnown) -> Self {
        Self {
            issuer: issuer.into(),
            document,
            allow_insecure: false,
            response_limit: DEFAULT_RESPONSE_LIMIT,
        }
    }

    setters! {
        /// **For tests only**: accept an `http` issuer and `http` endpoints on
        /// any host (see [`ClientBuilder::allow_insecure_endpoints`]); carried
        /// over to [`AuthorizationServerMetadata::client_builder`].
        pub fn allow_insecure_endpoints(allow: bool) => allow_insecure = allow;

        /// The bound on the metadata document (default 1 MiB).
        pub fn response_limit(bytes: usize) => response_limit = bytes;
    }

    /// Checks the issuer and makes the machine.
    pub fn build(self) -> Result<Discovery, ConfigError> {
        let url = self.document.url(&self.issuer, self.allow_insecure)?;
        let mut request = http::Request::new(Vec::new());
        *request.uri_mut() = url
            .as_str()
            .parse()
            .map_err(|_| ConfigError::InvalidUrl { field: "issuer" })?;
        request.headers_mut().insert(
            http::header::ACCEPT,
            http::HeaderValue::from_static("application/json"),
        );
        Ok(Call::with_parser(request, self.response_limit, json_object).with_context(self))
    }
}

/// The document must name the issuer asked for.
impl Update<Map<String, Value>> for DiscoveryRequest {
    type Output = AuthorizationServerMetadata;

    fn update(
        self,
        document: Map<String, Value>,
        _sent_at: std::time::SystemTime,
    ) -> Result<AuthorizationServerMetadata, Error> {
        AuthorizationServerMetadata::from_object(document, &self.issuer, self.allow_insecure)
            .map_err(Error::from)
    }
}

/// Fetches an authorization server's metadata; its output is
/// [`AuthorizationServerMetadata`].
///
/// One `GET` of the document's [well-known URL](WellKnown::url) with
/// `Accept: application/json`. The answer must be HTTP 200 (3xx is
/// [`Error::Redirect`]: not followed) with a JSON object whose `issuer` is
/// byte for byte the issuer asked for (RFC 8414 §3.3, OpenID Connect
/// Discovery §4.3: otherwise an impostor could name another server's
/// endpoints), and whose endpoints follow the https rule.
///
/// ```
/// use oauth2_sansio::discovery::{DiscoveryRequest, WellKnown};
/// use oauth2_sansio::drive;
///
/// let discovery = DiscoveryRequest::new("https://as.example", WellKnown::OpenIdConfiguration).build()?;
/// let metadata = drive(
///     discovery,
///     std::time::SystemTime::now,
///     |request| {
///         assert_eq!(request.uri(), "https://as.example/.well-known/openid-configuration");
///         Ok(oauth2_sansio::http::Response::new(br#"{"issuer":"https://as.example",
///             "authorization_endpoint":"https://as.example/auth","token_endpoint":"https://as.example/token",
///             "code_challenge_methods_supported":["S256"],
///             "authorization_response_iss_parameter_supported":true}"#.to_vec()))
///     },
///     |_| {},
/// )?;
/// let client = metadata.client_builder("my-app").build()?;
/// assert_eq!(client.issuer(), Some("https://as.example"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub type Discovery = Call<Map<String, Value>, DiscoveryRequest>;

/// An authorization server's metadata (RFC 8414 §2; OpenID Connect
/// Discovery §3 uses the same names): its endpoints, checked with the https
/// rule, what it supports, and every other member in [`extra`](Self::extra).
#[derive(Debug, Clone, PartialEq)]
pub struct AuthorizationServerMetadata {
    issuer: String,
    authorization_endpoint: Option<Url>,
    token_endpoint: Option<Url>,
    revocation_endpoint: Option<Url>,
    introspection_endpoint: Option<Url>,
    device_authorization_endpoint: Option<Url>,
    pushed_authorization_request_endpoint: Option<Url>,
    require_pushed_authorization_requests: bool,
    userinfo_endpoint: Option<Url>,
    jwks_uri: Option<Url>,
    registration_endpoint: Option<Url>,
    scopes_supported: Option<Vec<String>>,
    response_types_supported: Option<Vec<String>>,
    grant_types_supported: Option<Vec<String>>,
    token_endpoint_auth_methods_supported: Option<Vec<String>>,
    code_challenge_methods_supported: Option<Vec<String>>,
    authorization_response_iss_parameter_supported: bool,
    extra: Map<String, Value>,
    allow_insecure: bool,
}

const ISS_PARAMETER: &str = "authorization_response_iss_parameter_supported";

/// A client builder's setter for one endpoint.
type SetEndpoint = fn(ClientBuilder, String) -> ClientBuilder;
const PAR_ENDPOINT: &str = "pushed_authorization_request_endpoint";
const REQUIRE_PAR: &str = "require_pushed_authorization_requests";

/// A boolean member moved out of `map` (absent or `null`: `false`).
fn flag(map: &mut Map<String, Value>, field: &'static str) -> Result<bool, InvalidResponse> {
    match map.remove(field) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(b),
        Some(_) => Err(InvalidResponse::InvalidField {
            field,
            reason: "must be a boolean",
        }),
    }
}

impl AuthorizationServerMetadata {
    /// Parses a metadata document fetched for `issuer`, bounding the body at
    /// `limit` bytes, with the rules [`Discovery`] applies (https endpoints,
    /// http only on loopback hosts).
    pub fn parse(issuer: &str, status: u16, body: &[u8], limit: usize) -> Result<Self, Error> {
        let document = json_object(status, body, limit)?;
        Ok(Self::from_object(document, issuer, false)?)
    }

    /// Moves each member it knows out of `map`; what is left is `extra`.
    fn from_object(
        mut map: Map<String, Value>,
        expected_issuer: &str,
        allow_insecure: bool,
    ) -> Result<Self, InvalidResponse> {
        let map = &mut map;
        let issuer = take_str(map, "issuer")
            .map_err(|reason| InvalidResponse::InvalidField {
                field: "issuer",
                reason,
            })?
            .ok_or(InvalidResponse::MissingField { field: "issuer" })?;
        if issuer != expected_issuer {
            return Err(InvalidResponse::InvalidField {
                field: "issuer",
                reason: "is not, byte for byte, the issuer the metadata was fetched for",
            });
        }
        let url = |map: &mut Map<String, Value>, name| endpoint(map, name, allow_insecure);
        Ok(Self {
            issuer,
            authorization_endpoint: url(map, "authorization_endpoint")?,
            token_endpoint: url(map, "token_endpoint")?,
            revocation_endpoint: url(map, "revocation_endpoint")?,
            introspection_endpoint: url(map, "introspection_endpoint")?,
            device_authorization_endpoint: url(map, "device_authorization_endpoint")?,
            pushed_authorization_request_endpoint: url(map, PAR_ENDPOINT)?,
            require_pushed_authorization_requests: flag(map, REQUIRE_PAR)?,
            userinfo_endpoint: url(map, "userinfo_endpoint")?,
            jwks_uri: url(map, "jwks_uri")?,
            registration_endpoint: url(map, "registration_endpoint")?,
            scopes_supported: list(map, "scopes_supported")?,
            response_types_supported: list(map, "response_types_supported")?,
            grant_types_supported: list(map, "grant_types_supported")?,
            token_endpoint_auth_methods_supported: list(
                map,
                "token_endpoint_auth_methods_supported",
            )?,
            code_challenge_methods_supported: list(map, "code_challenge_methods_supported")?,
            authorization_response_iss_parameter_supported: flag(map, ISS_PARAMETER)?,
            extra: std::mem::take(map),
            allow_insecure,
        })
    }

    /// A builder for a client of this server: its authorization, token,
    /// revocation, introspection and device authorization endpoints, its
    /// issuer, `iss` required in the callback when the server says it sends
    /// it (`authorization_response_iss_parameter_supported`, RFC 9207), and
    /// authorization requests refused when `code_challenge_methods_supported`
    /// is present without `S256`. Add the secret and authentication method,
    /// then build; a missing authorization or token endpoint fails the build
    /// with [`ConfigError::MissingEndpoint`].
    pub fn client_builder(&self, client_id: impl Into<String>) -> ClientBuilder {
        let mut builder = Client::builder(client_id)
            .issuer(self.issuer.clone())
            .require_issuer_in_callback(self.authorization_response_iss_parameter_supported)
            .pkce_s256_supported(
                self.code_challenge_methods_supported
                    .as_ref()
                    .is_none_or(|methods| methods.iter().any(|m| m == CHALLENGE_METHOD)),
            )
            .allow_insecure_endpoints(self.allow_insecure);
        let endpoints: [(&Option<Url>, SetEndpoint); 6] = [
            (
                &self.authorization_endpoint,
                ClientBuilder::authorization_endpoint,
            ),
            (&self.token_endpoint, ClientBuilder::token_endpoint),
            (
                &self.revocation_endpoint,
                ClientBuilder::revocation_endpoint,
            ),
            (
                &self.introspection_endpoint,
                ClientBuilder::introspection_endpoint,
            ),
            (
                &self.device_authorization_endpoint,
                ClientBuilder::device_authorization_endpoint,
            ),
            (&self.jwks_uri, ClientBuilder::jwks_uri),
        ];
        for (url, set) in endpoints {
            if let Some(url) = url {
                builder = set(builder, url.as_str().to_owned());
            }
        }
        if let Some(url) = &self.pushed_authorization_request_endpoint {
            builder = builder
                .pushed_authorization_request_endpoint(url.as_str())
                .require_pushed_authorization_requests(self.require_pushed_authorization_requests);
        }
        builder
    }

    /// `pushed_authorization_request_endpoint` (RFC 9126 §5).
    pub fn pushed_authorization_request_endpoint(&self) -> Option<&Url> {
        self.pushed_authorization_request_endpoint.as_ref()
    }

    /// `require_pushed_authorization_requests` (RFC 9126 §5; absent is
    /// `false`).
    pub fn require_pushed_authorization_requests(&self) -> bool {
        self.require_pushed_authorization_requests
    }

    /// `issuer`: equal to the issuer the document was fetched for.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// `authorization_endpoint`.
    pub fn authorization_endpoint(&self) -> Option<&Url> {
        self.authorization_endpoint.as_ref()
    }

    /// `token_endpoint`.
    pub fn token_endpoint(&self) -> Option<&Url> {
        self.token_endpoint.as_ref()
    }

    /// `revocation_endpoint` (RFC 7009).
    pub fn revocation_endpoint(&self) -> Option<&Url> {
        self.revocation_endpoint.as_ref()
    }

    /// `introspection_endpoint` (RFC 7662).
    pub fn introspection_endpoint(&self) -> Option<&Url> {
        self.introspection_endpoint.as_ref()
    }

    /// `device_authorization_endpoint` (RFC 8628).
    pub fn device_authorization_endpoint(&self) -> Option<&Url> {
        self.device_authorization_endpoint.as_ref()
    }

    /// `userinfo_endpoint` (OpenID Connect).
    pub fn userinfo_endpoint(&self) -> Option<&Url> {
        self.userinfo_endpoint.as_ref()
    }

    /// `jwks_uri`: the server's signing keys.
    pub fn jwks_uri(&self) -> Option<&Url> {
        self.jwks_uri.as_ref()
    }

    /// `registration_endpoint` (RFC 7591).
    pub fn registration_endpoint(&self) -> Option<&Url> {
        self.registration_endpoint.as_ref()
    }

    /// `scopes_supported`.
    pub fn scopes_supported(&self) -> Option<&[String]> {
        self.scopes_supported.as_deref()
    }

    /// `response_types_supported`.
    pub fn response_types_supported(&self) -> Option<&[String]> {
        self.response_types_supported.as_deref()
    }

    /// `grant_types_supported` (absent means `authorization_code` and
    /// `implicit`, RFC 8414 §2).
    pub fn grant_types_supported(&self) -> Option<&[String]> {
        self.grant_types_supported.as_deref()
    }

    /// `token_endpoint_auth_methods_supported` (absent means
    /// `client_secret_basic`, RFC 8414 §2).
    pub fn token_endpoint_auth_methods_supported(&self) -> Option<&[String]> {
        self.token_endpoint_auth_methods_supported.as_deref()
    }

    /// Whether the token endpoint accepts `method`, by
    /// `token_endpoint_auth_methods_supported` (absent: only
    /// `client_secret_basic`, RFC 8414 §2).
    pub fn supports_token_endpoint_auth_method(&self, method: ClientAuthMethod) -> bool {
        match &self.token_endpoint_auth_methods_supported {
            Some(methods) => methods.iter().any(|m| m == method.as_str()),
            None => method == ClientAuthMethod::ClientSecretBasic,
        }
    }

    /// `code_challenge_methods_supported` (RFC 8414 §2, PKCE).
    pub fn code_challenge_methods_supported(&self) -> Option<&[String]> {
        self.code_challenge_methods_supported.as_deref()
    }

    /// `authorization_response_iss_parameter_supported` (RFC 9207);
    /// `false` when absent.
    pub fn authorization_response_iss_parameter_supported(&self) -> bool {
        self.authorization_response_iss_parameter_supported
    }

    /// Every other member, as sent.
    pub fn extra(&self) -> &Map<String, Value> {
        &self.extra
    }
}

/// An endpoint member, moved out of `map`: absent, or a URL that passes
/// the https rule.
fn endpoint(
    map: &mut Map<String, Value>,
    name: &'static str,
    allow_insecure: bool,
) -> Result<Option<Url>, InvalidResponse> {
    let invalid = |reason| InvalidResponse::InvalidField {
        field: name,
        reason,
    };
    let Some(value) = take_str(map, name).map_err(invalid)? else {
        return Ok(None);
    };
    parse_endpoint(&value, name, allow_insecure)
        .map(Some)
        .map_err(|e| match e {
            ConfigError::InsecureEndpoint { .. } => {
                invalid("must be an https URL (http only on loopback hosts)")
            }
            _ => invalid("must be an absolute URL without a fragment"),
        })
}

/// A list member (a JSON array of strings), moved out of `map`.
fn list(
    map: &mut Map<String, Value>,
    name: &'static str,
) -> Result<Option<Vec<String>>, InvalidResponse> {
    let items = opt_str_list(map, name).map_err(|reason| InvalidResponse::InvalidField {
        field: name,
        reason,
    })?;
    map.remove(name);
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_known_urls() {
        let rfc = |issuer| {
            WellKnown::OAuthAuthorizationServer
                .url(issuer, false)
                .map(String::from)
        };
        let oidc = |issuer| {
            WellKnown::OpenIdConfiguration
                .url(issuer, false)
                .map(String::from)
        };
        for (issuer, rfc8414, openid) in [
            (
                "https://as.example",
                "https://as.example/.well-known/oauth-authorization-server",
                "https://as.example/.well-known/openid-configuration",
            ),
            (
                "https://as.example/",
                "https://as.example/.well-known/oauth-authorization-server",
                "https://as.example/.well-known/openid-configuration",
            ),
            (
                "https://as.example/tenant",
                "https://as.example/.well-known/oauth-authorization-server/tenant",
                "https://as.example/tenant/.well-known/openid-configuration",
            ),
            (
                "https://as.example:8443/a/b/",
                "https://as.example:8443/.well-known/oauth-authorization-server/a/b",
                "https://as.example:8443/a/b/.well-known/openid-configuration",
            ),
            (
                "http://127.0.0.1:4000",
                "http://127.0.0.1:4000/.well-known/oauth-authorization-server",
                "http://127.0.0.1:4000/.well-known/openid-configuration",
            ),
        ] {
            assert_eq!(rfc(issuer).as_deref(), Ok(rfc8414));
            assert_eq!(oidc(issuer).as_deref(), Ok(openid));
        }
        let invalid = Err(ConfigError::InvalidUrl { field: "issuer" });
        assert_eq!(rfc("https://as.example/?tenant=a"), invalid);
        assert_eq!(rfc("https://as.example/?"), invalid);
        assert_eq!(rfc("https://as.example/#x"), invalid);
        assert_eq!(rfc("as.example"), invalid);
        assert_eq!(
            rfc("http://as.example"),
            Err(ConfigError::InsecureEndpoint { endpoint: "issuer" })
        );
    }

    #[test]
    fn endpoints_follow_the_https_rule() {
        let parse = |token_endpoint: &str| {
            let body =
                format!(r#"{{"issuer":"https://as.example","token_endpoint":"{token_endpoint}"}}"#);
            AuthorizationServerMetadata::parse("https://as.example", 200, body.as_bytes(), 4096)
        };
        assert!(parse("https://as.example/token").is_ok());
        assert!(parse("http://127.0.0.1:9/token").is_ok());
        assert_eq!(
            parse("http://as.example/token").unwrap_err(),
            Error::InvalidResponse(InvalidResponse::InvalidField {
                field: "token_endpoint",
                reason: "must be an https URL (http only on loopback hosts)"
            })
        );
        assert_eq!(
            parse("/token").unwrap_err(),
            Error::InvalidResponse(InvalidResponse::InvalidField {
                field: "token_endpoint",
                reason: "must be an absolute URL without a fragment"
            })
        );
    }

    #[test]
    fn a_servers_pushed_request_endpoint_and_requirement_reach_the_client() {
        let metadata = |require: &str| {
            let body = format!(
                r#"{{"issuer":"https://as.example","authorization_endpoint":"https://as.example/auth",
                "token_endpoint":"https://as.example/token",
                "pushed_authorization_request_endpoint":"https://as.example/par"{require}}}"#
            );
            AuthorizationServerMetadata::parse("https://as.example", 200, body.as_bytes(), 4096)
        };
        let optional = metadata("").unwrap();
        assert!(!optional.require_pushed_authorization_requests());
        let client = optional.client_builder("c").build().unwrap();
        assert_eq!(
            client
                .pushed_authorization_request_endpoint()
                .map(Url::as_str),
            Some("https://as.example/par")
        );
        assert!(!client.requires_pushed_authorization_requests());
        let required = metadata(r#","require_pushed_authorization_requests":true"#).unwrap();
        let client = required.client_builder("c").build().unwrap();
        assert!(client.requires_pushed_authorization_requests());
        assert!(matches!(
            metadata(r#","require_pushed_authorization_requests":"yes""#),
            Err(Error::InvalidResponse(InvalidResponse::InvalidField {
                field: "require_pushed_authorization_requests",
                ..
            }))
        ));
    }
}
