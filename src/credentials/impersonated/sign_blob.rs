//! IAM's `signBlob`: the impersonated service account signs bytes with a
//! key Google holds, so JWTs can be signed without a key file.

use std::fmt;
use std::time::SystemTime;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{json, Value};

use super::credentials::ImpersonatedCredentials;

use super::refresh::{renew_then_call, IamCall};
use crate::credentials::any::AnyCredentials;
use crate::credentials::renewed::AfterSource;
use crate::error::google_api::google_api_failure;
use crate::error::{Error, InvalidResponse};
use crate::machine::call::{Parser, Update};
use crate::wire::answer::{json_object_or, required_text};

/// A signature from `signBlob`: RSASSA-PKCS1-v1_5 with SHA-256 by one of
/// the service account's Google-managed keys.
#[derive(Clone, PartialEq, Eq)]
pub struct SignedBlob {
    /// The id of the key that signed.
    pub key_id: String,
    /// The signature.
    pub signature: Vec<u8>,
}

impl fmt::Debug for SignedBlob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignedBlob")
            .field("key_id", &self.key_id)
            .field("signature_len", &self.signature.len())
            .finish()
    }
}

/// One `signBlob` call for a payload, with the credentials that make it;
/// ends with the signature and the (possibly renewed) source.
#[derive(Debug, Clone)]
pub struct SignBlobRequest {
    impersonated: ImpersonatedCredentials,
    payload: Vec<u8>,
}

/// Signs through IAM: the source renewed first when it is not fresh, then
/// one `signBlob` call. Ends with the signature and the source as renewed,
/// for the caller to keep.
pub type SignBlob = AfterSource<SignedBlob, SignBlobRequest>;

impl ImpersonatedCredentials {
    /// A machine that has the impersonated service account sign `payload`
    /// (`POST …:signBlob {"payload": base64, "delegates": [...]}`). The
    /// source needs `roles/iam.serviceAccountTokenCreator` on the target,
    /// as for tokens. The crate's JWT signing is synchronous
    /// ([`Signer`](crate::jwt::Signer)): the io layers drive this machine
    /// inside one (`io::ureq::IamSigner`).
    pub fn sign_blob(&self, payload: &[u8]) -> SignBlob {
        let request = SignBlobRequest {
            impersonated: self.clone(),
            payload: payload.to_vec(),
        };
        renew_then_call(&request, &self.source)
    }
}

impl IamCall for SignBlobRequest {
    type Answer = SignedBlob;

    fn method(&self) -> (&'static str, Value, Parser<SignedBlob>) {
        let body = json!({"payload": STANDARD.encode(&self.payload)});
        ("signBlob", body, parse_signed_blob)
    }
}

impl AsMut<ImpersonatedCredentials> for SignBlobRequest {
    fn as_mut(&mut self) -> &mut ImpersonatedCredentials {
        &mut self.impersonated
    }
}

/// The signature, and the source as the call left it.
impl Update<SignedBlob> for SignBlobRequest {
    type Output = (SignedBlob, AnyCredentials);

    fn update(self, signed: SignedBlob, _sent_at: SystemTime) -> Result<Self::Output, Error> {
        Ok((signed, *self.impersonated.source))
    }
}

/// Parses `signBlob`'s answer: on HTTP 200 `{"keyId", "signedBlob"}`
/// (standard base64).
fn parse_signed_blob(status: u16, body: &[u8], limit: usize) -> Result<SignedBlob, Error> {
    let mut map = json_object_or(status, body, limit, google_api_failure)?;
    let key_id = required_text(&mut map, "keyId")?;
    let signature = STANDARD
        .decode(required_text(&mut map, "signedBlob")?)
        .map_err(|_| InvalidResponse::InvalidField {
            field: "signedBlob",
            reason: "is not standard base64",
        })?;
    Ok(SignedBlob { key_id, signature })
}
