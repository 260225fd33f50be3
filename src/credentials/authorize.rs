//! Authorizing a request with a credentials' token: as a bearer token, or
//! with a DPoP proof when the token is bound to a key.

use std::fmt;
use std::time::{Duration, SystemTime};

use http::header::AUTHORIZATION;
use http::HeaderValue;

use crate::credentials::bearer::{BearerToken, NeedsRefresh, QUOTA_PROJECT_HEADER};
use crate::credentials::freshness::Freshness;
use crate::dpop::DpopKey;
use crate::error::Error;

/// Why a request could not be authorized.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum AuthorizeError {
    /// There is no access token that may be used now: refresh first.
    NeedsRefresh,
    /// The token is DPoP-bound and its proof could not be made (the
    /// request's URI is not absolute, or the key's signer failed).
    Proof(Error),
}

impl From<NeedsRefresh> for AuthorizeError {
    fn from(_: NeedsRefresh) -> Self {
        Self::NeedsRefresh
    }
}

impl fmt::Display for AuthorizeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NeedsRefresh => NeedsRefresh.fmt(f),
            Self::Proof(e) => write!(f, "the DPoP proof for the request could not be made: {e}"),
        }
    }
}

impl std::error::Error for AuthorizeError {}

/// Adds `token` to `request` (and `x-goog-user-project` for
/// `quota_project`): `Authorization: Bearer <token>`, or, with `dpop`,
/// `Authorization: DPoP <token>` and a proof made at `now`. Refused when
/// the token is invalid at `now`.
pub(crate) fn authorize<B>(
    token: &BearerToken,
    dpop: Option<&DpopKey>,
    request: &mut http::Request<B>,
    quota_project: Option<&str>,
    now: SystemTime,
    threshold: Duration,
) -> Result<Freshness, AuthorizeError> {
    let Some(key) = dpop else {
        return Ok(token.authorize(request, quota_project, now, threshold)?);
    };
    let freshness = token.freshness(now, threshold);
    if freshness == Freshness::Invalid {
        return Err(AuthorizeError::NeedsRefresh);
    }
    key.authorize(request, token.token(), now)
        .map_err(AuthorizeError::Proof)?;
    if let Some(project) = quota_project.and_then(|p| HeaderValue::try_from(p).ok()) {
        request.headers_mut().insert(QUOTA_PROJECT_HEADER, project);
    }
    debug_assert!(request.headers().contains_key(AUTHORIZATION));
    Ok(freshness)
}
