//! Parsing the device authorization response
//! ([RFC 8628 §3.2](https://www.rfc-editor.org/rfc/rfc8628#section-3.2)).

use std::time::Duration;

use serde_json::{Map, Value};
use url::Url;

use crate::error::safe_text::is_unsafe_to_show;
use crate::error::{Error, InvalidResponse};
use crate::secret::DeviceCode;
use crate::wire::answer::{error_response, json_object, required_text, take_text};
use crate::wire::endpoint::is_loopback;
use crate::wire::token_response::MAX_EXPIRES_IN;

/// The polling interval when the server names none (RFC 8628 §3.2).
pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_secs(5);

/// The longest `interval` accepted: 600 s. A longer one is treated as a
/// malformed response; it would leave a user who approved at once waiting
/// for ten minutes or more. Backing off after transport failures also stops
/// doubling here.
pub const MAX_POLL_INTERVAL: Duration = Duration::from_secs(600);

/// The longest `user_code` accepted, in characters: it is shown to the user,
/// who types it (RFC 8628 §6.1 suggests 8 characters; Google's are 15 at most).
pub const MAX_USER_CODE_CHARS: usize = 64;

/// A successful device authorization response: what to show the user and
/// what to poll with.
#[derive(Debug, Clone, PartialEq)]
pub struct DeviceAuthorizationResponse {
    device_code: DeviceCode,
    user_code: String,
    verification_uri: Url,
    verification_uri_complete: Option<Url>,
    expires_in: Duration,
    interval: Duration,
    extra: Map<String, Value>,
}

/// `field` holds something other than a positive whole number of seconds.
const fn not_seconds(field: &'static str) -> InvalidResponse {
    InvalidResponse::InvalidField {
        field,
        reason: "must be a positive whole number of seconds",
    }
}

impl DeviceAuthorizationResponse {
    /// Parses an HTTP response from a device authorization endpoint,
    /// bounding the body at `limit` bytes.
    ///
    /// Success needs HTTP 200 and a JSON object with:
    /// - `device_code` and `user_code`: non-empty strings; the user code at
    ///   most [`MAX_USER_CODE_CHARS`] characters, none a control, invisible
    ///   or bidi formatting character nor U+2028 or U+2029 (it is shown as
    ///   sent, so it must look like what the user has to type);
    /// - `verification_uri`, or Google's `verification_url` (equal if both
    ///   are sent), and the optional `verification_uri_complete`: absolute
    ///   `https` URLs without user name or password (`http` only on a
    ///   loopback host), so that no `javascript:` or `file:` URL is ever shown;
    /// - `expires_in`: a JSON integer of seconds, at least 1;
    /// - `interval`: absent ([`DEFAULT_POLL_INTERVAL`]) or a JSON integer
    ///   from 1 to [`MAX_POLL_INTERVAL`]; `null`, strings and fractions are
    ///   refused.
    ///
    /// Other fields are kept ([`extra`](Self::extra)). Errors are read as
    /// the token endpoint's are ([`TokenResponse::parse`](crate::TokenResponse::parse)): an OAuth error
    /// body on any status (or on 200) is [`Error::OAuth`], 3xx is
    /// [`Error::Redirect`], anything else not 200 is [`Error::HttpStatus`].
    ///
    /// ```
    /// use std::time::Duration;
    /// use oauth2_sansio::device::DeviceAuthorizationResponse;
    ///
    /// let google = br#"{"device_code":"AH-1Ng","user_code":"GQVQ-JKEC",
    ///   "verification_url":"https://www.google.com/device","expires_in":1800,"interval":5}"#;
    /// let response = DeviceAuthorizationResponse::parse(200, google, 1 << 20)?;
    /// assert_eq!(response.user_code(), "GQVQ-JKEC");
    /// assert_eq!(response.verification_uri().as_str(), "https://www.google.com/device");
    /// assert_eq!(response.interval(), Duration::from_secs(5));
    ///
    /// let evil = br#"{"device_code":"d","user_code":"u","verification_uri":"javascript:alert(1)","expires_in":600}"#;
    /// assert!(DeviceAuthorizationResponse::parse(200, evil, 1 << 20).is_err());
    /// # Ok::<(), oauth2_sansio::Error>(())
    /// ```
    pub fn parse(status: u16, body: &[u8], limit: usize) -> Result<Self, Error> {
        let map = json_object(status, body, limit)?;
        if map.get("error").is_some_and(|error| !error.is_null()) {
            return Err(error_response(status, body, limit));
        }
        Ok(Self::from_object(map)?)
    }

    /// Moves each field out of `map`, so the device code exists once, in its
    /// zeroizing type; what is left is `extra`.
    fn from_object(mut map: Map<String, Value>) -> Result<Self, InvalidResponse> {
        let device_code = DeviceCode::new(required_text(&mut map, "device_code")?);
        let user_code = required_text(&mut map, "user_code")?;
        if user_code.chars().count() > MAX_USER_CODE_CHARS
            || user_code.chars().any(is_unsafe_to_show)
        {
            return Err(InvalidResponse::InvalidField {
                field: "user_code",
                reason: "must be at most 64 characters, none of them a control, invisible or bidi character",
            });
        }
        let uri = take_text(&mut map, "verification_uri")?;
        let url = take_text(&mut map, "verification_url")?;
        let verification_uri = match (uri, url) {
            (Some(uri), Some(url)) if uri != url => {
                return Err(InvalidResponse::InvalidField {
                    field: "verification_url",
                    reason: "differs from verification_uri",
                })
            }
            (Some(uri), _) => verification_url(&uri, "verification_uri")?,
            (None, Some(url)) => verification_url(&url, "verification_url")?,
            (None, None) => {
                return Err(InvalidResponse::MissingField {
                    field: "verification_uri",
                })
            }
        };
        let verification_uri_complete = take_text(&mut map, "verification_uri_complete")?
            .map(|uri| verification_url(&uri, "verification_uri_complete"))
            .transpose()?;
        let expires_in = match map.remove("expires_in") {
            None | Some(Value::Null) => {
                return Err(InvalidResponse::MissingField {
                    field: "expires_in",
                })
            }
            Some(value) => seconds(&value, "expires_in", MAX_EXPIRES_IN)?,
        };
        let interval = match map.remove("interval") {
            None => DEFAULT_POLL_INTERVAL,
            Some(value) => seconds(&value, "interval", MAX_POLL_INTERVAL.as_secs())?,
        };
        Ok(Self {
            device_code,
            user_code,
            verification_uri,
            verification_uri_complete,
            expires_in,
            interval,
            extra: map,
        })
    }

    /// The device code the token endpoint is polled with.
    pub fn device_code(&self) -> &DeviceCode {
        &self.device_code
    }

    /// The code the user enters at the verification URI.
    pub fn user_code(&self) -> &str {
        &self.user_code
    }

    /// Where the user enters the code (`verification_uri`, or Google's
    /// `verification_url`).
    pub fn verification_uri(&self) -> &Url {
        &self.verification_uri
    }

    /// A URI that carries the user code itself (for a QR code or a link),
    /// if the server sent one.
    pub fn verification_uri_complete(&self) -> Option<&Url> {
        self.verification_uri_complete.as_ref()
    }

    /// How long the device and user codes are valid, counted from when the
    /// request was sent.
    pub fn expires_in(&self) -> Duration {
        self.expires_in
    }

    /// The polling interval: the server's, or [`DEFAULT_POLL_INTERVAL`].
    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// Every other field of the response, as sent (Microsoft's `message`, ...).
    pub fn extra(&self) -> &Map<String, Value> {
        &self.extra
    }

    /// The device code and the interval, moved out for the poller.
    pub(super) fn into_poll_parts(self) -> (DeviceCode, Duration) {
        (self.device_code, self.interval)
    }
}

/// A JSON integer from 1 to `max` seconds.
fn seconds(value: &Value, field: &'static str, max: u64) -> Result<Duration, InvalidResponse> {
    let secs = value
        .as_u64()
        .filter(|secs| *secs > 0)
        .ok_or(not_seconds(field))?;
    if secs > max {
        return Err(InvalidResponse::InvalidField {
            field,
            reason: "is too large",
        });
    }
    Ok(Duration::from_secs(secs))
}

/// An absolute URL the user may be sent to: https, or http on a loopback
/// host, with a host and no credentials.
fn verification_url(value: &str, field: &'static str) -> Result<Url, InvalidResponse> {
    let invalid = InvalidResponse::InvalidField {
        field,
        reason: "must be an https URL without user name or password (http only on a loopback host)",
    };
    let url = Url::parse(value).map_err(|_| invalid.clone())?;
    let secure = match url.scheme() {
        "https" => url.host().is_some(),
        "http" => is_loopback(&url),
        _ => false,
    };
    if !secure || !url.username().is_empty() || url.password().is_some() {
        return Err(invalid);
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::expect_invalid as invalid;
    use crate::error::ErrorCode;

    const LIMIT: usize = 1 << 20;
    const RFC_EXAMPLE: &str = r#"{
        "device_code": "GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS",
        "user_code": "WDJB-MJHT",
        "verification_uri": "https://example.com/device",
        "verification_uri_complete": "https://example.com/device?user_code=WDJB-MJHT",
        "expires_in": 1800,
        "interval": 5
    }"#;

    fn parse(body: &str) -> Result<DeviceAuthorizationResponse, Error> {
        DeviceAuthorizationResponse::parse(200, body.as_bytes(), LIMIT)
    }

    /// The RFC example with `field` set to the JSON `value` (or removed when
    /// `value` is `None`).
    fn with(field: &str, value: Option<&str>) -> Result<DeviceAuthorizationResponse, Error> {
        let mut map: Map<String, Value> = serde_json::from_str(RFC_EXAMPLE).unwrap();
        match value {
            Some(v) => map.insert(field.to_owned(), serde_json::from_str(v).unwrap()),
            None => map.remove(field),
        };
        parse(&serde_json::to_string(&map).unwrap())
    }

    #[test]
    fn rfc8628_3_2_example() {
        let r = parse(RFC_EXAMPLE).unwrap();
        assert_eq!(
            r.device_code().secret(),
            "GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS"
        );
        assert_eq!(r.user_code(), "WDJB-MJHT");
        assert_eq!(r.verification_uri().as_str(), "https://example.com/device");
        assert_eq!(
            r.verification_uri_complete().unwrap().as_str(),
            "https://example.com/device?user_code=WDJB-MJHT"
        );
        assert_eq!(r.expires_in(), Duration::from_secs(1800));
        assert_eq!(r.interval(), Duration::from_secs(5));
        assert!(r.extra().is_empty());
        assert!(!format!("{r:?}").contains("GmRhmhcx"));
    }

    #[test]
    fn interval_defaults_to_five_seconds_only_when_absent() {
        let r = with("interval", None).unwrap();
        assert_eq!(r.interval(), DEFAULT_POLL_INTERVAL);
        assert_eq!(DEFAULT_POLL_INTERVAL, Duration::from_secs(5));
        for bad in [
            "null", "0", "-5", "\"5\"", "5.0", "2.5", "1e3", "true", "[]", "{}",
        ] {
            assert_eq!(
                invalid(with("interval", Some(bad))),
                not_seconds("interval"),
                "{bad}"
            );
        }
        assert_eq!(
            with("interval", Some("1")).unwrap().interval(),
            Duration::from_secs(1)
        );
        assert_eq!(
            with("interval", Some("600")).unwrap().interval(),
            MAX_POLL_INTERVAL
        );
        for huge in ["601", "18446744073709551615"] {
            assert!(with("interval", Some(huge)).is_err(), "{huge}");
        }
        let overflowing = RFC_EXAMPLE.replace(r#""interval": 5"#, r#""interval": 1e309"#);
        assert!(parse(&overflowing).is_err());
        assert_eq!(
            invalid(with("interval", Some("601"))),
            InvalidResponse::InvalidField {
                field: "interval",
                reason: "is too large"
            }
        );
        assert_eq!(MAX_POLL_INTERVAL, Duration::from_secs(600));
    }

    #[test]
    fn expires_in_is_a_required_positive_integer() {
        for missing in [None, Some("null")] {
            assert_eq!(
                invalid(with("expires_in", missing)),
                InvalidResponse::MissingField {
                    field: "expires_in"
                }
            );
        }
        for bad in ["0", "-1", "\"1800\"", "1800.5"] {
            assert_eq!(
                invalid(with("expires_in", Some(bad))),
                not_seconds("expires_in"),
                "{bad}"
            );
        }
        assert!(matches!(
            invalid(with("expires_in", Some("4294967296"))),
            InvalidResponse::InvalidField {
                field: "expires_in",
                reason: "is too large"
            }
        ));
        assert_eq!(
            with("expires_in", Some("1")).unwrap().expires_in(),
            Duration::from_secs(1)
        );
    }

    #[test]
    fn google_verification_url_is_accepted() {
        let google = r#"{"device_code":"AH-1Ng2","user_code":"GQVQ-JKEC","verification_url":"https://www.google.com/device","expires_in":1800,"interval":5}"#;
        let r = parse(google).unwrap();
        assert_eq!(
            r.verification_uri().as_str(),
            "https://www.google.com/device"
        );
        assert!(r.verification_uri_complete().is_none());
        let same = with("verification_url", Some(r#""https://example.com/device""#)).unwrap();
        assert_eq!(
            same.verification_uri().as_str(),
            "https://example.com/device"
        );
        assert_eq!(
            invalid(with(
                "verification_url",
                Some(r#""https://evil.example/device""#)
            )),
            InvalidResponse::InvalidField {
                field: "verification_url",
                reason: "differs from verification_uri"
            }
        );
        assert_eq!(
            invalid(with("verification_uri", None)),
            InvalidResponse::MissingField {
                field: "verification_uri"
            }
        );
    }

    #[test]
    fn only_https_or_loopback_http_verification_uris() {
        for bad in [
            "javascript:alert(1)",
            "file:///etc/passwd",
            "data:text/html,<script>",
            "http://example.com/device",
            "http://localhost.evil.example/device",
            "https://accounts.google.com@evil.example/device",
            "https://user:pass@example.com/device",
            "ftp://example.com/device",
            "/device",
            "",
            "https://",
        ] {
            for field in ["verification_uri", "verification_uri_complete"] {
                let value = serde_json::to_string(bad).unwrap();
                let result = with(field, Some(&value));
                if bad.is_empty() && field == "verification_uri_complete" {
                    // Empty counts as absent, and this one is optional.
                    assert!(result.unwrap().verification_uri_complete().is_none());
                    continue;
                }
                assert!(result.is_err(), "{field}: {bad}");
            }
        }
        for good in [
            "https://example.com/device",
            "http://127.0.0.1:8080/device",
            "http://[::1]/device",
            "http://localhost:3000/device",
        ] {
            let value = serde_json::to_string(good).unwrap();
            assert_eq!(
                with("verification_uri", Some(&value))
                    .unwrap()
                    .verification_uri()
                    .as_str(),
                good
            );
        }
    }

    #[test]
    fn codes_are_required_and_the_user_code_is_displayable() {
        for field in ["device_code", "user_code"] {
            for missing in [None, Some("null"), Some("\"\"")] {
                assert!(
                    matches!(invalid(with(field, missing)), InvalidResponse::MissingField { field: f } if f == field),
                    "{field} {missing:?}"
                );
            }
            assert!(matches!(
                invalid(with(field, Some("5"))),
                InvalidResponse::InvalidField { .. }
            ));
        }
        for bad in [
            "\"WDJB\\nMJHT\"",
            "\"\\u001b[31mRED\"",
            "\"WDJB\\u200bMJHT\"",
            "\"WDJB-\\u202eTHJM\"",
            "\"WDJB\\u2028MJHT\"",
            &format!("\"{}\"", "A".repeat(65)),
        ] {
            assert!(
                matches!(
                    invalid(with("user_code", Some(bad))),
                    InvalidResponse::InvalidField {
                        field: "user_code",
                        ..
                    }
                ),
                "{bad}"
            );
        }
        let longest = format!("\"{}\"", "é".repeat(64));
        assert_eq!(
            with("user_code", Some(&longest))
                .unwrap()
                .user_code()
                .chars()
                .count(),
            64
        );
    }

    #[test]
    fn errors_are_read_as_token_endpoint_errors() {
        for status in [400, 401, 403, 428, 200] {
            let body = br#"{"error":"invalid_client","error_description":"no\nsuch client"}"#;
            match DeviceAuthorizationResponse::parse(status, body, LIMIT) {
                Err(Error::OAuth(e)) => {
                    assert_eq!(*e.code(), ErrorCode::InvalidClient);
                    assert_eq!(e.status(), Some(status));
                    assert_eq!(e.description(), Some("nosuch client"));
                }
                other => panic!("{status}: {other:?}"),
            }
        }
        let parse_status =
            |status, body: &[u8]| DeviceAuthorizationResponse::parse(status, body, LIMIT);
        crate::wire::answer::assert_status_rules(parse_status, RFC_EXAMPLE);
        assert!(matches!(
            invalid(parse_status(200, br#"{"error":5}"#)),
            InvalidResponse::InvalidField { field: "error", .. }
        ));
        assert_eq!(
            invalid(parse(r#"{"user_code":"a","user_code":"b"}"#)),
            InvalidResponse::DuplicateKey {
                key: "user_code".into()
            }
        );
        let null_error = with("error", Some("null")).unwrap();
        assert!(null_error.extra().contains_key("error"));
    }

    #[test]
    fn body_bound_applies_before_parsing() {
        assert_eq!(
            DeviceAuthorizationResponse::parse(200, RFC_EXAMPLE.as_bytes(), 64).unwrap_err(),
            Error::InvalidResponse(InvalidResponse::BodyTooLarge { limit: 64 })
        );
        assert_eq!(
            DeviceAuthorizationResponse::parse(400, RFC_EXAMPLE.as_bytes(), 64).unwrap_err(),
            Error::InvalidResponse(InvalidResponse::BodyTooLarge { limit: 64 })
        );
    }

    #[test]
    fn unknown_fields_are_kept() {
        let r = with("message", Some(r#""To sign in, use a web browser""#)).unwrap();
        assert_eq!(r.extra()["message"], "To sign in, use a web browser");
        assert_eq!(r.extra().len(), 1);
    }
}
