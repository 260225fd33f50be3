//! [`ImpersonatedIdTokenCredentials`]: a service account's ID tokens from
//! IAM's `generateIdToken`, asked for with the source's token.

use std::time::Duration;

use serde_json::{json, Value};

use super::credentials::ImpersonatedCredentials;
use super::iam::parse_generated_id_token;
use super::refresh::{renew_then_call, IamCall};
use crate::credentials::bearer::BearerToken;
use crate::credentials::kind::Credentials;
use crate::credentials::renewed::AfterSource;
use crate::credentials::service_account::IdTokenGrant;
use crate::error::Error;
use crate::machine::call::Parser;

/// ID tokens of an impersonated service account for one audience
/// (google-auth's `impersonated_credentials.IDTokenCredentials`): POST
/// `{"audience": AUD, "includeEmail": false, "delegates": [...]}` to
/// `…/serviceAccounts/TARGET:generateIdToken` with the source's token; the
/// answer's JWT is the token, its `exp` (read without verifying: the
/// receiving service verifies) its expiry.
///
/// ```
/// use std::time::SystemTime;
/// use oauth2_sansio::impersonated::ImpersonatedCredentials;
/// use oauth2_sansio::{drive, Credentials, RefreshToken, UserCredentials};
///
/// # let client = oauth2_sansio::Client::google("id", None).build()?;
/// # let jwt = "eyJhbGciOiJSUzI1NiJ9.eyJleHAiOjQxMDI0NDQ4MDB9.c2ln";
/// let source = UserCredentials::from_refresh_token(&client, RefreshToken::new("1//r"), vec![]);
/// let id_tokens = ImpersonatedCredentials::new(source, "target@p.iam.gserviceaccount.com")
///     .id_token_credentials("https://service.example")
///     .with_include_email(true);
/// let id_tokens = drive(id_tokens.refresh()?, SystemTime::now, |request| {
///     let body = if request.uri().path() == "/token" {
///         br#"{"access_token":"ya29.user","expires_in":3600,"token_type":"Bearer"}"#.to_vec()
///     } else {
///         assert!(request.uri().path().ends_with(":generateIdToken"));
///         format!(r#"{{"token":"{jwt}"}}"#).into_bytes()
///     };
///     Ok(oauth2_sansio::http::Response::new(body))
/// }, |_| {})?;
/// assert_eq!(id_tokens.token().unwrap().secret(), jwt);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct ImpersonatedIdTokenCredentials {
    impersonated: ImpersonatedCredentials,
    audience: String,
    include_email: bool,
    token: Option<BearerToken>,
}

/// Renews [`ImpersonatedIdTokenCredentials`]: the source first when it is
/// not fresh, then one `generateIdToken` call.
pub type ImpersonatedIdTokenRefresh = AfterSource<IdTokenGrant, ImpersonatedIdTokenCredentials>;

impl ImpersonatedCredentials {
    /// ID tokens of the same service account (same source, delegates,
    /// endpoint and quota project) for `audience`.
    pub fn id_token_credentials(
        &self,
        audience: impl Into<String>,
    ) -> ImpersonatedIdTokenCredentials {
        ImpersonatedIdTokenCredentials {
            impersonated: self.clone(),
            audience: audience.into(),
            include_email: false,
            token: None,
        }
    }
}

impl ImpersonatedIdTokenCredentials {
    /// Whether the tokens carry `email` and `email_verified` (default
    /// `false`, as google-auth; Identity-Aware Proxy needs `true`). Drops
    /// any cached token.
    pub fn with_include_email(mut self, include: bool) -> Self {
        self.include_email = include;
        self.token = None;
        self
    }

    /// The audience the ID tokens are for.
    pub fn audience(&self) -> &str {
        &self.audience
    }

    /// The service account impersonated.
    pub fn target_principal(&self) -> &str {
        self.impersonated.target_principal()
    }
}

impl IamCall for ImpersonatedIdTokenCredentials {
    type Answer = IdTokenGrant;

    fn method(&self) -> (&'static str, Value, Parser<IdTokenGrant>) {
        let body = json!({"audience": self.audience, "includeEmail": self.include_email});
        ("generateIdToken", body, parse_generated_id_token)
    }
}

impl AsMut<ImpersonatedCredentials> for ImpersonatedIdTokenCredentials {
    fn as_mut(&mut self) -> &mut ImpersonatedCredentials {
        &mut self.impersonated
    }
}

impl Credentials for ImpersonatedIdTokenCredentials {
    type Refresh = ImpersonatedIdTokenRefresh;

    fn token(&self) -> Option<&BearerToken> {
        self.token.as_ref()
    }

    fn quota_project(&self) -> Option<&str> {
        self.impersonated.quota_project.as_deref()
    }

    fn refresh_threshold(&self) -> Duration {
        self.impersonated.refresh_threshold
    }

    fn refresh(&self) -> Result<ImpersonatedIdTokenRefresh, Error> {
        Ok(renew_then_call(self, &self.impersonated.source))
    }
}

crate::credentials::slot::token_slot!(ImpersonatedIdTokenCredentials);
