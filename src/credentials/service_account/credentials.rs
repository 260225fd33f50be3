//! google-auth's `service_account.Credentials`: access tokens from the
//! JWT-bearer grant, with domain-wide delegation.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use serde_json::{Map, Value};
use url::Url;

use super::account::{account_credentials, account_setters, Account};
use super::id_token::IdTokenCredentials;
use super::self_signed::{JwtAccess, SelfSignedJwtCredentials};
use crate::client::DEFAULT_RESPONSE_LIMIT;
use crate::credentials::bearer::BearerToken;
use crate::credentials::kind::Credentials;
use crate::error::config::ConfigError;
use crate::error::Error;
use crate::jwt::{insert_claim, Claims, ReservedClaim, Signer};
use crate::machine::call::Call;
use crate::wire::endpoint::parse_endpoint;
use crate::wire::token_response::TokenResponse;

/// A service account's credentials: an access token obtained by signing an
/// assertion and exchanging it at the token endpoint (the JWT-bearer grant,
/// [RFC 7523 §2.1](https://www.rfc-editor.org/rfc/rfc7523#section-2.1)).
///
/// Every [`refresh`](Self::refresh) signs a fresh assertion at the time the
/// request is sent: `iss` the account's email, `aud` the token URI,
/// `scope` the scopes, `iat` the send time, `exp` one hour later, `sub`
/// only with [`with_subject`](Self::with_subject) (domain-wide delegation).
/// Freshness and request authorization are [`BearerToken`]'s, as for
/// [`UserCredentials`](crate::UserCredentials).
#[derive(Debug, Clone)]
pub struct ServiceAccountCredentials {
    pub(super) account: Account,
    pub(super) token_uri: Url,
    pub(super) response_limit: usize,
    scopes: Vec<String>,
    subject: Option<String>,
    extra_claims: Map<String, Value>,
    token: Option<BearerToken>,
}

impl ServiceAccountCredentials {
    /// Credentials for the account `client_email`, signed by `signer`
    /// (which may be remote: the private key is never needed), exchanging
    /// assertions at `token_uri` (https, or http on a loopback host).
    pub fn new(
        signer: Arc<dyn Signer>,
        client_email: impl Into<String>,
        token_uri: &str,
    ) -> Result<Self, ConfigError> {
        let token_uri = parse_endpoint(token_uri, "token_uri", false)?;
        Ok(Self::from_parts(
            Account::new(signer, client_email.into()),
            token_uri,
        ))
    }

    fn from_parts(account: Account, token_uri: Url) -> Self {
        Self {
            account,
            token_uri,
            response_limit: DEFAULT_RESPONSE_LIMIT,
            scopes: Vec::new(),
            subject: None,
            extra_claims: Map::new(),
            token: None,
        }
    }

    /// Reads a service-account key file and signs with its key (RS256 over
    /// ring). Errors name the field; a key that cannot sign (encrypted, not
    /// RSA, under 2048 bits, malformed PEM) is an invalid `private_key`.
    ///
    /// ```
    /// use oauth2_sansio::service_account::ServiceAccountCredentials;
    /// use oauth2_sansio::Credentials;
    ///
    /// # let json = include_bytes!("../../../tests/fixtures/service_account/service_account.json");
    /// let creds = ServiceAccountCredentials::from_json(json)?
    ///     .with_scopes(["https://www.googleapis.com/auth/cloud-platform"]);
    /// assert_eq!(creds.email(), "test-sa@oauth2-sansio-tests.iam.gserviceaccount.com");
    /// let refresh = creds.refresh()?; // a Machine: one POST, signed when sent
    /// # let _ = refresh;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[cfg(feature = "ring")]
    pub fn from_json(bytes: &[u8]) -> Result<Self, crate::FileError> {
        let key = super::ServiceAccountKey::from_json(bytes)?;
        let signer = key.file_signer()?;
        Ok(Self::from_parts(
            Account::new(Arc::new(signer), key.client_email.clone()),
            key.token_uri.clone(),
        ))
    }

    /// Credentials from a key already read, signing with its key.
    #[cfg(feature = "ring")]
    pub fn from_key(key: &super::ServiceAccountKey) -> Result<Self, crate::jwt::KeyError> {
        let signer = key.signer()?;
        Ok(Self::from_parts(
            Account::new(Arc::new(signer), key.client_email.clone()),
            key.token_uri.clone(),
        ))
    }

    /// Requests these scopes (the assertion's `scope` claim). Drops any
    /// cached token, which was granted for other scopes.
    pub fn with_scopes(mut self, scopes: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self.token = None;
        self
    }

    /// Acts as `subject` (the assertion's `sub`): domain-wide delegation, a
    /// Workspace user's email. Drops any cached token.
    pub fn with_subject(mut self, subject: impl Into<String>) -> Self {
        self.subject = Some(subject.into());
        self.token = None;
        self
    }

    /// Adds a claim to every assertion (google-auth's
    /// `additional_claims`); the claims the crate sets are refused. Drops
    /// any cached token.
    pub fn with_claim(
        mut self,
        name: impl Into<String>,
        value: impl Into<Value>,
    ) -> Result<Self, ReservedClaim> {
        insert_claim(&mut self.extra_claims, name, value)?;
        self.token = None;
        Ok(self)
    }

    account_setters!();

    /// The bound on token response bodies (default 1 MiB).
    pub fn with_response_limit(mut self, bytes: usize) -> Self {
        self.response_limit = bytes;
        self
    }

    /// The service account's email (the assertion's `iss`).
    pub fn email(&self) -> &str {
        &self.account.email
    }

    /// The signer.
    pub fn signer(&self) -> &Arc<dyn Signer> {
        &self.account.signer
    }

    /// The token endpoint (the assertion's `aud`).
    pub fn token_uri(&self) -> &Url {
        &self.token_uri
    }

    /// The scopes requested.
    pub fn scopes(&self) -> &[String] {
        &self.scopes
    }

    /// The user acted as, if any.
    pub fn subject(&self) -> Option<&str> {
        self.subject.as_deref()
    }

    /// The claims of an assertion signed at `now`.
    pub fn assertion_claims(&self, now: SystemTime) -> Claims {
        let mut claims = Claims::new(self.account.email.as_str(), now)
            .with_audience(self.token_uri.as_str())
            .with_scopes(&self.scopes);
        if let Some(subject) = &self.subject {
            claims = claims.with_subject(subject.as_str());
        }
        claims.with_checked_claims(&self.extra_claims)
    }

    /// Self-signed JWT credentials for the same account: no token endpoint,
    /// the JWT itself is the bearer token ([`JwtAccess`] says what it is
    /// for). The subject is not carried over: Google accepts self-signed
    /// JWTs only for the account itself.
    pub fn self_signed_jwt(&self, access: JwtAccess) -> SelfSignedJwtCredentials {
        SelfSignedJwtCredentials::from_account(self.account.clone(), access)
    }

    /// ID-token credentials for the same account, for `target_audience`
    /// (the receiving service's URL or client id).
    pub fn id_token_credentials(&self, target_audience: impl Into<String>) -> IdTokenCredentials {
        IdTokenCredentials::from_service_account(self, target_audience.into())
    }
}

impl Credentials for ServiceAccountCredentials {
    type Refresh = ServiceAccountRefresh;

    account_credentials!(jwt_bearer: TokenResponse::parse);
}

/// Obtains a new access token for [`ServiceAccountCredentials`]; made by
/// [`ServiceAccountCredentials::refresh`]: one JWT-bearer grant whose
/// answer updates the credentials.
pub type ServiceAccountRefresh = Call<TokenResponse, ServiceAccountCredentials>;

crate::credentials::slot::token_slot!(ServiceAccountCredentials);
