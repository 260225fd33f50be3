//! The IAM Service Account Credentials API's `generateAccessToken`: where
//! it is, what is sent, what comes back.

use std::time::{Duration, SystemTime};

use serde_json::{json, Value};
use url::Url;

use crate::credentials::service_account::IdTokenGrant;
use crate::error::config::ConfigError;
use crate::error::google_api::google_api_failure;
use crate::error::{Error, InvalidResponse};
use crate::secret::AccessToken;
use crate::wire::answer::{json_object_or, required_text};
use crate::wire::endpoint::{is_loopback, parse_endpoint};
use crate::wire::time::parse_utc_time;

/// The scope source credentials need to call the IAM Credentials API;
/// scoped sources (service accounts, the metadata server) are given it, as
/// google-auth does.
pub const IAM_SCOPE: &str = "https://www.googleapis.com/auth/iam";

/// The longest lifetime the API grants without an organization policy
/// allowing more (12 hours with it).
pub const MAX_LIFETIME: Duration = Duration::from_secs(3600);

/// The suffix of the `generateAccessToken` method in a resource URL.
const GENERATE_ACCESS_TOKEN: &str = ":generateAccessToken";

/// The `generateAccessToken` URL of `principal` in `universe_domain`.
pub(crate) fn generate_access_token_url(principal: &str, universe_domain: &str) -> String {
    format!(
        "https://iamcredentials.{universe_domain}/v1/projects/-/serviceAccounts/\
         {principal}{GENERATE_ACCESS_TOKEN}"
    )
}

/// A `generateAccessToken` URL, checked, with the principal it names (the
/// text between the last `/` and `:generateAccessToken`, as google-auth
/// takes it). `https`, or `http` on a loopback host; with `trusted_hosts`,
/// the host must also be one of Google's (`*.googleapis.com`, or
/// `*.UNIVERSE` for another universe domain) or loopback: a credentials
/// file must not send the source's token anywhere else.
pub(crate) fn impersonation_url(
    value: &str,
    trusted_hosts: Option<&str>,
) -> Result<(Url, String), ConfigError> {
    const FIELD: &str = "service_account_impersonation_url";
    let url = parse_endpoint(value, FIELD, false)?;
    let invalid = ConfigError::InvalidUrl { field: FIELD };
    if url.query().is_some() {
        return Err(invalid);
    }
    let principal = url
        .path()
        .rsplit_once('/')
        .and_then(|(_, last)| last.strip_suffix(GENERATE_ACCESS_TOKEN))
        .filter(|p| !p.is_empty() && !p.contains(':'))
        .ok_or(invalid.clone())?;
    let principal = percent_decoded(principal).ok_or(invalid.clone())?;
    if let Some(universe) = trusted_hosts {
        let host = url.host_str().unwrap_or_default();
        let google = |domain: &str| host.strip_suffix(domain).is_some_and(|h| h.ends_with('.'));
        if !(is_loopback(&url) || google("googleapis.com") || google(universe)) {
            return Err(invalid);
        }
    }
    Ok((url, principal))
}

fn percent_decoded(text: &str) -> Option<String> {
    let decoded = percent_encoding::percent_decode_str(text)
        .decode_utf8()
        .ok()?;
    let usable =
        !decoded.is_empty() && !decoded.chars().any(|c| c.is_control() || "/:".contains(c));
    usable.then(|| decoded.into_owned())
}

/// A delegate as the API names it: `projects/-/serviceAccounts/EMAIL`
/// (a bare email is given the prefix; google-auth sends it as written).
pub(crate) fn delegate_name(delegate: &str) -> String {
    if delegate.starts_with("projects/") {
        delegate.to_owned()
    } else {
        format!("projects/-/serviceAccounts/{delegate}")
    }
}

/// `delegates` as the API names them, when there are some.
pub(crate) fn with_delegates(mut body: Value, delegates: &[String]) -> Vec<u8> {
    if !delegates.is_empty() {
        let names: Vec<String> = delegates.iter().map(|d| delegate_name(d)).collect();
        body["delegates"] = Value::from(names);
    }
    body.to_string().into_bytes()
}

/// The URL of IAM's `method` (`generateIdToken`, `signBlob`) for the
/// principal of a `generateAccessToken` URL, on the same host.
pub(crate) fn method_url(access_token_url: &Url, method: &str) -> Url {
    let mut url = access_token_url.clone();
    let path = url
        .path()
        .replace(GENERATE_ACCESS_TOKEN, &format!(":{method}"));
    url.set_path(&path);
    url
}

/// Parses `generateIdToken`'s answer: on HTTP 200 `{"token": JWT}`, whose
/// `exp` (read without verifying) is its expiry.
pub(crate) fn parse_generated_id_token(
    status: u16,
    body: &[u8],
    limit: usize,
) -> Result<IdTokenGrant, Error> {
    let token = required_text(
        &mut json_object_or(status, body, limit, google_api_failure)?,
        "token",
    )?;
    IdTokenGrant::from_token(AccessToken::new(token))
}

/// The JSON body of `generateAccessToken` (the delegates are added by the
/// caller).
pub(crate) fn generate_access_token_body(scopes: &[String], lifetime: Duration) -> Value {
    json!({"scope": scopes, "lifetime": format!("{}s", lifetime.as_secs())})
}

/// The answer of `generateAccessToken`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedAccessToken {
    /// `accessToken`.
    pub access_token: AccessToken,
    /// `expireTime` (RFC 3339).
    pub expire_time: SystemTime,
}

impl GeneratedAccessToken {
    /// Parses an answer: on HTTP 200 `{"accessToken", "expireTime"}`; any
    /// other status is the API's error ([`Error::GoogleApi`]), a redirect
    /// or an HTTP status error.
    pub fn parse(status: u16, body: &[u8], limit: usize) -> Result<Self, Error> {
        let mut map = json_object_or(status, body, limit, google_api_failure)?;
        let access_token = AccessToken::new(required_text(&mut map, "accessToken")?);
        let expire_time = parse_utc_time(&required_text(&mut map, "expireTime")?).ok_or(
            InvalidResponse::InvalidField {
                field: "expireTime",
                reason: "is not an RFC 3339 time",
            },
        )?;
        Ok(Self {
            access_token,
            expire_time,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::at;

    #[test]
    fn the_principal_comes_from_the_url_and_foreign_hosts_are_refused() {
        let url = "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/target@p.iam.gserviceaccount.com:generateAccessToken";
        let (parsed, principal) = impersonation_url(url, Some("googleapis.com")).unwrap();
        assert_eq!(parsed.as_str(), url);
        assert_eq!(principal, "target@p.iam.gserviceaccount.com");
        assert_eq!(generate_access_token_url(&principal, "googleapis.com"), url);
        let regional = "https://europe-west1-iamcredentials.p.googleapis.com/v1/projects/-/serviceAccounts/t@p.iam.gserviceaccount.com:generateAccessToken";
        assert!(impersonation_url(regional, Some("googleapis.com")).is_ok());
        let loopback =
            "http://127.0.0.1:8080/v1/projects/-/serviceAccounts/t@p:generateAccessToken";
        assert!(impersonation_url(loopback, Some("googleapis.com")).is_ok());
        for bad in [
            "https://evil.example/v1/projects/-/serviceAccounts/t@p:generateAccessToken",
            "https://googleapis.com.evil.example/v1/projects/-/serviceAccounts/t@p:generateAccessToken",
            "https://evilgoogleapis.com/v1/projects/-/serviceAccounts/t@p:generateAccessToken",
            "http://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/t@p:generateAccessToken",
            "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/t@p:generateIdToken",
            "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/:generateAccessToken",
            "https://iamcredentials.googleapis.com/v1/t@p:generateAccessToken?x=1",
        ] {
            assert!(impersonation_url(bad, Some("googleapis.com")).is_err(), "{bad}");
        }
        for unusable in ["%2F", "%00x", "%3A", "%ff"] {
            let url = format!("https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/{unusable}:generateAccessToken");
            assert!(impersonation_url(&url, None).is_err(), "{url}");
        }
        let (_, ampersand) = impersonation_url(
            "https://iamcredentials.googleapis.com/v1/&p%40x:generateAccessToken",
            None,
        )
        .unwrap();
        assert_eq!(ampersand, "&p@x", "not read as a form");
        let elsewhere = "https://iam.example/v1/projects/-/serviceAccounts/t@p:generateAccessToken";
        assert!(impersonation_url(elsewhere, None).is_ok());
        assert!(impersonation_url(elsewhere, Some("example")).is_ok());
    }

    #[test]
    fn the_body_is_google_auths_with_delegates_named_as_the_api_documents() {
        let body = with_delegates(
            generate_access_token_body(
                &["https://www.googleapis.com/auth/cloud-platform".into()],
                Duration::from_secs(600),
            ),
            &[
                "d1@p.iam.gserviceaccount.com".into(),
                "projects/-/serviceAccounts/d2@p".into(),
            ],
        );
        let body: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(
            body,
            json!({
                "delegates": ["projects/-/serviceAccounts/d1@p.iam.gserviceaccount.com", "projects/-/serviceAccounts/d2@p"],
                "scope": ["https://www.googleapis.com/auth/cloud-platform"],
                "lifetime": "600s",
            })
        );
        let bare = with_delegates(generate_access_token_body(&[], MAX_LIFETIME), &[]);
        assert_eq!(
            String::from_utf8(bare).unwrap(),
            r#"{"lifetime":"3600s","scope":[]}"#
        );
    }

    #[test]
    fn the_answer_is_read_strictly() {
        let ok = br#"{"accessToken":"ya29.imp","expireTime":"1970-01-01T01:00:00Z"}"#;
        let token = GeneratedAccessToken::parse(200, ok, 1024).unwrap();
        assert_eq!(token.access_token.secret(), "ya29.imp");
        assert_eq!(token.expire_time, at(3600));
        let fractional = br#"{"accessToken":"a","expireTime":"1970-01-01T01:00:00.250Z"}"#;
        assert_eq!(
            GeneratedAccessToken::parse(200, fractional, 1024)
                .unwrap()
                .expire_time,
            at(3600)
        );
        for (body, field) in [
            (
                &br#"{"expireTime":"1970-01-01T01:00:00Z"}"#[..],
                "accessToken",
            ),
            (br#"{"accessToken":"a"}"#, "expireTime"),
        ] {
            assert_eq!(
                GeneratedAccessToken::parse(200, body, 1024).unwrap_err(),
                Error::InvalidResponse(InvalidResponse::MissingField { field })
            );
        }
        assert!(matches!(
            GeneratedAccessToken::parse(
                200,
                br#"{"accessToken":"a","expireTime":"tomorrow"}"#,
                1024
            ),
            Err(Error::InvalidResponse(InvalidResponse::InvalidField {
                field: "expireTime",
                ..
            }))
        ));
        assert!(matches!(
            GeneratedAccessToken::parse(
                200,
                br#"{"accessToken":1,"expireTime":"1970-01-01T01:00:00Z"}"#,
                1024
            ),
            Err(Error::InvalidResponse(InvalidResponse::InvalidField {
                field: "accessToken",
                ..
            }))
        ));
        assert!(matches!(
            GeneratedAccessToken::parse(403, br#"{"error":{"code":403,"status":"PERMISSION_DENIED"}}"#, 1024),
            Err(Error::GoogleApi(e)) if e.status() == Some("PERMISSION_DENIED")
        ));
    }
}
