//! The token endpoint: client authentication, the `authorization_code` and
//! `refresh_token` grants, and the responses of RFC 6749 §5.

use std::collections::HashMap;
use std::time::SystemTime;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use http::header::{AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE, WWW_AUTHENTICATE};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use super::{unique_pairs, FakeServer, Misbehaviour, TOKEN_URI};

/// An RFC 6749 §5.2 error answer.
pub(super) struct Refusal {
    status: u16,
    pub(super) error: &'static str,
    description: &'static str,
}

pub(super) fn refuse<T>(
    status: u16,
    error: &'static str,
    description: &'static str,
) -> Result<T, Refusal> {
    Err(Refusal {
        status,
        error,
        description,
    })
}

/// A POST's form body: UTF-8, no parameter twice.
pub(super) fn form_of(
    request: &http::Request<Vec<u8>>,
) -> Result<HashMap<String, String>, Refusal> {
    let body = std::str::from_utf8(request.body())
        .or_else(|_| refuse(400, "invalid_request", "not UTF-8"))?;
    unique_pairs(body).map_or_else(
        || refuse(400, "invalid_request", "a parameter appears twice"),
        Ok,
    )
}

impl Refusal {
    pub(super) fn into_response(self) -> http::Response<Vec<u8>> {
        let body = json!({"error": self.error, "error_description": self.description});
        let mut response = json_response(self.status, &body);
        if self.status == 401 {
            response
                .headers_mut()
                .insert(WWW_AUTHENTICATE, "Basic realm=\"fake\"".parse().unwrap());
        }
        response
    }
}

pub(super) fn json_response(status: u16, body: &Value) -> http::Response<Vec<u8>> {
    http::Response::builder()
        .status(status)
        .header(CONTENT_TYPE, "application/json")
        .header(CACHE_CONTROL, "no-store")
        .body(serde_json::to_vec(body).unwrap())
        .unwrap()
}

impl FakeServer {
    /// The token endpoint answers `request` at `now`, applying the next
    /// queued [`Misbehaviour`], if any.
    pub fn handle(
        &mut self,
        request: &http::Request<Vec<u8>>,
        now: SystemTime,
    ) -> http::Response<Vec<u8>> {
        if request.uri() == super::PAR_URI {
            return self.par_endpoint(request, now);
        }
        self.token_requests += 1;
        let misbehaviour = self.misbehaviours.pop_front();
        if let Some(response) = misbehaviour
            .as_ref()
            .and_then(Misbehaviour::instead_of_processing)
        {
            return response;
        }
        let mut response = match self.token_endpoint(request, now, misbehaviour.as_ref()) {
            Ok(mut body) => {
                if let Some(misbehaviour) = &misbehaviour {
                    misbehaviour.alter(&mut body);
                }
                json_response(200, &Value::Object(body))
            }
            Err(refusal) => refusal.into_response(),
        };
        if let Some(nonce) = &self.dpop_nonce {
            response
                .headers_mut()
                .insert("dpop-nonce", nonce.parse().unwrap());
        }
        response
    }

    fn token_endpoint(
        &mut self,
        request: &http::Request<Vec<u8>>,
        now: SystemTime,
        misbehaviour: Option<&Misbehaviour>,
    ) -> Result<Map<String, Value>, Refusal> {
        if request.uri() != TOKEN_URI {
            return refuse(404, "invalid_request", "no such endpoint");
        }
        if request.method() != http::Method::POST {
            return refuse(405, "invalid_request", "the token endpoint takes POST");
        }
        let content_type = request
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok());
        if content_type.and_then(|v| v.split(';').next())
            != Some("application/x-www-form-urlencoded")
        {
            return refuse(400, "invalid_request", "the body must be a form");
        }
        let form = form_of(request)?;
        let jkt = self.dpop_proof(request, None, now)?;
        let client_id = self.authenticate(request, &form, now)?;
        match form.get("grant_type").map(String::as_str) {
            Some("authorization_code") => self.code_grant(client_id, &form, jkt, now),
            Some("refresh_token") => {
                let rotate = self.rotate_refresh_tokens
                    && misbehaviour != Some(&Misbehaviour::NoRefreshToken);
                self.refresh_grant(client_id, &form, jkt, now, rotate)
            }
            Some(_) => refuse(400, "unsupported_grant_type", "unknown grant_type"),
            None => refuse(400, "invalid_request", "no grant_type"),
        }
    }

    /// RFC 6749 §2.3.1: HTTP Basic (id and secret form-urlencoded before
    /// base64), `client_secret` in the body, or a client assertion, never
    /// two of them; public clients send only `client_id`.
    pub(super) fn authenticate(
        &mut self,
        request: &http::Request<Vec<u8>>,
        form: &HashMap<String, String>,
        now: SystemTime,
    ) -> Result<&'static str, Refusal> {
        if form.contains_key("client_assertion") || form.contains_key("client_assertion_type") {
            if request.headers().contains_key(AUTHORIZATION) || form.contains_key("client_secret") {
                return refuse(400, "invalid_request", "the client authenticated twice");
            }
            return self.authenticate_assertion(form, now);
        }
        let basic = match request.headers().get(AUTHORIZATION) {
            Some(value) => Some(basic_credentials(value).map_or_else(
                || refuse(400, "invalid_request", "malformed Basic credentials"),
                Ok,
            )?),
            None => None,
        };
        let (client_id, secret) = match (basic, form.get("client_secret")) {
            (Some(_), Some(_)) => {
                return refuse(400, "invalid_request", "the client authenticated twice")
            }
            (Some((id, secret)), None) => {
                if form.get("client_id").is_some_and(|body_id| *body_id != id) {
                    return refuse(
                        400,
                        "invalid_request",
                        "client_id differs from the Basic credentials",
                    );
                }
                (id, Some(secret))
            }
            (None, secret) => match form.get("client_id") {
                Some(id) => (id.clone(), secret.cloned()),
                None => return refuse(401, "invalid_client", "no client authentication"),
            },
        };
        let registration = self.registration(&client_id);
        match (registration, secret) {
            (Some(r), Some(secret)) if r.secret == Some(secret.as_str()) => Ok(r.id),
            (Some(r), None) if r.secret.is_none() && r.public_key.is_none() => Ok(r.id),
            _ => refuse(401, "invalid_client", "client authentication failed"),
        }
    }

    fn code_grant(
        &mut self,
        client_id: &str,
        form: &HashMap<String, String>,
        jkt: Option<String>,
        now: SystemTime,
    ) -> Result<Map<String, Value>, Refusal> {
        let code = form
            .get("code")
            .map_or_else(|| refuse(400, "invalid_request", "no code"), Ok)?;
        let Some(issued) = self.codes.get_mut(code) else {
            return refuse(400, "invalid_grant", "unknown code");
        };
        let grant = issued.grant;
        if issued.used {
            // RFC 6749 §4.1.2: a replayed code revokes what it issued.
            self.grants[grant].revoked = true;
            return refuse(400, "invalid_grant", "code already used");
        }
        issued.used = true;
        if issued.dpop_jkt.is_some() && issued.dpop_jkt != jkt {
            return refuse(
                400,
                "invalid_grant",
                "authorization code is bound to another DPoP key",
            );
        }
        if self.grants[grant].client_id != client_id {
            return refuse(400, "invalid_grant", "code issued to another client");
        }
        if form.get("redirect_uri") != Some(&issued.redirect_uri) {
            return refuse(400, "invalid_grant", "redirect_uri mismatch");
        }
        let Some(verifier) = form.get("code_verifier") else {
            return refuse(400, "invalid_grant", "Missing code verifier.");
        };
        if URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())) != issued.challenge {
            return refuse(400, "invalid_grant", "PKCE verification failed");
        }
        let refresh_token = self.grants[grant]
            .offline
            .then(|| self.new_bound_refresh_token(grant, self.bound_to(client_id, &jkt)));
        let scopes = self.grants[grant].scopes.clone();
        Ok(self.token_body(grant, &scopes, refresh_token, true, jkt, now))
    }

    fn refresh_grant(
        &mut self,
        client_id: &str,
        form: &HashMap<String, String>,
        jkt: Option<String>,
        now: SystemTime,
        rotate: bool,
    ) -> Result<Map<String, Value>, Refusal> {
        let token = form
            .get("refresh_token")
            .map_or_else(|| refuse(400, "invalid_request", "no refresh_token"), Ok)?;
        let Some(issued) = self.refresh_tokens.get_mut(token) else {
            return refuse(400, "invalid_grant", "unknown refresh token");
        };
        let grant = issued.grant;
        if !issued.current {
            // A rotated-out token came back: someone copied it. Revoke all.
            self.grants[grant].revoked = true;
            return refuse(400, "invalid_grant", "refresh token reused");
        }
        if self.grants[grant].revoked {
            return refuse(400, "invalid_grant", "grant revoked");
        }
        if self.grants[grant].client_id != client_id {
            return refuse(
                400,
                "invalid_grant",
                "refresh token issued to another client",
            );
        }
        if issued.jkt.is_some() && issued.jkt != jkt {
            return refuse(400, "invalid_grant", "failed jkt verification");
        }
        let bound = issued.jkt.clone();
        let granted = &self.grants[grant].scopes;
        let scopes: Vec<String> = match form.get("scope") {
            None => granted.clone(),
            Some(scope) => {
                let asked: Vec<String> = scope.split(' ').map(str::to_owned).collect();
                if !asked.iter().all(|s| granted.contains(s)) {
                    return refuse(400, "invalid_scope", "scope exceeds the grant");
                }
                asked
            }
        };
        if rotate {
            issued.current = false;
        }
        let refresh_token = rotate.then(|| self.new_bound_refresh_token(grant, bound));
        let id_token = self.id_token_on_refresh;
        Ok(self.token_body(grant, &scopes, refresh_token, id_token, jkt, now))
    }

    /// RFC 9449 §5: a public client's refresh token is bound to its DPoP
    /// key; a confidential client's is not.
    fn bound_to(&self, client_id: &str, jkt: &Option<String>) -> Option<String> {
        let public = self
            .registration(client_id)
            .is_some_and(|r| r.secret.is_none() && r.public_key.is_none());
        jkt.clone().filter(|_| public)
    }

    fn token_body(
        &mut self,
        grant: usize,
        scopes: &[String],
        refresh_token: Option<String>,
        id_token: bool,
        jkt: Option<String>,
        now: SystemTime,
    ) -> Map<String, Value> {
        let mut body = Map::new();
        let token_type = if jkt.is_some() { "DPoP" } else { "Bearer" };
        body.insert(
            "access_token".into(),
            self.new_access_token(grant, jkt, now).into(),
        );
        body.insert("token_type".into(), token_type.into());
        body.insert("expires_in".into(), self.expires_in.into());
        body.insert("scope".into(), scopes.join(" ").into());
        if let Some(refresh_token) = refresh_token {
            body.insert("refresh_token".into(), refresh_token.into());
        }
        if id_token && scopes.iter().any(|s| s == "openid") {
            body.insert("id_token".into(), self.new_id_token().into());
        }
        body
    }
}

/// `Basic base64(urlencode(id) ":" urlencode(secret))`, decoded.
fn basic_credentials(value: &http::HeaderValue) -> Option<(String, String)> {
    let encoded = value.to_str().ok()?.strip_prefix("Basic ")?;
    let decoded = String::from_utf8(STANDARD.decode(encoded).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some((form_urldecode(id)?, form_urldecode(secret)?))
}

/// `application/x-www-form-urlencoded` decoding of one value: `+` is a
/// space, `%XX` a byte; a stray `%` is an error.
fn form_urldecode(text: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(text.len());
    let mut input = text.bytes();
    while let Some(b) = input.next() {
        bytes.push(match b {
            b'+' => b' ',
            b'%' => {
                let hex = [input.next()?, input.next()?];
                u8::from_str_radix(std::str::from_utf8(&hex).ok()?, 16).ok()?
            }
            other => other,
        });
    }
    String::from_utf8(bytes).ok()
}
