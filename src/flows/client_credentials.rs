//! The client credentials grant
//! ([RFC 6749 §4.4](https://www.rfc-editor.org/rfc/rfc6749#section-4.4)):
//! a client gets a token for itself, and gets a new one the same way when
//! it goes stale (there is no refresh token).
//!
//! Client authentication is whatever the [`Client`] is configured with:
//! a secret (Basic or in the body) or `private_key_jwt`, its assertion
//! signed anew for every request, when it is sent.

use std::time::{Duration, SystemTime};

use serde_json::{Map, Value};
use url::Url;

use crate::client::assertion::authenticated_call;
use crate::client::Client;
use crate::credentials::freshness::{Freshness, DEFAULT_REFRESH_THRESHOLD};
use crate::credentials::{BearerToken, NeedsRefresh};
use crate::error::config::ConfigError;
use crate::flows::params::check_scopes_and_params;
use crate::machine::call::call_machine;
use crate::machine::lazy_call::LazyCall;
use crate::wire::token_request::{token_request, ClientIdentity};
use crate::wire::token_response::TokenResponse;

/// Parameters the grant sets itself.
const RESERVED: [&str; 2] = ["grant_type", "scope"];

/// Builds a client credentials grant; see [`Client::client_credentials`].
#[derive(Debug, Clone)]
#[must_use = "call build() to get the machine"]
pub struct ClientCredentialsRequest<'c> {
    client: &'c Client,
    scopes: Vec<String>,
    params: Vec<(String, String)>,
}

impl Client {
    /// Starts a client credentials grant at the token endpoint.
    ///
    /// ```
    /// use oauth2_sansio::{drive, Client, ClientSecret, Freshness};
    ///
    /// let client = Client::builder("svc")
    ///     .client_secret(ClientSecret::new("svc-secret"))
    ///     .authorization_endpoint("https://as.example/authorize")
    ///     .token_endpoint("https://as.example/token")
    ///     .build()?;
    /// let grant = client.client_credentials().scope("read").build()?;
    /// let now = std::time::SystemTime::now();
    /// let credentials = drive(
    ///     grant,
    ///     || now,
    ///     |request| {
    ///         assert_eq!(request.body(), b"grant_type=client_credentials&scope=read");
    ///         Ok(http::Response::new(br#"{"access_token":"at","token_type":"Bearer","expires_in":3600}"#.to_vec()))
    ///     },
    ///     |_| {},
    /// )?;
    /// assert_eq!(credentials.freshness(now), Freshness::Fresh);
    /// let again = credentials.refresh(); // the same request, when it goes stale
    /// # let _ = again;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn client_credentials(&self) -> ClientCredentialsRequest<'_> {
        ClientCredentialsRequest {
            client: self,
            scopes: Vec::new(),
            params: Vec::new(),
        }
    }
}

impl ClientCredentialsRequest<'_> {
    crate::flows::params::scope_setters!();

    /// Any other form parameter (`audience`, `resource`, ...).
    /// `grant_type`, `scope` and the client authentication parameters
    /// (`client_id`, `client_secret`, `client_assertion`,
    /// `client_assertion_type`) are refused by `build`.
    pub fn param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.params.push((name.into(), value.into()));
        self
    }

    /// Checks the scopes and parameters and makes the machine.
    pub fn build(self) -> Result<ClientCredentialsGrant, ConfigError> {
        check_scopes_and_params(&self.scopes, &self.params, &RESERVED)?;
        let client = self.client;
        Ok(Settings {
            token_uri: client.token_endpoint.clone(),
            client: ClientIdentity::of(client),
            scopes: self.scopes,
            params: self.params,
            response_limit: client.response_limit,
            refresh_threshold: DEFAULT_REFRESH_THRESHOLD,
        }
        .grant())
    }
}

/// Everything needed to ask for a token again.
#[derive(Debug, Clone, PartialEq)]
struct Settings {
    token_uri: Url,
    client: ClientIdentity,
    scopes: Vec<String>,
    params: Vec<(String, String)>,
    response_limit: usize,
    refresh_threshold: Duration,
}

impl Settings {
    /// `grant_type=client_credentials`, the client's authentication, `scope`
    /// when there are scopes, then the extra parameters.
    fn grant(self) -> ClientCredentialsGrant {
        let scope = self.scopes.join(" ");
        let mut params: Vec<(&str, &str)> = Vec::with_capacity(1 + self.params.len());
        if !scope.is_empty() {
            params.push(("scope", &scope));
        }
        params.extend(self.params.iter().map(|(n, v)| (n.as_str(), v.as_str())));
        let auth = self.client.auth();
        let request = token_request(&self.token_uri, auth, "client_credentials", &params);
        ClientCredentialsGrant {
            call: authenticated_call(request, auth, self.response_limit, TokenResponse::parse),
            context: Some(self),
        }
    }
}

/// Asks the token endpoint for a token with the client credentials grant;
/// made by [`ClientCredentialsRequest::build`] or
/// [`ClientCredentials::refresh`]. Its output is [`ClientCredentials`].
///
/// The response is a token response with the usual rules
/// ([`TokenResponse::parse`]); a refresh token in it is ignored (RFC 6749
/// §4.4.3: none should be issued; ask again instead).
#[derive(Debug)]
#[must_use = "a machine does nothing until driven"]
pub struct ClientCredentialsGrant {
    call: LazyCall<TokenResponse>,
    context: Option<Settings>,
}

call_machine!(ClientCredentialsGrant => ClientCredentials, |move settings, response, sent_at| {
    Ok(ClientCredentials::new(settings, response, sent_at))
});

/// A client's own access token, from the client credentials grant, and
/// what is needed to get the next one.
///
/// Freshness follows the same rule as every credentials kind
/// ([`freshness`](crate::freshness)): stale 225 s before expiry by default,
/// invalid from expiry on; a token without `expires_in` counts as fresh.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientCredentials {
    token: BearerToken,
    granted_scopes: Option<Vec<String>>,
    extra: Map<String, Value>,
    settings: Settings,
}

impl ClientCredentials {
    fn new(settings: Settings, response: TokenResponse, sent_at: SystemTime) -> Self {
        let expiry = response.expiry(sent_at);
        Self {
            token: BearerToken::new(response.access_token, expiry),
            granted_scopes: response.scopes,
            extra: response.extra,
            settings,
        }
    }

    /// The access token and its expiry.
    pub fn token(&self) -> &BearerToken {
        &self.token
    }

    /// The scopes asked for.
    pub fn scopes(&self) -> &[String] {
        &self.settings.scopes
    }

    /// The scopes the server said it granted; `None` when it did not say.
    pub fn granted_scopes(&self) -> Option<&[String]> {
        self.granted_scopes.as_deref()
    }

    /// Other fields of the token response (a refresh token, if the server
    /// sent one against RFC 6749 §4.4.3, is not kept).
    pub fn extra(&self) -> &Map<String, Value> {
        &self.extra
    }

    /// How long before expiry the token counts as stale (default 225 s);
    /// kept by [`refresh`](Self::refresh).
    pub fn with_refresh_threshold(mut self, threshold: Duration) -> Self {
        self.settings.refresh_threshold = threshold;
        self
    }

    /// Fresh, stale or invalid at `now`.
    pub fn freshness(&self, now: SystemTime) -> Freshness {
        self.token.freshness(now, self.settings.refresh_threshold)
    }

    /// Adds `Authorization: Bearer …` to `request` unless the token has
    /// expired at `now`; see [`BearerToken::authorize`].
    pub fn authorize<B>(
        &self,
        request: &mut http::Request<B>,
        now: SystemTime,
    ) -> Result<Freshness, NeedsRefresh> {
        self.token
            .authorize(request, None, now, self.settings.refresh_threshold)
    }

    /// A machine that asks for a new token exactly as the first one was
    /// asked for.
    pub fn refresh(&self) -> ClientCredentialsGrant {
        self.settings.clone().grant()
    }
}
