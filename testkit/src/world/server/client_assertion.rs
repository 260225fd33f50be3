//! `private_key_jwt` at the fake token endpoint (RFC 7523 §2.2, §3), with
//! oidc-provider's rules: the assertion's signature verifies with the
//! registered public key, `iss` and `sub` are the client id, `aud` is the
//! issuer or the token endpoint, it has not expired, was not issued in the
//! future, lives at most an hour, and its `jti` was never seen before.

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use oauth2_sansio::jwt::decode_unverified;
use oauth2_sansio::CLIENT_ASSERTION_TYPE;

use super::token_endpoint::{refuse, Refusal};
use super::{FakeServer, Registration, ISSUER, TOKEN_URI};

impl FakeServer {
    /// The client a `client_assertion` in `form` proves, checked at `now`.
    pub(super) fn authenticate_assertion(
        &mut self,
        form: &HashMap<String, String>,
        now: SystemTime,
    ) -> Result<&'static str, Refusal> {
        if form.get("client_assertion_type").map(String::as_str) != Some(CLIENT_ASSERTION_TYPE) {
            return refuse(
                400,
                "invalid_request",
                "client_assertion_type missing or wrong",
            );
        }
        let Some(assertion) = form.get("client_assertion") else {
            return refuse(400, "invalid_request", "no client_assertion");
        };
        let jwt = decode_unverified(assertion)
            .or_else(|_| refuse(400, "invalid_request", "malformed client_assertion"))?;
        let claims = jwt.payload();
        let text = |name: &str| claims.get(name).and_then(|v| v.as_str());
        let Some(client_id) = text("sub") else {
            return refuse(401, "invalid_client", "no sub in the client assertion");
        };
        let Some(registration) = self.registration(client_id).cloned() else {
            return refuse(401, "invalid_client", "unknown client");
        };
        if form.get("client_id").is_some_and(|id| id != client_id) {
            return refuse(400, "invalid_request", "client_id differs from sub");
        }
        if jwt.algorithm() != "RS256" || !signature_verifies(&registration, assertion) {
            return refuse(
                401,
                "invalid_client",
                "the client assertion's signature is invalid",
            );
        }
        if text("iss") != Some(client_id) {
            return refuse(401, "invalid_client", "iss must be the client_id");
        }
        if !matches!(text("aud"), Some(ISSUER | TOKEN_URI)) {
            return refuse(
                401,
                "invalid_client",
                "aud must be the issuer or token endpoint",
            );
        }
        let seconds = |name: &str| claims.get(name).and_then(|v| v.as_u64());
        let now = unix(now);
        match (seconds("iat"), seconds("exp")) {
            (Some(iat), Some(exp)) if iat <= now && now < exp && exp - iat <= 3600 => {}
            _ => {
                return refuse(
                    401,
                    "invalid_client",
                    "the client assertion is not valid now",
                )
            }
        }
        let Some(jti) = text("jti") else {
            return refuse(401, "invalid_client", "no jti in the client assertion");
        };
        if !self.used_jtis.insert(jti.to_owned()) {
            return refuse(
                401,
                "invalid_client",
                "client assertion tokens must only be used once",
            );
        }
        Ok(registration.id)
    }
}

fn unix(time: SystemTime) -> u64 {
    time.duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_secs()
}

#[cfg(feature = "ring")]
fn signature_verifies(registration: &Registration, jwt: &str) -> bool {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    use ring::signature::{UnparsedPublicKey, RSA_PKCS1_2048_8192_SHA256};

    let Some(public_key) = registration.public_key else {
        return false;
    };
    let Some((signing_input, signature)) = jwt.rsplit_once('.') else {
        return false;
    };
    let Ok(signature) = URL_SAFE_NO_PAD.decode(signature) else {
        return false;
    };
    UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, public_key)
        .verify(signing_input.as_bytes(), &signature)
        .is_ok()
}

/// Without ring the fake server cannot check a signature, so it accepts no
/// assertion.
#[cfg(not(feature = "ring"))]
fn signature_verifies(_: &Registration, _: &str) -> bool {
    false
}
