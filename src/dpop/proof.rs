//! Proofs ([RFC 9449 §4](https://www.rfc-editor.org/rfc/rfc9449#section-4)):
//! a JWT per request, signed with the DPoP key, naming the request's method
//! and URI, and the access token it carries.

use std::time::SystemTime;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use http::header::{HeaderName, AUTHORIZATION};
use http::HeaderValue;
use serde::Serialize;

use crate::credentials::freshness::unix_seconds;
use crate::dpop::htu::target_uri;
use crate::dpop::key::DpopKey;
use crate::dpop::thumbprint::access_token_hash;
use crate::error::Error;
use crate::jwt::SignError;
use crate::secret::AccessToken;

/// The header a proof is sent in.
pub const DPOP: HeaderName = HeaderName::from_static("dpop");

#[derive(Serialize)]
struct ProofClaims<'a> {
    jti: &'a str,
    htm: &'a str,
    htu: &'a str,
    iat: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    ath: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    nonce: Option<&'a str>,
}

impl DpopKey {
    /// A proof for a request of `method` to `uri`, made at `now`: header
    /// `typ: dpop+jwt`, `alg: ES256` and the public `jwk`; claims a new
    /// `jti`, `htm`, `htu` (the URI without query or fragment), `iat`,
    /// `ath` when the request carries `access_token`, and the latest nonce
    /// the URI's server gave. Send it as the `DPoP` header ([`DPOP`]); a
    /// proof is good for one request only, retries included.
    pub fn proof(
        &self,
        method: &http::Method,
        uri: &http::Uri,
        access_token: Option<&AccessToken>,
        now: SystemTime,
    ) -> Result<HeaderValue, Error> {
        let htu = target_uri(uri)?;
        let nonce = self.nonce_for(&htu);
        let ath = access_token.map(|token| access_token_hash(token.secret()));
        let jti = self.next_jti();
        let claims = ProofClaims {
            jti: &jti,
            htm: method.as_str(),
            htu: &htu,
            iat: unix_seconds(now).unwrap_or(0),
            ath: ath.as_deref(),
            nonce: nonce.as_deref(),
        };
        let claims = serde_json::to_vec(&claims).expect("strings and integers serialize");
        let header = self.encoded_header();
        let mut jws = String::with_capacity(header.len() + claims.len() * 4 / 3 + 90);
        jws.push_str(header);
        jws.push('.');
        URL_SAFE_NO_PAD.encode_string(&claims, &mut jws);
        let signature = self.signer().sign(jws.as_bytes())?;
        if signature.len() != 64 {
            return Err(
                SignError::new("the DPoP signer did not return a 64-byte ES256 signature").into(),
            );
        }
        jws.push('.');
        URL_SAFE_NO_PAD.encode_string(&signature, &mut jws);
        let mut value = HeaderValue::try_from(jws).expect("base64url and dots are header-safe");
        value.set_sensitive(true);
        Ok(value)
    }

    /// Authorizes a resource request with a DPoP-bound `access_token`:
    /// `Authorization: DPoP <token>` and a `DPoP` proof for the request's
    /// method and URI carrying the token's hash. Call it again (a new
    /// proof) for every send, retries included.
    pub fn authorize<B>(
        &self,
        request: &mut http::Request<B>,
        access_token: &AccessToken,
        now: SystemTime,
    ) -> Result<(), Error> {
        let proof = self.proof(request.method(), request.uri(), Some(access_token), now)?;
        let mut authorization = HeaderValue::try_from(format!("DPoP {}", access_token.secret()))
            .map_err(|_| {
                Error::from(SignError::new(
                    "the access token cannot be sent in a header (it has characters HTTP forbids)",
                ))
            })?;
        authorization.set_sensitive(true);
        let headers = request.headers_mut();
        headers.insert(AUTHORIZATION, authorization);
        headers.insert(DPOP, proof);
        Ok(())
    }
}
