//! User credentials: what a sign-in yields, google-auth's `Credentials`.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use serde_json::{Map, Value};
use url::Url;

use crate::client::assertion::{Audience, ClientAssertionKey};
use crate::client::auth::{ClientIdentity, Purpose};
use crate::client::{Client, ClientAuthMethod, DEFAULT_RESPONSE_LIMIT};
use crate::credentials::bearer::BearerToken;
use crate::credentials::freshness::DEFAULT_REFRESH_THRESHOLD;
use crate::credentials::kind::{credentials_getters, Credentials};
use crate::dpop::DpopKey;
use crate::error::Error;
use crate::machine::call::{Call, Update};
use crate::macros::setters;
use crate::secret::{ClientSecret, IdToken, RefreshToken};
use crate::wire::endpoint::Endpoint;
use crate::wire::form_post::form_post;
use crate::wire::token_response::TokenResponse;

/// A user's tokens and what is needed to refresh them.
///
/// Obtained from a [`CodeExchange`](crate::CodeExchange), read from an
/// `authorized_user` JSON file, or built with
/// [`from_refresh_token`](Self::from_refresh_token).
#[derive(Debug, Clone, PartialEq)]
pub struct UserCredentials {
    pub(crate) token: Option<BearerToken>,
    pub(crate) refresh_token: Option<RefreshToken>,
    // Shared, not copied, when credentials are cloned for a refresh: the
    // ID token is the largest field and never changes in place.
    pub(crate) id_token: Option<Arc<IdToken>>,
    pub(crate) scopes: Vec<String>,
    pub(crate) granted_scopes: Option<Vec<String>>,
    pub(crate) token_uri: Endpoint,
    /// Who the client is and how refreshes authenticate it (its
    /// `private_key_jwt` key is never written to an authorized_user file).
    pub(crate) client: Arc<ClientIdentity>,
    pub(crate) quota_project: Option<String>,
    pub(crate) file_extras: FileExtras,
    pub(crate) refresh_threshold: Duration,
    pub(crate) response_limit: usize,
    pub(crate) extra: Arc<Map<String, Value>>,
    /// The DPoP key refreshes prove possession of, when the credentials
    /// are DPoP-bound.
    pub(crate) dpop: Option<DpopKey>,
    /// The current access token is `token_type` `DPoP` (bound to `dpop`).
    pub(crate) token_is_dpop: bool,
}

/// Fields of the authorized_user file the crate carries but does not use.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct FileExtras {
    pub rapt_token: Option<RefreshToken>,
    pub universe_domain: Option<String>,
    pub account: Option<String>,
    /// Set for an `external_account_authorized_user` file.
    pub workforce: Option<Box<crate::credentials::external_user::WorkforceFile>>,
}

impl UserCredentials {
    /// Credentials holding only a refresh token for `client`: the first
    /// [`refresh`](Self::refresh) obtains an access token.
    pub fn from_refresh_token(
        client: &Client,
        refresh_token: RefreshToken,
        scopes: Vec<String>,
    ) -> Self {
        Self::for_client(client, scopes).with_refresh_token(refresh_token)
    }

    /// Credentials without tokens yet for `client`: its token endpoint,
    /// identity, response bound and, for `private_key_jwt`, its key (then
    /// refreshes use it too).
    pub(crate) fn for_client(client: &Client, scopes: Vec<String>) -> Self {
        Self::empty(
            client.token_endpoint.clone(),
            Arc::clone(&client.identity),
            scopes,
        )
        .with_response_limit(client.response_limit)
    }

    fn with_refresh_token(mut self, refresh_token: RefreshToken) -> Self {
        self.refresh_token = Some(refresh_token);
        self
    }

    pub(crate) fn empty(
        token_uri: Endpoint,
        client: Arc<ClientIdentity>,
        scopes: Vec<String>,
    ) -> Self {
        Self {
            token: None,
            refresh_token: None,
            id_token: None,
            scopes,
            granted_scopes: None,
            token_uri,
            client,
            quota_project: None,
            file_extras: FileExtras::default(),
            refresh_threshold: DEFAULT_REFRESH_THRESHOLD,
            response_limit: DEFAULT_RESPONSE_LIMIT,
            extra: Arc::default(),
            dpop: None,
            token_is_dpop: false,
        }
    }

    /// The refresh token, if any.
    pub fn refresh_token(&self) -> Option<&RefreshToken> {
        self.refresh_token.as_ref()
    }

    /// The OpenID Connect ID token from the latest response that had one.
    pub fn id_token(&self) -> Option<&IdToken> {
        self.id_token.as_deref()
    }

    /// The scopes requested.
    pub fn scopes(&self) -> &[String] {
        &self.scopes
    }

    /// The scopes the server said it granted; `None` when it did not say
    /// (RFC 6749 §5.1: then they are the requested ones).
    pub fn granted_scopes(&self) -> Option<&[String]> {
        self.granted_scopes.as_deref()
    }

    /// Requested scopes the server did not grant (the user may untick some
    /// on Google's consent screen). Not an error: check it where it matters.
    pub fn missing_scopes(&self) -> Vec<&str> {
        match &self.granted_scopes {
            None => Vec::new(),
            Some(granted) => self
                .scopes
                .iter()
                .filter(|s| !granted.contains(s))
                .map(String::as_str)
                .collect(),
        }
    }

    /// The token endpoint refreshes go to.
    pub fn token_uri(&self) -> &Url {
        &self.token_uri
    }

    /// The client id.
    pub fn client_id(&self) -> &str {
        self.client.id()
    }

    /// The client secret, if any.
    pub fn client_secret(&self) -> Option<&ClientSecret> {
        self.client.secret()
    }

    /// How refreshes (and revocations) authenticate the client.
    pub fn refresh_auth(&self) -> ClientAuthMethod {
        self.client.method(Purpose::Refresh)
    }

    /// The `private_key_jwt` key, if the client authenticates with one.
    pub fn client_assertion_key(&self) -> Option<&ClientAssertionKey> {
        self.client.assertion().map(|assertion| &assertion.key)
    }

    /// Unknown fields of the latest token response.
    pub fn extra(&self) -> &Map<String, Value> {
        &self.extra
    }

    setters! {
        /// Sets the quota project (billed for API calls).
        pub fn with_quota_project(project: Option<String>) => quota_project = project;

        /// How long before expiry a token counts as stale (default 225 s, as google-auth).
        pub fn with_refresh_threshold(threshold: Duration) => refresh_threshold = threshold;
    }

    /// The scopes a refresh asks for (default: those of the sign-in, as
    /// google-auth sends them). When the server granted fewer (an OpenID
    /// provider drops `offline_access` without `prompt=consent`), a refresh
    /// that re-sends them fails with `invalid_scope`: refresh with
    /// [`granted_scopes`](Self::granted_scopes), or with none (`[]`: the
    /// server keeps the grant's scopes, RFC 6749 §6).
    pub fn with_scopes(mut self, scopes: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// How refresh requests authenticate the client. Default:
    /// `ClientSecretPost` (google-auth's refresh request) with a secret,
    /// `PrivateKeyJwt` for credentials of a `private_key_jwt` client, `None`
    /// without either. `PrivateKeyJwt` needs a key: use
    /// [`with_private_key_jwt`](Self::with_private_key_jwt).
    pub fn with_refresh_auth(mut self, method: ClientAuthMethod) -> Self {
        self.client = Arc::new((*self.client).clone().with_method(method));
        self
    }

    /// Refreshes (and revocations) authenticate the client with
    /// `private_key_jwt`: a JWT signed with `key` for `audience` (the
    /// server's issuer). An authorized_user file does not hold the key, so
    /// credentials read from one get it here.
    pub fn with_private_key_jwt(
        mut self,
        key: ClientAssertionKey,
        audience: impl Into<String>,
    ) -> Self {
        let client = (*self.client).clone();
        self.client = Arc::new(client.with_assertion(key, Audience::Fixed(audience.into())));
        self
    }

    /// Binds the credentials to a DPoP key: refreshes send a proof signed
    /// with it and need a `DPoP` token back, and requests are authorized
    /// with `Authorization: DPoP` and a proof. A sign-in through
    /// [`Call::with_dpop`] binds its credentials by itself; use this for
    /// credentials read from a file whose key was kept apart.
    pub fn with_dpop(mut self, key: DpopKey) -> Self {
        self.dpop = Some(key);
        self
    }

    /// The DPoP key the credentials are bound to, if any (whether or not
    /// the current access token is; see [`Credentials::dpop_key`]).
    pub fn dpop_binding(&self) -> Option<&DpopKey> {
        self.dpop.as_ref()
    }

    /// The bound on refresh response bodies (default 1 MiB).
    pub fn with_response_limit(mut self, bytes: usize) -> Self {
        self.response_limit = bytes;
        self
    }

    /// These credentials updated with a token response to a request sent at
    /// `now` (the token's lifetime counts from then):
    /// a new refresh token or ID token replaces the old one, an absent one
    /// keeps it.
    /// A copy without the access token, which a refresh replaces: what a
    /// refresh machine keeps to build the new credentials from.
    fn without_token(&self) -> Self {
        Self {
            token: None,
            refresh_token: self.refresh_token.clone(),
            id_token: self.id_token.clone(),
            scopes: self.scopes.clone(),
            granted_scopes: self.granted_scopes.clone(),
            token_uri: self.token_uri.clone(),
            client: Arc::clone(&self.client),
            quota_project: self.quota_project.clone(),
            file_extras: self.file_extras.clone(),
            refresh_threshold: self.refresh_threshold,
            response_limit: self.response_limit,
            extra: Arc::clone(&self.extra),
            dpop: self.dpop.clone(),
            token_is_dpop: false,
        }
    }

    pub(crate) fn updated(self, response: TokenResponse, now: SystemTime) -> Self {
        let mut next = self;
        let expiry = response.expiry(now);
        next.token = Some(BearerToken::new(response.access_token, expiry));
        next.token_is_dpop = response.dpop;
        if let Some(refresh_token) = response.refresh_token {
            next.refresh_token = Some(refresh_token);
        }
        if let Some(id_token) = response.id_token {
            next.id_token = Some(Arc::new(id_token));
        }
        if let Some(granted) = response.scopes {
            next.granted_scopes = Some(granted);
        }
        next.extra = Arc::new(response.extra);
        next
    }
}

impl Credentials for UserCredentials {
    type Refresh = UserRefresh;

    credentials_getters!();

    fn dpop_key(&self) -> Option<&DpopKey> {
        self.dpop.as_ref().filter(|_| self.token_is_dpop)
    }

    /// A machine that refreshes the access token; its output is the updated
    /// credentials. Sends google-auth's request: `grant_type=refresh_token`,
    /// the client credentials (in the body by default), the refresh token,
    /// and the requested scopes. For `private_key_jwt`, the client assertion
    /// is signed when the request is sent; without a key the machine fails
    /// with [`Error::Config`].
    fn refresh(&self) -> Result<UserRefresh, Error> {
        let refresh_token = self.refresh_token.as_ref().ok_or(Error::NoRefreshToken)?;
        let scope = self.scopes.join(" ");
        let params = [
            ("refresh_token", refresh_token.secret()),
            ("scope", scope.as_str()),
        ];
        let request = form_post(
            self.token_uri.uri(),
            Some("refresh_token"),
            self.client.in_form(Purpose::Refresh),
            if scope.is_empty() {
                &params[..1]
            } else {
                &params
            },
        );
        let call = self.client.call(
            Purpose::Refresh,
            request,
            self.response_limit,
            TokenResponse::parse,
        );
        let call = call.with_context(self.without_token());
        Ok(match &self.dpop {
            Some(key) => call.with_dpop(key),
            None => call,
        })
    }
}

/// Refreshes [`UserCredentials`]; made by their
/// [`refresh`](Credentials::refresh): one token request whose answer
/// updates the credentials.
pub type UserRefresh = Call<TokenResponse, UserCredentials>;

/// A token response updates the credentials: a new refresh token or ID
/// token replaces the old one, an absent one keeps it.
impl Update<TokenResponse> for UserCredentials {
    type Output = UserCredentials;

    fn update(self, response: TokenResponse, sent_at: SystemTime) -> Result<Self, Error> {
        Ok(self.updated(response, sent_at))
    }

    fn bind_dpop(&mut self, key: &DpopKey) {
        self.dpop = Some(key.clone());
    }
}
