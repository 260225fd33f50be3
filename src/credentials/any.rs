//! Credentials of a kind picked at run time: one type to hold, cache and
//! refresh, whatever a configuration file or the environment turned out to
//! name.
//!
//! An enum, not a trait object: the refresh machine of a kind ends with
//! credentials of that same kind, which a `dyn` form could only return
//! boxed and type-erased (no `Clone`, no `PartialEq`, an allocation per
//! refresh); the kinds a program can meet are the crate's own, so the set
//! is closed; and matching on the kind stays possible. A kind of your own
//! implements [`Credentials`] itself and is cached as it is.

use std::time::{Duration, SystemTime};

use crate::credentials::bearer::BearerToken;
use crate::credentials::client::{ClientCredentials, ClientCredentialsGrant};
use crate::credentials::downscoped::{DownscopedCredentials, DownscopedRefresh};
use crate::credentials::external::{ExternalAccountCredentials, ExternalAccountRefresh};
use crate::credentials::impersonated::{
    ImpersonatedCredentials, ImpersonatedIdTokenCredentials, ImpersonatedIdTokenRefresh,
    ImpersonatedRefresh,
};
use crate::credentials::kind::Credentials;
use crate::credentials::metadata::{
    MetadataCredentials, MetadataIdTokenCredentials, MetadataIdTokenRefresh, MetadataRefresh,
};
use crate::credentials::service_account::{
    IdTokenCredentials, IdTokenRefresh, SelfSignedJwtCredentials, SelfSignedJwtRefresh,
    ServiceAccountCredentials, ServiceAccountRefresh,
};
use crate::credentials::user::{UserCredentials, UserRefresh};
use crate::error::{Error, TransportFailure};
use crate::machine::step::HttpResponse;
use crate::machine::step::{Machine, Step};
use crate::macros::from_variants;

/// Credentials of any of the crate's kinds.
///
/// ```
/// use oauth2_sansio::{AnyCredentials, Credentials, RefreshToken, UserCredentials};
///
/// # let client = oauth2_sansio::Client::google("id", None).build()?;
/// let user = UserCredentials::from_refresh_token(&client, RefreshToken::new("1//r"), vec![]);
/// let any = AnyCredentials::from(user);
/// assert!(any.token().is_none());
/// let refresh = any.refresh()?; // ends with AnyCredentials::User
/// # let _ = refresh;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum AnyCredentials {
    /// A user's: from a sign-in or an `authorized_user` file.
    User(UserCredentials),
    /// A service account's access tokens.
    ServiceAccount(ServiceAccountCredentials),
    /// A service account's ID tokens.
    IdToken(IdTokenCredentials),
    /// A service account's self-signed JWTs.
    SelfSignedJwt(SelfSignedJwtCredentials),
    /// A client's own (client credentials grant).
    Client(ClientCredentials),
    /// The metadata server's access tokens.
    Metadata(MetadataCredentials),
    /// The metadata server's ID tokens.
    MetadataIdToken(MetadataIdTokenCredentials),
    /// An impersonated service account's access tokens.
    Impersonated(ImpersonatedCredentials),
    /// An impersonated service account's ID tokens.
    ImpersonatedIdToken(ImpersonatedIdTokenCredentials),
    /// An external account's (workload or workforce identity federation).
    External(ExternalAccountCredentials),
    /// Downscoped tokens (a Credential Access Boundary at STS).
    Downscoped(DownscopedCredentials),
}

/// The refresh machine of [`AnyCredentials`]: the kind's own, ending with
/// credentials of the same kind.
#[derive(Debug)]
#[must_use = "a machine does nothing until driven"]
#[non_exhaustive]
pub enum AnyRefresh {
    /// [`AnyCredentials::User`]'s.
    User(UserRefresh),
    /// [`AnyCredentials::ServiceAccount`]'s.
    ServiceAccount(ServiceAccountRefresh),
    /// [`AnyCredentials::IdToken`]'s.
    IdToken(IdTokenRefresh),
    /// [`AnyCredentials::SelfSignedJwt`]'s.
    SelfSignedJwt(SelfSignedJwtRefresh),
    /// [`AnyCredentials::Client`]'s.
    Client(ClientCredentialsGrant),
    /// [`AnyCredentials::Metadata`]'s.
    Metadata(MetadataRefresh),
    /// [`AnyCredentials::MetadataIdToken`]'s.
    MetadataIdToken(MetadataIdTokenRefresh),
    /// [`AnyCredentials::Impersonated`]'s (boxed: it holds its source's
    /// refresh, which is an `AnyRefresh` itself).
    Impersonated(Box<ImpersonatedRefresh>),
    /// [`AnyCredentials::ImpersonatedIdToken`]'s (boxed, as above).
    ImpersonatedIdToken(Box<ImpersonatedIdTokenRefresh>),
    /// [`AnyCredentials::External`]'s (boxed: with impersonation it holds
    /// an `AnyRefresh` itself).
    External(Box<ExternalAccountRefresh>),
    /// [`AnyCredentials::Downscoped`]'s (boxed: it holds its source's refresh).
    Downscoped(Box<DownscopedRefresh>),
}

/// `$body` with `$kind` bound to the value inside whichever variant of
/// `$enum` `$value` is.
macro_rules! each_kind {
    ($enum:ident, $value:expr, $kind:ident => $body:expr) => {
        match $value {
            $enum::User($kind) => $body,
            $enum::ServiceAccount($kind) => $body,
            $enum::IdToken($kind) => $body,
            $enum::SelfSignedJwt($kind) => $body,
            $enum::Client($kind) => $body,
            $enum::Metadata($kind) => $body,
            $enum::MetadataIdToken($kind) => $body,
            $enum::Impersonated($kind) => $body,
            $enum::ImpersonatedIdToken($kind) => $body,
            $enum::External($kind) => $body,
            $enum::Downscoped($kind) => $body,
        }
    };
}

impl AnyCredentials {
    /// The same credentials billing `project` (sent as
    /// `x-goog-user-project`); client credentials have none.
    pub fn with_quota_project(self, project: Option<String>) -> Self {
        match self {
            Self::User(kind) => Self::User(kind.with_quota_project(project)),
            Self::ServiceAccount(kind) => Self::ServiceAccount(kind.with_quota_project(project)),
            Self::IdToken(kind) => Self::IdToken(kind.with_quota_project(project)),
            Self::SelfSignedJwt(kind) => Self::SelfSignedJwt(kind.with_quota_project(project)),
            Self::Client(kind) => Self::Client(kind),
            Self::Metadata(kind) => Self::Metadata(kind.with_quota_project(project)),
            Self::MetadataIdToken(kind) => Self::MetadataIdToken(kind.with_quota_project(project)),
            Self::Impersonated(kind) => Self::Impersonated(kind.with_quota_project(project)),
            Self::ImpersonatedIdToken(kind) => Self::ImpersonatedIdToken(kind),
            Self::External(kind) => Self::External(kind.with_quota_project(project)),
            Self::Downscoped(kind) => Self::Downscoped(kind.with_quota_project(project)),
        }
    }
}

impl Credentials for AnyCredentials {
    type Refresh = AnyRefresh;

    fn token(&self) -> Option<&BearerToken> {
        each_kind!(Self, self, kind => kind.token())
    }

    fn quota_project(&self) -> Option<&str> {
        each_kind!(Self, self, kind => kind.quota_project())
    }

    fn refresh_threshold(&self) -> Duration {
        each_kind!(Self, self, kind => kind.refresh_threshold())
    }

    fn dpop_key(&self) -> Option<&crate::dpop::DpopKey> {
        each_kind!(Self, self, kind => kind.dpop_key())
    }

    fn refresh(&self) -> Result<AnyRefresh, Error> {
        Ok(match self {
            Self::User(kind) => AnyRefresh::User(kind.refresh()?),
            Self::ServiceAccount(kind) => AnyRefresh::ServiceAccount(kind.refresh()?),
            Self::IdToken(kind) => AnyRefresh::IdToken(kind.refresh()?),
            Self::SelfSignedJwt(kind) => AnyRefresh::SelfSignedJwt(kind.refresh()?),
            Self::Client(kind) => AnyRefresh::Client(kind.refresh()?),
            Self::Metadata(kind) => AnyRefresh::Metadata(kind.refresh()?),
            Self::MetadataIdToken(kind) => AnyRefresh::MetadataIdToken(kind.refresh()?),
            Self::Impersonated(kind) => AnyRefresh::Impersonated(Box::new(kind.refresh()?)),
            Self::ImpersonatedIdToken(kind) => {
                AnyRefresh::ImpersonatedIdToken(Box::new(kind.refresh()?))
            }
            Self::External(kind) => AnyRefresh::External(Box::new(kind.refresh()?)),
            Self::Downscoped(kind) => AnyRefresh::Downscoped(Box::new(kind.refresh()?)),
        })
    }
}

impl Machine for AnyRefresh {
    type Output = AnyCredentials;

    fn poll(&mut self, now: SystemTime) -> Result<Step<AnyCredentials>, Error> {
        Ok(match self {
            Self::User(kind) => kind.poll(now)?.map(AnyCredentials::User),
            Self::ServiceAccount(kind) => kind.poll(now)?.map(AnyCredentials::ServiceAccount),
            Self::IdToken(kind) => kind.poll(now)?.map(AnyCredentials::IdToken),
            Self::SelfSignedJwt(kind) => kind.poll(now)?.map(AnyCredentials::SelfSignedJwt),
            Self::Client(kind) => kind.poll(now)?.map(AnyCredentials::Client),
            Self::Metadata(kind) => kind.poll(now)?.map(AnyCredentials::Metadata),
            Self::MetadataIdToken(kind) => kind.poll(now)?.map(AnyCredentials::MetadataIdToken),
            Self::Impersonated(kind) => kind.poll(now)?.map(AnyCredentials::Impersonated),
            Self::ImpersonatedIdToken(kind) => {
                kind.poll(now)?.map(AnyCredentials::ImpersonatedIdToken)
            }
            Self::External(kind) => kind.poll(now)?.map(AnyCredentials::External),
            Self::Downscoped(kind) => kind.poll(now)?.map(AnyCredentials::Downscoped),
        })
    }

    fn handle_response(&mut self, response: HttpResponse, now: SystemTime) -> Result<(), Error> {
        each_kind!(Self, self, kind => kind.handle_response(response, now))
    }

    fn handle_transport_failure(
        &mut self,
        failure: TransportFailure,
        now: SystemTime,
    ) -> Result<(), Error> {
        each_kind!(Self, self, kind => kind.handle_transport_failure(failure, now))
    }
}

from_variants!(AnyCredentials {
    UserCredentials => User,
    ServiceAccountCredentials => ServiceAccount,
    IdTokenCredentials => IdToken,
    SelfSignedJwtCredentials => SelfSignedJwt,
    ClientCredentials => Client,
    MetadataCredentials => Metadata,
    MetadataIdTokenCredentials => MetadataIdToken,
    ImpersonatedCredentials => Impersonated,
    ImpersonatedIdTokenCredentials => ImpersonatedIdToken,
    ExternalAccountCredentials => External,
    DownscopedCredentials => Downscoped,
});

#[cfg(test)]
mod tests {

    use super::*;
    use crate::client::Client;
    use crate::secret::RefreshToken;
    use crate::testing::at;

    #[test]
    fn a_refresh_ends_with_the_same_kind_and_the_new_token() {
        let client = Client::google("id", None).build().unwrap();
        let user = UserCredentials::from_refresh_token(&client, RefreshToken::new("1//r"), vec![])
            .with_quota_project(Some("billed".into()));
        let any = AnyCredentials::from(user);
        assert_eq!(any.quota_project(), Some("billed"));
        let mut refresh = any.refresh().unwrap();
        let Ok(Step::Send(request)) = refresh.poll(at(100)) else {
            panic!("a request")
        };
        assert_eq!(request.uri(), "https://oauth2.googleapis.com/token");
        let body = br#"{"access_token":"ya29.a","token_type":"Bearer","expires_in":3600}"#;
        refresh
            .handle_response(http::Response::new(body.to_vec()), at(101))
            .unwrap();
        let Ok(Step::Done(AnyCredentials::User(user))) = refresh.poll(at(101)) else {
            panic!("user credentials")
        };
        assert_eq!(user.token().unwrap().token().secret(), "ya29.a");
        assert_eq!(user.token().unwrap().expiry(), Some(at(3700)));
    }
}
