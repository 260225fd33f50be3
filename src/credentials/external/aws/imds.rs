//! The instance metadata service's answers (untrusted input): the IMDSv2
//! session token, the availability zone, the role name and the role's
//! credentials, each bounded and checked before use.

use serde_json::Value;

use super::sigv4::AwsCredentials;
use crate::error::google_api::google_api_failure;
use crate::error::Error;
use crate::external::SubjectTokenError;
use crate::secret::SecurityToken;
use crate::wire::json::{parse_object, take_str};
use crate::wire::printable::is_printable;

/// The largest IMDS answer read (the credentials document, whose session
/// token is the largest part, is a few KiB).
pub(crate) const IMDS_LIMIT: usize = 16 * 1024;

/// What one IMDS request answered.
#[derive(Debug)]
pub(super) enum ImdsAnswer {
    SessionToken(SecurityToken),
    Region(String),
    Role(String),
    Credentials(AwsCredentials),
}

fn aws(reason: &'static str) -> Error {
    SubjectTokenError::Aws { reason }.into()
}

/// A 200 answer's body as text, within [`IMDS_LIMIT`].
fn text(status: u16, body: &[u8], limit: usize) -> Result<&str, Error> {
    if status != 200 {
        return Err(google_api_failure(status, body, limit));
    }
    if body.len() > limit.min(IMDS_LIMIT) {
        return Err(aws("got an instance metadata answer larger than 16 KiB"));
    }
    std::str::from_utf8(body).map_err(|_| aws("got an instance metadata answer that is not UTF-8"))
}

/// `PUT imdsv2_session_token_url`: the token, sent back as a header.
pub(super) fn session_token(status: u16, body: &[u8], limit: usize) -> Result<ImdsAnswer, Error> {
    let token = text(status, body, limit)?;
    let usable = !token.is_empty() && token.len() <= 1024 && is_printable(token);
    if !usable {
        return Err(aws(
            "got an IMDSv2 session token that is empty, longer than 1 KiB or not printable ASCII",
        ));
    }
    Ok(ImdsAnswer::SessionToken(SecurityToken::new(token)))
}

/// `GET region_url`: an availability zone (`us-east-2b`), whose last
/// character google-auth drops to make the region.
pub(super) fn zone(status: u16, body: &[u8], limit: usize) -> Result<ImdsAnswer, Error> {
    let zone = text(status, body, limit)?;
    let region = zone
        .char_indices()
        .last()
        .map_or("", |(last, _)| &zone[..last]);
    if !is_region(region) {
        return Err(aws(
            "got an availability zone that is not one (expected like us-east-2b); \
             check credential_source.region_url, or set AWS_REGION",
        ));
    }
    Ok(ImdsAnswer::Region(region.to_owned()))
}

/// A region name: lowercase letters, digits and `-`, at most 32.
pub(super) fn is_region(region: &str) -> bool {
    (1..=32).contains(&region.len())
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// `GET url`: the name of the role attached to the instance (IAM's rule:
/// 1 to 64 of letters, digits and `+=,.@_-`), which goes into the next
/// URL's path.
pub(super) fn role(status: u16, body: &[u8], limit: usize) -> Result<ImdsAnswer, Error> {
    let role = text(status, body, limit)?;
    let valid = (1..=64).contains(&role.len())
        && role
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-".contains(&b));
    if !valid {
        return Err(aws(
            "got a role name that is not an IAM role name; check that the instance has a role \
             attached and that credential_source.url is the security-credentials URL",
        ));
    }
    Ok(ImdsAnswer::Role(role.to_owned()))
}

/// `GET url/role`: `{"AccessKeyId", "SecretAccessKey", "Token"}` (the token
/// may be absent, as google-auth allows).
pub(super) fn credentials(status: u16, body: &[u8], limit: usize) -> Result<ImdsAnswer, Error> {
    text(status, body, limit)?;
    let mut map = parse_object(body, IMDS_LIMIT)
        .map_err(|_| aws("got role credentials that are not a JSON object"))?;
    let mut field = |name: &'static str| {
        take_str(&mut map, name).map_err(|_| {
            aws("got role credentials whose AccessKeyId, SecretAccessKey or Token is not a string")
        })
    };
    let (id, secret, token) = (
        field("AccessKeyId")?,
        field("SecretAccessKey")?,
        field("Token")?,
    );
    let wipe = |value: Value| {
        if let Value::String(mut text) = value {
            zeroize::Zeroize::zeroize(&mut text);
        }
    };
    map.into_iter().for_each(|(_, value)| wipe(value));
    match (id, secret) {
        (Some(id), Some(secret)) if !id.is_empty() && !secret.is_empty() => {
            Ok(ImdsAnswer::Credentials(AwsCredentials {
                access_key_id: id,
                secret_access_key: SecurityToken::new(secret),
                session_token: token.filter(|t| !t.is_empty()).map(SecurityToken::new),
            }))
        }
        _ => Err(aws(
            "got role credentials without AccessKeyId or SecretAccessKey",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_zone_letter_is_dropped() {
        let Ok(ImdsAnswer::Region(region)) = zone(200, b"us-east-2b", IMDS_LIMIT) else {
            panic!("a region")
        };
        assert_eq!(region, "us-east-2");
        for bad in [&b""[..], b"b", b"US-EAST-2b", b"us-east-2/b", b"\xffb"] {
            assert!(zone(200, bad, IMDS_LIMIT).is_err(), "{bad:?}");
        }
        assert!(matches!(
            zone(404, b"us-east-2b", IMDS_LIMIT),
            Err(Error::HttpStatus { status: 404 })
        ));
    }

    #[test]
    fn role_names_that_could_leave_the_path_are_refused() {
        assert!(
            matches!(role(200, b"gcp-aws-role", IMDS_LIMIT), Ok(ImdsAnswer::Role(r)) if r == "gcp-aws-role")
        );
        for bad in [&b""[..], b"../x", b"a/b", b"a b", b"a?b", &[b'a'; 65]] {
            assert!(role(200, bad, IMDS_LIMIT).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn credentials_need_a_key_and_its_secret() {
        let good = br#"{"Code":"Success","AccessKeyId":"ASIA","SecretAccessKey":"s","Token":"t"}"#;
        let Ok(ImdsAnswer::Credentials(c)) = credentials(200, good, IMDS_LIMIT) else {
            panic!("credentials")
        };
        assert_eq!(c.access_key_id, "ASIA");
        assert_eq!(c.secret_access_key.secret(), "s");
        assert_eq!(
            c.session_token.map(|t| t.secret().to_owned()).as_deref(),
            Some("t")
        );
        let without_token = br#"{"AccessKeyId":"AKIA","SecretAccessKey":"s"}"#;
        assert!(
            matches!(credentials(200, without_token, IMDS_LIMIT), Ok(ImdsAnswer::Credentials(c)) if c.session_token.is_none())
        );
        for bad in [
            &br#"{"AccessKeyId":"AKIA"}"#[..],
            br#"{"AccessKeyId":"","SecretAccessKey":"s"}"#,
            br#"{"AccessKeyId":1,"SecretAccessKey":"s"}"#,
            br#"[]"#,
            b"not json",
        ] {
            let error = credentials(200, bad, IMDS_LIMIT).unwrap_err();
            assert!(
                matches!(error, Error::SubjectToken(SubjectTokenError::Aws { .. })),
                "{error:?}"
            );
        }
    }

    #[test]
    fn session_tokens_must_fit_a_header() {
        assert!(session_token(200, b"AQAEAK==", IMDS_LIMIT).is_ok());
        for bad in [&b""[..], b"a b", b"a\nb", &[b'a'; 1025]] {
            assert!(session_token(200, bad, IMDS_LIMIT).is_err());
        }
    }

    #[test]
    fn answers_beyond_the_bound_are_refused() {
        let big = vec![b'a'; IMDS_LIMIT + 1];
        assert!(matches!(
            role(200, &big, usize::MAX),
            Err(Error::SubjectToken(SubjectTokenError::Aws { .. }))
        ));
    }
}
