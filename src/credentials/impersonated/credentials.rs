//! [`ImpersonatedCredentials`]: a service account's access tokens, obtained
//! with the source credentials' own token.

use std::time::Duration;

use url::Url;

use super::iam::{generate_access_token_url, impersonation_url, IAM_SCOPE, MAX_LIFETIME};
use super::refresh::{renew_then_call, ImpersonatedRefresh};
use crate::client::DEFAULT_RESPONSE_LIMIT;
use crate::credentials::any::AnyCredentials;
use crate::credentials::bearer::BearerToken;
use crate::credentials::freshness::DEFAULT_REFRESH_THRESHOLD;
use crate::credentials::kind::{credentials_getters, Credentials};
use crate::credentials::metadata::DEFAULT_UNIVERSE_DOMAIN;
use crate::error::config::ConfigError;
use crate::error::Error;
use crate::google::CLOUD_PLATFORM_SCOPE;
use crate::macros::setters;

/// A service account's access tokens from the IAM Service Account
/// Credentials API, asked for with the token of other credentials (the
/// source: a user, another service account, the metadata server, ADC's
/// result).
///
/// Each refresh renews the source first when its token is not fresh, then
/// POSTs `{"scope": [...], "lifetime": "3600s", "delegates": [...]}` to
/// `https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/TARGET:generateAccessToken`
/// with `Authorization: Bearer <source token>` (and the source's
/// `x-goog-user-project`). The source must hold
/// `roles/iam.serviceAccountTokenCreator` on the target (or on the first
/// delegate, each delegate on the next, the last on the target).
///
/// A source with scopes of its own (a service account, the metadata
/// server) is given [`IAM_SCOPE`], as google-auth does; user credentials
/// keep the scopes they were granted (they need `cloud-platform`). The
/// renewed source is kept: a user source's rotated refresh token is in the
/// credentials a refresh ends with.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use oauth2_sansio::impersonated::ImpersonatedCredentials;
/// use oauth2_sansio::{drive, Credentials, RefreshToken, UserCredentials};
///
/// # let client = oauth2_sansio::Client::google("id", None).build()?;
/// let source = UserCredentials::from_refresh_token(&client, RefreshToken::new("1//r"), vec![]);
/// let target = ImpersonatedCredentials::new(source, "target@p.iam.gserviceaccount.com")
///     .with_lifetime(Duration::from_secs(600));
/// let mut sent = Vec::new();
/// let target = drive(target.refresh()?, SystemTime::now, |request| {
///     sent.push(request.uri().to_string());
///     let body: &[u8] = if request.uri().path() == "/token" {
///         // The source has no token yet: it is renewed first.
///         br#"{"access_token":"ya29.user","expires_in":3600,"token_type":"Bearer"}"#
///     } else {
///         assert_eq!(request.headers()["authorization"], "Bearer ya29.user");
///         br#"{"accessToken":"ya29.target","expireTime":"2099-01-01T00:00:00Z"}"#
///     };
///     Ok(oauth2_sansio::http::Response::new(body.to_vec()))
/// }, |_| {})?;
/// assert_eq!(sent, [
///     "https://oauth2.googleapis.com/token",
///     "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/target@p.iam.gserviceaccount.com:generateAccessToken",
/// ]);
/// assert_eq!(target.token().unwrap().secret(), "ya29.target");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct ImpersonatedCredentials {
    pub(super) source: Box<AnyCredentials>,
    pub(super) principal: String,
    pub(super) endpoint: Url,
    pub(super) scopes: Vec<String>,
    pub(super) delegates: Vec<String>,
    pub(super) lifetime: Duration,
    pub(super) response_limit: usize,
    pub(super) token: Option<BearerToken>,
    pub(super) quota_project: Option<String>,
    pub(super) refresh_threshold: Duration,
}

impl ImpersonatedCredentials {
    /// `target`'s tokens (a service account's email), asked for with
    /// `source`'s, at Google's IAM endpoint; scope `cloud-platform`,
    /// lifetime one hour, no delegates.
    pub fn new(source: impl Into<AnyCredentials>, target: impl Into<String>) -> Self {
        let principal = target.into();
        let url = generate_access_token_url(&principal, DEFAULT_UNIVERSE_DOMAIN);
        let endpoint = Url::parse(&url).unwrap_or_else(|_| {
            Url::parse(&generate_access_token_url(
                "invalid",
                DEFAULT_UNIVERSE_DOMAIN,
            ))
            .expect("a valid URL")
        });
        Self {
            source: Box::new(for_iam(source.into())),
            principal,
            endpoint,
            scopes: vec![CLOUD_PLATFORM_SCOPE.to_owned()],
            delegates: Vec::new(),
            lifetime: MAX_LIFETIME,
            response_limit: DEFAULT_RESPONSE_LIMIT,
            token: None,
            quota_project: None,
            refresh_threshold: DEFAULT_REFRESH_THRESHOLD,
        }
    }

    /// Calls `url` (a full `generateAccessToken` URL: a regional or
    /// Private Service Connect endpoint, another universe) instead of
    /// Google's default; https, or http on a loopback host. The target is
    /// the principal the URL names.
    pub fn with_impersonation_url(mut self, url: &str) -> Result<Self, ConfigError> {
        let (endpoint, principal) = impersonation_url(url, None)?;
        self.endpoint = endpoint;
        self.principal = principal;
        self.token = None;
        Ok(self)
    }

    /// Asks for these scopes (default `cloud-platform`). Drops any cached
    /// token.
    pub fn with_scopes(mut self, scopes: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self.token = None;
        self
    }

    /// The chain of service accounts between the source and the target
    /// (emails, or `projects/-/serviceAccounts/EMAIL`). Drops any cached
    /// token.
    pub fn with_delegates(
        mut self,
        delegates: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        self.delegates = delegates.into_iter().map(Into::into).collect();
        self.token = None;
        self
    }

    setters! {
        /// How long the tokens live (default and usual maximum one hour;
        /// up to 12 hours where an organization policy allows it).
        pub fn with_lifetime(lifetime: Duration) => lifetime = lifetime;

        /// Sets the quota project (sent as `x-goog-user-project` with the
        /// impersonated token; the source's own is sent to IAM).
        pub fn with_quota_project(project: Option<String>) => quota_project = project;

        /// How long before expiry a token is renewed (default 225 s).
        pub fn with_refresh_threshold(threshold: Duration) => refresh_threshold = threshold;

        /// The bound on IAM's answers (default 1 MiB).
        pub fn with_response_limit(bytes: usize) => response_limit = bytes;
    }

    /// The service account impersonated.
    pub fn target_principal(&self) -> &str {
        &self.principal
    }

    /// The `generateAccessToken` URL called.
    pub fn impersonation_url(&self) -> &Url {
        &self.endpoint
    }

    /// Keeps `source` (the same credentials, renewed by a call that did
    /// not end with new impersonated credentials, such as `signBlob`).
    pub(crate) fn replace_source(&mut self, source: AnyCredentials) {
        *self.source = source;
    }

    /// The source credentials (as last renewed).
    pub fn source(&self) -> &AnyCredentials {
        &self.source
    }

    /// The scopes asked for.
    pub fn scopes(&self) -> &[String] {
        &self.scopes
    }

    /// The delegates, as given.
    pub fn delegates(&self) -> &[String] {
        &self.delegates
    }
}

/// `source` able to call IAM: scoped kinds get [`IAM_SCOPE`].
fn for_iam(source: AnyCredentials) -> AnyCredentials {
    match source {
        AnyCredentials::ServiceAccount(kind) => {
            AnyCredentials::ServiceAccount(kind.with_scopes([IAM_SCOPE]))
        }
        AnyCredentials::Metadata(kind) => AnyCredentials::Metadata(kind.with_scopes([IAM_SCOPE])),
        other => other,
    }
}

impl Credentials for ImpersonatedCredentials {
    type Refresh = ImpersonatedRefresh;

    credentials_getters!();

    fn refresh(&self) -> Result<ImpersonatedRefresh, Error> {
        Ok(renew_then_call(self, &self.source))
    }
}
