//! Errors of Google's JSON APIs (IAM Credentials, STS): the
//! `{"error": {"code", "message", "status"}}` body of AIP-193.

use std::fmt;

use serde_json::Value;

use crate::error::{retryable_status, sanitize, Error};
use crate::wire::json::parse_object;

/// A Google API refused a request: its HTTP status, the canonical status
/// name (`PERMISSION_DENIED`, `NOT_FOUND`, ...) and its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoogleApiError {
    http_status: u16,
    status: Option<String>,
    message: Option<String>,
}

impl GoogleApiError {
    /// The error an answer with `http_status` and `body` carries, if the
    /// body is Google's JSON error.
    pub(crate) fn parse(http_status: u16, body: &[u8], limit: usize) -> Option<Self> {
        let map = parse_object(body, limit).ok()?;
        let Value::Object(error) = map.get("error")? else {
            return None;
        };
        let text = |field| match error.get(field) {
            Some(Value::String(s)) => Some(sanitize(s)).filter(|s| !s.is_empty()),
            _ => None,
        };
        Some(Self {
            http_status,
            status: text("status"),
            message: text("message"),
        })
    }

    /// The HTTP status of the answer.
    pub fn http_status(&self) -> u16 {
        self.http_status
    }

    /// The canonical status name (`PERMISSION_DENIED`, `NOT_FOUND`,
    /// `UNAUTHENTICATED`, ...), control, invisible and bidi characters
    /// removed.
    pub fn status(&self) -> Option<&str> {
        self.status.as_deref()
    }

    /// The server's message, control, invisible and bidi characters removed.
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// Whether trying again later may help (HTTP 408, 429, 5xx).
    pub fn is_retryable(&self) -> bool {
        retryable_status(self.http_status)
    }

    fn hint(&self) -> &'static str {
        match (self.status(), self.http_status) {
            (Some("PERMISSION_DENIED"), _) | (None, 403) => {
                "the caller needs the permission it names (for impersonation: \
                 roles/iam.serviceAccountTokenCreator on the target service account, \
                 and the IAM Service Account Credentials API enabled)"
            }
            (Some("NOT_FOUND"), _) | (None, 404) => {
                "check the service account's email and the project"
            }
            (Some("UNAUTHENTICATED"), _) | (None, 401) => {
                "the caller's own token was refused; renew or replace the source credentials"
            }
            _ if self.is_retryable() => "try again later",
            _ => "check the request's parameters",
        }
    }
}

impl fmt::Display for GoogleApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the Google API refused")?;
        if let Some(status) = &self.status {
            write!(f, ": {status}")?;
        }
        if let Some(message) = &self.message {
            write!(f, " ({message})")?;
        }
        write!(f, " [HTTP {}]; {}", self.http_status, self.hint())
    }
}

impl std::error::Error for GoogleApiError {}

/// The error a non-200 answer of a Google JSON API means: a redirect, the
/// API's own error, or a bare HTTP status.
pub(crate) fn google_api_failure(status: u16, body: &[u8], limit: usize) -> Error {
    if (300..400).contains(&status) {
        return Error::Redirect { status };
    }
    match GoogleApiError::parse(status, body, limit) {
        Some(error) => Error::GoogleApi(error),
        None => Error::HttpStatus { status },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_api_error_is_read_and_cleaned() {
        let body = br#"{"error":{"code":403,"message":"Permission 'iam.serviceAccounts.getAccessToken' denied\u202e","status":"PERMISSION_DENIED"}}"#;
        let Error::GoogleApi(error) = google_api_failure(403, body, 1024) else {
            panic!("a Google API error")
        };
        assert_eq!(error.status(), Some("PERMISSION_DENIED"));
        assert_eq!(
            error.message(),
            Some("Permission 'iam.serviceAccounts.getAccessToken' denied")
        );
        assert!(!error.is_retryable());
        let shown = error.to_string();
        assert!(shown.contains("PERMISSION_DENIED"), "{shown}");
        assert!(shown.contains("serviceAccountTokenCreator"), "{shown}");
    }

    #[test]
    fn other_answers_are_statuses_or_redirects() {
        assert_eq!(
            google_api_failure(302, b"{}", 1024),
            Error::Redirect { status: 302 }
        );
        assert_eq!(
            google_api_failure(503, b"<html>", 1024),
            Error::HttpStatus { status: 503 }
        );
        assert_eq!(
            google_api_failure(400, br#"{"error":"invalid_grant"}"#, 1024),
            Error::HttpStatus { status: 400 }
        );
        let Error::GoogleApi(busy) = google_api_failure(503, br#"{"error":{}}"#, 1024) else {
            panic!("a Google API error")
        };
        assert!(busy.is_retryable());
    }
}
