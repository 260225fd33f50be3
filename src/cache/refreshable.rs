//! What a token manager needs from a kind of credentials.

use std::time::Duration;

use crate::credentials::{
    BearerToken, IdTokenCredentials, IdTokenRefresh, Refresh, ServiceAccountCredentials,
    ServiceAccountRefresh, UserCredentials,
};
use crate::error::Error;
use crate::machine::step::Machine;

/// Credentials whose bearer token a [`TokenManager`](super::TokenManager)
/// can cache and renew.
///
/// The manager shares credentials behind an `Arc` and never clones them;
/// it needs their current token, when to start renewing it, and a machine
/// that renews it. A program that picks the kind at run time implements
/// this for an enum of kinds (the machine's `Output` is `Self`, so the
/// trait is not used as `dyn`).
pub trait Refreshable {
    /// The machine that renews the token; its output is the updated
    /// credentials (a rotated refresh token included).
    type Refresh: Machine<Output = Self>;

    /// The current bearer token, if any.
    fn bearer_token(&self) -> Option<&BearerToken>;

    /// How long before its expiry a token is renewed (google-auth: 225 s).
    fn refresh_threshold(&self) -> Duration;

    /// The project billed for API calls, sent as `x-goog-user-project`.
    fn quota_project(&self) -> Option<&str>;

    /// A machine that renews the token. An error (no refresh token, say)
    /// counts as a failed refresh.
    fn start_refresh(&self) -> Result<Self::Refresh, Error>;
}

impl Refreshable for UserCredentials {
    type Refresh = Refresh;

    fn bearer_token(&self) -> Option<&BearerToken> {
        self.token()
    }

    fn refresh_threshold(&self) -> Duration {
        self.refresh_threshold
    }

    fn quota_project(&self) -> Option<&str> {
        UserCredentials::quota_project(self)
    }

    fn start_refresh(&self) -> Result<Refresh, Error> {
        self.refresh()
    }
}

impl Refreshable for ServiceAccountCredentials {
    type Refresh = ServiceAccountRefresh;

    fn bearer_token(&self) -> Option<&BearerToken> {
        self.token()
    }

    fn refresh_threshold(&self) -> Duration {
        ServiceAccountCredentials::refresh_threshold(self)
    }

    fn quota_project(&self) -> Option<&str> {
        ServiceAccountCredentials::quota_project(self)
    }

    fn start_refresh(&self) -> Result<ServiceAccountRefresh, Error> {
        Ok(self.refresh())
    }
}

impl Refreshable for IdTokenCredentials {
    type Refresh = IdTokenRefresh;

    fn bearer_token(&self) -> Option<&BearerToken> {
        self.token()
    }

    fn refresh_threshold(&self) -> Duration {
        IdTokenCredentials::refresh_threshold(self)
    }

    fn quota_project(&self) -> Option<&str> {
        IdTokenCredentials::quota_project(self)
    }

    fn start_refresh(&self) -> Result<IdTokenRefresh, Error> {
        Ok(self.refresh())
    }
}
