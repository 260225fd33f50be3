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
use crate::machine::call::{Call, Parser};
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

    /// A JWT-bearer grant at `token_uri` whose assertion carries
    /// `claims(now)`, signed when the request is sent.
    pub(crate) fn grant<T>(
        &self,
        token_uri: &Url,
        limit: usize,
        claims: impl FnOnce(SystemTime) -> Claims + Send + Sync + 'static,
        parse: Parser<T>,
    ) -> Call<T> {
        let signer = Arc::clone(&self.signer);
        let token_uri = token_uri.clone();
        Call::built_when_sent(
            Box::new(move |now| {
                let assertion = encode(&*signer, &claims(now))?;
                Ok(jwt_bearer_request(&token_uri, &assertion))
            }),
            limit,
            parse,
        )
    }
}

impl fmt::Debug for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Account")
            .field("algorithm", &self.signer.algorithm())
            .field("key_id", &self.signer.key_id())
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
