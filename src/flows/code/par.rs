//! Pushed authorization requests ([RFC 9126](https://www.rfc-editor.org/rfc/rfc9126)):
//! the authorization request's parameters go to the server over the back
//! channel, authenticated as the client; the browser gets a URL with only
//! `client_id` and the `request_uri` the server answered.

use std::time::{Duration, SystemTime};

use url::Url;

use crate::flows::code::authorization_url::AuthorizationUrl;
use zeroize::Zeroize;

use crate::client::auth::Purpose;
use crate::client::required_endpoint;
use crate::credentials::freshness::unix_seconds;
use crate::error::config::ConfigError;
use crate::error::{Error, InvalidResponse};
use crate::flows::code::authorize::{AuthorizationRequest, PendingAuthorization};
use crate::machine::call::{Call, Update};
use crate::secret::entropy::Entropy;
use crate::wire::answer::{error_response, json_object, required_text};
use crate::wire::endpoint::to_uri;
use crate::wire::form_post::{form_post, ClientInForm};
use crate::wire::printable::is_printable;
use crate::wire::token_response::expires_in;

/// The longest `request_uri` accepted (oidc-provider's are about 70
/// characters).
pub const MAX_REQUEST_URI_LEN: usize = 2048;

/// The longest `expires_in` of a pushed request accepted: ten minutes is
/// RFC 9126's upper example; a day allows for anything sane.
pub const MAX_PUSH_LIFETIME: u64 = 86_400;

/// The server's answer to a pushed authorization request: `201` with
/// `request_uri` and `expires_in`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushedRequest {
    request_uri: String,
    expires_in: u64,
}

impl PushedRequest {
    /// Reads a pushed authorization request endpoint's answer, bounding
    /// the body at `limit` bytes: success is `201` with a JSON object
    /// holding `request_uri` (visible ASCII, at most
    /// [`MAX_REQUEST_URI_LEN`] bytes) and `expires_in` (a positive whole
    /// number of seconds, at most [`MAX_PUSH_LIFETIME`], as a number or a
    /// string); any other status is the error its body says
    /// ([`Error::OAuth`] for `invalid_request`, `invalid_client`, ...).
    ///
    /// ```
    /// use oauth2_sansio::PushedRequest;
    ///
    /// let pushed = PushedRequest::parse(
    ///     201,
    ///     br#"{"request_uri":"urn:ietf:params:oauth:request_uri:6esc_11ACC5bwc014ltc14eY22c","expires_in":60}"#,
    ///     1 << 20,
    /// )?;
    /// assert_eq!(pushed.expires_in(), 60);
    /// # Ok::<(), oauth2_sansio::Error>(())
    /// ```
    pub fn parse(status: u16, body: &[u8], limit: usize) -> Result<Self, Error> {
        if status != 201 {
            return Err(match status {
                200 => Error::HttpStatus { status },
                _ => error_response(status, body, limit),
            });
        }
        let mut map = json_object(200, body, limit)?;
        let request_uri = required_text(&mut map, "request_uri")?;
        if request_uri.len() > MAX_REQUEST_URI_LEN || !is_printable(&request_uri) {
            return Err(InvalidResponse::InvalidField {
                field: "request_uri",
                reason: "must be at most 2048 visible ASCII characters",
            }
            .into());
        }
        let expires_in = expires_in(map.get("expires_in"))?
            .filter(|secs| (1..=MAX_PUSH_LIFETIME).contains(secs))
            .ok_or(InvalidResponse::InvalidField {
                field: "expires_in",
                reason: "must be a whole number of seconds from 1 to 86400",
            })?;
        Ok(Self {
            request_uri,
            expires_in,
        })
    }

    /// The `request_uri` the authorization URL carries.
    pub fn request_uri(&self) -> &str {
        &self.request_uri
    }

    /// How long the `request_uri` may be used, in seconds.
    pub fn expires_in(&self) -> u64 {
        self.expires_in
    }
}

/// Pushes an authorization request; its output is the URL to open (only
/// `client_id` and `request_uri`) and the pending authorization, as
/// [`AuthorizationRequest::build`] gives. Made by
/// [`AuthorizationRequest::push`].
pub type PushedAuthorization = Call<PushedRequest, Pushing>;

/// What a push ends with, besides the server's answer: where to send the
/// browser and what to keep until the callback.
#[derive(Debug)]
pub struct Pushing {
    authorization_endpoint: Url,
    client_id: String,
    pending: PendingAuthorization,
}

impl Update<PushedRequest> for Pushing {
    type Output = (AuthorizationUrl, PendingAuthorization);

    fn update(self, pushed: PushedRequest, sent_at: SystemTime) -> Result<Self::Output, Error> {
        let url = AuthorizationUrl::write(&self.authorization_endpoint, |query| {
            query.append_pair("client_id", &self.client_id);
            query.append_pair("request_uri", &pushed.request_uri);
        });
        let mut pending = self.pending;
        pending.pushed_until = sent_at
            .checked_add(Duration::from_secs(pushed.expires_in))
            .and_then(unix_seconds);
        Ok((url, pending))
    }
}

impl AuthorizationRequest<'_> {
    /// Pushes the request to the server's pushed authorization request
    /// endpoint ([RFC 9126](https://www.rfc-editor.org/rfc/rfc9126)),
    /// drawing `state` and the PKCE verifier from `rng` as
    /// [`build`](Self::build) does. The machine sends every parameter of
    /// the request (and `client_id`, always) in a form POST authenticated
    /// as at the token endpoint, and ends with the URL to open, carrying
    /// only `client_id` and `request_uri`, and the pending authorization.
    /// A client without the endpoint gets
    /// [`ConfigError::MissingEndpoint`].
    pub fn push<R: Entropy + ?Sized>(
        self,
        now: SystemTime,
        rng: &mut R,
    ) -> Result<PushedAuthorization, ConfigError> {
        let mut entropy = [0u8; 64];
        rng.fill_entropy(&mut entropy);
        let pushed = self.push_with_entropy(now, &entropy);
        entropy.zeroize();
        pushed
    }

    /// [`push`](Self::push) from 64 caller-supplied random bytes, as
    /// [`build_with_entropy`](Self::build_with_entropy) takes them.
    pub fn push_with_entropy(
        self,
        now: SystemTime,
        entropy: &[u8; 64],
    ) -> Result<PushedAuthorization, ConfigError> {
        let (prepared, pending) = self.prepare(now, entropy)?;
        let client = prepared.client();
        let endpoint = required_endpoint(
            &client.pushed_authorization_request_endpoint,
            "pushed_authorization_request_endpoint",
        )?;
        let identity = &client.identity;
        let in_form = identity.in_form(Purpose::Other);
        let mut params: Vec<(String, String)> = Vec::new();
        prepared.each_param(&pending, |name, value| {
            // The form carries client_id itself unless HTTP Basic does.
            if name != "client_id" || matches!(in_form, ClientInForm::Basic(_)) {
                params.push((name.to_owned(), value.to_owned()));
            }
        });
        let pairs: Vec<(&str, &str)> = params
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let request = form_post(to_uri(endpoint), None, in_form, &pairs);
        drop(pairs);
        for (_, value) in &mut params {
            value.zeroize();
        }
        let pushing = Pushing {
            authorization_endpoint: client.authorization_endpoint.clone(),
            client_id: client.id().to_owned(),
            pending: prepared.into_pending(pending),
        };
        Ok(identity
            .call(
                Purpose::Other,
                request,
                client.response_limit,
                PushedRequest::parse,
            )
            .with_context(pushing))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(status: u16, body: &str) -> Result<PushedRequest, Error> {
        PushedRequest::parse(status, body.as_bytes(), 4096)
    }

    #[test]
    fn a_201_with_request_uri_and_lifetime_is_read() {
        let pushed = parse(201, r#"{"request_uri":"urn:x:1","expires_in":"90"}"#).unwrap();
        assert_eq!((pushed.request_uri(), pushed.expires_in()), ("urn:x:1", 90));
    }

    #[test]
    fn other_answers_are_typed_errors() {
        let invalid = |status, body| match parse(status, body) {
            Err(Error::InvalidResponse(e)) => e,
            other => panic!("{body}: {other:?}"),
        };
        for body in [
            r#"{"expires_in":60}"#,
            r#"{"request_uri":"","expires_in":60}"#,
            r#"{"request_uri":"has space","expires_in":60}"#,
            r#"{"request_uri":"u","expires_in":0}"#,
            r#"{"request_uri":"u","expires_in":86401}"#,
            r#"{"request_uri":"u"}"#,
            r#"{"request_uri":"u","expires_in":-1}"#,
            r#"{"request_uri":"u","request_uri":"v","expires_in":60}"#,
            "[]",
        ] {
            let _ = invalid(201, body);
        }
        assert!(matches!(
            parse(400, r#"{"error":"invalid_request","error_description":"bad"}"#),
            Err(Error::OAuth(e)) if *e.code() == crate::ErrorCode::InvalidRequest
        ));
        assert_eq!(
            parse(200, r#"{"request_uri":"u","expires_in":60}"#),
            Err(Error::HttpStatus { status: 200 })
        );
        assert_eq!(parse(302, ""), Err(Error::Redirect { status: 302 }));
        let long = format!(
            r#"{{"request_uri":"{}","expires_in":60}}"#,
            "u".repeat(MAX_REQUEST_URI_LEN + 1)
        );
        let _ = invalid(201, &long);
        assert!(matches!(
            PushedRequest::parse(201, long.as_bytes(), 100),
            Err(Error::InvalidResponse(InvalidResponse::BodyTooLarge {
                limit: 100
            }))
        ));
    }
}
