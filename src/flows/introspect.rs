//! Token introspection ([RFC 7662](https://www.rfc-editor.org/rfc/rfc7662)).

use std::time::{Duration, SystemTime};

use serde_json::{Map, Value};

use crate::client::auth::Purpose;
use crate::client::required_endpoint;
use crate::client::Client;
use crate::error::config::ConfigError;
use crate::error::{Error, InvalidResponse};
use crate::flows::token_ref::TokenRef;
use crate::machine::call::Call;
use crate::wire::answer::{error_response, json_object};
use crate::wire::endpoint::to_uri;
use crate::wire::form_post::form_post;
use crate::wire::json::{split_list, take_str, FieldReason};

/// The latest NumericDate accepted: 9999-12-31T23:59:59Z.
const MAX_NUMERIC_DATE: u64 = crate::wire::time::LATEST_TIME;

/// Asks the authorization server about one token; made by
/// [`Client::introspect`]. Its output is an [`IntrospectionResponse`].
///
/// Sends a POST of `token=…&token_type_hint=…` to the client's
/// introspection endpoint, the client authenticated as at the token
/// endpoint, with `Accept: application/json`. 3xx is [`Error::Redirect`];
/// other statuses than 200 are [`Error::OAuth`] or [`Error::HttpStatus`].
///
/// ```
/// use oauth2_sansio::{drive, AccessToken, Client, ClientSecret};
///
/// let client = Client::builder("rs")
///     .client_secret(ClientSecret::new("rs-secret"))
///     .authorization_endpoint("https://as.example/authorize")
///     .token_endpoint("https://as.example/token")
///     .introspection_endpoint("https://as.example/introspect")
///     .build()?;
/// let answer = drive(
///     client.introspect(&AccessToken::new("2YotnFZFEjr1zCsicMWpAA"))?,
///     std::time::SystemTime::now,
///     |_request| Ok(oauth2_sansio::http::Response::new(br#"{"active":true,"scope":"read write","aud":"api"}"#.to_vec())),
///     |_| {},
/// )?;
/// let token = answer.active().expect("active");
/// assert_eq!(token.scopes(), Some(&["read".to_owned(), "write".to_owned()][..]));
/// assert_eq!(token.aud(), Some(&["api".to_owned()][..]));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub type Introspection = Call<IntrospectionResponse>;

impl Client {
    /// A machine that introspects `token` (an
    /// [`&AccessToken`](crate::AccessToken) or a
    /// [`&RefreshToken`](crate::RefreshToken)) at the client's
    /// introspection endpoint; see [`Introspection`].
    ///
    /// Fails with [`ConfigError::MissingEndpoint`] when no introspection
    /// endpoint is configured.
    pub fn introspect<'t>(
        &self,
        token: impl Into<TokenRef<'t>>,
    ) -> Result<Introspection, ConfigError> {
        let endpoint = required_endpoint(&self.introspection_endpoint, "introspection_endpoint")?;
        let identity = &self.identity;
        let request = form_post(
            to_uri(endpoint),
            None,
            identity.in_form(Purpose::Other),
            &token.into().params(),
        );
        Ok(identity.call(
            Purpose::Other,
            request,
            self.response_limit,
            IntrospectionResponse::parse,
        ))
    }
}

/// What an introspection endpoint says about a token
/// ([RFC 7662 §2.2](https://www.rfc-editor.org/rfc/rfc7662#section-2.2)).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum IntrospectionResponse {
    /// `"active": false`: the token is not valid (expired, revoked, never
    /// issued, or not for this client). Anything else the server sent is
    /// ignored.
    Inactive,
    /// `"active": true`, with what the server said about the token.
    Active(Box<IntrospectedToken>),
}

/// The claims of an active token; every one is optional
/// ([RFC 7662 §2.2](https://www.rfc-editor.org/rfc/rfc7662#section-2.2)).
#[derive(Debug, Clone, PartialEq)]
pub struct IntrospectedToken {
    scopes: Option<Vec<String>>,
    client_id: Option<String>,
    username: Option<String>,
    token_type: Option<String>,
    exp: Option<SystemTime>,
    iat: Option<SystemTime>,
    nbf: Option<SystemTime>,
    sub: Option<String>,
    aud: Option<Vec<String>>,
    iss: Option<String>,
    jti: Option<String>,
    extra: Map<String, Value>,
}

impl IntrospectionResponse {
    /// Parses an introspection endpoint's answer, bounding the body at
    /// `limit` bytes.
    ///
    /// Needs HTTP 200 and a JSON object whose `active` is a boolean (any
    /// other value, or none, is [`Error::InvalidResponse`]); a 200 carrying
    /// `error` is an [`Error::OAuth`]. When `active` is `true`, the standard
    /// claims must have their RFC types: strings, `scope` a space-separated
    /// string, `aud` a string or a list of strings, `exp`/`iat`/`nbf`
    /// non-negative numbers of seconds since 1970 (before the year 10000).
    pub fn parse(status: u16, body: &[u8], limit: usize) -> Result<Self, Error> {
        let mut map = json_object(status, body, limit)?;
        if !matches!(map.get("error"), None | Some(Value::Null)) {
            return Err(error_response(status, body, limit));
        }
        match map.remove("active") {
            Some(Value::Bool(true)) => {
                Ok(Self::Active(Box::new(IntrospectedToken::from_object(map)?)))
            }
            Some(Value::Bool(false)) => Ok(Self::Inactive),
            None | Some(Value::Null) => {
                Err(InvalidResponse::MissingField { field: "active" }.into())
            }
            Some(_) => Err(InvalidResponse::InvalidField {
                field: "active",
                reason: "must be a boolean",
            }
            .into()),
        }
    }

    /// Whether the token is active.
    pub fn is_active(&self) -> bool {
        matches!(self, Self::Active(_))
    }

    /// The claims of an active token; `None` when inactive.
    pub fn active(&self) -> Option<&IntrospectedToken> {
        match self {
            Self::Active(token) => Some(token),
            Self::Inactive => None,
        }
    }
}

impl IntrospectedToken {
    /// Moves each claim out of `map`; what is left is `extra`.
    fn from_object(mut map: Map<String, Value>) -> Result<Self, InvalidResponse> {
        let map = &mut map;
        Ok(Self {
            scopes: text(map, "scope")?.map(|s| split_list(&s)),
            client_id: text(map, "client_id")?,
            username: text(map, "username")?,
            token_type: text(map, "token_type")?,
            exp: numeric_date(map, "exp")?,
            iat: numeric_date(map, "iat")?,
            nbf: numeric_date(map, "nbf")?,
            sub: text(map, "sub")?,
            aud: audience(map)?,
            iss: text(map, "iss")?,
            jti: text(map, "jti")?,
            extra: std::mem::take(map),
        })
    }

    /// `scope`, split at spaces.
    pub fn scopes(&self) -> Option<&[String]> {
        self.scopes.as_deref()
    }

    /// `client_id`: the client the token was issued to.
    pub fn client_id(&self) -> Option<&str> {
        self.client_id.as_deref()
    }

    /// `username`: the resource owner, human-readable.
    pub fn username(&self) -> Option<&str> {
        self.username.as_deref()
    }

    /// `token_type` (RFC 6749 §7.1), e.g. `Bearer`.
    pub fn token_type(&self) -> Option<&str> {
        self.token_type.as_deref()
    }

    /// `exp`: when the token expires.
    pub fn exp(&self) -> Option<SystemTime> {
        self.exp
    }

    /// `iat`: when the token was issued.
    pub fn iat(&self) -> Option<SystemTime> {
        self.iat
    }

    /// `nbf`: the token is not to be used before this time.
    pub fn nbf(&self) -> Option<SystemTime> {
        self.nbf
    }

    /// `sub`: the subject, machine-readable.
    pub fn sub(&self) -> Option<&str> {
        self.sub.as_deref()
    }

    /// `aud`: the audiences, one or several.
    pub fn aud(&self) -> Option<&[String]> {
        self.aud.as_deref()
    }

    /// `iss`: the issuer.
    pub fn iss(&self) -> Option<&str> {
        self.iss.as_deref()
    }

    /// `jti`: the token's identifier.
    pub fn jti(&self) -> Option<&str> {
        self.jti.as_deref()
    }

    /// Every other member, as sent.
    pub fn extra(&self) -> &Map<String, Value> {
        &self.extra
    }
}

fn invalid(field: &'static str, reason: FieldReason) -> InvalidResponse {
    InvalidResponse::InvalidField { field, reason }
}

/// A string claim, moved out of `map`.
fn text(
    map: &mut Map<String, Value>,
    field: &'static str,
) -> Result<Option<String>, InvalidResponse> {
    take_str(map, field).map_err(|reason| invalid(field, reason))
}

/// A NumericDate (RFC 7519 §2): seconds since 1970, fractions dropped.
fn numeric_date(
    map: &mut Map<String, Value>,
    field: &'static str,
) -> Result<Option<SystemTime>, InvalidResponse> {
    let seconds = match map.remove(field) {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Number(n)) => n
            .as_u64()
            .or_else(|| n.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64)),
        Some(_) => None,
    };
    match seconds {
        Some(s) if s <= MAX_NUMERIC_DATE => {
            Ok(Some(SystemTime::UNIX_EPOCH + Duration::from_secs(s)))
        }
        _ => Err(invalid(
            field,
            "must be a number of seconds since 1970, before the year 10000",
        )),
    }
}

/// `aud`: one string or a list of strings.
fn audience(map: &mut Map<String, Value>) -> Result<Option<Vec<String>>, InvalidResponse> {
    const REASON: FieldReason = "must be a string or a list of strings";
    match map.remove("aud") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(vec![s])),
        Some(Value::Array(items)) => items
            .into_iter()
            .map(|item| match item {
                Value::String(s) => Ok(s),
                _ => Err(invalid("aud", REASON)),
            })
            .collect::<Result<_, _>>()
            .map(Some),
        Some(_) => Err(invalid("aud", REASON)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(body: &str) -> Result<IntrospectionResponse, Error> {
        IntrospectionResponse::parse(200, body.as_bytes(), 1 << 20)
    }

    #[test]
    fn rfc7662_2_2_example() {
        let answer = parse(
            r#"{"active":true,"client_id":"l238j323ds-23ij4","username":"jdoe",
                "scope":"read write dolphin","sub":"Z5O3upPC88QrAjx00dis",
                "aud":"https://protected.example.net/resource","iss":"https://server.example.com/",
                "exp":1419356238,"iat":1419350238,"extension_field":"twenty-seven"}"#,
        )
        .unwrap();
        let token = answer.active().unwrap();
        assert_eq!(token.client_id(), Some("l238j323ds-23ij4"));
        assert_eq!(token.username(), Some("jdoe"));
        assert_eq!(token.scopes().unwrap(), ["read", "write", "dolphin"]);
        assert_eq!(token.sub(), Some("Z5O3upPC88QrAjx00dis"));
        assert_eq!(
            token.aud().unwrap(),
            ["https://protected.example.net/resource"]
        );
        assert_eq!(token.iss(), Some("https://server.example.com/"));
        assert_eq!(
            token.exp(),
            Some(SystemTime::UNIX_EPOCH + Duration::from_secs(1419356238))
        );
        assert_eq!(
            token.iat(),
            Some(SystemTime::UNIX_EPOCH + Duration::from_secs(1419350238))
        );
        assert_eq!(token.nbf(), None);
        assert_eq!(token.extra().len(), 1);
        assert_eq!(token.extra()["extension_field"], "twenty-seven");
    }

    #[test]
    fn numeric_dates() {
        let exp = |v: &str| {
            parse(&format!(r#"{{"active":true,"exp":{v}}}"#)).map(|a| a.active().unwrap().exp())
        };
        let at = |s| Some(SystemTime::UNIX_EPOCH + Duration::from_secs(s));
        assert_eq!(exp("0").unwrap(), at(0));
        assert_eq!(exp("1.9").unwrap(), at(1));
        assert_eq!(exp("253402300799").unwrap(), at(MAX_NUMERIC_DATE));
        for bad in ["-1", "-0.5", "253402300800", "\"1\"", "true", "[]", "1e300"] {
            assert_eq!(
                exp(bad),
                Err(Error::InvalidResponse(invalid(
                    "exp",
                    "must be a number of seconds since 1970, before the year 10000"
                ))),
                "{bad}"
            );
        }
    }

    #[test]
    fn inactive_ignores_the_claims() {
        assert_eq!(
            parse(r#"{"active":false,"exp":"never","aud":7}"#),
            Ok(IntrospectionResponse::Inactive)
        );
    }

    #[test]
    fn error_on_200_is_an_oauth_error() {
        assert!(matches!(
            parse(r#"{"active":true,"error":"invalid_client"}"#),
            Err(Error::OAuth(_))
        ));
    }
}
