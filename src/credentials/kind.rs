//! What every kind of credentials is: a current bearer token, the rules it
//! is used and judged by, and a machine that renews it.

use std::time::{Duration, SystemTime};

use crate::credentials::authorize::{authorize, AuthorizeError};
use crate::credentials::bearer::BearerToken;
use crate::credentials::freshness::{Freshness, DEFAULT_REFRESH_THRESHOLD};
use crate::dpop::DpopKey;
use crate::error::Error;
use crate::machine::step::Machine;

/// Credentials of any kind: user, service account, ID token, self-signed
/// JWT, client credentials, or [`AnyCredentials`](crate::AnyCredentials)
/// when the kind is picked at run time.
///
/// A kind says what its token is, what quota project it bills and when it
/// renews; freshness and request authorization follow from those, the same
/// for every kind. [`TokenManager`](crate::cache::TokenManager) and
/// [`SharedToken`](crate::cache::SharedToken) cache any of them.
///
/// ```
/// use std::time::SystemTime;
/// use oauth2_sansio::{Credentials, Freshness, RefreshToken, UserCredentials};
///
/// # let client = oauth2_sansio::Client::google("id", None).build()?;
/// let credentials = UserCredentials::from_refresh_token(&client, RefreshToken::new("1//r"), vec![]);
/// let now = SystemTime::now();
/// assert_eq!(credentials.freshness(now), Freshness::Invalid); // no access token yet
/// let refresh = credentials.refresh()?; // a Machine whose output is the new credentials
/// # let _ = refresh;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait Credentials: Sized {
    /// The machine that renews the token; its output is the updated
    /// credentials (a rotated refresh token included).
    type Refresh: Machine<Output = Self>;

    /// The current bearer token, if there is one.
    fn token(&self) -> Option<&BearerToken>;

    /// The project billed for API calls, sent as `x-goog-user-project`.
    fn quota_project(&self) -> Option<&str> {
        None
    }

    /// How long before its expiry a token is renewed (google-auth: 225 s).
    fn refresh_threshold(&self) -> Duration {
        DEFAULT_REFRESH_THRESHOLD
    }

    /// A machine that renews the token. An error (no refresh token, say)
    /// means it cannot be renewed.
    fn refresh(&self) -> Result<Self::Refresh, Error>;

    /// Fresh, stale or invalid at `now` (no token: invalid; no known
    /// expiry: fresh until the API says otherwise); see
    /// [`freshness`](crate::freshness).
    fn freshness(&self, now: SystemTime) -> Freshness {
        self.token().map_or(Freshness::Invalid, |token| {
            token.freshness(now, self.refresh_threshold())
        })
    }

    /// The DPoP key the current token is bound to, if it is
    /// ([`Call::with_dpop`](crate::Call::with_dpop)): requests then carry
    /// `Authorization: DPoP` and a proof. `None` by default.
    fn dpop_key(&self) -> Option<&DpopKey> {
        None
    }

    /// Adds `Authorization: Bearer <token>` (and `x-goog-user-project` when
    /// there is a quota project) to `request`, unless the token has expired
    /// at `now`; for a DPoP-bound token, `Authorization: DPoP <token>` and
    /// a proof for the request's method and URI (authorize again for every
    /// send). Returns the freshness, so a `Stale` answer can start a
    /// refresh in the background.
    fn authorize<B>(
        &self,
        request: &mut http::Request<B>,
        now: SystemTime,
    ) -> Result<Freshness, AuthorizeError> {
        authorize(
            self.token().ok_or(AuthorizeError::NeedsRefresh)?,
            self.dpop_key(),
            request,
            self.quota_project(),
            now,
            self.refresh_threshold(),
        )
    }
}

/// The getters of [`Credentials`] for a kind that keeps its `token`,
/// `quota_project` and `refresh_threshold` in fields of those names (or,
/// with `account`, the last two in its `account`).
macro_rules! credentials_getters {
    () => {
        fn token(&self) -> Option<&$crate::credentials::bearer::BearerToken> {
            self.token.as_ref()
        }

        fn quota_project(&self) -> Option<&str> {
            self.quota_project.as_deref()
        }

        fn refresh_threshold(&self) -> std::time::Duration {
            self.refresh_threshold
        }
    };
    (account) => {
        fn token(&self) -> Option<&$crate::credentials::bearer::BearerToken> {
            self.token.as_ref()
        }

        fn quota_project(&self) -> Option<&str> {
            self.account.quota_project.as_deref()
        }

        fn refresh_threshold(&self) -> std::time::Duration {
            self.account.refresh_threshold
        }
    };
}
pub(crate) use credentials_getters;
