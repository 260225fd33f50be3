//! A fake token endpoint for the JWT-bearer grant: it checks the request
//! the way Google does (signature, `iss`, `aud`, `iat`, lifetime) and
//! answers like Google (an access token, or only an `id_token` when the
//! assertion asks for one with `target_audience`).

use std::time::{Duration, SystemTime};

use oauth2_sansio::jwt::{encode, Claims, RingSigner};
use oauth2_sansio::service_account::JWT_BEARER_GRANT_TYPE;
use serde_json::{json, Map, Value};

use super::{form, verify, EMAIL, PKCS8};

/// The fake endpoint and what it saw.
pub struct FakeTokenEndpoint {
    pub token_uri: String,
    /// The claims of every accepted assertion, in order.
    pub assertions: Vec<Map<String, Value>>,
    /// The raw assertions, in order.
    pub raw_assertions: Vec<String>,
    issued: u32,
    id_token_signer: RingSigner,
}

impl FakeTokenEndpoint {
    pub fn new(token_uri: &str) -> Self {
        Self {
            token_uri: token_uri.to_owned(),
            assertions: Vec::new(),
            raw_assertions: Vec::new(),
            issued: 0,
            id_token_signer: RingSigner::from_pem(PKCS8, Some("google-key".into())).unwrap(),
        }
    }

    /// Answers one request received at `now`.
    pub fn handle(
        &mut self,
        request: &http::Request<Vec<u8>>,
        now: SystemTime,
    ) -> http::Response<Vec<u8>> {
        match self.check(request, now) {
            Ok(claims) => self.answer(&claims, now),
            Err(description) => respond(
                400,
                &json!({"error": "invalid_grant", "error_description": description}),
            ),
        }
    }

    fn check(
        &mut self,
        request: &http::Request<Vec<u8>>,
        now: SystemTime,
    ) -> Result<Map<String, Value>, String> {
        assert_eq!(request.method(), http::Method::POST);
        assert_eq!(request.uri(), self.token_uri.as_str());
        assert_eq!(
            request.headers()["content-type"],
            "application/x-www-form-urlencoded"
        );
        assert_eq!(request.headers()["accept"], "application/json");
        assert!(request.headers().get("authorization").is_none());
        let pairs = form(request.body());
        let names: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            names,
            ["assertion", "grant_type"],
            "google-auth's body order"
        );
        assert_eq!(pairs[1].1, JWT_BEARER_GRANT_TYPE);
        let assertion = &pairs[0].1;
        let claims = verify(assertion).payload().clone();
        let secs = now
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let (iat, exp) = (
            claims["iat"].as_u64().unwrap(),
            claims["exp"].as_u64().unwrap(),
        );
        if claims["iss"] != EMAIL {
            return Err("wrong iss".into());
        }
        if claims["aud"] != self.token_uri.as_str() {
            return Err("wrong aud".into());
        }
        if iat != secs || exp <= secs || exp - iat > 3600 {
            return Err(format!(
                "stale or overlong assertion: iat {iat} exp {exp} now {secs}"
            ));
        }
        self.assertions.push(claims.clone());
        self.raw_assertions.push(assertion.clone());
        Ok(claims)
    }

    fn answer(&mut self, claims: &Map<String, Value>, now: SystemTime) -> http::Response<Vec<u8>> {
        self.issued += 1;
        match claims.get("target_audience") {
            Some(Value::String(audience)) => {
                let id_token = self.id_token(audience, now);
                respond(200, &json!({ "id_token": id_token }))
            }
            _ => respond(
                200,
                &json!({
                    "access_token": format!("ya29.sa-{}", self.issued),
                    "token_type": "Bearer",
                    "expires_in": 3599,
                }),
            ),
        }
    }

    /// An ID token like Google's, valid for an hour from `now`.
    pub fn id_token(&self, audience: &str, now: SystemTime) -> String {
        let claims = Claims::new("https://accounts.google.com", now)
            .with_audience(audience)
            .with_subject("100000000000000000001")
            .with_claim("email", EMAIL)
            .unwrap();
        encode(&self.id_token_signer, &claims)
            .unwrap()
            .secret()
            .to_owned()
    }

    /// The expiry of an ID token issued at `now`.
    pub fn id_token_expiry(now: SystemTime) -> SystemTime {
        now + Duration::from_secs(3600)
    }
}

/// A JSON response.
pub fn respond(status: u16, body: &Value) -> http::Response<Vec<u8>> {
    http::Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(serde_json::to_vec(body).unwrap())
        .unwrap()
}
