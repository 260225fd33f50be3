//! What every service-account credentials kind shares: who signs, the
//! account's email, how the cached token is judged and used, and the
//! JWT-bearer grant request.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use http::Request;
use url::Url;

use crate::credentials::freshness::DEFAULT_REFRESH_THRESHOLD;
use crate::jwt::{encode, Claims, Signer};
use crate::machine::call::{Call, Parser, Update};
use crate::secret::Assertion;
use crate::wire::endpoint::to_uri;
use crate::wire::form_post::{form_post, ClientInForm};

/// The JWT-bearer grant type ([RFC 7523 §2.1](https://www.rfc-editor.org/rfc/rfc7523#section-2.1)).
pub const JWT_BEARER_GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/// The signer, the account and how its tokens are used.
#[derive(Clone)]
pub(crate) struct Account {
    pub signer: Arc<dyn Signer>,
    pub email: String,
    pub quota_project: Option<String>,
    pub refresh_threshold: Duration,
}

impl Account {
    pub(crate) fn new(signer: Arc<dyn Signer>, email: String) -> Self {
        Self {
            signer,
            email,
            quota_project: None,
            refresh_threshold: DEFAULT_REFRESH_THRESHOLD,
        }
    }

    /// A JWT-bearer grant at `token_uri` for `credentials` of this
    /// account: the assertion carries `claims(credentials, now)`, signed
    /// when the request is sent; the answer, parsed by `parse`, updates the
    /// credentials.
    pub(crate) fn grant<C, A>(
        &self,
        credentials: &C,
        token_uri: &Url,
        limit: usize,
        claims: fn(&C, SystemTime) -> Claims,
        parse: Parser<A>,
    ) -> Call<A, C>
    where
        C: Clone + Send + Sync + 'static + Update<A>,
    {
        let signer = Arc::clone(&self.signer);
        let token_uri = token_uri.clone();
        let signing = credentials.clone();
        Call::built_when_sent(
            Box::new(move |now| {
                let assertion = encode(&*signer, &claims(&signing, now))?;
                Ok(jwt_bearer_request(&token_uri, &assertion))
            }),
            limit,
            parse,
        )
        .with_context(credentials.clone())
    }
}

/// What every service-account kind's [`Credentials`](crate::Credentials)
/// takes from its `account` and `token` fields; with a parser, also the
/// refresh of a kind renewed by the JWT-bearer grant at its `token_uri`
/// (its assertion's claims from `assertion_claims`).
macro_rules! account_credentials {
    (jwt_bearer: $parse:expr) => {
        account_credentials!();

        fn refresh(&self) -> Result<Self::Refresh, Error> {
            Ok(self.account.grant(
                self,
                &self.token_uri,
                self.response_limit,
                Self::assertion_claims,
                $parse,
            ))
        }
    };
    () => {
        $crate::credentials::kind::credentials_getters!(account);
    };
}
pub(crate) use account_credentials;

/// The setters every service-account kind has for its `account`.
macro_rules! account_setters {
    () => {
        /// Sets the quota project (sent as `x-goog-user-project`).
        pub fn with_quota_project(mut self, project: Option<String>) -> Self {
            self.account.quota_project = project;
            self
        }

        /// How long before expiry a token counts as stale and is renewed
        /// (default 225 s, as google-auth).
        pub fn with_refresh_threshold(mut self, threshold: Duration) -> Self {
            self.account.refresh_threshold = threshold;
            self
        }
    };
}
pub(crate) use account_setters;

impl fmt::Debug for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Account")
            .field("signer", &self.signer)
            .field("email", &self.email)
            .field("quota_project", &self.quota_project)
            .field("refresh_threshold", &self.refresh_threshold)
            .finish()
    }
}

/// google-auth's request: a POST of `assertion=<JWT>&grant_type=<jwt-bearer>`,
/// no client authentication.
fn jwt_bearer_request(endpoint: &Url, assertion: &Assertion) -> Request<Vec<u8>> {
    form_post(
        to_uri(endpoint),
        None,
        ClientInForm::Nothing,
        &[
            ("assertion", assertion.secret()),
            ("grant_type", JWT_BEARER_GRANT_TYPE),
        ],
    )
}
