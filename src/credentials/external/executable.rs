//! What an `executable` source's command prints (or leaves in its
//! `output_file`), read: google-auth's pluggable-auth response, version 1.

use std::time::{Duration, SystemTime};

use serde_json::{Map, Value};

use super::error::SubjectTokenError;
use super::supplier::SUBJECT_TOKEN_LIMIT;
use crate::secret::SecurityToken;
use crate::wire::json::{parse_object, take_str};

/// The largest output read: a subject token and the fields around it.
pub const EXECUTABLE_OUTPUT_LIMIT: usize = SUBJECT_TOKEN_LIMIT + 16 * 1024;

/// The longest `code` or `message` kept from a failure response.
const FAILURE_TEXT: usize = 256;

/// A subject token an executable printed.
#[derive(Debug, Clone)]
pub struct ExecutableToken {
    /// The `id_token` (for the `jwt` and `id_token` types) or
    /// `saml_response` (for `saml2`).
    pub token: SecurityToken,
    /// `expiration_time`, when given.
    pub expires_at: Option<SystemTime>,
}

/// Reads an executable's output: `{"version": 1, "success": true,
/// "token_type": ..., "id_token" | "saml_response": ..., "expiration_time":
/// unix seconds}`, or `{"version": 1, "success": false, "code": ...,
/// "message": ...}`; at most [`EXECUTABLE_OUTPUT_LIMIT`] bytes. A version
/// above 1, a token expired at `now` or a failure response is an error.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use oauth2_sansio::external::executable_output;
///
/// let out = br#"{"version":1,"success":true,"token_type":"urn:ietf:params:oauth:token-type:id_token",
///   "id_token":"eyJ.a.b","expiration_time":2000000000}"#;
/// let token = executable_output(out, SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000))?;
/// assert_eq!(token.token.secret(), "eyJ.a.b");
/// # Ok::<(), oauth2_sansio::external::SubjectTokenError>(())
/// ```
pub fn executable_output(
    output: &[u8],
    now: SystemTime,
) -> Result<ExecutableToken, SubjectTokenError> {
    let malformed = |reason| SubjectTokenError::Executable { reason };
    if output.len() > EXECUTABLE_OUTPUT_LIMIT {
        return Err(malformed("printed more than 272 KiB"));
    }
    let mut map = parse_object(output, EXECUTABLE_OUTPUT_LIMIT)
        .map_err(|_| malformed("printed something that is not a JSON object"))?;
    let result = read(&mut map, now);
    for (_, value) in map {
        if let Value::String(mut text) = value {
            zeroize::Zeroize::zeroize(&mut text);
        }
    }
    result
}

fn read(
    map: &mut Map<String, Value>,
    now: SystemTime,
) -> Result<ExecutableToken, SubjectTokenError> {
    let malformed = |reason| SubjectTokenError::Executable { reason };
    match map.get("version").map(Value::as_i64) {
        None => return Err(malformed("printed no version")),
        Some(None) => return Err(malformed("printed a version that is not a whole number")),
        Some(Some(version)) if version > 1 => {
            return Err(malformed(
                "printed a version above 1, which this crate does not read",
            ))
        }
        Some(Some(_)) => {}
    }
    match map.get("success") {
        Some(Value::Bool(true)) => {}
        Some(Value::Bool(false)) => {
            let mut text = |name| match map.remove(name) {
                Some(Value::String(text)) => {
                    let kept: String = text.chars().take(FAILURE_TEXT).collect();
                    Ok(crate::error::sanitize(&kept))
                }
                _ => Err(malformed("failed without a code and a message")),
            };
            let (code, message) = (text("code")?, text("message")?);
            return Err(SubjectTokenError::ExecutableFailed { code, message });
        }
        _ => return Err(malformed("printed no success: true or false")),
    }
    let expires_at = match map.get("expiration_time") {
        None | Some(Value::Null) => None,
        Some(value) => {
            let seconds = value.as_u64().ok_or(malformed(
                "printed an expiration_time that is not unix seconds",
            ))?;
            let at = SystemTime::UNIX_EPOCH
                .checked_add(Duration::from_secs(seconds))
                .ok_or(malformed("printed an expiration_time too far away"))?;
            if at < now {
                return Err(malformed("printed a token that has expired"));
            }
            Some(at)
        }
    };
    let field = match map.get("token_type").and_then(Value::as_str) {
        Some(
            "urn:ietf:params:oauth:token-type:jwt" | "urn:ietf:params:oauth:token-type:id_token",
        ) => "id_token",
        Some("urn:ietf:params:oauth:token-type:saml2") => "saml_response",
        Some(_) => {
            return Err(malformed(
                "printed a token_type other than jwt, id_token or saml2",
            ))
        }
        None => return Err(malformed("printed no token_type")),
    };
    let token = take_str(map, field)
        .ok()
        .flatten()
        .filter(|token| !token.is_empty())
        .ok_or(malformed(
            "printed no id_token or saml_response for its token_type",
        ))?;
    Ok(ExecutableToken {
        token: SecurityToken::new(token),
        expires_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(seconds)
    }

    fn read(json: &str) -> Result<ExecutableToken, SubjectTokenError> {
        executable_output(json.as_bytes(), at(1_700_000_000))
    }

    #[test]
    fn oidc_and_saml_tokens_are_read_by_their_type() {
        let oidc = read(r#"{"version":1,"success":true,"token_type":"urn:ietf:params:oauth:token-type:jwt","id_token":"eyJ","expiration_time":1700000100}"#).unwrap();
        assert_eq!(oidc.token.secret(), "eyJ");
        assert_eq!(oidc.expires_at, Some(at(1_700_000_100)));
        let saml = read(r#"{"version":1,"success":true,"token_type":"urn:ietf:params:oauth:token-type:saml2","saml_response":"PHNhbWw"}"#).unwrap();
        assert_eq!(saml.token.secret(), "PHNhbWw");
        assert_eq!(saml.expires_at, None);
    }

    #[test]
    fn failures_versions_and_expiry_are_typed_errors() {
        let failed = read(
            r#"{"version":1,"success":false,"code":"401","message":"Caller not\nauthorized"}"#,
        );
        assert_eq!(
            failed.unwrap_err(),
            SubjectTokenError::ExecutableFailed {
                code: "401".into(),
                message: "Caller notauthorized".into()
            }
        );
        for bad in [
            r#"{"version":2,"success":true,"token_type":"urn:ietf:params:oauth:token-type:jwt","id_token":"a"}"#,
            r#"{"success":true,"token_type":"urn:ietf:params:oauth:token-type:jwt","id_token":"a"}"#,
            r#"{"version":1,"token_type":"urn:ietf:params:oauth:token-type:jwt","id_token":"a"}"#,
            r#"{"version":1,"success":false}"#,
            r#"{"version":1,"success":true,"token_type":"urn:ietf:params:oauth:token-type:jwt","id_token":"a","expiration_time":1699999999}"#,
            r#"{"version":1,"success":true,"token_type":"urn:ietf:params:oauth:token-type:saml2","id_token":"a"}"#,
            r#"{"version":1,"success":true,"token_type":"urn:ietf:params:oauth:token-type:access_token","id_token":"a"}"#,
            r#"{"version":1,"success":true,"token_type":"urn:ietf:params:oauth:token-type:jwt","id_token":""}"#,
            "not json",
        ] {
            assert!(
                matches!(read(bad), Err(SubjectTokenError::Executable { .. })),
                "{bad}"
            );
        }
        let big = vec![b' '; EXECUTABLE_OUTPUT_LIMIT + 1];
        assert!(executable_output(&big, at(0)).is_err());
    }
}
