//! Reading an endpoint's answer: the error a non-success answer means, and
//! the JSON object of a successful one.

use serde_json::{Map, Value};

use crate::error::{Error, InvalidResponse};
use crate::wire::json::{parse_object, take_str, JsonProblem};
use crate::wire::token_response::TokenResponse;

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
    json_object_or(status, body, limit, error_response)
}

/// The same, with `failure` saying what another status means (Google's
/// JSON APIs answer errors in their own form).
pub(crate) fn json_object_or(
    status: u16,
    body: &[u8],
    limit: usize,
    failure: fn(u16, &[u8], usize) -> Error,
) -> Result<Map<String, Value>, Error> {
    if status != 200 {
        return Err(failure(status, body, limit));
    }
    parse_object(body, limit).map_err(|problem| {
        match problem {
            JsonProblem::TooLarge { limit } => InvalidResponse::BodyTooLarge { limit },
            JsonProblem::DuplicateKey(key) => InvalidResponse::DuplicateKey { key },
            JsonProblem::NotJson { .. } | JsonProblem::NotObject => {
                InvalidResponse::NotJsonObject { status }
            }
        }
        .into()
    })
}

/// A string field moved out of an answer (absent, `null` and `""` are
/// `None`); another JSON type is an invalid field.
#[inline]
pub(crate) fn take_text(
    map: &mut Map<String, Value>,
    field: &'static str,
) -> Result<Option<String>, InvalidResponse> {
    take_str(map, field).map_err(|reason| InvalidResponse::InvalidField { field, reason })
}

/// A string field the answer must have, moved out of it.
pub(crate) fn required_text(
    map: &mut Map<String, Value>,
    field: &'static str,
) -> Result<String, InvalidResponse> {
    take_text(map, field)?.ok_or(InvalidResponse::MissingField { field })
}

/// Asserts the status rules every parser of an endpoint's JSON answer
/// follows: 3xx is a redirect, other non-200 statuses (even 201 with a
/// good body) are HTTP errors unless the body is an OAuth error, and a 200
/// body must be a JSON object. `success` is a body `parse` accepts on 200.
#[cfg(test)]
pub(crate) fn assert_status_rules<T: std::fmt::Debug>(
    parse: impl Fn(u16, &[u8]) -> Result<T, Error>,
    success: &str,
) {
    let fails = |status, body: &str| match parse(status, body.as_bytes()) {
        Err(e) => e,
        Ok(parsed) => panic!("HTTP {status} {body:?} was accepted: {parsed:?}"),
    };
    assert!(parse(200, success.as_bytes()).is_ok(), "{success}");
    assert_eq!(fails(302, success), Error::Redirect { status: 302 });
    assert_eq!(fails(502, "<html>"), Error::HttpStatus { status: 502 });
    assert_eq!(fails(201, success), Error::HttpStatus { status: 201 });
    for body in ["<html>", "[]"] {
        let not_object = InvalidResponse::NotJsonObject { status: 200 };
        assert_eq!(fails(200, body), Error::InvalidResponse(not_object));
    }
    assert!(matches!(
        fails(400, r#"{"error":"invalid_client"}"#),
        Error::OAuth(_)
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_other_than_200_are_errors() {
        assert_status_rules(|status, body| json_object(status, body, 100), "{}");
    }
}
