//! The client: its identity, its endpoints and how it authenticates.

pub mod assertion;
pub mod auth;
pub mod secrets_file;

use std::sync::Arc;

use url::Url;

use crate::client::assertion::{AssertionAudience, Audience, ClientAssertionKey};
use crate::client::auth::{ClientIdentity, Purpose};
use crate::error::config::ConfigError;
use crate::google::{
    GOOGLE_AUTH_URI, GOOGLE_DEVICE_AUTHORIZATION_URI, GOOGLE_ISSUER, GOOGLE_REVOKE_URI,
    GOOGLE_TOKEN_URI,
};
use crate::macros::setters;
use crate::secret::ClientSecret;
use crate::wire::endpoint::{parse_endpoint, Endpoint};

/// The default bound on a response body the crate parses: 1 MiB.
pub const DEFAULT_RESPONSE_LIMIT: usize = 1 << 20;

/// How the client proves its identity at the token endpoint
/// ([RFC 6749 §2.3](https://www.rfc-editor.org/rfc/rfc6749#section-2.3)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ClientAuthMethod {
    /// HTTP Basic with the form-urlencoded id and secret (RFC 6749 §2.3.1).
    /// google-auth-oauthlib's default for the code exchange.
    ClientSecretBasic,
    /// `client_id` and `client_secret` in the form body. google-auth's
    /// choice for refresh.
    ClientSecretPost,
    /// A public client: `client_id` in the body, no secret.
    None,
    /// A JWT signed with the client's private key
    /// ([RFC 7523 §2.2](https://www.rfc-editor.org/rfc/rfc7523#section-2.2)):
    /// `client_id`, `client_assertion_type` and `client_assertion` in the
    /// body. Needs a [`ClientAssertionKey`].
    PrivateKeyJwt,
}

impl ClientAuthMethod {
    /// The method's registered name (`token_endpoint_auth_method`, as
    /// metadata lists it): `client_secret_basic`, `client_secret_post`,
    /// `none`, `private_key_jwt`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ClientSecretBasic => "client_secret_basic",
            Self::ClientSecretPost => "client_secret_post",
            Self::None => "none",
            Self::PrivateKeyJwt => "private_key_jwt",
        }
    }
}

/// The endpoint a flow needs, or [`ConfigError::MissingEndpoint`] naming
/// it.
pub(crate) fn required_endpoint<'u>(
    url: &'u Option<Url>,
    endpoint: &'static str,
) -> Result<&'u Url, ConfigError> {
    url.as_ref()
        .ok_or(ConfigError::MissingEndpoint { endpoint })
}

/// An OAuth client registration: id, optional secret, endpoints.
///
/// Built with [`Client::builder`], [`Client::google`] or from a
/// `client_secrets.json` ([`ClientSecrets`](crate::ClientSecrets)).
#[derive(Debug, Clone)]
pub struct Client {
    /// Who it is and how it authenticates; shared with the credentials and
    /// machines it makes.
    pub(crate) identity: Arc<ClientIdentity>,
    pub(crate) authorization_endpoint: Url,
    pub(crate) token_endpoint: Endpoint,
    pub(crate) revocation_endpoint: Option<Url>,
    pub(crate) device_authorization_endpoint: Option<Url>,
    pub(crate) introspection_endpoint: Option<Url>,
    pub(crate) pushed_authorization_request_endpoint: Option<Url>,
    pub(crate) require_pushed_authorization_requests: bool,
    pub(crate) jwks_uri: Option<Url>,
    /// Shared with the pending authorizations made for the client.
    pub(crate) issuer: Option<Arc<str>>,
    pub(crate) require_issuer: bool,
    pub(crate) pkce_s256_supported: bool,
    pub(crate) response_limit: usize,
}

impl Client {
    /// Starts building a client with this id.
    pub fn builder(client_id: impl Into<String>) -> ClientBuilder {
        ClientBuilder {
            id: client_id.into(),
            secret: None,
            auth_method: None,
            assertion_key: None,
            assertion_audience: AssertionAudience::Issuer,
            authorization_endpoint: None,
            token_endpoint: None,
            revocation_endpoint: None,
            device_authorization_endpoint: None,
            introspection_endpoint: None,
            pushed_authorization_request_endpoint: None,
            require_pushed_authorization_requests: false,
            jwks_uri: None,
            issuer: None,
            require_issuer: false,
            pkce_s256_supported: true,
            allow_insecure: false,
            response_limit: DEFAULT_RESPONSE_LIMIT,
        }
    }

    /// A builder preset for Google: its endpoints and issuer, and the secret
    /// if the client is confidential.
    pub fn google(
        client_id: impl Into<String>,
        client_secret: Option<ClientSecret>,
    ) -> ClientBuilder {
        let mut builder = Self::builder(client_id)
            .authorization_endpoint(GOOGLE_AUTH_URI)
            .token_endpoint(GOOGLE_TOKEN_URI)
            .revocation_endpoint(GOOGLE_REVOKE_URI)
            .device_authorization_endpoint(GOOGLE_DEVICE_AUTHORIZATION_URI)
            .issuer(GOOGLE_ISSUER);
        builder.secret = client_secret;
        builder
    }

    /// The client id.
    pub fn id(&self) -> &str {
        self.identity.id()
    }

    /// The client secret, if the client is confidential.
    pub fn secret(&self) -> Option<&ClientSecret> {
        self.identity.secret()
    }

    /// How the client authenticates at the token endpoint for a code
    /// exchange (and at its other endpoints); refreshes of the credentials
    /// it yields follow the rule of [`ClientBuilder::auth_method`].
    pub fn auth_method(&self) -> ClientAuthMethod {
        self.identity.method(Purpose::Other)
    }

    /// The key of a `private_key_jwt` client.
    pub fn assertion_key(&self) -> Option<&ClientAssertionKey> {
        self.identity.assertion().map(|assertion| &assertion.key)
    }

    /// The `aud` of the client's assertions when it is the same for every
    /// request (see [`AssertionAudience`]). `None` when it is each request's
    /// endpoint, or the client does not use `private_key_jwt`.
    pub fn assertion_audience(&self) -> Option<&str> {
        match &self.identity.assertion()?.audience {
            Audience::Fixed(audience) => Some(audience),
            Audience::Endpoint => None,
        }
    }

    /// The authorization endpoint.
    pub fn authorization_endpoint(&self) -> &Url {
        &self.authorization_endpoint
    }

    /// The token endpoint.
    pub fn token_endpoint(&self) -> &Url {
        &self.token_endpoint
    }

    /// The revocation endpoint (RFC 7009), if configured.
    pub fn revocation_endpoint(&self) -> Option<&Url> {
        self.revocation_endpoint.as_ref()
    }

    /// The device authorization endpoint (RFC 8628), if configured.
    pub fn device_authorization_endpoint(&self) -> Option<&Url> {
        self.device_authorization_endpoint.as_ref()
    }

    /// The introspection endpoint (RFC 7662), if configured.
    pub fn introspection_endpoint(&self) -> Option<&Url> {
        self.introspection_endpoint.as_ref()
    }

    /// The pushed authorization request endpoint (RFC 9126), if configured.
    pub fn pushed_authorization_request_endpoint(&self) -> Option<&Url> {
        self.pushed_authorization_request_endpoint.as_ref()
    }

    /// Whether the server accepts authorization requests only through its
    /// pushed authorization request endpoint (RFC 9126 §5).
    pub fn requires_pushed_authorization_requests(&self) -> bool {
        self.require_pushed_authorization_requests
    }

    /// The issuer's key set (`jwks_uri`), if known: the installed-app flow
    /// verifies the ID token of an `openid` sign-in against it.
    pub fn jwks_uri(&self) -> Option<&Url> {
        self.jwks_uri.as_ref()
    }

    /// The issuer the authorization server identifies as, if known.
    pub fn issuer(&self) -> Option<&str> {
        self.issuer.as_deref()
    }

    /// The bound on response bodies.
    pub fn response_limit(&self) -> usize {
        self.response_limit
    }
}

/// Builds a [`Client`]; see [`Client::builder`].
#[derive(Debug, Clone)]
#[must_use = "call build() to get the client"]
pub struct ClientBuilder {
    id: String,
    secret: Option<ClientSecret>,
    auth_method: Option<ClientAuthMethod>,
    assertion_key: Option<ClientAssertionKey>,
    assertion_audience: AssertionAudience,
    authorization_endpoint: Option<String>,
    token_endpoint: Option<String>,
    revocation_endpoint: Option<String>,
    device_authorization_endpoint: Option<String>,
    introspection_endpoint: Option<String>,
    pushed_authorization_request_endpoint: Option<String>,
    require_pushed_authorization_requests: bool,
    jwks_uri: Option<String>,
    issuer: Option<String>,
    require_issuer: bool,
    pkce_s256_supported: bool,
    allow_insecure: bool,
    response_limit: usize,
}

impl ClientBuilder {
    setters! {
        /// The client secret of a confidential client.
        pub fn client_secret(secret: ClientSecret) => secret = Some(secret);

        /// How to authenticate, at every endpoint and for every request. By
        /// default, as Google's libraries do: with a secret, HTTP Basic
        /// (google-auth-oauthlib's code exchange) except for refreshes, which
        /// send it in the body (google-auth); without one, `none`. For
        /// [`ClientAuthMethod::PrivateKeyJwt`], use
        /// [`private_key_jwt`](Self::private_key_jwt), which gives the key.
        pub fn auth_method(method: ClientAuthMethod) => auth_method = Some(method);
    }

    /// Authenticates with `private_key_jwt`: every request to the server's
    /// endpoints carries a JWT signed with `key` (see
    /// [`ClientAssertionKey`]), addressed to the [`issuer`](Self::issuer),
    /// or to the token endpoint when no issuer is set (see
    /// [`assertion_audience`](Self::assertion_audience) for servers that
    /// want another `aud`). Sets the method to
    /// [`ClientAuthMethod::PrivateKeyJwt`].
    pub fn private_key_jwt(mut self, key: ClientAssertionKey) -> Self {
        self.assertion_key = Some(key);
        self.auth_method = Some(ClientAuthMethod::PrivateKeyJwt);
        self
    }

    setters! {
        /// The `aud` of the `private_key_jwt` assertions (default
        /// [`AssertionAudience::Issuer`]).
        pub fn assertion_audience(audience: AssertionAudience) => assertion_audience = audience;

        /// The authorization endpoint URL.
        pub fn authorization_endpoint(url: impl Into<String>) => authorization_endpoint = Some(url.into());

        /// The token endpoint URL.
        pub fn token_endpoint(url: impl Into<String>) => token_endpoint = Some(url.into());

        /// The revocation endpoint URL (RFC 7009).
        pub fn revocation_endpoint(url: impl Into<String>) => revocation_endpoint = Some(url.into());

        /// The device authorization endpoint URL (RFC 8628).
        pub fn device_authorization_endpoint(url: impl Into<String>) => device_authorization_endpoint = Some(url.into());

        /// The introspection endpoint URL (RFC 7662).
        pub fn introspection_endpoint(url: impl Into<String>) => introspection_endpoint = Some(url.into());

        /// The pushed authorization request endpoint URL (RFC 9126), for
        /// [`AuthorizationRequest::push`](crate::AuthorizationRequest::push).
        pub fn pushed_authorization_request_endpoint(url: impl Into<String>) => pushed_authorization_request_endpoint = Some(url.into());

        /// The server takes authorization requests only when pushed
        /// (`require_pushed_authorization_requests`, RFC 9126 §5): then
        /// [`AuthorizationRequest::build`](crate::AuthorizationRequest::build)
        /// refuses and [`push`](crate::AuthorizationRequest::push) is the way.
        /// Discovery sets it.
        pub fn require_pushed_authorization_requests(required: bool) => require_pushed_authorization_requests = required;

        /// The issuer's key set URL (`jwks_uri`). With it, the installed-app
        /// flow sends a `nonce` when the scopes include `openid` and verifies
        /// the ID token the exchange returns. Discovery sets it.
        pub fn jwks_uri(url: impl Into<String>) => jwks_uri = Some(url.into());

        /// The authorization server's issuer identifier. When set, an `iss`
        /// parameter in the callback must equal it exactly
        /// ([RFC 9207](https://www.rfc-editor.org/rfc/rfc9207)).
        pub fn issuer(issuer: impl Into<String>) => issuer = Some(issuer.into());

        /// Require the callback to carry `iss` (set this when the server's
        /// metadata has `authorization_response_iss_parameter_supported: true`).
        /// Needs [`issuer`](Self::issuer).
        pub fn require_issuer_in_callback(required: bool) => require_issuer = required;

        /// Whether the server accepts PKCE with `S256` (default `true`). The
        /// crate always uses S256, so when this is `false` building an
        /// authorization request fails with [`ConfigError::PkceS256Unsupported`].
        /// Discovery sets it from `code_challenge_methods_supported`.
        pub fn pkce_s256_supported(supported: bool) => pkce_s256_supported = supported;

        /// The bound on response bodies the client parses (default 1 MiB).
        pub fn response_limit(bytes: usize) => response_limit = bytes;

        /// **For tests only**: accept `http` endpoints on any host. Without it,
        /// endpoints must be `https`, or `http` on `127.0.0.1`, `[::1]` or
        /// `localhost`. Never enable this in production: the token endpoint
        /// receives the client secret and the codes.
        pub fn allow_insecure_endpoints(allow: bool) => allow_insecure = allow;
    }

    /// Checks the configuration and builds the client.
    pub fn build(self) -> Result<Client, ConfigError> {
        let endpoint = |value: Option<String>, name| {
            let value = value.ok_or(ConfigError::MissingEndpoint { endpoint: name })?;
            parse_endpoint(&value, name, self.allow_insecure)
        };
        let authorization_endpoint = endpoint(
            self.authorization_endpoint.clone(),
            "authorization_endpoint",
        )?;
        let token_endpoint = endpoint(self.token_endpoint.clone(), "token_endpoint")?;
        let optional = |value: &Option<String>, name| {
            value
                .as_deref()
                .map(|v| parse_endpoint(v, name, self.allow_insecure))
                .transpose()
        };
        let revocation_endpoint = optional(&self.revocation_endpoint, "revocation_endpoint")?;
        let device_authorization_endpoint = optional(
            &self.device_authorization_endpoint,
            "device_authorization_endpoint",
        )?;
        let introspection_endpoint =
            optional(&self.introspection_endpoint, "introspection_endpoint")?;
        let pushed_authorization_request_endpoint = optional(
            &self.pushed_authorization_request_endpoint,
            "pushed_authorization_request_endpoint",
        )?;
        let jwks_uri = optional(&self.jwks_uri, "jwks_uri")?;
        let mut identity = ClientIdentity::new(self.id, self.secret);
        if let (Some(ClientAuthMethod::PrivateKeyJwt), Some(key)) =
            (self.auth_method, self.assertion_key)
        {
            let token = || Audience::Fixed(token_endpoint.as_str().to_owned());
            let audience = match self.assertion_audience {
                AssertionAudience::Issuer => {
                    self.issuer.clone().map_or_else(token, Audience::Fixed)
                }
                AssertionAudience::TokenEndpoint => token(),
                AssertionAudience::Endpoint => Audience::Endpoint,
                AssertionAudience::Custom(audience) => Audience::Fixed(audience),
            };
            identity = identity.with_assertion(key, audience);
        }
        if let Some(method) = self.auth_method {
            identity = identity.with_method(method);
        }
        identity.check()?;
        Ok(Client {
            identity: Arc::new(identity),
            authorization_endpoint,
            token_endpoint: Endpoint::new(token_endpoint),
            revocation_endpoint,
            device_authorization_endpoint,
            introspection_endpoint,
            pushed_authorization_request_endpoint,
            require_pushed_authorization_requests: self.require_pushed_authorization_requests,
            jwks_uri,
            require_issuer: self.require_issuer && self.issuer.is_some(),
            issuer: self.issuer.map(Arc::from),
            pkce_s256_supported: self.pkce_s256_supported,
            response_limit: self.response_limit,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(token: &str) -> Result<Client, ConfigError> {
        Client::builder("id")
            .authorization_endpoint("https://as.example/auth")
            .token_endpoint(token)
            .build()
    }

    #[test]
    fn https_and_loopback_http_are_accepted() {
        for ok in [
            "https://as.example/token",
            "http://127.0.0.1:8080/token",
            "http://127.8.9.1/token",
            "http://[::1]:9/token",
            "http://localhost/token",
        ] {
            assert!(build(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn other_endpoints_are_refused() {
        let insecure = Err(ConfigError::InsecureEndpoint {
            endpoint: "token_endpoint",
        });
        assert_eq!(build("http://as.example/token").map(|_| ()), insecure);
        assert_eq!(build("http://10.0.0.1/token").map(|_| ()), insecure);
        assert_eq!(build("ftp://as.example/token").map(|_| ()), insecure);
        assert_eq!(
            build("http://localhost.evil.example/token").map(|_| ()),
            insecure
        );
        let long = format!("https://as.example/{}", "a".repeat(70_000));
        assert_eq!(
            build(&long).map(|_| ()),
            Err(ConfigError::InvalidUrl {
                field: "token_endpoint"
            })
        );
        let invalid = Err(ConfigError::InvalidUrl {
            field: "token_endpoint",
        });
        assert_eq!(build("/token").map(|_| ()), invalid);
        assert_eq!(build("https://as.example/token#x").map(|_| ()), invalid);
    }

    #[test]
    fn optional_endpoints_follow_the_same_rules() {
        let insecure = Client::builder("id")
            .authorization_endpoint("https://as.example/auth")
            .token_endpoint("https://as.example/token")
            .revocation_endpoint("http://as.example/revoke")
            .build();
        assert_eq!(
            insecure.map(|_| ()),
            Err(ConfigError::InsecureEndpoint {
                endpoint: "revocation_endpoint"
            })
        );
        let google = Client::google("id", None).build().unwrap();
        assert_eq!(
            google.revocation_endpoint().unwrap().as_str(),
            GOOGLE_REVOKE_URI
        );
        assert_eq!(
            google.device_authorization_endpoint().unwrap().as_str(),
            GOOGLE_DEVICE_AUTHORIZATION_URI
        );
        assert!(google.introspection_endpoint().is_none());
    }

    #[test]
    fn insecure_switch_allows_http_anywhere() {
        let client = Client::builder("id")
            .authorization_endpoint("http://as.example/auth")
            .token_endpoint("http://as.example/token")
            .allow_insecure_endpoints(true)
            .build();
        assert!(client.is_ok());
    }

    #[test]
    fn auth_method_names_match_serde() {
        for method in [
            ClientAuthMethod::ClientSecretBasic,
            ClientAuthMethod::ClientSecretPost,
            ClientAuthMethod::None,
            ClientAuthMethod::PrivateKeyJwt,
        ] {
            let json = serde_json::to_value(method).unwrap();
            assert_eq!(json, method.as_str());
        }
    }

    #[test]
    fn private_key_jwt_addresses_the_issuer_or_else_the_token_endpoint() {
        use crate::jwt::{Algorithm, SignError, Signer};
        struct Unused;
        impl Signer for Unused {
            fn algorithm(&self) -> Algorithm {
                Algorithm::Rs256
            }
            fn key_id(&self) -> Option<&str> {
                None
            }
            fn sign(&self, _: &[u8]) -> Result<Vec<u8>, SignError> {
                Err(SignError::new("unused"))
            }
        }
        let key = ClientAssertionKey::with_seed(std::sync::Arc::new(Unused), [0; 32]);
        let builder = Client::builder("id")
            .authorization_endpoint("https://as.example/auth")
            .token_endpoint("https://as.example/token")
            .private_key_jwt(key.clone());
        let without_issuer = builder.clone().build().unwrap();
        assert_eq!(
            without_issuer.assertion_audience(),
            Some("https://as.example/token")
        );
        let with_issuer = builder
            .clone()
            .issuer("https://as.example")
            .build()
            .unwrap();
        assert_eq!(with_issuer.assertion_audience(), Some("https://as.example"));
        assert_eq!(with_issuer.auth_method(), ClientAuthMethod::PrivateKeyJwt);
        assert_eq!(with_issuer.assertion_key(), Some(&key));
        // No secret needed; none used.
        assert!(with_issuer.secret().is_none());
        let public = build("https://as.example/token").unwrap();
        assert_eq!(public.assertion_audience(), None);
        let with = |audience| {
            builder
                .clone()
                .issuer("https://as.example")
                .assertion_audience(audience)
                .build()
                .unwrap()
        };
        let token = with(AssertionAudience::TokenEndpoint);
        assert_eq!(token.assertion_audience(), Some("https://as.example/token"));
        let custom = with(AssertionAudience::Custom("urn:as".into()));
        assert_eq!(custom.assertion_audience(), Some("urn:as"));
        let endpoint = with(AssertionAudience::Endpoint);
        assert_eq!(endpoint.assertion_audience(), None);
        assert!(endpoint.assertion_key().is_some());
    }

    #[test]
    fn auth_method_defaults_follow_the_secret() {
        let public = build("https://as.example/token").unwrap();
        assert_eq!(public.auth_method(), ClientAuthMethod::None);
        let confidential = Client::google("id", Some(ClientSecret::new("s")))
            .build()
            .unwrap();
        assert_eq!(
            confidential.auth_method(),
            ClientAuthMethod::ClientSecretBasic
        );
        let needs_secret = Client::builder("id")
            .authorization_endpoint("https://a.example/")
            .token_endpoint("https://a.example/t")
            .auth_method(ClientAuthMethod::ClientSecretPost)
            .build();
        assert_eq!(needs_secret.map(|_| ()), Err(ConfigError::SecretRequired));
    }
}
