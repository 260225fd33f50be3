//! DPoP at the fake server (RFC 9449), with oidc-provider's rules: a proof
//! is a `dpop+jwt` signed ES256 with the public `jwk` in its header; its
//! `htm` and `htu` (query and fragment ignored) name the request; its
//! `jti` is never seen twice; with `require_dpop_nonce` it carries the
//! server's current nonce (else `use_dpop_nonce` and a `DPoP-Nonce`
//! header), without it `iat` is within 300 s of now; with an access token
//! it carries the token's `ath`, and the token's `jkt` is the key's.

use std::time::SystemTime;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use oauth2_sansio::dpop::{access_token_hash, ec_p256_thumbprint, target_uri};
use oauth2_sansio::jwt::decode_unverified;
use serde_json::Value;

use super::token_endpoint::{refuse, Refusal};
use super::FakeServer;

/// How far `iat` may be from now without a nonce (oidc-provider's window).
const IAT_WINDOW: u64 = 300;

impl FakeServer {
    /// The thumbprint of the key that proves `request` (`None` without a
    /// `DPoP` header), checked at `now`; `access_token` is the token the
    /// request presents, whose hash the proof must carry.
    pub(super) fn dpop_proof(
        &mut self,
        request: &http::Request<Vec<u8>>,
        access_token: Option<&str>,
        now: SystemTime,
    ) -> Result<Option<String>, Refusal> {
        let mut proofs = request.headers().get_all("dpop").iter();
        let Some(proof) = proofs.next() else {
            return Ok(None);
        };
        fn invalid<T>(description: &'static str) -> Result<T, Refusal> {
            refuse(400, "invalid_dpop_proof", description)
        }
        if proofs.next().is_some() {
            return invalid("more than one DPoP header");
        }
        let proof = proof.to_str().or_else(|_| invalid("not text"))?;
        let jwt = decode_unverified(proof).or_else(|_| invalid("malformed DPoP proof"))?;
        let header = jwt.header();
        if header.get("typ").and_then(Value::as_str) != Some("dpop+jwt") {
            return invalid("typ must be dpop+jwt");
        }
        if jwt.algorithm() != "ES256" {
            return invalid("unsupported alg");
        }
        let jwk = header.get("jwk").and_then(Value::as_object);
        let coordinate = |name| jwk.and_then(|k| k.get(name)).and_then(Value::as_str);
        let (Some("EC"), Some("P-256"), Some(x), Some(y)) = (
            coordinate("kty"),
            coordinate("crv"),
            coordinate("x"),
            coordinate("y"),
        ) else {
            return invalid("jwk must be a public P-256 key");
        };
        if jwk.is_some_and(|k| k.contains_key("d")) {
            return invalid("jwk must not hold the private key");
        }
        if !es256_verifies(x, y, proof) {
            return invalid("signature verification failed");
        }
        let claims = jwt.payload();
        let text = |name| claims.get(name).and_then(Value::as_str);
        if text("htm") != Some(request.method().as_str()) {
            return invalid("DPoP proof htm mismatch");
        }
        if text("htu") != target_uri(request.uri()).ok().as_deref() {
            return invalid("DPoP proof htu mismatch");
        }
        let Some(jti) = text("jti").filter(|j| !j.is_empty()) else {
            return invalid("no jti");
        };
        if !self.used_dpop_jtis.insert(jti.to_owned()) {
            return refuse(400, "invalid_dpop_proof", "DPoP proof jti replayed");
        }
        if access_token.map(access_token_hash).as_deref() != text("ath") {
            return invalid("DPoP proof ath mismatch");
        }
        match (&self.dpop_nonce, text("nonce")) {
            (Some(current), Some(sent)) if current == sent => {}
            (Some(_), _) => {
                return refuse(400, "use_dpop_nonce", "nonce is required in the DPoP proof")
            }
            (None, _) => {
                let iat = claims.get("iat").and_then(Value::as_u64).unwrap_or(0);
                let now = oauth2_sansio_seconds(now);
                if iat.abs_diff(now) > IAT_WINDOW {
                    return invalid("DPoP proof iat is not recent enough");
                }
            }
        }
        Ok(Some(ec_p256_thumbprint(x, y)))
    }

    /// A protected resource (like oidc-provider's userinfo): the status and
    /// headers of its answer to `request` at `now`. A bearer token this
    /// server issued, unexpired and unrevoked, passes; a DPoP-bound one
    /// only as `Authorization: DPoP` with a proof of its key (and the
    /// current nonce, else `401` with a `DPoP` `use_dpop_nonce` challenge).
    pub fn api(
        &mut self,
        request: &http::Request<Vec<u8>>,
        now: SystemTime,
    ) -> http::Response<Vec<u8>> {
        let authorization = request
            .headers()
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let (scheme, token) = authorization.split_once(' ').unwrap_or(("", ""));
        let bound = self.access_tokens.get(token).and_then(|t| t.jkt.clone());
        let challenge = |error: &str, nonce: Option<&str>| {
            let mut response = http::Response::builder().status(401).header(
                WWW_AUTHENTICATE,
                format!("DPoP error=\"{error}\", algs=\"ES256\""),
            );
            if let Some(nonce) = nonce {
                response = response.header("dpop-nonce", nonce);
            }
            response.body(Vec::new()).unwrap()
        };
        let usable = self.api_status(request, now) == 200
            || (scheme == "DPoP" && self.token_is_usable(token, now));
        if !usable {
            return challenge("invalid_token", None);
        }
        match (scheme, bound) {
            ("Bearer", None) => http::Response::new(b"{}".to_vec()),
            ("DPoP", Some(jkt)) => match self.dpop_proof(request, Some(token), now) {
                Ok(Some(proved)) if proved == jkt => http::Response::new(b"{}".to_vec()),
                Err(refusal) if refusal.error == "use_dpop_nonce" => {
                    challenge("use_dpop_nonce", self.dpop_nonce.clone().as_deref())
                }
                _ => challenge("invalid_dpop_proof", None),
            },
            _ => challenge("invalid_token", None),
        }
    }
}

/// Whole seconds since the Unix epoch.
fn oauth2_sansio_seconds(now: SystemTime) -> u64 {
    now.duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(feature = "ring")]
fn es256_verifies(x: &str, y: &str, jwt: &str) -> bool {
    use ring::signature::{UnparsedPublicKey, ECDSA_P256_SHA256_FIXED};

    let (Ok(x), Ok(y)) = (URL_SAFE_NO_PAD.decode(x), URL_SAFE_NO_PAD.decode(y)) else {
        return false;
    };
    let Some((signing_input, signature)) = jwt.rsplit_once('.') else {
        return false;
    };
    let Ok(signature) = URL_SAFE_NO_PAD.decode(signature) else {
        return false;
    };
    let public: Vec<u8> = [&[4u8][..], &x, &y].concat();
    UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, public)
        .verify(signing_input.as_bytes(), &signature)
        .is_ok()
}

#[cfg(not(feature = "ring"))]
fn es256_verifies(_: &str, _: &str, _: &str) -> bool {
    false
}
