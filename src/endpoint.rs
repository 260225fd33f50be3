//! What the endpoints beside the authorization code flow share: form POSTs
//! with or without a grant type and client authentication (revocation,
//! introspection, token exchange), the token a revocation or introspection
//! is about, and the reading of their answers.

use serde_json::{Map, Value};
use url::Url;

use crate::authorize::is_scope_token;
use crate::client::{to_uri, Client};
use crate::config_error::ConfigError;
use crate::error::{Error, InvalidResponse};
use crate::json::{parse_object, JsonProblem};
use crate::secret::{AccessToken, RefreshToken};
use crate::token::request::{form_post, ClientAuth};
use crate::token::TokenResponse;

/// A token to revoke or introspect, with the `token_type_hint` it is sent
/// with ([RFC 7009 §2.1](https://www.rfc-editor.org/rfc/rfc7009#section-2.1),
/// [RFC 7662 §2.1](https://www.rfc-editor.org/rfc/rfc7662#section-2.1)).
///
/// Made with `From`: `(&access_token).into()`, `(&refresh_token).into()`.
/// Its `Debug` shows the kind, never the token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenRef<'a> {
    /// An access token, hint `access_token`.
    Access(&'a AccessToken),
    /// A refresh token, hint `refresh_token`.
    Refresh(&'a RefreshToken),
}

impl TokenRef<'_> {
    /// The token itself.
    pub(crate) fn secret(&self) -> &str {
        match self {
            TokenRef::Access(token) => token.secret(),
            TokenRef::Refresh(token) => token.secret(),
        }
    }

    /// The `token_type_hint` value.
    pub fn hint(&self) -> &'static str {
        match self {
            TokenRef::Access(_) => "access_token",
            TokenRef::Refresh(_) => "refresh_token",
        }
    }

    /// The form parameters naming the token: `token` and `token_type_hint`.
    pub(crate) fn params(&self) -> [(&str, &str); 2] {
        [("token", self.secret()), ("token_type_hint", self.hint())]
    }
}

impl<'a> From<&'a AccessToken> for TokenRef<'a> {
    fn from(token: &'a AccessToken) -> Self {
        TokenRef::Access(token)
    }
}

impl<'a> From<&'a RefreshToken> for TokenRef<'a> {
    fn from(token: &'a RefreshToken) -> Self {
        TokenRef::Refresh(token)
    }
}

/// `scope` and `scopes`, the same on every request builder (a struct with a
/// `scopes: Vec<String>` field); the scopes are sent space-separated in
/// `scope` and checked by the builder's `build`.
macro_rules! scope_setters {
    () => {
        /// Adds one scope.
        pub fn scope(mut self, scope: impl Into<String>) -> Self {
            self.scopes.push(scope.into());
            self
        }

        /// Adds several scopes.
        pub fn scopes<I, S>(mut self, scopes: I) -> Self
        where
            I: IntoIterator<Item = S>,
            S: Into<String>,
        {
            self.scopes.extend(scopes.into_iter().map(Into::into));
            self
        }
    };
}
pub(crate) use scope_setters;

/// The parameters client authentication writes: never extra parameters.
const CLIENT_AUTH_PARAMS: [&str; 4] = [
    "client_id",
    "client_secret",
    "client_assertion",
    "client_assertion_type",
];

/// Checks a request's scopes (RFC 6749 §3.3 scope tokens) and extra
/// parameters (none may be one of `reserved`, which the request sets
/// itself, nor a client authentication parameter).
pub(crate) fn check_scopes_and_params(
    scopes: &[String],
    params: &[(String, String)],
    reserved: &[&str],
) -> Result<(), ConfigError> {
    if let Some(scope) = scopes.iter().find(|s| !is_scope_token(s)) {
        return Err(ConfigError::InvalidScope {
            scope: crate::error::sanitize(scope),
        });
    }
    match params.iter().find(|(name, _)| {
        reserved.contains(&name.as_str()) || CLIENT_AUTH_PARAMS.contains(&name.as_str())
    }) {
        Some((name, _)) => Err(ConfigError::ReservedParameter { name: name.clone() }),
        None => Ok(()),
    }
}

/// How `client` authenticates (at any of its endpoints).
pub(crate) fn client_auth(client: &Client) -> ClientAuth<'_> {
    ClientAuth {
        method: client.auth_method,
        client_id: &client.id,
        secret: client.secret.as_ref(),
        assertion: client.assertion.as_deref(),
    }
}

/// A form POST to `endpoint`: `grant_type` first when given, then the
/// client's credentials as `auth` says (nothing at all without `auth`),
/// then `params`; `Accept: application/json`.
pub(crate) fn form_request(
    endpoint: &Url,
    grant_type: Option<&str>,
    auth: Option<ClientAuth<'_>>,
    params: &[(&str, &str)],
) -> http::Request<Vec<u8>> {
    form_post(to_uri(endpoint), grant_type, auth, params)
}

/// The error a non-success answer of an OAuth endpoint means:
/// [`Error::Redirect`] for 3xx, [`Error::OAuth`] for an RFC 6749 §5.2 error
/// body (also on HTTP 200), else [`Error::HttpStatus`] or the reason the
/// body is unusable. The rules are the token endpoint's, in one place.
pub(crate) fn error_response(status: u16, body: &[u8], limit: usize) -> Error {
    match TokenResponse::parse(status, body, limit) {
        Err(e) => e,
        // A token response is never an answer to these requests.
        Ok(_) => InvalidResponse::InvalidField {
            field: "access_token",
            reason: "is not expected in this response",
        }
        .into(),
    }
}

/// The JSON object of an HTTP 200 answer, bounded at `limit` bytes; any
/// other status is [`error_response`].
pub(crate) fn json_object(
    status: u16,
    body: &[u8],
    limit: usize,
) -> Result<Map<String, Value>, Error> {
    if status != 200 {
        return Err(error_response(status, body, limit));
    }
    parse_object(body, limit).map_err(|problem| {
        match problem {
            JsonProblem::TooLarge { limit } => InvalidResponse::BodyTooLarge { limit },
            JsonProblem::DuplicateKey(key) => InvalidResponse::DuplicateKey { key },
            JsonProblem::NotJson | JsonProblem::NotObject => {
                InvalidResponse::NotJsonObject { status }
            }
        }
        .into()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::ClientAuthMethod;
    use crate::secret::ClientSecret;

    fn body(grant: Option<&str>, auth: Option<ClientAuth<'_>>) -> String {
        let endpoint = Url::parse("https://as.example/x").unwrap();
        let request = form_request(&endpoint, grant, auth, &[("token", "t&=")]);
        String::from_utf8(request.into_body()).unwrap()
    }

    #[test]
    fn form_request_writes_only_what_is_asked() {
        let secret = ClientSecret::new("s p");
        let post = ClientAuth {
            method: ClientAuthMethod::ClientSecretPost,
            client_id: "id",
            secret: Some(&secret),
            assertion: None,
        };
        let public = ClientAuth {
            method: ClientAuthMethod::None,
            client_id: "id",
            secret: None,
            assertion: None,
        };
        assert_eq!(body(None, None), "token=t%26%3D");
        assert_eq!(body(None, Some(public)), "client_id=id&token=t%26%3D");
        assert_eq!(
            body(None, Some(post)),
            "client_id=id&client_secret=s+p&token=t%26%3D"
        );
        assert_eq!(
            body(Some("a:b c"), None),
            "grant_type=a%3Ab+c&token=t%26%3D"
        );
        assert_eq!(
            body(Some("g"), Some(public)),
            "grant_type=g&client_id=id&token=t%26%3D"
        );
        let basic = ClientAuth {
            method: ClientAuthMethod::ClientSecretBasic,
            client_id: "id",
            secret: Some(&secret),
            assertion: None,
        };
        let endpoint = Url::parse("https://as.example/x").unwrap();
        // Nothing at all in the body, and the client in the header: the case
        // that used to trip the old placeholder-cutting version.
        let request = form_request(&endpoint, None, Some(basic), &[]);
        assert!(request.body().is_empty());
        assert!(request.headers()["authorization"]
            .to_str()
            .unwrap()
            .starts_with("Basic "));
    }

    #[test]
    fn answers_other_than_200_are_errors() {
        assert_eq!(
            json_object(302, b"{}", 100).unwrap_err(),
            Error::Redirect { status: 302 }
        );
        assert_eq!(
            json_object(500, b"<html>", 100).unwrap_err(),
            Error::HttpStatus { status: 500 }
        );
        assert!(matches!(
            json_object(400, br#"{"error":"invalid_client"}"#, 100),
            Err(Error::OAuth(_))
        ));
        assert_eq!(
            json_object(200, b"[]", 100).unwrap_err(),
            Error::InvalidResponse(InvalidResponse::NotJsonObject { status: 200 })
        );
    }
}
