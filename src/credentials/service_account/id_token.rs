//! google-auth's `service_account.IDTokenCredentials`: an OpenID Connect ID
//! token for the service account, to call a service that checks ID tokens
//! (Cloud Run, Cloud Functions, IAP).

use std::time::{Duration, SystemTime};

use url::Url;

use super::account::{account_credentials, account_setters, Account};
use super::credentials::ServiceAccountCredentials;
use crate::credentials::bearer::BearerToken;
use crate::credentials::kind::Credentials;
use crate::error::{Error, InvalidResponse};
use crate::jwt::{decode_unverified, Claims};
use crate::machine::call::Call;
use crate::secret::AccessToken;
use crate::wire::json::{parse_object, take_str};
use crate::wire::token_response::TokenResponse;

/// A service account's ID token for one audience, used as a bearer token.
///
/// Each [`refresh`](Self::refresh) sends an assertion with a
/// `target_audience` claim instead of `scope` and reads `id_token` from
/// the response. The token's expiry is its own `exp` claim, read WITHOUT
/// verifying its signature: it came from the token endpoint over TLS, and
/// the expiry only decides when to ask for a new one. The token is bounded
/// (16 KiB), must have exactly three segments and an allowed `alg`. The
/// receiving service, not this client, verifies it.
#[derive(Debug, Clone)]
pub struct IdTokenCredentials {
    account: Account,
    token_uri: Url,
    response_limit: usize,
    target_audience: String,
    token: Option<BearerToken>,
}

impl IdTokenCredentials {
    pub(super) fn from_service_account(
        credentials: &ServiceAccountCredentials,
        target_audience: String,
    ) -> Self {
        Self {
            account: credentials.account.clone(),
            token_uri: credentials.token_uri.clone(),
            response_limit: credentials.response_limit,
            target_audience,
            token: None,
        }
    }

    /// The same account for another audience (no token yet).
    pub fn with_target_audience(mut self, target_audience: impl Into<String>) -> Self {
        self.target_audience = target_audience.into();
        self.token = None;
        self
    }

    account_setters!();

    /// The service account's email.
    pub fn email(&self) -> &str {
        &self.account.email
    }

    /// The audience the ID tokens are for.
    pub fn target_audience(&self) -> &str {
        &self.target_audience
    }

    /// The claims of an assertion signed at `now`: `iss`, `aud` (the token
    /// URI), `iat`, `exp` and `target_audience`.
    pub fn assertion_claims(&self, now: SystemTime) -> Claims {
        Claims::new(self.account.email.as_str(), now)
            .with_audience(self.token_uri.as_str())
            .with_claim("target_audience", self.target_audience.as_str())
            .expect("target_audience is not a reserved claim")
    }
}

impl Credentials for IdTokenCredentials {
    type Refresh = IdTokenRefresh;

    account_credentials!(jwt_bearer: parse_id_token_response);
}

/// Obtains a new ID token for [`IdTokenCredentials`]; made by
/// [`IdTokenCredentials::refresh`].
pub type IdTokenRefresh = Call<IdTokenGrant, IdTokenCredentials>;

crate::credentials::slot::token_slot!(IdTokenCredentials);

/// The answer to an ID-token grant: the ID token and the expiry read from
/// its `exp` (not verified: see [`IdTokenCredentials`]).
#[derive(Debug)]
pub struct IdTokenGrant {
    token: AccessToken,
    expiry: SystemTime,
}

impl IdTokenGrant {
    /// The ID token, as the bearer token it is used as.
    pub fn token(&self) -> &AccessToken {
        &self.token
    }

    /// Its `exp`.
    pub fn expiry(&self) -> SystemTime {
        self.expiry
    }
}

/// The response to an ID-token grant.
///
/// Status, redirects, OAuth errors, size and JSON shape are judged by
/// [`TokenResponse::parse`], unchanged. Only when a 200 object is refused
/// for lacking `access_token` or `token_type` (Google's ID-token response
/// is `{"id_token": "…"}` alone) is `id_token` read from it directly; every
/// other grant still requires them.
fn parse_id_token_response(status: u16, body: &[u8], limit: usize) -> Result<IdTokenGrant, Error> {
    let id_token = match TokenResponse::parse(status, body, limit) {
        Ok(response) => response.id_token.map(|t| AccessToken::new(t.secret())),
        Err(Error::InvalidResponse(InvalidResponse::MissingField {
            field: "access_token" | "token_type",
        })) => id_token_field(body, limit)?,
        Err(e) => return Err(e),
    };
    let token = id_token.ok_or(InvalidResponse::MissingField { field: "id_token" })?;
    IdTokenGrant::from_token(token)
}

impl IdTokenGrant {
    /// `token`, an ID token, with the expiry read (unverified) from its
    /// `exp`: exactly three segments, bounded, an allowed `alg`.
    pub(crate) fn from_token(token: AccessToken) -> Result<Self, Error> {
        let expiry = decode_unverified(token.secret())
            .and_then(|jwt| jwt.expiry())
            .map_err(|e| InvalidResponse::InvalidField {
                field: "id_token",
                reason: e.reason(),
            })?;
        Ok(Self { token, expiry })
    }
}

/// `id_token` from a body `TokenResponse::parse` already found to be a 200
/// JSON object within `limit`.
fn id_token_field(body: &[u8], limit: usize) -> Result<Option<AccessToken>, Error> {
    let mut map =
        parse_object(body, limit).map_err(|_| InvalidResponse::NotJsonObject { status: 200 })?;
    let token = take_str(&mut map, "id_token").map_err(|reason| InvalidResponse::InvalidField {
        field: "id_token",
        reason,
    })?;
    Ok(token.map(AccessToken::new))
}

#[cfg(test)]
mod tests {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;

    use super::*;

    fn id_token(exp: &str) -> String {
        let part = |json: &str| URL_SAFE_NO_PAD.encode(json);
        format!(
            "{}.{}.c2ln",
            part(r#"{"alg":"RS256","typ":"JWT"}"#),
            part(&format!(r#"{{"aud":"https://api.example/","exp":{exp}}}"#))
        )
    }

    fn parse(status: u16, body: &str) -> Result<IdTokenGrant, Error> {
        parse_id_token_response(status, body.as_bytes(), 1 << 20)
    }

    #[test]
    fn google_response_with_only_an_id_token() {
        let grant = parse(
            200,
            &format!(r#"{{"id_token":"{}"}}"#, id_token("1767229200")),
        )
        .unwrap();
        assert_eq!(grant.token.secret(), id_token("1767229200"));
        assert_eq!(
            grant.expiry,
            SystemTime::UNIX_EPOCH + Duration::from_secs(1_767_229_200)
        );
    }

    #[test]
    fn a_full_token_response_with_an_id_token_is_accepted() {
        let body = format!(
            r#"{{"access_token":"ya29.a","token_type":"Bearer","expires_in":3599,"id_token":"{}"}}"#,
            id_token("100")
        );
        assert_eq!(parse(200, &body).unwrap().token.secret(), id_token("100"));
    }

    #[test]
    fn errors_are_judged_as_for_any_token_response() {
        assert_eq!(parse(302, "").unwrap_err(), Error::Redirect { status: 302 });
        assert!(matches!(
            parse(400, r#"{"error":"invalid_grant"}"#),
            Err(Error::OAuth(_))
        ));
        assert!(matches!(
            parse(
                200,
                &format!(
                    r#"{{"error":"invalid_grant","id_token":"{}"}}"#,
                    id_token("1")
                )
            ),
            Err(Error::OAuth(_))
        ));
        assert_eq!(
            parse(200, r#"{"id_token":"a","id_token":"b"}"#).unwrap_err(),
            Error::InvalidResponse(InvalidResponse::DuplicateKey {
                key: "id_token".into()
            })
        );
        assert_eq!(
            parse(200, "{}").unwrap_err(),
            Error::InvalidResponse(InvalidResponse::MissingField { field: "id_token" })
        );
        assert!(matches!(
            parse(200, r#"{"id_token":5}"#),
            Err(Error::InvalidResponse(InvalidResponse::InvalidField {
                field: "id_token",
                ..
            }))
        ));
    }

    #[test]
    fn the_id_token_must_be_a_bounded_jwt_with_an_exp() {
        for token in [
            "not-a-jwt".to_owned(),
            id_token("\"soon\""),
            format!("{}.extra", id_token("1")),
            "a".repeat(20_000),
        ] {
            let body = format!(r#"{{"id_token":"{token}"}}"#);
            assert!(
                matches!(
                    parse(200, &body),
                    Err(Error::InvalidResponse(InvalidResponse::InvalidField {
                        field: "id_token",
                        ..
                    }))
                ),
                "{token}"
            );
        }
    }
}
