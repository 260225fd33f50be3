//! [`ExternalAccountCredentials`]: Google access tokens for a workload or
//! workforce outside Google, from its own token exchanged at Google's STS.

use std::sync::Arc;
use std::time::Duration;

use url::Url;

use super::aws::AwsEnvironment;
use super::refresh::ExternalAccountRefresh;
use super::source::CredentialSource;
use super::supplier::SubjectTokenSupplier;
use crate::client::DEFAULT_RESPONSE_LIMIT;
use crate::credentials::bearer::BearerToken;
use crate::credentials::freshness::DEFAULT_REFRESH_THRESHOLD;
use crate::credentials::kind::{credentials_getters, Credentials};
use crate::error::config::ConfigError;
use crate::error::Error;
use crate::google::{CLOUD_PLATFORM_SCOPE, GOOGLE_STS_URI};
use crate::macros::setters;
use crate::secret::ClientSecret;
use crate::wire::endpoint::parse_endpoint;

/// Credentials of an external account (workload or workforce identity
/// federation, google-auth's `external_account`): at each refresh the
/// subject token (an OIDC ID token, a SAML assertion, ...) is fetched from
/// its [`CredentialSource`] or asked of a [`SubjectTokenSupplier`], then
/// exchanged at Google's Security Token Service (RFC 8693) for an access
/// token; with `service_account_impersonation_url`, that token (scope
/// `iam`) then obtains a service account's token from IAM's
/// `generateAccessToken`, as [`ImpersonatedCredentials`](crate::impersonated::ImpersonatedCredentials) does.
///
/// ```
/// use std::time::SystemTime;
/// use oauth2_sansio::external::ExternalAccountCredentials;
/// use oauth2_sansio::{drive, Credentials};
///
/// let credentials = ExternalAccountCredentials::from_json(br#"{
///   "type": "external_account",
///   "audience": "//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/q",
///   "subject_token_type": "urn:ietf:params:oauth:token-type:jwt",
///   "credential_source": {"url": "https://token.example/id", "headers": {"Metadata": "True"}}}"#)?;
/// let credentials = drive(credentials.refresh()?, SystemTime::now, |request| {
///     let body: &[u8] = if request.uri().host() == Some("token.example") {
///         b"eyJ.subject.token"
///     } else {
///         br#"{"access_token":"ya29.sts","issued_token_type":"urn:ietf:params:oauth:token-type:access_token","token_type":"Bearer","expires_in":3600}"#
///     };
///     Ok(oauth2_sansio::http::Response::new(body.to_vec()))
/// }, |_| {})?;
/// assert_eq!(credentials.token().unwrap().secret(), "ya29.sts");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct ExternalAccountCredentials {
    pub(super) config: Arc<ExternalConfig>,
    pub(super) impersonation: Option<Arc<Impersonation>>,
    pub(super) scopes: Vec<String>,
    pub(super) supplier: Option<Arc<dyn SubjectTokenSupplier>>,
    /// What an AWS source reads of the environment.
    pub(super) aws_environment: Arc<AwsEnvironment>,
    /// STS's token, kept between refreshes when it is the source of an
    /// impersonation.
    pub(super) federated: Option<BearerToken>,
    pub(super) token: Option<BearerToken>,
    pub(super) quota_project: Option<String>,
    pub(super) refresh_threshold: Duration,
    pub(super) response_limit: usize,
}

/// What the file fixes about the exchange.
#[derive(Debug)]
pub(super) struct ExternalConfig {
    pub audience: String,
    pub subject_token_type: String,
    pub token_url: Url,
    /// `None`: a programmatic supplier only.
    pub source: Option<CredentialSource>,
    pub client_id: Option<String>,
    pub client_secret: Option<ClientSecret>,
    pub workforce_pool_user_project: Option<String>,
    pub token_info_url: Option<Url>,
    pub universe_domain: String,
}

/// Service account impersonation after the exchange.
#[derive(Debug)]
pub(super) struct Impersonation {
    pub url: Url,
    pub principal: String,
    pub lifetime: Duration,
}

impl ExternalAccountCredentials {
    pub(super) fn from_parts(config: ExternalConfig, impersonation: Option<Impersonation>) -> Self {
        Self {
            config: Arc::new(config),
            impersonation: impersonation.map(Arc::new),
            scopes: vec![CLOUD_PLATFORM_SCOPE.to_owned()],
            supplier: None,
            aws_environment: Arc::default(),
            federated: None,
            token: None,
            quota_project: None,
            refresh_threshold: DEFAULT_REFRESH_THRESHOLD,
            response_limit: DEFAULT_RESPONSE_LIMIT,
        }
    }

    /// Credentials whose subject tokens come from `supplier` (a token the
    /// program holds), exchanged for `audience` (the pool provider,
    /// `//iam.googleapis.com/...`) at Google's STS; scope `cloud-platform`.
    pub fn new(
        audience: impl Into<String>,
        subject_token_type: impl Into<String>,
        supplier: Arc<dyn SubjectTokenSupplier>,
    ) -> Self {
        let config = ExternalConfig {
            audience: audience.into(),
            subject_token_type: subject_token_type.into(),
            token_url: Url::parse(GOOGLE_STS_URI).expect("a valid URL"),
            source: None,
            client_id: None,
            client_secret: None,
            workforce_pool_user_project: None,
            token_info_url: None,
            universe_domain: crate::credentials::metadata::DEFAULT_UNIVERSE_DOMAIN.to_owned(),
        };
        Self::from_parts(config, None).with_supplier(supplier)
    }

    /// Exchanges at `url` instead of Google's STS: https, or http on a
    /// loopback host. Drops any cached token.
    pub fn with_token_url(mut self, url: &str) -> Result<Self, ConfigError> {
        let token_url = parse_endpoint(url, "token_url", false)?;
        let config = &self.config;
        self.config = Arc::new(ExternalConfig {
            token_url,
            audience: config.audience.clone(),
            subject_token_type: config.subject_token_type.clone(),
            source: config.source.clone(),
            client_id: config.client_id.clone(),
            client_secret: config.client_secret.clone(),
            workforce_pool_user_project: config.workforce_pool_user_project.clone(),
            token_info_url: config.token_info_url.clone(),
            universe_domain: config.universe_domain.clone(),
        });
        self.token = None;
        self.federated = None;
        Ok(self)
    }

    /// Asks `supplier` for the subject token instead of the file's source
    /// (the io layer's file supplier, or one of your own).
    pub fn with_supplier(mut self, supplier: Arc<dyn SubjectTokenSupplier>) -> Self {
        self.supplier = Some(supplier);
        self
    }

    /// The AWS variables an AWS source reads (region, credentials) instead
    /// of none: what they lack is asked of the instance metadata service.
    /// The io layer attaches the process's for ADC and the CLI.
    pub fn with_aws_environment(mut self, env: AwsEnvironment) -> Self {
        self.aws_environment = Arc::new(env);
        self
    }

    /// Asks for these scopes (default `cloud-platform`); with impersonation
    /// they are the service account token's, STS being asked for `iam`.
    /// Drops any cached token.
    pub fn with_scopes(mut self, scopes: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self.token = None;
        self.federated = None;
        self
    }

    setters! {
        /// Sets the quota project (sent as `x-goog-user-project`, and to IAM
        /// when impersonating, as google-auth does).
        pub fn with_quota_project(project: Option<String>) => quota_project = project;

        /// How long before expiry a token is renewed (default 225 s).
        pub fn with_refresh_threshold(threshold: Duration) => refresh_threshold = threshold;

        /// The bound on STS's and IAM's answers (default 1 MiB).
        pub fn with_response_limit(bytes: usize) => response_limit = bytes;
    }

    /// The pool provider the tokens are exchanged for.
    pub fn audience(&self) -> &str {
        &self.config.audience
    }

    /// The subject token's type.
    pub fn subject_token_type(&self) -> &str {
        &self.config.subject_token_type
    }

    /// Where the token exchange is sent.
    pub fn token_url(&self) -> &Url {
        &self.config.token_url
    }

    /// The file's credential source (`None` for credentials made with
    /// [`new`](Self::new)).
    pub fn credential_source(&self) -> Option<&CredentialSource> {
        self.config.source.as_ref()
    }

    /// The client that authenticates at STS (`client_id`), if any.
    pub fn client_id(&self) -> Option<&str> {
        self.config.client_id.as_deref()
    }

    /// The project billed for a workforce pool's exchange, if any.
    pub fn workforce_pool_user_project(&self) -> Option<&str> {
        self.config.workforce_pool_user_project.as_deref()
    }

    /// `token_info_url`, kept (the crate does not introspect with it).
    pub fn token_info_url(&self) -> Option<&Url> {
        self.config.token_info_url.as_ref()
    }

    /// The universe domain (default `googleapis.com`).
    pub fn universe_domain(&self) -> &str {
        &self.config.universe_domain
    }

    /// The service account impersonated, if any.
    pub fn service_account_email(&self) -> Option<&str> {
        self.impersonation.as_deref().map(|i| i.principal.as_str())
    }

    /// The `generateAccessToken` URL called, if impersonating.
    pub fn impersonation_url(&self) -> Option<&Url> {
        self.impersonation.as_deref().map(|i| &i.url)
    }

    /// The impersonated token's lifetime (`token_lifetime_seconds`,
    /// default one hour), if impersonating.
    pub fn token_lifetime(&self) -> Option<Duration> {
        self.impersonation.as_deref().map(|i| i.lifetime)
    }

    /// The scopes asked for.
    pub fn scopes(&self) -> &[String] {
        &self.scopes
    }

    /// Whether the audience is a workforce pool's.
    pub fn is_workforce_pool(&self) -> bool {
        is_workforce_audience(&self.config.audience)
    }
}

/// google-auth's `//iam\.googleapis\.com/locations/[^/]+/workforcePools/`,
/// anchored at the start.
pub(super) fn is_workforce_audience(audience: &str) -> bool {
    audience
        .strip_prefix("//iam.googleapis.com/locations/")
        .and_then(|rest| rest.split_once('/'))
        .is_some_and(|(location, rest)| !location.is_empty() && rest.starts_with("workforcePools/"))
}

impl Credentials for ExternalAccountCredentials {
    type Refresh = ExternalAccountRefresh;

    credentials_getters!();

    fn refresh(&self) -> Result<ExternalAccountRefresh, Error> {
        ExternalAccountRefresh::new(self)
    }
}
