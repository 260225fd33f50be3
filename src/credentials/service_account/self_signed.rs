//! Self-signed JWTs: the service account signs its own bearer token, and no
//! token endpoint is called (google-auth's `jwt.Credentials`, used by
//! `service_account.Credentials` with `always_use_jwt_access`).

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use url::Url;

use super::account::{account_credentials, account_setters, Account};
use crate::credentials::bearer::BearerToken;
use crate::credentials::freshness::Freshness;
use crate::credentials::kind::Credentials;
use crate::error::config::ConfigError;
use crate::error::{Error, Misuse, TransportFailure};
use crate::jwt::{encode, Claims, SignError, Signer};
use crate::machine::step::{Machine, Step};
use crate::secret::AccessToken;

/// What a self-signed JWT grants access to.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum JwtAccess {
    /// One API, named by the `aud` claim: `https://<service host>/` for a
    /// Google API (see [`JwtAccess::service`]).
    Audience(String),
    /// These scopes, as a `scope` claim instead of `aud`.
    Scopes(Vec<String>),
}

impl JwtAccess {
    /// The audience `https://<host>/` of a Google API, such as
    /// `pubsub.googleapis.com`. The host must be just a host name.
    ///
    /// ```
    /// use oauth2_sansio::service_account::JwtAccess;
    ///
    /// assert_eq!(
    ///     JwtAccess::service("pubsub.googleapis.com")?,
    ///     JwtAccess::Audience("https://pubsub.googleapis.com/".into()),
    /// );
    /// assert!(JwtAccess::service("evil.example/path").is_err());
    /// # Ok::<(), oauth2_sansio::ConfigError>(())
    /// ```
    pub fn service(host: &str) -> Result<Self, ConfigError> {
        let audience = format!("https://{host}/");
        let invalid = ConfigError::InvalidUrl { field: "audience" };
        let url = Url::parse(&audience).map_err(|_| invalid.clone())?;
        let host_only = url.host_str() == Some(host)
            && url.path() == "/"
            && url.port().is_none()
            && url.username().is_empty()
            && url.query().is_none()
            && url.fragment().is_none();
        if !host_only {
            return Err(invalid);
        }
        Ok(Self::Audience(audience))
    }
}

/// Credentials whose bearer token is a JWT the service account signs
/// itself: `{"iss":email,"sub":email,"iat","exp":iat+3600}` with `aud`
/// (or `scope`) from the [`JwtAccess`]. No request is ever sent.
///
/// The token is cached: [`sign_if_stale`](Self::sign_if_stale) signs a new
/// one only when the cached one is stale at `now`. As [`Credentials`],
/// its [`refresh`](Credentials::refresh) is a machine that signs at its
/// first poll and sends nothing, so a token cache renews it like any
/// other kind.
///
/// ```
/// # #[cfg(feature = "ring")] {
/// use std::time::SystemTime;
/// use oauth2_sansio::service_account::{JwtAccess, ServiceAccountCredentials};
/// use oauth2_sansio::Credentials;
///
/// # let json = include_bytes!("../../../tests/fixtures/service_account/service_account.json");
/// let mut jwt = ServiceAccountCredentials::from_json(json)?
///     .self_signed_jwt(JwtAccess::service("pubsub.googleapis.com")?);
/// let now = SystemTime::now();
/// jwt.sign_if_stale(now)?;
/// let mut request = oauth2_sansio::http::Request::new(());
/// jwt.authorize(&mut request, now)?;
/// assert!(request.headers()["authorization"].to_str()?.starts_with("Bearer ey"));
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct SelfSignedJwtCredentials {
    account: Account,
    access: JwtAccess,
    token: Option<BearerToken>,
}

impl SelfSignedJwtCredentials {
    /// Self-signed JWTs for the account `email`, signed by `signer`.
    pub fn new(signer: Arc<dyn Signer>, email: impl Into<String>, access: JwtAccess) -> Self {
        Self::from_account(Account::new(signer, email.into()), access)
    }

    pub(super) fn from_account(account: Account, access: JwtAccess) -> Self {
        Self {
            account,
            access,
            token: None,
        }
    }

    account_setters!();

    /// The service account's email (`iss` and `sub`).
    pub fn email(&self) -> &str {
        &self.account.email
    }

    /// What the JWTs grant access to.
    pub fn access(&self) -> &JwtAccess {
        &self.access
    }

    /// The claims of a JWT signed at `now`.
    pub fn claims(&self, now: SystemTime) -> Claims {
        let email = self.account.email.as_str();
        let claims = Claims::new(email, now).with_subject(email);
        match &self.access {
            JwtAccess::Audience(audience) => claims.with_audience(audience.as_str()),
            JwtAccess::Scopes(scopes) => claims.with_scopes(scopes),
        }
    }

    /// Signs a new JWT, valid from `now` for an hour.
    pub fn sign(&mut self, now: SystemTime) -> Result<(), SignError> {
        let claims = self.claims(now);
        let jwt = encode(&*self.account.signer, &claims)?;
        let expiry = SystemTime::UNIX_EPOCH + Duration::from_secs(claims.exp());
        self.token = Some(BearerToken::new(
            AccessToken::new(jwt.secret()),
            Some(expiry),
        ));
        Ok(())
    }

    /// Signs a new JWT only if the cached one is not fresh at `now`; returns
    /// whether it signed.
    pub fn sign_if_stale(&mut self, now: SystemTime) -> Result<bool, SignError> {
        if self.freshness(now) == Freshness::Fresh {
            return Ok(false);
        }
        self.sign(now)?;
        Ok(true)
    }
}

impl Credentials for SelfSignedJwtCredentials {
    type Refresh = SelfSignedJwtRefresh;

    account_credentials!();

    fn refresh(&self) -> Result<SelfSignedJwtRefresh, Error> {
        Ok(SelfSignedJwtRefresh {
            state: Ok(Some(self.clone())),
        })
    }
}

/// Signs a new JWT for [`SelfSignedJwtCredentials`] at its first poll and
/// is done: no request is sent. Made by their
/// [`refresh`](Credentials::refresh).
#[derive(Debug)]
#[must_use = "a machine does nothing until driven"]
pub struct SelfSignedJwtRefresh {
    /// The credentials until the machine finishes, or its sticky error.
    state: Result<Option<SelfSignedJwtCredentials>, Error>,
}

impl Machine for SelfSignedJwtRefresh {
    type Output = SelfSignedJwtCredentials;

    fn poll(&mut self, now: SystemTime) -> Result<Step<SelfSignedJwtCredentials>, Error> {
        let signed = match &mut self.state {
            Ok(credentials) => match credentials.take() {
                Some(mut credentials) => credentials
                    .sign(now)
                    .map(|()| credentials)
                    .map_err(Error::Signing),
                None => Err(Misuse::AlreadyDone.into()),
            },
            Err(e) => Err(e.clone()),
        };
        match signed {
            Ok(credentials) => Ok(Step::Done(credentials)),
            Err(e) => {
                self.state = Err(e.clone());
                Err(e)
            }
        }
    }

    fn handle_response(
        &mut self,
        _response: http::Response<Vec<u8>>,
        _now: SystemTime,
    ) -> Result<(), Error> {
        Err(Misuse::UnexpectedResponse.into())
    }

    fn handle_transport_failure(
        &mut self,
        _failure: TransportFailure,
        _now: SystemTime,
    ) -> Result<(), Error> {
        Err(Misuse::UnexpectedResponse.into())
    }
}
