//! A resource server's answer to a DPoP-authorized request
//! ([RFC 9449 §7.1, §9](https://www.rfc-editor.org/rfc/rfc9449#section-9)).

use crate::dpop::challenge::{dpop_challenge, DpopChallenge};
use crate::dpop::htu::target_uri;
use crate::dpop::key::DpopKey;
use crate::dpop::nonce::nonce_in;

/// What a resource server's answer to a request authorized with
/// [`DpopKey::authorize`] means for the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResourceAnswer {
    /// Not a DPoP refusal: use the response as it is.
    Usable,
    /// `401` with `WWW-Authenticate: DPoP error="use_dpop_nonce"` and a
    /// `DPoP-Nonce`, now kept by the key: authorize the request again (a
    /// new proof carries the nonce) and send it once more. Retry once per
    /// request; a second such answer is the server's refusal.
    RetryWithNonce,
    /// `401` with any other `DPoP` challenge (`invalid_token`,
    /// `invalid_dpop_proof`, or a nonce demand without a nonce).
    Refused(DpopChallenge),
}

impl DpopKey {
    /// Reads a resource server's answer to a request sent to `uri`: keeps
    /// the `DPoP-Nonce` it carries (on any status) and says whether the
    /// request should be authorized again with it.
    ///
    /// ```
    /// # #[cfg(feature = "ring")] {
    /// use oauth2_sansio::dpop::{DpopKey, ResourceAnswer};
    /// use oauth2_sansio::http;
    ///
    /// let key = DpopKey::generate()?;
    /// let uri: http::Uri = "https://api.example/me".parse()?;
    /// let answer = http::Response::builder()
    ///     .status(401)
    ///     .header("www-authenticate", r#"DPoP error="use_dpop_nonce""#)
    ///     .header("dpop-nonce", "n-1")
    ///     .body(())?;
    /// assert_eq!(key.read_resource_answer(&uri, &answer), ResourceAnswer::RetryWithNonce);
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn read_resource_answer<B>(
        &self,
        uri: &http::Uri,
        response: &http::Response<B>,
    ) -> ResourceAnswer {
        let headers = response.headers();
        let Ok(htu) = target_uri(uri) else {
            return ResourceAnswer::Usable;
        };
        self.remember_nonce(&htu, headers);
        if response.status() != http::StatusCode::UNAUTHORIZED {
            return ResourceAnswer::Usable;
        }
        match dpop_challenge(headers) {
            Some(challenge) if challenge.wants_nonce() && nonce_in(headers).is_some() => {
                ResourceAnswer::RetryWithNonce
            }
            Some(challenge) => ResourceAnswer::Refused(challenge),
            None => ResourceAnswer::Usable,
        }
    }
}
