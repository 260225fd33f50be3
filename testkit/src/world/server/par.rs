//! The pushed authorization request endpoint (RFC 9126), with
//! oidc-provider's rules: a form POST authenticated as at the token
//! endpoint, `client_id` always in the body, no `request_uri` in it; the
//! answer `201 {"request_uri","expires_in":60}`; a `request_uri` used once,
//! within its lifetime, by the client it was pushed for.

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use serde_json::json;

use super::token_endpoint::{form_of, json_response, refuse, Refusal};
use super::FakeServer;

/// The fake server's pushed authorization request endpoint.
pub const PAR_URI: &str = "http://127.0.0.1:9000/par";

/// How long a pushed request may be used (oidc-provider's default).
pub const PUSH_LIFETIME: Duration = Duration::from_secs(60);

/// A pushed request: its parameters, until when it may be used, and
/// whether it was.
#[derive(Debug)]
pub(super) struct Pushed {
    pub(super) params: HashMap<String, String>,
    pub(super) until: SystemTime,
    pub(super) used: bool,
}

impl FakeServer {
    /// The endpoint's answer to `request` at `now`.
    pub(super) fn par_endpoint(
        &mut self,
        request: &http::Request<Vec<u8>>,
        now: SystemTime,
    ) -> http::Response<Vec<u8>> {
        match self.push(request, now) {
            Ok(request_uri) => json_response(
                201,
                &json!({"request_uri": request_uri, "expires_in": PUSH_LIFETIME.as_secs()}),
            ),
            Err(refusal) => refusal.into_response(),
        }
    }

    fn push(
        &mut self,
        request: &http::Request<Vec<u8>>,
        now: SystemTime,
    ) -> Result<String, Refusal> {
        if request.method() != http::Method::POST {
            return refuse(405, "invalid_request", "the endpoint takes POST");
        }
        let form = form_of(request)?;
        if !form.contains_key("client_id") {
            return refuse(
                400,
                "invalid_request",
                "missing required parameter 'client_id'",
            );
        }
        if form.contains_key("request_uri") {
            return refuse(
                400,
                "request_uri_not_supported",
                "request_uri is not allowed here",
            );
        }
        let client_id = self.authenticate(request, &form, now)?;
        if form.get("client_id").map(String::as_str) != Some(client_id) {
            return refuse(400, "invalid_request", "client_id differs from the client");
        }
        let registration = self.registration(client_id).expect("authenticated");
        let redirect_uri = form.get("redirect_uri").map(String::as_str).unwrap_or("");
        if !registration.redirect_uris.contains(&redirect_uri) {
            return refuse(
                400,
                "invalid_request",
                "redirect_uri did not match any of the client's registered redirect_uris",
            );
        }
        self.serials.pushed += 1;
        let request_uri = format!(
            "urn:ietf:params:oauth:request_uri:push-{}",
            self.serials.pushed
        );
        let params = form
            .into_iter()
            .filter(|(name, _)| !name.starts_with("client_assertion") && name != "client_secret")
            .collect();
        self.pushed.insert(
            request_uri.clone(),
            Pushed {
                params,
                until: now + PUSH_LIFETIME,
                used: false,
            },
        );
        Ok(request_uri)
    }
}
