//! Ways the token endpoint (or the network before it) can misbehave, one
//! request at a time.

use http::header::{CONTENT_TYPE, LOCATION};
use serde_json::{json, Map, Value};

use super::token_endpoint::json_response;

/// What to do wrong with one token request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Misbehaviour {
    /// The request never arrives (a refused connection). Only
    /// [`FakeServer::deliver`](super::FakeServer::deliver) honours it.
    Unreachable,
    /// A proxy answers with this status and an HTML page; the server never
    /// sees the request.
    HtmlError(u16),
    /// A redirect elsewhere; the server never sees the request.
    Redirect(u16),
    /// An RFC 6749 §5.2 error body with this status; not processed.
    ErrorJson { status: u16, error: &'static str },
    /// Processed, then answered 200 with `error` added to the tokens.
    OkWithError(&'static str),
    /// Processed, then `access_token` left out.
    MissingAccessToken,
    /// Processed, then `token_type` replaced.
    TokenType(&'static str),
    /// Processed, then `expires_in` sent as a string.
    ExpiresInAsString,
    /// Processed, then the last granted scope left out of `scope`.
    FewerScopes,
    /// `refresh_token` left out of the response; on a refresh, the old
    /// one is not rotated out either.
    NoRefreshToken,
    /// Processed, then `expires_in` left out.
    NoExpiresIn,
}

impl Misbehaviour {
    /// The response sent instead of processing the request, for the
    /// misbehaviours that replace it.
    pub(super) fn instead_of_processing(&self) -> Option<http::Response<Vec<u8>>> {
        match *self {
            Misbehaviour::Unreachable => {
                panic!("Unreachable is a transport failure: use FakeServer::deliver")
            }
            Misbehaviour::HtmlError(status) => Some(
                http::Response::builder()
                    .status(status)
                    .header(CONTENT_TYPE, "text/html")
                    .body(b"<html><body><h1>Bad Gateway</h1></body></html>".to_vec())
                    .unwrap(),
            ),
            Misbehaviour::Redirect(status) => Some(
                http::Response::builder()
                    .status(status)
                    .header(LOCATION, "https://elsewhere.example/token")
                    .body(Vec::new())
                    .unwrap(),
            ),
            Misbehaviour::ErrorJson { status, error } => Some(json_response(
                status,
                &json!({"error": error, "error_description": "injected by the test"}),
            )),
            _ => None,
        }
    }

    /// Alters a successful token response body.
    pub(super) fn alter(&self, body: &mut Map<String, Value>) {
        match *self {
            Misbehaviour::OkWithError(error) => {
                body.insert("error".into(), error.into());
            }
            Misbehaviour::MissingAccessToken => {
                body.remove("access_token");
            }
            Misbehaviour::TokenType(token_type) => {
                body.insert("token_type".into(), token_type.into());
            }
            Misbehaviour::ExpiresInAsString => {
                let text = body["expires_in"].to_string();
                body.insert("expires_in".into(), text.into());
            }
            Misbehaviour::FewerScopes => {
                let scope = body["scope"].as_str().unwrap_or("");
                let fewer = scope
                    .rsplit_once(' ')
                    .map_or("", |(kept, _)| kept)
                    .to_owned();
                body.insert("scope".into(), fewer.into());
            }
            Misbehaviour::NoRefreshToken => {
                body.remove("refresh_token");
            }
            Misbehaviour::NoExpiresIn => {
                body.remove("expires_in");
            }
            Misbehaviour::Unreachable
            | Misbehaviour::HtmlError(_)
            | Misbehaviour::Redirect(_)
            | Misbehaviour::ErrorJson { .. } => {}
        }
    }
}
