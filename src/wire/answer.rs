//! Reading an endpoint's answer: the error a non-success answer means, and
//! the JSON object of a successful one.

use serde_json::{Map, Value};

use crate::error::{Error, InvalidResponse};
use crate::wire::json::{parse_object, JsonProblem};
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
    if status != 200 {
        return Err(error_response(status, body, limit));
    }
    parse_object(body, limit).map_err(|problem| {
        match problem {
            JsonProblem::TooLarge { limit } => InvalidResponse::BodyTooLarge { limit },
            JsonProblem::DuplicateKey(key) => InvalidResponse::DuplicateKey { key },
            JsonProblem::NotJson | JsonProblem::NotObject => {
                InvalidResponse::NotJsonObject { status }
            }
        }
        .into()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_other_than_200_are_errors() {
        assert_eq!(
            json_object(302, b"{}", 100).unwrap_err(),
            Error::Redirect { status: 302 }
        );
        assert_eq!(
            json_object(500, b"<html>", 100).unwrap_err(),
            Error::HttpStatus { status: 500 }
        );
        assert!(matches!(
            json_object(400, br#"{"error":"invalid_client"}"#, 100),
            Err(Error::OAuth(_))
        ));
        assert_eq!(
            json_object(200, b"[]", 100).unwrap_err(),
            Error::InvalidResponse(InvalidResponse::NotJsonObject { status: 200 })
        );
    }
}
