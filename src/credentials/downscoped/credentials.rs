//! [`DownscopedCredentials`]: the source renewed when it needs it, then its
//! token exchanged at STS under the boundary.

use std::time::{Duration, SystemTime};

use super::boundary::CredentialAccessBoundary;
use crate::client::DEFAULT_RESPONSE_LIMIT;
use crate::credentials::any::AnyCredentials;
use crate::credentials::bearer::BearerToken;
use crate::credentials::freshness::DEFAULT_REFRESH_THRESHOLD;
use crate::credentials::kind::{credentials_getters, Credentials};
use crate::credentials::renewed::{AfterSource, Renewed};
use crate::error::{Error, InvalidResponse};
use crate::flows::token_exchange::{
    token_types, ExchangeIssued, TokenExchangeRequest, TokenExchangeResponse,
};
use crate::google::GOOGLE_STS_URI;
use crate::machine::call::{Call, Update};
use crate::machine::then::Then;
use crate::macros::setters;
use crate::secret::SecurityToken;
use crate::wire::python_json::quoted_python_json;

/// Access tokens limited by a [`CredentialAccessBoundary`], made from the
/// source's at Google's STS (google-auth's `downscoped.Credentials`): a
/// token broker holds the source and hands these to less trusted code.
///
/// Each refresh renews the source when its token is not fresh (google-auth
/// renews it every time), then POSTs to `https://sts.googleapis.com/v1/token`
/// `grant_type` token exchange, `requested_token_type` and
/// `subject_token_type` access token, the source's token, and `options`:
/// the boundary as google-auth encodes it (`quote(json.dumps(...))`, then
/// form-encoded). Without `expires_in` in the answer the token expires
/// with the source's, as google-auth has it.
///
/// ```
/// use std::time::SystemTime;
/// use oauth2_sansio::downscoped::{AccessBoundaryRule, CredentialAccessBoundary, DownscopedCredentials};
/// use oauth2_sansio::{drive, Credentials, RefreshToken, UserCredentials};
///
/// # let client = oauth2_sansio::Client::google("id", None).build()?;
/// let source = UserCredentials::from_refresh_token(&client, RefreshToken::new("1//r"), vec![]);
/// let boundary = CredentialAccessBoundary::new([AccessBoundaryRule::new(
///     "//storage.googleapis.com/projects/_/buckets/reports",
///     ["inRole:roles/storage.objectViewer"],
/// )])?;
/// let downscoped = DownscopedCredentials::new(source, boundary);
/// let downscoped = drive(downscoped.refresh()?, SystemTime::now, |request| {
///     let body: &[u8] = if request.uri().path() == "/token" {
///         br#"{"access_token":"ya29.broad","expires_in":3600,"token_type":"Bearer"}"#
///     } else {
///         assert_eq!(request.uri(), "https://sts.googleapis.com/v1/token");
///         br#"{"access_token":"ya29.narrow","issued_token_type":"urn:ietf:params:oauth:token-type:access_token","token_type":"Bearer","expires_in":3600}"#
///     };
///     Ok(oauth2_sansio::http::Response::new(body.to_vec()))
/// }, |_| {})?;
/// assert_eq!(downscoped.token().unwrap().secret(), "ya29.narrow");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct DownscopedCredentials {
    source: Box<AnyCredentials>,
    boundary: CredentialAccessBoundary,
    sts_url: String,
    quota_project: Option<String>,
    refresh_threshold: Duration,
    response_limit: usize,
    token: Option<BearerToken>,
}

/// Renews [`DownscopedCredentials`]: the source first when it is not
/// fresh, then one STS exchange.
pub type DownscopedRefresh = AfterSource<TokenExchangeResponse, DownscopedCredentials>;

impl DownscopedCredentials {
    /// `source`'s tokens limited by `boundary`, exchanged at Google's STS.
    pub fn new(source: impl Into<AnyCredentials>, boundary: CredentialAccessBoundary) -> Self {
        Self {
            source: Box::new(source.into()),
            boundary,
            sts_url: GOOGLE_STS_URI.to_owned(),
            quota_project: None,
            refresh_threshold: DEFAULT_REFRESH_THRESHOLD,
            response_limit: DEFAULT_RESPONSE_LIMIT,
            token: None,
        }
    }

    setters! {
        /// Exchanges at `url` instead of Google's STS (another universe:
        /// `https://sts.UNIVERSE/v1/token`); checked when a refresh is made.
        pub fn with_sts_url(url: impl Into<String>) => sts_url = url.into();

        /// Sets the quota project (sent as `x-goog-user-project`).
        pub fn with_quota_project(project: Option<String>) => quota_project = project;

        /// How long before expiry a token is renewed (default 225 s).
        pub fn with_refresh_threshold(threshold: Duration) => refresh_threshold = threshold;
    }

    /// The boundary.
    pub fn boundary(&self) -> &CredentialAccessBoundary {
        &self.boundary
    }

    /// The source credentials (as last renewed).
    pub fn source(&self) -> &AnyCredentials {
        &self.source
    }

    /// The exchange of the (renewed) source's token.
    fn exchange(
        mut self,
        source: AnyCredentials,
        now: SystemTime,
    ) -> Result<Call<TokenExchangeResponse, Self>, Error> {
        let subject = match source.token() {
            Some(token) if token.expiry().is_none_or(|expiry| expiry > now) => {
                SecurityToken::new(token.token().secret())
            }
            _ => {
                return Err(InvalidResponse::InvalidField {
                    field: "access_token",
                    reason: "of the renewed source credentials has already expired",
                }
                .into())
            }
        };
        *self.source = source;
        let call =
            TokenExchangeRequest::new(self.sts_url.as_str(), subject, token_types::ACCESS_TOKEN)
                .requested_token_type(token_types::ACCESS_TOKEN)
                .param("options", quoted_python_json(&self.boundary))
                .response_limit(self.response_limit)
                .build_call()?;
        Ok(call.with_context(self))
    }
}

impl Credentials for DownscopedCredentials {
    type Refresh = DownscopedRefresh;

    credentials_getters!();

    fn refresh(&self) -> Result<DownscopedRefresh, Error> {
        let target = self.clone();
        Ok(Then::new(
            Renewed::new((*self.source).clone()),
            Box::new(move |source, now| target.exchange(source, now)),
        ))
    }
}

/// STS's token, expiring when it says (counted from when the exchange was
/// sent) or else with the source's.
impl Update<TokenExchangeResponse> for DownscopedCredentials {
    type Output = Self;

    fn update(mut self, answer: TokenExchangeResponse, sent_at: SystemTime) -> Result<Self, Error> {
        let issued = ExchangeIssued.update(answer, sent_at)?;
        let token = issued
            .bearer_token()
            .ok_or(InvalidResponse::UnsupportedTokenType {
                token_type: "N_A".to_owned(),
            })?;
        let expiry = token
            .expiry()
            .or_else(|| self.source.token().and_then(BearerToken::expiry));
        self.token = Some(BearerToken::new(token.token().clone(), expiry));
        Ok(self)
    }
}
