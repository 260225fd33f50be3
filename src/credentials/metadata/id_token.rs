//! ID tokens from the metadata server, for one audience (google-auth's
//! `compute_engine.IDTokenCredentials`).

use std::sync::Arc;
use std::time::Duration;

use super::get::{text, MetadataGet};
use super::server::MetadataServer;
use crate::client::DEFAULT_RESPONSE_LIMIT;
use crate::credentials::bearer::BearerToken;
use crate::credentials::freshness::DEFAULT_REFRESH_THRESHOLD;
use crate::credentials::kind::{credentials_getters, Credentials};
use crate::credentials::service_account::IdTokenGrant;
use crate::error::Error;
use crate::secret::AccessToken;

/// The path of the default service account's ID tokens.
const IDENTITY_PATH: &str = "instance/service-accounts/default/identity";

/// ID tokens of the service account the program runs as, for one audience:
/// `GET instance/service-accounts/default/identity?audience=AUD&format=full`
/// (`full`: with the account's email, which IAP requires). The answer is
/// the JWT itself; its expiry is its `exp`, read without verifying the
/// signature (the receiving service verifies it).
#[derive(Debug, Clone, PartialEq)]
pub struct MetadataIdTokenCredentials {
    server: Arc<MetadataServer>,
    audience: String,
    quota_project: Option<String>,
    refresh_threshold: Duration,
    response_limit: usize,
    token: Option<BearerToken>,
}

impl MetadataIdTokenCredentials {
    /// ID tokens for `audience` (the receiving service's URL or client id)
    /// from `server`.
    pub fn new(server: MetadataServer, audience: impl Into<String>) -> Self {
        Self {
            server: Arc::new(server),
            audience: audience.into(),
            quota_project: None,
            refresh_threshold: DEFAULT_REFRESH_THRESHOLD,
            response_limit: DEFAULT_RESPONSE_LIMIT,
            token: None,
        }
    }

    /// Sets the quota project (sent as `x-goog-user-project`).
    pub fn with_quota_project(mut self, project: Option<String>) -> Self {
        self.quota_project = project;
        self
    }

    /// The audience the ID tokens are for.
    pub fn audience(&self) -> &str {
        &self.audience
    }
}

/// Renews [`MetadataIdTokenCredentials`]: one metadata GET, retried.
pub type MetadataIdTokenRefresh = MetadataGet<IdTokenGrant, MetadataIdTokenCredentials>;

impl Credentials for MetadataIdTokenCredentials {
    type Refresh = MetadataIdTokenRefresh;

    credentials_getters!();

    fn refresh(&self) -> Result<MetadataIdTokenRefresh, Error> {
        let request = self.server.data_request(
            IDENTITY_PATH,
            &[("audience", &self.audience), ("format", "full")],
        );
        Ok(
            MetadataGet::new(request, self.response_limit, parse_id_token)
                .with_context(self.clone()),
        )
    }
}

/// The body of a 200, a JWT, with its `exp`.
fn parse_id_token(status: u16, body: &[u8], limit: usize) -> Result<IdTokenGrant, Error> {
    let jwt = text(status, body, limit)?;
    IdTokenGrant::from_token(AccessToken::new(jwt))
}

crate::credentials::slot::token_slot!(MetadataIdTokenCredentials);
