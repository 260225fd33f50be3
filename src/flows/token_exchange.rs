//! OAuth 2.0 Token Exchange ([RFC 8693](https://www.rfc-editor.org/rfc/rfc8693)):
//! trade a security token (a JWT, an ID token, an access token, a SAML
//! assertion) for another, as Google's Security Token Service does for
//! workload identity federation.

use std::time::SystemTime;

use serde_json::{Map, Value};
use zeroize::Zeroize;

use std::sync::Arc;

use crate::client::auth::{ClientIdentity, Purpose};
use crate::client::{Client, ClientAuthMethod, DEFAULT_RESPONSE_LIMIT};
use crate::credentials::BearerToken;
use crate::error::config::ConfigError;
use crate::error::{Error, InvalidResponse};
use crate::flows::params::check_scopes_and_params;
use crate::machine::call::{Call, Update};
use crate::macros::setters;
use crate::secret::{AccessToken, ClientSecret, RefreshToken, SecurityToken};
use crate::wire::endpoint::{parse_endpoint, to_uri};
use crate::wire::form_post::{form_post, ClientInForm};
use crate::wire::json::{parse_object, take_str};
use crate::wire::token_response::TokenResponse;

/// The token exchange grant type (RFC 8693 §2.1).
pub const TOKEN_EXCHANGE_GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";

/// Token type identifiers (RFC 8693 §3), for `subject_token_type`,
/// `actor_token_type`, `requested_token_type` and `issued_token_type`.
pub mod token_types {
    /// An OAuth 2.0 access token.
    pub const ACCESS_TOKEN: &str = "urn:ietf:params:oauth:token-type:access_token";
    /// An OAuth 2.0 refresh token.
    pub const REFRESH_TOKEN: &str = "urn:ietf:params:oauth:token-type:refresh_token";
    /// An OpenID Connect ID token.
    pub const ID_TOKEN: &str = "urn:ietf:params:oauth:token-type:id_token";
    /// A JWT (RFC 7519).
    pub const JWT: &str = "urn:ietf:params:oauth:token-type:jwt";
    /// A base64url-encoded SAML 1.1 assertion.
    pub const SAML1: &str = "urn:ietf:params:oauth:token-type:saml1";
    /// A base64url-encoded SAML 2.0 assertion.
    pub const SAML2: &str = "urn:ietf:params:oauth:token-type:saml2";
}

/// Parameters the request sets itself.
const RESERVED: [&str; 9] = [
    "grant_type",
    "resource",
    "audience",
    "scope",
    "requested_token_type",
    "subject_token",
    "subject_token_type",
    "actor_token",
    "actor_token_type",
];

/// Builds a [`TokenExchange`]: [`new`](Self::new), or
/// [`Client::token_exchange`] for a client that authenticates.
#[derive(Debug, Clone)]
#[must_use = "call build() to get the machine"]
pub struct TokenExchangeRequest {
    endpoint: String,
    subject_token: SecurityToken,
    subject_token_type: String,
    actor: Option<(SecurityToken, String)>,
    resources: Vec<String>,
    audiences: Vec<String>,
    scopes: Vec<String>,
    requested_token_type: Option<String>,
    params: Vec<(String, String)>,
    client: Option<Arc<ClientIdentity>>,
    allow_insecure: bool,
    response_limit: usize,
}

impl Client {
    /// Starts a token exchange at this client's token endpoint, the client
    /// authenticated as configured; see [`TokenExchangeRequest::new`].
    pub fn token_exchange(
        &self,
        subject_token: SecurityToken,
        subject_token_type: impl Into<String>,
    ) -> TokenExchangeRequest {
        TokenExchangeRequest::new(
            self.token_endpoint.as_str(),
            subject_token,
            subject_token_type,
        )
        .with_client(Arc::clone(&self.identity))
        .response_limit(self.response_limit)
    }
}

impl TokenExchangeRequest {
    /// A token exchange of `subject_token`, of type `subject_token_type`
    /// (one of [`token_types`]), at `endpoint` (such as
    /// [`GOOGLE_STS_URI`](crate::google::GOOGLE_STS_URI)), without client authentication unless
    /// [`client_authentication`](Self::client_authentication) is set.
    pub fn new(
        endpoint: impl Into<String>,
        subject_token: SecurityToken,
        subject_token_type: impl Into<String>,
    ) -> Self {
        Self {
            endpoint: endpoint.into(),
            subject_token,
            subject_token_type: subject_token_type.into(),
            actor: None,
            resources: Vec::new(),
            audiences: Vec::new(),
            scopes: Vec::new(),
            requested_token_type: None,
            params: Vec::new(),
            client: None,
            allow_insecure: false,
            response_limit: DEFAULT_RESPONSE_LIMIT,
        }
    }

    /// `actor_token` and its `actor_token_type`: who acts on behalf of the
    /// subject (delegation, RFC 8693 §1.1).
    pub fn actor_token(mut self, token: SecurityToken, token_type: impl Into<String>) -> Self {
        self.actor = Some((token, token_type.into()));
        self
    }

    /// Adds a `resource` (an absolute URI where the token will be used); may
    /// be repeated.
    pub fn resource(mut self, resource: impl Into<String>) -> Self {
        self.resources.push(resource.into());
        self
    }

    /// Adds an `audience` (Google's STS: the workload identity provider's
    /// full resource name); may be repeated.
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audiences.push(audience.into());
        self
    }

    crate::flows::params::scope_setters!();

    /// `requested_token_type`, one of [`token_types`] (Google's STS:
    /// [`token_types::ACCESS_TOKEN`]).
    pub fn requested_token_type(mut self, token_type: impl Into<String>) -> Self {
        self.requested_token_type = Some(token_type.into());
        self
    }

    crate::flows::params::param_setter! {
        /// Any other form parameter (Google's STS: `options`). The parameters
        /// the builder sets itself are refused by `build`.
        params
    }

    /// Authenticates a client at the endpoint (default: no client
    /// authentication, as Google's STS is used without one). A method
    /// other than [`ClientAuthMethod::None`] needs `secret`; for
    /// `private_key_jwt`, start from [`Client::token_exchange`] instead,
    /// which brings the client's key.
    pub fn client_authentication(
        self,
        method: ClientAuthMethod,
        client_id: impl Into<String>,
        secret: Option<ClientSecret>,
    ) -> Self {
        let client = ClientIdentity::new(client_id.into(), secret).with_method(method);
        self.with_client(Arc::new(client))
    }

    setters! {
        fn with_client(client: Arc<ClientIdentity>) => client = Some(client);

        /// **For tests only**: accept an `http` endpoint on any host.
        pub fn allow_insecure_endpoints(allow: bool) => allow_insecure = allow;

        /// The bound on the response body (default 1 MiB).
        pub fn response_limit(bytes: usize) => response_limit = bytes;
    }

    /// Checks the request and makes the machine: the endpoint follows the
    /// https rule, the token types are absolute URIs, the scopes are RFC 6749
    /// §3.3 scope tokens, no extra parameter overrides one the builder sets,
    /// and the client authentication method has what it needs (a secret, or
    /// a key for `private_key_jwt`).
    pub fn build(self) -> Result<TokenExchange, ConfigError> {
        Ok(self.build_call()?.with_context(ExchangeIssued))
    }

    /// [`build`](Self::build)'s call, without a context: for credentials
    /// that end an exchange with themselves (external accounts).
    pub(crate) fn build_call(self) -> Result<Call<TokenExchangeResponse>, ConfigError> {
        let endpoint = parse_endpoint(
            &self.endpoint,
            "token_exchange_endpoint",
            self.allow_insecure,
        )?;
        let token_types = [
            ("subject_token_type", Some(&self.subject_token_type)),
            ("actor_token_type", self.actor.as_ref().map(|(_, t)| t)),
            ("requested_token_type", self.requested_token_type.as_ref()),
        ];
        for (field, token_type) in token_types {
            if token_type.is_some_and(|t| url::Url::parse(t).is_err()) {
                return Err(ConfigError::InvalidUrl { field });
            }
        }
        check_scopes_and_params(&self.scopes, &self.params, &RESERVED)?;
        if let Some(client) = &self.client {
            client.check()?;
        }
        let scope = self.scopes.join(" ");
        let mut params: Vec<(&str, &str)> = Vec::new();
        params.extend(self.resources.iter().map(|r| ("resource", r.as_str())));
        params.extend(self.audiences.iter().map(|a| ("audience", a.as_str())));
        if !scope.is_empty() {
            params.push(("scope", &scope));
        }
        if let Some(requested) = &self.requested_token_type {
            params.push(("requested_token_type", requested));
        }
        params.push(("subject_token", self.subject_token.secret()));
        params.push(("subject_token_type", &self.subject_token_type));
        if let Some((token, token_type)) = &self.actor {
            params.push(("actor_token", token.secret()));
            params.push(("actor_token_type", token_type));
        }
        params.extend(self.params.iter().map(|(n, v)| (n.as_str(), v.as_str())));
        let in_form = self
            .client
            .as_ref()
            .map_or(ClientInForm::Nothing, |client| {
                client.in_form(Purpose::Other)
            });
        let request = form_post(
            to_uri(&endpoint),
            Some(TOKEN_EXCHANGE_GRANT_TYPE),
            in_form,
            &params,
        );
        let limit = self.response_limit;
        let parse = TokenExchangeResponse::parse;
        Ok(match &self.client {
            Some(client) => client.call(Purpose::Other, request, limit, parse),
            None => Call::with_parser(request, limit, parse),
        })
    }
}

/// Exchanges a security token at a token endpoint (RFC 8693 §2); its
/// output is an [`ExchangedToken`].
///
/// Sends a POST of `grant_type=urn:ietf:params:oauth:grant-type:token-exchange`,
/// the client's credentials when it authenticates, then `resource`,
/// `audience`, `scope`, `requested_token_type`, `subject_token`,
/// `subject_token_type`, `actor_token`, `actor_token_type` (those given, in
/// google-auth's order) and the extra parameters.
///
/// The answer follows the token response rules ([`TokenResponse::parse`]:
/// HTTP 200, a non-empty printable `access_token`, a bounded `expires_in`,
/// errors typed) with two differences RFC 8693 §2.2.1 makes:
/// `issued_token_type` is required, and `token_type` may be `N_A` (any
/// case) when the issued token is not an access token. Other token types
/// are refused as for every grant.
///
/// ```
/// use oauth2_sansio::google::GOOGLE_STS_URI;
/// use oauth2_sansio::token_exchange::{token_types, TokenExchangeRequest};
/// use oauth2_sansio::{drive, SecurityToken};
///
/// let exchange = TokenExchangeRequest::new(GOOGLE_STS_URI, SecurityToken::new("eyJhbGciOi..."), token_types::JWT)
///     .audience("//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/q")
///     .scopes(["https://www.googleapis.com/auth/cloud-platform"])
///     .requested_token_type(token_types::ACCESS_TOKEN)
///     .build()?;
/// let token = drive(
///     exchange,
///     std::time::SystemTime::now,
///     |_request| Ok(oauth2_sansio::http::Response::new(br#"{"access_token":"ya29.sts","issued_token_type":"urn:ietf:params:oauth:token-type:access_token","token_type":"Bearer","expires_in":3599}"#.to_vec())),
///     |_| {},
/// )?;
/// assert_eq!(token.issued_token_type(), token_types::ACCESS_TOKEN);
/// assert!(token.bearer_token().is_some());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub type TokenExchange = Call<TokenExchangeResponse, ExchangeIssued>;

/// The context of a [`TokenExchange`]: it ends with the [`ExchangedToken`],
/// its expiry counted from when the request was sent.
#[derive(Debug, Clone, Copy, Default)]
pub struct ExchangeIssued;

impl Update<TokenExchangeResponse> for ExchangeIssued {
    type Output = ExchangedToken;

    fn update(
        self,
        response: TokenExchangeResponse,
        sent_at: SystemTime,
    ) -> Result<ExchangedToken, Error> {
        Ok(ExchangedToken::new(response, sent_at))
    }
}

/// `token_type` of a token exchange response (RFC 8693 §2.2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ExchangeTokenType {
    /// `Bearer`: the issued token is an access token, used as a bearer token.
    Bearer,
    /// `N_A`: the issued token is not an access token (an ID token, a
    /// SAML assertion, ...).
    NotApplicable,
}

/// What a token exchange issued.
#[derive(Debug, Clone, PartialEq)]
pub struct ExchangedToken {
    token: AccessToken,
    token_type: ExchangeTokenType,
    issued_token_type: String,
    expiry: Option<SystemTime>,
    refresh_token: Option<RefreshToken>,
    scopes: Option<Vec<String>>,
    extra: Map<String, Value>,
}

/// A token exchange response as parsed: a token response whose
/// `token_type` may also be `N_A`, with a required `issued_token_type`.
#[derive(Debug)]
pub struct TokenExchangeResponse {
    response: TokenResponse,
    token_type: ExchangeTokenType,
    issued_token_type: String,
}

impl ExchangedToken {
    fn new(exchanged: TokenExchangeResponse, sent_at: SystemTime) -> Self {
        let TokenExchangeResponse {
            response,
            token_type,
            issued_token_type,
        } = exchanged;
        Self {
            expiry: response.expiry(sent_at),
            token: response.access_token,
            token_type,
            issued_token_type,
            refresh_token: response.refresh_token,
            scopes: response.scopes,
            extra: response.extra,
        }
    }

    /// The issued security token (the response's `access_token`, whatever
    /// its type).
    pub fn token(&self) -> &AccessToken {
        &self.token
    }

    /// `token_type`: `Bearer`, or `N_A` for a token that is not an access
    /// token.
    pub fn token_type(&self) -> ExchangeTokenType {
        self.token_type
    }

    /// `issued_token_type`: one of [`token_types`], or another URI.
    pub fn issued_token_type(&self) -> &str {
        &self.issued_token_type
    }

    /// When the issued token expires (`expires_in` counted from when the
    /// request was sent), if the server said.
    pub fn expiry(&self) -> Option<SystemTime> {
        self.expiry
    }

    /// A refresh token, if the server issued one.
    pub fn refresh_token(&self) -> Option<&RefreshToken> {
        self.refresh_token.as_ref()
    }

    /// The scopes of the issued token, when they differ from those asked
    /// for (RFC 8693 §2.2.1).
    pub fn scopes(&self) -> Option<&[String]> {
        self.scopes.as_deref()
    }

    /// Every other member of the response.
    pub fn extra(&self) -> &Map<String, Value> {
        &self.extra
    }

    /// The issued token as a [`BearerToken`] (its freshness by the rule
    /// every credentials kind shares, request authorization) when
    /// `token_type` is `Bearer`.
    pub fn bearer_token(&self) -> Option<BearerToken> {
        (self.token_type == ExchangeTokenType::Bearer)
            .then(|| BearerToken::new(self.token.clone(), self.expiry))
    }
}

impl TokenExchangeResponse {
    /// Parses a token exchange endpoint's answer, bounding the body at
    /// `limit` bytes: [`TokenResponse::parse`]'s rules, with `token_type`
    /// `N_A` accepted and `issued_token_type` required (RFC 8693 §2.2.1).
    pub fn parse(status: u16, body: &[u8], limit: usize) -> Result<Self, Error> {
        parse(status, body, limit)
    }
}

fn parse(status: u16, body: &[u8], limit: usize) -> Result<TokenExchangeResponse, Error> {
    let (mut response, token_type) = match TokenResponse::parse(status, body, limit) {
        Ok(response) => (response, ExchangeTokenType::Bearer),
        Err(Error::InvalidResponse(InvalidResponse::UnsupportedTokenType { .. })) => (
            not_applicable(body, limit)?,
            ExchangeTokenType::NotApplicable,
        ),
        Err(e) => return Err(e),
    };
    let issued_token_type = take_str(&mut response.extra, "issued_token_type")
        .map_err(|reason| InvalidResponse::InvalidField {
            field: "issued_token_type",
            reason,
        })?
        .ok_or(InvalidResponse::MissingField {
            field: "issued_token_type",
        })?;
    Ok(TokenExchangeResponse {
        response,
        token_type,
        issued_token_type,
    })
}

/// A token response whose `token_type` is `N_A`, read with every other
/// token response rule. `TokenResponse` accepts only `Bearer`, so the
/// object is read again with that one member replaced; any other
/// `token_type` is refused as `TokenResponse::parse` refused it.
fn not_applicable(body: &[u8], limit: usize) -> Result<TokenResponse, Error> {
    let mut map =
        parse_object(body, limit).map_err(|_| InvalidResponse::NotJsonObject { status: 200 })?;
    match map.get("token_type") {
        Some(Value::String(t)) if t.eq_ignore_ascii_case("N_A") => {}
        other => {
            return Err(InvalidResponse::UnsupportedTokenType {
                token_type: crate::error::sanitize(other.and_then(Value::as_str).unwrap_or("")),
            }
            .into())
        }
    }
    map.insert("token_type".to_owned(), Value::from("Bearer"));
    let mut bytes = serde_json::to_vec(&map).expect("a JSON object always serializes");
    for secret in ["access_token", "refresh_token", "id_token"] {
        if let Some(Value::String(mut value)) = map.remove(secret) {
            value.zeroize();
        }
    }
    let parsed = TokenResponse::parse(200, &bytes, usize::MAX);
    bytes.zeroize();
    parsed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(body: &str) -> Result<TokenExchangeResponse, Error> {
        parse(200, body.as_bytes(), 1 << 20)
    }

    #[test]
    fn rfc8693_2_3_example() {
        let answer = parsed(
            r#"{"access_token":"eyJhbGciOiJFUzI1NiIsImtpZCI6IjllciJ9.eyJhdWQiOiJo","issued_token_type":"urn:ietf:params:oauth:token-type:access_token","token_type":"Bearer","expires_in":60}"#,
        )
        .unwrap();
        assert_eq!(answer.token_type, ExchangeTokenType::Bearer);
        assert_eq!(answer.issued_token_type, token_types::ACCESS_TOKEN);
        assert_eq!(answer.response.expires_in(), Some(60));
        assert!(answer.response.extra().is_empty());
    }

    #[test]
    fn n_a_keeps_every_other_rule() {
        let body = |token_type: &str, expires_in: &str| {
            format!(
                r#"{{"access_token":"eyJ.id.token","issued_token_type":"urn:ietf:params:oauth:token-type:id_token","token_type":"{token_type}","expires_in":{expires_in}}}"#
            )
        };
        let ok = parsed(&body("n_a", "30")).unwrap();
        assert_eq!(ok.token_type, ExchangeTokenType::NotApplicable);
        assert_eq!(ok.response.expires_in(), Some(30));
        assert!(matches!(
            parsed(&body("N_A", "-1")),
            Err(Error::InvalidResponse(InvalidResponse::InvalidField {
                field: "expires_in",
                ..
            }))
        ));
        assert_eq!(
            parsed(&body("MAC", "30")).err(),
            Some(Error::InvalidResponse(
                InvalidResponse::UnsupportedTokenType {
                    token_type: "MAC".into()
                }
            ))
        );
        assert_eq!(
            parsed(r#"{"access_token":"a","token_type":"N_A"}"#).err(),
            Some(Error::InvalidResponse(InvalidResponse::MissingField {
                field: "issued_token_type"
            }))
        );
    }
}
