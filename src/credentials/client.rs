//! Client credentials ([RFC 6749 §4.4](https://www.rfc-editor.org/rfc/rfc6749#section-4.4)):
//! a client's own token, and the grant that gets the next one the same way
//! when it goes stale (there is no refresh token).
//!
//! Client authentication is whatever the [`Client`](crate::Client) is
//! configured with: a secret (Basic or in the body) or `private_key_jwt`,
//! its assertion signed anew for every request, when it is sent.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use serde_json::{Map, Value};

use crate::client::auth::{ClientIdentity, Purpose};
use crate::client::Client;
use crate::credentials::freshness::DEFAULT_REFRESH_THRESHOLD;
use crate::credentials::kind::Credentials;
use crate::credentials::BearerToken;
use crate::dpop::DpopKey;
use crate::error::Error;
use crate::machine::call::{Call, Update};
use crate::wire::form_post::form_post;
use crate::wire::token_response::TokenResponse;

/// Asks the token endpoint for a token with the client credentials grant;
/// made by [`ClientCredentialsRequest::build`](crate::ClientCredentialsRequest::build)
/// or [`ClientCredentials`]' [`refresh`](Credentials::refresh). Its output is the [`ClientCredentials`]
/// with the new token.
///
/// The response is a token response with the usual rules
/// ([`TokenResponse::parse`]); a refresh token in it is ignored (RFC 6749
/// §4.4.3: none should be issued; ask again instead).
pub type ClientCredentialsGrant = Call<TokenResponse, ClientCredentials>;

/// A client's own credentials for the client credentials grant: the access
/// token (once there is one) and what is needed to get the next one.
///
/// Freshness follows the same rule as every credentials kind
/// ([`freshness`](crate::freshness)): stale 225 s before expiry by default,
/// invalid from expiry on; a token without `expires_in` counts as fresh.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientCredentials {
    pub(crate) client: Arc<ClientIdentity>,
    pub(crate) token_uri: http::Uri,
    scopes: Vec<String>,
    pub(crate) params: Vec<(String, String)>,
    response_limit: usize,
    refresh_threshold: Duration,
    pub(crate) token: Option<BearerToken>,
    granted_scopes: Option<Vec<String>>,
    extra: Map<String, Value>,
    /// The DPoP key every grant proves possession of, when bound.
    pub(crate) dpop: Option<DpopKey>,
    /// The current token is `token_type` `DPoP`.
    pub(crate) token_is_dpop: bool,
}

impl ClientCredentials {
    /// Credentials of `client` asking for `scopes` and `params`, without a
    /// token yet.
    pub(crate) fn new(client: &Client, scopes: Vec<String>, params: Vec<(String, String)>) -> Self {
        Self {
            client: Arc::clone(&client.identity),
            token_uri: client.token_endpoint.uri(),
            scopes,
            params,
            response_limit: client.response_limit,
            refresh_threshold: DEFAULT_REFRESH_THRESHOLD,
            token: None,
            granted_scopes: None,
            extra: Map::new(),
            dpop: None,
            token_is_dpop: false,
        }
    }

    /// The scopes asked for.
    pub fn scopes(&self) -> &[String] {
        &self.scopes
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

    /// How long before expiry the token counts as stale (default 225 s).
    pub fn with_refresh_threshold(mut self, threshold: Duration) -> Self {
        self.refresh_threshold = threshold;
        self
    }

    /// A machine that asks for a new token: `grant_type=client_credentials`,
    /// the client's authentication, `scope` when there are scopes, then the
    /// extra parameters.
    pub(crate) fn grant(&self) -> ClientCredentialsGrant {
        let scope = self.scopes.join(" ");
        let mut params: Vec<(&str, &str)> = Vec::with_capacity(1 + self.params.len());
        if !scope.is_empty() {
            params.push(("scope", &scope));
        }
        params.extend(self.params.iter().map(|(n, v)| (n.as_str(), v.as_str())));
        let request = form_post(
            self.token_uri.clone(),
            Some("client_credentials"),
            self.client.in_form(Purpose::Other),
            &params,
        );
        let grant = self
            .client
            .call(
                Purpose::Other,
                request,
                self.response_limit,
                TokenResponse::parse,
            )
            .with_context(self.clone());
        match &self.dpop {
            Some(key) => grant.with_dpop(key),
            None => grant,
        }
    }
}

impl Credentials for ClientCredentials {
    type Refresh = ClientCredentialsGrant;

    fn token(&self) -> Option<&BearerToken> {
        self.token.as_ref()
    }

    fn refresh_threshold(&self) -> Duration {
        self.refresh_threshold
    }

    fn dpop_key(&self) -> Option<&DpopKey> {
        self.dpop.as_ref().filter(|_| self.token_is_dpop)
    }

    /// Asks again, exactly as the first time.
    fn refresh(&self) -> Result<ClientCredentialsGrant, Error> {
        Ok(self.grant())
    }
}

/// The new token replaces the old one.
impl Update<TokenResponse> for ClientCredentials {
    type Output = Self;

    fn update(mut self, response: TokenResponse, sent_at: SystemTime) -> Result<Self, Error> {
        let expiry = response.expiry(sent_at);
        self.token = Some(BearerToken::new(response.access_token, expiry));
        self.token_is_dpop = response.dpop;
        self.granted_scopes = response.scopes;
        self.extra = response.extra;
        Ok(self)
    }

    fn bind_dpop(&mut self, key: &DpopKey) {
        self.dpop = Some(key.clone());
    }
}
