//! Parsing token endpoint responses (RFC 6749 §5.1 and §5.2).

use std::time::{Duration, SystemTime};

use std::borrow::Cow;

use serde_json::{Map, Value};

use crate::error::{Error, ErrorCode, InvalidResponse, OAuthError};
use crate::secret::{AccessToken, IdToken, RefreshToken};
use crate::wire::json::{split_list, JsonProblem};
use crate::wire::json_fields::{read_fields, Field, Fields};
use crate::wire::printable::is_printable;

/// The longest `expires_in` accepted (about 136 years); larger values are
/// treated as a malformed response rather than overflowing time arithmetic.
pub const MAX_EXPIRES_IN: u64 = u32::MAX as u64;

/// A successful token response.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenResponse {
    pub(crate) access_token: AccessToken,
    pub(crate) expires_in: Option<u64>,
    pub(crate) refresh_token: Option<RefreshToken>,
    pub(crate) scopes: Option<Vec<String>>,
    pub(crate) id_token: Option<IdToken>,
    /// `token_type` is `DPoP`: the token is bound to the key whose proof
    /// the request carried.
    pub(crate) dpop: bool,
    pub(crate) extra: Map<String, Value>,
}

/// The token types a parser takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Accepted {
    Bearer,
    Dpop,
    Either,
}

impl TokenResponse {
    /// Parses an HTTP response from a token endpoint, bounding the body at
    /// `limit` bytes.
    ///
    /// Success needs HTTP 200 and a JSON object with a non-empty string
    /// `access_token` and `token_type` `Bearer` (any case); a 200 that
    /// carries `error` is a failure. Any other status is an
    /// [`Error::OAuth`] when the body is an RFC 6749 §5.2 error, else
    /// [`Error::HttpStatus`]; 3xx is [`Error::Redirect`].
    ///
    /// ```
    /// use oauth2_sansio::{Error, ErrorCode, TokenResponse};
    ///
    /// let ok = TokenResponse::parse(200, br#"{"access_token":"ya29.a","token_type":"Bearer","expires_in":"3599"}"#, 1 << 20)?;
    /// assert_eq!(ok.expires_in(), Some(3599));
    ///
    /// let err = TokenResponse::parse(400, br#"{"error":"invalid_grant","error_description":"Bad Request"}"#, 1 << 20);
    /// assert!(matches!(err, Err(Error::OAuth(e)) if *e.code() == ErrorCode::InvalidGrant));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn parse(status: u16, body: &[u8], limit: usize) -> Result<Self, Error> {
        Self::parse_accepting(status, body, limit, Accepted::Bearer)
    }

    /// [`parse`](Self::parse) for a request that carried a DPoP proof: the
    /// token must be `token_type` `DPoP` (any case); a `Bearer` answer is
    /// refused ([RFC 9449 §5](https://www.rfc-editor.org/rfc/rfc9449#section-5)).
    pub fn parse_dpop(status: u16, body: &[u8], limit: usize) -> Result<Self, Error> {
        Self::parse_accepting(status, body, limit, Accepted::Dpop)
    }

    /// [`parse_dpop`](Self::parse_dpop) that also takes a `Bearer` token,
    /// for a caller that allows a server without DPoP to downgrade.
    pub fn parse_dpop_or_bearer(status: u16, body: &[u8], limit: usize) -> Result<Self, Error> {
        Self::parse_accepting(status, body, limit, Accepted::Either)
    }

    fn parse_accepting(
        status: u16,
        body: &[u8],
        limit: usize,
        accepted: Accepted,
    ) -> Result<Self, Error> {
        if (300..400).contains(&status) {
            return Err(Error::Redirect { status });
        }
        let fields = match read_fields(body, limit, &FIELDS) {
            Ok(fields) => fields,
            Err(JsonProblem::TooLarge { limit }) => {
                return Err(InvalidResponse::BodyTooLarge { limit }.into())
            }
            Err(_) if status != 200 => return Err(Error::HttpStatus { status }),
            Err(JsonProblem::DuplicateKey(key)) => {
                return Err(InvalidResponse::DuplicateKey { key }.into())
            }
            Err(_) => return Err(InvalidResponse::NotJsonObject { status }.into()),
        };
        let Fields { known, mut extra } = fields;
        let [access_token, token_type, expires_in, refresh_token, id_token, scope, error] = known;
        if let Some(error) = oauth_error(error, &mut extra, status)? {
            return Err(Error::OAuth(error));
        }
        if status != 200 {
            return Err(Error::HttpStatus { status });
        }
        let access_token =
            text(access_token, "access_token")?.ok_or(InvalidResponse::MissingField {
                field: "access_token",
            })?;
        let token_type = text(token_type, "token_type")?.ok_or(InvalidResponse::MissingField {
            field: "token_type",
        })?;
        let dpop = token_type.eq_ignore_ascii_case("dpop");
        let usable = match accepted {
            Accepted::Bearer => token_type.eq_ignore_ascii_case("bearer"),
            Accepted::Dpop => dpop,
            Accepted::Either => dpop || token_type.eq_ignore_ascii_case("bearer"),
        };
        if !usable {
            return Err(InvalidResponse::UnsupportedTokenType {
                token_type: crate::error::sanitize(&token_type),
            }
            .into());
        }
        if !is_printable(&access_token) {
            return Err(InvalidResponse::InvalidField {
                field: "access_token",
                reason: "must be printable ASCII without spaces",
            }
            .into());
        }
        let refresh_token = text(refresh_token, "refresh_token")?;
        let id_token = text(id_token, "id_token")?;
        let scopes = text(scope, "scope")?;
        Ok(Self {
            expires_in: seconds(expires_in)?,
            // Secrets move into their zeroizing types in one copy each.
            access_token: AccessToken::new(access_token.into_owned()),
            refresh_token: refresh_token.map(|t| RefreshToken::new(t.into_owned())),
            id_token: id_token.map(|t| IdToken::new(t.into_owned())),
            scopes: scopes.map(|s| split_list(&s)),
            dpop,
            extra,
        })
    }

    /// Whether the token is DPoP-bound (`token_type` `DPoP`), so that it
    /// must be sent with a proof of the key it is bound to.
    pub fn is_dpop(&self) -> bool {
        self.dpop
    }

    /// The access token.
    pub fn access_token(&self) -> &AccessToken {
        &self.access_token
    }

    /// `expires_in` in seconds, if the server sent it.
    pub fn expires_in(&self) -> Option<u64> {
        self.expires_in
    }

    /// The absolute expiry for a response received at `now` (`None` when the
    /// server sent no `expires_in`: the lifetime is unknown).
    pub fn expiry(&self, now: SystemTime) -> Option<SystemTime> {
        self.expires_in
            .and_then(|secs| now.checked_add(Duration::from_secs(secs)))
    }

    /// The refresh token, if one was issued.
    pub fn refresh_token(&self) -> Option<&RefreshToken> {
        self.refresh_token.as_ref()
    }

    /// The granted scopes, if the server listed them (RFC 6749 §5.1: absent
    /// means "as requested").
    pub fn scopes(&self) -> Option<&[String]> {
        self.scopes.as_deref()
    }

    /// The OpenID Connect ID token, if any.
    pub fn id_token(&self) -> Option<&IdToken> {
        self.id_token.as_ref()
    }

    /// Every other field of the response, as sent.
    pub fn extra(&self) -> &Map<String, Value> {
        &self.extra
    }
}

/// The fields a token response is read for, in the order
/// [`TokenResponse::parse`] takes them apart; all others go to `extra`.
const FIELDS: [&str; 7] = [
    "access_token",
    "token_type",
    "expires_in",
    "refresh_token",
    "id_token",
    "scope",
    "error",
];

/// A string field (absent, `null` and `""` are `None`); another JSON type
/// is an invalid field.
fn text<'v>(field: Option<Field<'v>>, name: &'static str) -> Result<Option<Cow<'v, str>>, Error> {
    Field::text(field).map_err(|reason| {
        InvalidResponse::InvalidField {
            field: name,
            reason,
        }
        .into()
    })
}

/// The RFC 6749 §5.2 error the `error` field and the other members in
/// `extra` say, if there is one. A `null` error is kept among the others.
fn oauth_error(
    error: Option<Field<'_>>,
    extra: &mut Map<String, Value>,
    status: u16,
) -> Result<Option<OAuthError>, Error> {
    let code = match error {
        None => return Ok(None),
        Some(Field::Null) => {
            extra.insert("error".to_owned(), Value::Null);
            return Ok(None);
        }
        Some(Field::Str(code)) if !code.is_empty() => code,
        Some(_) if status == 200 => {
            return Err(InvalidResponse::InvalidField {
                field: "error",
                reason: "must be a non-empty string",
            }
            .into())
        }
        Some(_) => return Err(Error::HttpStatus { status }),
    };
    let text = |name| match extra.get(name) {
        Some(Value::String(s)) => Some(s.as_str()),
        _ => None,
    };
    Ok(Some(OAuthError::new(
        ErrorCode::parse(&code),
        text("error_description"),
        text("error_uri"),
        Some(status),
    )))
}

/// `expires_in` as a JSON integer or a string of digits, at most [`MAX_EXPIRES_IN`].
pub(crate) fn expires_in(value: Option<&Value>) -> Result<Option<u64>, InvalidResponse> {
    seconds(value.map(Field::of_value))
}

/// [`expires_in`] of a field read borrowed.
fn seconds(field: Option<Field<'_>>) -> Result<Option<u64>, InvalidResponse> {
    const INVALID: InvalidResponse = InvalidResponse::InvalidField {
        field: "expires_in",
        reason: "must be a non-negative whole number of seconds",
    };
    let secs = match field {
        None | Some(Field::Null) => return Ok(None),
        Some(Field::U64(secs)) => secs,
        Some(Field::Str(s))
            if !s.is_empty() && s.len() <= 20 && s.bytes().all(|b| b.is_ascii_digit()) =>
        {
            s.parse::<u64>().map_err(|_| INVALID)?
        }
        Some(_) => return Err(INVALID),
    };
    if secs > MAX_EXPIRES_IN {
        return Err(InvalidResponse::InvalidField {
            field: "expires_in",
            reason: "is too large",
        });
    }
    Ok(Some(secs))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::expect_invalid as invalid;

    const LIMIT: usize = 1 << 20;

    fn parse(status: u16, body: &str) -> Result<TokenResponse, Error> {
        TokenResponse::parse(status, body.as_bytes(), LIMIT)
    }

    #[test]
    fn rfc6749_5_1_example() {
        let r = parse(
            200,
            r#"{"access_token":"2YotnFZFEjr1zCsicMWpAA","token_type":"example","expires_in":3600}"#,
        );
        assert_eq!(
            invalid(r),
            InvalidResponse::UnsupportedTokenType {
                token_type: "example".into()
            }
        );
        let r = parse(
            200,
            r#"{"access_token":"2YotnFZFEjr1zCsicMWpAA","token_type":"bEaReR","expires_in":3600,"refresh_token":"tGzv3JOkF0XG5Qx2TlKWIA","example_parameter":"example_value"}"#,
        )
        .unwrap();
        assert_eq!(r.access_token().secret(), "2YotnFZFEjr1zCsicMWpAA");
        assert_eq!(
            r.refresh_token().unwrap().secret(),
            "tGzv3JOkF0XG5Qx2TlKWIA"
        );
        assert_eq!(r.expires_in(), Some(3600));
        assert_eq!(r.extra()["example_parameter"], "example_value");
        assert_eq!(r.extra().len(), 1);
    }

    #[test]
    fn rfc6749_5_2_example() {
        match parse(400, r#"{"error":"invalid_request"}"#) {
            Err(Error::OAuth(e)) => {
                assert_eq!(*e.code(), ErrorCode::InvalidRequest);
                assert_eq!(e.status(), Some(400));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn success_status_with_error_is_failure() {
        assert!(matches!(
            parse(
                200,
                r#"{"error":"invalid_grant","access_token":"x","token_type":"Bearer"}"#
            ),
            Err(Error::OAuth(_))
        ));
    }

    #[test]
    fn access_token_must_be_a_non_empty_string() {
        for body in [
            r#"{"token_type":"Bearer"}"#,
            r#"{"access_token":null,"token_type":"Bearer"}"#,
            r#"{"access_token":"","token_type":"Bearer"}"#,
        ] {
            assert_eq!(
                invalid(parse(200, body)),
                InvalidResponse::MissingField {
                    field: "access_token"
                }
            );
        }
        assert!(matches!(
            invalid(parse(200, r#"{"access_token":5,"token_type":"Bearer"}"#)),
            InvalidResponse::InvalidField {
                field: "access_token",
                ..
            }
        ));
        assert_eq!(
            invalid(parse(200, r#"{"access_token":"a"}"#)),
            InvalidResponse::MissingField {
                field: "token_type"
            }
        );
    }

    #[test]
    fn expires_in_forms() {
        let ok = |v: &str| {
            parse(
                200,
                &format!(r#"{{"access_token":"a","token_type":"Bearer","expires_in":{v}}}"#),
            )
            .map(|r| r.expires_in())
        };
        assert_eq!(ok("3600").unwrap(), Some(3600));
        assert_eq!(ok("\"3600\"").unwrap(), Some(3600));
        assert_eq!(ok("0").unwrap(), Some(0));
        assert_eq!(ok("null").unwrap(), None);
        for bad in [
            "-1",
            "1.5",
            "3600.0",
            "\"-5\"",
            "\"1e3\"",
            "\"\"",
            "true",
            "[]",
            "4294967296",
            "\"99999999999999999999999\"",
        ] {
            assert!(
                matches!(
                    ok(bad),
                    Err(Error::InvalidResponse(InvalidResponse::InvalidField {
                        field: "expires_in",
                        ..
                    }))
                ),
                "{bad}"
            );
        }
        assert!(ok("1e309").is_err());
    }

    #[test]
    fn statuses_without_oauth_bodies() {
        crate::wire::answer::assert_status_rules(
            |status, body| TokenResponse::parse(status, body, LIMIT),
            r#"{"access_token":"a","token_type":"Bearer"}"#,
        );
    }

    #[test]
    fn body_bound_applies_before_parsing() {
        let body = format!(
            r#"{{"access_token":"{}","token_type":"Bearer"}}"#,
            "a".repeat(100)
        );
        assert_eq!(
            TokenResponse::parse(200, body.as_bytes(), 64).unwrap_err(),
            Error::InvalidResponse(InvalidResponse::BodyTooLarge { limit: 64 })
        );
    }

    #[test]
    fn duplicate_keys_are_refused() {
        assert_eq!(
            invalid(parse(
                200,
                r#"{"access_token":"a","access_token":"b","token_type":"Bearer"}"#
            )),
            InvalidResponse::DuplicateKey {
                key: "access_token".into()
            }
        );
    }
}
