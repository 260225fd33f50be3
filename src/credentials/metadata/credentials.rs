//! Access tokens from the metadata server: the credentials of the service
//! account the VM, pod or service runs as (google-auth's
//! `compute_engine.Credentials`).

use std::sync::Arc;
use std::time::Duration;

use super::get::MetadataGet;
use super::server::MetadataServer;
use crate::client::DEFAULT_RESPONSE_LIMIT;
use crate::credentials::bearer::BearerToken;
use crate::credentials::freshness::DEFAULT_REFRESH_THRESHOLD;
use crate::credentials::kind::{credentials_getters, Credentials};
use crate::error::Error;
use crate::macros::setters;
use crate::wire::token_response::TokenResponse;

/// The path of the default service account's access token.
const TOKEN_PATH: &str = "instance/service-accounts/default/token";

/// The access tokens of the service account the program runs as, from the
/// metadata server.
///
/// Each refresh is one GET of
/// `instance/service-accounts/default/token[?scopes=a,b]` (retried as
/// [`MetadataGet`] says); the answer is a token response (`access_token`,
/// `expires_in`, `token_type` Bearer). Scopes are honoured on Cloud Run and
/// App Engine; Compute Engine gives the scopes the VM was created with.
///
/// ```
/// use oauth2_sansio::metadata::{MetadataCredentials, MetadataServer};
/// use oauth2_sansio::{drive, Credentials};
///
/// let credentials = MetadataCredentials::new(MetadataServer::default())
///     .with_scopes(["https://www.googleapis.com/auth/cloud-platform"]);
/// let now = std::time::SystemTime::now();
/// let refreshed = drive(credentials.refresh()?, || now, |request| {
///     assert_eq!(request.headers()["metadata-flavor"], "Google");
///     Ok(oauth2_sansio::http::Response::builder()
///         .header("Metadata-Flavor", "Google")
///         .body(br#"{"access_token":"ya29.m","expires_in":3599,"token_type":"Bearer"}"#.to_vec())
///         .unwrap())
/// }, |_| {})?;
/// assert_eq!(refreshed.token().unwrap().secret(), "ya29.m");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct MetadataCredentials {
    server: Arc<MetadataServer>,
    scopes: Vec<String>,
    quota_project: Option<String>,
    refresh_threshold: Duration,
    response_limit: usize,
    token: Option<BearerToken>,
}

impl MetadataCredentials {
    /// The credentials the metadata server `server` gives.
    pub fn new(server: MetadataServer) -> Self {
        Self {
            server: Arc::new(server),
            scopes: Vec::new(),
            quota_project: None,
            refresh_threshold: DEFAULT_REFRESH_THRESHOLD,
            response_limit: DEFAULT_RESPONSE_LIMIT,
            token: None,
        }
    }

    /// Asks for these scopes. Drops any cached token.
    pub fn with_scopes(mut self, scopes: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self.token = None;
        self
    }

    setters! {
        /// Sets the quota project (sent as `x-goog-user-project`).
        pub fn with_quota_project(project: Option<String>) => quota_project = project;

        /// How long before expiry a token is renewed (default 225 s: the
        /// metadata server itself keeps a token until 4 minutes before its
        /// expiry, so renewing earlier would get the same token back).
        pub fn with_refresh_threshold(threshold: Duration) => refresh_threshold = threshold;
    }

    /// The metadata server.
    pub fn server(&self) -> &MetadataServer {
        &self.server
    }

    /// The scopes asked for.
    pub fn scopes(&self) -> &[String] {
        &self.scopes
    }
}

/// Renews [`MetadataCredentials`]: one metadata GET, retried.
pub type MetadataRefresh = MetadataGet<TokenResponse, MetadataCredentials>;

impl Credentials for MetadataCredentials {
    type Refresh = MetadataRefresh;

    credentials_getters!();

    fn refresh(&self) -> Result<MetadataRefresh, Error> {
        let scopes = self.scopes.join(",");
        let query: &[(&str, &str)] = if scopes.is_empty() {
            &[]
        } else {
            &[("scopes", &scopes)]
        };
        let request = self.server.data_request(TOKEN_PATH, query);
        Ok(
            MetadataGet::new(request, self.response_limit, TokenResponse::parse)
                .with_context(self.clone()),
        )
    }
}

crate::credentials::slot::token_slot!(MetadataCredentials);
